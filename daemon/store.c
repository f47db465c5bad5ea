/*  store.c - podd's durable state in SQLite. See store.h.
    Every SQL statement of podd is in this file, in the table below. */
#include "store.h"
#include "when.h"
#include <sqlite3.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define streq(a,b) (strcmp ((a), (b)) == 0)
#define OPEN_STATES "('open','offered','accepted')"     /* schema 2 only */
//  A task's state is open (offered or accepted): written out, not as IN
//  (...), which SQLite evaluates by building a temporary table in every
//  statement that checks it (schema 14). Queries that should use the
//  partial index tasks_open_due must say it in exactly this form.
#define OPEN_STATE(col) "(" col " = 'open' OR " col " = 'offered' OR " col " = 'accepted')"
//  A pending message with nobody left to send to is never due: the
//  scheduler would wake for it at once, for ever
#define OUTBOX_HAS_PENDING "EXISTS (SELECT 1 FROM outbox_rcpts r WHERE r.outbox_id = outbox.id" \
                           " AND r.state = 'pending')"

//  Handover, leave fixes: how a cover line was set, the absence's next
//  cover check and pack build, handover notes and packs, kept notices, and
//  case references unique without regard to case (new ones only: existing
//  look-alikes stay, and podd warns about them at start)
#define MIGRATION_HANDOVER \
    "ALTER TABLE cover_lines ADD COLUMN how TEXT NOT NULL DEFAULT 'plan';" \
    "ALTER TABLE absences ADD COLUMN check_at INTEGER;" \
    "ALTER TABLE absences ADD COLUMN pack_at INTEGER;" \
    "CREATE INDEX absences_check ON absences (check_at) WHERE check_at IS NOT NULL;" \
    "CREATE INDEX absences_pack ON absences (pack_at) WHERE pack_at IS NOT NULL;" \
    "CREATE INDEX cases_ref_nocase ON cases (ref COLLATE NOCASE);" \
    "CREATE TRIGGER cases_ref_unique BEFORE INSERT ON cases" \
    "  WHEN EXISTS (SELECT 1 FROM cases WHERE ref = NEW.ref COLLATE NOCASE)" \
    "  BEGIN SELECT RAISE (ABORT, 'case reference exists'); END;" \
    "CREATE TABLE handover_notes (" \
    "  absence_id INTEGER NOT NULL REFERENCES absences (id)," \
    "  case_id INTEGER NOT NULL REFERENCES cases (id), text TEXT NOT NULL," \
    "  author_id INTEGER NOT NULL REFERENCES members (id), at INTEGER NOT NULL," \
    "  PRIMARY KEY (absence_id, case_id)) WITHOUT ROWID;" \
    "CREATE TABLE handover_packs (" \
    "  id INTEGER PRIMARY KEY, absence_id INTEGER NOT NULL REFERENCES absences (id)," \
    "  reason TEXT NOT NULL, built INTEGER NOT NULL, body TEXT NOT NULL);" \
    "CREATE INDEX handover_packs_absence ON handover_packs (absence_id, id);" \
    "CREATE TABLE notices (" \
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members (id)," \
    "  kind TEXT NOT NULL, text TEXT NOT NULL, data TEXT NOT NULL, created INTEGER NOT NULL);" \
    "CREATE INDEX notices_member ON notices (member_id, id);"

//  Delegation (the delegator stays accountable and confirms), follow-up
//  dates, and colleagues' cover offers and swaps (decided by the manager)
#define MIGRATION_DELEGATION \
    "ALTER TABLE tasks ADD COLUMN delegator_id INTEGER REFERENCES members (id);" \
    "ALTER TABLE tasks ADD COLUMN awaiting_confirm INTEGER NOT NULL DEFAULT 0;" \
    "ALTER TABLE tasks ADD COLUMN follow_up INTEGER;" \
    "ALTER TABLE tasks ADD COLUMN follow_up_sent INTEGER NOT NULL DEFAULT 0;" \
    "CREATE INDEX tasks_follow_up ON tasks (follow_up) WHERE follow_up IS NOT NULL;" \
    "CREATE TABLE cover_requests (" \
    "  id INTEGER PRIMARY KEY, absence_id INTEGER NOT NULL REFERENCES absences (id)," \
    "  kind TEXT NOT NULL CHECK (kind IN ('offer','swap'))," \
    "  case_id INTEGER REFERENCES cases (id), line_a INTEGER REFERENCES cover_lines (id)," \
    "  line_b INTEGER REFERENCES cover_lines (id)," \
    "  asked_by INTEGER NOT NULL REFERENCES members (id), note TEXT NOT NULL DEFAULT ''," \
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','approved','refused'))," \
    "  decided_by INTEGER REFERENCES members (id), asked INTEGER NOT NULL, decided INTEGER);" \
    "CREATE INDEX cover_requests_absence ON cover_requests (absence_id, id);"

//  Practice standards, later rules: the next moment an age-triggered rule
//  falls due for a child (one scheduler timer over all cases), the date a
//  standard's task was counted from, and due dates computed beyond the
//  bank-holiday file
#define MIGRATION_STDRULES \
    "ALTER TABLE cases ADD COLUMN age_due INTEGER;" \
    "CREATE INDEX cases_age_due ON cases (age_due) WHERE age_due IS NOT NULL;" \
    "ALTER TABLE tasks ADD COLUMN anchor TEXT;" \
    "ALTER TABLE tasks ADD COLUMN holidays_unknown INTEGER NOT NULL DEFAULT 0;"

//  Case transfers between pods: both team managers agree (each consent with
//  who gave it and when), then the case moves with a joint handover visit;
//  the old lead stays a co-worker until that visit is done
#define MIGRATION_TRANSFER \
    "CREATE TABLE case_transfers (" \
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id)," \
    "  from_pod INTEGER NOT NULL REFERENCES pods (id), to_pod INTEGER NOT NULL REFERENCES pods (id)," \
    "  old_lead INTEGER REFERENCES members (id), new_lead INTEGER REFERENCES members (id)," \
    "  note TEXT NOT NULL DEFAULT '', visit INTEGER, location TEXT NOT NULL DEFAULT ''," \
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','done','refused'))," \
    "  requested_by INTEGER NOT NULL REFERENCES members (id), requested INTEGER NOT NULL," \
    "  from_by INTEGER REFERENCES members (id), from_at INTEGER," \
    "  to_by INTEGER REFERENCES members (id), to_at INTEGER," \
    "  refused_by INTEGER REFERENCES members (id), refused_at INTEGER, refuse_reason TEXT," \
    "  done_at INTEGER, visit_task INTEGER REFERENCES tasks (id), released INTEGER);" \
    "CREATE UNIQUE INDEX case_transfers_pending ON case_transfers (case_id) WHERE status = 'pending';" \
    "CREATE INDEX case_transfers_case ON case_transfers (case_id, id);" \
    "CREATE INDEX case_transfers_visit ON case_transfers (visit_task) WHERE visit_task IS NOT NULL;"

//  Chains: an event's outcome (a strategy discussion's "nfa"); placements,
//  each a child's, linked to the carer household's case when recorded with
//  it, long-term from a date, ended on a date; the placement a standard's
//  task belongs to. A child's last placement recorded before this keeps
//  going (long-term from its start when the case was flagged long-term).
#define MIGRATION_CHAINS \
    "ALTER TABLE case_events ADD COLUMN outcome TEXT NOT NULL DEFAULT '';" \
    "CREATE TABLE placements (" \
    "  id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL REFERENCES cases (id)," \
    "  carer_id INTEGER REFERENCES cases (id), started TEXT NOT NULL, ended TEXT," \
    "  long_term_on TEXT, event_id INTEGER REFERENCES case_events (id));" \
    "CREATE INDEX placements_child ON placements (child_id, id);" \
    "CREATE INDEX placements_carer ON placements (carer_id, id) WHERE carer_id IS NOT NULL;" \
    "ALTER TABLE tasks ADD COLUMN placement_id INTEGER REFERENCES placements (id);" \
    "INSERT INTO placements (child_id, started, long_term_on, event_id)" \
    "  SELECT e.case_id, e.event_date, CASE WHEN c.long_term THEN e.event_date END, e.id" \
    "  FROM case_events e JOIN cases c ON c.id = e.case_id" \
    "  WHERE c.kind = 'child' AND e.type = 'child-placed'" \
    "  AND e.id = (SELECT MAX (x.id) FROM case_events x WHERE x.case_id = e.case_id" \
    "              AND x.type = 'child-placed')" \
    "  AND NOT EXISTS (SELECT 1 FROM case_events y WHERE y.case_id = e.case_id" \
    "                  AND y.type = 'placement-ended' AND y.id > e.id);"

//  Issue 13: CHECK (state IN (...)) and the partial index's WHERE state IN
//  (...) made SQLite build two temporary tables in every INSERT of a task;
//  the same conditions written with OR build none. The CHECK changes in
//  place (an equivalent condition: SQLite's documented way to change a
//  CHECK, then the schema reloaded); the index is made again.
#define MIGRATION_SPEED \
    "DROP INDEX tasks_open_due;" \
    "CREATE INDEX tasks_open_due ON tasks (due) WHERE " OPEN_STATE ("state") ";" \
    "PRAGMA writable_schema = ON;" \
    "UPDATE sqlite_master SET sql = replace (sql," \
    "  'CHECK (state IN (''open'',''offered'',''accepted'',''done'',''declined'',''cancelled''))'," \
    "  'CHECK (state = ''open'' OR state = ''offered'' OR state = ''accepted'' OR state = ''done''" \
    " OR state = ''declined'' OR state = ''cancelled'')')" \
    "  WHERE type = 'table' AND name = 'tasks';" \
    "PRAGMA writable_schema = RESET;"

//  Continuity of relationships: contacts with a family (each also a
//  chronology entry), the history of each case's lead and of each cover
//  line (kept by triggers, timed by podd_now (): the daemon's clock), and
//  the weekly continuity mail sent to each pod's team manager
#define MIGRATION_CONTINUITY \
    "CREATE TABLE contacts (" \
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id)," \
    "  entry_id INTEGER NOT NULL REFERENCES chronology (id), contact_date TEXT NOT NULL," \
    "  member_id INTEGER NOT NULL REFERENCES members (id), task_id INTEGER REFERENCES tasks (id)," \
    "  recorded_by INTEGER NOT NULL REFERENCES members (id), at INTEGER NOT NULL);" \
    "CREATE INDEX contacts_case ON contacts (case_id, contact_date, entry_id);" \
    "CREATE INDEX contacts_member ON contacts (member_id, contact_date);" \
    "CREATE TABLE lead_history (" \
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id)," \
    "  member_id INTEGER REFERENCES members (id), starts INTEGER NOT NULL, ends INTEGER," \
    "  set_by INTEGER REFERENCES members (id));" \
    "CREATE INDEX lead_history_case ON lead_history (case_id, starts);" \
    "INSERT INTO lead_history (case_id, member_id, starts) SELECT id, lead_id, opened FROM cases;" \
    "CREATE TRIGGER lead_history_open AFTER INSERT ON cases BEGIN" \
    "  INSERT INTO lead_history (case_id, member_id, starts) VALUES (NEW.id, NEW.lead_id, NEW.opened); END;" \
    "CREATE TRIGGER lead_history_change AFTER UPDATE OF lead_id ON cases" \
    "  WHEN NEW.lead_id IS NOT OLD.lead_id BEGIN" \
    "  UPDATE lead_history SET ends = podd_now () WHERE case_id = NEW.id AND ends IS NULL;" \
    "  INSERT INTO lead_history (case_id, member_id, starts) VALUES (NEW.id, NEW.lead_id, podd_now ()); END;" \
    "CREATE TABLE cover_history (" \
    "  id INTEGER PRIMARY KEY, line_id INTEGER NOT NULL, absence_id INTEGER NOT NULL REFERENCES absences (id)," \
    "  case_id INTEGER REFERENCES cases (id), task_id INTEGER REFERENCES tasks (id)," \
    "  cover_id INTEGER NOT NULL REFERENCES members (id), set_by INTEGER REFERENCES members (id)," \
    "  starts INTEGER NOT NULL, ends INTEGER);" \
    "CREATE INDEX cover_history_case ON cover_history (case_id, absence_id) WHERE case_id IS NOT NULL;" \
    "CREATE INDEX cover_history_line ON cover_history (line_id) WHERE ends IS NULL;" \
    "INSERT INTO cover_history (line_id, absence_id, case_id, task_id, cover_id, set_by, starts)" \
    "  SELECT id, absence_id, case_id, task_id, cover_id, set_by, created FROM cover_lines;" \
    "CREATE TRIGGER cover_history_add AFTER INSERT ON cover_lines BEGIN" \
    "  INSERT INTO cover_history (line_id, absence_id, case_id, task_id, cover_id, set_by, starts)" \
    "  VALUES (NEW.id, NEW.absence_id, NEW.case_id, NEW.task_id, NEW.cover_id, NEW.set_by, NEW.created); END;" \
    "CREATE TRIGGER cover_history_change AFTER UPDATE OF cover_id ON cover_lines" \
    "  WHEN NEW.cover_id IS NOT OLD.cover_id BEGIN" \
    "  UPDATE cover_history SET ends = podd_now () WHERE line_id = NEW.id AND ends IS NULL;" \
    "  INSERT INTO cover_history (line_id, absence_id, case_id, task_id, cover_id, set_by, starts)" \
    "  VALUES (NEW.id, NEW.absence_id, NEW.case_id, NEW.task_id, NEW.cover_id, NEW.set_by, podd_now ()); END;" \
    "CREATE TRIGGER cover_history_drop AFTER DELETE ON cover_lines BEGIN" \
    "  UPDATE cover_history SET ends = podd_now () WHERE line_id = OLD.id AND ends IS NULL; END;" \
    "CREATE TABLE continuity_mail (" \
    "  pod_id INTEGER NOT NULL REFERENCES pods (id), week TEXT NOT NULL," \
    "  outbox_id INTEGER REFERENCES outbox (id), at INTEGER NOT NULL," \
    "  PRIMARY KEY (pod_id, week)) WITHOUT ROWID;"

//  Schema migrations: index i brings user_version from i to i + 1.
static const char *s_migrations [PODD_STORE_SCHEMA] = {
    //  1: foundation
    "CREATE TABLE pods ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, title TEXT NOT NULL,"
    "  mailbox TEXT NOT NULL, duty_id INTEGER REFERENCES members (id));"
    "CREATE TABLE members ("
    "  id INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  email TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('team-manager',"
    "  'senior-practitioner','social-worker','support-assessment-worker','support-worker',"
    "  'coordinator','family-intervention-worker')),"
    "  pod_id INTEGER REFERENCES pods (id), skills TEXT NOT NULL DEFAULT '',"
    "  pattern TEXT NOT NULL DEFAULT 'mon-fri', admin INTEGER NOT NULL DEFAULT 0,"
    "  active INTEGER NOT NULL DEFAULT 1, curve_key TEXT UNIQUE, created INTEGER NOT NULL);"
    "CREATE INDEX members_pod ON members (pod_id, handle);"
    "CREATE TABLE cases ("
    "  id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('child','carer-household')),"
    "  pod_id INTEGER NOT NULL REFERENCES pods (id), lead_id INTEGER REFERENCES members (id),"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),"
    "  summary TEXT NOT NULL DEFAULT '', opened INTEGER NOT NULL, closed INTEGER,"
    "  close_reason TEXT);"
    "CREATE INDEX cases_pod ON cases (pod_id, status);"
    "CREATE INDEX cases_lead ON cases (lead_id, status);"
    "CREATE TABLE case_workers ("
    "  case_id INTEGER NOT NULL REFERENCES cases (id),"
    "  member_id INTEGER NOT NULL REFERENCES members (id), since INTEGER NOT NULL,"
    "  PRIMARY KEY (case_id, member_id)) WITHOUT ROWID;"
    "CREATE INDEX case_workers_member ON case_workers (member_id);"
    "CREATE TABLE chronology ("
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id),"
    "  entry_date TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,"
    "  author_id INTEGER NOT NULL REFERENCES members (id), at INTEGER NOT NULL);"
    "CREATE INDEX chronology_case ON chronology (case_id, id);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER REFERENCES members (id),"
    "  connection TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL,"
    "  detail TEXT NOT NULL DEFAULT '');",

    //  2: tasks, routing history, durable mailboxes, absence and cover
    "CREATE TABLE tasks ("
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id),"
    "  kind TEXT NOT NULL, title TEXT NOT NULL, due INTEGER,"
    "  priority TEXT NOT NULL CHECK (priority IN ('routine','urgent')),"
    "  state TEXT NOT NULL CHECK (state IN ('open','offered','accepted','done','declined','cancelled')),"
    "  assignee_id INTEGER REFERENCES members (id),"
    "  creator_id INTEGER NOT NULL REFERENCES members (id),"
    "  version INTEGER NOT NULL DEFAULT 1, evidence TEXT, reference TEXT,"
    "  created INTEGER NOT NULL, updated INTEGER NOT NULL);"
    "CREATE INDEX tasks_assignee ON tasks (assignee_id, state);"
    "CREATE INDEX tasks_case ON tasks (case_id, state);"
    "CREATE INDEX tasks_open_due ON tasks (due) WHERE state IN " OPEN_STATES ";"
    "CREATE TABLE task_history ("
    "  id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks (id),"
    "  at INTEGER NOT NULL, actor_id INTEGER REFERENCES members (id), event TEXT NOT NULL,"
    "  assignee_id INTEGER REFERENCES members (id), reason TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX task_history_task ON task_history (task_id, id);"
    "CREATE TABLE mailbox ("
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members (id),"
    "  task_id INTEGER NOT NULL REFERENCES tasks (id), version INTEGER NOT NULL,"
    "  payload TEXT NOT NULL, created INTEGER NOT NULL, acked INTEGER);"
    "CREATE INDEX mailbox_pending ON mailbox (member_id, id) WHERE acked IS NULL;"
    "CREATE TABLE absences ("
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members (id),"
    "  kind TEXT NOT NULL, starts INTEGER NOT NULL, ends INTEGER,"
    "  approved INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);"
    "CREATE INDEX absences_member ON absences (member_id, starts);"
    "CREATE TABLE cover ("
    "  case_id INTEGER NOT NULL REFERENCES cases (id),"
    "  absent_id INTEGER NOT NULL REFERENCES members (id),"
    "  cover_id INTEGER NOT NULL REFERENCES members (id),"
    "  starts INTEGER NOT NULL, ends INTEGER,"
    "  PRIMARY KEY (case_id, absent_id, starts)) WITHOUT ROWID;",

    //  3: leave requests and approval, cover lines per absence, digests
    "ALTER TABLE absences ADD COLUMN status TEXT NOT NULL DEFAULT 'requested'"
    "  CHECK (status IN ('requested','approved','refused','cancelled'));"
    "ALTER TABLE absences ADD COLUMN requested_by INTEGER REFERENCES members (id);"
    "ALTER TABLE absences ADD COLUMN approved_by INTEGER REFERENCES members (id);"
    "ALTER TABLE absences ADD COLUMN note TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE absences ADD COLUMN return_rule TEXT NOT NULL DEFAULT 'return'"
    "  CHECK (return_rule IN ('return','stay'));"
    "ALTER TABLE absences ADD COLUMN started INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE absences ADD COLUMN ended INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX absences_start_due ON absences (starts) WHERE approved AND NOT started;"
    "CREATE INDEX absences_end_due ON absences (ends) WHERE started AND NOT ended;"
    "DROP TABLE cover;"
    "CREATE TABLE cover_lines ("
    "  id INTEGER PRIMARY KEY, absence_id INTEGER NOT NULL REFERENCES absences (id),"
    "  case_id INTEGER REFERENCES cases (id), task_id INTEGER REFERENCES tasks (id),"
    "  cover_id INTEGER NOT NULL REFERENCES members (id), set_by INTEGER REFERENCES members (id),"
    "  created INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX cover_case ON cover_lines (absence_id, case_id) WHERE task_id IS NULL;"
    "CREATE UNIQUE INDEX cover_task ON cover_lines (absence_id, task_id) WHERE task_id IS NOT NULL;"
    "CREATE INDEX cover_lines_case ON cover_lines (case_id);"
    "CREATE INDEX cover_lines_cover ON cover_lines (cover_id);"
    "CREATE TABLE cover_moves ("
    "  absence_id INTEGER NOT NULL REFERENCES absences (id),"
    "  task_id INTEGER NOT NULL REFERENCES tasks (id),"
    "  from_id INTEGER NOT NULL REFERENCES members (id),"
    "  to_id INTEGER NOT NULL REFERENCES members (id), at INTEGER NOT NULL,"
    "  PRIMARY KEY (absence_id, task_id)) WITHOUT ROWID;"
    "CREATE TABLE digests ("
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members (id),"
    "  absence_id INTEGER REFERENCES absences (id), created INTEGER NOT NULL, body TEXT NOT NULL);"
    "CREATE INDEX digests_member ON digests (member_id, id);"
    "CREATE INDEX chronology_at ON chronology (case_id, at);"
    "CREATE INDEX task_history_at ON task_history (at);",

    //  4: the mail outbox (per-recipient status) and task reminders
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    "  pod_id INTEGER REFERENCES pods (id), task_id INTEGER REFERENCES tasks (id),"
    "  sender TEXT NOT NULL, subject TEXT NOT NULL, body BLOB NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL, queued INTEGER NOT NULL,"
    "  last_error TEXT NOT NULL DEFAULT '', done_at INTEGER);"
    "CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state = 'pending';"
    "CREATE INDEX outbox_pod ON outbox (pod_id, state, id);"
    "CREATE TABLE outbox_rcpts ("
    "  outbox_id INTEGER NOT NULL REFERENCES outbox (id), address TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed')),"
    "  code INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (outbox_id, address)) WITHOUT ROWID;"
    "ALTER TABLE tasks ADD COLUMN next_reminder INTEGER;"
    "ALTER TABLE tasks ADD COLUMN last_reminded INTEGER;"
    "CREATE INDEX tasks_reminder ON tasks (next_reminder) WHERE next_reminder IS NOT NULL;"
    "CREATE TABLE reminders ("
    "  id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks (id),"
    "  member_id INTEGER REFERENCES members (id), kind TEXT NOT NULL, at INTEGER NOT NULL,"
    "  outbox_id INTEGER REFERENCES outbox (id));"
    "CREATE INDEX reminders_task ON reminders (task_id, id);",

    //  5: partners (never log in), meetings with invites, replies
    "CREATE TABLE partners ("
    "  id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  agency TEXT NOT NULL, agency_kind TEXT NOT NULL CHECK (agency_kind IN"
    "  ('school','health','police','virtual-school','other')), role TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL);"
    "CREATE TABLE partner_aliases ("
    "  email TEXT PRIMARY KEY, partner_id INTEGER NOT NULL REFERENCES partners (id)) WITHOUT ROWID;"
    "CREATE TABLE case_partners ("
    "  case_id INTEGER NOT NULL REFERENCES cases (id),"
    "  partner_id INTEGER NOT NULL REFERENCES partners (id),"
    "  PRIMARY KEY (case_id, partner_id)) WITHOUT ROWID;"
    "CREATE TABLE meetings ("
    "  task_id INTEGER PRIMARY KEY REFERENCES tasks (id), uid TEXT NOT NULL UNIQUE,"
    "  sequence INTEGER NOT NULL DEFAULT 0, starts INTEGER NOT NULL, ends INTEGER NOT NULL,"
    "  location TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'confirmed'"
    "  CHECK (status IN ('confirmed','cancelled')));"
    "CREATE TABLE meeting_attendees ("
    "  task_id INTEGER NOT NULL REFERENCES meetings (task_id), email TEXT NOT NULL,"
    "  name TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('member','partner')),"
    "  partner_id INTEGER REFERENCES partners (id),"
    "  partstat TEXT NOT NULL DEFAULT 'NEEDS-ACTION', replied INTEGER,"
    "  reply_sequence INTEGER NOT NULL DEFAULT -1, reply_dtstamp INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (task_id, email)) WITHOUT ROWID;"
    "CREATE TABLE ingested ("
    "  message_id TEXT PRIMARY KEY, at INTEGER NOT NULL, task_id INTEGER REFERENCES tasks (id))"
    "  WITHOUT ROWID;",

    //  6: practice standards: case events and facts, tasks created by rules
    "ALTER TABLE cases ADD COLUMN dob TEXT;"
    "ALTER TABLE cases ADD COLUMN long_term INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN family_friends INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE case_events ("
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id),"
    "  type TEXT NOT NULL, event_date TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',"
    "  author_id INTEGER REFERENCES members (id), at INTEGER NOT NULL);"
    "CREATE INDEX case_events_case ON case_events (case_id, event_date);"
    "ALTER TABLE tasks ADD COLUMN rule_id TEXT;"
    "ALTER TABLE tasks ADD COLUMN event_id INTEGER REFERENCES case_events (id);"
    "ALTER TABLE tasks ADD COLUMN done_on TEXT;"
    "CREATE INDEX tasks_rule_due ON tasks (due) WHERE rule_id IS NOT NULL;"
    "CREATE INDEX tasks_event ON tasks (event_id) WHERE event_id IS NOT NULL;",

    //  7: partner addresses compare without regard to case: stored lower-
    //  cased from now on (rows that would collide with another partner's
    //  address stay as they were, and still match: lookups are NOCASE);
    //  a meeting's online joining link
    "UPDATE partners SET email = lower (email) WHERE NOT EXISTS (SELECT 1 FROM partners q"
    "  WHERE q.id <> partners.id AND lower (q.email) = lower (partners.email));"
    "UPDATE OR IGNORE partner_aliases SET email = lower (email);"
    "CREATE INDEX partners_email_nocase ON partners (email COLLATE NOCASE);"
    "CREATE INDEX partner_aliases_email_nocase ON partner_aliases (email COLLATE NOCASE);"
    "ALTER TABLE meetings ADD COLUMN online TEXT NOT NULL DEFAULT '';",

    //  8: handover (kept on its own so migrations can be renumbered)
    MIGRATION_HANDOVER,

    //  9: delegation, follow-up dates, cover offers and swaps
    MIGRATION_DELEGATION,

    //  10: age-triggered standards, anchors, bank holidays unknown
    MIGRATION_STDRULES,

    //  11: case transfers between pods
    MIGRATION_TRANSFER,

    //  12: chains: outcomes, placements
    MIGRATION_CHAINS,

    //  13: continuity: contacts, lead and cover history
    MIGRATION_CONTINUITY,

    //  14: task states checked without temporary tables
    MIGRATION_SPEED
};

//  Every statement, prepared once on first use and kept. In the pod task
//  lists "+c.pod_id" keeps SQLite from walking every case the pod ever had:
//  the live tasks come from the partial index tasks_open_due instead, so
//  the cost follows live work, not history.
//  Rows of a task object (PROTOCOL.md 8.4): written as JSON text by
//  s_task_row_text, the one place its shape is written. A list page is its
//  rows' texts joined, with no JSON tree built, encoded and freed per task
//  (issue 13). Column 0 is the id, 1 the due instant.
#define TASK_COLUMNS \
    "SELECT t.id, t.due, c.ref, t.kind, t.title, t.priority, t.state, a.handle, m.handle," \
    " t.version, t.evidence, t.reference, t.created, t.updated, t.rule_id, t.done_on," \
    " dg.handle, t.awaiting_confirm, t.follow_up" \
    " FROM tasks t JOIN cases c ON c.id = t.case_id JOIN members m ON m.id = t.creator_id" \
    " LEFT JOIN members a ON a.id = t.assignee_id LEFT JOIN members dg ON dg.id = t.delegator_id"
//  Paged task lists (issue 13): rows in the order of a key, then id. The key
//  is the due instant (none: last); in "mine", less 2^52 for a task whose
//  follow-up date (?3, now) has come, so that it heads its holder's list.
//  ?4 and ?5 are the key and id of the cursor (NULL: from the start).
#define TASK_DUE_KEY  "IFNULL (t.due, 1125899906842624)"
#define TASK_MINE_KEY "(" TASK_DUE_KEY " - CASE WHEN t.follow_up <= ?3 THEN 4503599627370496 ELSE 0 END)"
#define TASK_AFTER(key) " AND (?4 IS NULL OR (" key ", t.id) > (?4, ?5))"
//  A page of tasks: the ids first (ids: a query with its ORDER BY and
//  LIMIT), then the objects of those rows only, in order, so a page's
//  cost follows its length, not the length of the whole list
#define TASK_PAGE(ids, order) TASK_COLUMNS " WHERE t.id IN (" ids ") ORDER BY " order
#define MEMBER_COLUMNS \
    "SELECT m.id, m.handle, m.name, m.email, m.role, IFNULL (m.pod_id, 0), IFNULL (p.name, '')," \
    " m.pattern, m.admin, m.active, IFNULL (m.curve_key, ''), m.skills" \
    " FROM members m LEFT JOIN pods p ON p.id = m.pod_id"

