/*  store.h - podd's durable state in SQLite.

    Owns: every byte of SQL in podd. The schema and its migrations
    (PRAGMA user_version), WAL with synchronous=FULL, foreign keys, the
    prepared-statement cache, transactions and per-request savepoints
    (group commit), and the JSON shape of stored objects. Callers pass
    values; nothing here builds SQL from input.
*/
#ifndef PODD_STORE_H_INCLUDED
#define PODD_STORE_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define PODD_STORE_SCHEMA 14    /* current schema version */
#define PODD_STORE_LIST_MAX 10000   /* most items one list returns */

typedef struct _podd_store_t podd_store_t;

typedef struct {
    int64_t id;
    char handle [33];
    char name [129];
    char email [255];
    char role [41];
    int64_t pod_id;             /* 0 = no pod */
    char pod [33];
    char pattern [65];
    bool admin;
    bool active;
    char curve_key [41];
} podd_member_t;

typedef struct {
    int64_t id;
    char name [33];
    char title [129];
    char mailbox [255];
    int64_t duty_id;            /* 0 = none */
} podd_pod_t;

typedef struct {
    int64_t id;
    char ref [65];
    char kind [33];
    int64_t pod_id;
    int64_t lead_id;            /* 0 = unallocated */
    bool open;
} podd_case_t;

typedef struct {
    int64_t id;
    int64_t case_id;
    char kind [41];
    char state [16];
    int64_t assignee_id;        /* 0 = none */
    int64_t creator_id;
    int64_t version;
    int64_t due;                /* 0 = none */
} podd_task_t;

//  Open (creating or migrating) the database at path. ":memory:" works.
podd_store_t *podd_store_new (const char *path, char *err, size_t errlen);
//  Open an existing database at the current schema for reading only (a
//  reader beside the writer: no migrations, no writes); NULL with err
podd_store_t *podd_store_new_read_only (const char *path, char *err, size_t errlen);
//  A connection that only checkpoints the WAL (checkpoint.c), or NULL
podd_store_t *podd_store_new_checkpointer (const char *path, char *err, size_t errlen);
//  Copy what it can of the WAL into the database (PASSIVE: waits for no
//  one, holds no one up); *copied (may be NULL): the WAL's frames from its
//  start that are in the database now.
int     podd_store_checkpoint (podd_store_t *self, int *copied);
//  Frames in the WAL after the writer's last commit
int     podd_store_wal_pages (podd_store_t *self);
void podd_store_destroy (podd_store_t **self_p);
int  podd_store_schema_version (podd_store_t *self);
const char *podd_store_errmsg (podd_store_t *self);

//  Transactions. One transaction per loop pass (group commit); one
//  savepoint per request so a failed request changes nothing.
int podd_store_begin (podd_store_t *self);
int podd_store_commit (podd_store_t *self);     /* -1: nothing committed */
int podd_store_rollback (podd_store_t *self);
int podd_store_savepoint (podd_store_t *self);
int podd_store_release (podd_store_t *self);
int podd_store_rollback_savepoint (podd_store_t *self);
//  A read-only transaction (BEGIN DEFERRED): works while another program
//  holds the write lock, or on a full disk
int podd_store_begin_read (podd_store_t *self);
//  How long a statement waits for another connection's lock (ms)
void podd_store_set_busy_timeout (podd_store_t *self, int msecs);
//  Copy the whole database into path (an empty or absent file), outside
//  any transaction; 0 or -1 (podd_store_errmsg says why)
int podd_store_backup (podd_store_t *self, const char *path);
//  Rows changed since the store was opened (to tell a batch that wrote)
int64_t podd_store_changes (podd_store_t *self);
//  A transaction is open (SQLite may roll one back on its own, e.g. on a
//  full disk)
bool podd_store_in_txn (podd_store_t *self);
//  The last error was another connection's lock (SQLITE_BUSY)
bool podd_store_busy (podd_store_t *self);
//  The last error was a full disk (SQLITE_FULL, or a write that failed)
bool podd_store_full (podd_store_t *self);

//  Pods
int  podd_store_pod_upsert (podd_store_t *self, const char *name, const char *title,
                            const char *mailbox);
int  podd_store_pod_set_duty (podd_store_t *self, int64_t pod_id, int64_t member_id);
int  podd_store_pod_by_name (podd_store_t *self, const char *name, podd_pod_t *pod);
int  podd_store_pod_by_id (podd_store_t *self, int64_t id, podd_pod_t *pod);
json_t *podd_store_pod_json (podd_store_t *self, int64_t pod_id);
json_t *podd_store_pod_list (podd_store_t *self);

//  Members. upsert keeps id and key; returns member id or -1.
int64_t podd_store_member_upsert (podd_store_t *self, const char *handle, const char *name,
                                  const char *email, const char *role, int64_t pod_id,
                                  const char *skills, const char *pattern, bool admin);
int64_t podd_store_member_add (podd_store_t *self, const char *handle, const char *name,
                               const char *email, const char *role, int64_t pod_id,
                               const char *skills, const char *pattern, bool admin);
