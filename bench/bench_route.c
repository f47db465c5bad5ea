/*  bench_route.c - how fast podd routes a task, end to end, on this machine.

    Prints figures and ratios, never pass/fail. Three parts, in one run:

    a. Baseline: libzmq ROUTER/DEALER round trips over TCP loopback to an
       echo server in a zactor (same process), with messages shaped like a
       TASK-NEW: pipelined (a window of W in flight) and one at a time.
       Measured without and with CURVE (podd always uses CURVE).
    b. Durable routing through a running podd: a creator connection (a
       team manager) pipelines TASK-NEW (W in flight) on a case whose lead
       is the watcher member; a watcher connection WATCHes as that lead and
       ACKs every TASK push, the pushes it has received at once in one ACK
       ("deliveries", as a client acknowledges what it has shown).
       Throughput = tasks created, committed, pushed and acknowledged (ACK
       committed) per second, over N tasks.
    c. Latency at a fixed offered rate (default 1000 tasks/s for 3 s): from
       sending TASK-NEW to the TASK push arriving at the watcher, both in
       this process, on the monotonic clock. p50, p99, max.

    Every loop is bounded in count and in time: the program exits by itself.

    usage: bench_route -e ENDPOINT -c CREATOR.cert -w WATCHER.cert -s SERVER.cert
                       [-n TASKS] [-W WINDOW] [-r RATE] [-d SECONDS]
                       [-p PODD_PID] [-o SUMMARY_FILE] [-f FSYNC_PROBE_DIR]

    -f DIR first times 4 KiB writes + fdatasync in DIR (put it where podd's
    database is): the floor under every durable figure below.
*/
#include <czmq.h>
#include <jansson.h>
#include <time.h>
#include <getopt.h>
#include <sys/resource.h>
#include <fcntl.h>
#include "podp.h"
#include "podclient.h"
#include "benchlib.h"

#define BASE_PIPELINED      200000  /* baseline messages, pipelined */
#define BASE_SERIAL         20000   /* baseline round trips, one at a time */
#define BASE_SECONDS        10      /* bound on each baseline part */
#define ECHO_SECONDS_MAX    120     /* bound on the echo server's life */
#define DRAIN_MAX           100000  /* messages handled per drain call */
#define E2E_WARMUP          500     /* tasks routed before measuring */
#define E2E_SECONDS_MAX     120     /* bound on the durable routing part */
#define LAT_DRAIN_SECONDS   5       /* wait for late pushes after the rate run */
#define SETUP_TIMEOUT_MS    10000
#define REQUEST_TIMEOUT_MS  5000
#define TASK_TITLE_E2E      "bench-e2e "
#define TASK_TITLE_LAT      "bench-lat "

//  --------------------------------------------------------------------------
//  summary: "key value" lines for bench/run.sh's table (optional file)

typedef struct {
    FILE *file;
} summary_t;

static summary_t *
summary_new (const char *path)
{
    summary_t *self = (summary_t *) zmalloc (sizeof (summary_t));
    if (path) {
        self->file = fopen (path, "a");
        if (!self->file)
            zsys_warning ("bench_route: cannot write summary %s", path);
    }
    return self;
}

static void
summary_destroy (summary_t **self_p)
{
    if (*self_p) {
        if ((*self_p)->file)
            fclose ((*self_p)->file);
        free (*self_p);
        *self_p = NULL;
    }
}

static void
summary_put (summary_t *self, const char *key, double value)
{
    if (self->file)
        fprintf (self->file, "%s %.3f\n", key, value);
}

//  --------------------------------------------------------------------------
//  Environment: what a durable commit costs here and now. podd's latency
//  cannot be lower than one fdatasync of its WAL.

#define PROBE_SYNCS         200
#define PROBE_SECONDS       5

typedef struct {
    int64_t p50, p99, max;      /* ns, 0 = not measured */
    size_t count;
} probe_t;

static void
s_fsync_probe (const char *dir, probe_t *result)
{
    memset (result, 0, sizeof *result);
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/fsync-probe.%d", dir, (int) getpid ());
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd == -1)
        return;
    char page [4096];
    memset (page, 'x', sizeof page);
    samples_t *samples = samples_new (PROBE_SYNCS);
    int64_t deadline = bench_now_ns () + PROBE_SECONDS * 1000000000LL;
    for (int i = 0; i < PROBE_SYNCS && bench_now_ns () < deadline; i++) {
        if (pwrite (fd, page, sizeof page, (off_t) (i % 16) * (off_t) sizeof page) != (ssize_t) sizeof page)
            break;
        int64_t start = bench_now_ns ();
        if (fdatasync (fd))
            break;
        samples_add (samples, bench_now_ns () - start);
    }
    close (fd);
    unlink (path);
    result->count = samples->count;
    result->p50 = samples_percentile (samples, 50);
    result->p99 = samples_percentile (samples, 99);
    result->max = samples_percentile (samples, 100);
    samples_destroy (&samples);
}

static void
s_loadavg (char *buf, size_t size)
{
    snprintf (buf, size, "?");
    FILE *file = fopen ("/proc/loadavg", "r");
    if (file) {
        double one, five;
        if (fscanf (file, "%lf %lf", &one, &five) == 2)
            snprintf (buf, size, "%.2f (1 min), %.2f (5 min)", one, five);
        fclose (file);
    }
}

//  --------------------------------------------------------------------------
//  Baseline: an echo ROUTER in a zactor, raw libzmq on both sides

typedef struct {
    zcert_t *cert;              /* server keypair, NULL = no CURVE */
} echo_args_t;