#define STATEMENTS(X) \
    X (BEGIN,        "BEGIN IMMEDIATE") \
    X (BEGIN_READ,   "BEGIN DEFERRED") \
    X (DATA_VERSION, "PRAGMA data_version") \
    X (COMMIT,       "COMMIT") \
    X (ROLLBACK,     "ROLLBACK") \
    X (SAVEPOINT,    "SAVEPOINT request") \
    X (RELEASE,      "RELEASE request") \
    X (ROLLBACK_TO,  "ROLLBACK TO request") \
    X (POD_UPSERT,   "INSERT INTO pods (name, title, mailbox) VALUES (?1, ?2, ?3)" \
                     " ON CONFLICT (name) DO UPDATE SET title = ?2, mailbox = ?3") \
    X (POD_DUTY,     "UPDATE pods SET duty_id = ?2 WHERE id = ?1") \
    X (POD_BY_NAME,  "SELECT id, name, title, mailbox, IFNULL (duty_id, 0) FROM pods WHERE name = ?1") \
    X (POD_BY_ID,    "SELECT id, name, title, mailbox, IFNULL (duty_id, 0) FROM pods WHERE id = ?1") \
    X (POD_LIST,     "SELECT id FROM pods ORDER BY name") \
    X (POD_JSON,     "SELECT p.name, p.title, p.mailbox, d.handle," \
                     " (SELECT COUNT (*) FROM members m WHERE m.pod_id = p.id AND m.active)," \
                     " (SELECT COUNT (*) FROM cases c WHERE c.pod_id = p.id AND c.status = 'open')" \
                     " FROM pods p LEFT JOIN members d ON d.id = p.duty_id WHERE p.id = ?1") \
    X (MEMBER_UPSERT, "INSERT INTO members (handle, name, email, role, pod_id, skills, pattern, admin, created)" \
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (handle) DO UPDATE SET" \
                     " name = ?2, email = ?3, role = ?4, pod_id = ?5, skills = ?6, pattern = ?7, admin = ?8") \
    X (MEMBER_ADD,   "INSERT INTO members (handle, name, email, role, pod_id, skills, pattern, admin, created)" \
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") \
    X (MEMBER_ID_BY_HANDLE, "SELECT id FROM members WHERE handle = ?1") \
    X (MEMBER_BY_HANDLE, MEMBER_COLUMNS " WHERE m.handle = ?1") \
    X (MEMBER_BY_ID, MEMBER_COLUMNS " WHERE m.id = ?1") \
    X (MEMBER_BY_KEY, MEMBER_COLUMNS " WHERE m.curve_key = ?1") \
    X (MEMBER_CLEAR_KEY, "UPDATE members SET curve_key = NULL WHERE curve_key = ?1 AND id <> ?2") \
    X (MEMBER_SET_KEY, "UPDATE members SET curve_key = ?2 WHERE id = ?1") \
    X (MEMBER_LIST,  "SELECT id FROM members WHERE (?1 = 0 OR pod_id = ?1)" \
                     " AND (?2 IS NULL OR handle > ?2) ORDER BY handle LIMIT ?3") \
    X (POD_MEMBER_IDS, "SELECT id FROM members WHERE pod_id = ?1 AND active ORDER BY handle") \
    X (POD_MANAGER,  "SELECT id FROM members WHERE pod_id = ?1 AND active AND role = 'team-manager'" \
                     " ORDER BY id LIMIT 1") \
    X (CASE_OPEN,    "INSERT INTO cases (ref, kind, pod_id, lead_id, summary, opened)" \
                     " VALUES (?1, ?2, ?3, NULLIF (?4, 0), ?5, ?6)") \
    X (CASE_BY_REF,  "SELECT id, ref, kind, pod_id, IFNULL (lead_id, 0), status = 'open' FROM cases WHERE ref = ?1") \
    X (CASE_BY_ID,   "SELECT id, ref, kind, pod_id, IFNULL (lead_id, 0), status = 'open' FROM cases WHERE id = ?1") \
    X (CASE_SET_LEAD, "UPDATE cases SET lead_id = NULLIF (?2, 0) WHERE id = ?1") \
    X (CASE_CLEAR_CO, "DELETE FROM case_workers WHERE case_id = ?1") \
    X (CASE_ADD_CO,  "INSERT OR IGNORE INTO case_workers (case_id, member_id, since) VALUES (?1, ?2, ?3)") \
    X (CASE_IS_CO,   "SELECT 1 FROM case_workers WHERE case_id = ?1 AND member_id = ?2") \
    X (CASE_CLOSE,   "UPDATE cases SET status = 'closed', closed = ?3, close_reason = ?2" \
                     " WHERE id = ?1 AND status = 'open'") \
    X (CASE_JSON,    "SELECT c.ref, c.kind, p.name, l.handle, c.status, c.summary, c.opened, c.closed," \
                     " c.close_reason FROM cases c JOIN pods p ON p.id = c.pod_id" \
                     " LEFT JOIN members l ON l.id = c.lead_id WHERE c.id = ?1") \
    X (CASE_COWORKERS, "SELECT m.handle FROM case_workers w JOIN members m ON m.id = w.member_id" \
                     " WHERE w.case_id = ?1 ORDER BY m.handle") \
    X (CASE_CHRONOLOGY, "SELECT id FROM chronology WHERE case_id = ?1 ORDER BY entry_date, id") \
    X (CASE_LIST,    "SELECT c.id FROM cases c WHERE (?1 = 0 OR c.pod_id = ?1)" \
                     " AND (?2 = 0 OR c.lead_id = ?2 OR EXISTS (SELECT 1 FROM case_workers w" \
                     "   WHERE w.case_id = c.id AND w.member_id = ?2))" \
                     " AND (?3 = 'all' OR c.status = ?3) AND (?4 IS NULL OR c.ref > ?4)" \
                     " ORDER BY c.ref LIMIT ?5") \
    X (CASE_ACQUAINTED, "SELECT member_id, MAX (co) AS co, MAX (at) AS last FROM (" \
                     "  SELECT member_id, 1 AS co, since AS at FROM case_workers WHERE case_id = ?1" \
                     "  UNION ALL SELECT author_id, 0, at FROM chronology WHERE case_id = ?1 AND kind <> 'event'" \
                     "  UNION ALL SELECT h.assignee_id, 0, h.at FROM tasks t" \
                     "   JOIN task_history h ON h.task_id = t.id WHERE t.case_id = ?1" \
                     "   AND h.assignee_id IS NOT NULL AND h.event IN ('accepted','done'))" \
                     " GROUP BY member_id ORDER BY co DESC, last DESC, member_id LIMIT ?2") \
    X (CASELOAD,     "SELECT p.name, m.handle, m.name, m.role," \
                     " (SELECT COUNT (*) FROM cases c WHERE c.lead_id = m.id AND c.status = 'open')," \
                     " (SELECT COUNT (*) FROM case_workers w JOIN cases c ON c.id = w.case_id" \
                     "   WHERE w.member_id = m.id AND c.status = 'open')," \
                     " (SELECT COUNT (*) FROM tasks t WHERE t.assignee_id = m.id AND " OPEN_STATE ("t.state") ")" \
                     " FROM members m JOIN pods p ON p.id = m.pod_id" \
                     " WHERE (?1 = 0 OR m.pod_id = ?1) AND m.active ORDER BY p.name, m.handle") \
    X (CHRONO_ADD,   "INSERT INTO chronology (case_id, entry_date, kind, text, author_id, at)" \
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
    X (CHRONO_JSON,  "SELECT h.id, h.entry_date, h.kind, h.text, m.handle, h.at FROM chronology h" \
                     " JOIN members m ON m.id = h.author_id WHERE h.id = ?1") \
    X (AUDIT_ADD,    "INSERT INTO audit (at, actor_id, connection, action, object, detail)" \
                     " VALUES (?1, NULLIF (?2, 0), ?3, ?4, ?5, ?6)") \
    X (AUDIT_COUNT,  "SELECT COUNT (*) FROM audit") \
    X (AUDIT_LIST,   "WITH a AS (SELECT au.id, au.at, au.actor_id, au.connection, au.action," \
                     "  au.object, au.detail, CASE WHEN au.object LIKE 'task:%' THEN" \
                     "  (SELECT c.ref FROM tasks t JOIN cases c ON c.id = t.case_id" \
                     "   WHERE t.id = CAST (substr (au.object, 6) AS INTEGER))" \
                     "  ELSE (SELECT ref FROM cases WHERE ref = au.object) END AS case_ref" \
                     "  FROM (SELECT * FROM audit WHERE id < ?1 ORDER BY id DESC LIMIT ?8) au" \
                     "  WHERE au.at >= ?2 AND au.at < ?3 AND (?4 = 0 OR au.actor_id = ?4))," \
                     " b AS (SELECT a.*, COALESCE ((SELECT pod_id FROM cases WHERE ref = a.case_ref)," \
                     "  CASE WHEN a.object LIKE 'absence:%' THEN (SELECT m.pod_id FROM absences ab" \
                     "   JOIN members m ON m.id = ab.member_id" \
                     "   WHERE ab.id = CAST (substr (a.object, 9) AS INTEGER)) END," \
                     "  CASE WHEN a.object LIKE 'outbox:%' THEN (SELECT pod_id FROM outbox" \
                     "   WHERE id = CAST (substr (a.object, 8) AS INTEGER)) END," \
                     "  (SELECT pod_id FROM members WHERE handle = a.object)," \
                     "  (SELECT pod_id FROM members WHERE id = a.actor_id)) AS pod_id FROM a)" \
                     " SELECT b.id, b.at, m.handle, b.connection, b.action, b.object, b.detail," \
                     " b.case_ref, p.name FROM b LEFT JOIN members m ON m.id = b.actor_id" \
                     " LEFT JOIN pods p ON p.id = b.pod_id" \
                     " WHERE (?5 = 0 OR b.pod_id = ?5) AND (?6 IS NULL OR b.case_ref = ?6)" \
                     " ORDER BY b.id DESC LIMIT ?7") \
    X (AUDIT_WINDOW, "SELECT MIN (id), COUNT (*) FROM (SELECT id FROM audit WHERE id < ?1" \
                     " ORDER BY id DESC LIMIT ?2)") \
    X (TASK_NEW,     "INSERT INTO tasks (case_id, kind, title, due, priority, state, creator_id, created, updated)" \
                     " VALUES (?1, ?2, ?3, NULLIF (?4, 0), ?5, 'open', ?6, ?7, ?7)") \
    X (TASK_GET,     "SELECT id, case_id, kind, state, IFNULL (assignee_id, 0), creator_id, version, IFNULL (due, 0)" \
                     " FROM tasks WHERE id = ?1") \
    X (TASK_SET,     "UPDATE tasks SET state = ?2, assignee_id = NULLIF (?3, 0), version = version + 1," \
                     " updated = ?4 WHERE id = ?1") \
    X (TASK_EVIDENCE, "UPDATE tasks SET evidence = ?2, reference = ?3 WHERE id = ?1") \
    X (TASK_HISTORY_ADD, "INSERT INTO task_history (task_id, at, actor_id, event, assignee_id, reason)" \
                     " VALUES (?1, ?2, NULLIF (?3, 0), ?4, NULLIF (?5, 0), ?6)") \
    X (TASK_DECLINED_BY, "SELECT 1 FROM task_history WHERE task_id = ?1 AND event = 'declined'" \
                     " AND assignee_id = ?2 LIMIT 1") \
    X (TASK_JSON,    TASK_COLUMNS " WHERE t.id = ?1") \
    X (TASK_HISTORY, "SELECT h.at, IFNULL (a.handle, 'podd'), h.event, m.handle, h.reason FROM task_history h" \
                     " LEFT JOIN members a ON a.id = h.actor_id LEFT JOIN members m ON m.id = h.assignee_id" \
                     " WHERE h.task_id = ?1 ORDER BY h.id") \
    X (TASK_LIST_MINE, TASK_PAGE ("SELECT t.id FROM tasks t WHERE t.assignee_id = ?1 AND " OPEN_STATE ("t.state") \
                     TASK_AFTER (TASK_MINE_KEY) " ORDER BY " TASK_MINE_KEY ", t.id LIMIT ?2", \
                     TASK_MINE_KEY ", t.id")) \
    X (TASK_LIST_POD, TASK_PAGE ("SELECT t.id FROM tasks t JOIN cases c ON c.id = t.case_id" \
                     " WHERE +c.pod_id = ?1 AND " OPEN_STATE ("t.state") \
                     TASK_AFTER (TASK_DUE_KEY) " ORDER BY " TASK_DUE_KEY ", t.id LIMIT ?2", \
                     TASK_DUE_KEY ", t.id")) \
    X (TASK_LIST_OVERDUE, TASK_PAGE ("SELECT id FROM (SELECT t.id AS id, t.due AS due FROM tasks t" \
                     " JOIN cases c ON c.id = t.case_id WHERE +c.pod_id = ?1 AND " OPEN_STATE ("t.state") \
                     " AND t.due < ?3" TASK_AFTER (TASK_DUE_KEY) " UNION ALL SELECT t.id, t.due FROM tasks t" \
                     " JOIN cases c ON c.id = t.case_id WHERE c.pod_id = ?1" \
                     " AND t.state = 'declined' AND t.due < ?3" TASK_AFTER (TASK_DUE_KEY) ")" \
                     " ORDER BY due, id LIMIT ?2", "t.due, t.id")) \
    X (TASK_LIST_CASE, TASK_PAGE ("SELECT t.id FROM tasks t WHERE t.case_id = ?1" TASK_AFTER ("0") \
                     " ORDER BY t.id LIMIT ?2", "t.id")) \
    X (MEMBER_LOAD,  "SELECT COUNT (*) FROM tasks WHERE assignee_id = ?1 AND " OPEN_STATE ("state")) \
    X (TASK_COUNT,   "SELECT COUNT (*) FROM tasks") \
    X (CASE_OPEN_TASKS, "SELECT COUNT (*) FROM tasks WHERE case_id = ?1 AND " OPEN_STATE ("state")) \
    X (ABSENT,       "SELECT 1 FROM absences WHERE member_id = ?1 AND approved AND starts <= ?2" \
                     " AND (ends IS NULL OR ends > ?2) LIMIT 1") \
    X (COVER_FOR,    "SELECT l.cover_id FROM cover_lines l JOIN absences a ON a.id = l.absence_id" \
                     " WHERE l.case_id = ?1 AND l.task_id IS NULL AND a.member_id = ?2 AND a.approved" \
                     " AND a.starts <= ?3 AND (a.ends IS NULL OR a.ends > ?3) ORDER BY a.starts DESC LIMIT 1") \
    X (ABSENCE_ADD,  "INSERT INTO absences (member_id, kind, starts, ends, approved, status, requested_by," \
                     " approved_by, note, return_rule, created)" \
                     " VALUES (?1, ?2, ?3, NULLIF (?4, 0), ?5 = 'approved', ?5, ?6, NULLIF (?7, 0), ?8, ?9, ?10)") \
    X (ABSENCE_GET,  "SELECT id, member_id, kind, starts, IFNULL (ends, 0), status, started, ended," \
                     " return_rule FROM absences WHERE id = ?1") \
    X (ABSENCE_OVERLAP, "SELECT id FROM absences WHERE member_id = ?1 AND id <> ?4" \
                     " AND status IN ('requested','approved') AND starts < ?3" \
                     " AND (ends IS NULL OR ends > ?2) ORDER BY starts LIMIT 1") \
    X (ABSENCE_AWAY_BETWEEN, "SELECT 1 FROM absences WHERE member_id = ?1 AND approved" \
                     " AND starts < ?3 AND (ends IS NULL OR ends > ?2) LIMIT 1") \
    X (ABSENCE_STATUS, "UPDATE absences SET status = ?2, approved = ?2 = 'approved'," \
                     " approved_by = NULLIF (?3, 0) WHERE id = ?1") \
    X (ABSENCE_RULE, "UPDATE absences SET return_rule = ?2 WHERE id = ?1") \
    X (ABSENCE_END,  "UPDATE absences SET ends = ?2 WHERE id = ?1") \
    X (ABSENCE_STARTED, "UPDATE absences SET started = 1 WHERE id = ?1") \
    X (ABSENCE_ENDED, "UPDATE absences SET ended = 1 WHERE id = ?1") \
    X (ABSENCE_NEXT, "SELECT MIN (t) FROM (SELECT MIN (starts) AS t FROM absences WHERE approved AND NOT started" \
                     " UNION ALL SELECT MIN (ends) FROM absences WHERE started AND NOT ended)") \
    X (ABSENCE_DUE_START, "SELECT id FROM absences WHERE approved AND NOT started AND starts <= ?1" \
                     " ORDER BY starts, id") \
    X (ABSENCE_DUE_END, "SELECT id FROM absences WHERE started AND NOT ended AND ends <= ?1" \
                     " ORDER BY ends, id") \
    X (ABSENCE_JSON, "SELECT a.id, m.handle, a.kind, a.starts, a.ends, a.status, r.handle, p.handle," \
                     " a.note, a.return_rule, a.started, a.ended FROM absences a" \
                     " JOIN members m ON m.id = a.member_id LEFT JOIN members r ON r.id = a.requested_by" \
                     " LEFT JOIN members p ON p.id = a.approved_by WHERE a.id = ?1") \
    X (ABSENCE_CALENDAR, "SELECT a.id FROM absences a JOIN members m ON m.id = a.member_id" \
                     " WHERE (?1 = 0 OR m.pod_id = ?1) AND a.status IN ('requested','approved')" \
                     " AND a.starts < ?3 AND (a.ends IS NULL OR a.ends > ?2) ORDER BY a.starts, a.id") \
    X (ABSENCE_FOR, "SELECT id FROM absences WHERE member_id = ?1 AND status IN ('requested','approved')" \
                     " AND starts <= ?2 AND (ends IS NULL OR ends >= ?3) ORDER BY starts DESC LIMIT 1") \
    X (COVER_SET_CASE, "INSERT INTO cover_lines (absence_id, case_id, cover_id, set_by, created)" \
                     " VALUES (?1, ?2, ?3, NULLIF (?4, 0), ?5) ON CONFLICT (absence_id, case_id)" \
                     " WHERE task_id IS NULL DO UPDATE SET cover_id = ?3, set_by = NULLIF (?4, 0)") \
    X (COVER_SET_TASK, "INSERT INTO cover_lines (absence_id, task_id, cover_id, set_by, created)" \
                     " VALUES (?1, ?2, ?3, NULLIF (?4, 0), ?5) ON CONFLICT (absence_id, task_id)" \
                     " WHERE task_id IS NOT NULL DO UPDATE SET cover_id = ?3, set_by = NULLIF (?4, 0)") \
    X (COVER_LINES,  "SELECT l.absence_id, c.ref, l.task_id, m.handle, IFNULL (s.handle, 'podd'), l.id, l.how" \
                     " FROM cover_lines l JOIN members m ON m.id = l.cover_id" \
                     " LEFT JOIN tasks t ON t.id = l.task_id" \
                     " LEFT JOIN cases c ON c.id = IFNULL (l.case_id, t.case_id)" \
                     " LEFT JOIN members s ON s.id = l.set_by" \
                     " WHERE l.absence_id = ?1 ORDER BY l.task_id IS NOT NULL, c.ref, l.task_id") \
    X (COVER_TASK_FOR, "SELECT cover_id FROM cover_lines WHERE absence_id = ?1 AND task_id = ?2") \
    X (COVER_CASE_FOR_ABSENCE, "SELECT cover_id FROM cover_lines WHERE absence_id = ?1 AND case_id = ?2" \
                     " AND task_id IS NULL") \
    X (COVER_MOVE,   "UPDATE cover_lines SET cover_id = ?3, set_by = NULLIF (?4, 0) WHERE cover_id = ?2" \
                     " AND absence_id IN (SELECT a.id FROM absences a JOIN members m ON m.id = a.member_id" \
                     "   WHERE m.pod_id = ?1 AND NOT a.ended AND a.status IN ('requested','approved'))") \
    X (COVER_LINES_OF, "SELECT l.id, l.absence_id, IFNULL (l.case_id, 0), IFNULL (l.task_id, 0) FROM cover_lines l" \
                     " JOIN absences a ON a.id = l.absence_id WHERE l.cover_id = ?1 AND NOT a.ended" \
                     " AND a.status = 'approved' AND a.starts < ?3 AND (a.ends IS NULL OR a.ends > ?2)") \
    X (COVER_LINE_SET_BY_ID, "UPDATE cover_lines SET cover_id = ?2, set_by = NULL WHERE id = ?1") \
    X (COVER_MOVE_ADD, "INSERT OR REPLACE INTO cover_moves (absence_id, task_id, from_id, to_id, at)" \
                     " VALUES (?1, ?2, ?3, ?4, ?5)") \
    X (COVER_MOVES_LIVE, "SELECT t.id FROM cover_moves v JOIN tasks t ON t.id = v.task_id" \
                     " WHERE v.absence_id = ?1 AND " OPEN_STATE ("t.state") " AND t.assignee_id <> v.from_id" \
                     " ORDER BY t.id") \
    X (CASES_LED,    "SELECT id FROM cases WHERE lead_id = ?1 AND status = 'open' ORDER BY ref") \
    X (TASKS_HELD,   "SELECT id FROM tasks WHERE assignee_id = ?1 AND " OPEN_STATE ("state") \
                     " AND (due IS NULL OR due < ?2) ORDER BY due, id") \
    X (MEMBER_LOAD_PERIOD, "SELECT" \
                     " (SELECT COUNT (*) FROM tasks WHERE assignee_id = ?1 AND " OPEN_STATE ("state") ")," \
                     " (SELECT COUNT (*) FROM tasks WHERE assignee_id = ?1 AND " OPEN_STATE ("state") \
                     "   AND due >= ?2 AND due < ?3)," \
                     " (SELECT COUNT (*) FROM cases WHERE lead_id = ?1 AND status = 'open')," \
                     " (SELECT COUNT (*) FROM cover_lines l JOIN absences a ON a.id = l.absence_id" \
                     "   WHERE l.cover_id = ?1 AND a.status = 'approved' AND a.starts < ?3" \
                     "   AND (a.ends IS NULL OR a.ends > ?2))") \
    X (DIGEST_ADD,   "INSERT INTO digests (member_id, absence_id, created, body) VALUES (?1, ?2, ?3, ?4)") \
    X (DIGEST_GET,   "SELECT body FROM digests WHERE member_id = ?1 AND (?2 = 0 OR absence_id = ?2)" \
                     " ORDER BY id DESC LIMIT 1") \
    X (DIGEST_DONE,  "SELECT t.id, t.title, m.handle, h.at FROM task_history h JOIN tasks t ON t.id = h.task_id" \
                     " JOIN cases c ON c.id = t.case_id LEFT JOIN members m ON m.id = h.actor_id" \
                     " WHERE c.lead_id = ?1 AND h.event = 'done' AND h.at >= ?2 AND h.at < ?3 ORDER BY h.at") \
    X (DIGEST_NEW,   "SELECT t.id, t.title, a.handle, t.state FROM tasks t JOIN cases c ON c.id = t.case_id" \
                     " LEFT JOIN members a ON a.id = t.assignee_id" \
                     " WHERE c.lead_id = ?1 AND t.created >= ?2 AND t.created < ?3 ORDER BY t.id") \
    X (DIGEST_CHRONO, "SELECT c.ref, h.entry_date, h.kind, h.text, m.handle FROM chronology h" \
                     " JOIN cases c ON c.id = h.case_id JOIN members m ON m.id = h.author_id" \
                     " WHERE c.lead_id = ?1 AND h.at >= ?2 AND h.at < ?3 ORDER BY h.at, h.id") \
    X (DIGEST_OPEN,  "SELECT t.id, c.ref, t.title, t.due, a.handle, t.state FROM tasks t" \
                     " JOIN cases c ON c.id = t.case_id LEFT JOIN members a ON a.id = t.assignee_id" \
                     " WHERE (c.lead_id = ?1 OR t.assignee_id = ?1) AND " OPEN_STATE ("t.state") \
                     " ORDER BY t.due IS NULL, t.due, t.id LIMIT 200") \
    X (OUTBOX_ADD,   "INSERT INTO outbox (message_id, kind, pod_id, task_id, sender, subject, body," \
                     " next_attempt, queued) VALUES (?1, ?2, NULLIF (?3, 0), NULLIF (?4, 0), ?5, ?6, ?7, ?8, ?8)") \
    X (OUTBOX_RCPT_ADD, "INSERT OR IGNORE INTO outbox_rcpts (outbox_id, address) VALUES (?1, ?2)") \
    X (OUTBOX_DUE,   "SELECT id FROM outbox WHERE state = 'pending' AND next_attempt <= ?1" \
                     " AND " OUTBOX_HAS_PENDING " ORDER BY next_attempt, id LIMIT ?2") \
    X (OUTBOX_NEXT,  "SELECT MIN (next_attempt) FROM outbox WHERE state = 'pending'" \
                     " AND " OUTBOX_HAS_PENDING) \
    X (OUTBOX_GET,   "SELECT id, message_id, sender, body, attempts, queued, IFNULL (pod_id, 0)," \
                     " IFNULL (task_id, 0), state, kind FROM outbox WHERE id = ?1") \
    X (OUTBOX_PENDING_RCPTS, "SELECT address FROM outbox_rcpts WHERE outbox_id = ?1 AND state = 'pending'" \
                     " ORDER BY address") \
    X (OUTBOX_RCPT_SET, "UPDATE outbox_rcpts SET state = ?3, code = ?4, text = ?5" \
                     " WHERE outbox_id = ?1 AND address = ?2") \
    X (OUTBOX_SET,   "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt = ?4, last_error = ?5," \
                     " done_at = CASE WHEN ?2 = 'pending' THEN NULL ELSE ?6 END WHERE id = ?1") \
    X (OUTBOX_RETRY, "UPDATE outbox SET state = 'pending', next_attempt = ?2, attempts = 0, queued = ?2," \
                     " done_at = NULL WHERE id = ?1") \
    X (OUTBOX_RETRY_RCPTS, "UPDATE outbox_rcpts SET state = 'pending', code = 0, text = ''" \
                     " WHERE outbox_id = ?1 AND state = 'failed'") \
    X (OUTBOX_LIST,  "SELECT id FROM outbox WHERE (?1 = 0 OR pod_id = ?1) AND (?2 = 'all' OR state = ?2)" \
                     " AND (?4 IS NULL OR id < ?4) ORDER BY id DESC LIMIT ?3") \
    X (OUTBOX_JSON,  "SELECT id, message_id, kind, state, attempts, next_attempt, queued, last_error, done_at," \
                     " task_id, subject FROM outbox WHERE id = ?1") \
    X (OUTBOX_RCPTS_JSON, "SELECT address, state, code, text FROM outbox_rcpts WHERE outbox_id = ?1 ORDER BY address") \
    X (OUTBOX_FAILED_RCPTS, "SELECT COUNT (*) FROM outbox_rcpts WHERE outbox_id = ?1 AND state = 'failed'") \
    X (OUTBOX_PENDING_COUNT, "SELECT COUNT (*) FROM outbox_rcpts WHERE outbox_id = ?1 AND state = 'pending'") \
    X (OUTBOX_COUNT, "SELECT state, COUNT (*) FROM outbox WHERE (?1 = 0 OR pod_id = ?1) GROUP BY state") \
    X (TASK_REMINDER_SET, "UPDATE tasks SET next_reminder = NULLIF (?2, 0), last_reminded = ?3 WHERE id = ?1") \
    X (TASK_REMINDER_GET, "SELECT IFNULL (next_reminder, 0), IFNULL (last_reminded, created) FROM tasks WHERE id = ?1") \
    X (TASK_REMINDER_DUE, "SELECT id FROM tasks WHERE next_reminder <= ?1 ORDER BY next_reminder, id LIMIT ?2") \
    X (TASK_REMINDER_NEXT, "SELECT MIN (next_reminder) FROM tasks WHERE next_reminder IS NOT NULL") \
    X (REMINDER_ADD, "INSERT INTO reminders (task_id, member_id, kind, at, outbox_id)" \
                     " VALUES (?1, NULLIF (?2, 0), ?3, ?4, NULLIF (?5, 0))") \
    X (REMINDER_LIST, "SELECT r.kind, r.at, m.handle, o.message_id, o.state FROM reminders r" \
                     " LEFT JOIN members m ON m.id = r.member_id LEFT JOIN outbox o ON o.id = r.outbox_id" \
                     " WHERE r.task_id = ?1 ORDER BY r.id") \
    X (PARTNER_ADD,  "INSERT INTO partners (email, name, agency, agency_kind, role, created)" \
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
    X (PARTNER_ALIAS_ADD, "INSERT INTO partner_aliases (email, partner_id) VALUES (?1, ?2)") \
    X (PARTNER_BY_EMAIL, "SELECT p.id FROM partners p WHERE p.email = ?1 COLLATE NOCASE UNION" \
                     " SELECT a.partner_id FROM partner_aliases a WHERE a.email = ?1 COLLATE NOCASE LIMIT 1") \
    X (PARTNER_SET_NAME, "UPDATE partners SET name = ?2 WHERE id = ?1") \
    X (PARTNER_ATTENDEE_NAME, "UPDATE meeting_attendees SET name = ?2 WHERE partner_id = ?1") \
    X (PARTNER_ALIAS_REMOVE, "DELETE FROM partner_aliases WHERE partner_id = ?1 AND email = ?2 COLLATE NOCASE") \
    X (PARTNER_ROW,  "SELECT id, email, name, agency, agency_kind, role FROM partners WHERE id = ?1") \
    X (PARTNER_ALIASES, "SELECT email FROM partner_aliases WHERE partner_id = ?1 ORDER BY email") \
    X (PARTNER_LIST, "SELECT id FROM partners ORDER BY agency, name") \
    X (PARTNER_LIST_CASE, "SELECT p.id FROM partners p JOIN case_partners c ON c.partner_id = p.id" \
                     " WHERE c.case_id = ?1 ORDER BY p.agency, p.name") \
    X (PARTNER_LINK, "INSERT OR IGNORE INTO case_partners (case_id, partner_id) VALUES (?1, ?2)") \
    X (PARTNER_UNLINK, "DELETE FROM case_partners WHERE case_id = ?1 AND partner_id = ?2") \
    X (PARTNER_LINKED, "SELECT 1 FROM case_partners WHERE case_id = ?1 AND partner_id = ?2") \
    X (MEETING_ADD,  "INSERT INTO meetings (task_id, uid, starts, ends, location, online)" \
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
    X (MEETING_GET,  "SELECT task_id, uid, sequence, starts, ends, location, status, online FROM meetings" \
                     " WHERE task_id = ?1") \
    X (MEETING_BY_UID, "SELECT task_id FROM meetings WHERE uid = ?1") \
    X (MEETING_SET,  "UPDATE meetings SET sequence = ?2, starts = ?3, ends = ?4, location = ?5, status = ?6," \
                     " online = ?7 WHERE task_id = ?1") \
    X (ATTENDEE_ADD, "INSERT OR IGNORE INTO meeting_attendees (task_id, email, name, kind, partner_id)" \
                     " VALUES (?1, ?2, ?3, ?4, NULLIF (?5, 0))") \
    X (ATTENDEE_GET, "SELECT email, name, kind, IFNULL (partner_id, 0), partstat, reply_sequence, reply_dtstamp" \
                     " FROM meeting_attendees WHERE task_id = ?1 ORDER BY kind, email") \
    X (ATTENDEE_RESET, "UPDATE meeting_attendees SET partstat = 'NEEDS-ACTION' WHERE task_id = ?1") \
    X (ATTENDEE_REPLY, "UPDATE meeting_attendees SET partstat = ?3, replied = ?4, reply_sequence = ?5," \
                     " reply_dtstamp = ?6 WHERE task_id = ?1 AND email = ?2") \
    X (ATTENDEES_JSON, "SELECT name, email, kind, partstat, replied FROM meeting_attendees" \
                     " WHERE task_id = ?1 ORDER BY kind, email") \
    X (INGESTED_SEEN, "SELECT 1 FROM ingested WHERE message_id = ?1") \
    X (INGESTED_ADD, "INSERT INTO ingested (message_id, at, task_id) VALUES (?1, ?2, NULLIF (?3, 0))") \
    X (EVENT_ADD,    "INSERT INTO case_events (case_id, type, event_date, note, author_id, at)" \
                     " VALUES (?1, ?2, ?3, ?4, NULLIF (?5, 0), ?6)") \
    X (EVENT_GET,    "SELECT id, case_id, type, event_date FROM case_events WHERE id = ?1") \
    X (EVENT_SET_DATE, "UPDATE case_events SET event_date = ?2 WHERE id = ?1") \
    X (EVENT_JSON,   "SELECT e.id, c.ref, e.type, e.event_date, e.note, IFNULL (m.handle, 'podd')" \
                     " FROM case_events e JOIN cases c ON c.id = e.case_id" \
                     " LEFT JOIN members m ON m.id = e.author_id WHERE e.id = ?1") \
    X (CASE_FACTS,   "SELECT IFNULL (dob, ''), long_term, family_friends, opened FROM cases WHERE id = ?1") \
    X (CASE_SET_DOB, "UPDATE cases SET dob = ?2 WHERE id = ?1") \
    X (CASE_SET_LONG_TERM, "UPDATE cases SET long_term = ?2 WHERE id = ?1") \
    X (CASE_SET_FAMILY, "UPDATE cases SET family_friends = ?2 WHERE id = ?1") \
    X (TASK_SET_STANDARD, "UPDATE tasks SET rule_id = ?2, event_id = NULLIF (?3, 0) WHERE id = ?1") \
    X (TASK_STANDARD, "SELECT IFNULL (rule_id, ''), IFNULL (event_id, 0) FROM tasks WHERE id = ?1") \
    X (TASK_SET_DUE, "UPDATE tasks SET due = ?2, version = version + 1, updated = ?3 WHERE id = ?1") \
    X (TASK_SET_DONE_ON, "UPDATE tasks SET done_on = ?2 WHERE id = ?1") \
    X (TASKS_OF_EVENT, "SELECT id FROM tasks WHERE event_id = ?1 AND " OPEN_STATE ("state") " ORDER BY id") \
    X (COMPLIANCE,   "SELECT t.rule_id, c.ref, IFNULL (a.handle, ''), t.state, t.due, IFNULL (t.done_on, '')," \
                     " t.id, t.title" \
                     " FROM tasks t JOIN cases c ON c.id = t.case_id LEFT JOIN members a ON a.id = t.assignee_id" \
                     " WHERE t.rule_id IS NOT NULL AND ((t.due >= ?1 AND t.due < ?2)" \
                     " OR (t.state IN ('open','offered','accepted','declined') AND t.due < ?6))" \
                     " AND (?3 = 0 OR c.pod_id = ?3) AND (?4 = 0 OR t.assignee_id = ?4)" \
                     " AND (?5 = '' OR t.rule_id = ?5)" \
                     " ORDER BY t.rule_id, c.ref, t.id") \
    X (MAILBOX_ADD,  "INSERT INTO mailbox (member_id, task_id, version, payload, created)" \
                     " VALUES (?1, ?2, ?3, ?4, ?5)") \
    X (MAILBOX_PENDING, "SELECT id, payload FROM mailbox WHERE member_id = ?1 AND acked IS NULL" \
                     " ORDER BY id LIMIT ?2") \
    X (MAILBOX_PAGE, "SELECT id, payload FROM mailbox WHERE member_id = ?1 AND acked IS NULL" \
                     " AND id > ?2 ORDER BY id LIMIT ?3") \
    X (MAILBOX_UNACKED_UPTO, "SELECT COUNT (*) FROM mailbox WHERE member_id = ?1" \
                     " AND acked IS NULL AND id <= ?2") \
    X (MAILBOX_STATE, "SELECT acked IS NOT NULL FROM mailbox WHERE id = ?1 AND member_id = ?2") \
    X (MAILBOX_ACK,  "UPDATE mailbox SET acked = ?3 WHERE id = ?1 AND member_id = ?2 AND acked IS NULL") \
    X (MAILBOX_COUNT, "SELECT COUNT (*) FROM mailbox WHERE member_id = ?1 AND acked IS NULL") \
    /*  Practice standards, later rules (age triggers, anchors, missing data)  */ \
    X (CASE_LOOKED_AFTER, "SELECT type, event_date FROM case_events WHERE case_id = ?1" \
                     " AND type IN ('became-looked-after','ceased-looked-after')" \
                     " ORDER BY event_date DESC, id DESC LIMIT 1") \
    X (CASE_HAS_RULE_TASK, "SELECT 1 FROM tasks WHERE case_id = ?1 AND rule_id = ?2 LIMIT 1") \
    X (CASE_SET_AGE_DUE, "UPDATE cases SET age_due = NULLIF (?2, 0) WHERE id = ?1") \
    X (CASES_AGE_DUE, "SELECT id FROM cases WHERE age_due <= ?1 ORDER BY age_due, id LIMIT ?2") \
    X (CASES_AGE_NEXT, "SELECT MIN (age_due) FROM cases WHERE age_due IS NOT NULL") \
    X (CASES_WITH_DOB, "SELECT id FROM cases WHERE status = 'open' AND kind = 'child'" \
                     " AND IFNULL (dob, '') <> '' AND id > ?1 ORDER BY id LIMIT ?2") \
    X (CASES_NO_DOB, "SELECT ref FROM cases WHERE status = 'open' AND kind = 'child'" \
                     " AND IFNULL (dob, '') = '' AND (?1 = 0 OR pod_id = ?1) ORDER BY ref LIMIT 500") \
    X (TASK_SET_ANCHOR, "UPDATE tasks SET anchor = ?2, holidays_unknown = ?3 WHERE id = ?1") \
    X (TASK_ANCHOR,  "SELECT IFNULL (anchor, ''), holidays_unknown FROM tasks WHERE id = ?1") \
    X (CASE_RULE_OPEN_TASKS, "SELECT id FROM tasks WHERE case_id = ?1 AND rule_id = ?2" \
                     " AND " OPEN_STATE ("state") " ORDER BY id LIMIT ?3") \
    /*  Chains: outcomes, placements, a rule's open tasks, retargeting  */ \
    X (EVENT_SET_OUTCOME, "UPDATE case_events SET outcome = ?2 WHERE id = ?1") \
    X (PLACEMENT_START, "INSERT INTO placements (child_id, carer_id, started, event_id)" \
                     " VALUES (?1, NULLIF (?2, 0), ?3, NULLIF (?4, 0))") \
    X (PLACEMENT_CURRENT, "SELECT id, IFNULL (carer_id, 0), started, IFNULL (long_term_on, '')" \
                     " FROM placements WHERE child_id = ?1 AND ended IS NULL ORDER BY id DESC LIMIT 1") \
    X (PLACEMENT_END, "UPDATE placements SET ended = ?2 WHERE id = ?1 AND ended IS NULL") \
    X (PLACEMENT_LONG_TERM, "UPDATE placements SET long_term_on = ?2 WHERE id = ?1") \
    X (PLACEMENTS_JSON, "SELECT p.id, k.ref, IFNULL (h.ref, ''), p.started, p.ended, p.long_term_on" \
                     " FROM placements p JOIN cases k ON k.id = p.child_id" \
                     " LEFT JOIN cases h ON h.id = p.carer_id" \
                     " WHERE p.child_id = ?1 OR p.carer_id = ?1 ORDER BY p.id") \
    X (TASK_SET_PLACEMENT, "UPDATE tasks SET placement_id = NULLIF (?2, 0) WHERE id = ?1") \
    X (TASK_PLACEMENT, "SELECT IFNULL (placement_id, 0) FROM tasks WHERE id = ?1") \
    X (RULE_OPEN_TASKS, "SELECT id FROM tasks WHERE case_id = ?1 AND rule_id = ?2" \
                     " AND " OPEN_STATE ("state") \
                     " AND (?3 < 0 OR IFNULL (placement_id, 0) = ?3) ORDER BY id") \
    X (RULE_TASK_COUNT, "SELECT COUNT (*) FROM tasks WHERE case_id = ?1 AND rule_id = ?2") \
    X (RULES_LAST_DONE, "SELECT IFNULL (MAX (done_on), '') FROM tasks WHERE case_id = ?1" \
                     " AND state = 'done' AND rule_id IN (?2, ?3, ?4) AND done_on >= ?5") \
    X (TASK_SET_RULE, "UPDATE tasks SET rule_id = ?2, title = ?3, version = version + 1, updated = ?4" \
                     " WHERE id = ?1") \
    X (PLACEMENT_SET_START, "UPDATE placements SET started = ?2 WHERE event_id = ?1")

//  Handover and the leave fixes
#define HANDOVER_STATEMENTS(X) \
    X (CASE_REF_TAKEN, "SELECT ref FROM cases WHERE ref = ?1 COLLATE NOCASE LIMIT 1") \
    X (CASE_REF_CLASHES, "SELECT COUNT (*) FROM (SELECT 1 FROM cases GROUP BY ref COLLATE NOCASE" \
                     " HAVING COUNT (*) > 1)") \
    X (COVER_CASE_LINE, "SELECT l.cover_id, l.how, IFNULL (s.handle, 'podd') FROM cover_lines l" \
                     " LEFT JOIN members s ON s.id = l.set_by" \
                     " WHERE l.absence_id = ?1 AND l.case_id = ?2 AND l.task_id IS NULL") \
    X (COVER_SET_HOW, "UPDATE cover_lines SET how = ?3 WHERE absence_id = ?1" \
                     " AND (case_id = ?2 AND task_id IS NULL OR task_id = ?4)") \
    X (COVER_TASK_LINES_OF_CASE, "SELECT l.id FROM cover_lines l JOIN tasks t ON t.id = l.task_id" \
                     " WHERE l.absence_id = ?1 AND t.case_id = ?2") \
    X (COVER_MOVES_TROUBLE, "SELECT t.id FROM cover_moves v JOIN tasks t ON t.id = v.task_id" \
                     " WHERE v.absence_id = ?1 AND t.assignee_id <> v.from_id" \
                     " AND (t.state IN ('open','offered') OR (t.state = 'accepted' AND t.due < ?2))" \
                     " ORDER BY t.due, t.id") \
    X (ABSENCE_SET_CHECK, "UPDATE absences SET check_at = NULLIF (?2, 0) WHERE id = ?1") \
    X (ABSENCE_SET_PACK, "UPDATE absences SET pack_at = NULLIF (?2, 0) WHERE id = ?1") \
    X (ABSENCE_CHECK_DUE, "SELECT id FROM absences WHERE check_at <= ?1 ORDER BY check_at, id") \
    X (ABSENCE_PACK_DUE, "SELECT id FROM absences WHERE pack_at <= ?1 ORDER BY pack_at, id") \
    X (ABSENCE_HANDOVER_NEXT, "SELECT MIN (t) FROM (SELECT MIN (check_at) AS t FROM absences" \
                     " WHERE check_at IS NOT NULL UNION ALL SELECT MIN (pack_at) FROM absences" \
                     " WHERE pack_at IS NOT NULL)") \
    X (ABSENCE_LIST, "SELECT a.id FROM absences a JOIN members m ON m.id = a.member_id" \
                     " WHERE (?1 = 0 OR m.pod_id = ?1) AND (?2 = 0 OR a.member_id = ?2)" \
                     " AND (?3 = 'all' OR a.status = ?3) AND (?4 IS NULL OR (a.starts, a.id) < (?4, ?5))" \
                     " ORDER BY a.starts DESC, a.id DESC LIMIT ?6") \
    X (ABSENCE_NOW,  "SELECT a.id FROM absences a JOIN members m ON m.id = a.member_id" \
                     " WHERE (?1 = 0 OR m.pod_id = ?1) AND (?2 = 0 OR a.member_id = ?2) AND a.approved" \
                     " AND a.starts <= ?3 AND (a.ends IS NULL OR a.ends > ?3) ORDER BY m.handle, a.id") \
    X (ABSENCE_NEXT_OF, "SELECT id FROM absences WHERE member_id = ?1 AND status IN ('requested','approved')" \
                     " AND NOT ended AND (ends IS NULL OR ends > ?2) ORDER BY starts LIMIT 1") \
    X (TASK_HOLDER_AT, "SELECT assignee_id FROM task_history WHERE task_id = ?1 AND at <= ?2" \
                     " AND assignee_id IS NOT NULL AND event <> 'declined' ORDER BY id DESC LIMIT 1") \
    X (REMINDER_MAILED_SINCE, "SELECT outbox_id FROM reminders WHERE member_id = ?1 AND at >= ?2" \
                     " AND outbox_id IS NOT NULL ORDER BY id LIMIT 1") \
    X (TASKS_DUE_FOR, "SELECT id FROM tasks WHERE assignee_id = ?1 AND " OPEN_STATE ("state") \
                     " AND (due IS NOT NULL AND due < ?2 OR follow_up < ?4 AND follow_up >= ?4 - 86400)" \
                     " ORDER BY due, id LIMIT ?3") \
    X (TASKS_OVERDUE_POD, "SELECT t.id FROM tasks t JOIN cases c ON c.id = t.case_id" \
                     " WHERE c.pod_id = ?1 AND " OPEN_STATE ("t.state") " AND t.due < ?2" \
                     " ORDER BY t.due, t.id LIMIT ?3") \
    X (HANDOVER_NOTE_SET, "INSERT INTO handover_notes (absence_id, case_id, text, author_id, at)" \
                     " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (absence_id, case_id)" \
                     " DO UPDATE SET text = ?3, author_id = ?4, at = ?5") \
    X (HANDOVER_NOTE_GET, "SELECT n.text, m.handle, n.at FROM handover_notes n" \
                     " JOIN members m ON m.id = n.author_id WHERE n.absence_id = ?1 AND n.case_id = ?2") \
    X (HANDOVER_PACK_ADD, "INSERT INTO handover_packs (absence_id, reason, built, body)" \
                     " VALUES (?1, ?2, ?3, ?4)") \
    X (HANDOVER_PACK_GET, "SELECT body FROM handover_packs WHERE absence_id = ?1 ORDER BY id DESC LIMIT 1") \
    X (CASE_OPEN_TASK_IDS, "SELECT id FROM tasks WHERE case_id = ?1 AND " OPEN_STATE ("state") \
                     " ORDER BY due IS NULL, due, id LIMIT 100") \
    X (CASE_NEXT_MEETINGS, "SELECT t.id, t.title, m.starts, m.location FROM meetings m" \
                     " JOIN tasks t ON t.id = m.task_id WHERE t.case_id = ?1 AND m.status = 'confirmed'" \
                     " AND m.ends > ?2 ORDER BY m.starts LIMIT 10") \
    X (CASE_RECENT_CONCERNS, "SELECT entry_date, kind, text, m.handle FROM chronology h" \
                     " JOIN members m ON m.id = h.author_id WHERE h.case_id = ?1" \
                     " AND h.kind IN ('concern','allegation') AND h.at >= ?2 ORDER BY h.entry_date DESC, h.id DESC" \
                     " LIMIT 20") \
    X (CASE_LAST_CONTACT, "SELECT h.entry_date, h.kind, m.handle FROM chronology h" \
                     " JOIN members m ON m.id = h.author_id WHERE h.case_id = ?1 AND h.kind <> 'event'" \
                     " ORDER BY h.entry_date DESC, h.id DESC LIMIT 1") \
    X (NOTICE_ADD,   "INSERT INTO notices (member_id, kind, text, data, created) VALUES (?1, ?2, ?3, ?4, ?5)") \
    X (NOTICE_LIST,  "SELECT id, kind, text, data, created FROM notices WHERE member_id = ?1" \
                     " AND (?2 = '' OR kind = ?2) AND (?4 IS NULL OR id < ?4) ORDER BY id DESC LIMIT ?3") \
    X (TASK_DELEGATION, "SELECT IFNULL (delegator_id, 0), awaiting_confirm, IFNULL (follow_up, 0)," \
                     " follow_up_sent FROM tasks WHERE id = ?1") \
    X (TASK_SET_DELEGATOR, "UPDATE tasks SET delegator_id = NULLIF (?2, 0) WHERE id = ?1") \
    X (TASK_SET_AWAITING, "UPDATE tasks SET awaiting_confirm = ?2 WHERE id = ?1") \
    X (TASK_SET_FOLLOW_UP, "UPDATE tasks SET follow_up = NULLIF (?2, 0), follow_up_sent = 0 WHERE id = ?1") \
    X (TASK_FOLLOW_UP_SENT, "UPDATE tasks SET follow_up_sent = 1 WHERE id = ?1") \
    X (TASK_FOLLOW_UP_DUE, "SELECT id FROM tasks WHERE follow_up <= ?1 AND NOT follow_up_sent" \
                     " ORDER BY follow_up, id LIMIT ?2") \
    X (TASK_FOLLOW_UP_NEXT, "SELECT MIN (follow_up) FROM tasks WHERE follow_up IS NOT NULL AND NOT follow_up_sent") \
    X (COVER_REQUEST_ADD, "INSERT INTO cover_requests (absence_id, kind, case_id, line_a, line_b, asked_by," \
                     " note, asked) VALUES (?1, ?2, NULLIF (?3, 0), NULLIF (?4, 0), NULLIF (?5, 0), ?6, ?7, ?8)") \
    X (COVER_REQUEST_GET, "SELECT id, absence_id, kind, IFNULL (case_id, 0), IFNULL (line_a, 0)," \
                     " IFNULL (line_b, 0), asked_by, status FROM cover_requests WHERE id = ?1") \
    X (COVER_REQUEST_DECIDE, "UPDATE cover_requests SET status = ?2, decided_by = ?3, decided = ?4" \
                     " WHERE id = ?1 AND status = 'open'") \
    X (COVER_REQUESTS_JSON, "SELECT r.id, r.kind, c.ref, r.line_a, r.line_b, a.handle, r.note, r.status," \
                     " d.handle, r.asked, r.decided FROM cover_requests r JOIN members a ON a.id = r.asked_by" \
                     " LEFT JOIN cases c ON c.id = r.case_id LEFT JOIN members d ON d.id = r.decided_by" \
                     " WHERE r.absence_id = ?1 ORDER BY r.id") \
    X (COVER_LINE_GET, "SELECT l.id, l.absence_id, IFNULL (l.case_id, 0), IFNULL (l.task_id, 0), l.cover_id" \
                     " FROM cover_lines l WHERE l.id = ?1") \
    X (COVER_LINE_SET_BY, "UPDATE cover_lines SET cover_id = ?2, set_by = ?3, how = ?4 WHERE id = ?1") \
    X (COVER_LINES_IDS, "SELECT l.id, m.handle FROM cover_lines l JOIN members m ON m.id = l.cover_id" \
                     " WHERE l.absence_id = ?1 ORDER BY l.id") \
    X (CHRONO_SINCE, "SELECT entry_date, kind, text FROM chronology WHERE case_id = ?1" \
                     " AND entry_date >= ?2 ORDER BY entry_date, id") \
    X (CASE_RULE_IDS, "SELECT DISTINCT rule_id FROM tasks WHERE case_id = ?1 AND rule_id IS NOT NULL" \
                     " ORDER BY rule_id") \
    X (STANDARD_TASKS_DONE, "SELECT id, IFNULL (done_on, ''), IFNULL (rule_id, ''), title FROM tasks" \
                     " WHERE case_id = ?1 AND rule_id IS NOT NULL AND state = 'done' AND done_on >= ?2" \
                     " ORDER BY done_on, id") \
    /*  Case transfers between pods */ \
    X (TRANSFER_ADD, "INSERT INTO case_transfers (case_id, from_pod, to_pod, old_lead, new_lead, note," \
                     " visit, location, requested_by, requested) VALUES (?1, ?2, ?3, NULLIF (?4, 0)," \
                     " NULLIF (?5, 0), ?6, NULLIF (?7, 0), ?8, ?9, ?10)") \
    X (TRANSFER_GET, "SELECT id, case_id, from_pod, to_pod, IFNULL (old_lead, 0), IFNULL (new_lead, 0)," \
                     " IFNULL (visit, 0), location, status, IFNULL (from_by, 0), IFNULL (to_by, 0)," \
                     " IFNULL (visit_task, 0), IFNULL (released, 0), requested_by, note" \
                     " FROM case_transfers WHERE id = ?1") \
    X (TRANSFER_PENDING, "SELECT id FROM case_transfers WHERE case_id = ?1 AND status = 'pending'") \
    X (TRANSFER_PLAN, "UPDATE case_transfers SET new_lead = NULLIF (?2, 0), visit = NULLIF (?3, 0)," \
                     " location = ?4 WHERE id = ?1 AND status = 'pending'") \
    X (TRANSFER_CONSENT_FROM, "UPDATE case_transfers SET from_by = ?2, from_at = ?3" \
                     " WHERE id = ?1 AND status = 'pending' AND from_by IS NULL") \
    X (TRANSFER_CONSENT_TO, "UPDATE case_transfers SET to_by = ?2, to_at = ?3" \
                     " WHERE id = ?1 AND status = 'pending' AND to_by IS NULL") \
    X (TRANSFER_REFUSE, "UPDATE case_transfers SET status = 'refused', refused_by = ?2, refused_at = ?3," \
                     " refuse_reason = ?4 WHERE id = ?1 AND status = 'pending'") \
    X (TRANSFER_DONE, "UPDATE case_transfers SET status = 'done', old_lead = NULLIF (?2, 0)," \
                     " visit_task = ?3, done_at = ?4 WHERE id = ?1 AND status = 'pending'") \
    X (TRANSFER_BY_VISIT, "SELECT id FROM case_transfers WHERE visit_task = ?1 AND status = 'done'" \
                     " AND released IS NULL") \
    X (TRANSFER_RELEASE, "UPDATE case_transfers SET released = ?2 WHERE id = ?1") \
    X (TRANSFER_JSON, "SELECT t.id, c.ref, fp.name, tp.name, ol.handle, nl.handle, t.note, t.visit," \
                     " t.location, t.status, rb.handle, t.requested, fb.handle, t.from_at, tb.handle, t.to_at," \
                     " xb.handle, t.refused_at, t.refuse_reason, t.done_at, t.visit_task, t.released" \
                     " FROM case_transfers t JOIN cases c ON c.id = t.case_id" \
                     " JOIN pods fp ON fp.id = t.from_pod JOIN pods tp ON tp.id = t.to_pod" \
                     " LEFT JOIN members ol ON ol.id = t.old_lead LEFT JOIN members nl ON nl.id = t.new_lead" \
                     " JOIN members rb ON rb.id = t.requested_by LEFT JOIN members fb ON fb.id = t.from_by" \
                     " LEFT JOIN members tb ON tb.id = t.to_by LEFT JOIN members xb ON xb.id = t.refused_by" \
                     " WHERE t.id = ?1") \
    X (TRANSFER_LIST, "SELECT id FROM case_transfers WHERE (?1 = 0 OR from_pod = ?1 OR to_pod = ?1)" \
                     " AND (?2 = 'all' OR status = ?2) AND (?3 IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?4") \
    X (CASE_MOVE_POD, "UPDATE cases SET pod_id = ?2, lead_id = NULLIF (?3, 0) WHERE id = ?1") \
    X (CASE_REMOVE_CO, "DELETE FROM case_workers WHERE case_id = ?1 AND member_id = ?2") \
    X (CASE_LIVE_TASKS, "SELECT id FROM tasks WHERE case_id = ?1 AND " OPEN_STATE ("state") " ORDER BY id") \
    X (CASE_COVER_MOVES_CLEAR, "DELETE FROM cover_moves WHERE task_id IN (SELECT id FROM tasks WHERE case_id = ?1)") \
    /* A report that hides nothing: who cancelled, who declined, tasks */ \
    /* of a statutory kind no standard is attached to */ \
    X (TASK_CANCELLED_BY, "SELECT IFNULL (m.handle, ''), h.reason, h.at FROM task_history h" \
                     " LEFT JOIN members m ON m.id = h.actor_id WHERE h.task_id = ?1" \
                     " AND h.event = 'cancelled' ORDER BY h.id DESC LIMIT 1") \
    X (TASK_DECLINERS, "SELECT DISTINCT m.handle FROM task_history h JOIN members m ON m.id = h.actor_id" \
                     " WHERE h.task_id = ?1 AND h.event = 'declined' ORDER BY m.handle") \
    X (COMPLIANCE_UNATTACHED, "SELECT t.id, t.kind, t.title, c.ref, t.due, t.state, a.handle" \
                     " FROM tasks t JOIN cases c ON c.id = t.case_id LEFT JOIN members a ON a.id = t.assignee_id" \
                     " WHERE t.rule_id IS NULL AND t.kind = ?5 AND ((t.due >= ?1 AND t.due < ?2)" \
                     " OR (t.state IN ('open','offered','accepted','declined') AND t.due < ?6))" \
                     " AND (?3 = 0 OR c.pod_id = ?3) AND (?4 = 0 OR t.assignee_id = ?4)" \
                     " ORDER BY t.due, t.id") \
    /* Continuity: contacts, lead and cover history, the weekly mail */ \
    X (CONTACT_ADD,  "INSERT INTO contacts (case_id, entry_id, contact_date, member_id, task_id, recorded_by, at)" \
                     " VALUES (?1, ?2, ?3, ?4, NULLIF (?5, 0), ?6, ?7)") \
    X (CONTACTS_OF_CASE, "SELECT k.entry_id, k.contact_date, k.member_id, m.handle FROM contacts k" \
                     " JOIN members m ON m.id = k.member_id WHERE k.case_id = ?1" \
                     " ORDER BY k.contact_date, k.entry_id, k.id") \
    X (CONTACT_LAST_BY, "SELECT MAX (contact_date) FROM contacts WHERE case_id = ?1 AND member_id = ?2" \
                     " AND contact_date >= ?3") \
    X (LEAD_HISTORY, "SELECT IFNULL (h.member_id, 0), m.handle, h.starts, IFNULL (h.ends, 0)," \
                     " IFNULL (s.handle, 'podd') FROM lead_history h LEFT JOIN members m ON m.id = h.member_id" \
                     " LEFT JOIN members s ON s.id = h.set_by WHERE h.case_id = ?1 ORDER BY h.starts, h.id") \
    X (LEAD_SET_BY,  "UPDATE lead_history SET set_by = NULLIF (?2, 0) WHERE case_id = ?1 AND ends IS NULL") \
    X (LEAD_AT,      "SELECT IFNULL (member_id, 0) FROM lead_history WHERE case_id = ?1 AND starts <= ?2" \
                     " AND (ends IS NULL OR ends > ?2) ORDER BY starts DESC, id DESC LIMIT 1") \
    X (COVER_AT,     "SELECT h.cover_id FROM cover_history h JOIN absences a ON a.id = h.absence_id" \
                     " WHERE h.case_id = ?1 AND h.task_id IS NULL AND a.member_id = ?2 AND a.approved" \
                     " AND a.starts <= ?3 AND (a.ends IS NULL OR a.ends > ?3)" \
                     " AND h.starts <= ?3 AND (h.ends IS NULL OR h.ends > ?3)" \
                     " ORDER BY a.starts DESC, h.starts DESC, h.id DESC LIMIT 1") \
    X (CONTINUITY_CASES, "SELECT id, ref, opened, IFNULL (closed, 0) FROM cases WHERE (?1 = 0 OR pod_id = ?1)" \
                     " AND (?4 = 0 OR id = ?4) AND opened < ?3 AND (closed IS NULL OR closed >= ?2) ORDER BY ref") \
    X (STANDARD_TASKS_BY, "SELECT id, done_on, IFNULL (assignee_id, 0) FROM tasks WHERE case_id = ?1" \
                     " AND rule_id IS NOT NULL AND state = 'done' AND done_on >= ?2 AND done_on <= ?3" \
                     " ORDER BY done_on, id") \
    X (CASE_COWORKER_ROWS, "SELECT member_id, since FROM case_workers WHERE case_id = ?1 ORDER BY member_id") \
    X (CONTINUITY_MAIL_SENT, "SELECT 1 FROM continuity_mail WHERE pod_id = ?1 AND week = ?2") \
    X (CONTINUITY_MAIL_ADD, "INSERT INTO continuity_mail (pod_id, week, outbox_id, at)" \
                     " VALUES (?1, ?2, NULLIF (?3, 0), ?4)") \
    /* Writes (issue 13): a task stored in its routed state in one INSERT */ \
    X (TASK_NEW_ROUTED, "INSERT INTO tasks (case_id, kind, title, due, priority, state, assignee_id," \
                     " creator_id, version, created, updated, next_reminder, last_reminded)" \
                     " VALUES (?1, ?2, ?3, NULLIF (?4, 0), ?5, ?6, NULLIF (?7, 0), ?8, ?9, ?10, ?10," \
                     " NULLIF (?11, 0), ?10)") \
    /* Writes (issue 13): the key of a task in a paged task list (the cursor) */ \
    X (TASK_PAGE_KEY, "SELECT CASE ?2 WHEN 'mine' THEN " TASK_MINE_KEY " WHEN 'case' THEN 0" \
                     " ELSE " TASK_DUE_KEY " END FROM tasks t WHERE t.id = ?1") \
    /* More paged lists (issue 13): partners by agency, name and id after the \
       partner of the cursor (?2); a case's chronology newest first before \
       the cursor's (date ?2, id ?3); an absence's start (LEAVE-LIST's key) */ \
    X (PARTNER_PAGE, "SELECT p.id FROM partners p WHERE (?1 = 0 OR EXISTS (SELECT 1 FROM case_partners c" \
                     "  WHERE c.case_id = ?1 AND c.partner_id = p.id))" \
                     " AND (?2 IS NULL OR (p.agency, p.name, p.id) > (SELECT agency, name, id FROM partners" \
                     "  WHERE id = ?2)) ORDER BY p.agency, p.name, p.id LIMIT ?3") \
    X (CHRONO_PAGE,  "SELECT id FROM chronology WHERE case_id = ?1" \
                     " AND (?2 IS NULL OR (entry_date, id) < (?2, ?3))" \
                     " ORDER BY entry_date DESC, id DESC LIMIT ?4") \
    X (ABSENCE_STARTS, "SELECT starts FROM absences WHERE id = ?1")

#define AS_ENUM(name, sql) SQL_##name,
#define AS_TEXT(name, sql) sql,
typedef enum { STATEMENTS (AS_ENUM) HANDOVER_STATEMENTS (AS_ENUM) SQL_COUNT } sql_id_t;
static const char *s_sql [SQL_COUNT] = { STATEMENTS (AS_TEXT) HANDOVER_STATEMENTS (AS_TEXT) };

//  Members read by id and by handle are kept (every request looks up its
//  member) until anything could have changed them: a write to members or
//  pods through this connection (update hook), a rollback, or a commit by
//  another connection (PRAGMA data_version, checked as a transaction
//  begins). Only the writer's store keeps them: a reader cannot see the
//  writer's changes as they are made.
#define MEMBER_CACHE_SLOTS 256  /* each way; a power of two */

typedef struct {
    podd_member_t by_id [MEMBER_CACHE_SLOTS];
    podd_member_t by_handle [MEMBER_CACHE_SLOTS];
    bool id_valid [MEMBER_CACHE_SLOTS];
    bool handle_valid [MEMBER_CACHE_SLOTS];
    int64_t data_version;       //  PRAGMA data_version when last checked
} s_member_cache_t;

struct _podd_store_t {
    sqlite3 *db;
    sqlite3_stmt *stmt [SQL_COUNT];
    int commit_error;           //  extended code of the last failed COMMIT, 0 = none
    s_member_cache_t *members;  //  NULL: not kept (read-only stores)
    int wal_pages;              //  frames in the WAL after the last commit
};

//  Copy text into dest, cut to fit and terminated (as snprintf "%s" would,
//  without its format machinery: rows are copied on every request)
static void
s_copy (char *dest, size_t size, const unsigned char *text)
{
    size_t length = text? strnlen ((const char *) text, size - 1): 0;
    if (length)
        memcpy (dest, text, length);
    dest [length] = 0;
}

//  Return the statement, reset and with bindings cleared, or NULL.
static sqlite3_stmt *
s_stmt (podd_store_t *self, sql_id_t id)
{
    if (!self->stmt [id]
    &&  sqlite3_prepare_v3 (self->db, s_sql [id], -1, SQLITE_PREPARE_PERSISTENT,
                            &self->stmt [id], NULL) != SQLITE_OK) {
        fprintf (stderr, "podd store: cannot prepare %d: %s\n", (int) id, sqlite3_errmsg (self->db));
        return NULL;
    }
    sqlite3_reset (self->stmt [id]);
    sqlite3_clear_bindings (self->stmt [id]);
    return self->stmt [id];
}

static void
s_bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
    if (text)
        sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null (stmt, index);
}

//  Run a statement that returns no rows; 0 when done, -1 on error.
static int
s_done (sqlite3_stmt *stmt)
{
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    return rc == SQLITE_DONE? 0: -1;
}

//  Run a statement with no parameters.
static int
s_run (podd_store_t *self, sql_id_t id)
{
    sqlite3_stmt *stmt = s_stmt (self, id);
    return stmt? s_done (stmt): -1;
}

//  --------------------------------------------------------------------
//  The member cache (see s_member_cache_t)

static void
s_members_forget (podd_store_t *self)
{
    if (self->members) {
        memset (self->members->id_valid, 0, sizeof self->members->id_valid);
        memset (self->members->handle_valid, 0, sizeof self->members->handle_valid);
    }
}

static void
s_members_changed (void *arg, int op, const char *database, const char *table, sqlite3_int64 rowid)
{
    (void) op; (void) database; (void) rowid;
    if (strcmp (table, "members") == 0 || strcmp (table, "pods") == 0)
        s_members_forget ((podd_store_t *) arg);
}

static size_t
s_handle_slot (const char *handle)
{
    size_t hash = 5381;
    for (const unsigned char *c = (const unsigned char *) handle; *c; c++)
        hash = hash * 33 + *c;
    return hash & (MEMBER_CACHE_SLOTS - 1);
}

static size_t
s_id_slot (int64_t id)
{
    return (size_t) id & (MEMBER_CACHE_SLOTS - 1);
}

static void
s_members_keep (podd_store_t *self, const podd_member_t *member)
{
    if (!self->members)
        return;
    size_t slot = s_id_slot (member->id);
    self->members->by_id [slot] = *member;
    self->members->id_valid [slot] = true;
    slot = s_handle_slot (member->handle);
    self->members->by_handle [slot] = *member;
    self->members->handle_valid [slot] = true;
}

//  First column of the first row as an integer, or dflt when no row.
static int64_t
s_scalar (sqlite3_stmt *stmt, int64_t dflt)
{
    int64_t value = dflt;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        value = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
    return value;
}

static json_t *
s_json_text (sqlite3_stmt *stmt, int column)
{
    const unsigned char *text = sqlite3_column_text (stmt, column);
    return text? json_string ((const char *) text): json_null ();
}

static json_t *
s_json_when (sqlite3_stmt *stmt, int column)
{
    if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
        return json_null ();
    char buf [PODD_WHEN_LEN];
    return json_string (podd_when_format (sqlite3_column_int64 (stmt, column), buf));
}

static json_t *
s_json_date (sqlite3_stmt *stmt, int column)
{
    if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
        return json_null ();
    char buf [PODD_DATE_LEN];
    return json_string (podd_when_local_date (sqlite3_column_int64 (stmt, column), buf));
}

//  podd_now (): the daemon's clock (the test clock in tests), for triggers
static void
s_sql_now (sqlite3_context *context, int argc, sqlite3_value **argv)
{
    (void) argc; (void) argv;
    sqlite3_result_int64 (context, podd_when_now ());
}

static int
s_migrate (podd_store_t *self, char *err, size_t errlen)
{
    int version = podd_store_schema_version (self);
    if (version > PODD_STORE_SCHEMA) {
        snprintf (err, errlen, "database schema %d is newer than this podd (%d)",
                  version, PODD_STORE_SCHEMA);
        return -1;
    }
    for (; version < PODD_STORE_SCHEMA; version++) {
        char pragma [64];
        snprintf (pragma, sizeof pragma, "PRAGMA user_version = %d", version + 1);
        char *msg = NULL;
        if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK
        ||  sqlite3_exec (self->db, s_migrations [version], NULL, NULL, &msg) != SQLITE_OK
        ||  sqlite3_exec (self->db, pragma, NULL, NULL, &msg) != SQLITE_OK
        ||  sqlite3_exec (self->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf (err, errlen, "migration to schema %d failed: %s", version + 1,
                      msg? msg: "unknown error");
            sqlite3_free (msg);
            sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

//  After each commit of the writer: how long the WAL is. The writer never
//  checkpoints by itself inside a commit (SQLite's automatic checkpoint
//  would copy the WAL into the database and fsync it in the commit that
//  crossed 1000 pages, holding up that batch's replies): the server asks
//  a checkpointer (checkpoint.c) to, on its own connection.
static int
s_wal_committed (void *arg, sqlite3 *db, const char *database, int pages)
{
    (void) db; (void) database;
    ((podd_store_t *) arg)->wal_pages = pages;
    return SQLITE_OK;
}

//  Open the database at path: read_only opens an existing one, at the
//  current schema, for reading only (no migrations; WAL as the writer set)
static podd_store_t *
s_store_open (const char *path, bool read_only, char *err, size_t errlen)
{
    assert (path);
    podd_store_t *self = (podd_store_t *) calloc (1, sizeof (podd_store_t));
    assert (self);
    int flags = read_only? SQLITE_OPEN_READONLY: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2 (path, &self->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf (err, errlen, "cannot open %s: %s", path,
                  self->db? sqlite3_errmsg (self->db): "out of memory");
        podd_store_destroy (&self);
        return NULL;
    }
    sqlite3_busy_timeout (self->db, 5000);
    //  The history triggers time their rows by the daemon's clock
    sqlite3_create_function (self->db, "podd_now", 0, SQLITE_UTF8, NULL,
                             s_sql_now, NULL, NULL);
    char *msg = NULL;
    if (read_only) {
        //  query_only: not even a handler's mistake can write through it
        int version = podd_store_schema_version (self);
        if (version != PODD_STORE_SCHEMA
        ||  sqlite3_exec (self->db, "PRAGMA query_only = ON; PRAGMA temp_store = MEMORY;",
                          NULL, NULL, &msg) != SQLITE_OK) {
            snprintf (err, errlen, "cannot read %s: %s", path,
                      msg? msg: "not a podd database at this schema");
            sqlite3_free (msg);
            podd_store_destroy (&self);
        }
        return self;
    }
    //  WAL with synchronous=FULL: a commit survives power loss
    //  temp_store in memory: each request's savepoint keeps its undo pages
    //  in RAM instead of a temp file (durability is the WAL's business)
    if (sqlite3_exec (self->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                      " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
                      NULL, NULL, &msg) != SQLITE_OK) {
        snprintf (err, errlen, "cannot configure %s: %s", path, msg? msg: "?");
        sqlite3_free (msg);
        podd_store_destroy (&self);
        return NULL;
    }
    if (s_migrate (self, err, errlen)) {
        podd_store_destroy (&self);
        return NULL;
    }
    self->members = (s_member_cache_t *) calloc (1, sizeof (s_member_cache_t));
    assert (self->members);
    sqlite3_update_hook (self->db, s_members_changed, self);
    sqlite3_wal_hook (self->db, s_wal_committed, self);     //  no automatic checkpoint
    return self;
}

podd_store_t *
podd_store_new_checkpointer (const char *path, char *err, size_t errlen)
{
    assert (path);
    podd_store_t *self = (podd_store_t *) calloc (1, sizeof (podd_store_t));
    assert (self);
    char *msg = NULL;
    //  synchronous=FULL: the checkpoint syncs the WAL before it copies it
    //  and the database after
    if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK
    ||  sqlite3_exec (self->db, "PRAGMA synchronous = FULL;", NULL, NULL, &msg) != SQLITE_OK) {
        snprintf (err, errlen, "cannot open %s: %s", path,
                  msg? msg: self->db? sqlite3_errmsg (self->db): "out of memory");
        sqlite3_free (msg);
        podd_store_destroy (&self);
        return NULL;
    }
    sqlite3_wal_autocheckpoint (self->db, 0);
    sqlite3_busy_timeout (self->db, 1000);
    return self;
}

int
podd_store_checkpoint (podd_store_t *self, int *copied)
{
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (copied)
        *copied = done;
    return rc == SQLITE_OK? 0: -1;
}

int
podd_store_wal_pages (podd_store_t *self)
{
    return self->wal_pages;
}

podd_store_t *
podd_store_new (const char *path, char *err, size_t errlen)
{
    return s_store_open (path, false, err, errlen);
}

podd_store_t *
podd_store_new_read_only (const char *path, char *err, size_t errlen)
{
    return s_store_open (path, true, err, errlen);
}

void
podd_store_destroy (podd_store_t **self_p)
{
    assert (self_p);
    podd_store_t *self = *self_p;
    if (self) {
        for (int i = 0; i < SQL_COUNT; i++)
            sqlite3_finalize (self->stmt [i]);
        sqlite3_close (self->db);
        free (self->members);
        free (self);
        *self_p = NULL;
    }
}

int
podd_store_schema_version (podd_store_t *self)
{
    sqlite3_stmt *stmt;
    int version = -1;
    if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK) {
        if (sqlite3_step (stmt) == SQLITE_ROW)
            version = sqlite3_column_int (stmt, 0);
        sqlite3_finalize (stmt);
    }
    return version;
}

const char *
podd_store_errmsg (podd_store_t *self)
{
    return sqlite3_errmsg (self->db);
}

//  Forget the members kept when another connection has committed since
//  the last check (inside a transaction: its snapshot is what it reads)
static void
s_members_check (podd_store_t *self)
{
    sqlite3_stmt *stmt = self->members? s_stmt (self, SQL_DATA_VERSION): NULL;
    if (!stmt)
        return;
    int64_t version = s_scalar (stmt, -1);
    sqlite3_reset (stmt);
    if (version != self->members->data_version || version == -1)
        s_members_forget (self);
    self->members->data_version = version;
}

int
podd_store_begin (podd_store_t *self)
{
    self->commit_error = 0;
    if (s_run (self, SQL_BEGIN))
        return -1;
    s_members_check (self);
    return 0;
}

int
podd_store_begin_read (podd_store_t *self)
{
    self->commit_error = 0;
    if (s_run (self, SQL_BEGIN_READ))
        return -1;
    s_members_check (self);
    return 0;
}

void
podd_store_set_busy_timeout (podd_store_t *self, int msecs)
{
    sqlite3_busy_timeout (self->db, msecs);
}

int
podd_store_backup (podd_store_t *self, const char *path)
{
    //  Outside any transaction: VACUUM INTO reads one consistent snapshot
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2 (self->db, "VACUUM INTO ?1", -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    s_bind_text (stmt, 1, path);
    int rc = sqlite3_step (stmt);
    sqlite3_finalize (stmt);
    return rc == SQLITE_DONE? 0: -1;
}

int64_t
podd_store_changes (podd_store_t *self)
{
    return sqlite3_total_changes64 (self->db);
}

bool
podd_store_in_txn (podd_store_t *self)
{
    return !sqlite3_get_autocommit (self->db);
}

bool
podd_store_busy (podd_store_t *self)
{
    return (sqlite3_extended_errcode (self->db) & 0xff) == SQLITE_BUSY;
}

static bool
s_full_code (int code)
{
    return (code & 0xff) == SQLITE_FULL || code == SQLITE_IOERR_WRITE;
}

bool
podd_store_full (podd_store_t *self)
{
    //  A failed COMMIT is rolled back after it: its code is kept
    return s_full_code (sqlite3_extended_errcode (self->db)) || s_full_code (self->commit_error);
}
int podd_store_savepoint (podd_store_t *self) { return s_run (self, SQL_SAVEPOINT); }
int podd_store_release (podd_store_t *self) { return s_run (self, SQL_RELEASE); }

int
podd_store_commit (podd_store_t *self)
{
    self->commit_error = 0;
    if (s_run (self, SQL_COMMIT) == 0)
        return 0;
    self->commit_error = sqlite3_extended_errcode (self->db);
    //  A failed COMMIT may leave the transaction open: roll it back so
    //  that nothing half-done survives, and tell the caller.
    if (!sqlite3_get_autocommit (self->db))
        s_run (self, SQL_ROLLBACK);
    s_members_forget (self);
    return -1;
}

int
podd_store_rollback (podd_store_t *self)
{
    s_members_forget (self);
    return sqlite3_get_autocommit (self->db)? 0: s_run (self, SQL_ROLLBACK);
}

int
podd_store_rollback_savepoint (podd_store_t *self)
{
    //  ROLLBACK TO leaves the savepoint on the stack: release it too
    s_members_forget (self);
    if (s_run (self, SQL_ROLLBACK_TO))
        return -1;
    return s_run (self, SQL_RELEASE);
}

//  --------------------------------------------------------------------
//  Pods

int
podd_store_pod_upsert (podd_store_t *self, const char *name, const char *title,
                       const char *mailbox)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_POD_UPSERT);
    if (!stmt)
        return -1;
    s_bind_text (stmt, 1, name);
    s_bind_text (stmt, 2, title? title: name);
    s_bind_text (stmt, 3, mailbox? mailbox: "");
    return s_done (stmt);
}

int
podd_store_pod_set_duty (podd_store_t *self, int64_t pod_id, int64_t member_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_POD_DUTY);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    if (member_id)
        sqlite3_bind_int64 (stmt, 2, member_id);
    return s_done (stmt);
}

static int
s_pod_row (sqlite3_stmt *stmt, podd_pod_t *pod)
{
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        pod->id = sqlite3_column_int64 (stmt, 0);
        s_copy (pod->name, sizeof pod->name, sqlite3_column_text (stmt, 1));
        s_copy (pod->title, sizeof pod->title, sqlite3_column_text (stmt, 2));
        s_copy (pod->mailbox, sizeof pod->mailbox, sqlite3_column_text (stmt, 3));
        pod->duty_id = sqlite3_column_int64 (stmt, 4);
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_pod_by_name (podd_store_t *self, const char *name, podd_pod_t *pod)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_POD_BY_NAME);
    if (!stmt || !name)
        return -1;
    s_bind_text (stmt, 1, name);
    return s_pod_row (stmt, pod);
}

