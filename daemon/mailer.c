/*  mailer.c - podd_mailer: the mail transport actor. See mailer.h.

    The actor thread only parses batches, queues them and sends results;
    each batch runs in a session thread (s_job_run) that owns everything
    it touches (a s_job_t with its own copy of the configuration), so that
    on $TERM the actor can give up on a session blocked in connect() and
    leave the thread to free its job when it is done. Actor and session
    thread share only job->lock (finished, abandoned, sock), job->cancel
    and the done pipe; the results in the job are read by the actor only
    after the session thread has said "done" through that pipe.
*/
#include "mailer.h"
#include "config.h"
#include "log.h"
#include <stddef.h>
#include <openssl/ssl.h>        //  before libesmtp.h: smtp_starttls_set_ctx
#include <auth-client.h>        //  before libesmtp.h: smtp_auth_set_context
#include <libesmtp.h>
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT     30          //  seconds
#define MAX_TIMEOUT         3600
#define MSGID_MAX           100         //  octets of message-id in spool names
#define CHUNK               65536       //  octets handed to libesmtp at a time

static const char *CLASS_SENT = "sent";
static const char *CLASS_RETRY = "retry";
static const char *CLASS_FAILED = "failed";

//  Our own copy of a configuration
typedef struct {
    char *smtp;                 //  NULL = spool mode
    char *spool;
    char *user;                 //  NULL = no AUTH
    char *password;
    char *helo;
    podd_starttls_t starttls;
    int timeout;                //  seconds
    int port;                   //  of smtp, -1 if not numeric
    char *invalid;              //  reason the configuration is unusable, or NULL
} s_cfg_t;

typedef struct {
    char *address;              //  as given, NUL-terminated copy
    size_t address_size;        //  octets as given (may hold a NUL)
    bool valid;                 //  handed to libesmtp / spooled
    smtp_recipient_t handle;
    const char *klass;
    int code;
    char text [PODD_MAILER_TEXT_MAX + 1];
} s_rcpt_t;

typedef struct _s_job_t s_job_t;

typedef struct {
    int64_t id;
    char *sender;
    bool sender_valid;
    s_rcpt_t *rcpts;
    size_t rcpt_count;
    zframe_t *data;
    char msgid [MSGID_MAX + 1]; //  sanitised Message-ID, "" if none
    //  Session state
    smtp_message_t handle;
    size_t pos;                 //  next octet for libesmtp
    bool fed;                   //  libesmtp read the whole message
    s_job_t *job;
} s_msg_t;

struct _s_job_t {
    s_cfg_t cfg;
    s_msg_t *msgs;
    size_t count;
    size_t alloc;
    pthread_t thread;
    int done [2];               //  session thread -> actor: one octet when done
    atomic_bool cancel;
    pthread_mutex_t lock;       //  guards finished, abandoned, sock
    bool finished;
    bool abandoned;
    int sock;                   //  dup of the session's socket, or -1
};

typedef struct {
    zsock_t *pipe;
    s_cfg_t cfg;
    zlist_t *queue;             //  s_job_t * waiting, FIFO
    s_job_t *running;
    bool terminated;
} s_mailer_t;


//  --------------------------------------------------------------------------
//  Small helpers

static char *
s_strdup_or_null (const char *s)
{
    return s && *s? strdup (s): NULL;
}

//  Copy text for a result: printable ASCII only (anything else becomes
//  ' ' for controls, '?' for other octets), runs of spaces collapsed,
//  trimmed, at most PODD_MAILER_TEXT_MAX octets.
static void
s_sanitise (char *dest, const char *prefix, const char *src)
{
    size_t n = 0;
    const char *parts [2] = { prefix? prefix: "", src? src: "" };
    for (int p = 0; p < 2; p++)
        for (const unsigned char *s = (const unsigned char *) parts [p];
             *s && n < PODD_MAILER_TEXT_MAX; s++) {
            char c = (*s < 0x20 || *s == 0x7f)? ' ': *s >= 0x80? '?': (char) *s;
            if (c == ' ' && (n == 0 || dest [n - 1] == ' '))
                continue;
            dest [n++] = c;
        }
    while (n > 0 && dest [n - 1] == ' ')
        n--;
    dest [n] = 0;
}

static void
s_set (s_rcpt_t *rcpt, const char *klass, int code, const char *prefix, const char *text)
{
    rcpt->klass = klass;
    rcpt->code = code;
    s_sanitise (rcpt->text, prefix, text);
}

//  Valid envelope address: podd_valid_email and no NUL inside the frame
static bool
s_valid_address (const char *s, size_t size)
{
    return s && strlen (s) == size && podd_valid_email (s);
}

