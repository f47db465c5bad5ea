/*  server.c - the podd server actor. See server.h. */
#include "server.h"
#include "log.h"
#include "config.h"
#include "store.h"
#include "request.h"
#include "caseops.h"
#include "taskops.h"
#include "leave.h"
#include "handover.h"
#include "delegation.h"
#include "offers.h"
#include "chronocheck.h"
#include "transfer.h"
#include "outbox.h"
#include "reminders.h"
#include "mailops.h"
#include "meetops.h"
#include "standardsops.h"
#include "auditops.h"
#include "when.h"
#include "notify.h"
#include "guard.h"
#include "reader.h"
#include "continuity.h"
#include "checkpoint.h"
#include <dirent.h>
#include <sys/stat.h>
#include <fcntl.h>

#define BATCH_MAX       512     /* requests in one transaction */
#define REPLAY_PAGE     500     /* most replayed deliveries unacked at once */
#define REPLAY_LOW_WATER 100    /* send the next page when fewer are unacked */
#define ZAP_ENDPOINT    "inproc://zeromq.zap.01"
#define REFUSAL_COALESCE_MS 60000   /* one refusal row per connection a minute */
#define REFUSAL_ROWS_MAX    60      /* refusal rows a minute, whole server */
#define FRAMES_MAX      3       /* a PODP message: signature, command, body */
#define FRAME_HEADROOM  65536   /* a frame this much over the body limit still gets 413 */
//  Another program holding the database's write lock (a backup, an sqlite3
//  shell): reads go on, write requests are held and retried
#define LOCK_WAIT_MS    10      /* SQLite busy timeout inside the loop */
#define HELD_RETRY_MS   25      /* retry held writes this often */
#define HELD_MAX_MS     4000    /* then answer them 503, before clients give up */
#define HELD_MAX        10000   /* most requests held at once */
//  A full disk: read-only, writes answered 503
#define FULL_PROBE_MS   5000    /* try writing again this often */
#define FULL_LOG_MS     60000   /* log the condition at most this often */
#define WORK_RETRY_MS   1000    /* scheduler work that could not run: retry */
//  Readers (reader.c): read requests run beside the write batch
#define READERS         2       /* reader actors, each with its own connection */
#define READER_DEPTH    16      /* most jobs queued at one reader */
#define DEFER_MAX       10000   /* most requests waiting behind their connection's read */
#define RELEASE_ROUNDS  8       /* batches run at once for requests a read released */

//  How a batch runs: a write transaction, or a read transaction in which
//  write requests are held (S_HOLD) or refused with 503 (S_REFUSE)
typedef enum { S_WRITE, S_HOLD, S_REFUSE } s_mode_t;

//  A BACKUP to make once its batch has committed (VACUUM INTO cannot run
//  inside the batch's transaction)
typedef struct {
    zframe_t *to;
    int64_t rid;
    char *path;
} s_backup_t;

//  A write request waiting for another program's lock
typedef struct {
    zmsg_t *msg;                /* routing id frame first */
    int64_t since;              /* zclock_mono */
} s_held_t;

typedef struct {
    zframe_t *routing_id;
    int64_t member_id;          /* the member of its last authenticated request */
    char key [41];              /* its CURVE key (Z85); "" in insecure mode */
    bool watching;
    int64_t last_seen;          /* zclock_mono */
    //  Replay after WATCH, page by page as the client ACKs
    bool replaying;             /* mailbox not caught up: live pushes wait */
    bool refill;                /* WATCH or ACK in this batch: check the page */
    int64_t replay_cursor;      /* last delivery id sent to this session */
    int64_t refused_at;         /* zclock_mono of its last refusal row, 0 = none */
    int64_t refusals_since;     /* refusals since then, not written one by one */
} s_session_t;

//  One message to send once the batch has committed
typedef struct {
    zframe_t *to;
    podp_msg_t *msg;
    bool is_reply;
    int64_t rid;
} s_outgoing_t;

typedef struct {
    zsock_t *pipe;
    podd_config_t *config;
    podd_standards_t *standards;    /* practice standards; NULL = none */
    podd_store_t *store;
    podd_guard_t *guard;        /* locks on the database and ipc socket */
    bool lost;                  /* the database file was deleted or replaced */
    zsock_t *router;
    zsock_t *zap;
    zloop_t *loop;
    zcert_t *cert;
    podd_outbox_t *outbox;      /* mail: outbox rows -> mailer actor */
    zhashx_t *sessions;         /* routing id hex -> s_session_t */
    zhashx_t *keys;             /* Z85 public key -> member handle */
    char *endpoint;
    int expiry_timer;
    int schedule_timer;         /* -1 = not armed; one timer for the next due moment */
    uint64_t requests;          /* served, for the log */
    int64_t refusal_window;     /* zclock_mono: start of this minute's refusal rows */
    int refusal_rows;           /* refusal rows written in it */
    int64_t refusals_unrecorded;    /* refusals over the cap, counted only */
    bool batch_writes;          /* the current batch holds the write lock */
    //  Connections without a session (keys podd does not know) are not
    //  tracked one by one: their refusals share one row a minute
    int64_t stranger_refused_at;    /* zclock_mono of the last such row, 0 = none */
    int64_t stranger_refusals_since;
    zlistx_t *held;             /* s_held_t: writes waiting for a lock, in order */
    int held_timer;             /* -1 = not armed */
    bool read_only;             /* the disk is full: writes answered 503 */
    bool bootstrap_pending;     /* configured pods and members not written yet */
    int full_timer;             /* -1 = not armed */
    int64_t full_logged;        /* zclock_mono of the last disk-full log, 0 = none */
    bool work_blocked;          /* scheduler work could not run: retry later */
    zlistx_t *backups;          /* s_backup_t: BACKUPs of the current batch */
    int64_t expiry_ran;         /* zclock_mono of the last session expiry pass */
    //  Readers: a read request goes to a reader unless its connection has a
    //  reply queued in this batch (an uncommitted write before it): then it
    //  runs in the batch as before. A connection's requests behind its
    //  read wait in deferred, in order, until the read is answered.
    zactor_t *readers [READERS];
    size_t reader_out [READERS];    /* jobs sent to each reader, not back yet */
    size_t reader_count;        /* readers started */
    zlistx_t *read_queue;       /* podd_read_job_t waiting for a free reader */
    zhashx_t *reading;          /* routing id hex of connections with a read out */
    zhashx_t *deferred;         /* routing id hex -> zlistx_t of requests behind its read */
    size_t deferred_count;      /* requests in deferred */
    zlistx_t *released;         /* routing id hex of deferred connections whose read is back */
    //  The WAL checkpointer (checkpoint.c): NULL when it could not start
    zactor_t *checkpointer;
    bool checkpoint_asked;      /* a CHECKPOINT is out, its DONE not back */
    zhashx_t *batch_conns;      /* routing id hex of connections with a reply in this batch */
    bool in_batch;              /* a batch's transaction is open */
    int release_timer;          /* -1 = not armed */
    size_t jobs_out;            /* read jobs queued or at a reader */
    zlistx_t *retired;          /* s_retired_t: configurations jobs may still name */
} s_server_t;

//  A configuration replaced while read jobs named it: destroyed once no
//  job is out
typedef struct {
    podd_config_t *config;
    podd_standards_t *standards;
} s_retired_t;

static void s_schedule (s_server_t *self);
static void s_disk_full (s_server_t *self);

typedef int (s_op_fn) (podd_request_t *req);
static const struct { const char *command; s_op_fn *op; } s_ops [] = {
    { "PING", podd_op_ping },           { "WHOAMI", podd_op_whoami },
    { "POD-LIST", podd_op_pod_list },   { "POD-SHOW", podd_op_pod_show },
    { "MEMBER-LIST", podd_op_member_list }, { "MEMBER-SHOW", podd_op_member_show },
    { "MEMBER-ADD", podd_op_member_add },
    { "CASE-OPEN", podd_op_case_open }, { "CASE-LIST", podd_op_case_list },
    { "CASE-SHOW", podd_op_case_show }, { "CASE-ALLOCATE", podd_op_case_allocate },
    { "CASE-CLOSE", podd_op_case_close }, { "CASE-NOTE", podd_op_case_note },
    { "CASELOAD", podd_op_caseload },
    { "TASK-NEW", podd_op_task_new },   { "TASK-LIST", podd_op_task_list },
    { "TASK-SHOW", podd_op_task_show }, { "TASK-ACCEPT", podd_op_task_accept },
    { "TASK-DECLINE", podd_op_task_decline }, { "TASK-HANDOFF", podd_op_task_handoff },
    { "TASK-DONE", podd_op_task_done }, { "TASK-REASSIGN", podd_op_task_reassign },
    { "TASK-CANCEL", podd_op_task_cancel },
    { "TASK-RESCHEDULE", podd_op_task_reschedule },
    { "LEAVE-REQUEST", podd_op_leave_request }, { "LEAVE-APPROVE", podd_op_leave_approve },
    { "LEAVE-REFUSE", podd_op_leave_refuse }, { "LEAVE-CANCEL", podd_op_leave_cancel },
    { "LEAVE-END", podd_op_leave_end },     { "LEAVE-CALENDAR", podd_op_leave_calendar },
    { "COVER-PLAN", podd_op_cover_plan },   { "COVER-SET", podd_op_cover_set },
    { "COVER-MOVE", podd_op_cover_move },   { "CASE-CONTACT", podd_op_case_contact },
    { "COVER-SHOW", podd_op_cover_show },   { "LEAVE-LIST", podd_op_leave_list },
    { "LEAVE-SHOW", podd_op_leave_show },   { "HANDOVER", podd_op_handover },
    { "HANDOVER-NOTE", podd_op_handover_note }, { "NOTICES", podd_op_notices },
    { "TASK-KINDS", podd_op_task_kinds },
    { "TASK-DELEGATE", podd_op_task_delegate }, { "TASK-CONFIRM", podd_op_task_confirm },
    { "TASK-FOLLOW-UP", podd_op_task_follow_up },
    { "COVER-OFFER", podd_op_cover_offer }, { "COVER-SWAP", podd_op_cover_swap },
    { "COVER-APPROVE", podd_op_cover_approve }, { "COVER-REFUSE", podd_op_cover_refuse },
    { "CASE-CHECK", podd_op_case_check },
    { "LOAD", podd_op_load },               { "DIGEST", podd_op_digest },
    { "MAIL-QUEUE", podd_op_mail_queue },   { "MAIL-RETRY", podd_op_mail_retry },
    { "REMINDERS", podd_op_reminders },
    { "PARTNER-ADD", podd_op_partner_add }, { "PARTNER-LIST", podd_op_partner_list },
    { "PARTNER-UPDATE", podd_op_partner_update },
    { "PARTNER-LINK", podd_op_partner_link }, { "PARTNER-UNLINK", podd_op_partner_unlink },
    { "MEETING-SCHEDULE", podd_op_meeting_schedule }, { "MEETING-UPDATE", podd_op_meeting_update },
    { "MEETING-CANCEL", podd_op_meeting_cancel }, { "MEETING-ATTENDEES", podd_op_meeting_attendees },
    { "MEETING-OUTCOME", podd_op_meeting_outcome }, { "INGEST-MAIL", podd_op_ingest_mail },
    { "CASE-EVENT", podd_op_case_event },   { "CASE-EVENT-CORRECT", podd_op_case_event_correct },
    { "STANDARDS-LIST", podd_op_standards_list }, { "REPORT-COMPLIANCE", podd_op_report_compliance },
    { "AUDIT-LIST", podd_op_audit_list },
    { "CASE-TRANSFER", podd_op_case_transfer },
    { "CASE-TRANSFER-APPROVE", podd_op_case_transfer_approve },
    { "CASE-TRANSFER-REFUSE", podd_op_case_transfer_refuse },
    { "CASE-TRANSFERS", podd_op_case_transfers },
    { "CONTINUITY", podd_op_continuity }, { "MEMBER-LEAVE-SERVICE", podd_op_member_leave_service },
};

