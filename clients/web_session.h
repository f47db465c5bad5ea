/*  web_session.h - podweb's signed-in browser sessions.

    Owns: session ids (256 random bits, hex), each session's CSRF token
    (another 256 bits), the member it is for, the idle timeout (from the
    last request the member made; an open event stream does not count)
    and the absolute timeout (from sign-in). Thread-safe: one mutex.
    Callers get copies, never pointers into the table.
*/
#ifndef WEB_SESSION_H_INCLUDED
#define WEB_SESSION_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define WEB_SESSION_ID_LEN  64      /* hex characters of an id or token */

typedef struct {
    char id [WEB_SESSION_ID_LEN + 1];
    char csrf [WEB_SESSION_ID_LEN + 1];
    char handle [33];
    int64_t created;                /* ms, monotonic */
    int64_t last_seen;              /* ms, monotonic */
} web_session_t;

typedef struct _web_sessions_t web_sessions_t;

/* idle_ms: end a session this long after its last request; absolute_ms:
   this long after sign-in, whatever happens. */
web_sessions_t *web_sessions_new (int64_t idle_ms, int64_t absolute_ms);
void web_sessions_destroy (web_sessions_t **self_p);

/* A new session for handle; copies it into out. */
void web_sessions_create (web_sessions_t *self, const char *handle, web_session_t *out);

/* The live session with this id into out (when not NULL); touch marks it
   used now. Returns 0, or -1 when there is none or it has expired (an
   expired session is removed). */
int web_sessions_get (web_sessions_t *self, const char *id, bool touch, web_session_t *out);

/* End one session; end every session of a member (returns how many). */
void   web_sessions_end (web_sessions_t *self, const char *id);
size_t web_sessions_end_member (web_sessions_t *self, const char *handle);

/* Live sessions now */
size_t web_sessions_size (web_sessions_t *self);

/* Is token this session's CSRF token? Constant time. */
bool web_session_csrf_ok (const web_session_t *session, const char *token);

/* Fill hex (2 * bytes + 1 chars) with random bytes from libsodium */
void web_session_random_hex (char *hex, size_t bytes);

void web_sessions_test (bool verbose);

#endif