int  podd_store_member_by_handle (podd_store_t *self, const char *handle, podd_member_t *member);
int  podd_store_member_by_id (podd_store_t *self, int64_t id, podd_member_t *member);
int  podd_store_member_by_key (podd_store_t *self, const char *curve_key, podd_member_t *member);
int  podd_store_member_set_key (podd_store_t *self, int64_t id, const char *curve_key);
json_t *podd_store_member_json (podd_store_t *self, int64_t id);
json_t *podd_store_member_list (podd_store_t *self, int64_t pod_id /* 0 = all */);
//  Ids of the active members of a pod, in handle order (into ids, at most max).
size_t podd_store_pod_member_ids (podd_store_t *self, int64_t pod_id, int64_t *ids, size_t max);
int64_t podd_store_pod_manager (podd_store_t *self, int64_t pod_id);   /* 0 = none */

//  Cases
int64_t podd_store_case_open (podd_store_t *self, const char *ref, const char *kind,
                              int64_t pod_id, int64_t lead_id, const char *summary,
                              int64_t now);
int  podd_store_case_by_ref (podd_store_t *self, const char *ref, podd_case_t *kase);
int  podd_store_case_by_id (podd_store_t *self, int64_t id, podd_case_t *kase);
int  podd_store_case_set_lead (podd_store_t *self, int64_t case_id, int64_t lead_id);
int  podd_store_case_clear_coworkers (podd_store_t *self, int64_t case_id);
int  podd_store_case_add_coworker (podd_store_t *self, int64_t case_id, int64_t member_id);
bool podd_store_case_is_coworker (podd_store_t *self, int64_t case_id, int64_t member_id);
int  podd_store_case_close (podd_store_t *self, int64_t case_id, const char *reason, int64_t now);
json_t *podd_store_case_json (podd_store_t *self, int64_t case_id, bool with_chronology);
json_t *podd_store_case_list (podd_store_t *self, int64_t pod_id, int64_t member_id,
                              const char *status /* open|closed|all */);
//  Members who know a case, most recent contact first: co-workers and
//  anyone who wrote its chronology or held one of its tasks.
size_t podd_store_case_acquainted (podd_store_t *self, int64_t case_id, int64_t *ids, size_t max);
json_t *podd_store_caseload (podd_store_t *self, int64_t pod_id /* 0 = all */);

//  Chronology
int64_t podd_store_chronology_add (podd_store_t *self, int64_t case_id, const char *date,
                                   const char *kind, const char *text, int64_t author_id,
                                   int64_t now);
json_t *podd_store_chronology_json (podd_store_t *self, int64_t entry_id);

//  Audit: who, when, what, from which connection.
int  podd_store_audit (podd_store_t *self, int64_t actor_id, const char *connection,
                       const char *action, const char *object, const char *detail, int64_t now);
int64_t podd_store_audit_count (podd_store_t *self);
//  Audit rows, newest first, that match every filter given: of a pod (its
//  cases, absences, mail and members, or done by its members), of a case,
//  by a member, in [from, to), with an id below before; at most limit.
typedef struct {
    int64_t pod_id;             /* 0 = every pod */
    const char *case_ref;       /* NULL = any */
    int64_t actor_id;           /* 0 = anyone */
    int64_t from, to;           /* instants, to excluded */
    int64_t before;             /* 0 = from the newest */
    int64_t limit;              /* rows returned, at most */
    int64_t scan;               /* rows looked at, at most (bounds the work) */
    int64_t next;               /* out: the before of the next page, 0 = none */
} podd_audit_query_t;
json_t *podd_store_audit_list (podd_store_t *self, podd_audit_query_t *query);

//  Tasks
int64_t podd_store_task_new (podd_store_t *self, int64_t case_id, const char *kind,
                             const char *title, int64_t due, const char *priority,
                             int64_t creator_id, int64_t now);
int  podd_store_task_get (podd_store_t *self, int64_t id, podd_task_t *task);
//  Set state and assignee (0 = keep none), bump version. -1 on failure.
int  podd_store_task_set (podd_store_t *self, int64_t id, const char *state,
                          int64_t assignee_id, int64_t now);
int  podd_store_task_set_evidence (podd_store_t *self, int64_t id, const char *evidence,
                                   const char *reference);
int  podd_store_task_history_add (podd_store_t *self, int64_t task_id, int64_t actor_id,
                                  const char *event, int64_t assignee_id, const char *reason,
                                  int64_t now);
bool podd_store_task_declined_by (podd_store_t *self, int64_t task_id, int64_t member_id);
json_t *podd_store_task_json (podd_store_t *self, int64_t id, bool with_history);
//  The task object's JSON text (freed by the caller), NULL when no such task
char   *podd_store_task_text (podd_store_t *self, int64_t id);
//  scope: "mine" (member_id), "pod" (pod_id), "overdue" (pod_id, now), "case" (case_id)
json_t *podd_store_task_list (podd_store_t *self, const char *scope, int64_t member_id,
                              int64_t pod_id, int64_t case_id, int64_t now, size_t limit);
int64_t podd_store_member_open_load (podd_store_t *self, int64_t member_id);
int64_t podd_store_task_count (podd_store_t *self);
//  Tasks of a case still open, offered or accepted (all of them); -1 on error
int64_t podd_store_case_open_tasks (podd_store_t *self, int64_t case_id);

//  Absence and cover (filled by the leave module; routing reads them)
bool    podd_store_member_absent (podd_store_t *self, int64_t member_id, int64_t at);
int64_t podd_store_cover_for (podd_store_t *self, int64_t case_id, int64_t member_id, int64_t at);

