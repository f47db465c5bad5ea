/*  podclient.c - a PODP/1 client connection to podd. See podclient.h. */

#include "podclient.h"
#include <errno.h>
#include <string.h>

struct _podclient_t {
    zsock_t *dealer;            /* DEALER to podd's ROUTER */
    int64_t next_rid;           /* next request id, 1.. */
    zlistx_t *pushes;           /* queued podp_msg_t * (TASK, NOTICE) */
    int64_t last_seen;          /* zclock_mono of last message, 0 = never */
};

/* Z85 of an all-zero key: what zcert_load gives when no secret was found */
#define S_ZERO_KEY "0000000000000000000000000000000000000000"

podclient_t *
podclient_new (const char *endpoint, const char *client_cert_path,
               const char *server_cert_path)
{
    assert (endpoint);
    podclient_t *self = (podclient_t *) zmalloc (sizeof (podclient_t));
    assert (self);
    self->next_rid = 1;
    self->pushes = zlistx_new ();
    assert (self->pushes);
    self->dealer = zsock_new (ZMQ_DEALER);
    if (!self->dealer) {
        zsys_error ("podclient: cannot create socket: %s", zmq_strerror (errno));
        podclient_destroy (&self);
        return NULL;
    }
    zsock_set_linger (self->dealer, 0);
    //  Do not queue messages while not connected: a request to a dead
    //  server times out instead of piling up for later delivery
    zsock_set_immediate (self->dealer, 1);

    if (client_cert_path) {
        if (!server_cert_path) {
            zsys_error ("podclient: no server certificate given");
            podclient_destroy (&self);
            return NULL;
        }
        if (!zsys_has_curve ()) {
            zsys_error ("podclient: libzmq was built without CURVE");
            podclient_destroy (&self);
            return NULL;
        }
        zcert_t *cert = zcert_load (client_cert_path);
        if (!cert || streq (zcert_secret_txt (cert), S_ZERO_KEY)) {
            zsys_error ("podclient: cannot load certificate '%s' with its secret key",
                        client_cert_path);
            zcert_destroy (&cert);
            podclient_destroy (&self);
            return NULL;
        }
        zcert_t *server = zcert_load (server_cert_path);
        if (!server) {
            zsys_error ("podclient: cannot load server certificate '%s'",
                        server_cert_path);
            zcert_destroy (&cert);
            podclient_destroy (&self);
            return NULL;
        }
        zcert_apply (cert, self->dealer);
        zsock_set_curve_serverkey (self->dealer, zcert_public_txt (server));
        zcert_destroy (&cert);
        zcert_destroy (&server);
    }
    if (zsock_connect (self->dealer, "%s", endpoint) == -1) {
        zsys_error ("podclient: cannot connect to '%s': %s",
                    endpoint, zmq_strerror (zmq_errno ()));
        podclient_destroy (&self);
        return NULL;
    }
    return self;
}

void
podclient_destroy (podclient_t **self_p)
{
    assert (self_p);
    podclient_t *self = *self_p;
    if (self) {
        podp_msg_t *msg;
        while ((msg = (podp_msg_t *) zlistx_detach (self->pushes, NULL)))
            podp_msg_destroy (&msg);
        zlistx_destroy (&self->pushes);
        zsock_destroy (&self->dealer);
        free (self);
        *self_p = NULL;
    }
}

//  Wait until deadline (zclock_mono ms) for one valid message from the
//  server. Malformed messages are dropped with a warning. NULL on timeout,
//  interrupt or error.

