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

//  Age-triggered standards: fire those due at req->now (the scheduler),
//  the next instant one is due (0 = none), and, after start or a reload
//  of the rules, catch up and re-arm every open child case. 0 or -1.
int     podd_standards_age_run_due (podd_request_t *req);
int64_t podd_standards_age_next_due (podd_store_t *store);
int     podd_standards_age_rearm_all (podd_request_t *req);
//  A chronology note of kind "concern" (CASE-NOTE) is a concern event:
//  record it and fire its rules into created. 0 or -1.
int     podd_standards_note (podd_request_t *req, const podd_case_t *kase, const char *kind,
                             const char *date, const char *text, json_t *created);
//  A case is being closed: the chains that end on case-closed close their
//  open tasks (each appended to ended), its placement ends. 0 or -1.
int podd_standards_case_closed (podd_request_t *req, const podd_case_t *kase, json_t *ended);
//  Cancelling a standard's task needs a reason (422 without). 0 or -1.
int podd_standards_check_cancel (podd_request_t *req, int64_t task_id, const char *reason);
//  After it is cancelled: say in reply ("chain_stops", "note") what will
//  not be created now, and write it to the case's chronology. 0 or -1.
int podd_standards_after_cancel (podd_request_t *req, int64_t task_id, const char *reason,
                                 json_t *reply);
//  TASK-NEW with a standard: the rule must exist, be for the case's kind
//  and be done by a task of this kind (422 otherwise). 0 or -1.
int podd_standards_check_attach (podd_request_t *req, const podd_case_t *kase, const char *kind,
                                 const char *rule_id);
//  Attach a checked rule to a task created by hand. 0 or -1.
int podd_standards_attach (podd_request_t *req, int64_t task_id, const char *rule_id);

#endif
