/*  config.h - podd configuration: loading, validation, defaults.

    Owns: reading the ZPL file (zconfig), every key's default, validation
    of every value with the file name and line number of the fault, the
    task-kind table and the bootstrap pods/members. Nothing else in podd
    reads zconfig directly.
*/
#ifndef PODD_CONFIG_H_INCLUDED
#define PODD_CONFIG_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#define PODD_ROLE_COUNT 7
/* The roles, in this order; index is the role id. */
extern const char *podd_roles [PODD_ROLE_COUNT];
/* Role index for a name, or -1. */
int podd_role_index (const char *name);

/*  Longest mail-domain: podd's Message-IDs "podd.<time>.<random>@mail-domain"
    must fit PODD_MESSAGE_ID_MAX (message.h, asserted there). */
#define PODD_MAIL_DOMAIN_MAX 211

/* Most reminder days a kind may list */
#define PODD_REMIND_MAX 8

typedef struct {
    char *name;                 /* e.g. "stability-meeting" */
    unsigned roles;             /* bitmask over podd_roles indexes */
    int   duration_min;         /* default duration in minutes (meetings) */
    int   due_hours;            /* default due offset from creation, hours */
    bool  meeting;              /* gets calendar invites */
    bool  urgent;               /* default priority urgent */
    /* remind = "7,1": days before the due date at which a reminder is
       sent (0 = on the due day), distinct, 0..365, sorted largest first;
       remind_count 0 (remind = "") means no reminders before the due
       date. Default "7,1" when the key is absent. */
    int    remind_days [PODD_REMIND_MAX];
    size_t remind_count;
    /* statutory = 1: work the law asks for (e.g. a statutory visit); the
       compliance report lists such tasks no standard is attached to */
    bool   statutory;
} podd_kind_t;

typedef struct {
    char *handle;               /* login name, unique: [a-z0-9][a-z0-9._-]{0,31} */
    char *name;                 /* display name */
    char *email;
    int   role;                 /* index in podd_roles */
    char *skills;               /* comma-separated, may be "" */
    char *pattern;              /* working days, e.g. "mon-fri", "mon,tue,wed" */
    bool  admin;
    char *pod;                  /* pod name, or NULL for a pod-less admin */
} podd_member_cfg_t;

typedef struct {
    char *name;                 /* [a-z0-9][a-z0-9-]{0,31} */
    char *title;
    char *mailbox;              /* the pod's organiser address */
    char *duty;                 /* handle of the duty contact, may be NULL */
} podd_pod_cfg_t;

typedef struct _podd_config_t podd_config_t;

/* Load and validate a file. On error returns NULL and writes
   "FILE:LINE: message" into err (size errlen). The file must be whole:
   sections podd (with endpoint, database, certs and, with CURVE,
   server-cert) and pods (at least one pod), at least one administrator,
   and an end of line after the last line; an empty file, one of comments
   only or one cut short is refused. */
podd_config_t *podd_config_load (const char *path, char *err, size_t errlen);
/* Same from a string (for tests); name is used in messages. */
podd_config_t *podd_config_load_str (const char *text, const char *name,
                                     char *err, size_t errlen);
void podd_config_destroy (podd_config_t **self_p);

/* podd section. Relative paths are resolved against the config file's
   directory's parent when the file lives in a "config" dir, else against
   the current directory: callers get them as given. */
const char *podd_config_endpoint (podd_config_t *self);     /* tcp://127.0.0.1:5670 */
const char *podd_config_database (podd_config_t *self);     /* var/podd.db */
const char *podd_config_certs (podd_config_t *self);        /* var/certs: members' public certs */
const char *podd_config_server_cert (podd_config_t *self);  /* var/keys/podd.cert: server keypair (secret file) */
bool        podd_config_insecure (podd_config_t *self);     /* security = insecure (only ipc:// or loopback) */
bool        podd_config_registered_only (podd_config_t *self);  /* security = curve-registered:
                                                   the handshake refuses unregistered keys */
size_t      podd_config_max_body (podd_config_t *self);     /* 65536 */
int         podd_config_heartbeat_ms (podd_config_t *self); /* 5000: client heartbeat interval advertised */
int         podd_config_client_timeout_ms (podd_config_t *self); /* 15000: expire silent watchers */
const char *podd_config_mail_domain (podd_config_t *self);  /* pod.example */
const char *podd_config_smtp (podd_config_t *self);         /* "" = spool */
const char *podd_config_spool (podd_config_t *self);        /* var/spool */
/* STARTTLS mode: 0 off, 1 optional (default), 2 required; the same values
   as PODD_STARTTLS_OFF / _OPTIONAL / _REQUIRED in mailer.h. */
