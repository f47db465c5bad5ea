/*  caseops.h - requests about pods, members and cases.

    Owns: PING, WHOAMI, POD-*, MEMBER-*, CASE-* and CASELOAD: their
    checks (syntax of references, existence, pod access), their changes
    through the store, the chronology entries and the audit rows they
    write. Each handler returns 0 (ok) or -1 (req->status says why).
*/
#ifndef PODD_CASEOPS_H_INCLUDED
#define PODD_CASEOPS_H_INCLUDED

#include "request.h"

int podd_op_ping (podd_request_t *req);
int podd_op_whoami (podd_request_t *req);
int podd_op_pod_list (podd_request_t *req);
int podd_op_pod_show (podd_request_t *req);
int podd_op_member_list (podd_request_t *req);
int podd_op_member_show (podd_request_t *req);
int podd_op_member_add (podd_request_t *req);
int podd_op_case_open (podd_request_t *req);
int podd_op_case_list (podd_request_t *req);
int podd_op_case_show (podd_request_t *req);
int podd_op_case_allocate (podd_request_t *req);
int podd_op_case_close (podd_request_t *req);
int podd_op_case_note (podd_request_t *req);
int podd_op_caseload (podd_request_t *req);

//  Shared by task handlers: find a case the actor may work on.
//  Returns 0, or -1 with 404/403 recorded.
int podd_case_for_work (podd_request_t *req, const char *ref, podd_case_t *kase);
//  Find a member of the case's pod by handle; -1 with 404/422 recorded.
int podd_pod_member (podd_request_t *req, const char *handle, int64_t pod_id,
                     podd_member_t *member);
//  Case reference syntax: [A-Za-z0-9][A-Za-z0-9/_.-]{0,63}
bool podd_valid_ref (const char *ref);

#endif
