/*  web_accounts.c - podweb's local accounts. See web_accounts.h. */
#include "web_accounts.h"
#include <czmq.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <sys/stat.h>

#define S_HASHES_AT_ONCE 2

typedef struct {
    int fails;
    int64_t since;              //  wall clock seconds: window start
} s_tries_t;

struct _web_accounts_t {
    char *path;
    pthread_mutex_t lock;       //  the file, and tries
    sem_t hashing;              //  argon2id runs at once
    zhashx_t *tries;            //  "h:HANDLE" / "a:ADDRESS" -> s_tries_t
    char dummy [crypto_pwhash_STRBYTES];    //  checked for unknown accounts
};

web_accounts_t *
web_accounts_new (const char *path)
{
    if (sodium_init () < 0)
        return NULL;
    web_accounts_t *self = (web_accounts_t *) zmalloc (sizeof (web_accounts_t));
    self->path = strdup (path);
    pthread_mutex_init (&self->lock, NULL);
    sem_init (&self->hashing, 0, S_HASHES_AT_ONCE);
    self->tries = zhashx_new ();
    zhashx_set_destructor (self->tries, (zhashx_destructor_fn *) zstr_free);
    return self;
}

void
web_accounts_destroy (web_accounts_t **self_p)
{
    web_accounts_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->tries);
        sem_destroy (&self->hashing);
        pthread_mutex_destroy (&self->lock);
        free (self->path);
        free (self);
        *self_p = NULL;
    }
}

bool
web_handle_ok (const char *handle)
{
    if (!handle || !*handle || strlen (handle) > 32)
        return false;
    for (const char *p = handle; *p; p++) {
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
        if (!alnum && (p == handle || !strchr ("._-", *p)))
            return false;
    }
    return true;
}

//  --------------------------------------------------------------------
//  The file: HANDLE SP VALUE LF, read whole, written whole (temp + rename)

//  handle -> value, from the file (empty when it does not exist yet)
static zhashx_t *
s_read (web_accounts_t *self)
{
    zhashx_t *lines = zhashx_new ();
    zhashx_set_destructor (lines, (zhashx_destructor_fn *) zstr_free);
    FILE *file = fopen (self->path, "r");
    if (!file)
        return lines;
    char line [512];
    while (fgets (line, sizeof line, file)) {
        line [strcspn (line, "\r\n")] = 0;
        char *space = strchr (line, ' ');
        if (!space)
            continue;
        *space = 0;
        if (web_handle_ok (line))
            zhashx_update (lines, line, strdup (space + 1));
    }
    fclose (file);
    return lines;
}