int
podd_store_pod_by_id (podd_store_t *self, int64_t id, podd_pod_t *pod)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_POD_BY_ID);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    return s_pod_row (stmt, pod);
}

json_t *
podd_store_pod_json (podd_store_t *self, int64_t pod_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_POD_JSON);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    json_t *pod = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        pod = json_pack ("{s:o s:o s:o s:o s:I s:I}",
            "name", s_json_text (stmt, 0), "title", s_json_text (stmt, 1),
            "mailbox", s_json_text (stmt, 2), "duty", s_json_text (stmt, 3),
            "members", (json_int_t) sqlite3_column_int64 (stmt, 4),
            "open_cases", (json_int_t) sqlite3_column_int64 (stmt, 5));
    sqlite3_reset (stmt);
    return pod;
}

//  Collect the first-column ids of a prepared statement's rows.
static size_t
s_ids (sqlite3_stmt *stmt, int64_t *ids, size_t max)
{
    size_t count = 0;
    while (count < max && sqlite3_step (stmt) == SQLITE_ROW)
        ids [count++] = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
    return count;
}

//  Build a JSON array by mapping ids through a JSON builder.
typedef json_t *(s_builder_fn) (podd_store_t *self, int64_t id);

static json_t *
s_list (podd_store_t *self, sqlite3_stmt *stmt, s_builder_fn *builder)
{
    //  Builders reuse statements, so collect the ids first
    size_t max = PODD_STORE_LIST_MAX;
    int64_t *ids = (int64_t *) malloc (max * sizeof (int64_t));
    assert (ids);
    size_t count = s_ids (stmt, ids, max);
    json_t *items = json_array ();
    for (size_t i = 0; i < count; i++) {
        json_t *item = builder (self, ids [i]);
        if (item)
            json_array_append_new (items, item);
    }
    free (ids);
    return items;
}

