/*  standardsops.c - practice standards at work. See standardsops.h. */
#include "standardsops.h"
#include "standards.h"
#include "access.h"
#include "caseops.h"
#include "taskops.h"
#include "when.h"
#include "reminders.h"

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

//  Long-term, for visits: the current placement is confirmed long-term and
//  its first year is over on date (a confirmation inside the first year
//  does not shorten first-year visiting)
static bool
s_long_term (const podd_case_facts_t *facts, const char *date)
{
    int y, m, d;
    if (!facts->long_term || podd_when_parse_date (facts->placed_on, &y, &m, &d))
        return false;
    char year_on [32];
    snprintf (year_on, sizeof year_on, "%04d-%02d-%02d", y + 1, m, m == 2 && d == 29? 28: d);
    return podd_when_date_cmp (date, year_on) >= 0;
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
    bool long_term = s_long_term (facts, date);
    if (podd_streq (condition, "long-term") && !long_term)
        return false;
    if (podd_streq (condition, "not-long-term") && long_term)
        return false;
    if (podd_streq (condition, "family-and-friends") && !facts->family_friends)
        return false;
    if (podd_streq (condition, "not-family-and-friends") && facts->family_friends)
        return false;
    if (podd_streq (condition, "looked-after") && !facts->looked_after)
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

//  Who a standard's task is created by: the member whose request fired it;
//  for the scheduler (an age reached) the pod's team manager, else the
//  case's lead, else any member of the pod; 0 when the pod has nobody
static int64_t
s_creator (podd_request_t *req, const podd_case_t *kase)
{
    if (req->actor->id)
        return req->actor->id;
    int64_t id = podd_store_pod_manager (req->store, kase->pod_id);
    if (!id && !(id = kase->lead_id) && podd_store_pod_member_ids (req->store, kase->pod_id, &id, 1) == 0)
        id = 0;
    return id;
}

//  Create, route and report the task a rule asks for, counted from date
static int
s_create (podd_request_t *req, const podd_case_t *kase, const podd_rule_t *rule, const char *date,
          int64_t event_id, int64_t placement_id, json_t *created)
{
    podd_kind_t *kind = podd_config_kind (req->config, rule->task_kind);
    int64_t due = podd_standards_due (req->standards, rule, s_anchor (date));
    int64_t creator = s_creator (req, kase);
    if (!creator) {
        zsys_warning ("podd: standard %s for case %s: the pod has no member to create it",
                      rule->id, kase->ref);
        return 0;
    }
    int64_t id = podd_store_task_new (req->store, kase->id, rule->task_kind, rule->title, due,
                                      kind && kind->urgent? "urgent": "routine", creator, req->now);
    char reason [400];              //  id <= 64 and source <= 256 octets (standards.c)
    snprintf (reason, sizeof reason, "standard %s (%s)", rule->id, rule->source);
    bool unknown = podd_standards_holidays_unknown (req->standards, rule, due);
    if (id < 0 || podd_store_task_set_standard (req->store, id, rule->id, event_id)
    ||  podd_store_task_set_placement (req->store, id, placement_id)
    ||  podd_store_task_set_anchor (req->store, id, date, unknown)
    ||  podd_store_task_history_add (req->store, id, req->actor->id, "created", 0, reason, req->now)
    ||  (unknown && podd_store_task_history_add (req->store, id, req->actor->id, "bank holidays unknown",
                                                0, "due date counted on weekdays only: the bank-holiday "
                                                "file ends before it", req->now)))
        return podd_fail (req, PODP_INTERNAL, "cannot create the standard's task: %s",
                          podd_store_errmsg (req->store));
    podd_route_t route;
    if (podd_task_route (req, id, 0, &route) || s_route_to_role (req, kase, rule, id, &route))
        return -1;
    json_t *task = podd_store_task_json (req->store, id, false);
    if (task && unknown)
        json_object_set_new (task, "holidays_unknown", json_true ());
    json_array_append_new (created, task);
    return 0;
}

//  A rule with while-open = "replace" fired again while its task is open:
//  the open task moves to the new due date (and event) instead of a second
//  one, with the reason in its history. 1 when it did, 0 none open, -1.
static int
s_replace (podd_request_t *req, const podd_case_t *kase, const podd_rule_t *rule, const char *trigger,
           const char *date, int64_t event_id, int64_t placement_id, json_t *replaced)
{
    int64_t ids [EVENT_TASKS];
    if (!rule->replace
    ||  podd_store_rule_open_tasks (req->store, kase->id, rule->id, -1, ids, EVENT_TASKS) == 0)
        return 0;
    podd_task_t task;
    if (podd_store_task_get (req->store, ids [0], &task))
        return podd_fail (req, PODP_INTERNAL, "task vanished");
    int64_t due = podd_standards_due (req->standards, rule, s_anchor (date));
    char why [256], was [PODD_WHEN_LEN], when [PODD_WHEN_LEN];
    snprintf (why, sizeof why, "replaced: the %s of %s replaces the earlier one, due %s (was %s)",
              trigger, date, podd_when_format (due, when), podd_when_format (task.due, was));
    if (podd_store_task_set_due (req->store, task.id, due, req->now)
    ||  podd_store_task_set_standard (req->store, task.id, rule->id, event_id)
    ||  podd_store_task_set_placement (req->store, task.id, placement_id)
    ||  podd_store_task_history_add (req->store, task.id, req->actor->id, "replaced", 0, why, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot replace the standard's task");
    if (podd_task_notify (req, task.id, task.assignee_id, why))
        return -1;
    json_array_append_new (replaced, podd_store_task_json (req->store, task.id, false));
    return 1;
}

//  Fire every rule triggered by `trigger` (its trigger or also-on; and
//  after_rule for task-done). Tasks belong to placement_id (0 none).
static int
s_fire (podd_request_t *req, const podd_case_t *kase, const char *trigger, const char *after_rule,
        const char *date, int64_t event_id, int64_t placement_id, json_t *created, json_t *replaced)
{
    if (!req->standards)
        return 0;
    podd_case_facts_t facts;
    if (podd_store_case_facts (req->store, kase->id, &facts))
        return podd_fail (req, PODP_INTERNAL, "case vanished");
    for (size_t i = 0; i < podd_standards_count (req->standards); i++) {
        podd_rule_t *rule = podd_standards_at (req->standards, i);
        if (!podd_standards_fires_on (rule, trigger)
        ||  (after_rule && !podd_streq (rule->after_rule, after_rule))
        ||  !s_applies (rule, kase, &facts, date)
        ||  (rule->once && podd_store_case_has_rule_task (req->store, kase->id, rule->id)))
            continue;
        int rc = s_replace (req, kase, rule, trigger, date, event_id, placement_id,
                            replaced? replaced: created);
        if (rc < 0 || (rc == 0 && s_create (req, kase, rule, date, event_id, placement_id, created)))
            return -1;
    }
    return 0;
}

//  An event that ends chains: the open tasks of every rule whose ends-on
//  names it (type, or type:outcome) are cancelled with the reason in their
//  history. scope: -1 every task of the case, 0 those of no placement, N
//  those of placement N (a carer household's tasks for one child).
static int
s_end (podd_request_t *req, const podd_case_t *kase, const char *type, const char *outcome,
       const char *date, int64_t scope, json_t *ended)
{
    for (size_t i = 0; req->standards && i < podd_standards_count (req->standards); i++) {
        podd_rule_t *rule = podd_standards_at (req->standards, i);
        if (!podd_streq (rule->case_kind, kase->kind) || !podd_standards_ends_on (rule, type, outcome))
            continue;
        int64_t ids [EVENT_TASKS];
        size_t count = podd_store_rule_open_tasks (req->store, kase->id, rule->id, scope, ids, EVENT_TASKS);
        for (size_t t = 0; t < count; t++) {
            podd_task_t task;
            char why [200];
            snprintf (why, sizeof why, "chain ended: %s%s%s of %s ends standard %s", type,
                      outcome && *outcome? " with outcome ": "", outcome? outcome: "", date, rule->id);
            if (podd_store_task_get (req->store, ids [t], &task)
            ||  podd_task_move (req, task.id, "cancelled", task.assignee_id, "ended", why)
            ||  podd_task_notify (req, task.id, task.assignee_id, why))
                return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot end the chain");
            json_array_append_new (ended, podd_store_task_json (req->store, task.id, false));
        }
    }
    return 0;
}

//  A rule with done-by = EVENT: the event stands for its task done. With
//  no task of the rule on the case (the work began elsewhere) what follows
//  the rule fires from the event's date; with one still open the reply
//  says to complete it (its completion starts what follows).
static int
s_done_by (podd_request_t *req, const podd_case_t *kase, const char *type, const char *date,
           int64_t event_id, int64_t placement_id, json_t *created, json_t *replaced,
           json_t *warnings)
{
    for (size_t i = 0; req->standards && i < podd_standards_count (req->standards); i++) {
        podd_rule_t *rule = podd_standards_at (req->standards, i);
        if (!podd_streq (rule->done_by, type) || !podd_streq (rule->case_kind, kase->kind))
            continue;
        int64_t ids [1];
        if (podd_store_rule_open_tasks (req->store, kase->id, rule->id, -1, ids, 1)) {
            char text [300];
            snprintf (text, sizeof text, "task %lld (%s) is still open: complete it with the date "
                      "it was held (podctl task done %lld --date %s) to start what follows it",
                      (long long) ids [0], rule->id, (long long) ids [0], date);
            json_array_append_new (warnings, json_string (text));
        }
        else
        if (podd_store_rule_task_count (req->store, kase->id, rule->id) == 0
        &&  s_fire (req, kase, "task-done", rule->id, date, event_id, placement_id, created, replaced))
            return -1;
    }
    return 0;
}

//  Placement confirmed long-term: an open task of a recurring rule that no
//  longer applies (6-weekly visits once the first year is over) goes to
//  its sibling that does, counted from the date the last one was done in
//  this placement, not from the confirmation
static int
s_recount (podd_request_t *req, const podd_case_t *kase, const char *date, json_t *replaced)
{
    podd_case_facts_t facts;
    if (podd_store_case_facts (req->store, kase->id, &facts))
        return podd_fail (req, PODP_INTERNAL, "case vanished");
    for (size_t i = 0; req->standards && i < podd_standards_count (req->standards); i++) {
        podd_rule_t *rule = podd_standards_at (req->standards, i);
        if (!rule->recurring || !rule->condition || s_applies (rule, kase, &facts, date)
        ||  !podd_streq (rule->case_kind, kase->kind))
            continue;
        podd_rule_t *sibling = NULL;
        for (size_t j = 0; j < podd_standards_count (req->standards) && !sibling; j++) {
            podd_rule_t *other = podd_standards_at (req->standards, j);
            if (other != rule && podd_streq (other->trigger, rule->trigger)
            &&  (other->after_rule? podd_streq (other->after_rule, rule->after_rule): !rule->after_rule)
            &&  s_applies (other, kase, &facts, date))
                sibling = other;
        }
        int64_t ids [EVENT_TASKS];
        size_t count = sibling? podd_store_rule_open_tasks (req->store, kase->id, rule->id, -1,
                                                            ids, EVENT_TASKS): 0;
        const char *const rules [3] = { rule->id, sibling? sibling->id: NULL, rule->after_rule };
        char last [PODD_DATE_LEN];
        if (!count || podd_store_rules_last_done (req->store, kase->id, rules, facts.placed_on, last)
        ||  !*last)
            continue;
        int64_t due = podd_standards_due (req->standards, sibling, s_anchor (last));
        for (size_t t = 0; t < count; t++) {
            char why [300], when [PODD_WHEN_LEN];
            snprintf (why, sizeof why, "standard %s now: %s, counted from the last one done (%s), "
                      "due %s", sibling->id, rule->condition && podd_streq (sibling->condition, "long-term")
                      ? "the placement is long-term and its first year is over": "conditions changed",
                      last, podd_when_format (due, when));
            podd_task_t task;
            if (podd_store_task_get (req->store, ids [t], &task)
            ||  podd_store_task_set_rule (req->store, task.id, sibling->id, sibling->title, req->now)
            ||  podd_store_task_set_due (req->store, task.id, due, req->now)
            ||  podd_store_task_history_add (req->store, task.id, req->actor->id, "replaced", 0, why,
                                             req->now))
                return podd_fail (req, PODP_INTERNAL, "cannot recount the standard's task");
            if (podd_task_notify (req, task.id, task.assignee_id, why))
                return -1;
            json_array_append_new (replaced, podd_store_task_json (req->store, task.id, false));
        }
    }
    return 0;
}

//  What one event does to one case: end chains, keep the placements, fire
typedef struct {
    const char *type;
    const char *outcome;        //  "" none
    const char *date;
    int64_t event_id;
    json_t *created, *ended, *replaced, *warnings;
} s_event_t;

//  The event mirrored on the carer household's case linked by placement P
static int
s_mirror (podd_request_t *req, const podd_case_t *child, int64_t carer_id, int64_t placement_id,
          const char *type, s_event_t *ev)
{
    podd_case_t carer;
    if (podd_store_case_by_id (req->store, carer_id, &carer) || !carer.open)
        return 0;               //  the household's case closed since: nothing to mirror
    char note [160], text [200];
    snprintf (note, sizeof note, "child %s (linked placement)", child->ref);
    int64_t event_id = podd_store_event_add (req->store, carer.id, type, ev->date, note,
                                             req->actor->id, req->now);
    snprintf (text, sizeof text, "Event: %s. %s", type, note);
    if (event_id < 0
    ||  podd_store_chronology_add (req->store, carer.id, ev->date, "event", text, req->actor->id,
                                   req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot record the linked event");
    if (s_end (req, &carer, type, "", ev->date, placement_id, ev->ended)
    ||  s_fire (req, &carer, type, NULL, ev->date, event_id, placement_id, ev->created, ev->replaced)
    ||  podd_audit (req, "case-event", carer.ref, type))
        return -1;
    return 0;
}

//  A child's placements: child-placed starts one (ending the one before),
//  placement-ended, ceased-looked-after and case-closed end it; the linked
//  carer household's case hears of each (and of placement difficulties)
static int
s_placements (podd_request_t *req, const podd_case_t *kase, int64_t carer_id, s_event_t *ev,
              int64_t *placement_id)
{
    podd_case_facts_t facts;
    if (podd_store_case_facts (req->store, kase->id, &facts))
        return podd_fail (req, PODP_INTERNAL, "case vanished");
    *placement_id = facts.placement_id;
    if (!podd_streq (kase->kind, "child"))
        return 0;
    bool starts = podd_streq (ev->type, "child-placed");
    bool ends = starts || podd_streq (ev->type, "placement-ended")
             || podd_streq (ev->type, "ceased-looked-after") || podd_streq (ev->type, "case-closed");
    if (podd_streq (ev->type, "placement-confirmed-long-term"))
        return podd_store_placement_set_long_term (req->store, facts.placement_id, ev->date)
             ? podd_fail (req, PODP_INTERNAL, "cannot record long-term"): 0;
    if (podd_streq (ev->type, "placement-difficulty") && facts.carer_id)
        return s_mirror (req, kase, facts.carer_id, facts.placement_id, ev->type, ev);
    if (ends && facts.placement_id) {
        if (podd_store_placement_end (req->store, facts.placement_id, ev->date))
            return podd_fail (req, PODP_INTERNAL, "cannot end the placement");
        if (facts.carer_id
        &&  s_mirror (req, kase, facts.carer_id, facts.placement_id, "placement-ended", ev))
            return -1;
        *placement_id = 0;
    }
    if (starts) {
        *placement_id = podd_store_placement_start (req->store, kase->id, carer_id, ev->date,
                                                    ev->event_id);
        if (*placement_id < 0)
            return podd_fail (req, PODP_INTERNAL, "cannot record the placement");
        if (carer_id && s_mirror (req, kase, carer_id, *placement_id, ev->type, ev))
            return -1;
    }
    return 0;
}

//  Apply an event to its case: end chains (the case's own tasks), keep
//  the placements, fire (nothing for the outcome "nfa": no further
//  action), and what done-by and long-term confirmation change
static int
s_apply (podd_request_t *req, const podd_case_t *kase, int64_t carer_id, s_event_t *ev)
{
    int64_t placement_id = 0;
    if (s_end (req, kase, ev->type, ev->outcome, ev->date, -1, ev->ended)
    ||  s_placements (req, kase, carer_id, ev, &placement_id))
        return -1;
    if (podd_streq (ev->outcome, "nfa"))
        return 0;
    if (s_fire (req, kase, ev->type, NULL, ev->date, ev->event_id, placement_id, ev->created,
                ev->replaced)
    ||  s_done_by (req, kase, ev->type, ev->date, ev->event_id, placement_id, ev->created,
                   ev->replaced, ev->warnings))
        return -1;
    if (podd_streq (ev->type, "placement-confirmed-long-term"))
        return s_recount (req, kase, ev->date, ev->replaced);
    return 0;
}

int
podd_standards_case_closed (podd_request_t *req, const podd_case_t *kase, json_t *ended)
{
    char today [PODD_DATE_LEN];
    podd_when_local_date (req->now, today);
    json_t *created = json_array (), *replaced = json_array (), *warnings = json_array ();
    s_event_t ev = { "case-closed", "", today, 0, created, ended, replaced, warnings };
    int rc = s_apply (req, kase, 0, &ev);
    json_decref (created);
    json_decref (replaced);
    json_decref (warnings);
    return rc;
}

//  --------------------------------------------------------------------
//  Age triggers: a rule of trigger "age" fires once for a child, when the
//  child reaches its at-age and the rule applies (e.g. looked after). The
//  case keeps the next such moment (cases.age_due, indexed), so the
//  scheduler has one timer for the earliest over every case.

#define AGE_BATCH 256

//  00:00 London at the start of a date: the moment an age rule falls due
static int64_t
s_day_start (const char *date)
{
    return podd_when_local_day_at (s_anchor (date), 0, 0);
}

//  The later of two dates ("" counts as none)
static const char *
s_later (const char *a, const char *b)
{
    return *b && podd_when_date_cmp (b, a) > 0? b: a;
}

//  Fire each age rule the child has reached by today and that applies
//  now, counted from the latest of: the day the child reached the age,
//  the day the case was opened and, for rules for looked-after children,
//  the day the child became looked after. Then keep the case's next age
//  moment (none for a closed case or one without a date of birth).
static int
s_age_catch_up (podd_request_t *req, const podd_case_t *kase, json_t *created)
{
    podd_case_facts_t facts;
    int64_t next = 0;
    char today [PODD_DATE_LEN];
    podd_when_local_date (req->now, today);
    bool live = req->standards && kase->open && podd_streq (kase->kind, "child");
    if (live && podd_store_case_facts (req->store, kase->id, &facts))
        return podd_fail (req, PODP_INTERNAL, "case vanished");
    for (size_t i = 0; live && *facts.dob && i < podd_standards_count (req->standards); i++) {
        podd_rule_t *rule = podd_standards_at (req->standards, i);
        char reached [PODD_DATE_LEN];
        if (rule->at_age_months < 0 || !podd_streq (rule->case_kind, "child")
        ||  podd_standards_age_date (rule, facts.dob, reached)
        ||  podd_store_case_has_rule_task (req->store, kase->id, rule->id))
            continue;
        if (podd_when_date_cmp (reached, today) > 0) {
            int64_t at = s_day_start (reached);
            if (!next || at < next)
                next = at;
            continue;
        }
        const char *from = s_later (s_later (reached, facts.opened),
                                    podd_streq (rule->condition, "looked-after")
                                    ? facts.looked_after_since: "");
        if (s_applies (rule, kase, &facts, from) && s_create (req, kase, rule, from, 0, 0, created))
            return -1;
    }
    if (podd_store_case_set_age_due (req->store, kase->id, next))
        return podd_fail (req, PODP_INTERNAL, "cannot arm the age standards");
    return 0;
}

int
podd_standards_age_run_due (podd_request_t *req)
{
    int64_t ids [AGE_BATCH];
    size_t count = podd_store_cases_age_due (req->store, req->now, ids, AGE_BATCH);
    json_t *created = json_array ();
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        podd_case_t kase;
        if (podd_store_case_by_id (req->store, ids [i], &kase))
            rc = podd_store_case_set_age_due (req->store, ids [i], 0);
        else
            rc = s_age_catch_up (req, &kase, created);
    }
    json_decref (created);
    return rc? (req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot run the age standards")): 0;
}

int64_t
podd_standards_age_next_due (podd_store_t *store)
{
    return podd_store_cases_age_next (store);
}

int
podd_standards_age_rearm_all (podd_request_t *req)
{
    int64_t ids [AGE_BATCH], after = 0;
    json_t *created = json_array ();
    int rc = 0;
    size_t count;
    while (rc == 0 && (count = podd_store_cases_with_dob (req->store, after, ids, AGE_BATCH)) > 0) {
        for (size_t i = 0; i < count && rc == 0; i++) {
            podd_case_t kase;
            if (podd_store_case_by_id (req->store, ids [i], &kase) == 0)
                rc = s_age_catch_up (req, &kase, created);
        }
        after = ids [count - 1];
    }
    json_decref (created);
    return rc;
}

//  The age-dependent rules for child cases, comma-separated
static void
s_age_rules (podd_standards_t *standards, char *buf, size_t size)
{
    size_t out = 0;
    buf [0] = 0;
    for (size_t i = 0; i < podd_standards_count (standards) && out < size; i++) {
        podd_rule_t *rule = podd_standards_at (standards, i);
        if (podd_streq (rule->case_kind, "child") && (rule->min_age >= 0 || rule->at_age_months >= 0))
            out += snprintf (buf + out, size - out, "%s%s", out? ", ": "", rule->id);
    }
}

int
podd_standards_note (podd_request_t *req, const podd_case_t *kase, const char *kind,
                     const char *date, const char *text, json_t *created)
{
    if (!podd_streq (kind, "concern") || !req->standards)
        return 0;
    int64_t event_id = podd_store_event_add (req->store, kase->id, "concern", date, text,
                                             req->actor->id, req->now);
    if (event_id < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot record the concern");
    return s_fire (req, kase, "concern", NULL, date, event_id, 0, created, NULL);
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
    if (!podd_standards_known_trigger (type) || podd_streq (type, "task-done")
    ||  podd_streq (type, "age"))
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
    //  Chains: a strategy discussion's outcome; a placement with its carers
    const char *outcome = podp_msg_string (req->msg, "outcome");
    const char *carer_ref = podp_msg_string (req->msg, "carer");
    if (outcome && !podd_streq (type, "strategy-discussion"))
        return podd_fail (req, PODP_INVALID, "field 'outcome': only a strategy-discussion has an outcome");
    if (outcome && !podd_standards_known_outcome (outcome))
        return podd_fail (req, PODP_INVALID, "field 'outcome': nfa (no further action) or s47 "
                          "(section 47 enquiry), not '%s'", outcome);
    if (carer_ref && !podd_streq (type, "child-placed"))
        return podd_fail (req, PODP_INVALID, "field 'carer': only a child-placed event names the carers");
    podd_case_t kase, carer = { 0 };
    podd_case_facts_t facts;
    if (podd_case_for_work (req, podp_msg_string (req->msg, "ref"), &kase))
        return -1;
    if (!kase.open)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is closed", kase.ref);
    if (carer_ref && !podd_streq (kase.kind, "child"))
        return podd_fail (req, PODP_INVALID, "field 'carer': '%s' is not a child's case", kase.ref);
    if (carer_ref && podd_case_for_work (req, carer_ref, &carer))
        return -1;
    if (carer_ref && (!podd_streq (carer.kind, "carer-household") || !carer.open))
        return podd_fail (req, carer.open? PODP_INVALID: PODP_CONFLICT, "field 'carer': '%s' is %s",
                          carer.ref, carer.open? "not a carer household's case": "closed");
    podd_store_case_facts (req->store, kase.id, &facts);
    if (podd_streq (type, "placement-confirmed-long-term")
    &&  (!podd_streq (kase.kind, "child") || !facts.placement_id))
        return podd_fail (req, PODP_CONFLICT, "case '%s' has no current placement: record "
                          "child-placed first (long-term status belongs to a placement)", kase.ref);
    if (facts.placement_id && podd_when_date_cmp (date, facts.placed_on) < 0
    &&  (podd_streq (type, "child-placed") || podd_streq (type, "placement-ended")
         || podd_streq (type, "placement-confirmed-long-term")))
        return podd_fail (req, PODP_INVALID, "field 'date': %s is before the current placement "
                          "started (%s)", date, facts.placed_on);
    if (!podd_streq (type, "panel-date-set") && podd_when_date_cmp (date, facts.opened) < 0)
        return podd_fail (req, PODP_INVALID, "field 'date': %s is before the case was opened (%s)",
                          date, facts.opened);
    if ((dob && podd_store_case_set_dob (req->store, kase.id, dob))
    ||  (podp_msg_bool (req->msg, "family_and_friends", false)
         && podd_store_case_set_flag (req->store, kase.id, "family-and-friends", true)))
        return podd_fail (req, PODP_INTERNAL, "cannot record case facts");
    const char *note = podp_msg_string (req->msg, "note");
    int64_t event_id = podd_store_event_add (req->store, kase.id, type, date, note, req->actor->id,
                                             req->now);
    char text [PODP_STRING_MAX + 128];
    snprintf (text, sizeof text, "Event: %s%s%s%s%s%s%s", type, carer.id? " with the carers of ": "",
              carer.id? carer.ref: "", outcome? ", outcome ": "", outcome? outcome: "",
              note? ". ": "", note? note: "");
    if (event_id < 0 || (outcome && podd_store_event_set_outcome (req->store, event_id, outcome))
    ||  podd_store_chronology_add (req->store, kase.id, date, "event", text, req->actor->id, req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot record event");
    s_event_t ev = { type, outcome? outcome: "", date, event_id, json_array (), json_array (),
                     json_array (), json_array () };
    if (s_apply (req, &kase, carer.id, &ev)
    ||  s_age_catch_up (req, &kase, ev.created)
    ||  podd_audit (req, "case-event", kase.ref, type)) {
        json_decref (ev.created);
        json_decref (ev.ended);
        json_decref (ev.replaced);
        json_decref (ev.warnings);
        return -1;
    }
    //  A child's case without a date of birth: the age-dependent standards
    //  cannot apply, so say so rather than stay silent
    if (podd_streq (kase.kind, "child") && !dob && !*facts.dob
    &&  podd_standards_age_dependent (req->standards)) {
        char rules [512], warning [700];
        s_age_rules (req->standards, rules, sizeof rules);
        snprintf (warning, sizeof warning, "case %s has no date of birth: the standards that depend "
                  "on the child's age (%s) cannot apply until it is recorded (--dob)", kase.ref, rules);
        json_array_append_new (ev.warnings, json_string (warning));
    }
    json_t *event = podd_store_event_json (req->store, event_id);
    if (outcome)
        json_object_set_new (event, "outcome", json_string (outcome));
    if (carer.id)
        json_object_set_new (event, "carer", json_string (carer.ref));
    return podd_ok (req, PODP_CREATED, json_pack ("{s:o s:o s:o s:o s:o}", "event", event,
                    "created", ev.created, "ended", ev.ended, "replaced", ev.replaced,
                    "warnings", ev.warnings));
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
    if (podd_store_event_set_date (req->store, id, date)
    ||  podd_store_placement_set_start (req->store, id, date))
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
        ||  podd_store_task_set_anchor (req->store, tasks [i], date,
                                        podd_standards_holidays_unknown (req->standards, rule, due))
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
        json_t *item = json_pack ("{s:s s:s s:s s:s s:s s:s s:s s:b s:s s:s s:b}",
            "id", rule->id, "title", rule->title, "case_kind", rule->case_kind,
            "trigger", rule->trigger, "task_kind", rule->task_kind, "timescale", timescale,
            "counts", rule->before? "before": "after", "recurring", rule->recurring,
            "evidence", rule->evidence, "source", rule->source, "local_choice", rule->local_choice);
        json_object_set_new (item, "ends_on", rule->ends_on? json_string (rule->ends_on): json_null ());
        json_array_append_new (items, item);
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
    //  Missing data: open child cases without a date of birth, when rules
    //  depend on the child's age (they cannot apply to those children)
    if (podd_standards_age_dependent (req->standards)) {
        json_t *refs = podd_store_cases_no_dob (req->store, pod_id), *missing = json_array ();
        json_t *ref;
        json_array_foreach (refs, index, ref)
            json_array_append_new (missing, json_pack ("{s:O s:s}", "case", ref,
                                                       "missing", "date of birth"));
        json_decref (refs);
        json_object_set_new (report, "missing_data", missing);
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
    //  Done before the event that started its clock: a typing error
    char anchor [PODD_DATE_LEN];
    bool unknown;
    if (!rule->before && podd_store_task_anchor (req->store, task_id, anchor, &unknown) == 0
    &&  *anchor && podd_when_date_cmp (done_on, anchor) < 0)
        return podd_fail (req, PODP_INVALID, "field 'date': %s is before %s, the date standard %s "
                          "counts from", done_on, anchor, rule->id);
    if (podd_streq (rule->evidence, "reference") && !podp_msg_string (req->msg, "reference"))
        return podd_fail (req, PODP_INVALID, "standard %s asks for a reference (--reference)", rule->id);
    return 0;
}

//  Rules sharing a rule's trigger (and after-rule) that apply now
static int
s_fire_siblings (podd_request_t *req, const podd_case_t *kase, const podd_case_facts_t *facts,
                 const podd_rule_t *rule, const char *date, int64_t placement_id, json_t *created)
{
    for (size_t i = 0; i < podd_standards_count (req->standards); i++) {
        podd_rule_t *sibling = podd_standards_at (req->standards, i);
        if (sibling == rule || !podd_streq (sibling->trigger, rule->trigger)
        ||  !(sibling->after_rule? podd_streq (sibling->after_rule, rule->after_rule): !rule->after_rule)
        ||  !s_applies (sibling, kase, facts, date))
            continue;
        if (s_create (req, kase, sibling, date, 0, placement_id, created))
            return -1;
    }
    return 0;
}

//  A rule that resets another's clock (an early review, the annual
//  review): the open tasks of that rule count afresh from the date done
static int
s_reset_clock (podd_request_t *req, const podd_case_t *kase, const podd_rule_t *rule,
               const char *done_on)
{
    podd_rule_t *reset = podd_standards_rule (req->standards, rule->resets);
    int64_t ids [EVENT_TASKS];
    size_t count = reset? podd_store_case_rule_open_tasks (req->store, kase->id, reset->id, ids,
                                                            EVENT_TASKS): 0;
    for (size_t i = 0; i < count; i++) {
        int64_t due = podd_standards_due (req->standards, reset, s_anchor (done_on));
        char why [200], when [PODD_WHEN_LEN];
        snprintf (why, sizeof why, "%s done on %s: the clock starts again, due %s", rule->id, done_on,
                  podd_when_format (due, when));
        if (podd_store_task_set_due (req->store, ids [i], due, req->now)
        ||  podd_store_task_set_anchor (req->store, ids [i], done_on,
                                        podd_standards_holidays_unknown (req->standards, reset, due))
        ||  podd_store_task_history_add (req->store, ids [i], req->actor->id, "due recomputed", 0,
                                         why, req->now))
            return podd_fail (req, PODP_INTERNAL, "cannot reset the clock");
        if (podd_reminders_arm (req, ids [i]))
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
    int64_t placement_id = podd_store_task_placement (req->store, task_id);
    //  A recurring standard re-arms from the date it was actually done
    //  while it still applies; once it does not (the child turned 5, the
    //  placement became long-term) its siblings - rules with the same
    //  trigger - that apply now take over from the same date
    if (rule && rule->recurring) {
        if (s_applies (rule, &kase, &facts, done_on))
            rc = s_create (req, &kase, rule, done_on, 0, placement_id, created);
        else
            rc = s_fire_siblings (req, &kase, &facts, rule, done_on, placement_id, created);
    }
    if (rc == 0)
        rc = s_fire (req, &kase, "task-done", rule_id, done_on, 0, placement_id, created, NULL);
    if (rc == 0 && rule && rule->resets)
        rc = s_reset_clock (req, &kase, rule, done_on);
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
