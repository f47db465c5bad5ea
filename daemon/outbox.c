/*  outbox.c - the mail outbox. See outbox.h. */
#include "outbox.h"
#include "mailer.h"
#include "log.h"
#include "when.h"
#include "message.h"
#include <sys/random.h>

#define BATCH_MAX       50          /* messages in one SMTP session */
#define BACKOFF_MAX     (6 * 3600)  /* never wait longer than this between tries */
#define ADDRESS_MAX     254         /* a recipient address the mailer accepted */

_Static_assert (sizeof (((podd_mail_row_t *) 0)->message_id) > PODD_MESSAGE_ID_MAX,
                "a row holds every Message-ID podd writes");

struct _podd_outbox_t {
    zactor_t *mailer;
    size_t inflight;                /* results still expected */
    int retry_base;                 /* seconds */
    int64_t horizon;                /* seconds */
};

podd_outbox_t *
podd_outbox_new (podd_config_t *config)
{
    podd_outbox_t *self = (podd_outbox_t *) zmalloc (sizeof (podd_outbox_t));
    podd_mailer_cfg_t cfg = {
        .smtp = podd_config_smtp (config), .spool = podd_config_spool (config),
        .starttls = (podd_starttls_t) podd_config_mail_starttls (config),
        .user = podd_config_mail_user (config), .password = podd_config_mail_password (config),
        .timeout = podd_config_mail_timeout (config), .helo = podd_config_mail_domain (config)
    };
    self->mailer = zactor_new (podd_mailer_actor, &cfg);
    self->retry_base = podd_config_mail_retry_base (config);
    self->horizon = podd_config_mail_retry_horizon (config);
    return self;
}

void
podd_outbox_destroy (podd_outbox_t **self_p)
{
    podd_outbox_t *self = *self_p;
    if (self) {
        zactor_destroy (&self->mailer);
        free (self);
        *self_p = NULL;
    }
}

zsock_t *
podd_outbox_pipe (podd_outbox_t *self)
{
    return zactor_sock (self->mailer);
}

bool
podd_outbox_busy (podd_outbox_t *self)
{
    return self->inflight > 0;
}

int64_t
podd_outbox_queue (podd_request_t *req, const char *kind, int64_t pod_id, int64_t task_id,
                   const char *sender, const char **rcpts, size_t rcpt_count, const char *subject,
                   const char *message_id, const char *raw, size_t size)
{
    int64_t id = podd_store_outbox_add (req->store, message_id, kind, pod_id, task_id, sender,
                                        rcpts, rcpt_count, subject, raw, size, req->now);
    if (id < 0)
        podd_fail (req, PODP_INTERNAL, "cannot queue mail: %s", podd_store_errmsg (req->store));
    return id;
}

const char *
podd_outbox_sender (podd_request_t *req, const char *pod_mailbox)
{
    const char *mail_from = podd_config_mail_from (req->config);
    return *mail_from? mail_from: pod_mailbox;
}

int64_t
podd_outbox_mail_member (podd_request_t *req, const char *kind, const podd_pod_t *pod,
                         const podd_member_t *member, const char *subject,
                         const char *body, const char *what, const char *whom)
{
    podd_mailbox_t from = { pod->title, pod->mailbox }, to = { member->name, member->email };
    char message_id [PODD_MESSAGE_ID_MAX + 1], *raw = NULL;
    size_t size = 0;
    const char *reason = NULL;
    podd_message_id (podd_message_domain (pod->mailbox, podd_config_mail_domain (req->config)),
                     message_id, sizeof message_id);
    if (podd_message_text (&from, &to, 1, NULL, 0, subject, body, message_id, req->now,
                           &raw, &size, &reason)) {
        zsys_warning ("podd: %s for %s not mailed: %s", what, whom, reason);
        return 0;
    }
    const char *rcpt = member->email;
    int64_t id = podd_outbox_queue (req, kind, pod->id, 0, podd_outbox_sender (req, pod->mailbox),
                                    &rcpt, 1, subject, message_id, raw, size);
    free (raw);
    return id;
}

int
podd_outbox_pump (podd_outbox_t *self, podd_store_t *store, int64_t now)
{
    if (self->inflight)
        return 0;
    int64_t ids [BATCH_MAX];
    size_t count = podd_store_outbox_due (store, now, ids, BATCH_MAX);
    if (!count)
        return 0;
    zmsg_t *batch = podd_mailer_batch_new ();
    size_t added = 0;
    for (size_t i = 0; i < count; i++) {
        podd_mail_row_t row;
        if (podd_store_outbox_get (store, ids [i], &row))
            continue;
        if (row.rcpt_count) {
            podd_mailer_batch_add (batch, row.id, row.sender, (const char **) row.rcpts,
                                   row.rcpt_count, row.body, row.size);
            added++;
        }
        podd_store_outbox_free (&row);
    }
    if (!added) {
        zmsg_destroy (&batch);
        return 0;
    }
    self->inflight = added;
    return zmsg_send (&batch, self->mailer);
}

