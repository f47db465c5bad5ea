/*  leave.h - absence, cover and return.

    Owns: leave requests and approval (planned leave requested by a member
    or entered by the team manager; sickness and emergencies entered by the
    manager, starting now), overlap checks, the cover plan (for each case
    the absent member leads and each task they hold in the period, a
    covering pod member who knows the family, has the role the work needs,
    is not away, with load spread), cover changes and bulk moves, what
    happens when leave starts (held tasks move to the cover, covers who are
    away themselves are replaced) and ends (undone cover tasks come back or
    stay, by the manager's rule, and a digest of what happened is kept and
    pushed), who to contact for a case on a day, and the load view.
*/
#ifndef PODD_LEAVE_H_INCLUDED
#define PODD_LEAVE_H_INCLUDED

#include "request.h"

int podd_op_leave_request (podd_request_t *req);
int podd_op_leave_approve (podd_request_t *req);
int podd_op_leave_refuse (podd_request_t *req);
int podd_op_leave_cancel (podd_request_t *req);
int podd_op_leave_end (podd_request_t *req);
int podd_op_leave_calendar (podd_request_t *req);
int podd_op_leave_list (podd_request_t *req);
int podd_op_leave_show (podd_request_t *req);
int podd_op_cover_plan (podd_request_t *req);
int podd_op_cover_show (podd_request_t *req);
int podd_op_cover_set (podd_request_t *req);
int podd_op_cover_move (podd_request_t *req);
int podd_op_case_contact (podd_request_t *req);
int podd_op_load (podd_request_t *req);
int podd_op_digest (podd_request_t *req);

//  Process every absence start and end due at req->now (the scheduler
//  calls this in its own transaction). Returns 0 or -1.
int podd_leave_run_due (podd_request_t *req);
//  The next instant an absence starts or ends, 0 = none pending.
int64_t podd_leave_next_due (podd_store_t *store);

#endif
