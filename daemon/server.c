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
#include "outbox.h"
#include "reminders.h"
#include "mailops.h"
#include "meetops.h"
#include "standardsops.h"
#include "when.h"
#include <dirent.h>
#include <sys/stat.h>

#define BATCH_MAX       512     /* requests in one transaction */
#define REPLAY_MAX      1000    /* unacked deliveries replayed per WATCH */
#define ZAP_ENDPOINT    "inproc://zeromq.zap.01"

typedef struct {
    zframe_t *routing_id;
    int64_t member_id;          /* 0 until a request was authenticated */
    bool watching;
    int64_t last_seen;          /* zclock_mono */
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
} s_server_t;

static void s_schedule (s_server_t *self);

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
    { "PARTNER-LINK", podd_op_partner_link }, { "PARTNER-UNLINK", podd_op_partner_unlink },
    { "MEETING-SCHEDULE", podd_op_meeting_schedule }, { "MEETING-UPDATE", podd_op_meeting_update },
    { "MEETING-CANCEL", podd_op_meeting_cancel }, { "MEETING-ATTENDEES", podd_op_meeting_attendees },
    { "MEETING-OUTCOME", podd_op_meeting_outcome }, { "INGEST-MAIL", podd_op_ingest_mail },
    { "CASE-EVENT", podd_op_case_event },   { "CASE-EVENT-CORRECT", podd_op_case_event_correct },
    { "STANDARDS-LIST", podd_op_standards_list }, { "REPORT-COMPLIANCE", podd_op_report_compliance },
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
    int64_t horizon = zclock_mono () - podd_config_client_timeout_ms (self->config);
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

//  Read every public cert in the certs directory: key -> member handle
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
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (!s_ends_with (entry->d_name, ".cert"))
            continue;
        char path [PATH_MAX];
        snprintf (path, sizeof path, "%s/%s", dir_path, entry->d_name);
        zcert_t *cert = zcert_load (path);
        const char *member = cert? zcert_meta (cert, "member"): NULL;
        if (member && podd_valid_handle (member))
            zhashx_update (self->keys, zcert_public_txt (cert), strdup (member));
        else
            log_warn ("podd: %s: not a member certificate, ignored", path);
        zcert_destroy (&cert);
    }
    closedir (dir);
    log_info ("podd: %zu member key(s) loaded from %s", zhashx_size (self->keys), dir_path);
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
        if (session->watching && session->member_id == push->member_id)
            s_queue (outgoing, session->routing_id,
                     podp_msg_new (push->command, json_incref (push->body)), false, -1);
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
    session->watching = true;
    json_t *pending = podd_store_mailbox_pending (self->store, req->actor->id, REPLAY_MAX);
    s_queue_reply (outgoing, session->routing_id, rid, PODP_OK, "OK", json_pack ("{s:I s:i s:i}",
        "pending", (json_int_t) json_array_size (pending),
        "heartbeat", podd_config_heartbeat_ms (self->config),
        "timeout", podd_config_client_timeout_ms (self->config)));
    size_t index;
    json_t *item;
    json_array_foreach (pending, index, item) {
        json_t *task = json_loads (json_string_value (json_object_get (item, "payload")), 0, NULL);
        if (task)
            s_queue (outgoing, session->routing_id, podp_msg_new ("TASK", json_pack ("{s:O s:o}",
                     "delivery", json_object_get (item, "delivery"), "task", task)), false, -1);
    }
    json_decref (pending);
}