//  EHLO domain: [A-Za-z0-9.-], 1..253 octets, or an address literal [..]
static bool
s_valid_helo (const char *s)
{
    size_t len = s? strlen (s): 0;
    if (len == 0 || len > 253)
        return false;
    if (s [0] == '[')
        return len > 2 && s [len - 1] == ']'
            && strspn (s + 1, "0123456789abcdefABCDEF.:") == len - 2;
    return strspn (s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == len
        && s [0] != '.' && s [0] != '-';
}

//  Decimal int64 in a frame
static int
s_frame_int64 (zframe_t *frame, int64_t *value)
{
    char buf [24];
    size_t size = frame? zframe_size (frame): 0;
    if (size == 0 || size >= sizeof (buf))
        return -1;
    memcpy (buf, zframe_data (frame), size);
    buf [size] = 0;
    if (strspn (buf + (buf [0] == '-'), "0123456789") != size - (buf [0] == '-')
    ||  size == (size_t) (buf [0] == '-'))
        return -1;
    errno = 0;
    long long v = strtoll (buf, NULL, 10);
    if (errno)
        return -1;
    *value = (int64_t) v;
    return 0;
}

static bool
s_name_char (byte c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || (c && strchr ("._@+=-", c));
}

//  Finds the first Message-ID header of a message and writes its value
//  sanitised for a file name into out (size MSGID_MAX + 1): without <>,
//  whitespace and folding, other characters than [A-Za-z0-9._@+=-] as
//  '_'. Returns true if a non-empty value was found.
static bool
s_message_id (const byte *data, size_t size, char *out)
{
    static const char *name = "Message-ID:";
    size_t name_len = strlen (name);
    const byte *p = data, *end = data + size;
    out [0] = 0;
    while (p < end) {
        const byte *eol = (const byte *) memchr (p, '\n', end - p);
        const byte *next = eol? eol + 1: end;
        size_t len = (eol? eol: end) - p;
        if (len > 0 && p [len - 1] == '\r')
            len--;
        if (len == 0)
            break;                      //  end of the header section
        if (len >= name_len && strncasecmp ((const char *) p, name, name_len) == 0) {
            size_t n = 0;
            const byte *v = p + name_len;
            //  the value runs on over continuation lines
            while (v < end) {
                if (*v == '\n') {
                    if (v + 1 >= end || (v [1] != ' ' && v [1] != '\t'))
                        break;
                }
                else
                if (*v != '\r' && *v != ' ' && *v != '\t' && *v != '<' && *v != '>'
                &&  n < MSGID_MAX)
                    out [n++] = s_name_char (*v)? (char) *v: '_';
                v++;
            }
            out [n] = 0;
            return n > 0;
        }
        p = next;
    }
    return false;
}


//  --------------------------------------------------------------------------
//  Configuration

static void
s_cfg_free (s_cfg_t *cfg)
{
    free (cfg->smtp);
    free (cfg->spool);
    free (cfg->user);
    free (cfg->password);
    free (cfg->helo);
    free (cfg->invalid);
    memset (cfg, 0, sizeof (*cfg));
}

static void
s_cfg_copy (s_cfg_t *dest, const s_cfg_t *src)
{
    dest->smtp = s_strdup_or_null (src->smtp);
    dest->spool = s_strdup_or_null (src->spool);
    dest->user = s_strdup_or_null (src->user);
    dest->password = src->password? strdup (src->password): NULL;
    dest->helo = s_strdup_or_null (src->helo);
    dest->starttls = src->starttls;
    dest->timeout = src->timeout;
    dest->port = src->port;
    dest->invalid = s_strdup_or_null (src->invalid);
}

int
podd_mailer_cfg_check (const podd_mailer_cfg_t *cfg, char *err, size_t errlen)
{
    assert (cfg);
    char dummy [1];
    if (!err) {
        err = dummy;
        errlen = sizeof (dummy);
    }
    const char *smtp = cfg->smtp? cfg->smtp: "";
    if (*smtp) {
        const char *colon = strchr (smtp, ':');
        size_t host_len = colon? (size_t) (colon - smtp): strlen (smtp);
        bool host_ok = host_len > 0;
        for (size_t i = 0; i < host_len; i++)
            if ((unsigned char) smtp [i] <= 0x20 || (unsigned char) smtp [i] >= 0x7f
            ||  strchr ("[]/@", smtp [i]))
                host_ok = false;
        if (!host_ok) {
            snprintf (err, errlen, "smtp: bad host in '%.64s' (want host:port)", smtp);
            return -1;
        }
        if (colon) {
            const char *port = colon + 1;
            long value = strspn (port, "0123456789") == strlen (port) && strlen (port) <= 5
                       ? strtol (port, NULL, 10): 0;
            if (value < 1 || value > 65535) {
                snprintf (err, errlen, "smtp: bad port in '%.64s' (want host:port)", smtp);
                return -1;
            }
        }
    }
    else
    if (!cfg->spool || !*cfg->spool) {
        snprintf (err, errlen, "no smtp server and no spool directory");
        return -1;
    }
    if (cfg->starttls != PODD_STARTTLS_OFF && cfg->starttls != PODD_STARTTLS_OPTIONAL
    &&  cfg->starttls != PODD_STARTTLS_REQUIRED) {
        snprintf (err, errlen, "starttls: unknown mode %d", (int) cfg->starttls);
        return -1;
    }
    if (cfg->user && *cfg->user && !cfg->password) {
        snprintf (err, errlen, "auth: user without password");
        return -1;
    }
    if (cfg->timeout < 0 || cfg->timeout > MAX_TIMEOUT) {
        snprintf (err, errlen, "timeout: %d not in 1..%d seconds", cfg->timeout, MAX_TIMEOUT);
        return -1;
    }
    if (cfg->helo && *cfg->helo && !s_valid_helo (cfg->helo)) {
        snprintf (err, errlen, "helo: '%.64s' is not a domain", cfg->helo);
        return -1;
    }
    return 0;
}

//  Our copy of a caller's configuration; an unusable one is kept with
//  the reason in invalid.
static void
s_cfg_from (s_cfg_t *self, const podd_mailer_cfg_t *cfg)
{
    char err [256];
    memset (self, 0, sizeof (*self));
    if (podd_mailer_cfg_check (cfg, err, sizeof (err))) {
        log_error ("mailer: bad configuration: %s", err);
        char reason [300];
        snprintf (reason, sizeof (reason), "mailer misconfigured: %s", err);
        self->invalid = strdup (reason);
        return;
    }
    self->smtp = s_strdup_or_null (cfg->smtp);
    self->spool = s_strdup_or_null (cfg->spool);
    self->user = s_strdup_or_null (cfg->user);
    self->password = self->user? strdup (cfg->password): NULL;
    self->helo = strdup (cfg->helo && *cfg->helo? cfg->helo: "localhost");
    self->starttls = cfg->starttls;
    self->timeout = cfg->timeout? cfg->timeout: DEFAULT_TIMEOUT;
    self->port = -1;
    if (self->smtp) {
        const char *colon = strchr (self->smtp, ':');
        self->port = colon? atoi (colon + 1): 587;     //  libesmtp's default
        if (self->user && self->starttls == PODD_STARTTLS_OFF)
            log_warn ("mailer: AUTH without STARTTLS sends the password in clear");
    }
}

int
podd_mailer_starttls_parse (const char *name)
{
    if (name && streq (name, "off"))
        return PODD_STARTTLS_OFF;
    if (name && streq (name, "optional"))
        return PODD_STARTTLS_OPTIONAL;
    if (name && streq (name, "required"))
        return PODD_STARTTLS_REQUIRED;
    return -1;
}


//  --------------------------------------------------------------------------
//  Batches

zmsg_t *
podd_mailer_batch_new (void)
{
    zmsg_t *batch = zmsg_new ();
    zmsg_addstr (batch, "SEND");
    return batch;
}

void
podd_mailer_batch_add (zmsg_t *batch, int64_t id, const char *sender,
                       const char **rcpts, size_t rcpt_count,
                       const void *data, size_t size)
{
    assert (batch && sender && (rcpts || rcpt_count == 0) && (data || size == 0));
    zmsg_addstrf (batch, "%" PRId64, id);
    zmsg_addstr (batch, sender);
    zmsg_addstrf (batch, "%zu", rcpt_count);
    for (size_t i = 0; i < rcpt_count; i++)
        zmsg_addstr (batch, rcpts [i]);
    zmsg_addmem (batch, data, size);
}

static void
s_job_free (s_job_t *job)
{
    for (size_t i = 0; i < job->count; i++) {
        s_msg_t *msg = &job->msgs [i];
        for (size_t j = 0; j < msg->rcpt_count; j++)
            free (msg->rcpts [j].address);
        free (msg->rcpts);
        free (msg->sender);
        zframe_destroy (&msg->data);
    }
    free (job->msgs);
    s_cfg_free (&job->cfg);
    if (job->done [0] >= 0)
        close (job->done [0]);
    if (job->done [1] >= 0)
        close (job->done [1]);
    if (job->sock >= 0)
        close (job->sock);
    pthread_mutex_destroy (&job->lock);
    free (job);
}

//  Take a SEND batch (the command frame already gone) apart into a job.
//  Checks every address and message here; returns NULL and a reason on
//  a framing error.
static s_job_t *
s_job_parse (zmsg_t *request, const s_cfg_t *cfg, char *err, size_t errlen)
{
    s_job_t *job = (s_job_t *) zmalloc (sizeof (s_job_t));
    s_cfg_copy (&job->cfg, cfg);
    job->done [0] = job->done [1] = -1;
    job->sock = -1;
    atomic_init (&job->cancel, false);
    pthread_mutex_init (&job->lock, NULL);

    while (zmsg_size (request) > 0) {
        if (job->count == job->alloc) {
            job->alloc = job->alloc? job->alloc * 2: 8;
            job->msgs = (s_msg_t *) realloc (job->msgs, job->alloc * sizeof (s_msg_t));
            assert (job->msgs);
        }
        s_msg_t *msg = &job->msgs [job->count];
        memset (msg, 0, sizeof (*msg));
        msg->job = job;
        size_t index = job->count + 1;

        zframe_t *frame = zmsg_pop (request);
        int rc = s_frame_int64 (frame, &msg->id);
        zframe_destroy (&frame);
        if (rc) {
            snprintf (err, errlen, "message %zu: id is not a decimal integer", index);
            goto failed;
        }
        job->count++;                   //  from here on msg is ours to free
        frame = zmsg_pop (request);
        if (!frame) {
            snprintf (err, errlen, "message %zu: no sender", index);
            goto failed;
        }
        msg->sender = zframe_strdup (frame);
        msg->sender_valid = s_valid_address (msg->sender, zframe_size (frame));
        zframe_destroy (&frame);

        int64_t count = -1;
        frame = zmsg_pop (request);
        rc = s_frame_int64 (frame, &count);
        zframe_destroy (&frame);
        if (rc || count < 0 || count > PODD_MAILER_MAX_RCPTS) {
            snprintf (err, errlen, "message %zu: recipient count not in 0..%d",
                      index, PODD_MAILER_MAX_RCPTS);
            goto failed;
        }
        msg->rcpts = (s_rcpt_t *) calloc (count? count: 1, sizeof (s_rcpt_t));
        assert (msg->rcpts);
        for (int64_t i = 0; i < count; i++) {
            frame = zmsg_pop (request);
            if (!frame) {
                snprintf (err, errlen, "message %zu: %" PRId64 " recipients announced, %" PRId64 " given",
                          index, count, i);
                goto failed;
            }
            s_rcpt_t *rcpt = &msg->rcpts [msg->rcpt_count++];
            rcpt->address = zframe_strdup (frame);
            rcpt->address_size = zframe_size (frame);
            zframe_destroy (&frame);
        }
        msg->data = zmsg_pop (request);
        if (!msg->data) {
            snprintf (err, errlen, "message %zu: no message data", index);
            goto failed;
        }
        //  Check everything libesmtp would write verbatim
        const char *reject = NULL;
        if (!msg->sender_valid)
            reject = "invalid envelope sender";
        else
        if (zframe_size (msg->data) == 0)
            reject = "empty message";
        else
        if (!s_message_id (zframe_data (msg->data), zframe_size (msg->data), msg->msgid))
            reject = "message has no Message-ID header";
        for (size_t i = 0; i < msg->rcpt_count; i++) {
            s_rcpt_t *rcpt = &msg->rcpts [i];
            if (reject)
                s_set (rcpt, CLASS_FAILED, 0, NULL, reject);
            else
            if (!s_valid_address (rcpt->address, rcpt->address_size))
                s_set (rcpt, CLASS_FAILED, 0, NULL, "invalid recipient address");
            else {
                rcpt->valid = true;
                s_set (rcpt, CLASS_RETRY, 0, NULL, "not attempted");
            }
        }
    }
    return job;

failed:
    s_job_free (job);
    return NULL;
}

//  Every valid recipient of the job not yet decided gets this result
static void
s_job_settle (s_job_t *job, const char *klass, const char *text)
{
    for (size_t i = 0; i < job->count; i++)
        for (size_t j = 0; j < job->msgs [i].rcpt_count; j++) {
            s_rcpt_t *rcpt = &job->msgs [i].rcpts [j];
            if (rcpt->valid)
                s_set (rcpt, klass, 0, NULL, text);
        }
}

static bool
s_has_work (const s_msg_t *msg)
{
    for (size_t j = 0; j < msg->rcpt_count; j++)
        if (msg->rcpts [j].valid)
            return true;
    return false;
}


//  --------------------------------------------------------------------------
//  Spool mode (in the session thread)

//  mkdir -p, 0700
static int
s_make_dirs (const char *path)
{
    char buf [4096];
    if (strlen (path) >= sizeof (buf))
        return -1;
    strcpy (buf, path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir (buf, 0700) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir (buf, 0700) && errno != EEXIST)
        return -1;
    struct stat st;
    return stat (buf, &st) == 0 && S_ISDIR (st.st_mode)? 0: -1;
}

static int
s_write_all (int fd, const byte *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write (fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        size -= n;
    }
    return 0;
}

//  Write one message atomically: temporary file, fsync, rename, fsync of
//  the directory. Returns 0, or -1 with errno and the step in *step.
static int
s_spool_one (const char *dir, s_msg_t *msg, char *name, size_t namelen, const char **step)
{
    char tmp [4200], path [4200];
    snprintf (name, namelen, "%" PRId64 "-%s.eml", msg->id, msg->msgid);
    snprintf (path, sizeof (path), "%s/%s", dir, name);
    snprintf (tmp, sizeof (tmp), "%s/.tmp-%" PRId64 "-XXXXXX", dir, msg->id);
    *step = "create";
    int fd = mkostemp (tmp, O_CLOEXEC);
    if (fd < 0)
        return -1;
    *step = "write";
    if (s_write_all (fd, zframe_data (msg->data), zframe_size (msg->data)))
        goto failed;
    *step = "fsync";
    if (fsync (fd))
        goto failed;
    *step = "close";
    int rc = close (fd);
    fd = -1;
    if (rc)
        goto failed;
    *step = "rename";
    if (rename (tmp, path))
        goto failed;
    *step = "fsync directory";
    int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return -1;
    rc = fsync (dirfd);
    close (dirfd);
    return rc;

failed:;
    int saved = errno;
    if (fd >= 0)
        close (fd);
    unlink (tmp);
    errno = saved;
    return -1;
}

static void
s_spool_batch (s_job_t *job)
{
    const char *dir = job->cfg.spool;
    if (s_make_dirs (dir)) {
        char reason [300];
        snprintf (reason, sizeof (reason), "spool %.200s: %s", dir, strerror (errno));
        s_job_settle (job, CLASS_RETRY, reason);
        return;
    }
    for (size_t i = 0; i < job->count; i++) {
        s_msg_t *msg = &job->msgs [i];
        if (!s_has_work (msg))
            continue;
        if (atomic_load (&job->cancel))
            break;                      //  the rest stay "not attempted"
        char name [MSGID_MAX + 40], reason [PODD_MAILER_TEXT_MAX + 1];
        const char *step = "";
        int rc = s_spool_one (dir, msg, name, sizeof (name), &step);
        if (rc)
            snprintf (reason, sizeof (reason), "spool %s: %s", step, strerror (errno));
        for (size_t j = 0; j < msg->rcpt_count; j++)
            if (msg->rcpts [j].valid) {
                if (rc)
                    s_set (&msg->rcpts [j], CLASS_RETRY, 0, NULL, reason);
                else
                    s_set (&msg->rcpts [j], CLASS_SENT, 250, "spooled as ", name);
            }
    }
}


//  --------------------------------------------------------------------------
//  SMTP mode (in the session thread)

//  libesmtp reads each message through this. A NULL len rewinds. When
//  the batch is cancelled it fails with errno set, which makes libesmtp
//  drop the connection without ending the DATA: nothing is delivered.
static const char *
s_message_cb (void **ctx, int *len, void *arg)
{
    (void) ctx;                 //  libesmtp free()s *ctx: we keep it NULL
    s_msg_t *msg = (s_msg_t *) arg;
    if (!len) {
        msg->pos = 0;
        msg->fed = false;
        return NULL;
    }
    if (atomic_load (&msg->job->cancel)) {
        *len = 0;
        errno = ECANCELED;
        return NULL;
    }
    size_t size = zframe_size (msg->data);
    if (msg->pos >= size) {
        msg->fed = true;
        *len = 0;
        return NULL;
    }
    size_t n = size - msg->pos < CHUNK? size - msg->pos: CHUNK;
    const char *chunk = (const char *) zframe_data (msg->data) + msg->pos;
    msg->pos += n;
    *len = (int) n;
    return chunk;
}

//  The socket libesmtp just connected: the one TCP socket of this
//  process whose peer has the server's port. libesmtp does not expose it;
//  we only use it to shut the connection down on $TERM, and only when it
//  is unambiguous. Returns the fd or -1.
static int
s_find_socket (int port)
{
    if (port <= 0)
        return -1;
    DIR *dir = opendir ("/proc/self/fd");
    if (!dir)
        return -1;
    int found = -1, matches = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (entry->d_name [0] < '0' || entry->d_name [0] > '9')
            continue;
        int fd = atoi (entry->d_name);
        struct stat st;
        if (fd == dirfd (dir) || fstat (fd, &st) || !S_ISSOCK (st.st_mode))
            continue;
        int type = 0;
        socklen_t typelen = sizeof (type);
        if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &typelen) || type != SOCK_STREAM)
            continue;
        struct sockaddr_storage peer;
        socklen_t peerlen = sizeof (peer);
        if (getpeername (fd, (struct sockaddr *) &peer, &peerlen))
            continue;
        int peer_port = peer.ss_family == AF_INET
                      ? ntohs (((struct sockaddr_in *) &peer)->sin_port)
                      : peer.ss_family == AF_INET6
                      ? ntohs (((struct sockaddr_in6 *) &peer)->sin6_port): -1;
        if (peer_port == port) {
            found = fd;
            matches++;
        }
    }
    closedir (dir);
    return matches == 1? found: -1;
}