//  --------------------------------------------------------------------
//  Sessions

static void
s_session_destroy (void **item)
{
    s_session_t *session = (s_session_t *) *item;
    if (session) {
        zframe_destroy (&session->routing_id);
        free (session);
        *item = NULL;
    }
}

//  The session of a connection, or NULL when it has none (yet)
static s_session_t *
s_session_find (s_server_t *self, zframe_t *routing_id)
{
    char *key = zframe_strhex (routing_id);
    s_session_t *session = (s_session_t *) zhashx_lookup (self->sessions, key);
    free (key);
    return session;
}

static s_session_t *
s_session_for (s_server_t *self, zframe_t *routing_id)
{
    char *key = zframe_strhex (routing_id);
    s_session_t *session = (s_session_t *) zhashx_lookup (self->sessions, key);
    if (!session) {
        session = (s_session_t *) zmalloc (sizeof (s_session_t));
        session->routing_id = zframe_dup (routing_id);
        zhashx_insert (self->sessions, key, session);
    }
    free (key);
    session->last_seen = zclock_mono ();
    return session;
}

static int
s_expire_sessions (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop; (void) timer_id;
    s_server_t *self = (s_server_t *) arg;
    //  After the loop itself was held up (a slow fsync), the sessions'
    //  requests may be waiting unread: read them before judging silence
    int64_t now = zclock_mono (), last = self->expiry_ran;
    self->expiry_ran = now;
    if (last && now - last > 2 * (int64_t) podd_config_heartbeat_ms (self->config))
        return 0;
    int64_t horizon = now - podd_config_client_timeout_ms (self->config);
    zlistx_t *expired = zlistx_new ();
    zlistx_set_destructor (expired, (zlistx_destructor_fn *) zstr_free);
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions))
        if (session->last_seen < horizon)
            zlistx_add_end (expired, strdup ((const char *) zhashx_cursor (self->sessions)));
    for (char *key = (char *) zlistx_first (expired); key; key = (char *) zlistx_next (expired))
        zhashx_delete (self->sessions, key);
    if (zlistx_size (expired))
        log_debug ("podd: expired %zu silent session(s)", zlistx_size (expired));
    zlistx_destroy (&expired);
    return 0;
}

//  --------------------------------------------------------------------
//  Identity: ZAP handler and the key registry

static int
s_zap_ready (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_server_t *self = (s_server_t *) arg;
    zmsg_t *request = zmsg_recv (reader);
    if (!request)
        return 0;
    char *version = zmsg_popstr (request);
    char *sequence = zmsg_popstr (request);
    char *domain = zmsg_popstr (request);
    char *address = zmsg_popstr (request);
    zframe_t *identity = zmsg_pop (request);
    char *mechanism = zmsg_popstr (request);
    zframe_t *credential = zmsg_pop (request);
    char user_id [41] = "";
    const char *status = "400", *text = "mechanism not allowed";
    if (mechanism && streq (mechanism, "CURVE") && credential && zframe_size (credential) == 32) {
        zmq_z85_encode (user_id, zframe_data (credential), 32);
        status = "200";
        text = "OK";
        //  curve-registered: a stranger cannot even send a message
        if (podd_config_registered_only (self->config) && !zhashx_lookup (self->keys, user_id)) {
            status = "400";
            text = "key not registered";
            user_id [0] = 0;
        }
    }
    else
    if (mechanism && streq (mechanism, "NULL") && podd_config_insecure (self->config)) {
        status = "200";
        text = "OK (insecure mode)";
    }
    zstr_sendx (reader, "1.0", sequence? sequence: "", status, text, user_id, "", NULL);
    zstr_free (&version); zstr_free (&sequence); zstr_free (&domain);
    zstr_free (&address); zstr_free (&mechanism);
    zframe_destroy (&identity); zframe_destroy (&credential);
    zmsg_destroy (&request);
    return 0;
}

static bool
s_ends_with (const char *text, const char *suffix)
{
    size_t len = strlen (text), slen = strlen (suffix);
    return len >= slen && streq (text + len - slen, suffix);
}

//  The handle a cert file in the certs directory is registered for: its
//  name without ".cert". NULL when the name is not "<handle>.cert".
static char *
s_cert_handle (const char *filename)
{
    if (!s_ends_with (filename, ".cert"))
        return NULL;
    char *handle = strndup (filename, strlen (filename) - strlen (".cert"));
    if (handle && !podd_valid_handle (handle))
        zstr_free (&handle);
    return handle;
}

//  Read every public cert in the certs directory: key -> member handle.
//  The administrator decides the member by naming the file <handle>.cert;
//  the cert's own metadata is member-supplied and never trusted.
static void
s_load_keys (s_server_t *self)
{
    zhashx_purge (self->keys);
    const char *dir_path = podd_config_certs (self->config);
    DIR *dir = opendir (dir_path);
    if (!dir) {
        log_warn ("podd: cannot read certs directory %s: no member can log in", dir_path);
        return;
    }
    zhashx_t *clashes = zhashx_new ();      //  keys registered under two handles
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (!s_ends_with (entry->d_name, ".cert"))
            continue;
        char path [PATH_MAX];
        snprintf (path, sizeof path, "%s/%s", dir_path, entry->d_name);
        char *handle = s_cert_handle (entry->d_name);
        zcert_t *cert = handle? zcert_load (path): NULL;
        if (!cert)
            log_warn ("podd: %s: not <handle>.cert or not a certificate, ignored", path);
        else {
            const char *claimed = zcert_meta (cert, "member");
            if (claimed && !streq (claimed, handle))
                log_warn ("podd: %s: its metadata says member = \"%.64s\": ignored, "
                          "the file name registers it for %s", path, claimed, handle);
            const char *key = zcert_public_txt (cert);
            const char *other = (const char *) zhashx_lookup (self->keys, key);
            if (other && !streq (other, handle))
                zhashx_insert (clashes, key, (void *) "");
            else
                zhashx_update (self->keys, key, strdup (handle));
        }
        zstr_free (&handle);
        zcert_destroy (&cert);
    }
    closedir (dir);
    for (void *item = zhashx_first (clashes); item; item = zhashx_next (clashes)) {
        const char *key = (const char *) zhashx_cursor (clashes);
        log_error ("podd: key %.8s... is in the certs of two members: refused for both", key);
        zhashx_delete (self->keys, key);
    }
    zhashx_destroy (&clashes);
    log_info ("podd: %zu member key(s) loaded from %s", zhashx_size (self->keys), dir_path);
}

//  End at once every session whose key no longer maps to its member (cert
//  removed, renamed, or the member made inactive): no more pushes to it,
//  and its next request is answered 401 without opening a session.
static void
s_end_revoked_sessions (s_server_t *self)
{
    zlistx_t *revoked = zlistx_new ();
    zlistx_set_destructor (revoked, (zlistx_destructor_fn *) zstr_free);
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions)) {
        const char *handle = session->key [0]?
            (const char *) zhashx_lookup (self->keys, session->key): NULL;
        podd_member_t member;
        if (!handle || podd_store_member_by_handle (self->store, handle, &member)
        ||  !member.active || member.id != session->member_id)
            zlistx_add_end (revoked, strdup ((const char *) zhashx_cursor (self->sessions)));
    }
    for (char *id = (char *) zlistx_first (revoked); id; id = (char *) zlistx_next (revoked))
        zhashx_delete (self->sessions, id);
    if (zlistx_size (revoked))
        log_info ("podd: ended %zu session(s) of revoked keys", zlistx_size (revoked));
    zlistx_destroy (&revoked);
}

//  The authenticated member behind a message, or 401 reasons.
//  Connection metadata (User-Id, Peer-Address) is read from the first
//  payload frame: libzmq 4.3 does not copy it onto the ROUTER's routing-id
//  frame when the socket was polled before the read (as zloop does).
static int
s_authenticate (s_server_t *self, zframe_t *first, podd_member_t *member,
                char *reason, size_t reasonlen)
{
    const char *handle = NULL;
    if (podd_config_insecure (self->config)) {
        for (size_t i = 0; i < podd_config_member_count (self->config) && !handle; i++)
            if (podd_config_member_at (self->config, i)->admin)
                handle = podd_config_member_at (self->config, i)->handle;
    }
    else {
        const char *key = first? zframe_meta (first, "User-Id"): NULL;
        if (!key || !*key) {
            snprintf (reason, reasonlen, "not authenticated: connect with CURVE");
            return -1;
        }
        handle = (const char *) zhashx_lookup (self->keys, key);
        if (!handle) {
            snprintf (reason, reasonlen, "key %.8s... is not registered with this podd", key);
            return -1;
        }
    }
    if (!handle || podd_store_member_by_handle (self->store, handle, member) || !member->active) {
        snprintf (reason, reasonlen, "key belongs to no active member");
        return -1;
    }
    return 0;
}

//  Who a request is for (PROTOCOL.md 4.4). A key listed in the gateways
//  section (podweb) acts for the member its request names with "as", and
//  gateway gets its handle for the audit; such a connection, once watching,
//  stays with that member. Any other key is its own member (s_authenticate)
//  and may not use "as". Returns 0, or -1 with *status (401, 403, 409).
static int
s_identify (s_server_t *self, zframe_t *first, podp_msg_t *msg, s_session_t *session,
            podd_member_t *member, char *gateway, size_t gatewaylen, int *status,
            char *reason, size_t reasonlen)
{
    const char *as = podp_msg_string (msg, "as");
    const char *key = first? zframe_meta (first, "User-Id"): NULL;
    const char *handle = key && *key && !podd_config_insecure (self->config)?
                         (const char *) zhashx_lookup (self->keys, key): NULL;
    *status = PODP_UNAUTHENTICATED;
    if (!handle || !podd_config_gateway (self->config, handle)) {
        if (s_authenticate (self, first, member, reason, reasonlen))
            return -1;
        if (as) {
            *status = PODP_FORBIDDEN;
            snprintf (reason, reasonlen, "field 'as': only a gateway key may act for a member");
            return -1;
        }
        return 0;
    }
    snprintf (gateway, gatewaylen, "%s", handle);
    if (!as) {
        snprintf (reason, reasonlen, "gateway %s: name the member with 'as'", handle);
        return -1;
    }
    if (!podd_valid_handle (as) || podd_store_member_by_handle (self->store, as, member)
    ||  !member->active) {
        snprintf (reason, reasonlen, "gateway %s: no active member '%s'", handle,
                  podd_valid_handle (as)? as: "?");
        return -1;
    }
    if (session && session->watching && session->member_id && session->member_id != member->id) {
        *status = PODP_CONFLICT;
        snprintf (reason, reasonlen, "this gateway connection watches for another member");
        return -1;
    }
    return 0;
}

//  --------------------------------------------------------------------
//  Batch of outgoing messages

static void
s_outgoing_destroy (void **item)
{
    s_outgoing_t *out = (s_outgoing_t *) *item;
    if (out) {
        zframe_destroy (&out->to);
        podp_msg_destroy (&out->msg);
        free (out);
        *item = NULL;
    }
}

