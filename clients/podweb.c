/*  podweb.c - the web client of podd: pod members and managers in a browser.

    An HTTP server (libmicrohttpd, one thread per connection) that serves
    the page in clients/web/ and a JSON API mapping each browser call onto
    one PODP/1 command, sent to podd with podweb's gateway key for the
    signed-in member (PROTOCOL.md 4.4). Pushes reach the page as
    Server-Sent Events, one podd connection WATCHing per open stream; the
    page acknowledges each delivery once it has shown it. podweb holds no
    case data: only its password file and its sessions. See podweb(8).
*/
#include "podclient.h"
#include "web_http.h"
#include "web_session.h"
#include "web_accounts.h"
#include "web_podd.h"
#include <arpa/inet.h>
#include <getopt.h>
#include <sodium.h>

#define S_COOKIE        "podweb"
#define S_CSRF_HEADER   "X-CSRF-Token"

typedef struct {
    web_sessions_t *sessions;
    web_accounts_t *accounts;
    web_podd_t *podd;
    const char *root;           //  static files
    size_t max_body;
    bool tls;
    const char *sso_header;     //  trusted single sign-on header, or NULL
    const char *sso_from;       //  comma-separated proxy addresses
    bool verbose;
    volatile bool stopping;
} s_app_t;

//  One HTTP request: its body, gathered up to max_body
typedef struct {
    char *body;
    size_t size;
    bool too_big;
} s_req_t;

//  --------------------------------------------------------------------
//  Small helpers

static const char *
s_header (struct MHD_Connection *connection, const char *name)
{
    return MHD_lookup_connection_value (connection, MHD_HEADER_KIND, name);
}

static void
s_address (struct MHD_Connection *connection, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info (connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf (buf, size, "?");
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
        inet_ntop (AF_INET, &((struct sockaddr_in *) info->client_addr)->sin_addr, buf, size);
    else
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET6)
        inet_ntop (AF_INET6, &((struct sockaddr_in6 *) info->client_addr)->sin6_addr, buf, size);
}

static void
s_cookie (s_app_t *app, const char *id, char *buf, size_t size)
{
    if (id)
        snprintf (buf, size, S_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", id,
                  app->tls? "; Secure": "");
    else
        snprintf (buf, size, S_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
                  app->tls? "; Secure": "");
}

//  The live session of this request's cookie; touch counts it as use
static int
s_session (s_app_t *app, struct MHD_Connection *connection, bool touch, web_session_t *session)
{
    const char *id = MHD_lookup_connection_value (connection, MHD_COOKIE_KIND, S_COOKIE);
    return web_sessions_get (app->sessions, id, touch, session);
}

//  The request body as a JSON object ({} when empty): NULL with reason
static json_t *
s_json_body (s_req_t *req, char *reason, size_t reasonlen)
{
    if (!req->size)
        return json_object ();
    json_error_t error;
    json_t *body = json_loadb (req->body, req->size, JSON_REJECT_DUPLICATES, &error);
    if (!body) {
        snprintf (reason, reasonlen, "malformed JSON: %s", error.text);
        return NULL;
    }
    if (!json_is_object (body)) {
        json_decref (body);
        snprintf (reason, reasonlen, "the body must be a JSON object");
        return NULL;
    }
    return body;
}

//  HTTP status for a podd status (0 = no answer)
static unsigned
s_http_status (int status)
{
    if (status == 0)
        return MHD_HTTP_GATEWAY_TIMEOUT;
    if (status == 500)
        return MHD_HTTP_BAD_GATEWAY;
    if (status == 405)
        return MHD_HTTP_NOT_FOUND;
    return (unsigned) status;
}

//  A podd refusal: 401 means the member is no longer active, so every
//  web session of theirs ends now
static enum MHD_Result
s_podd_error (s_app_t *app, struct MHD_Connection *connection, const char *member, int status,
              const char *reason)
{
    if (status == 401) {
        size_t ended = web_sessions_end_member (app->sessions, member);
        zsys_info ("podweb: %s is not an active member of podd: %zu session(s) ended",
                   member, ended);
        return web_http_error (connection, MHD_HTTP_UNAUTHORIZED,
                               "your account is not active: sign in again", NULL, 0);
    }
    return web_http_error (connection, s_http_status (status),
                           status? reason: "podd did not answer in time", NULL, 0);
}

