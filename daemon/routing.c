/*  routing.c - who gets a task, and why. See routing.h. */
#include "routing.h"
#include "request.h"
#include "when.h"
#include "continuity.h"
#include <stdio.h>
#include <string.h>

#define POD_MAX 256
#define WEEK_DAYS 7
#define SCAN_DAYS 31            /* a pattern repeats weekly: a month is plenty */

bool
podd_route_works_between (const podd_member_t *member, int64_t from, int64_t to)
{
    int days = podd_pattern_days (member->pattern);
    if (days <= 0)
        days = 0x1f;                            //  mon-fri by default
    int span = 0;
    int64_t day = podd_when_local_day_at (from, 0, 12);
    int64_t last = podd_when_local_day_at (to, 0, 12);
    if (last < day)
        last = podd_when_local_day_at (from, WEEK_DAYS - 1, 12);
    for (; day <= last && span < SCAN_DAYS; day = podd_when_local_day_at (day, 1, 12), span++)
        if (days & (1 << podd_when_local_weekday (day)))
            return true;
    return false;
}

bool
podd_route_role_allowed (podd_config_t *config, const char *kind, const podd_member_t *member)
{
    podd_kind_t *k = podd_config_kind (config, kind);
    int role = podd_role_index (member->role);
    return k && member->active && role >= 0 && (k->roles & (1u << role));
}

//  A candidate: role allowed, present, not excluded, never declined it.
static bool
s_eligible (podd_store_t *store, podd_config_t *config, const podd_task_t *task,
            const podd_case_t *kase, int64_t member_id, int64_t exclude_id, int64_t now,
            podd_member_t *member)
{
    return member_id != 0
        && member_id != exclude_id
        && podd_store_member_by_id (store, member_id, member) == 0
        && member->pod_id == kase->pod_id
        && podd_route_role_allowed (config, task->kind, member)
        && !podd_store_member_absent (store, member_id, now)
        && !podd_store_task_declined_by (store, task->id, member_id)
        && podd_route_works_between (member, now, task->due? task->due: now);
}

static void
s_choose (podd_route_t *route, const podd_member_t *member, const char *format, const char *arg)
{
    route->assignee_id = member->id;
    snprintf (route->reason, sizeof route->reason, format, arg);
}

//  The lead, or the lead's cover while the lead is away.
static bool
s_route_lead (podd_store_t *store, podd_config_t *config, const podd_task_t *task,
              const podd_case_t *kase, int64_t exclude_id, int64_t now, podd_route_t *route)
{
    podd_member_t member;
    if (!kase->lead_id)
        return false;
    if (s_eligible (store, config, task, kase, kase->lead_id, exclude_id, now, &member)) {
        s_choose (route, &member, "lead worker%s", "");
        return true;
    }
    if (!podd_store_member_absent (store, kase->lead_id, now))
        return false;
    int64_t cover = podd_store_cover_for (store, kase->id, kase->lead_id, now);
    if (s_eligible (store, config, task, kase, cover, exclude_id, now, &member)) {
        s_choose (route, &member, "lead on leave, covered by %s", member.handle);
        route->covered_for = kase->lead_id;
        return true;
    }
    return false;
}

//  A colleague who knows the case: co-workers first, then recent contact.
static bool
s_route_acquainted (podd_store_t *store, podd_config_t *config, const podd_task_t *task,
                    const podd_case_t *kase, int64_t exclude_id, int64_t now,
                    podd_route_t *route)
{
    int64_t ids [POD_MAX];
    char contact [POD_MAX][PODD_DATE_LEN];
    size_t count = podd_continuity_known (store, kase->id, now, ids, contact, POD_MAX);
    for (size_t i = 0; i < count; i++) {
        podd_member_t member;
        if (s_eligible (store, config, task, kase, ids [i], exclude_id, now, &member)) {
            bool coworker = podd_store_case_is_coworker (store, kase->id, member.id);
            s_choose (route, &member, "%s", coworker? "co-worker who knows the case"
                                                    : "knows the case (most recent contact)");
            if (contact [i][0])
                snprintf (route->reason, sizeof route->reason, "%s, most recent contact with the family %s",
                          coworker? "co-worker who knows the case": "knows the case", contact [i]);
            return true;
        }
    }
    return false;
}