//  Echo every message back to its sender, frame for frame
static void
s_echo_actor (zsock_t *pipe, void *args)
{
    echo_args_t *echo = (echo_args_t *) args;
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    assert (router);
    zsock_set_rcvhwm (router, 100000);
    zsock_set_sndhwm (router, 100000);
    zsock_set_linger (router, 0);
    if (echo->cert) {
        zcert_apply (echo->cert, router);
        zsock_set_curve_server (router, 1);
    }
    int port = zsock_bind (router, "tcp://127.0.0.1:*");
    zsock_signal (pipe, 0);
    zsock_send (pipe, "i", port);
    void *raw = zsock_resolve (router);
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    //  The owner ends it with $TERM; never outlive it by much in any case
    int64_t deadline = bench_now_ns () + ECHO_SECONDS_MAX * 1000000000LL;
    while (port > 0 && bench_now_ns () < deadline) {
        void *which = zpoller_wait (poller, 1000);
        if (which == pipe)
            break;              //  $TERM
        if (zpoller_terminated (poller))
            break;
        //  Drain what is waiting, forwarding each part with its MORE flag
        for (int count = 0; count < 10000; count++) {
            zmq_msg_t part;
            zmq_msg_init (&part);
            if (zmq_msg_recv (&part, raw, ZMQ_DONTWAIT) == -1) {
                zmq_msg_close (&part);
                break;
            }
            int more = zmq_msg_more (&part);
            for (int parts = 0; parts < 64; parts++) {
                if (zmq_msg_send (&part, raw, more? ZMQ_SNDMORE: 0) == -1)
                    zmq_msg_close (&part);
                if (!more)
                    break;
                zmq_msg_init (&part);
                if (zmq_msg_recv (&part, raw, 0) == -1) {
                    zmq_msg_close (&part);
                    break;
                }
                more = zmq_msg_more (&part);
            }
        }
    }
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

//  A three-frame message shaped like a TASK-NEW request
static void
s_raw_send (void *socket, const char *body, size_t size)
{
    zmq_send (socket, PODP_SIGNATURE, strlen (PODP_SIGNATURE), ZMQ_SNDMORE);
    zmq_send (socket, "TASK-NEW", 8, ZMQ_SNDMORE);
    zmq_send (socket, body, size, 0);
}

//  Receive one whole message; 0 or -1 (nothing waiting / error)
static int
s_raw_recv (void *socket, int flags)
{
    zmq_msg_t part;
    zmq_msg_init (&part);
    if (zmq_msg_recv (&part, socket, flags) == -1) {
        zmq_msg_close (&part);
        return -1;
    }
    while (zmq_msg_more (&part)) {
        zmq_msg_close (&part);
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, socket, 0) == -1)
            break;
    }
    zmq_msg_close (&part);
    return 0;
}

typedef struct {
    double pipelined_per_s;     /* messages round-tripped per second, W in flight */
    double serial_per_s;        /* round trips per second, one at a time */
    double serial_rtt_us;       /* mean round-trip time, one at a time */
} baseline_t;

static int
s_baseline (bool curve, size_t window, const char *body, baseline_t *result)
{
    memset (result, 0, sizeof *result);
    echo_args_t args = { .cert = curve? zcert_new (): NULL };
    zactor_t *echo = zactor_new (s_echo_actor, &args);
    int port = 0;
    zsock_recv (echo, "i", &port);
    if (port <= 0) {
        zsys_error ("bench_route: echo server cannot bind");
        zactor_destroy (&echo);
        zcert_destroy (&args.cert);
        return -1;
    }
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    zsock_set_rcvhwm (dealer, 100000);
    zsock_set_sndhwm (dealer, 100000);
    zsock_set_rcvtimeo (dealer, 2000);
    zcert_t *client_cert = NULL;
    if (curve) {
        client_cert = zcert_new ();
        zcert_apply (client_cert, dealer);
        zsock_set_curve_serverkey (dealer, zcert_public_txt (args.cert));
    }
    zsock_connect (dealer, "tcp://127.0.0.1:%d", port);
    void *raw = zsock_resolve (dealer);
    size_t size = strlen (body);

    //  Warm up: connection, handshake, allocations
    int rc = 0;
    for (int i = 0; i < 1000 && rc == 0; i++) {
        s_raw_send (raw, body, size);
        rc = s_raw_recv (raw, 0);
    }
    if (rc) {
        zsys_error ("bench_route: echo server does not answer");
        goto done;
    }
    //  Pipelined: keep `window` messages in flight
    int64_t start = bench_now_ns (), deadline = start + BASE_SECONDS * 1000000000LL;
    size_t sent = 0, received = 0;
    while (received < BASE_PIPELINED && bench_now_ns () < deadline && !zsys_interrupted) {
        while (sent < BASE_PIPELINED && sent - received < window) {
            s_raw_send (raw, body, size);
            sent++;
        }
        zmq_pollitem_t item = { raw, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 100) <= 0)
            continue;
        while (received < sent && s_raw_recv (raw, ZMQ_DONTWAIT) == 0)
            received++;
    }
    int64_t elapsed = bench_now_ns () - start;
    result->pipelined_per_s = (double) received * 1e9 / (double) elapsed;
    //  Collect what is still in flight before the next part
    while (received < sent && s_raw_recv (raw, 0) == 0)
        received++;

    //  One at a time
    start = bench_now_ns ();
    deadline = start + BASE_SECONDS * 1000000000LL;
    size_t trips = 0;
    while (trips < BASE_SERIAL && bench_now_ns () < deadline && !zsys_interrupted) {
        s_raw_send (raw, body, size);
        if (s_raw_recv (raw, 0))
            break;
        trips++;
    }
    elapsed = bench_now_ns () - start;
    result->serial_per_s = (double) trips * 1e9 / (double) elapsed;
    result->serial_rtt_us = trips? (double) elapsed / (double) trips / 1000.0: 0;