static podp_msg_t *
s_recv_one (podclient_t *self, int64_t deadline)
{
    while (!zsys_interrupted) {
        int64_t left = deadline - zclock_mono ();
        if (left < 0)
            left = 0;
        zmq_pollitem_t item = { zsock_resolve (self->dealer), 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll (&item, 1, (long) left);
        if (rc == -1) {
            if (errno == EINTR)
                continue;       //  loop condition sees zsys_interrupted
            return NULL;
        }
        if (rc == 0)
            return NULL;        //  timeout
        zmsg_t *msg = zmsg_recv (self->dealer);
        if (!msg)
            continue;
        self->last_seen = zclock_mono ();
        podp_error_t err;
        podp_msg_t *pmsg = podp_decode (msg, false, PODCLIENT_MAX_BODY, &err);
        zmsg_destroy (&msg);
        if (pmsg)
            return pmsg;
        zsys_warning ("podclient: dropped malformed message from server: %d %s",
                      err.status, err.reason);
    }
    return NULL;
}

static bool
s_is_push (podp_msg_t *msg)
{
    const char *command = podp_msg_command (msg);
    return streq (command, "TASK") || streq (command, "NOTICE");
}

static void
s_queue_push (podclient_t *self, podp_msg_t *msg)
{
    if (zlistx_size (self->pushes) >= PODCLIENT_QUEUE_MAX) {
        podp_msg_t *oldest = (podp_msg_t *) zlistx_detach (self->pushes, NULL);
        zsys_warning ("podclient: push queue full, dropped oldest %s",
                      podp_msg_command (oldest));
        podp_msg_destroy (&oldest);
    }
    zlistx_add_end (self->pushes, msg);
}

static void
s_set_result (int *status, int code, char *reason, size_t reasonlen,
              const char *text)
{
    if (status)
        *status = code;
    if (reason && reasonlen > 0)
        snprintf (reason, reasonlen, "%s", text ? text : "");
}

//  Send a message with the send timeout given (0 = do not block)

static int
s_send (podclient_t *self, const char *command, json_t *body, int sndtimeo)
{
    podp_msg_t *msg = podp_msg_new (command, body);
    if (!msg)
        return -1;
    zsock_set_sndtimeo (self->dealer, sndtimeo);
    int rc = podp_send (msg, self->dealer, NULL);
    podp_msg_destroy (&msg);
    return rc;
}

json_t *
podclient_request (podclient_t *self, const char *command, json_t *body,
                   int timeout_ms, int *status, char *reason, size_t reasonlen)
{
    assert (self);
    assert (command);
    if (!body)
        body = json_object ();
    assert (json_is_object (body));
    if (timeout_ms < 0)
        timeout_ms = 0;

    int64_t rid = self->next_rid++;
    json_object_set_new (body, "rid", json_integer (rid));
    int64_t deadline = zclock_mono () + timeout_ms;
    s_set_result (status, 0, reason, reasonlen, "timeout");

    if (s_send (self, command, body, timeout_ms)) {
        if (zsys_interrupted)
            s_set_result (status, 0, reason, reasonlen, "interrupted");
        return NULL;            //  not connected within the timeout
    }
    while (true) {
        podp_msg_t *msg = s_recv_one (self, deadline);
        if (!msg) {
            if (zsys_interrupted)
                s_set_result (status, 0, reason, reasonlen, "interrupted");
            return NULL;
        }
        if (s_is_push (msg)) {
            s_queue_push (self, msg);
            continue;
        }
        if (!streq (podp_msg_command (msg), "REPLY")
        ||  podp_msg_int (msg, "rid", -1) != rid) {
            podp_msg_destroy (&msg);
            continue;           //  not ours: late or fire-and-forget reply
        }
        int code = (int) podp_msg_int (msg, "status", 0);
        json_t *data = NULL;
        if (code >= 200 && code < 300) {
            data = json_object_get (podp_msg_body (msg), "data");
            if (json_is_object (data))
                json_incref (data);
            else
                data = json_object ();
            s_set_result (status, code, reason, reasonlen,
                          podp_msg_string (msg, "reason"));
        }
        else {
            //  A server never sends 0, but keep "0 = no answer" unambiguous
            s_set_result (status, code > 0 ? code : PODP_INTERNAL,
                          reason, reasonlen, podp_msg_string (msg, "reason"));
        }
        podp_msg_destroy (&msg);
        return data;
    }
}

podp_msg_t *
podclient_recv_push (podclient_t *self, int timeout_ms)
{
    assert (self);
    podp_msg_t *msg = (podp_msg_t *) zlistx_detach (self->pushes, NULL);
    if (msg)
        return msg;
    int64_t deadline = zclock_mono () + (timeout_ms > 0 ? timeout_ms : 0);
    while ((msg = s_recv_one (self, deadline))) {
        if (s_is_push (msg))
            return msg;
        podp_msg_destroy (&msg);        //  reply nobody awaits
    }
    return NULL;
}

int
podclient_send (podclient_t *self, const char *command, json_t *body)
{
    assert (self);
    assert (command);
    return s_send (self, command, body, 0);
}

int
podclient_ack (podclient_t *self, json_t *deliveries)
{
    assert (self);
    assert (json_is_array (deliveries));
    size_t count = json_array_size (deliveries);
    if (count == 0) {
        json_decref (deliveries);
        return 0;
    }
    json_t *body = count == 1
        ? json_pack ("{s:O}", "delivery", json_array_get (deliveries, 0))
        : json_pack ("{s:O}", "deliveries", deliveries);
    json_decref (deliveries);
    return s_send (self, "ACK", body, 0);
}

int64_t
podclient_last_seen (podclient_t *self)
{
    assert (self);
    return self->last_seen;
}

//  --------------------------------------------------------------------------
//  Self test: no server (timeout), then a fake in-process server that sends
//  a push, a malformed message and a stray reply before the real reply.

void
podclient_test (bool verbose)
{
    printf (" * podclient: ");
    if (verbose)
        printf ("\n");

    //  No server: clean timeout, status 0
    podclient_t *client = podclient_new ("tcp://127.0.0.1:9", NULL, NULL);
    assert (client);
    int status = -1;
    char reason [64];
    int64_t start = zclock_mono ();
    json_t *data = podclient_request (client, "PING", NULL, 200, &status,
                                      reason, sizeof reason);
    assert (data == NULL);
    assert (status == 0);
    assert (zclock_mono () - start >= 150);
    assert (podclient_send (client, "HEARTBEAT", NULL) == -1);
    assert (podclient_recv_push (client, 0) == NULL);
    assert (podclient_last_seen (client) == 0);
    podclient_destroy (&client);
    assert (client == NULL);

    //  Missing certificates are refused (logs an error)
    if (verbose)
        printf ("   expect one error and one warning logged below\n");
    client = podclient_new ("tcp://127.0.0.1:9", "/nonexistent/podclient.cert",
                            "/nonexistent/podd.cert");
    assert (client == NULL);

    //  Fake server
    zsock_t *router = zsock_new_router ("inproc://podclient-selftest");
    assert (router);
    client = podclient_new ("inproc://podclient-selftest", NULL, NULL);
    assert (client);
    assert (podclient_send (client, "HEARTBEAT", NULL) == 0);
    zmsg_t *msg = zmsg_recv (router);
    assert (msg);
    zframe_t *routing_id = zmsg_pop (msg);
    zmsg_destroy (&msg);

    podp_msg_t *push = podp_msg_new ("TASK",
        json_pack ("{s:i,s:{s:i,s:s}}", "delivery", 7, "task", "id", 42, "title", "Visit"));
    assert (podp_send (push, router, routing_id) == 0);
    podp_msg_destroy (&push);
    zsock_send (router, "fsss", routing_id, "PODP/2", "REPLY", "{}");
    podp_msg_t *stray = podp_reply_new (99, 200, "OK", NULL);
    assert (podp_send (stray, router, routing_id) == 0);
    podp_msg_destroy (&stray);
    podp_msg_t *reply = podp_reply_new (1, 200, "OK",
                                        json_pack ("{s:s}", "server", "podd 0.1"));
    assert (podp_send (reply, router, routing_id) == 0);
    podp_msg_destroy (&reply);

    data = podclient_request (client, "PING", NULL, 1000, &status, reason, sizeof reason);
    assert (data);
    assert (status == 200);
    assert (streq (json_string_value (json_object_get (data, "server")), "podd 0.1"));
    json_decref (data);
    assert (podclient_last_seen (client) > 0);

    //  The request itself reached the server with rid 1
    msg = zmsg_recv (router);
    assert (msg);
    zframe_t *frame = zmsg_pop (msg);
    zframe_destroy (&frame);
    podp_error_t err;
    podp_msg_t *request = podp_decode (msg, true, 0, &err);
    zmsg_destroy (&msg);
    assert (request);
    assert (streq (podp_msg_command (request), "PING"));
    assert (podp_msg_int (request, "rid", -1) == 1);
    podp_msg_destroy (&request);

    //  An error reply
    reply = podp_reply_new (2, 404, "no case 'X'", NULL);
    assert (podp_send (reply, router, routing_id) == 0);
    podp_msg_destroy (&reply);
    data = podclient_request (client, "CASE-SHOW", json_pack ("{s:s}", "ref", "X"),
                              1000, &status, reason, sizeof reason);
    assert (data == NULL);
    assert (status == 404);
    assert (streq (reason, "no case 'X'"));

    //  The push was queued, not lost
    push = podclient_recv_push (client, 0);
    assert (push);
    assert (streq (podp_msg_command (push), "TASK"));
    assert (podp_msg_int (push, "delivery", 0) == 7);
    podp_msg_destroy (&push);
    assert (podclient_recv_push (client, 10) == NULL);

    zframe_destroy (&routing_id);
    podclient_destroy (&client);
    zsock_destroy (&router);
    printf ("OK\n");
}