static void
s_forget_socket (s_job_t *job)
{
    pthread_mutex_lock (&job->lock);
    if (job->sock >= 0)
        close (job->sock);
    job->sock = -1;
    pthread_mutex_unlock (&job->lock);
}

static void
s_event_cb (smtp_session_t session, int event, void *arg, ...)
{
    (void) session;
    s_job_t *job = (s_job_t *) arg;
    if (event == SMTP_EV_CONNECT) {
        //  Keep our own reference (dup): the actor may shut it down at
        //  any time without racing libesmtp's close() and fd reuse
        int fd = s_find_socket (job->cfg.port);
        pthread_mutex_lock (&job->lock);
        if (job->sock >= 0)
            close (job->sock);
        job->sock = fd >= 0? fcntl (fd, F_DUPFD_CLOEXEC, 0): -1;
        if (job->sock >= 0) {
            //  libesmtp writes a message in buffer-sized pieces: without
            //  this, Nagle holds back the last piece of each message until
            //  the server's delayed ACK (40 ms a message on Linux)
            int on = 1;
            setsockopt (job->sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof (on));
        }
        if (atomic_load (&job->cancel) && job->sock >= 0)
            shutdown (job->sock, SHUT_RDWR);
        pthread_mutex_unlock (&job->lock);
    }
    else
    if (event == SMTP_EV_DISCONNECT)
        s_forget_socket (job);          //  so the server sees the close now
    //  Certificate and cipher events: we leave *ok at 0, i.e. refuse
}