typedef struct {
    int64_t id;
    int64_t member_id;
    char kind [17];
    int64_t starts;
    int64_t ends;               /* 0 = open-ended */
    char status [12];
    bool started;
    bool ended;
    char return_rule [8];
} podd_absence_t;

//  Leave and cover
int64_t podd_store_absence_add (podd_store_t *self, int64_t member_id, const char *kind,
                                int64_t starts, int64_t ends, const char *status,
                                int64_t requested_by, int64_t approved_by, const char *note,
                                const char *return_rule, int64_t now);
int  podd_store_absence_get (podd_store_t *self, int64_t id, podd_absence_t *absence);
//  An active (requested/approved) absence of member overlapping [from, to), other than
//  exclude_id; 0 = none. to = 0 means open-ended.
int64_t podd_store_absence_overlap (podd_store_t *self, int64_t member_id, int64_t from,
                                    int64_t to, int64_t exclude_id);
bool podd_store_member_away_between (podd_store_t *self, int64_t member_id, int64_t from, int64_t to);
int  podd_store_absence_set_status (podd_store_t *self, int64_t id, const char *status, int64_t by);
int  podd_store_absence_set_rule (podd_store_t *self, int64_t id, const char *rule);
int  podd_store_absence_set_end (podd_store_t *self, int64_t id, int64_t ends);
int  podd_store_absence_mark (podd_store_t *self, int64_t id, bool started /* else ended */);
int64_t podd_store_absence_next_due (podd_store_t *self);          /* 0 = nothing pending */
size_t podd_store_absence_due (podd_store_t *self, bool starts, int64_t now, int64_t *ids, size_t max);
json_t *podd_store_absence_json (podd_store_t *self, int64_t id, bool with_cover);
json_t *podd_store_absence_calendar (podd_store_t *self, int64_t pod_id, int64_t from, int64_t to);
//  The member's requested/approved absence covering [from, to], 0 = none
int64_t podd_store_absence_for (podd_store_t *self, int64_t member_id, int64_t from, int64_t to);
int  podd_store_cover_set (podd_store_t *self, int64_t absence_id, int64_t case_id, int64_t task_id,
                           int64_t cover_id, int64_t set_by, int64_t now);
int64_t podd_store_cover_of (podd_store_t *self, int64_t absence_id, int64_t case_id, int64_t task_id);
int64_t podd_store_cover_move (podd_store_t *self, int64_t pod_id, int64_t from_id, int64_t to_id,
                               int64_t set_by);
//  Cover lines held by cover_id in approved absences overlapping [from, to):
//  rows of {line id, absence id, case id, task id}
size_t podd_store_cover_lines_of (podd_store_t *self, int64_t cover_id, int64_t from, int64_t to,
                                  int64_t (*rows) [4], size_t max);
int  podd_store_cover_line_reassign (podd_store_t *self, int64_t line_id, int64_t cover_id);
int  podd_store_cover_move_record (podd_store_t *self, int64_t absence_id, int64_t task_id,
                                   int64_t from_id, int64_t to_id, int64_t now);
size_t podd_store_cover_moves_live (podd_store_t *self, int64_t absence_id, int64_t *ids, size_t max);
size_t podd_store_cases_led (podd_store_t *self, int64_t member_id, int64_t *ids, size_t max);
//  Live tasks held by member that fall due before `until` (or have no due date)
size_t podd_store_tasks_held (podd_store_t *self, int64_t member_id, int64_t until,
                              int64_t *ids, size_t max);
//  {open_tasks, due_in_period, cases_led, covering} for a member over [from, to)
int  podd_store_member_load (podd_store_t *self, int64_t member_id, int64_t from, int64_t to,
                             int64_t counts [4]);
int64_t podd_store_digest_add (podd_store_t *self, int64_t member_id, int64_t absence_id,
                               const char *body, int64_t now);
json_t *podd_store_digest_get (podd_store_t *self, int64_t member_id, int64_t absence_id);
//  What happened on the cases member leads during [from, to), and what is open
json_t *podd_store_digest_build (podd_store_t *self, int64_t member_id, int64_t from, int64_t to);

//  Outbox: every outgoing message, committed with the change that caused it
#define PODD_OUTBOX_RCPTS 64
typedef struct {
    int64_t id;
    char message_id [256];
    char sender [255];
    char kind [17];
    char state [10];
    void *body;                 /* owned: podd_store_outbox_free */
    size_t size;
    int attempts;
    int64_t queued;
    int64_t pod_id;
    int64_t task_id;
    char *rcpts [PODD_OUTBOX_RCPTS];   /* recipients still pending, owned */
    size_t rcpt_count;
} podd_mail_row_t;

int64_t podd_store_outbox_add (podd_store_t *self, const char *message_id, const char *kind,
                               int64_t pod_id, int64_t task_id, const char *sender,
                               const char **rcpts, size_t rcpt_count, const char *subject,
                               const void *body, size_t size, int64_t now);
size_t  podd_store_outbox_due (podd_store_t *self, int64_t now, int64_t *ids, size_t max);
int64_t podd_store_outbox_next_due (podd_store_t *self);           /* 0 = none */
int     podd_store_outbox_get (podd_store_t *self, int64_t id, podd_mail_row_t *out);
void    podd_store_outbox_free (podd_mail_row_t *out);
int     podd_store_outbox_rcpt_set (podd_store_t *self, int64_t id, const char *address,
                                    const char *state, int code, const char *text);
