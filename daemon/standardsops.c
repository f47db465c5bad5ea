/*  standardsops.c - practice standards at work. See standardsops.h. */
#include "standardsops.h"
#include "standards.h"
#include "access.h"
#include "caseops.h"
#include "taskops.h"
#include "when.h"

#define EVENT_TASKS 64
#define YEAR (365 * 86400)

//  Noon, local time, of a calendar date: the anchor rules count from
static int64_t
s_anchor (const char *date)
{
    int64_t t = 0;
    char text [PODD_WHEN_LEN];
    snprintf (text, sizeof text, "%sT12:00", date);
    podd_when_parse (text, &t);
    return t;
}

//  Age in whole years on a date, -1 when the date of birth is unknown
static int
s_age (const char *dob, const char *on)
{
    int by, bm, bd, y, m, d;
    if (!dob || !*dob || podd_when_parse_date (dob, &by, &bm, &bd) || podd_when_parse_date (on, &y, &m, &d))
        return -1;
    int age = y - by;
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}

//  Whether a rule applies to this case on this date
static bool
s_applies (const podd_rule_t *rule, const podd_case_t *kase, const podd_case_facts_t *facts,
           const char *date)
{
    if (!podd_streq (rule->case_kind, kase->kind))
        return false;
    if (rule->min_age >= 0 || rule->max_age >= 0) {
        int age = s_age (facts->dob, date);
        if (age < 0 || (rule->min_age >= 0 && age < rule->min_age)
        ||  (rule->max_age >= 0 && age > rule->max_age))
            return false;
    }
    const char *condition = rule->condition;
    if (podd_streq (condition, "long-term") && !facts->long_term)
        return false;
    if (podd_streq (condition, "not-long-term") && facts->long_term)
        return false;
    if (podd_streq (condition, "family-and-friends") && !facts->family_friends)
        return false;
    if (podd_streq (condition, "not-family-and-friends") && facts->family_friends)
        return false;
    return true;
}

//  Qualified social work roles form a ladder: a senior practitioner may do
//  a social worker's standard, a team manager either. Other roles match
//  only themselves.
static bool
s_holds_role (const char *held, const char *wanted)
{
    static const char *const ladder [] = { "social-worker", "senior-practitioner", "team-manager" };
    int have = -1, want = -1;
    for (int i = 0; i < 3; i++) {
        if (podd_streq (held, ladder [i]))
            have = i;
        if (podd_streq (wanted, ladder [i]))
            want = i;
    }
    return podd_streq (held, wanted) || (have >= 0 && want >= 0 && have >= want);
}

//  A rule that names a role (e.g. the team manager allocates before panel)
//  gives its task to a present pod member holding that role: the lead or a
//  colleague who knows the case, else the one with the lowest open load
static int
s_route_to_role (podd_request_t *req, const podd_case_t *kase, const podd_rule_t *rule,
                 int64_t task_id, const podd_route_t *route)
{
    if (rule->role < 0)
        return 0;
    const char *role = podd_roles [rule->role];
    podd_member_t member;
    if (route->assignee_id && podd_store_member_by_id (req->store, route->assignee_id, &member) == 0
    &&  s_holds_role (member.role, role))
        return 0;
    int64_t ids [256], best = 0, best_load = -1;
    size_t count = podd_store_case_acquainted (req->store, kase->id, ids, 256);
    for (size_t i = 0; i < count && !best; i++)
        if (podd_store_member_by_id (req->store, ids [i], &member) == 0 && s_holds_role (member.role, role)
        &&  member.pod_id == kase->pod_id && !podd_store_member_absent (req->store, member.id, req->now))
            best = member.id;
    count = best? 0: podd_store_pod_member_ids (req->store, kase->pod_id, ids, 256);
    for (size_t i = 0; i < count; i++) {
        if (podd_store_member_by_id (req->store, ids [i], &member) || !s_holds_role (member.role, role)
        ||  podd_store_member_absent (req->store, member.id, req->now))
            continue;
        int64_t load = podd_store_member_open_load (req->store, member.id);
        if (best_load < 0 || load < best_load) {
            best = member.id;
            best_load = load;
        }
    }
    if (!best)
        return 0;           //  nobody with that role present: routing's choice stands
    char reason [160];
    snprintf (reason, sizeof reason, "standard %s is for a %s", rule->id, role);
    return podd_task_move (req, task_id, "offered", best, "routed", reason);
}

