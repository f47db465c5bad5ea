/*  message.c - plain-text e-mail messages. See message.h. */
#include "message.h"
#include "config.h"
#include <gmime/gmime.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static void
s_gmime_init (void)
{
    static gsize initialised = 0;
    if (g_once_init_enter (&initialised)) {
        g_mime_init ();
        g_once_init_leave (&initialised, 1);
    }
}

//  UTF-8 with no control characters at all (so no CR/LF)
static bool
s_header_ok (const char *text)
{
    if (!text || !g_utf8_validate (text, -1, NULL))
        return false;
    for (const char *p = text; *p; p = g_utf8_next_char (p)) {
        gunichar c = g_utf8_get_char (p);
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
            return false;
    }
    return true;
}

static int
s_add_mailboxes (InternetAddressList *list, const podd_mailbox_t *boxes, size_t count,
                 const char **reason)
{
    for (size_t i = 0; i < count; i++) {
        if (!podd_valid_email (boxes [i].address)) {
            *reason = "an address is not local@domain or has forbidden characters";
            return -1;
        }
        if (boxes [i].name && !s_header_ok (boxes [i].name)) {
            *reason = "a display name has control characters or line breaks";
            return -1;
        }
        char *name = boxes [i].name? podd_message_encode_words (boxes [i].name, true): NULL;
        InternetAddress *address = internet_address_mailbox_new (name, boxes [i].address);
        free (name);
        internet_address_set_charset (address, "utf-8");
        internet_address_list_add (list, address);
        g_object_unref (address);
    }
    return 0;
}