int     podd_store_outbox_set (podd_store_t *self, int64_t id, const char *state, int attempts,
                               int64_t next_attempt, const char *error, int64_t now);
int     podd_store_outbox_retry (podd_store_t *self, int64_t id, int64_t now);
int64_t podd_store_outbox_failed_rcpts (podd_store_t *self, int64_t id);
//  Recipients of a message still pending (all of them, not only the
//  PODD_OUTBOX_RCPTS one read gives); -1 on error
int64_t podd_store_outbox_pending_rcpts (podd_store_t *self, int64_t id);
json_t *podd_store_outbox_json (podd_store_t *self, int64_t id);
json_t *podd_store_outbox_counts (podd_store_t *self, int64_t pod_id);

//  Reminders: tasks carry the next moment one is due (indexed)
int     podd_store_task_reminder_set (podd_store_t *self, int64_t task_id, int64_t next, int64_t last);
int     podd_store_task_reminder_get (podd_store_t *self, int64_t task_id, int64_t *next, int64_t *last);
size_t  podd_store_reminders_due (podd_store_t *self, int64_t now, int64_t *ids, size_t max);
int64_t podd_store_reminders_next_due (podd_store_t *self);        /* 0 = none */
int     podd_store_reminder_add (podd_store_t *self, int64_t task_id, int64_t member_id,
                                 const char *kind, int64_t at, int64_t outbox_id);
json_t *podd_store_reminder_list (podd_store_t *self, int64_t task_id);

//  Partners and meetings
typedef struct {
    int64_t id;
    char email [255];
    char name [129];
    char agency [129];
} podd_partner_t;

#define PODD_MEETING_ATTENDEES 100
/*  Attendees one meeting may have (MEETING-SCHEDULE refuses more with 422):
    they all fit a meeting row and one outbox batch. */
#define PODD_MEETING_ATTENDEES_MAX 50
_Static_assert (PODD_MEETING_ATTENDEES_MAX <= PODD_MEETING_ATTENDEES, "attendees fit a meeting row");
_Static_assert (PODD_MEETING_ATTENDEES_MAX <= PODD_OUTBOX_RCPTS, "an invitation goes in one batch");
typedef struct {
    char email [255];
    char name [129];
    bool partner;
    int64_t partner_id;
    char partstat [16];
    int reply_sequence;         /* -1 = no reply yet */
    int64_t reply_dtstamp;
} podd_attendee_row_t;

typedef struct {
    int64_t task_id;
    char uid [256];
    int sequence;
    int64_t starts;
    int64_t ends;
    char location [201];        /* "" = none: an online meeting */
    bool cancelled;
    char online [513];          /* joining link (https://...), "" = none */
    podd_attendee_row_t attendees [PODD_MEETING_ATTENDEES];
    size_t attendee_count;
} podd_meeting_row_t;

int64_t podd_store_partner_add (podd_store_t *self, const char *email, const char *name,
                                const char *agency, const char *agency_kind, const char *role,
                                int64_t now);
int     podd_store_partner_alias_add (podd_store_t *self, int64_t partner_id, const char *email);
//  0 removed, 1 not an alias of that partner, -1 error
int     podd_store_partner_alias_remove (podd_store_t *self, int64_t partner_id, const char *email);
//  Also renames them on the meetings they are invited to
int     podd_store_partner_set_name (podd_store_t *self, int64_t partner_id, const char *name);
//  Partner id by address or alias (without regard to case), 0 = none
int64_t podd_store_partner_by_email (podd_store_t *self, const char *email);
int     podd_store_partner_get (podd_store_t *self, int64_t id, podd_partner_t *partner);
json_t *podd_store_partner_json (podd_store_t *self, int64_t id);
json_t *podd_store_partner_list (podd_store_t *self, int64_t case_id /* 0 = all */);
int     podd_store_partner_link (podd_store_t *self, int64_t case_id, int64_t partner_id, bool link);
bool    podd_store_partner_linked (podd_store_t *self, int64_t case_id, int64_t partner_id);
int     podd_store_meeting_add (podd_store_t *self, int64_t task_id, const char *uid, int64_t starts,
                                int64_t ends, const char *location, const char *online);
int     podd_store_meeting_get (podd_store_t *self, int64_t task_id, podd_meeting_row_t *meeting);
int64_t podd_store_meeting_by_uid (podd_store_t *self, const char *uid);
int     podd_store_meeting_set (podd_store_t *self, const podd_meeting_row_t *meeting);
int     podd_store_attendee_add (podd_store_t *self, int64_t task_id, const char *email,
                                 const char *name, int64_t partner_id /* 0 = member */);
int     podd_store_attendees_reset (podd_store_t *self, int64_t task_id);
int     podd_store_attendee_reply (podd_store_t *self, int64_t task_id, const char *email,
                                   const char *partstat, int64_t now, int sequence, int64_t dtstamp);
json_t *podd_store_meeting_json (podd_store_t *self, int64_t task_id);
bool    podd_store_ingested_seen (podd_store_t *self, const char *message_id);
int     podd_store_ingested_add (podd_store_t *self, const char *message_id, int64_t task_id,
                                 int64_t now);

//  Practice standards
typedef struct {
    int64_t id;
    int64_t case_id;
    char type [41];
    char date [11];             /* YYYY-MM-DD */
} podd_event_t;