//  Seconds to wait before attempt n (1-based), doubled each time, +-20%
static int64_t
s_backoff (podd_outbox_t *self, int attempts)
{
    int64_t delay = self->retry_base;
    for (int i = 1; i < attempts && delay < BACKOFF_MAX; i++)
        delay *= 2;
    if (delay > BACKOFF_MAX)
        delay = BACKOFF_MAX;
    uint32_t random = 0;
    if (getrandom (&random, sizeof random, 0) != sizeof random)
        random = (uint32_t) attempts * 2654435761u;
    int64_t jitter = delay / 5;
    return delay - jitter + (jitter? (int64_t) (random % (uint32_t) (2 * jitter + 1)): 0);
}

//  Tell the pod's manager a message failed for good
static void
s_notify_failure (podd_request_t *req, const podd_mail_row_t *row, const char *address,
                  const char *text)
{
    int64_t manager = row->pod_id? podd_store_pod_manager (req->store, row->pod_id): 0;
    if (!manager)
        return;
    char line [sizeof "mail to  failed for good: " + ADDRESS_MAX + PODD_MAILER_TEXT_MAX];
    snprintf (line, sizeof line, "mail to %s failed for good: %s", address, text);
    podd_notice (req, manager, json_pack ("{s:s s:s s:{s:I s:s s:s}}", "kind", "mail-failed",
                 "text", line, "data", "outbox", (json_int_t) row->id, "message_id", row->message_id,
                 "address", address));
}

int
podd_outbox_result (podd_outbox_t *self, podd_request_t *req)
{
    zmsg_t *msg = zmsg_recv (self->mailer);
    if (!msg)
        return -1;
    char *command = zmsg_popstr (msg);
    char *id_text = zmsg_popstr (msg);
    int rc = 0;
    if (command && streq (command, "RESULT") && id_text) {
        if (self->inflight)
            self->inflight--;
        podd_mail_row_t row;
        int64_t id = atoll (id_text);
        if (podd_store_outbox_get (req->store, id, &row) == 0) {
            int attempts = row.attempts + 1;
            bool give_up = req->now - row.queued >= self->horizon;
            size_t waiting = 0;
            char last [ADDRESS_MAX + 16 + PODD_MAILER_TEXT_MAX] = "";    //  "address code: text"
            while (zmsg_size (msg) >= 4) {
                char *address = zmsg_popstr (msg);
                char *class = zmsg_popstr (msg);
                char *code = zmsg_popstr (msg);
                char *text = zmsg_popstr (msg);
                const char *state = streq (class, "sent")? "sent"
                                  : streq (class, "failed") || give_up? "failed": "pending";
                if (streq (class, "retry"))
                    snprintf (last, sizeof last, "%s %s: %s", address, code, text);
                if (podd_store_outbox_rcpt_set (req->store, id, address, state, atoi (code), text))
                    rc = -1;
                if (streq (state, "failed")) {
                    log_warn ("podd: mail %s to %s failed: %s %s", row.message_id, address, code, text);
                    s_notify_failure (req, &row, address, text);
                }
                waiting += streq (state, "pending");
                zstr_free (&address); zstr_free (&class); zstr_free (&code); zstr_free (&text);
            }
            //  Recipients past the PODD_OUTBOX_RCPTS a read gives were not
            //  in this batch: they go in the next one, at once
            int64_t pending = podd_store_outbox_pending_rcpts (req->store, id);
            if (pending < 0)
                rc = -1;
            bool untried = pending > (int64_t) waiting;
            //  Done when nobody is waiting: failed if anyone failed for good
            const char *state = waiting || untried? "pending"
                              : podd_store_outbox_failed_rcpts (req->store, id)? "failed": "sent";
            int64_t next = waiting && !untried? req->now + s_backoff (self, attempts): req->now;
            if (podd_store_outbox_set (req->store, id, state, attempts, next, last, req->now))
                rc = -1;
            podd_store_outbox_free (&row);
        }
    }
    else
    if (command && streq (command, "ERROR")) {
        log_error ("podd: mailer refused a batch: %s", id_text? id_text: "?");
        self->inflight = 0;
    }
    zstr_free (&command);
    zstr_free (&id_text);
    zmsg_destroy (&msg);
    return rc;
}