static json_t *
s_pod_json_builder (podd_store_t *self, int64_t id)
{
    return podd_store_pod_json (self, id);
}

json_t *
podd_store_pod_list (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_POD_LIST);
    return stmt? s_list (self, stmt, s_pod_json_builder): NULL;
}

//  --------------------------------------------------------------------
//  Members

static int64_t
s_member_write (podd_store_t *self, sql_id_t id, const char *handle, const char *name,
                const char *email, const char *role, int64_t pod_id, const char *skills,
                const char *pattern, bool admin)
{
    sqlite3_stmt *stmt = s_stmt (self, id);
    if (!stmt)
        return -1;
    s_bind_text (stmt, 1, handle);
    s_bind_text (stmt, 2, name);
    s_bind_text (stmt, 3, email);
    s_bind_text (stmt, 4, role);
    if (pod_id)
        sqlite3_bind_int64 (stmt, 5, pod_id);
    s_bind_text (stmt, 6, skills? skills: "");
    s_bind_text (stmt, 7, pattern && *pattern? pattern: "mon-fri");
    sqlite3_bind_int (stmt, 8, admin);
    sqlite3_bind_int64 (stmt, 9, podd_when_now ());
    if (s_done (stmt))
        return -1;
    stmt = s_stmt (self, SQL_MEMBER_ID_BY_HANDLE);
    s_bind_text (stmt, 1, handle);
    return s_scalar (stmt, -1);
}

int64_t
podd_store_member_upsert (podd_store_t *self, const char *handle, const char *name,
                          const char *email, const char *role, int64_t pod_id,
                          const char *skills, const char *pattern, bool admin)
{
    return s_member_write (self, SQL_MEMBER_UPSERT, handle, name, email, role, pod_id,
                           skills, pattern, admin);
}

int64_t
podd_store_member_add (podd_store_t *self, const char *handle, const char *name,
                       const char *email, const char *role, int64_t pod_id,
                       const char *skills, const char *pattern, bool admin)
{
    return s_member_write (self, SQL_MEMBER_ADD, handle, name, email, role, pod_id,
                           skills, pattern, admin);
}

static int
s_member_row (sqlite3_stmt *stmt, podd_member_t *member)
{
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        member->id = sqlite3_column_int64 (stmt, 0);
        s_copy (member->handle, sizeof member->handle, sqlite3_column_text (stmt, 1));
        s_copy (member->name, sizeof member->name, sqlite3_column_text (stmt, 2));
        s_copy (member->email, sizeof member->email, sqlite3_column_text (stmt, 3));
        s_copy (member->role, sizeof member->role, sqlite3_column_text (stmt, 4));
        member->pod_id = sqlite3_column_int64 (stmt, 5);
        s_copy (member->pod, sizeof member->pod, sqlite3_column_text (stmt, 6));
        s_copy (member->pattern, sizeof member->pattern, sqlite3_column_text (stmt, 7));
        member->admin = sqlite3_column_int (stmt, 8) != 0;
        member->active = sqlite3_column_int (stmt, 9) != 0;
        s_copy (member->curve_key, sizeof member->curve_key, sqlite3_column_text (stmt, 10));
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_member_by_handle (podd_store_t *self, const char *handle, podd_member_t *member)
{
    if (!handle)
        return -1;
    if (self->members) {
        size_t slot = s_handle_slot (handle);
        if (self->members->handle_valid [slot]
        &&  strcmp (self->members->by_handle [slot].handle, handle) == 0) {
            *member = self->members->by_handle [slot];
            return 0;
        }
    }
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEMBER_BY_HANDLE);
    if (!stmt)
        return -1;
    s_bind_text (stmt, 1, handle);
    if (s_member_row (stmt, member))
        return -1;
    s_members_keep (self, member);
    return 0;
}

int
podd_store_member_by_id (podd_store_t *self, int64_t id, podd_member_t *member)
{
    if (self->members) {
        size_t slot = s_id_slot (id);
        if (self->members->id_valid [slot] && self->members->by_id [slot].id == id) {
            *member = self->members->by_id [slot];
            return 0;
        }
    }
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEMBER_BY_ID);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    if (s_member_row (stmt, member))
        return -1;
    s_members_keep (self, member);
    return 0;
}

int
podd_store_member_by_key (podd_store_t *self, const char *curve_key, podd_member_t *member)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEMBER_BY_KEY);
    if (!stmt || !curve_key)
        return -1;
    s_bind_text (stmt, 1, curve_key);
    return s_member_row (stmt, member);
}

int
podd_store_member_set_key (podd_store_t *self, int64_t id, const char *curve_key)
{
    //  A key belongs to one member: take it from anyone else first
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEMBER_CLEAR_KEY);
    if (!stmt)
        return -1;
    s_bind_text (stmt, 1, curve_key);
    sqlite3_bind_int64 (stmt, 2, id);
    if (s_done (stmt))
        return -1;
    stmt = s_stmt (self, SQL_MEMBER_SET_KEY);
    sqlite3_bind_int64 (stmt, 1, id);
    s_bind_text (stmt, 2, curve_key);
    return s_done (stmt);
}

json_t *
podd_store_member_json (podd_store_t *self, int64_t id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEMBER_BY_ID);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, id);
    json_t *member = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        const unsigned char *pod = sqlite3_column_text (stmt, 6);
        member = json_pack ("{s:o s:o s:o s:o s:o s:o s:o s:b s:b}",
            "handle", s_json_text (stmt, 1), "name", s_json_text (stmt, 2),
            "email", s_json_text (stmt, 3), "role", s_json_text (stmt, 4),
            "pod", pod && *pod? json_string ((const char *) pod): json_null (),
            "skills", s_json_text (stmt, 11), "pattern", s_json_text (stmt, 7),
            "admin", sqlite3_column_int (stmt, 8), "active", sqlite3_column_int (stmt, 9));
    }
    sqlite3_reset (stmt);
    return member;
}

json_t *
podd_store_member_list (podd_store_t *self, int64_t pod_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEMBER_LIST);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    sqlite3_bind_int64 (stmt, 3, -1);           //  every one: a pod's members
    return s_list (self, stmt, podd_store_member_json);
}

size_t
podd_store_pod_member_ids (podd_store_t *self, int64_t pod_id, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_POD_MEMBER_IDS);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    return s_ids (stmt, ids, max);
}

int64_t
podd_store_pod_manager (podd_store_t *self, int64_t pod_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_POD_MANAGER);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    return s_scalar (stmt, 0);
}

//  --------------------------------------------------------------------
//  Cases

int64_t
podd_store_case_open (podd_store_t *self, const char *ref, const char *kind, int64_t pod_id,
                      int64_t lead_id, const char *summary, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_OPEN);
    if (!stmt)
        return -1;
    s_bind_text (stmt, 1, ref);
    s_bind_text (stmt, 2, kind);
    sqlite3_bind_int64 (stmt, 3, pod_id);
    sqlite3_bind_int64 (stmt, 4, lead_id);
    s_bind_text (stmt, 5, summary? summary: "");
    sqlite3_bind_int64 (stmt, 6, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

static int
s_case_row (sqlite3_stmt *stmt, podd_case_t *kase)
{
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        kase->id = sqlite3_column_int64 (stmt, 0);
        s_copy (kase->ref, sizeof kase->ref, sqlite3_column_text (stmt, 1));
        s_copy (kase->kind, sizeof kase->kind, sqlite3_column_text (stmt, 2));
        kase->pod_id = sqlite3_column_int64 (stmt, 3);
        kase->lead_id = sqlite3_column_int64 (stmt, 4);
        kase->open = sqlite3_column_int (stmt, 5) != 0;
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_case_by_ref (podd_store_t *self, const char *ref, podd_case_t *kase)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_BY_REF);
    if (!stmt || !ref)
        return -1;
    s_bind_text (stmt, 1, ref);
    return s_case_row (stmt, kase);
}

int
podd_store_case_by_id (podd_store_t *self, int64_t id, podd_case_t *kase)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_BY_ID);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    return s_case_row (stmt, kase);
}

//  Run a statement binding two integers.
static int
s_run_ii (podd_store_t *self, sql_id_t id, int64_t a, int64_t b)
{
    sqlite3_stmt *stmt = s_stmt (self, id);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, a);
    sqlite3_bind_int64 (stmt, 2, b);
    return s_done (stmt);
}

int
podd_store_case_set_lead (podd_store_t *self, int64_t case_id, int64_t lead_id)
{
    return s_run_ii (self, SQL_CASE_SET_LEAD, case_id, lead_id);
}

int
podd_store_case_clear_coworkers (podd_store_t *self, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_CLEAR_CO);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    return s_done (stmt);
}

int
podd_store_case_add_coworker (podd_store_t *self, int64_t case_id, int64_t member_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_ADD_CO);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    sqlite3_bind_int64 (stmt, 3, podd_when_now ());
    return s_done (stmt);
}

bool
podd_store_case_is_coworker (podd_store_t *self, int64_t case_id, int64_t member_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_IS_CO);
    if (!stmt)
        return false;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    return s_scalar (stmt, 0) == 1;
}

int
podd_store_case_close (podd_store_t *self, int64_t case_id, const char *reason, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_CLOSE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, reason? reason: "");
    sqlite3_bind_int64 (stmt, 3, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_changes (self->db) == 1? 0: -1;
}

//  Array of the first text column of every row
static json_t *
s_text_array (sqlite3_stmt *stmt)
{
    json_t *items = json_array ();
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, s_json_text (stmt, 0));
    sqlite3_reset (stmt);
    return items;
}

json_t *
podd_store_case_json (podd_store_t *self, int64_t case_id, bool with_chronology)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_JSON);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, case_id);
    json_t *kase = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        kase = json_pack ("{s:o s:o s:o s:o s:o s:o s:o s:o}",
            "ref", s_json_text (stmt, 0), "kind", s_json_text (stmt, 1),
            "pod", s_json_text (stmt, 2), "lead", s_json_text (stmt, 3),
            "status", s_json_text (stmt, 4), "summary", s_json_text (stmt, 5),
            "opened", s_json_date (stmt, 6), "closed", s_json_date (stmt, 7));
    sqlite3_reset (stmt);
    if (!kase)
        return NULL;
    stmt = s_stmt (self, SQL_CASE_COWORKERS);
    sqlite3_bind_int64 (stmt, 1, case_id);
    json_object_set_new (kase, "coworkers", s_text_array (stmt));
    if (with_chronology) {
        stmt = s_stmt (self, SQL_CASE_CHRONOLOGY);
        sqlite3_bind_int64 (stmt, 1, case_id);
        json_object_set_new (kase, "chronology",
                             s_list (self, stmt, podd_store_chronology_json));
    }
    return kase;
}

static json_t *
s_case_json_builder (podd_store_t *self, int64_t id)
{
    return podd_store_case_json (self, id, false);
}

json_t *
podd_store_case_list (podd_store_t *self, int64_t pod_id, int64_t member_id, const char *status)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_LIST);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    s_bind_text (stmt, 3, status? status: "open");
    sqlite3_bind_int64 (stmt, 5, -1);
    return s_list (self, stmt, s_case_json_builder);
}

size_t
podd_store_case_acquainted (podd_store_t *self, int64_t case_id, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_ACQUAINTED);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, (int64_t) max);
    return s_ids (stmt, ids, max);
}

json_t *
podd_store_caseload (podd_store_t *self, int64_t pod_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASELOAD);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    json_t *items = json_array ();
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:o s:o s:o s:o s:I s:I s:I}",
            "pod", s_json_text (stmt, 0), "member", s_json_text (stmt, 1),
            "name", s_json_text (stmt, 2), "role", s_json_text (stmt, 3),
            "lead", (json_int_t) sqlite3_column_int64 (stmt, 4),
            "coworker", (json_int_t) sqlite3_column_int64 (stmt, 5),
            "open_tasks", (json_int_t) sqlite3_column_int64 (stmt, 6)));
    sqlite3_reset (stmt);
    return items;
}

//  --------------------------------------------------------------------
//  Chronology and audit

int64_t
podd_store_chronology_add (podd_store_t *self, int64_t case_id, const char *date,
                           const char *kind, const char *text, int64_t author_id, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CHRONO_ADD);
    if (!stmt)
        return -1;
    char today [PODD_DATE_LEN];
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, date? date: podd_when_local_date (now, today));
    s_bind_text (stmt, 3, kind? kind: "note");
    s_bind_text (stmt, 4, text);
    sqlite3_bind_int64 (stmt, 5, author_id);
    sqlite3_bind_int64 (stmt, 6, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

json_t *
podd_store_chronology_json (podd_store_t *self, int64_t entry_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CHRONO_JSON);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, entry_id);
    json_t *entry = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        entry = json_pack ("{s:I s:o s:o s:o s:o s:o}",
            "id", (json_int_t) sqlite3_column_int64 (stmt, 0),
            "date", s_json_text (stmt, 1), "kind", s_json_text (stmt, 2),
            "text", s_json_text (stmt, 3), "author", s_json_text (stmt, 4),
            "at", s_json_when (stmt, 5));
    sqlite3_reset (stmt);
    return entry;
}

int
podd_store_audit (podd_store_t *self, int64_t actor_id, const char *connection,
                  const char *action, const char *object, const char *detail, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_AUDIT_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, now);
    sqlite3_bind_int64 (stmt, 2, actor_id);
    s_bind_text (stmt, 3, connection? connection: "local");
    s_bind_text (stmt, 4, action);
    s_bind_text (stmt, 5, object? object: "");
    s_bind_text (stmt, 6, detail? detail: "");
    return s_done (stmt);
}

int64_t
podd_store_audit_count (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_AUDIT_COUNT);
    return stmt? s_scalar (stmt, 0): -1;
}