typedef struct {
    char dob [11];              /* "" when unknown */
    bool long_term;
    bool family_friends;
    char opened [11];           /* local date the case was opened */
    //  The child's current placement (chains): long_term above is its
    //  confirmation, and ends with it
    int64_t placement_id;       /* 0 = none */
    int64_t carer_id;           /* linked carer household's case, 0 = none */
    char placed_on [11];        /* "" = no current placement */
    char long_term_on [11];     /* "" = not confirmed long-term */
    bool looked_after;          /* the latest became/ceased-looked-after is "became" */
    char looked_after_since [11];   /* its date, "" when not looked after */
} podd_case_facts_t;

int64_t podd_store_event_add (podd_store_t *self, int64_t case_id, const char *type,
                              const char *date, const char *note, int64_t author_id, int64_t now);
int     podd_store_event_get (podd_store_t *self, int64_t id, podd_event_t *event);
int     podd_store_event_set_date (podd_store_t *self, int64_t id, const char *date);
json_t *podd_store_event_json (podd_store_t *self, int64_t id);
int     podd_store_case_facts (podd_store_t *self, int64_t case_id, podd_case_facts_t *facts);
int     podd_store_case_set_dob (podd_store_t *self, int64_t case_id, const char *dob);
//  flag "long-term" or "family-and-friends"
int     podd_store_case_set_flag (podd_store_t *self, int64_t case_id, const char *flag, bool value);
int     podd_store_task_set_standard (podd_store_t *self, int64_t task_id, const char *rule_id,
                                      int64_t event_id);
int     podd_store_task_standard (podd_store_t *self, int64_t task_id, char *rule_id, size_t size,
                                  int64_t *event_id);
int     podd_store_task_set_due (podd_store_t *self, int64_t task_id, int64_t due, int64_t now);
int     podd_store_task_set_done_on (podd_store_t *self, int64_t task_id, const char *date);
size_t  podd_store_tasks_of_event (podd_store_t *self, int64_t event_id, int64_t *ids, size_t max);
//  Compliance over tasks created by standards due in [from, to), and those
//  overdue at now whatever their due date: one query,
//  {"standards":[{standard, on_time, late, overdue, due_soon, cancelled,
//                 unassigned, cases:{...}}],
//   "members":[{member, on_time, late, overdue, due_soon}],
//   "overdue_tasks":[...], "cancelled_tasks":[...], "unassigned_tasks":[...]}
json_t *podd_store_compliance (podd_store_t *self, int64_t pod_id, int64_t member_id,
                               const char *standard, int64_t from, int64_t to, int64_t now);

//  Durable mailbox of task deliveries
int64_t podd_store_mailbox_add (podd_store_t *self, int64_t member_id, int64_t task_id,
                                int64_t version, const char *payload, int64_t now);
//  Unacknowledged deliveries of a member in order: [{"delivery":N,"payload":"..."}]
json_t *podd_store_mailbox_pending (podd_store_t *self, int64_t member_id, size_t limit);
//  The next page of them: deliveries after id `after`, at most limit; NULL on error
json_t *podd_store_mailbox_page (podd_store_t *self, int64_t member_id, int64_t after,
                                 size_t limit);
//  How many of them have an id <= upto (sent and not yet acknowledged); -1 on error
int64_t podd_store_mailbox_unacked_upto (podd_store_t *self, int64_t member_id, int64_t upto);
//  0 acked, -1 unknown (or not this member's), -2 already acknowledged
int  podd_store_mailbox_ack (podd_store_t *self, int64_t member_id, int64_t delivery, int64_t now);
int64_t podd_store_mailbox_pending_count (podd_store_t *self, int64_t member_id);

void podd_store_test (bool verbose);

//  Handover and the leave fixes
//  Whether a case reference is taken, without regard to case (fills taken)
bool    podd_store_case_ref_taken (podd_store_t *self, const char *ref, char *taken, size_t size);
//  How many groups of case references differ only in case (kept from before)
int64_t podd_store_case_ref_clashes (podd_store_t *self);
//  The cover of a case's line in an absence, how it was set ("plan", "set",
//  "podd") and by whom; 0 = no line
int64_t podd_store_cover_case_line (podd_store_t *self, int64_t absence_id, int64_t case_id,
                                    char *how, size_t how_size, char *set_by, size_t set_by_size);
int     podd_store_cover_set_how (podd_store_t *self, int64_t absence_id, int64_t case_id,
                                  int64_t task_id, const char *how);
//  Line ids of the task lines of a case in an absence
size_t  podd_store_cover_task_lines_of_case (podd_store_t *self, int64_t absence_id, int64_t case_id,
                                             int64_t *ids, size_t max);
//  Tasks moved to a cover in an absence and still live there that are not
//  accepted, or are overdue at now
size_t  podd_store_cover_moves_trouble (podd_store_t *self, int64_t absence_id, int64_t now,
                                        int64_t *ids, size_t max);
int     podd_store_absence_set_check (podd_store_t *self, int64_t id, int64_t at);   /* 0 = none */
int     podd_store_absence_set_pack (podd_store_t *self, int64_t id, int64_t at);    /* 0 = none */
//  Absences whose cover check (or, with pack, pre-start pack) is due at now
size_t  podd_store_absence_handover_due (podd_store_t *self, bool pack, int64_t now, int64_t *ids,
                                         size_t max);
