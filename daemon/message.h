/*  message.h - plain-text e-mail messages (reminders, notices).

    Owns: building a complete RFC 5322 message with GMime for the mail
    that is not an invitation (invitations are calendar.c's): From with
    the pod's name, To and Cc, a Subject RFC 2047-encoded when it is not
    ASCII, our own Message-ID on the pod's mail domain, Date, and a
    text/plain; charset=UTF-8 body in quoted-printable. Every address and
    header value is checked first: no CR/LF or other control characters,
    an address is local@domain, a subject is 1..200 octets. Pure: no
    sockets, no SQL.
*/
#ifndef PODD_MESSAGE_H_INCLUDED
#define PODD_MESSAGE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PODD_SUBJECT_MAX 200
/*  Message-IDs podd writes: "podd." + up to 16 hex digits of time + "." +
    16 hex digits of randomness, "@", the mail-domain (at most
    PODD_MAIL_DOMAIN_MAX, checked by the config loader). At most
    PODD_MESSAGE_ID_MAX octets without <>, what calendar.c accepts too. */
#define PODD_MESSAGE_ID_LOCAL_MAX 38
#define PODD_MESSAGE_ID_MAX 250

typedef struct {
    const char *name;           /* display name, may be NULL */
    const char *address;
} podd_mailbox_t;

//  Build the message into *out (malloc'd, NUL-terminated, CRLF); 0, or -1
//  with a static reason.
int podd_message_text (const podd_mailbox_t *from, const podd_mailbox_t *to, size_t to_count,
                       const podd_mailbox_t *cc, size_t cc_count, const char *subject,
                       const char *body, const char *message_id, int64_t date,
                       char **out, size_t *size, const char **reason);

//  A new Message-ID "podd.<time>.<random>@domain" (without <>) into buf
//  (size PODD_MESSAGE_ID_MAX + 1 holds every one); 0, or -1 with buf ""
//  when it does not fit.
int podd_message_id (const char *domain, char *buf, size_t size);

//  The domain of a pod's mailbox (what follows its last '@'), for the
//  Message-IDs and UIDs of the mail it sends; fallback when it has none.
const char *podd_message_domain (const char *mailbox, const char *fallback);

//  Header text (a subject or display name) as RFC 2047 encoded-words
//  (UTF-8, base64, each at most 75 characters, separated by spaces) when
//  it needs encoding: non-ASCII, or text that looks like an encoded-word
//  ("=?"), which a mail client would otherwise decode instead of showing
//  it. Else a copy. phrase: a display name ("?b?", as GMime writes them)
//  rather than unstructured text ("?B?"). Free with free().
char *podd_message_encode_words (const char *text, bool phrase);

void podd_message_test (bool verbose);

#endif
