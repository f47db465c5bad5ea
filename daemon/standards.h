/*  standards.h - practice standards as rules, and the working-day calendar.

    Owns: reading config/standards.conf (ZPL, like podd.conf; every error
    "FILE:LINE: message" naming the rule), validating each rule against
    the task kinds and roles of the main configuration, the bank-holiday
    calendar for England and Wales (config/bank-holidays.conf), and the
    arithmetic of due dates: days, weeks, months (a month end clamps:
    31 January + 1 month = 28/29 February) and working days (weekends and
    bank holidays skipped), before or after a trigger, in Europe/London.
    Pure: no sockets, no SQL. The daemon fires rules on case events and
    on completed tasks (see caseops/taskops).
*/
#ifndef PODD_STANDARDS_H_INCLUDED
#define PODD_STANDARDS_H_INCLUDED

#include "config.h"
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    PODD_UNIT_DAYS, PODD_UNIT_WEEKS, PODD_UNIT_MONTHS, PODD_UNIT_WORKING_DAYS
} podd_unit_t;

//  The events a rule can be triggered by (the case event types).
//  "task-done" means: a task created by the rule named in `after_rule`
//  (or of kind `after_kind`) was completed; "recurring" re-arms from
//  the date the previous one was done.
#define PODD_TRIGGERS \
    "case-opened", "referral-received", "carer-approved", "panel-date-set", "child-placed", \
    "became-looked-after", "allegation", "placement-difficulty", "strategy-discussion", \
    "conference-held", "review-held", "placement-confirmed-long-term", "placement-ended", \
    "task-done", \
    "concern", "significant-harm-concern", "professional-allegation", "age", \
    "cp-plan-ended", "ceased-looked-after"

//  Ending events (ends-on): any event type above but task-done, and
//  case-closed (recorded by CASE-CLOSE). An entry may name an outcome:
//  "strategy-discussion:nfa". The outcomes an event may carry:
#define PODD_ENDING_ONLY "case-closed"
#define PODD_OUTCOMES "nfa", "s47"

typedef struct {
    char *id;                   /* e.g. "carer-annual-review" */
    char *title;                /* task title, e.g. "Foster carer's annual review" */
    char *case_kind;            /* "child" | "carer-household" */
    char *trigger;              /* one of PODD_TRIGGERS */
    char *after_rule;           /* for trigger task-done: the rule whose task was done, or NULL */
    char *task_kind;            /* a kind of the main config */
    int amount;                 /* timescale: 0..1000 */
    podd_unit_t unit;
    bool before;                /* counts before the trigger (e.g. 1 week before panel) */
    bool recurring;             /* re-arms from the date the last one was done */
    int role;                   /* podd_roles index who does it, -1 = the kind's roles */
    char *evidence;             /* "date" | "reference" | "note": what completing asks for */
    char *source;               /* document and section, required */
    bool local_choice;          /* the figure is a local choice, not law */
    //  Optional conditions
    int min_age, max_age;       /* child's age band in years, -1 = none */
    char *condition;            /* "long-term" | "not-long-term" | "family-and-friends" |
                                   "not-family-and-friends" | NULL */
    int line;                   /* line of the rule in its file */
    //  Age triggers, once-only rules and clock resets
    int at_age_months;          /* trigger "age": the age in months it fires at, -1 = none */
    bool once;                  /* at most one task of this rule per case */
    char *resets;               /* when done, the open task of this rule id is counted
                                   afresh from the date done, or NULL */
    //  Chains: what else starts the clock, what ends it, a second firing
    char *also_on;              /* further events that fire it, "a, b", or NULL */
    char *ends_on;              /* events that close its open tasks, "a, b:outcome", or NULL */
    bool replace;               /* while-open = "replace": fired again, the open task moves */
    char *done_by;              /* an event that stands for its task done, or NULL */
} podd_rule_t;

typedef struct _podd_standards_t podd_standards_t;

//  Load rules (path) and the bank holidays (holidays_path), validating task
//  kinds and roles against config. NULL with "FILE:LINE: message" in err.
podd_standards_t *podd_standards_load (const char *path, const char *holidays_path,
                                       podd_config_t *config, char *err, size_t errlen);
//  From strings (tests); holidays may be NULL (weekends only). Errors in
//  the holidays text are named "bank-holidays:LINE: ...".
podd_standards_t *podd_standards_load_str (const char *rules, const char *name,
                                           const char *holidays, podd_config_t *config,
                                           char *err, size_t errlen);
//  Same, naming the holidays text holidays_name in messages
podd_standards_t *podd_standards_load_strs (const char *rules, const char *name,
                                            const char *holidays, const char *holidays_name,
                                            podd_config_t *config, char *err, size_t errlen);
void podd_standards_destroy (podd_standards_t **self_p);

size_t       podd_standards_count (podd_standards_t *self);
podd_rule_t *podd_standards_at (podd_standards_t *self, size_t index);
podd_rule_t *podd_standards_rule (podd_standards_t *self, const char *id);
bool         podd_standards_known_trigger (const char *trigger);

//  Whether a local calendar date is a bank holiday / working day
bool podd_standards_holiday (podd_standards_t *self, int year, int month, int day);
bool podd_standards_working_day (podd_standards_t *self, int year, int month, int day);
//  How many bank holidays are listed, and the year of the last one (0 when
//  none): beyond it working days skip weekends only, so warn near it.
size_t podd_standards_holiday_count (podd_standards_t *self);
int    podd_standards_holiday_last_year (podd_standards_t *self);

//  The due instant of a rule triggered at `at` (an instant): the local date
//  of `at` moved by the rule's timescale, at 17:00 Europe/London.
int64_t podd_standards_due (podd_standards_t *self, const podd_rule_t *rule, int64_t at);

//  Whether the local date of the instant t is a working day (weekends and
//  the bank holidays skipped; self NULL = weekends only): the one place
//  reminders, escalation and due dates learn what a working day is
bool podd_standards_working_on (podd_standards_t *self, int64_t t);
//  True when the rule counts working days and its due instant falls in a
//  year after the last one of the bank-holiday file: computed on weekdays
//  only, "bank holidays unknown"
bool podd_standards_holidays_unknown (podd_standards_t *self, const podd_rule_t *rule,
                                      int64_t due);
//  The date (YYYY-MM-DD) a child born on dob reaches the rule's at-age (a
//  birthday on 29 February falls on 28 February in other years): 0, or
//  -1 when the rule has no at-age or dob is not a date
int podd_standards_age_date (const podd_rule_t *rule, const char *dob, char *date);
//  Whether rules for child cases depend on the child's age (an age band
//  or an age trigger): then a child's case needs a date of birth
bool podd_standards_age_dependent (podd_standards_t *self);
//  When the last bank holiday listed falls within 12 months of now (or
//  none is listed): true, with the warning for people in buf
bool podd_standards_holidays_warning (podd_standards_t *self, int64_t now, char *buf, size_t size);
//  Whether a rule is fired by an event of this type (its trigger or also-on),
//  and whether an event of this type and outcome ("" none) ends it
bool podd_standards_fires_on (const podd_rule_t *rule, const char *type);
bool podd_standards_ends_on (const podd_rule_t *rule, const char *type, const char *outcome);
bool podd_standards_known_outcome (const char *outcome);

void podd_standards_test (bool verbose);

#endif