done:
    zsock_destroy (&dealer);
    zcert_destroy (&client_cert);
    zactor_destroy (&echo);
    zcert_destroy (&args.cert);
    return rc;
}

//  --------------------------------------------------------------------------
//  peer: one DEALER connection to podd, speaking PODP/1 through the codec,
//  for pipelining (podclient waits for each reply in turn).

typedef struct {
    zsock_t *dealer;
    int64_t next_rid;
    int64_t last_heartbeat;     /* s_now_ns of the last HEARTBEAT sent */
} peer_t;

static peer_t *
peer_new (const char *endpoint, const char *cert_path, const char *server_cert_path)
{
    zcert_t *cert = zcert_load (cert_path);
    zcert_t *server = zcert_load (server_cert_path);
    if (!cert || !server) {
        zsys_error ("bench_route: cannot load %s or %s", cert_path, server_cert_path);
        zcert_destroy (&cert);
        zcert_destroy (&server);
        return NULL;
    }
    peer_t *self = (peer_t *) zmalloc (sizeof (peer_t));
    self->next_rid = 1;
    self->dealer = zsock_new (ZMQ_DEALER);
    assert (self->dealer);
    zsock_set_linger (self->dealer, 0);
    zsock_set_sndhwm (self->dealer, 100000);
    zsock_set_rcvhwm (self->dealer, 100000);
    zsock_set_sndtimeo (self->dealer, 1000);    //  never block for good
    zcert_apply (cert, self->dealer);
    zsock_set_curve_serverkey (self->dealer, zcert_public_txt (server));
    zcert_destroy (&cert);
    zcert_destroy (&server);
    if (zsock_connect (self->dealer, "%s", endpoint)) {
        zsys_error ("bench_route: cannot connect to %s", endpoint);
        zsock_destroy (&self->dealer);
        free (self);
        return NULL;
    }
    return self;
}

static void
peer_destroy (peer_t **self_p)
{
    if (*self_p) {
        zsock_destroy (&(*self_p)->dealer);
        free (*self_p);
        *self_p = NULL;
    }
}

//  Send command with body (stolen). with_rid: add a fresh rid, returned;
//  else no rid. Returns the rid (0 without), -1 when it could not be sent.
static int64_t
peer_send (peer_t *self, const char *command, json_t *body, bool with_rid)
{
    int64_t rid = 0;
    if (with_rid) {
        rid = self->next_rid++;
        json_object_set_new (body, "rid", json_integer (rid));
    }
    podp_msg_t *msg = podp_msg_new (command, body);
    int rc = podp_send (msg, self->dealer, NULL);
    podp_msg_destroy (&msg);
    return rc? -1: rid;
}

//  Next valid message waiting, without blocking; NULL when none.
//  Malformed server messages are counted in *malformed and dropped.
static podp_msg_t *
peer_recv_nowait (peer_t *self, size_t *malformed)
{
    for (size_t count = 0; count < DRAIN_MAX && (zsock_events (self->dealer) & ZMQ_POLLIN); count++) {
        zmsg_t *msg = zmsg_recv (self->dealer);
        if (!msg)
            return NULL;
        podp_error_t err;
        podp_msg_t *decoded = podp_decode (msg, false, PODCLIENT_MAX_BODY, &err);
        zmsg_destroy (&msg);
        if (decoded)
            return decoded;
        (*malformed)++;
    }
    return NULL;
}

//  Send a HEARTBEAT (no rid, its reply is ignored) at most every interval_ms
static void
peer_heartbeat (peer_t *self, int interval_ms)
{
    int64_t now = bench_now_ns ();
    if (now - self->last_heartbeat >= (int64_t) interval_ms * 1000000LL) {
        peer_send (self, "HEARTBEAT", json_object (), false);
        self->last_heartbeat = now;
    }
}

//  Send a request and wait for its REPLY; returns it (caller destroys) or
//  NULL. Other messages are dropped: used only for PING and WATCH, before
//  this run made any task (pushes replayed after the WATCH reply arrive
//  later and are ACKed by the drains).
static podp_msg_t *
peer_request (peer_t *self, const char *command, json_t *body, int timeout_ms)
{
    int64_t rid = peer_send (self, command, body, true);
    if (rid < 0)
        return NULL;
    int64_t deadline = bench_now_ns () + (int64_t) timeout_ms * 1000000LL;
    size_t malformed = 0;
    while (bench_now_ns () < deadline && !zsys_interrupted) {
        zmq_pollitem_t item = { zsock_resolve (self->dealer), 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 100) <= 0)
            continue;
        podp_msg_t *msg;
        for (size_t count = 0; count < DRAIN_MAX && (msg = peer_recv_nowait (self, &malformed)); count++) {
            if (streq (podp_msg_command (msg), "REPLY") && podp_msg_int (msg, "rid", -1) == rid)
                return msg;
            podp_msg_destroy (&msg);
        }
    }
    return NULL;
}

//  --------------------------------------------------------------------------
//  route_bench: the podd parts (b and c)

typedef struct {
    peer_t *creator;
    peer_t *watcher;
    char watcher_handle [64];
    char case_ref [64];
    int heartbeat_ms;
    size_t window;
    //  Counters of the part being run
    size_t malformed;
    size_t errors;              /* TASK-NEW or ACK replies that were not 2xx */
    char last_error [300];
    size_t foreign_pushes;      /* pushes not made by this part (ACKed) */
    size_t duplicate_pushes;
} route_bench_t;

static void
s_note_error (route_bench_t *self, const char *what, podp_msg_t *reply)
{
    self->errors++;
    snprintf (self->last_error, sizeof self->last_error, "%s: %d %s", what,
              (int) podp_msg_int (reply, "status", 0),
              podp_msg_string (reply, "reason")? podp_msg_string (reply, "reason"): "");
}