static int
s_interact_cb (auth_client_request_t request, char **result, int fields, void *arg)
{
    s_job_t *job = (s_job_t *) arg;
    for (int i = 0; i < fields; i++) {
        if (request [i].flags & AUTH_USER)
            result [i] = job->cfg.user;
        else
        if (request [i].flags & AUTH_PASS)
            result [i] = job->cfg.password;
        else
            return 0;                   //  realm etc.: not configured
    }
    return 1;
}

//  Decide each recipient of a message from the statuses libesmtp kept
static void
s_classify (s_msg_t *msg, const char *session_error)
{
    const smtp_status_t *mail = smtp_reverse_path_status (msg->handle);
    const smtp_status_t *data = smtp_message_transfer_status (msg->handle);
    for (size_t j = 0; j < msg->rcpt_count; j++) {
        s_rcpt_t *rcpt = &msg->rcpts [j];
        if (!rcpt->valid)
            continue;
        const smtp_status_t *status = smtp_recipient_status (rcpt->handle);
        int rcpt_class = status->code / 100;
        if (mail->code / 100 == 5 && mail->code != 530)
            s_set (rcpt, CLASS_FAILED, mail->code, "sender refused: ", mail->text);
        else
        if (mail->code / 100 == 4 || mail->code == 530)
            s_set (rcpt, CLASS_RETRY, mail->code, "sender refused: ", mail->text);
        else
        if (rcpt_class == 5)
            s_set (rcpt, CLASS_FAILED, status->code, NULL, status->text);
        else
        if (rcpt_class == 4)
            s_set (rcpt, CLASS_RETRY, status->code, NULL, status->text);
        else
        if (rcpt_class == 2) {
            if (data->code / 100 == 2 && msg->fed)
                s_set (rcpt, CLASS_SENT, data->code, NULL, data->text);
            else
            if (data->code / 100 == 5)
                s_set (rcpt, CLASS_FAILED, data->code, NULL, data->text);
            else
            if (data->code / 100 == 2)
                s_set (rcpt, CLASS_RETRY, data->code, "server did not take the message: ",
                       data->text);
            else
            if (data->code == 0 || data->code / 100 == 3)
                //  no reply to DATA or to the end of the data (the 354 stays)
                s_set (rcpt, CLASS_RETRY, 0, NULL, session_error);
            else
                s_set (rcpt, CLASS_RETRY, data->code, NULL, data->text);
        }
        else
            s_set (rcpt, CLASS_RETRY, status->code, NULL,
                   status->code && status->text? status->text: session_error);
    }
}