//  --------------------------------------------------------------------
//  Sign-in, sign-out, session, set-up link, password

static json_t *
s_session_json (web_session_t *session, json_t *member)
{
    return json_pack ("{s:s s:s s:o}", "handle", session->handle, "csrf", session->csrf,
                      "member", member? member: json_object ());
}

static enum MHD_Result
s_api_signin (s_app_t *app, struct MHD_Connection *connection, s_req_t *req)
{
    char reason [256], address [64];
    s_address (connection, address, sizeof address);
    json_t *body = s_json_body (req, reason, sizeof reason);
    if (!body)
        return web_http_error (connection, MHD_HTTP_BAD_REQUEST, reason, NULL, 0);
    const char *handle = json_string_value (json_object_get (body, "handle"));
    const char *password = json_string_value (json_object_get (body, "password"));
    if (!handle || !password) {
        json_decref (body);
        return web_http_error (connection, MHD_HTTP_BAD_REQUEST,
                               "give 'handle' and 'password' as strings", NULL, 0);
    }
    int wait = web_accounts_throttled (app->accounts, handle, address);
    if (wait) {
        json_decref (body);
        return web_http_error (connection, 429,
                               "too many failed sign-ins: try again later", NULL, wait);
    }
    if (web_accounts_verify (app->accounts, handle, password)) {
        web_accounts_failed (app->accounts, handle, address);
        zsys_info ("podweb: failed sign-in for '%.32s' from %s", handle, address);
        json_decref (body);
        return web_http_error (connection, MHD_HTTP_UNAUTHORIZED,
                               "wrong user name or password", NULL, 0);
    }
    int status;
    json_t *member = web_podd_request (app->podd, handle, "WHOAMI", NULL, &status,
                                       reason, sizeof reason);
    if (!member) {
        enum MHD_Result rc = s_podd_error (app, connection, handle, status, reason);
        json_decref (body);
        return rc;
    }
    web_session_t session;
    web_sessions_create (app->sessions, handle, &session);
    json_decref (body);
    char cookie [256];
    s_cookie (app, session.id, cookie, sizeof cookie);
    zsys_info ("podweb: %s signed in from %s", session.handle, address);
    return web_http_json (connection, MHD_HTTP_OK, s_session_json (&session, member), cookie);
}

//  A trusted proxy's sign-on header, only from a configured address
static int
s_sso (s_app_t *app, struct MHD_Connection *connection, web_session_t *session)
{
    if (!app->sso_header)
        return -1;
    const char *handle = s_header (connection, app->sso_header);
    char address [64];
    s_address (connection, address, sizeof address);
    bool trusted = false;
    char *list = strdup (app->sso_from), *save = NULL;
    for (char *item = strtok_r (list, ",", &save); item; item = strtok_r (NULL, ",", &save))
        if (streq (item, address))
            trusted = true;
    free (list);
    if (!trusted || !web_handle_ok (handle))
        return -1;
    web_sessions_create (app->sessions, handle, session);
    zsys_info ("podweb: %s signed in by %s from proxy %s", handle, app->sso_header, address);
    return 0;
}

static enum MHD_Result
s_api_session (s_app_t *app, struct MHD_Connection *connection)
{
    web_session_t session;
    char cookie [256] = "";
    if (s_session (app, connection, true, &session)) {
        if (s_sso (app, connection, &session))
            return web_http_error (connection, MHD_HTTP_UNAUTHORIZED, "not signed in", NULL, 0);
        s_cookie (app, session.id, cookie, sizeof cookie);
    }
    int status;
    char reason [256];
    json_t *member = web_podd_request (app->podd, session.handle, "WHOAMI", NULL, &status,
                                       reason, sizeof reason);
    if (!member)
        return s_podd_error (app, connection, session.handle, status, reason);
    return web_http_json (connection, MHD_HTTP_OK, s_session_json (&session, member),
                          *cookie? cookie: NULL);
}

static enum MHD_Result
s_api_signout (s_app_t *app, struct MHD_Connection *connection, web_session_t *session)
{
    web_sessions_end (app->sessions, session->id);
    char cookie [256];
    s_cookie (app, NULL, cookie, sizeof cookie);
    return web_http_json (connection, MHD_HTTP_OK, json_pack ("{s:b}", "signed_out", 1), cookie);
}

