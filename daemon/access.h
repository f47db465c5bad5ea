/*  access.h - who may do what.

    Owns: the authorisation rules, by role and pod. Members see and change
    their own pod's cases; team managers manage their pod; admins
    configure pods and may see every pod. Every handler asks here.
*/
#ifndef PODD_ACCESS_H_INCLUDED
#define PODD_ACCESS_H_INCLUDED

#include "store.h"

//  May see the pod's cases, tasks and members
bool podd_access_pod_read (const podd_member_t *actor, int64_t pod_id);
//  May work on the pod's cases (notes, tasks)
bool podd_access_pod_work (const podd_member_t *actor, int64_t pod_id);
//  May allocate, open and close cases in the pod
bool podd_access_pod_allocate (const podd_member_t *actor, int64_t pod_id);
//  Team manager of the pod (reassign, cancel anything, approve)
bool podd_access_pod_manage (const podd_member_t *actor, int64_t pod_id);
//  Configure pods and members anywhere
bool podd_access_admin (const podd_member_t *actor);

#endif
