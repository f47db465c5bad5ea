/*  mailops.h - requests about mail: MAIL-QUEUE, MAIL-RETRY, REMINDERS.

    Owns: who may see the outbox (the pod's team manager; admins see
    every pod), putting a failed message back in the queue, and listing
    a task's reminders.
*/
#ifndef PODD_MAILOPS_H_INCLUDED
#define PODD_MAILOPS_H_INCLUDED

#include "request.h"

int podd_op_mail_queue (podd_request_t *req);
int podd_op_mail_retry (podd_request_t *req);
int podd_op_reminders (podd_request_t *req);

#endif