static void
s_queue (zlistx_t *outgoing, zframe_t *to, podp_msg_t *msg, bool is_reply, int64_t rid)
{
    s_outgoing_t *out = (s_outgoing_t *) zmalloc (sizeof (s_outgoing_t));
    out->to = zframe_dup (to);
    out->msg = msg;
    out->is_reply = is_reply;
    out->rid = rid;
    zlistx_add_end (outgoing, out);
}

static void
s_queue_reply (zlistx_t *outgoing, zframe_t *to, int64_t rid, int status, const char *reason,
               json_t *data)
{
    s_queue (outgoing, to, podp_reply_new (rid, status, reason, data), true, rid);
}

static void
s_push_destroy (void **item)
{
    podd_push_t *push = (podd_push_t *) *item;
    if (push) {
        json_decref (push->body);
        free (push->text);
        free (push);
        *item = NULL;
    }
}

//  Queue a committed delivery to every watching session of its member
static void
s_fan_out (s_server_t *self, zlistx_t *outgoing, podd_push_t *push)
{
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions))
        if (session->watching && session->member_id == push->member_id
        &&  !(push->delivery && (session->replaying || push->delivery <= session->replay_cursor)))
            s_queue (outgoing, session->routing_id,
                     podp_msg_new_encoded (push->command, json_incref (push->body),
                                           push->text? strdup (push->text): NULL), false, -1);
}

//  Queue every committed push of a list
static void
s_fan_out_all (s_server_t *self, zlistx_t *outgoing, zlistx_t *pushes)
{
    for (podd_push_t *push = (podd_push_t *) zlistx_first (pushes); push;
         push = (podd_push_t *) zlistx_next (pushes))
        s_fan_out (self, outgoing, push);
}

//  --------------------------------------------------------------------
//  Session commands: WATCH, ACK, HEARTBEAT

static void
s_watch (s_server_t *self, s_session_t *session, podd_request_t *req, int64_t rid,
         zlistx_t *outgoing)
{
    //  The deliveries themselves follow the REPLY, a page at a time
    //  (s_replay), once this batch has committed
    session->watching = true;
    session->replaying = true;
    session->refill = true;
    session->replay_cursor = 0;
    int64_t pending = podd_store_mailbox_pending_count (self->store, req->actor->id);
    s_queue_reply (outgoing, session->routing_id, rid, PODP_OK, "OK", json_pack ("{s:I s:i s:i}",
        "pending", (json_int_t) pending,
        "heartbeat", podd_config_heartbeat_ms (self->config),
        "timeout", podd_config_client_timeout_ms (self->config)));
}

//  Send a session its next page of unacknowledged deliveries when fewer
//  than REPLAY_LOW_WATER of those already sent are unacknowledged. Runs
//  after commit, outside the batch: memory stays bounded by REPLAY_PAGE
//  per session, and the cursor moves only over deliveries really sent.
static void
s_replay_page (s_server_t *self, s_session_t *session)
{
    int64_t unacked = podd_store_mailbox_unacked_upto (self->store, session->member_id,
                                                       session->replay_cursor);
    if (unacked < 0 || unacked >= REPLAY_LOW_WATER)
        return;
    size_t room = REPLAY_PAGE - (size_t) unacked;
    json_t *page = podd_store_mailbox_page (self->store, session->member_id,
                                            session->replay_cursor, room);
    if (!page)
        return;                 //  store error: the next ACK or WATCH tries again
    size_t index;
    json_t *item;
    json_array_foreach (page, index, item) {
        int64_t delivery = json_integer_value (json_object_get (item, "delivery"));
        const char *command = NULL;
        json_t *body = podd_delivery_body (delivery,
                           json_string_value (json_object_get (item, "payload")), &command);
        if (body) {
            podp_msg_t *msg = podp_msg_new (command, body);
            podp_send (msg, self->router, session->routing_id);
            podp_msg_destroy (&msg);
        }
        session->replay_cursor = delivery;
    }
    //  A short page: caught up, new deliveries are pushed as they come
    if (json_array_size (page) < room)
        session->replaying = false;
    json_decref (page);
}

//  After a committed batch: replay for the sessions that WATCHed or ACKed
static void
s_replay (s_server_t *self, bool committed)
{
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions)) {
        if (session->refill && session->replaying && committed)
            s_replay_page (self, session);
        session->refill = false;
    }
}

//  ACK with "deliveries": every id in one request (one commit), each
//  reported as acked, already (acknowledged before) or unknown
static int
s_ack_list (s_server_t *self, podd_request_t *req, json_t *ids)
{
    json_t *acked = json_array (), *already = json_array (), *unknown = json_array ();
    size_t index;
    json_t *item;
    json_array_foreach (ids, index, item) {
        int64_t delivery = json_integer_value (item);
        int rc = podd_store_mailbox_ack (self->store, req->actor->id, delivery, req->now);
        json_array_append_new (rc == 0? acked: rc == -2? already: unknown, json_integer (delivery));
    }
    return podd_ok (req, PODP_OK, json_pack ("{s:o s:o s:o}", "acked", acked,
                                             "already", already, "unknown", unknown));
}

static int
s_ack (s_server_t *self, podd_request_t *req)
{
    json_t *ids = podp_msg_array (req->msg, "deliveries");
    bool single = json_object_get (podp_msg_body (req->msg), "delivery") != NULL;
    if (ids && single)
        return podd_fail (req, PODP_BAD_REQUEST, "field 'deliveries': not with 'delivery'");
    if (ids)
        return s_ack_list (self, req, ids);
    if (!single)
        return podd_fail (req, PODP_BAD_REQUEST, "field 'delivery': required");
    int64_t delivery = podp_msg_int (req->msg, "delivery", 0);
    int rc = podd_store_mailbox_ack (self->store, req->actor->id, delivery, req->now);
    if (rc == -1)
        return podd_fail (req, PODP_NOT_FOUND, "no delivery %lld for you", (long long) delivery);
    if (rc == -2)
        return podd_fail (req, PODP_CONFLICT, "delivery %lld is acknowledged already",
                          (long long) delivery);
    return podd_ok (req, PODP_OK, json_pack ("{s:I}", "delivery", (json_int_t) delivery));
}

//  BACKUP FILE (admins): checked and audited in the batch, made after it
//  commits by s_run_backups
static int
s_backup (s_server_t *self, zframe_t *routing_id, int64_t rid, podd_request_t *req)
{
    const char *path = podp_msg_string (req->msg, "file");
    if (!req->actor->admin)
        return podd_fail (req, PODP_FORBIDDEN, "only an admin may back up the database");
    if (!path || path [0] != '/' || strlen (path) > PATH_MAX - 1)
        return podd_fail (req, PODP_INVALID, "file must be an absolute path on podd's host");
    struct stat st;
    if (lstat (path, &st) == 0)
        return podd_fail (req, PODP_CONFLICT, "%s exists already: give a new file", path);
    if (podd_audit (req, "backup", path, ""))
        return -1;
    s_backup_t *backup = (s_backup_t *) zmalloc (sizeof (s_backup_t));
    backup->to = zframe_dup (routing_id);
    backup->rid = rid;
    backup->path = strdup (path);
    zlistx_add_end (self->backups, backup);
    req->status = 0;            //  answered by s_run_backups
    return 0;
}

static void
s_backup_destroy (void **item)
{
    s_backup_t *backup = (s_backup_t *) *item;
    if (backup) {
        zframe_destroy (&backup->to);
        free (backup->path);
        free (backup);
        *item = NULL;
    }
}

