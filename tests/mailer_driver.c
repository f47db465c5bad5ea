/*  mailer_driver.c - drives the podd_mailer actor for tests/integration/50-mailer.sh.

    Builds N messages with distinct Message-IDs, sends them to the actor in
    batches (one batch of all by default), prints each RESULT and a summary.

    mailer_driver [-s HOST:PORT | -d SPOOLDIR] [options]
      -s HOST:PORT   SMTP server              -d DIR    spool directory
      -t SECONDS     SMTP timeout (5)         -T MODE   starttls off|optional|required
      -u USER        AUTH user                -p PASS   AUTH password
      -n N           messages (1)             -b B      messages per batch (all)
      -r ADDR        a recipient of every message (repeatable; default
                     alice.tm@pod-north.example); \r \n \t \\ \xHH are decoded
      -f ADDR        envelope sender (decoded the same way)
      -k OCTETS      body size, about (300)   -o DIR    save message i as DIR/i.eml
      -x MS          $TERM the actor MS ms after sending, without waiting
      -w SECONDS     give up waiting for results after this long (60)
      -q             no RESULT lines, summary only
    Output: "RESULT id class code recipient text" per recipient (recipient
    with \r \n escaped), then "summary messages=N batches=B sent=S retry=R
    failed=F elapsed=SECONDS rate=MSG/S", then "term MS" (time $TERM took).
    Exit 0 when every message got its RESULT, 3 when not, 1 on usage.
*/
#include "mailer.h"
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RCPTS 16

static void
s_usage (void)
{
    fprintf (stderr, "usage: mailer_driver [-s HOST:PORT | -d DIR] [-t S] [-T MODE] [-u USER -p PASS]\n"
                     "       [-n N] [-b B] [-r ADDR]... [-f ADDR] [-k OCTETS] [-o DIR] [-x MS] [-w S] [-q]\n");
    exit (1);
}

//  Decode \r \n \t \\ \xHH in place
static char *
s_unescape (char *s)
{
    char *out = s;
    for (const char *in = s; *in; in++) {
        if (*in != '\\' || !in [1]) {
            *out++ = *in;
            continue;
        }
        in++;
        if (*in == 'r')
            *out++ = '\r';
        else
        if (*in == 'n')
            *out++ = '\n';
        else
        if (*in == 't')
            *out++ = '\t';
        else
        if (*in == 'x' && in [1] && in [2]) {
            char hex [3] = { in [1], in [2], 0 };
            *out++ = (char) strtol (hex, NULL, 16);
            in += 2;
        }
        else
            *out++ = *in;
    }
    *out = 0;
    return s;
}

//  Print with CR, LF and other controls escaped
static void
s_print_escaped (const char *s, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char) s [i];
        if (c == '\r')
            fputs ("\\r", stdout);
        else
        if (c == '\n')
            fputs ("\\n", stdout);
        else
        if (c < 0x20 || c == 0x7f)
            printf ("\\x%02x", c);
        else
            putchar (c);
    }
}

//  One test message: complete headers, CRLF, lines that need dot-stuffing
static char *
s_message (int64_t id, int64_t count, size_t body_size, size_t *size)
{
    static const char *lines [] = {
        "Stability meeting for case C-1042 moved to Thursday 10:00.",
        ".a line starting with a dot",
        ".",
        "..",
        "From the pod coordinator, with thanks.",
        "Trailing spaces stay   ",
        "Tabs\tstay\ttoo",
    };
    size_t nlines = sizeof (lines) / sizeof (lines [0]);
    size_t alloc = body_size + 2048;
    char *text = (char *) malloc (alloc);
    assert (text);
    int n = snprintf (text, alloc,
        "From: Pod North <pod-north@pod-north.example>\r\n"
        "To: Pod North team <pod-north@pod-north.example>\r\n"
        "Subject: Mailer test %" PRId64 " of %" PRId64 "\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        "Message-ID: <mailer-driver.%d.%" PRId64 ".%08x@pod-north.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n",
        id, count, (int) getpid (), id, (unsigned) randof (0x7fffffff));
    size_t used = (size_t) n, start = used;
    for (size_t i = 0; used - start < body_size || i < nlines; i++) {
        const char *line = lines [i % nlines];
        if (used + strlen (line) + 3 > alloc)
            break;
        used += sprintf (text + used, "%s\r\n", line);
    }
    *size = used;
    return text;
}

static void
s_save (const char *dir, int64_t id, const char *data, size_t size)
{
    char path [1024];
    snprintf (path, sizeof (path), "%s/%" PRId64 ".eml", dir, id);
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (data, 1, size, file) != size) {
        fprintf (stderr, "mailer_driver: cannot write %s\n", path);
        exit (1);
    }
    fclose (file);
}

