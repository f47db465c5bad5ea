/*  podp.c - the PODP/1 wire codec shared by podd and its clients.

    The command table below is the authority for every message's fields,
    their types, whether they are required and their limits in octets.
    proto/PROTOCOL.md documents the same table; keep the two in step.

    podp_decode never asserts on input: every malformed message is turned
    into a status code and a reason that names the field at fault.
*/
#include "podp.h"
#include <stdint.h>
#include <string.h>
#include <assert.h>

#define S_STRING_DEFAULT    256             /* STRING max when not given */
#define S_TEXT_DEFAULT      PODP_STRING_MAX /* TEXT max when not given */
#define S_STRINGS_ITEMS     64              /* items in a STRINGS array */
#define S_INT_MAX           9007199254740991LL  /* 2^53 - 1 */
#define S_FIELDS_MAX        10
#define S_NAME_SHOWN        40              /* octets of a peer's name in reasons */

/*  --------------------------------------------------------------------
    Command table */

typedef struct {
    const char  *name;
    podp_type_t  type;
    bool         required;
    size_t       max;               /* octets; 0 = default for the type */
    const char  *const *choices;    /* NULL-terminated allowed values, or NULL */
} s_field_t;

typedef struct {
    const char *name;
    bool        to_server;
    s_field_t   fields [S_FIELDS_MAX];  /* terminated by a NULL name */
} s_command_t;

#define REQ     true
#define OPT     false
#define STRING  PODP_T_STRING
#define TEXT    PODP_T_TEXT
#define INT     PODP_T_INT
#define BOOL    PODP_T_BOOL
#define STRINGS PODP_T_STRINGS
#define OBJECT  PODP_T_OBJECT
#define INTS    PODP_T_INTS
#define END     NULL, PODP_T_STRING, false, 0, NULL

static const char *const s_case_kinds [] = { "child", "carer-household", NULL };
static const char *const s_case_status [] = { "open", "closed", "all", NULL };
static const char *const s_note_kinds [] =
    { "note", "concern", "allegation", "action", "event", "contact", NULL };
static const char *const s_priorities [] = { "routine", "urgent", NULL };
static const char *const s_task_scopes [] = { "mine", "pod", "overdue", "case", NULL };
static const char *const s_roles [] = {
    "team-manager", "senior-practitioner", "social-worker",
    "support-assessment-worker", "support-worker", "coordinator",
    "family-intervention-worker", NULL
};
static const char *const s_leave_kinds [] =
    { "annual", "training", "other", "sickness", "emergency", NULL };
static const char *const s_leave_return [] = { "return", "stay", NULL };
static const char *const s_leave_statuses [] =
    { "all", "requested", "approved", "refused", "cancelled", NULL };
static const char *const s_mail_states [] = { "pending", "sent", "failed", "all", NULL };
static const char *const s_agency_kinds [] =
    { "school", "health", "police", "virtual-school", "other", NULL };
//  CASE-EVENT types: the triggers of practice standards (daemon/standards.h
//  PODD_TRIGGERS, less "task-done" and "age", which are not case events)
static const char *const s_event_types [] = {
    "case-opened", "referral-received", "carer-approved", "panel-date-set",
    "child-placed", "became-looked-after", "allegation", "placement-difficulty",
    "strategy-discussion", "conference-held", "review-held",
    "placement-confirmed-long-term", "placement-ended",
    "concern", "significant-harm-concern", "professional-allegation",
    "cp-plan-ended", "ceased-looked-after", NULL
};
//  A strategy discussion's outcome (daemon/standards.h PODD_OUTCOMES)
static const char *const s_outcomes [] = { "nfa", "s47", NULL };

static const char *const s_transfer_sides [] = { "sending", "receiving", NULL };
static const char *const s_transfer_statuses [] = { "pending", "done", "refused", "all", NULL };