//  Make one backup into a new 0600 file; the REPLY to send
static podp_msg_t *
s_make_backup (s_server_t *self, s_backup_t *backup)
{
    int fd = open (backup->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return podp_reply_new (backup->rid, errno == EEXIST? PODP_CONFLICT: PODP_INVALID,
                               errno == EEXIST? "the file exists already: give a new file"
                                              : "cannot create the file", NULL);
    close (fd);
    struct stat st;
    if (podd_store_backup (self->store, backup->path) || stat (backup->path, &st)) {
        char reason [256];
        snprintf (reason, sizeof reason, "backup failed: %s", podd_store_errmsg (self->store));
        unlink (backup->path);
        log_error ("podd: backup into %s failed: %s", backup->path, podd_store_errmsg (self->store));
        return podp_reply_new (backup->rid, PODP_INTERNAL, reason, NULL);
    }
    log_info ("podd: database backed up into %s (%lld octets)", backup->path,
              (long long) st.st_size);
    return podp_reply_new (backup->rid, PODP_OK, "OK", json_pack ("{s:s s:I}",
                           "file", backup->path, "bytes", (json_int_t) st.st_size));
}

//  After the batch: make its BACKUPs (or 503 when it did not commit)
static void
s_run_backups (s_server_t *self, bool committed)
{
    for (s_backup_t *backup = (s_backup_t *) zlistx_first (self->backups); backup;
         backup = (s_backup_t *) zlistx_next (self->backups)) {
        podp_msg_t *reply = committed? s_make_backup (self, backup)
            : podp_reply_new (backup->rid, PODP_UNAVAILABLE,
                              "could not commit, nothing changed: try again", NULL);
        podp_send (reply, self->router, backup->to);
        podp_msg_destroy (&reply);
    }
    zlistx_purge (self->backups);
}

//  --------------------------------------------------------------------
//  One request

static s_op_fn *
s_op_for (const char *command)
{
    for (size_t i = 0; i < sizeof s_ops / sizeof s_ops [0]; i++)
        if (streq (s_ops [i].command, command))
            return s_ops [i].op;
    return NULL;
}

static void
s_connection_name (zframe_t *first, char *buf, size_t size)
{
    const char *peer = first? zframe_meta (first, "Peer-Address"): NULL;
    const char *key = first? zframe_meta (first, "User-Id"): NULL;
    snprintf (buf, size, "%s%.12s peer:%s", key && *key? "curve:": "insecure", key? key: "",
              peer? peer: "?");
}

//  What a refused request was about, for the audit trail: its case, its
//  task, or else its command
static void
s_refusal_object (podp_msg_t *msg, char *buf, size_t size)
{
    const char *ref = podp_msg_string (msg, "ref");
    if (!ref)
        ref = podp_msg_string (msg, "case");
    int64_t task = podp_msg_int (msg, "task", -1);
    if (ref)
        snprintf (buf, size, "%s", ref);
    else
    if (task >= 0)
        snprintf (buf, size, "task:%lld", (long long) task);
    else
        snprintf (buf, size, "%s", podp_msg_command (msg));
}

//  Record a refused attempt (401, 403) in the audit trail, in the batch's
//  transaction but in a savepoint of its own, so it never fails the batch.
//  Coalesced: one row a minute per connection (the next row counts the
//  others), and at most REFUSAL_ROWS_MAX rows a minute in all, so a flood
//  of refused requests costs no more than a few writes.
static void
s_record_refusal (s_server_t *self, s_session_t *session, zframe_t *first, int64_t actor_id,
                  podp_msg_t *msg, int status, const char *reason)
{
    if (!self->batch_writes)
        return;                 //  a read-only batch (locked store, full disk): not recorded
    int64_t mono = zclock_mono ();
    if (session && session->refused_at && mono - session->refused_at < REFUSAL_COALESCE_MS) {
        session->refusals_since++;
        return;
    }
    if (!session && self->stranger_refused_at && mono - self->stranger_refused_at < REFUSAL_COALESCE_MS) {
        self->stranger_refusals_since++;
        return;
    }
    if (mono - self->refusal_window >= REFUSAL_COALESCE_MS) {
        self->refusal_window = mono;
        self->refusal_rows = 0;
    }
    if (self->refusal_rows >= REFUSAL_ROWS_MAX) {
        self->refusals_unrecorded++;
        return;
    }
    char connection [128], object [80], detail [512], more [128] = "", others [96] = "";
    s_connection_name (first, connection, sizeof connection);
    s_refusal_object (msg, object, sizeof object);
    if (session && session->refusals_since)
        snprintf (more, sizeof more, " (and %lld more refused on this connection before)",
                  (long long) session->refusals_since);
    if (!session && self->stranger_refusals_since)
        snprintf (more, sizeof more, " (and %lld more refused from unknown keys before)",
                  (long long) self->stranger_refusals_since);
    if (self->refusals_unrecorded)
        snprintf (others, sizeof others, " (and %lld refused elsewhere, not recorded one by one)",
                  (long long) self->refusals_unrecorded);
    snprintf (detail, sizeof detail, "%s -> %d %s%s%s", podp_msg_command (msg), status, reason,
              more, others);
    if (podd_store_savepoint (self->store))
        return;
    if (podd_store_audit (self->store, actor_id, connection, "refused", object, detail,
                          podd_when_now ())
    ||  podd_store_release (self->store)) {
        log_warn ("podd: cannot record a refused attempt: %s", podd_store_errmsg (self->store));
        podd_store_rollback_savepoint (self->store);
        return;
    }
    if (session) {
        session->refused_at = mono;
        session->refusals_since = 0;
    }
    else {
        self->stranger_refused_at = mono;
        self->stranger_refusals_since = 0;
    }
    self->refusal_rows++;
    self->refusals_unrecorded = 0;
}

static void
s_handle (s_server_t *self, zframe_t *routing_id, zmsg_t *msg, bool in_txn,
          zlistx_t *outgoing, zlistx_t *pushes)
{
    podp_error_t err;
    //  Mail replies come whole: INGEST-MAIL alone may exceed max-body
    size_t max_body = podd_config_max_body (self->config);
    zframe_t *command_frame = NULL;
    if (zmsg_size (msg) == 3) {
        zmsg_first (msg);
        command_frame = zmsg_next (msg);
    }
    if (command_frame && zframe_streq (command_frame, "INGEST-MAIL") && max_body < PODP_INGEST_BODY_MAX)
        max_body = PODP_INGEST_BODY_MAX;
    podp_msg_t *msg_in = podp_decode (msg, true, max_body, &err);
    if (!msg_in) {
        int64_t rid = podp_peek_rid (msg, podd_config_max_body (self->config));
        s_queue_reply (outgoing, routing_id, rid, err.status, err.reason, NULL);
        return;
    }
    int64_t rid = podp_msg_int (msg_in, "rid", -1);
    podd_member_t actor;
    char reason [256];
    char gateway [64] = "";
    int status = PODP_UNAUTHENTICATED;
    //  A stranger's requests open no session: look up, never create
    s_session_t *known = s_session_find (self, routing_id);
    if (s_identify (self, zmsg_first (msg), msg_in, known, &actor, gateway, sizeof gateway,
                    &status, reason, sizeof reason)) {
        if (in_txn)
            s_record_refusal (self, known, zmsg_first (msg), 0, msg_in, status, reason);
        s_queue_reply (outgoing, routing_id, rid, status, reason, NULL);
        podp_msg_destroy (&msg_in);
        return;
    }
    //  Only an authenticated request opens or keeps a session alive
    s_session_t *session = s_session_for (self, routing_id);
    session->member_id = actor.id;
    const char *key = zframe_meta (zmsg_first (msg), "User-Id");
    snprintf (session->key, sizeof session->key, "%s", key? key: "");
    char connection [160];
    s_connection_name (zmsg_first (msg), connection, sizeof connection);
    if (*gateway) {
        //  The audit names the member (actor) and the gateway that acted
        char direct [96];
        snprintf (direct, sizeof direct, "%.95s", connection);
        snprintf (connection, sizeof connection, "gateway:%.32s %s", gateway, direct);
    }
    podd_request_t req = {
        .store = self->store, .config = self->config, .standards = self->standards, .actor = &actor,
        .connection = connection, .now = podd_when_now (), .msg = msg_in,
        .pushes = zlistx_new ()
    };
    zlistx_set_destructor (req.pushes, s_push_destroy);
    const char *command = podp_msg_command (msg_in);
    s_op_fn *op = s_op_for (command);
    if (!in_txn || !podd_store_in_txn (self->store))
        podd_fail (&req, PODP_UNAVAILABLE, "store busy, try again");
    else
    if (streq (command, "HEARTBEAT"))
        podd_ok (&req, PODP_OK, json_pack ("{s:b}", "watching", session->watching));
    else
    if (streq (command, "WATCH")) {
        s_watch (self, session, &req, rid, outgoing);
        req.status = 0;     //  replied already
    }
    else
    if (podd_store_savepoint (self->store))
        podd_fail (&req, PODP_UNAVAILABLE, "store busy, try again");
    else {
        if (streq (command, "ACK"))
            session->refill = true;
        int rc = streq (command, "ACK")? s_ack (self, &req)
               : streq (command, "BACKUP")? s_backup (self, routing_id, rid, &req)
               : op? op (&req)
               : podd_fail (&req, PODP_UNKNOWN_COMMAND, "command '%s' not served", command);
        if (rc == 0)
            rc = podd_store_release (self->store);
        if (rc) {
            bool full = (req.status < 400 || req.status == PODP_INTERNAL)
                     && podd_store_full (self->store);
            if (full)
                s_disk_full (self);
            podd_store_rollback_savepoint (self->store);
            zlistx_purge (req.pushes);
            if (full)
                podd_fail (&req, PODP_UNAVAILABLE, "the disk is full: nothing changed, "
                           "try again later");
            else
            if (req.status < 400)
                podd_fail (&req, PODP_INTERNAL, "request failed: %s", podd_store_errmsg (self->store));
        }
    }
    if (req.status) {
        if (req.status >= 400)
            log_info ("podd: %s %s -> %d %s", actor.handle, command, req.status, req.reason);
        if (req.status == PODP_FORBIDDEN && in_txn)
            s_record_refusal (self, session, zmsg_first (msg), actor.id, msg_in, req.status, req.reason);
        s_queue (outgoing, routing_id, podd_reply (&req, rid), true, rid);
    }
    for (podd_push_t *push = (podd_push_t *) zlistx_first (req.pushes); push;
         push = (podd_push_t *) zlistx_next (req.pushes)) {
        zlistx_add_end (pushes, push);
    }
    zlistx_set_destructor (req.pushes, NULL);   //  moved into pushes
    zlistx_destroy (&req.pushes);
    json_decref (req.data);
    free (req.data_text);
    podp_msg_destroy (&msg_in);
    self->requests++;
}

//  --------------------------------------------------------------------
//  Group commit: read every waiting request, one transaction, then send

//  True once the database file at its path is not the one podd opened
//  (deleted or replaced): from then on nothing is acknowledged, and podd
//  stops so that a supervisor restarts it on the file that is there.
static bool
s_store_lost (s_server_t *self)
{
    char err [512];
    if (!self->lost && self->guard && podd_guard_check (self->guard, err, sizeof err)) {
        log_error ("podd: %s: acknowledging no more writes and stopping", err);
        self->lost = true;
    }
    return self->lost;
}

//  Commit the open transaction where it still reaches the database file:
//  0 committed, -1 commit failed, -2 the file was deleted or replaced
//  (rolled back, or committed to a file nobody will read: not acked).
static void
s_checkpoint_ask (s_server_t *self)
{
    zstr_send (self->checkpointer, "CHECKPOINT");
    self->checkpoint_asked = true;
}

//  After a commit: a long WAL is copied into the database by the
//  checkpointer, one checkpoint at a time; by the writer itself only when
//  there is no checkpointer or the WAL has outgrown it
static void
s_checkpoint_maybe (s_server_t *self)
{
    int pages = podd_store_wal_pages (self->store);
    if (pages >= PODD_CHECKPOINT_INLINE_PAGES || (!self->checkpointer && pages >= PODD_CHECKPOINT_PAGES)) {
        if (podd_store_checkpoint (self->store, NULL) == 0 && self->checkpointer)
            log_warn ("podd: WAL at %d pages: checkpointed by the writer", pages);
    }
    else
    if (pages >= PODD_CHECKPOINT_PAGES && !self->checkpoint_asked)
        s_checkpoint_ask (self);
}

//  The checkpointer's DONE: it copied the WAL as it was when it began, while
//  the writer went on adding to it. A short tail the writer copies itself,
//  between batches (a few frames and an fsync, not the bulk); a long one
//  the checkpointer goes after again. Only a WAL copied to its end is
//  started again from its beginning by the next write: under a steady
//  stream of commits the checkpointer alone would never catch up, and the
//  WAL file would grow (and each commit's fsync with it).
static int
s_checkpoint_ready (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_server_t *self = (s_server_t *) arg;
    char *command = NULL;
    int copied = 0;
    if (zsock_recv (reader, "si", &command, &copied) == 0) {
        self->checkpoint_asked = false;
        int tail = podd_store_wal_pages (self->store) - copied;
        if (copied < 0)
            ;                   //  failed: the next commit asks again
        else
        if (tail > PODD_CHECKPOINT_TAIL_PAGES)
            s_checkpoint_ask (self);
        else
        if (tail > 0 && !self->in_batch && !podd_store_in_txn (self->store))
            podd_store_checkpoint (self->store, NULL);
    }
    zstr_free (&command);
    return 0;
}

static int
s_commit (s_server_t *self)
{
    if (s_store_lost (self)) {
        podd_store_rollback (self->store);
        return -2;
    }
    if (podd_store_commit (self->store))
        return -1;
    if (s_store_lost (self))
        return -2;
    s_checkpoint_maybe (self);
    return 0;
}

static void
s_send_all (s_server_t *self, zlistx_t *outgoing, bool committed)
{
    for (s_outgoing_t *out = (s_outgoing_t *) zlistx_first (outgoing); out;
         out = (s_outgoing_t *) zlistx_next (outgoing)) {
        if (!committed && !out->is_reply)
            continue;           //  nothing committed: no pushes
        if (!committed) {
            podp_msg_destroy (&out->msg);
            out->msg = podp_reply_new (out->rid, PODP_UNAVAILABLE,
                                       "could not commit, nothing changed: try again", NULL);
        }
        //  A peer that has gone is not an error: its mailbox keeps the work
        podp_send (out->msg, self->router, out->to);
    }
}

//  Receive one message from the ROUTER frame by frame, keeping the routing
//  id and at most FRAMES_MAX frames: the rest of a longer message is read
//  and dropped as it comes, so no peer can make podd hold it whole.
//  Sets *frames to the number of frames after the routing id.
static zmsg_t *
s_recv_bounded (zsock_t *reader, size_t *frames)
{
    zmsg_t *msg = zmsg_new ();
    bool more = true;
    while (more && zmsg_size (msg) < 1 + FRAMES_MAX) {
        zframe_t *frame = zframe_recv (reader);
        if (!frame) {
            zmsg_destroy (&msg);
            return NULL;
        }
        more = zframe_more (frame);
        zmsg_append (msg, &frame);
    }
    *frames = zmsg_size (msg) - 1;
    zmq_msg_t part;
    zmq_msg_init (&part);
    while (more && zmq_msg_recv (&part, zsock_resolve (reader), 0) >= 0) {
        (*frames)++;
        more = zmq_msg_more (&part);
    }
    zmq_msg_close (&part);
    return msg;
}

//  The command of a request that changes state (held or refused while the
//  store cannot be written); malformed requests are not: they get their
//  error without the store
static bool
s_is_write (zmsg_t *msg)
{
    static const char *const reads [] = {
        "PING", "WHOAMI", "HEARTBEAT", "WATCH", "POD-LIST", "POD-SHOW", "MEMBER-LIST",
        "MEMBER-SHOW", "CASE-LIST", "CASE-SHOW", "CASELOAD", "TASK-LIST", "TASK-SHOW",
        "LEAVE-CALENDAR", "CASE-CONTACT", "LOAD", "DIGEST", "MAIL-QUEUE", "REMINDERS",
        "PARTNER-LIST", "MEETING-ATTENDEES", "STANDARDS-LIST", "REPORT-COMPLIANCE", "AUDIT-LIST",
        "CONTINUITY", "LEAVE-LIST", "LEAVE-SHOW", "COVER-SHOW", "NOTICES", "HANDOVER", "TASK-KINDS",
        "CASE-TRANSFERS", NULL
    };
    if (zmsg_size (msg) != 3)
        return false;
    zmsg_first (msg);
    zframe_t *command = zmsg_next (msg);
    for (int i = 0; reads [i]; i++)
        if (zframe_streq (command, reads [i]))
            return false;
    if (zframe_streq (command, "ACK") || zframe_streq (command, "BACKUP"))
        return true;
    for (size_t i = 0; i < sizeof s_ops / sizeof s_ops [0]; i++)
        if (zframe_streq (command, s_ops [i].command))
            return true;
    return false;               //  unknown: answered 404 without the store
}

//  Whether a write request from routing_id is held already (its later
//  requests wait behind it, so each connection sees its own writes)
static bool
s_has_held (s_server_t *self, zframe_t *routing_id)
{
    for (s_held_t *held = (s_held_t *) zlistx_first (self->held); held;
         held = (s_held_t *) zlistx_next (self->held))
        if (zframe_eq (zmsg_first (held->msg), routing_id))
            return true;
    return false;
}

static void
s_held_destroy (void **item)
{
    s_held_t *held = (s_held_t *) *item;
    if (held) {
        zmsg_destroy (&held->msg);
        free (held);
        *item = NULL;
    }
}

//  Answer a request that was not carried out: 503, nothing changed
static void
s_unavailable (s_server_t *self, zframe_t *routing_id, zmsg_t *msg, const char *reason)
{
    int64_t rid = podp_peek_rid (msg, podd_config_max_body (self->config));
    podp_msg_t *reply = podp_reply_new (rid, PODP_UNAVAILABLE, reason, NULL);
    podp_send (reply, self->router, routing_id);
    podp_msg_destroy (&reply);
}

static int s_held_retry (zloop_t *loop, int timer_id, void *arg);

//  Hold a write request (msg and routing_id taken) until the lock is free
static void
s_hold (s_server_t *self, zframe_t *routing_id, zmsg_t *msg)
{
    s_held_t *held = (s_held_t *) zmalloc (sizeof (s_held_t));
    zmsg_prepend (msg, &routing_id);
    held->msg = msg;
    held->since = zclock_mono ();
    zlistx_add_end (self->held, held);
    if (self->held_timer < 0) {
        log_warn ("podd: the database is locked by another program: holding writes "
                  "(up to %d ms), reads go on", HELD_MAX_MS);
        self->held_timer = zloop_timer (self->loop, HELD_RETRY_MS, 0, s_held_retry, self);
    }
}

//  --------------------------------------------------------------------
//  Readers: read requests beside the write batch (reader.c)

//  A request a reader may serve: one that works while the store cannot be
//  written (s_is_write's reads), but WATCH, which changes its session
static bool
s_is_read (zmsg_t *msg)
{
    if (zmsg_size (msg) != 3 || s_is_write (msg))
        return false;
    zmsg_first (msg);
    zframe_t *command = zmsg_next (msg);
    if (zframe_streq (command, "WATCH"))
        return false;
    if (zframe_streq (command, "HEARTBEAT"))
        return true;
    for (size_t i = 0; i < sizeof s_ops / sizeof s_ops [0]; i++)
        if (zframe_streq (command, s_ops [i].command))
            return true;
    return false;
}

//  Whether a key (routing id hex) is in a set of connections
static bool
s_conn_in (zhashx_t *set, zframe_t *routing_id)
{
    if (zhashx_size (set) == 0)
        return false;
    char *key = zframe_strhex (routing_id);
    bool found = zhashx_lookup (set, key) != NULL;
    free (key);
    return found;
}

static void
s_conn_add (zhashx_t *set, zframe_t *routing_id)
{
    char *key = zframe_strhex (routing_id);
    zhashx_update (set, key, (void *) "");
    free (key);
}

static void
s_conn_remove (zhashx_t *set, zframe_t *routing_id)
{
    char *key = zframe_strhex (routing_id);
    zhashx_delete (set, key);
    free (key);
}

//  Whether a request of routing_id must wait behind its connection's read
//  (answered by a reader, or waiting to be sent to one)
static bool
s_waits (s_server_t *self, zframe_t *routing_id)
{
    return s_conn_in (self->reading, routing_id) || s_conn_in (self->deferred, routing_id);
}

static void
s_queue_destroy (void **item)
{
    zlistx_destroy ((zlistx_t **) item);
}

static void
s_msg_destroy (void **item)
{
    zmsg_destroy ((zmsg_t **) item);
}

static void s_unavailable (s_server_t *self, zframe_t *routing_id, zmsg_t *msg, const char *reason);

//  Keep a request (routing_id and msg taken) until its connection's read
//  is answered
static void
s_defer (s_server_t *self, zframe_t *routing_id, zmsg_t *msg)
{
    if (self->deferred_count >= DEFER_MAX) {
        s_unavailable (self, routing_id, msg, "too many requests waiting: try again");
        zframe_destroy (&routing_id);
        zmsg_destroy (&msg);
        return;
    }
    char *key = zframe_strhex (routing_id);
    zlistx_t *queue = (zlistx_t *) zhashx_lookup (self->deferred, key);
    if (!queue) {
        queue = zlistx_new ();
        zlistx_set_destructor (queue, s_msg_destroy);
        zhashx_insert (self->deferred, key, queue);
    }
    free (key);
    zmsg_prepend (msg, &routing_id);
    zlistx_add_end (queue, msg);
    self->deferred_count++;
}

//  Send a job to the reader with the fewest jobs (a long report holds up
//  only those queued behind it), or queue it while every reader has
//  READER_DEPTH
static void
s_submit (s_server_t *self, podd_read_job_t *job)
{
    size_t best = 0;
    for (size_t i = 1; i < self->reader_count; i++)
        if (self->reader_out [i] < self->reader_out [best])
            best = i;
    if (self->reader_out [best] >= READER_DEPTH) {
        zlistx_add_end (self->read_queue, job);
        return;
    }
    self->reader_out [best]++;
    zsock_send (self->readers [best], "sp", "JOB", job);
}

//  Serve a read request (msg taken when it returns 0) beside the batch:
//  PING and HEARTBEAT at once, the others through a reader. -1 when the
//  request is not one to serve so (malformed, refused): the batch answers
//  it as before, recording a refusal.
static int
s_read (s_server_t *self, zframe_t *routing_id, zmsg_t **msg_p)
{
    zmsg_t *msg = *msg_p;
    podp_error_t err;
    podp_msg_t *msg_in = podp_decode (msg, true, podd_config_max_body (self->config), &err);
    if (!msg_in)
        return -1;
    podd_member_t actor;
    char reason [256], gateway [64] = "";
    int status;
    s_session_t *known = s_session_find (self, routing_id);
    if (s_identify (self, zmsg_first (msg), msg_in, known, &actor, gateway, sizeof gateway,
                    &status, reason, sizeof reason)) {
        podp_msg_destroy (&msg_in);
        return -1;
    }
    s_session_t *session = s_session_for (self, routing_id);
    session->member_id = actor.id;
    const char *key = zframe_meta (zmsg_first (msg), "User-Id");
    snprintf (session->key, sizeof session->key, "%s", key? key: "");
    const char *command = podp_msg_command (msg_in);
    if (streq (command, "PING") || streq (command, "HEARTBEAT")) {
        //  Nothing to read: answered now
        podd_request_t req = {
            .config = self->config, .standards = self->standards, .actor = &actor,
            .now = podd_when_now (), .msg = msg_in
        };
        if (streq (command, "PING"))
            podd_op_ping (&req);
        else
            podd_ok (&req, PODP_OK, json_pack ("{s:b}", "watching", session->watching));
        podp_msg_t *reply = podp_reply_new (podp_msg_int (msg_in, "rid", -1), req.status,
                                            req.reason, req.data);
        podp_send (reply, self->router, routing_id);
        podp_msg_destroy (&reply);
        podp_msg_destroy (&msg_in);
        zmsg_destroy (msg_p);
        self->requests++;
        return 0;
    }
    zframe_t *to = zframe_dup (routing_id);
    zmsg_prepend (msg, &to);
    *msg_p = NULL;
    podd_read_job_t *job = podd_read_job_new (s_op_for (command), msg_in, msg);
    job->actor = actor;
    s_connection_name (zmsg_next (msg), job->connection, sizeof job->connection);
    if (*gateway) {
        char direct [96];
        snprintf (direct, sizeof direct, "%.95s", job->connection);
        snprintf (job->connection, sizeof job->connection, "gateway:%.32s %s", gateway, direct);
    }
    job->config = self->config;
    job->standards = self->standards;
    job->now = podd_when_now ();
    s_conn_add (self->reading, routing_id);
    self->jobs_out++;
    s_submit (self, job);
    return 0;
}

static void
s_read_job_destroy (void **item)
{
    podd_read_job_destroy ((podd_read_job_t **) item);
}

static void
s_retired_destroy (void **item)
{
    s_retired_t *retired = (s_retired_t *) *item;
    if (retired) {
        podd_config_destroy (&retired->config);
        podd_standards_destroy (&retired->standards);
        free (retired);
        *item = NULL;
    }
}

//  A configuration (and rules) replaced: destroyed now, or once the read
//  jobs that may name it are all back
static void
s_retire (s_server_t *self, podd_config_t *config, podd_standards_t *standards)
{
    s_retired_t *retired = (s_retired_t *) zmalloc (sizeof (s_retired_t));
    retired->config = config;
    retired->standards = standards;
    zlistx_add_end (self->retired, retired);
    if (self->jobs_out == 0)
        zlistx_purge (self->retired);
}

//  A 403 from a reader: recorded as the batch would have (s_record_refusal),
//  in the open batch, else in a transaction of its own
static void
s_read_refused (s_server_t *self, podd_read_job_t *job)
{
    zframe_t *routing_id = zmsg_first (job->request);
    zframe_t *first = zmsg_next (job->request);
    s_session_t *session = s_session_find (self, routing_id);
    if (self->in_batch) {
        s_record_refusal (self, session, first, job->actor.id, job->msg, job->status, job->reason);
        return;
    }
    if (self->read_only || zlistx_size (self->held) || podd_store_begin (self->store))
        return;                 //  the store cannot be written now: not recorded
    self->batch_writes = true;
    s_record_refusal (self, session, first, job->actor.id, job->msg, job->status, job->reason);
    self->batch_writes = false;
    if (s_commit (self) == -1)
        log_warn ("podd: cannot record a refused attempt: %s", podd_store_errmsg (self->store));
}

//  A job back from a reader: send its reply, free its connection
static void
s_read_done (s_server_t *self, podd_read_job_t *job)
{
    zframe_t *routing_id = zmsg_first (job->request);
    if (job->reply) {
        zframe_t *to = zframe_dup (routing_id);
        zmsg_prepend (job->reply, &to);
        //  A peer that has gone is not an error
        zmsg_send (&job->reply, self->router);
        zmsg_destroy (&job->reply);
    }
    if (job->status >= 400)
        log_info ("podd: %s %s -> %d %s", job->actor.handle, podp_msg_command (job->msg),
                  job->status, job->reason);
    if (job->status == PODP_FORBIDDEN)
        s_read_refused (self, job);
    s_conn_remove (self->reading, routing_id);
    if (s_conn_in (self->deferred, routing_id))
        zlistx_add_end (self->released, zframe_strhex (routing_id));
    podd_read_job_destroy (&job);
    self->requests++;
    if (--self->jobs_out == 0)
        zlistx_purge (self->retired);
}

//  Take every answered job from the readers without blocking; true when
//  one came back
static bool
s_readers_drain (s_server_t *self)
{
    bool any = false;
    for (size_t i = 0; i < self->reader_count; i++) {
        while (self->reader_out [i] && (zsock_events (zactor_sock (self->readers [i])) & ZMQ_POLLIN)) {
            char *command = NULL;
            void *pointer = NULL;
            if (zsock_recv (self->readers [i], "sp", &command, &pointer) == -1)
                break;
            if (streq (command, "DONE") && pointer) {
                self->reader_out [i]--;
                s_read_done (self, (podd_read_job_t *) pointer);
                podd_read_job_t *next = (podd_read_job_t *) zlistx_detach (self->read_queue, NULL);
                if (next) {
                    self->reader_out [i]++;
                    zsock_send (self->readers [i], "sp", "JOB", next);
                }
                any = true;
            }
            zstr_free (&command);
        }
    }
    return any;
}

//  Whether some deferred requests may go on: their connection's read is back
static bool
s_deferred_ready (s_server_t *self)
{
    return zlistx_size (self->released) > 0;
}

static void s_dispatch_ready (s_server_t *self, zframe_t *routing_id, zmsg_t *msg, s_mode_t mode,
                              zlistx_t *outgoing, zlistx_t *pushes);

//  At the start of a batch: the deferred requests of the connections whose
//  read is back, in order, until one has a read out again
static void
s_release_deferred (s_server_t *self, s_mode_t mode, zlistx_t *outgoing, zlistx_t *pushes)
{
    char *key;
    while ((key = (char *) zlistx_detach (self->released, NULL))) {
        zlistx_t *queue = (zlistx_t *) zhashx_lookup (self->deferred, key);
        zmsg_t *msg;
        while (queue && !zhashx_lookup (self->reading, key)
        &&     (msg = (zmsg_t *) zlistx_detach (queue, NULL))) {
            self->deferred_count--;
            zframe_t *routing_id = zmsg_pop (msg);
            s_dispatch_ready (self, routing_id, msg, mode, outgoing, pushes);
        }
        if (queue && zlistx_size (queue) == 0)
            zhashx_delete (self->deferred, key);
        free (key);
    }
}

//  A helper actor on the database (a reader, the checkpointer), once it
//  has said that its connection is open (0); NULL when it could not start
static zactor_t *
s_helper_start (s_server_t *self, zactor_fn *actor)
{
    zactor_t *helper = zactor_new (actor, (void *) podd_config_database (self->config));
    int rc = -1;
    if (helper && zsock_recv (helper, "i", &rc) == -1)
        rc = -1;
    if (rc)
        zactor_destroy (&helper);
    return helper;
}

//  The readers, started once the store is open; podd serves every request
//  in the batch when none could start
static void
s_readers_start (s_server_t *self)
{
    for (size_t i = 0; i < READERS; i++) {
        zactor_t *reader = s_helper_start (self, podd_reader_actor);
        if (!reader) {
            log_warn ("podd: reader %zu could not start: reads wait for the writes' commit", i + 1);
            break;
        }
        self->readers [self->reader_count++] = reader;
    }
    if (self->reader_count)
        log_info ("podd: %zu reader(s) beside the writer", self->reader_count);
}

//  The checkpointer; without one the writer checkpoints after its commits
static void
s_checkpointer_start (s_server_t *self)
{
    self->checkpointer = s_helper_start (self, podd_checkpoint_actor);
    if (self->checkpointer)
        log_info ("podd: WAL checkpoints beside the writer");
    else
        log_warn ("podd: the checkpointer could not start: the writer checkpoints after commits");
}

//  Stop the readers once their jobs are back (nothing is left half-done)
static void
s_readers_stop (s_server_t *self)
{
    for (size_t i = 0; i < self->reader_count; i++) {
        zsock_set_rcvtimeo (self->readers [i], 10000);
        while (self->reader_out [i]) {
            char *command = NULL;
            podd_read_job_t *job = NULL;
            if (zsock_recv (self->readers [i], "sp", &command, &job) == -1)
                break;          //  a job stuck 10 s: left to the reader
            podd_read_job_destroy (&job);
            zstr_free (&command);
            self->reader_out [i]--;
        }
        zactor_destroy (&self->readers [i]);
    }
    self->reader_count = 0;
}

//  One request of a batch (msg taken): carried out, held or refused, or
//  kept behind its connection's read
static void
s_dispatch (s_server_t *self, zmsg_t *msg, s_mode_t mode, zlistx_t *outgoing, zlistx_t *pushes)
{
    zframe_t *routing_id = zmsg_pop (msg);
    if (routing_id && s_waits (self, routing_id)) {
        s_defer (self, routing_id, msg);
        return;
    }
    s_dispatch_ready (self, routing_id, msg, mode, outgoing, pushes);
}

//  A request (routing_id and msg taken) whose connection waits for no
//  read: to a reader, or carried out, held or refused in the batch
static void
s_dispatch_ready (s_server_t *self, zframe_t *routing_id, zmsg_t *msg, s_mode_t mode,
                  zlistx_t *outgoing, zlistx_t *pushes)
{
    if (routing_id && self->reader_count && s_is_read (msg)
    &&  !s_conn_in (self->batch_conns, routing_id) && !s_has_held (self, routing_id)
    &&  s_read (self, routing_id, &msg) == 0)
        ;                       //  served beside the batch
    else
    if (routing_id && mode != S_WRITE
    && (s_is_write (msg) || (mode == S_HOLD && s_has_held (self, routing_id)))) {
        if (mode == S_HOLD && zlistx_size (self->held) < HELD_MAX) {
            s_hold (self, routing_id, msg);
            return;
        }
        s_unavailable (self, routing_id, msg, self->read_only
            ? "the disk is full: podd is read-only, nothing changed: try again later"
            : "store busy, nothing changed: try again");
    }
    else
    if (routing_id) {
        //  Its reply waits for the commit: so do the connection's next reads
        s_conn_add (self->batch_conns, routing_id);
        s_handle (self, routing_id, msg, true, outgoing, pushes);
    }
    zframe_destroy (&routing_id);
    zmsg_destroy (&msg);
}

//  Open the batch's transaction. probe: the retry of held writes, which
//  alone tries the write lock while writes are held.
static s_mode_t
s_begin_batch (s_server_t *self, bool probe)
{
    if (!self->read_only && (probe || zlistx_size (self->held) == 0)) {
        if (podd_store_begin (self->store) == 0)
            return S_WRITE;
        if (podd_store_busy (self->store)) {
            podd_store_begin_read (self->store);
            return S_HOLD;
        }
    }
    podd_store_begin_read (self->store);
    return self->read_only || zlistx_size (self->held) == 0? S_REFUSE: S_HOLD;
}

//  Group commit: the held writes first when the lock is free, then every
//  request waiting on the ROUTER, in one transaction; then send
static void
s_batch (s_server_t *self, bool probe)
{
    s_mode_t mode = s_begin_batch (self, probe);
    self->batch_writes = mode == S_WRITE;
    if (probe && mode != S_WRITE) {
        podd_store_rollback (self->store);      //  still locked
        return;
    }
    zlistx_t *outgoing = zlistx_new ();
    zlistx_set_destructor (outgoing, s_outgoing_destroy);
    zlistx_t *pushes = zlistx_new ();
    zlistx_set_destructor (pushes, s_push_destroy);
    int count = 0;
    int64_t changes = podd_store_changes (self->store);
    self->in_batch = true;
    zhashx_purge (self->batch_conns);
    if (mode == S_WRITE) {
        s_held_t *held;
        while (count < BATCH_MAX && (held = (s_held_t *) zlistx_first (self->held))) {
            zmsg_t *msg = held->msg;
            held->msg = NULL;
            zlistx_delete (self->held, zlistx_cursor (self->held));
            s_dispatch (self, msg, mode, outgoing, pushes);
            count++;
        }
    }
    s_release_deferred (self, mode, outgoing, pushes);
    for (; count < BATCH_MAX; count++) {
        //  Readers' answers go out as they come, not after the commit
        s_readers_drain (self);
        if (!(zsock_events (self->router) & ZMQ_POLLIN))
            break;
        size_t frames = 0;
        zmsg_t *msg = s_recv_bounded (self->router, &frames);
        if (!msg)
            break;
        if (frames > FRAMES_MAX) {
            //  Never a request: answered without the store
            zframe_t *routing_id = zmsg_pop (msg);
            char reason [64];
            snprintf (reason, sizeof reason, "expected 3 frames, got %zu", frames);
            if (routing_id) {
                s_conn_add (self->batch_conns, routing_id);
                s_queue_reply (outgoing, routing_id, -1, PODP_BAD_REQUEST, reason, NULL);
            }
            zframe_destroy (&routing_id);
            zmsg_destroy (&msg);
            continue;
        }
        s_dispatch (self, msg, mode, outgoing, pushes);
    }
    s_readers_drain (self);
    bool in_txn = podd_store_in_txn (self->store);
    int commit_rc = in_txn? s_commit (self): -1;
    bool committed = commit_rc == 0;
    if (commit_rc == -1 && podd_store_full (self->store))
        s_disk_full (self);
    else
    if (in_txn && commit_rc == -1)
        log_error ("podd: commit failed: %s", podd_store_errmsg (self->store));
    if (committed && self->full_logged && podd_store_changes (self->store) != changes) {
        log_info ("podd: the database takes writes again");
        self->full_logged = 0;
    }
    if (committed)
        s_fan_out_all (self, outgoing, pushes);
    s_send_all (self, outgoing, committed);
    s_replay (self, committed);
    s_run_backups (self, committed);
    self->in_batch = false;
    zlistx_destroy (&pushes);
    zlistx_destroy (&outgoing);
    if (committed && mode == S_WRITE)
        s_schedule (self);      //  a request may have made something due
}

static void s_batch_released (s_server_t *self);

static int
s_release_fire (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop; (void) timer_id;
    s_server_t *self = (s_server_t *) arg;
    self->release_timer = -1;
    s_batch_released (self);
    return self->lost? -1: 0;
}

//  Batches for the requests that answered reads have released: a few now,
//  the rest on the next loop pass (a reply taken in a batch brings no
//  event of its own), so that the pipe, ZAP and timers are served too
static void
s_batch_released (s_server_t *self)
{
    for (int round = 0; round < RELEASE_ROUNDS && !self->lost && s_deferred_ready (self); round++)
        s_batch (self, false);
    if (!self->lost && s_deferred_ready (self) && self->release_timer < 0)
        self->release_timer = zloop_timer (self->loop, 1, 1, s_release_fire, self);
}

static int
s_router_ready (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop; (void) reader;
    s_server_t *self = (s_server_t *) arg;
    s_batch (self, false);
    s_batch_released (self);
    return self->lost? -1: 0;
}

//  A reader answered: send its reply, and carry on with the requests of
//  its connection that waited behind it
static int
s_reader_ready (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop; (void) reader;
    s_server_t *self = (s_server_t *) arg;
    s_readers_drain (self);
    s_batch_released (self);
    return self->lost? -1: 0;
}

//  While writes are held: answer 503 to those held too long, and carry
//  out the rest as soon as the lock is free
static int
s_held_retry (zloop_t *loop, int timer_id, void *arg)
{
    s_server_t *self = (s_server_t *) arg;
    int64_t horizon = zclock_mono () - HELD_MAX_MS;
    s_held_t *held;
    size_t expired = 0;
    while ((held = (s_held_t *) zlistx_first (self->held)) && held->since < horizon) {
        zframe_t *routing_id = zmsg_pop (held->msg);
        s_unavailable (self, routing_id, held->msg,
                       "store busy (database locked by another program), nothing changed: "
                       "try again");
        zframe_destroy (&routing_id);
        zlistx_delete (self->held, zlistx_cursor (self->held));
        expired++;
    }
    if (expired)
        log_warn ("podd: database still locked: %zu held request(s) answered 503", expired);
    if (zlistx_size (self->held))
        s_batch (self, true);
    if (zlistx_size (self->held) == 0) {
        zloop_timer_end (loop, timer_id);
        self->held_timer = -1;
        log_info ("podd: no more writes held");
    }
    return self->lost? -1: 0;
}

//  --------------------------------------------------------------------
//  A full disk: read-only until a write works again

static int s_bootstrap (s_server_t *self);

//  Try writing again: the configured pods and members first if they are
//  not written yet, else let the next write request try
static int
s_full_probe (zloop_t *loop, int timer_id, void *arg)
{
    s_server_t *self = (s_server_t *) arg;
    if (self->bootstrap_pending) {
        if (s_bootstrap (self)) {
            s_disk_full (self);
            return self->lost? -1: 0;
        }
        self->bootstrap_pending = false;
        log_info ("podd: configured pods and members written");
    }
    self->read_only = false;
    zloop_timer_end (loop, timer_id);
    self->full_timer = -1;
    return 0;
}

//  A write failed for want of room: answer 503 to writes, serve reads,
//  say so in the log at most once a minute, and try again every few seconds
static void
s_disk_full (s_server_t *self)
{
    int64_t now = zclock_mono ();
    if (!self->full_logged || now - self->full_logged >= FULL_LOG_MS) {
        log_error ("podd: cannot write the database (%s): the disk is full? Read-only until "
                   "there is room: writes are answered 503, reads go on",
                   podd_store_errmsg (self->store));
        self->full_logged = now;
    }
    self->read_only = true;
    if (self->full_timer < 0 && self->loop)
        self->full_timer = zloop_timer (self->loop, FULL_PROBE_MS, 0, s_full_probe, self);
}

//  --------------------------------------------------------------------
//  Scheduler: one timer, armed for the next moment something falls due

#define SCHEDULE_MAX_MS  60000  /* re-check at least this often (clock changes) */
#define SCHEDULE_FAKE_MS 200    /* with a test clock, poll it */

//  Run one piece of system work (no client) in its own transaction, then
//  send what it pushes. work is a leave, reminder or outbox step.
typedef int (s_work_fn) (s_server_t *self, podd_request_t *req);

static void
s_system_work (s_server_t *self, s_work_fn *work)
{
    podd_member_t system = { .id = 0, .handle = "podd", .active = true, .admin = true };
    podd_request_t req = {
        .store = self->store, .config = self->config, .standards = self->standards, .actor = &system,
        .connection = "scheduler", .now = podd_when_now (), .pushes = zlistx_new ()
    };
    zlistx_set_destructor (req.pushes, s_push_destroy);
    zlistx_t *outgoing = zlistx_new ();
    zlistx_set_destructor (outgoing, s_outgoing_destroy);
    bool committed = false;
    if (podd_store_begin (self->store) == 0) {
        if (work (self, &req) == 0)
            committed = s_commit (self) == 0;
        else {
            if (!podd_store_full (self->store))
                log_error ("podd: scheduler: %s", req.reason);
            podd_store_rollback (self->store);
        }
        if (!committed && podd_store_full (self->store))
            s_disk_full (self);
    }
    //  Locked by another program or a full disk: try again a little later
    self->work_blocked = !committed;
    if (committed)
        s_fan_out_all (self, outgoing, req.pushes);
    s_send_all (self, outgoing, true);
    zlistx_destroy (&outgoing);
    zlistx_destroy (&req.pushes);
    json_decref (req.data);
    free (req.data_text);
}

static int
s_due_work (s_server_t *self, podd_request_t *req)
{
    (void) self;
    return podd_leave_run_due (req) || podd_reminders_run_due (req)
        || podd_delegation_run_due (req) || podd_standards_age_run_due (req)
        || podd_continuity_run_due (req)? -1: 0;
}

//  After start or a reload of the rules: age-triggered standards catch
//  up (a birthday passed while podd was down) and every case is re-armed
static int
s_age_rearm_work (s_server_t *self, podd_request_t *req)
{
    (void) self;
    return podd_standards_age_rearm_all (req);
}

static int
s_mailer_work (s_server_t *self, podd_request_t *req)
{
    return podd_outbox_result (self->outbox, req);
}

static int
s_scheduler_fire (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop; (void) timer_id;
    s_server_t *self = (s_server_t *) arg;
    self->schedule_timer = -1;
    s_system_work (self, s_due_work);
    //  Mail queued by committed work goes out now
    podd_outbox_pump (self->outbox, self->store, podd_when_now ());
    s_schedule (self);
    return self->lost? -1: 0;
}

//  A result from the mailer: record it, then send what is due next
static int
s_mailer_ready (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop; (void) reader;
    s_server_t *self = (s_server_t *) arg;
    s_system_work (self, s_mailer_work);
    if (!podd_outbox_busy (self->outbox))
        podd_outbox_pump (self->outbox, self->store, podd_when_now ());
    s_schedule (self);
    return self->lost? -1: 0;
}

static void
s_schedule (s_server_t *self)
{
    if (self->schedule_timer >= 0)
        zloop_timer_end (self->loop, self->schedule_timer);
    self->schedule_timer = -1;
    //  The earliest of: an absence starting or ending, a reminder, mail to send
    int64_t next = podd_leave_next_due (self->store);
    int64_t candidates [4] = {
        podd_reminders_next_due (self->store),
        podd_outbox_busy (self->outbox)? 0: podd_store_outbox_next_due (self->store),
        podd_delegation_next_due (self->store),
        podd_standards_age_next_due (self->store)
    };
    for (int i = 0; i < 4; i++)
        if (candidates [i] && (!next || candidates [i] < next))
            next = candidates [i];
    int64_t delay_ms = SCHEDULE_MAX_MS;
    if (next) {
        int64_t wait = next - podd_when_now ();
        delay_ms = wait <= 0? 0: wait * 1000 < SCHEDULE_MAX_MS? wait * 1000: SCHEDULE_MAX_MS;
    }
    if (podd_when_is_fake () && delay_ms > SCHEDULE_FAKE_MS)
        delay_ms = SCHEDULE_FAKE_MS;
    if (self->work_blocked && delay_ms < WORK_RETRY_MS)
        delay_ms = WORK_RETRY_MS;
    self->schedule_timer = zloop_timer (self->loop, (size_t) (delay_ms? delay_ms: 1), 1,
                                        s_scheduler_fire, self);
}

//  systemd's watchdog: the loop is alive as long as this timer fires
static int
s_watchdog_fire (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop; (void) timer_id; (void) arg;
    podd_notify_watchdog ();
    return 0;
}

//  --------------------------------------------------------------------
//  Start-up, reload, pipe

//  Write the configured pods and members into the store (idempotent)
//  0 done, -1 failed, -2 failed for want of room (a full disk)
static int
s_bootstrap (s_server_t *self)
{
    podd_config_t *config = self->config;
    int rc;
    if (podd_store_begin (self->store))
        return -1;
    for (size_t i = 0; i < podd_config_pod_count (config); i++) {
        podd_pod_cfg_t *pod = podd_config_pod_at (config, i);
        if (podd_store_pod_upsert (self->store, pod->name, pod->title, pod->mailbox))
            goto failed;
    }
    for (size_t i = 0; i < podd_config_member_count (config); i++) {
        podd_member_cfg_t *m = podd_config_member_at (config, i);
        podd_pod_t pod = { 0 };
        if (m->pod && podd_store_pod_by_name (self->store, m->pod, &pod))
            goto failed;
        if (podd_store_member_upsert (self->store, m->handle, m->name, m->email,
                                      podd_roles [m->role], pod.id, m->skills, m->pattern,
                                      m->admin) < 0)
            goto failed;
    }
    for (size_t i = 0; i < podd_config_pod_count (config); i++) {
        podd_pod_cfg_t *pod_cfg = podd_config_pod_at (config, i);
        podd_pod_t pod;
        podd_member_t duty = { 0 };
        if (podd_store_pod_by_name (self->store, pod_cfg->name, &pod)
        ||  (pod_cfg->duty && podd_store_member_by_handle (self->store, pod_cfg->duty, &duty))
        ||  podd_store_pod_set_duty (self->store, pod.id, duty.id))
            goto failed;
    }
    if (podd_store_commit (self->store) == 0)
        return 0;
failed:
    rc = podd_store_full (self->store)? -2: -1;
    if (rc == -1)
        log_error ("podd: bootstrap failed: %s", podd_store_errmsg (self->store));
    podd_store_rollback (self->store);
    return rc;
}

static int
s_mkdir_parent (const char *path)
{
    char *dir = strdup (path);
    char *slash = strrchr (dir, '/');
    int rc = 0;
    if (slash) {
        *slash = 0;
        rc = zsys_dir_create ("%s", dir);
    }
    free (dir);
    return rc;
}

//  Load the server keypair, creating it on first start
static zcert_t *
s_server_cert (const char *path)
{
    zcert_t *cert = zcert_load (path);
    if (cert) {
        //  zcert_load of a public-only file gives a zero secret key
        static const byte zero [32] = { 0 };
        if (memcmp (zcert_secret_key (cert), zero, 32) != 0)
            return cert;
        log_error ("podd: %s_secret is missing: cannot serve CURVE", path);
        zcert_destroy (&cert);
        return NULL;
    }
    if (s_mkdir_parent (path))
        return NULL;
    cert = zcert_new ();
    zcert_set_meta (cert, "name", "podd");
    if (zcert_save (cert, path)) {
        zcert_destroy (&cert);
        return NULL;
    }
    log_info ("podd: created server keypair %s (public) and %s_secret", path, path);
    return cert;
}

//  The database holds chronologies and allegations: refuse to open it, its
//  WAL or its shared-memory file when group or others may read or write it
static int
s_check_private (const char *database, char *reason, size_t reasonlen)
{
    const char *suffixes [] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes [0]; i++) {
        char path [PATH_MAX];
        struct stat st;
        snprintf (path, sizeof path, "%s%s", database, suffixes [i]);
        if (stat (path, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO))) {
            snprintf (reason, reasonlen, "%.200s is open to group or others (mode %04o): "
                      "it holds case records; run chmod 600 %.200s", path,
                      (unsigned) (st.st_mode & 07777), path);
            return -1;
        }
    }
    return 0;
}

