/*  taskops.c - requests about tasks. See taskops.h. */
#include "taskops.h"
#include "caseops.h"
#include "access.h"
#include "routing.h"
#include "when.h"
#include "reminders.h"
#include "standardsops.h"
#include "handover.h"
#include "delegation.h"
#include "transfer.h"
#include <inttypes.h>
#include "continuity.h"

static bool
s_is (const podd_task_t *task, const char *state)
{
    return strcmp (task->state, state) == 0;
}

static bool
s_is_live (const podd_task_t *task)
{
    return s_is (task, "open") || s_is (task, "offered") || s_is (task, "accepted");
}

//  An object's JSON text with one more member added last: key and value
//  (any JSON value, taken and encoded compact). NULL when either fails.
static char *
s_text_with (const char *object_text, const char *key, json_t *value)
{
    char *encoded = value? json_dumps (value, JSON_COMPACT | JSON_ENCODE_ANY): NULL;
    json_decref (value);
    size_t length = strlen (object_text);
    char *text = NULL;
    if (!encoded || length < 2 || object_text [length - 1] != '}'
    ||  asprintf (&text, "%.*s%s\"%s\":%s}", (int) (length - 1), object_text,
                  length > 2? ",": "", key, encoded) < 0)
        text = NULL;
    free (encoded);
    return text;
}

//  Commit-bound delivery: the mailbox row is written in this transaction,
//  the push goes out only after commit. The push is the stored payload in
//  its envelope, sent as it is: the task is encoded once.
static int
s_deliver_text (podd_request_t *req, const char *task_text, int64_t task_id, int64_t version,
                int64_t member_id, const char *reason)
{
    //  The payload: the task with "reason" added last
    char *payload = task_text? s_text_with (task_text, "reason", json_string (reason? reason: "")): NULL;
    int64_t delivery = payload? podd_store_mailbox_add (req->store, member_id, task_id, version,
                                                        payload, req->now): -1;
    char *text = NULL;
    if (delivery < 0
    ||  asprintf (&text, "{\"delivery\":%" PRId64 ",\"task\":%s}", delivery, payload) < 0) {
        free (payload);
        return podd_fail (req, PODP_INTERNAL, "cannot write mailbox");
    }
    free (payload);
    podd_push_encoded (req, member_id, delivery, NULL, text);
    return 0;
}

//  The same from a task object of the store (stolen), so that a handler
//  that has one need not read it again.
static int
s_deliver_json (podd_request_t *req, json_t *task, int64_t task_id, int64_t member_id,
                const char *reason)
{
    if (!task)
        return podd_fail (req, PODP_INTERNAL, "task vanished");
    char *task_text = json_dumps (task, JSON_COMPACT);
    int64_t version = json_integer_value (json_object_get (task, "version"));
    json_decref (task);
    int rc = s_deliver_text (req, task_text, task_id, version, member_id, reason);
    free (task_text);
    return rc;
}

static int
s_deliver (podd_request_t *req, int64_t task_id, int64_t member_id, const char *reason)
{
    return s_deliver_json (req, podd_store_task_json (req->store, task_id, false), task_id,
                           member_id, reason);
}