//  A TLS context of our own for one session. libesmtp 1.1's built-in
//  context is shared by the whole process but freed at the end of each
//  session, so a second STARTTLS session used freed memory; with ours,
//  libesmtp takes its own reference and we free ours after the session.
//  CAs: where libesmtp looks ($XDG_CONFIG_DIR/libesmtp/ca.pem, then
//  $HOME/.config/libesmtp/ca.pem), else the system's. TLS 1.2 at most:
//  libesmtp stalls when a TLS 1.3 session ticket arrives before it sends
//  its EHLO after STARTTLS.
static SSL_CTX *
s_tls_context (void)
{
    SSL_CTX *ctx = SSL_CTX_new (TLS_client_method ());
    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version (ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, NULL);
    char path [PATH_MAX] = "";
    const char *xdg = getenv ("XDG_CONFIG_DIR");
    const char *home = getenv ("HOME");
    struct stat info;
    //  A path cut short would name another file: no path at all then
    if (xdg && *xdg && snprintf (path, sizeof path, "%s/libesmtp/ca.pem", xdg) >= (int) sizeof path)
        path [0] = 0;
    if ((!*path || stat (path, &info)) && home && *home
    &&  snprintf (path, sizeof path, "%s/.config/libesmtp/ca.pem", home) >= (int) sizeof path)
        path [0] = 0;
    if (*path && stat (path, &info) == 0)
        SSL_CTX_load_verify_locations (ctx, path, NULL);
    else
        SSL_CTX_set_default_verify_paths (ctx);
    return ctx;
}

static void
s_smtp_batch (s_job_t *job)
{
    bool work = false;
    for (size_t i = 0; i < job->count; i++)
        work |= s_has_work (&job->msgs [i]);
    if (!work)
        return;                         //  no connection for nothing

    smtp_session_t session = smtp_create_session ();
    auth_context_t auth = NULL;
    SSL_CTX *tls = job->cfg.starttls == PODD_STARTTLS_OFF? NULL: s_tls_context ();
    if (!session) {
        SSL_CTX_free (tls);
        s_job_settle (job, CLASS_RETRY, "cannot create an SMTP session");
        return;
    }
    long ms = (long) job->cfg.timeout * 1000;
    int kinds [] = { Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA,
                     Timeout_TRANSFER, Timeout_DATA2 };
    bool ok = smtp_set_server (session, job->cfg.smtp)
           && smtp_set_hostname (session, job->cfg.helo)
           && smtp_set_eventcb (session, s_event_cb, job)
           && smtp_starttls_enable (session,
                  job->cfg.starttls == PODD_STARTTLS_REQUIRED? Starttls_REQUIRED:
                  job->cfg.starttls == PODD_STARTTLS_OPTIONAL? Starttls_ENABLED:
                                                               Starttls_DISABLED)
           && (!tls || smtp_starttls_set_ctx (session, tls));
    for (size_t k = 0; ok && k < sizeof (kinds) / sizeof (kinds [0]); k++)
        ok = smtp_set_timeout (session, kinds [k] | Timeout_OVERRIDE_RFC2822_MINIMUM, ms) > 0;
    if (ok && job->cfg.user) {
        auth = auth_create_context ();
        ok = auth
          && auth_set_mechanism_flags (auth, AUTH_PLUGIN_PLAIN, 0)
          && auth_set_interact_cb (auth, s_interact_cb, job)
          && smtp_auth_set_context (session, auth);
    }
    for (size_t i = 0; ok && i < job->count; i++) {
        s_msg_t *msg = &job->msgs [i];
        if (!s_has_work (msg))
            continue;
        msg->handle = smtp_add_message (session);
        ok = msg->handle
          && smtp_set_reverse_path (msg->handle, msg->sender)
          && smtp_set_messagecb (msg->handle, s_message_cb, msg)
          && smtp_size_set_estimate (msg->handle, zframe_size (msg->data));
        for (size_t j = 0; ok && j < msg->rcpt_count; j++)
            if (msg->rcpts [j].valid) {
                msg->rcpts [j].handle = smtp_add_recipient (msg->handle, msg->rcpts [j].address);
                ok = msg->rcpts [j].handle != NULL;
            }
    }
    char session_error [128];
    if (!ok) {
        char buf [100];
        const char *text = smtp_strerror (smtp_errno (), buf, sizeof (buf));
        snprintf (session_error, sizeof (session_error), "session setup: %s",
                  text? text: "failed");
        s_job_settle (job, CLASS_RETRY, session_error);
    }
    else
    if (!atomic_load (&job->cancel)) {
        int rc = smtp_start_session (session);
        int err = smtp_errno ();
        s_forget_socket (job);
        char buf [100];
        const char *text = err? smtp_strerror (err, buf, sizeof (buf)): NULL;
        if (atomic_load (&job->cancel))
            snprintf (session_error, sizeof (session_error), "cancelled");
        else
        if (err == SMTP_ERR_DROPPED_CONNECTION)
            snprintf (session_error, sizeof (session_error),
                      "connection dropped or no reply within %d s", job->cfg.timeout);
        else
            snprintf (session_error, sizeof (session_error), "%s",
                      text? text: rc? "no reply from the server": "session failed");
        for (size_t i = 0; i < job->count; i++)
            if (job->msgs [i].handle)
                s_classify (&job->msgs [i], session_error);
    }
    smtp_destroy_session (session);
    SSL_CTX_free (tls);         //  ours; libesmtp has let go of its reference
    if (auth)
        auth_destroy_context (auth);
}