static int
s_write (web_accounts_t *self, zhashx_t *lines)
{
    char temp [4096];
    snprintf (temp, sizeof temp, "%s.new", self->path);
    int fd = open (temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *file = fd >= 0? fdopen (fd, "w"): NULL;
    if (!file) {
        if (fd >= 0)
            close (fd);
        return -1;
    }
    for (const char *value = (const char *) zhashx_first (lines); value;
         value = (const char *) zhashx_next (lines))
        fprintf (file, "%s %s\n", (const char *) zhashx_cursor (lines), value);
    int rc = fflush (file) || fsync (fileno (file))? -1: 0;
    if (fclose (file))
        rc = -1;
    if (rc == 0)
        rc = rename (temp, self->path);
    if (rc)
        unlink (temp);
    return rc;
}

//  Set one line (value NULL: remove it) in the file
static int
s_store (web_accounts_t *self, const char *handle, const char *value)
{
    pthread_mutex_lock (&self->lock);
    zhashx_t *lines = s_read (self);
    if (value)
        zhashx_update (lines, handle, strdup (value));
    else
        zhashx_delete (lines, handle);
    int rc = s_write (self, lines);
    zhashx_destroy (&lines);
    pthread_mutex_unlock (&self->lock);
    return rc;
}

static char *
s_value (web_accounts_t *self, const char *handle)
{
    pthread_mutex_lock (&self->lock);
    zhashx_t *lines = s_read (self);
    const char *value = (const char *) zhashx_lookup (lines, handle);
    char *copy = value? strdup (value): NULL;
    zhashx_destroy (&lines);
    pthread_mutex_unlock (&self->lock);
    return copy;
}

//  --------------------------------------------------------------------
//  Passwords

static int
s_password_ok (const char *password, char *reason, size_t reasonlen)
{
    size_t len = password? strlen (password): 0;
    if (len < WEB_PASSWORD_MIN || len > WEB_PASSWORD_MAX) {
        snprintf (reason, reasonlen, "a password has %d to %d characters", WEB_PASSWORD_MIN,
                  WEB_PASSWORD_MAX);
        return -1;
    }
    for (const char *p = password; *p; p++)
        if ((unsigned char) *p < 0x20 || *p == 0x7f) {
            snprintf (reason, reasonlen, "a password has no control characters");
            return -1;
        }
    return 0;
}

int
web_accounts_set_password (web_accounts_t *self, const char *handle, const char *password,
                           char *reason, size_t reasonlen)
{
    if (!web_handle_ok (handle)) {
        snprintf (reason, reasonlen, "not a member handle");
        return -1;
    }
    if (s_password_ok (password, reason, reasonlen))
        return -1;
    char hash [crypto_pwhash_STRBYTES];
    sem_wait (&self->hashing);
    int rc = crypto_pwhash_str (hash, password, strlen (password),
                                crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sem_post (&self->hashing);
    if (rc || s_store (self, handle, hash)) {
        snprintf (reason, reasonlen, "cannot store the password in %s", self->path);
        return -1;
    }
    return 0;
}

int
web_accounts_verify (web_accounts_t *self, const char *handle, const char *password)
{
    //  Same cost whether or not the account exists
    char *value = web_handle_ok (handle)? s_value (self, handle): NULL;
    bool real = value && strncmp (value, "$argon2id$", 10) == 0;
    if (!real) {
        pthread_mutex_lock (&self->lock);
        if (!*self->dummy) {        //  made on first need: a hash of random bytes
            char random [32];
            randombytes_buf (random, sizeof random);
            if (crypto_pwhash_str (self->dummy, random, sizeof random,
                                   crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                   crypto_pwhash_MEMLIMIT_INTERACTIVE))
                self->dummy [0] = 0;
        }
        pthread_mutex_unlock (&self->lock);
    }
    size_t len = password? strlen (password): 0;
    sem_wait (&self->hashing);
    int rc = crypto_pwhash_str_verify (real? value: self->dummy, password? password: "", len);
    sem_post (&self->hashing);
    free (value);
    return real && rc == 0 && len <= WEB_PASSWORD_MAX? 0: -1;
}

//  --------------------------------------------------------------------
//  One-time set-up links

static void
s_token_hash (const char *token, char *hex)
{
    unsigned char digest [32];
    crypto_generichash (digest, sizeof digest, (const unsigned char *) token, strlen (token),
                        NULL, 0);
    sodium_bin2hex (hex, 65, digest, sizeof digest);
}

int
web_accounts_setup_token (web_accounts_t *self, const char *handle, int64_t ttl, char *token)
{
    if (!web_handle_ok (handle))
        return -1;
    unsigned char raw [32];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (token, 65, raw, sizeof raw);
    char hex [65], value [128];
    s_token_hash (token, hex);
    snprintf (value, sizeof value, "setup:%s:%lld", hex, (long long) (time (NULL) + ttl));
    return s_store (self, handle, value);
}

int
web_accounts_redeem (web_accounts_t *self, const char *token, const char *password,
                     char *handle, size_t handlelen, char *reason, size_t reasonlen)
{
    if (!token || strlen (token) != 64) {
        snprintf (reason, reasonlen, "this set-up link is not valid");
        return -1;
    }
    if (s_password_ok (password, reason, reasonlen))
        return -1;
    char hex [65];
    s_token_hash (token, hex);
    pthread_mutex_lock (&self->lock);
    zhashx_t *lines = s_read (self);
    const char *found = NULL;
    long long expires = 0;
    for (const char *value = (const char *) zhashx_first (lines); value && !found;
         value = (const char *) zhashx_next (lines))
        if (strncmp (value, "setup:", 6) == 0 && strlen (value) > 71
        &&  sodium_memcmp (value + 6, hex, 64) == 0 && value [70] == ':') {
            found = (const char *) zhashx_cursor (lines);
            expires = atoll (value + 71);
        }
    int rc = -1;
    if (!found || expires < (long long) time (NULL))
        snprintf (reason, reasonlen, "this set-up link is not valid, used or out of date: "
                  "ask your administrator for a new one");
    else {
        snprintf (handle, handlelen, "%s", found);
        rc = 0;
    }
    zhashx_destroy (&lines);
    pthread_mutex_unlock (&self->lock);
    //  Hash outside the lock; a second use of the token finds a password
    if (rc == 0)
        rc = web_accounts_set_password (self, handle, password, reason, reasonlen);
    return rc;
}

//  --------------------------------------------------------------------
//  Rate limits

static int
s_wait (web_accounts_t *self, const char *key, int limit, int64_t now)
{
    s_tries_t *tries = (s_tries_t *) zhashx_lookup (self->tries, key);
    if (!tries || now - tries->since >= WEB_FAILS_WINDOW || tries->fails < limit)
        return 0;
    return (int) (tries->since + WEB_FAILS_WINDOW - now);
}

int
web_accounts_throttled (web_accounts_t *self, const char *handle, const char *address)
{
    char key [128];
    int64_t now = time (NULL);
    pthread_mutex_lock (&self->lock);
    snprintf (key, sizeof key, "h:%.40s", handle? handle: "");
    int wait = s_wait (self, key, WEB_FAILS_ACCOUNT, now);
    snprintf (key, sizeof key, "a:%.80s", address? address: "");
    int wait2 = s_wait (self, key, WEB_FAILS_ADDRESS, now);
    pthread_mutex_unlock (&self->lock);
    return wait > wait2? wait: wait2;
}

static void
s_count (web_accounts_t *self, const char *key, int64_t now)
{
    s_tries_t *tries = (s_tries_t *) zhashx_lookup (self->tries, key);
    if (!tries) {
        if (zhashx_size (self->tries) > 100000)
            zhashx_purge (self->tries);         //  bounded memory under attack
        tries = (s_tries_t *) zmalloc (sizeof (s_tries_t));
        tries->since = now;
        zhashx_update (self->tries, key, tries);
    }
    if (now - tries->since >= WEB_FAILS_WINDOW) {
        tries->since = now;
        tries->fails = 0;
    }
    tries->fails++;
}

void
web_accounts_failed (web_accounts_t *self, const char *handle, const char *address)
{
    char key [128];
    int64_t now = time (NULL);
    pthread_mutex_lock (&self->lock);
    snprintf (key, sizeof key, "h:%.40s", handle? handle: "");
    s_count (self, key, now);
    snprintf (key, sizeof key, "a:%.80s", address? address: "");
    s_count (self, key, now);
    pthread_mutex_unlock (&self->lock);
}

void
web_accounts_test (bool verbose)
{
    if (verbose)
        printf (" * web_accounts: ");
    char path [] = "/tmp/podweb-accounts-XXXXXX";
    int fd = mkstemp (path);
    assert (fd >= 0);
    close (fd);
    unlink (path);
    web_accounts_t *accounts = web_accounts_new (path);
    char reason [256];
    assert (web_handle_ok ("dev.sw") && !web_handle_ok ("Dev") && !web_handle_ok (".x"));
    assert (web_accounts_set_password (accounts, "dev.sw", "short", reason, sizeof reason) == -1);
    assert (web_accounts_set_password (accounts, "dev.sw", "correct horse", reason, sizeof reason) == 0);
    struct stat st;
    assert (stat (path, &st) == 0 && (st.st_mode & 0777) == 0600);
    assert (web_accounts_verify (accounts, "dev.sw", "correct horse") == 0);
    assert (web_accounts_verify (accounts, "dev.sw", "correct horsE") == -1);
    assert (web_accounts_verify (accounts, "erin.sw", "correct horse") == -1);
    assert (web_accounts_verify (accounts, "dev.sw", NULL) == -1);
    //  a set-up link replaces the password, works once
    char token [65], handle [33];
    assert (web_accounts_setup_token (accounts, "dev.sw", 3600, token) == 0);
    assert (web_accounts_verify (accounts, "dev.sw", "correct horse") == -1);
    assert (web_accounts_redeem (accounts, token, "battery staple", handle, sizeof handle,
                                 reason, sizeof reason) == 0);
    assert (streq (handle, "dev.sw"));
    assert (web_accounts_verify (accounts, "dev.sw", "battery staple") == 0);
    assert (web_accounts_redeem (accounts, token, "battery staple 2", handle, sizeof handle,
                                 reason, sizeof reason) == -1);
    assert (web_accounts_setup_token (accounts, "erin.sw", -1, token) == 0);
    assert (web_accounts_redeem (accounts, token, "battery staple", handle, sizeof handle,
                                 reason, sizeof reason) == -1);
    //  rate limits
    for (int i = 0; i < WEB_FAILS_ACCOUNT; i++) {
        assert (web_accounts_throttled (accounts, "dev.sw", "127.0.0.1") == 0);
        web_accounts_failed (accounts, "dev.sw", "127.0.0.1");
    }
    assert (web_accounts_throttled (accounts, "dev.sw", "127.0.0.2") > 0);
    assert (web_accounts_throttled (accounts, "erin.sw", "127.0.0.1") == 0);
    web_accounts_destroy (&accounts);
    unlink (path);
    if (verbose)
        printf ("OK\n");
}
