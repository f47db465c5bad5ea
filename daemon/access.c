/*  access.c - who may do what. See access.h. */
#include "access.h"
#include <string.h>

static bool
s_in_pod (const podd_member_t *actor, int64_t pod_id)
{
    return actor->active && actor->pod_id != 0 && actor->pod_id == pod_id;
}

static bool
s_role (const podd_member_t *actor, const char *role)
{
    return strcmp (actor->role, role) == 0;
}

bool
podd_access_admin (const podd_member_t *actor)
{
    return actor->active && actor->admin;
}

bool
podd_access_pod_read (const podd_member_t *actor, int64_t pod_id)
{
    return podd_access_admin (actor) || s_in_pod (actor, pod_id);
}

bool
podd_access_pod_work (const podd_member_t *actor, int64_t pod_id)
{
    return s_in_pod (actor, pod_id);
}

bool
podd_access_pod_allocate (const podd_member_t *actor, int64_t pod_id)
{
    return podd_access_admin (actor)
        || (s_in_pod (actor, pod_id)
            && (s_role (actor, "team-manager") || s_role (actor, "senior-practitioner")
                || s_role (actor, "coordinator")));
}

bool
podd_access_pod_manage (const podd_member_t *actor, int64_t pod_id)
{
    return podd_access_admin (actor)
        || (s_in_pod (actor, pod_id) && s_role (actor, "team-manager"));
}