static int
s_start (s_server_t *self, char *reason, size_t reasonlen)
{
    char err [512];
    if (s_mkdir_parent (podd_config_database (self->config))) {
        snprintf (reason, reasonlen, "cannot create directory for %s", podd_config_database (self->config));
        return -1;
    }
    if (s_check_private (podd_config_database (self->config), reason, reasonlen))
        return -1;
    //  One podd per database and per ipc:// socket
    self->guard = podd_guard_new (podd_config_database (self->config),
                                  podd_config_endpoint (self->config), err, sizeof err);
    if (!self->guard) {
        snprintf (reason, reasonlen, "%s", err);
        return -1;
    }
    self->store = podd_store_new (podd_config_database (self->config), err, sizeof err);
    if (!self->store || podd_guard_pin (self->guard, err, sizeof err)) {
        snprintf (reason, reasonlen, "%s", err);
        return -1;
    }
    int64_t clashes = podd_store_case_ref_clashes (self->store);
    if (clashes > 0)
        log_warn ("podd: %lld case reference(s) differ from another only in case (kept as they are; "
                  "new ones like them are refused)", (long long) clashes);
    int rc = s_bootstrap (self);
    if (rc == -2) {
        //  A full disk: serve what is there, read-only, rather than nothing
        self->bootstrap_pending = true;
        s_disk_full (self);
    }
    else
    if (rc) {
        snprintf (reason, reasonlen, "cannot write configured pods and members to the store");
        return -1;
    }
    //  From now on another program's lock must not stall the loop
    podd_store_set_busy_timeout (self->store, LOCK_WAIT_MS);
    s_readers_start (self);
    s_checkpointer_start (self);
    self->router = zsock_new (ZMQ_ROUTER);
    zsock_set_router_mandatory (self->router, 1);
    zsock_set_sndtimeo (self->router, 0);
    zsock_set_linger (self->router, 0);
    zsock_set_rcvhwm (self->router, 100000);
    zsock_set_sndhwm (self->router, 100000);
    //  A frame far over any body limit closes its connection before podd
    //  reads it (set at bind: a bigger max-body needs a restart)
    size_t body_max = podd_config_max_body (self->config);
    if (body_max < PODP_INGEST_BODY_MAX)
        body_max = PODP_INGEST_BODY_MAX;
    zsock_set_maxmsgsize (self->router, (int) (body_max + FRAME_HEADROOM));
    if (podd_config_insecure (self->config))
        log_warn ("podd: INSECURE MODE: no CURVE, every connection acts as the first admin. "
                  "For development on %s only.", podd_config_endpoint (self->config));
    else {
        self->cert = s_server_cert (podd_config_server_cert (self->config));
        if (!self->cert) {
            snprintf (reason, reasonlen, "cannot load or create server keypair %s",
                      podd_config_server_cert (self->config));
            return -1;
        }
        zsys_dir_create ("%s", podd_config_certs (self->config));
        s_load_keys (self);
        self->zap = zsock_new (ZMQ_REP);
        if (zsock_bind (self->zap, ZAP_ENDPOINT) != 0) {
            snprintf (reason, reasonlen, "cannot bind the ZAP handler (another podd in this process?)");
            return -1;
        }
        zcert_apply (self->cert, self->router);
        zsock_set_curve_server (self->router, 1);
    }
    zsock_set_zap_domain (self->router, "podd");
    if (zsock_bind (self->router, "%s", podd_config_endpoint (self->config)) < 0) {
        snprintf (reason, reasonlen, "cannot bind %s: %s", podd_config_endpoint (self->config),
                  zmq_strerror (zmq_errno ()));
        return -1;
    }
    self->endpoint = zsock_last_endpoint (self->router);
    self->outbox = podd_outbox_new (self->config);
    return 0;
}

