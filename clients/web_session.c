/*  web_session.c - podweb's browser sessions. See web_session.h. */
#include "web_session.h"
#include <czmq.h>
#include <pthread.h>
#include <sodium.h>

struct _web_sessions_t {
    pthread_mutex_t lock;
    zhashx_t *table;            //  id -> web_session_t *
    int64_t idle_ms;
    int64_t absolute_ms;
};

web_sessions_t *
web_sessions_new (int64_t idle_ms, int64_t absolute_ms)
{
    web_sessions_t *self = (web_sessions_t *) zmalloc (sizeof (web_sessions_t));
    pthread_mutex_init (&self->lock, NULL);
    self->table = zhashx_new ();
    zhashx_set_destructor (self->table, (zhashx_destructor_fn *) zstr_free);
    self->idle_ms = idle_ms;
    self->absolute_ms = absolute_ms;
    return self;
}

void
web_sessions_destroy (web_sessions_t **self_p)
{
    web_sessions_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->table);
        pthread_mutex_destroy (&self->lock);
        free (self);
        *self_p = NULL;
    }
}

void
web_session_random_hex (char *hex, size_t bytes)
{
    unsigned char raw [64];
    assert (bytes <= sizeof raw);
    randombytes_buf (raw, bytes);
    sodium_bin2hex (hex, 2 * bytes + 1, raw, bytes);
    sodium_memzero (raw, sizeof raw);
}

static bool
s_expired (web_sessions_t *self, web_session_t *session, int64_t now)
{
    return now - session->last_seen >= self->idle_ms
        || now - session->created >= self->absolute_ms;
}

//  Remove expired sessions; caller holds the lock
static void
s_purge (web_sessions_t *self, int64_t now)
{
    zlistx_t *gone = zlistx_new ();
    for (web_session_t *session = (web_session_t *) zhashx_first (self->table); session;
         session = (web_session_t *) zhashx_next (self->table))
        if (s_expired (self, session, now))
            zlistx_add_end (gone, (void *) zhashx_cursor (self->table));
    for (const char *id = (const char *) zlistx_first (gone); id;
         id = (const char *) zlistx_next (gone))
        zhashx_delete (self->table, id);
    zlistx_destroy (&gone);
}

void
web_sessions_create (web_sessions_t *self, const char *handle, web_session_t *out)
{
    web_session_t *session = (web_session_t *) zmalloc (sizeof (web_session_t));
    web_session_random_hex (session->id, 32);
    web_session_random_hex (session->csrf, 32);
    snprintf (session->handle, sizeof session->handle, "%s", handle);
    session->created = session->last_seen = zclock_mono ();
    pthread_mutex_lock (&self->lock);
    s_purge (self, session->created);
    zhashx_update (self->table, session->id, session);
    *out = *session;
    pthread_mutex_unlock (&self->lock);
}

int
web_sessions_get (web_sessions_t *self, const char *id, bool touch, web_session_t *out)
{
    if (!id || strlen (id) != WEB_SESSION_ID_LEN)
        return -1;
    int rc = -1;
    int64_t now = zclock_mono ();
    pthread_mutex_lock (&self->lock);
    web_session_t *session = (web_session_t *) zhashx_lookup (self->table, id);
    if (session && s_expired (self, session, now))
        zhashx_delete (self->table, id);
    else
    if (session) {
        if (touch)
            session->last_seen = now;
        if (out)
            *out = *session;
        rc = 0;
    }
    pthread_mutex_unlock (&self->lock);
    return rc;
}

void
web_sessions_end (web_sessions_t *self, const char *id)
{
    pthread_mutex_lock (&self->lock);
    if (id)
        zhashx_delete (self->table, id);
    pthread_mutex_unlock (&self->lock);
}

size_t
web_sessions_end_member (web_sessions_t *self, const char *handle)
{
    pthread_mutex_lock (&self->lock);
    zlistx_t *gone = zlistx_new ();
    for (web_session_t *session = (web_session_t *) zhashx_first (self->table); session;
         session = (web_session_t *) zhashx_next (self->table))
        if (streq (session->handle, handle))
            zlistx_add_end (gone, (void *) zhashx_cursor (self->table));
    size_t count = zlistx_size (gone);
    for (const char *id = (const char *) zlistx_first (gone); id;
         id = (const char *) zlistx_next (gone))
        zhashx_delete (self->table, id);
    zlistx_destroy (&gone);
    pthread_mutex_unlock (&self->lock);
    return count;
}

size_t
web_sessions_size (web_sessions_t *self)
{
    pthread_mutex_lock (&self->lock);
    s_purge (self, zclock_mono ());
    size_t size = zhashx_size (self->table);
    pthread_mutex_unlock (&self->lock);
    return size;
}

bool
web_session_csrf_ok (const web_session_t *session, const char *token)
{
    return token && strlen (token) == WEB_SESSION_ID_LEN
        && sodium_memcmp (session->csrf, token, WEB_SESSION_ID_LEN) == 0;
}

void
web_sessions_test (bool verbose)
{
    if (verbose)
        printf (" * web_session: ");
    web_sessions_t *sessions = web_sessions_new (200, 1000);
    web_session_t a, b, got;
    web_sessions_create (sessions, "dev.sw", &a);
    web_sessions_create (sessions, "dev.sw", &b);
    assert (strlen (a.id) == 64 && strlen (a.csrf) == 64);
    assert (strcmp (a.id, b.id) && strcmp (a.id, a.csrf));
    assert (web_sessions_get (sessions, a.id, true, &got) == 0);
    assert (streq (got.handle, "dev.sw"));
    assert (web_session_csrf_ok (&got, a.csrf));
    assert (!web_session_csrf_ok (&got, b.csrf));
    assert (!web_session_csrf_ok (&got, NULL));
    assert (!web_session_csrf_ok (&got, "short"));
    assert (web_sessions_get (sessions, "nope", true, &got) == -1);
    //  idle: b untouched expires, a touched survives
    zclock_sleep (120);
    assert (web_sessions_get (sessions, a.id, true, NULL) == 0);
    zclock_sleep (120);
    assert (web_sessions_get (sessions, b.id, false, NULL) == -1);
    assert (web_sessions_get (sessions, a.id, false, NULL) == 0);
    web_sessions_end (sessions, a.id);
    assert (web_sessions_get (sessions, a.id, false, NULL) == -1);
    web_sessions_create (sessions, "erin.sw", &a);
    web_sessions_create (sessions, "erin.sw", &b);
    assert (web_sessions_end_member (sessions, "erin.sw") == 2);
    assert (web_sessions_size (sessions) == 0);
    web_sessions_destroy (&sessions);
    //  absolute: use does not keep a session past it
    sessions = web_sessions_new (10000, 250);
    web_sessions_create (sessions, "dev.sw", &a);
    for (int i = 0; i < 4; i++) {
        zclock_sleep (50);
        assert (web_sessions_get (sessions, a.id, true, NULL) == 0);
    }
    zclock_sleep (100);
    assert (web_sessions_get (sessions, a.id, true, NULL) == -1);
    web_sessions_destroy (&sessions);
    assert (!sessions);
    if (verbose)
        printf ("OK\n");
}
