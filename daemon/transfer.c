/*  transfer.c - moving a case from one pod to another. See transfer.h. */
#include "transfer.h"
#include "access.h"
#include "caseops.h"
#include "taskops.h"
#include "chronocheck.h"
#include "meetops.h"
#include "handover.h"
#include "when.h"

#define VISIT_KIND "handover-visit"
#define VISIT_PLACE "Family home"   /* where the joint visit is, unless told */
#define TASKS_MAX 1000              /* open tasks one case may carry across */
#define TELL_MAX 4                  /* both managers and both leads */

//  --------------------------------------------------------------------
//  Finding things

static int
s_transfer_find (podd_request_t *req, podd_transfer_t *transfer, podd_case_t *kase)
{
    int64_t id = podp_msg_int (req->msg, "transfer", 0);
    if (podd_store_transfer_get (req->store, id, transfer)
    ||  podd_store_case_by_id (req->store, transfer->case_id, kase))
        return podd_fail (req, PODP_NOT_FOUND, "no case transfer %lld", (long long) id);
    return 0;
}

//  Which side the actor consents for: the sending pod's manager, the
//  receiving pod's, or an administrator (field "side", else the first side
//  still to agree). 403 for anyone else.
static int
s_side (podd_request_t *req, const podd_transfer_t *transfer, bool *sending)
{
    const char *side = podp_msg_string (req->msg, "side");
    bool may_send = podd_access_pod_manage (req->actor, transfer->from_pod);
    bool may_receive = podd_access_pod_manage (req->actor, transfer->to_pod);
    if (!may_send && !may_receive)
        return podd_fail (req, PODP_FORBIDDEN, "only the team managers of the sending and the "
                          "receiving pod (or an administrator) decide a case transfer");
    if (side) {
        *sending = podd_streq (side, "sending");
        if (*sending? !may_send: !may_receive)
            return podd_fail (req, PODP_FORBIDDEN, "you are not the %s pod's team manager", side);
    }
    else
        *sending = may_send && may_receive? !transfer->from_by: may_send;
    return 0;
}

//  The new lead named in field "lead" (0 when none is named): an active
//  member of the receiving pod
static int
s_lead_field (podd_request_t *req, int64_t to_pod, int64_t *lead_id)
{
    const char *handle = podp_msg_string (req->msg, "lead");
    podd_member_t lead;
    *lead_id = 0;
    if (!handle)
        return 0;
    if (podd_store_member_by_handle (req->store, handle, &lead) || !lead.active)
        return podd_fail (req, PODP_NOT_FOUND, "no member '%s'", handle);
    if (lead.pod_id != to_pod)
        return podd_fail (req, PODP_INVALID, "field 'lead': %s is not in the receiving pod", handle);
    *lead_id = lead.id;
    return 0;
}

//  The joint visit's start in field "visit" (0 when not given): a date and
//  a time, not in the past
static int
s_visit_field (podd_request_t *req, int64_t *visit)
{
    const char *text = podp_msg_string (req->msg, "visit");
    *visit = 0;
    if (!text)
        return 0;
    if (!strchr (text, 'T') || podd_when_parse (text, visit))
        return podd_fail (req, PODP_INVALID, "field 'visit': '%s' is not YYYY-MM-DDTHH:MM "
                          "(Europe/London) or YYYY-MM-DDTHH:MM:SSZ", text);
    if (*visit <= req->now)
        return podd_fail (req, PODP_INVALID, "field 'visit': %s is in the past", text);
    if (!podd_when_due_sane (*visit, req->now))
        return podd_fail (req, PODP_INVALID, "field 'visit': %s is more than ten years ahead", text);
    return 0;
}

static int
s_location_field (podd_request_t *req, const char **location)
{
    const char *text = podp_msg_string (req->msg, "location");
    if (text && (!*text || !podd_valid_name (text)))
        return podd_fail (req, PODP_INVALID, "field 'location': not a valid place");
    if (text)
        *location = text;
    return 0;
}

