/*  auditops.c - requests about the audit trail. See auditops.h. */
#include "auditops.h"
#include "access.h"
#include "when.h"

#define AUDIT_LIMIT     100     /* rows per page by default */
#define AUDIT_LIMIT_MAX 1000
#define AUDIT_SCAN      20000   /* rows looked at per request: bounds its time */

//  The pod the caller may read the trail of: the named one, or their own;
//  0 = every pod (administrators only)
static int
s_audit_pod (podd_request_t *req, int64_t *pod_id)
{
    const char *name = podp_msg_string (req->msg, "pod");
    *pod_id = podd_access_admin (req->actor)? 0: req->actor->pod_id;
    if (name) {
        podd_pod_t pod;
        if (podd_store_pod_by_name (req->store, name, &pod))
            return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", name);
        *pod_id = pod.id;
    }
    if (*pod_id == 0? !podd_access_admin (req->actor): !podd_access_pod_manage (req->actor, *pod_id))
        return podd_fail (req, PODP_FORBIDDEN,
                          "only the pod's team manager (or an administrator) reads its audit trail");
    return 0;
}

static int
s_audit_when (podd_request_t *req, const char *field, int64_t dflt, int64_t *out)
{
    const char *text = podp_msg_string (req->msg, field);
    *out = dflt;
    if (text && podd_when_parse (text, out))
        return podd_fail (req, PODP_INVALID, "field '%s': '%s' is not a valid date", field, text);
    return 0;
}

int
podd_op_audit_list (podd_request_t *req)
{
    podd_audit_query_t query = { .to = INT64_MAX, .scan = AUDIT_SCAN };
    if (s_audit_pod (req, &query.pod_id))
        return -1;
    query.case_ref = podp_msg_string (req->msg, "case");
    if (query.case_ref) {
        podd_case_t kase;
        if (podd_store_case_by_ref (req->store, query.case_ref, &kase))
            return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", query.case_ref);
        if (query.pod_id && kase.pod_id != query.pod_id)
            return podd_fail (req, PODP_FORBIDDEN, "case '%s' is in another pod", query.case_ref);
    }
    const char *handle = podp_msg_string (req->msg, "member");
    if (handle) {
        podd_member_t member;
        if (podd_store_member_by_handle (req->store, handle, &member))
            return podd_fail (req, PODP_NOT_FOUND, "no member '%s'", handle);
        query.actor_id = member.id;
    }
    if (s_audit_when (req, "from", 0, &query.from) || s_audit_when (req, "to", INT64_MAX, &query.to))
        return -1;
    if (query.to <= query.from)
        return podd_fail (req, PODP_INVALID, "the period ends before it starts");
    query.limit = podp_msg_int (req->msg, "limit", AUDIT_LIMIT);
    if (query.limit < 1 || query.limit > AUDIT_LIMIT_MAX)
        return podd_fail (req, PODP_INVALID, "field 'limit': 1..%d", AUDIT_LIMIT_MAX);
    query.before = podp_msg_int (req->msg, "before", 0);
    json_t *items = podd_store_audit_list (req->store, &query);
    if (!items)
        return podd_fail (req, PODP_INTERNAL, "cannot read the audit trail");
    return podd_ok (req, PODP_OK, json_pack ("{s:o s:o}", "items", items, "next",
                    query.next? json_integer (query.next): json_null ()));
}