//  --------------------------------------------------------------------------
//  Session thread

static void *
s_job_run (void *arg)
{
    s_job_t *job = (s_job_t *) arg;
    if (job->cfg.invalid)
        s_job_settle (job, CLASS_RETRY, job->cfg.invalid);
    else
    if (job->cfg.smtp)
        s_smtp_batch (job);
    else
        s_spool_batch (job);

    pthread_mutex_lock (&job->lock);
    job->finished = true;
    bool abandoned = job->abandoned;
    pthread_mutex_unlock (&job->lock);
    if (abandoned)
        s_job_free (job);               //  the actor is gone; thread is detached
    else {
        char done = 'd';
        while (write (job->done [1], &done, 1) < 0 && errno == EINTR)
            ;
    }
    return NULL;
}

//  Start the session thread, every signal blocked in it (SIGPIPE stays
//  pending in that thread and goes with it; SIGTERM etc. go to podd).
static int
s_job_start (s_job_t *job)
{
    if (pipe2 (job->done, O_CLOEXEC))
        return -1;
    sigset_t all, old;
    sigfillset (&all);
    pthread_sigmask (SIG_SETMASK, &all, &old);
    int rc = pthread_create (&job->thread, NULL, s_job_run, job);
    pthread_sigmask (SIG_SETMASK, &old, NULL);
    return rc? -1: 0;
}

//  Ask a running job to stop: the message callback fails, the socket is
//  shut down (a blocked read or write returns at once).
static void
s_job_cancel (s_job_t *job)
{
    atomic_store (&job->cancel, true);
    pthread_mutex_lock (&job->lock);
    if (job->sock >= 0)
        shutdown (job->sock, SHUT_RDWR);
    pthread_mutex_unlock (&job->lock);
}


//  --------------------------------------------------------------------------
//  Actor

static void
s_send_results (s_mailer_t *self, s_job_t *job)
{
    size_t counts [3] = { 0, 0, 0 };
    for (size_t i = 0; i < job->count; i++) {
        s_msg_t *msg = &job->msgs [i];
        zmsg_t *reply = zmsg_new ();
        zmsg_addstr (reply, "RESULT");
        zmsg_addstrf (reply, "%" PRId64, msg->id);
        for (size_t j = 0; j < msg->rcpt_count; j++) {
            s_rcpt_t *rcpt = &msg->rcpts [j];
            zmsg_addmem (reply, rcpt->address, rcpt->address_size);
            zmsg_addstr (reply, rcpt->klass);
            zmsg_addstrf (reply, "%d", rcpt->code);
            zmsg_addstr (reply, rcpt->text);
            counts [rcpt->klass == CLASS_SENT? 0: rcpt->klass == CLASS_RETRY? 1: 2]++;
        }
        zmsg_send (&reply, self->pipe);
    }
    if (counts [1] || counts [2])
        log_warn ("mailer: batch of %zu: %zu sent, %zu retry, %zu failed",
                  job->count, counts [0], counts [1], counts [2]);
    else
        log_debug ("mailer: batch of %zu: %zu sent", job->count, counts [0]);
}

//  Start the next queued job, if idle. A job that cannot get a thread
//  is answered "retry" at once.
static void
s_next (s_mailer_t *self)
{
    while (!self->running && zlist_size (self->queue) > 0) {
        s_job_t *job = (s_job_t *) zlist_pop (self->queue);
        if (s_job_start (job) == 0)
            self->running = job;
        else {
            log_error ("mailer: cannot start a session thread: %s", strerror (errno));
            s_job_settle (job, CLASS_RETRY, "cannot start a session thread");
            s_send_results (self, job);
            s_job_free (job);
        }
    }
}

static void
s_job_done (s_mailer_t *self)
{
    s_job_t *job = self->running;
    char done;
    while (read (job->done [0], &done, 1) < 0 && errno == EINTR)
        ;
    pthread_join (job->thread, NULL);
    self->running = NULL;
    s_send_results (self, job);
    s_job_free (job);
    s_next (self);
}

static void
s_on_pipe (s_mailer_t *self)
{
    zmsg_t *request = zmsg_recv (self->pipe);
    if (!request)
        return;                         //  interrupted; poll again
    char *command = zmsg_popstr (request);
    if (command && streq (command, "$TERM"))
        self->terminated = true;
    else
    if (command && streq (command, "SEND")) {
        char err [200];
        s_job_t *job = s_job_parse (request, &self->cfg, err, sizeof (err));
        if (job && job->count == 0)
            s_job_free (job);           //  an empty batch: nothing to answer
        else
        if (job) {
            zlist_append (self->queue, job);
            s_next (self);
        }
        else {
            log_error ("mailer: bad SEND: %s", err);
            zstr_sendm (self->pipe, "ERROR");
            zstr_send (self->pipe, err);
        }
    }
    else
        log_error ("mailer: unknown command '%s'", command? command: "");
    zstr_free (&command);
    zmsg_destroy (&request);
}

//  On $TERM: cancel the running session and wait for it at most the
//  timeout; a session thread still blocked (in connect) is left to
//  finish and free its job on its own.
static void
s_stop_running (s_mailer_t *self)
{
    s_job_t *job = self->running;
    if (!job)
        return;
    self->running = NULL;
    s_job_cancel (job);
    int64_t deadline = zclock_mono () + (int64_t) (job->cfg.timeout? job->cfg.timeout: 1) * 1000;
    struct pollfd item = { .fd = job->done [0], .events = POLLIN };
    int64_t left;
    while ((left = deadline - zclock_mono ()) > 0) {
        int rc = poll (&item, 1, (int) left);
        if (rc > 0 || (rc < 0 && errno != EINTR))
            break;
    }
    pthread_mutex_lock (&job->lock);
    bool finished = job->finished;
    if (!finished)
        job->abandoned = true;
    pthread_mutex_unlock (&job->lock);
    if (finished) {
        pthread_join (job->thread, NULL);
        s_job_free (job);
    }
    else {
        log_warn ("mailer: session still blocked after %ds, leaving it behind",
                  job->cfg.timeout);
        pthread_detach (job->thread);
    }
}