static enum MHD_Result
s_api_setup (s_app_t *app, struct MHD_Connection *connection, s_req_t *req)
{
    char reason [256], handle [33], address [64];
    s_address (connection, address, sizeof address);
    json_t *body = s_json_body (req, reason, sizeof reason);
    if (!body)
        return web_http_error (connection, MHD_HTTP_BAD_REQUEST, reason, NULL, 0);
    int wait = web_accounts_throttled (app->accounts, "", address);
    int rc = wait? -1: web_accounts_redeem (app->accounts,
                     json_string_value (json_object_get (body, "token")),
                     json_string_value (json_object_get (body, "password")),
                     handle, sizeof handle, reason, sizeof reason);
    json_decref (body);
    if (wait)
        return web_http_error (connection, 429,
                               "too many failed attempts: try again later", NULL, wait);
    if (rc) {
        web_accounts_failed (app->accounts, "", address);
        return web_http_error (connection, 422, reason, NULL, 0);
    }
    return web_http_json (connection, MHD_HTTP_OK, json_pack ("{s:s}", "handle", handle), NULL);
}

static enum MHD_Result
s_api_password (s_app_t *app, struct MHD_Connection *connection, s_req_t *req,
                web_session_t *session)
{
    char reason [256];
    json_t *body = s_json_body (req, reason, sizeof reason);
    if (!body)
        return web_http_error (connection, MHD_HTTP_BAD_REQUEST, reason, NULL, 0);
    const char *old = json_string_value (json_object_get (body, "old"));
    const char *new = json_string_value (json_object_get (body, "new"));
    unsigned status = MHD_HTTP_OK;
    if (!old || web_accounts_verify (app->accounts, session->handle, old)) {
        status = MHD_HTTP_FORBIDDEN;
        snprintf (reason, sizeof reason, "your current password is not right");
    }
    else
    if (web_accounts_set_password (app->accounts, session->handle, new, reason, sizeof reason))
        status = 422;
    json_decref (body);
    if (status != MHD_HTTP_OK)
        return web_http_error (connection, status, reason, NULL, 0);
    return web_http_json (connection, MHD_HTTP_OK, json_pack ("{s:b}", "changed", 1), NULL);
}

//  --------------------------------------------------------------------
//  The command mapping: POST /api/task-list -> TASK-LIST, one to one

static bool
s_command_for (const char *name, char *command, size_t size)
{
    size_t len = strlen (name);
    if (!len || len >= size || len > PODP_COMMAND_MAX)
        return false;
    for (size_t i = 0; i <= len; i++) {
        char c = name [i];
        if (c && !((c >= 'a' && c <= 'z') || c == '-'))
            return false;
        command [i] = (char) (c >= 'a' && c <= 'z'? c - 'a' + 'A': c);
    }
    //  Session commands are podweb's own; mail comes in by podctl
    if (streq (command, "WATCH") || streq (command, "HEARTBEAT") || streq (command, "INGEST-MAIL"))
        return false;
    return podp_command_known (command, true);
}

static enum MHD_Result
s_api_command (s_app_t *app, struct MHD_Connection *connection, const char *command,
               s_req_t *req, web_session_t *session)
{
    char reason [512];
    json_t *body = s_json_body (req, reason, sizeof reason);
    if (!body)
        return web_http_error (connection, MHD_HTTP_BAD_REQUEST, reason, NULL, 0);
    if (json_object_get (body, "as") || json_object_get (body, "rid")) {
        json_decref (body);
        return web_http_error (connection, MHD_HTTP_BAD_REQUEST,
                               "fields 'as' and 'rid' are podweb's to set", NULL, 0);
    }
    int status;
    json_t *data = web_podd_request (app->podd, session->handle, command, body, &status,
                                     reason, sizeof reason);
    if (app->verbose)
        zsys_info ("podweb: %s %s -> %d", session->handle, command, status);
    if (!data)
        return s_podd_error (app, connection, session->handle, status, reason);
    return web_http_json (connection, (unsigned) status, data, NULL);
}

