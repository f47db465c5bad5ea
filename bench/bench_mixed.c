/*  bench_mixed.c - podd under a mixed load of many clients.

    Prints figures and ratios, never pass/fail. C clients (default 50),
    each its own CURVE connection as the creator (a team manager) with a
    case of its own (led by the watcher member), each with one request in
    flight at a time (closed loop): 40% TASK-NEW on its case, 20%
    TASK-LIST of its case, 20% CASE-SHOW of its case, 20% PING, in a fixed
    rotation that starts at a different place for each client. After a
    warm-up second, for D seconds: requests answered per second, and the
    latency (request sent -> its REPLY) of PING, of reads (TASK-LIST and
    CASE-SHOW) and of writes (TASK-NEW): p50, p99, max. Then the same
    clients with reads only (TASK-LIST, CASE-SHOW, PING in turn) for D
    seconds. With -E (the CURVE echo's messages/s measured in the same run
    by bench_route), the throughput's ratio to it.

    Every loop is bounded in count and in time: the program exits by itself.

    usage: bench_mixed -e ENDPOINT -c CREATOR.cert -w WATCHER.cert -s SERVER.cert
                       [-C CLIENTS] [-d SECONDS] [-E ECHO_PER_S] [-o SUMMARY_FILE]
*/
#include <czmq.h>
#include <jansson.h>
#include <time.h>
#include <getopt.h>
#include "podp.h"
#include "podclient.h"

#define CLIENTS_MAX         500
#define SAMPLES_MAX         2000000
#define WARMUP_SECONDS      1
#define REQUEST_TIMEOUT_MS  5000
#define SETUP_TIMEOUT_MS    10000
#define STALL_SECONDS       10      /* a client without a reply this long ends the run */

typedef enum { K_WRITE, K_READ, K_PING, K_KINDS } kind_t;
static const char *s_kind_names [K_KINDS] = { "write", "read", "ping" };

//  The rotations: 10 steps, one request each
static const char *s_mixed [10] = {
    "TASK-NEW", "TASK-LIST", "TASK-NEW", "CASE-SHOW", "PING",
    "TASK-NEW", "TASK-LIST", "TASK-NEW", "CASE-SHOW", "PING"
};
static const char *s_reads [3] = { "TASK-LIST", "CASE-SHOW", "PING" };

static int64_t
s_now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

//  --------------------------------------------------------------------------
//  Latency samples (ns) and percentiles

typedef struct {
    int64_t *values;
    size_t count;
    size_t size;
} samples_t;

static int
s_compare_int64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y? -1: x > y? 1: 0;
}

static void
samples_add (samples_t *self, int64_t value)
{
    if (self->count < self->size)
        self->values [self->count++] = value;
}

//  Nearest-rank percentile in ms (0 < pct <= 100); 0 when empty
static double
samples_ms (samples_t *self, double pct)
{
    if (self->count == 0)
        return 0;
    qsort (self->values, self->count, sizeof (int64_t), s_compare_int64);
    size_t rank = (size_t) ((pct / 100.0) * (double) self->count + 0.999999);
    rank = rank < 1? 1: rank > self->count? self->count: rank;
    return (double) self->values [rank - 1] / 1e6;
}

//  --------------------------------------------------------------------------
//  Clients

typedef struct {
    zsock_t *dealer;
    char case_ref [64];
    int64_t next_rid;
    int64_t rid;                /* in flight, 0 = none */
    kind_t kind;
    int64_t sent_at;            /* s_now_ns */
    size_t step;                /* place in its rotation */
} client_t;

typedef struct {
    samples_t samples [K_KINDS];
    size_t answered [K_KINDS];
    size_t errors;
    char last_error [160];
    double seconds;
} phase_t;

static zsock_t *
s_dealer (const char *endpoint, zcert_t *cert, zcert_t *server)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert (dealer);
    zsock_set_linger (dealer, 0);
    zsock_set_sndtimeo (dealer, 1000);
    zcert_apply (cert, dealer);
    zsock_set_curve_serverkey (dealer, zcert_public_txt (server));
    if (zsock_connect (dealer, "%s", endpoint))
        zsock_destroy (&dealer);
    return dealer;
}