void
podd_mailer_actor (zsock_t *pipe, void *args)
{
    assert (args);
    s_mailer_t self = { .pipe = pipe, .queue = zlist_new () };
    s_cfg_from (&self.cfg, (const podd_mailer_cfg_t *) args);
    zsock_signal (pipe, 0);             //  args may go away from here on

    while (!self.terminated) {
        zmq_pollitem_t items [2] = {
            { zsock_resolve (pipe), 0, ZMQ_POLLIN, 0 },
            { NULL, self.running? self.running->done [0]: -1, ZMQ_POLLIN, 0 }
        };
        int rc = zmq_poll (items, self.running? 2: 1, -1);
        if (rc < 0) {
            if (errno == EINTR || zmq_errno () == EINTR)
                continue;
            log_error ("mailer: poll failed: %s", zmq_strerror (zmq_errno ()));
            break;
        }
        if (items [0].revents & ZMQ_POLLIN)
            s_on_pipe (&self);
        if (!self.terminated && self.running && (items [1].revents & ZMQ_POLLIN))
            s_job_done (&self);
    }
    s_stop_running (&self);
    while (zlist_size (self.queue) > 0) {
        s_job_t *job = (s_job_t *) zlist_pop (self.queue);
        s_job_free (job);
    }
    zlist_destroy (&self.queue);
    s_cfg_free (&self.cfg);
}


//  --------------------------------------------------------------------------
//  Self test: spool mode and address checks only, no network

//  Receive one RESULT for id and check each recipient's class
static void
s_expect (zactor_t *mailer, int64_t id, size_t count, const char **classes,
          const char *text_part, bool verbose)
{
    zmsg_t *reply = zmsg_recv (mailer);
    assert (reply);
    char *command = zmsg_popstr (reply);
    assert (command && streq (command, "RESULT"));
    zstr_free (&command);
    char *id_text = zmsg_popstr (reply);
    assert (id_text && atoll (id_text) == id);
    zstr_free (&id_text);
    assert (zmsg_size (reply) == count * 4);
    for (size_t i = 0; i < count; i++) {
        char *rcpt = zmsg_popstr (reply);
        char *klass = zmsg_popstr (reply);
        char *code = zmsg_popstr (reply);
        char *text = zmsg_popstr (reply);
        if (verbose) {
            char shown [PODD_MAILER_TEXT_MAX + 1];
            s_sanitise (shown, NULL, rcpt);
            printf ("\n   RESULT %" PRId64 " %s %s %s %s", id, klass, code, text, shown);
        }
        assert (streq (klass, classes [i]));
        assert (!strchr (text, '\r') && !strchr (text, '\n') && strlen (text) <= PODD_MAILER_TEXT_MAX);
        if (text_part && !streq (klass, "sent"))
            assert (strstr (text, text_part));
        if (streq (klass, "sent"))
            assert (atoi (code) == 250);
        zstr_free (&rcpt);
        zstr_free (&klass);
        zstr_free (&code);
        zstr_free (&text);
    }
    zmsg_destroy (&reply);
}

static bool
s_file_equals (const char *path, const char *data, size_t size)
{
    zchunk_t *chunk = NULL;
    FILE *file = fopen (path, "rb");
    if (file) {
        chunk = zchunk_read (file, size + 1);
        fclose (file);
    }
    bool same = chunk && zchunk_size (chunk) == size
             && memcmp (zchunk_data (chunk), data, size) == 0;
    zchunk_destroy (&chunk);
    return same;
}