//  True when the certs directory of config can be read (or is not used)
static bool
s_certs_readable (podd_config_t *config)
{
    if (podd_config_insecure (config))
        return true;
    DIR *dir = opendir (podd_config_certs (config));
    if (dir)
        closedir (dir);
    return dir != NULL;
}

//  The bank-holiday file runs out within a year: say so in the log
static void
s_holidays_warning (podd_standards_t *standards)
{
    char text [300];
    if (standards && podd_standards_holidays_warning (standards, podd_when_now (), text, sizeof text))
        log_warn ("podd: %s", text);
}

static void
s_reload (s_server_t *self, podd_config_t *config, podd_standards_t *standards)
{
    //  All or nothing: a reload that would lock every member out is refused
    if (!s_certs_readable (config)) {
        log_error ("podd: reload refused: cannot read certs directory %s: %s; "
                   "keeping the running configuration", podd_config_certs (config),
                   strerror (errno));
        podd_config_destroy (&config);
        podd_standards_destroy (&standards);
        return;
    }
    if (strcmp (podd_config_endpoint (config), podd_config_endpoint (self->config))
    ||  strcmp (podd_config_database (config), podd_config_database (self->config))
    ||  podd_config_insecure (config) != podd_config_insecure (self->config))
        log_warn ("podd: endpoint, database and security take effect on restart only");
    podd_config_t *old = self->config;
    self->config = config;
    if (s_bootstrap (self)) {
        log_error ("podd: reload failed, keeping the running configuration");
        self->config = old;
        podd_config_destroy (&config);
        podd_standards_destroy (&standards);
        return;
    }
    //  Rules: tasks already created keep their standard and due date.
    //  Read jobs out may still name the old ones (s_retire)
    s_retire (self, old, self->standards);
    self->standards = standards;
    s_holidays_warning (self->standards);
    s_system_work (self, s_age_rearm_work);
    s_schedule (self);
    if (!podd_config_insecure (self->config)) {
        s_load_keys (self);
        s_end_revoked_sessions (self);
    }
    //  Identities are re-checked on every request; revoked keys' sessions end
    log_info ("podd: configuration reloaded");
}

