/*  transfer.h - moving a case from one pod to another.

    Owns: CASE-TRANSFER, CASE-TRANSFER-APPROVE, CASE-TRANSFER-REFUSE and
    CASE-TRANSFERS. A transfer needs both team managers' agreement: the
    sending pod's and the receiving pod's (an administrator may act as
    either); a request by one of them is their consent, and each consent
    is kept with who gave it and when. Nothing moves until both agree. The
    receiving side names the new lead. When the second consent comes the
    chronology check runs (chronocheck.c): with gaps the manager either
    records them and proceeds, or asks the current lead to complete them
    first (a task; the transfer waits). Then, in the request's one
    transaction, the case moves to the receiving pod with its new lead;
    its open tasks move with their history (a "transferred" row each) and
    are routed again within the new pod; a joint handover visit task is
    made (kind handover-visit, a meeting with the old and the new lead as
    attendees and every partner linked to the case invited); the old lead
    stays a co-worker until that visit task is done, then is removed, on
    the chronology. Both managers and both leads get a kept notice and a
    bare e-mail notice (no case detail) at each step.
*/
#ifndef PODD_TRANSFER_H_INCLUDED
#define PODD_TRANSFER_H_INCLUDED

#include "request.h"

int podd_op_case_transfer (podd_request_t *req);
int podd_op_case_transfer_approve (podd_request_t *req);
int podd_op_case_transfer_refuse (podd_request_t *req);
int podd_op_case_transfers (podd_request_t *req);

//  A task was done: when it is the joint visit of a transfer, the old lead
//  stops being a co-worker of the case. Returns 0, or -1 having failed.
int podd_transfer_task_done (podd_request_t *req, int64_t task_id);

#endif
