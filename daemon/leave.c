/*  leave.c - absence, cover and return. See leave.h. */
#include "leave.h"
#include "access.h"
#include "caseops.h"
#include "taskops.h"
#include "routing.h"
#include "when.h"
#include "message.h"
#include "outbox.h"
#include <glib.h>
#include "handover.h"
#include "chronocheck.h"
#include "continuity.h"

#define COVER_KIND   "leave-cover"  /* its roles say who may cover a case */
#define POD_MAX      256
#define LINES_MAX    1000
#define DAY          86400
#define DEFAULT_VIEW (14 * DAY)

static bool
s_unplanned (const char *kind)
{
    return podd_streq (kind, "sickness") || podd_streq (kind, "emergency");
}

//  Parse an optional date/time field; -1 with 422 when malformed.
static int
s_when_field (podd_request_t *req, const char *field, int64_t dflt, int64_t *out)
{
    const char *text = podp_msg_string (req->msg, field);
    *out = dflt;
    if (text && podd_when_parse (text, out))
        return podd_fail (req, PODP_INVALID, "field '%s': '%s' is not a valid date", field, text);
    return 0;
}

//  Parse an optional bound of a period: a date alone is a whole day in
//  Europe/London (from: 00:00 that day; to: 00:00 the next day)
static int
s_bound_field (podd_request_t *req, const char *field, bool end, int64_t dflt, int64_t *out)
{
    const char *text = podp_msg_string (req->msg, field);
    *out = dflt;
    if (text && (end? podd_when_parse_to (text, out): podd_when_parse_from (text, out)))
        return podd_fail (req, PODP_INVALID, "field '%s': '%s' is not a valid date", field, text);
    return 0;
}

//  The last day of a period that ends (exclusively) at ends, as a local date
static char *
s_last_day (int64_t ends, char *buf)
{
    return podd_when_local_date (ends - 1, buf);
}

static int
s_member (podd_request_t *req, const char *handle, podd_member_t *member)
{
    if (podd_store_member_by_handle (req->store, handle, member) || !member->active)
        return podd_fail (req, PODP_NOT_FOUND, "no member '%s'", handle);
    return 0;
}