//  Index in a bench task title "PREFIX<n>", or -1
static int64_t
s_title_index (podp_msg_t *push, const char *prefix)
{
    json_t *task = json_object_get (podp_msg_body (push), "task");
    const char *title = json_string_value (json_object_get (task, "title"));
    size_t len = strlen (prefix);
    if (!title || strncmp (title, prefix, len) != 0)
        return -1;
    char *end = NULL;
    long long index = strtoll (title + len, &end, 10);
    return end && *end == 0 && index >= 0? (int64_t) index: -1;
}

static int
s_send_task (route_bench_t *self, const char *prefix, size_t index)
{
    char title [64];
    snprintf (title, sizeof title, "%s%zu", prefix, index);
    json_t *body = json_pack ("{s:s s:s s:s}", "case", self->case_ref,
                              "kind", "general", "title", title);
    return peer_send (self->creator, "TASK-NEW", body, true) < 0? -1: 0;
}

//  Handle everything waiting on the watcher: ACK the TASK pushes it holds
//  in one request, as a client acknowledges what it has shown (PROTOCOL
//  "deliveries"; with a rid, so its committed REPLY can be counted).
//  on_push gets the title index of pushes with the given prefix. Returns
//  the number of deliveries the ACK replies seen report acknowledged.
typedef void (s_push_fn) (void *arg, int64_t index, int64_t now);

static size_t
s_drain_watcher (route_bench_t *self, const char *prefix, s_push_fn *on_push, void *arg)
{
    size_t acked = 0;
    json_t *deliveries = json_array ();
    podp_msg_t *msg;
    for (size_t count = 0; count < DRAIN_MAX
                        && (msg = peer_recv_nowait (self->watcher, &self->malformed)); count++) {
        int64_t now = bench_now_ns ();
        const char *command = podp_msg_command (msg);
        if (streq (command, "TASK")) {
            int64_t index = s_title_index (msg, prefix);
            if (index >= 0)
                on_push (arg, index, now);
            else
                self->foreign_pushes++;
            json_array_append_new (deliveries, json_integer (podp_msg_int (msg, "delivery", 0)));
        }
        else
        if (streq (command, "REPLY") && podp_msg_int (msg, "rid", -1) > 0) {
            int status = (int) podp_msg_int (msg, "status", 0);
            json_t *data = json_object_get (podp_msg_body (msg), "data");
            if (status >= 200 && status < 300)
                acked += json_array_size (json_object_get (data, "acked"))
                       + json_array_size (json_object_get (data, "already"));
            else
                s_note_error (self, "ACK", msg);
        }
        podp_msg_destroy (&msg);
    }
    if (json_array_size (deliveries))
        peer_send (self->watcher, "ACK", json_pack ("{s:o}", "deliveries", deliveries), true);
    else
        json_decref (deliveries);
    return acked;
}

//  Replies to TASK-NEW waiting on the creator: count 201s, note errors.
//  Returns the number of replies of any status; *created the 2xx ones.
static size_t
s_drain_creator (route_bench_t *self, size_t *created, s_push_fn *on_reply, void *arg)
{
    size_t replies = 0;
    podp_msg_t *msg;
    for (size_t count = 0; count < DRAIN_MAX
                        && (msg = peer_recv_nowait (self->creator, &self->malformed)); count++) {
        if (streq (podp_msg_command (msg), "REPLY") && podp_msg_int (msg, "rid", -1) > 0) {
            replies++;
            int status = (int) podp_msg_int (msg, "status", 0);
            if (status == PODP_CREATED) {
                (*created)++;
                if (on_reply) {
                    json_t *data = json_object_get (podp_msg_body (msg), "data");
                    const char *title = json_string_value (json_object_get (data, "title"));
                    if (title) {
                        const char *space = strrchr (title, ' ');
                        if (space)
                            on_reply (arg, strtoll (space + 1, NULL, 10), bench_now_ns ());
                    }
                }
            }
            else
                s_note_error (self, "TASK-NEW", msg);
        }
        podp_msg_destroy (&msg);
    }
    return replies;
}

static void
s_ignore_push (void *arg, int64_t index, int64_t now)
{
    (void) arg; (void) index; (void) now;
}

static void
s_reset_counters (route_bench_t *self)
{
    self->malformed = self->errors = self->foreign_pushes = self->duplicate_pushes = 0;
    self->last_error [0] = 0;
}

//  Part b: pipelined TASK-NEW, window in flight, pushes ACKed.
typedef struct {
    uint8_t *seen;              /* per task index: push received */
    size_t count;
    size_t pushes;
    route_bench_t *bench;
} e2e_state_t;

static void
s_e2e_on_push (void *arg, int64_t index, int64_t now)
{
    (void) now;
    e2e_state_t *state = (e2e_state_t *) arg;
    if ((size_t) index >= state->count)
        state->bench->foreign_pushes++;
    else
    if (state->seen [index])
        state->bench->duplicate_pushes++;
    else {
        state->seen [index] = 1;
        state->pushes++;
    }
}

typedef struct {
    size_t tasks;               /* asked for */
    size_t sent, created, pushed, acked;
    double seconds;
    double per_s;               /* completed (created+pushed+acked) per second */
    int64_t podd_cpu_ms;        /* -1 unknown */
    int64_t self_cpu_ms;
} e2e_result_t;