int64_t podd_store_absence_handover_next (podd_store_t *self);      /* 0 = none */
//  Approved absences under way at now (of a pod, or of a member)
json_t *podd_store_absence_now (podd_store_t *self, int64_t pod_id, int64_t member_id, int64_t now);
//  The member's next requested/approved absence not yet over; 0 = none
int64_t podd_store_absence_next_of (podd_store_t *self, int64_t member_id, int64_t now);
//  Who held a task at an instant (its history); 0 = nobody
int64_t podd_store_task_holder_at (podd_store_t *self, int64_t task_id, int64_t at);
//  The outbox row of a reminder mail to member since an instant; 0 = none
int64_t podd_store_reminder_mailed_since (podd_store_t *self, int64_t member_id, int64_t since);
//  Live tasks a member holds due before `before`, or with a follow-up in
//  the day (24 hours) before follow_up_before
size_t  podd_store_tasks_due_for (podd_store_t *self, int64_t member_id, int64_t before,
                                  int64_t follow_up_before, int64_t *ids, size_t max);
size_t  podd_store_tasks_overdue_pod (podd_store_t *self, int64_t pod_id, int64_t now,
                                      int64_t *ids, size_t max);
int     podd_store_handover_note_set (podd_store_t *self, int64_t absence_id, int64_t case_id,
                                      const char *text, int64_t author_id, int64_t now);
json_t *podd_store_handover_note (podd_store_t *self, int64_t absence_id, int64_t case_id);
int64_t podd_store_handover_pack_add (podd_store_t *self, int64_t absence_id, const char *reason,
                                      const char *body, int64_t now);
json_t *podd_store_handover_pack (podd_store_t *self, int64_t absence_id);      /* NULL = none */
json_t *podd_store_case_handover (podd_store_t *self, int64_t case_id, int64_t since, int64_t now);
int64_t podd_store_notice_add (podd_store_t *self, int64_t member_id, const char *kind,
                               const char *text, const char *data, int64_t now);

//  Delegation, follow-up, cover offers and swaps
int     podd_store_task_delegation (podd_store_t *self, int64_t task_id, int64_t *delegator,
                                    bool *awaiting, int64_t *follow_up, bool *follow_up_sent);
int     podd_store_task_set_delegator (podd_store_t *self, int64_t task_id, int64_t delegator);
int     podd_store_task_set_awaiting (podd_store_t *self, int64_t task_id, bool awaiting);
int     podd_store_task_set_follow_up (podd_store_t *self, int64_t task_id, int64_t at);   /* 0 = none */
int     podd_store_task_follow_up_sent (podd_store_t *self, int64_t task_id);
size_t  podd_store_follow_ups_due (podd_store_t *self, int64_t now, int64_t *ids, size_t max);
int64_t podd_store_follow_ups_next (podd_store_t *self);       /* 0 = none */
int64_t podd_store_cover_request_add (podd_store_t *self, int64_t absence_id, const char *kind,
                                      int64_t case_id, int64_t line_a, int64_t line_b,
                                      int64_t asked_by, const char *note, int64_t now);
//  row: id, absence, swap (1) or offer (0), case, line a, line b, asked by
int     podd_store_cover_request_get (podd_store_t *self, int64_t id, int64_t row [7], char *status,
                                      size_t size);
//  Decide an open request: 0, or -1 when it is not open
int     podd_store_cover_request_decide (podd_store_t *self, int64_t id, const char *status,
                                         int64_t by, int64_t now);
json_t *podd_store_cover_requests_json (podd_store_t *self, int64_t absence_id);
//  row: line id, absence, case (0 for a task line), task (0 for a case line), cover
int     podd_store_cover_line_get (podd_store_t *self, int64_t line_id, int64_t row [5]);
int     podd_store_cover_line_set_by (podd_store_t *self, int64_t line_id, int64_t cover_id,
                                      int64_t set_by, const char *how);
//  {"LINE-ID": COVER-HANDLE, ...} of an absence
json_t *podd_store_cover_line_ids (podd_store_t *self, int64_t absence_id);

//  The chronology check
json_t *podd_store_chronology_since (podd_store_t *self, int64_t case_id, const char *since);
json_t *podd_store_standard_tasks_done (podd_store_t *self, int64_t case_id, const char *since);
json_t *podd_store_case_rule_ids (podd_store_t *self, int64_t case_id);

//  Practice standards, later rules: once-only rules, age triggers (the
//  case's next age moment, indexed: one scheduler timer over all cases),
//  a task's anchor (the date it was counted from) and "bank holidays
//  unknown", child cases without a date of birth
bool    podd_store_case_has_rule_task (podd_store_t *self, int64_t case_id, const char *rule_id);
int     podd_store_case_set_age_due (podd_store_t *self, int64_t case_id, int64_t at);  /* 0 = none */
size_t  podd_store_cases_age_due (podd_store_t *self, int64_t now, int64_t *ids, size_t max);
int64_t podd_store_cases_age_next (podd_store_t *self);            /* 0 = none */
//  Open child cases with a date of birth, ids after `after`, in id order
size_t  podd_store_cases_with_dob (podd_store_t *self, int64_t after, int64_t *ids, size_t max);
//  ["REF", ...] of open child cases without a date of birth (pod 0 = all)
json_t *podd_store_cases_no_dob (podd_store_t *self, int64_t pod_id);
int     podd_store_task_set_anchor (podd_store_t *self, int64_t task_id, const char *anchor,
                                    bool holidays_unknown);
