/*  continuity.h - continuity of relationships with families.

    Owns: recording contacts (a visit or meeting done, a contact note),
    the continuity measures of a case, member and pod over a period
    (CONTINUITY), the order in which colleagues know a family (the most
    recent contact first) for routing and cover, the reallocation plan
    when a member leaves the service (MEMBER-LEAVE-SERVICE), and the
    weekly continuity mail to each pod's team manager. The figures are
    described in proto/PROTOCOL.md section 8.12 and the README.
*/
#ifndef PODD_CONTINUITY_H_INCLUDED
#define PODD_CONTINUITY_H_INCLUDED

#include "request.h"

int podd_op_continuity (podd_request_t *req);
int podd_op_member_leave_service (podd_request_t *req);

//  CASE-NOTE with kind "contact": the whole request (validation, the
//  chronology entry, one contact per member in "with" or the caller)
int podd_continuity_case_note (podd_request_t *req);

//  After TASK-DONE of task_id on done_on (YYYY-MM-DD): a visit or meeting
//  kind records a contact by the actor and the members in "with". 0, or
//  -1 having failed the request (422 for a date before the case opened
//  or a "with" not in the pod).
int podd_continuity_task_done (podd_request_t *req, int64_t task_id, const char *done_on);

//  Whether tasks of kind are contacts with the family (a visit or a meeting)
bool podd_continuity_kind_is_contact (podd_config_t *config, const char *kind);

//  Members who know a case, best first: those with a contact in the 365
//  days to now by their latest contact, then the rest as
//  podd_store_case_acquainted orders them (co-workers first). Fills
//  dates [i] with member i's latest contact date ("" when none). Returns
//  the count (at most max).
#define PODD_CONTINUITY_KNOWN_MAX 256
size_t podd_continuity_known (podd_store_t *store, int64_t case_id, int64_t now, int64_t *ids,
                              char (*dates) [11], size_t max);

//  The weekly continuity mail (Mondays from the reminder hour), once per
//  pod and week. 0, or -1 having failed the request.
int podd_continuity_run_due (podd_request_t *req);

void podd_continuity_test (bool verbose);

#endif