static int
s_ack (s_server_t *self, podd_request_t *req)
{
    int64_t delivery = podp_msg_int (req->msg, "delivery", 0);
    int rc = podd_store_mailbox_ack (self->store, req->actor->id, delivery, req->now);
    if (rc == -1)
        return podd_fail (req, PODP_NOT_FOUND, "no delivery %lld for you", (long long) delivery);
    if (rc == -2)
        return podd_fail (req, PODP_CONFLICT, "delivery %lld is acknowledged already",
                          (long long) delivery);
    return podd_ok (req, PODP_OK, json_pack ("{s:I}", "delivery", (json_int_t) delivery));
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

static void
s_handle (s_server_t *self, zframe_t *routing_id, zmsg_t *msg, bool in_txn,
          zlistx_t *outgoing, zlistx_t *pushes)
{
    s_session_t *session = s_session_for (self, routing_id);
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
    if (s_authenticate (self, zmsg_first (msg), &actor, reason, sizeof reason)) {
        s_queue_reply (outgoing, routing_id, rid, PODP_UNAUTHENTICATED, reason, NULL);
        podp_msg_destroy (&msg_in);
        return;
    }
    session->member_id = actor.id;
    char connection [128];
    s_connection_name (zmsg_first (msg), connection, sizeof connection);
    podd_request_t req = {
        .store = self->store, .config = self->config, .standards = self->standards, .actor = &actor,
        .connection = connection, .now = podd_when_now (), .msg = msg_in,
        .pushes = zlistx_new ()
    };
    zlistx_set_destructor (req.pushes, s_push_destroy);
    const char *command = podp_msg_command (msg_in);
    s_op_fn *op = s_op_for (command);
    if (!in_txn)
        podd_fail (&req, PODP_UNAVAILABLE, "store busy, try again");
    else
    if (streq (command, "HEARTBEAT"))
        podd_ok (&req, PODP_OK, NULL);
    else
    if (streq (command, "WATCH")) {
        s_watch (self, session, &req, rid, outgoing);
        req.status = 0;     //  replied already
    }
    else
    if (podd_store_savepoint (self->store))
        podd_fail (&req, PODP_UNAVAILABLE, "store busy, try again");
    else {
        int rc = streq (command, "ACK")? s_ack (self, &req)
               : op? op (&req)
               : podd_fail (&req, PODP_UNKNOWN_COMMAND, "command '%s' not served", command);
        if (rc == 0)
            rc = podd_store_release (self->store);
        if (rc) {
            podd_store_rollback_savepoint (self->store);
            zlistx_purge (req.pushes);
            if (req.status < 400)
                podd_fail (&req, PODP_INTERNAL, "request failed: %s", podd_store_errmsg (self->store));
        }
    }
    if (req.status) {
        if (req.status >= 400)
            log_info ("podd: %s %s -> %d %s", actor.handle, command, req.status, req.reason);
        s_queue_reply (outgoing, routing_id, rid, req.status, req.reason, req.data);
        req.data = NULL;
    }
    for (podd_push_t *push = (podd_push_t *) zlistx_first (req.pushes); push;
         push = (podd_push_t *) zlistx_next (req.pushes)) {
        zlistx_add_end (pushes, push);
    }
    zlistx_set_destructor (req.pushes, NULL);   //  moved into pushes
    zlistx_destroy (&req.pushes);
    json_decref (req.data);
    podp_msg_destroy (&msg_in);
    self->requests++;
}

//  --------------------------------------------------------------------
//  Group commit: read every waiting request, one transaction, then send

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

static int
s_router_ready (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_server_t *self = (s_server_t *) arg;
    zlistx_t *outgoing = zlistx_new ();
    zlistx_set_destructor (outgoing, s_outgoing_destroy);
    zlistx_t *pushes = zlistx_new ();
    zlistx_set_destructor (pushes, s_push_destroy);
    bool in_txn = podd_store_begin (self->store) == 0;
    for (int count = 0; count < BATCH_MAX; count++) {
        if (count && !(zsock_events (reader) & ZMQ_POLLIN))
            break;
        zmsg_t *msg = zmsg_recv (reader);
        if (!msg)
            break;
        zframe_t *routing_id = zmsg_pop (msg);
        if (routing_id)
            s_handle (self, routing_id, msg, in_txn, outgoing, pushes);
        zframe_destroy (&routing_id);
        zmsg_destroy (&msg);
    }
    bool committed = in_txn && podd_store_commit (self->store) == 0;
    if (in_txn && !committed)
        log_error ("podd: commit failed: %s", podd_store_errmsg (self->store));
    if (committed)
        s_fan_out_all (self, outgoing, pushes);
    s_send_all (self, outgoing, committed);
    zlistx_destroy (&pushes);
    zlistx_destroy (&outgoing);
    if (committed)
        s_schedule (self);      //  a request may have made something due
    return 0;
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
            committed = podd_store_commit (self->store) == 0;
        else {
            log_error ("podd: scheduler: %s", req.reason);
            podd_store_rollback (self->store);
        }
    }
    if (committed)
        s_fan_out_all (self, outgoing, req.pushes);
    s_send_all (self, outgoing, true);
    zlistx_destroy (&outgoing);
    zlistx_destroy (&req.pushes);
    json_decref (req.data);
}