static int
s_pipe_ready (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_server_t *self = (s_server_t *) arg;
    char *command = NULL;
    void *pointer = NULL, *second = NULL;
    if (zsock_recv (reader, "spp", &command, &pointer, &second) == -1)
        return -1;
    int rc = 0;
    if (streq (command, "$TERM"))
        rc = -1;
    else
    if (streq (command, "RELOAD") && pointer)
        s_reload (self, (podd_config_t *) pointer, (podd_standards_t *) second);
    else
    if (streq (command, "ENDPOINT"))
        zsock_send (reader, "s", self->endpoint? self->endpoint: "");
    else
        log_warn ("podd: server: unknown pipe command %s", command);
    zstr_free (&command);
    return rc;
}

static void
s_server_destroy (s_server_t **self_p)
{
    s_server_t *self = *self_p;
    if (self) {
        zloop_destroy (&self->loop);
        s_readers_stop (self);
        zactor_destroy (&self->checkpointer);
        zlistx_destroy (&self->read_queue);
        zhashx_destroy (&self->deferred);
        zlistx_destroy (&self->released);
        zhashx_destroy (&self->reading);
        zhashx_destroy (&self->batch_conns);
        zlistx_destroy (&self->retired);
        podd_outbox_destroy (&self->outbox);
        zsock_destroy (&self->router);
        zsock_destroy (&self->zap);
        zcert_destroy (&self->cert);
        zhashx_destroy (&self->sessions);
        zhashx_destroy (&self->keys);
        zlistx_destroy (&self->held);
        zlistx_destroy (&self->backups);
        podd_store_destroy (&self->store);
        podd_guard_destroy (&self->guard);      //  after the store: unlocks
        podd_config_destroy (&self->config);
        podd_standards_destroy (&self->standards);
        zstr_free (&self->endpoint);
        free (self);
        *self_p = NULL;
    }
}