json_t *
podd_store_audit_list (podd_store_t *self, podd_audit_query_t *query)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_AUDIT_LIST);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, query->before > 0? query->before: INT64_MAX);
    sqlite3_bind_int64 (stmt, 2, query->from);
    sqlite3_bind_int64 (stmt, 3, query->to);
    sqlite3_bind_int64 (stmt, 4, query->actor_id);
    sqlite3_bind_int64 (stmt, 5, query->pod_id);
    s_bind_text (stmt, 6, query->case_ref);
    sqlite3_bind_int64 (stmt, 7, query->limit);
    sqlite3_bind_int64 (stmt, 8, query->scan);
    json_t *items = json_array ();
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o s:o s:o s:o s:o s:o s:o s:o}",
            "id", (json_int_t) sqlite3_column_int64 (stmt, 0),
            "at", s_json_when (stmt, 1), "actor", s_json_text (stmt, 2),
            "connection", s_json_text (stmt, 3), "action", s_json_text (stmt, 4),
            "object", s_json_text (stmt, 5), "detail", s_json_text (stmt, 6),
            "case", s_json_text (stmt, 7), "pod", s_json_text (stmt, 8)));
    sqlite3_reset (stmt);
    //  Where the next page starts: below the last row of a full page, or
    //  below the rows looked at when the scan stopped at its bound
    query->next = 0;
    json_t *last = json_array_get (items, json_array_size (items) - 1);
    if ((int64_t) json_array_size (items) == query->limit && last)
        query->next = json_integer_value (json_object_get (last, "id"));
    else
    if ((stmt = s_stmt (self, SQL_AUDIT_WINDOW))) {
        sqlite3_bind_int64 (stmt, 1, query->before > 0? query->before: INT64_MAX);
        sqlite3_bind_int64 (stmt, 2, query->scan);
        if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 1) == query->scan)
            query->next = sqlite3_column_int64 (stmt, 0);
        sqlite3_reset (stmt);
    }
    return items;
}

//  --------------------------------------------------------------------
//  Tasks

int64_t
podd_store_task_new (podd_store_t *self, int64_t case_id, const char *kind, const char *title,
                     int64_t due, const char *priority, int64_t creator_id, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_NEW);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, kind);
    s_bind_text (stmt, 3, title);
    sqlite3_bind_int64 (stmt, 4, due);
    s_bind_text (stmt, 5, priority? priority: "routine");
    sqlite3_bind_int64 (stmt, 6, creator_id);
    sqlite3_bind_int64 (stmt, 7, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

int
podd_store_task_get (podd_store_t *self, int64_t id, podd_task_t *task)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_GET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        task->id = sqlite3_column_int64 (stmt, 0);
        task->case_id = sqlite3_column_int64 (stmt, 1);
        s_copy (task->kind, sizeof task->kind, sqlite3_column_text (stmt, 2));
        s_copy (task->state, sizeof task->state, sqlite3_column_text (stmt, 3));
        task->assignee_id = sqlite3_column_int64 (stmt, 4);
        task->creator_id = sqlite3_column_int64 (stmt, 5);
        task->version = sqlite3_column_int64 (stmt, 6);
        task->due = sqlite3_column_int64 (stmt, 7);
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_task_set (podd_store_t *self, int64_t id, const char *state, int64_t assignee_id,
                     int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_SET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    s_bind_text (stmt, 2, state);
    sqlite3_bind_int64 (stmt, 3, assignee_id);
    sqlite3_bind_int64 (stmt, 4, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_changes (self->db) == 1? 0: -1;
}

int
podd_store_task_set_evidence (podd_store_t *self, int64_t id, const char *evidence,
                              const char *reference)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_EVIDENCE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    s_bind_text (stmt, 2, evidence);
    s_bind_text (stmt, 3, reference);
    return s_done (stmt);
}

int
podd_store_task_history_add (podd_store_t *self, int64_t task_id, int64_t actor_id,
                             const char *event, int64_t assignee_id, const char *reason,
                             int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_HISTORY_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    sqlite3_bind_int64 (stmt, 2, now);
    sqlite3_bind_int64 (stmt, 3, actor_id);
    s_bind_text (stmt, 4, event);
    sqlite3_bind_int64 (stmt, 5, assignee_id);
    s_bind_text (stmt, 6, reason? reason: "");
    return s_done (stmt);
}

bool
podd_store_task_declined_by (podd_store_t *self, int64_t task_id, int64_t member_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_DECLINED_BY);
    if (!stmt)
        return false;
    sqlite3_bind_int64 (stmt, 1, task_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    return s_scalar (stmt, 0) == 1;
}

//  --------------------------------------------------------------------
//  JSON text written directly (task objects, issue 13)

typedef struct {
    char *data;
    size_t length, size;
} s_text_t;

static void
s_text_room (s_text_t *text, size_t more)
{
    if (text->length + more + 1 > text->size) {
        while (text->length + more + 1 > text->size)
            text->size = text->size? text->size * 2: 1024;
        text->data = (char *) realloc (text->data, text->size);
        assert (text->data);
    }
}

static void
s_text_add (s_text_t *text, const char *bytes, size_t length)
{
    s_text_room (text, length);
    memcpy (text->data + text->length, bytes, length);
    text->length += length;
    text->data [text->length] = 0;
}

#define s_text_lit(text, literal) s_text_add ((text), (literal), sizeof (literal) - 1)

//  The length of the well-formed UTF-8 sequence at text (1 to 4), or 0
//  when it is not one (a stray continuation byte, a cut or overlong
//  sequence, a surrogate, beyond U+10FFFF)
static size_t
s_utf8_sequence (const unsigned char *text, size_t left)
{
    unsigned char c = text [0];
    if (c < 0x80)
        return 1;
    size_t length = c >= 0xc2 && c <= 0xdf? 2: c >= 0xe0 && c <= 0xef? 3: c >= 0xf0 && c <= 0xf4? 4: 0;
    if (!length || length > left)
        return 0;
    for (size_t i = 1; i < length; i++)
        if ((text [i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && text [1] < 0xa0) || (c == 0xed && text [1] > 0x9f)
    ||  (c == 0xf0 && text [1] < 0x90) || (c == 0xf4 && text [1] > 0x8f))
        return 0;
    return length;
}

//  A JSON string: quote, backslash and control characters escaped; UTF-8
//  as it is; an octet that is not UTF-8 (text that came in is checked, but
//  a row may have been written by something else) as U+FFFD, so that the
//  object is always JSON
static void
s_text_string (s_text_t *text, const unsigned char *value, size_t length)
{
    s_text_room (text, length * 6 + 2);
    char *out = text->data + text->length;
    *out++ = '"';
    for (size_t i = 0; i < length; i++) {
        unsigned char c = value [i];
        if (c == '"' || c == '\\') {
            *out++ = '\\';
            *out++ = (char) c;
        }
        else
        if (c < 0x20) {
            static const char hex [] = "0123456789abcdef";
            *out++ = '\\';
            if (c == '\n')      *out++ = 'n';
            else if (c == '\t') *out++ = 't';
            else if (c == '\r') *out++ = 'r';
            else {
                memcpy (out, "u00", 3);
                out += 3;
                *out++ = hex [c >> 4];
                *out++ = hex [c & 15];
            }
        }
        else
        if (c < 0x80)
            *out++ = (char) c;
        else {
            size_t sequence = s_utf8_sequence (value + i, length - i);
            if (sequence) {
                memcpy (out, value + i, sequence);
                out += sequence;
                i += sequence - 1;
            }
            else {
                memcpy (out, "\xef\xbf\xbd", 3);    //  U+FFFD, 3 octets for 1: room enough
                out += 3;
            }
        }
    }
    *out++ = '"';
    text->length = (size_t) (out - text->data);
    text->data [text->length] = 0;
}

//  ,"key": then a column as a JSON string, number or null (no printf:
//  its machinery costs more than the rest of a row together)
static void
s_text_key (s_text_t *text, const char *key)
{
    size_t length = strlen (key);
    s_text_room (text, length + 4);
    char *out = text->data + text->length;
    out [0] = ',';
    out [1] = '"';
    memcpy (out + 2, key, length);
    out [length + 2] = '"';
    out [length + 3] = ':';
    text->length += length + 4;
    text->data [text->length] = 0;
}

static void
s_text_int (s_text_t *text, int64_t value)
{
    char digits [24];
    size_t count = 0;
    uint64_t magnitude = value < 0? (uint64_t) 0 - (uint64_t) value: (uint64_t) value;
    do {
        digits [count++] = (char) ('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    s_text_room (text, count + 1);
    if (value < 0)
        text->data [text->length++] = '-';
    while (count)
        text->data [text->length++] = digits [--count];
    text->data [text->length] = 0;
}

static void
s_text_column_string (s_text_t *text, const char *key, sqlite3_stmt *stmt, int column)
{
    s_text_key (text, key);
    const unsigned char *value = sqlite3_column_text (stmt, column);
    if (value)
        s_text_string (text, value, (size_t) sqlite3_column_bytes (stmt, column));
    else
        s_text_lit (text, "null");
}

static void
s_text_column_int (s_text_t *text, const char *key, sqlite3_stmt *stmt, int column)
{
    s_text_key (text, key);
    s_text_int (text, sqlite3_column_int64 (stmt, column));
}

static void
s_text_column_when (s_text_t *text, const char *key, sqlite3_stmt *stmt, int column)
{
    char buf [PODD_WHEN_LEN];
    s_text_key (text, key);
    if (sqlite3_column_type (stmt, column) == SQLITE_NULL
    ||  !*podd_when_format (sqlite3_column_int64 (stmt, column), buf))
        s_text_lit (text, "null");
    else
        s_text_string (text, (const unsigned char *) buf, strlen (buf));
}

//  The task object of a row of TASK_COLUMNS, as JSON text added to text
static void
s_task_row_text (s_text_t *text, sqlite3_stmt *stmt)
{
    s_text_lit (text, "{\"id\":");
    s_text_int (text, sqlite3_column_int64 (stmt, 0));
    s_text_column_string (text, "case", stmt, 2);
    s_text_column_string (text, "kind", stmt, 3);
    s_text_column_string (text, "title", stmt, 4);
    s_text_column_when (text, "due", stmt, 1);
    s_text_column_string (text, "priority", stmt, 5);
    s_text_column_string (text, "state", stmt, 6);
    s_text_column_string (text, "assignee", stmt, 7);
    s_text_column_string (text, "creator", stmt, 8);
    s_text_column_int (text, "version", stmt, 9);
    s_text_column_string (text, "evidence", stmt, 10);
    s_text_column_string (text, "reference", stmt, 11);
    s_text_column_when (text, "created", stmt, 12);
    s_text_column_when (text, "updated", stmt, 13);
    s_text_column_string (text, "standard", stmt, 14);
    s_text_column_string (text, "done_on", stmt, 15);
    //  On time: done on or before the London date it was due
    s_text_key (text, "on_time");
    const unsigned char *done_on = sqlite3_column_text (stmt, 15);
    if (done_on && sqlite3_column_type (stmt, 1) != SQLITE_NULL) {
        char due_date [PODD_DATE_LEN];
        podd_when_local_date (sqlite3_column_int64 (stmt, 1), due_date);
        if (podd_when_date_cmp ((const char *) done_on, due_date) <= 0)
            s_text_lit (text, "true");
        else
            s_text_lit (text, "false");
    }
    else
        s_text_lit (text, "null");
    s_text_column_string (text, "delegator", stmt, 16);
    s_text_key (text, "awaiting_confirm");
    if (sqlite3_column_int (stmt, 17))
        s_text_lit (text, "true");
    else
        s_text_lit (text, "false");
    s_text_column_when (text, "follow_up", stmt, 18);
    s_text_lit (text, "}");
}

//  The task object of a row of TASK_COLUMNS
static json_t *
s_task_row_json (sqlite3_stmt *stmt)
{
    s_text_t text = { NULL, 0, 0 };
    s_task_row_text (&text, stmt);
    json_t *task = json_loadb (text.data, text.length, 0, NULL);
    free (text.data);
    return task;
}

char *
podd_store_task_text (podd_store_t *self, int64_t id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_JSON);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, id);
    s_text_t text = { NULL, 0, 0 };
    if (sqlite3_step (stmt) == SQLITE_ROW)
        s_task_row_text (&text, stmt);
    sqlite3_reset (stmt);
    return text.data;
}

json_t *
podd_store_task_json (podd_store_t *self, int64_t id, bool with_history)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_JSON);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, id);
    json_t *task = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        task = s_task_row_json (stmt);
    sqlite3_reset (stmt);
    if (task && with_history) {
        stmt = s_stmt (self, SQL_TASK_HISTORY);
        sqlite3_bind_int64 (stmt, 1, id);
        json_t *history = json_array ();
        while (sqlite3_step (stmt) == SQLITE_ROW)
            json_array_append_new (history, json_pack ("{s:o s:o s:o s:o s:o}",
                "at", s_json_when (stmt, 0), "actor", s_json_text (stmt, 1),
                "event", s_json_text (stmt, 2), "assignee", s_json_text (stmt, 3),
                "reason", s_json_text (stmt, 4)));
        sqlite3_reset (stmt);
        json_object_set_new (task, "history", history);
    }
    return task;
}

json_t *
podd_store_task_list (podd_store_t *self, const char *scope, int64_t member_id, int64_t pod_id,
                      int64_t case_id, int64_t now, size_t limit)
{
    podd_page_t page = { .after = NULL, .limit = limit };
    char *text = podd_store_task_page_text (self, scope, member_id, pod_id, case_id, now, &page);
    json_t *items = text? json_loads (text, 0, NULL): NULL;
    free (text);
    return items;
}

//  A cursor "SCOPE:KEY:ID" of the scope's list: key and id, 0; else -1
static int
s_task_cursor (const char *cursor, const char *scope, int64_t *key, int64_t *id)
{
    size_t length = strlen (scope);
    if (strncmp (cursor, scope, length) || cursor [length] != ':')
        return -1;
    char *end;
    const char *text = cursor + length + 1;
    long long k = strtoll (text, &end, 10);
    if (end == text || *end != ':')
        return -1;
    text = end + 1;
    long long i = strtoll (text, &end, 10);
    if (end == text || *end || i <= 0)
        return -1;
    *key = k;
    *id = i;
    return 0;
}

char *
podd_store_task_page_text (podd_store_t *self, const char *scope, int64_t member_id,
                           int64_t pod_id, int64_t case_id, int64_t now, podd_page_t *page)
{
    page->next [0] = 0;
    int64_t after_key = 0, after_id = 0;
    if (page->after && s_task_cursor (page->after, scope, &after_key, &after_id))
        return NULL;
    sqlite3_stmt *stmt;
    if (strcmp (scope, "mine") == 0) {
        stmt = s_stmt (self, SQL_TASK_LIST_MINE);
        sqlite3_bind_int64 (stmt, 1, member_id);
        sqlite3_bind_int64 (stmt, 3, now);
    }
    else
    if (strcmp (scope, "pod") == 0) {
        stmt = s_stmt (self, SQL_TASK_LIST_POD);
        sqlite3_bind_int64 (stmt, 1, pod_id);
    }
    else
    if (strcmp (scope, "overdue") == 0) {
        stmt = s_stmt (self, SQL_TASK_LIST_OVERDUE);
        sqlite3_bind_int64 (stmt, 1, pod_id);
        sqlite3_bind_int64 (stmt, 3, now);
    }
    else
    if (strcmp (scope, "case") == 0) {
        stmt = s_stmt (self, SQL_TASK_LIST_CASE);
        sqlite3_bind_int64 (stmt, 1, case_id);
    }
    else
        return NULL;
    if (!stmt)
        return strdup ("[]");
    //  One more than the page: whether there is a page after it
    sqlite3_bind_int64 (stmt, 2, (int64_t) page->limit + 1);
    if (page->after) {
        sqlite3_bind_int64 (stmt, 4, after_key);
        sqlite3_bind_int64 (stmt, 5, after_id);
    }
    //  The array's text: "[" the objects' texts, comma-separated "]"
    s_text_t text = { NULL, 0, 0 };
    s_text_lit (&text, "[");
    size_t count = 0;
    int64_t last = 0;
    bool more = false;
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        if (count == page->limit) {
            more = true;
            break;
        }
        if (count++)
            s_text_lit (&text, ",");
        s_task_row_text (&text, stmt);
        last = sqlite3_column_int64 (stmt, 0);
    }
    sqlite3_reset (stmt);
    s_text_lit (&text, "]");
    if (more) {
        stmt = s_stmt (self, SQL_TASK_PAGE_KEY);
        if (stmt) {
            sqlite3_bind_int64 (stmt, 1, last);
            s_bind_text (stmt, 2, scope);
            sqlite3_bind_int64 (stmt, 3, now);
            snprintf (page->next, sizeof page->next, "%s:%lld:%lld", scope,
                      (long long) s_scalar (stmt, 0), (long long) last);
        }
    }
    return text.data;
}

int64_t
podd_store_member_open_load (podd_store_t *self, int64_t member_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEMBER_LOAD);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, member_id);
    return s_scalar (stmt, 0);
}

int64_t
podd_store_task_count (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_COUNT);
    return stmt? s_scalar (stmt, 0): -1;
}

int64_t
podd_store_case_open_tasks (podd_store_t *self, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_OPEN_TASKS);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    return s_scalar (stmt, 0);
}

bool
podd_store_member_absent (podd_store_t *self, int64_t member_id, int64_t at)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENT);
    if (!stmt)
        return false;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, at);
    return s_scalar (stmt, 0) == 1;
}

int64_t
podd_store_cover_for (podd_store_t *self, int64_t case_id, int64_t member_id, int64_t at)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_FOR);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    sqlite3_bind_int64 (stmt, 3, at);
    return s_scalar (stmt, 0);
}


//  --------------------------------------------------------------------
//  Leave and cover

int64_t
podd_store_absence_add (podd_store_t *self, int64_t member_id, const char *kind, int64_t starts,
                        int64_t ends, const char *status, int64_t requested_by, int64_t approved_by,
                        const char *note, const char *return_rule, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, member_id);
    s_bind_text (stmt, 2, kind);
    sqlite3_bind_int64 (stmt, 3, starts);
    sqlite3_bind_int64 (stmt, 4, ends);
    s_bind_text (stmt, 5, status);
    sqlite3_bind_int64 (stmt, 6, requested_by);
    sqlite3_bind_int64 (stmt, 7, approved_by);
    s_bind_text (stmt, 8, note? note: "");
    s_bind_text (stmt, 9, return_rule? return_rule: "return");
    sqlite3_bind_int64 (stmt, 10, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

int
podd_store_absence_get (podd_store_t *self, int64_t id, podd_absence_t *absence)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_GET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        absence->id = sqlite3_column_int64 (stmt, 0);
        absence->member_id = sqlite3_column_int64 (stmt, 1);
        s_copy (absence->kind, sizeof absence->kind, sqlite3_column_text (stmt, 2));
        absence->starts = sqlite3_column_int64 (stmt, 3);
        absence->ends = sqlite3_column_int64 (stmt, 4);
        s_copy (absence->status, sizeof absence->status, sqlite3_column_text (stmt, 5));
        absence->started = sqlite3_column_int (stmt, 6) != 0;
        absence->ended = sqlite3_column_int (stmt, 7) != 0;
        s_copy (absence->return_rule, sizeof absence->return_rule, sqlite3_column_text (stmt, 8));
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

#define FOREVER INT64_C(253402300799)     /* 9999-12-31T23:59:59Z */

int64_t
podd_store_absence_overlap (podd_store_t *self, int64_t member_id, int64_t from, int64_t to,
                            int64_t exclude_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_OVERLAP);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, from);
    sqlite3_bind_int64 (stmt, 3, to? to: FOREVER);
    sqlite3_bind_int64 (stmt, 4, exclude_id);
    return s_scalar (stmt, 0);
}

bool
podd_store_member_away_between (podd_store_t *self, int64_t member_id, int64_t from, int64_t to)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_AWAY_BETWEEN);
    if (!stmt)
        return false;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, from);
    sqlite3_bind_int64 (stmt, 3, to? to: FOREVER);
    return s_scalar (stmt, 0) == 1;
}

int
podd_store_absence_set_status (podd_store_t *self, int64_t id, const char *status, int64_t by)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_STATUS);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    s_bind_text (stmt, 2, status);
    sqlite3_bind_int64 (stmt, 3, by);
    return s_done (stmt);
}

int
podd_store_absence_set_rule (podd_store_t *self, int64_t id, const char *rule)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_RULE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    s_bind_text (stmt, 2, rule);
    return s_done (stmt);
}

int
podd_store_absence_set_end (podd_store_t *self, int64_t id, int64_t ends)
{
    return s_run_ii (self, SQL_ABSENCE_END, id, ends);
}

int
podd_store_absence_mark (podd_store_t *self, int64_t id, bool started)
{
    sqlite3_stmt *stmt = s_stmt (self, started? SQL_ABSENCE_STARTED: SQL_ABSENCE_ENDED);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    return s_done (stmt);
}

int64_t
podd_store_absence_next_due (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_NEXT);
    return stmt? s_scalar (stmt, 0): 0;
}

size_t
podd_store_absence_due (podd_store_t *self, bool starts, int64_t now, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, starts? SQL_ABSENCE_DUE_START: SQL_ABSENCE_DUE_END);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, now);
    return s_ids (stmt, ids, max);
}

static json_t *
s_cover_lines_json (podd_store_t *self, int64_t absence_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_LINES);
    json_t *lines = json_array ();
    if (!stmt)
        return lines;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        json_array_append_new (lines, json_pack ("{s:I s:o s:o s:o s:o}",
            "absence", (json_int_t) sqlite3_column_int64 (stmt, 0),
            "case", s_json_text (stmt, 1),
            "task", sqlite3_column_type (stmt, 2) == SQLITE_NULL? json_null ()
                  : json_integer (sqlite3_column_int64 (stmt, 2)),
            "cover", s_json_text (stmt, 3), "set_by", s_json_text (stmt, 4)));
        json_object_set_new (json_array_get (lines, json_array_size (lines) - 1), "line",
                             json_integer (sqlite3_column_int64 (stmt, 5)));
        json_object_set_new (json_array_get (lines, json_array_size (lines) - 1), "how",
                             s_json_text (stmt, 6));
    }
    sqlite3_reset (stmt);
    return lines;
}

json_t *
podd_store_absence_json (podd_store_t *self, int64_t id, bool with_cover)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_JSON);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, id);
    json_t *absence = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        absence = json_pack ("{s:I s:o s:o s:o s:o s:o s:o s:o s:o s:o s:b s:b}",
            "id", (json_int_t) sqlite3_column_int64 (stmt, 0),
            "member", s_json_text (stmt, 1), "kind", s_json_text (stmt, 2),
            "from", s_json_when (stmt, 3), "to", s_json_when (stmt, 4),
            "status", s_json_text (stmt, 5), "requested_by", s_json_text (stmt, 6),
            "approved_by", s_json_text (stmt, 7), "note", s_json_text (stmt, 8),
            "return", s_json_text (stmt, 9),
            "started", sqlite3_column_int (stmt, 10), "ended", sqlite3_column_int (stmt, 11));
    sqlite3_reset (stmt);
    if (absence && with_cover)
        json_object_set_new (absence, "cover", s_cover_lines_json (self, id));
    return absence;
}

static json_t *
s_absence_json_builder (podd_store_t *self, int64_t id)
{
    return podd_store_absence_json (self, id, true);
}

json_t *
podd_store_absence_calendar (podd_store_t *self, int64_t pod_id, int64_t from, int64_t to)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_CALENDAR);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    sqlite3_bind_int64 (stmt, 2, from);
    sqlite3_bind_int64 (stmt, 3, to? to: FOREVER);
    return s_list (self, stmt, s_absence_json_builder);
}

int64_t
podd_store_absence_for (podd_store_t *self, int64_t member_id, int64_t from, int64_t to)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_FOR);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, from);
    sqlite3_bind_int64 (stmt, 3, to);
    return s_scalar (stmt, 0);
}

int
podd_store_cover_set (podd_store_t *self, int64_t absence_id, int64_t case_id, int64_t task_id,
                      int64_t cover_id, int64_t set_by, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, task_id? SQL_COVER_SET_TASK: SQL_COVER_SET_CASE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    sqlite3_bind_int64 (stmt, 2, task_id? task_id: case_id);
    sqlite3_bind_int64 (stmt, 3, cover_id);
    sqlite3_bind_int64 (stmt, 4, set_by);
    sqlite3_bind_int64 (stmt, 5, now);
    return s_done (stmt);
}

int64_t
podd_store_cover_of (podd_store_t *self, int64_t absence_id, int64_t case_id, int64_t task_id)
{
    sqlite3_stmt *stmt = s_stmt (self, task_id? SQL_COVER_TASK_FOR: SQL_COVER_CASE_FOR_ABSENCE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    sqlite3_bind_int64 (stmt, 2, task_id? task_id: case_id);
    return s_scalar (stmt, 0);
}

int64_t
podd_store_cover_move (podd_store_t *self, int64_t pod_id, int64_t from_id, int64_t to_id,
                       int64_t set_by)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_MOVE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    sqlite3_bind_int64 (stmt, 2, from_id);
    sqlite3_bind_int64 (stmt, 3, to_id);
    sqlite3_bind_int64 (stmt, 4, set_by);
    if (s_done (stmt))
        return -1;
    return sqlite3_changes (self->db);
}

size_t
podd_store_cover_lines_of (podd_store_t *self, int64_t cover_id, int64_t from, int64_t to,
                           int64_t (*rows) [4], size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_LINES_OF);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, cover_id);
    sqlite3_bind_int64 (stmt, 2, from);
    sqlite3_bind_int64 (stmt, 3, to? to: FOREVER);
    size_t count = 0;
    while (count < max && sqlite3_step (stmt) == SQLITE_ROW) {
        for (int i = 0; i < 4; i++)
            rows [count][i] = sqlite3_column_int64 (stmt, i);
        count++;
    }
    sqlite3_reset (stmt);
    return count;
}

int
podd_store_cover_line_reassign (podd_store_t *self, int64_t line_id, int64_t cover_id)
{
    return s_run_ii (self, SQL_COVER_LINE_SET_BY_ID, line_id, cover_id);
}

int
podd_store_cover_move_record (podd_store_t *self, int64_t absence_id, int64_t task_id,
                              int64_t from_id, int64_t to_id, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_MOVE_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    sqlite3_bind_int64 (stmt, 2, task_id);
    sqlite3_bind_int64 (stmt, 3, from_id);
    sqlite3_bind_int64 (stmt, 4, to_id);
    sqlite3_bind_int64 (stmt, 5, now);
    return s_done (stmt);
}

size_t
podd_store_cover_moves_live (podd_store_t *self, int64_t absence_id, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_MOVES_LIVE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    return s_ids (stmt, ids, max);
}

size_t
podd_store_cases_led (podd_store_t *self, int64_t member_id, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASES_LED);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, member_id);
    return s_ids (stmt, ids, max);
}

size_t
podd_store_tasks_held (podd_store_t *self, int64_t member_id, int64_t until, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASKS_HELD);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, until? until: FOREVER);
    return s_ids (stmt, ids, max);
}

int
podd_store_member_load (podd_store_t *self, int64_t member_id, int64_t from, int64_t to,
                        int64_t counts [4])
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEMBER_LOAD_PERIOD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, from);
    sqlite3_bind_int64 (stmt, 3, to? to: FOREVER);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        for (int i = 0; i < 4; i++)
            counts [i] = sqlite3_column_int64 (stmt, i);
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int64_t
podd_store_digest_add (podd_store_t *self, int64_t member_id, int64_t absence_id, const char *body,
                       int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_DIGEST_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, absence_id);
    sqlite3_bind_int64 (stmt, 3, now);
    s_bind_text (stmt, 4, body);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

json_t *
podd_store_digest_get (podd_store_t *self, int64_t member_id, int64_t absence_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_DIGEST_GET);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, absence_id);
    json_t *digest = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        digest = json_loads ((const char *) sqlite3_column_text (stmt, 0), 0, NULL);
    sqlite3_reset (stmt);
    return digest;
}

//  Rows of a statement bound with (member, from, to) as JSON objects
static json_t *
s_rows (podd_store_t *self, sql_id_t id, int64_t member_id, int64_t from, int64_t to,
        const char *const *names, const char *types)
{
    sqlite3_stmt *stmt = s_stmt (self, id);
    json_t *rows = json_array ();
    if (!stmt)
        return rows;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, from);
    sqlite3_bind_int64 (stmt, 3, to);
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        json_t *row = json_object ();
        for (int i = 0; names [i]; i++)
            json_object_set_new (row, names [i],
                types [i] == 'i'? json_integer (sqlite3_column_int64 (stmt, i))
              : types [i] == 'w'? s_json_when (stmt, i)
              : s_json_text (stmt, i));
        json_array_append_new (rows, row);
    }
    sqlite3_reset (stmt);
    return rows;
}

json_t *
podd_store_digest_build (podd_store_t *self, int64_t member_id, int64_t from, int64_t to)
{
    static const char *const done [] = { "task", "title", "by", "at", NULL };
    static const char *const fresh [] = { "task", "title", "assignee", "state", NULL };
    static const char *const chrono [] = { "case", "date", "kind", "text", "author", NULL };
    static const char *const open [] = { "task", "case", "title", "due", "assignee", "state", NULL };
    return json_pack ("{s:o s:o s:o s:o}",
        "done", s_rows (self, SQL_DIGEST_DONE, member_id, from, to, done, "itsw"),
        "new_tasks", s_rows (self, SQL_DIGEST_NEW, member_id, from, to, fresh, "itss"),
        "chronology", s_rows (self, SQL_DIGEST_CHRONO, member_id, from, to, chrono, "sssss"),
        "open", s_rows (self, SQL_DIGEST_OPEN, member_id, from, to, open, "isswss"));
}


//  --------------------------------------------------------------------
//  Outbox and reminders

int64_t
podd_store_outbox_add (podd_store_t *self, const char *message_id, const char *kind,
                       int64_t pod_id, int64_t task_id, const char *sender,
                       const char **rcpts, size_t rcpt_count, const char *subject,
                       const void *body, size_t size, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_ADD);
    if (!stmt)
        return -1;
    s_bind_text (stmt, 1, message_id);
    s_bind_text (stmt, 2, kind);
    sqlite3_bind_int64 (stmt, 3, pod_id);
    sqlite3_bind_int64 (stmt, 4, task_id);
    s_bind_text (stmt, 5, sender);
    s_bind_text (stmt, 6, subject);
    sqlite3_bind_blob (stmt, 7, body, (int) size, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 8, now);
    if (s_done (stmt))
        return -1;
    int64_t id = sqlite3_last_insert_rowid (self->db);
    for (size_t i = 0; i < rcpt_count; i++) {
        stmt = s_stmt (self, SQL_OUTBOX_RCPT_ADD);
        sqlite3_bind_int64 (stmt, 1, id);
        s_bind_text (stmt, 2, rcpts [i]);
        if (s_done (stmt))
            return -1;
    }
    return id;
}

size_t
podd_store_outbox_due (podd_store_t *self, int64_t now, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_DUE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, now);
    sqlite3_bind_int64 (stmt, 2, (int64_t) max);
    return s_ids (stmt, ids, max);
}

int64_t
podd_store_outbox_next_due (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_NEXT);
    return stmt? s_scalar (stmt, 0): 0;
}