static int
s_send (client_t *self, const char *command)
{
    json_t *body;
    if (streq (command, "TASK-NEW"))
        body = json_pack ("{s:s s:s s:s}", "case", self->case_ref, "kind", "general",
                          "title", "bench-mixed");
    else
    if (streq (command, "TASK-LIST"))
        body = json_pack ("{s:s s:s}", "scope", "case", "case", self->case_ref);
    else
    if (streq (command, "CASE-SHOW"))
        body = json_pack ("{s:s}", "ref", self->case_ref);
    else
        body = json_object ();
    self->rid = self->next_rid++;
    json_object_set_new (body, "rid", json_integer (self->rid));
    self->kind = streq (command, "TASK-NEW")? K_WRITE: streq (command, "PING")? K_PING: K_READ;
    podp_msg_t *msg = podp_msg_new (command, body);
    self->sent_at = s_now_ns ();
    int rc = podp_send (msg, self->dealer, NULL);
    podp_msg_destroy (&msg);
    return rc;
}

static void
s_send_next (client_t *self, bool writes)
{
    const char *command = writes? s_mixed [self->step % 10]: s_reads [self->step % 3];
    self->step++;
    s_send (self, command);
}

//  Run the clients for seconds (after warm-up seconds not counted); each
//  keeps one request in flight. Returns 0, or -1 when podd stalled.
static int
s_phase (client_t *clients, size_t count, bool writes, int warmup, int seconds, phase_t *phase)
{
    zmq_pollitem_t *items = (zmq_pollitem_t *) zmalloc (count * sizeof (zmq_pollitem_t));
    for (size_t i = 0; i < count; i++) {
        items [i].socket = zsock_resolve (clients [i].dealer);
        items [i].events = ZMQ_POLLIN;
        s_send_next (&clients [i], writes);
    }
    int64_t start = s_now_ns ();
    int64_t measure_from = start + (int64_t) warmup * 1000000000LL;
    int64_t end = measure_from + (int64_t) seconds * 1000000000LL;
    int64_t last_reply = start;
    int rc = 0;
    while (!zsys_interrupted) {
        int64_t now = s_now_ns ();
        if (now >= end)
            break;
        if (now - last_reply > STALL_SECONDS * 1000000000LL) {
            rc = -1;
            break;
        }
        if (zmq_poll (items, (int) count, 100) <= 0)
            continue;
        for (size_t i = 0; i < count; i++) {
            if (!(items [i].revents & ZMQ_POLLIN))
                continue;
            client_t *client = &clients [i];
            zmsg_t *raw = zmsg_recv (client->dealer);
            podp_error_t err;
            podp_msg_t *msg = raw? podp_decode (raw, false, PODCLIENT_MAX_BODY, &err): NULL;
            zmsg_destroy (&raw);
            if (!msg || !streq (podp_msg_command (msg), "REPLY")
            ||  podp_msg_int (msg, "rid", -1) != client->rid) {
                podp_msg_destroy (&msg);
                continue;       //  a push, or a reply from an earlier phase
            }
            int64_t at = s_now_ns ();
            last_reply = at;
            int status = (int) podp_msg_int (msg, "status", 0);
            if (at >= measure_from && client->sent_at >= measure_from) {
                if (status >= 400) {
                    phase->errors++;
                    snprintf (phase->last_error, sizeof phase->last_error, "%d %s", status,
                              podp_msg_string (msg, "reason"));
                }
                phase->answered [client->kind]++;
                samples_add (&phase->samples [client->kind], at - client->sent_at);
            }
            podp_msg_destroy (&msg);
            client->rid = 0;
            if (at < end)
                s_send_next (client, writes);
        }
    }
    phase->seconds = (double) (s_now_ns () - measure_from) / 1e9;
    //  Collect what is still in flight, so the next phase starts clean
    int64_t drain_until = s_now_ns () + 2000000000LL;
    for (size_t i = 0; i < count && s_now_ns () < drain_until; i++)
        while (clients [i].rid && s_now_ns () < drain_until) {
            zmq_pollitem_t item = { zsock_resolve (clients [i].dealer), 0, ZMQ_POLLIN, 0 };
            if (zmq_poll (&item, 1, 50) <= 0)
                continue;
            zmsg_t *raw = zmsg_recv (clients [i].dealer);
            podp_error_t err;
            podp_msg_t *msg = raw? podp_decode (raw, false, PODCLIENT_MAX_BODY, &err): NULL;
            zmsg_destroy (&raw);
            if (msg && podp_msg_int (msg, "rid", -1) == clients [i].rid)
                clients [i].rid = 0;
            podp_msg_destroy (&msg);
        }
    free (items);
    return rc;
}