static void
s_e2e (route_bench_t *self, size_t tasks, const char *prefix, int podd_pid,
       e2e_result_t *result)
{
    s_reset_counters (self);
    memset (result, 0, sizeof *result);
    result->tasks = tasks;
    e2e_state_t state = { .seen = (uint8_t *) zmalloc (tasks? tasks: 1), .count = tasks,
                          .bench = self };
    size_t replies = 0, created = 0, acked = 0, sent = 0;
    int64_t podd_cpu0 = podd_pid > 0? bench_proc_cpu_ms (podd_pid): -1;
    int64_t self_cpu0 = bench_self_cpu_ms ();
    int64_t start = bench_now_ns ();
    int64_t deadline = start + E2E_SECONDS_MAX * 1000000000LL;
    int64_t finished = start;
    void *creator = zsock_resolve (self->creator->dealer);
    void *watcher = zsock_resolve (self->watcher->dealer);
    while (!zsys_interrupted) {
        int64_t now = bench_now_ns ();
        //  Done when every task was answered, and every created one was
        //  pushed and its ACK committed (or time is up)
        if (replies >= tasks && state.pushes >= created && acked >= created) {
            finished = now;
            break;
        }
        if (now > deadline) {
            finished = now;
            zsys_warning ("bench_route: time limit reached, %zu of %zu tasks complete",
                          acked, tasks);
            break;
        }
        while (sent < tasks && sent - replies < self->window) {
            if (s_send_task (self, prefix, sent))
                break;
            sent++;
        }
        peer_heartbeat (self->watcher, self->heartbeat_ms / 2);
        zmq_pollitem_t items [] = {
            { creator, 0, ZMQ_POLLIN, 0 }, { watcher, 0, ZMQ_POLLIN, 0 }
        };
        if (zmq_poll (items, 2, 100) <= 0)
            continue;
        replies += s_drain_creator (self, &created, NULL, NULL);
        acked += s_drain_watcher (self, prefix, s_e2e_on_push, &state);
    }
    result->sent = sent;
    result->created = created;
    result->pushed = state.pushes;
    result->acked = acked;
    result->seconds = (double) (finished - start) / 1e9;
    size_t complete = acked < state.pushes? acked: state.pushes;
    result->per_s = result->seconds > 0? (double) complete / result->seconds: 0;
    result->podd_cpu_ms = podd_cpu0 >= 0? bench_proc_cpu_ms (podd_pid) - podd_cpu0: -1;
    result->self_cpu_ms = bench_self_cpu_ms () - self_cpu0;
    free (state.seen);
}

//  Part c: TASK-NEW at a fixed offered rate; latency to the push
typedef struct {
    int64_t *sent_at;           /* per task index, ns; 0 = not sent */
    int64_t *pushed_at;         /* per task index, ns; 0 = not yet */
    int64_t *replied_at;
    size_t count;
    size_t pushes;
    route_bench_t *bench;
} lat_state_t;

static void
s_lat_on_push (void *arg, int64_t index, int64_t now)
{
    lat_state_t *state = (lat_state_t *) arg;
    if ((size_t) index >= state->count || !state->sent_at [index])
        state->bench->foreign_pushes++;
    else
    if (state->pushed_at [index])
        state->bench->duplicate_pushes++;
    else {
        state->pushed_at [index] = now;
        state->pushes++;
    }
}

static void
s_lat_on_reply (void *arg, int64_t index, int64_t now)
{
    lat_state_t *state = (lat_state_t *) arg;
    if (index >= 0 && (size_t) index < state->count && !state->replied_at [index])
        state->replied_at [index] = now;
}

typedef struct {
    size_t offered, created, pushed;
    double rate;                /* achieved send rate, per s */
    double max_behind_ms;       /* worst lag of a send behind its schedule */
    int64_t p50, p90, p99, p999, max;     /* ns, send -> push */
    double mean;
    int64_t reply_p50, reply_p99, reply_max;    /* ns, send -> REPLY */
} lat_result_t;

static void
s_latency (route_bench_t *self, int rate, int seconds, lat_result_t *result)
{
    s_reset_counters (self);
    memset (result, 0, sizeof *result);
    size_t count = (size_t) rate * (size_t) seconds;
    lat_state_t state = {
        .sent_at = (int64_t *) zmalloc ((count? count: 1) * sizeof (int64_t)),
        .pushed_at = (int64_t *) zmalloc ((count? count: 1) * sizeof (int64_t)),
        .replied_at = (int64_t *) zmalloc ((count? count: 1) * sizeof (int64_t)),
        .count = count, .bench = self
    };
    size_t replies = 0, created = 0, sent = 0;
    int64_t interval = 1000000000LL / rate;
    int64_t start = bench_now_ns ();
    int64_t deadline = start + (int64_t) (seconds + LAT_DRAIN_SECONDS) * 1000000000LL;
    int64_t max_behind = 0, last_send = start;
    void *creator = zsock_resolve (self->creator->dealer);
    void *watcher = zsock_resolve (self->watcher->dealer);
    while (!zsys_interrupted) {
        int64_t now = bench_now_ns ();
        if (sent >= count && replies >= sent && state.pushes >= created)
            break;
        if (now > deadline) {
            zsys_warning ("bench_route: latency run: %zu of %zu pushes arrived in time",
                          state.pushes, count);
            break;
        }
        //  Send every task that is due (open loop: never waits for replies)
        while (sent < count && start + (int64_t) sent * interval <= now) {
            int64_t behind = now - (start + (int64_t) sent * interval);
            if (behind > max_behind)
                max_behind = behind;
            state.sent_at [sent] = bench_now_ns ();
            if (s_send_task (self, TASK_TITLE_LAT, sent)) {
                state.sent_at [sent] = 0;
                break;
            }
            last_send = state.sent_at [sent];
            sent++;
            now = bench_now_ns ();
        }
        peer_heartbeat (self->watcher, self->heartbeat_ms / 2);
        //  Sleep until the next send is due (ms granularity), or a message
        int64_t wait_ns = sent < count? start + (int64_t) sent * interval - bench_now_ns (): 100000000LL;
        long timeout = wait_ns <= 0? 0: (long) ((wait_ns + 999999) / 1000000);
        zmq_pollitem_t items [] = {
            { creator, 0, ZMQ_POLLIN, 0 }, { watcher, 0, ZMQ_POLLIN, 0 }
        };
        if (zmq_poll (items, 2, timeout) <= 0)
            continue;
        if (items [1].revents & ZMQ_POLLIN)
            s_drain_watcher (self, TASK_TITLE_LAT, s_lat_on_push, &state);
        if (items [0].revents & ZMQ_POLLIN)
            replies += s_drain_creator (self, &created, s_lat_on_reply, &state);
    }
    //  ACK replies still on their way are collected by the next drain
    samples_t *push = samples_new (count);
    samples_t *reply = samples_new (count);
    for (size_t i = 0; i < count; i++) {
        if (state.sent_at [i] && state.pushed_at [i])
            samples_add (push, state.pushed_at [i] - state.sent_at [i]);
        if (state.sent_at [i] && state.replied_at [i])
            samples_add (reply, state.replied_at [i] - state.sent_at [i]);
    }
    result->offered = sent;
    result->created = created;
    result->pushed = state.pushes;
    result->rate = last_send > start? (double) (sent - 1) * 1e9 / (double) (last_send - start): 0;
    result->max_behind_ms = (double) max_behind / 1e6;
    result->p50 = samples_percentile (push, 50);
    result->p90 = samples_percentile (push, 90);
    result->p99 = samples_percentile (push, 99);
    result->p999 = samples_percentile (push, 99.9);
    result->max = samples_percentile (push, 100);
    result->mean = samples_mean (push);
    result->reply_p50 = samples_percentile (reply, 50);
    result->reply_p99 = samples_percentile (reply, 99);
    result->reply_max = samples_percentile (reply, 100);
    samples_destroy (&push);
    samples_destroy (&reply);
    free (state.sent_at);
    free (state.pushed_at);
    free (state.replied_at);
}

