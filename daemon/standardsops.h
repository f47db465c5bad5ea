/*  standardsops.h - practice standards at work.

    Owns: recording case events (CASE-EVENT) and firing every matching
    rule of config/standards.conf into routed tasks that carry their
    standard; correcting an event's date (the open tasks it created are
    recomputed); what completing a standard's task requires (the evidence
    the rule asks for) and what follows it (a recurring rule re-arms from
    the date it was actually done; task-done rules fire); the list of
    standards; and the compliance report, counted by one store query.
    Chains: an event first ends the rules whose ends-on names it (their
    open tasks cancelled with the reason), keeps the child's placements
    (long-term status belongs to one; child-placed --carer links the
    carer household's case, which hears of the placement's events), then
    fires its rules (while-open = "replace" moves an open task; done-by
    lets an event stand for a task done).
*/
#ifndef PODD_STANDARDSOPS_H_INCLUDED
#define PODD_STANDARDSOPS_H_INCLUDED

#include "request.h"

int podd_op_case_event (podd_request_t *req);
int podd_op_case_event_correct (podd_request_t *req);
int podd_op_standards_list (podd_request_t *req);
int podd_op_report_compliance (podd_request_t *req);

//  Before a task is marked done: check the evidence its standard asks for
//  and work out the date it was done (done_on, "YYYY-MM-DD"). 0 or -1.
int podd_standards_check_done (podd_request_t *req, int64_t task_id, char *done_on);
//  After it is marked done: record the date, re-arm and fire. 0 or -1.
int podd_standards_after_done (podd_request_t *req, int64_t task_id, const char *done_on);

//  A case is being closed: the chains that end on case-closed close their
//  open tasks (each appended to ended), its placement ends. 0 or -1.
int podd_standards_case_closed (podd_request_t *req, const podd_case_t *kase, json_t *ended);

#endif