static void
s_phase_print (const char *title, phase_t *phase, double echo_per_s, const char *prefix,
               FILE *summary)
{
    size_t total = 0;
    for (int k = 0; k < K_KINDS; k++)
        total += phase->answered [k];
    double per_s = phase->seconds > 0? (double) total / phase->seconds: 0;
    printf ("\n%s\n", title);
    printf ("  answered %zu in %.2f s: %.0f requests/s", total, phase->seconds, per_s);
    if (echo_per_s > 0)
        printf (", %.1f%% of the CURVE echo (%.0f msgs/s)", 100.0 * per_s / echo_per_s, echo_per_s);
    printf ("\n");
    if (summary) {
        fprintf (summary, "%s.rps %.3f\n", prefix, per_s);
        if (echo_per_s > 0)
            fprintf (summary, "%s.ratio_curve_pct %.3f\n", prefix, 100.0 * per_s / echo_per_s);
    }
    for (int k = 0; k < K_KINDS; k++) {
        if (!phase->answered [k])
            continue;
        double p50 = samples_ms (&phase->samples [k], 50);
        double p99 = samples_ms (&phase->samples [k], 99);
        double max = samples_ms (&phase->samples [k], 100);
        printf ("  %-5s %7zu  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", s_kind_names [k],
                phase->answered [k], p50, p99, max);
        if (summary) {
            fprintf (summary, "%s.%s.p50_ms %.3f\n", prefix, s_kind_names [k], p50);
            fprintf (summary, "%s.%s.p99_ms %.3f\n", prefix, s_kind_names [k], p99);
        }
    }
    if (phase->errors)
        printf ("  errors %zu (last: %s)\n", phase->errors, phase->last_error);
}

static void
s_usage (void)
{
    fprintf (stderr, "usage: bench_mixed -e ENDPOINT -c CREATOR.cert -w WATCHER.cert -s SERVER.cert\n"
                     "                   [-C CLIENTS] [-d SECONDS] [-E ECHO_PER_S] [-o SUMMARY_FILE]\n");
}