//  anchor: PODD_DATE_LEN octets, "" when none
int     podd_store_task_anchor (podd_store_t *self, int64_t task_id, char *anchor,
                                bool *holidays_unknown);
size_t  podd_store_case_rule_open_tasks (podd_store_t *self, int64_t case_id, const char *rule_id,
                                         int64_t *ids, size_t max);
//  Case transfers between pods
typedef struct {
    int64_t id;
    int64_t case_id;
    int64_t from_pod;
    int64_t to_pod;
    int64_t old_lead;           /* 0 = none (set at the move) */
    int64_t new_lead;           /* 0 = not chosen yet */
    int64_t visit;              /* joint visit's start, 0 = not set */
    char location [201];
    char status [12];           /* pending, done, refused */
    int64_t from_by;            /* sending side's consent, 0 = not yet */
    int64_t to_by;              /* receiving side's consent, 0 = not yet */
    int64_t visit_task;         /* 0 = none */
    int64_t released;           /* when the old lead stopped being a co-worker, 0 = not yet */
    int64_t requested_by;
} podd_transfer_t;

int64_t podd_store_transfer_add (podd_store_t *self, int64_t case_id, int64_t from_pod, int64_t to_pod,
                                 int64_t old_lead, int64_t new_lead, const char *note, int64_t visit,
                                 const char *location, int64_t requested_by, int64_t now);
int     podd_store_transfer_get (podd_store_t *self, int64_t id, podd_transfer_t *transfer);
//  The case's pending transfer, 0 = none
int64_t podd_store_transfer_pending (podd_store_t *self, int64_t case_id);
//  New lead, visit and location of a pending transfer
int     podd_store_transfer_plan (podd_store_t *self, int64_t id, int64_t new_lead, int64_t visit,
                                  const char *location);
//  Record one side's consent (sending or receiving); -1 when it is given already
int     podd_store_transfer_consent (podd_store_t *self, int64_t id, bool sending, int64_t by, int64_t now);
int     podd_store_transfer_refuse (podd_store_t *self, int64_t id, int64_t by, const char *reason,
                                    int64_t now);
int     podd_store_transfer_done (podd_store_t *self, int64_t id, int64_t old_lead, int64_t visit_task,
                                  int64_t now);
//  The done transfer whose joint visit is task_id and whose old lead is
//  still a co-worker; 0 = none
int64_t podd_store_transfer_by_visit (podd_store_t *self, int64_t task_id);
int     podd_store_transfer_release (podd_store_t *self, int64_t id, int64_t now);
json_t *podd_store_transfer_json (podd_store_t *self, int64_t id);
int     podd_store_case_move_pod (podd_store_t *self, int64_t case_id, int64_t pod_id, int64_t lead_id);
int     podd_store_case_remove_coworker (podd_store_t *self, int64_t case_id, int64_t member_id);
//  Ids of a case's open, offered and accepted tasks
size_t  podd_store_case_live_tasks (podd_store_t *self, int64_t case_id, int64_t *ids, size_t max);
//  Forget the cover moves of a case's tasks (nothing comes back at a return)
int     podd_store_case_cover_moves_clear (podd_store_t *self, int64_t case_id);

//  Chains: an event's outcome, placements (a child's, linked to a carer
//  household's case), the open tasks of a rule, retargeting a task
typedef struct {
    int64_t id;                 /* 0: none */
    int64_t carer_id;           /* the carer household's case, 0 = not linked */
    char started [11];          /* YYYY-MM-DD */
    char long_term_on [11];     /* "" = not confirmed long-term */
} podd_placement_t;

int     podd_store_event_set_outcome (podd_store_t *self, int64_t event_id, const char *outcome);
int64_t podd_store_placement_start (podd_store_t *self, int64_t child_id, int64_t carer_id,
                                    const char *date, int64_t event_id);
//  The child's current (not ended) placement: 0, or -1 (none)
int     podd_store_placement_current (podd_store_t *self, int64_t child_id,
                                      podd_placement_t *placement);
int     podd_store_placement_end (podd_store_t *self, int64_t placement_id, const char *date);
int     podd_store_placement_set_long_term (podd_store_t *self, int64_t placement_id,
                                            const char *date);
//  A case's placements, as the child's or the carers': [{id, child, carer, started, ended,
//  long_term_on}]
json_t *podd_store_placements_json (podd_store_t *self, int64_t case_id);
int     podd_store_task_set_placement (podd_store_t *self, int64_t task_id, int64_t placement_id);
int64_t podd_store_task_placement (podd_store_t *self, int64_t task_id);      /* 0 = none */
//  Open tasks of a rule on a case; placement_id -1 any, 0 none, N that one
size_t  podd_store_rule_open_tasks (podd_store_t *self, int64_t case_id, const char *rule_id,
                                    int64_t placement_id, int64_t *ids, size_t max);
int64_t podd_store_rule_task_count (podd_store_t *self, int64_t case_id, const char *rule_id);
//  The last date (YYYY-MM-DD, "" none) a task of any of up to 3 rules (NULL
//  entries skipped) was done on the case, on or after since
int     podd_store_rules_last_done (podd_store_t *self, int64_t case_id,
                                    const char *const rules [3], const char *since, char *date);
int     podd_store_task_set_rule (podd_store_t *self, int64_t task_id, const char *rule_id,
                                  const char *title, int64_t now);
