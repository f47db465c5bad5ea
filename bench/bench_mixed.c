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
                       [-p PODD_PID]

    With -p, podd's CPU per request (from /proc) beside the bench's own,
    so the ceiling the client sets is visible. Replies are read as far as
    their rid and status (s_reply_head): decoding each whole list page
    made the client the ceiling.
*/
#include <czmq.h>
#include <jansson.h>
#include <time.h>
#include <getopt.h>
#include <sys/resource.h>
#include <unistd.h>
#include "podp.h"
#include "podclient.h"
#include "benchlib.h"

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
    samples_t *samples [K_KINDS];
    size_t answered [K_KINDS];
    size_t errors;
    char last_error [160];
    double seconds;
    size_t checked;             /* replies read; each 64th decoded whole */
    int64_t podd_cpu_ms;        /* over the measured seconds; -1 unknown */
    int64_t self_cpu_ms;
} phase_t;

//  A REPLY's rid and status, read from the head of its body: podd writes
//  them first ({"rid":N,"status":S,...}). The bench reads no more of a
//  reply than that: decoding each whole list page (tens of KB of JSON)
//  made this client, one thread for all its connections, the ceiling of
//  what it measured. 0, or -1 when the frames are not such a REPLY (then
//  the caller decodes the message whole).
static int
s_reply_head (zmsg_t *raw, int64_t *rid, int *status)
{
    if (zmsg_size (raw) != 3)
        return -1;
    zframe_t *frame = zmsg_first (raw);
    frame = zmsg_next (raw);
    if (!zframe_streq (frame, "REPLY"))
        return -1;
    frame = zmsg_next (raw);
    char head [64];
    size_t size = zframe_size (frame) < sizeof head - 1? zframe_size (frame): sizeof head - 1;
    memcpy (head, zframe_data (frame), size);
    head [size] = 0;
    long long r;
    if (sscanf (head, "{\"rid\":%lld,\"status\":%d", &r, status) != 2)
        return -1;
    *rid = r;
    return 0;
}

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
    self->sent_at = bench_now_ns ();
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
s_phase (client_t *clients, size_t count, bool writes, int warmup, int seconds, int podd_pid,
         phase_t *phase)
{
    zmq_pollitem_t *items = (zmq_pollitem_t *) zmalloc (count * sizeof (zmq_pollitem_t));
    for (size_t i = 0; i < count; i++) {
        items [i].socket = zsock_resolve (clients [i].dealer);
        items [i].events = ZMQ_POLLIN;
        s_send_next (&clients [i], writes);
    }
    int64_t start = bench_now_ns ();
    int64_t measure_from = start + (int64_t) warmup * 1000000000LL;
    int64_t end = measure_from + (int64_t) seconds * 1000000000LL;
    int64_t last_reply = start;
    int rc = 0;
    int64_t podd_cpu0 = -1, self_cpu0 = -1;
    phase->podd_cpu_ms = -1;
    while (!zsys_interrupted) {
        int64_t now = bench_now_ns ();
        if (now >= end)
            break;
        if (now >= measure_from && self_cpu0 < 0) {
            podd_cpu0 = podd_pid > 0? bench_proc_cpu_ms (podd_pid): -1;
            self_cpu0 = bench_self_cpu_ms ();
        }
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
            int64_t rid = -1;
            int status = 0;
            podp_msg_t *msg = NULL;
            if (raw && s_reply_head (raw, &rid, &status)) {
                //  Not a REPLY head this reads: decoded whole
                podp_error_t err;
                msg = podp_decode (raw, false, PODCLIENT_MAX_BODY, &err);
                if (msg && streq (podp_msg_command (msg), "REPLY")) {
                    rid = podp_msg_int (msg, "rid", -1);
                    status = (int) podp_msg_int (msg, "status", 0);
                }
            }
            if (rid != client->rid || !raw) {
                zmsg_destroy (&raw);
                podp_msg_destroy (&msg);
                continue;       //  a push, or a reply from an earlier phase
            }
            int64_t at = bench_now_ns ();
            last_reply = at;
            //  One reply in 64 is decoded whole all the same: the replies
            //  counted must be sound PODP, not only their heads
            if (!msg && ++phase->checked % 64 == 0) {
                podp_error_t err;
                msg = podp_decode (raw, false, PODCLIENT_MAX_BODY, &err);
                if (!msg || podp_msg_int (msg, "rid", -1) != rid) {
                    phase->errors++;
                    snprintf (phase->last_error, sizeof phase->last_error,
                              "a reply that does not decode: %.100s", msg? "rid differs": err.reason);
                }
            }
            if (at >= measure_from && client->sent_at >= measure_from) {
                if (status >= 400) {
                    //  An error: its reason, from the message decoded whole
                    podp_error_t err;
                    if (!msg)
                        msg = podp_decode (raw, false, PODCLIENT_MAX_BODY, &err);
                    phase->errors++;
                    snprintf (phase->last_error, sizeof phase->last_error, "%d %s", status,
                              msg? podp_msg_string (msg, "reason"): "?");
                }
                phase->answered [client->kind]++;
                samples_add (phase->samples [client->kind], at - client->sent_at);
            }
            zmsg_destroy (&raw);
            podp_msg_destroy (&msg);
            client->rid = 0;
            if (at < end)
                s_send_next (client, writes);
        }
    }
    phase->seconds = (double) (bench_now_ns () - measure_from) / 1e9;
    if (self_cpu0 >= 0) {
        int64_t podd_cpu = podd_cpu0 >= 0? bench_proc_cpu_ms (podd_pid): -1;
        phase->podd_cpu_ms = podd_cpu >= 0? podd_cpu - podd_cpu0: -1;
        phase->self_cpu_ms = bench_self_cpu_ms () - self_cpu0;
    }
    //  Collect what is still in flight, so the next phase starts clean
    int64_t drain_until = bench_now_ns () + 2000000000LL;
    for (size_t i = 0; i < count && bench_now_ns () < drain_until; i++)
        while (clients [i].rid && bench_now_ns () < drain_until) {
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
    if (total && phase->podd_cpu_ms >= 0) {
        printf ("  CPU per request: podd %.1f us, bench client %.1f us (2 cores shared)\n",
                1000.0 * (double) phase->podd_cpu_ms / (double) total,
                1000.0 * (double) phase->self_cpu_ms / (double) total);
        if (summary) {
            fprintf (summary, "%s.podd_cpu_us %.3f\n", prefix,
                     1000.0 * (double) phase->podd_cpu_ms / (double) total);
            fprintf (summary, "%s.client_cpu_us %.3f\n", prefix,
                     1000.0 * (double) phase->self_cpu_ms / (double) total);
        }
    }
    if (summary) {
        fprintf (summary, "%s.rps %.3f\n", prefix, per_s);
        if (echo_per_s > 0)
            fprintf (summary, "%s.ratio_curve_pct %.3f\n", prefix, 100.0 * per_s / echo_per_s);
    }
    for (int k = 0; k < K_KINDS; k++) {
        if (!phase->answered [k])
            continue;
        double p50 = (double) samples_percentile (phase->samples [k], 50) / 1e6;
        double p99 = (double) samples_percentile (phase->samples [k], 99) / 1e6;
        double max = (double) samples_percentile (phase->samples [k], 100) / 1e6;
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
                     "                   [-C CLIENTS] [-d SECONDS] [-E ECHO_PER_S] [-o SUMMARY_FILE]\n"
                     "                   [-p PODD_PID]\n");
}