static const s_command_t s_commands [] = {
    /*  Client -> server. "rid" (INT, optional) is allowed on every one. */
    { "PING",        true, { { END } } },
    { "WHOAMI",      true, { { END } } },
    { "HEARTBEAT",   true, { { END } } },
    { "WATCH",       true, { { END } } },
    { "ACK",         true, {
        { "delivery",  INT,     OPT, 0,   NULL },     /* this or deliveries */
        { "deliveries", INTS,   OPT, PODP_ACK_ITEMS, NULL },
        { END } } },
    { "BACKUP",      true, {
        { "file",      STRING,  REQ, 1024, NULL },
        { END } } },
    { "POD-LIST",    true, { { END } } },
    { "POD-SHOW",    true, {
        { "pod",       STRING,  REQ, 32,  NULL },
        { END } } },
    { "MEMBER-LIST", true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { "limit",     INT,     OPT, 0,   NULL },     /* 1 .. PODP_LIST_MAX */
        { "after",     STRING,  OPT, 128, NULL },     /* the "next" of the page before */
        { END } } },
    { "MEMBER-SHOW", true, {
        { "member",    STRING,  REQ, 32,  NULL },
        { END } } },
    { "MEMBER-ADD",  true, {
        { "handle",    STRING,  REQ, 32,  NULL },
        { "name",      STRING,  REQ, 128, NULL },
        { "email",     STRING,  REQ, 254, NULL },
        { "role",      STRING,  REQ, 40,  s_roles },
        { "pod",       STRING,  OPT, 32,  NULL },
        { "skills",    STRING,  OPT, 0,   NULL },
        { "pattern",   STRING,  OPT, 64,  NULL },
        { "admin",     BOOL,    OPT, 0,   NULL },
        { END } } },
    { "CASE-OPEN",   true, {
        { "ref",       STRING,  REQ, 64,  NULL },
        { "kind",      STRING,  REQ, 32,  s_case_kinds },
        { "pod",       STRING,  OPT, 32,  NULL },
        { "lead",      STRING,  OPT, 32,  NULL },
        { "coworkers", STRINGS, OPT, 32,  NULL },
        { "summary",   TEXT,    OPT, 0,   NULL },
        { END } } },
    { "CASE-LIST",   true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { "member",    STRING,  OPT, 32,  NULL },
        { "status",    STRING,  OPT, 16,  s_case_status },
        { "limit",     INT,     OPT, 0,   NULL },     /* 1 .. PODP_LIST_MAX */
        { "after",     STRING,  OPT, 128, NULL },     /* the "next" of the page before */
        { END } } },
    { "CASE-SHOW",   true, {
        { "ref",       STRING,  REQ, 64,  NULL },
        { "limit",     INT,     OPT, 0,   NULL },     /* chronology entries, 1 .. PODP_LIST_MAX */
        { "after",     STRING,  OPT, 128, NULL },     /* "chronology_next" of the page before */
        { END } } },
    { "CASE-ALLOCATE", true, {
        { "ref",       STRING,  REQ, 64,  NULL },
        { "lead",      STRING,  REQ, 32,  NULL },
        { "coworkers", STRINGS, OPT, 32,  NULL },
        { END } } },
    { "CASE-CLOSE",  true, {
        { "ref",       STRING,  REQ, 64,  NULL },
        { "reason",    TEXT,    OPT, 0,   NULL },
        { END } } },
    { "CASE-NOTE",   true, {
        { "ref",       STRING,  REQ, 64,  NULL },
        { "text",      TEXT,    REQ, 0,   NULL },
        { "kind",      STRING,  OPT, 16,  s_note_kinds },
        { "date",      STRING,  OPT, 32,  NULL },
        { "with",      STRINGS, OPT, 32,  NULL },    /* kind contact: who had contact */
        { END } } },
    { "CASELOAD",    true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { END } } },
    { "TASK-NEW",    true, {
        { "case",      STRING,  REQ, 64,  NULL },
        { "kind",      STRING,  REQ, 40,  NULL },
        { "title",     STRING,  REQ, 200, NULL },
        { "due",       STRING,  OPT, 32,  NULL },
        { "priority",  STRING,  OPT, 16,  s_priorities },
        { "follow_up", STRING,  OPT, 32,  NULL },
        { "standard",  STRING,  OPT, 64,  NULL },    /* rule id: attach a standard */
        { END } } },
    { "TASK-LIST",   true, {
        { "scope",     STRING,  OPT, 16,  s_task_scopes },
        { "case",      STRING,  OPT, 64,  NULL },
        { "pod",       STRING,  OPT, 32,  NULL },
        { "limit",     INT,     OPT, 0,   NULL },     /* 1 .. PODP_LIST_MAX */
        { "after",     STRING,  OPT, 128, NULL },     /* the "next" of the page before */
        { END } } },
    { "TASK-SHOW",   true, {
        { "task",      INT,     REQ, 0,   NULL },
        { END } } },
    { "TASK-ACCEPT", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { END } } },
    { "TASK-DECLINE", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "reason",    TEXT,    REQ, 0,   NULL },
        { END } } },
    { "TASK-HANDOFF", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "to",        STRING,  REQ, 32,  NULL },
        { "reason",    TEXT,    OPT, 0,   NULL },
        { END } } },
    { "TASK-DONE",   true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "evidence",  TEXT,    REQ, 0,   NULL },
        { "reference", STRING,  OPT, 128, NULL },
        { "date",      STRING,  OPT, 32,  NULL },    /* YYYY-MM-DD the work was done */
        { "with",      STRINGS, OPT, 32,  NULL },    /* others who had contact (visits, meetings) */
        { END } } },
    { "TASK-REASSIGN", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "to",        STRING,  REQ, 32,  NULL },
        { "reason",    TEXT,    OPT, 0,   NULL },
        { END } } },
    { "TASK-CANCEL", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "reason",    TEXT,    OPT, 0,   NULL },
        { END } } },
    { "TASK-RESCHEDULE", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "due",       STRING,  REQ, 32,  NULL },
        { "reason",    TEXT,    REQ, 0,   NULL },
        { END } } },
    { "LEAVE-REQUEST", true, {
        { "member",    STRING,  OPT, 32,  NULL },
        { "kind",      STRING,  REQ, 16,  s_leave_kinds },
        { "from",      STRING,  OPT, 32,  NULL },
        { "to",        STRING,  OPT, 32,  NULL },
        { "note",      TEXT,    OPT, 0,   NULL },
        { "return",    STRING,  OPT, 8,   s_leave_return },
        { END } } },
    { "LEAVE-APPROVE", true, {
        { "absence",   INT,     REQ, 0,   NULL },
        { "return",    STRING,  OPT, 8,   s_leave_return },
        { END } } },
    { "LEAVE-REFUSE", true, {
        { "absence",   INT,     REQ, 0,   NULL },
        { "reason",    TEXT,    OPT, 0,   NULL },
        { END } } },
    { "LEAVE-CANCEL", true, {
        { "absence",   INT,     REQ, 0,   NULL },
        { END } } },
    { "LEAVE-END",   true, {
        { "absence",   INT,     REQ, 0,   NULL },
        { "at",        STRING,  OPT, 32,  NULL },
        { END } } },
    { "LEAVE-CALENDAR", true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { "from",      STRING,  OPT, 32,  NULL },
        { "to",        STRING,  OPT, 32,  NULL },
        { END } } },
    { "COVER-PLAN",  true, {
        { "member",    STRING,  REQ, 32,  NULL },
        { "from",      STRING,  OPT, 32,  NULL },
        { "to",        STRING,  OPT, 32,  NULL },
        { "accept",    BOOL,    OPT, 0,   NULL },
        { "absence",   INT,     OPT, 0,   NULL },
        { END } } },
    { "COVER-SET",   true, {
        { "case",      STRING,  REQ, 64,  NULL },
        { "by",        STRING,  REQ, 32,  NULL },
        { "absence",   INT,     OPT, 0,   NULL },
        { END } } },
    { "COVER-MOVE",  true, {
        { "from",      STRING,  REQ, 32,  NULL },
        { "to",        STRING,  REQ, 32,  NULL },
        { END } } },
    { "COVER-SHOW",  true, {
        { "absence",   INT,     REQ, 0,   NULL },
        { END } } },
    { "LEAVE-LIST",  true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { "member",    STRING,  OPT, 32,  NULL },
        { "status",    STRING,  OPT, 16,  s_leave_statuses },
        { "limit",     INT,     OPT, 0,   NULL },     /* 1 .. PODP_LIST_MAX */
        { "after",     STRING,  OPT, 128, NULL },     /* the "next" of the page before */
        { END } } },
    { "LEAVE-SHOW",  true, {
        { "absence",   INT,     REQ, 0,   NULL },
        { END } } },
    { "HANDOVER",    true, {
        { "absence",   INT,     OPT, 0,   NULL },
        { "case",      STRING,  OPT, 64,  NULL },
        { END } } },
    { "HANDOVER-NOTE", true, {
        { "case",      STRING,  REQ, 64,  NULL },
        { "text",      TEXT,    REQ, 0,   NULL },
        { "absence",   INT,     OPT, 0,   NULL },
        { END } } },
    { "NOTICES",     true, {
        { "kind",      STRING,  OPT, 64,  NULL },
        { "limit",     INT,     OPT, 0,   NULL },
        { "after",     STRING,  OPT, 128, NULL },     /* the "next" of the page before */
        { END } } },
    { "TASK-KINDS",  true, { { END } } },
    { "TASK-DELEGATE", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "to",        STRING,  REQ, 32,  NULL },
        { "reason",    TEXT,    OPT, 0,   NULL },
        { "follow_up", STRING,  OPT, 32,  NULL },
        { END } } },
    { "CASE-CHECK",  true, {
        { "ref",       STRING,  REQ, 64,  NULL },
        { "since",     STRING,  OPT, 10,  NULL },
        { "ask",       BOOL,    OPT, 0,   NULL },
        { "record",    BOOL,    OPT, 0,   NULL },
        { "due",       STRING,  OPT, 32,  NULL },
        { END } } },
    { "COVER-OFFER", true, {
        { "absence",   INT,     REQ, 0,   NULL },
        { "case",      STRING,  REQ, 64,  NULL },
        { "note",      TEXT,    OPT, 0,   NULL },
        { END } } },
    { "COVER-SWAP",  true, {
        { "line",      INT,     REQ, 0,   NULL },
        { "with",      INT,     REQ, 0,   NULL },
        { "note",      TEXT,    OPT, 0,   NULL },
        { END } } },
    { "COVER-APPROVE", true, {
        { "request",   INT,     REQ, 0,   NULL },
        { END } } },
    { "COVER-REFUSE", true, {
        { "request",   INT,     REQ, 0,   NULL },
        { "reason",    TEXT,    OPT, 0,   NULL },
        { END } } },
    { "TASK-CONFIRM", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { END } } },
    { "TASK-FOLLOW-UP", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "on",        STRING,  OPT, 32,  NULL },
        { END } } },
    { "CASE-CONTACT", true, {
        { "ref",       STRING,  REQ, 64,  NULL },
        { "date",      STRING,  OPT, 32,  NULL },
        { END } } },
    { "LOAD",        true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { "from",      STRING,  OPT, 32,  NULL },
        { "to",        STRING,  OPT, 32,  NULL },
        { END } } },
    { "DIGEST",      true, {
        { "absence",   INT,     OPT, 0,   NULL },
        { END } } },
    { "MAIL-QUEUE",  true, {
        { "state",     STRING,  OPT, 16,  s_mail_states },
        { "pod",       STRING,  OPT, 32,  NULL },
        { "limit",     INT,     OPT, 0,   NULL },
        { "after",     STRING,  OPT, 128, NULL },     /* the "next" of the page before */
        { END } } },
    { "MAIL-RETRY",  true, {
        { "id",        INT,     REQ, 0,   NULL },
        { END } } },
    { "REMINDERS",   true, {
        { "task",      INT,     REQ, 0,   NULL },
        { END } } },
    { "PARTNER-ADD", true, {
        { "agency",    STRING,  REQ, 128, NULL },
        { "agency_kind", STRING, REQ, 16, s_agency_kinds },
        { "name",      STRING,  REQ, 128, NULL },
        { "email",     STRING,  REQ, 254, NULL },
        { "role",      STRING,  OPT, 64,  NULL },
        { "aliases",   STRINGS, OPT, 254, NULL },
        { END } } },
    { "PARTNER-UPDATE", true, {
        { "email",     STRING,  REQ, 254, NULL },
        { "name",      STRING,  OPT, 128, NULL },
        { "aliases",   STRINGS, OPT, 254, NULL },
        { "remove_aliases", STRINGS, OPT, 254, NULL },
        { END } } },
    { "PARTNER-LIST", true, {
        { "case",      STRING,  OPT, 64,  NULL },
        { "limit",     INT,     OPT, 0,   NULL },     /* 1 .. PODP_LIST_MAX */
        { "after",     STRING,  OPT, 128, NULL },     /* the "next" of the page before */
        { END } } },
    { "PARTNER-LINK", true, {
        { "case",      STRING,  REQ, 64,  NULL },
        { "partner",   STRING,  REQ, 254, NULL },
        { END } } },
    { "PARTNER-UNLINK", true, {
        { "case",      STRING,  REQ, 64,  NULL },
        { "partner",   STRING,  REQ, 254, NULL },
        { END } } },
    { "MEETING-SCHEDULE", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "start",     STRING,  REQ, 32,  NULL },
        { "end",       STRING,  REQ, 32,  NULL },
        { "location",  STRING,  OPT, 200, NULL },    /* a location, online or both */
        { "online",    STRING,  OPT, 400, NULL },    /* https:// joining link */
        { "invite",    STRINGS, OPT, 254, NULL },
        { "members",   STRINGS, OPT, 32,  NULL },
        { END } } },
    { "MEETING-UPDATE", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "start",     STRING,  OPT, 32,  NULL },
        { "end",       STRING,  OPT, 32,  NULL },
        { "location",  STRING,  OPT, 200, NULL },
        { "online",    STRING,  OPT, 400, NULL },
        { END } } },
    { "MEETING-CANCEL", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "reason",    TEXT,    OPT, 0,   NULL },
        { END } } },
    { "MEETING-ATTENDEES", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { END } } },
    { "MEETING-OUTCOME", true, {
        { "task",      INT,     REQ, 0,   NULL },
        { "summary",   TEXT,    REQ, 0,   NULL },
        { END } } },
    /*  Practice standards: case events fire rules that create tasks */
    { "CASE-EVENT",  true, {
        { "ref",       STRING,  REQ, 64,  NULL },
        { "type",      STRING,  REQ, 40,  s_event_types },
        { "date",      STRING,  REQ, 32,  NULL },    /* YYYY-MM-DD */
        { "note",      TEXT,    OPT, 0,   NULL },
        { "dob",       STRING,  OPT, 32,  NULL },    /* child's date of birth */
        { "family_and_friends", BOOL, OPT, 0, NULL },
        { "outcome",   STRING,  OPT, 16,  s_outcomes },  /* strategy-discussion */
        { "carer",     STRING,  OPT, 64,  NULL },    /* child-placed: the carers' case */
        { END } } },
    { "CASE-EVENT-CORRECT", true, {
        { "event",     INT,     REQ, 0,   NULL },
        { "date",      STRING,  REQ, 32,  NULL },
        { END } } },
    { "STANDARDS-LIST", true, { { END } } },
    { "REPORT-COMPLIANCE", true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { "member",    STRING,  OPT, 32,  NULL },
        { "from",      STRING,  OPT, 32,  NULL },
        { "to",        STRING,  OPT, 32,  NULL },
        { "standard",  STRING,  OPT, 64,  NULL },
        { END } } },
    { "AUDIT-LIST",  true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { "case",      STRING,  OPT, 64,  NULL },
        { "member",    STRING,  OPT, 32,  NULL },
        { "from",      STRING,  OPT, 32,  NULL },
        { "to",        STRING,  OPT, 32,  NULL },
        { "limit",     INT,     OPT, 0,   NULL },
        { "before",    INT,     OPT, 0,   NULL },
        { END } } },
    /*  The whole RFC 5322 message, base64 (no line breaks: a STRING has no
        control characters). The server allows this one command a body of
        PODP_INGEST_BODY_MAX octets whatever its max-body. */
    /*  Continuity of relationships (PROTOCOL.md section 8.12) */
    { "CONTINUITY",  true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { "member",    STRING,  OPT, 32,  NULL },
        { "case",      STRING,  OPT, 64,  NULL },
        { "from",      STRING,  OPT, 32,  NULL },
        { "to",        STRING,  OPT, 32,  NULL },
        { END } } },
    { "MEMBER-LEAVE-SERVICE", true, {
        { "member",    STRING,  REQ, 32,  NULL },
        { "from",      STRING,  REQ, 32,  NULL },
        { "accept",    BOOL,    OPT, 0,   NULL },
        { END } } },
    { "INGEST-MAIL", true, {
        { "message",   STRING,  REQ, PODP_INGEST_MESSAGE_MAX, NULL },
        { END } } },
    /*  Case transfers between pods */
    { "CASE-TRANSFER", true, {
        { "ref",       STRING,  REQ, 64,  NULL },
        { "to_pod",    STRING,  REQ, 32,  NULL },
        { "lead",      STRING,  OPT, 32,  NULL },
        { "visit",     STRING,  OPT, 32,  NULL },
        { "location",  STRING,  OPT, 200, NULL },
        { "note",      TEXT,    OPT, 0,   NULL },
        { "side",      STRING,  OPT, 16,  s_transfer_sides },
        { END } } },
    { "CASE-TRANSFER-APPROVE", true, {
        { "transfer",  INT,     REQ, 0,   NULL },
        { "lead",      STRING,  OPT, 32,  NULL },
        { "visit",     STRING,  OPT, 32,  NULL },
        { "location",  STRING,  OPT, 200, NULL },
        { "record",    BOOL,    OPT, 0,   NULL },
        { "ask",       BOOL,    OPT, 0,   NULL },
        { "due",       STRING,  OPT, 32,  NULL },
        { "side",      STRING,  OPT, 16,  s_transfer_sides },
        { END } } },
    { "CASE-TRANSFER-REFUSE", true, {
        { "transfer",  INT,     REQ, 0,   NULL },
        { "reason",    TEXT,    REQ, 0,   NULL },
        { "side",      STRING,  OPT, 16,  s_transfer_sides },
        { END } } },
    { "CASE-TRANSFERS", true, {
        { "pod",       STRING,  OPT, 32,  NULL },
        { "status",    STRING,  OPT, 16,  s_transfer_statuses },
        { "limit",     INT,     OPT, 0,   NULL },     /* 1 .. PODP_LIST_MAX */
        { "after",     STRING,  OPT, 128, NULL },     /* the "next" of the page before */
        { END } } },

    /*  Server -> client */
    { "REPLY",       false, {
        { "rid",       INT,     OPT, 0,   NULL },
        { "status",    INT,     REQ, 0,   NULL },
        { "reason",    STRING,  REQ, 512, NULL },
        { "data",      OBJECT,  OPT, 0,   NULL },
        { END } } },
    { "TASK",        false, {
        { "delivery",  INT,     REQ, 0,   NULL },
        { "task",      OBJECT,  REQ, 0,   NULL },
        { END } } },
    { "NOTICE",      false, {
        { "delivery",  INT,     OPT, 0,   NULL },    /* a durable notice: ACK it */
        { "kind",      STRING,  REQ, 64,  NULL },
        { "text",      TEXT,    OPT, 0,   NULL },
        { "data",      OBJECT,  OPT, 0,   NULL },
        { END } } },
};
#define S_COMMANDS  (sizeof (s_commands) / sizeof (s_commands [0]))

static const s_field_t s_rid_field = { "rid", INT, OPT, 0, NULL };
/*  "as": the member a gateway's request is for (PROTOCOL.md 4.4). Any
    client may send it; the server refuses it (403) from a non-gateway. */
static const s_field_t s_as_field = { "as", STRING, OPT, 32, NULL };

#undef REQ
#undef OPT
#undef STRING
#undef TEXT
#undef INT
#undef BOOL
#undef STRINGS
#undef INTS
#undef OBJECT
#undef END

/*  --------------------------------------------------------------------
    Message class */

struct _podp_msg_t {
    char    command [PODP_COMMAND_MAX + 1];
    json_t *body;                   /* always an object */
    char   *text;                   /* body encoded already, or NULL */
};

podp_msg_t *
podp_msg_new (const char *command, json_t *body)
{
    assert (command);
    assert (strlen (command) > 0 && strlen (command) <= PODP_COMMAND_MAX);
    assert (body == NULL || json_is_object (body));
    podp_msg_t *self = (podp_msg_t *) zmalloc (sizeof (podp_msg_t));
    assert (self);
    strcpy (self->command, command);
    self->body = body? body: json_object ();
    assert (self->body);
    return self;
}

podp_msg_t *
podp_msg_new_encoded (const char *command, json_t *body, char *text)
{
    podp_msg_t *self = podp_msg_new (command, body);
    self->text = text;
    return self;
}

void
podp_msg_destroy (podp_msg_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        podp_msg_t *self = *self_p;
        free (self->text);
        json_decref (self->body);
        free (self);
        *self_p = NULL;
    }
}

const char *
podp_msg_command (podp_msg_t *self)
{
    assert (self);
    return self->command;
}

json_t *
podp_msg_body (podp_msg_t *self)
{
    assert (self);
    return self->body;
}

const char *
podp_msg_string (podp_msg_t *self, const char *field)
{
    assert (self);
    assert (field);
    return json_string_value (json_object_get (self->body, field));
}

int64_t
podp_msg_int (podp_msg_t *self, const char *field, int64_t dflt)
{
    assert (self);
    assert (field);
    json_t *value = json_object_get (self->body, field);
    return json_is_integer (value)? (int64_t) json_integer_value (value): dflt;
}

bool
podp_msg_bool (podp_msg_t *self, const char *field, bool dflt)
{
    assert (self);
    assert (field);
    json_t *value = json_object_get (self->body, field);
    return json_is_boolean (value)? json_is_true (value): dflt;
}

json_t *
podp_msg_array (podp_msg_t *self, const char *field)
{
    assert (self);
    assert (field);
    json_t *value = json_object_get (self->body, field);
    return json_is_array (value)? value: NULL;
}

/*  --------------------------------------------------------------------
    UTF-8 and text checks */

//  Decode one UTF-8 sequence at s (len octets available). Returns its
//  length and sets *cp, or 0 when it is not valid (overlong, surrogate,
//  beyond U+10FFFF, truncated).
static size_t
s_utf8_next (const unsigned char *s, size_t len, uint32_t *cp)
{
    if (len == 0)
        return 0;
    unsigned char c = s [0];
    size_t need;
    uint32_t value, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    else
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2; value = c & 0x1F; min = 0x80;
    }
    else
    if (c >= 0xE0 && c <= 0xEF) {
        need = 3; value = c & 0x0F; min = 0x800;
    }
    else
    if (c >= 0xF0 && c <= 0xF4) {
        need = 4; value = c & 0x07; min = 0x10000;
    }
    else
        return 0;
    if (len < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s [i] & 0xC0) != 0x80)
            return 0;
        value = (value << 6) | (s [i] & 0x3F);
    }
    if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *cp = value;
    return need;
}

