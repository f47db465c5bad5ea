/*  routing.h - who gets a task, and why.

    Owns: the routing policy, in one function. In order: the case's lead
    worker if their role may do the kind and they are available; else the
    lead's cover while they are away; else a pod colleague who knows the
    case (the most recent contact with the family first, then co-workers:
    continuity.c) with an allowed role, the reason naming the contact; else the allowed pod member with the lowest open load; else the
    team manager. Nobody who declined the task is chosen again, and nobody
    who works on no day between now and the task's due date. The reason
    for every decision is returned for the task history, and names who is
    away when the lead (or the lead's cover) is.
*/
#ifndef PODD_ROUTING_H_INCLUDED
#define PODD_ROUTING_H_INCLUDED

#include "store.h"
#include "config.h"

typedef struct {
    int64_t assignee_id;        /* 0 = nobody left */
    int64_t covered_for;        /* the absent lead when their cover was chosen, else 0 */
    char reason [256];
} podd_route_t;

//  Choose the assignee of task (already stored) on its case at time now.
//  exclude_id is a member never to choose (e.g. the decliner), 0 = none.
void podd_route (podd_store_t *store, podd_config_t *config, const podd_task_t *task,
                 const podd_case_t *kase, int64_t exclude_id, int64_t now,
                 podd_route_t *route);

//  Whether member may do a task of this kind (role allowed, active).
bool podd_route_role_allowed (podd_config_t *config, const char *kind,
                              const podd_member_t *member);

//  Whether member works (by their working pattern) on at least one local
//  day from the day of from to the day of to; when to is before from (work
//  already due), on one of the seven days from from.
bool podd_route_works_between (const podd_member_t *member, int64_t from, int64_t to);

#endif