int
main (int argc, char *argv [])
{
    const char *endpoint = NULL, *creator_cert = NULL, *watcher_cert = NULL;
    const char *server_cert = NULL, *summary_path = NULL;
    long clients_n = 50, seconds = 5;
    double echo_per_s = 0;
    int opt;
    while ((opt = getopt (argc, argv, "e:c:w:s:C:d:E:o:h")) != -1) {
        switch (opt) {
            case 'e': endpoint = optarg; break;
            case 'c': creator_cert = optarg; break;
            case 'w': watcher_cert = optarg; break;
            case 's': server_cert = optarg; break;
            case 'C': clients_n = atol (optarg); break;
            case 'd': seconds = atol (optarg); break;
            case 'E': echo_per_s = atof (optarg); break;
            case 'o': summary_path = optarg; break;
            default:  s_usage (); return 2;
        }
    }
    if (!endpoint || !creator_cert || !watcher_cert || !server_cert
    ||  clients_n < 1 || clients_n > CLIENTS_MAX || seconds < 1 || seconds > 600) {
        s_usage ();
        return 2;
    }
    setvbuf (stdout, NULL, _IOLBF, 0);
    zsys_init ();
    size_t count = (size_t) clients_n;
    int rc = 1, status = 0;
    char reason [256] = "";
    client_t *clients = (client_t *) zmalloc (count * sizeof (client_t));
    phase_t mixed = { 0 }, reads = { 0 };
    for (int k = 0; k < K_KINDS; k++) {
        mixed.samples [k] = (samples_t) { zmalloc (SAMPLES_MAX * sizeof (int64_t)), 0, SAMPLES_MAX };
        reads.samples [k] = (samples_t) { zmalloc (SAMPLES_MAX * sizeof (int64_t)), 0, SAMPLES_MAX };
    }
    zcert_t *cert = zcert_load (creator_cert);
    zcert_t *server = zcert_load (server_cert);
    podclient_t *creator = podclient_new (endpoint, creator_cert, server_cert);
    podclient_t *watcher = podclient_new (endpoint, watcher_cert, server_cert);
    json_t *who = NULL;
    if (!cert || !server || !creator || !watcher) {
        zsys_error ("bench_mixed: cannot load the certificates or connect");
        goto done;
    }
    for (int attempt = 0; attempt < 50 && !who && !zsys_interrupted; attempt++)
        who = podclient_request (watcher, "WHOAMI", NULL, 200, &status, reason, sizeof reason);
    if (!who) {
        zsys_error ("bench_mixed: watcher WHOAMI: %d %s", status, reason);
        goto done;
    }
    //  A case per client, led by the watcher
    for (size_t i = 0; i < count; i++) {
        client_t *client = &clients [i];
        snprintf (client->case_ref, sizeof client->case_ref, "MIX-%d-%zu-%lld", (int) getpid (), i,
                  (long long) (zclock_time () % 100000000));
        json_t *kase = NULL;
        for (int attempt = 0; attempt < 50 && !kase && !zsys_interrupted; attempt++)
            kase = podclient_request (creator, "CASE-OPEN",
                json_pack ("{s:s s:s s:s s:s}", "ref", client->case_ref, "kind", "child",
                           "lead", json_string_value (json_object_get (who, "handle")),
                           "summary", "bench_mixed: mixed load"),
                attempt? 200: REQUEST_TIMEOUT_MS, &status, reason, sizeof reason);
        if (!kase) {
            zsys_error ("bench_mixed: CASE-OPEN: %d %s", status, reason);
            goto done;
        }
        json_decref (kase);
        client->next_rid = 1;
        client->step = i;       //  clients start at different places of the rotation
        client->dealer = s_dealer (endpoint, cert, server);
        if (!client->dealer) {
            zsys_error ("bench_mixed: cannot connect to %s", endpoint);
            goto done;
        }
    }
    //  Every connection up (CURVE handshakes are not what is measured)
    for (size_t i = 0; i < count; i++) {
        s_send (&clients [i], "PING");
        zmq_pollitem_t item = { zsock_resolve (clients [i].dealer), 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, SETUP_TIMEOUT_MS) <= 0) {
            zsys_error ("bench_mixed: client %zu: no answer to PING", i);
            goto done;
        }
        zmsg_t *raw = zmsg_recv (clients [i].dealer);
        zmsg_destroy (&raw);
        clients [i].rid = 0;
    }
    printf ("bench_mixed: %zu clients, one request in flight each, %ld s measured after %d s warm-up\n",
            count, seconds, WARMUP_SECONDS);
    FILE *summary = summary_path? fopen (summary_path, "a"): NULL;
    if (s_phase (clients, count, true, WARMUP_SECONDS, (int) seconds, &mixed))
        zsys_error ("bench_mixed: podd stopped answering (mixed load)");
    else {
        s_phase_print ("(d) mixed load: 40% TASK-NEW, 20% TASK-LIST, 20% CASE-SHOW, 20% PING "
                       "(latency: sent -> REPLY)", &mixed, echo_per_s, "mixed", summary);
        if (s_phase (clients, count, false, WARMUP_SECONDS, (int) seconds, &reads))
            zsys_error ("bench_mixed: podd stopped answering (reads only)");
        else {
            s_phase_print ("(e) reads only: TASK-LIST, CASE-SHOW, PING in turn", &reads,
                           echo_per_s, "mixed_reads", summary);
            rc = 0;
        }
    }
    if (summary)
        fclose (summary);
done:
    for (size_t i = 0; i < count; i++)
        zsock_destroy (&clients [i].dealer);
    free (clients);
    for (int k = 0; k < K_KINDS; k++) {
        free (mixed.samples [k].values);
        free (reads.samples [k].values);
    }
    json_decref (who);
    podclient_destroy (&creator);
    podclient_destroy (&watcher);
    zcert_destroy (&cert);
    zcert_destroy (&server);
    return rc;
}