static int
s_absence (podd_request_t *req, podd_absence_t *absence, podd_member_t *member)
{
    int64_t id = podp_msg_int (req->msg, "absence", 0);
    if (podd_store_absence_get (req->store, id, absence)
    ||  podd_store_member_by_id (req->store, absence->member_id, member))
        return podd_fail (req, PODP_NOT_FOUND, "no absence %lld", (long long) id);
    if (!podd_access_pod_read (req->actor, member->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "absence %lld is in another pod", (long long) id);
    return 0;
}

static json_t *
s_absence_reply (podd_request_t *req, int64_t id)
{
    return podd_store_absence_json (req->store, id, true);
}

//  --------------------------------------------------------------------
//  Choosing a cover

//  Whether a member may cover work of this kind (a case: the leave-cover kind)
static bool
s_may_cover (podd_request_t *req, const char *kind, const podd_member_t *member)
{
    return podd_route_role_allowed (req->config, kind? kind: COVER_KIND, member);
}

//  Pick the cover for a case (task_id 0) or a task, for absent_id over
//  [from, to). planned counts lines already given to each candidate in
//  this plan (index by position in the pod), to spread the load. Fills
//  reason and, when candidates is not NULL, appends each candidate.
static int64_t
s_pick_cover (podd_request_t *req, int64_t pod_id, int64_t case_id, const char *kind,
              int64_t absent_id, int64_t from, int64_t to, int64_t *planned,
              json_t *candidates, char *reason, size_t reasonlen)
{
    int64_t ids [POD_MAX], known [POD_MAX];
    char contact [POD_MAX][PODD_DATE_LEN];
    size_t count = podd_store_pod_member_ids (req->store, pod_id, ids, POD_MAX);
    size_t known_count = podd_continuity_known (req->store, case_id, req->now, known, contact, POD_MAX);
    int64_t best = 0, best_score = INT64_MAX, best_load = 0;
    long best_rank = -1;
    size_t best_index = 0;
    for (size_t i = 0; i < count; i++) {
        podd_member_t member;
        if (ids [i] == absent_id || podd_store_member_by_id (req->store, ids [i], &member)
        ||  !s_may_cover (req, kind, &member)
        ||  podd_store_member_away_between (req->store, member.id, from, to)
        ||  !podd_route_works_between (&member, from, to? to - 1: from))
            continue;
        long rank = -1;
        for (size_t k = 0; k < known_count; k++)
            if (known [k] == member.id)
                rank = (long) k;
        int64_t load = podd_store_member_open_load (req->store, member.id) + (planned? planned [i]: 0);
        //  Knowing the family is worth three lines of load: a co-worker
        //  gets the case unless that would bury them
        //  The team manager covers only when no colleague can
        //  A colleague with a recent contact beats one who only co-works
        int64_t score = (planned? planned [i]: 0) * 4 + (rank >= 0? (contact [rank][0]? 0: 2): 12) + load
                      + (podd_streq (member.role, "team-manager")? 1000: 0);
        if (candidates)
            json_array_append_new (candidates, json_pack ("{s:s s:s s:I s:b}", "member", member.handle,
                                   "role", member.role, "load", (json_int_t) load, "knows", rank >= 0));
        if (score < best_score || (score == best_score && rank >= 0 && (best_rank < 0 || rank < best_rank))) {
            best = member.id;
            best_score = score;
            best_rank = rank;
            best_load = load;
            best_index = i;
        }
    }
    if (!best) {
        snprintf (reason, reasonlen, "no pod member free to cover in that period");
        return 0;
    }
    if (planned)
        planned [best_index]++;
    if (best_rank >= 0 && contact [best_rank][0])
        snprintf (reason, reasonlen, "knows the family (most recent contact %s), load %lld",
                  contact [best_rank], (long long) best_load);
    else
        snprintf (reason, reasonlen, best_rank >= 0? "knows the family, load %lld"
                                                   : "spreads the load, load %lld", (long long) best_load);
    return best;
}

//  The cover a plan chose for a case, when they may also do a task of kind
static int64_t
s_case_cover_in (podd_request_t *req, json_t *lines, const podd_case_t *kase, const char *kind)
{
    size_t index;
    json_t *line;
    json_array_foreach (lines, index, line) {
        podd_member_t cover;
        if (json_is_null (json_object_get (line, "task"))
        &&  podd_streq (json_string_value (json_object_get (line, "case")), kase->ref)
        &&  json_is_string (json_object_get (line, "cover"))
        &&  podd_store_member_by_handle (req->store,
                json_string_value (json_object_get (line, "cover")), &cover) == 0
        &&  podd_route_role_allowed (req->config, kind, &cover))
            return cover.id;
    }
    return 0;
}

//  Build (and with store, save) the cover plan of absent over [from, to).
//  With an absence, a case line the manager set (COVER-SET) is kept.
static json_t *
s_plan (podd_request_t *req, const podd_member_t *absent, int64_t from, int64_t to,
        int64_t absence_id, bool store)
{
    json_t *lines = json_array ();
    int64_t planned [POD_MAX] = { 0 };
    int64_t cases [LINES_MAX], tasks [LINES_MAX];
    size_t case_count = podd_store_cases_led (req->store, absent->id, cases, LINES_MAX);
    for (size_t i = 0; i < case_count; i++) {
        podd_case_t kase;
        char reason [128];
        json_t *candidates = json_array ();
        podd_store_case_by_id (req->store, cases [i], &kase);
        char how [16] = "", set_by [33] = "";
        int64_t kept = absence_id? podd_store_cover_case_line (req->store, absence_id, kase.id,
                                   how, sizeof how, set_by, sizeof set_by): 0;
        int64_t cover = s_pick_cover (req, absent->pod_id, kase.id, NULL, absent->id, from, to,
                                      planned, candidates, reason, sizeof reason);
        bool manual = kept && (podd_streq (how, "set") || podd_streq (how, "offer")
                               || podd_streq (how, "swap"));
        if (manual) {
            cover = kept;
            snprintf (reason, sizeof reason, "%s %s", podd_streq (how, "offer")? "offer approved by"
                      : podd_streq (how, "swap")? "swap approved by": "set by", set_by);
        }
        podd_member_t who = { 0 };
        if (cover)
            podd_store_member_by_id (req->store, cover, &who);
        if (cover && store && !manual)
            podd_store_cover_set (req->store, absence_id, kase.id, 0, cover, req->actor->id, req->now);
        json_array_append_new (lines, json_pack ("{s:s s:n s:n s:o s:s s:o}", "case", kase.ref,
            "task", "title", "cover", cover? json_string (who.handle): json_null (),
            "reason", reason, "candidates", candidates));
    }
    size_t task_count = podd_store_tasks_held (req->store, absent->id, to, tasks, LINES_MAX);
    for (size_t i = 0; i < task_count; i++) {
        podd_task_t task;
        podd_case_t kase;
        char reason [128];
        podd_store_task_get (req->store, tasks [i], &task);
        podd_store_case_by_id (req->store, task.case_id, &kase);
        json_t *candidates = json_array ();
        int64_t cover = kase.lead_id == absent->id? s_case_cover_in (req, lines, &kase, task.kind): 0;
        if (cover)
            snprintf (reason, sizeof reason, "covers the family");
        else
            cover = s_pick_cover (req, absent->pod_id, kase.id, task.kind, absent->id, from,
                                  task.due && task.due < to? task.due: to,
                                  planned, candidates, reason, sizeof reason);
        podd_member_t who = { 0 };
        if (cover)
            podd_store_member_by_id (req->store, cover, &who);
        if (cover && store)
            podd_store_cover_set (req->store, absence_id, 0, task.id, cover, req->actor->id, req->now);
        json_t *full = podd_store_task_json (req->store, task.id, false);
        json_array_append_new (lines, json_pack ("{s:s s:I s:O s:o s:s s:o}", "case", kase.ref,
            "task", (json_int_t) task.id, "title", json_object_get (full, "title"),
            "cover", cover? json_string (who.handle): json_null (),
            "reason", reason, "candidates", candidates));
        json_decref (full);
    }
    return lines;
}

static int s_absence_start (podd_request_t *req, int64_t absence_id);
static int s_absence_end (podd_request_t *req, int64_t absence_id);

//  --------------------------------------------------------------------
//  Leave requests

int
podd_op_leave_request (podd_request_t *req)
{
    const char *kind = podp_msg_string (req->msg, "kind");
    const char *handle = podp_msg_string (req->msg, "member");
    const char *rule = podp_msg_string (req->msg, "return");
    static const char *const kinds [] = { "annual", "training", "other", "sickness", "emergency", NULL };
    bool known = false;
    for (size_t i = 0; kinds [i]; i++)
        known = known || podd_streq (kind, kinds [i]);
    if (!known)
        return podd_fail (req, PODP_INVALID, "field 'kind': must be annual, training, other, "
                          "sickness or emergency");
    if (rule && !podd_streq (rule, "return") && !podd_streq (rule, "stay"))
        return podd_fail (req, PODP_INVALID, "field 'return': must be return or stay");
    podd_member_t member = *req->actor;
    if (handle && s_member (req, handle, &member))
        return -1;
    bool manager = podd_access_pod_manage (req->actor, member.pod_id);
    bool unplanned = s_unplanned (kind);
    if (member.id != req->actor->id && !manager)
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager may enter leave for %s",
                          member.handle);
    if (unplanned && !manager)
        return podd_fail (req, PODP_FORBIDDEN, "sickness and emergencies are entered by the team manager");
    int64_t from, to;
    if (!unplanned && !podp_msg_string (req->msg, "from"))
        return podd_fail (req, PODP_BAD_REQUEST, "field 'from': required for planned leave");
    if (!unplanned && !podp_msg_string (req->msg, "to"))
        return podd_fail (req, PODP_BAD_REQUEST, "field 'to': required for planned leave");
    if (s_bound_field (req, "from", false, req->now, &from) || s_bound_field (req, "to", true, 0, &to))
        return -1;
    if (to && to <= from)
        return podd_fail (req, PODP_INVALID, "leave ends before it starts");
    int64_t clash = podd_store_absence_overlap (req->store, member.id, from, to, 0);
    if (clash)
        return podd_fail (req, PODP_CONFLICT, "overlaps absence %lld of %s", (long long) clash,
                          member.handle);
    bool approved = manager && (unplanned || member.id != req->actor->id);
    int64_t id = podd_store_absence_add (req->store, member.id, kind, from, to,
                                         approved? "approved": "requested", req->actor->id,
                                         approved? req->actor->id: 0,
                                         podp_msg_string (req->msg, "note"), rule, req->now);
    if (id < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot store absence: %s", podd_store_errmsg (req->store));
    if (podd_audit_id (req, "leave-request", "absence", id, kind))
        return -1;
    //  Tell the manager who decides; leave entered by them starts now if due
    if (!approved && podd_handover_leave_notice (req, id, "leave-requested"))
        return -1;
    if (approved && member.id != req->actor->id
    &&  podd_handover_leave_notice (req, id, "leave-approved"))
        return -1;
    if (approved && from <= req->now && s_absence_start (req, id))
        return -1;
    if (approved && !unplanned && from > req->now && podd_handover_on_approve (req, id))
        return -1;
    return podd_ok (req, PODP_CREATED, s_absence_reply (req, id));
}

static int
s_decide (podd_request_t *req, const char *status)
{
    podd_absence_t absence;
    podd_member_t member;
    if (s_absence (req, &absence, &member))
        return -1;
    if (!podd_access_pod_manage (req->actor, member.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager may decide leave");
    if (member.id == req->actor->id)
        return podd_fail (req, PODP_FORBIDDEN, "you cannot decide your own leave");
    if (!podd_streq (absence.status, "requested"))
        return podd_fail (req, PODP_CONFLICT, "absence %lld is %s", (long long) absence.id, absence.status);
    const char *rule = podp_msg_string (req->msg, "return");
    if (rule && !podd_streq (rule, "return") && !podd_streq (rule, "stay"))
        return podd_fail (req, PODP_INVALID, "field 'return': must be return or stay");
    if (podd_store_absence_set_status (req->store, absence.id, status, req->actor->id)
    ||  (rule && podd_store_absence_set_rule (req->store, absence.id, rule)))
        return podd_fail (req, PODP_INTERNAL, "cannot update absence");
    bool approved = podd_streq (status, "approved");
    if (podd_audit_id (req, approved? "leave-approve": "leave-refuse", "absence",
                         absence.id, podp_msg_string (req->msg, "reason"))
    ||  podd_handover_leave_notice (req, absence.id, approved? "leave-approved": "leave-refused"))
        return -1;
    if (approved && absence.starts <= req->now && s_absence_start (req, absence.id))
        return -1;
    if (approved && absence.starts > req->now && podd_handover_on_approve (req, absence.id))
        return -1;
    return podd_ok (req, PODP_OK, s_absence_reply (req, absence.id));
}

int podd_op_leave_approve (podd_request_t *req) { return s_decide (req, "approved"); }
int podd_op_leave_refuse (podd_request_t *req) { return s_decide (req, "refused"); }

int
podd_op_leave_cancel (podd_request_t *req)
{
    podd_absence_t absence;
    podd_member_t member;
    if (s_absence (req, &absence, &member))
        return -1;
    if (member.id != req->actor->id && !podd_access_pod_manage (req->actor, member.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only %s or the team manager may cancel it", member.handle);
    if (absence.started)
        return podd_fail (req, PODP_CONFLICT, "absence %lld has started: end it instead", (long long) absence.id);
    if (!podd_streq (absence.status, "requested") && !podd_streq (absence.status, "approved"))
        return podd_fail (req, PODP_CONFLICT, "absence %lld is %s", (long long) absence.id, absence.status);
    if (podd_store_absence_set_status (req->store, absence.id, "cancelled", 0)
    ||  podd_audit_id (req, "leave-cancel", "absence", absence.id, ""))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot cancel");
    return podd_ok (req, PODP_OK, s_absence_reply (req, absence.id));
}

int
podd_op_leave_end (podd_request_t *req)
{
    podd_absence_t absence;
    podd_member_t member;
    int64_t at;
    if (s_absence (req, &absence, &member) || s_when_field (req, "at", req->now, &at))
        return -1;
    if (member.id != req->actor->id && !podd_access_pod_manage (req->actor, member.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only %s or the team manager may end it", member.handle);
    if (!absence.started || absence.ended)
        return podd_fail (req, PODP_CONFLICT, "absence %lld is not under way", (long long) absence.id);
    if (at < absence.starts || at > req->now + 366 * DAY)
        return podd_fail (req, PODP_INVALID, "field 'at': outside the absence");
    if (podd_store_absence_set_end (req->store, absence.id, at)
    ||  podd_audit_id (req, "leave-end", "absence", absence.id, ""))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot end");
    //  Back now: the return happens at once, not at the next scheduler pass
    if (at <= req->now && s_absence_end (req, absence.id))
        return -1;
    return podd_ok (req, PODP_OK, s_absence_reply (req, absence.id));
}

//  The pod named in "pod" or the actor's own, with read access
static int
s_view_pod (podd_request_t *req, int64_t *pod_id)
{
    const char *name = podp_msg_string (req->msg, "pod");
    *pod_id = req->actor->pod_id;
    if (name) {
        podd_pod_t pod;
        if (podd_store_pod_by_name (req->store, name, &pod))
            return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", name);
        *pod_id = pod.id;
    }
    if (!podd_access_pod_read (req->actor, *pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "not your pod");
    return 0;
}

static int
s_period (podd_request_t *req, int64_t *from, int64_t *to)
{
    if (s_bound_field (req, "from", false, req->now, from)
    ||  s_bound_field (req, "to", true, *from + DEFAULT_VIEW, to))
        return -1;
    if (*to <= *from)
        return podd_fail (req, PODP_INVALID, "the period ends before it starts");
    if (!podd_when_in_range (*from) || !podd_when_in_range (*to))
        return podd_fail (req, PODP_INVALID, "field 'to': the period must end by %d", PODD_YEAR_MAX);
    return 0;
}

int
podd_op_leave_calendar (podd_request_t *req)
{
    int64_t pod_id, from, to;
    if (s_view_pod (req, &pod_id) || s_period (req, &from, &to))
        return -1;
    char today [PODD_DATE_LEN];
    return podd_ok (req, PODP_OK, json_pack ("{s:o s:s s:o}", "items",
                    podd_store_absence_calendar (req->store, pod_id, from, to),
                    "today", podd_when_local_date (req->now, today),
                    "away_today", podd_store_absence_now (req->store, pod_id, 0, req->now)));
}

int
podd_op_leave_list (podd_request_t *req)
{
    int64_t pod_id, member_id = 0;
    const char *handle = podp_msg_string (req->msg, "member");
    const char *status = podp_msg_string (req->msg, "status");
    static const char *const statuses [] = { "all", "requested", "approved", "refused", "cancelled", NULL };
    bool known = !status;
    for (size_t i = 0; !known && statuses [i]; i++)
        known = podd_streq (status, statuses [i]);
    if (!known)
        return podd_fail (req, PODP_INVALID, "field 'status': must be all, requested, approved, "
                          "refused or cancelled");
    if (s_view_pod (req, &pod_id))
        return -1;
    if (handle) {
        podd_member_t member;
        if (s_member (req, handle, &member))
            return -1;
        if (!podd_access_pod_read (req->actor, member.pod_id))
            return podd_fail (req, PODP_FORBIDDEN, "member '%s' is not in your pod", handle);
        member_id = member.id;
        pod_id = member.pod_id;
    }
    podd_page_t page;
    if (podd_page_fields (req, &page))
        return -1;
    return podd_page_reply (req, podd_store_absence_page (req->store, pod_id, member_id, status, &page),
                            &page);
}

int
podd_op_leave_show (podd_request_t *req)
{
    podd_absence_t absence;
    podd_member_t member;
    if (s_absence (req, &absence, &member))
        return -1;
    return podd_ok (req, PODP_OK, s_absence_reply (req, absence.id));
}

//  --------------------------------------------------------------------
//  Cover

int
podd_op_cover_plan (podd_request_t *req)
{
    podd_member_t absent;
    int64_t from = 0, to = 0;
    if (s_member (req, podp_msg_string (req->msg, "member"), &absent))
        return -1;
    if (!podd_access_pod_manage (req->actor, absent.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager plans cover");
    bool accept = podp_msg_bool (req->msg, "accept", false);
    int64_t absence_id = podp_msg_int (req->msg, "absence", 0);
    bool period = podp_msg_string (req->msg, "from") || podp_msg_string (req->msg, "to");
    if (absence_id && period)
        return podd_fail (req, PODP_BAD_REQUEST, "fields 'from'/'to': a plan for an absence "
                          "takes the absence's own period; give one or the other");
    if (!absence_id) {
        if (!podp_msg_string (req->msg, "from") || !podp_msg_string (req->msg, "to"))
            return podd_fail (req, PODP_BAD_REQUEST, "fields 'from' and 'to': required without 'absence'");
        if (s_bound_field (req, "from", false, 0, &from) || s_bound_field (req, "to", true, 0, &to))
            return -1;
        if (to <= from)
            return podd_fail (req, PODP_INVALID, "the period ends before it starts");
        absence_id = podd_store_absence_overlap (req->store, absent.id, from, to, 0);
    }
    if (accept && !absence_id)
        return podd_fail (req, PODP_CONFLICT, "%s has no leave in that period to cover", absent.handle);
    podd_absence_t absence;
    if (absence_id && (podd_store_absence_get (req->store, absence_id, &absence)
                       || absence.member_id != absent.id))
        return podd_fail (req, PODP_NOT_FOUND, "no absence %lld of %s", (long long) absence_id, absent.handle);
    if (absence_id && absence.ended)
        return podd_fail (req, PODP_CONFLICT, "absence %lld has ended", (long long) absence_id);
    if (absence_id) {
        //  The plan for an absence covers the absence's own period
        from = absence.starts;
        to = absence.ends? absence.ends: (from > req->now? from: req->now) + DEFAULT_VIEW;
    }
    json_t *lines = s_plan (req, &absent, from, to, absence_id, accept);
    //  Leave of more than two weeks: each case's chronology is checked
    //  before someone new relies on it
    if (to - from > 14 * DAY) {
        size_t index;
        json_t *line;
        json_array_foreach (lines, index, line) {
            podd_case_t kase;
            podd_case_facts_t facts = { 0 };
            if (!json_is_null (json_object_get (line, "task"))
            ||  podd_store_case_by_ref (req->store, json_string_value (json_object_get (line, "case")), &kase))
                continue;
            podd_store_case_facts (req->store, kase.id, &facts);
            json_t *check = podd_chronocheck (req, &kase, facts.opened);
            json_object_set_new (line, "check", json_pack ("{s:O s:i}", "ok", json_object_get (check, "ok"),
                                 "gaps", (int) json_array_size (json_object_get (check, "gaps"))));
            json_decref (check);
        }
    }
    if (accept && (podd_audit_id (req, "cover-plan", "absence", absence_id, "accepted")
                   || podd_handover_cover_assigned (req, absence_id, 0))) {
        json_decref (lines);
        return -1;
    }
    char a [PODD_WHEN_LEN], b [PODD_WHEN_LEN];
    return podd_ok (req, PODP_OK, json_pack ("{s:s s:s s:s s:o s:b s:o s:o}", "member", absent.handle,
        "from", podd_when_format (from, a), "to", podd_when_format (to, b),
        "absence", absence_id? json_integer (absence_id): json_null (), "accepted", accept,
        "lines", lines, "requests", absence_id? podd_store_cover_requests_json (req->store, absence_id)
                                              : json_array ()));
}

int
podd_op_cover_show (podd_request_t *req)
{
    podd_absence_t absence;
    podd_member_t member;
    if (s_absence (req, &absence, &member))
        return -1;
    json_t *reply = s_absence_reply (req, absence.id);
    json_object_set_new (reply, "requests", podd_store_cover_requests_json (req->store, absence.id));
    return podd_ok (req, PODP_OK, reply);
}

//  Check a member can cover in an absence's period
static int
s_check_cover (podd_request_t *req, const podd_member_t *cover, const podd_absence_t *absence,
               int64_t pod_id, const char *kind)
{
    if (cover->pod_id != pod_id)
        return podd_fail (req, PODP_INVALID, "%s is not in the pod", cover->handle);
    if (cover->id == absence->member_id)
        return podd_fail (req, PODP_INVALID, "%s cannot cover their own absence", cover->handle);
    if (!s_may_cover (req, kind, cover))
        return podd_fail (req, PODP_INVALID, "a %s may not cover this work", cover->role);
    if (podd_store_member_away_between (req->store, cover->id, absence->starts, absence->ends))
        return podd_fail (req, PODP_INVALID, "%s is away in that period", cover->handle);
    return 0;
}

int
podd_op_cover_set (podd_request_t *req)
{
    podd_case_t kase;
    podd_member_t cover;
    podd_absence_t absence;
    const char *ref = podp_msg_string (req->msg, "case");
    if (!podd_valid_ref (ref) || podd_store_case_by_ref (req->store, ref, &kase))
        return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", ref);
    if (!podd_access_pod_manage (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager sets cover");
    if (s_member (req, podp_msg_string (req->msg, "by"), &cover))
        return -1;
    int64_t absence_id = podp_msg_int (req->msg, "absence", 0);
    if (!absence_id && kase.lead_id)
        absence_id = podd_store_absence_overlap (req->store, kase.lead_id, req->now, 0, 0);
    if (!absence_id || podd_store_absence_get (req->store, absence_id, &absence)
    ||  absence.member_id != kase.lead_id)
        return podd_fail (req, PODP_NOT_FOUND, "no current or coming absence of the lead of '%s'", ref);
    if (absence.ended)
        return podd_fail (req, PODP_CONFLICT, "absence %lld has ended", (long long) absence.id);
    if (s_check_cover (req, &cover, &absence, kase.pod_id, NULL))
        return -1;
    if (podd_store_cover_set (req->store, absence.id, kase.id, 0, cover.id, req->actor->id, req->now)
    ||  podd_store_cover_set_how (req->store, absence.id, kase.id, 0, "set")
    ||  podd_audit_id (req, "cover-set", "absence", absence.id, cover.handle)
    ||  podd_handover_cover_assigned (req, absence.id, cover.id))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot set cover");
    return podd_ok (req, PODP_OK, json_pack ("{s:I s:s s:n s:s s:s}", "absence", (json_int_t) absence.id,
                    "case", kase.ref, "task", "cover", cover.handle, "set_by", req->actor->handle));
}

int
podd_op_cover_move (podd_request_t *req)
{
    podd_member_t from, to;
    if (s_member (req, podp_msg_string (req->msg, "from"), &from)
    ||  s_member (req, podp_msg_string (req->msg, "to"), &to))
        return -1;
    if (!podd_access_pod_manage (req->actor, from.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager moves cover");
    if (to.pod_id != from.pod_id)
        return podd_fail (req, PODP_INVALID, "%s is not in the pod", to.handle);
    if (!s_may_cover (req, NULL, &to))
        return podd_fail (req, PODP_INVALID, "a %s may not cover cases", to.role);
    if (podd_store_member_absent (req->store, to.id, req->now))
        return podd_fail (req, PODP_INVALID, "%s is away", to.handle);
    int64_t moved = podd_store_cover_move (req->store, from.pod_id, from.id, to.id, req->actor->id);
    if (moved < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot move cover");
    char detail [128];
    snprintf (detail, sizeof detail, "%s -> %s: %lld", from.handle, to.handle, (long long) moved);
    if (podd_audit (req, "cover-move", from.handle, detail))
        return -1;
    return podd_ok (req, PODP_OK, json_pack ("{s:I}", "moved", (json_int_t) moved));
}

//  --------------------------------------------------------------------
//  Who to contact, load, digest

int
podd_op_case_contact (podd_request_t *req)
{
    podd_case_t kase;
    int64_t at;
    const char *ref = podp_msg_string (req->msg, "ref");
    if (!podd_valid_ref (ref) || podd_store_case_by_ref (req->store, ref, &kase))
        return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", ref);
    if (!podd_access_pod_read (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "case '%s' belongs to another pod", ref);
    if (s_when_field (req, "date", req->now, &at))
        return -1;
    podd_member_t who = { 0 };
    const char *reason = NULL;
    char because [160];
    //  The lead and the cover in place at that time (continuity.c keeps
    //  their history), not today's
    int64_t lead_then = 0;
    if (podd_store_lead_at (req->store, kase.id, at, &lead_then) == 0)
        kase.lead_id = lead_then;
    if (kase.lead_id && !podd_store_member_absent (req->store, kase.lead_id, at)
    &&  podd_store_member_by_id (req->store, kase.lead_id, &who) == 0)
        reason = "lead worker";
    if (!reason && kase.lead_id) {
        int64_t cover = podd_store_cover_at (req->store, kase.id, kase.lead_id, at);
        if (cover && !podd_store_member_absent (req->store, cover, at)
        &&  podd_store_member_by_id (req->store, cover, &who) == 0)
            reason = "lead worker away, covering colleague";
    }
    podd_pod_t pod;
    podd_store_pod_by_id (req->store, kase.pod_id, &pod);
    if (!reason && pod.duty_id && !podd_store_member_absent (req->store, pod.duty_id, at)
    &&  podd_store_member_by_id (req->store, pod.duty_id, &who) == 0)
        reason = kase.lead_id? "lead worker away, no cover: the pod's duty contact"
                             : "no lead worker: the pod's duty contact";
    if (!reason) {
        int64_t manager = podd_store_pod_manager (req->store, kase.pod_id);
        if (manager && podd_store_member_by_id (req->store, manager, &who) == 0)
            reason = "the pod's team manager";
    }
    if (!reason)
        return podd_fail (req, PODP_NOT_FOUND, "nobody to contact for '%s'", ref);
    snprintf (because, sizeof because, "%s", reason);
    char date [PODD_DATE_LEN];
    return podd_ok (req, PODP_OK, json_pack ("{s:s s:s s:s s:s s:s s:s s:s}", "ref", kase.ref,
        "date", podd_when_local_date (at, date), "contact", who.handle, "name", who.name,
        "email", who.email, "role", who.role, "reason", because));
}

int
podd_op_load (podd_request_t *req)
{
    int64_t pod_id, from, to;
    if (s_view_pod (req, &pod_id) || s_period (req, &from, &to))
        return -1;
    int64_t ids [POD_MAX];
    size_t count = podd_store_pod_member_ids (req->store, pod_id, ids, POD_MAX);
    json_t *items = json_array ();
    for (size_t i = 0; i < count; i++) {
        podd_member_t member;
        int64_t counts [4] = { 0 };
        podd_store_member_by_id (req->store, ids [i], &member);
        podd_store_member_load (req->store, member.id, from, to, counts);
        int away = 0;
        for (int64_t day = from; day < to && day < from + 366 * DAY; day += DAY)
            away += podd_store_member_absent (req->store, member.id, day + DAY / 2);
        json_array_append_new (items, json_pack ("{s:s s:s s:s s:I s:I s:I s:I s:i}",
            "member", member.handle, "name", member.name, "role", member.role,
            "open_tasks", (json_int_t) counts [0], "due_in_period", (json_int_t) counts [1],
            "cases_led", (json_int_t) counts [2], "covering", (json_int_t) counts [3],
            "away_days", away));
    }
    char a [PODD_WHEN_LEN], b [PODD_WHEN_LEN];
    return podd_ok (req, PODP_OK, json_pack ("{s:s s:s s:o}", "from", podd_when_format (from, a),
                                             "to", podd_when_format (to, b), "items", items));
}

int
podd_op_digest (podd_request_t *req)
{
    json_t *digest = podd_store_digest_get (req->store, req->actor->id,
                                            podp_msg_int (req->msg, "absence", 0));
    if (!digest)
        return podd_fail (req, PODP_NOT_FOUND, "no return digest for you yet");
    return podd_ok (req, PODP_OK, digest);
}

//  --------------------------------------------------------------------
//  Start and end of an absence (the scheduler)

//  Covers who are themselves away now lose their lines to someone free:
//  the case lines first, then the task lines, which follow their case's
//  new cover when that cover may do the task (a family's work stays
//  together), and go to a colleague who knows the family before the
//  team manager, and only to someone who works before the task is due
static int
s_replace_absent_cover (podd_request_t *req, const podd_absence_t *absence, const podd_member_t *away)
{
    int64_t rows [LINES_MAX][4];
    size_t count = podd_store_cover_lines_of (req->store, away->id, absence->starts, absence->ends,
                                              rows, LINES_MAX);
    for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < count; i++) {
        podd_absence_t covered;
        podd_member_t lead;
        char reason [128];
        if ((pass == 0) != (rows [i][3] == 0))
            continue;
        if (podd_store_absence_get (req->store, rows [i][1], &covered)
        ||  podd_store_member_by_id (req->store, covered.member_id, &lead))
            continue;
        int64_t case_id = rows [i][2];
        podd_task_t task = { 0 };
        if (rows [i][3] && podd_store_task_get (req->store, rows [i][3], &task) == 0)
            case_id = task.case_id;
        int64_t from = covered.starts > req->now? covered.starts: req->now;
        int64_t cover = 0;
        podd_member_t family_cover;
        if (rows [i][3]) {
            int64_t id = podd_store_cover_of (req->store, covered.id, case_id, 0);
            if (id && id != away->id && podd_store_member_by_id (req->store, id, &family_cover) == 0
            &&  podd_route_role_allowed (req->config, task.kind, &family_cover)
            &&  !podd_store_member_absent (req->store, id, req->now)
            &&  podd_route_works_between (&family_cover, req->now, task.due? task.due: req->now))
                cover = id;
        }
        if (!cover) {
            int64_t to = covered.ends;
            if (rows [i][3] && task.due && (!to || task.due < to))
                to = task.due > from? task.due: from + 1;
            cover = s_pick_cover (req, lead.pod_id, case_id, rows [i][3]? task.kind: NULL,
                                  lead.id, from, to, NULL, NULL, reason, sizeof reason);
        }
        if (cover && cover != away->id
        &&  (podd_store_cover_line_reassign (req->store, rows [i][0], cover)
             || podd_store_cover_set_how (req->store, covered.id, case_id, rows [i][3], "podd")))
            return podd_fail (req, PODP_INTERNAL, "cannot replace cover");
        if (cover && cover != away->id && podd_handover_cover_assigned (req, covered.id, cover))
            return -1;
    }
    return 0;
}

//  Whether a cover may take a task now: role, present, works before it is due
static bool
s_cover_fits (podd_request_t *req, int64_t cover_id, const podd_task_t *task, podd_member_t *cover)
{
    return podd_store_member_by_id (req->store, cover_id, cover) == 0
        && podd_route_role_allowed (req->config, task->kind, cover)
        && !podd_store_member_absent (req->store, cover_id, req->now)
        && podd_route_works_between (cover, req->now, task->due? task->due: req->now);
}

#define CHECK_HOUR 9            /* cover checks at 09:00 Europe/London */

//  The next cover check of an absence under way: the next morning, then
//  the morning of its last day (before the return); 0 = none left
static int64_t
s_next_check (podd_request_t *req, const podd_absence_t *absence)
{
    int64_t next = podd_when_local_day_at (req->now, 1, CHECK_HOUR);
    if (!absence->ends)
        return next;                            //  open-ended: every morning
    int64_t last = podd_when_local_day_at (absence->ends - 1, 0, CHECK_HOUR);
    if (next < last)
        return next;
    return last > req->now? last: 0;
}

//  Tell the team manager about covered work not accepted or overdue
static int
s_cover_check (podd_request_t *req, int64_t absence_id)
{
    podd_absence_t absence;
    if (podd_store_absence_get (req->store, absence_id, &absence))
        return podd_fail (req, PODP_INTERNAL, "absence vanished");
    if (podd_handover_cover_alert (req, absence_id, false))
        return -1;
    int64_t next = absence.started && !absence.ended? s_next_check (req, &absence): 0;
    if (podd_store_absence_set_check (req->store, absence_id, next))
        return podd_fail (req, PODP_INTERNAL, "cannot arm the cover check");
    return 0;
}

static int
s_absence_start (podd_request_t *req, int64_t absence_id)
{
    podd_absence_t absence;
    podd_member_t member;
    if (podd_store_absence_get (req->store, absence_id, &absence)
    ||  podd_store_member_by_id (req->store, absence.member_id, &member))
        return podd_fail (req, PODP_INTERNAL, "absence vanished");
    //  Cases the member leads with no cover line yet get one now
    json_t *lines = s_plan (req, &member, absence.starts, absence.ends, absence.id, false);
    size_t index;
    json_t *line;
    json_array_foreach (lines, index, line) {
        podd_case_t kase;
        podd_member_t cover;
        if (json_is_null (json_object_get (line, "task"))
        &&  !json_is_null (json_object_get (line, "cover"))
        &&  podd_store_case_by_ref (req->store, json_string_value (json_object_get (line, "case")), &kase) == 0
        &&  !podd_store_cover_of (req->store, absence.id, kase.id, 0)
        &&  podd_store_member_by_handle (req->store, json_string_value (json_object_get (line, "cover")), &cover) == 0)
            podd_store_cover_set (req->store, absence.id, kase.id, 0, cover.id, 0, req->now);
    }
    json_decref (lines);
    if (s_replace_absent_cover (req, &absence, &member))
        return -1;
    //  Work held by the member and due while away goes to the cover
    int64_t tasks [LINES_MAX];
    size_t count = podd_store_tasks_held (req->store, member.id, absence.ends, tasks, LINES_MAX);
    char until [PODD_DATE_LEN];
    if (absence.ends)
        s_last_day (absence.ends, until);
    for (size_t i = 0; i < count; i++) {
        podd_task_t task;
        podd_case_t kase;
        podd_member_t cover = { 0 };
        podd_store_task_get (req->store, tasks [i], &task);
        podd_store_case_by_id (req->store, task.case_id, &kase);
        //  The family's cover takes the family's work; else the task's own line
        int64_t cover_id = kase.lead_id == member.id?
                           podd_store_cover_of (req->store, absence.id, kase.id, 0): 0;
        if (cover_id && !s_cover_fits (req, cover_id, &task, &cover))
            cover_id = 0;
        if (!cover_id)
            cover_id = podd_store_cover_of (req->store, absence.id, 0, task.id);
        if (cover_id && !s_cover_fits (req, cover_id, &task, &cover))
            cover_id = 0;
        char reason [256];
        if (cover_id) {
            snprintf (reason, sizeof reason, "%s away%s%s, covered by %s", member.handle,
                      absence.ends? " until ": "", absence.ends? until: "", cover.handle);
            if (podd_task_move (req, task.id, "offered", cover_id, "cover", reason))
                return -1;
        }
        else {
            podd_route_t route;
            if (podd_task_route (req, task.id, member.id, &route))
                return -1;
            cover_id = route.assignee_id;
        }
        if (cover_id && podd_store_cover_move_record (req->store, absence.id, task.id, member.id,
                                                      cover_id, req->now))
            return podd_fail (req, PODP_INTERNAL, "cannot record cover");
    }
    //  The covers have a working day to accept; then the manager hears
    //  of what is not accepted (and again before the return)
    if (podd_store_absence_mark (req->store, absence.id, true)
    ||  podd_store_absence_set_check (req->store, absence.id, s_next_check (req, &absence)))
        return podd_fail (req, PODP_INTERNAL, "cannot mark absence");
    return podd_audit (req, "leave-start", member.handle, absence.kind);
}

//  The digest by e-mail too (the outbox writes .eml files when no SMTP
//  server is configured): counts and where to look, nothing of a case (no
//  reference, no title) in the subject or the body
static int
s_mail_digest (podd_request_t *req, const podd_member_t *member, const char *text)
{
    podd_pod_t pod;
    if (podd_store_pod_by_id (req->store, member->pod_id, &pod))
        return 0;
    GString *text_body = g_string_new (NULL);
    g_string_append_printf (text_body, "%s.\n\nThe whole digest, case by case, is in podd only: "
                            "podctl digest, or the Leave page of podweb.\n\n-- \n%s, %s\n",
                            text, pod.title, pod.mailbox);
    char *body = g_string_free (text_body, FALSE);
    int64_t id = podd_outbox_mail_member (req, "digest", &pod, member,
                                          "Welcome back: what happened while you were away", body,
                                          "return digest", member->handle);
    g_free (body);
    return id < 0? -1: 0;
}

static int
s_absence_end (podd_request_t *req, int64_t absence_id)
{
    podd_absence_t absence;
    podd_member_t member;
    if (podd_store_absence_get (req->store, absence_id, &absence)
    ||  podd_store_member_by_id (req->store, absence.member_id, &member))
        return podd_fail (req, PODP_INTERNAL, "absence vanished");
    //  The manager hears first of covered work not accepted or overdue
    if (podd_handover_cover_alert (req, absence.id, true)
    ||  podd_store_absence_set_check (req->store, absence.id, 0))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot clear the cover check");
    if (podd_streq (absence.return_rule, "return")) {
        int64_t tasks [LINES_MAX];
        size_t count = podd_store_cover_moves_live (req->store, absence.id, tasks, LINES_MAX);
        char reason [256];
        for (size_t i = 0; i < count; i++) {
            podd_task_t task;
            podd_store_task_get (req->store, tasks [i], &task);
            int64_t previous = task.assignee_id;
            //  Never silently: say what state it comes back in, and from whom
            podd_member_t held = { 0 };
            char due [PODD_DATE_LEN];
            if (previous)
                podd_store_member_by_id (req->store, previous, &held);
            if (podd_streq (task.state, "offered") && previous)
                snprintf (reason, sizeof reason, "%s back from leave; never accepted by %s, the team "
                          "manager was told", member.handle, held.handle);
            else
            if (task.due && task.due < req->now && previous)
                snprintf (reason, sizeof reason, "%s back from leave; overdue since %s while %s held it, "
                          "the team manager was told", member.handle,
                          podd_when_local_date (task.due, due), held.handle);
            else
                snprintf (reason, sizeof reason, "%s back from leave", member.handle);
            if (podd_task_move (req, task.id, "offered", member.id, "returned", reason))
                return -1;
            //  Tell the cover it went back
            if (previous && previous != member.id) {
                json_t *body = podd_store_task_json (req->store, task.id, false);
                json_object_set_new (body, "reason", json_string (reason));
                podd_notice (req, previous, json_pack ("{s:s s:s s:o}", "kind", "task-returned",
                             "text", reason, "data", body));
            }
        }
    }
    json_t *digest = podd_store_digest_build (req->store, member.id, absence.starts, absence.ends);
    char a [PODD_WHEN_LEN], b [PODD_WHEN_LEN], c [PODD_WHEN_LEN];
    json_object_update_missing_new (digest, json_pack ("{s:I s:s s:s s:s s:s}",
        "absence", (json_int_t) absence.id, "member", member.handle,
        "from", podd_when_format (absence.starts, a), "to", podd_when_format (absence.ends, b),
        "created", podd_when_format (req->now, c)));
    char *body = json_dumps (digest, JSON_COMPACT);
    int64_t id = podd_store_digest_add (req->store, member.id, absence.id, body, req->now);
    free (body);
    if (id < 0 || podd_store_absence_mark (req->store, absence.id, false)) {
        json_decref (digest);
        return podd_fail (req, PODP_INTERNAL, "cannot store digest");
    }
    char text [200];
    snprintf (text, sizeof text, "Welcome back: %zu task(s) done, %zu new, %zu chronology entries, "
              "%zu open while you were away",
              json_array_size (json_object_get (digest, "done")),
              json_array_size (json_object_get (digest, "new_tasks")),
              json_array_size (json_object_get (digest, "chronology")),
              json_array_size (json_object_get (digest, "open")));
    if (s_mail_digest (req, &member, text)) {
        json_decref (digest);
        return -1;
    }
    podd_notice (req, member.id, json_pack ("{s:s s:s s:o}", "kind", "digest", "text", text,
                                            "data", digest));
    return podd_audit (req, "leave-end", member.handle, absence.kind);
}

int
podd_leave_run_due (podd_request_t *req)
{
    int64_t ids [64];
    size_t pending = podd_store_absence_handover_due (req->store, true, req->now, ids, 64);
    for (size_t i = 0; i < pending; i++)
        if (podd_handover_pack_due (req, ids [i]))
            return -1;
    size_t count = podd_store_absence_due (req->store, true, req->now, ids, 64);
    for (size_t i = 0; i < count; i++)
        if (s_absence_start (req, ids [i]))
            return -1;
    count = podd_store_absence_handover_due (req->store, false, req->now, ids, 64);
    for (size_t i = 0; i < count; i++)
        if (s_cover_check (req, ids [i]))
            return -1;
    count = podd_store_absence_due (req->store, false, req->now, ids, 64);
    for (size_t i = 0; i < count; i++)
        if (s_absence_end (req, ids [i]))
            return -1;
    return 0;
}

int64_t
podd_leave_next_due (podd_store_t *store)
{
    int64_t next = podd_store_absence_next_due (store);
    int64_t handover = podd_store_absence_handover_next (store);
    return handover && (!next || handover < next)? handover: next;
}