//  Wait until the peer's connection answers PING (CURVE handshake done)
static int
s_wait_ready (peer_t *peer, int timeout_ms)
{
    int64_t deadline = bench_now_ns () + (int64_t) timeout_ms * 1000000LL;
    while (bench_now_ns () < deadline && !zsys_interrupted) {
        podp_msg_t *reply = peer_request (peer, "PING", json_object (), 500);
        if (reply) {
            int status = (int) podp_msg_int (reply, "status", 0);
            podp_msg_destroy (&reply);
            return status == PODP_OK? 0: -1;
        }
    }
    return -1;
}

//  Setup through podclient (one request at a time fits here): who the
//  watcher is, and a fresh case the creator opens with the watcher as lead.
static int
s_setup (route_bench_t *self, const char *endpoint, const char *creator_cert,
         const char *watcher_cert, const char *server_cert)
{
    int rc = -1, status = 0;
    char reason [256] = "";
    podclient_t *creator = podclient_new (endpoint, creator_cert, server_cert);
    podclient_t *watcher = podclient_new (endpoint, watcher_cert, server_cert);
    json_t *who = NULL, *me = NULL, *kase = NULL;
    if (!creator || !watcher)
        goto done;
    //  podclient sets ZMQ_IMMEDIATE: retry until the connection is up
    for (int attempt = 0; attempt < 50 && !who && !zsys_interrupted; attempt++)
        who = podclient_request (watcher, "WHOAMI", NULL, 200, &status, reason, sizeof reason);
    if (!who) {
        zsys_error ("bench_route: watcher WHOAMI: %d %s", status, reason);
        goto done;
    }
    for (int attempt = 0; attempt < 50 && !me && !zsys_interrupted; attempt++)
        me = podclient_request (creator, "WHOAMI", NULL, 200, &status, reason, sizeof reason);
    if (!me) {
        zsys_error ("bench_route: creator WHOAMI: %d %s", status, reason);
        goto done;
    }
    snprintf (self->watcher_handle, sizeof self->watcher_handle, "%s",
              json_string_value (json_object_get (who, "handle")));
    snprintf (self->case_ref, sizeof self->case_ref, "BENCH-%d-%lld", (int) getpid (),
              (long long) (zclock_time () % 100000000));
    kase = podclient_request (creator, "CASE-OPEN",
        json_pack ("{s:s s:s s:s s:s}", "ref", self->case_ref, "kind", "child",
                   "lead", self->watcher_handle, "summary", "bench_route: routing benchmark"),
        REQUEST_TIMEOUT_MS, &status, reason, sizeof reason);
    if (!kase) {
        zsys_error ("bench_route: CASE-OPEN as %s: %d %s",
                    json_string_value (json_object_get (me, "handle")), status, reason);
        goto done;
    }
    printf ("  creator %s (%s), watcher %s (%s), case %s led by %s\n",
            json_string_value (json_object_get (me, "handle")),
            json_string_value (json_object_get (me, "role")),
            self->watcher_handle, json_string_value (json_object_get (who, "role")),
            self->case_ref, json_string_value (json_object_get (kase, "lead")));
    rc = 0;
done:
    json_decref (who);
    json_decref (me);
    json_decref (kase);
    podclient_destroy (&creator);
    podclient_destroy (&watcher);
    return rc;
}

