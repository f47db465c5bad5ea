/*  config.c - podd configuration: loading, validation, defaults.
    See config.h.

    The file is ZPL, read with CZMQ's zconfig. zconfig keeps no line
    numbers, so before handing the text to zconfig we scan it ourselves
    with the same line syntax zconfig uses (4-space indentation, name,
    optional "= value", "#" comments). The scan reports syntax errors with
    their line and records every key line in order; a pre-order walk of
    the zconfig tree then pairs each node with its line, so every
    validation error can name "FILE:LINE". That scan lives in zpl.c,
    shared with the practice standards loader.
*/
#include "config.h"
#include "zpl.h"
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PATH_LEN    1024
#define MAX_NAME        128
#define MAX_EMAIL       254
#define MAX_DOMAIN      253
#define MAX_SKILLS      256
#define MAX_SKILL       64
#define MAX_PATTERN     64
#define MAX_ENDPOINT    256
#define MAX_MESSAGE     512
#define MAX_CREDENTIAL  256         //  mail user / password, octets
#define SHOW_MAX        PODD_ZPL_SHOW_MAX   //  buffer for a value quoted in a message

#define DEFAULT_ENDPOINT        "tcp://127.0.0.1:5670"
#define DEFAULT_DATABASE        "var/podd.db"
#define DEFAULT_CERTS           "var/certs"
#define DEFAULT_SERVER_CERT     "var/keys/podd.cert"
#define DEFAULT_SECURITY        "curve"
#define DEFAULT_MAX_BODY        65536
#define DEFAULT_HEARTBEAT       5000
#define DEFAULT_CLIENT_TIMEOUT  15000
#define DEFAULT_MAIL_DOMAIN     "pod.example"
#define DEFAULT_SMTP            ""
#define DEFAULT_SPOOL           "var/spool"
#define DEFAULT_STARTTLS        "optional"
#define DEFAULT_MAIL_TIMEOUT    30          //  seconds
#define DEFAULT_RETRY_BASE      60          //  seconds
#define DEFAULT_RETRY_HORIZON   72          //  hours
#define DEFAULT_REMIND          "7,1"       //  days before due
#define DEFAULT_SEND_HOUR       8
#define DEFAULT_OVERDUE_DAILY   true
#define DEFAULT_ESCALATE_AFTER  3           //  working days overdue
#define MAX_REMIND_DAY          365
#define DEFAULT_PATTERN         "mon-fri"

const char *podd_roles [PODD_ROLE_COUNT] = {
    "team-manager",
    "senior-practitioner",
    "social-worker",
    "support-assessment-worker",
    "support-worker",
    "coordinator",
    "family-intervention-worker"
};

#define ALL_ROLES   ((1u << PODD_ROLE_COUNT) - 1)

//  Built-in task kinds, used when the file has no kinds section. The
//  shipped config/podd.conf spells out the same table.
#define QUALIFIED   "social-worker,senior-practitioner,team-manager"
static const struct {
    const char *name;
    const char *roles;          //  NULL = all roles
    int duration;               //  minutes (meetings)
    int due;                    //  hours after creation
    bool meeting;
    bool urgent;
    const char *remind;         //  days before due, as in the file
} s_builtin_kinds [] = {
    { "stability-meeting", QUALIFIED,                   90, 120, true,  true,  "7,1" },
    { "pod-meeting",       QUALIFIED,                   60, 168, true,  false, "7,1" },
    { "handover-visit",    QUALIFIED,                   60,  72, true,  false, "7,1" },
    { "welcome-pack",      "support-worker,support-assessment-worker,"
                           "coordinator,social-worker",  0,  48, false, false, "7,1" },
    { "leave-cover",       QUALIFIED,                    0,  24, false, false, "7,1" },
    { "statutory-visit",   QUALIFIED,                    0, 120, false, true,  "7,1" },
    { "review",            QUALIFIED,                   90, 336, true,  false, "7,1" },
    { "general",           NULL,                         0, 168, false, false, "7,1" }
};
#define BUILTIN_KINDS (sizeof (s_builtin_kinds) / sizeof (s_builtin_kinds [0]))
//  The built-in kinds that are statutory work (statutory = 1 in the file)
static const char *const s_builtin_statutory [] = { "statutory-visit", "review", NULL };

struct _podd_config_t {
    char *endpoint;
    char *database;
    char *certs;
    char *server_cert;
    bool insecure;
    bool registered_only;       /* security = curve-registered */
    size_t max_body;
    int heartbeat;
    int client_timeout;
    char *mail_domain;
    char *smtp;
    char *spool;
    int starttls;               //  0 off, 1 optional, 2 required
    char *mail_user;
    char *mail_password;
    int mail_timeout;           //  seconds
    char *mail_from;
    char *mail_gateway;         //  handle whose key may INGEST-MAIL for every pod, or ""
    int retry_base;             //  seconds
    int64_t retry_horizon;      //  seconds
    int remind_hour;
    bool overdue_daily;
    int escalate_after;         //  working days
    podd_kind_t *kinds;
    size_t kind_count;
    podd_pod_cfg_t *pods;
    size_t pod_count;
    podd_member_cfg_t *members;
    size_t member_count;
    zlistx_t *gateways;         //  handles of gateway keys (podweb), char *
};

//  Loading state; lives only for one podd_config_load_str call
typedef struct {
    const char *name;           //  file name for messages
    char *err;
    size_t errlen;
    bool failed;
    podd_zpl_t *zpl;            //  the text with its line numbers
    podd_config_t *config;
} s_loader_t;


//  --------------------------------------------------------------------------
//  Small helpers


static void
s_set (char **field, const char *value)
{
    free (*field);
    *field = podd_zpl_strdup (value);
}


//  Printable form of a value for messages (see podd_zpl_show). Returns
//  buf (SHOW_MAX bytes).
static const char *
s_show (const char *s, char *buf)
{
    return podd_zpl_show (s, buf);
}

static bool
s_digits_in_range (const char *s, long min, long max, long *out)
{
    size_t len = strlen (s);
    if (len == 0 || len > 12)
        return false;
    long value = 0;
    for (size_t i = 0; i < len; i++) {
        if (s [i] < '0' || s [i] > '9')
            return false;
        value = value * 10 + (s [i] - '0');
    }
    if (value < min || value > max)
        return false;
    if (out)
        *out = value;
    return true;
}

//  Valid UTF-8 without control characters, at most max octets
static bool
s_valid_text (const char *s, size_t max)
{
    return podd_zpl_valid_text (s, max);
}

//  Domain: labels of [A-Za-z0-9-], at least one dot, no empty label
static bool
s_valid_domain (const char *s, size_t len)
{
    if (len == 0 || len > MAX_DOMAIN || s [0] == '.' || s [len - 1] == '.')
        return false;
    bool dot = false;
    for (size_t i = 0; i < len; i++) {
        char c = s [i];
        if (c == '.') {
            if (s [i + 1] == '.')
                return false;
            dot = true;
        }
        else
        if (!(isalnum ((unsigned char) c) && (unsigned char) c < 0x80) && c != '-')
            return false;
    }
    return dot;
}

//  Port: 1..65535, digits only
static bool
s_valid_port (const char *s)
{
    return s_digits_in_range (s, 1, 65535, NULL) && s [0] != '0';
}

//  Filesystem path value: non-empty, no control characters
static bool
s_valid_path (const char *s)
{
    return *s && strlen (s) <= MAX_PATH_LEN && s_valid_text (s, MAX_PATH_LEN);
}

//  Host part of a tcp:// endpoint (between "tcp://" and the last ':'),
//  copied into host (MAX_ENDPOINT + 1). Returns the port, or NULL.
static const char *
s_tcp_split (const char *endpoint, char *host)
{
    const char *rest = endpoint + strlen ("tcp://");
    const char *colon = strrchr (rest, ':');
    if (!colon || colon == rest)
        return NULL;
    memcpy (host, rest, colon - rest);
    host [colon - rest] = 0;
    return colon + 1;
}

static bool
s_valid_endpoint (const char *s)
{
    size_t len = strlen (s);
    if (len > MAX_ENDPOINT)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) s [i] <= 0x20 || (unsigned char) s [i] >= 0x7f)
            return false;
    if (strncmp (s, "tcp://", 6) == 0) {
        char host [MAX_ENDPOINT + 1];
        const char *port = s_tcp_split (s, host);
        if (!port)
            return false;
        for (char *h = host; *h; h++)
            if (!isalnum ((unsigned char) *h) && !strchr (".-_*:[];", *h))
                return false;
        return streq (port, "*") || s_valid_port (port);
    }
    if (strncmp (s, "ipc://", 6) == 0)
        return len > 6;
    if (strncmp (s, "inproc://", 9) == 0)
        return len > 9;
    return false;
}

//  Endpoints nobody off this machine can reach: ipc://, inproc:// and
//  tcp:// on the loopback address
static bool
s_local_endpoint (const char *s)
{
    if (strncmp (s, "ipc://", 6) == 0 || strncmp (s, "inproc://", 9) == 0)
        return true;
    if (strncmp (s, "tcp://", 6) == 0) {
        char host [MAX_ENDPOINT + 1];
        if (strlen (s) > MAX_ENDPOINT || !s_tcp_split (s, host))
            return false;
        return streq (host, "127.0.0.1") || streq (host, "localhost")
            || streq (host, "[::1]");
    }
    return false;
}

//  SMTP relay "host:port", or "" for the spool
static bool
s_valid_smtp (const char *s)
{
    if (*s == 0)
        return true;
    const char *colon = strrchr (s, ':');
    if (!colon || colon == s || !s_valid_port (colon + 1))
        return false;
    size_t hostlen = colon - s;
    if (s [0] == '[') {                 //  [IPv6]
        if (hostlen < 3 || s [hostlen - 1] != ']')
            return false;
        for (size_t i = 1; i < hostlen - 1; i++)
            if (!isxdigit ((unsigned char) s [i]) && s [i] != ':' && s [i] != '.')
                return false;
        return true;
    }
    if (hostlen > MAX_DOMAIN)
        return false;
    for (size_t i = 0; i < hostlen; i++)
        if (!isalnum ((unsigned char) s [i]) && s [i] != '.' && s [i] != '-')
            return false;
    return s [0] != '.' && s [0] != '-';
}

//  Comma-separated role names into a bitmask; 0 if empty, -1 with the
//  offending item copied into bad (SHOW_MAX) when invalid.
static long
s_parse_roles (const char *s, char *bad)
{
    unsigned mask = 0;
    const char *item = s;
    if (*s == 0) {
        bad [0] = 0;
        return 0;
    }
    while (true) {
        const char *end = strchr (item, ',');
        size_t len = end? (size_t) (end - item): strlen (item);
        char word [64];
        int role = -1;
        if (len < sizeof (word)) {
            memcpy (word, item, len);
            word [len] = 0;
            role = podd_role_index (word);
        }
        if (role < 0) {
            char copy [SHOW_MAX];
            size_t n = len < SHOW_MAX - 1? len: SHOW_MAX - 1;
            memcpy (copy, item, n);
            copy [n] = 0;
            s_show (copy, bad);
            return -1;
        }
        mask |= 1u << role;
        if (!end)
            break;
        item = end + 1;
    }
    return mask;
}

static void
s_role_list (char *buf, size_t size)
{
    size_t out = 0;
    buf [0] = 0;
    for (int i = 0; i < PODD_ROLE_COUNT && out < size; i++)
        out += snprintf (buf + out, size - out, "%s%s", i? ", ": "", podd_roles [i]);
}


//  Reminder days: "" or a comma-separated list of distinct whole numbers
//  0..MAX_REMIND_DAY, at most PODD_REMIND_MAX, no spaces. Fills days
//  (sorted descending) and count and returns 0; or returns -1 with the
//  reason in why (e.g. "day 7 is listed twice").
static int
s_parse_remind (const char *s, int *days, size_t *count, char *why, size_t whylen)
{
    *count = 0;
    if (*s == 0)
        return 0;
    const char *item = s;
    while (true) {
        const char *end = strchr (item, ',');
        size_t len = end? (size_t) (end - item): strlen (item);
        char word [16];
        long day = -1;
        bool digits = len > 0;
        for (size_t i = 0; i < len; i++)
            if (item [i] < '0' || item [i] > '9')
                digits = false;
        if (!digits) {
            snprintf (why, whylen, "syntax");
            return -1;
        }
        bool in_range = false;
        if (len < sizeof (word)) {
            memcpy (word, item, len);
            word [len] = 0;
            in_range = s_digits_in_range (word, 0, MAX_REMIND_DAY, &day);
        }
        if (!in_range) {
            char copy [SHOW_MAX], show [SHOW_MAX];
            size_t n = len < SHOW_MAX - 1? len: SHOW_MAX - 1;
            memcpy (copy, item, n);
            copy [n] = 0;
            snprintf (why, whylen, "day '%s' is not from 0 to %d", s_show (copy, show),
                      MAX_REMIND_DAY);
            return -1;
        }
        for (size_t i = 0; i < *count; i++)
            if (days [i] == day) {
                snprintf (why, whylen, "day %ld is listed twice", day);
                return -1;
            }
        if (*count == PODD_REMIND_MAX) {
            snprintf (why, whylen, "more than %d days", PODD_REMIND_MAX);
            return -1;
        }
        //  Insert keeping the list sorted, largest first
        size_t at = *count;
        while (at > 0 && days [at - 1] < day) {
            days [at] = days [at - 1];
            at--;
        }
        days [at] = (int) day;
        (*count)++;
        if (!end)
            return 0;
        item = end + 1;
    }
}