//  Create, route and report the task a rule asks for, counted from date
static int
s_create (podd_request_t *req, const podd_case_t *kase, const podd_rule_t *rule, const char *date,
          int64_t event_id, json_t *created)
{
    podd_kind_t *kind = podd_config_kind (req->config, rule->task_kind);
    int64_t due = podd_standards_due (req->standards, rule, s_anchor (date));
    int64_t id = podd_store_task_new (req->store, kase->id, rule->task_kind, rule->title, due,
                                      kind && kind->urgent? "urgent": "routine", req->actor->id, req->now);
    char reason [400];              //  id <= 64 and source <= 256 octets (standards.c)
    snprintf (reason, sizeof reason, "standard %s (%s)", rule->id, rule->source);
    if (id < 0 || podd_store_task_set_standard (req->store, id, rule->id, event_id)
    ||  podd_store_task_history_add (req->store, id, req->actor->id, "created", 0, reason, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot create the standard's task: %s",
                          podd_store_errmsg (req->store));
    podd_route_t route;
    if (podd_task_route (req, id, 0, &route) || s_route_to_role (req, kase, rule, id, &route))
        return -1;
    json_array_append_new (created, podd_store_task_json (req->store, id, false));
    return 0;
}

//  Fire every rule triggered by `trigger` (and after_rule for task-done)
static int
s_fire (podd_request_t *req, const podd_case_t *kase, const char *trigger, const char *after_rule,
        const char *date, int64_t event_id, json_t *created)
{
    if (!req->standards)
        return 0;
    podd_case_facts_t facts;
    if (podd_store_case_facts (req->store, kase->id, &facts))
        return podd_fail (req, PODP_INTERNAL, "case vanished");
    for (size_t i = 0; i < podd_standards_count (req->standards); i++) {
        podd_rule_t *rule = podd_standards_at (req->standards, i);
        if (!podd_streq (rule->trigger, trigger)
        ||  (after_rule && !podd_streq (rule->after_rule, after_rule))
        ||  !s_applies (rule, kase, &facts, date))
            continue;
        if (s_create (req, kase, rule, date, event_id, created))
            return -1;
    }
    return 0;
}

int
podd_op_case_event (podd_request_t *req)
{
    const char *type = podp_msg_string (req->msg, "type");
    const char *date = podp_msg_string (req->msg, "date");
    const char *dob = podp_msg_string (req->msg, "dob");
    int y, m, d;
    char today [PODD_DATE_LEN];
    podd_when_local_date (req->now, today);
    if (!podd_standards_known_trigger (type) || podd_streq (type, "task-done"))
        return podd_fail (req, PODP_INVALID, "field 'type': unknown event type '%s'", type);
    if (podd_when_parse_date (date, &y, &m, &d))
        return podd_fail (req, PODP_INVALID, "field 'date': use YYYY-MM-DD");
    //  A panel date is announced ahead; every other event has happened
    if (!podd_streq (type, "panel-date-set") && podd_when_date_cmp (date, today) > 0)
        return podd_fail (req, PODP_INVALID, "field 'date': %s is in the future", date);
    if (podd_streq (type, "panel-date-set") && !podd_when_due_sane (s_anchor (date), req->now))
        return podd_fail (req, PODP_INVALID, "field 'date': %s is more than a year in the past "
                          "or more than ten years ahead", date);
    if (dob && (podd_when_parse_date (dob, &y, &m, &d) || podd_when_date_cmp (dob, today) > 0))
        return podd_fail (req, PODP_INVALID, "field 'dob': not a past date YYYY-MM-DD");
    podd_case_t kase;
    podd_case_facts_t facts;
    if (podd_case_for_work (req, podp_msg_string (req->msg, "ref"), &kase))
        return -1;
    if (!kase.open)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is closed", kase.ref);
    podd_store_case_facts (req->store, kase.id, &facts);
    if (!podd_streq (type, "panel-date-set") && podd_when_date_cmp (date, facts.opened) < 0)
        return podd_fail (req, PODP_INVALID, "field 'date': %s is before the case was opened (%s)",
                          date, facts.opened);
    if ((dob && podd_store_case_set_dob (req->store, kase.id, dob))
    ||  (podd_streq (type, "placement-confirmed-long-term")
         && podd_store_case_set_flag (req->store, kase.id, "long-term", true))
    ||  (podp_msg_bool (req->msg, "family_and_friends", false)
         && podd_store_case_set_flag (req->store, kase.id, "family-and-friends", true)))
        return podd_fail (req, PODP_INTERNAL, "cannot record case facts");
    const char *note = podp_msg_string (req->msg, "note");
    int64_t event_id = podd_store_event_add (req->store, kase.id, type, date, note, req->actor->id,
                                             req->now);
    char text [PODP_STRING_MAX + 128];
    snprintf (text, sizeof text, "Event: %s%s%s", type, note? ". ": "", note? note: "");
    if (event_id < 0
    ||  podd_store_chronology_add (req->store, kase.id, date, "event", text, req->actor->id, req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot record event");
    json_t *created = json_array ();
    if (s_fire (req, &kase, type, NULL, date, event_id, created)
    ||  podd_audit (req, "case-event", kase.ref, type)) {
        json_decref (created);
        return -1;
    }
    return podd_ok (req, PODP_CREATED, json_pack ("{s:o s:o}", "event",
                    podd_store_event_json (req->store, event_id), "created", created));
}

int
podd_op_case_event_correct (podd_request_t *req)
{
    podd_event_t event;
    podd_case_t kase;
    podd_case_facts_t facts;
    const char *date = podp_msg_string (req->msg, "date");
    int64_t id = podp_msg_int (req->msg, "event", 0);
    int y, m, d;
    char today [PODD_DATE_LEN];
    podd_when_local_date (req->now, today);
    if (podd_when_parse_date (date, &y, &m, &d))
        return podd_fail (req, PODP_INVALID, "field 'date': use YYYY-MM-DD");
    if (podd_store_event_get (req->store, id, &event)
    ||  podd_store_case_by_id (req->store, event.case_id, &kase))
        return podd_fail (req, PODP_NOT_FOUND, "no event %lld", (long long) id);
    if (!podd_access_pod_allocate (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's manager, a senior practitioner or "
                          "the coordinator corrects events");
    podd_store_case_facts (req->store, kase.id, &facts);
    if (!podd_streq (event.type, "panel-date-set")
    &&  (podd_when_date_cmp (date, today) > 0 || podd_when_date_cmp (date, facts.opened) < 0))
        return podd_fail (req, PODP_INVALID, "field 'date': %s is in the future or before the case opened", date);
    if (podd_streq (event.type, "panel-date-set") && !podd_when_due_sane (s_anchor (date), req->now))
        return podd_fail (req, PODP_INVALID, "field 'date': %s is more than a year in the past "
                          "or more than ten years ahead", date);
    if (podd_store_event_set_date (req->store, id, date))
        return podd_fail (req, PODP_INTERNAL, "cannot correct event");
    int64_t tasks [EVENT_TASKS];
    size_t count = podd_store_tasks_of_event (req->store, id, tasks, EVENT_TASKS);
    json_t *recomputed = json_array ();
    for (size_t i = 0; i < count; i++) {
        char rule_id [128];
        int64_t event_id;
        podd_rule_t *rule = NULL;
        if (podd_store_task_standard (req->store, tasks [i], rule_id, sizeof rule_id, &event_id) == 0)
            rule = req->standards? podd_standards_rule (req->standards, rule_id): NULL;
        if (!rule)
            continue;
        int64_t due = podd_standards_due (req->standards, rule, s_anchor (date));
        char why [128], when [PODD_WHEN_LEN];
        snprintf (why, sizeof why, "event date corrected to %s: due %s", date, podd_when_format (due, when));
        if (podd_store_task_set_due (req->store, tasks [i], due, req->now)
        ||  podd_store_task_history_add (req->store, tasks [i], req->actor->id, "due recomputed", 0,
                                         why, req->now)) {
            json_decref (recomputed);
            return podd_fail (req, PODP_INTERNAL, "cannot recompute");
        }
        json_array_append_new (recomputed, podd_store_task_json (req->store, tasks [i], false));
    }
    char text [160];
    snprintf (text, sizeof text, "Event %s corrected: date %s (was %s)", event.type, date, event.date);
    if (podd_store_chronology_add (req->store, kase.id, date, "event", text, req->actor->id, req->now) < 0
    ||  podd_audit (req, "case-event-correct", kase.ref, text)) {
        json_decref (recomputed);
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot record correction");
    }
    return podd_ok (req, PODP_OK, json_pack ("{s:o s:o}", "event", podd_store_event_json (req->store, id),
                                             "recomputed", recomputed));
}

static const char *
s_unit_name (podd_unit_t unit, int amount)
{
    bool one = amount == 1;
    return unit == PODD_UNIT_DAYS? (one? "day": "days")
         : unit == PODD_UNIT_WEEKS? (one? "week": "weeks")
         : unit == PODD_UNIT_MONTHS? (one? "month": "months")
         : (one? "working-day": "working-days");
}

int
podd_op_standards_list (podd_request_t *req)
{
    json_t *items = json_array ();
    for (size_t i = 0; req->standards && i < podd_standards_count (req->standards); i++) {
        podd_rule_t *rule = podd_standards_at (req->standards, i);
        char timescale [48];
        snprintf (timescale, sizeof timescale, "%d %s", rule->amount, s_unit_name (rule->unit, rule->amount));
        json_array_append_new (items, json_pack ("{s:s s:s s:s s:s s:s s:s s:s s:b s:s s:s s:b}",
            "id", rule->id, "title", rule->title, "case_kind", rule->case_kind,
            "trigger", rule->trigger, "task_kind", rule->task_kind, "timescale", timescale,
            "counts", rule->before? "before": "after", "recurring", rule->recurring,
            "evidence", rule->evidence, "source", rule->source, "local_choice", rule->local_choice));
    }
    return podd_ok (req, PODP_OK, json_pack ("{s:o}", "items", items));
}

//  Tasks of a statutory kind (statutory = 1 in the kinds section) that no
//  standard is attached to: listed apart, never silently missing. With a
//  standard, only its task kind.
static void
s_report_unattached (podd_request_t *req, json_t *report, int64_t pod_id, int64_t member_id,
                     const char *standard, int64_t from, int64_t to)
{
    json_t *items = json_array ();
    podd_rule_t *rule = standard && req->standards? podd_standards_rule (req->standards, standard): NULL;
    for (size_t i = 0; i < podd_config_kind_count (req->config); i++) {
        podd_kind_t *kind = podd_config_kind_at (req->config, i);
        if (kind->statutory && (!rule || podd_streq (rule->task_kind, kind->name)))
            podd_store_compliance_unattached (req->store, pod_id, member_id, kind->name, from, to,
                                              req->now, items);
    }
    json_object_set_new (report, "unattached_tasks", items);
}

int
podd_op_report_compliance (podd_request_t *req)
{
    const char *pod_name = podp_msg_string (req->msg, "pod");
    const char *handle = podp_msg_string (req->msg, "member");
    const char *standard = podp_msg_string (req->msg, "standard");
    int64_t pod_id = podd_access_admin (req->actor) && !pod_name? 0: req->actor->pod_id;
    int64_t member_id = 0, from, to;
    if (pod_name) {
        podd_pod_t pod;
        if (podd_store_pod_by_name (req->store, pod_name, &pod))
            return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", pod_name);
        pod_id = pod.id;
    }
    if (pod_id? !podd_access_pod_read (req->actor, pod_id): !podd_access_admin (req->actor))
        return podd_fail (req, PODP_FORBIDDEN, "not your pod");
    if (handle) {
        podd_member_t member;
        if (podd_store_member_by_handle (req->store, handle, &member))
            return podd_fail (req, PODP_NOT_FOUND, "no member '%s'", handle);
        if (!podd_access_pod_read (req->actor, member.pod_id))
            return podd_fail (req, PODP_FORBIDDEN, "member '%s' is not in your pod", handle);
        member_id = member.id;
    }
    if (standard && (!req->standards || !podd_standards_rule (req->standards, standard)))
        return podd_fail (req, PODP_NOT_FOUND, "no standard '%s'", standard);
    const char *from_text = podp_msg_string (req->msg, "from");
    const char *to_text = podp_msg_string (req->msg, "to");
    from = req->now - YEAR;
    to = req->now + 14 * 86400;
    //  Whole days in Europe/London: to is the end of its day
    if ((from_text && podd_when_parse_from (from_text, &from)) || (to_text && podd_when_parse_to (to_text, &to)))
        return podd_fail (req, PODP_INVALID, "fields 'from'/'to': use YYYY-MM-DD");
    if (to <= from)
        return podd_fail (req, PODP_INVALID, "the period ends before it starts");
    json_t *report = podd_store_compliance (req->store, pod_id, member_id, standard, from, to, req->now);
    if (!report)
        return podd_fail (req, PODP_INTERNAL, "cannot count: %s", podd_store_errmsg (req->store));
    s_report_unattached (req, report, pod_id, member_id, standard, from, to);
    size_t index;
    json_t *row;
    json_array_foreach (json_object_get (report, "standards"), index, row) {
        podd_rule_t *rule = req->standards? podd_standards_rule (req->standards,
                                json_string_value (json_object_get (row, "standard"))): NULL;
        json_object_set_new (row, "title", json_string (rule? rule->title: ""));
        json_object_set_new (row, "source", json_string (rule? rule->source: ""));
    }
    char a [PODD_WHEN_LEN], b [PODD_WHEN_LEN], c [PODD_WHEN_LEN];
    json_object_set_new (report, "from", json_string (podd_when_format (from, a)));
    json_object_set_new (report, "to", json_string (podd_when_format (to, b)));
    json_object_set_new (report, "now", json_string (podd_when_format (req->now, c)));
    return podd_ok (req, PODP_OK, report);
}

int
podd_standards_check_done (podd_request_t *req, int64_t task_id, char *done_on)
{
    const char *date = podp_msg_string (req->msg, "date");
    char today [PODD_DATE_LEN];
    int y, m, d;
    podd_when_local_date (req->now, today);
    if (date && (podd_when_parse_date (date, &y, &m, &d) || podd_when_date_cmp (date, today) > 0))
        return podd_fail (req, PODP_INVALID, "field 'date': not a past date YYYY-MM-DD");
    snprintf (done_on, PODD_DATE_LEN, "%s", date? date: today);
    char rule_id [128];
    int64_t event_id;
    if (podd_store_task_standard (req->store, task_id, rule_id, sizeof rule_id, &event_id) || !*rule_id)
        return 0;
    podd_rule_t *rule = req->standards? podd_standards_rule (req->standards, rule_id): NULL;
    if (!rule)
        return 0;
    if (podd_streq (rule->evidence, "date") && !date)
        return podd_fail (req, PODP_INVALID, "standard %s asks for the date it was done (--date)", rule->id);
    if (podd_streq (rule->evidence, "reference") && !podp_msg_string (req->msg, "reference"))
        return podd_fail (req, PODP_INVALID, "standard %s asks for a reference (--reference)", rule->id);
    return 0;
}

//  Rules sharing a rule's trigger (and after-rule) that apply now
static int
s_fire_siblings (podd_request_t *req, const podd_case_t *kase, const podd_case_facts_t *facts,
                 const podd_rule_t *rule, const char *date, json_t *created)
{
    for (size_t i = 0; i < podd_standards_count (req->standards); i++) {
        podd_rule_t *sibling = podd_standards_at (req->standards, i);
        if (sibling == rule || !podd_streq (sibling->trigger, rule->trigger)
        ||  !(sibling->after_rule? podd_streq (sibling->after_rule, rule->after_rule): !rule->after_rule)
        ||  !s_applies (sibling, kase, facts, date))
            continue;
        if (s_create (req, kase, sibling, date, 0, created))
            return -1;
    }
    return 0;
}

int
podd_standards_after_done (podd_request_t *req, int64_t task_id, const char *done_on)
{
    if (podd_store_task_set_done_on (req->store, task_id, done_on))
        return podd_fail (req, PODP_INTERNAL, "cannot record the date");
    char rule_id [128];
    int64_t event_id;
    podd_task_t task;
    podd_case_t kase;
    if (podd_store_task_standard (req->store, task_id, rule_id, sizeof rule_id, &event_id)
    ||  !*rule_id || !req->standards
    ||  podd_store_task_get (req->store, task_id, &task)
    ||  podd_store_case_by_id (req->store, task.case_id, &kase) || !kase.open)
        return 0;
    podd_rule_t *rule = podd_standards_rule (req->standards, rule_id);
    podd_case_facts_t facts;
    if (podd_store_case_facts (req->store, kase.id, &facts))
        return podd_fail (req, PODP_INTERNAL, "case vanished");
    json_t *created = json_array ();
    int rc = 0;
    //  A recurring standard re-arms from the date it was actually done
    //  while it still applies; once it does not (the child turned 5, the
    //  placement became long-term) its siblings - rules with the same
    //  trigger - that apply now take over from the same date
    if (rule && rule->recurring) {
        if (s_applies (rule, &kase, &facts, done_on))
            rc = s_create (req, &kase, rule, done_on, 0, created);
        else
            rc = s_fire_siblings (req, &kase, &facts, rule, done_on, created);
    }
    if (rc == 0)
        rc = s_fire (req, &kase, "task-done", rule_id, done_on, 0, created);
    json_decref (created);
    return rc;
}

//  --------------------------------------------------------------------
//  Cancelling, rescheduling and attaching a standard's task by hand

int
podd_standards_check_cancel (podd_request_t *req, int64_t task_id, const char *reason)
{
    char rule_id [128];
    int64_t event_id;
    if (podd_store_task_standard (req->store, task_id, rule_id, sizeof rule_id, &event_id) || !*rule_id)
        return 0;
    if (!reason || !*reason)
        return podd_fail (req, PODP_INVALID, "field 'reason': task %lld is standard %s's: say why "
                          "it is cancelled (or have the team manager reschedule it)", (long long) task_id,
                          rule_id);
    return 0;
}

int
podd_standards_after_cancel (podd_request_t *req, int64_t task_id, const char *reason, json_t *reply)
{
    char rule_id [128];
    int64_t event_id;
    podd_task_t task;
    if (podd_store_task_standard (req->store, task_id, rule_id, sizeof rule_id, &event_id) || !*rule_id
    ||  podd_store_task_get (req->store, task_id, &task))
        return 0;
    podd_rule_t *rule = req->standards? podd_standards_rule (req->standards, rule_id): NULL;
    //  What will not be created now: the next task of a recurring rule,
    //  and the rules that follow this one's task being done
    char stops [512] = "";
    size_t used = 0;
    for (size_t i = 0; req->standards && i < podd_standards_count (req->standards); i++) {
        podd_rule_t *next = podd_standards_at (req->standards, i);
        if (podd_streq (next->trigger, "task-done") && podd_streq (next->after_rule, rule_id)
        &&  used < sizeof stops)
            used += snprintf (stops + used, sizeof stops - used, "%s%s", used? ", ": "", next->id);
    }
    bool chain = (rule && rule->recurring) || *stops;
    char note [1024];
    if (chain)
        snprintf (note, sizeof note, "the chain of standard %s stops here: %s%s%s will not be created "
                  "(rescheduling it instead keeps the chain going)", rule_id,
                  rule && rule->recurring? "its next task": "",
                  rule && rule->recurring && *stops? " and ": "", stops);
    else
        snprintf (note, sizeof note, "standard %s creates nothing after this task", rule_id);
    json_object_set_new (reply, "chain_stops", json_boolean (chain));
    json_object_set_new (reply, "note", json_string (note));
    //  Statutory work stopping belongs in the child's chronology
    char text [PODP_STRING_MAX + 1400];
    snprintf (text, sizeof text, "Task %lld (%s, standard %s) cancelled by %s: %s. %s",
              (long long) task_id, task.kind, rule_id, req->actor->handle, reason, note);
    if (podd_store_chronology_add (req->store, task.case_id, NULL, "event", text, req->actor->id,
                                   req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot record the cancellation");
    return 0;
}

int
podd_standards_check_attach (podd_request_t *req, const podd_case_t *kase, const char *kind,
                             const char *rule_id)
{
    if (!rule_id)
        return 0;
    podd_rule_t *rule = req->standards? podd_standards_rule (req->standards, rule_id): NULL;
    if (!rule)
        return podd_fail (req, PODP_INVALID, "field 'standard': no standard '%s'", rule_id);
    if (!podd_streq (rule->case_kind, kase->kind))
        return podd_fail (req, PODP_INVALID, "field 'standard': %s is for a %s case, '%s' is a %s case",
                          rule->id, rule->case_kind, kase->ref, kase->kind);
    if (!podd_streq (rule->task_kind, kind))
        return podd_fail (req, PODP_INVALID, "field 'standard': %s is done by a %s task, not %s",
                          rule->id, rule->task_kind, kind);
    return 0;
}

int
podd_standards_attach (podd_request_t *req, int64_t task_id, const char *rule_id)
{
    podd_rule_t *rule = podd_standards_rule (req->standards, rule_id);
    char reason [400];
    snprintf (reason, sizeof reason, "attached by hand to standard %s (%s)", rule->id, rule->source);
    if (podd_store_task_set_standard (req->store, task_id, rule->id, 0)
    ||  podd_store_task_history_add (req->store, task_id, req->actor->id, "standard", 0, reason,
                                     req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot attach the standard: %s",
                          podd_store_errmsg (req->store));
    return 0;
}