int
main (int argc, char *argv [])
{
    const char *endpoint = NULL, *creator_cert = NULL, *watcher_cert = NULL;
    const char *server_cert = NULL, *summary_path = NULL;
    long clients_n = 50, seconds = 5;
    double echo_per_s = 0;
    int opt;
    int podd_pid = 0;
    while ((opt = getopt (argc, argv, "e:c:w:s:C:d:E:o:p:h")) != -1) {
        switch (opt) {
            case 'e': endpoint = optarg; break;
            case 'c': creator_cert = optarg; break;
            case 'w': watcher_cert = optarg; break;
            case 's': server_cert = optarg; break;
            case 'C': clients_n = atol (optarg); break;
            case 'd': seconds = atol (optarg); break;
            case 'E': echo_per_s = atof (optarg); break;
            case 'o': summary_path = optarg; break;
            case 'p': podd_pid = atoi (optarg); break;
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
        mixed.samples [k] = samples_new (SAMPLES_MAX);
        reads.samples [k] = samples_new (SAMPLES_MAX);
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
    if (s_phase (clients, count, true, WARMUP_SECONDS, (int) seconds, podd_pid, &mixed))
        zsys_error ("bench_mixed: podd stopped answering (mixed load)");
    else {
        s_phase_print ("(d) mixed load: 40% TASK-NEW, 20% TASK-LIST, 20% CASE-SHOW, 20% PING "
                       "(latency: sent -> REPLY)", &mixed, echo_per_s, "mixed", summary);
        if (s_phase (clients, count, false, WARMUP_SECONDS, (int) seconds, podd_pid, &reads))
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
        samples_destroy (&mixed.samples [k]);
        samples_destroy (&reads.samples [k]);
    }
    json_decref (who);
    podclient_destroy (&creator);
    podclient_destroy (&watcher);
    zcert_destroy (&cert);
    zcert_destroy (&server);
    return rc;
}