int
podd_store_outbox_get (podd_store_t *self, int64_t id, podd_mail_row_t *out)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_GET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        memset (out, 0, sizeof *out);
        out->id = sqlite3_column_int64 (stmt, 0);
        s_copy (out->message_id, sizeof out->message_id, sqlite3_column_text (stmt, 1));
        s_copy (out->sender, sizeof out->sender, sqlite3_column_text (stmt, 2));
        out->size = (size_t) sqlite3_column_bytes (stmt, 3);
        out->body = malloc (out->size + 1);
        assert (out->body);
        memcpy (out->body, sqlite3_column_blob (stmt, 3), out->size);
        out->attempts = sqlite3_column_int (stmt, 4);
        out->queued = sqlite3_column_int64 (stmt, 5);
        out->pod_id = sqlite3_column_int64 (stmt, 6);
        out->task_id = sqlite3_column_int64 (stmt, 7);
        s_copy (out->state, sizeof out->state, sqlite3_column_text (stmt, 8));
        s_copy (out->kind, sizeof out->kind, sqlite3_column_text (stmt, 9));
        rc = 0;
    }
    sqlite3_reset (stmt);
    if (rc == 0) {
        stmt = s_stmt (self, SQL_OUTBOX_PENDING_RCPTS);
        sqlite3_bind_int64 (stmt, 1, id);
        while (out->rcpt_count < PODD_OUTBOX_RCPTS && sqlite3_step (stmt) == SQLITE_ROW)
            out->rcpts [out->rcpt_count++] = strdup ((const char *) sqlite3_column_text (stmt, 0));
        sqlite3_reset (stmt);
    }
    return rc;
}

void
podd_store_outbox_free (podd_mail_row_t *out)
{
    free (out->body);
    out->body = NULL;
    for (size_t i = 0; i < out->rcpt_count; i++)
        free (out->rcpts [i]);
    out->rcpt_count = 0;
}

int
podd_store_outbox_rcpt_set (podd_store_t *self, int64_t id, const char *address,
                            const char *state, int code, const char *text)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_RCPT_SET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    s_bind_text (stmt, 2, address);
    s_bind_text (stmt, 3, state);
    sqlite3_bind_int (stmt, 4, code);
    s_bind_text (stmt, 5, text? text: "");
    return s_done (stmt);
}

int
podd_store_outbox_set (podd_store_t *self, int64_t id, const char *state, int attempts,
                       int64_t next_attempt, const char *error, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_SET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    s_bind_text (stmt, 2, state);
    sqlite3_bind_int (stmt, 3, attempts);
    sqlite3_bind_int64 (stmt, 4, next_attempt);
    s_bind_text (stmt, 5, error? error: "");
    sqlite3_bind_int64 (stmt, 6, now);
    return s_done (stmt);
}

int64_t
podd_store_outbox_failed_rcpts (podd_store_t *self, int64_t id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_FAILED_RCPTS);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, id);
    return s_scalar (stmt, 0);
}

int64_t
podd_store_outbox_pending_rcpts (podd_store_t *self, int64_t id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_PENDING_COUNT);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    return s_scalar (stmt, 0);
}

int
podd_store_outbox_retry (podd_store_t *self, int64_t id, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_RETRY_RCPTS);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    if (s_done (stmt))
        return -1;
    return s_run_ii (self, SQL_OUTBOX_RETRY, id, now);
}

json_t *
podd_store_outbox_json (podd_store_t *self, int64_t id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_JSON);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, id);
    json_t *item = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        item = json_pack ("{s:I s:o s:o s:o s:i s:o s:o s:o s:o s:o s:o}",
            "id", (json_int_t) sqlite3_column_int64 (stmt, 0),
            "message_id", s_json_text (stmt, 1), "kind", s_json_text (stmt, 2),
            "state", s_json_text (stmt, 3), "attempts", sqlite3_column_int (stmt, 4),
            "next_attempt", s_json_when (stmt, 5), "queued", s_json_when (stmt, 6),
            "last_error", s_json_text (stmt, 7), "done", s_json_when (stmt, 8),
            "task", sqlite3_column_type (stmt, 9) == SQLITE_NULL? json_null ()
                  : json_integer (sqlite3_column_int64 (stmt, 9)),
            "subject", s_json_text (stmt, 10));
    sqlite3_reset (stmt);
    if (!item)
        return NULL;
    stmt = s_stmt (self, SQL_OUTBOX_RCPTS_JSON);
    sqlite3_bind_int64 (stmt, 1, id);
    json_t *rcpts = json_array ();
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (rcpts, json_pack ("{s:o s:o s:i s:o}",
            "address", s_json_text (stmt, 0), "state", s_json_text (stmt, 1),
            "code", sqlite3_column_int (stmt, 2), "text", s_json_text (stmt, 3)));
    sqlite3_reset (stmt);
    json_object_set_new (item, "recipients", rcpts);
    return item;
}

json_t *
podd_store_outbox_counts (podd_store_t *self, int64_t pod_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_COUNT);
    json_t *counts = json_pack ("{s:i s:i s:i}", "pending", 0, "sent", 0, "failed", 0);
    if (!stmt)
        return counts;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_object_set_new (counts, (const char *) sqlite3_column_text (stmt, 0),
                             json_integer (sqlite3_column_int64 (stmt, 1)));
    sqlite3_reset (stmt);
    return counts;
}

int
podd_store_task_reminder_set (podd_store_t *self, int64_t task_id, int64_t next, int64_t last)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_REMINDER_SET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    sqlite3_bind_int64 (stmt, 2, next);
    sqlite3_bind_int64 (stmt, 3, last);
    return s_done (stmt);
}

int
podd_store_task_reminder_get (podd_store_t *self, int64_t task_id, int64_t *next, int64_t *last)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_REMINDER_GET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        *next = sqlite3_column_int64 (stmt, 0);
        *last = sqlite3_column_int64 (stmt, 1);
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

size_t
podd_store_reminders_due (podd_store_t *self, int64_t now, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_REMINDER_DUE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, now);
    sqlite3_bind_int64 (stmt, 2, (int64_t) max);
    return s_ids (stmt, ids, max);
}

int64_t
podd_store_reminders_next_due (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_REMINDER_NEXT);
    return stmt? s_scalar (stmt, 0): 0;
}

int
podd_store_reminder_add (podd_store_t *self, int64_t task_id, int64_t member_id, const char *kind,
                         int64_t at, int64_t outbox_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_REMINDER_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    s_bind_text (stmt, 3, kind);
    sqlite3_bind_int64 (stmt, 4, at);
    sqlite3_bind_int64 (stmt, 5, outbox_id);
    return s_done (stmt);
}

json_t *
podd_store_reminder_list (podd_store_t *self, int64_t task_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_REMINDER_LIST);
    json_t *items = json_array ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, task_id);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:o s:o s:o s:o s:o}",
            "kind", s_json_text (stmt, 0), "at", s_json_when (stmt, 1), "to", s_json_text (stmt, 2),
            "message_id", s_json_text (stmt, 3), "mail_state", s_json_text (stmt, 4)));
    sqlite3_reset (stmt);
    return items;
}


//  --------------------------------------------------------------------
//  Partners and meetings

int64_t
podd_store_partner_add (podd_store_t *self, const char *email, const char *name, const char *agency,
                        const char *agency_kind, const char *role, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PARTNER_ADD);
    if (!stmt)
        return -1;
    s_bind_text (stmt, 1, email);
    s_bind_text (stmt, 2, name);
    s_bind_text (stmt, 3, agency);
    s_bind_text (stmt, 4, agency_kind);
    s_bind_text (stmt, 5, role? role: "");
    sqlite3_bind_int64 (stmt, 6, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

int
podd_store_partner_alias_add (podd_store_t *self, int64_t partner_id, const char *email)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PARTNER_ALIAS_ADD);
    if (!stmt)
        return -1;
    s_bind_text (stmt, 1, email);
    sqlite3_bind_int64 (stmt, 2, partner_id);
    return s_done (stmt);
}

int
podd_store_partner_alias_remove (podd_store_t *self, int64_t partner_id, const char *email)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PARTNER_ALIAS_REMOVE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, partner_id);
    s_bind_text (stmt, 2, email);
    if (s_done (stmt))
        return -1;
    return sqlite3_changes (self->db) == 1? 0: 1;
}

int
podd_store_partner_set_name (podd_store_t *self, int64_t partner_id, const char *name)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PARTNER_SET_NAME);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, partner_id);
    s_bind_text (stmt, 2, name);
    if (s_done (stmt))
        return -1;
    //  Invitations sent from now on name them so
    stmt = s_stmt (self, SQL_PARTNER_ATTENDEE_NAME);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, partner_id);
    s_bind_text (stmt, 2, name);
    return s_done (stmt);
}

int64_t
podd_store_partner_by_email (podd_store_t *self, const char *email)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PARTNER_BY_EMAIL);
    if (!stmt || !email)
        return 0;
    s_bind_text (stmt, 1, email);
    return s_scalar (stmt, 0);
}

int
podd_store_partner_get (podd_store_t *self, int64_t id, podd_partner_t *partner)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PARTNER_ROW);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        partner->id = sqlite3_column_int64 (stmt, 0);
        s_copy (partner->email, sizeof partner->email, sqlite3_column_text (stmt, 1));
        s_copy (partner->name, sizeof partner->name, sqlite3_column_text (stmt, 2));
        s_copy (partner->agency, sizeof partner->agency, sqlite3_column_text (stmt, 3));
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

json_t *
podd_store_partner_json (podd_store_t *self, int64_t id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PARTNER_ROW);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, id);
    json_t *partner = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        partner = json_pack ("{s:o s:o s:o s:o s:o}", "email", s_json_text (stmt, 1),
            "name", s_json_text (stmt, 2), "agency", s_json_text (stmt, 3),
            "agency_kind", s_json_text (stmt, 4), "role", s_json_text (stmt, 5));
    sqlite3_reset (stmt);
    if (partner) {
        stmt = s_stmt (self, SQL_PARTNER_ALIASES);
        sqlite3_bind_int64 (stmt, 1, id);
        json_object_set_new (partner, "aliases", s_text_array (stmt));
    }
    return partner;
}

json_t *
podd_store_partner_list (podd_store_t *self, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, case_id? SQL_PARTNER_LIST_CASE: SQL_PARTNER_LIST);
    if (!stmt)
        return NULL;
    if (case_id)
        sqlite3_bind_int64 (stmt, 1, case_id);
    return s_list (self, stmt, podd_store_partner_json);
}

int
podd_store_partner_link (podd_store_t *self, int64_t case_id, int64_t partner_id, bool link)
{
    return s_run_ii (self, link? SQL_PARTNER_LINK: SQL_PARTNER_UNLINK, case_id, partner_id);
}

bool
podd_store_partner_linked (podd_store_t *self, int64_t case_id, int64_t partner_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PARTNER_LINKED);
    if (!stmt)
        return false;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, partner_id);
    return s_scalar (stmt, 0) == 1;
}

int
podd_store_meeting_add (podd_store_t *self, int64_t task_id, const char *uid, int64_t starts,
                        int64_t ends, const char *location, const char *online)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEETING_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    s_bind_text (stmt, 2, uid);
    sqlite3_bind_int64 (stmt, 3, starts);
    sqlite3_bind_int64 (stmt, 4, ends);
    s_bind_text (stmt, 5, location? location: "");
    s_bind_text (stmt, 6, online? online: "");
    return s_done (stmt);
}

int
podd_store_meeting_get (podd_store_t *self, int64_t task_id, podd_meeting_row_t *meeting)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEETING_GET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        meeting->task_id = sqlite3_column_int64 (stmt, 0);
        s_copy (meeting->uid, sizeof meeting->uid, sqlite3_column_text (stmt, 1));
        meeting->sequence = sqlite3_column_int (stmt, 2);
        meeting->starts = sqlite3_column_int64 (stmt, 3);
        meeting->ends = sqlite3_column_int64 (stmt, 4);
        s_copy (meeting->location, sizeof meeting->location, sqlite3_column_text (stmt, 5));
        meeting->cancelled = strcmp ((const char *) sqlite3_column_text (stmt, 6), "cancelled") == 0;
        s_copy (meeting->online, sizeof meeting->online, sqlite3_column_text (stmt, 7));
        rc = 0;
    }
    sqlite3_reset (stmt);
    if (rc == 0) {
        meeting->attendee_count = 0;
        stmt = s_stmt (self, SQL_ATTENDEE_GET);
        sqlite3_bind_int64 (stmt, 1, task_id);
        while (meeting->attendee_count < PODD_MEETING_ATTENDEES && sqlite3_step (stmt) == SQLITE_ROW) {
            podd_attendee_row_t *a = &meeting->attendees [meeting->attendee_count++];
            s_copy (a->email, sizeof a->email, sqlite3_column_text (stmt, 0));
            s_copy (a->name, sizeof a->name, sqlite3_column_text (stmt, 1));
            a->partner = strcmp ((const char *) sqlite3_column_text (stmt, 2), "partner") == 0;
            a->partner_id = sqlite3_column_int64 (stmt, 3);
            s_copy (a->partstat, sizeof a->partstat, sqlite3_column_text (stmt, 4));
            a->reply_sequence = sqlite3_column_int (stmt, 5);
            a->reply_dtstamp = sqlite3_column_int64 (stmt, 6);
        }
        sqlite3_reset (stmt);
    }
    return rc;
}

int64_t
podd_store_meeting_by_uid (podd_store_t *self, const char *uid)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEETING_BY_UID);
    if (!stmt || !uid)
        return 0;
    s_bind_text (stmt, 1, uid);
    return s_scalar (stmt, 0);
}

int
podd_store_meeting_set (podd_store_t *self, const podd_meeting_row_t *meeting)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEETING_SET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, meeting->task_id);
    sqlite3_bind_int (stmt, 2, meeting->sequence);
    sqlite3_bind_int64 (stmt, 3, meeting->starts);
    sqlite3_bind_int64 (stmt, 4, meeting->ends);
    s_bind_text (stmt, 5, meeting->location);
    s_bind_text (stmt, 6, meeting->cancelled? "cancelled": "confirmed");
    s_bind_text (stmt, 7, meeting->online);
    return s_done (stmt);
}

int
podd_store_attendee_add (podd_store_t *self, int64_t task_id, const char *email, const char *name,
                         int64_t partner_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ATTENDEE_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    s_bind_text (stmt, 2, email);
    s_bind_text (stmt, 3, name);
    s_bind_text (stmt, 4, partner_id? "partner": "member");
    sqlite3_bind_int64 (stmt, 5, partner_id);
    return s_done (stmt);
}

int
podd_store_attendees_reset (podd_store_t *self, int64_t task_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ATTENDEE_RESET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    return s_done (stmt);
}

int
podd_store_attendee_reply (podd_store_t *self, int64_t task_id, const char *email, const char *partstat,
                           int64_t now, int sequence, int64_t dtstamp)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ATTENDEE_REPLY);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    s_bind_text (stmt, 2, email);
    s_bind_text (stmt, 3, partstat);
    sqlite3_bind_int64 (stmt, 4, now);
    sqlite3_bind_int (stmt, 5, sequence);
    sqlite3_bind_int64 (stmt, 6, dtstamp);
    return s_done (stmt);
}

json_t *
podd_store_meeting_json (podd_store_t *self, int64_t task_id)
{
    podd_meeting_row_t meeting;
    podd_task_t task;
    podd_case_t kase;
    if (podd_store_meeting_get (self, task_id, &meeting)
    ||  podd_store_task_get (self, task_id, &task)
    ||  podd_store_case_by_id (self, task.case_id, &kase))
        return NULL;
    podd_pod_t pod;
    podd_store_pod_by_id (self, kase.pod_id, &pod);
    char a [PODD_WHEN_LEN], b [PODD_WHEN_LEN];
    json_t *json = json_pack ("{s:I s:s s:s s:i s:s s:s s:s s:s s:s}",
        "task", (json_int_t) task_id, "case", kase.ref, "uid", meeting.uid,
        "sequence", meeting.sequence, "start", podd_when_format (meeting.starts, a),
        "end", podd_when_format (meeting.ends, b), "location", meeting.location,
        "status", meeting.cancelled? "cancelled": "confirmed", "organiser", pod.mailbox);
    sqlite3_stmt *stmt = s_stmt (self, SQL_ATTENDEES_JSON);
    sqlite3_bind_int64 (stmt, 1, task_id);
    json_t *attendees = json_array ();
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (attendees, json_pack ("{s:o s:o s:o s:o s:o}",
            "name", s_json_text (stmt, 0), "email", s_json_text (stmt, 1),
            "kind", s_json_text (stmt, 2), "partstat", s_json_text (stmt, 3),
            "replied", s_json_when (stmt, 4)));
    sqlite3_reset (stmt);
    json_object_set_new (json, "online", *meeting.online? json_string (meeting.online): json_null ());
    json_object_set_new (json, "attendees", attendees);
    return json;
}

bool
podd_store_ingested_seen (podd_store_t *self, const char *message_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_INGESTED_SEEN);
    if (!stmt || !message_id)
        return false;
    s_bind_text (stmt, 1, message_id);
    return s_scalar (stmt, 0) == 1;
}

int
podd_store_ingested_add (podd_store_t *self, const char *message_id, int64_t task_id, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_INGESTED_ADD);
    if (!stmt)
        return -1;
    s_bind_text (stmt, 1, message_id);
    sqlite3_bind_int64 (stmt, 2, now);
    sqlite3_bind_int64 (stmt, 3, task_id);
    return s_done (stmt);
}


//  --------------------------------------------------------------------
//  Practice standards: events, case facts, compliance

int64_t
podd_store_event_add (podd_store_t *self, int64_t case_id, const char *type, const char *date,
                      const char *note, int64_t author_id, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_EVENT_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, type);
    s_bind_text (stmt, 3, date);
    s_bind_text (stmt, 4, note? note: "");
    sqlite3_bind_int64 (stmt, 5, author_id);
    sqlite3_bind_int64 (stmt, 6, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

int
podd_store_event_get (podd_store_t *self, int64_t id, podd_event_t *event)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_EVENT_GET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        event->id = sqlite3_column_int64 (stmt, 0);
        event->case_id = sqlite3_column_int64 (stmt, 1);
        s_copy (event->type, sizeof event->type, sqlite3_column_text (stmt, 2));
        s_copy (event->date, sizeof event->date, sqlite3_column_text (stmt, 3));
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_event_set_date (podd_store_t *self, int64_t id, const char *date)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_EVENT_SET_DATE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    s_bind_text (stmt, 2, date);
    return s_done (stmt);
}

json_t *
podd_store_event_json (podd_store_t *self, int64_t id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_EVENT_JSON);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, id);
    json_t *event = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        event = json_pack ("{s:I s:o s:o s:o s:o s:o}", "id", (json_int_t) sqlite3_column_int64 (stmt, 0),
            "case", s_json_text (stmt, 1), "type", s_json_text (stmt, 2), "date", s_json_text (stmt, 3),
            "note", s_json_text (stmt, 4), "author", s_json_text (stmt, 5));
    sqlite3_reset (stmt);
    return event;
}

int
podd_store_case_facts (podd_store_t *self, int64_t case_id, podd_case_facts_t *facts)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_FACTS);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        s_copy (facts->dob, sizeof facts->dob, sqlite3_column_text (stmt, 0));
        facts->family_friends = sqlite3_column_int (stmt, 2) != 0;
        podd_when_local_date (sqlite3_column_int64 (stmt, 3), facts->opened);
        rc = 0;
    }
    sqlite3_reset (stmt);
    //  Looked after: the latest of became/ceased-looked-after is "became"
    facts->looked_after = false;
    facts->looked_after_since [0] = 0;
    stmt = rc? NULL: s_stmt (self, SQL_CASE_LOOKED_AFTER);
    if (stmt) {
        sqlite3_bind_int64 (stmt, 1, case_id);
        if (sqlite3_step (stmt) == SQLITE_ROW
        &&  strcmp ((const char *) sqlite3_column_text (stmt, 0), "became-looked-after") == 0) {
            facts->looked_after = true;
            s_copy (facts->looked_after_since, sizeof facts->looked_after_since,
                    sqlite3_column_text (stmt, 1));
        }
        sqlite3_reset (stmt);
    }
    //  Long-term status belongs to the current placement
    podd_placement_t placement;
    podd_store_placement_current (self, case_id, &placement);
    facts->placement_id = placement.id;
    facts->carer_id = placement.carer_id;
    snprintf (facts->placed_on, sizeof facts->placed_on, "%s", placement.started);
    snprintf (facts->long_term_on, sizeof facts->long_term_on, "%s", placement.long_term_on);
    facts->long_term = *placement.long_term_on != 0;
    return rc;
}

int
podd_store_case_set_dob (podd_store_t *self, int64_t case_id, const char *dob)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_SET_DOB);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, dob);
    return s_done (stmt);
}

int
podd_store_case_set_flag (podd_store_t *self, int64_t case_id, const char *flag, bool value)
{
    bool long_term = strcmp (flag, "long-term") == 0;
    return s_run_ii (self, long_term? SQL_CASE_SET_LONG_TERM: SQL_CASE_SET_FAMILY, case_id, value);
}

int
podd_store_task_set_standard (podd_store_t *self, int64_t task_id, const char *rule_id, int64_t event_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_SET_STANDARD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    s_bind_text (stmt, 2, rule_id);
    sqlite3_bind_int64 (stmt, 3, event_id);
    return s_done (stmt);
}

int
podd_store_task_standard (podd_store_t *self, int64_t task_id, char *rule_id, size_t size,
                          int64_t *event_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_STANDARD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        s_copy (rule_id, size, sqlite3_column_text (stmt, 0));
        *event_id = sqlite3_column_int64 (stmt, 1);
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_task_set_due (podd_store_t *self, int64_t task_id, int64_t due, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_SET_DUE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    sqlite3_bind_int64 (stmt, 2, due);
    sqlite3_bind_int64 (stmt, 3, now);
    return s_done (stmt);
}

int
podd_store_task_set_done_on (podd_store_t *self, int64_t task_id, const char *date)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_SET_DONE_ON);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    s_bind_text (stmt, 2, date);
    return s_done (stmt);
}

size_t
podd_store_tasks_of_event (podd_store_t *self, int64_t event_id, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASKS_OF_EVENT);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, event_id);
    return s_ids (stmt, ids, max);
}

//  Add one to counter `bucket` of the object under key in table, and
//  (when refs) remember the case reference
static void
s_tally (json_t *table, const char *key, const char *bucket, const char *ref)
{
    json_t *row = json_object_get (table, key);
    if (!row) {
        row = json_pack ("{s:i s:i s:i s:i s:i s:i s:{s:[] s:[] s:[] s:[]}}", "on_time", 0, "late", 0,
                         "overdue", 0, "due_soon", 0, "cancelled", 0, "unassigned", 0,
                         "cases", "on_time", "late", "overdue", "due_soon");
        json_object_set_new (table, key, row);
    }
    json_object_set_new (row, bucket, json_integer (json_integer_value (json_object_get (row, bucket)) + 1));
    json_t *refs = json_object_get (json_object_get (row, "cases"), bucket);
    if (ref && refs) {
        size_t index;
        json_t *value;
        json_array_foreach (refs, index, value)
            if (strcmp (json_string_value (value), ref) == 0)
                return;
        json_array_append_new (refs, json_string (ref));
    }
}

//  The task of a COMPLIANCE row: {"task", "standard", "title", "case", "due"}
static json_t *
s_compliance_task (sqlite3_stmt *stmt)
{
    return json_pack ("{s:I s:o s:o s:o s:o}", "task", (json_int_t) sqlite3_column_int64 (stmt, 6),
                      "standard", s_json_text (stmt, 0), "title", s_json_text (stmt, 7),
                      "case", s_json_text (stmt, 1), "due", s_json_when (stmt, 4));
}

//  A cancelled task: who cancelled it, when and why
static json_t *
s_compliance_cancelled (podd_store_t *self, sqlite3_stmt *row)
{
    json_t *item = s_compliance_task (row);
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_CANCELLED_BY);
    if (!stmt)
        return item;
    sqlite3_bind_int64 (stmt, 1, sqlite3_column_int64 (row, 6));
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        json_object_set_new (item, "by", s_json_text (stmt, 0));
        json_object_set_new (item, "reason", s_json_text (stmt, 1));
        json_object_set_new (item, "at", s_json_when (stmt, 2));
    }
    sqlite3_reset (stmt);
    return item;
}

//  A task nobody holds: declined by everyone it went to, or nobody free
//  (everyone who may do it away, or routing found nobody)
static json_t *
s_compliance_unassigned (podd_store_t *self, sqlite3_stmt *row)
{
    json_t *item = s_compliance_task (row);
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_DECLINERS);
    json_t *declined = NULL;
    if (stmt) {
        sqlite3_bind_int64 (stmt, 1, sqlite3_column_int64 (row, 6));
        declined = s_text_array (stmt);
    }
    bool by_all = json_array_size (declined) > 0;
    json_object_set_new (item, "state", s_json_text (row, 3));
    json_object_set_new (item, "why", json_string (by_all? "declined by everyone": "nobody free"));
    json_object_set_new (item, "declined_by", declined? declined: json_array ());
    return item;
}

json_t *
podd_store_compliance (podd_store_t *self, int64_t pod_id, int64_t member_id, const char *standard,
                       int64_t from, int64_t to, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COMPLIANCE);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, from);
    sqlite3_bind_int64 (stmt, 2, to);
    sqlite3_bind_int64 (stmt, 3, pod_id);
    sqlite3_bind_int64 (stmt, 4, member_id);
    s_bind_text (stmt, 5, standard? standard: "");
    sqlite3_bind_int64 (stmt, 6, now);
    json_t *standards = json_object (), *members = json_object ();
    json_t *overdue = json_array (), *cancelled = json_array (), *unassigned = json_array ();
    int64_t soon = now + 14 * 86400;
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        const char *rule = (const char *) sqlite3_column_text (stmt, 0);
        const char *ref = (const char *) sqlite3_column_text (stmt, 1);
        const char *member = (const char *) sqlite3_column_text (stmt, 2);
        const char *state = (const char *) sqlite3_column_text (stmt, 3);
        int64_t due = sqlite3_column_int64 (stmt, 4);
        const char *done_on = (const char *) sqlite3_column_text (stmt, 5);
        const char *bucket = NULL;
        if (strcmp (state, "done") == 0 && *done_on) {
            char due_date [PODD_DATE_LEN];
            podd_when_local_date (due, due_date);
            bucket = podd_when_date_cmp (done_on, due_date) <= 0? "on_time": "late";
        }
        else
        if (strcmp (state, "cancelled") == 0) {
            s_tally (standards, rule, "cancelled", NULL);
            json_array_append_new (cancelled, s_compliance_cancelled (self, stmt));
            continue;
        }
        else
        if (strcmp (state, "done") != 0)
            bucket = due < now? "overdue": due < soon? "due_soon": NULL;
        if (!bucket)
            continue;
        s_tally (standards, rule, bucket, ref);
        if (*member)
            s_tally (members, member, bucket, NULL);
        if (strcmp (bucket, "overdue") == 0) {
            json_t *item = s_compliance_task (stmt);
            json_object_set_new (item, "assignee", *member? json_string (member): json_null ());
            json_array_append_new (overdue, item);
        }
        if (!*member && (strcmp (bucket, "overdue") == 0 || strcmp (bucket, "due_soon") == 0)) {
            s_tally (standards, rule, "unassigned", NULL);
            json_array_append_new (unassigned, s_compliance_unassigned (self, stmt));
        }
    }
    sqlite3_reset (stmt);
    //  Objects keyed by id become sorted arrays
    json_t *result = json_pack ("{s:[] s:[] s:o s:o s:o}", "standards", "members",
                                "overdue_tasks", overdue, "cancelled_tasks", cancelled,
                                "unassigned_tasks", unassigned);
    const char *key;
    json_t *value;
    json_object_foreach (standards, key, value) {
        json_object_set_new (value, "standard", json_string (key));
        json_array_append (json_object_get (result, "standards"), value);
    }
    json_object_foreach (members, key, value) {
        json_object_del (value, "cases");
        json_object_del (value, "cancelled");
        json_object_del (value, "unassigned");
        json_object_set_new (value, "member", json_string (key));
        json_array_append (json_object_get (result, "members"), value);
    }
    json_decref (standards);
    json_decref (members);
    return result;
}

//  --------------------------------------------------------------------
//  Mailbox

int64_t
podd_store_mailbox_add (podd_store_t *self, int64_t member_id, int64_t task_id, int64_t version,
                        const char *payload, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MAILBOX_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, task_id);
    sqlite3_bind_int64 (stmt, 3, version);
    s_bind_text (stmt, 4, payload);
    sqlite3_bind_int64 (stmt, 5, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

json_t *
podd_store_mailbox_pending (podd_store_t *self, int64_t member_id, size_t limit)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MAILBOX_PENDING);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, (int64_t) limit);
    json_t *items = json_array ();
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o}",
            "delivery", (json_int_t) sqlite3_column_int64 (stmt, 0),
            "payload", s_json_text (stmt, 1)));
    sqlite3_reset (stmt);
    return items;
}

json_t *
podd_store_mailbox_page (podd_store_t *self, int64_t member_id, int64_t after, size_t limit)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MAILBOX_PAGE);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, after);
    sqlite3_bind_int64 (stmt, 3, (int64_t) limit);
    json_t *items = json_array ();
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o}",
            "delivery", (json_int_t) sqlite3_column_int64 (stmt, 0),
            "payload", s_json_text (stmt, 1)));
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE)
        json_decref (items);
    return rc == SQLITE_DONE? items: NULL;
}

int64_t
podd_store_mailbox_unacked_upto (podd_store_t *self, int64_t member_id, int64_t upto)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MAILBOX_UNACKED_UPTO);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, upto);
    return s_scalar (stmt, -1);
}

int
podd_store_mailbox_ack (podd_store_t *self, int64_t member_id, int64_t delivery, int64_t now)
{
    //  The UPDATE first (the common case, one statement); only when it
    //  changed nothing, whether the delivery is unknown or acked before
    sqlite3_stmt *stmt = s_stmt (self, SQL_MAILBOX_ACK);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, delivery);
    sqlite3_bind_int64 (stmt, 2, member_id);
    sqlite3_bind_int64 (stmt, 3, now);
    if (s_done (stmt))
        return -1;
    if (sqlite3_changes (self->db) == 1)
        return 0;
    stmt = s_stmt (self, SQL_MAILBOX_STATE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, delivery);
    sqlite3_bind_int64 (stmt, 2, member_id);
    return s_scalar (stmt, -1) == 1? -2: -1;
}

int64_t
podd_store_mailbox_pending_count (podd_store_t *self, int64_t member_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_MAILBOX_COUNT);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, member_id);
    return s_scalar (stmt, 0);
}

//  --------------------------------------------------------------------
//  Self test

//  --------------------------------------------------------------------
//  Handover and the leave fixes

