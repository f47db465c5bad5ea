/*  taskops.h - requests about tasks.

    Owns: TASK-NEW, TASK-LIST, TASK-SHOW and the task state machine
    (open -> offered -> accepted -> done; declined; cancelled): who may
    move a task, the history row with its reason for every move, and the
    durable mailbox delivery that goes with every offer. Routing
    decisions come from routing.c.
*/
#ifndef PODD_TASKOPS_H_INCLUDED
#define PODD_TASKOPS_H_INCLUDED

#include "request.h"
#include "routing.h"

int podd_op_task_new (podd_request_t *req);
int podd_op_task_list (podd_request_t *req);
int podd_op_task_show (podd_request_t *req);
int podd_op_task_accept (podd_request_t *req);
int podd_op_task_decline (podd_request_t *req);
int podd_op_task_handoff (podd_request_t *req);
int podd_op_task_done (podd_request_t *req);
int podd_op_task_reassign (podd_request_t *req);
int podd_op_task_cancel (podd_request_t *req);
int podd_op_task_reschedule (podd_request_t *req);
int podd_op_task_kinds (podd_request_t *req);

//  Move a task to state/assignee with a history row (event, reason); an
//  offer is also written to the assignee's mailbox and pushed after commit.
int podd_task_move (podd_request_t *req, int64_t task_id, const char *state,
                    int64_t assignee_id, const char *event, const char *reason);
//  Deliver a changed task to its holder (not the actor) with the reason
int podd_task_notify (podd_request_t *req, int64_t task_id, int64_t member_id,
                      const char *reason);
//  Route a stored task and offer it; exclude_id is never chosen.
int podd_task_route (podd_request_t *req, int64_t task_id, int64_t exclude_id,
                     podd_route_t *route);

#endif