int
podd_message_text (const podd_mailbox_t *from, const podd_mailbox_t *to, size_t to_count,
                   const podd_mailbox_t *cc, size_t cc_count, const char *subject,
                   const char *body, const char *message_id, int64_t date,
                   char **out, size_t *size, const char **reason)
{
    s_gmime_init ();
    *out = NULL;
    if (!to_count) {
        *reason = "no recipient";
        return -1;
    }
    if (!subject || !*subject || strlen (subject) > PODD_SUBJECT_MAX || !s_header_ok (subject)) {
        *reason = "subject must be 1..200 octets without control characters";
        return -1;
    }
    if (!message_id || !podd_valid_email (message_id)) {
        *reason = "bad Message-ID";
        return -1;
    }
    if (!body || !g_utf8_validate (body, -1, NULL)) {
        *reason = "body is not UTF-8";
        return -1;
    }
    GMimeMessage *message = g_mime_message_new (TRUE);
    int rc = -1;
    if (s_add_mailboxes (g_mime_message_get_from (message), from, 1, reason)
    ||  s_add_mailboxes (g_mime_message_get_to (message), to, to_count, reason)
    ||  s_add_mailboxes (g_mime_message_get_cc (message), cc, cc_count, reason))
        goto done;
    char *encoded = podd_message_encode_words (subject, false);
    g_mime_message_set_subject (message, encoded, "utf-8");
    free (encoded);
    g_mime_message_set_message_id (message, message_id);
    GDateTime *when = g_date_time_new_from_unix_utc ((gint64) date);
    g_mime_message_set_date (message, when);
    g_date_time_unref (when);

    //  The body goes in as UTF-8 bytes, declared UTF-8 (GMime would
    //  otherwise pick a legacy charset), quoted-printable
    GMimePart *text = g_mime_part_new_with_type ("text", "plain");
    g_mime_object_set_content_type_parameter (GMIME_OBJECT (text), "charset", "utf-8");
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer (body, strlen (body));
    GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream (stream,
                                                                     GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content (text, content);
    g_mime_part_set_content_encoding (text, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    g_object_unref (content);
    g_object_unref (stream);
    g_mime_message_set_mime_part (message, GMIME_OBJECT (text));
    g_object_unref (text);

    GMimeFormatOptions *options = g_mime_format_options_clone (NULL);
    g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
    char *bytes = g_mime_object_to_string (GMIME_OBJECT (message), options);
    g_mime_format_options_free (options);
    if (bytes) {
        *size = strlen (bytes);
        *out = strdup (bytes);
        g_free (bytes);
        rc = 0;
    }
    else
        *reason = "GMime could not write the message";
done:
    g_object_unref (message);
    return rc;
}

const char *
podd_message_domain (const char *mailbox, const char *fallback)
{
    const char *at = mailbox? strrchr (mailbox, '@'): NULL;
    return at && at [1]? at + 1: fallback;
}

#define S_WORD_OCTETS 45    /* 60 base64 characters: "=?UTF-8?B?" + 60 + "?=" = 72 */

static bool
s_needs_encoded_words (const char *text)
{
    for (const unsigned char *s = (const unsigned char *) text; *s; s++)
        if (*s >= 0x80)
            return true;
    return strstr (text, "=?") != NULL;
}

char *
podd_message_encode_words (const char *text, bool phrase)
{
    if (!s_needs_encoded_words (text))
        return strdup (text);
    GString *out = g_string_new (NULL);
    size_t len = strlen (text), pos = 0;
    while (pos < len) {
        size_t take = len - pos < S_WORD_OCTETS? len - pos: S_WORD_OCTETS;
        //  never split a UTF-8 sequence between two words
        while (take > 1 && pos + take < len && ((unsigned char) text [pos + take] & 0xC0) == 0x80)
            take--;
        gchar *b64 = g_base64_encode ((const guchar *) text + pos, take);
        g_string_append_printf (out, "%s=?UTF-8?%s?%s?=", pos? " ": "", phrase? "b": "B", b64);
        g_free (b64);
        pos += take;
    }
    char *result = strdup (out->str);
    g_string_free (out, TRUE);
    return result;
}

_Static_assert (PODD_MESSAGE_ID_LOCAL_MAX == sizeof "podd." - 1 + 16 + 1 + 16,
                "the local part of a Message-ID");
_Static_assert (PODD_MESSAGE_ID_LOCAL_MAX + 1 + PODD_MAIL_DOMAIN_MAX <= PODD_MESSAGE_ID_MAX,
                "every configurable mail-domain fits a Message-ID");

int
podd_message_id (const char *domain, char *buf, size_t size)
{
    uint64_t random = 0;
    if (getrandom (&random, sizeof random, 0) != sizeof random)
        random = (uint64_t) (uintptr_t) buf ^ (uint64_t) time (NULL);
    int len = snprintf (buf, size, "podd.%llx.%016llx@%s", (unsigned long long) time (NULL),
                        (unsigned long long) random, domain);
    if (len < 0 || (size_t) len >= size || len > PODD_MESSAGE_ID_MAX) {
        if (size)
            buf [0] = 0;
        return -1;
    }
    return 0;
}

void
podd_message_test (bool verbose)
{
    if (verbose)
        printf (" * message: ");
    podd_mailbox_t from = { "Pod North", "pod-north@pod-north.example" };
    podd_mailbox_t to [] = { { "Siân Llŷr", "sian.sw@pod-north.example" } };
    podd_mailbox_t cc [] = { { NULL, "alice.tm@pod-north.example" } };
    char *out = NULL, id [128];
    size_t size = 0;
    const char *reason = NULL;
    podd_message_id ("pod-north.example", id, sizeof id);
    assert (podd_valid_email (id));
    int rc = podd_message_text (&from, to, 1, cc, 1, "Reminder: task 7 due Tue 15 Dec",
                                "Line one\nLine two £5\n", id, 1790000000, &out, &size, &reason);
    assert (rc == 0 && out && size == strlen (out));
    assert (strstr (out, "\r\nSubject: Reminder: task 7 due Tue 15 Dec\r\n"));
    assert (strstr (out, "Message-Id: <") || strstr (out, "Message-ID: <"));
    assert (strcasestr (out, "=?utf-8?"));          //  the Welsh name is encoded
    assert (strcasestr (out, "charset=utf-8"));
    assert (strstr (out, "=C2=A35"));               //  the pound sign, UTF-8, quoted-printable
    assert (!strstr (out, "Siân"));
    assert (strstr (out, "Cc: alice.tm@pod-north.example"));
    free (out);
    //  Refusals: nothing built
    podd_mailbox_t evil [] = { { "X", "x@y.example\r\nBcc: z@evil.example" } };
    assert (podd_message_text (&from, evil, 1, NULL, 0, "s", "b", id, 0, &out, &size, &reason) == -1);
    assert (!out);
    podd_mailbox_t evil_name [] = { { "X\r\nBcc: z@evil.example", "x@y.example" } };
    assert (podd_message_text (&from, evil_name, 1, NULL, 0, "s", "b", id, 0, &out, &size, &reason) == -1);
    assert (podd_message_text (&from, to, 1, NULL, 0, "a\r\nBcc: z@evil.example", "b", id, 0,
                               &out, &size, &reason) == -1);
    assert (podd_message_text (&from, to, 1, NULL, 0, "", "b", id, 0, &out, &size, &reason) == -1);
    char long_subject [300];
    memset (long_subject, 'x', sizeof long_subject - 1);
    long_subject [sizeof long_subject - 1] = 0;
    assert (podd_message_text (&from, to, 1, NULL, 0, long_subject, "b", id, 0, &out, &size, &reason) == -1);
    assert (podd_message_text (&from, to, 0, NULL, 0, "s", "b", id, 0, &out, &size, &reason) == -1);
    if (verbose)
        printf ("OK\n");
}
