/*  podclient.h - a PODP/1 client connection to podd.

    Owns: one DEALER socket (CURVE unless insecure, linger 0, immediate),
    request ids, matching a REPLY to its request, and a queue of TASK and
    NOTICE pushes that arrive while a reply is awaited, so none are lost.
    Replies whose rid is not awaited (late replies, replies to fire-and-
    forget ACK/HEARTBEAT) are dropped. Malformed server messages are
    dropped with a warning. Used by podctl and by the tests.
*/
#ifndef PODCLIENT_H_INCLUDED
#define PODCLIENT_H_INCLUDED

#include <czmq.h>
#include <jansson.h>
#include <stdbool.h>
#include "podp.h"

/* Largest server message body the client accepts (lists, chronologies). */
#define PODCLIENT_MAX_BODY      (16 * 1024 * 1024)
/* Most pushes kept waiting for podclient_recv_push; older ones dropped. */
#define PODCLIENT_QUEUE_MAX     1000

typedef struct _podclient_t podclient_t;

/* Connect to endpoint. client_cert_path is a zcert file whose secret
   file (client_cert_path + "_secret") must exist too; server_cert_path
   is the server's public zcert. client_cert_path NULL means no CURVE
   (dev mode; server_cert_path is then ignored). Returns NULL when a
   certificate cannot be loaded or the endpoint is invalid. */
podclient_t *podclient_new (const char *endpoint, const char *client_cert_path,
                            const char *server_cert_path);
void podclient_destroy (podclient_t **self_p);

/* Send command with body (stolen; NULL = {}) and a fresh "rid", wait up
   to timeout_ms for the REPLY with that rid. On 2xx returns the reply's
   data (new reference; empty object when absent) and sets *status. On
   an error reply returns NULL, sets *status and copies the reason. On
   timeout or interrupt returns NULL with *status 0 (and reason
   "timeout" or "interrupted"). status and reason may be NULL. */
json_t *podclient_request (podclient_t *self, const char *command, json_t *body,
                           int timeout_ms, int *status, char *reason,
                           size_t reasonlen);

/* Next TASK or NOTICE push (queued ones first), waiting up to timeout_ms;
   NULL on timeout or interrupt. Caller destroys the message. */
podp_msg_t *podclient_recv_push (podclient_t *self, int timeout_ms);

/* Fire-and-forget: send command with body (stolen; NULL = {}) and no rid,
   without blocking. Returns 0, or -1 when it could not be sent now (not
   connected). Its reply is dropped when it arrives. */
int podclient_send (podclient_t *self, const char *command, json_t *body);

/* zclock_mono () time in ms of the last message received from the
   server, 0 if none yet. Lets a watcher detect a silent server. */
int64_t podclient_last_seen (podclient_t *self);

/* Fire-and-forget ACK of the delivery ids in deliveries (a JSON array of
   integers, stolen; at most PODP_ACK_ITEMS): one request for them all,
   in the single-id form when there is one. An empty array sends nothing.
   Returns as podclient_send. */
int podclient_ack (podclient_t *self, json_t *deliveries);

/* Self test */
void podclient_test (bool verbose);

#endif