void
podd_server_actor (zsock_t *pipe, void *args)
{
    s_server_t *self = (s_server_t *) zmalloc (sizeof (s_server_t));
    podd_server_args_t *server_args = (podd_server_args_t *) args;
    self->pipe = pipe;
    self->config = server_args->config;
    self->standards = server_args->standards;
    self->sessions = zhashx_new ();
    zhashx_set_destructor (self->sessions, s_session_destroy);
    self->keys = zhashx_new ();
    zhashx_set_destructor (self->keys, (zhashx_destructor_fn *) zstr_free);
    self->held = zlistx_new ();
    zlistx_set_destructor (self->held, s_held_destroy);
    self->backups = zlistx_new ();
    zlistx_set_destructor (self->backups, s_backup_destroy);
    self->read_queue = zlistx_new ();
    zlistx_set_destructor (self->read_queue, s_read_job_destroy);
    self->deferred = zhashx_new ();
    zhashx_set_destructor (self->deferred, s_queue_destroy);
    self->released = zlistx_new ();
    zlistx_set_destructor (self->released, (zlistx_destructor_fn *) zstr_free);
    self->reading = zhashx_new ();
    self->batch_conns = zhashx_new ();
    self->retired = zlistx_new ();
    zlistx_set_destructor (self->retired, s_retired_destroy);
    self->held_timer = self->full_timer = self->release_timer = -1;
    zsock_signal (pipe, 0);
    char reason [512] = "";
    if (s_start (self, reason, sizeof reason)) {
        zsock_send (pipe, "ss", "FAILED", reason);
        //  Wait for $TERM so the caller can destroy the actor normally
        char *command = zstr_recv (pipe);
        zstr_free (&command);
        s_server_destroy (&self);
        return;
    }
    zsock_send (pipe, "ss", "READY", self->endpoint);
    self->loop = zloop_new ();
    zloop_reader (self->loop, pipe, s_pipe_ready, self);
    zloop_reader (self->loop, self->router, s_router_ready, self);
    if (self->zap)
        zloop_reader (self->loop, self->zap, s_zap_ready, self);
    for (size_t i = 0; i < self->reader_count; i++)
        zloop_reader (self->loop, zactor_sock (self->readers [i]), s_reader_ready, self);
    zloop_reader (self->loop, podd_outbox_pipe (self->outbox), s_mailer_ready, self);
    if (self->checkpointer)
        zloop_reader (self->loop, zactor_sock (self->checkpointer), s_checkpoint_ready, self);
    zloop_timer (self->loop, podd_config_heartbeat_ms (self->config), 0, s_expire_sessions, self);
    self->schedule_timer = -1;
    s_holidays_warning (self->standards);
    s_system_work (self, s_age_rearm_work);
    s_schedule (self);
    int64_t watchdog_ms = podd_notify_watchdog_ms ();
    if (watchdog_ms) {
        podd_notify_watchdog ();
        zloop_timer (self->loop, (size_t) watchdog_ms, 0, s_watchdog_fire, self);
    }
    self->held_timer = -1;
    self->full_timer = -1;
    if (self->read_only)
        self->full_timer = zloop_timer (self->loop, FULL_PROBE_MS, 0, s_full_probe, self);
    zloop_set_nonstop (self->loop, true);
    zloop_start (self->loop);
    log_info ("podd: stopping after %llu request(s)", (unsigned long long) self->requests);
    if (self->lost) {
        //  Tell main, which exits non-zero; then wait for $TERM as above
        zsock_send (pipe, "ss", "LOST", "the database file was deleted or replaced");
        char *command = zstr_recv (pipe);
        zstr_free (&command);
    }
    s_server_destroy (&self);
}
