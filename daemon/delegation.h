/*  delegation.h - delegated work and follow-up dates.

    Owns: TASK-DELEGATE (the holder passes a task to a pod colleague and
    stays accountable for it), what happens when the delegate marks it done
    or declines it (it returns to the delegator, who confirms it with
    TASK-CONFIRM, as in the delegation model of BPMN task engines), and
    follow-up dates (TASK-FOLLOW-UP, or TASK-NEW with follow_up): a date,
    separate from the due date, on which the task comes back to the top of
    its holder's list and a reminder goes out.
*/
#ifndef PODD_DELEGATION_H_INCLUDED
#define PODD_DELEGATION_H_INCLUDED

#include "request.h"

int podd_op_task_delegate (podd_request_t *req);
int podd_op_task_confirm (podd_request_t *req);
int podd_op_task_follow_up (podd_request_t *req);

//  A follow-up field ("YYYY-MM-DD" = that day at the reminder hour) into
//  *at; 0 when absent. Returns 0, or -1 (422) when malformed.
int podd_follow_up_field (podd_request_t *req, const char *field, int64_t *at);
//  The delegate marks a delegated task done (or declines it): it returns
//  to the delegator. Returns 1 when handled so, 0 when the task is not
//  delegated work of the caller's, -1 on failure.
int podd_delegation_on_done (podd_request_t *req, int64_t task_id, const char *evidence);
int podd_delegation_on_decline (podd_request_t *req, int64_t task_id, const char *reason);
//  Send the follow-ups due at req->now (the scheduler). 0 or -1.
int podd_delegation_run_due (podd_request_t *req);
int64_t podd_delegation_next_due (podd_store_t *store);       /* 0 = none */

#endif