bool
podd_store_case_ref_taken (podd_store_t *self, const char *ref, char *taken, size_t size)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_REF_TAKEN);
    if (!stmt)
        return false;
    s_bind_text (stmt, 1, ref);
    bool found = sqlite3_step (stmt) == SQLITE_ROW;
    if (found && taken)
        s_copy (taken, size, sqlite3_column_text (stmt, 0));
    sqlite3_reset (stmt);
    return found;
}

int64_t
podd_store_case_ref_clashes (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_REF_CLASHES);
    return stmt? s_scalar (stmt, 0): 0;
}

int64_t
podd_store_cover_case_line (podd_store_t *self, int64_t absence_id, int64_t case_id,
                            char *how, size_t how_size, char *set_by, size_t set_by_size)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_CASE_LINE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    sqlite3_bind_int64 (stmt, 2, case_id);
    int64_t cover = 0;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        cover = sqlite3_column_int64 (stmt, 0);
        if (how)
            s_copy (how, how_size, sqlite3_column_text (stmt, 1));
        if (set_by)
            s_copy (set_by, set_by_size, sqlite3_column_text (stmt, 2));
    }
    sqlite3_reset (stmt);
    return cover;
}

int
podd_store_cover_set_how (podd_store_t *self, int64_t absence_id, int64_t case_id, int64_t task_id,
                          const char *how)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_SET_HOW);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    sqlite3_bind_int64 (stmt, 2, task_id? -1: case_id);
    s_bind_text (stmt, 3, how);
    sqlite3_bind_int64 (stmt, 4, task_id? task_id: -1);
    return s_done (stmt);
}

size_t
podd_store_cover_task_lines_of_case (podd_store_t *self, int64_t absence_id, int64_t case_id,
                                     int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_TASK_LINES_OF_CASE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    sqlite3_bind_int64 (stmt, 2, case_id);
    return s_ids (stmt, ids, max);
}

size_t
podd_store_cover_moves_trouble (podd_store_t *self, int64_t absence_id, int64_t now,
                                int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_MOVES_TROUBLE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    sqlite3_bind_int64 (stmt, 2, now);
    return s_ids (stmt, ids, max);
}

int
podd_store_absence_set_check (podd_store_t *self, int64_t id, int64_t at)
{
    return s_run_ii (self, SQL_ABSENCE_SET_CHECK, id, at);
}

int
podd_store_absence_set_pack (podd_store_t *self, int64_t id, int64_t at)
{
    return s_run_ii (self, SQL_ABSENCE_SET_PACK, id, at);
}

size_t
podd_store_absence_handover_due (podd_store_t *self, bool pack, int64_t now, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, pack? SQL_ABSENCE_PACK_DUE: SQL_ABSENCE_CHECK_DUE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, now);
    return s_ids (stmt, ids, max);
}

int64_t
podd_store_absence_handover_next (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_HANDOVER_NEXT);
    return stmt? s_scalar (stmt, 0): 0;
}

json_t *
podd_store_absence_now (podd_store_t *self, int64_t pod_id, int64_t member_id, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_NOW);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    sqlite3_bind_int64 (stmt, 3, now);
    return s_list (self, stmt, s_absence_json_builder);
}

int64_t
podd_store_absence_next_of (podd_store_t *self, int64_t member_id, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_NEXT_OF);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, now);
    return s_scalar (stmt, 0);
}

int64_t
podd_store_task_holder_at (podd_store_t *self, int64_t task_id, int64_t at)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_HOLDER_AT);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, task_id);
    sqlite3_bind_int64 (stmt, 2, at);
    return s_scalar (stmt, 0);
}

int64_t
podd_store_reminder_mailed_since (podd_store_t *self, int64_t member_id, int64_t since)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_REMINDER_MAILED_SINCE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, since);
    return s_scalar (stmt, 0);
}

size_t
podd_store_tasks_due_for (podd_store_t *self, int64_t member_id, int64_t before,
                          int64_t follow_up_before, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASKS_DUE_FOR);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, member_id);
    sqlite3_bind_int64 (stmt, 2, before);
    sqlite3_bind_int64 (stmt, 3, (int64_t) max);
    sqlite3_bind_int64 (stmt, 4, follow_up_before);
    return s_ids (stmt, ids, max);
}

size_t
podd_store_tasks_overdue_pod (podd_store_t *self, int64_t pod_id, int64_t now, int64_t *ids,
                              size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASKS_OVERDUE_POD);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    sqlite3_bind_int64 (stmt, 2, now);
    sqlite3_bind_int64 (stmt, 3, (int64_t) max);
    return s_ids (stmt, ids, max);
}

int
podd_store_handover_note_set (podd_store_t *self, int64_t absence_id, int64_t case_id,
                              const char *text, int64_t author_id, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_HANDOVER_NOTE_SET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    sqlite3_bind_int64 (stmt, 2, case_id);
    s_bind_text (stmt, 3, text);
    sqlite3_bind_int64 (stmt, 4, author_id);
    sqlite3_bind_int64 (stmt, 5, now);
    return s_done (stmt);
}

json_t *
podd_store_handover_note (podd_store_t *self, int64_t absence_id, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_HANDOVER_NOTE_GET);
    if (!stmt)
        return json_null ();
    sqlite3_bind_int64 (stmt, 1, absence_id);
    sqlite3_bind_int64 (stmt, 2, case_id);
    json_t *note = json_null ();
    if (sqlite3_step (stmt) == SQLITE_ROW)
        note = json_pack ("{s:o s:o s:o}", "text", s_json_text (stmt, 0),
                          "by", s_json_text (stmt, 1), "at", s_json_when (stmt, 2));
    sqlite3_reset (stmt);
    return note;
}

int64_t
podd_store_handover_pack_add (podd_store_t *self, int64_t absence_id, const char *reason,
                              const char *body, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_HANDOVER_PACK_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    s_bind_text (stmt, 2, reason);
    sqlite3_bind_int64 (stmt, 3, now);
    s_bind_text (stmt, 4, body);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

json_t *
podd_store_handover_pack (podd_store_t *self, int64_t absence_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_HANDOVER_PACK_GET);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    json_t *pack = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        pack = json_loads ((const char *) sqlite3_column_text (stmt, 0), 0, NULL);
    sqlite3_reset (stmt);
    return pack;
}

//  What a handover page says about a case: its open tasks, next meetings,
//  concerns and allegations since `since`, and the last contact
json_t *
podd_store_case_handover (podd_store_t *self, int64_t case_id, int64_t since, int64_t now)
{
    json_t *page = json_object ();
    int64_t ids [100];
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_OPEN_TASK_IDS);
    if (!stmt)
        return page;
    sqlite3_bind_int64 (stmt, 1, case_id);
    size_t count = s_ids (stmt, ids, 100);
    json_t *tasks = json_array ();
    for (size_t i = 0; i < count; i++)
        json_array_append_new (tasks, podd_store_task_json (self, ids [i], false));
    json_object_set_new (page, "tasks", tasks);
    json_t *meetings = json_array ();
    stmt = s_stmt (self, SQL_CASE_NEXT_MEETINGS);
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, now);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (meetings, json_pack ("{s:I s:o s:o s:o}",
            "task", (json_int_t) sqlite3_column_int64 (stmt, 0), "title", s_json_text (stmt, 1),
            "start", s_json_when (stmt, 2), "location", s_json_text (stmt, 3)));
    sqlite3_reset (stmt);
    json_object_set_new (page, "meetings", meetings);
    json_t *concerns = json_array ();
    stmt = s_stmt (self, SQL_CASE_RECENT_CONCERNS);
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, since);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (concerns, json_pack ("{s:o s:o s:o s:o}", "date", s_json_text (stmt, 0),
            "kind", s_json_text (stmt, 1), "text", s_json_text (stmt, 2), "by", s_json_text (stmt, 3)));
    sqlite3_reset (stmt);
    json_object_set_new (page, "concerns", concerns);
    json_t *last = json_null ();
    stmt = s_stmt (self, SQL_CASE_LAST_CONTACT);
    sqlite3_bind_int64 (stmt, 1, case_id);
    if (sqlite3_step (stmt) == SQLITE_ROW)
        last = json_pack ("{s:o s:o s:o}", "date", s_json_text (stmt, 0),
                          "kind", s_json_text (stmt, 1), "by", s_json_text (stmt, 2));
    sqlite3_reset (stmt);
    json_object_set_new (page, "last_contact", last);
    return page;
}

int64_t
podd_store_notice_add (podd_store_t *self, int64_t member_id, const char *kind, const char *text,
                       const char *data, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_NOTICE_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, member_id);
    s_bind_text (stmt, 2, kind);
    s_bind_text (stmt, 3, text);
    s_bind_text (stmt, 4, data);
    sqlite3_bind_int64 (stmt, 5, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

//  --------------------------------------------------------------------
//  Delegation, follow-up, cover offers and swaps

int
podd_store_task_delegation (podd_store_t *self, int64_t task_id, int64_t *delegator, bool *awaiting,
                            int64_t *follow_up, bool *follow_up_sent)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_DELEGATION);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        *delegator = sqlite3_column_int64 (stmt, 0);
        *awaiting = sqlite3_column_int (stmt, 1) != 0;
        *follow_up = sqlite3_column_int64 (stmt, 2);
        *follow_up_sent = sqlite3_column_int (stmt, 3) != 0;
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_task_set_delegator (podd_store_t *self, int64_t task_id, int64_t delegator)
{
    return s_run_ii (self, SQL_TASK_SET_DELEGATOR, task_id, delegator);
}

int
podd_store_task_set_awaiting (podd_store_t *self, int64_t task_id, bool awaiting)
{
    return s_run_ii (self, SQL_TASK_SET_AWAITING, task_id, awaiting);
}

int
podd_store_task_set_follow_up (podd_store_t *self, int64_t task_id, int64_t at)
{
    return s_run_ii (self, SQL_TASK_SET_FOLLOW_UP, task_id, at);
}

int
podd_store_task_follow_up_sent (podd_store_t *self, int64_t task_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_FOLLOW_UP_SENT);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    return s_done (stmt);
}

size_t
podd_store_follow_ups_due (podd_store_t *self, int64_t now, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_FOLLOW_UP_DUE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, now);
    sqlite3_bind_int64 (stmt, 2, (int64_t) max);
    return s_ids (stmt, ids, max);
}

int64_t
podd_store_follow_ups_next (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_FOLLOW_UP_NEXT);
    return stmt? s_scalar (stmt, 0): 0;
}

int64_t
podd_store_cover_request_add (podd_store_t *self, int64_t absence_id, const char *kind, int64_t case_id,
                              int64_t line_a, int64_t line_b, int64_t asked_by, const char *note,
                              int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_REQUEST_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    s_bind_text (stmt, 2, kind);
    sqlite3_bind_int64 (stmt, 3, case_id);
    sqlite3_bind_int64 (stmt, 4, line_a);
    sqlite3_bind_int64 (stmt, 5, line_b);
    sqlite3_bind_int64 (stmt, 6, asked_by);
    s_bind_text (stmt, 7, note? note: "");
    sqlite3_bind_int64 (stmt, 8, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

int
podd_store_cover_request_get (podd_store_t *self, int64_t id, int64_t row [7], char *status, size_t size)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_REQUEST_GET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        //  id, absence, kind (0 offer, 1 swap), case, line a, line b, asked by
        row [0] = sqlite3_column_int64 (stmt, 0);
        row [1] = sqlite3_column_int64 (stmt, 1);
        row [2] = streq ((const char *) sqlite3_column_text (stmt, 2), "swap");
        row [3] = sqlite3_column_int64 (stmt, 3);
        row [4] = sqlite3_column_int64 (stmt, 4);
        row [5] = sqlite3_column_int64 (stmt, 5);
        row [6] = sqlite3_column_int64 (stmt, 6);
        s_copy (status, size, sqlite3_column_text (stmt, 7));
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_cover_request_decide (podd_store_t *self, int64_t id, const char *status, int64_t by,
                                 int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_REQUEST_DECIDE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    s_bind_text (stmt, 2, status);
    sqlite3_bind_int64 (stmt, 3, by);
    sqlite3_bind_int64 (stmt, 4, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_changes (self->db) == 1? 0: -1;
}

json_t *
podd_store_cover_requests_json (podd_store_t *self, int64_t absence_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_REQUESTS_JSON);
    json_t *items = json_array ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o}",
            "id", (json_int_t) sqlite3_column_int64 (stmt, 0), "kind", s_json_text (stmt, 1),
            "case", s_json_text (stmt, 2),
            "line_a", sqlite3_column_type (stmt, 3) == SQLITE_NULL? json_null (): json_integer (sqlite3_column_int64 (stmt, 3)),
            "line_b", sqlite3_column_type (stmt, 4) == SQLITE_NULL? json_null (): json_integer (sqlite3_column_int64 (stmt, 4)),
            "asked_by", s_json_text (stmt, 5), "note", s_json_text (stmt, 6), "status", s_json_text (stmt, 7),
            "decided_by", s_json_text (stmt, 8), "asked", s_json_when (stmt, 9), "decided", s_json_when (stmt, 10)));
    sqlite3_reset (stmt);
    return items;
}

int
podd_store_cover_line_get (podd_store_t *self, int64_t line_id, int64_t row [5])
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_LINE_GET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, line_id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        for (int i = 0; i < 5; i++)
            row [i] = sqlite3_column_int64 (stmt, i);
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_cover_line_set_by (podd_store_t *self, int64_t line_id, int64_t cover_id, int64_t set_by,
                              const char *how)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_LINE_SET_BY);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, line_id);
    sqlite3_bind_int64 (stmt, 2, cover_id);
    sqlite3_bind_int64 (stmt, 3, set_by);
    s_bind_text (stmt, 4, how);
    return s_done (stmt);
}

//  The ids of an absence's cover lines, in the order COVER_LINES lists them
json_t *
podd_store_cover_line_ids (podd_store_t *self, int64_t absence_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_LINES_IDS);
    json_t *items = json_object ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, absence_id);
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        char key [24];
        snprintf (key, sizeof key, "%lld", (long long) sqlite3_column_int64 (stmt, 0));
        json_object_set_new (items, key, s_json_text (stmt, 1));
    }
    sqlite3_reset (stmt);
    return items;
}

//  A case's chronology entries dated since (YYYY-MM-DD), oldest first:
//  [{"date", "kind", "text"}, ...]
json_t *
podd_store_chronology_since (podd_store_t *self, int64_t case_id, const char *since)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CHRONO_SINCE);
    json_t *items = json_array ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, since);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:o s:o s:o}", "date", s_json_text (stmt, 0),
                               "kind", s_json_text (stmt, 1), "text", s_json_text (stmt, 2)));
    sqlite3_reset (stmt);
    return items;
}

//  The practice standards a case has had tasks from: ["rule-id", ...]
json_t *
podd_store_case_rule_ids (podd_store_t *self, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_RULE_IDS);
    if (!stmt)
        return json_array ();
    sqlite3_bind_int64 (stmt, 1, case_id);
    return s_text_array (stmt);
}

//  A case's tasks made by practice standards and done since (YYYY-MM-DD):
//  [{"task", "done_on", "standard", "title"}, ...]
json_t *
podd_store_standard_tasks_done (podd_store_t *self, int64_t case_id, const char *since)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_STANDARD_TASKS_DONE);
    json_t *items = json_array ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, since);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o s:o s:o}",
            "task", (json_int_t) sqlite3_column_int64 (stmt, 0), "done_on", s_json_text (stmt, 1),
            "standard", s_json_text (stmt, 2), "title", s_json_text (stmt, 3)));
    sqlite3_reset (stmt);
    return items;
}

//  --------------------------------------------------------------------
//  Practice standards, later rules

bool
podd_store_case_has_rule_task (podd_store_t *self, int64_t case_id, const char *rule_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_HAS_RULE_TASK);
    if (!stmt)
        return false;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, rule_id);
    return s_scalar (stmt, 0) != 0;
}

int
podd_store_case_set_age_due (podd_store_t *self, int64_t case_id, int64_t at)
{
    return s_run_ii (self, SQL_CASE_SET_AGE_DUE, case_id, at);
}

size_t
podd_store_cases_age_due (podd_store_t *self, int64_t now, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASES_AGE_DUE);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, now);
    sqlite3_bind_int64 (stmt, 2, (int64_t) max);
    return s_ids (stmt, ids, max);
}

int64_t
podd_store_cases_age_next (podd_store_t *self)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASES_AGE_NEXT);
    return stmt? s_scalar (stmt, 0): 0;
}

size_t
podd_store_cases_with_dob (podd_store_t *self, int64_t after, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASES_WITH_DOB);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, after);
    sqlite3_bind_int64 (stmt, 2, (int64_t) max);
    return s_ids (stmt, ids, max);
}

json_t *
podd_store_cases_no_dob (podd_store_t *self, int64_t pod_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASES_NO_DOB);
    if (!stmt)
        return json_array ();
    sqlite3_bind_int64 (stmt, 1, pod_id);
    return s_text_array (stmt);
}

int
podd_store_task_set_anchor (podd_store_t *self, int64_t task_id, const char *anchor,
                            bool holidays_unknown)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_SET_ANCHOR);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    s_bind_text (stmt, 2, anchor);
    sqlite3_bind_int (stmt, 3, holidays_unknown);
    return s_done (stmt);
}

int
podd_store_task_anchor (podd_store_t *self, int64_t task_id, char *anchor, bool *holidays_unknown)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_ANCHOR);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        s_copy (anchor, 11, sqlite3_column_text (stmt, 0));
        *holidays_unknown = sqlite3_column_int (stmt, 1) != 0;
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

size_t
podd_store_case_rule_open_tasks (podd_store_t *self, int64_t case_id, const char *rule_id,
                                 int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_RULE_OPEN_TASKS);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, rule_id);
    sqlite3_bind_int64 (stmt, 3, (int64_t) max);
    return s_ids (stmt, ids, max);
}

//  --------------------------------------------------------------------
//  Case transfers between pods

int64_t
podd_store_transfer_add (podd_store_t *self, int64_t case_id, int64_t from_pod, int64_t to_pod,
                         int64_t old_lead, int64_t new_lead, const char *note, int64_t visit,
                         const char *location, int64_t requested_by, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TRANSFER_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, from_pod);
    sqlite3_bind_int64 (stmt, 3, to_pod);
    sqlite3_bind_int64 (stmt, 4, old_lead);
    sqlite3_bind_int64 (stmt, 5, new_lead);
    s_bind_text (stmt, 6, note? note: "");
    sqlite3_bind_int64 (stmt, 7, visit);
    s_bind_text (stmt, 8, location? location: "");
    sqlite3_bind_int64 (stmt, 9, requested_by);
    sqlite3_bind_int64 (stmt, 10, now);
    return s_done (stmt)? -1: sqlite3_last_insert_rowid (self->db);
}

int
podd_store_transfer_get (podd_store_t *self, int64_t id, podd_transfer_t *transfer)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TRANSFER_GET);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        transfer->id = sqlite3_column_int64 (stmt, 0);
        transfer->case_id = sqlite3_column_int64 (stmt, 1);
        transfer->from_pod = sqlite3_column_int64 (stmt, 2);
        transfer->to_pod = sqlite3_column_int64 (stmt, 3);
        transfer->old_lead = sqlite3_column_int64 (stmt, 4);
        transfer->new_lead = sqlite3_column_int64 (stmt, 5);
        transfer->visit = sqlite3_column_int64 (stmt, 6);
        s_copy (transfer->location, sizeof transfer->location, sqlite3_column_text (stmt, 7));
        s_copy (transfer->status, sizeof transfer->status, sqlite3_column_text (stmt, 8));
        transfer->from_by = sqlite3_column_int64 (stmt, 9);
        transfer->to_by = sqlite3_column_int64 (stmt, 10);
        transfer->visit_task = sqlite3_column_int64 (stmt, 11);
        transfer->released = sqlite3_column_int64 (stmt, 12);
        transfer->requested_by = sqlite3_column_int64 (stmt, 13);
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int64_t
podd_store_transfer_pending (podd_store_t *self, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TRANSFER_PENDING);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, case_id);
    return s_scalar (stmt, 0);
}

int
podd_store_transfer_plan (podd_store_t *self, int64_t id, int64_t new_lead, int64_t visit,
                          const char *location)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TRANSFER_PLAN);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, new_lead);
    sqlite3_bind_int64 (stmt, 3, visit);
    s_bind_text (stmt, 4, location? location: "");
    return s_done (stmt) || sqlite3_changes (self->db) != 1? -1: 0;
}

int
podd_store_transfer_consent (podd_store_t *self, int64_t id, bool sending, int64_t by, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, sending? SQL_TRANSFER_CONSENT_FROM: SQL_TRANSFER_CONSENT_TO);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, by);
    sqlite3_bind_int64 (stmt, 3, now);
    return s_done (stmt) || sqlite3_changes (self->db) != 1? -1: 0;
}

int
podd_store_transfer_refuse (podd_store_t *self, int64_t id, int64_t by, const char *reason, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TRANSFER_REFUSE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, by);
    sqlite3_bind_int64 (stmt, 3, now);
    s_bind_text (stmt, 4, reason? reason: "");
    return s_done (stmt) || sqlite3_changes (self->db) != 1? -1: 0;
}

int
podd_store_transfer_done (podd_store_t *self, int64_t id, int64_t old_lead, int64_t visit_task,
                          int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TRANSFER_DONE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, old_lead);
    sqlite3_bind_int64 (stmt, 3, visit_task);
    sqlite3_bind_int64 (stmt, 4, now);
    return s_done (stmt) || sqlite3_changes (self->db) != 1? -1: 0;
}

int64_t
podd_store_transfer_by_visit (podd_store_t *self, int64_t task_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TRANSFER_BY_VISIT);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, task_id);
    return s_scalar (stmt, 0);
}

int
podd_store_transfer_release (podd_store_t *self, int64_t id, int64_t now)
{
    return s_run_ii (self, SQL_TRANSFER_RELEASE, id, now);
}

//  {"by": HANDLE, "at": TIME} or null
static json_t *
s_transfer_consent (sqlite3_stmt *stmt, int by, int at)
{
    if (sqlite3_column_type (stmt, by) == SQLITE_NULL)
        return json_null ();
    return json_pack ("{s:o s:o}", "by", s_json_text (stmt, by), "at", s_json_when (stmt, at));
}

json_t *
podd_store_transfer_json (podd_store_t *self, int64_t id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TRANSFER_JSON);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, id);
    json_t *transfer = NULL;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        json_t *refused = sqlite3_column_type (stmt, 16) == SQLITE_NULL? json_null ()
                        : json_pack ("{s:o s:o s:o}", "by", s_json_text (stmt, 16),
                                     "at", s_json_when (stmt, 17), "reason", s_json_text (stmt, 18));
        transfer = json_pack ("{s:I s:o s:o s:o s:o s:o s:o s:o s:o s:o s:{s:o s:o} s:o s:o s:o s:o s:o s:o}",
            "id", (json_int_t) sqlite3_column_int64 (stmt, 0), "case", s_json_text (stmt, 1),
            "from_pod", s_json_text (stmt, 2), "to_pod", s_json_text (stmt, 3),
            "old_lead", s_json_text (stmt, 4), "new_lead", s_json_text (stmt, 5),
            "note", s_json_text (stmt, 6), "visit", s_json_when (stmt, 7),
            "location", s_json_text (stmt, 8), "status", s_json_text (stmt, 9),
            "requested", "by", s_json_text (stmt, 10), "at", s_json_when (stmt, 11),
            "sending_consent", s_transfer_consent (stmt, 12, 13),
            "receiving_consent", s_transfer_consent (stmt, 14, 15),
            "refused", refused, "done", s_json_when (stmt, 19),
            "visit_task", sqlite3_column_type (stmt, 20) == SQLITE_NULL? json_null ()
                          : json_integer (sqlite3_column_int64 (stmt, 20)),
            "old_lead_released", s_json_when (stmt, 21));
    }
    sqlite3_reset (stmt);
    return transfer;
}

int
podd_store_case_move_pod (podd_store_t *self, int64_t case_id, int64_t pod_id, int64_t lead_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_MOVE_POD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, pod_id);
    sqlite3_bind_int64 (stmt, 3, lead_id);
    return s_done (stmt);
}

int
podd_store_case_remove_coworker (podd_store_t *self, int64_t case_id, int64_t member_id)
{
    return s_run_ii (self, SQL_CASE_REMOVE_CO, case_id, member_id);
}

size_t
podd_store_case_live_tasks (podd_store_t *self, int64_t case_id, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_LIVE_TASKS);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, case_id);
    return s_ids (stmt, ids, max);
}

int
podd_store_case_cover_moves_clear (podd_store_t *self, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_COVER_MOVES_CLEAR);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    return s_done (stmt);
}

//  --------------------------------------------------------------------
//  Chains: outcomes, placements, a rule's open tasks

int
podd_store_event_set_outcome (podd_store_t *self, int64_t event_id, const char *outcome)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_EVENT_SET_OUTCOME);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, event_id);
    s_bind_text (stmt, 2, outcome);
    return s_done (stmt);
}

int64_t
podd_store_placement_start (podd_store_t *self, int64_t child_id, int64_t carer_id,
                            const char *date, int64_t event_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PLACEMENT_START);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, child_id);
    sqlite3_bind_int64 (stmt, 2, carer_id);
    s_bind_text (stmt, 3, date);
    sqlite3_bind_int64 (stmt, 4, event_id);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

int
podd_store_placement_current (podd_store_t *self, int64_t child_id, podd_placement_t *placement)
{
    memset (placement, 0, sizeof (*placement));
    sqlite3_stmt *stmt = s_stmt (self, SQL_PLACEMENT_CURRENT);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, child_id);
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        placement->id = sqlite3_column_int64 (stmt, 0);
        placement->carer_id = sqlite3_column_int64 (stmt, 1);
        s_copy (placement->started, sizeof placement->started, sqlite3_column_text (stmt, 2));
        s_copy (placement->long_term_on, sizeof placement->long_term_on, sqlite3_column_text (stmt, 3));
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_placement_end (podd_store_t *self, int64_t placement_id, const char *date)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PLACEMENT_END);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, placement_id);
    s_bind_text (stmt, 2, date);
    return s_done (stmt);
}

int
podd_store_placement_set_long_term (podd_store_t *self, int64_t placement_id, const char *date)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PLACEMENT_LONG_TERM);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, placement_id);
    s_bind_text (stmt, 2, date);
    return s_done (stmt);
}

json_t *
podd_store_placements_json (podd_store_t *self, int64_t case_id)
{
    json_t *items = json_array ();
    sqlite3_stmt *stmt = s_stmt (self, SQL_PLACEMENTS_JSON);
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, case_id);
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        const unsigned char *carer = sqlite3_column_text (stmt, 2);
        json_array_append_new (items, json_pack ("{s:I s:o s:o s:o s:o s:o}",
            "id", (json_int_t) sqlite3_column_int64 (stmt, 0), "child", s_json_text (stmt, 1),
            "carer", carer && *carer? json_string ((const char *) carer): json_null (),
            "started", s_json_text (stmt, 3), "ended", s_json_text (stmt, 4),
            "long_term_on", s_json_text (stmt, 5)));
    }
    sqlite3_reset (stmt);
    return items;
}

int
podd_store_task_set_placement (podd_store_t *self, int64_t task_id, int64_t placement_id)
{
    return s_run_ii (self, SQL_TASK_SET_PLACEMENT, task_id, placement_id);
}

int64_t
podd_store_task_placement (podd_store_t *self, int64_t task_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_PLACEMENT);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, task_id);
    int64_t id = sqlite3_step (stmt) == SQLITE_ROW? sqlite3_column_int64 (stmt, 0): 0;
    sqlite3_reset (stmt);
    return id;
}

size_t
podd_store_rule_open_tasks (podd_store_t *self, int64_t case_id, const char *rule_id,
                            int64_t placement_id, int64_t *ids, size_t max)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_RULE_OPEN_TASKS);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, rule_id);
    sqlite3_bind_int64 (stmt, 3, placement_id);
    return s_ids (stmt, ids, max);
}

int64_t
podd_store_rule_task_count (podd_store_t *self, int64_t case_id, const char *rule_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_RULE_TASK_COUNT);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, rule_id);
    int64_t count = sqlite3_step (stmt) == SQLITE_ROW? sqlite3_column_int64 (stmt, 0): -1;
    sqlite3_reset (stmt);
    return count;
}

int
podd_store_rules_last_done (podd_store_t *self, int64_t case_id, const char *const rules [3],
                            const char *since, char *date)
{
    date [0] = 0;
    sqlite3_stmt *stmt = s_stmt (self, SQL_RULES_LAST_DONE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    for (int i = 0; i < 3; i++)
        s_bind_text (stmt, 2 + i, rules [i]? rules [i]: "");
    s_bind_text (stmt, 5, since? since: "");
    int rc = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        s_copy (date, PODD_DATE_LEN, sqlite3_column_text (stmt, 0));
        rc = 0;
    }
    sqlite3_reset (stmt);
    return rc;
}

int
podd_store_placement_set_start (podd_store_t *self, int64_t event_id, const char *date)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_PLACEMENT_SET_START);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, event_id);
    s_bind_text (stmt, 2, date);
    return s_done (stmt);
}

int
podd_store_task_set_rule (podd_store_t *self, int64_t task_id, const char *rule_id,
                          const char *title, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_SET_RULE);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task_id);
    s_bind_text (stmt, 2, rule_id);
    s_bind_text (stmt, 3, title);
    sqlite3_bind_int64 (stmt, 4, now);
    return s_done (stmt);
}

//  Tasks of a statutory kind that no standard is attached to, due in
//  [from, to) or overdue at now, appended to items:
//  {"task", "kind", "title", "case", "due", "state", "assignee"}
void
podd_store_compliance_unattached (podd_store_t *self, int64_t pod_id, int64_t member_id,
                                  const char *kind, int64_t from, int64_t to, int64_t now,
                                  json_t *items)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COMPLIANCE_UNATTACHED);
    if (!stmt)
        return;
    sqlite3_bind_int64 (stmt, 1, from);
    sqlite3_bind_int64 (stmt, 2, to);
    sqlite3_bind_int64 (stmt, 3, pod_id);
    sqlite3_bind_int64 (stmt, 4, member_id);
    s_bind_text (stmt, 5, kind);
    sqlite3_bind_int64 (stmt, 6, now);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o s:o s:o s:o s:o s:o}",
            "task", (json_int_t) sqlite3_column_int64 (stmt, 0), "kind", s_json_text (stmt, 1),
            "title", s_json_text (stmt, 2), "case", s_json_text (stmt, 3), "due", s_json_when (stmt, 4),
            "state", s_json_text (stmt, 5), "assignee", s_json_text (stmt, 6)));
    sqlite3_reset (stmt);
}

//  --------------------------------------------------------------------
//  Continuity: contacts, lead and cover history, the weekly mail

