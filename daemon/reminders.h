/*  reminders.h - promises kept: reminders before work is due, on the day
    it becomes overdue, daily while overdue, with escalation.

    Owns: when a task's next reminder is due (each task carries that
    instant, indexed, so the scheduler never scans), and what a reminder
    is: an e-mail through the outbox to whoever holds the task now (cover
    included; the team manager when nobody holds it), copied to the team
    manager once the task is overdue by the configured number of working
    days, and a NOTICE pushed to the holder's client. Reminders go out at
    the configured local hour on days the holder works (their working
    pattern); one missed while podd was down is sent late, once.
*/
#ifndef PODD_REMINDERS_H_INCLUDED
#define PODD_REMINDERS_H_INCLUDED

#include "request.h"

//  (Re)compute the task's next reminder after `after` (0 = after now);
//  clears it for a finished task. 0 or -1 (req->status says why).
int podd_reminders_arm (podd_request_t *req, int64_t task_id);
//  The first reminder moment of a task not yet stored (or of one whose
//  last reminder was at last), as podd_reminders_arm would set it; 0 = none
int64_t podd_reminders_next (podd_request_t *req, const podd_task_t *task, int64_t last);
//  Send every reminder due at req->now. 0 or -1.
int podd_reminders_run_due (podd_request_t *req);
//  Next instant a reminder is due, 0 = none
int64_t podd_reminders_next_due (podd_store_t *store);
//  A follow-up of task_id falls due for member: it goes into their one
//  reminder e-mail of the day (queued now if there is none yet), and is
//  recorded among the task's reminders as kind "follow-up". 0 or -1.
int podd_reminders_follow_up_mail (podd_request_t *req, int64_t task_id, int64_t member_id);

#endif