static int
s_watch (route_bench_t *self)
{
    podp_msg_t *reply = peer_request (self->watcher, "WATCH", json_object (), REQUEST_TIMEOUT_MS);
    if (!reply || podp_msg_int (reply, "status", 0) != PODP_OK) {
        zsys_error ("bench_route: WATCH: %s", reply? podp_msg_string (reply, "reason"): "no reply");
        podp_msg_destroy (&reply);
        return -1;
    }
    json_t *data = json_object_get (podp_msg_body (reply), "data");
    int heartbeat = (int) json_integer_value (json_object_get (data, "heartbeat"));
    self->heartbeat_ms = heartbeat > 0? heartbeat: 1000;
    printf ("  watching: %lld pending, heartbeat %d ms\n",
            (long long) json_integer_value (json_object_get (data, "pending")), self->heartbeat_ms);
    podp_msg_destroy (&reply);
    self->watcher->last_heartbeat = bench_now_ns ();
    return 0;
}

static void
s_ms (char *buf, size_t size, int64_t ns)
{
    snprintf (buf, size, "%.3f ms", (double) ns / 1e6);
}

//  --------------------------------------------------------------------------

static void
s_usage (void)
{
    fprintf (stderr,
        "usage: bench_route -e ENDPOINT -c CREATOR.cert -w WATCHER.cert -s SERVER.cert\n"
        "                   [-n TASKS] [-W WINDOW] [-r RATE] [-d SECONDS] [-p PODD_PID]\n"
        "                   [-o SUMMARY_FILE] [-f FSYNC_PROBE_DIR]\n");
}