static int
s_chronology (podd_request_t *req, const podd_case_t *kase, const char *text)
{
    if (podd_store_chronology_add (req->store, kase->id, NULL, "event", text, req->actor->id, req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot write chronology");
    return 0;
}

static json_t *
s_reply (podd_request_t *req, int64_t id, json_t *check)
{
    json_t *reply = podd_store_transfer_json (req->store, id);
    if (reply && check)
        json_object_set (reply, "check", check);
    return reply? reply: json_object ();
}

//  --------------------------------------------------------------------
//  Telling people

//  Both managers and both leads (never the actor) get a kept notice with
//  the transfer, and an e-mail that says only that there is something to
//  see: the transfer's number and the pods, nothing of the case
static int
s_tell (podd_request_t *req, const podd_transfer_t *transfer, const podd_case_t *kase,
        const char *what)
{
    podd_pod_t from, to;
    if (podd_store_pod_by_id (req->store, transfer->from_pod, &from)
    ||  podd_store_pod_by_id (req->store, transfer->to_pod, &to))
        return podd_fail (req, PODP_INTERNAL, "pod vanished");
    int64_t ids [TELL_MAX] = {
        podd_store_pod_manager (req->store, transfer->from_pod),
        podd_store_pod_manager (req->store, transfer->to_pod),
        transfer->old_lead? transfer->old_lead: kase->lead_id, transfer->new_lead
    };
    char text [512], mail [256], subject [128];
    snprintf (text, sizeof text, "Case transfer %lld of %s from pod %s to pod %s: %s "
              "(podctl case transfers --status all)", (long long) transfer->id, kase->ref, from.name,
              to.name, what);
    snprintf (mail, sizeof mail, "Case transfer %lld from pod %s to pod %s: %s. See podctl case "
              "transfers --status all", (long long) transfer->id, from.name, to.name, what);
    snprintf (subject, sizeof subject, "Case transfer %lld", (long long) transfer->id);
    for (size_t i = 0; i < TELL_MAX; i++) {
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen = seen || ids [k] == ids [i];
        podd_member_t member;
        if (!ids [i] || seen || ids [i] == req->actor->id
        ||  podd_store_member_by_id (req->store, ids [i], &member))
            continue;
        if (podd_notice_keep (req, member.id, "case-transfer", text,
                              podd_store_transfer_json (req->store, transfer->id))
        ||  podd_mail_notice (req, &member, subject, mail))
            return -1;
    }
    return 0;
}

//  --------------------------------------------------------------------
//  The chronology check before the case changes hands

//  The gaps stay on the record and the transfer goes ahead
static int
s_record_gaps (podd_request_t *req, const podd_case_t *kase, const podd_transfer_t *transfer,
               json_t *check)
{
    char context [64];
    snprintf (context, sizeof context, " before transfer %lld", (long long) transfer->id);
    return podd_chronocheck_record (req, kase, check, context);
}

//  The current lead completes the chronology first: a task due before the
//  handover; the transfer waits
static int
s_ask_lead (podd_request_t *req, const podd_case_t *kase, const podd_transfer_t *transfer,
            json_t *check)
{
    int64_t due = podd_when_local_day_at (req->now, 2, 17);
    if (transfer->visit && podd_when_local_day_at (transfer->visit, -1, 17) > req->now)
        due = podd_when_local_day_at (transfer->visit, -1, 17);
    const char *due_text = podp_msg_string (req->msg, "due");
    if (due_text && (podd_when_parse (due_text, &due) || !podd_when_due_sane (due, req->now)))
        return podd_fail (req, PODP_INVALID, "field 'due': '%s' is not a valid date", due_text);
    char context [64];
    snprintf (context, sizeof context, " before transfer %lld", (long long) transfer->id);
    return podd_chronocheck_ask (req, kase, check, due, "transfer", context);
}

//  --------------------------------------------------------------------
//  The move

//  Every open task goes with the case, its history saying so, and is routed
//  again within the new pod (the new lead first, per the routing policy)
static int
s_move_tasks (podd_request_t *req, const podd_case_t *kase, const podd_transfer_t *transfer,
              const podd_pod_t *from, const podd_pod_t *to)
{
    int64_t *ids = (int64_t *) malloc (TASKS_MAX * sizeof (int64_t));
    if (!ids)
        return podd_fail (req, PODP_INTERNAL, "out of memory");
    size_t count = podd_store_case_live_tasks (req->store, kase->id, ids, TASKS_MAX);
    char why [256];
    snprintf (why, sizeof why, "transferred from pod %s to pod %s by %s (transfer %lld)", from->name,
              to->name, req->actor->handle, (long long) transfer->id);
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        podd_task_t task;
        podd_route_t route;
        if (podd_store_task_get (req->store, ids [i], &task)
        ||  podd_store_task_history_add (req->store, task.id, req->actor->id, "transferred",
                                         task.assignee_id, why, req->now)
        ||  podd_store_task_set_delegator (req->store, task.id, 0)
        ||  podd_store_task_set_awaiting (req->store, task.id, false))
            rc = podd_fail (req, PODP_INTERNAL, "cannot move task %lld", (long long) ids [i]);
        else
            rc = podd_task_route (req, task.id, 0, &route);
    }
    free (ids);
    return rc;
}

//  The joint handover visit: a meeting-kind task offered to the new lead,
//  with the old and the new lead as attendees and the case's partners invited
static int
s_joint_visit (podd_request_t *req, const podd_case_t *kase, const podd_transfer_t *transfer,
               int64_t old_lead, int64_t *task_id)
{
    podd_kind_t *kind = podd_config_kind (req->config, VISIT_KIND);
    podd_member_t lead, before = { 0 };
    if (podd_store_member_by_id (req->store, transfer->new_lead, &lead))
        return podd_fail (req, PODP_INTERNAL, "lead vanished");
    if (old_lead)
        podd_store_member_by_id (req->store, old_lead, &before);
    int64_t ends = transfer->visit + (int64_t) (kind->duration_min > 0? kind->duration_min: 60) * 60;
    char title [200], why [160];
    snprintf (title, sizeof title, "Joint handover visit: %s and %s (transfer %lld)",
              old_lead? before.handle: "no previous lead", lead.handle, (long long) transfer->id);
    int64_t id = podd_store_task_new (req->store, kase->id, kind->name, title, ends,
                                      kind->urgent? "urgent": "routine", req->actor->id, req->now);
    if (id < 0 || podd_store_task_history_add (req->store, id, req->actor->id, "created", 0, "", req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot store task: %s", podd_store_errmsg (req->store));
    snprintf (why, sizeof why, "joint handover visit of transfer %lld: the new lead", (long long) transfer->id);
    podd_route_t route;
    if (podd_route_role_allowed (req->config, kind->name, &lead)?
        podd_task_move (req, id, "offered", lead.id, "routed", why): podd_task_route (req, id, 0, &route))
        return -1;
    int64_t attendees [2] = { lead.id, old_lead };
    if (podd_meeting_schedule_for (req, id, transfer->visit, ends,
                                   *transfer->location? transfer->location: VISIT_PLACE,
                                   attendees, old_lead && old_lead != lead.id? 2: 1))
        return -1;
    *task_id = id;
    return 0;
}

static int
s_move (podd_request_t *req, const podd_case_t *kase, podd_transfer_t *transfer)
{
    podd_pod_t from, to;
    podd_member_t lead;
    int64_t old_lead = kase->lead_id;
    if (podd_store_pod_by_id (req->store, transfer->from_pod, &from)
    ||  podd_store_pod_by_id (req->store, transfer->to_pod, &to)
    ||  podd_store_member_by_id (req->store, transfer->new_lead, &lead))
        return podd_fail (req, PODP_INTERNAL, "pod or lead vanished");
    //  The case, its lead, its co-workers (the old lead only, until the visit)
    if (podd_store_case_move_pod (req->store, kase->id, to.id, lead.id)
    ||  podd_store_case_clear_coworkers (req->store, kase->id)
    ||  (old_lead && podd_store_case_add_coworker (req->store, kase->id, old_lead))
    ||  podd_store_case_cover_moves_clear (req->store, kase->id))
        return podd_fail (req, PODP_INTERNAL, "cannot move the case: %s", podd_store_errmsg (req->store));
    podd_case_t moved;
    if (podd_store_case_by_id (req->store, kase->id, &moved))
        return podd_fail (req, PODP_INTERNAL, "case vanished");
    int64_t visit_task = 0;
    if (s_move_tasks (req, &moved, transfer, &from, &to)
    ||  s_joint_visit (req, &moved, transfer, old_lead, &visit_task))
        return -1;
    podd_member_t before = { 0 };
    if (old_lead)
        podd_store_member_by_id (req->store, old_lead, &before);
    char text [600];
    snprintf (text, sizeof text, "Transferred from pod %s to pod %s (transfer %lld), agreed by both team "
              "managers; lead worker %s%s%s%s; joint handover visit task %lld", from.name, to.name,
              (long long) transfer->id, lead.handle, old_lead? ", previously ": "",
              old_lead? before.handle: "", old_lead? ", who stays a co-worker until the visit is done": "",
              (long long) visit_task);
    if (s_chronology (req, &moved, text)
    ||  podd_store_transfer_done (req->store, transfer->id, old_lead, visit_task, req->now))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot complete the transfer");
    transfer->old_lead = old_lead;
    transfer->visit_task = visit_task;
    return 0;
}

//  --------------------------------------------------------------------
//  Requests

int
podd_op_case_transfer (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "ref");
    const char *pod_name = podp_msg_string (req->msg, "to_pod");
    const char *location = "";
    podd_case_t kase;
    podd_pod_t to;
    if (!podd_valid_ref (ref))
        return podd_fail (req, PODP_INVALID, "field 'ref': not a case reference");
    if (podd_store_case_by_ref (req->store, ref, &kase))
        return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", ref);
    if (podd_store_pod_by_name (req->store, pod_name, &to))
        return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", pod_name);
    podd_transfer_t transfer = { .case_id = kase.id, .from_pod = kase.pod_id, .to_pod = to.id };
    bool sending;
    if (s_side (req, &transfer, &sending))
        return -1;
    if (to.id == kase.pod_id)
        return podd_fail (req, PODP_INVALID, "field 'to_pod': case '%s' is in pod %s already", ref, to.name);
    if (!kase.open)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is closed", ref);
    int64_t pending = podd_store_transfer_pending (req->store, kase.id);
    if (pending)
        return podd_fail (req, PODP_CONFLICT, "case '%s' has a transfer pending already (transfer %lld)",
                          ref, (long long) pending);
    if (!podd_config_kind (req->config, VISIT_KIND) || !podd_config_kind (req->config, VISIT_KIND)->meeting)
        return podd_fail (req, PODP_CONFLICT, "task kind '%s' is not configured as a meeting: "
                          "a transfer needs its joint visit", VISIT_KIND);
    int64_t lead_id, visit;
    if (s_lead_field (req, to.id, &lead_id) || s_visit_field (req, &visit) || s_location_field (req, &location))
        return -1;
    if (!sending && !lead_id)
        return podd_fail (req, PODP_INVALID, "field 'lead': the receiving pod's manager names the new lead");
    int64_t id = podd_store_transfer_add (req->store, kase.id, kase.pod_id, to.id, kase.lead_id, lead_id,
                                          podp_msg_string (req->msg, "note"), visit, location,
                                          req->actor->id, req->now);
    if (id < 0 || podd_store_transfer_consent (req->store, id, sending, req->actor->id, req->now)
    ||  podd_store_transfer_get (req->store, id, &transfer))
        return podd_fail (req, PODP_INTERNAL, "cannot store the transfer: %s", podd_store_errmsg (req->store));
    podd_case_facts_t facts = { 0 };
    podd_store_case_facts (req->store, kase.id, &facts);
    json_t *check = podd_chronocheck (req, &kase, facts.opened);
    char text [256], what [128];
    snprintf (text, sizeof text, "Transfer to pod %s requested by %s for the %s pod (transfer %lld)",
              to.name, req->actor->handle, sending? "sending": "receiving", (long long) id);
    snprintf (what, sizeof what, "requested by %s; the %s pod's team manager has still to agree",
              req->actor->handle, sending? "receiving": "sending");
    char detail [128];
    snprintf (detail, sizeof detail, "transfer %lld to pod %s", (long long) id, to.name);
    if (s_chronology (req, &kase, text)
    ||  podd_audit (req, "case-transfer-request", kase.ref, detail)
    ||  s_tell (req, &transfer, &kase, what)) {
        json_decref (check);
        return -1;
    }
    json_t *reply = s_reply (req, id, check);
    json_decref (check);
    return podd_ok (req, PODP_CREATED, reply);
}

int
podd_op_case_transfer_approve (podd_request_t *req)
{
    podd_transfer_t transfer;
    podd_case_t kase;
    bool sending;
    if (s_transfer_find (req, &transfer, &kase) || s_side (req, &transfer, &sending))
        return -1;
    if (!podd_streq (transfer.status, "pending"))
        return podd_fail (req, PODP_CONFLICT, "case transfer %lld is %s", (long long) transfer.id,
                          transfer.status);
    if (sending? transfer.from_by: transfer.to_by)
        return podd_fail (req, PODP_CONFLICT, "the %s pod agreed to transfer %lld already: the %s pod's "
                          "team manager has still to agree", sending? "sending": "receiving",
                          (long long) transfer.id, sending? "receiving": "sending");
    if (podp_msg_bool (req->msg, "ask", false) && podp_msg_bool (req->msg, "record", false))
        return podd_fail (req, PODP_BAD_REQUEST, "fields 'ask' and 'record': one or the other");
    int64_t lead_id, visit;
    const char *location = transfer.location;
    if (s_lead_field (req, transfer.to_pod, &lead_id) || s_visit_field (req, &visit)
    ||  s_location_field (req, &location))
        return -1;
    if (lead_id && sending)
        return podd_fail (req, PODP_FORBIDDEN, "only the receiving pod's team manager chooses the new lead");
    if (!kase.open)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is closed", kase.ref);
    if (kase.pod_id != transfer.from_pod)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is no longer in the sending pod", kase.ref);
    //  The plan as it stands now: the lead (still in the receiving pod), the visit
    transfer.new_lead = lead_id? lead_id: transfer.new_lead;
    transfer.visit = visit? visit: transfer.visit;
    if (location != transfer.location)
        snprintf (transfer.location, sizeof transfer.location, "%s", location);
    podd_member_t lead;
    if (transfer.new_lead && (podd_store_member_by_id (req->store, transfer.new_lead, &lead) || !lead.active
                              || lead.pod_id != transfer.to_pod))
        return podd_fail (req, PODP_CONFLICT, "the new lead is no longer in the receiving pod: "
                          "the receiving pod's manager names another (--lead)");
    if (!sending && !transfer.new_lead)
        return podd_fail (req, PODP_INVALID, "field 'lead': the receiving pod's manager names the new lead");
    if (podd_store_transfer_plan (req->store, transfer.id, transfer.new_lead, transfer.visit, transfer.location))
        return podd_fail (req, PODP_INTERNAL, "cannot change the transfer");
    bool both = sending? transfer.to_by != 0: transfer.from_by != 0;
    //  The chronology check before the case changes hands
    podd_case_facts_t facts = { 0 };
    podd_store_case_facts (req->store, kase.id, &facts);
    json_t *check = podd_chronocheck (req, &kase, facts.opened);
    size_t gaps = json_array_size (json_object_get (check, "gaps"));
    int rc = -1;
    if (podp_msg_bool (req->msg, "ask", false) && gaps) {
        //  Nothing agreed yet: the lead completes the chronology first
        char what [128];
        snprintf (what, sizeof what, "%s asked the lead to complete the chronology first (%zu gap(s))",
                  req->actor->handle, gaps);
        if (s_ask_lead (req, &kase, &transfer, check)
        ||  podd_audit (req, "case-transfer-ask", kase.ref, "")
        ||  s_tell (req, &transfer, &kase, what))
            goto done;
        rc = podd_ok (req, PODP_OK, s_reply (req, transfer.id, check));
        goto done;
    }
    if (both && gaps && !podp_msg_bool (req->msg, "record", false)) {
        podd_fail (req, PODP_CONFLICT, "the chronology of %s has %zu gap(s), first: %.120s; approve with "
                   "--record-gaps to proceed with them on the record, or --ask to have the lead complete "
                   "them first (podctl case check %s)", kase.ref, gaps,
                   json_string_value (json_object_get (json_array_get (json_object_get (check, "gaps"), 0),
                                                       "detail")), kase.ref);
        goto done;
    }
    if (both && !transfer.visit) {
        podd_fail (req, PODP_INVALID, "field 'visit': give the joint handover visit's start (--visit)");
        goto done;
    }
    if (both && transfer.visit <= req->now) {
        podd_fail (req, PODP_INVALID, "field 'visit': the joint visit's time has passed: give a new one");
        goto done;
    }
    if (podd_store_transfer_consent (req->store, transfer.id, sending, req->actor->id, req->now)) {
        podd_fail (req, PODP_INTERNAL, "cannot record the consent");
        goto done;
    }
    char what [160], detail [128];
    snprintf (detail, sizeof detail, "transfer %lld, %s pod", (long long) transfer.id,
              sending? "sending": "receiving");
    if (podd_audit (req, "case-transfer-approve", kase.ref, detail))
        goto done;
    if (both) {
        if ((gaps && s_record_gaps (req, &kase, &transfer, check)) || s_move (req, &kase, &transfer))
            goto done;
        snprintf (what, sizeof what, "agreed by both team managers and done; joint handover visit task %lld",
                  (long long) transfer.visit_task);
        if (podd_audit (req, "case-transfer-done", kase.ref, detail))
            goto done;
    }
    else
        snprintf (what, sizeof what, "agreed by %s for the %s pod; the %s pod's team manager has still "
                  "to agree", req->actor->handle, sending? "sending": "receiving", sending? "receiving": "sending");
    if (s_tell (req, &transfer, &kase, what))
        goto done;
    rc = podd_ok (req, PODP_OK, s_reply (req, transfer.id, check));
done:
    json_decref (check);
    return rc;
}

int
podd_op_case_transfer_refuse (podd_request_t *req)
{
    podd_transfer_t transfer;
    podd_case_t kase;
    bool sending;
    const char *reason = podp_msg_string (req->msg, "reason");
    if (s_transfer_find (req, &transfer, &kase) || s_side (req, &transfer, &sending))
        return -1;
    if (!reason || !*reason)
        return podd_fail (req, PODP_INVALID, "field 'reason': say why the transfer is refused");
    if (!podd_streq (transfer.status, "pending"))
        return podd_fail (req, PODP_CONFLICT, "case transfer %lld is %s", (long long) transfer.id,
                          transfer.status);
    if (podd_store_transfer_refuse (req->store, transfer.id, req->actor->id, reason, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot refuse the transfer");
    char text [PODP_STRING_MAX + 128], what [PODP_STRING_MAX + 64], detail [128];
    snprintf (text, sizeof text, "Transfer %lld refused by %s for the %s pod: %s", (long long) transfer.id,
              req->actor->handle, sending? "sending": "receiving", reason);
    snprintf (what, sizeof what, "refused by %s", req->actor->handle);
    snprintf (detail, sizeof detail, "transfer %lld, %s pod", (long long) transfer.id,
              sending? "sending": "receiving");
    if (s_chronology (req, &kase, text)
    ||  podd_audit (req, "case-transfer-refuse", kase.ref, detail)
    ||  s_tell (req, &transfer, &kase, what))
        return -1;
    return podd_ok (req, PODP_OK, s_reply (req, transfer.id, NULL));
}

int
podd_op_case_transfers (podd_request_t *req)
{
    const char *name = podp_msg_string (req->msg, "pod");
    const char *status = podp_msg_string (req->msg, "status");
    int64_t pod_id = req->actor->pod_id;
    if (name) {
        podd_pod_t pod;
        if (podd_store_pod_by_name (req->store, name, &pod))
            return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", name);
        if (!podd_access_pod_read (req->actor, pod.id))
            return podd_fail (req, PODP_FORBIDDEN, "pod '%s' is not your pod", name);
        pod_id = pod.id;
    }
    else
    if (!pod_id && !podd_access_admin (req->actor))
        return podd_fail (req, PODP_FORBIDDEN, "you belong to no pod");
    podd_page_t page;
    if (podd_page_fields (req, &page))
        return -1;
    json_t *items = podd_store_transfer_page (req->store, pod_id, status? status: "pending", &page);
    //  What the chronology check finds now, for the transfers still to decide
    size_t index;
    json_t *item;
    json_array_foreach (items, index, item) {
        podd_case_t kase;
        if (!podd_streq (json_string_value (json_object_get (item, "status")), "pending")
        ||  podd_store_case_by_ref (req->store, json_string_value (json_object_get (item, "case")), &kase))
            continue;
        podd_case_facts_t facts = { 0 };
        podd_store_case_facts (req->store, kase.id, &facts);
        json_object_set_new (item, "check", podd_chronocheck (req, &kase, facts.opened));
    }
    return podd_page_reply (req, items, &page);
}

int
podd_transfer_task_done (podd_request_t *req, int64_t task_id)
{
    int64_t id = podd_store_transfer_by_visit (req->store, task_id);
    podd_transfer_t transfer;
    podd_case_t kase;
    if (!id)
        return 0;
    if (podd_store_transfer_get (req->store, id, &transfer)
    ||  podd_store_case_by_id (req->store, transfer.case_id, &kase))
        return podd_fail (req, PODP_INTERNAL, "transfer vanished");
    podd_member_t before = { 0 };
    bool remove = transfer.old_lead && transfer.old_lead != kase.lead_id
               && podd_store_member_by_id (req->store, transfer.old_lead, &before) == 0;
    if ((remove && podd_store_case_remove_coworker (req->store, kase.id, transfer.old_lead))
    ||  podd_store_transfer_release (req->store, id, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot change co-workers");
    if (!remove)
        return 0;
    char text [256], detail [128];
    snprintf (text, sizeof text, "Joint handover visit done (task %lld): %s, the lead before transfer %lld, "
              "is no longer a co-worker", (long long) task_id, before.handle, (long long) id);
    snprintf (detail, sizeof detail, "transfer %lld: %s no longer a co-worker", (long long) id, before.handle);
    if (s_chronology (req, &kase, text) || podd_audit (req, "case-transfer-release", kase.ref, detail))
        return -1;
    return podd_notice_keep (req, before.id, "case-transfer", text, podd_store_transfer_json (req->store, id));
}