int
main (int argc, char *argv [])
{
    podd_mailer_cfg_t cfg = { .smtp = "", .timeout = 5, .helo = "pod-north.example" };
    const char *rcpts [MAX_RCPTS];
    size_t rcpt_count = 0;
    const char *sender = "pod-north@pod-north.example";
    const char *save_dir = NULL;
    int64_t count = 1, per_batch = 0, term_ms = -1, wait_s = 60;
    size_t body_size = 300;
    bool quiet = false;
    int opt;
    while ((opt = getopt (argc, argv, "s:d:t:T:u:p:n:b:r:f:k:o:x:w:q")) != -1) {
        switch (opt) {
            case 's': cfg.smtp = optarg; break;
            case 'd': cfg.spool = optarg; break;
            case 't': cfg.timeout = atoi (optarg); break;
            case 'T': {
                int mode = podd_mailer_starttls_parse (optarg);
                if (mode < 0)
                    s_usage ();
                cfg.starttls = (podd_starttls_t) mode;
                break;
            }
            case 'u': cfg.user = optarg; break;
            case 'p': cfg.password = optarg; break;
            case 'n': count = atoll (optarg); break;
            case 'b': per_batch = atoll (optarg); break;
            case 'r':
                if (rcpt_count == MAX_RCPTS)
                    s_usage ();
                rcpts [rcpt_count++] = s_unescape (optarg);
                break;
            case 'f': sender = s_unescape (optarg); break;
            case 'k': body_size = (size_t) atoll (optarg); break;
            case 'o': save_dir = optarg; break;
            case 'x': term_ms = atoll (optarg); break;
            case 'w': wait_s = atoll (optarg); break;
            case 'q': quiet = true; break;
            default: s_usage ();
        }
    }
    if (optind != argc || count < 1 || per_batch < 0 || wait_s < 1)
        s_usage ();
    if (per_batch == 0 || per_batch > count)
        per_batch = count;
    if (rcpt_count == 0)
        rcpts [rcpt_count++] = "alice.tm@pod-north.example";
    char err [256];
    if (podd_mailer_cfg_check (&cfg, err, sizeof (err))) {
        fprintf (stderr, "mailer_driver: %s\n", err);
        return 1;
    }
    zsys_init ();
    zsys_set_logident ("mailer_driver");
    //  The mailer actor's log lines go to stderr: on stdout (CZMQ's
    //  default) one printed from its thread could land inside a RESULT
    //  line this thread is writing, and the line would not be read
    zsys_set_logstream (stderr);

    //  Build every batch first, so that the timing covers sending only
    int64_t batches = (count + per_batch - 1) / per_batch;
    zmsg_t **batch = (zmsg_t **) calloc (batches, sizeof (zmsg_t *));
    assert (batch);
    for (int64_t id = 1; id <= count; id++) {
        int64_t b = (id - 1) / per_batch;
        if (!batch [b])
            batch [b] = podd_mailer_batch_new ();
        size_t size;
        char *text = s_message (id, count, body_size, &size);
        if (save_dir)
            s_save (save_dir, id, text, size);
        podd_mailer_batch_add (batch [b], id, sender, rcpts, rcpt_count, text, size);
        free (text);
    }

    zactor_t *mailer = zactor_new (podd_mailer_actor, &cfg);
    int64_t start = zclock_usecs ();
    for (int64_t b = 0; b < batches; b++)
        zmsg_send (&batch [b], mailer);
    free (batch);

    int64_t results = 0, classes [3] = { 0, 0, 0 };
    int64_t deadline = zclock_mono () + (term_ms >= 0? term_ms: wait_s * 1000);
    zpoller_t *poller = zpoller_new (mailer, NULL);
    while (results < count) {
        int64_t left = deadline - zclock_mono ();
        if (left <= 0 || !zpoller_wait (poller, (int) left))
            break;
        zmsg_t *reply = zmsg_recv (mailer);
        if (!reply)
            break;
        char *command = zmsg_popstr (reply);
        char *id = zmsg_popstr (reply);
        if (command && streq (command, "RESULT")) {
            results++;
            while (zmsg_size (reply) >= 4) {
                zframe_t *rcpt = zmsg_pop (reply);
                char *klass = zmsg_popstr (reply);
                char *code = zmsg_popstr (reply);
                char *text = zmsg_popstr (reply);
                classes [streq (klass, "sent")? 0: streq (klass, "retry")? 1: 2]++;
                if (!quiet) {
                    printf ("RESULT %s %s %s ", id, klass, code);
                    s_print_escaped ((const char *) zframe_data (rcpt), zframe_size (rcpt));
                    printf (" %s\n", text);
                }
                zframe_destroy (&rcpt);
                zstr_free (&klass);
                zstr_free (&code);
                zstr_free (&text);
            }
        }
        else
            printf ("%s %s\n", command? command: "?", id? id: "");
        zstr_free (&command);
        zstr_free (&id);
        zmsg_destroy (&reply);
    }
    double elapsed = (zclock_usecs () - start) / 1e6;
    zpoller_destroy (&poller);
    printf ("summary messages=%" PRId64 " batches=%" PRId64 " results=%" PRId64
            " sent=%" PRId64 " retry=%" PRId64 " failed=%" PRId64 " elapsed=%.3f rate=%.1f\n",
            count, batches, results, classes [0], classes [1], classes [2], elapsed,
            elapsed > 0? results / elapsed: 0.0);
    int64_t term_start = zclock_mono ();
    zactor_destroy (&mailer);
    printf ("term %" PRId64 "\n", zclock_mono () - term_start);
    fflush (stdout);
    return term_ms >= 0 || results == count? 0: 3;
}