int         podd_config_mail_starttls (podd_config_t *self);
/* AUTH PLAIN credentials, "" when absent (no AUTH). When user is set the
   password is non-empty and starttls is not off (checked at load). UTF-8
   text without control characters, at most 256 octets each. */
const char *podd_config_mail_user (podd_config_t *self);
const char *podd_config_mail_password (podd_config_t *self);
int         podd_config_mail_timeout (podd_config_t *self); /* 30: seconds per SMTP step, 1..3600 */
/* Envelope sender (MAIL FROM), a valid address, or "" = each pod's mailbox */
const char *podd_config_mail_from (podd_config_t *self);
/* "" or the handle of the member whose key a mail gateway uses: it may
   INGEST-MAIL for every pod (a team manager only for their own pod) */
const char *podd_config_mail_gateway (podd_config_t *self);
/* First retry delay in seconds, 1..3600 (default 60); the delay doubles
   with each attempt, with jitter. */
int         podd_config_mail_retry_base (podd_config_t *self);
/* How long after a message was first queued to give up and mark it
   failed, in SECONDS (the file gives hours, 1..720; default 72 h = 259200 s). */
int64_t     podd_config_mail_retry_horizon (podd_config_t *self);

/* reminders section */
int         podd_config_remind_hour (podd_config_t *self);    /* 8: local hour 0..23 reminders go out */
bool        podd_config_overdue_daily (podd_config_t *self);  /* true: a reminder every working day while overdue */
/* Working days overdue before the team manager is copied in, 0..60
   (default 3; 0 = on the first overdue day). */
int         podd_config_escalate_after (podd_config_t *self);

/* Task kinds */
size_t       podd_config_kind_count (podd_config_t *self);
podd_kind_t *podd_config_kind_at (podd_config_t *self, size_t index);
podd_kind_t *podd_config_kind (podd_config_t *self, const char *name);

/* Bootstrap pods and members */
size_t             podd_config_pod_count (podd_config_t *self);
podd_pod_cfg_t    *podd_config_pod_at (podd_config_t *self, size_t index);
size_t             podd_config_member_count (podd_config_t *self);
podd_member_cfg_t *podd_config_member_at (podd_config_t *self, size_t index);

/* gateways section: is handle a gateway key's handle (podweb)? A
   gateway's request may name the member it acts for (PROTOCOL.md 4.4). */
bool podd_config_gateway (podd_config_t *self, const char *handle);

/* Validators shared with the daemon's request checks */
bool podd_valid_handle (const char *s);     /* member handle / pod name syntax */
bool podd_valid_email (const char *s);      /* addr-spec subset, no CR/LF/controls/spaces/quotes */
/* The stricter rule of every address podd mails (invitations): dot-atom
   local part of 1..64 octets, '@', host name labels [A-Za-z0-9-] with at
   least one dot, <= 254 octets. */
bool podd_valid_address (const char *s);
/* The one check of an e-mail address a person gives (PARTNER-ADD, PARTNER-
   UPDATE, MEMBER-ADD, MEETING-SCHEDULE): a leading "mailto:" (any case) is
   stripped, the rest must pass podd_valid_address, and is written lower-
   cased into out (size octets, 255 is enough). Returns NULL, or the problem
   ("is not a valid address ...") with out empty. */
const char *podd_address_canonical (const char *in, char *out, size_t size);
/* The one check of a person's display name, which goes into To headers and
   calendar CN parameters: podd_valid_name, and no '"' or '^'. Returns NULL
   or the problem. */
const char *podd_display_name_problem (const char *name);
bool podd_valid_pattern (const char *s);    /* mon-fri | list of mon..sun | ranges */
/* Working days of a pattern as a bitmask, bit 0 = mon .. bit 6 = sun
   (ranges may wrap, "fri-mon"); -1 when the pattern is invalid. */
int  podd_pattern_days (const char *s);
/* Display name / title: valid UTF-8, 1..128 octets, not only spaces, no
   C0/DEL/C1 control characters, no '"' or '^' (an invitation's CN
   parameter cannot carry them), no bidirectional overrides or line and
   paragraph separators (podd_text_has_bidi_control). */
bool podd_valid_name (const char *s);
/* True when s holds a bidirectional override or isolate (U+202A..U+202E,
   U+2066..U+2069) or a line or paragraph separator (U+2028, U+2029): text
   that can make a name display as something else. Names refuse them. */
bool podd_text_has_bidi_control (const char *s);
/* Skills: "" or comma-separated tokens [A-Za-z0-9][A-Za-z0-9._-]{0,63},
   no spaces, <= 256 octets. */
bool podd_valid_skills (const char *s);

void podd_config_test (bool verbose);

#endif