//  A child-placed event's date corrected: the placement it started too
int     podd_store_placement_set_start (podd_store_t *self, int64_t event_id, const char *date);
//  The compliance report's tasks of a statutory kind with no standard
void    podd_store_compliance_unattached (podd_store_t *self, int64_t pod_id, int64_t member_id,
                                          const char *kind, int64_t from, int64_t to, int64_t now,
                                          json_t *items);
//  Continuity: contacts, lead and cover history, the weekly mail
int64_t podd_store_contact_add (podd_store_t *self, int64_t case_id, int64_t entry_id, const char *date,
                                int64_t member_id, int64_t task_id, int64_t recorded_by, int64_t now);
//  [{"entry", "date", "member_id", "member"}, ...] by date, entry
json_t *podd_store_case_contacts (podd_store_t *self, int64_t case_id);
//  The member's latest contact with the case on or after since into date
//  (PODD_DATE_LEN); -1 when none
int     podd_store_contact_last_by (podd_store_t *self, int64_t case_id, int64_t member_id,
                                    const char *since, char *date);
//  [{"member_id" (0: no lead), "member", "starts", "ends" (0: open), "set_by"}, ...]
json_t *podd_store_lead_history (podd_store_t *self, int64_t case_id);
int     podd_store_lead_set_by (podd_store_t *self, int64_t case_id, int64_t set_by);
//  The lead at instant at (0: none) from the history; -1 when no line covers it
int     podd_store_lead_at (podd_store_t *self, int64_t case_id, int64_t at, int64_t *lead_id);
//  The cover of the case for absent_id's absence in place at at (0: none)
int64_t podd_store_cover_at (podd_store_t *self, int64_t case_id, int64_t absent_id, int64_t at);
//  Cases of a pod (0: all) or one case (0: all) open at some time in [from, to):
//  [{"id", "ref", "opened", "closed" (0)}, ...]
json_t *podd_store_continuity_cases (podd_store_t *self, int64_t pod_id, int64_t case_id,
                                     int64_t from, int64_t to);
//  Standards tasks done on days from..to (YYYY-MM-DD): [{"task", "done_on", "member_id"}]
json_t *podd_store_standard_tasks_by (podd_store_t *self, int64_t case_id, const char *from,
                                      const char *to);
json_t *podd_store_case_coworker_rows (podd_store_t *self, int64_t case_id);   /* [{"member_id", "since"}] */
bool    podd_store_continuity_mail_sent (podd_store_t *self, int64_t pod_id, const char *week);
int     podd_store_continuity_mail_add (podd_store_t *self, int64_t pod_id, const char *week,
                                        int64_t outbox_id, int64_t now);
//  Writes (issue 13)
//  A new task stored as routed: case_id, kind, due (0 = none), state,
//  assignee_id (0 = none), creator_id and version from task, its first
//  reminder (0 = none; reminded last: now). Its id, or -1.
int64_t podd_store_task_new_routed (podd_store_t *self, const podd_task_t *task,
                                    const char *title, const char *priority,
                                    int64_t next_reminder, int64_t now);
//  A page of a list: at most limit items after the cursor after (NULL:
//  from the start); next gets the cursor of the page after it, "" when
//  there is none. The page functions return NULL (nothing done) when after
//  is not a cursor of their list.
#define PODD_CURSOR_MAX 128
typedef struct {
    const char *after;
    size_t limit;
    char next [PODD_CURSOR_MAX];
} podd_page_t;
//  TASK-LIST's scopes ("mine", "pod", "overdue", "case"), paged: the JSON
//  text of the page's array (freed by the caller), NULL for a cursor that
//  is not of this list
char   *podd_store_task_page_text (podd_store_t *self, const char *scope, int64_t member_id,
                                   int64_t pod_id, int64_t case_id, int64_t now, podd_page_t *page);
json_t *podd_store_case_page (podd_store_t *self, int64_t pod_id, int64_t member_id,
                              const char *status, podd_page_t *page);
json_t *podd_store_member_page (podd_store_t *self, int64_t pod_id, podd_page_t *page);
//  More paged lists (issue 13, PROTOCOL.md 7.3). A member's notices (of a
//  kind, NULL: any), newest first
json_t *podd_store_notice_page (podd_store_t *self, int64_t member_id, const char *kind,
                                podd_page_t *page);
//  The outbox of a pod (0 = every pod) in a state ("all" = any), newest first
json_t *podd_store_outbox_page (podd_store_t *self, int64_t pod_id, const char *state,
                                podd_page_t *page);
//  Absences of a pod (0 = every pod) or a member (0 = any) with a status
//  ("all" = any), latest start first
json_t *podd_store_absence_page (podd_store_t *self, int64_t pod_id, int64_t member_id,
                                 const char *status, podd_page_t *page);
//  Transfers from or to a pod (0 = every pod) with a status ("all" = any), newest first
json_t *podd_store_transfer_page (podd_store_t *self, int64_t pod_id, const char *status,
                                  podd_page_t *page);
//  Partners, of a case (0 = every partner), by agency and name
json_t *podd_store_partner_page (podd_store_t *self, int64_t case_id, podd_page_t *page);
//  A page of a case's chronology: the newest entries before the cursor,
//  oldest first in the page; next names the entries before them
json_t *podd_store_chronology_page (podd_store_t *self, int64_t case_id, podd_page_t *page);

#endif