//  --------------------------------------------------------------------
//  Server-Sent Events: one podd connection WATCHing per stream

typedef struct {
    s_app_t *app;
    podclient_t *client;
    char session_id [WEB_SESSION_ID_LEN + 1];
    char handle [33];
    int heartbeat_ms;
    int64_t last_beat;
    char *pending;              //  text to send, owned
    size_t pending_size, sent;
    bool ending;
} s_sse_t;

static void
s_sse_free (void *cls)
{
    s_sse_t *sse = (s_sse_t *) cls;
    podclient_destroy (&sse->client);
    free (sse->pending);
    free (sse);
}

static void
s_sse_set (s_sse_t *sse, char *text)
{
    free (sse->pending);
    sse->pending = text;
    sse->pending_size = strlen (text);
    sse->sent = 0;
}

//  One push as an event: "task" with the delivery as its id, or "notice"
static void
s_sse_push (s_sse_t *sse, podp_msg_t *push)
{
    bool task = streq (podp_msg_command (push), "TASK");
    char *data = json_dumps (podp_msg_body (push), JSON_COMPACT | JSON_ENSURE_ASCII);
    char *text = NULL;
    if (data && task)
        text = zsys_sprintf ("id: %lld\nevent: task\ndata: %s\n\n",
                             (long long) podp_msg_int (push, "delivery", 0), data);
    else
    if (data)
        text = zsys_sprintf ("event: notice\ndata: %s\n\n", data);
    free (data);
    if (text)
        s_sse_set (sse, text);
}

static ssize_t
s_sse_read (void *cls, uint64_t pos, char *buf, size_t max)
{
    (void) pos;
    s_sse_t *sse = (s_sse_t *) cls;
    s_app_t *app = sse->app;
    while (!sse->pending) {
        if (sse->ending || app->stopping || zsys_interrupted)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (web_sessions_get (app->sessions, sse->session_id, false, NULL)) {
            //  signed out or timed out: tell the page, then end
            s_sse_set (sse, strdup ("event: end\ndata: {}\n\n"));
            sse->ending = true;
            break;
        }
        int64_t now = zclock_mono ();
        if (now - sse->last_beat >= sse->heartbeat_ms) {
            //  A heartbeat waits for its answer (pushes meanwhile are kept):
            //  401, the member is no longer active; none, podd is gone or
            //  restarted, so the page reconnects and WATCHes afresh
            int status;
            char reason [256];
            int wait = sse->heartbeat_ms < 1000? 2000: 2 * sse->heartbeat_ms;
            json_decref (podclient_request (sse->client, "HEARTBEAT",
                                            json_pack ("{s:s}", "as", sse->handle), wait,
                                            &status, reason, sizeof reason));
            if (status == 401) {
                web_sessions_end_member (app->sessions, sse->handle);
                continue;                   //  the session check above ends the stream
            }
            if (status == 0)
                return MHD_CONTENT_READER_END_OF_STREAM;
            sse->last_beat = zclock_mono ();
            s_sse_set (sse, strdup (": beat\n\n"));
            break;
        }
        int wait = sse->heartbeat_ms < 500? sse->heartbeat_ms: 500;
        podp_msg_t *push = podclient_recv_push (sse->client, wait);
        if (push) {
            s_sse_push (sse, push);
            podp_msg_destroy (&push);
        }
    }
    size_t left = sse->pending_size - sse->sent;
    size_t size = left < max? left: max;
    memcpy (buf, sse->pending + sse->sent, size);
    sse->sent += size;
    if (sse->sent == sse->pending_size) {
        free (sse->pending);
        sse->pending = NULL;
    }
    return (ssize_t) size;
}