int64_t
podd_store_contact_add (podd_store_t *self, int64_t case_id, int64_t entry_id, const char *date,
                        int64_t member_id, int64_t task_id, int64_t recorded_by, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CONTACT_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, entry_id);
    s_bind_text (stmt, 3, date);
    sqlite3_bind_int64 (stmt, 4, member_id);
    sqlite3_bind_int64 (stmt, 5, task_id);
    sqlite3_bind_int64 (stmt, 6, recorded_by);
    sqlite3_bind_int64 (stmt, 7, now);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

json_t *
podd_store_case_contacts (podd_store_t *self, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CONTACTS_OF_CASE);
    json_t *items = json_array ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, case_id);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o s:I s:o}",
            "entry", (json_int_t) sqlite3_column_int64 (stmt, 0), "date", s_json_text (stmt, 1),
            "member_id", (json_int_t) sqlite3_column_int64 (stmt, 2), "member", s_json_text (stmt, 3)));
    sqlite3_reset (stmt);
    return items;
}

int
podd_store_contact_last_by (podd_store_t *self, int64_t case_id, int64_t member_id, const char *since,
                            char *date)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CONTACT_LAST_BY);
    date [0] = 0;
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    s_bind_text (stmt, 3, since);
    if (sqlite3_step (stmt) == SQLITE_ROW)
        s_copy (date, PODD_DATE_LEN, sqlite3_column_text (stmt, 0));
    sqlite3_reset (stmt);
    return *date? 0: -1;
}

json_t *
podd_store_lead_history (podd_store_t *self, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_LEAD_HISTORY);
    json_t *items = json_array ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, case_id);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o s:I s:I s:o}",
            "member_id", (json_int_t) sqlite3_column_int64 (stmt, 0), "member", s_json_text (stmt, 1),
            "starts", (json_int_t) sqlite3_column_int64 (stmt, 2),
            "ends", (json_int_t) sqlite3_column_int64 (stmt, 3), "set_by", s_json_text (stmt, 4)));
    sqlite3_reset (stmt);
    return items;
}

int
podd_store_lead_set_by (podd_store_t *self, int64_t case_id, int64_t set_by)
{
    return s_run_ii (self, SQL_LEAD_SET_BY, case_id, set_by);
}

int
podd_store_lead_at (podd_store_t *self, int64_t case_id, int64_t at, int64_t *lead_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_LEAD_AT);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, at);
    int64_t value = s_scalar (stmt, -1);
    if (value < 0)
        return -1;
    *lead_id = value;
    return 0;
}

int64_t
podd_store_cover_at (podd_store_t *self, int64_t case_id, int64_t absent_id, int64_t at)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_COVER_AT);
    if (!stmt)
        return 0;
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 2, absent_id);
    sqlite3_bind_int64 (stmt, 3, at);
    return s_scalar (stmt, 0);
}

json_t *
podd_store_continuity_cases (podd_store_t *self, int64_t pod_id, int64_t case_id, int64_t from, int64_t to)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CONTINUITY_CASES);
    json_t *items = json_array ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    sqlite3_bind_int64 (stmt, 2, from);
    sqlite3_bind_int64 (stmt, 3, to);
    sqlite3_bind_int64 (stmt, 4, case_id);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o s:I s:I}",
            "id", (json_int_t) sqlite3_column_int64 (stmt, 0), "ref", s_json_text (stmt, 1),
            "opened", (json_int_t) sqlite3_column_int64 (stmt, 2),
            "closed", (json_int_t) sqlite3_column_int64 (stmt, 3)));
    sqlite3_reset (stmt);
    return items;
}

json_t *
podd_store_standard_tasks_by (podd_store_t *self, int64_t case_id, const char *from, const char *to)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_STANDARD_TASKS_BY);
    json_t *items = json_array ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, case_id);
    s_bind_text (stmt, 2, from);
    s_bind_text (stmt, 3, to);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:o s:I}",
            "task", (json_int_t) sqlite3_column_int64 (stmt, 0), "done_on", s_json_text (stmt, 1),
            "member_id", (json_int_t) sqlite3_column_int64 (stmt, 2)));
    sqlite3_reset (stmt);
    return items;
}

json_t *
podd_store_case_coworker_rows (podd_store_t *self, int64_t case_id)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_COWORKER_ROWS);
    json_t *items = json_array ();
    if (!stmt)
        return items;
    sqlite3_bind_int64 (stmt, 1, case_id);
    while (sqlite3_step (stmt) == SQLITE_ROW)
        json_array_append_new (items, json_pack ("{s:I s:I}",
            "member_id", (json_int_t) sqlite3_column_int64 (stmt, 0),
            "since", (json_int_t) sqlite3_column_int64 (stmt, 1)));
    sqlite3_reset (stmt);
    return items;
}

bool
podd_store_continuity_mail_sent (podd_store_t *self, int64_t pod_id, const char *week)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CONTINUITY_MAIL_SENT);
    if (!stmt)
        return true;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    s_bind_text (stmt, 2, week);
    return s_scalar (stmt, 0) == 1;
}

int
podd_store_continuity_mail_add (podd_store_t *self, int64_t pod_id, const char *week, int64_t outbox_id,
                                int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_CONTINUITY_MAIL_ADD);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    s_bind_text (stmt, 2, week);
    sqlite3_bind_int64 (stmt, 3, outbox_id);
    sqlite3_bind_int64 (stmt, 4, now);
    return s_done (stmt);
}

//  --------------------------------------------------------------------
//  Writes (issue 13)

int64_t
podd_store_task_new_routed (podd_store_t *self, const podd_task_t *task, const char *title,
                            const char *priority, int64_t next_reminder, int64_t now)
{
    sqlite3_stmt *stmt = s_stmt (self, SQL_TASK_NEW_ROUTED);
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, task->case_id);
    s_bind_text (stmt, 2, task->kind);
    s_bind_text (stmt, 3, title);
    sqlite3_bind_int64 (stmt, 4, task->due);
    s_bind_text (stmt, 5, priority? priority: "routine");
    s_bind_text (stmt, 6, task->state);
    sqlite3_bind_int64 (stmt, 7, task->assignee_id);
    sqlite3_bind_int64 (stmt, 8, task->creator_id);
    sqlite3_bind_int64 (stmt, 9, task->version);
    sqlite3_bind_int64 (stmt, 10, now);
    sqlite3_bind_int64 (stmt, 11, next_reminder);
    if (s_done (stmt))
        return -1;
    return sqlite3_last_insert_rowid (self->db);
}

//  A page of ids (one more asked of stmt, already bound), built into items;
//  next is TAG:KEY of the last item when there are more
static json_t *
s_page (podd_store_t *self, sqlite3_stmt *stmt, s_builder_fn *builder, podd_page_t *page,
        const char *tag, const char *key_field)
{
    json_t *items = s_list (self, stmt, builder);
    page->next [0] = 0;
    if (json_array_size (items) > page->limit) {
        json_array_remove (items, page->limit);
        const char *key = json_string_value (json_object_get (json_array_get (items, page->limit - 1),
                                                              key_field));
        if (key)
            snprintf (page->next, sizeof page->next, "%s:%s", tag, key);
    }
    return items;
}

//  The position in a cursor "TAG:KEY", or NULL when it is not one of tag
static const char *
s_cursor_key (const char *cursor, const char *tag)
{
    size_t length = strlen (tag);
    if (!cursor || strncmp (cursor, tag, length) || cursor [length] != ':' || !cursor [length + 1])
        return NULL;
    return cursor + length + 1;
}

json_t *
podd_store_case_page (podd_store_t *self, int64_t pod_id, int64_t member_id, const char *status,
                      podd_page_t *page)
{
    const char *after = s_cursor_key (page->after, "cases");
    if (page->after && !after)
        return NULL;
    sqlite3_stmt *stmt = s_stmt (self, SQL_CASE_LIST);
    if (!stmt)
        return json_array ();
    sqlite3_bind_int64 (stmt, 1, pod_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    s_bind_text (stmt, 3, status? status: "open");
    if (after)
        s_bind_text (stmt, 4, after);
    sqlite3_bind_int64 (stmt, 5, (int64_t) page->limit + 1);
    return s_page (self, stmt, s_case_json_builder, page, "cases", "ref");
}

json_t *
podd_store_member_page (podd_store_t *self, int64_t pod_id, podd_page_t *page)
{
    const char *after = s_cursor_key (page->after, "members");
    if (page->after && !after)
        return NULL;
    sqlite3_stmt *stmt = s_stmt (self, SQL_MEMBER_LIST);
    if (!stmt)
        return json_array ();
    sqlite3_bind_int64 (stmt, 1, pod_id);
    if (after)
        s_bind_text (stmt, 2, after);
    sqlite3_bind_int64 (stmt, 3, (int64_t) page->limit + 1);
    return s_page (self, stmt, podd_store_member_json, page, "members", "handle");
}

//  More paged lists (issue 13). A page of the ids stmt yields (bound,
//  asked for one more than the page), built into items; *last is the id
//  of the page's last item when there is a page after it, else 0
static json_t *
s_page_ids (podd_store_t *self, sqlite3_stmt *stmt, s_builder_fn *builder, size_t limit,
            int64_t *last)
{
    int64_t *ids = (int64_t *) malloc ((limit + 1) * sizeof (int64_t));
    assert (ids);
    size_t count = s_ids (stmt, ids, limit + 1);
    *last = count > limit? ids [limit - 1]: 0;
    json_t *items = json_array ();
    for (size_t i = 0; i < count && i < limit; i++) {
        json_t *item = builder (self, ids [i]);
        if (item)
            json_array_append_new (items, item);
    }
    free (ids);
    return items;
}

//  The id in a cursor "TAG:ID": 0, or -1 when it is not one of tag
static int
s_cursor_id (const char *cursor, const char *tag, int64_t *id)
{
    const char *key = s_cursor_key (cursor, tag);
    char *end;
    long long value = key? strtoll (key, &end, 10): 0;
    if (!key || *end || value <= 0)
        return -1;
    *id = value;
    return 0;
}

//  Bind a "TAG:ID" cursor (NULL: from the start) to index: 0, or -1 when
//  it is not one of tag
static int
s_bind_cursor_id (sqlite3_stmt *stmt, int index, const char *cursor, const char *tag)
{
    int64_t id = 0;
    if (cursor && s_cursor_id (cursor, tag, &id))
        return -1;
    if (cursor)
        sqlite3_bind_int64 (stmt, index, id);
    return 0;
}

static void
s_next_id (podd_page_t *page, const char *tag, int64_t last)
{
    page->next [0] = 0;
    if (last)
        snprintf (page->next, sizeof page->next, "%s:%lld", tag, (long long) last);
}

json_t *
podd_store_notice_page (podd_store_t *self, int64_t member_id, const char *kind, podd_page_t *page)
{
    page->next [0] = 0;
    sqlite3_stmt *stmt = s_stmt (self, SQL_NOTICE_LIST);
    if (!stmt)
        return json_array ();
    if (s_bind_cursor_id (stmt, 4, page->after, "notices"))
        return NULL;
    sqlite3_bind_int64 (stmt, 1, member_id);
    s_bind_text (stmt, 2, kind? kind: "");
    sqlite3_bind_int64 (stmt, 3, (int64_t) page->limit + 1);
    json_t *items = json_array ();
    int64_t last = 0;
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        if (json_array_size (items) == page->limit) {
            s_next_id (page, "notices", last);
            break;
        }
        last = sqlite3_column_int64 (stmt, 0);
        json_t *data = json_loads ((const char *) sqlite3_column_text (stmt, 3), 0, NULL);
        json_array_append_new (items, json_pack ("{s:I s:o s:o s:o s:o}",
            "id", (json_int_t) last, "kind", s_json_text (stmt, 1),
            "text", s_json_text (stmt, 2), "data", data? data: json_object (),
            "created", s_json_when (stmt, 4)));
    }
    sqlite3_reset (stmt);
    return items;
}

json_t *
podd_store_outbox_page (podd_store_t *self, int64_t pod_id, const char *state, podd_page_t *page)
{
    page->next [0] = 0;
    sqlite3_stmt *stmt = s_stmt (self, SQL_OUTBOX_LIST);
    if (!stmt)
        return json_array ();
    if (s_bind_cursor_id (stmt, 4, page->after, "mail"))
        return NULL;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    s_bind_text (stmt, 2, state? state: "all");
    sqlite3_bind_int64 (stmt, 3, (int64_t) page->limit + 1);
    int64_t last;
    json_t *items = s_page_ids (self, stmt, podd_store_outbox_json, page->limit, &last);
    s_next_id (page, "mail", last);
    return items;
}

json_t *
podd_store_transfer_page (podd_store_t *self, int64_t pod_id, const char *status, podd_page_t *page)
{
    page->next [0] = 0;
    sqlite3_stmt *stmt = s_stmt (self, SQL_TRANSFER_LIST);
    if (!stmt)
        return json_array ();
    if (s_bind_cursor_id (stmt, 3, page->after, "transfers"))
        return NULL;
    sqlite3_bind_int64 (stmt, 1, pod_id);
    s_bind_text (stmt, 2, status? status: "pending");
    sqlite3_bind_int64 (stmt, 4, (int64_t) page->limit + 1);
    int64_t last;
    json_t *items = s_page_ids (self, stmt, podd_store_transfer_json, page->limit, &last);
    s_next_id (page, "transfers", last);
    return items;
}

json_t *
podd_store_partner_page (podd_store_t *self, int64_t case_id, podd_page_t *page)
{
    page->next [0] = 0;
    //  The cursor names a partner, whose place (agency, name) the page
    //  follows: one that does not exist is no cursor
    int64_t after = 0;
    if (page->after) {
        json_t *partner = s_cursor_id (page->after, "partners", &after)? NULL
                        : podd_store_partner_json (self, after);
        if (!partner)
            return NULL;
        json_decref (partner);
    }
    sqlite3_stmt *stmt = s_stmt (self, SQL_PARTNER_PAGE);
    if (!stmt)
        return json_array ();
    if (after)
        sqlite3_bind_int64 (stmt, 2, after);
    sqlite3_bind_int64 (stmt, 1, case_id);
    sqlite3_bind_int64 (stmt, 3, (int64_t) page->limit + 1);
    int64_t last;
    json_t *items = s_page_ids (self, stmt, podd_store_partner_json, page->limit, &last);
    s_next_id (page, "partners", last);
    return items;
}

json_t *
podd_store_absence_page (podd_store_t *self, int64_t pod_id, int64_t member_id, const char *status,
                         podd_page_t *page)
{
    page->next [0] = 0;
    int64_t after_starts = 0, after_id = 0;
    if (page->after && s_task_cursor (page->after, "leave", &after_starts, &after_id))
        return NULL;
    sqlite3_stmt *stmt = s_stmt (self, SQL_ABSENCE_LIST);
    if (!stmt)
        return json_array ();
    sqlite3_bind_int64 (stmt, 1, pod_id);
    sqlite3_bind_int64 (stmt, 2, member_id);
    s_bind_text (stmt, 3, status? status: "all");
    if (page->after) {
        sqlite3_bind_int64 (stmt, 4, after_starts);
        sqlite3_bind_int64 (stmt, 5, after_id);
    }
    sqlite3_bind_int64 (stmt, 6, (int64_t) page->limit + 1);
    int64_t last;
    json_t *items = s_page_ids (self, stmt, s_absence_json_builder, page->limit, &last);
    stmt = last? s_stmt (self, SQL_ABSENCE_STARTS): NULL;
    if (stmt) {
        sqlite3_bind_int64 (stmt, 1, last);
        snprintf (page->next, sizeof page->next, "leave:%lld:%lld",
                  (long long) s_scalar (stmt, 0), (long long) last);
    }
    return items;
}

json_t *
podd_store_chronology_page (podd_store_t *self, int64_t case_id, podd_page_t *page)
{
    page->next [0] = 0;
    //  "chronology:DATE:ID": the entry date and id of the oldest entry of
    //  the page before
    char date [32] = "";
    int64_t after_id = 0;
    if (page->after) {
        const char *key = s_cursor_key (page->after, "chronology");
        const char *colon = key? strrchr (key, ':'): NULL;
        char *end;
        long long id = colon? strtoll (colon + 1, &end, 10): 0;
        if (!colon || colon == key || (size_t) (colon - key) >= sizeof date || *end || id <= 0
        ||  memchr (key, ':', (size_t) (colon - key)))
            return NULL;
        memcpy (date, key, (size_t) (colon - key));
        date [colon - key] = 0;
        after_id = id;
    }
    sqlite3_stmt *stmt = s_stmt (self, SQL_CHRONO_PAGE);
    if (!stmt)
        return json_array ();
    sqlite3_bind_int64 (stmt, 1, case_id);
    if (page->after) {
        s_bind_text (stmt, 2, date);
        sqlite3_bind_int64 (stmt, 3, after_id);
    }
    sqlite3_bind_int64 (stmt, 4, (int64_t) page->limit + 1);
    int64_t last;
    json_t *newest = s_page_ids (self, stmt, podd_store_chronology_json, page->limit, &last);
    //  The page reads oldest first, as a chronology does
    json_t *items = json_array ();
    for (size_t i = json_array_size (newest); i > 0; i--)
        json_array_append (items, json_array_get (newest, i - 1));
    json_decref (newest);
    const char *oldest = json_string_value (json_object_get (json_array_get (items, 0), "date"));
    if (last && oldest)
        snprintf (page->next, sizeof page->next, "chronology:%s:%lld", oldest, (long long) last);
    return items;
}

void
podd_store_test (bool verbose)
{
    if (verbose)
        printf (" * store: ");
    char err [256] = "";
    const char *path = "build/store-test.db";
    remove (path);
    remove ("build/store-test.db-wal");
    remove ("build/store-test.db-shm");
    podd_store_t *store = podd_store_new (path, err, sizeof err);
    assert (store);
    assert (podd_store_schema_version (store) == PODD_STORE_SCHEMA);
    //  Schema 14: task states checked without IN (...), the schema sound
    {
        sqlite3_stmt *stmt;
        assert (sqlite3_prepare_v2 (store->db, "SELECT (SELECT sql FROM sqlite_master WHERE name = 'tasks')"
                " LIKE '%state IN (%', (SELECT sql FROM sqlite_master WHERE name = 'tasks_open_due')"
                " LIKE '%state IN (%', (SELECT integrity_check FROM pragma_integrity_check)",
                -1, &stmt, NULL) == SQLITE_OK);
        assert (sqlite3_step (stmt) == SQLITE_ROW);
        assert (sqlite3_column_int (stmt, 0) == 0 && sqlite3_column_int (stmt, 1) == 0);
        assert (streq ((const char *) sqlite3_column_text (stmt, 2), "ok"));
        sqlite3_finalize (stmt);
    }

    //  Bootstrap a pod and two members
    assert (podd_store_pod_upsert (store, "north", "Pod North", "pod-north@pod-north.example") == 0);
    podd_pod_t pod;
    assert (podd_store_pod_by_name (store, "north", &pod) == 0);
    int64_t tm = podd_store_member_upsert (store, "tess.tm", "Tess Manager",
        "tess.tm@pod-north.example", "team-manager", pod.id, "", "mon-fri", false);
    int64_t sw = podd_store_member_upsert (store, "sam.sw", "Sam Worker",
        "sam.sw@pod-north.example", "social-worker", pod.id, "", "mon-thu", false);
    assert (tm > 0 && sw > 0 && tm != sw);
    //  Upsert keeps the id
    assert (podd_store_member_upsert (store, "sam.sw", "Sam Worker", "sam.sw@pod-north.example",
            "social-worker", pod.id, "court", "mon-fri", false) == sw);
    //  Plain add refuses a duplicate handle; the CHECK refuses a bad role
    assert (podd_store_member_add (store, "sam.sw", "X", "x@pod.example", "social-worker",
            pod.id, "", "", false) == -1);
    assert (podd_store_member_add (store, "bad.role", "X", "x@pod.example", "wizard",
            pod.id, "", "", false) == -1);
    assert (podd_store_pod_manager (store, pod.id) == tm);

    //  Keys map to one member
    assert (podd_store_member_set_key (store, sw, "KEY-1") == 0);
    podd_member_t member;
    assert (podd_store_member_by_key (store, "KEY-1", &member) == 0 && member.id == sw);
    assert (podd_store_member_set_key (store, tm, "KEY-1") == 0);
    assert (podd_store_member_by_key (store, "KEY-1", &member) == 0 && member.id == tm);
    assert (podd_store_member_by_handle (store, "nobody", &member) == -1);

    //  Members are kept between lookups, and never seen stale: a write,
    //  a rolled-back savepoint, another connection's commit
    assert (podd_store_member_by_handle (store, "sam.sw", &member) == 0 && streq (member.pattern, "mon-fri"));
    assert (podd_store_member_by_id (store, sw, &member) == 0 && streq (member.handle, "sam.sw"));
    assert (podd_store_member_upsert (store, "sam.sw", "Sam Worker", "sam.sw@pod-north.example",
            "social-worker", pod.id, "court", "mon-wed", false) == sw);
    assert (podd_store_member_by_handle (store, "sam.sw", &member) == 0 && streq (member.pattern, "mon-wed"));
    assert (podd_store_member_by_id (store, sw, &member) == 0 && streq (member.pattern, "mon-wed"));
    assert (podd_store_begin (store) == 0);
    assert (podd_store_savepoint (store) == 0);
    assert (podd_store_member_upsert (store, "sam.sw", "Sam Worker", "sam.sw@pod-north.example",
            "social-worker", pod.id, "court", "tue", false) == sw);
    assert (podd_store_member_by_id (store, sw, &member) == 0 && streq (member.pattern, "tue"));
    assert (podd_store_rollback_savepoint (store) == 0);
    assert (podd_store_member_by_id (store, sw, &member) == 0 && streq (member.pattern, "mon-wed"));
    assert (podd_store_commit (store) == 0);
    {
        sqlite3 *other;
        assert (sqlite3_open (path, &other) == SQLITE_OK);
        assert (sqlite3_exec (other, "UPDATE members SET pattern = 'mon-fri' WHERE handle = 'sam.sw'",
                              NULL, NULL, NULL) == SQLITE_OK);
        sqlite3_close (other);
    }
    assert (podd_store_begin_read (store) == 0);
    assert (podd_store_member_by_handle (store, "sam.sw", &member) == 0 && streq (member.pattern, "mon-fri"));
    assert (podd_store_rollback (store) == 0);
    //  Another member beside it in the cache
    assert (podd_store_member_by_handle (store, "tess.tm", &member) == 0 && member.id == tm);

    //  Cases: unique ref, kind checked, foreign keys enforced
    int64_t now = 1790000000;
    int64_t c1 = podd_store_case_open (store, "C-1", "child", pod.id, sw, "", now);
    assert (c1 > 0);
    assert (podd_store_case_open (store, "C-1", "child", pod.id, sw, "", now) == -1);
    assert (podd_store_case_open (store, "C-2", "adult", pod.id, sw, "", now) == -1);
    assert (podd_store_case_open (store, "C-3", "child", 999, 0, "", now) == -1);
    assert (podd_store_case_add_coworker (store, c1, tm) == 0);
    assert (podd_store_case_is_coworker (store, c1, tm));
    json_t *kase = podd_store_case_json (store, c1, true);
    assert (kase);
    assert (streq (json_string_value (json_object_get (kase, "lead")), "sam.sw"));
    assert (json_array_size (json_object_get (kase, "coworkers")) == 1);
    json_decref (kase);

    //  A rolled-back savepoint changes nothing
    assert (podd_store_begin (store) == 0);
    assert (podd_store_savepoint (store) == 0);
    assert (podd_store_chronology_add (store, c1, "2026-11-20", "note", "kept", sw, now) > 0);
    assert (podd_store_release (store) == 0);
    assert (podd_store_savepoint (store) == 0);
    assert (podd_store_chronology_add (store, c1, "2026-11-21", "note", "dropped", sw, now) > 0);
    assert (podd_store_rollback_savepoint (store) == 0);
    assert (podd_store_commit (store) == 0);
    kase = podd_store_case_json (store, c1, true);
    json_t *chronology = json_object_get (kase, "chronology");
    assert (json_array_size (chronology) == 1);
    assert (streq (json_string_value (json_object_get (json_array_get (chronology, 0), "text")), "kept"));
    json_decref (kase);

    //  Tasks, history, load, declines
    int64_t task = podd_store_task_new (store, c1, "general", "Call school", now + 3600,
                                        "routine", tm, now);
    assert (task > 0);
    assert (podd_store_task_set (store, task, "offered", sw, now) == 0);
    assert (podd_store_task_set (store, task, "flying", sw, now) == -1);
    assert (podd_store_task_history_add (store, task, tm, "routed", sw, "lead worker", now) == 0);
    assert (podd_store_member_open_load (store, sw) == 1);
    assert (!podd_store_task_declined_by (store, task, sw));
    assert (podd_store_task_history_add (store, task, sw, "declined", sw, "on a course", now) == 0);
    assert (podd_store_task_declined_by (store, task, sw));
    podd_task_t t;
    assert (podd_store_task_get (store, task, &t) == 0 && t.version == 2);
    json_t *tj = podd_store_task_json (store, task, true);
    assert (json_array_size (json_object_get (tj, "history")) == 2);
    json_decref (tj);
    //  The task object's text: every key, and a title with quotes,
    //  backslashes, control characters and UTF-8 read back as it was
    {
        const char *odd = "Say \"hi\" \\ then\nnext\ttab\x01 caf\xc3\xa9 \xe2\x82\xac";
        assert (podd_store_begin (store) == 0);
        int64_t odd_task = podd_store_task_new (store, c1, "general", odd, 0, "urgent", tm, now);
        assert (odd_task > 0);
        char *text = podd_store_task_text (store, odd_task);
        json_error_t jerr;
        json_t *parsed = text? json_loads (text, JSON_REJECT_DUPLICATES, &jerr): NULL;
        assert (parsed);
        assert (streq (json_string_value (json_object_get (parsed, "title")), odd));
        assert (json_integer_value (json_object_get (parsed, "id")) == odd_task);
        assert (streq (json_string_value (json_object_get (parsed, "case")), "C-1"));
        assert (json_is_null (json_object_get (parsed, "due")));
        assert (json_is_null (json_object_get (parsed, "on_time")));
        assert (json_is_false (json_object_get (parsed, "awaiting_confirm")));
        assert (json_is_null (json_object_get (parsed, "follow_up")));
        static const char *keys [] = { "id", "case", "kind", "title", "due", "priority", "state",
            "assignee", "creator", "version", "evidence", "reference", "created", "updated",
            "standard", "done_on", "on_time", "delegator", "awaiting_confirm", "follow_up" };
        assert (json_object_size (parsed) == sizeof keys / sizeof keys [0]);
        for (size_t i = 0; i < sizeof keys / sizeof keys [0]; i++)
            assert (json_object_get (parsed, keys [i]));
        json_decref (parsed);
        free (text);
        //  Octets that are not UTF-8, written behind podd's back: U+FFFD
        assert (sqlite3_exec (store->db, "UPDATE tasks SET title = 'ok' || x'ff' || 'x' || x'c3'"
                              " || x'eda080' WHERE id = (SELECT MAX (id) FROM tasks)", NULL, NULL, NULL) == SQLITE_OK);
        text = podd_store_task_text (store, odd_task);
        parsed = text? json_loads (text, JSON_REJECT_DUPLICATES, &jerr): NULL;
        assert (parsed);
        assert (streq (json_string_value (json_object_get (parsed, "title")),
                       "ok\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
        json_decref (parsed);
        free (text);
        assert (podd_store_rollback (store) == 0);
    }
    json_t *list = podd_store_task_list (store, "overdue", 0, pod.id, 0, now + 7200, 100);
    assert (json_array_size (list) == 1);
    json_decref (list);

    //  Mailbox: in order, ack once
    int64_t d1 = podd_store_mailbox_add (store, sw, task, 2, "{\"n\":1}", now);
    int64_t d2 = podd_store_mailbox_add (store, sw, task, 3, "{\"n\":2}", now);
    assert (d1 > 0 && d2 > d1);
    assert (podd_store_mailbox_pending_count (store, sw) == 2);
    assert (podd_store_mailbox_ack (store, tm, d1, now) == -1);   //  not tm's
    assert (podd_store_mailbox_ack (store, sw, d1, now) == 0);
    assert (podd_store_mailbox_ack (store, sw, d1, now) == -2);   //  twice
    assert (podd_store_mailbox_ack (store, sw, 9999, now) == -1); //  unknown
    json_t *pending = podd_store_mailbox_pending (store, sw, 10);
    assert (json_array_size (pending) == 1);
    assert (json_integer_value (json_object_get (json_array_get (pending, 0), "delivery")) == d2);
    json_decref (pending);

    //  Partners: addresses match without regard to case (rows written
    //  before schema 7 kept the case they were given in)
    int64_t partner = podd_store_partner_add (store, "Jo.Reed@School.example", "Jo Reed", "School",
                                              "school", "", now);
    assert (partner > 0);
    assert (podd_store_partner_alias_add (store, partner, "Jo@Home.example") == 0);
    assert (podd_store_partner_by_email (store, "jo.reed@school.example") == partner);
    assert (podd_store_partner_by_email (store, "JO@HOME.EXAMPLE") == partner);
    assert (podd_store_partner_by_email (store, "jo@school.example") == 0);
    assert (podd_store_partner_alias_remove (store, partner, "someone@home.example") == 1);
    assert (podd_store_partner_alias_remove (store, partner, "jo@home.example") == 0);
    assert (podd_store_partner_by_email (store, "jo@home.example") == 0);
    assert (podd_store_partner_set_name (store, partner, "Jo Reed-Shaw") == 0);
    podd_partner_t p;
    assert (podd_store_partner_get (store, partner, &p) == 0 && streq (p.name, "Jo Reed-Shaw"));

    //  Continuity: the lead's history is kept by a trigger, timed by podd's clock
    int64_t lead_then = -1;
    assert (podd_store_lead_at (store, c1, now, &lead_then) == 0 && lead_then == sw);
    assert (podd_store_case_set_lead (store, c1, tm) == 0);
    assert (podd_store_lead_set_by (store, c1, tm) == 0);
    json_t *leads = podd_store_lead_history (store, c1);
    assert (json_array_size (leads) == 2);
    assert (json_integer_value (json_object_get (json_array_get (leads, 0), "ends")) > 0);
    assert (streq (json_string_value (json_object_get (json_array_get (leads, 1), "set_by")), "tess.tm"));
    json_decref (leads);
    assert (podd_store_lead_at (store, c1, podd_when_now () + 1, &lead_then) == 0 && lead_then == tm);

    //  Reopening the file migrates nothing and keeps everything
    podd_store_destroy (&store);
    assert (store == NULL);
    store = podd_store_new (path, err, sizeof err);
    assert (store);
    assert (podd_store_task_count (store) == 1);
    assert (podd_store_mailbox_pending_count (store, sw) == 1);
    podd_store_destroy (&store);
    if (verbose)
        printf ("OK\n");
}