//  Move a task to a new state and assignee, with its history row, and
//  deliver to the assignee when it is an offer.
int
podd_task_move (podd_request_t *req, int64_t task_id, const char *state, int64_t assignee_id,
                const char *event, const char *reason)
{
    if (podd_store_task_set (req->store, task_id, state, assignee_id, req->now)
    ||  podd_store_task_history_add (req->store, task_id, req->actor->id, event,
                                     assignee_id, reason, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot update task: %s",
                          podd_store_errmsg (req->store));
    if (podd_reminders_arm (req, task_id))
        return -1;
    //  The joint visit of a case transfer done: the old lead steps back
    if (strcmp (state, "done") == 0 && podd_transfer_task_done (req, task_id))
        return -1;
    if (assignee_id && strcmp (state, "offered") == 0)
        return s_deliver (req, task_id, assignee_id, reason);
    return 0;
}

//  Tell a task's holder it changed without being offered (a chain ended it)
int
podd_task_notify (podd_request_t *req, int64_t task_id, int64_t member_id, const char *reason)
{
    return member_id && member_id != req->actor->id? s_deliver (req, task_id, member_id, reason): 0;
}

//  Route (or re-route) a stored task and offer it; exclude_id never chosen.
int
podd_task_route (podd_request_t *req, int64_t task_id, int64_t exclude_id, podd_route_t *route)
{
    podd_task_t task;
    podd_case_t kase;
    if (podd_store_task_get (req->store, task_id, &task)
    ||  podd_store_case_by_id (req->store, task.case_id, &kase))
        return podd_fail (req, PODP_INTERNAL, "task vanished");
    podd_route (req->store, req->config, &task, &kase, exclude_id, req->now, route);
    if (route->covered_for) {
        //  Remember it, so the task can go back to the lead at return
        int64_t absence = podd_store_absence_for (req->store, route->covered_for, req->now, req->now);
        if (absence && podd_store_cover_move_record (req->store, absence, task_id,
                                                     route->covered_for, route->assignee_id, req->now))
            return podd_fail (req, PODP_INTERNAL, "cannot record cover");
    }
    if (route->assignee_id)
        return podd_task_move (req, task_id, "offered", route->assignee_id, "routed", route->reason);
    return podd_task_move (req, task_id, exclude_id? "declined": "open", 0, "unrouted", route->reason);
}

#define END_OF_DAY 17       /* a default due date: 17:00 Europe/London */

//  A kind's default due date: the end (17:00) of the working day on which
//  due_hours after now falls, or of the next working day (weekends and
//  bank holidays are not working days)
static int64_t
s_default_due (podd_request_t *req, const podd_kind_t *kind)
{
    int64_t after = req->now + (int64_t) kind->due_hours * 3600;
    int64_t due = podd_when_local_day_at (after, 0, END_OF_DAY);
    if (due < after)
        due = podd_when_local_day_at (after, 1, END_OF_DAY);
    for (int i = 0; i < 31; i++) {
        char date [PODD_DATE_LEN];
        int y, m, d;
        podd_when_local_date (due, date);
        bool working = podd_when_local_weekday (due) < 5
                    && (!req->standards || podd_when_parse_date (date, &y, &m, &d)
                        || podd_standards_working_day (req->standards, y, m, d));
        if (working)
            break;
        due = podd_when_local_day_at (due, 1, END_OF_DAY);
    }
    return due;
}

int
podd_op_task_kinds (podd_request_t *req)
{
    json_t *items = json_array ();
    for (size_t i = 0; i < podd_config_kind_count (req->config); i++) {
        podd_kind_t *kind = podd_config_kind_at (req->config, i);
        json_t *roles = json_array (), *remind = json_array ();
        for (int r = 0; r < PODD_ROLE_COUNT; r++)
            if (kind->roles & (1u << r))
                json_array_append_new (roles, json_string (podd_roles [r]));
        for (size_t r = 0; r < kind->remind_count; r++)
            json_array_append_new (remind, json_integer (kind->remind_days [r]));
        json_array_append_new (items, json_pack ("{s:s s:o s:i s:s s:b s:i s:o}",
            "kind", kind->name, "roles", roles, "due_hours", kind->due_hours,
            "priority", kind->urgent? "urgent": "routine", "meeting", kind->meeting,
            "duration_min", kind->duration_min, "remind_days", remind));
    }
    return podd_ok (req, PODP_OK, json_pack ("{s:o}", "items", items));
}

static json_t *
s_task_reply (podd_request_t *req, int64_t task_id)
{
    return podd_store_task_json (req->store, task_id, false);
}

int
podd_op_task_new (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "case");
    const char *kind_name = podp_msg_string (req->msg, "kind");
    const char *due_text = podp_msg_string (req->msg, "due");
    const char *priority = podp_msg_string (req->msg, "priority");
    podd_kind_t *kind = podd_config_kind (req->config, kind_name);
    if (!kind)
        return podd_fail (req, PODP_INVALID, "field 'kind': unknown task kind '%s'", kind_name);
    if (priority && strcmp (priority, "routine") && strcmp (priority, "urgent"))
        return podd_fail (req, PODP_INVALID, "field 'priority': must be routine or urgent");
    int64_t due = s_default_due (req, kind);
    if (due_text && podd_when_parse (due_text, &due))
        return podd_fail (req, PODP_INVALID, "field 'due': '%s' is not YYYY-MM-DD, "
                          "YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SSZ", due_text);
    if (!podd_when_due_sane (due, req->now))
        return podd_fail (req, PODP_INVALID, "field 'due': '%s' is more than a year in the past "
                          "or more than ten years ahead", due_text);
    if (strlen (podp_msg_string (req->msg, "title")) == 0)
        return podd_fail (req, PODP_INVALID, "field 'title': must not be empty");
    int64_t follow_up;
    if (podd_follow_up_field (req, "follow_up", &follow_up))
        return -1;
    podd_case_t kase;
    if (podd_case_for_work (req, ref, &kase))
        return -1;
    if (!kase.open)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is closed", ref);
    const char *standard = podp_msg_string (req->msg, "standard");
    if (podd_standards_check_attach (req, &kase, kind->name, standard))
        return -1;
    //  Routed before it is stored, and stored as routed: one INSERT, where
    //  it used to be an INSERT of an open task and the UPDATE of its move.
    //  What is stored and sent is as before: history "created" then
    //  "routed" (or "unrouted"), version 2 (the routing counts as a change).
    podd_task_t draft = {
        .case_id = kase.id, .creator_id = req->actor->id, .due = due, .version = 2
    };
    snprintf (draft.kind, sizeof draft.kind, "%s", kind->name);
    podd_route_t route;
    podd_route (req->store, req->config, &draft, &kase, 0, req->now, &route);
    draft.assignee_id = route.assignee_id;
    snprintf (draft.state, sizeof draft.state, "%s", route.assignee_id? "offered": "open");
    //  Its first reminder goes into the same INSERT (last reminded: now)
    int64_t id = podd_store_task_new_routed (req->store, &draft, podp_msg_string (req->msg, "title"),
                                             priority? priority: kind->urgent? "urgent": "routine",
                                             podd_reminders_next (req, &draft, req->now), req->now);
    if (id < 0 || podd_store_task_history_add (req->store, id, req->actor->id, "created", 0,
                                               "", req->now)
    ||  (follow_up && podd_store_task_set_follow_up (req->store, id, follow_up)))
        return podd_fail (req, PODP_INTERNAL, "cannot store task: %s", podd_store_errmsg (req->store));
    if (standard && podd_standards_attach (req, id, standard))
        return -1;
    if (route.covered_for) {
        //  Remember it, so the task can go back to the lead at return
        int64_t absence = podd_store_absence_for (req->store, route.covered_for, req->now, req->now);
        if (absence && podd_store_cover_move_record (req->store, absence, id, route.covered_for,
                                                     route.assignee_id, req->now))
            return podd_fail (req, PODP_INTERNAL, "cannot record cover");
    }
    if (podd_store_task_history_add (req->store, id, req->actor->id,
                                     route.assignee_id? "routed": "unrouted", route.assignee_id,
                                     route.reason, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot update task: %s", podd_store_errmsg (req->store));
    if (podd_audit_id (req, "task-new", "task", id, ref))
        return -1;
    //  One read of the stored task, as text: the push (with its reason)
    //  and the reply (with its route) are that text, extended
    char *task_text = podd_store_task_text (req->store, id);
    if (!task_text)
        return podd_fail (req, PODP_INTERNAL, "task vanished");
    if (route.assignee_id
    &&  s_deliver_text (req, task_text, id, draft.version, route.assignee_id, route.reason)) {
        free (task_text);
        return -1;
    }
    podd_member_t assignee;
    json_t *route_json = json_pack ("{s:o s:s}", "assignee",
        route.assignee_id && podd_store_member_by_id (req->store, route.assignee_id, &assignee) == 0?
        json_string (assignee.handle): json_null (), "reason", route.reason);
    char *reply = s_text_with (task_text, "route", route_json);
    free (task_text);
    if (!reply)
        return podd_fail (req, PODP_INTERNAL, "out of memory");
    return podd_ok_text (req, PODP_CREATED, reply);
}

int
podd_op_task_list (podd_request_t *req)
{
    const char *scope = podp_msg_string (req->msg, "scope");
    const char *ref = podp_msg_string (req->msg, "case");
    const char *pod_name = podp_msg_string (req->msg, "pod");
    if (!scope)
        scope = ref? "case": "mine";
    int64_t pod_id = req->actor->pod_id, case_id = 0;
    if (pod_name) {
        podd_pod_t pod;
        if (podd_store_pod_by_name (req->store, pod_name, &pod))
            return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", pod_name);
        if (!podd_access_pod_read (req->actor, pod.id))
            return podd_fail (req, PODP_FORBIDDEN, "pod '%s' is not your pod", pod_name);
        pod_id = pod.id;
    }
    if (strcmp (scope, "case") == 0) {
        podd_case_t kase;
        if (!ref)
            return podd_fail (req, PODP_BAD_REQUEST, "field 'case': required with scope case");
        if (podd_store_case_by_ref (req->store, ref, &kase))
            return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", ref);
        if (!podd_access_pod_read (req->actor, kase.pod_id))
            return podd_fail (req, PODP_FORBIDDEN, "case '%s' belongs to another pod", ref);
        case_id = kase.id;
    }
    else
    if (strcmp (scope, "mine") && strcmp (scope, "pod") && strcmp (scope, "overdue"))
        return podd_fail (req, PODP_INVALID, "field 'scope': must be mine, pod, overdue or case");
    //  A page at a time; a task whose follow-up date has come is back at
    //  the top of its holder's list (the store orders "mine" so)
    podd_page_t page;
    if (podd_page_fields (req, &page))
        return -1;
    char *items = podd_store_task_page_text (req->store, scope, req->actor->id, pod_id, case_id,
                                             req->now, &page);
    return podd_page_reply_text (req, items, &page);
}

//  Find a task the actor may see; fills task and its case.
static int
s_task_for (podd_request_t *req, podd_task_t *task, podd_case_t *kase)
{
    int64_t id = podp_msg_int (req->msg, "task", 0);
    if (podd_store_task_get (req->store, id, task)
    ||  podd_store_case_by_id (req->store, task->case_id, kase))
        return podd_fail (req, PODP_NOT_FOUND, "no task %lld", (long long) id);
    if (!podd_access_pod_read (req->actor, kase->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "task %lld belongs to another pod", (long long) id);
    return 0;
}

//  The task must be the actor's own.
static int
s_own_task (podd_request_t *req, podd_task_t *task, podd_case_t *kase)
{
    if (s_task_for (req, task, kase))
        return -1;
    if (task->assignee_id != req->actor->id)
        return podd_fail (req, PODP_FORBIDDEN, "task %lld is not yours", (long long) task->id);
    return 0;
}

int
podd_op_task_show (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    if (s_task_for (req, &task, &kase))
        return -1;
    json_t *reply = podd_store_task_json (req->store, task.id, true);
    //  A due date counted beyond the bank-holiday file says so
    char anchor [PODD_DATE_LEN];
    bool unknown = false;
    if (reply && podd_store_task_anchor (req->store, task.id, anchor, &unknown) == 0 && unknown)
        json_object_set_new (reply, "holidays_unknown", json_true ());
    return podd_ok (req, PODP_OK, reply);
}

int
podd_op_task_accept (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    if (s_own_task (req, &task, &kase))
        return -1;
    if (!s_is (&task, "offered"))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s, not offered",
                          (long long) task.id, task.state);
    if (podd_task_move (req, task.id, "accepted", req->actor->id, "accepted", "")
    ||  podd_audit_id (req, "task-accept", "task", task.id, ""))
        return -1;
    return podd_ok (req, PODP_OK, s_task_reply (req, task.id));
}

int
podd_op_task_decline (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    const char *reason = podp_msg_string (req->msg, "reason");
    if (strlen (reason) == 0)
        return podd_fail (req, PODP_INVALID, "field 'reason': say why you decline");
    if (s_own_task (req, &task, &kase))
        return -1;
    if (!s_is (&task, "offered") && !s_is (&task, "accepted"))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s", (long long) task.id, task.state);
    //  Delegated work goes back to the delegator
    int back = podd_delegation_on_decline (req, task.id, reason);
    if (back)
        return back < 0? -1: podd_ok (req, PODP_OK, s_task_reply (req, task.id));
    podd_route_t route;
    if (podd_store_task_history_add (req->store, task.id, req->actor->id, "declined",
                                     req->actor->id, reason, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot update task");
    if (podd_task_route (req, task.id, req->actor->id, &route)
    ||  podd_audit_id (req, "task-decline", "task", task.id, reason))
        return -1;
    //  The team manager hears of it (unless they declined it themselves)
    int64_t manager = podd_store_pod_manager (req->store, kase.pod_id);
    if (manager && manager != req->actor->id) {
        podd_member_t next = { 0 };
        char text [PODP_STRING_MAX + 256];
        if (route.assignee_id)
            podd_store_member_by_id (req->store, route.assignee_id, &next);
        snprintf (text, sizeof text, "%s declined task %lld (%s): %s; now %s", req->actor->handle,
                  (long long) task.id, task.kind, reason,
                  route.assignee_id? next.handle: "nobody holds it");
        if (podd_notice_keep (req, manager, "task-declined", text, s_task_reply (req, task.id)))
            return -1;
    }
    return podd_ok (req, PODP_OK, s_task_reply (req, task.id));
}

//  Check a new assignee for handoff/reassign: in the pod, role allowed.
static int
s_new_assignee (podd_request_t *req, const podd_task_t *task, const podd_case_t *kase,
                podd_member_t *to)
{
    const char *handle = podp_msg_string (req->msg, "to");
    if (podd_pod_member (req, handle, kase->pod_id, to))
        return -1;
    if (!podd_route_role_allowed (req->config, task->kind, to))
        return podd_fail (req, PODP_INVALID, "a %s may not do a %s task", to->role, task->kind);
    if (to->id == task->assignee_id)
        return podd_fail (req, PODP_CONFLICT, "task %lld is already %s's", (long long) task->id,
                          to->handle);
    if (!s_is_live (task))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s", (long long) task->id, task->state);
    return 0;
}

//  Offer the task to `to`, telling the previous assignee it moved.
static int
s_give (podd_request_t *req, const podd_task_t *task, const podd_member_t *to,
        const char *event, const char *reason)
{
    char why [PODP_STRING_MAX + 64];
    snprintf (why, sizeof why, "%s by %s%s%s", event, req->actor->handle,
              reason && *reason? ": ": "", reason? reason: "");
    if (podd_task_move (req, task->id, "offered", to->id, event, why))
        return -1;
    if (task->assignee_id && task->assignee_id != to->id)
        return s_deliver (req, task->id, task->assignee_id, why);
    return 0;
}

int
podd_op_task_handoff (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    podd_member_t to;
    if (s_task_for (req, &task, &kase))
        return -1;
    if (task.assignee_id != req->actor->id && !podd_access_pod_manage (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "task %lld is not yours to hand off", (long long) task.id);
    if (s_new_assignee (req, &task, &kase, &to)
    ||  s_give (req, &task, &to, "handoff", podp_msg_string (req->msg, "reason"))
    ||  podd_audit_id (req, "task-handoff", "task", task.id, to.handle))
        return -1;
    return podd_ok (req, PODP_OK, s_task_reply (req, task.id));
}

int
podd_op_task_reassign (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    podd_member_t to;
    if (s_task_for (req, &task, &kase))
        return -1;
    if (!podd_access_pod_manage (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager may reassign");
    if (s_new_assignee (req, &task, &kase, &to)
    ||  s_give (req, &task, &to, "reassigned", podp_msg_string (req->msg, "reason"))
    ||  podd_audit_id (req, "task-reassign", "task", task.id, to.handle))
        return -1;
    return podd_ok (req, PODP_OK, s_task_reply (req, task.id));
}

int
podd_op_task_done (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    const char *evidence = podp_msg_string (req->msg, "evidence");
    if (strlen (evidence) == 0)
        return podd_fail (req, PODP_INVALID, "field 'evidence': say what was done");
    if (s_own_task (req, &task, &kase))
        return -1;
    if (!s_is (&task, "offered") && !s_is (&task, "accepted"))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s", (long long) task.id, task.state);
    //  Delegated work done goes back to the delegator to confirm
    int back = podd_delegation_on_done (req, task.id, evidence);
    if (back)
        return back < 0? -1: podd_ok (req, PODP_OK, s_task_reply (req, task.id));
    char done_on [PODD_DATE_LEN];
    if (podd_standards_check_done (req, task.id, done_on))
        return -1;
    if (podd_store_task_set_evidence (req->store, task.id, evidence,
                                      podp_msg_string (req->msg, "reference"))
    ||  podd_task_move (req, task.id, "done", req->actor->id, "done", "")
    ||  podd_standards_after_done (req, task.id, done_on)
    ||  podd_continuity_task_done (req, task.id, done_on)
    ||  podd_audit_id (req, "task-done", "task", task.id, ""))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot record evidence");
    return podd_ok (req, PODP_OK, s_task_reply (req, task.id));
}

int
podd_op_task_cancel (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    const char *reason = podp_msg_string (req->msg, "reason");
    if (s_task_for (req, &task, &kase))
        return -1;
    if (task.creator_id != req->actor->id && !podd_access_pod_manage (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the creator or the team manager may cancel");
    if (!s_is_live (&task) && !s_is (&task, "declined"))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s", (long long) task.id, task.state);
    if (podd_standards_check_cancel (req, task.id, reason))
        return -1;
    if (podd_store_task_set (req->store, task.id, "cancelled", task.assignee_id, req->now)
    ||  podd_store_task_history_add (req->store, task.id, req->actor->id, "cancelled",
                                     task.assignee_id, reason, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot cancel");
    if (podd_reminders_arm (req, task.id))
        return -1;
    if ((task.assignee_id && task.assignee_id != req->actor->id
         && s_deliver (req, task.id, task.assignee_id, "cancelled"))
    ||  podd_audit_id (req, "task-cancel", "task", task.id, reason))
        return -1;
    json_t *reply = s_task_reply (req, task.id);
    if (podd_standards_after_cancel (req, task.id, reason, reply)) {
        json_decref (reply);
        return -1;
    }
    return podd_ok (req, PODP_OK, reply);
}

//  TASK-RESCHEDULE: the team manager moves a live task's due date, with a
//  reason, instead of cancelling it; a standard's chain goes on from it
int
podd_op_task_reschedule (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    const char *reason = podp_msg_string (req->msg, "reason");
    const char *due_text = podp_msg_string (req->msg, "due");
    int64_t due = 0;
    if (strlen (reason) == 0)
        return podd_fail (req, PODP_INVALID, "field 'reason': say why the task moves");
    if (podd_when_parse (due_text, &due))
        return podd_fail (req, PODP_INVALID, "field 'due': '%s' is not YYYY-MM-DD, "
                          "YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SSZ", due_text);
    if (!podd_when_due_sane (due, req->now))
        return podd_fail (req, PODP_INVALID, "field 'due': '%s' is more than a year in the past "
                          "or more than ten years ahead", due_text);
    if (s_task_for (req, &task, &kase))
        return -1;
    if (!podd_access_pod_manage (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager may reschedule");
    if (!s_is_live (&task) && !s_is (&task, "declined"))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s", (long long) task.id, task.state);
    char was [PODD_WHEN_LEN], now_due [PODD_WHEN_LEN], why [PODP_STRING_MAX + 128];
    snprintf (why, sizeof why, "due %s, was %s: %s", podd_when_format (due, now_due),
              task.due? podd_when_format (task.due, was): "none", reason);
    if (podd_store_task_set_due (req->store, task.id, due, req->now)
    ||  podd_store_task_history_add (req->store, task.id, req->actor->id, "rescheduled",
                                     task.assignee_id, why, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot reschedule");
    if (podd_reminders_arm (req, task.id)
    ||  (task.assignee_id && task.assignee_id != req->actor->id
         && s_deliver (req, task.id, task.assignee_id, why))
    ||  podd_audit_id (req, "task-reschedule", "task", task.id, why))
        return -1;
    return podd_ok (req, PODP_OK, s_task_reply (req, task.id));
}