static enum MHD_Result
s_api_events (s_app_t *app, struct MHD_Connection *connection, web_session_t *session)
{
    int status, heartbeat = 5000;
    char reason [256];
    podclient_t *client = web_podd_watch (app->podd, session->handle, &heartbeat, &status,
                                          reason, sizeof reason);
    if (!client)
        return s_podd_error (app, connection, session->handle, status, reason);
    s_sse_t *sse = (s_sse_t *) zmalloc (sizeof (s_sse_t));
    sse->app = app;
    sse->client = client;
    snprintf (sse->session_id, sizeof sse->session_id, "%s", session->id);
    snprintf (sse->handle, sizeof sse->handle, "%s", session->handle);
    sse->heartbeat_ms = heartbeat > 100? heartbeat: 100;
    sse->last_beat = zclock_mono ();
    s_sse_set (sse, strdup ("retry: 2000\n: podweb\n\n"));
    struct MHD_Response *response = MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, 4096,
                                                                       s_sse_read, sse, s_sse_free);
    MHD_add_response_header (response, "Content-Type", "text/event-stream");
    MHD_add_response_header (response, "X-Accel-Buffering", "no");
    web_http_secure_headers (response, true);
    enum MHD_Result rc = MHD_queue_response (connection, MHD_HTTP_OK, response);
    MHD_destroy_response (response);
    return rc;
}

//  --------------------------------------------------------------------
//  Routing

static enum MHD_Result
s_method_not_allowed (struct MHD_Connection *connection, const char *allow)
{
    return web_http_error (connection, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", allow, 0);
}

static enum MHD_Result
s_api (s_app_t *app, struct MHD_Connection *connection, const char *name, const char *method,
       s_req_t *req)
{
    bool get = streq (method, "GET") || streq (method, "HEAD");
    bool post = streq (method, "POST");
    char command [PODP_COMMAND_MAX + 1] = "";
    bool is_get = streq (name, "session") || streq (name, "events");
    bool known = is_get || streq (name, "signin") || streq (name, "signout")
              || streq (name, "setup") || streq (name, "password")
              || s_command_for (name, command, sizeof command);
    if (!known)
        return web_http_error (connection, MHD_HTTP_NOT_FOUND, "no such API call", NULL, 0);
    if (is_get && !get)
        return s_method_not_allowed (connection, "GET, HEAD");
    if (!is_get && !post)
        return s_method_not_allowed (connection, "POST");
    if (post) {
        //  JSON only: a cross-site form cannot send it without CORS, which podweb never allows
        const char *type = s_header (connection, "Content-Type");
        if (req->size && (!type || strncasecmp (type, "application/json", 16) != 0))
            return web_http_error (connection, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                   "send the body as application/json", NULL, 0);
    }
    if (streq (name, "session"))
        return s_api_session (app, connection);
    if (streq (name, "signin"))
        return s_api_signin (app, connection, req);
    if (streq (name, "setup"))
        return s_api_setup (app, connection, req);
    web_session_t session;
    if (s_session (app, connection, !is_get, &session))
        return web_http_error (connection, MHD_HTTP_UNAUTHORIZED,
                               "not signed in, or your session has ended", NULL, 0);
    if (streq (name, "events"))
        return s_api_events (app, connection, &session);
    if (!web_session_csrf_ok (&session, s_header (connection, S_CSRF_HEADER)))
        return web_http_error (connection, MHD_HTTP_FORBIDDEN,
                               "missing or wrong " S_CSRF_HEADER " header", NULL, 0);
    if (streq (name, "signout"))
        return s_api_signout (app, connection, &session);
    if (streq (name, "password"))
        return s_api_password (app, connection, req, &session);
    return s_api_command (app, connection, command, req, &session);
}

static enum MHD_Result
s_dispatch (s_app_t *app, struct MHD_Connection *connection, const char *url,
            const char *method, s_req_t *req)
{
    if (req->too_big) {
        char reason [96];
        snprintf (reason, sizeof reason, "request body over %zu octets", app->max_body);
        return web_http_error (connection, 413, reason, NULL, 0);
    }
    if (strncmp (url, "/api/", 5) == 0)
        return s_api (app, connection, url + 5, method, req);
    if (!streq (method, "GET") && !streq (method, "HEAD"))
        return s_method_not_allowed (connection, "GET, HEAD");
    return web_http_static (connection, app->root, url);
}

static enum MHD_Result
s_access (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void) version;
    s_app_t *app = (s_app_t *) cls;
    s_req_t *req = (s_req_t *) *con_cls;
    if (!req) {
        req = (s_req_t *) zmalloc (sizeof (s_req_t));
        *con_cls = req;
        const char *length = s_header (connection, "Content-Length");
        if (length && strtoull (length, NULL, 10) > app->max_body) {
            req->too_big = true;        //  refused before reading it
            return s_dispatch (app, connection, url, method, req);
        }
        if (streq (method, "GET") || streq (method, "HEAD"))
            return s_dispatch (app, connection, url, method, req);
        return MHD_YES;                 //  the body follows
    }
    if (*upload_data_size) {
        if (!req->too_big && req->size + *upload_data_size > app->max_body) {
            req->too_big = true;
            free (req->body);
            req->body = NULL;
        }
        if (!req->too_big) {
            req->body = (char *) realloc (req->body, req->size + *upload_data_size);
            memcpy (req->body + req->size, upload_data, *upload_data_size);
            req->size += *upload_data_size;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return s_dispatch (app, connection, url, method, req);
}

//  URLs are unescaped as usual, except that %00 cannot cut a path short:
//  its "%" becomes a control character that no route or file name allows
static size_t
s_unescape (void *cls, struct MHD_Connection *connection, char *uri)
{
    (void) cls; (void) connection;
    for (char *p = strstr (uri, "%00"); p; p = strstr (p + 1, "%00"))
        *p = '\x01';
    return MHD_http_unescape (uri);
}

static void
s_completed (void *cls, struct MHD_Connection *connection, void **con_cls,
             enum MHD_RequestTerminationCode code)
{
    (void) cls; (void) connection; (void) code;
    s_req_t *req = (s_req_t *) *con_cls;
    if (req) {
        free (req->body);
        free (req);
        *con_cls = NULL;
    }
}

//  --------------------------------------------------------------------
//  Command line

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: podweb [options]                  serve the web client\n"
        "       podweb [-p FILE] password HANDLE  set a password (read from standard input)\n"
        "       podweb [-p FILE] passwords        set many: HANDLE PASSWORD lines on standard input\n"
        "       podweb [-p FILE] [--url URL] link HANDLE   print a one-time set-up link\n"
        "       podweb selftest                   test podweb's classes\n"
        "options:\n"
        "  -l ADDRESS:PORT   listen here (default 127.0.0.1:8080)\n"
        "  -e ENDPOINT       podd (default $PODD_ENDPOINT or tcp://127.0.0.1:5670)\n"
        "  -k CERT           podweb's gateway key (default var/keys/podweb.cert)\n"
        "  -s CERT           podd's public cert (default var/keys/podd.cert)\n"
        "  -w DIR            the page's files (default clients/web)\n"
        "  -p FILE           password file (default var/podweb/passwords, mode 0600)\n"
        "  --idle SECONDS    end a session this long after its last request (1800)\n"
        "  --absolute SECONDS  end a session this long after sign-in (43200)\n"
        "  --max-body OCTETS largest request body (65536)\n"
        "  --client-timeout SECONDS  drop a silent HTTP connection (30)\n"
        "  --tls-cert FILE --tls-key FILE   serve HTTPS (PEM)\n"
        "  --sso-header NAME --sso-from ADDRESS[,ADDRESS]  trust a proxy's user header\n"
        "  --url URL         podweb's address in set-up links (http://127.0.0.1:8080)\n"
        "  -v                log every API call\n");
}