int
main (int argc, char *argv [])
{
    const char *endpoint = NULL, *creator_cert = NULL, *watcher_cert = NULL;
    const char *server_cert = NULL, *summary_path = NULL, *probe_dir = NULL;
    long tasks = 20000, window = 100, rate = 1000, seconds = 3;
    int podd_pid = 0;
    int opt;
    while ((opt = getopt (argc, argv, "e:c:w:s:n:W:r:d:p:o:f:h")) != -1) {
        switch (opt) {
            case 'e': endpoint = optarg; break;
            case 'c': creator_cert = optarg; break;
            case 'w': watcher_cert = optarg; break;
            case 's': server_cert = optarg; break;
            case 'n': tasks = atol (optarg); break;
            case 'W': window = atol (optarg); break;
            case 'r': rate = atol (optarg); break;
            case 'd': seconds = atol (optarg); break;
            case 'p': podd_pid = atoi (optarg); break;
            case 'o': summary_path = optarg; break;
            case 'f': probe_dir = optarg; break;
            default:  s_usage (); return 2;
        }
    }
    if (!endpoint || !creator_cert || !watcher_cert || !server_cert
    ||  tasks < 1 || tasks > 10000000 || window < 1 || window > 10000
    ||  rate < 1 || rate > 100000 || seconds < 1 || seconds > 600) {
        s_usage ();
        return 2;
    }
    setvbuf (stdout, NULL, _IOLBF, 0);     //  progress shows when piped
    zsys_init ();
    zsys_set_sndhwm (100000);
    zsys_set_rcvhwm (100000);
    summary_t *summary = summary_new (summary_path);

    //  A body shaped like the real TASK-NEW request
    char body [256];
    snprintf (body, sizeof body, "{\"case\":\"BENCH-%d-12345678\",\"kind\":\"general\","
              "\"title\":\"%s%ld\",\"rid\":%ld}", (int) getpid (), TASK_TITLE_E2E, tasks, tasks);

    printf ("bench_route: task routing through podd (%ld tasks, window %ld)\n", tasks, window);
    char load [64];
    s_loadavg (load, sizeof load);
    printf ("  machine: %ld cores, load average %s\n", sysconf (_SC_NPROCESSORS_ONLN), load);
    if (probe_dir) {
        probe_t probe;
        s_fsync_probe (probe_dir, &probe);
        if (probe.count) {
            printf ("  4 KiB pwrite + fdatasync in %s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%zu syncs)\n",
                    probe_dir, (double) probe.p50 / 1e6, (double) probe.p99 / 1e6,
                    (double) probe.max / 1e6, probe.count);
            summary_put (summary, "env.fdatasync.p50_ms", (double) probe.p50 / 1e6);
            summary_put (summary, "env.fdatasync.p99_ms", (double) probe.p99 / 1e6);
        }
    }
    printf ("\n(a) baseline: libzmq ROUTER/DEALER echo over tcp loopback, in-process, %zu-octet body\n",
            strlen (body));
    baseline_t plain, curve;
    if (s_baseline (false, (size_t) window, body, &plain)
    ||  s_baseline (true, (size_t) window, body, &curve)) {
        summary_destroy (&summary);
        return 1;
    }
    printf ("  %-34s %12s %14s %12s\n", "", "pipelined/s", "one-at-a-time/s", "rtt");
    printf ("  %-34s %12.0f %14.0f %9.1f us\n", "plain TCP", plain.pipelined_per_s,
            plain.serial_per_s, plain.serial_rtt_us);
    printf ("  %-34s %12.0f %14.0f %9.1f us\n", "CURVE (as podd uses)", curve.pipelined_per_s,
            curve.serial_per_s, curve.serial_rtt_us);
    summary_put (summary, "route.baseline.pipelined", plain.pipelined_per_s);
    summary_put (summary, "route.baseline.serial", plain.serial_per_s);
    summary_put (summary, "route.baseline_curve.pipelined", curve.pipelined_per_s);
    summary_put (summary, "route.baseline_curve.serial", curve.serial_per_s);

    route_bench_t bench = { .window = (size_t) window, .heartbeat_ms = 1000 };
    int rc = 1;
    if (s_setup (&bench, endpoint, creator_cert, watcher_cert, server_cert))
        goto done;
    bench.creator = peer_new (endpoint, creator_cert, server_cert);
    bench.watcher = peer_new (endpoint, watcher_cert, server_cert);
    if (!bench.creator || !bench.watcher
    ||  s_wait_ready (bench.creator, SETUP_TIMEOUT_MS) || s_wait_ready (bench.watcher, SETUP_TIMEOUT_MS)) {
        zsys_error ("bench_route: podd at %s does not answer", endpoint);
        goto done;
    }
    if (s_watch (&bench))
        goto done;

    //  (b) Durable end-to-end routing
    e2e_result_t warm, e2e;
    s_e2e (&bench, E2E_WARMUP, "bench-warm ", 0, &warm);
    if (warm.acked < warm.tasks / 2) {
        zsys_error ("bench_route: warm-up: only %zu of %zu tasks made it (errors %zu: %s)",
                    warm.acked, warm.tasks, bench.errors, bench.last_error);
        goto done;
    }
    s_e2e (&bench, (size_t) tasks, TASK_TITLE_E2E, podd_pid, &e2e);
    printf ("\n(b) podd durable routing: TASK-NEW pipelined (window %ld) by the creator,\n"
            "    each task committed, pushed to the watching lead and ACKed (ACK committed;\n"
            "    one ACK of \"deliveries\" for the pushes received together)\n",
            window);
    printf ("  tasks %zu: created %zu, pushed %zu, acked %zu in %.2f s\n",
            e2e.tasks, e2e.created, e2e.pushed, e2e.acked, e2e.seconds);
    printf ("  throughput                 %10.0f tasks/s\n", e2e.per_s);
    printf ("  vs plain baseline          %10.0f msgs/s   ratio %5.1f%%  (target >= 50%%)\n",
            plain.pipelined_per_s, 100.0 * e2e.per_s / plain.pipelined_per_s);
    printf ("  vs CURVE baseline          %10.0f msgs/s   ratio %5.1f%%\n",
            curve.pipelined_per_s, 100.0 * e2e.per_s / curve.pipelined_per_s);
    if (e2e.podd_cpu_ms >= 0 && e2e.created)
        printf ("  CPU per task: podd %.1f us, bench client %.1f us (2 cores shared)\n",
                1000.0 * (double) e2e.podd_cpu_ms / (double) e2e.created,
                1000.0 * (double) e2e.self_cpu_ms / (double) e2e.created);
    if (bench.errors || bench.malformed || bench.duplicate_pushes || bench.foreign_pushes)
        printf ("  errors %zu (last: %s), malformed %zu, duplicate pushes %zu, other pushes %zu\n",
                bench.errors, bench.last_error, bench.malformed, bench.duplicate_pushes,
                bench.foreign_pushes);
    summary_put (summary, "route.e2e.tasks_per_s", e2e.per_s);
    summary_put (summary, "route.e2e.ratio_pct", 100.0 * e2e.per_s / plain.pipelined_per_s);
    summary_put (summary, "route.e2e.ratio_curve_pct", 100.0 * e2e.per_s / curve.pipelined_per_s);
    if (e2e.podd_cpu_ms >= 0 && e2e.created)
        summary_put (summary, "route.e2e.podd_cpu_us_per_task",
                     1000.0 * (double) e2e.podd_cpu_ms / (double) e2e.created);
    if (e2e.created)
        summary_put (summary, "route.e2e.client_cpu_us_per_task",
                     1000.0 * (double) e2e.self_cpu_ms / (double) e2e.created);

    //  (c) Latency at a fixed offered rate
    lat_result_t lat;
    s_latency (&bench, (int) rate, (int) seconds, &lat);
    char p50 [32], p90 [32], p99 [32], p999 [32], max [32], r50 [32], r99 [32], rmax [32];
    s_ms (p50, sizeof p50, lat.p50);
    s_ms (p90, sizeof p90, lat.p90);
    s_ms (p99, sizeof p99, lat.p99);
    s_ms (p999, sizeof p999, lat.p999);
    s_ms (max, sizeof max, lat.max);
    s_ms (r50, sizeof r50, lat.reply_p50);
    s_ms (r99, sizeof r99, lat.reply_p99);
    s_ms (rmax, sizeof rmax, lat.reply_max);
    printf ("\n(c) latency at %ld tasks/s offered for %ld s: TASK-NEW sent -> TASK push at the watcher\n",
            rate, seconds);
    printf ("  offered %zu (achieved %.0f/s, worst %.2f ms behind schedule), created %zu, pushed %zu\n",
            lat.offered, lat.rate, lat.max_behind_ms, lat.created, lat.pushed);
    printf ("  push   p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  mean %.3f ms  (target p99 <= 1 ms)\n",
            p50, p90, p99, p999, max, lat.mean / 1e6);
    printf ("  reply  p50 %s  p99 %s  max %s  (TASK-NEW sent -> its REPLY at the creator)\n",
            r50, r99, rmax);
    if (bench.errors || bench.malformed || bench.duplicate_pushes || bench.foreign_pushes)
        printf ("  errors %zu (last: %s), malformed %zu, duplicate pushes %zu, other pushes %zu\n",
                bench.errors, bench.last_error, bench.malformed, bench.duplicate_pushes,
                bench.foreign_pushes);
    summary_put (summary, "route.latency.p50_ms", (double) lat.p50 / 1e6);
    summary_put (summary, "route.latency.p99_ms", (double) lat.p99 / 1e6);
    summary_put (summary, "route.latency.max_ms", (double) lat.max / 1e6);

    //  Collect the last ACK replies so podd is left with nothing pending
    for (int i = 0; i < 10; i++) {
        zmq_pollitem_t item = { zsock_resolve (bench.watcher->dealer), 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 50) > 0)
            s_drain_watcher (&bench, TASK_TITLE_LAT, s_ignore_push, NULL);
    }
    rc = 0;
done:
    peer_destroy (&bench.creator);
    peer_destroy (&bench.watcher);
    summary_destroy (&summary);
    return rc;
}
