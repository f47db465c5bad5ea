/*  outbox.h - the mail outbox: from committed rows to the mailer and back.

    Owns: the mailer actor (mailer.c) and the conversation with it. Every
    outgoing message is a row in the store, committed in the same
    transaction as the change that caused it (podd_outbox_queue). The
    server's scheduler calls podd_outbox_pump when rows fall due: due rows
    go to the mailer as one batch (one SMTP session), one batch in flight
    at a time. Results come back on the actor's pipe: a recipient that got
    2xx is sent; 4xx, connection failures and timeouts are retried with
    exponential backoff and jitter until the configured horizon, then
    failed; 5xx is failed at once. A message is sent when every recipient
    is sent or failed; failures are kept with the server's reason for the
    pod's manager (podctl mail queue) and pushed to them as a NOTICE.
    After a crash, rows still pending are sent again: at least once, and
    the Message-ID makes a duplicate detectable.
*/
#ifndef PODD_OUTBOX_H_INCLUDED
#define PODD_OUTBOX_H_INCLUDED

#include "request.h"

typedef struct _podd_outbox_t podd_outbox_t;

podd_outbox_t *podd_outbox_new (podd_config_t *config);
void podd_outbox_destroy (podd_outbox_t **self_p);
//  The mailer's pipe, for the server's zloop
zsock_t *podd_outbox_pipe (podd_outbox_t *self);
//  Send due rows when no batch is in flight; 0 or -1.
int podd_outbox_pump (podd_outbox_t *self, podd_store_t *store, int64_t now);
//  Handle one message from the mailer (a RESULT) in req's transaction;
//  NOTICEs for permanent failures go into req->pushes.
int podd_outbox_result (podd_outbox_t *self, podd_request_t *req);
//  Whether a batch is in flight
bool podd_outbox_busy (podd_outbox_t *self);

//  Queue a message (in the caller's transaction). rcpts are envelope
//  recipients. Returns the row id or -1.
int64_t podd_outbox_queue (podd_request_t *req, const char *kind, int64_t pod_id, int64_t task_id,
                           const char *sender, const char **rcpts, size_t rcpt_count,
                           const char *subject, const char *message_id, const char *raw, size_t size);

//  The envelope sender of a pod's mail: the configured mail_from, or else
//  the pod's mailbox.
const char *podd_outbox_sender (podd_request_t *req, const char *pod_mailbox);

//  Queue a plain-text mail to one member from their pod (in the caller's
//  transaction): From the pod's title and mailbox, To the member's name and
//  address, which is the one envelope recipient. When the message cannot
//  be built (e.g. a bad address) nothing is queued and a warning "podd:
//  <what> for <whom> not mailed: <reason>" is logged. Returns the row id,
//  0 when nothing was queued, or -1 (req failed) when the queue failed.
int64_t podd_outbox_mail_member (podd_request_t *req, const char *kind, const podd_pod_t *pod,
                                 const podd_member_t *member, const char *subject,
                                 const char *body, const char *what, const char *whom);

#endif