static char *
s_read_file (const char *path)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&text, &size);
    char buf [4096];
    size_t n;
    while ((n = fread (buf, 1, sizeof buf, file)) > 0)
        fwrite (buf, 1, n, mem);
    fclose (mem);
    fclose (file);
    return text;
}

static int
s_parse_listen (const char *text, struct sockaddr_in *addr)
{
    char host [64];
    const char *colon = strrchr (text, ':');
    if (!colon || colon - text >= (long) sizeof host)
        return -1;
    memcpy (host, text, (size_t) (colon - text));
    host [colon - text] = 0;
    char *end;
    long port = strtol (colon + 1, &end, 10);
    memset (addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons ((uint16_t) port);
    if (*end || port < 1 || port > 65535 || inet_pton (AF_INET, host, &addr->sin_addr) != 1)
        return -1;
    return 0;
}

static int
s_password_command (const char *path, const char *handle)
{
    web_accounts_t *accounts = web_accounts_new (path);
    char line [WEB_PASSWORD_MAX + 2], reason [256];
    int rc = 1;
    if (!accounts)
        fprintf (stderr, "podweb: libsodium did not start\n");
    else
    if (!fgets (line, sizeof line, stdin))
        fprintf (stderr, "podweb: give the password on standard input\n");
    else {
        line [strcspn (line, "\r\n")] = 0;
        if (web_accounts_set_password (accounts, handle, line, reason, sizeof reason))
            fprintf (stderr, "podweb: %s\n", reason);
        else
            rc = 0;
        sodium_memzero (line, sizeof line);
    }
    web_accounts_destroy (&accounts);
    return rc;
}

//  "HANDLE PASSWORD" lines on standard input (make run's demo logins)
static int
s_passwords_command (const char *path)
{
    web_accounts_t *accounts = web_accounts_new (path);
    char line [WEB_PASSWORD_MAX + 40], reason [256];
    int rc = accounts? 0: 1;
    while (accounts && fgets (line, sizeof line, stdin)) {
        line [strcspn (line, "\r\n")] = 0;
        char *space = strchr (line, ' ');
        if (!space)
            continue;
        *space = 0;
        if (web_accounts_set_password (accounts, line, space + 1, reason, sizeof reason)) {
            fprintf (stderr, "podweb: %s: %s\n", line, reason);
            rc = 1;
        }
        sodium_memzero (line, sizeof line);
    }
    web_accounts_destroy (&accounts);
    return rc;
}

static int
s_link_command (const char *path, const char *url, const char *handle)
{
    web_accounts_t *accounts = web_accounts_new (path);
    char token [65];
    int rc = 1;
    if (!accounts || web_accounts_setup_token (accounts, handle, 72 * 3600, token))
        fprintf (stderr, "podweb: cannot write a set-up link for '%s' into %s\n", handle, path);
    else {
        printf ("%s/#/setup/%s\n(valid once, for 72 hours; it replaces %s's password)\n",
                url, token, handle);
        rc = 0;
    }
    web_accounts_destroy (&accounts);
    return rc;
}

int
main (int argc, char *argv [])
{
    const char *endpoint = getenv ("PODD_ENDPOINT")? getenv ("PODD_ENDPOINT"): "tcp://127.0.0.1:5670";
    const char *key = "var/keys/podweb.cert", *server_key = "var/keys/podd.cert";
    const char *listen = "127.0.0.1:8080", *root = "clients/web";
    const char *passwords = "var/podweb/passwords", *url = "http://127.0.0.1:8080";
    const char *tls_cert = NULL, *tls_key = NULL;
    long idle = 1800, absolute = 43200, max_body = 65536, client_timeout = 30;
    s_app_t app = { 0 };
    enum { O_IDLE = 256, O_ABSOLUTE, O_MAX_BODY, O_CLIENT_TIMEOUT, O_TLS_CERT, O_TLS_KEY,
           O_SSO_HEADER, O_SSO_FROM, O_URL };
    static const struct option options [] = {
        { "idle", required_argument, NULL, O_IDLE },
        { "absolute", required_argument, NULL, O_ABSOLUTE },
        { "max-body", required_argument, NULL, O_MAX_BODY },
        { "client-timeout", required_argument, NULL, O_CLIENT_TIMEOUT },
        { "tls-cert", required_argument, NULL, O_TLS_CERT },
        { "tls-key", required_argument, NULL, O_TLS_KEY },
        { "sso-header", required_argument, NULL, O_SSO_HEADER },
        { "sso-from", required_argument, NULL, O_SSO_FROM },
        { "url", required_argument, NULL, O_URL },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "l:e:k:s:w:p:vh", options, NULL)) != -1) {
        switch (opt) {
            case 'l': listen = optarg; break;
            case 'e': endpoint = optarg; break;
            case 'k': key = optarg; break;
            case 's': server_key = optarg; break;
            case 'w': root = optarg; break;
            case 'p': passwords = optarg; break;
            case 'v': app.verbose = true; break;
            case O_IDLE: idle = atol (optarg); break;
            case O_ABSOLUTE: absolute = atol (optarg); break;
            case O_MAX_BODY: max_body = atol (optarg); break;
            case O_CLIENT_TIMEOUT: client_timeout = atol (optarg); break;
            case O_TLS_CERT: tls_cert = optarg; break;
            case O_TLS_KEY: tls_key = optarg; break;
            case O_SSO_HEADER: app.sso_header = optarg; break;
            case O_SSO_FROM: app.sso_from = optarg; break;
            case O_URL: url = optarg; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 1;
        }
    }
    if (sodium_init () < 0) {
        fprintf (stderr, "podweb: libsodium did not start\n");
        return 1;
    }
    if (optind + 1 == argc && streq (argv [optind], "selftest")) {
        web_http_test (true);
        web_sessions_test (true);
        web_accounts_test (true);
        printf ("podweb: selftest OK\n");
        return 0;
    }
    if (optind + 2 == argc && streq (argv [optind], "password") && web_handle_ok (argv [optind + 1]))
        return s_password_command (passwords, argv [optind + 1]);
    if (optind + 1 == argc && streq (argv [optind], "passwords"))
        return s_passwords_command (passwords);
    if (optind + 2 == argc && streq (argv [optind], "link") && web_handle_ok (argv [optind + 1]))
        return s_link_command (passwords, url, argv [optind + 1]);
    struct sockaddr_in addr;
    if (optind != argc || idle < 1 || absolute < idle || max_body < 1024 || max_body > 16777216
    ||  client_timeout < 1 || s_parse_listen (listen, &addr) || !!tls_cert != !!tls_key
    ||  !!app.sso_header != !!app.sso_from) {
        s_usage (stderr);
        return 1;
    }
    app.root = root;
    app.max_body = (size_t) max_body;
    app.tls = tls_cert != NULL;
    char *cert_pem = tls_cert? s_read_file (tls_cert): NULL;
    char *key_pem = tls_key? s_read_file (tls_key): NULL;
    if (app.tls && (!cert_pem || !key_pem)) {
        fprintf (stderr, "podweb: cannot read %s or %s\n", tls_cert, tls_key);
        return 1;
    }
    zsys_init ();
    zsys_set_logident ("podweb");
    app.podd = web_podd_new (endpoint, key, server_key);
    app.accounts = web_accounts_new (passwords);
    app.sessions = web_sessions_new ((int64_t) idle * 1000, (int64_t) absolute * 1000);
    int rc = 1;
    char *dir = strdup (passwords), *slash = strrchr (dir, '/');
    if (slash) {
        *slash = 0;
        zsys_dir_create ("%s", dir);
    }
    free (dir);
    struct MHD_Daemon *daemon = NULL;
    if (app.podd && app.accounts) {
        unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD
                       | MHD_USE_ERROR_LOG | (app.tls? MHD_USE_TLS: 0);
        if (app.tls)
            daemon = MHD_start_daemon (flags, 0, NULL, NULL, s_access, &app,
                MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) client_timeout,
                MHD_OPTION_CONNECTION_LIMIT, (unsigned) 2000,
                MHD_OPTION_NOTIFY_COMPLETED, s_completed, NULL,
                MHD_OPTION_UNESCAPE_CALLBACK, s_unescape, NULL,
                MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_HTTPS_MEM_KEY, key_pem,
                MHD_OPTION_END);
        else
            daemon = MHD_start_daemon (flags, 0, NULL, NULL, s_access, &app,
                MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) client_timeout,
                MHD_OPTION_CONNECTION_LIMIT, (unsigned) 2000,
                MHD_OPTION_NOTIFY_COMPLETED, s_completed, NULL,
                MHD_OPTION_UNESCAPE_CALLBACK, s_unescape, NULL,
                MHD_OPTION_END);
    }
    if (!app.podd)
        fprintf (stderr, "podweb: cannot use key %s with server cert %s for %s\n",
                 key, server_key, endpoint);
    else
    if (!daemon)
        fprintf (stderr, "podweb: cannot listen on %s\n", listen);
    else {
        printf ("podweb: serving %s://%s for podd at %s\n", app.tls? "https": "http", listen,
                endpoint);
        fflush (stdout);
        while (!zsys_interrupted)
            zclock_sleep (100);
        app.stopping = true;
        MHD_stop_daemon (daemon);
        zsys_info ("podweb: stopped");
        rc = 0;
    }
    web_sessions_destroy (&app.sessions);
    web_accounts_destroy (&app.accounts);
    web_podd_destroy (&app.podd);
    free (cert_pem);
    free (key_pem);
    return rc;
}