//  The allowed pod member with the lowest open load.
static bool
s_route_lowest_load (podd_store_t *store, podd_config_t *config, const podd_task_t *task,
                     const podd_case_t *kase, int64_t exclude_id, int64_t now,
                     podd_route_t *route)
{
    int64_t ids [POD_MAX];
    size_t count = podd_store_pod_member_ids (store, kase->pod_id, ids, POD_MAX);
    int64_t best_load = -1;
    podd_member_t best, member;
    for (size_t i = 0; i < count; i++) {
        //  The team manager is the last resort (s_route_manager), not a load
        if (!s_eligible (store, config, task, kase, ids [i], exclude_id, now, &member)
        ||  podd_streq (member.role, "team-manager"))
            continue;
        int64_t load = podd_store_member_open_load (store, member.id);
        if (best_load < 0 || load < best_load) {
            best_load = load;
            best = member;
        }
    }
    if (best_load < 0)
        return false;
    route->assignee_id = best.id;
    snprintf (route->reason, sizeof route->reason,
              "lowest open load (%lld) among allowed roles", (long long) best_load);
    return true;
}

//  Last resort: the team manager, whatever the kind's roles.
static bool
s_route_manager (podd_store_t *store, const podd_task_t *task, const podd_case_t *kase,
                 int64_t exclude_id, int64_t now, podd_route_t *route)
{
    int64_t manager = podd_store_pod_manager (store, kase->pod_id);
    if (!manager || manager == exclude_id
    ||  podd_store_task_declined_by (store, task->id, manager)
    ||  podd_store_member_absent (store, manager, now))
        return false;
    route->assignee_id = manager;
    snprintf (route->reason, sizeof route->reason, "no allowed role free, escalated to TM");
    return true;
}

//  Who is away, for the reason: "dev.sw (lead) away, femi.sw (cover) away",
//  or "dev.sw (lead) away, gwen.sw (holding it) away"
static void
s_who_is_away (podd_store_t *store, const podd_task_t *task, const podd_case_t *kase, int64_t now,
               char *text, size_t size)
{
    podd_member_t lead, other;
    text [0] = 0;
    if (!kase->lead_id || !podd_store_member_absent (store, kase->lead_id, now)
    ||  podd_store_member_by_id (store, kase->lead_id, &lead))
        return;
    int64_t cover_id = podd_store_cover_for (store, kase->id, kase->lead_id, now);
    if (cover_id && podd_store_member_absent (store, cover_id, now)
    &&  podd_store_member_by_id (store, cover_id, &other) == 0)
        snprintf (text, size, "%s (lead) away, %s (cover) away", lead.handle, other.handle);
    else
    if (task->assignee_id && task->assignee_id != kase->lead_id
    &&  podd_store_member_absent (store, task->assignee_id, now)
    &&  podd_store_member_by_id (store, task->assignee_id, &other) == 0)
        snprintf (text, size, "%s (lead) away, %s (holding it) away", lead.handle, other.handle);
    else
        snprintf (text, size, "%s away", lead.handle);
}

void
podd_route (podd_store_t *store, podd_config_t *config, const podd_task_t *task,
            const podd_case_t *kase, int64_t exclude_id, int64_t now, podd_route_t *route)
{
    route->assignee_id = 0;
    route->covered_for = 0;
    route->reason [0] = 0;
    if (s_route_lead (store, config, task, kase, exclude_id, now, route)
    ||  s_route_acquainted (store, config, task, kase, exclude_id, now, route)
    ||  s_route_lowest_load (store, config, task, kase, exclude_id, now, route)
    ||  s_route_manager (store, task, kase, exclude_id, now, route)) {
        char away [160];
        s_who_is_away (store, task, kase, now, away, sizeof away);
        if (*away) {
            char reason [sizeof route->reason + sizeof away + 2];
            snprintf (reason, sizeof reason, "%s: %s", away, route->reason);
            snprintf (route->reason, sizeof route->reason, "%.*s", (int) sizeof route->reason - 1, reason);
        }
        return;
    }
    snprintf (route->reason, sizeof route->reason,
              "nobody left in the pod to take it (all declined or away)");
}