void
podd_mailer_test (bool verbose)
{
    if (verbose)
        printf (" * mailer: ");

    //  Helpers
    char out [PODD_MAILER_TEXT_MAX + 1];
    s_sanitise (out, NULL, "250 2.0.0 Ok: queued\r\n");
    assert (streq (out, "250 2.0.0 Ok: queued"));
    s_sanitise (out, "x: ", "a\r\nb\x01\tc\x7f\xc3\xa9");
    assert (streq (out, "x: a b c ??"));
    char big [600];
    memset (big, 'z', sizeof (big) - 1);
    big [sizeof (big) - 1] = 0;
    s_sanitise (out, NULL, big);
    assert (strlen (out) == PODD_MAILER_TEXT_MAX);

    char id [MSGID_MAX + 1];
    const char *m1 = "From: a@b.example\r\nmessage-id:\r\n <1.x/y@pod-north.example>\r\n\r\nbody\r\n";
    assert (s_message_id ((const byte *) m1, strlen (m1), id));
    assert (streq (id, "1.x_y@pod-north.example"));
    const char *m2 = "From: a@b.example\r\n\r\nMessage-ID: <in-body@x.example>\r\n";
    assert (!s_message_id ((const byte *) m2, strlen (m2), id));
    const char *m3 = "Message-ID: <../../etc/passwd>\n\nx";
    assert (s_message_id ((const byte *) m3, strlen (m3), id));
    assert (streq (id, ".._.._etc_passwd"));

    assert (s_valid_address ("alice.tm@pod-north.example", 26));
    const char *bad [] = { "bob@pod-north.example\r\nRCPT TO:<x@evil.example>",
        "bob @pod-north.example", "bob@pod-north.example\n", "bob\x01@pod-north.example",
        "bob", "@pod-north.example", "bob@", "<bob@pod-north.example>",
        "bob@pod north.example", "", NULL };
    for (int i = 0; bad [i]; i++)
        assert (!s_valid_address (bad [i], strlen (bad [i])));
    assert (!s_valid_address ("bob@pod-north.example", 22));     //  NUL inside the frame

    int64_t number;
    zframe_t *frame = zframe_from ("-42");
    assert (s_frame_int64 (frame, &number) == 0 && number == -42);
    zframe_destroy (&frame);
    const char *not_numbers [] = { "", "-", "4x", " 4", "99999999999999999999", NULL };
    for (int i = 0; not_numbers [i]; i++) {
        frame = zframe_from (not_numbers [i]);
        assert (s_frame_int64 (frame, &number) == -1);
        zframe_destroy (&frame);
    }

    assert (podd_mailer_starttls_parse ("required") == PODD_STARTTLS_REQUIRED);
    assert (podd_mailer_starttls_parse ("yes") == -1);
    char err [256];
    podd_mailer_cfg_t check = { .smtp = "127.0.0.1:2525", .timeout = 2, .helo = "pod.example" };
    assert (podd_mailer_cfg_check (&check, err, sizeof (err)) == 0);
    check.smtp = "127.0.0.1:0";
    assert (podd_mailer_cfg_check (&check, err, sizeof (err)) == -1);
    check.smtp = "mx example:25";
    assert (podd_mailer_cfg_check (&check, err, sizeof (err)) == -1);
    check.smtp = "";
    assert (podd_mailer_cfg_check (&check, err, sizeof (err)) == -1);   //  no spool
    check.spool = "/tmp";
    check.helo = "pod.example\r\nMAIL FROM:<x@y.example>";
    assert (podd_mailer_cfg_check (&check, err, sizeof (err)) == -1);
    check.helo = NULL;
    assert (podd_mailer_cfg_check (&check, NULL, 0) == 0);

    //  Spool mode round trip
    char dir [] = "/tmp/podd-mailer-test-XXXXXX";
    assert (mkdtemp (dir));
    char spool [sizeof (dir) + 16];
    snprintf (spool, sizeof (spool), "%s/spool", dir);     //  created by the mailer
    podd_mailer_cfg_t cfg = { .smtp = "", .spool = spool, .timeout = 2, .helo = "pod.example" };
    zactor_t *mailer = zactor_new (podd_mailer_actor, &cfg);
    assert (mailer);
    zsock_set_rcvtimeo (mailer, 5000);

    const char *sender = "pod-north@pod-north.example";
    const char *text1 =
        "From: Pod North <pod-north@pod-north.example>\r\n"
        "To: alice.tm@pod-north.example, ben.sp@pod-north.example\r\n"
        "Subject: Stability meeting\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        "Message-ID: <t1.podd@pod-north.example>\r\n"
        "\r\n"
        "Line one\r\n"
        ".line starting with a dot\r\n"
        "bare LF stays\nas it is\r\n";
    const char *text2 =
        "From: pod-north@pod-north.example\r\n"
        "Message-ID: <t2.podd@pod-north.example>\r\n\r\nsecond\r\n";
    const char *text_noid = "From: pod-north@pod-north.example\r\n\r\nno id\r\n";
    const char *rcpts1 [] = { "alice.tm@pod-north.example", "ben.sp@pod-north.example" };
    const char *rcpts2 [] = { "dev.sw@pod-north.example",
                              "erin.sw@pod-north.example\r\nRCPT TO:<x@evil.example>",
                              "femi sw@pod-north.example", "hana.saw" };
    zmsg_t *batch = podd_mailer_batch_new ();
    podd_mailer_batch_add (batch, 1, sender, rcpts1, 2, text1, strlen (text1));
    podd_mailer_batch_add (batch, 2, sender, rcpts2, 4, text2, strlen (text2));
    podd_mailer_batch_add (batch, 3, "pod-north@pod-north.example\r\nX: y", rcpts1, 2,
                           text2, strlen (text2));
    podd_mailer_batch_add (batch, 4, sender, rcpts1, 1, text_noid, strlen (text_noid));
    podd_mailer_batch_add (batch, 5, sender, rcpts2 + 1, 1, text2, strlen (text2));
    zmsg_send (&batch, mailer);

    const char *sent2 [] = { "sent", "sent" };
    s_expect (mailer, 1, 2, sent2, NULL, verbose);
    const char *mixed [] = { "sent", "failed", "failed", "failed" };
    s_expect (mailer, 2, 4, mixed, "invalid recipient", verbose);
    const char *failed2 [] = { "failed", "failed" };
    s_expect (mailer, 3, 2, failed2, "invalid envelope sender", verbose);
    s_expect (mailer, 4, 1, failed2, "no Message-ID", verbose);
    s_expect (mailer, 5, 1, failed2, "invalid recipient", verbose);

    char path [256];
    snprintf (path, sizeof (path), "%s/1-t1.podd@pod-north.example.eml", spool);
    assert (s_file_equals (path, text1, strlen (text1)));
    snprintf (path, sizeof (path), "%s/2-t2.podd@pod-north.example.eml", spool);
    assert (s_file_equals (path, text2, strlen (text2)));
    //  Nothing else: no file for 3, 4 and 5, no temporary file left
    zdir_t *listing = zdir_new (spool, NULL);
    assert (listing && zdir_count (listing) == 2);
    zdir_destroy (&listing);
    struct stat st;
    assert (stat (spool, &st) == 0 && (st.st_mode & 0777) == 0700);

    //  A re-sent message replaces its spool file (same name)
    batch = podd_mailer_batch_new ();
    podd_mailer_batch_add (batch, 2, sender, rcpts2, 1, text2, strlen (text2));
    zmsg_send (&batch, mailer);
    s_expect (mailer, 2, 1, sent2, NULL, verbose);
    listing = zdir_new (spool, NULL);
    assert (listing && zdir_count (listing) == 2);
    zdir_destroy (&listing);

    //  Framing errors: nothing written, an ERROR with the reason
    zstr_sendx (mailer, "SEND", "seven", sender, "1", "a@b.example", "x", NULL);
    char *command = NULL, *reason = NULL;
    assert (zstr_recvx (mailer, &command, &reason, NULL) == 2);
    assert (streq (command, "ERROR") && strstr (reason, "id"));
    zstr_free (&command);
    zstr_free (&reason);
    zstr_sendx (mailer, "SEND", "7", sender, "2", "a@b.example", NULL);
    assert (zstr_recvx (mailer, &command, &reason, NULL) == 2);
    assert (streq (command, "ERROR"));
    zstr_free (&command);
    zstr_free (&reason);

    //  $TERM with batches queued and running
    for (int i = 0; i < 3; i++) {
        batch = podd_mailer_batch_new ();
        for (int j = 0; j < 50; j++)
            podd_mailer_batch_add (batch, 100 + j, sender, rcpts1, 2, text1, strlen (text1));
        zmsg_send (&batch, mailer);
    }
    zactor_destroy (&mailer);

    //  A bad configuration: every recipient "retry" with the reason
    podd_mailer_cfg_t broken = { .smtp = "", .spool = NULL };
    mailer = zactor_new (podd_mailer_actor, &broken);
    zsock_set_rcvtimeo (mailer, 5000);
    batch = podd_mailer_batch_new ();
    podd_mailer_batch_add (batch, 9, sender, rcpts1, 2, text1, strlen (text1));
    zmsg_send (&batch, mailer);
    const char *retry2 [] = { "retry", "retry" };
    s_expect (mailer, 9, 2, retry2, "misconfigured", verbose);
    zactor_destroy (&mailer);

    //  Clean up the spool
    zdir_t *tree = zdir_new (dir, NULL);
    if (tree) {
        zdir_remove (tree, true);
        zdir_destroy (&tree);
    }
    if (verbose)
        printf ("\nOK\n");
}
