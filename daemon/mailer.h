/*  mailer.h - podd_mailer: the mail transport actor.

    Owns: handing complete, already built RFC 5322 messages to an SMTP
    server (libesmtp) or to a spool directory, off podd's main loop, and
    reporting per recipient what happened. It never builds or changes a
    message, never retries on its own and keeps no state between batches:
    the (future) outbox decides what to send again.

    Run as a zactor:

        podd_mailer_cfg_t cfg = { .smtp = "mx.example:587", ... };
        zactor_t *mailer = zactor_new (podd_mailer_actor, &cfg);

    The actor copies cfg before zactor_new returns. Each batch runs in
    its own short-lived session thread that owns its libesmtp session
    (never shared between threads), so the actor's pipe stays responsive
    while a session blocks; batches run one after another, in order.

    Pipe commands (caller -> actor):

      "SEND" then, for each message of the batch, these frames:
          id          decimal int64, the caller's key (e.g. outbox row)
          sender      envelope sender (MAIL FROM), local@domain
          count       decimal number of recipients, 0..PODD_MAILER_MAX_RCPTS
          recipient   'count' frames, one envelope recipient each
          message     the complete message, CRLF line ends, with its own
                      Message-ID, Date and From headers
      podd_mailer_batch_new / podd_mailer_batch_add build this.
      "$TERM"     stop: a running session is abandoned at once (its
                  socket is shut down, so the server discards a message
                  in transfer) and the actor returns within the timeout;
                  results of unfinished batches are not sent.

    Replies (actor -> caller), for every message of every SEND, in order,
    when its batch is over:

      "RESULT" id, then 4 frames per recipient, in the order given:
          recipient   as given
          class       "sent"   2xx for RCPT and for the message data
                      "retry"  4xx, connection refused or dropped, timeout,
                               garbage answers, $TERM: not delivered
                      "failed" 5xx, or refused here (invalid address,
                               message without Message-ID): never retry
          code        decimal SMTP code of the deciding reply, 0 if none
          text        the server's text or our reason: no control
                      characters, at most 200 octets
      "ERROR" reason     a SEND that is not framed as above (nothing sent)

    A message counts as delivered for the recipients marked "sent" only.
    libesmtp's smtp_start_session() return value is not trusted: the
    RCPT status of each recipient and the message's transfer status are
    both checked, and "sent" also needs the whole message to have been
    read by libesmtp (a server answering DATA with 250 is not "sent").

    Addresses: the sender and every recipient must pass podd_valid_email
    (local@domain, no spaces, control characters, quotes or brackets);
    libesmtp writes them verbatim, so others are refused ("failed") and
    never reach it. A bad sender fails the whole message.

    Messages: libesmtp adds Date, From and Message-Id when absent, drops
    Return-Path, Original-Recipient and second Date, From, Sender, To, Cc,
    Bcc, Reply-To or Message-Id headers, and ends the message with CRLF;
    a complete message (as GMime builds it) goes through byte for byte,
    dot-stuffed on the wire. A message without Message-ID is refused: it
    is the receiver's de-duplication key and names the spool file.

    Spool mode (smtp "" or NULL): each message is written to
    SPOOL/<id>-<message-id>.eml (message-id without <>, characters other
    than [A-Za-z0-9._@+=-] as '_', at most 100) through a temporary file,
    fsync and rename, then the directory is fsynced; every valid
    recipient is "sent" with code 250. SPOOL is created (0700) if missing.

    Sessions: ONE SMTP session per batch, every message of the batch on
    it (MAIL/RCPT/DATA repeated, then QUIT); nothing is sent for a batch
    without a valid recipient. smtp_set_timeout (every step, RFC minimums
    overridden) bounds each wait for the server; a connect() to a host
    that drops SYNs is bounded by the kernel only, and on $TERM the
    session thread is then left to finish and free its batch on its own.
    libesmtp does not expose its socket: on connect the mailer looks for
    the one TCP socket of the process whose peer has the server's port
    (/proc/self/fd) and, if there is exactly one, keeps a dup of it to
    shut it down on $TERM and sets TCP_NODELAY on it (else Nagle and
    delayed ACKs cost 40 ms per multi-packet message).
    STARTTLS: off | optional | required (required and not offered, or a
    certificate libesmtp cannot verify: "retry", nothing sent). AUTH
    (any plain-text SASL mechanism libesmtp offers, e.g. PLAIN) when a
    user is set; use STARTTLS required with it. The session thread
    blocks every signal, so SIGPIPE from a closed connection only makes
    write() fail (EPIPE); podd's disposition is not touched.
*/
#ifndef PODD_MAILER_H_INCLUDED
#define PODD_MAILER_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#define PODD_MAILER_MAX_RCPTS   1000    //  recipients per message
#define PODD_MAILER_TEXT_MAX    200     //  octets of result text

typedef enum {
    PODD_STARTTLS_OFF,
    PODD_STARTTLS_OPTIONAL,
    PODD_STARTTLS_REQUIRED
} podd_starttls_t;

typedef struct {
    const char *smtp;           //  "host:port" (port default 587), "" or NULL = spool
    const char *spool;          //  spool directory, required in spool mode
    podd_starttls_t starttls;
    const char *user;           //  AUTH user, NULL or "" = no AUTH
    const char *password;
    int timeout;                //  seconds per SMTP step, 1..3600 (0 = 30)
    const char *helo;           //  EHLO domain, e.g. the pod mail domain
} podd_mailer_cfg_t;

//  The actor; args is a podd_mailer_cfg_t *, copied.
void podd_mailer_actor (zsock_t *pipe, void *args);

//  Check a configuration: 0, or -1 with a reason in err. The actor
//  started with a bad one answers every recipient "retry" with the reason.
int podd_mailer_cfg_check (const podd_mailer_cfg_t *cfg, char *err, size_t errlen);

//  "off" | "optional" | "required" -> mode, or -1
int podd_mailer_starttls_parse (const char *name);

//  A new, empty SEND batch (send it with zmsg_send to the actor)
zmsg_t *podd_mailer_batch_new (void);

//  Append one message to a batch; rcpts has rcpt_count entries.
void podd_mailer_batch_add (zmsg_t *batch, int64_t id, const char *sender,
                            const char **rcpts, size_t rcpt_count,
                            const void *data, size_t size);

void podd_mailer_test (bool verbose);

#endif