//  --------------------------------------------------------------------------
//  Public validators

int
podd_role_index (const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < PODD_ROLE_COUNT; i++)
        if (streq (podd_roles [i], name))
            return i;
    return -1;
}

bool
podd_valid_handle (const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
        return false;
    size_t len = 1;
    for (const char *p = s + 1; *p; p++, len++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        ||  c == '.' || c == '_' || c == '-'))
            return false;
        if (len >= 32)
            return false;
    }
    return true;
}

bool
podd_valid_email (const char *s)
{
    if (!s)
        return false;
    size_t len = strlen (s);
    if (len == 0 || len > MAX_EMAIL)
        return false;
    const char *at = NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s [i];
        if (c <= 0x20 || c >= 0x7f || strchr ("\"<>(),;\\", c))
            return false;
        if (c == '@') {
            if (at)
                return false;
            at = s + i;
        }
    }
    if (!at || at == s)
        return false;
    return s_valid_domain (at + 1, len - (at + 1 - s));
}

//  The address rule of everything podd mails: a dot-atom local part of
//  1..64 octets, '@', a host name of labels [A-Za-z0-9-] (not starting or
//  ending with '-', 1..63 octets) with at least one dot; 254 octets at most.
//  So no spaces, quotes, angle brackets, CR/LF or control characters.
bool
podd_valid_address (const char *s)
{
    if (!s || strlen (s) > MAX_EMAIL)
        return false;
    const char *at = strchr (s, '@');
    if (!at || strchr (at + 1, '@'))
        return false;
    size_t local = (size_t) (at - s);
    if (local == 0 || local > 64)
        return false;
    for (size_t i = 0; i < local; i++) {
        char c = s [i];
        if (c == '.') {
            if (i == 0 || i == local - 1 || s [i + 1] == '.')
                return false;
        }
        else
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        ||    (c && strchr ("!#$%&'*+-/=?^_`{|}~", c))))
            return false;
    }
    size_t label = 0, dots = 0;
    for (const char *p = at + 1; ; p++) {
        if (*p == '.' || *p == 0) {
            if (label == 0 || label > 63 || p [-1] == '-')
                return false;
            if (*p == 0)
                break;
            dots++;
            label = 0;
        }
        else
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
        ||  (*p >= '0' && *p <= '9') || (*p == '-' && label > 0))
            label++;
        else
            return false;
    }
    return dots > 0;
}

const char *
podd_address_canonical (const char *in, char *out, size_t size)
{
    assert (out && size > 0);
    *out = 0;
    if (!in || !*in)
        return "is missing";
    if (strncasecmp (in, "mailto:", 7) == 0)
        in += 7;
    size_t len = strlen (in);
    if (len >= size || !podd_valid_address (in))
        return "is not a valid address (local@domain.example, no spaces, quotes or "
               "angle brackets)";
    for (size_t i = 0; i <= len; i++)
        out [i] = (char) tolower ((unsigned char) in [i]);
    return NULL;
}

const char *
podd_display_name_problem (const char *name)
{
    if (!name || !*name)
        return "is missing";
    if (!podd_valid_name (name))
        return "is not a valid name (1 to 128 octets of UTF-8, no control characters)";
    if (strchr (name, '"') || strchr (name, '^'))
        return "has a double quote or caret (a calendar invitation cannot carry them)";
    return NULL;
}

int
podd_pattern_days (const char *s)
{
    static const char *days [7] = {
        "mon", "tue", "wed", "thu", "fri", "sat", "sun"
    };
    if (!s || *s == 0 || strlen (s) > MAX_PATTERN)
        return -1;
    int mask = 0;
    const char *p = s;
    while (true) {
        int range [2] = { -1, -1 };
        for (int side = 0; side < 2; side++) {
            for (int d = 0; d < 7; d++)
                if (strncmp (p, days [d], 3) == 0) {
                    range [side] = d;
                    break;
                }
            if (range [side] < 0)
                return -1;
            p += 3;
            if (side == 0) {
                if (*p != '-') {
                    range [1] = range [0];
                    break;
                }
                p++;
            }
        }
        //  A range may wrap over the weekend, e.g. "fri-mon"
        for (int d = range [0]; ; d = (d + 1) % 7) {
            mask |= 1 << d;
            if (d == range [1])
                break;
        }
        if (*p == 0)
            break;
        if (*p != ',')
            return -1;
        p++;
    }
    return mask;
}

bool
podd_valid_pattern (const char *s)
{
    return podd_pattern_days (s) > 0;
}

bool
podd_text_has_bidi_control (const char *s)
{
    //  UTF-8: U+2028..U+202E is E2 80 A8..AE, U+2066..U+2069 is E2 81 A6..A9
    for (const unsigned char *p = (const unsigned char *) s; p && *p; p++)
        if (p [0] == 0xE2 && p [1] == 0x80 && p [2] >= 0xA8 && p [2] <= 0xAE)
            return true;
        else
        if (p [0] == 0xE2 && p [1] == 0x81 && p [2] >= 0xA6 && p [2] <= 0xA9)
            return true;
    return false;
}

bool
podd_valid_name (const char *s)
{
    if (!s || *s == 0 || strlen (s) > MAX_NAME || !s_valid_text (s, MAX_NAME)
    ||  podd_text_has_bidi_control (s))
        return false;
    if (strpbrk (s, "\"^"))
        return false;                   //  an invitation's CN cannot carry them
    for (const char *p = s; *p; p++)
        if (*p != ' ')
            return true;
    return false;                       //  only spaces
}

bool
podd_valid_skills (const char *s)
{
    if (!s || strlen (s) > MAX_SKILLS)
        return false;
    if (*s == 0)
        return true;
    size_t len = 0;
    for (const char *p = s; ; p++) {
        char c = *p;
        if (c == ',' || c == 0) {
            if (len == 0)
                return false;
            if (c == 0)
                return true;
            len = 0;
        }
        else {
            bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                      || (c >= '0' && c <= '9');
            if (!alnum && (len == 0 || (c != '.' && c != '_' && c != '-')))
                return false;
            if (++len > MAX_SKILL)
                return false;
        }
    }
}


//  --------------------------------------------------------------------------
//  Errors

static int
s_vfail (s_loader_t *L, int line, const char *format, va_list args)
{
    if (L->failed)
        return -1;
    L->failed = true;
    char message [MAX_MESSAGE];
    vsnprintf (message, sizeof (message), format, args);
    if (L->err && L->errlen) {
        if (line > 0)
            snprintf (L->err, L->errlen, "%s:%d: %s", L->name, line, message);
        else
            snprintf (L->err, L->errlen, "%s: %s", L->name, message);
    }
    return -1;
}

static int
s_line_of (s_loader_t *L, zconfig_t *node)
{
    return L->zpl? podd_zpl_line (L->zpl, node): 0;
}

