/*  web_accounts.h - podweb's local accounts: passwords and set-up links.

    Owns: podweb's password file (mode 0600, one line per member:
    "HANDLE $argon2id$..." or "HANDLE setup:HASH:EXPIRES" for a one-time
    set-up link not yet used), argon2id hashing with libsodium
    (crypto_pwhash_str, at most two hashes at once so sign-in storms do
    not exhaust memory), and sign-in rate limits per account and per
    address. podd never sees a password and never hashes one.
    Thread-safe. The file is re-read on every use, so `podweb password`
    and `podweb link` work while podweb is serving.
*/
#ifndef WEB_ACCOUNTS_H_INCLUDED
#define WEB_ACCOUNTS_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define WEB_PASSWORD_MIN    10      /* octets */
#define WEB_PASSWORD_MAX    256
#define WEB_FAILS_ACCOUNT   5       /* failed sign-ins per account per window */
#define WEB_FAILS_ADDRESS   20      /* failed sign-ins per address per window */
#define WEB_FAILS_WINDOW    900     /* seconds */

typedef struct _web_accounts_t web_accounts_t;

web_accounts_t *web_accounts_new (const char *path);
void web_accounts_destroy (web_accounts_t **self_p);

/* Is handle a member handle's syntax? [a-z0-9][a-z0-9._-]{0,31} */
bool web_handle_ok (const char *handle);

/* Set handle's password (argon2id). 0, or -1 with reason. */
int web_accounts_set_password (web_accounts_t *self, const char *handle, const char *password,
                               char *reason, size_t reasonlen);

/* 0 when handle has a password and it is this one, else -1 (an unknown
   handle costs a hash too). */
int web_accounts_verify (web_accounts_t *self, const char *handle, const char *password);

/* A one-time set-up token for handle, valid ttl seconds, replacing any
   password; token gets 64 hex characters. 0 or -1. */
int web_accounts_setup_token (web_accounts_t *self, const char *handle, int64_t ttl,
                              char *token);

/* Use a set-up token to set a password: 0 and the handle, or -1 with
   reason (unknown, used or expired token, weak password). */
int web_accounts_redeem (web_accounts_t *self, const char *token, const char *password,
                         char *handle, size_t handlelen, char *reason, size_t reasonlen);

/* Seconds until handle or address may try again (0 = now). */
int  web_accounts_throttled (web_accounts_t *self, const char *handle, const char *address);
void web_accounts_failed (web_accounts_t *self, const char *handle, const char *address);

void web_accounts_test (bool verbose);

#endif