static int
s_due_work (s_server_t *self, podd_request_t *req)
{
    (void) self;
    return podd_leave_run_due (req) || podd_reminders_run_due (req)
        || podd_delegation_run_due (req)? -1: 0;
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
    return 0;
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
    return 0;
}

static void
s_schedule (s_server_t *self)
{
    if (self->schedule_timer >= 0)
        zloop_timer_end (self->loop, self->schedule_timer);
    self->schedule_timer = -1;
    //  The earliest of: an absence starting or ending, a reminder, mail to send
    int64_t next = podd_leave_next_due (self->store);
    int64_t candidates [3] = {
        podd_reminders_next_due (self->store),
        podd_outbox_busy (self->outbox)? 0: podd_store_outbox_next_due (self->store),
        podd_delegation_next_due (self->store)
    };
    for (int i = 0; i < 3; i++)
        if (candidates [i] && (!next || candidates [i] < next))
            next = candidates [i];
    int64_t delay_ms = SCHEDULE_MAX_MS;
    if (next) {
        int64_t wait = next - podd_when_now ();
        delay_ms = wait <= 0? 0: wait * 1000 < SCHEDULE_MAX_MS? wait * 1000: SCHEDULE_MAX_MS;
    }
    if (podd_when_is_fake () && delay_ms > SCHEDULE_FAKE_MS)
        delay_ms = SCHEDULE_FAKE_MS;
    self->schedule_timer = zloop_timer (self->loop, (size_t) (delay_ms? delay_ms: 1), 1,
                                        s_scheduler_fire, self);
}

//  --------------------------------------------------------------------
//  Start-up, reload, pipe

//  Write the configured pods and members into the store (idempotent)
static int
s_bootstrap (s_server_t *self)
{
    podd_config_t *config = self->config;
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
    log_error ("podd: bootstrap failed: %s", podd_store_errmsg (self->store));
    podd_store_rollback (self->store);
    return -1;
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

static int
s_start (s_server_t *self, char *reason, size_t reasonlen)
{
    char err [512];
    if (s_mkdir_parent (podd_config_database (self->config))) {
        snprintf (reason, reasonlen, "cannot create directory for %s", podd_config_database (self->config));
        return -1;
    }
    self->store = podd_store_new (podd_config_database (self->config), err, sizeof err);
    if (!self->store) {
        snprintf (reason, reasonlen, "%s", err);
        return -1;
    }
    int64_t clashes = podd_store_case_ref_clashes (self->store);
    if (clashes > 0)
        log_warn ("podd: %lld case reference(s) differ from another only in case (kept as they are; "
                  "new ones like them are refused)", (long long) clashes);
    if (s_bootstrap (self)) {
        snprintf (reason, reasonlen, "cannot write configured pods and members to the store");
        return -1;
    }
    self->router = zsock_new (ZMQ_ROUTER);
    zsock_set_router_mandatory (self->router, 1);
    zsock_set_sndtimeo (self->router, 0);
    zsock_set_linger (self->router, 0);
    zsock_set_rcvhwm (self->router, 100000);
    zsock_set_sndhwm (self->router, 100000);
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

static void
s_reload (s_server_t *self, podd_config_t *config, podd_standards_t *standards)
{
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
    podd_config_destroy (&old);
    //  Rules: tasks already created keep their standard and due date
    podd_standards_destroy (&self->standards);
    self->standards = standards;
    if (!podd_config_insecure (self->config))
        s_load_keys (self);
    //  Identities are re-checked on every request; watchers keep watching
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
        podd_outbox_destroy (&self->outbox);
        zsock_destroy (&self->router);
        zsock_destroy (&self->zap);
        zcert_destroy (&self->cert);
        zhashx_destroy (&self->sessions);
        zhashx_destroy (&self->keys);
        podd_store_destroy (&self->store);
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
    zloop_reader (self->loop, podd_outbox_pipe (self->outbox), s_mailer_ready, self);
    zloop_timer (self->loop, podd_config_heartbeat_ms (self->config), 0, s_expire_sessions, self);
    self->schedule_timer = -1;
    s_schedule (self);
    zloop_set_nonstop (self->loop, true);
    zloop_start (self->loop);
    log_info ("podd: stopping after %llu request(s)", (unsigned long long) self->requests);
    s_server_destroy (&self);
}