//  Fail at the line of node (or without a line when node is NULL)
static int
s_fail (s_loader_t *L, zconfig_t *node, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
static int
s_fail (s_loader_t *L, zconfig_t *node, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_vfail (L, s_line_of (L, node), format, args);
    va_end (args);
    return -1;
}

//  Fail at a given line (for what is missing: where it was expected)
static int
s_vfail_line (s_loader_t *L, int line, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
static int
s_vfail_line (s_loader_t *L, int line, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_vfail (L, line, format, args);
    va_end (args);
    return -1;
}


//  --------------------------------------------------------------------------
//  Value access

//  Collect the children of section into nodes [] by the NULL-terminated
//  keys []; children named repeat are left for the caller. context names
//  the section in messages ("podd", "pod 'north'"), NULL at top level.
static int
s_collect (s_loader_t *L, zconfig_t *section, const char *context,
           const char *const *keys, zconfig_t **nodes, const char *repeat)
{
    for (zconfig_t *node = zconfig_child (section); node; node = zconfig_next (node)) {
        const char *name = zconfig_name (node);
        if (repeat && streq (name, repeat))
            continue;
        int index = -1;
        for (int i = 0; keys [i]; i++)
            if (streq (keys [i], name)) {
                index = i;
                break;
            }
        if (index < 0)
            return context
                 ? s_fail (L, node, "unknown key '%s' in %s", name, context)
                 : s_fail (L, node, "unknown section '%s'", name);
        if (nodes [index])
            return context
                 ? s_fail (L, node, "duplicate key '%s' in %s", name, context)
                 : s_fail (L, node, "duplicate section '%s'", name);
        nodes [index] = node;
    }
    return 0;
}

//  A section header: no value of its own
static int
s_section (s_loader_t *L, zconfig_t *node)
{
    if (*zconfig_value (node))
        return s_fail (L, node, "'%s' is a section and takes no value",
                       zconfig_name (node));
    return 0;
}

//  A leaf key's value (default when node is NULL); a leaf has no children
static int
s_leaf (s_loader_t *L, zconfig_t *node, const char *dflt, const char **value)
{
    *value = dflt;
    if (!node)
        return 0;
    zconfig_t *child = zconfig_child (node);
    if (child)
        return s_fail (L, child, "'%s' takes no sub-keys (check the indentation)",
                       zconfig_name (node));
    *value = zconfig_value (node);
    return 0;
}

static int
s_number (s_loader_t *L, zconfig_t *node, long dflt, long min, long max, long *out)
{
    const char *value = NULL;
    if (s_leaf (L, node, NULL, &value))
        return -1;
    if (!value) {
        *out = dflt;
        return 0;
    }
    char show [SHOW_MAX];
    if (!s_digits_in_range (value, min, max, out))
        return s_fail (L, node, "%s must be a whole number from %ld to %ld, not '%s'",
                       zconfig_name (node), min, max, s_show (value, show));
    return 0;
}

static int
s_flag (s_loader_t *L, zconfig_t *node, bool dflt, bool *out)
{
    const char *value = NULL;
    if (s_leaf (L, node, NULL, &value))
        return -1;
    if (!value)
        *out = dflt;
    else
    if (streq (value, "0") || streq (value, "1"))
        *out = streq (value, "1");
    else {
        char show [SHOW_MAX];
        return s_fail (L, node, "%s must be 0 or 1, not '%s'",
                       zconfig_name (node), s_show (value, show));
    }
    return 0;
}

static int
s_path (s_loader_t *L, zconfig_t *node, const char *dflt, char **field)
{
    const char *value = NULL;
    if (s_leaf (L, node, dflt, &value))
        return -1;
    if (!s_valid_path (value))
        return s_fail (L, node, "%s must be a path of 1 to %d octets without control characters",
                       zconfig_name (node), MAX_PATH_LEN);
    s_set (field, value);
    return 0;
}


//  --------------------------------------------------------------------------
//  Sections

static int
s_load_podd (s_loader_t *L, zconfig_t *section)
{
    podd_config_t *self = L->config;
    enum { ENDPOINT, DATABASE, CERTS, SERVER_CERT, SECURITY, MAX_BODY,
           HEARTBEAT, CLIENT_TIMEOUT, MAIL_DOMAIN, KEYS };
    static const char *const keys [KEYS + 1] = {
        "endpoint", "database", "certs", "server-cert", "security",
        "max-body", "heartbeat", "client-timeout", "mail-domain", NULL
    };
    zconfig_t *nodes [KEYS] = { NULL };
    if (section
    && (s_section (L, section) || s_collect (L, section, "podd", keys, nodes, NULL)))
        return -1;

    const char *value = NULL;
    char show [SHOW_MAX];
    if (s_leaf (L, nodes [ENDPOINT], DEFAULT_ENDPOINT, &value))
        return -1;
    if (!s_valid_endpoint (value))
        return s_fail (L, nodes [ENDPOINT], "endpoint must be tcp://HOST:PORT, ipc://PATH "
                       "or inproc://NAME, not '%s'", s_show (value, show));
    s_set (&self->endpoint, value);

    if (s_path (L, nodes [DATABASE], DEFAULT_DATABASE, &self->database)
    ||  s_path (L, nodes [CERTS], DEFAULT_CERTS, &self->certs)
    ||  s_path (L, nodes [SERVER_CERT], DEFAULT_SERVER_CERT, &self->server_cert))
        return -1;

    if (s_leaf (L, nodes [SECURITY], DEFAULT_SECURITY, &value))
        return -1;
    if (streq (value, "insecure")) {
        if (!s_local_endpoint (self->endpoint))
            return s_fail (L, nodes [SECURITY], "security = \"insecure\" is only allowed on "
                           "ipc://, inproc:// or tcp://127.0.0.1 / tcp://localhost endpoints, "
                           "not '%s'", s_show (self->endpoint, show));
        self->insecure = true;
    }
    else
    if (streq (value, "curve-registered"))
        self->registered_only = true;
    else
    if (!streq (value, "curve"))
        return s_fail (L, nodes [SECURITY], "security must be \"curve\", \"curve-registered\" "
                       "or \"insecure\", not '%s'", s_show (value, show));

    long number;
    if (s_number (L, nodes [MAX_BODY], DEFAULT_MAX_BODY, 1024, 16777216, &number))
        return -1;
    self->max_body = (size_t) number;
    if (s_number (L, nodes [HEARTBEAT], DEFAULT_HEARTBEAT, 100, 600000, &number))
        return -1;
    self->heartbeat = (int) number;
    if (s_number (L, nodes [CLIENT_TIMEOUT], DEFAULT_CLIENT_TIMEOUT, 101, 3600000, &number))
        return -1;
    self->client_timeout = (int) number;
    if (self->client_timeout <= self->heartbeat)
        return s_fail (L, nodes [CLIENT_TIMEOUT]? nodes [CLIENT_TIMEOUT]: nodes [HEARTBEAT],
                       "client-timeout (%d ms) must be greater than heartbeat (%d ms)",
                       self->client_timeout, self->heartbeat);

    if (s_leaf (L, nodes [MAIL_DOMAIN], DEFAULT_MAIL_DOMAIN, &value))
        return -1;
    if (!s_valid_domain (value, strlen (value)))
        return s_fail (L, nodes [MAIL_DOMAIN], "mail-domain must be a domain name like "
                       "\"pod-north.example\", not '%s'", s_show (value, show));
    if (strlen (value) > PODD_MAIL_DOMAIN_MAX)
        return s_fail (L, nodes [MAIL_DOMAIN], "mail-domain is %zu octets: at most %d, so that "
                       "Message-IDs (podd.<time>.<random>@mail-domain) fit", strlen (value),
                       PODD_MAIL_DOMAIN_MAX);
    s_set (&self->mail_domain, value);
    return 0;
}

static int
s_load_mail (s_loader_t *L, zconfig_t *section)
{
    podd_config_t *self = L->config;
    enum { SMTP, SPOOL, STARTTLS, USER, PASSWORD, TIMEOUT, FROM, RETRY_BASE,
           RETRY_HORIZON, GATEWAY, KEYS };
    static const char *const keys [KEYS + 1] = {
        "smtp", "spool", "starttls", "user", "password", "timeout", "from",
        "retry-base", "retry-horizon", "gateway", NULL
    };
    zconfig_t *nodes [KEYS] = { NULL };
    if (section
    && (s_section (L, section) || s_collect (L, section, "mail", keys, nodes, NULL)))
        return -1;

    const char *value = NULL;
    char show [SHOW_MAX];
    if (s_leaf (L, nodes [SMTP], DEFAULT_SMTP, &value))
        return -1;
    if (!s_valid_smtp (value))
        return s_fail (L, nodes [SMTP], "smtp must be \"host:port\" or \"\" (spool), not '%s'",
                       s_show (value, show));
    s_set (&self->smtp, value);
    if (s_path (L, nodes [SPOOL], DEFAULT_SPOOL, &self->spool))
        return -1;

    if (s_leaf (L, nodes [STARTTLS], DEFAULT_STARTTLS, &value))
        return -1;
    if (streq (value, "off"))
        self->starttls = 0;
    else
    if (streq (value, "optional"))
        self->starttls = 1;
    else
    if (streq (value, "required"))
        self->starttls = 2;
    else
        return s_fail (L, nodes [STARTTLS], "starttls must be \"off\", \"optional\" or "
                       "\"required\", not '%s'", s_show (value, show));

    //  AUTH PLAIN credentials. The password is never quoted in messages.
    if (s_leaf (L, nodes [USER], "", &value))
        return -1;
    if (!s_valid_text (value, MAX_CREDENTIAL))
        return s_fail (L, nodes [USER], "user must be at most %d octets of UTF-8 text "
                       "without control characters, not '%s'", MAX_CREDENTIAL,
                       s_show (value, show));
    s_set (&self->mail_user, value);
    if (s_leaf (L, nodes [PASSWORD], "", &value))
        return -1;
    if (!s_valid_text (value, MAX_CREDENTIAL))
        return s_fail (L, nodes [PASSWORD], "password must be at most %d octets of printable "
                       "text without control characters (value not shown)", MAX_CREDENTIAL);
    s_set (&self->mail_password, value);
    if (*self->mail_user) {
        if (self->starttls == 0)
            return s_fail (L, nodes [USER], "user is set but starttls is \"off\": the password "
                           "would cross the network in clear (set starttls to \"optional\" "
                           "or \"required\")");
        if (*self->mail_password == 0)
            return s_fail (L, nodes [USER], "user is set but password is empty");
    }
    else
    if (*self->mail_password)
        return s_fail (L, nodes [PASSWORD], "password is set but user is empty");

    long number;
    if (s_number (L, nodes [TIMEOUT], DEFAULT_MAIL_TIMEOUT, 1, 3600, &number))
        return -1;
    self->mail_timeout = (int) number;

    if (s_leaf (L, nodes [FROM], "", &value))
        return -1;
    if (*value && !podd_valid_email (value))
        return s_fail (L, nodes [FROM], "from must be \"\" (each pod's mailbox) or an email "
                       "address, not '%s'", s_show (value, show));
    s_set (&self->mail_from, value);
    if (s_leaf (L, nodes [GATEWAY], "", &value))
        return -1;
    if (*value && !podd_valid_handle (value))
        return s_fail (L, nodes [GATEWAY], "gateway must be \"\" (none) or a member's handle, "
                       "not '%s'", s_show (value, show));
    s_set (&self->mail_gateway, value);

    if (s_number (L, nodes [RETRY_BASE], DEFAULT_RETRY_BASE, 1, 3600, &number))
        return -1;
    self->retry_base = (int) number;
    if (s_number (L, nodes [RETRY_HORIZON], DEFAULT_RETRY_HORIZON, 1, 720, &number))
        return -1;
    self->retry_horizon = (int64_t) number * 3600;
    return 0;
}

static int
s_load_reminders (s_loader_t *L, zconfig_t *section)
{
    podd_config_t *self = L->config;
    enum { SEND_HOUR, OVERDUE_DAILY, ESCALATE_AFTER, KEYS };
    static const char *const keys [KEYS + 1] = {
        "send-hour", "overdue-daily", "escalate-after", NULL
    };
    zconfig_t *nodes [KEYS] = { NULL };
    if (section
    && (s_section (L, section) || s_collect (L, section, "reminders", keys, nodes, NULL)))
        return -1;
    long number;
    if (s_number (L, nodes [SEND_HOUR], DEFAULT_SEND_HOUR, 0, 23, &number))
        return -1;
    self->remind_hour = (int) number;
    if (s_flag (L, nodes [OVERDUE_DAILY], DEFAULT_OVERDUE_DAILY, &self->overdue_daily))
        return -1;
    if (s_number (L, nodes [ESCALATE_AFTER], DEFAULT_ESCALATE_AFTER, 0, 60, &number))
        return -1;
    self->escalate_after = (int) number;
    return 0;
}

static podd_kind_t *
s_add_kind (podd_config_t *self, size_t *max, const char *name)
{
    self->kinds = (podd_kind_t *) podd_zpl_grow (self->kinds, max, self->kind_count,
                                          sizeof (podd_kind_t));
    podd_kind_t *kind = &self->kinds [self->kind_count++];
    memset (kind, 0, sizeof (*kind));
    kind->name = podd_zpl_strdup (name);
    return kind;
}

static int
s_load_kind (s_loader_t *L, zconfig_t *node, size_t *max)
{
    podd_config_t *self = L->config;
    const char *name = zconfig_value (node);
    char show [SHOW_MAX], bad [SHOW_MAX];
    if (!podd_valid_handle (name))
        return s_fail (L, node, "kind name must be 1-32 of a-z 0-9 . _ - "
                       "(starting with a letter or digit), not '%s'", s_show (name, show));
    if (podd_config_kind (self, name))
        return s_fail (L, node, "duplicate kind '%s'", name);
    podd_kind_t *kind = s_add_kind (self, max, name);

    enum { ROLES, DURATION, DUE, MEETING, PRIORITY, REMIND, STATUTORY, KEYS };
    static const char *const keys [KEYS + 1] = {
        "roles", "duration", "due", "meeting", "priority", "remind", "statutory", NULL
    };
    zconfig_t *nodes [KEYS] = { NULL };
    char context [64];
    snprintf (context, sizeof (context), "kind '%s'", name);
    if (s_collect (L, node, context, keys, nodes, NULL))
        return -1;

    const char *value = NULL;
    if (s_leaf (L, nodes [ROLES], NULL, &value))
        return -1;
    if (!value)
        kind->roles = ALL_ROLES;
    else {
        long mask = s_parse_roles (value, bad);
        if (mask <= 0) {
            char list [256];
            s_role_list (list, sizeof (list));
            if (mask == 0)
                return s_fail (L, nodes [ROLES], "roles must list at least one role (%s)", list);
            if (*bad == 0)
                return s_fail (L, nodes [ROLES], "empty role name in roles (roles: %s)", list);
            return s_fail (L, nodes [ROLES], "unknown role '%s' in roles (roles: %s)", bad, list);
        }
        kind->roles = (unsigned) mask;
    }
    if (s_flag (L, nodes [MEETING], false, &kind->meeting)
    ||  s_flag (L, nodes [STATUTORY], false, &kind->statutory))
        return -1;
    long number;
    if (s_number (L, nodes [DURATION], kind->meeting? 60: 0, 0, 1440, &number))
        return -1;
    kind->duration_min = (int) number;
    if (kind->meeting && kind->duration_min == 0)
        return s_fail (L, nodes [DURATION], "a meeting needs a duration of 1 to 1440 minutes");
    if (s_number (L, nodes [DUE], 168, 1, 8760, &number))
        return -1;
    kind->due_hours = (int) number;
    if (s_leaf (L, nodes [PRIORITY], "routine", &value))
        return -1;
    if (!streq (value, "routine") && !streq (value, "urgent"))
        return s_fail (L, nodes [PRIORITY], "priority must be \"routine\" or \"urgent\", not '%s'",
                       s_show (value, show));
    kind->urgent = streq (value, "urgent");

    if (s_leaf (L, nodes [REMIND], DEFAULT_REMIND, &value))
        return -1;
    char why [SHOW_MAX + 64];
    if (s_parse_remind (value, kind->remind_days, &kind->remind_count, why, sizeof (why))) {
        if (streq (why, "syntax"))
            return s_fail (L, nodes [REMIND], "remind must be \"\" or a comma-separated list "
                           "of days before the due date, 0 to %d, like \"7,1\", not '%s'",
                           MAX_REMIND_DAY, s_show (value, show));
        return s_fail (L, nodes [REMIND], "remind: %s", why);
    }
    return 0;
}

static int
s_load_kinds (s_loader_t *L, zconfig_t *section)
{
    podd_config_t *self = L->config;
    size_t max = 0;
    if (!section) {
        for (size_t i = 0; i < BUILTIN_KINDS; i++) {
            podd_kind_t *kind = s_add_kind (self, &max, s_builtin_kinds [i].name);
            char bad [SHOW_MAX];
            kind->roles = s_builtin_kinds [i].roles
                        ? (unsigned) s_parse_roles (s_builtin_kinds [i].roles, bad)
                        : ALL_ROLES;
            assert (kind->roles > 0 && kind->roles <= ALL_ROLES);
            kind->duration_min = s_builtin_kinds [i].duration;
            kind->due_hours = s_builtin_kinds [i].due;
            kind->meeting = s_builtin_kinds [i].meeting;
            kind->urgent = s_builtin_kinds [i].urgent;
            for (size_t j = 0; s_builtin_statutory [j]; j++)
                if (streq (s_builtin_statutory [j], kind->name))
                    kind->statutory = true;
            char why [SHOW_MAX + 64];
            int rc = s_parse_remind (s_builtin_kinds [i].remind, kind->remind_days,
                                     &kind->remind_count, why, sizeof (why));
            assert (rc == 0);
            (void) rc;
        }
        return 0;
    }
    if (s_section (L, section))
        return -1;
    for (zconfig_t *node = zconfig_child (section); node; node = zconfig_next (node)) {
        if (!streq (zconfig_name (node), "kind"))
            return s_fail (L, node, "unknown key '%s' in kinds", zconfig_name (node));
        if (s_load_kind (L, node, &max))
            return -1;
    }
    if (self->kind_count == 0)
        return s_fail (L, section, "kinds needs at least one kind "
                       "(or leave the section out to use the built-in kinds)");
    return 0;
}

static podd_member_cfg_t *
s_find_member (podd_config_t *self, const char *handle)
{
    for (size_t i = 0; i < self->member_count; i++)
        if (streq (self->members [i].handle, handle))
            return &self->members [i];
    return NULL;
}

static podd_pod_cfg_t *
s_find_pod (podd_config_t *self, const char *name)
{
    for (size_t i = 0; i < self->pod_count; i++)
        if (streq (self->pods [i].name, name))
            return &self->pods [i];
    return NULL;
}

//  A member of pod, or of the admins section when pod is NULL
static int
s_load_member (s_loader_t *L, zconfig_t *node, const char *pod, size_t *max)
{
    podd_config_t *self = L->config;
    const char *handle = zconfig_value (node);
    char show [SHOW_MAX];
    if (!podd_valid_handle (handle))
        return s_fail (L, node, "member handle must be 1-32 of a-z 0-9 . _ - "
                       "(starting with a letter or digit), not '%s'", s_show (handle, show));
    podd_member_cfg_t *other = s_find_member (self, handle);
    if (other)
        return s_fail (L, node, "duplicate member '%s' (already in %s%s)", handle,
                       other->pod? "pod ": "admins", other->pod? other->pod: "");

    self->members = (podd_member_cfg_t *) podd_zpl_grow (self->members, max, self->member_count,
                                                  sizeof (podd_member_cfg_t));
    podd_member_cfg_t *member = &self->members [self->member_count++];
    memset (member, 0, sizeof (*member));
    member->handle = podd_zpl_strdup (handle);
    member->pod = pod? podd_zpl_strdup (pod): NULL;
    member->role = -1;

    enum { NAME, EMAIL, ROLE, SKILLS, PATTERN, ADMIN, KEYS };
    static const char *const keys [KEYS + 1] = {
        "name", "email", "role", "skills", "pattern", "admin", NULL
    };
    zconfig_t *nodes [KEYS] = { NULL };
    char context [64];
    snprintf (context, sizeof (context), "member '%s'", handle);
    if (s_collect (L, node, context, keys, nodes, NULL))
        return -1;

    const char *value = NULL;
    if (s_leaf (L, nodes [NAME], handle, &value))
        return -1;
    if (!podd_valid_name (value))
        return s_fail (L, nodes [NAME], "name must be 1 to %d octets of UTF-8 text "
                       "without control or bidirectional-override characters, double quotes or carets, not '%s'", MAX_NAME, s_show (value, show));
    member->name = podd_zpl_strdup (value);

    char dflt [MAX_EMAIL * 2];
    snprintf (dflt, sizeof (dflt), "%s@%s", handle, self->mail_domain);
    if (s_leaf (L, nodes [EMAIL], dflt, &value))
        return -1;
    if (!podd_valid_email (value))
        return s_fail (L, nodes [EMAIL]? nodes [EMAIL]: node,
                       "invalid email address '%s'", s_show (value, show));
    member->email = podd_zpl_strdup (value);

    if (s_leaf (L, nodes [ROLE], NULL, &value))
        return -1;
    if (!value)
        return s_fail (L, node, "member '%s' has no role", handle);
    member->role = podd_role_index (value);
    if (member->role < 0) {
        char list [256];
        s_role_list (list, sizeof (list));
        return s_fail (L, nodes [ROLE], "unknown role '%s' (roles: %s)",
                       s_show (value, show), list);
    }

    if (s_leaf (L, nodes [SKILLS], "", &value))
        return -1;
    if (!podd_valid_skills (value))
        return s_fail (L, nodes [SKILLS], "skills must be a comma-separated list without "
                       "spaces, like \"chairing,court\", not '%s'", s_show (value, show));
    member->skills = podd_zpl_strdup (value);

    if (s_leaf (L, nodes [PATTERN], DEFAULT_PATTERN, &value))
        return -1;
    if (!podd_valid_pattern (value))
        return s_fail (L, nodes [PATTERN], "pattern must list working days mon..sun, "
                       "like \"mon-fri\" or \"mon-wed,fri\", not '%s'", s_show (value, show));
    member->pattern = podd_zpl_strdup (value);

    if (s_flag (L, nodes [ADMIN], pod == NULL, &member->admin))
        return -1;
    if (!pod && !member->admin)
        return s_fail (L, nodes [ADMIN], "members of admins are always admins (admin = 0)");
    return 0;
}

static int
s_load_pod (s_loader_t *L, zconfig_t *node, size_t *pod_max, size_t *member_max)
{
    podd_config_t *self = L->config;
    const char *name = zconfig_value (node);
    char show [SHOW_MAX];
    if (!podd_valid_handle (name))
        return s_fail (L, node, "pod name must be 1-32 of a-z 0-9 . _ - "
                       "(starting with a letter or digit), not '%s'", s_show (name, show));
    if (s_find_pod (self, name))
        return s_fail (L, node, "duplicate pod '%s'", name);
    self->pods = (podd_pod_cfg_t *) podd_zpl_grow (self->pods, pod_max, self->pod_count,
                                            sizeof (podd_pod_cfg_t));
    podd_pod_cfg_t *pod = &self->pods [self->pod_count++];
    memset (pod, 0, sizeof (*pod));
    pod->name = podd_zpl_strdup (name);

    enum { TITLE, MAILBOX, DUTY, KEYS };
    static const char *const keys [KEYS + 1] = { "title", "mailbox", "duty", NULL };
    zconfig_t *nodes [KEYS] = { NULL };
    char context [64];
    snprintf (context, sizeof (context), "pod '%s'", name);
    if (s_collect (L, node, context, keys, nodes, "member"))
        return -1;

    const char *value = NULL;
    if (s_leaf (L, nodes [TITLE], name, &value))
        return -1;
    if (!podd_valid_name (value))
        return s_fail (L, nodes [TITLE], "title must be 1 to %d octets of UTF-8 text "
                       "without control or bidirectional-override characters, double quotes or carets, not '%s'", MAX_NAME, s_show (value, show));
    pod->title = podd_zpl_strdup (value);

    char dflt [MAX_EMAIL * 2];
    snprintf (dflt, sizeof (dflt), "pod-%s@%s", name, self->mail_domain);
    if (s_leaf (L, nodes [MAILBOX], dflt, &value))
        return -1;
    if (!podd_valid_email (value))
        return s_fail (L, nodes [MAILBOX]? nodes [MAILBOX]: node,
                       "invalid mailbox address '%s'", s_show (value, show));
    //  The mailbox's domain is that of the pod's Message-IDs and UIDs
    if (strlen (strrchr (value, '@') + 1) > PODD_MAIL_DOMAIN_MAX)
        return s_fail (L, nodes [MAILBOX]? nodes [MAILBOX]: node,
                       "the mailbox's domain is over %d octets: it must fit a Message-ID",
                       PODD_MAIL_DOMAIN_MAX);
    pod->mailbox = podd_zpl_strdup (value);

    //  Members, then the checks that need them
    size_t first = self->member_count;
    for (zconfig_t *child = zconfig_child (node); child; child = zconfig_next (child))
        if (streq (zconfig_name (child), "member")
        &&  s_load_member (L, child, name, member_max))
            return -1;

    if (s_leaf (L, nodes [DUTY], NULL, &value))
        return -1;
    if (value) {
        podd_member_cfg_t *duty = s_find_member (self, value);
        if (!duty || !duty->pod || !streq (duty->pod, name))
            return s_fail (L, nodes [DUTY], "duty '%s' is not a member of pod '%s'",
                           s_show (value, show), name);
        pod->duty = podd_zpl_strdup (value);
    }
    bool manager = false;
    for (size_t i = first; i < self->member_count; i++)
        if (self->members [i].role == podd_role_index ("team-manager"))
            manager = true;
    if (!manager)
        return s_fail (L, node, "pod '%s' has no team-manager", name);
    return 0;
}

static int
s_load_pods (s_loader_t *L, zconfig_t *section, zconfig_t *admins)
{
    size_t pod_max = 0, member_max = 0;
    if (section) {
        if (s_section (L, section))
            return -1;
        for (zconfig_t *node = zconfig_child (section); node; node = zconfig_next (node)) {
            if (!streq (zconfig_name (node), "pod"))
                return s_fail (L, node, "unknown key '%s' in pods", zconfig_name (node));
            if (s_load_pod (L, node, &pod_max, &member_max))
                return -1;
        }
    }
    if (admins) {
        if (s_section (L, admins))
            return -1;
        for (zconfig_t *node = zconfig_child (admins); node; node = zconfig_next (node)) {
            if (!streq (zconfig_name (node), "member"))
                return s_fail (L, node, "unknown key '%s' in admins", zconfig_name (node));
            if (s_load_member (L, node, NULL, &member_max))
                return -1;
        }
    }
    return 0;
}

//  gateways: service accounts (podweb) whose key may name the member a
//  request is for. Each line is gateway = "HANDLE"; the handle is the
//  "member" metadata of its cert in the certs directory, and is no member.
static int
s_load_gateways (s_loader_t *L, zconfig_t *section)
{
    podd_config_t *self = L->config;
    if (!section)
        return 0;
    if (s_section (L, section))
        return -1;
    char show [SHOW_MAX];
    for (zconfig_t *node = zconfig_child (section); node; node = zconfig_next (node)) {
        const char *handle = zconfig_value (node);
        if (!streq (zconfig_name (node), "gateway"))
            return s_fail (L, node, "unknown key '%s' in gateways", zconfig_name (node));
        if (!podd_valid_handle (handle))
            return s_fail (L, node, "gateway handle must be 1-32 of a-z 0-9 . _ - "
                           "(starting with a letter or digit), not '%s'", s_show (handle, show));
        if (s_find_member (self, handle))
            return s_fail (L, node, "gateway '%s' is a member: a gateway needs its own key", handle);
        if (podd_config_gateway (self, handle))
            return s_fail (L, node, "duplicate gateway '%s'", handle);
        zlistx_add_end (self->gateways, podd_zpl_strdup (handle));
    }
    return 0;
}


//  --------------------------------------------------------------------------
//  Load and validate

//  A configuration file podd runs on must be whole: an empty file, one of
//  comments only, or one cut short would otherwise load with defaults for
//  everything left out (the certs directory among them) and lock every
//  member out. The required sections and keys, each missing one named
//  with the line where it was expected.
static int
s_check_complete (s_loader_t *L, const char *text, zconfig_t *root)
{
    podd_config_t *self = L->config;
    int last_line = 1;
    for (const char *p = text; *p; p++)
        if (*p == '\n' && p [1])
            last_line++;
    size_t len = strlen (text);
    if (len && text [len - 1] != '\n')
        return s_vfail_line (L, last_line, "the last line has no end of line: "
                             "is the file cut short?");
    zconfig_t *podd = zconfig_locate (root, "podd");
    if (!podd)
        return s_vfail_line (L, last_line, "no 'podd' section: "
                             "is the file empty or cut short?");
    static const char *const required [] = { "endpoint", "database", "certs", NULL };
    for (int i = 0; required [i]; i++)
        if (!zconfig_locate (podd, required [i]))
            return s_fail (L, podd, "'%s' is required in the podd section", required [i]);
    if (!self->insecure && !zconfig_locate (podd, "server-cert"))
        return s_fail (L, podd, "'server-cert' is required in the podd section "
                       "with security = \"curve\"");
    zconfig_t *pods = zconfig_locate (root, "pods");
    if (!pods)
        return s_vfail_line (L, last_line, "no 'pods' section: is the file cut short?");
    if (self->pod_count == 0)
        return s_fail (L, pods, "the pods section has no pod");
    size_t admins = 0;
    for (size_t i = 0; i < self->member_count; i++)
        if (self->members [i].admin)
            admins++;
    if (admins == 0)
        return s_vfail_line (L, last_line, "no administrator: add an 'admins' section "
                             "(or admin = 1 on a member): is the file cut short?");
    return 0;
}

//  Load text; complete: a whole configuration file (s_check_complete)
static podd_config_t *
s_load_text (const char *text, const char *name, bool complete, char *err, size_t errlen)
{
    assert (text);
    assert (name);
    if (err && errlen)
        err [0] = 0;
    s_loader_t loader = { .name = name, .err = err, .errlen = errlen };
    s_loader_t *L = &loader;
    podd_config_t *self = NULL;
    L->zpl = podd_zpl_parse (text, name, err, errlen);
    if (!L->zpl)
        return NULL;                    //  syntax error, with its line
    zconfig_t *root = podd_zpl_root (L->zpl);

    self = (podd_config_t *) zmalloc (sizeof (podd_config_t));
    assert (self);
    L->config = self;
    self->gateways = zlistx_new ();
    zlistx_set_destructor (self->gateways, (zlistx_destructor_fn *) zstr_free);

    enum { PODD, MAIL, REMINDERS, KINDS, PODS, ADMINS, GATEWAYS, KEYS };
    static const char *const keys [KEYS + 1] = {
        "podd", "mail", "reminders", "kinds", "pods", "admins", "gateways", NULL
    };
    zconfig_t *nodes [KEYS] = { NULL };
    if (s_collect (L, root, NULL, keys, nodes, NULL)
    ||  s_load_podd (L, nodes [PODD])
    ||  s_load_mail (L, nodes [MAIL])
    ||  s_load_reminders (L, nodes [REMINDERS])
    ||  s_load_kinds (L, nodes [KINDS])
    ||  s_load_pods (L, nodes [PODS], nodes [ADMINS])
    ||  s_load_gateways (L, nodes [GATEWAYS])
    ||  (complete && s_check_complete (L, text, root)))
        podd_config_destroy (&self);
    podd_zpl_destroy (&L->zpl);
    return self;
}

podd_config_t *
podd_config_load_str (const char *text, const char *name, char *err, size_t errlen)
{
    return s_load_text (text, name, false, err, errlen);
}

podd_config_t *
podd_config_load (const char *path, char *err, size_t errlen)
{
    assert (path);
    char *text = podd_zpl_read (path, err, errlen);
    if (!text)
        return NULL;
    podd_config_t *self = s_load_text (text, path, true, err, errlen);
    free (text);
    return self;
}

void
podd_config_destroy (podd_config_t **self_p)
{
    assert (self_p);
    podd_config_t *self = *self_p;
    if (!self)
        return;
    free (self->endpoint);
    free (self->database);
    free (self->certs);
    free (self->server_cert);
    free (self->mail_domain);
    free (self->smtp);
    free (self->spool);
    free (self->mail_user);
    if (self->mail_password) {
        //  Do not leave the password in freed memory
        volatile char *p = self->mail_password;
        while (*p)
            *p++ = 0;
        free (self->mail_password);
    }
    free (self->mail_from);
    free (self->mail_gateway);
    for (size_t i = 0; i < self->kind_count; i++)
        free (self->kinds [i].name);
    free (self->kinds);
    for (size_t i = 0; i < self->pod_count; i++) {
        free (self->pods [i].name);
        free (self->pods [i].title);
        free (self->pods [i].mailbox);
        free (self->pods [i].duty);
    }
    free (self->pods);
    for (size_t i = 0; i < self->member_count; i++) {
        podd_member_cfg_t *member = &self->members [i];
        free (member->handle);
        free (member->name);
        free (member->email);
        free (member->skills);
        free (member->pattern);
        free (member->pod);
    }
    free (self->members);
    zlistx_destroy (&self->gateways);
    free (self);
    *self_p = NULL;
}


//  --------------------------------------------------------------------------
//  Accessors

const char *podd_config_endpoint (podd_config_t *self)    { assert (self); return self->endpoint; }
const char *podd_config_database (podd_config_t *self)    { assert (self); return self->database; }
const char *podd_config_certs (podd_config_t *self)       { assert (self); return self->certs; }
const char *podd_config_server_cert (podd_config_t *self) { assert (self); return self->server_cert; }
bool        podd_config_insecure (podd_config_t *self)    { assert (self); return self->insecure; }
bool        podd_config_registered_only (podd_config_t *self) { assert (self); return self->registered_only; }
size_t      podd_config_max_body (podd_config_t *self)    { assert (self); return self->max_body; }
int         podd_config_heartbeat_ms (podd_config_t *self) { assert (self); return self->heartbeat; }
int         podd_config_client_timeout_ms (podd_config_t *self) { assert (self); return self->client_timeout; }
const char *podd_config_mail_domain (podd_config_t *self) { assert (self); return self->mail_domain; }
const char *podd_config_smtp (podd_config_t *self)        { assert (self); return self->smtp; }
const char *podd_config_spool (podd_config_t *self)       { assert (self); return self->spool; }
int         podd_config_mail_starttls (podd_config_t *self) { assert (self); return self->starttls; }
const char *podd_config_mail_user (podd_config_t *self)   { assert (self); return self->mail_user; }
const char *podd_config_mail_password (podd_config_t *self) { assert (self); return self->mail_password; }
int         podd_config_mail_timeout (podd_config_t *self) { assert (self); return self->mail_timeout; }
const char *podd_config_mail_from (podd_config_t *self)   { assert (self); return self->mail_from; }
const char *podd_config_mail_gateway (podd_config_t *self) { assert (self); return self->mail_gateway; }
int         podd_config_mail_retry_base (podd_config_t *self) { assert (self); return self->retry_base; }
int64_t     podd_config_mail_retry_horizon (podd_config_t *self) { assert (self); return self->retry_horizon; }
int         podd_config_remind_hour (podd_config_t *self) { assert (self); return self->remind_hour; }
bool        podd_config_overdue_daily (podd_config_t *self) { assert (self); return self->overdue_daily; }
int         podd_config_escalate_after (podd_config_t *self) { assert (self); return self->escalate_after; }

bool
podd_config_gateway (podd_config_t *self, const char *handle)
{
    assert (self);
    for (const char *gateway = (const char *) zlistx_first (self->gateways); gateway && handle;
         gateway = (const char *) zlistx_next (self->gateways))
        if (streq (gateway, handle))
            return true;
    return false;
}

size_t
podd_config_kind_count (podd_config_t *self)
{
    assert (self);
    return self->kind_count;
}

podd_kind_t *
podd_config_kind_at (podd_config_t *self, size_t index)
{
    assert (self);
    return index < self->kind_count? &self->kinds [index]: NULL;
}

podd_kind_t *
podd_config_kind (podd_config_t *self, const char *name)
{
    assert (self);
    if (name)
        for (size_t i = 0; i < self->kind_count; i++)
            if (streq (self->kinds [i].name, name))
                return &self->kinds [i];
    return NULL;
}

size_t
podd_config_pod_count (podd_config_t *self)
{
    assert (self);
    return self->pod_count;
}

podd_pod_cfg_t *
podd_config_pod_at (podd_config_t *self, size_t index)
{
    assert (self);
    return index < self->pod_count? &self->pods [index]: NULL;
}

size_t
podd_config_member_count (podd_config_t *self)
{
    assert (self);
    return self->member_count;
}

podd_member_cfg_t *
podd_config_member_at (podd_config_t *self, size_t index)
{
    assert (self);
    return index < self->member_count? &self->members [index]: NULL;
}


//  --------------------------------------------------------------------------
//  Self test

#define TEST_NAME "t.conf"

//  A valid base: podd section then one pod, lines numbered in comments
#define BASE_PODD \
    "podd\n"                                        /*  1 */ \
    "    endpoint = \"tcp://127.0.0.1:5670\"\n"     /*  2 */ \
    "    mail-domain = \"pod-north.example\"\n"     /*  3 */
#define BASE_POD \
    "pods\n"                                        /*  4 */ \
    "    pod = \"north\"\n"                         /*  5 */ \
    "        title = \"Pod North\"\n"               /*  6 */ \
    "        member = \"alice.tm\"\n"               /*  7 */ \
    "            name = \"Alice Teale\"\n"          /*  8 */ \
    "            role = \"team-manager\"\n"         /*  9 */

static void
s_expect_error (const char *text, const char *prefix, bool verbose)
{
    char err [512];
    podd_config_t *config = podd_config_load_str (text, TEST_NAME, err, sizeof (err));
    if (config || strncmp (err, prefix, strlen (prefix)) != 0) {
        fprintf (stderr, "\nexpected '%s...', got '%s'\n--- config:\n%s---\n",
                 prefix, config? "(loaded)": err, text);
        podd_config_destroy (&config);
        assert (false);
    }
    if (verbose)
        printf ("\n    %s", err);
}

static podd_config_t *
s_expect_ok (const char *text)
{
    char err [512];
    podd_config_t *config = podd_config_load_str (text, TEST_NAME, err, sizeof (err));
    if (!config) {
        fprintf (stderr, "\nunexpected error '%s'\n--- config:\n%s---\n", err, text);
        assert (false);
    }
    return config;
}

void
podd_config_test (bool verbose)
{
    printf (" * config: ");
    char err [512];

    //  @selftest
    //  Validators
    assert (podd_role_index ("team-manager") == 0);
    assert (podd_role_index ("family-intervention-worker") == PODD_ROLE_COUNT - 1);
    assert (podd_role_index ("wizard") == -1);
    assert (podd_role_index (NULL) == -1);

    assert (podd_valid_handle ("alice.tm"));
    assert (podd_valid_handle ("0"));
    assert (podd_valid_handle ("a2345678901234567890123456789012"));
    assert (podd_valid_name ("Zo\xC3\xAB Brook"));
    assert (!podd_valid_name ("Zo\xE2\x80\xAE" "kooB"));              //  U+202E
    assert (!podd_valid_name ("a\xE2\x80\xAA" "b"));                  //  U+202A
    assert (!podd_valid_name ("a\xE2\x81\xA6" "b"));                  //  U+2066
    assert (!podd_valid_name ("a\xE2\x81\xA9"));                      //  U+2069
    assert (!podd_valid_name ("a\xE2\x80\xA8" "b"));                  //  U+2028
    assert (!podd_valid_name ("a\xE2\x80\xA9" "b"));                  //  U+2029
    assert (podd_valid_name ("a\xE2\x80\x99" "b"));                   //  U+2019, an apostrophe
    assert (podd_valid_name ("a\xE2\x81\xA5" "b"));                   //  U+2065 is not one
    assert (!podd_valid_handle ("a23456789012345678901234567890123"));
    assert (!podd_valid_handle (""));
    assert (!podd_valid_handle (NULL));
    assert (!podd_valid_handle ("Alice"));
    assert (!podd_valid_handle (".alice"));
    assert (!podd_valid_handle ("-alice"));
    assert (!podd_valid_handle ("al ice"));
    assert (!podd_valid_handle ("al\nice"));

    assert (podd_valid_email ("alice.tm@pod-north.example"));
    {
        char canon [255];
        assert (!podd_address_canonical ("MAILTO:Jo.Reed@School-A.Example", canon, sizeof canon));
        assert (streq (canon, "jo.reed@school-a.example"));
        assert (!podd_address_canonical ("o'neil+pods@x-y.example", canon, sizeof canon));
        const char *bad [] = { "", "jo", "jo@school", "jo..reed@x.example", ".jo@x.example",
                               "jo@-x.example", "jo@x-.example", "jo reed@x.example",
                               "\"jo\"@x.example", "<jo@x.example>", "jo@x.example\r\nBcc: e@x.example",
                               "jo@x_y.example", "jo@@x.example", "mailto:", NULL };
        for (int i = 0; bad [i]; i++)
            assert (podd_address_canonical (bad [i], canon, sizeof canon) && !*canon);
        assert (podd_address_canonical (NULL, canon, sizeof canon));
        assert (!podd_display_name_problem ("Reed, Jo (Designated safeguarding lead)"));
        assert (!podd_display_name_problem ("Si\xc3\xa2n Ll\xc5\xb7r"));
        assert (podd_display_name_problem ("Jo \"JR\" Reed"));
        assert (podd_display_name_problem ("Jo^Reed"));
        assert (podd_display_name_problem ("Jo\r\nBcc: e@x.example"));
        assert (podd_display_name_problem ("   "));
        assert (podd_display_name_problem (""));
    }
    assert (podd_valid_email ("a+b@x.y"));
    assert (!podd_valid_email ("alice.tm@localhost"));
    assert (!podd_valid_email ("alice.tm"));
    assert (!podd_valid_email ("@pod-north.example"));
    assert (!podd_valid_email ("a@b@pod-north.example"));
    assert (!podd_valid_email ("a b@pod-north.example"));
    assert (!podd_valid_email ("a\r@pod-north.example"));
    assert (!podd_valid_email ("a@pod-north.example\r\nBcc: x@y.z"));
    assert (!podd_valid_email ("\"a\"@pod-north.example"));
    assert (!podd_valid_email ("<a@pod-north.example>"));
    assert (!podd_valid_email ("a,b@pod-north.example"));
    assert (!podd_valid_email ("a;b@pod-north.example"));
    assert (!podd_valid_email ("a\\b@pod-north.example"));
    assert (!podd_valid_email ("a(b)@pod-north.example"));
    assert (!podd_valid_email ("a@pod_north.example"));
    assert (!podd_valid_email ("a@pod-north..example"));
    assert (!podd_valid_email ("a@.example"));
    assert (!podd_valid_email ("a@example."));
    assert (!podd_valid_email ("\xc3\xa9@pod-north.example"));
    assert (!podd_valid_email (NULL));
    {
        char email [300];
        memset (email, 'a', sizeof (email));
        memcpy (email + 254 - 10, "@x.example", 11);            //  254 octets
        assert (strlen (email) == 254 && podd_valid_email (email));
        memset (email, 'a', sizeof (email));
        memcpy (email + 255 - 10, "@x.example", 11);            //  255 octets
        assert (!podd_valid_email (email));
    }

    assert (podd_valid_pattern ("mon-fri"));
    assert (podd_valid_pattern ("mon,tue,thu"));
    assert (podd_valid_pattern ("mon-wed,fri"));
    assert (podd_valid_pattern ("sat,sun"));
    assert (podd_pattern_days ("mon-fri") == 0x1f);
    assert (podd_pattern_days ("mon,tue,thu") == 0x0b);
    assert (podd_pattern_days ("mon-wed,fri") == 0x17);
    assert (podd_pattern_days ("sun") == 0x40);
    assert (podd_pattern_days ("fri-mon") == 0x71);
    assert (!podd_valid_pattern (""));
    assert (!podd_valid_pattern (NULL));
    assert (!podd_valid_pattern ("mon-"));
    assert (!podd_valid_pattern ("mon,"));
    assert (!podd_valid_pattern (",mon"));
    assert (!podd_valid_pattern ("mon-tue-wed"));
    assert (!podd_valid_pattern ("monday"));
    assert (!podd_valid_pattern ("Mon"));
    assert (!podd_valid_pattern ("mon, tue"));
    assert (!podd_valid_pattern ("mon-funday"));

    assert (podd_valid_name ("Alice Teale"));
    assert (podd_valid_name ("Si\xc3\xa2n O'Neill"));
    assert (!podd_valid_name (""));
    assert (!podd_valid_name ("   "));
    assert (!podd_valid_name ("Alice\tTeale"));
    assert (!podd_valid_name ("Alice\x7f"));
    assert (!podd_valid_name ("Alice\xc2\x85"));                //  C1 NEL
    assert (!podd_valid_name ("Alice\xc3"));                    //  truncated
    assert (!podd_valid_name ("\xc0\xa0"));                     //  overlong
    assert (!podd_valid_name ("\xed\xa0\x80"));                 //  surrogate
    {
        char name [200];
        memset (name, 'a', sizeof (name));
        name [128] = 0;
        assert (podd_valid_name (name));
        name [128] = 'a';
        name [129] = 0;
        assert (!podd_valid_name (name));
    }
    assert (podd_valid_skills (""));
    assert (podd_valid_skills ("chairing,court"));
    assert (podd_valid_skills ("life-story-work,BSL"));
    assert (!podd_valid_skills ("chairing, court"));
    assert (!podd_valid_skills ("chairing,,court"));
    assert (!podd_valid_skills ("chairing,"));
    assert (!podd_valid_skills ("-court"));
    assert (!podd_valid_skills (NULL));

    //  The shipped demo configuration
    podd_config_t *config = podd_config_load ("config/podd.conf", err, sizeof (err));
    if (!config)
        fprintf (stderr, "\n%s\n", err);
    assert (config);
    assert (streq (podd_config_endpoint (config), DEFAULT_ENDPOINT));
    assert (streq (podd_config_database (config), DEFAULT_DATABASE));
    assert (streq (podd_config_certs (config), DEFAULT_CERTS));
    assert (streq (podd_config_server_cert (config), DEFAULT_SERVER_CERT));
    assert (!podd_config_insecure (config));
    assert (podd_config_max_body (config) == DEFAULT_MAX_BODY);
    assert (podd_config_heartbeat_ms (config) == DEFAULT_HEARTBEAT);
    assert (podd_config_client_timeout_ms (config) == DEFAULT_CLIENT_TIMEOUT);
    assert (streq (podd_config_mail_domain (config), "pod-north.example"));
    assert (streq (podd_config_smtp (config), ""));
    assert (streq (podd_config_spool (config), DEFAULT_SPOOL));
    assert (podd_config_mail_starttls (config) == 1);
    assert (streq (podd_config_mail_user (config), ""));
    assert (streq (podd_config_mail_password (config), ""));
    assert (podd_config_mail_timeout (config) == DEFAULT_MAIL_TIMEOUT);
    assert (streq (podd_config_mail_from (config), ""));
    assert (podd_config_mail_retry_base (config) == DEFAULT_RETRY_BASE);
    assert (podd_config_mail_retry_horizon (config) == DEFAULT_RETRY_HORIZON * 3600);
    assert (podd_config_remind_hour (config) == DEFAULT_SEND_HOUR);
    assert (podd_config_overdue_daily (config) == DEFAULT_OVERDUE_DAILY);
    assert (podd_config_escalate_after (config) == DEFAULT_ESCALATE_AFTER);
    assert (podd_config_pod_count (config) == 2);
    assert (podd_config_member_count (config) == 11 + 4 + 1);
    assert (podd_config_kind_count (config) == BUILTIN_KINDS);
    assert (podd_config_pod_at (config, 2) == NULL);
    assert (podd_config_member_at (config, 16) == NULL);
    assert (podd_config_kind_at (config, BUILTIN_KINDS) == NULL);

    podd_pod_cfg_t *pod = podd_config_pod_at (config, 0);
    assert (streq (pod->name, "north"));
    assert (streq (pod->title, "Pod North"));
    assert (streq (pod->mailbox, "pod-north@pod-north.example"));
    assert (streq (pod->duty, "dana.coord"));
    pod = podd_config_pod_at (config, 1);
    assert (streq (pod->name, "south"));
    assert (pod->duty && podd_valid_handle (pod->duty));

    int role_count [2][PODD_ROLE_COUNT] = {{ 0 }};
    size_t admins = 0;
    for (size_t i = 0; i < podd_config_member_count (config); i++) {
        podd_member_cfg_t *member = podd_config_member_at (config, i);
        assert (podd_valid_handle (member->handle));
        assert (podd_valid_email (member->email));
        assert (podd_valid_name (member->name));
        assert (podd_valid_pattern (member->pattern));
        assert (member->role >= 0 && member->role < PODD_ROLE_COUNT);
        if (!member->pod) {
            assert (member->admin);
            assert (streq (member->handle, "root.admin"));
            admins++;
        }
        else {
            assert (!member->admin);
            role_count [streq (member->pod, "south")][member->role]++;
        }
    }
    assert (admins == 1);
    //  north: 1 TM, 2 SP, 4 SW, 1 SAW, 1 support, 1 coordinator, 1 FIW
    int north [PODD_ROLE_COUNT] = { 1, 2, 4, 1, 1, 1, 1 };
    int south [PODD_ROLE_COUNT] = { 1, 0, 2, 0, 1, 0, 0 };
    assert (memcmp (role_count [0], north, sizeof (north)) == 0);
    assert (memcmp (role_count [1], south, sizeof (south)) == 0);
    podd_member_cfg_t *alice = podd_config_member_at (config, 0);
    assert (streq (alice->handle, "alice.tm"));
    assert (streq (alice->name, "Alice Teale"));
    assert (streq (alice->email, "alice.tm@pod-north.example"));
    assert (alice->role == podd_role_index ("team-manager"));
    assert (streq (alice->pod, "north"));

    //  The shipped kinds are the built-in kinds
    podd_config_t *builtin = s_expect_ok ("");
    assert (podd_config_kind_count (builtin) == BUILTIN_KINDS);
    for (size_t i = 0; i < BUILTIN_KINDS; i++) {
        podd_kind_t *shipped = podd_config_kind_at (config, i);
        podd_kind_t *kind = podd_config_kind (builtin, shipped->name);
        assert (kind);
        assert (kind->roles == shipped->roles);
        assert (kind->duration_min == shipped->duration_min);
        assert (kind->due_hours == shipped->due_hours);
        assert (kind->meeting == shipped->meeting);
        assert (kind->urgent == shipped->urgent);
        assert (kind->statutory == shipped->statutory);
        assert (kind->remind_count == shipped->remind_count);
        assert (memcmp (kind->remind_days, shipped->remind_days,
                        kind->remind_count * sizeof (int)) == 0);
    }
    podd_kind_t *kind = podd_config_kind (builtin, "stability-meeting");
    assert (kind && kind->meeting && kind->urgent);
    assert (kind->duration_min == 90 && kind->due_hours == 120);
    assert (kind->roles == ((1u << 0) | (1u << 1) | (1u << 2)));
    assert (kind->remind_count == 2);
    assert (kind->remind_days [0] == 7 && kind->remind_days [1] == 1);
    assert (podd_config_kind (builtin, "general")->roles == ALL_ROLES);
    assert (!podd_config_kind (builtin, "welcome-pack")->meeting);
    assert (podd_config_kind (builtin, "welcome-pack")->roles
            & (1u << podd_role_index ("support-worker")));
    assert (!(podd_config_kind (builtin, "statutory-visit")->roles
              & (1u << podd_role_index ("support-worker"))));
    assert (podd_config_kind (builtin, "nope") == NULL);
    //  Defaults when everything is absent
    assert (streq (podd_config_endpoint (builtin), DEFAULT_ENDPOINT));
    assert (streq (podd_config_mail_domain (builtin), DEFAULT_MAIL_DOMAIN));
    assert (podd_config_pod_count (builtin) == 0);
    assert (podd_config_member_count (builtin) == 0);
    assert (podd_config_mail_starttls (builtin) == 1);
    assert (streq (podd_config_mail_user (builtin), ""));
    assert (streq (podd_config_mail_password (builtin), ""));
    assert (podd_config_mail_timeout (builtin) == 30);
    assert (streq (podd_config_mail_from (builtin), ""));
    assert (podd_config_mail_retry_base (builtin) == 60);
    assert (podd_config_mail_retry_horizon (builtin) == 72 * 3600);
    assert (podd_config_remind_hour (builtin) == 8);
    assert (podd_config_overdue_daily (builtin));
    assert (podd_config_escalate_after (builtin) == 3);
    podd_config_destroy (&builtin);
    assert (builtin == NULL);
    podd_config_destroy (&builtin);             //  destroying NULL is fine
    podd_config_destroy (&config);
    assert (config == NULL);

    //  Defaults inside pods and members, comments, CRLF, apostrophes
    config = s_expect_ok (
        "#   comment\r\n"
        "podd\r\n"
        "    # indented comment\r\n"
        "    endpoint = 'ipc://var/podd.ipc'   # trailing comment\r\n"
        "    security = insecure\r\n"
        "    heartbeat = 100\r\n"
        "    client-timeout = 101\r\n"
        "    max-body = 1024\r\n"
        "\r\n"
        "mail\r\n"
        "    smtp = \"mail.pod-north.example:25\"\r\n"
        "    starttls = \"required\"\r\n"
        "    user = \"podd@pod-north.example\"\r\n"
        "    password = 'p\"a ss#w\xc3\xa9rd'   # quotes, space, hash, UTF-8\r\n"
        "    timeout = 3600\r\n"
        "    from = \"bounces@pod-north.example\"\r\n"
        "    retry-base = 1\r\n"
        "    retry-horizon = 720\r\n"
        "reminders\r\n"
        "    send-hour = 0\r\n"
        "    overdue-daily = 0\r\n"
        "    escalate-after = 60\r\n"
        "kinds\r\n"
        "    kind = \"visit\"\r\n"
        "        remind = \"\"\r\n"
        "    kind = \"case-conference\"\r\n"
        "        meeting = 1\r\n"
        "        roles = \"team-manager\"\r\n"
        "        priority = urgent\r\n"
        "        due = 8760\r\n"
        "        remind = \"0,14,365,3,1,2,7,28\"\r\n"
        "    kind = \"letter\"\r\n"
        "pods\r\n"
        "    pod = \"east\"\r\n"
        "        member = \"eve.tm\"\r\n"
        "            role = \"team-manager\"\r\n"
        "            admin = 1\r\n"
        "admins\r\n"
        "    member = \"root\"\r\n"
        "        role = \"coordinator\"\r\n");
    assert (streq (podd_config_endpoint (config), "ipc://var/podd.ipc"));
    assert (podd_config_insecure (config));
    assert (podd_config_heartbeat_ms (config) == 100);
    assert (podd_config_client_timeout_ms (config) == 101);
    assert (podd_config_max_body (config) == 1024);
    assert (streq (podd_config_smtp (config), "mail.pod-north.example:25"));
    assert (podd_config_mail_starttls (config) == 2);
    assert (streq (podd_config_mail_user (config), "podd@pod-north.example"));
    assert (streq (podd_config_mail_password (config), "p\"a ss#w\xc3\xa9rd"));
    assert (podd_config_mail_timeout (config) == 3600);
    assert (streq (podd_config_mail_from (config), "bounces@pod-north.example"));
    assert (streq (podd_config_mail_gateway (config), ""));
    assert (podd_config_mail_retry_base (config) == 1);
    assert (podd_config_mail_retry_horizon (config) == (int64_t) 720 * 3600);
    assert (podd_config_remind_hour (config) == 0);
    assert (!podd_config_overdue_daily (config));
    assert (podd_config_escalate_after (config) == 60);
    assert (podd_config_kind_count (config) == 3);
    kind = podd_config_kind (config, "visit");
    assert (kind->roles == ALL_ROLES && !kind->meeting && !kind->urgent);
    assert (kind->duration_min == 0 && kind->due_hours == 168);
    assert (kind->remind_count == 0);
    kind = podd_config_kind (config, "case-conference");
    assert (kind->roles == 1 && kind->meeting && kind->urgent);
    assert (kind->duration_min == 60 && kind->due_hours == 8760);
    {
        int days [] = { 365, 28, 14, 7, 3, 2, 1, 0 };
        assert (kind->remind_count == 8);
        assert (memcmp (kind->remind_days, days, sizeof (days)) == 0);
    }
    kind = podd_config_kind (config, "letter");
    assert (kind->remind_count == 2);
    assert (kind->remind_days [0] == 7 && kind->remind_days [1] == 1);
    pod = podd_config_pod_at (config, 0);
    assert (streq (pod->title, "east"));
    assert (streq (pod->mailbox, "pod-east@pod.example"));
    assert (pod->duty == NULL);
    podd_member_cfg_t *member = podd_config_member_at (config, 0);
    assert (streq (member->name, "eve.tm"));
    assert (streq (member->email, "eve.tm@pod.example"));
    assert (streq (member->skills, ""));
    assert (streq (member->pattern, "mon-fri"));
    assert (member->admin);
    member = podd_config_member_at (config, 1);
    assert (member->admin && member->pod == NULL);
    podd_config_destroy (&config);

    //  Insecure is fine on loopback and inproc
    config = s_expect_ok ("podd\n    endpoint = \"tcp://localhost:5670\"\n    security = \"insecure\"\n");
    podd_config_destroy (&config);
    config = s_expect_ok ("podd\n    endpoint = \"inproc://podd\"\n    security = \"insecure\"\n");
    podd_config_destroy (&config);
    config = s_expect_ok ("podd\n    endpoint = \"tcp://*:5670\"\n    security = \"curve\"\n");
    podd_config_destroy (&config);

    //  Errors, each at the line of the offending key
    s_expect_error (BASE_PODD "    colour = \"blue\"\n",
                    TEST_NAME ":4: unknown key 'colour' in podd", verbose);
    s_expect_error (BASE_PODD BASE_POD "            colour = \"blue\"\n",
                    TEST_NAME ":10: unknown key 'colour' in member 'alice.tm'", verbose);
    s_expect_error (BASE_PODD BASE_POD "        colour = \"blue\"\n",
                    TEST_NAME ":10: unknown key 'colour' in pod 'north'", verbose);
    s_expect_error (BASE_PODD "logging\n",
                    TEST_NAME ":4: unknown section 'logging'", verbose);
    //  gateways: service handles that are no member's, each listed once
    config = s_expect_ok (BASE_PODD BASE_POD "gateways\n    gateway = \"podweb\"\n");
    assert (podd_config_gateway (config, "podweb"));
    assert (!podd_config_gateway (config, "alice.tm"));
    assert (!podd_config_gateway (config, NULL));
    podd_config_destroy (&config);
    s_expect_error (BASE_PODD BASE_POD "gateways\n    gateway = \"alice.tm\"\n",
                    TEST_NAME ":11: gateway 'alice.tm' is a member", verbose);
    s_expect_error (BASE_PODD BASE_POD "gateways\n    gateway = \"podweb\"\n    gateway = \"podweb\"\n",
                    TEST_NAME ":12: duplicate gateway 'podweb'", verbose);
    s_expect_error (BASE_PODD BASE_POD "gateways\n    proxy = \"podweb\"\n",
                    TEST_NAME ":11: unknown key 'proxy' in gateways", verbose);
    s_expect_error (BASE_PODD BASE_POD "gateways\n    gateway = \"Pod Web\"\n",
                    TEST_NAME ":11: gateway handle must be", verbose);
    s_expect_error (BASE_PODD "podd\n",
                    TEST_NAME ":4: duplicate section 'podd'", verbose);
    s_expect_error (BASE_PODD "    endpoint = \"tcp://127.0.0.1:5671\"\n",
                    TEST_NAME ":4: duplicate key 'endpoint' in podd", verbose);
    s_expect_error ("podd = \"x\"\n",
                    TEST_NAME ":1: 'podd' is a section", verbose);
    s_expect_error ("podd\n    endpoint = \"tcp://127.0.0.1:5670\"\n        port = 5\n",
                    TEST_NAME ":3: 'endpoint' takes no sub-keys", verbose);
    s_expect_error ("pods\n    member = \"x\"\n",
                    TEST_NAME ":2: unknown key 'member' in pods", verbose);

    //  Roles
    s_expect_error (BASE_PODD BASE_POD
                    "        member = \"bob.sw\"\n"                 //  10
                    "            role = \"wizard\"\n",              //  11
                    TEST_NAME ":11: unknown role 'wizard'", verbose);
    s_expect_error (BASE_PODD BASE_POD
                    "        member = \"bob.sw\"\n"                 //  10
                    "            name = \"Bob\"\n",                 //  11
                    TEST_NAME ":10: member 'bob.sw' has no role", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        roles = \"social-worker,,team-manager\"\n",
                    TEST_NAME ":3: empty role name in roles", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        roles = \"social-worker,wizard\"\n",
                    TEST_NAME ":3: unknown role 'wizard' in roles", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        roles = \"\"\n",
                    TEST_NAME ":3: roles must list at least one role", verbose);

    //  Emails, names, handles
    s_expect_error (BASE_PODD BASE_POD
                    "            email = \"alice\rtm@pod-north.example\"\n",
                    TEST_NAME ":10: invalid email address 'alice\\x0dtm@", verbose);
    s_expect_error (BASE_PODD BASE_POD
                    "            email = \"alice.tm@pod-north\"\n",
                    TEST_NAME ":10: invalid email address", verbose);
    s_expect_error (BASE_PODD BASE_POD "        mailbox = \"pod north@x.example\"\n",
                    TEST_NAME ":10: invalid mailbox address", verbose);
    s_expect_error (BASE_PODD BASE_POD "            name = \"Alice\tTeale\"\n",
                    TEST_NAME ":10: duplicate key 'name'", verbose);
    s_expect_error ("pods\n    pod = \"north\"\n"
                    "        member = \"alice.tm\"\n"
                    "            name = \"Alice\tTeale\"\n",
                    TEST_NAME ":4: name must be", verbose);
    s_expect_error ("pods\n    pod = \"north\"\n"
                    "        member = \"alice.tm\"\n"
                    "            name = \"Alice \xff\"\n",
                    TEST_NAME ":4: name must be", verbose);
    s_expect_error ("pods\n    pod = \"north\"\n        title = \"\"\n",
                    TEST_NAME ":3: title must be", verbose);
    s_expect_error ("pods\n    pod = \"north\"\n        member = \"Alice\"\n",
                    TEST_NAME ":3: member handle must be", verbose);
    s_expect_error ("pods\n    pod = \"\"\n",
                    TEST_NAME ":2: pod name must be", verbose);
    s_expect_error (BASE_PODD BASE_POD "            skills = \"chairing, court\"\n",
                    TEST_NAME ":10: skills must be", verbose);

    //  Security
    s_expect_error ("podd\n"
                    "    security = \"insecure\"\n"
                    "    endpoint = \"tcp://0.0.0.0:5670\"\n",
                    TEST_NAME ":2: security = \"insecure\" is only allowed", verbose);
    s_expect_error ("podd\n"
                    "    endpoint = \"tcp://127.0.0.1.evil.example:5670\"\n"
                    "    security = \"insecure\"\n",
                    TEST_NAME ":3: security = \"insecure\" is only allowed", verbose);
    s_expect_error ("podd\n    security = \"none\"\n",
                    TEST_NAME ":2: security must be", verbose);
    config = s_expect_ok ("podd\n    security = \"curve-registered\"\n");
    assert (podd_config_registered_only (config) && !podd_config_insecure (config));
    podd_config_destroy (&config);
    s_expect_error ("podd\n    endpoint = \"udp://127.0.0.1:5670\"\n",
                    TEST_NAME ":2: endpoint must be", verbose);
    s_expect_error ("podd\n    endpoint = \"tcp://127.0.0.1\"\n",
                    TEST_NAME ":2: endpoint must be", verbose);
    s_expect_error ("podd\n    endpoint = \"tcp://127.0.0.1:70000\"\n",
                    TEST_NAME ":2: endpoint must be", verbose);
    s_expect_error ("podd\n    endpoint = \"\"\n",
                    TEST_NAME ":2: endpoint must be", verbose);
    s_expect_error ("mail\n    smtp = \"mail.example\"\n",
                    TEST_NAME ":2: smtp must be", verbose);
    s_expect_error ("podd\n    mail-domain = \"localhost\"\n",
                    TEST_NAME ":2: mail-domain must be", verbose);
    s_expect_error ("podd\n    database = \"\"\n",
                    TEST_NAME ":2: database must be a path", verbose);

    //  Mail: STARTTLS, AUTH, timeouts, sender, retries
    s_expect_error ("mail\n    starttls = \"yes\"\n",
                    TEST_NAME ":2: starttls must be \"off\", \"optional\" or \"required\", not 'yes'",
                    verbose);
    s_expect_error ("mail\n    starttls = \"\"\n",
                    TEST_NAME ":2: starttls must be", verbose);
    s_expect_error ("mail\n"
                    "    user = \"podd\"\n"                         //  2
                    "    password = \"secret\"\n"                   //  3
                    "    starttls = \"off\"\n",                     //  4
                    TEST_NAME ":2: user is set but starttls is \"off\"", verbose);
    s_expect_error ("mail\n"
                    "    starttls = off\n"                          //  2
                    "    password = \"secret\"\n"                   //  3
                    "    user = \"podd\"\n",                        //  4
                    TEST_NAME ":4: user is set but starttls is \"off\"", verbose);
    s_expect_error ("mail\n    user = \"podd\"\n",
                    TEST_NAME ":2: user is set but password is empty", verbose);
    s_expect_error ("mail\n    user = \"podd\"\n    password = \"\"\n",
                    TEST_NAME ":2: user is set but password is empty", verbose);
    s_expect_error ("mail\n    password = \"secret\"\n",
                    TEST_NAME ":2: password is set but user is empty", verbose);
    s_expect_error ("mail\n    user = \"\"\n    password = \"secret\"\n",
                    TEST_NAME ":3: password is set but user is empty", verbose);
    s_expect_error ("mail\n    user = \"po\tdd\"\n    password = \"secret\"\n",
                    TEST_NAME ":2: user must be at most 256 octets", verbose);
    s_expect_error ("mail\n    user = \"podd\"\n    password = \"sec\tret\"\n",
                    TEST_NAME ":3: password must be at most 256 octets of printable text", verbose);
    s_expect_error ("mail\n    user = \"podd\"\n    password = \"secret\x7f\"\n",
                    TEST_NAME ":3: password must be", verbose);
    s_expect_error ("mail\n    user = \"podd\"\n    password = \"secret\xc2\x85\"\n",
                    TEST_NAME ":3: password must be", verbose);
    s_expect_error ("mail\n    user = \"podd\"\n    password = \"secret\xff\"\n",
                    TEST_NAME ":3: password must be", verbose);
    {
        //  257 octets is too long; the password never appears in the message
        char text [400];
        size_t at = (size_t) snprintf (text, sizeof (text),
                                       "mail\n    user = \"podd\"\n    password = \"");
        memset (text + at, 'x', 257);
        snprintf (text + at + 257, sizeof (text) - at - 257, "\"\n");
        s_expect_error (text, TEST_NAME ":3: password must be", verbose);
        config = podd_config_load_str ("mail\n    user = \"podd\"\n"
                                       "    password = \"hunter2\x01\"\n",
                                       TEST_NAME, err, sizeof (err));
        assert (!config && strstr (err, "password must be") && !strstr (err, "hunter2"));
        text [at + 256] = '"';                  //  256 octets is fine
        text [at + 257] = '\n';
        text [at + 258] = 0;
        config = s_expect_ok (text);
        assert (strlen (podd_config_mail_password (config)) == 256);
        podd_config_destroy (&config);
    }
    s_expect_error ("mail\n    timeout = 0\n",
                    TEST_NAME ":2: timeout must be a whole number from 1 to 3600, not '0'", verbose);
    s_expect_error ("mail\n    timeout = 3601\n",
                    TEST_NAME ":2: timeout must be a whole number from 1 to 3600", verbose);
    s_expect_error ("mail\n    timeout = 30s\n",
                    TEST_NAME ":2: timeout must be a whole number", verbose);
    s_expect_error ("mail\n    from = \"podd\"\n",
                    TEST_NAME ":2: from must be \"\" (each pod's mailbox) or an email address, "
                    "not 'podd'", verbose);
    s_expect_error ("mail\n    from = \"a@pod-north.example\rBcc: x@y.z\"\n",
                    TEST_NAME ":2: from must be", verbose);
    s_expect_error ("mail\n    from = \"<a@pod-north.example>\"\n",
                    TEST_NAME ":2: from must be", verbose);
    s_expect_error ("mail\n    gateway = \"Mail GW\"\n",
                    TEST_NAME ":2: gateway must be \"\" (none) or a member's handle, not 'Mail GW'", verbose);
    s_expect_error ("mail\n    retry-base = 0\n",
                    TEST_NAME ":2: retry-base must be a whole number from 1 to 3600", verbose);
    s_expect_error ("mail\n    retry-base = 3601\n",
                    TEST_NAME ":2: retry-base must be a whole number from 1 to 3600", verbose);
    s_expect_error ("mail\n    retry-horizon = 0\n",
                    TEST_NAME ":2: retry-horizon must be a whole number from 1 to 720", verbose);
    s_expect_error ("mail\n    retry-horizon = 721\n",
                    TEST_NAME ":2: retry-horizon must be a whole number from 1 to 720", verbose);
    s_expect_error ("mail\n    smtp = \"\"\n    tls = 1\n",
                    TEST_NAME ":3: unknown key 'tls' in mail", verbose);
    s_expect_error ("mail\n    user = \"a\"\n    user = \"b\"\n",
                    TEST_NAME ":3: duplicate key 'user' in mail", verbose);
    config = s_expect_ok ("mail\n    starttls = \"off\"\n    from = \"x@pod-north.example\"\n");
    assert (podd_config_mail_starttls (config) == 0);
    assert (streq (podd_config_mail_user (config), ""));
    podd_config_destroy (&config);
    config = s_expect_ok ("mail\n    user = \"podd\"\n    password = \"s3cret\"\n");
    assert (podd_config_mail_starttls (config) == 1);
    assert (streq (podd_config_mail_password (config), "s3cret"));
    podd_config_destroy (&config);

    //  Reminders
    s_expect_error ("reminders\n    send-hour = 24\n",
                    TEST_NAME ":2: send-hour must be a whole number from 0 to 23, not '24'", verbose);
    s_expect_error ("reminders\n    send-hour = -1\n",
                    TEST_NAME ":2: send-hour must be a whole number from 0 to 23", verbose);
    s_expect_error ("reminders\n    overdue-daily = 2\n",
                    TEST_NAME ":2: overdue-daily must be 0 or 1, not '2'", verbose);
    s_expect_error ("reminders\n    escalate-after = 61\n",
                    TEST_NAME ":2: escalate-after must be a whole number from 0 to 60", verbose);
    s_expect_error ("reminders\n    hour = 8\n",
                    TEST_NAME ":2: unknown key 'hour' in reminders", verbose);
    s_expect_error ("reminders\n    send-hour = 8\n    send-hour = 9\n",
                    TEST_NAME ":3: duplicate key 'send-hour' in reminders", verbose);
    s_expect_error ("reminders = 8\n",
                    TEST_NAME ":1: 'reminders' is a section", verbose);
    s_expect_error ("reminders\nreminders\n",
                    TEST_NAME ":2: duplicate section 'reminders'", verbose);
    s_expect_error ("reminders\n    send-hour = 8\n        minute = 0\n",
                    TEST_NAME ":3: 'send-hour' takes no sub-keys", verbose);
    config = s_expect_ok ("reminders\n    escalate-after = 0\n");
    assert (podd_config_escalate_after (config) == 0);
    assert (podd_config_remind_hour (config) == 8 && podd_config_overdue_daily (config));
    podd_config_destroy (&config);

    //  Kind reminder days
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"7,,1\"\n",
                    TEST_NAME ":3: remind must be \"\" or a comma-separated list of days before "
                    "the due date, 0 to 365, like \"7,1\", not '7,,1'", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"7, 1\"\n",
                    TEST_NAME ":3: remind must be", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"7,1,\"\n",
                    TEST_NAME ":3: remind must be", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \",7\"\n",
                    TEST_NAME ":3: remind must be", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"-1\"\n",
                    TEST_NAME ":3: remind must be", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"1w\"\n",
                    TEST_NAME ":3: remind must be", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"7,366\"\n",
                    TEST_NAME ":3: remind: day '366' is not from 0 to 365", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"99999999999999999999\"\n",
                    TEST_NAME ":3: remind: day '99999999999999999999' is not from 0 to 365",
                    verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"7,1,7\"\n",
                    TEST_NAME ":3: remind: day 7 is listed twice", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"07,7\"\n",
                    TEST_NAME ":3: remind: day 7 is listed twice", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"1,2,3,4,5,6,7,8,9\"\n",
                    TEST_NAME ":3: remind: more than 8 days", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        reminder = \"7\"\n",
                    TEST_NAME ":3: unknown key 'reminder' in kind 'x'", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        remind = \"7\"\n        remind = \"1\"\n",
                    TEST_NAME ":4: duplicate key 'remind' in kind 'x'", verbose);

    //  Duplicates, duty, team manager
    s_expect_error (BASE_PODD BASE_POD
                    "    pod = \"south\"\n"                         //  10
                    "        member = \"sam.tm\"\n"                 //  11
                    "            role = \"team-manager\"\n"         //  12
                    "        member = \"alice.tm\"\n"               //  13
                    "            role = \"social-worker\"\n",       //  14
                    TEST_NAME ":13: duplicate member 'alice.tm' (already in pod north)", verbose);
    s_expect_error (BASE_PODD BASE_POD
                    "admins\n"                                      //  10
                    "    member = \"alice.tm\"\n"                   //  11
                    "        role = \"team-manager\"\n",            //  12
                    TEST_NAME ":11: duplicate member 'alice.tm'", verbose);
    s_expect_error (BASE_PODD BASE_POD
                    "    pod = \"north\"\n",                        //  10
                    TEST_NAME ":10: duplicate pod 'north'", verbose);
    s_expect_error ("kinds\n    kind = \"visit\"\n    kind = \"review\"\n    kind = \"visit\"\n",
                    TEST_NAME ":4: duplicate kind 'visit'", verbose);
    s_expect_error (BASE_PODD
                    "pods\n"                                        //  4
                    "    pod = \"north\"\n"                         //  5
                    "        duty = \"sam.tm\"\n"                   //  6
                    "        member = \"alice.tm\"\n"               //  7
                    "            role = \"team-manager\"\n"         //  8
                    "    pod = \"south\"\n"                         //  9
                    "        member = \"sam.tm\"\n"                 //  10
                    "            role = \"team-manager\"\n",        //  11
                    TEST_NAME ":6: duty 'sam.tm' is not a member of pod 'north'", verbose);
    s_expect_error (BASE_PODD BASE_POD
                    "    pod = \"south\"\n"                         //  10
                    "        duty = \"alice.tm\"\n"                 //  11
                    "        member = \"sam.tm\"\n"                 //  12
                    "            role = \"team-manager\"\n",        //  13
                    TEST_NAME ":11: duty 'alice.tm' is not a member of pod 'south'", verbose);
    s_expect_error (BASE_PODD
                    "pods\n"                                        //  4
                    "    pod = \"north\"\n"                         //  5
                    "        member = \"bob.sw\"\n"                 //  6
                    "            role = \"social-worker\"\n"        //  7
                    "    pod = \"south\"\n"                         //  8
                    "        member = \"carol.sw\"\n"               //  9
                    "            role = \"social-worker\"\n",       //  10
                    TEST_NAME ":5: pod 'north' has no team-manager", verbose);
    s_expect_error (BASE_PODD BASE_POD
                    "    pod = \"south\"\n",                        //  10
                    TEST_NAME ":10: pod 'south' has no team-manager", verbose);
    s_expect_error (BASE_PODD BASE_POD
                    "admins\n"                                      //  10
                    "    member = \"root.admin\"\n"                 //  11
                    "        role = \"coordinator\"\n"              //  12
                    "        admin = 0\n",                          //  13
                    TEST_NAME ":13: members of admins are always admins", verbose);

    //  Numbers
    s_expect_error (BASE_PODD "    heartbeat = 50\n",
                    TEST_NAME ":4: heartbeat must be a whole number from 100 to 600000, not '50'",
                    verbose);
    s_expect_error (BASE_PODD "    max-body = 16777217\n",
                    TEST_NAME ":4: max-body must be a whole number", verbose);
    s_expect_error (BASE_PODD "    max-body = 64k\n",
                    TEST_NAME ":4: max-body must be a whole number", verbose);
    s_expect_error (BASE_PODD "    max-body = -1\n",
                    TEST_NAME ":4: max-body must be a whole number", verbose);
    s_expect_error (BASE_PODD "    max-body = 99999999999999999999999\n",
                    TEST_NAME ":4: max-body must be a whole number", verbose);
    s_expect_error (BASE_PODD "    heartbeat = 6000\n    client-timeout = 6000\n",
                    TEST_NAME ":5: client-timeout (6000 ms) must be greater than heartbeat",
                    verbose);
    s_expect_error (BASE_PODD "    heartbeat = 20000\n",
                    TEST_NAME ":4: client-timeout (15000 ms) must be greater", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        meeting = 1\n        duration = 0\n",
                    TEST_NAME ":4: a meeting needs a duration", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        meeting = yes\n",
                    TEST_NAME ":3: meeting must be 0 or 1", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        due = 8761\n",
                    TEST_NAME ":3: due must be a whole number from 1 to 8760", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        due = 0\n",
                    TEST_NAME ":3: due must be a whole number from 1 to 8760", verbose);
    s_expect_error ("kinds\n    kind = \"x\"\n        priority = \"high\"\n",
                    TEST_NAME ":3: priority must be", verbose);
    s_expect_error ("kinds\n",
                    TEST_NAME ":1: kinds needs at least one kind", verbose);

    //  Patterns
    s_expect_error (BASE_PODD BASE_POD "            pattern = \"mon-funday\"\n",
                    TEST_NAME ":10: pattern must list working days", verbose);
    s_expect_error (BASE_PODD BASE_POD "            pattern = \"\"\n",
                    TEST_NAME ":10: pattern must list working days", verbose);

    //  Syntax errors
    s_expect_error (BASE_PODD "   heartbeat = 5000\n",
                    TEST_NAME ":4: syntax error: indent with a multiple of 4 spaces", verbose);
    s_expect_error (BASE_PODD "     # misaligned comment\n",
                    TEST_NAME ":4: syntax error: indent", verbose);
    s_expect_error (BASE_PODD "    heartbeat = \"5000\n",
                    TEST_NAME ":4: syntax error: unterminated quote", verbose);
    s_expect_error (BASE_PODD "    = \"5000\"\n",
                    TEST_NAME ":4: syntax error: expected a name", verbose);
    s_expect_error (BASE_PODD "\theartbeat = 5000\n",
                    TEST_NAME ":4: syntax error: expected a name", verbose);
    s_expect_error (BASE_PODD "    heartbeat 5000\n",
                    TEST_NAME ":4: syntax error: expected '=' after 'heartbeat'", verbose);
    s_expect_error (BASE_PODD "    heartbeat = \"5000\" x\n",
                    TEST_NAME ":4: syntax error: unexpected text", verbose);
    s_expect_error (BASE_PODD "            heartbeat = 5000\n",
                    TEST_NAME ":4: syntax error: 'heartbeat' is indented too deep", verbose);
    s_expect_error ("    podd\n",
                    TEST_NAME ":1: syntax error: 'podd' is indented too deep", verbose);
    s_expect_error (BASE_PODD "    smtp = # none\n",
                    TEST_NAME ":4: syntax error: missing value", verbose);
    s_expect_error (BASE_PODD "    /heartbeat = 1\n",
                    TEST_NAME ":4: syntax error: '/' cannot", verbose);
    s_expect_error (BASE_PODD "    heart/beat = 1\n",
                    TEST_NAME ":4: unknown key 'heart/beat' in podd", verbose);
    {
        char text [1200];
        memset (text, ' ', sizeof (text));
        memcpy (text, "podd\n    database = \"", 21);
        memcpy (text + 1150, "\"\n", 3);
        s_expect_error (text, TEST_NAME ":2: syntax error: line longer", verbose);
    }

    //  File errors
    config = podd_config_load ("config/does-not-exist.conf", err, sizeof (err));
    assert (!config);
    assert (strncmp (err, "config/does-not-exist.conf: cannot open", 39) == 0);
    config = podd_config_load_str ("x\n", TEST_NAME, NULL, 0);
    assert (!config);
    //  A whole file: empty, comments only or cut short is refused, with
    //  the line where the missing part was expected
    {
        static const struct { const char *text, *error; } whole [] = {
            { "", TEST_NAME ":1: no 'podd' section" },
            { "#  comment\n#  another\n\n", TEST_NAME ":3: no 'podd' section" },
            { BASE_PODD "    database = \"x.db\"\n", TEST_NAME ":1: 'certs' is required" },
            { BASE_PODD "    database = \"x.db\"\n    certs = \"c\"\n",
              TEST_NAME ":1: 'server-cert' is required" },
            { BASE_PODD "    database = \"x.db\"\n    certs = \"c\"\n    server-cert = \"k\"\n",
              TEST_NAME ":6: no 'pods' section" },
            { BASE_PODD "    database = \"x.db\"\n    certs = \"c\"\n    server-cert = \"k\"\n"
              "pods\n", TEST_NAME ":7: the pods section has no pod" },
            { BASE_PODD "    database = \"x.db\"\n    certs = \"c\"\n    server-cert = \"k\"\n"
              BASE_POD, TEST_NAME ":12: no administrator" },
            { BASE_PODD "    database = \"x.db\"\n    certs = \"c\"\n    server-cert = \"k\"\n"
              BASE_POD "            admin = 1", TEST_NAME ":13: the last line has no end of line" },
        };
        for (size_t i = 0; i < sizeof whole / sizeof whole [0]; i++) {
            config = s_load_text (whole [i].text, TEST_NAME, true, err, sizeof (err));
            if (config || strncmp (err, whole [i].error, strlen (whole [i].error))) {
                fprintf (stderr, "\nexpected '%s...', got '%s'\n", whole [i].error,
                         config? "(loaded)": err);
                assert (false);
            }
            if (verbose)
                printf ("\n    %s", err);
            //  The same text as a fragment (tests) loads with defaults
            if (i < 2) {
                config = podd_config_load_str (whole [i].text, TEST_NAME, err, sizeof (err));
                assert (config);
                podd_config_destroy (&config);
            }
        }
        config = s_load_text (BASE_PODD "    database = \"x.db\"\n    certs = \"c\"\n"
                              "    server-cert = \"k\"\n" BASE_POD "            admin = 1\n",
                              TEST_NAME, true, err, sizeof (err));
        assert (config);
        podd_config_destroy (&config);
    }
    //  Short error buffers truncate
    char small [8];
    config = podd_config_load_str ("x\n", TEST_NAME, small, sizeof (small));
    assert (!config && streq (small, "t.conf:"));
    //  @end

    printf ("%sOK\n", verbose? "\n": "");
}