//  Is this code point a control character we refuse? LF and TAB are
//  allowed when allow_newlines.
static bool
s_is_control (uint32_t cp, bool allow_newlines)
{
    if (allow_newlines && (cp == '\n' || cp == '\t'))
        return false;
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

//  Check len octets at s; returns 0 if ok, else 1 for invalid UTF-8,
//  2 for a control character (NUL included).
static int
s_text_check (const char *s, size_t len, bool allow_newlines)
{
    const unsigned char *p = (const unsigned char *) s;
    while (len > 0) {
        uint32_t cp;
        size_t n = s_utf8_next (p, len, &cp);
        if (n == 0)
            return 1;
        if (s_is_control (cp, allow_newlines))
            return 2;
        p += n;
        len -= n;
    }
    return 0;
}

bool
podp_text_ok (const char *s, bool allow_newlines)
{
    if (!s)
        return false;
    return s_text_check (s, strlen (s), allow_newlines) == 0;
}

//  Copy s into dest (size destsize, > 0) so it is safe to show in a
//  reason: valid UTF-8, no control characters, at most max octets (plus
//  terminator). Invalid octets and controls become '?'. When ascii_only,
//  every non-ASCII character becomes '?' too.
static void
s_sanitize (char *dest, size_t destsize, const char *s, size_t len,
            size_t max, bool ascii_only)
{
    assert (dest && destsize > 0);
    if (max > destsize - 1)
        max = destsize - 1;
    size_t out = 0;
    const unsigned char *p = (const unsigned char *) s;
    while (len > 0) {
        uint32_t cp = 0;
        size_t n = s_utf8_next (p, len, &cp);
        bool good = n > 0 && !s_is_control (cp, false) && !(ascii_only && n > 1);
        size_t take = n > 0? n: 1;
        size_t emit = good? n: 1;
        if (out + emit > max)
            break;
        if (good)
            memcpy (dest + out, p, n);
        else
            dest [out] = '?';
        out += emit;
        p += take;
        len -= take;
    }
    dest [out] = 0;
}

/*  --------------------------------------------------------------------
    Command table lookup */

static const s_command_t *
s_command_find (const char *name, bool to_server)
{
    for (size_t i = 0; i < S_COMMANDS; i++)
        if (s_commands [i].to_server == to_server
        &&  streq (s_commands [i].name, name))
            return &s_commands [i];
    return NULL;
}

static const s_field_t *
s_field_find (const s_command_t *command, const char *name)
{
    for (const s_field_t *field = command->fields; field->name; field++)
        if (streq (field->name, name))
            return field;
    if (command->to_server && streq (name, "rid"))
        return &s_rid_field;
    if (command->to_server && streq (name, "as"))
        return &s_as_field;
    return NULL;
}

bool
podp_command_known (const char *command, bool to_server)
{
    return command && s_command_find (command, to_server) != NULL;
}

const char *
podp_command_at (size_t index, bool to_server)
{
    for (size_t i = 0; i < S_COMMANDS; i++)
        if (s_commands [i].to_server == to_server) {
            if (index == 0)
                return s_commands [i].name;
            index--;
        }
    return NULL;
}

const char *
podp_status_text (int status)
{
    switch (status) {
        case PODP_OK:               return "OK";
        case PODP_CREATED:          return "Created";
        case PODP_ACCEPTED:         return "Accepted";
        case PODP_BAD_REQUEST:      return "Bad Request";
        case PODP_UNAUTHENTICATED:  return "Unauthenticated";
        case PODP_FORBIDDEN:        return "Forbidden";
        case PODP_NOT_FOUND:        return "Not Found";
        case PODP_UNKNOWN_COMMAND:  return "Unknown Command";
        case PODP_CONFLICT:         return "Conflict";
        case PODP_TOO_LARGE:        return "Too Large";
        case PODP_INVALID:          return "Invalid";
        case PODP_BAD_VERSION:      return "Unsupported Version";
        case PODP_INTERNAL:         return "Internal Error";
        case PODP_UNAVAILABLE:      return "Unavailable";
        default:                    return "Unknown Status";
    }
}

/*  --------------------------------------------------------------------
    Validation */

static int
s_fail (podp_error_t *err, int status, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
s_fail (podp_error_t *err, int status, const char *format, ...)
{
    err->status = status;
    va_list args;
    va_start (args, format);
    vsnprintf (err->reason, sizeof (err->reason), format, args);
    va_end (args);
    return -1;
}

//  Check one string value (STRING or TEXT, or a STRINGS item) against
//  its limits. what names it in reasons, e.g. "field 'ref'".
static int
s_check_string (json_t *value, const s_field_t *field, bool text,
                const char *what, podp_error_t *err)
{
    const char *s = json_string_value (value);
    size_t len = json_string_length (value);
    size_t max = field->max? field->max: (text? S_TEXT_DEFAULT: S_STRING_DEFAULT);
    if (len > max)
        return s_fail (err, PODP_TOO_LARGE, "%s: longer than %zu octets", what, max);
    if (strlen (s) != len)
        return s_fail (err, PODP_INVALID, "%s: contains a NUL character", what);
    int rc = s_text_check (s, len, text);
    if (rc == 1)
        return s_fail (err, PODP_BAD_REQUEST, "%s: invalid UTF-8", what);
    if (rc == 2)
        return s_fail (err, PODP_INVALID, "%s: contains a control character", what);
    if (field->choices) {
        for (const char *const *choice = field->choices; *choice; choice++)
            if (streq (*choice, s))
                return 0;
        char list [400] = "";
        for (const char *const *choice = field->choices; *choice; choice++) {
            if (choice != field->choices)
                strncat (list, ", ", sizeof (list) - strlen (list) - 1);
            strncat (list, *choice, sizeof (list) - strlen (list) - 1);
        }
        return s_fail (err, PODP_INVALID, "%s: must be one of %s", what, list);
    }
    return 0;
}

//  Reject NUL characters in any string inside an OBJECT field, at any
//  depth (keys cannot hold NUL: jansson refuses them).
static bool
s_nul_free (json_t *value, int depth)
{
    if (depth > 4096)
        return false;       //  jansson refuses depth over 2048 anyway
    if (json_is_string (value))
        return strlen (json_string_value (value)) == json_string_length (value);
    if (json_is_array (value)) {
        size_t index;
        json_t *item;
        json_array_foreach (value, index, item)
            if (!s_nul_free (item, depth + 1))
                return false;
    }
    else
    if (json_is_object (value)) {
        const char *key;
        json_t *item;
        json_object_foreach (value, key, item)
            if (!s_nul_free (item, depth + 1))
                return false;
    }
    return true;
}

static int
s_check_field (json_t *value, const s_field_t *field, podp_error_t *err)
{
    char what [64];
    snprintf (what, sizeof (what), "field '%s'", field->name);

    switch (field->type) {
        case PODP_T_STRING:
        case PODP_T_TEXT: {
            if (!json_is_string (value))
                return s_fail (err, PODP_BAD_REQUEST, "%s: expected a string", what);
            if (s_check_string (value, field, field->type == PODP_T_TEXT, what, err))
                return -1;
            if (field->required && json_string_length (value) == 0)
                return s_fail (err, PODP_INVALID, "%s: must not be empty", what);
            return 0;
        }
        case PODP_T_INT: {
            if (!json_is_integer (value))
                return s_fail (err, PODP_BAD_REQUEST, "%s: expected an integer", what);
            json_int_t number = json_integer_value (value);
            if (number < 0 || number > S_INT_MAX)
                return s_fail (err, PODP_INVALID,
                               "%s: out of range 0..%lld", what, S_INT_MAX);
            return 0;
        }
        case PODP_T_BOOL:
            if (!json_is_boolean (value))
                return s_fail (err, PODP_BAD_REQUEST, "%s: expected true or false", what);
            return 0;

        case PODP_T_STRINGS: {
            if (!json_is_array (value))
                return s_fail (err, PODP_BAD_REQUEST,
                               "%s: expected an array of strings", what);
            if (json_array_size (value) > S_STRINGS_ITEMS)
                return s_fail (err, PODP_TOO_LARGE, "%s: more than %d items",
                               what, S_STRINGS_ITEMS);
            size_t index;
            json_t *item;
            json_array_foreach (value, index, item) {
                char item_what [96];
                snprintf (item_what, sizeof (item_what), "%s item %zu", what, index);
                if (!json_is_string (item))
                    return s_fail (err, PODP_BAD_REQUEST, "%s: expected a string",
                                   item_what);
                if (s_check_string (item, field, false, item_what, err))
                    return -1;
                if (json_string_length (item) == 0)
                    return s_fail (err, PODP_INVALID, "%s: must not be empty",
                                   item_what);
            }
            return 0;
        }
        case PODP_T_INTS: {
            if (!json_is_array (value))
                return s_fail (err, PODP_BAD_REQUEST,
                               "%s: expected an array of integers", what);
            if (json_array_size (value) == 0)
                return s_fail (err, PODP_INVALID, "%s: must not be empty", what);
            if (json_array_size (value) > field->max)
                return s_fail (err, PODP_TOO_LARGE, "%s: more than %zu items",
                               what, field->max);
            size_t index;
            json_t *item;
            json_array_foreach (value, index, item) {
                if (!json_is_integer (item))
                    return s_fail (err, PODP_BAD_REQUEST, "%s item %zu: expected an integer",
                                   what, index);
                json_int_t number = json_integer_value (item);
                if (number < 0 || number > S_INT_MAX)
                    return s_fail (err, PODP_INVALID, "%s item %zu: out of range 0..%lld",
                                   what, index, S_INT_MAX);
            }
            return 0;
        }
        case PODP_T_OBJECT:
            if (!json_is_object (value))
                return s_fail (err, PODP_BAD_REQUEST, "%s: expected an object", what);
            if (!s_nul_free (value, 0))
                return s_fail (err, PODP_INVALID, "%s: contains a NUL character", what);
            return 0;
    }
    return s_fail (err, PODP_INTERNAL, "%s: bad command table", what);
}

static int
s_check_body (json_t *body, const s_command_t *command, podp_error_t *err)
{
    //  Unknown fields first, so a misspelt field is reported as such
    //  rather than as a missing required one
    const char *key;
    json_t *value;
    json_object_foreach (body, key, value) {
        if (!s_field_find (command, key)) {
            char shown [S_NAME_SHOWN + 1];
            s_sanitize (shown, sizeof (shown), key, strlen (key), S_NAME_SHOWN, true);
            return s_fail (err, PODP_BAD_REQUEST, "unknown field '%s'", shown);
        }
    }
    const s_field_t *fields [S_FIELDS_MAX + 2];   //  + rid, as
    size_t count = 0;
    for (const s_field_t *field = command->fields; field->name; field++)
        fields [count++] = field;
    if (command->to_server)
        fields [count++] = &s_rid_field;
    if (command->to_server)
        fields [count++] = &s_as_field;

    for (size_t i = 0; i < count; i++) {
        const s_field_t *field = fields [i];
        value = json_object_get (body, field->name);
        if (!value) {
            if (field->required)
                return s_fail (err, PODP_BAD_REQUEST,
                               "field '%s': required", field->name);
            continue;
        }
        if (s_check_field (value, field, err))
            return -1;
    }
    return 0;
}

//  Is this frame a syntactically valid command token?
static bool
s_token_ok (zframe_t *frame)
{
    size_t size = zframe_size (frame);
    const byte *data = zframe_data (frame);
    if (size < 1 || size > PODP_COMMAND_MAX)
        return false;
    if (data [0] < 'A' || data [0] > 'Z')
        return false;
    for (size_t i = 1; i < size; i++) {
        byte c = data [i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/*  --------------------------------------------------------------------
    A shallow scan of a body's top-level object, without building a tree:
    used only where the JSON parser cannot help (a body over max-body, an
    integer too big for the parser), so such refusals can still echo the
    rid and name the field. It checks the object's structure, not UTF-8. */

typedef struct {
    const char *key;            /* raw key octets between the quotes */
    size_t key_len;
    size_t value_start;         /* value span [start, end) */
    size_t value_end;
} s_member_span_t;

static void
s_scan_ws (const char *data, size_t size, size_t *pos)
{
    while (*pos < size && (data [*pos] == ' ' || data [*pos] == '\t'
                       ||  data [*pos] == '\n' || data [*pos] == '\r'))
        (*pos)++;
}

//  At an opening quote: skip the string; -1 when unterminated
static int
s_scan_string (const char *data, size_t size, size_t *pos)
{
    for ((*pos)++; *pos < size; (*pos)++) {
        if (data [*pos] == '\\')
            (*pos)++;
        else
        if (data [*pos] == '"') {
            (*pos)++;
            return 0;
        }
    }
    return -1;
}

//  Skip one value: a string, an object or array (nesting counted), or a
//  bare token (number, true, false, null); -1 when it is cut short
static int
s_scan_value (const char *data, size_t size, size_t *pos)
{
    if (*pos >= size)
        return -1;
    if (data [*pos] == '"')
        return s_scan_string (data, size, pos);
    if (data [*pos] == '{' || data [*pos] == '[') {
        size_t depth = 0;
        while (*pos < size) {
            char c = data [*pos];
            if (c == '"') {
                if (s_scan_string (data, size, pos))
                    return -1;
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else
            if (c == '}' || c == ']')
                depth--;
            (*pos)++;
            if (depth == 0)
                return 0;
        }
        return -1;
    }
    size_t start = *pos;
    while (*pos < size && strchr (",}] \t\r\n", data [*pos]) == NULL)
        (*pos)++;
    return *pos > start? 0: -1;
}

//  Every top-level member of an object body, in order, into spans (at
//  most max). Returns the number of members, or -1 when the body is not
//  one object (with only whitespace around it).
static int
s_scan_members (const char *data, size_t size, s_member_span_t *spans, size_t max)
{
    size_t pos = 0, count = 0;
    s_scan_ws (data, size, &pos);
    if (pos >= size || data [pos] != '{')
        return -1;
    pos++;
    s_scan_ws (data, size, &pos);
    if (pos < size && data [pos] == '}')
        pos++;
    else
    while (true) {
        if (pos >= size || data [pos] != '"')
            return -1;
        size_t key_start = pos + 1;
        if (s_scan_string (data, size, &pos))
            return -1;
        s_member_span_t span = { data + key_start, pos - 1 - key_start, 0, 0 };
        s_scan_ws (data, size, &pos);
        if (pos >= size || data [pos] != ':')
            return -1;
        pos++;
        s_scan_ws (data, size, &pos);
        span.value_start = pos;
        if (s_scan_value (data, size, &pos))
            return -1;
        span.value_end = pos;
        if (count < max)
            spans [count] = span;
        count++;
        s_scan_ws (data, size, &pos);
        if (pos < size && data [pos] == ',') {
            pos++;
            s_scan_ws (data, size, &pos);
            continue;
        }
        if (pos < size && data [pos] == '}') {
            pos++;
            break;
        }
        return -1;
    }
    s_scan_ws (data, size, &pos);
    return pos == size? (int) (count < max? count: max): -1;
}

#define S_SCAN_MAX  256     /* top-level members looked at */

//  The rid of a body by scanning: a single "rid" member whose value is
//  a plain integer in 0..2^53-1; else -1
static int64_t
s_scan_rid (const char *data, size_t size)
{
    s_member_span_t spans [S_SCAN_MAX];
    int count = s_scan_members (data, size, spans, S_SCAN_MAX);
    int64_t rid = -1;
    int found = 0;
    for (int i = 0; i < count; i++) {
        if (spans [i].key_len != 3 || memcmp (spans [i].key, "rid", 3) != 0)
            continue;
        found++;
        size_t len = spans [i].value_end - spans [i].value_start;
        const char *digits = data + spans [i].value_start;
        if (len < 1 || len > 16 || (len > 1 && digits [0] == '0'))
            return -1;
        int64_t value = 0;
        for (size_t d = 0; d < len; d++) {
            if (digits [d] < '0' || digits [d] > '9')
                return -1;
            value = value * 10 + (digits [d] - '0');
        }
        rid = value <= S_INT_MAX? value: -1;
    }
    return found == 1? rid: -1;
}

//  The top-level field whose value holds offset (the parser's error
//  position), into name (sanitised); -1 when none does
static int
s_scan_field_at (const char *data, size_t size, size_t offset, char *name, size_t namesize)
{
    s_member_span_t spans [S_SCAN_MAX];
    int count = s_scan_members (data, size, spans, S_SCAN_MAX);
    for (int i = 0; i < count; i++)
        if (spans [i].value_start < offset && offset <= spans [i].value_end) {
            s_sanitize (name, namesize, spans [i].key, spans [i].key_len, S_NAME_SHOWN, true);
            return 0;
        }
    return -1;
}

//  Is this a jansson error for an integer it cannot hold?
static bool
s_too_big_integer (const json_error_t *jerr)
{
    return strncmp (jerr->text, "too big", 7) == 0;
}

podp_msg_t *
podp_decode (zmsg_t *msg, bool to_server, size_t max_body, podp_error_t *err)
{
    podp_error_t local;
    if (!err)
        err = &local;
    err->status = 0;
    err->reason [0] = 0;
    if (max_body == 0)
        max_body = PODP_BODY_DEFAULT;

    size_t frames = msg? zmsg_size (msg): 0;
    if (frames != 3) {
        s_fail (err, PODP_BAD_REQUEST, "expected 3 frames, got %zu", frames);
        return NULL;
    }
    zframe_t *signature = zmsg_first (msg);
    zframe_t *command_frame = zmsg_next (msg);
    zframe_t *body_frame = zmsg_next (msg);

    //  1. Signature
    size_t sig_size = zframe_size (signature);
    const char *sig_data = (const char *) zframe_data (signature);
    if (sig_size != strlen (PODP_SIGNATURE)
    ||  memcmp (sig_data, PODP_SIGNATURE, sig_size) != 0) {
        char shown [S_NAME_SHOWN + 1];
        s_sanitize (shown, sizeof (shown), sig_data, sig_size, S_NAME_SHOWN, true);
        if (sig_size >= 5 && memcmp (sig_data, "PODP/", 5) == 0)
            s_fail (err, PODP_BAD_VERSION,
                    "unsupported version '%s', this is %s", shown, PODP_SIGNATURE);
        else
            s_fail (err, PODP_BAD_REQUEST,
                    "bad signature '%s', expected %s", shown, PODP_SIGNATURE);
        return NULL;
    }
    //  2. Command token
    if (!s_token_ok (command_frame)) {
        s_fail (err, PODP_BAD_REQUEST,
                "malformed command token (expected [A-Z][A-Z0-9-]{0,31})");
        return NULL;
    }
    char name [PODP_COMMAND_MAX + 1];
    memcpy (name, zframe_data (command_frame), zframe_size (command_frame));
    name [zframe_size (command_frame)] = 0;
    const s_command_t *command = s_command_find (name, to_server);
    if (!command) {
        s_fail (err, PODP_UNKNOWN_COMMAND, "unknown command '%s'", name);
        return NULL;
    }
    //  3. Body
    size_t body_size = zframe_size (body_frame);
    if (body_size > max_body) {
        s_fail (err, PODP_TOO_LARGE, "body is %zu octets, limit is %zu",
                body_size, max_body);
        return NULL;
    }
    json_error_t jerr;
    json_t *body = json_loadb ((const char *) zframe_data (body_frame), body_size,
                               JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    char field [S_NAME_SHOWN + 1];
    if (!body && s_too_big_integer (&jerr)
    &&  s_scan_field_at ((const char *) zframe_data (body_frame), body_size,
                         (size_t) jerr.position, field, sizeof (field)) == 0) {
        s_fail (err, PODP_INVALID, "field '%s': out of range 0..%lld", field, S_INT_MAX);
        return NULL;
    }
    if (!body) {
        char shown [sizeof (jerr.text)];
        s_sanitize (shown, sizeof (shown), jerr.text, strlen (jerr.text),
                    sizeof (shown) - 1, true);
        s_fail (err, PODP_BAD_REQUEST, "invalid JSON body: %s (octet %d)",
                shown, jerr.position);
        return NULL;
    }
    if (!json_is_object (body)) {
        json_decref (body);
        s_fail (err, PODP_BAD_REQUEST, "body is not a JSON object");
        return NULL;
    }
    if (s_check_body (body, command, err)) {
        json_decref (body);
        return NULL;
    }
    return podp_msg_new (command->name, body);
}

int64_t
podp_peek_rid (zmsg_t *msg, size_t max_body)
{
    if (max_body == 0)
        max_body = PODP_BODY_DEFAULT;
    if (!msg || zmsg_size (msg) != 3)
        return -1;
    zframe_t *body_frame = zmsg_last (msg);
    const char *data = (const char *) zframe_data (body_frame);
    size_t size = zframe_size (body_frame);
    //  Too large to parse (413): scan it for its rid
    if (size > max_body)
        return s_scan_rid (data, size);
    json_error_t jerr;
    json_t *body = json_loadb (data, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    //  An integer too big for the parser (422): the rest may be fine
    if (!body && s_too_big_integer (&jerr))
        return s_scan_rid (data, size);
    json_t *rid = json_object_get (body, "rid");   //  NULL-safe
    int64_t result = -1;
    if (json_is_integer (rid)
    &&  json_integer_value (rid) >= 0 && json_integer_value (rid) <= S_INT_MAX)
        result = (int64_t) json_integer_value (rid);
    json_decref (body);
    return result;
}

/*  --------------------------------------------------------------------
    Encoding and sending */

zmsg_t *
podp_encode (podp_msg_t *self)
{
    assert (self);
    char *text = self->text? self->text: json_dumps (self->body, JSON_COMPACT);
    if (!text)
        return NULL;
    zmsg_t *msg = zmsg_new ();
    assert (msg);
    zmsg_addstr (msg, PODP_SIGNATURE);
    zmsg_addstr (msg, self->command);
    zmsg_addmem (msg, text, strlen (text));
    if (text != self->text)
        free (text);
    return msg;
}

int
podp_send (podp_msg_t *self, zsock_t *sock, zframe_t *routing_id)
{
    assert (self);
    assert (sock);
    zmsg_t *msg = podp_encode (self);
    if (!msg)
        return -1;
    if (routing_id) {
        //  ZFRAME_REUSE sends a copy; the caller keeps its frame
        zframe_t *frame = routing_id;
        if (zframe_send (&frame, sock, ZFRAME_MORE | ZFRAME_REUSE)) {
            zmsg_destroy (&msg);
            return -1;
        }
    }
    int rc = zmsg_send (&msg, sock);
    zmsg_destroy (&msg);        //  in case the send failed and left it
    return rc == 0? 0: -1;
}

podp_msg_t *
podp_reply_new (int64_t rid, int status, const char *reason, json_t *data)
{
    assert (data == NULL || json_is_object (data));
    json_t *body = json_object ();
    assert (body);
    if (rid >= 0 && rid <= S_INT_MAX)
        json_object_set_new (body, "rid", json_integer (rid));
    json_object_set_new (body, "status", json_integer (status));
    //  The reason may quote what a peer sent: keep it a valid STRING
    if (!reason || !*reason)
        reason = podp_status_text (status);
    char safe [513];
    s_sanitize (safe, sizeof (safe), reason, strlen (reason), 512, false);
    json_object_set_new (body, "reason", json_string (safe));
    if (data)
        json_object_set_new (body, "data", data);
    return podp_msg_new ("REPLY", body);
}

podp_msg_t *
podp_reply_new_encoded (int64_t rid, int status, const char *reason, char *data_text)
{
    assert (data_text && data_text [0] == '{');
    podp_msg_t *self = podp_reply_new (rid, status, reason, NULL);
    char *head = json_dumps (self->body, JSON_COMPACT);
    assert (head);
    //  {"rid":..,"status":..,"reason":".."} + ,"data":DATA}
    size_t head_length = strlen (head), data_length = strlen (data_text);
    char *text = (char *) malloc (head_length + data_length + 9);
    assert (text);
    memcpy (text, head, head_length - 1);
    memcpy (text + head_length - 1, ",\"data\":", 8);
    memcpy (text + head_length + 7, data_text, data_length);
    memcpy (text + head_length + 7 + data_length, "}", 2);
    free (head);
    free (data_text);
    self->text = text;
    return self;
}

/*  --------------------------------------------------------------------
    Self test */

//  Build a 3-frame message from signature, command and raw body octets
static zmsg_t *
s_raw (const char *signature, const char *command, const char *body, size_t len)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, signature);
    zmsg_addstr (msg, command);
    zmsg_addmem (msg, body, len);
    return msg;
}

//  Decode a client->server message with the given command and body text
//  and check the status (0 = accepted). Returns the reason for further
//  checks (static buffer).
static const char *
s_expect (bool verbose, const char *command, const char *body, int status)
{
    static podp_error_t err;
    zmsg_t *msg = s_raw (PODP_SIGNATURE, command, body, strlen (body));
    podp_msg_t *decoded = podp_decode (msg, true, 0, &err);
    if (verbose)
        printf ("  %-18s %-60.60s -> %d %s\n", command, body, err.status, err.reason);
    if (status == 0) {
        assert (decoded);
        assert (err.status == 0);
    }
    else {
        assert (decoded == NULL);
        assert (err.status == status);
        assert (strlen (err.reason) > 0);
    }
    podp_msg_destroy (&decoded);
    zmsg_destroy (&msg);
    return err.reason;
}

void
podp_test (bool verbose)
{
    printf (" * podp: ");
    if (verbose)
        printf ("\n");

    //  @selftest
    podp_error_t err;
    podp_msg_t *push;

    //  Table sanity: every command is a valid token, fields fit the array
    for (size_t i = 0; i < S_COMMANDS; i++) {
        const s_command_t *command = &s_commands [i];
        zframe_t *frame = zframe_new (command->name, strlen (command->name));
        assert (s_token_ok (frame));
        zframe_destroy (&frame);
        assert (s_command_find (command->name, command->to_server) == command);
        size_t count = 0;
        while (command->fields [count].name)
            count++;
        assert (count < S_FIELDS_MAX);
    }
    assert (streq (podp_command_at (0, true), "PING"));
    assert (streq (podp_command_at (0, false), "REPLY"));
    assert (podp_command_at (100, true) == NULL);
    assert (podp_command_known ("TASK-DONE", true));
    assert (!podp_command_known ("TASK-DONE", false));
    assert (podp_command_known ("TASK", false));
    assert (!podp_command_known ("TASK", true));
    assert (!podp_command_known (NULL, true));
    assert (podp_command_known ("LEAVE-REQUEST", true));
    assert (podp_command_known ("DIGEST", true));
    assert (!podp_command_known ("DIGEST", false));
    assert (podp_command_known ("INGEST-MAIL", true));
    assert (podp_command_known ("MEETING-ATTENDEES", true));
    assert (!podp_command_known ("PARTNER-ADD", false));
    assert (podp_command_known ("CASE-EVENT", true));
    assert (podp_command_known ("CASE-EVENT-CORRECT", true));
    assert (podp_command_known ("STANDARDS-LIST", true));
    assert (podp_command_known ("REPORT-COMPLIANCE", true));
    assert (!podp_command_known ("REPORT-COMPLIANCE", false));
    assert (!podp_command_known ("CASE-EVENTS", true));
    assert (podp_command_known ("AUDIT-LIST", true));
    assert (podp_command_known ("CASE-TRANSFER-APPROVE", true));
    assert (streq (podp_status_text (426), "Unsupported Version"));
    assert (streq (podp_status_text (999), "Unknown Status"));

    //  podp_text_ok
    assert (podp_text_ok ("Alice Smith", false));
    assert (podp_text_ok ("Zo\xC3\xAB \xE2\x82\xAC \xF0\x9F\x98\x80", false));
    assert (!podp_text_ok ("a\nb", false));
    assert (podp_text_ok ("a\nb\tc", true));
    assert (!podp_text_ok ("a\rb", true));
    assert (!podp_text_ok ("a\x7F", true));
    assert (!podp_text_ok ("a\xC2\x85", true));        //  NEL, C1
    assert (!podp_text_ok ("\xC0\xAF", false));        //  overlong
    assert (!podp_text_ok ("\xED\xA0\x80", false));    //  surrogate
    assert (!podp_text_ok ("\xF4\x90\x80\x80", false));//  > U+10FFFF
    assert (!podp_text_ok ("\xE2\x82", false));        //  truncated
    assert (!podp_text_ok (NULL, false));

    //  Round trip: client request
    json_t *body = json_pack ("{s:s, s:s, s:[s,s], s:s, s:I}",
                              "ref", "CH-2026-0042", "kind", "child",
                              "coworkers", "bob", "carol",
                              "summary", "Line one\nLine two\twith tab",
                              "rid", (json_int_t) 7);
    podp_msg_t *request = podp_msg_new ("CASE-OPEN", body);
    zmsg_t *msg = podp_encode (request);
    assert (msg);
    assert (zmsg_size (msg) == 3);
    podp_msg_t *copy = podp_decode (msg, true, 0, &err);
    assert (copy);
    assert (err.status == 0);
    assert (streq (podp_msg_command (copy), "CASE-OPEN"));
    assert (streq (podp_msg_string (copy, "ref"), "CH-2026-0042"));
    assert (streq (podp_msg_string (copy, "summary"), "Line one\nLine two\twith tab"));
    assert (podp_msg_int (copy, "rid", -1) == 7);
    assert (podp_msg_int (copy, "absent", -1) == -1);
    assert (podp_msg_string (copy, "absent") == NULL);
    assert (json_array_size (podp_msg_array (copy, "coworkers")) == 2);
    assert (podp_msg_array (copy, "ref") == NULL);
    assert (json_equal (podp_msg_body (copy), podp_msg_body (request)));
    //  Direction matters: CASE-OPEN is not a server->client command
    podp_msg_t *wrong = podp_decode (msg, false, 0, &err);
    assert (wrong == NULL && err.status == PODP_UNKNOWN_COMMAND);
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    //  Round trip: empty body, bool field, task command
    request = podp_msg_new ("PING", NULL);
    msg = podp_encode (request);
    assert (zframe_streq (zmsg_last (msg), "{}"));
    copy = podp_decode (msg, true, 0, &err);
    assert (copy && streq (podp_msg_command (copy), "PING"));
    assert (json_object_size (podp_msg_body (copy)) == 0);
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    //  A REPLY with its data encoded already decodes as the plain one
    request = podp_reply_new_encoded (5, PODP_OK, NULL, strdup ("{\"items\":[{\"id\":1}],\"next\":null}"));
    msg = podp_encode (request);
    copy = podp_decode (msg, false, 0, &err);
    assert (copy && podp_msg_int (copy, "rid", -1) == 5 && podp_msg_int (copy, "status", 0) == PODP_OK);
    json_t *expected = json_pack ("{s:I s:i s:s s:{s:[{s:i}] s:n}}", "rid", (json_int_t) 5, "status", 200,
                                  "reason", "OK", "data", "items", "id", 1, "next");
    assert (json_equal (podp_msg_body (copy), expected));
    json_decref (expected);
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    //  A body encoded already is sent as it is, and decodes as the body
    json_t *pushed = json_pack ("{s:I s:{s:I s:s}}", "delivery", (json_int_t) 7, "task",
                                "id", (json_int_t) 12, "title", "Visit");
    request = podp_msg_new_encoded ("TASK", json_incref (pushed),
                                    strdup ("{\"delivery\":7,\"task\":{\"id\":12,\"title\":\"Visit\"}}"));
    msg = podp_encode (request);
    char *sent = json_dumps (pushed, JSON_COMPACT);
    assert (zframe_streq (zmsg_last (msg), sent));
    free (sent);
    copy = podp_decode (msg, false, 0, &err);
    assert (copy && json_equal (podp_msg_body (copy), pushed));
    json_decref (pushed);
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    request = podp_msg_new ("MEMBER-ADD", json_pack (
        "{s:s, s:s, s:s, s:s, s:b}", "handle", "alice", "name", "Alice Tm",
        "email", "alice.tm@pod-north.example", "role", "team-manager", "admin", 1));
    msg = podp_encode (request);
    copy = podp_decode (msg, true, 0, &err);
    assert (copy);
    assert (podp_msg_bool (copy, "admin", false) == true);
    assert (podp_msg_bool (copy, "absent", true) == true);
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    //  Round trip: leave request with every field, cover plan with a bool
    request = podp_msg_new ("LEAVE-REQUEST", json_pack (
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "member", "bob", "kind", "training",
        "from", "2026-12-01", "to", "2026-12-03T17:00", "note", "Court skills\ncourse",
        "return", "stay", "rid", (json_int_t) 31));
    msg = podp_encode (request);
    copy = podp_decode (msg, true, 0, &err);
    assert (copy);
    assert (streq (podp_msg_command (copy), "LEAVE-REQUEST"));
    assert (streq (podp_msg_string (copy, "kind"), "training"));
    assert (streq (podp_msg_string (copy, "return"), "stay"));
    assert (json_equal (podp_msg_body (copy), podp_msg_body (request)));
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    request = podp_msg_new ("COVER-PLAN", json_pack (
        "{s:s, s:s, s:s, s:b, s:I}", "member", "bob", "from", "2026-12-01",
        "to", "2026-12-03", "accept", 1, "absence", (json_int_t) 4));
    msg = podp_encode (request);
    copy = podp_decode (msg, true, 0, &err);
    assert (copy);
    assert (podp_msg_bool (copy, "accept", false) == true);
    assert (podp_msg_int (copy, "absence", 0) == 4);
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    //  NOTICE push of a return digest
    push = podp_msg_new ("NOTICE", json_pack ("{s:s, s:s, s:{s:I, s:s, s:[]}}",
        "kind", "digest", "text", "Welcome back: 2 task(s) done",
        "data", "absence", (json_int_t) 4, "member", "bob", "done"));
    msg = podp_encode (push);
    copy = podp_decode (msg, false, 0, &err);
    assert (copy);
    assert (streq (podp_msg_string (copy, "kind"), "digest"));
    podp_msg_destroy (&copy);
    podp_msg_destroy (&push);
    zmsg_destroy (&msg);

    //  Round trip: REPLY and TASK push, server->client
    podp_msg_t *reply = podp_reply_new (42, PODP_CREATED, NULL,
                                        json_pack ("{s:I}", "id", (json_int_t) 9));
    msg = podp_encode (reply);
    copy = podp_decode (msg, false, 0, &err);
    assert (copy);
    assert (streq (podp_msg_command (copy), "REPLY"));
    assert (podp_msg_int (copy, "rid", -1) == 42);
    assert (podp_msg_int (copy, "status", 0) == 201);
    assert (streq (podp_msg_string (copy, "reason"), "Created"));
    assert (json_integer_value (json_object_get (
        json_object_get (podp_msg_body (copy), "data"), "id")) == 9);
    podp_msg_destroy (&copy);
    podp_msg_destroy (&reply);
    zmsg_destroy (&msg);

    //  A reply without rid, with a reason quoting hostile input
    reply = podp_reply_new (-1, PODP_NOT_FOUND, "unknown case 'x\r\ny\xff'", NULL);
    assert (json_object_get (podp_msg_body (reply), "rid") == NULL);
    assert (streq (podp_msg_string (reply, "reason"), "unknown case 'x??y?'"));
    msg = podp_encode (reply);
    copy = podp_decode (msg, false, 0, &err);
    assert (copy);
    podp_msg_destroy (&copy);
    podp_msg_destroy (&reply);
    zmsg_destroy (&msg);

    push = podp_msg_new ("TASK", json_pack ("{s:I, s:{s:I, s:s, s:I}}",
        "delivery", (json_int_t) 3, "task", "id", (json_int_t) 12,
        "state", "offered", "version", (json_int_t) 2));
    msg = podp_encode (push);
    copy = podp_decode (msg, false, 0, &err);
    assert (copy);
    assert (podp_msg_int (copy, "delivery", 0) == 3);
    podp_msg_destroy (&copy);
    //  TASK is not a client->server command
    copy = podp_decode (msg, true, 0, &err);
    assert (copy == NULL && err.status == PODP_UNKNOWN_COMMAND);
    podp_msg_destroy (&push);
    zmsg_destroy (&msg);

    //  Framing: 2 frames, 4 frames, no message
    msg = zmsg_new ();
    zmsg_addstr (msg, PODP_SIGNATURE);
    zmsg_addstr (msg, "PING");
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_REQUEST);
    assert (streq (err.reason, "expected 3 frames, got 2"));
    zmsg_addstr (msg, "{}");
    zmsg_addstr (msg, "{}");
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_REQUEST);
    assert (streq (err.reason, "expected 3 frames, got 4"));
    zmsg_destroy (&msg);
    assert (podp_decode (NULL, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_REQUEST);
    assert (podp_decode (NULL, true, 0, NULL) == NULL);

    //  Signature
    msg = s_raw ("HTTP/1.1", "PING", "{}", 2);
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_REQUEST);
    zmsg_destroy (&msg);
    msg = s_raw ("PODP/2", "PING", "{}", 2);
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_VERSION);
    assert (strstr (err.reason, "PODP/2"));
    zmsg_destroy (&msg);
    msg = s_raw ("PODP/1 ", "PING", "{}", 2);
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_VERSION);
    zmsg_destroy (&msg);
    msg = s_raw ("", "PING", "{}", 2);
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_REQUEST);
    zmsg_destroy (&msg);
    msg = zmsg_new ();
    zmsg_addmem (msg, "PODP/\x01\xff\n", 8);
    zmsg_addstr (msg, "PING");
    zmsg_addstr (msg, "{}");
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_VERSION);
    assert (podp_text_ok (err.reason, false));
    zmsg_destroy (&msg);

    //  Command token
    s_expect (verbose, "ping", "{}", PODP_BAD_REQUEST);
    s_expect (verbose, "", "{}", PODP_BAD_REQUEST);
    s_expect (verbose, "1PING", "{}", PODP_BAD_REQUEST);
    s_expect (verbose, "PING PONG", "{}", PODP_BAD_REQUEST);
    s_expect (verbose, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "{}", PODP_BAD_REQUEST);
    const char *reason = s_expect (verbose, "FROB", "{}", PODP_UNKNOWN_COMMAND);
    assert (streq (reason, "unknown command 'FROB'"));
    s_expect (verbose, "REPLY", "{}", PODP_UNKNOWN_COMMAND);
    msg = zmsg_new ();
    zmsg_addstr (msg, PODP_SIGNATURE);
    zmsg_addmem (msg, "PI\0NG", 5);
    zmsg_addstr (msg, "{}");
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_REQUEST);
    zmsg_destroy (&msg);

    //  Body size
    char *big = (char *) zmalloc (PODP_BODY_DEFAULT + 64);
    strcpy (big, "{\"rid\":1");
    size_t len = strlen (big);
    while (len < PODP_BODY_DEFAULT + 10)
        big [len++] = ' ';
    big [len++] = '}';
    big [len] = 0;
    s_expect (verbose, "PING", big, PODP_TOO_LARGE);
    msg = s_raw (PODP_SIGNATURE, "PING", big, len);
    copy = podp_decode (msg, true, len, &err);      //  larger limit: fine
    assert (copy);
    podp_msg_destroy (&copy);
    assert (podp_decode (msg, true, 100, &err) == NULL);
    assert (err.status == PODP_TOO_LARGE);
    zmsg_destroy (&msg);
    free (big);

    //  Body JSON
    s_expect (verbose, "PING", "", PODP_BAD_REQUEST);
    reason = s_expect (verbose, "PING", "{", PODP_BAD_REQUEST);
    assert (strstr (reason, "invalid JSON"));
    s_expect (verbose, "PING", "{} {}", PODP_BAD_REQUEST);
    s_expect (verbose, "PING", "[]", PODP_BAD_REQUEST);
    reason = s_expect (verbose, "PING", "[1,2]", PODP_BAD_REQUEST);
    assert (streq (reason, "body is not a JSON object"));
    s_expect (verbose, "PING", "\"text\"", PODP_BAD_REQUEST);
    s_expect (verbose, "PING", "null", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"a\xff\xfe\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"\xC0\xAF\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"\\ud800\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"a\",\"ref\":\"b\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-SHOW", "{\"r\\u0000ef\":\"a\"}", PODP_BAD_REQUEST);

    //  Fields
    reason = s_expect (verbose, "PING", "{\"colour\":\"blue\"}", PODP_BAD_REQUEST);
    assert (streq (reason, "unknown field 'colour'"));
    reason = s_expect (verbose, "PING", "{\"a\\nb\\u00ff\":1}", PODP_BAD_REQUEST);
    assert (streq (reason, "unknown field 'a?b?'"));
    reason = s_expect (verbose, "CASE-SHOW", "{}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'ref': required"));
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"\"}", PODP_INVALID);
    reason = s_expect (verbose, "CASE-SHOW", "{\"ref\":42}", PODP_BAD_REQUEST);
    assert (strstr (reason, "field 'ref'"));
    s_expect (verbose, "CASE-SHOW", "{\"ref\":null}", PODP_BAD_REQUEST);
    s_expect (verbose, "TASK-SHOW", "{\"task\":\"12\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "TASK-SHOW", "{\"task\":12.0}", PODP_BAD_REQUEST);
    s_expect (verbose, "TASK-SHOW", "{\"task\":true}", PODP_BAD_REQUEST);
    s_expect (verbose, "TASK-SHOW", "{\"task\":12}", 0);
    //  "as" (a gateway's member) is a STRING of at most 32 octets on every request
    s_expect (verbose, "TASK-SHOW", "{\"task\":12,\"as\":\"dev.sw\"}", 0);
    s_expect (verbose, "PING", "{\"as\":5}", PODP_BAD_REQUEST);
    s_expect (verbose, "PING", "{\"as\":\"a23456789012345678901234567890123\"}", PODP_TOO_LARGE);
    s_expect (verbose, "TASK-SHOW", "{\"task\":0}", 0);
    s_expect (verbose, "TASK-SHOW", "{\"task\":9007199254740991}", 0);
    s_expect (verbose, "TASK-SHOW", "{\"task\":9007199254740992}", PODP_INVALID);
    reason = s_expect (verbose, "TASK-SHOW", "{\"task\":-1}", PODP_INVALID);
    assert (strstr (reason, "field 'task'"));
    reason = s_expect (verbose, "TASK-SHOW", "{\"task\":99999999999999999999999}", PODP_INVALID);
    assert (strstr (reason, "field 'task': out of range"));
    s_expect (verbose, "PING", "{\"rid\":-5}", PODP_INVALID);
    s_expect (verbose, "PING", "{\"rid\":\"5\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "MEMBER-ADD", "{\"handle\":\"al\",\"name\":\"Al\",\"email\":"
              "\"al@pod-north.example\",\"role\":\"social-worker\",\"admin\":\"yes\"}",
              PODP_BAD_REQUEST);
    s_expect (verbose, "MEMBER-ADD", "{\"handle\":\"al\",\"name\":\"Al\",\"email\":"
              "\"al@pod-north.example\",\"role\":\"wizard\"}", PODP_INVALID);

    //  Leave and cover
    s_expect (verbose, "LEAVE-REQUEST", "{\"kind\":\"annual\",\"from\":\"2026-12-21\","
              "\"to\":\"2026-12-24\",\"note\":\"Christmas\\nback on the 29th\"}", 0);
    s_expect (verbose, "LEAVE-REQUEST", "{\"member\":\"bob\",\"kind\":\"sickness\","
              "\"return\":\"stay\"}", 0);
    reason = s_expect (verbose, "LEAVE-REQUEST", "{\"kind\":\"holiday\"}", PODP_INVALID);
    assert (streq (reason, "field 'kind': must be one of annual, training, other, "
                           "sickness, emergency"));
    s_expect (verbose, "LEAVE-REQUEST", "{\"kind\":\"Annual\"}", PODP_INVALID);
    reason = s_expect (verbose, "LEAVE-REQUEST", "{\"from\":\"2026-12-21\"}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'kind': required"));
    reason = s_expect (verbose, "LEAVE-REQUEST", "{\"kind\":\"training\",\"return\":\"keep\"}",
                       PODP_INVALID);
    assert (streq (reason, "field 'return': must be one of return, stay"));
    reason = s_expect (verbose, "LEAVE-REQUEST", "{\"kind\":\"training\",\"return\":\"returning\"}",
                       PODP_TOO_LARGE);
    assert (streq (reason, "field 'return': longer than 8 octets"));
    s_expect (verbose, "LEAVE-REQUEST", "{\"kind\":\"other\",\"to\":\"2026-12-24\\r\"}",
              PODP_INVALID);
    s_expect (verbose, "LEAVE-REQUEST", "{\"kind\":\"other\",\"from\":null}", PODP_BAD_REQUEST);
    s_expect (verbose, "LEAVE-APPROVE", "{\"absence\":3,\"return\":\"return\"}", 0);
    s_expect (verbose, "LEAVE-APPROVE", "{\"absence\":3,\"return\":\"\"}", PODP_INVALID);
    reason = s_expect (verbose, "LEAVE-APPROVE", "{}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'absence': required"));
    s_expect (verbose, "LEAVE-REFUSE", "{\"absence\":\"3\",\"reason\":\"short-staffed\"}",
              PODP_BAD_REQUEST);
    s_expect (verbose, "LEAVE-REFUSE", "{\"absence\":3,\"reason\":\"short-staffed\"}", 0);
    s_expect (verbose, "LEAVE-CANCEL", "{\"absence\":-3}", PODP_INVALID);
    reason = s_expect (verbose, "LEAVE-CANCEL", "{\"absence\":3,\"reason\":\"x\"}",
                       PODP_BAD_REQUEST);
    assert (streq (reason, "unknown field 'reason'"));
    s_expect (verbose, "LEAVE-END", "{\"absence\":3,\"at\":\"2026-12-23T12:00\"}", 0);
    s_expect (verbose, "LEAVE-CALENDAR", "{}", 0);
    s_expect (verbose, "LEAVE-CALENDAR", "{\"pod\":\"north\",\"from\":\"2026-12-01\","
              "\"to\":\"2026-12-31\"}", 0);
    s_expect (verbose, "COVER-PLAN", "{\"member\":\"bob\",\"from\":\"2026-12-21\","
              "\"to\":\"2026-12-24\",\"accept\":true,\"absence\":3}", 0);
    //  from/to are optional (a plan for an absence takes its period)
    s_expect (verbose, "COVER-PLAN", "{\"member\":\"bob\",\"absence\":3}", 0);
    reason = s_expect (verbose, "COVER-PLAN", "{\"from\":\"2026-12-21\"}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'member': required"));
    s_expect (verbose, "COVER-SHOW", "{\"absence\":3}", 0);
    s_expect (verbose, "COVER-SHOW", "{}", PODP_BAD_REQUEST);
    s_expect (verbose, "HANDOVER", "{}", 0);
    s_expect (verbose, "HANDOVER-NOTE", "{\"case\":\"CH-1\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "LEAVE-LIST", "{\"status\":\"lost\"}", PODP_INVALID);
    s_expect (verbose, "COVER-PLAN", "{\"member\":\"bob\",\"from\":\"2026-12-21\","
              "\"to\":\"2026-12-24\",\"accept\":\"yes\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "COVER-PLAN", "{\"member\":\"\",\"from\":\"2026-12-21\","
              "\"to\":\"2026-12-24\"}", PODP_INVALID);
    s_expect (verbose, "COVER-SET", "{\"case\":\"CH-1\",\"by\":\"carol\"}", 0);
    s_expect (verbose, "COVER-SET", "{\"case\":\"CH-1\",\"by\":"
              "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}", PODP_TOO_LARGE);
    s_expect (verbose, "COVER-MOVE", "{\"from\":\"bob\",\"to\":\"carol\"}", 0);
    s_expect (verbose, "COVER-MOVE", "{\"from\":\"bob\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-CONTACT", "{\"ref\":\"CH-1\",\"date\":\"2026-12-22\"}", 0);
    s_expect (verbose, "CASE-CONTACT", "{\"date\":\"2026-12-22\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "LOAD", "{\"pod\":\"north\",\"from\":\"2026-12-01\"}", 0);
    s_expect (verbose, "LOAD", "{\"member\":\"bob\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "DIGEST", "{}", 0);
    s_expect (verbose, "DIGEST", "{\"absence\":3}", 0);
    s_expect (verbose, "DIGEST", "{\"absence\":true}", PODP_BAD_REQUEST);
    s_expect (verbose, "MAIL-QUEUE", "{\"state\":\"failed\",\"limit\":10}", 0);
    s_expect (verbose, "MAIL-QUEUE", "{\"state\":\"lost\"}", PODP_INVALID);
    s_expect (verbose, "MAIL-RETRY", "{}", PODP_BAD_REQUEST);
    s_expect (verbose, "REMINDERS", "{\"task\":4}", 0);

    //  Practice standards: case events, corrections, standards, compliance
    {
    char line [512];
    char word [80];
    for (const char *const *type = s_event_types; *type; type++) {
        snprintf (line, sizeof (line), "{\"ref\":\"CH-1\",\"type\":\"%s\","
                  "\"date\":\"2026-11-02\"}", *type);
        s_expect (verbose, "CASE-EVENT", line, 0);
    }
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"child-placed\","
              "\"date\":\"2026-11-02\",\"note\":\"Placed with\\tthe Smiths\\nafter panel\","
              "\"dob\":\"2014-03-31\",\"family_and_friends\":false,\"rid\":4}", 0);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"FC-9\",\"type\":\"carer-approved\","
              "\"date\":\"2026-11-02\",\"family_and_friends\":true}", 0);
    reason = s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"birthday\","
                       "\"date\":\"2026-11-02\"}", PODP_INVALID);
    //  The whole list, not cut short
    assert (streq (reason, "field 'type': must be one of case-opened, referral-received, "
                           "carer-approved, panel-date-set, child-placed, "
                           "became-looked-after, allegation, placement-difficulty, "
                           "strategy-discussion, conference-held, review-held, "
                           "placement-confirmed-long-term, placement-ended, concern, "
                           "significant-harm-concern, professional-allegation, cp-plan-ended, "
                           "ceased-looked-after"));
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"strategy-discussion\","
              "\"date\":\"2026-11-02\",\"outcome\":\"nfa\"}", 0);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"strategy-discussion\","
              "\"date\":\"2026-11-02\",\"outcome\":\"NFA\"}", PODP_INVALID);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"child-placed\","
              "\"date\":\"2026-11-02\",\"carer\":\"NH-1\"}", 0);
    //  "task-done" triggers rules but is not a case event; values are case-sensitive
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"task-done\","
              "\"date\":\"2026-11-02\"}", PODP_INVALID);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"Child-Placed\","
              "\"date\":\"2026-11-02\"}", PODP_INVALID);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"child-placed \","
              "\"date\":\"2026-11-02\"}", PODP_INVALID);
    reason = s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":"
                       "\"placement-confirmed-long-term-placements!\",\"date\":\"2026-11-02\"}",
                       PODP_TOO_LARGE);
    assert (streq (reason, "field 'type': longer than 40 octets"));
    reason = s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"allegation\"}",
                       PODP_BAD_REQUEST);
    assert (streq (reason, "field 'date': required"));
    reason = s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"date\":\"2026-11-02\"}",
                       PODP_BAD_REQUEST);
    assert (streq (reason, "field 'type': required"));
    reason = s_expect (verbose, "CASE-EVENT", "{\"type\":\"allegation\","
                       "\"date\":\"2026-11-02\"}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'ref': required"));
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"allegation\","
              "\"date\":\"\"}", PODP_INVALID);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"\","
              "\"date\":\"2026-11-02\"}", PODP_INVALID);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"allegation\","
              "\"date\":\"2026-11-02T10:00:00Z-and-then-some-more\"}", PODP_TOO_LARGE);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"allegation\","
              "\"date\":\"2026-11-02\\n\"}", PODP_INVALID);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"allegation\","
              "\"date\":20261102}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"child-placed\","
              "\"date\":\"2026-11-02\",\"dob\":\"2014-03-31\\r\"}", PODP_INVALID);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"child-placed\","
              "\"date\":\"2026-11-02\",\"dob\":null}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"carer-approved\","
              "\"date\":\"2026-11-02\",\"family_and_friends\":\"yes\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"carer-approved\","
              "\"date\":\"2026-11-02\",\"family_and_friends\":1}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"allegation\","
              "\"date\":\"2026-11-02\",\"note\":\"a\\r\\nb\"}", PODP_INVALID);
    reason = s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":\"allegation\","
                       "\"date\":\"2026-11-02\",\"standard\":\"x\"}", PODP_BAD_REQUEST);
    assert (streq (reason, "unknown field 'standard'"));
    s_expect (verbose, "CASE-EVENT", "{\"ref\":\"CH-1\",\"type\":[\"allegation\"],"
              "\"date\":\"2026-11-02\"}", PODP_BAD_REQUEST);

    s_expect (verbose, "CASE-EVENT-CORRECT", "{\"event\":12,\"date\":\"2026-10-30\"}", 0);
    reason = s_expect (verbose, "CASE-EVENT-CORRECT", "{\"event\":12}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'date': required"));
    s_expect (verbose, "CASE-EVENT-CORRECT", "{\"date\":\"2026-10-30\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-EVENT-CORRECT", "{\"event\":\"12\",\"date\":\"2026-10-30\"}",
              PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-EVENT-CORRECT", "{\"event\":-1,\"date\":\"2026-10-30\"}",
              PODP_INVALID);
    s_expect (verbose, "CASE-EVENT-CORRECT", "{\"event\":12,\"date\":\"\"}", PODP_INVALID);
    s_expect (verbose, "CASE-EVENT-CORRECT", "{\"event\":12,\"date\":\"2026-10-30\","
              "\"type\":\"allegation\"}", PODP_BAD_REQUEST);

    s_expect (verbose, "STANDARDS-LIST", "{}", 0);
    s_expect (verbose, "STANDARDS-LIST", "{\"rid\":8}", 0);
    reason = s_expect (verbose, "STANDARDS-LIST", "{\"case_kind\":\"child\"}",
                       PODP_BAD_REQUEST);
    assert (streq (reason, "unknown field 'case_kind'"));

    s_expect (verbose, "REPORT-COMPLIANCE", "{}", 0);
    s_expect (verbose, "REPORT-COMPLIANCE", "{\"pod\":\"north\",\"member\":\"dev.sw\","
              "\"from\":\"2026-01-01\",\"to\":\"2027-01-01\","
              "\"standard\":\"carer-annual-review\"}", 0);
    memset (word, 'x', 65);
    word [65] = 0;
    snprintf (line, sizeof (line), "{\"standard\":\"%s\"}", word);
    reason = s_expect (verbose, "REPORT-COMPLIANCE", line, PODP_TOO_LARGE);
    assert (streq (reason, "field 'standard': longer than 64 octets"));
    word [64] = 0;
    snprintf (line, sizeof (line), "{\"standard\":\"%s\"}", word);
    s_expect (verbose, "REPORT-COMPLIANCE", line, 0);
    s_expect (verbose, "REPORT-COMPLIANCE", "{\"pod\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
              PODP_TOO_LARGE);
    s_expect (verbose, "REPORT-COMPLIANCE", "{\"from\":null}", PODP_BAD_REQUEST);
    s_expect (verbose, "REPORT-COMPLIANCE", "{\"to\":\"2027-01-01\\t\"}", PODP_INVALID);
    reason = s_expect (verbose, "REPORT-COMPLIANCE", "{\"csv\":true}", PODP_BAD_REQUEST);
    assert (streq (reason, "unknown field 'csv'"));

    //  TASK-DONE: the optional date the work was done
    s_expect (verbose, "TASK-DONE", "{\"task\":4,\"evidence\":\"Visit done\","
              "\"date\":\"2026-11-20\"}", 0);
    s_expect (verbose, "TASK-DONE", "{\"task\":4,\"evidence\":\"Panel minutes\","
              "\"reference\":\"PANEL-2026-114\",\"date\":\"2026-11-20\"}", 0);
    s_expect (verbose, "TASK-DONE", "{\"task\":4,\"evidence\":\"Visit done\"}", 0);
    s_expect (verbose, "TASK-DONE", "{\"task\":4,\"evidence\":\"Visit done\","
              "\"date\":null}", PODP_BAD_REQUEST);
    s_expect (verbose, "TASK-DONE", "{\"task\":4,\"evidence\":\"Visit done\","
              "\"date\":\"2026-11-20\\n\"}", PODP_INVALID);
    s_expect (verbose, "TASK-DONE", "{\"task\":4,\"evidence\":\"Visit done\","
              "\"date\":\"2026-11-20T17:00:00Z, or thereabouts\"}", PODP_TOO_LARGE);
    reason = s_expect (verbose, "TASK-DONE", "{\"task\":4,\"date\":\"2026-11-20\"}",
                       PODP_BAD_REQUEST);
    assert (streq (reason, "field 'evidence': required"));
    }

    //  Partners, meetings and replies
    s_expect (verbose, "PARTNER-ADD", "{\"agency\":\"Hillside Primary\",\"agency_kind\":"
              "\"school\",\"name\":\"Pat Head\",\"email\":\"head@hillside.example\","
              "\"role\":\"Designated safeguarding lead\",\"aliases\":"
              "[\"pat.head@hillside.example\"]}", 0);
    s_expect (verbose, "PARTNER-ADD", "{\"agency\":\"VS\",\"agency_kind\":\"virtual-school\","
              "\"name\":\"Vi\",\"email\":\"vi@vs.example\"}", 0);
    reason = s_expect (verbose, "PARTNER-ADD", "{\"agency\":\"St Anne's\",\"agency_kind\":"
                       "\"church\",\"name\":\"Rev\",\"email\":\"rev@stanne.example\"}",
                       PODP_INVALID);
    assert (streq (reason, "field 'agency_kind': must be one of school, health, police, "
                           "virtual-school, other"));
    s_expect (verbose, "PARTNER-ADD", "{\"agency\":\"GP\",\"agency_kind\":\"Health\","
              "\"name\":\"Dr A\",\"email\":\"a@gp.example\"}", PODP_INVALID);
    reason = s_expect (verbose, "PARTNER-ADD", "{\"agency\":\"GP\",\"name\":\"Dr A\","
                       "\"email\":\"a@gp.example\"}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'agency_kind': required"));
    s_expect (verbose, "PARTNER-ADD", "{\"agency\":\"GP\",\"agency_kind\":\"health\","
              "\"name\":\"Dr A\",\"email\":\"a@gp.example\",\"aliases\":[\"\"]}",
              PODP_INVALID);
    s_expect (verbose, "PARTNER-ADD", "{\"agency\":\"GP\",\"agency_kind\":\"health\","
              "\"name\":\"Dr A\",\"email\":\"a@gp.example\",\"aliases\":\"b@gp.example\"}",
              PODP_BAD_REQUEST);
    s_expect (verbose, "PARTNER-ADD", "{\"agency\":\"GP\",\"agency_kind\":\"health\","
              "\"name\":\"Dr A\\r\\nBcc: x@evil.example\",\"email\":\"a@gp.example\"}",
              PODP_INVALID);
    s_expect (verbose, "PARTNER-LIST", "{}", 0);
    s_expect (verbose, "PARTNER-LIST", "{\"case\":\"CH-1\"}", 0);
    s_expect (verbose, "PARTNER-LINK", "{\"case\":\"CH-1\",\"partner\":\"a@gp.example\"}", 0);
    reason = s_expect (verbose, "PARTNER-LINK", "{\"case\":\"CH-1\"}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'partner': required"));
    s_expect (verbose, "PARTNER-UNLINK", "{\"case\":\"CH-1\",\"partner\":\"a@gp.example\"}", 0);
    s_expect (verbose, "PARTNER-UNLINK", "{\"case\":\"CH-1\",\"partner\":\"\"}", PODP_INVALID);
    s_expect (verbose, "MEETING-SCHEDULE", "{\"task\":7,\"start\":\"2026-12-10T10:00\","
              "\"end\":\"2026-12-10T11:00\",\"location\":\"Room 2, County Hall\","
              "\"invite\":[\"a@gp.example\"],\"members\":[\"bob\"]}", 0);
    //  A location, an online link or both: the server says which is missing
    s_expect (verbose, "MEETING-SCHEDULE", "{\"task\":7,\"start\":"
              "\"2026-12-10T10:00\",\"end\":\"2026-12-10T11:00\"}", 0);
    s_expect (verbose, "MEETING-SCHEDULE", "{\"task\":7,\"start\":\"2026-12-10T10:00\","
              "\"end\":\"2026-12-10T11:00\",\"online\":\"https://meet.example/j/1\"}", 0);
    s_expect (verbose, "MEETING-SCHEDULE", "{\"task\":7,\"start\":\"2026-12-10T10:00\","
              "\"end\":\"2026-12-10T11:00\",\"online\":\"https://x\\r\\nX-INJ:1\"}", PODP_INVALID);
    s_expect (verbose, "PARTNER-UPDATE", "{\"email\":\"a@gp.example\",\"name\":\"A\","
              "\"aliases\":[\"b@gp.example\"],\"remove_aliases\":[\"c@gp.example\"]}", 0);
    reason = s_expect (verbose, "PARTNER-UPDATE", "{\"name\":\"A\"}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'email': required"));
    s_expect (verbose, "MEETING-SCHEDULE", "{\"task\":7,\"start\":\"2026-12-10T10:00\","
              "\"end\":\"2026-12-10T11:00\",\"location\":\"Room 2\\nCounty Hall\"}",
              PODP_INVALID);
    s_expect (verbose, "MEETING-SCHEDULE", "{\"task\":7,\"start\":\"2026-12-10T10:00\","
              "\"end\":\"2026-12-10T11:00\",\"location\":\"Room 2\",\"invite\":[3]}",
              PODP_BAD_REQUEST);
    s_expect (verbose, "MEETING-UPDATE", "{\"task\":7}", 0);
    s_expect (verbose, "MEETING-UPDATE", "{\"task\":7,\"location\":\"Room 3\"}", 0);
    s_expect (verbose, "MEETING-UPDATE", "{\"task\":7,\"invite\":[\"a@gp.example\"]}",
              PODP_BAD_REQUEST);
    s_expect (verbose, "MEETING-CANCEL", "{\"task\":7,\"reason\":\"Family moved\\nto Leeds\"}", 0);
    s_expect (verbose, "MEETING-CANCEL", "{\"task\":\"7\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "MEETING-ATTENDEES", "{\"task\":7}", 0);
    s_expect (verbose, "MEETING-ATTENDEES", "{\"task\":7,\"case\":\"CH-1\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "MEETING-OUTCOME", "{\"task\":7,\"summary\":\"Next review\\tin May\"}", 0);
    reason = s_expect (verbose, "MEETING-OUTCOME", "{\"task\":7}", PODP_BAD_REQUEST);
    assert (streq (reason, "field 'summary': required"));
    s_expect (verbose, "MEETING-OUTCOME", "{\"task\":7,\"summary\":\"\"}", PODP_INVALID);
    s_expect (verbose, "INGEST-MAIL", "{\"message\":\"RnJvbTogYUBiLmV4YW1wbGUNCg==\"}", 0);
    s_expect (verbose, "INGEST-MAIL", "{}", PODP_BAD_REQUEST);
    s_expect (verbose, "INGEST-MAIL", "{\"message\":\"\"}", PODP_INVALID);
    s_expect (verbose, "INGEST-MAIL", "{\"message\":\"RnJvbTog\\r\\nYUBi\"}", PODP_INVALID);

    //  INGEST-MAIL: a 1 MiB message needs the caller's larger body limit
    {
        size_t body_max = PODP_INGEST_MESSAGE_MAX + 64;
        char *mail = (char *) zmalloc (body_max);
        strcpy (mail, "{\"rid\":9,\"message\":\"");
        size_t at = strlen (mail);
        for (size_t i = 0; i < PODP_INGEST_MESSAGE_MAX; i++)
            mail [at++] = "ABCD+/09"[i % 8];
        mail [at++] = '"';
        mail [at++] = '}';
        mail [at] = 0;
        msg = s_raw (PODP_SIGNATURE, "INGEST-MAIL", mail, at);
        assert (podp_decode (msg, true, 0, &err) == NULL);
        assert (err.status == PODP_TOO_LARGE);
        assert (strstr (err.reason, "body is"));
        copy = podp_decode (msg, true, PODP_INGEST_BODY_MAX, &err);
        assert (copy);
        assert (strlen (podp_msg_string (copy, "message")) == PODP_INGEST_MESSAGE_MAX);
        assert (podp_msg_int (copy, "rid", -1) == 9);
        podp_msg_destroy (&copy);
        zmsg_destroy (&msg);
        //  One octet more than the field allows
        memmove (mail + at - 2, "A\"}", 4);
        at++;
        msg = s_raw (PODP_SIGNATURE, "INGEST-MAIL", mail, at);
        assert (podp_decode (msg, true, PODP_INGEST_BODY_MAX, &err) == NULL);
        assert (err.status == PODP_TOO_LARGE);
        assert (streq (err.reason, "field 'message': longer than 1048576 octets"));
        zmsg_destroy (&msg);
        free (mail);
    }

    //  Round trip: partner with aliases, meeting with invitees
    request = podp_msg_new ("PARTNER-ADD", json_pack (
        "{s:s, s:s, s:s, s:s, s:[s,s]}", "agency", "Northfield Health Centre",
        "agency_kind", "health", "name", "Nia Nurse", "email", "nia@nhc.example",
        "aliases", "n.nurse@nhc.example", "nia.nurse@mail.example"));
    msg = podp_encode (request);
    copy = podp_decode (msg, true, 0, &err);
    assert (copy);
    assert (streq (podp_msg_string (copy, "agency_kind"), "health"));
    assert (json_array_size (podp_msg_array (copy, "aliases")) == 2);
    assert (json_equal (podp_msg_body (copy), podp_msg_body (request)));
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    request = podp_msg_new ("MEETING-SCHEDULE", json_pack (
        "{s:I, s:s, s:s, s:s, s:[s], s:[s,s], s:I}", "task", (json_int_t) 12,
        "start", "2026-12-10T10:00", "end", "2026-12-10T11:30",
        "location", "Room 2, County Hall", "invite", "nia@nhc.example",
        "members", "bob", "carol", "rid", (json_int_t) 5));
    msg = podp_encode (request);
    copy = podp_decode (msg, true, 0, &err);
    assert (copy);
    assert (podp_msg_int (copy, "task", 0) == 12);
    assert (json_array_size (podp_msg_array (copy, "members")) == 2);
    assert (json_equal (podp_msg_body (copy), podp_msg_body (request)));
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    //  NOTICE push of an accepted reply
    push = podp_msg_new ("NOTICE", json_pack ("{s:s, s:s, s:{s:I, s:s, s:s}}",
        "kind", "meeting-reply", "text", "nia@nhc.example accepted task 12",
        "data", "task", (json_int_t) 12, "attendee", "nia@nhc.example",
        "partstat", "ACCEPTED"));
    msg = podp_encode (push);
    copy = podp_decode (msg, false, 0, &err);
    assert (copy);
    assert (streq (podp_msg_string (copy, "kind"), "meeting-reply"));
    podp_msg_destroy (&copy);
    podp_msg_destroy (&push);
    zmsg_destroy (&msg);

    //  Round trip: a case event with every field, a compliance reply
    request = podp_msg_new ("CASE-EVENT", json_pack (
        "{s:s, s:s, s:s, s:s, s:s, s:b, s:I}", "ref", "CH-2026-0042",
        "type", "panel-date-set", "date", "2027-01-14", "note", "Panel booked\nRoom 4",
        "dob", "2015-07-01", "family_and_friends", 0, "rid", (json_int_t) 21));
    msg = podp_encode (request);
    copy = podp_decode (msg, true, 0, &err);
    assert (copy);
    assert (streq (podp_msg_command (copy), "CASE-EVENT"));
    assert (streq (podp_msg_string (copy, "type"), "panel-date-set"));
    assert (podp_msg_bool (copy, "family_and_friends", true) == false);
    assert (json_equal (podp_msg_body (copy), podp_msg_body (request)));
    podp_msg_destroy (&copy);
    podp_msg_destroy (&request);
    zmsg_destroy (&msg);

    reply = podp_reply_new (22, PODP_OK, NULL, json_pack (
        "{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:I, s:I, s:I, s:I,"
        " s:{s:[s], s:[], s:[], s:[]}}], s:[{s:s, s:I, s:I, s:I, s:I}]}",
        "from", "2025-11-23", "to", "2026-12-07", "now", "2026-11-23T10:00:00Z",
        "standards", "standard", "carer-annual-review", "title", "Foster carer's annual review",
        "source", "Fostering Services Regulations 2011 reg 28", "on_time", (json_int_t) 1,
        "late", (json_int_t) 0, "overdue", (json_int_t) 0, "due_soon", (json_int_t) 0,
        "cases", "on_time", "FC-9", "late", "overdue", "due_soon",
        "members", "member", "dev.sw", "on_time", (json_int_t) 1, "late", (json_int_t) 0,
        "overdue", (json_int_t) 0, "due_soon", (json_int_t) 0));
    msg = podp_encode (reply);
    copy = podp_decode (msg, false, 0, &err);
    assert (copy);
    assert (podp_msg_int (copy, "rid", -1) == 22);
    assert (json_equal (podp_msg_body (copy), podp_msg_body (reply)));
    podp_msg_destroy (&copy);
    podp_msg_destroy (&reply);
    zmsg_destroy (&msg);

    //  Control characters
    reason = s_expect (verbose, "CASE-SHOW", "{\"ref\":\"CH-1\\r\\nX\"}", PODP_INVALID);
    assert (streq (reason, "field 'ref': contains a control character"));
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"CH-1\\n\"}", PODP_INVALID);
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"CH\\t1\"}", PODP_INVALID);
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"CH\\u007f1\"}", PODP_INVALID);
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"CH\\u00851\"}", PODP_INVALID);
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"CH\\u001b1\"}", PODP_INVALID);
    s_expect (verbose, "CASE-SHOW", "{\"ref\":\"Zo\\u00eb\"}", 0);
    s_expect (verbose, "CASE-NOTE", "{\"ref\":\"CH-1\",\"text\":\"a\\nb\\tc\"}", 0);
    s_expect (verbose, "CASE-NOTE", "{\"ref\":\"CH-1\",\"text\":\"a\\r\\nb\"}", PODP_INVALID);
    s_expect (verbose, "CASE-NOTE", "{\"ref\":\"CH-1\",\"text\":\"\"}", PODP_INVALID);
    reason = s_expect (verbose, "CASE-SHOW", "{\"ref\":\"a\\u0000b\"}", PODP_INVALID);
    assert (streq (reason, "field 'ref': contains a NUL character"));
    s_expect (verbose, "CASE-NOTE", "{\"ref\":\"CH-1\",\"text\":\"a\\u0000\"}", PODP_INVALID);

    //  String and array limits
    char text [5000];
    memset (text, 'x', 64);
    text [64] = 0;
    char json [5200];
    snprintf (json, sizeof (json), "{\"ref\":\"%s\"}", text);
    s_expect (verbose, "CASE-SHOW", json, 0);
    strcat (text, "y");
    snprintf (json, sizeof (json), "{\"ref\":\"%s\"}", text);
    reason = s_expect (verbose, "CASE-SHOW", json, PODP_TOO_LARGE);
    assert (streq (reason, "field 'ref': longer than 64 octets"));
    //  63 ASCII + one 2-octet character = 65 octets
    text [63] = 0;
    snprintf (json, sizeof (json), "{\"ref\":\"%s\\u00e9\"}", text);
    s_expect (verbose, "CASE-SHOW", json, PODP_TOO_LARGE);
    memset (text, 'x', 4096);
    text [4096] = 0;
    snprintf (json, sizeof (json), "{\"ref\":\"CH-1\",\"text\":\"%s\"}", text);
    s_expect (verbose, "CASE-NOTE", json, 0);
    strcat (text, "x");
    snprintf (json, sizeof (json), "{\"ref\":\"CH-1\",\"text\":\"%s\"}", text);
    s_expect (verbose, "CASE-NOTE", json, PODP_TOO_LARGE);
    memset (text, 'x', 257);
    text [257] = 0;
    snprintf (json, sizeof (json), "{\"handle\":\"al\",\"name\":\"Al\",\"email\":"
              "\"al@pod-north.example\",\"role\":\"social-worker\",\"skills\":\"%s\"}", text);
    s_expect (verbose, "MEMBER-ADD", json, PODP_TOO_LARGE);

    strcpy (json, "{\"ref\":\"CH-1\",\"lead\":\"alice\",\"coworkers\":[");
    for (int i = 0; i < 64; i++)
        strcat (json, i? ",\"bob\"": "\"bob\"");
    strcat (json, "]}");
    s_expect (verbose, "CASE-ALLOCATE", json, 0);
    json [strlen (json) - 2] = 0;
    strcat (json, ",\"bob\"]}");
    reason = s_expect (verbose, "CASE-ALLOCATE", json, PODP_TOO_LARGE);
    assert (strstr (reason, "field 'coworkers'"));
    s_expect (verbose, "CASE-ALLOCATE",
              "{\"ref\":\"CH-1\",\"lead\":\"al\",\"coworkers\":\"bob\"}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-ALLOCATE",
              "{\"ref\":\"CH-1\",\"lead\":\"al\",\"coworkers\":[\"bob\",7]}", PODP_BAD_REQUEST);
    s_expect (verbose, "CASE-ALLOCATE",
              "{\"ref\":\"CH-1\",\"lead\":\"al\",\"coworkers\":[\"b\\nob\"]}", PODP_INVALID);
    s_expect (verbose, "CASE-ALLOCATE",
              "{\"ref\":\"CH-1\",\"lead\":\"al\",\"coworkers\":[\"\"]}", PODP_INVALID);
    s_expect (verbose, "CASE-ALLOCATE", "{\"ref\":\"CH-1\",\"lead\":\"al\",\"coworkers\":"
              "[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]}", PODP_TOO_LARGE);
    s_expect (verbose, "CASE-ALLOCATE",
              "{\"ref\":\"CH-1\",\"lead\":\"al\",\"coworkers\":[]}", 0);

    //  podp_peek_rid recovers the rid of a refused request
    msg = s_raw (PODP_SIGNATURE, "CASE-SHOW", "{\"rid\":77,\"ref\":5}", 18);
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (podp_peek_rid (msg, 0) == 77);
    //  over max_body: scanned, not parsed
    assert (podp_peek_rid (msg, 10) == 77);
    zmsg_destroy (&msg);
    const char *scanned [] = {
        "{\"rid\":77,\"ref\":\"x}\"}", "77",  " {\"a\":[1,{\"rid\":3}],\"rid\":77} ", "77",
        "{\"rid\":77", "-1",                 "{\"rid\":77,\"rid\":77}", "-1",
        "{\"rid\":077}", "-1",                "{\"rid\":9007199254740992}", "-1",
        "[{\"rid\":77}]", "-1",               "{\"rid\":77} {}", "-1",
        "{\"rid\":7.7}", "-1",                "{\"x\":\"\\\"\",\"rid\":77}", "77", NULL };
    for (int i = 0; scanned [i]; i += 2) {
        msg = s_raw (PODP_SIGNATURE, "PING", scanned [i], strlen (scanned [i]));
        assert (podp_peek_rid (msg, 2) == atoll (scanned [i + 1]));
        zmsg_destroy (&msg);
    }
    //  an integer too big for the parser: 422 naming the field, rid echoed
    const char *huge = "{\"rid\":78,\"task\":123456789012345678901234567890}";
    msg = s_raw (PODP_SIGNATURE, "TASK-SHOW", huge, strlen (huge));
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_INVALID);
    assert (strstr (err.reason, "field 'task': out of range"));
    assert (podp_peek_rid (msg, 0) == 78);
    zmsg_destroy (&msg);
    huge = "{\"task\":-123456789012345678901234567890,\"rid\":79}";
    msg = s_raw (PODP_SIGNATURE, "TASK-SHOW", huge, strlen (huge));
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_INVALID && strstr (err.reason, "field 'task'"));
    assert (podp_peek_rid (msg, 0) == 79);
    zmsg_destroy (&msg);
    //  ... but not when the body is broken anyway
    huge = "{\"task\":123456789012345678901234567890,\"rid\":80";
    msg = s_raw (PODP_SIGNATURE, "TASK-SHOW", huge, strlen (huge));
    assert (podp_decode (msg, true, 0, &err) == NULL);
    assert (err.status == PODP_BAD_REQUEST);
    assert (podp_peek_rid (msg, 0) == -1);
    zmsg_destroy (&msg);
    msg = s_raw ("PODP/9", "FROB", "{\"rid\":5}", 9);
    assert (podp_peek_rid (msg, 0) == 5);
    zmsg_destroy (&msg);
    msg = s_raw (PODP_SIGNATURE, "PING", "{\"rid\":-5}", 10);
    assert (podp_peek_rid (msg, 0) == -1);
    zmsg_destroy (&msg);
    msg = s_raw (PODP_SIGNATURE, "PING", "[1]", 3);
    assert (podp_peek_rid (msg, 0) == -1);
    zmsg_destroy (&msg);
    assert (podp_peek_rid (NULL, 0) == -1);

    //  Server->client strictness
    msg = s_raw (PODP_SIGNATURE, "REPLY", "{\"status\":200}", 14);
    assert (podp_decode (msg, false, 0, &err) == NULL);
    assert (err.status == PODP_BAD_REQUEST);
    assert (streq (err.reason, "field 'reason': required"));
    zmsg_destroy (&msg);
    const char *nul_data = "{\"status\":200,\"reason\":\"OK\",\"data\":{\"a\":[\"x\\u0000\"]}}";
    msg = s_raw (PODP_SIGNATURE, "REPLY", nul_data, strlen (nul_data));
    assert (podp_decode (msg, false, 0, &err) == NULL);
    assert (err.status == PODP_INVALID);
    zmsg_destroy (&msg);
    const char *task_rid = "{\"delivery\":1,\"task\":{},\"rid\":3}";
    msg = s_raw (PODP_SIGNATURE, "TASK", task_rid, strlen (task_rid));
    assert (podp_decode (msg, false, 0, &err) == NULL);
    assert (err.status == PODP_BAD_REQUEST);
    zmsg_destroy (&msg);

    //  Send over a socket pair, with and without a routing id
    zsock_t *router = zsock_new_router ("inproc://podp-test");
    zsock_t *dealer = zsock_new_dealer ("inproc://podp-test");
    assert (router && dealer);
    request = podp_msg_new ("WHOAMI", json_pack ("{s:I}", "rid", (json_int_t) 1));
    assert (podp_send (request, dealer, NULL) == 0);
    podp_msg_destroy (&request);
    msg = zmsg_recv (router);
    assert (msg && zmsg_size (msg) == 4);
    zframe_t *routing_id = zmsg_pop (msg);
    copy = podp_decode (msg, true, 0, &err);
    assert (copy && streq (podp_msg_command (copy), "WHOAMI"));
    reply = podp_reply_new (podp_msg_int (copy, "rid", -1), PODP_OK, "OK",
                            json_pack ("{s:s}", "handle", "alice"));
    podp_msg_destroy (&copy);
    zmsg_destroy (&msg);
    assert (podp_send (reply, router, routing_id) == 0);
    assert (routing_id);            //  still ours
    zframe_destroy (&routing_id);
    podp_msg_destroy (&reply);
    msg = zmsg_recv (dealer);
    assert (msg && zmsg_size (msg) == 3);
    copy = podp_decode (msg, false, 0, &err);
    assert (copy);
    assert (podp_msg_int (copy, "rid", -1) == 1);
    podp_msg_destroy (&copy);
    zmsg_destroy (&msg);
    zsock_destroy (&dealer);
    zsock_destroy (&router);

    //  Destructor nulls the pointer and accepts NULL
    podp_msg_t *nothing = NULL;
    podp_msg_destroy (&nothing);
    //  @end
    printf ("OK\n");
}
