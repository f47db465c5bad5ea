/*  standards.c - practice standards as rules, and the working-day calendar.
    See standards.h.

    Both files are ZPL, read through zpl.c so that every error names its
    file and line. Dates are counted as whole local calendar days (a day
    number since 1970-01-01, proleptic Gregorian), so clock changes never
    move a due date; the due instant is then 17:00 Europe/London that day.
*/
#include "standards.h"
#include "zpl.h"
#include "when.h"
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_AMOUNT      1000        //  units of a timescale
#define MAX_ID          64
#define MAX_SOURCE      256
#define MAX_AGE         25
#define MAX_MESSAGE     512
#define SHOW_MAX        PODD_ZPL_SHOW_MAX
#define DUE_HOUR        17          //  local hour of every due instant
#define HOLIDAYS_NAME   "bank-holidays"     //  name in messages for load_str

static const char *s_triggers [] = { PODD_TRIGGERS, NULL };
static const char *s_outcomes [] = { PODD_OUTCOMES, NULL };
static const char *s_conditions [] = {
    "long-term", "not-long-term", "family-and-friends", "not-family-and-friends",
    "looked-after", NULL
};

struct _podd_standards_t {
    podd_rule_t *rules;
    size_t count;
    size_t max;
    int64_t *holidays;          //  day numbers, sorted
    size_t holiday_count;
    size_t holiday_max;
};

//  Loading state for one file
typedef struct {
    const char *name;           //  file name for messages
    char *err;
    size_t errlen;
    bool failed;
    podd_zpl_t *zpl;
} s_loader_t;


//  --------------------------------------------------------------------------
//  Small helpers



static const char *
s_show (const char *s, char *buf)
{
    return podd_zpl_show (s, buf);
}

static bool
s_in_list (const char *const *list, const char *s)
{
    for (size_t i = 0; list [i]; i++)
        if (streq (list [i], s))
            return true;
    return false;
}

//  The first count names of list (or up to its NULL), comma-separated
static void
s_list (const char *const *list, size_t count, char *buf, size_t size)
{
    size_t out = 0;
    buf [0] = 0;
    for (size_t i = 0; i < count && list [i] && out < size; i++)
        out += snprintf (buf + out, size - out, "%s%s", i? ", ": "", list [i]);
}

//  Rule id: [a-z0-9][a-z0-9-]{0,63}
static bool
s_valid_id (const char *s)
{
    size_t len = strlen (s);
    if (len == 0 || len > MAX_ID || s [0] == '-')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s [i] >= 'a' && s [i] <= 'z') || (s [i] >= '0' && s [i] <= '9') || s [i] == '-'))
            return false;
    return true;
}

//  Whole number of 1..digits digits, no sign; -1 when not
static long
s_whole (const char *s, size_t len)
{
    if (len == 0 || len > 9)
        return -1;
    long value = 0;
    for (size_t i = 0; i < len; i++) {
        if (s [i] < '0' || s [i] > '9')
            return -1;
        value = value * 10 + (s [i] - '0');
    }
    return value;
}


//  --------------------------------------------------------------------------
//  Calendar arithmetic on day numbers (podd_when_day_number: days since
//  1970-01-01)

//  0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday)
static int
s_weekday (int64_t day)
{
    int64_t w = (day + 3) % 7;
    return (int) (w < 0? w + 7: w);
}

static int
s_days_in_month (int y, int m)
{
    static const int days [12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap? 29: days [m - 1];
}

static bool
s_holiday (podd_standards_t *self, int64_t day)
{
    if (!self)
        return false;
    size_t low = 0, high = self->holiday_count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (self->holidays [mid] == day)
            return true;
        if (self->holidays [mid] < day)
            low = mid + 1;
        else
            high = mid;
    }
    return false;
}

static bool
s_working (podd_standards_t *self, int64_t day)
{
    return s_weekday (day) < 5 && !s_holiday (self, day);
}

//  Move a day number by a timescale; months clamp to the month's end
static int64_t
s_move (podd_standards_t *self, int64_t day, int amount, podd_unit_t unit, bool before)
{
    int sign = before? -1: 1;
    switch (unit) {
        case PODD_UNIT_DAYS:
            return day + sign * amount;
        case PODD_UNIT_WEEKS:
            return day + sign * 7 * amount;
        case PODD_UNIT_MONTHS: {
            int y, m, d;
            podd_when_day_date (day, &y, &m, &d);
            int months = y * 12 + (m - 1) + sign * amount;
            y = months / 12;
            m = months % 12 + 1;
            int last = s_days_in_month (y, m);
            return podd_when_day_number (y, m, d > last? last: d);
        }
        case PODD_UNIT_WORKING_DAYS:
            for (int left = amount; left > 0; ) {
                day += sign;
                if (s_working (self, day))
                    left--;
            }
            return day;
    }
    return day;
}


//  --------------------------------------------------------------------------
//  Errors

static int
s_fail_at (s_loader_t *L, int line, const char *id, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));
static int
s_fail_at (s_loader_t *L, int line, const char *id, const char *format, ...)
{
    if (L->failed)
        return -1;
    L->failed = true;
    char message [MAX_MESSAGE], show [SHOW_MAX];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof (message), format, args);
    va_end (args);
    if (L->err && L->errlen) {
        char where [64] = "";
        if (line > 0)
            snprintf (where, sizeof (where), ":%d", line);
        if (id)
            snprintf (L->err, L->errlen, "%s%s: rule '%s': %s", L->name, where,
                      s_show (id, show), message);
        else
            snprintf (L->err, L->errlen, "%s%s: %s", L->name, where, message);
    }
    return -1;
}

#define s_fail(L, node, id, ...) \
    s_fail_at ((L), podd_zpl_line ((L)->zpl, (node)), (id), __VA_ARGS__)


//  --------------------------------------------------------------------------
//  Bank holidays: holiday = "YYYY-MM-DD", one a line

static int
s_load_holidays (podd_standards_t *self, const char *text, const char *name,
                 char *err, size_t errlen)
{
    s_loader_t loader = { .name = name, .err = err, .errlen = errlen };
    s_loader_t *L = &loader;
    L->zpl = podd_zpl_parse (text, name, err, errlen);
    if (!L->zpl)
        return -1;
    static const char *days [7] = {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
    };
    char show [SHOW_MAX];
    for (zconfig_t *node = zconfig_child (podd_zpl_root (L->zpl)); node;
         node = zconfig_next (node)) {
        const char *value = zconfig_value (node);
        int y, m, d;
        if (!streq (zconfig_name (node), "holiday")) {
            s_fail (L, node, NULL, "unknown key '%s' (write holiday = \"YYYY-MM-DD\")",
                    s_show (zconfig_name (node), show));
            break;
        }
        if (zconfig_child (node)) {
            s_fail (L, zconfig_child (node), NULL, "'holiday' takes no sub-keys");
            break;
        }
        if (podd_when_parse_date (value, &y, &m, &d)) {
            s_fail (L, node, NULL, "holiday must be a date YYYY-MM-DD, not '%s'",
                    s_show (value, show));
            break;
        }
        int64_t day = podd_when_day_number (y, m, d);
        if (s_weekday (day) >= 5) {
            s_fail (L, node, NULL, "%s is a %s: list the weekday the holiday is taken "
                    "(the substitute day)", value, days [s_weekday (day)]);
            break;
        }
        if (s_holiday (self, day)) {
            s_fail (L, node, NULL, "%s is listed twice", value);
            break;
        }
        //  Insert keeping the list sorted
        self->holidays = (int64_t *) podd_zpl_grow (self->holidays, &self->holiday_max,
                                             self->holiday_count, sizeof (int64_t));
        size_t at = self->holiday_count;
        while (at > 0 && self->holidays [at - 1] > day) {
            self->holidays [at] = self->holidays [at - 1];
            at--;
        }
        self->holidays [at] = day;
        self->holiday_count++;
    }
    podd_zpl_destroy (&L->zpl);
    return L->failed? -1: 0;
}


//  --------------------------------------------------------------------------
//  Rules

enum {
    K_TITLE, K_CASE_KIND, K_TRIGGER, K_TASK_KIND, K_TIMESCALE, K_COUNTS, K_RECURRING,
    K_ROLE, K_EVIDENCE, K_SOURCE, K_LOCAL_CHOICE, K_AGE, K_CONDITION, K_AFTER_RULE,
    K_AT_AGE, K_ONCE, K_RESETS, K_ALSO_ON, K_ENDS_ON, K_WHILE_OPEN, K_DONE_BY, KEYS
};
static const char *const s_keys [KEYS + 1] = {
    "title", "case-kind", "trigger", "task-kind", "timescale", "counts", "recurring",
    "role", "evidence", "source", "local-choice", "age", "condition", "after-rule",
    "at-age", "once", "resets", "also-on", "ends-on", "while-open", "done-by", NULL
};

//  "N days|weeks|months|working-days" (singular too). 0, or -1 with the
//  reason in why.
static int
s_parse_timescale (const char *s, podd_rule_t *rule, char *why, size_t whylen)
{
    static const struct { const char *name; podd_unit_t unit; } units [] = {
        { "days", PODD_UNIT_DAYS }, { "day", PODD_UNIT_DAYS },
        { "weeks", PODD_UNIT_WEEKS }, { "week", PODD_UNIT_WEEKS },
        { "months", PODD_UNIT_MONTHS }, { "month", PODD_UNIT_MONTHS },
        { "working-days", PODD_UNIT_WORKING_DAYS }, { "working-day", PODD_UNIT_WORKING_DAYS }
    };
    char show [SHOW_MAX];
    const char *p = s;
    bool negative = *p == '-';
    if (negative)
        p++;
    size_t digits = strspn (p, "0123456789");
    const char *unit = p + digits;
    int found = -1;
    if (*unit == ' ') {
        unit += strspn (unit, " ");
        for (size_t i = 0; i < sizeof (units) / sizeof (units [0]); i++)
            if (streq (unit, units [i].name))
                found = (int) i;
    }
    if (digits == 0 || found < 0) {
        snprintf (why, whylen, "timescale must be \"N days\", \"N weeks\", \"N months\" or "
                  "\"N working-days\", not '%s'", s_show (s, show));
        return -1;
    }
    if (negative) {
        snprintf (why, whylen, "timescale '%s' is negative (write the amount and set "
                  "counts = \"before\" to count back from the trigger)", s_show (s, show));
        return -1;
    }
    long amount = s_whole (p, digits);
    if (amount < 0 || amount > MAX_AMOUNT) {
        snprintf (why, whylen, "timescale '%s' is absurd: at most %d %s", s_show (s, show),
                  MAX_AMOUNT, units [found].name);
        return -1;
    }
    rule->amount = (int) amount;
    rule->unit = units [found].unit;
    return 0;
}

//  "A-B" or "A+" years, 0..MAX_AGE
static bool
s_parse_age (const char *s, int *min, int *max)
{
    size_t first = strspn (s, "0123456789");
    long low = s_whole (s, first);
    if (low < 0 || low > MAX_AGE)
        return false;
    if (streq (s + first, "+")) {
        *min = (int) low;
        *max = -1;
        return true;
    }
    if (s [first] != '-')
        return false;
    const char *rest = s + first + 1;
    size_t second = strlen (rest);
    long high = s_whole (rest, second);
    if (high < low || high > MAX_AGE)
        return false;
    *min = (int) low;
    *max = (int) high;
    return true;
}

//  "N years" or "N years M months" (N 0..MAX_AGE, M 0..11): months since
//  birth, -1 when not
static int
s_parse_at_age (const char *s)
{
    size_t digits = strspn (s, "0123456789");
    long years = s_whole (s, digits);
    if (years < 0 || years > MAX_AGE)
        return -1;
    s += digits;
    if (strncmp (s, years == 1? " year": " years", years == 1? 5: 6))
        return -1;
    s += years == 1? 5: 6;
    if (!*s)
        return (int) years * 12;
    if (*s++ != ' ')
        return -1;
    digits = strspn (s, "0123456789");
    long months = s_whole (s, digits);
    if (months < 1 || months > 11)
        return -1;
    s += digits;
    if (!streq (s, months == 1? " month": " months"))
        return -1;
    return (int) (years * 12 + months);
}

static void
s_rule_free (podd_rule_t *rule)
{
    free (rule->id);
    free (rule->title);
    free (rule->case_kind);
    free (rule->trigger);
    free (rule->after_rule);
    free (rule->task_kind);
    free (rule->evidence);
    free (rule->source);
    free (rule->condition);
    free (rule->resets);
    free (rule->also_on);
    free (rule->ends_on);
    free (rule->done_by);
}

//  Whether the comma-separated list holds name (entries trimmed)
static bool
s_list_has (const char *list, const char *name)
{
    size_t len = strlen (name);
    for (const char *p = list; p && *p; ) {
        p += strspn (p, " ,");
        size_t word = strcspn (p, ",");
        while (word && p [word - 1] == ' ')
            word--;
        if (word == len && strncmp (p, name, len) == 0)
            return true;
        p += word;
        p += strcspn (p, ",");
    }
    return false;
}

//  An event list (also-on, ends-on): "type, type:outcome, ...", each an
//  event type (not task-done); with_ending also allows case-closed and
//  an outcome after a colon. 0, or -1 with the reason in why.
static int
s_check_events (const char *value, bool with_ending, char *why, size_t whylen)
{
    char show [SHOW_MAX], entry [MAX_ID + 1];
    size_t entries = 0;
    for (const char *p = value; *p; ) {
        p += strspn (p, " ");
        size_t word = strcspn (p, ",");
        size_t len = word;
        while (len && p [len - 1] == ' ')
            len--;
        if (len == 0 || len > MAX_ID) {
            snprintf (why, whylen, "'%s' must be event types separated by commas",
                      s_show (value, show));
            return -1;
        }
        memcpy (entry, p, len);
        entry [len] = 0;
        char *colon = strchr (entry, ':');
        if (colon) {
            *colon = 0;
            if (!with_ending || !s_in_list (s_outcomes, colon + 1)) {
                s_list (s_outcomes, SIZE_MAX, show, sizeof (show));
                snprintf (why, whylen, "'%s:%s': %s%s%s", entry, colon + 1, with_ending
                          ? "unknown outcome (outcomes: ": "an outcome goes only in ends-on",
                          with_ending? show: "", with_ending? ")": "");
                return -1;
            }
        }
        bool known = (podd_standards_known_trigger (entry) && !streq (entry, "task-done"))
                  || (with_ending && streq (entry, PODD_ENDING_ONLY));
        if (!known) {
            snprintf (why, whylen, "unknown event '%s'", s_show (entry, show));
            return -1;
        }
        entries++;
        p += word;
        if (*p == ',')
            p++;
    }
    if (!entries) {
        snprintf (why, whylen, "name at least one event");
        return -1;
    }
    return 0;
}

static podd_rule_t *
s_find (podd_standards_t *self, const char *id)
{
    for (size_t i = 0; i < self->count; i++)
        if (streq (self->rules [i].id, id))
            return &self->rules [i];
    return NULL;
}

//  One rule = "ID" with its keys
static int
s_load_rule (s_loader_t *L, podd_standards_t *self, podd_config_t *config, zconfig_t *node)
{
    const char *id = zconfig_value (node);
    char show [SHOW_MAX], list [512], why [MAX_MESSAGE];
    if (!s_valid_id (id))
        return s_fail (L, node, id, "a rule id is 1 to %d of a-z 0-9 - (starting with a "
                       "letter or digit)", MAX_ID);
    podd_rule_t *first = s_find (self, id);
    if (first)
        return s_fail (L, node, id, "duplicate id (first at line %d)", first->line);

    //  Collect the keys
    zconfig_t *nodes [KEYS] = { NULL };
    for (zconfig_t *key = zconfig_child (node); key; key = zconfig_next (key)) {
        const char *name = zconfig_name (key);
        int index = -1;
        for (int i = 0; i < KEYS; i++)
            if (streq (s_keys [i], name))
                index = i;
        if (index < 0) {
            s_list (s_keys, SIZE_MAX, list, sizeof (list));
            return s_fail (L, key, id, "unknown key '%s' (keys: %s)", s_show (name, show), list);
        }
        if (nodes [index])
            return s_fail (L, key, id, "duplicate key '%s'", name);
        if (zconfig_child (key))
            return s_fail (L, zconfig_child (key), id, "'%s' takes no sub-keys "
                           "(check the indentation)", name);
        nodes [index] = key;
    }
    static const struct { int key; const char *what; } required [] = {
        { K_TITLE, "title (the task's title)" },
        { K_CASE_KIND, "case-kind (\"child\" or \"carer-household\")" },
        { K_TRIGGER, "trigger (the event that starts the clock)" },
        { K_TASK_KIND, "task-kind (a kind of the main configuration)" },
        { K_TIMESCALE, "timescale (e.g. \"10 working-days\")" },
        { K_SOURCE, "source (the document and section the standard comes from)" }
    };
    for (size_t i = 0; i < sizeof (required) / sizeof (required [0]); i++)
        if (!nodes [required [i].key])
            return s_fail (L, node, id, "missing %s", required [i].what);

    self->rules = (podd_rule_t *) podd_zpl_grow (self->rules, &self->max, self->count,
                                          sizeof (podd_rule_t));
    podd_rule_t *rule = &self->rules [self->count++];
    memset (rule, 0, sizeof (*rule));
    rule->id = podd_zpl_strdup (id);
    rule->line = podd_zpl_line (L->zpl, node);
    rule->role = -1;
    rule->min_age = -1;
    rule->max_age = -1;
    rule->at_age_months = -1;

    #define VALUE(k) zconfig_value (nodes [k])
    const char *value = VALUE (K_TITLE);
    if (!podd_valid_name (value))
        return s_fail (L, nodes [K_TITLE], id, "title must be 1 to 128 octets of text without "
                       "control characters, not '%s'", s_show (value, show));
    rule->title = podd_zpl_strdup (value);

    value = VALUE (K_CASE_KIND);
    if (!streq (value, "child") && !streq (value, "carer-household"))
        return s_fail (L, nodes [K_CASE_KIND], id, "case-kind must be \"child\" or "
                       "\"carer-household\", not '%s'", s_show (value, show));
    rule->case_kind = podd_zpl_strdup (value);
    bool child = streq (value, "child");

    value = VALUE (K_TRIGGER);
    if (!podd_standards_known_trigger (value)) {
        s_list (s_triggers, SIZE_MAX, list, sizeof (list));
        return s_fail (L, nodes [K_TRIGGER], id, "unknown trigger '%s' (triggers: %s)",
                       s_show (value, show), list);
    }
    rule->trigger = podd_zpl_strdup (value);
    bool task_done = streq (value, "task-done");
    if (task_done && !nodes [K_AFTER_RULE])
        return s_fail (L, nodes [K_TRIGGER], id, "trigger \"task-done\" needs after-rule "
                       "(the rule whose task was done)");
    if (!task_done && nodes [K_AFTER_RULE])
        return s_fail (L, nodes [K_AFTER_RULE], id, "after-rule goes only with "
                       "trigger = \"task-done\"");
    if (nodes [K_AFTER_RULE]) {
        value = VALUE (K_AFTER_RULE);
        if (!s_valid_id (value))
            return s_fail (L, nodes [K_AFTER_RULE], id, "after-rule must be a rule id, not '%s'",
                           s_show (value, show));
        rule->after_rule = podd_zpl_strdup (value);        //  checked once every rule is read
    }
    bool age_trigger = streq (rule->trigger, "age");
    if (age_trigger && !nodes [K_AT_AGE])
        return s_fail (L, nodes [K_TRIGGER], id, "trigger \"age\" needs at-age (e.g. "
                       "at-age = \"16 years\")");
    if (!age_trigger && nodes [K_AT_AGE])
        return s_fail (L, nodes [K_AT_AGE], id, "at-age goes only with trigger = \"age\"");
    if (age_trigger && !child)
        return s_fail (L, nodes [K_TRIGGER], id, "trigger \"age\" applies to child cases only");
    if (nodes [K_AT_AGE]) {
        value = VALUE (K_AT_AGE);
        rule->at_age_months = s_parse_at_age (value);
        if (rule->at_age_months < 0)
            return s_fail (L, nodes [K_AT_AGE], id, "at-age must be \"N years\" or \"N years "
                           "M months\" (N 0 to %d, M 1 to 11), not '%s'", MAX_AGE,
                           s_show (value, show));
    }
    value = nodes [K_ONCE]? VALUE (K_ONCE): "0";
    if (!streq (value, "0") && !streq (value, "1"))
        return s_fail (L, nodes [K_ONCE], id, "once must be 0 or 1, not '%s'", s_show (value, show));
    rule->once = streq (value, "1");
    if (nodes [K_RESETS]) {
        value = VALUE (K_RESETS);
        if (!s_valid_id (value))
            return s_fail (L, nodes [K_RESETS], id, "resets must be a rule id, not '%s'",
                           s_show (value, show));
        rule->resets = podd_zpl_strdup (value);            //  checked once every rule is read
    }

    value = VALUE (K_TASK_KIND);
    podd_kind_t *kind = podd_config_kind (config, value);
    if (!kind) {
        size_t out = 0;
        list [0] = 0;
        for (size_t i = 0; i < podd_config_kind_count (config) && out < sizeof (list); i++)
            out += snprintf (list + out, sizeof (list) - out, "%s%s", i? ", ": "",
                             podd_config_kind_at (config, i)->name);
        return s_fail (L, nodes [K_TASK_KIND], id, "unknown task kind '%s' (kinds: %s)",
                       s_show (value, show), list);
    }
    rule->task_kind = podd_zpl_strdup (value);

    value = nodes [K_COUNTS]? VALUE (K_COUNTS): "after";
    if (!streq (value, "after") && !streq (value, "before"))
        return s_fail (L, nodes [K_COUNTS], id, "counts must be \"after\" or \"before\", "
                       "not '%s'", s_show (value, show));
    rule->before = streq (value, "before");

    value = nodes [K_RECURRING]? VALUE (K_RECURRING): "0";
    if (!streq (value, "0") && !streq (value, "1"))
        return s_fail (L, nodes [K_RECURRING], id, "recurring must be 0 or 1, not '%s'",
                       s_show (value, show));
    rule->recurring = streq (value, "1");

    value = VALUE (K_TIMESCALE);
    if (s_parse_timescale (value, rule, why, sizeof (why)))
        return s_fail (L, nodes [K_TIMESCALE], id, "%s", why);
    if (rule->before && rule->amount == 0)
        return s_fail (L, nodes [K_TIMESCALE], id, "timescale '%s' with counts = \"before\" "
                       "is absurd: 0 before is the trigger itself (use counts = \"after\")",
                       s_show (value, show));
    if (rule->before && (task_done || rule->recurring))
        return s_fail (L, nodes [K_COUNTS], id, "%s", task_done
                       ? "a task-done rule counts after the task was done"
                       : "a recurring rule counts after the date the last one was done");
    if (rule->recurring && rule->amount == 0)
        return s_fail (L, nodes [K_TIMESCALE], id, "cycle: a recurring rule of timescale "
                       "'%s' would re-arm itself with no delay", s_show (value, show));

    if (nodes [K_ROLE]) {
        value = VALUE (K_ROLE);
        rule->role = podd_role_index (value);
        if (rule->role < 0) {
            s_list (podd_roles, PODD_ROLE_COUNT, list, sizeof (list));
            return s_fail (L, nodes [K_ROLE], id, "unknown role '%s' (roles: %s)",
                           s_show (value, show), list);
        }
        if (!(kind->roles & (1u << rule->role))) {
            size_t out = 0;
            list [0] = 0;
            for (int i = 0; i < PODD_ROLE_COUNT && out < sizeof (list); i++)
                if (kind->roles & (1u << i))
                    out += snprintf (list + out, sizeof (list) - out, "%s%s", out? ", ": "",
                                     podd_roles [i]);
            return s_fail (L, nodes [K_ROLE], id, "role '%s' may not do task kind '%s' "
                           "(its roles: %s)", value, kind->name, list);
        }
    }

    value = nodes [K_EVIDENCE]? VALUE (K_EVIDENCE): "date";
    if (!streq (value, "date") && !streq (value, "reference") && !streq (value, "note"))
        return s_fail (L, nodes [K_EVIDENCE], id, "evidence must be \"date\", \"reference\" "
                       "or \"note\", not '%s'", s_show (value, show));
    rule->evidence = podd_zpl_strdup (value);

    value = VALUE (K_SOURCE);
    const char *text = value + strspn (value, " ");
    if (!*text || !podd_zpl_valid_text (value, MAX_SOURCE))
        return s_fail (L, nodes [K_SOURCE], id, "source must name the document and section, "
                       "1 to %d octets of text without control characters", MAX_SOURCE);
    rule->source = podd_zpl_strdup (value);

    value = nodes [K_LOCAL_CHOICE]? VALUE (K_LOCAL_CHOICE): "0";
    if (!streq (value, "0") && !streq (value, "1"))
        return s_fail (L, nodes [K_LOCAL_CHOICE], id, "local-choice must be 0 or 1, not '%s'",
                       s_show (value, show));
    rule->local_choice = streq (value, "1");

    if (nodes [K_AGE]) {
        value = VALUE (K_AGE);
        if (!child)
            return s_fail (L, nodes [K_AGE], id, "age applies to child cases only");
        if (!s_parse_age (value, &rule->min_age, &rule->max_age))
            return s_fail (L, nodes [K_AGE], id, "age must be a band of whole years like "
                           "\"0-4\" or \"5+\" (0 to %d), not '%s'", MAX_AGE,
                           s_show (value, show));
    }
    if (nodes [K_CONDITION]) {
        value = VALUE (K_CONDITION);
        if (!s_in_list (s_conditions, value)) {
            s_list (s_conditions, SIZE_MAX, list, sizeof (list));
            return s_fail (L, nodes [K_CONDITION], id, "unknown condition '%s' "
                           "(conditions: %s)", s_show (value, show), list);
        }
        bool carer_condition = strstr (value, "family-and-friends") != NULL;
        if (streq (value, "looked-after"))
            carer_condition = false;
        if (carer_condition == child)
            return s_fail (L, nodes [K_CONDITION], id, "condition '%s' applies to %s cases "
                           "only", value, child? "carer-household": "child");
        rule->condition = podd_zpl_strdup (value);
    }
    //  Chains: also-on, ends-on, while-open, done-by
    if (nodes [K_ALSO_ON]) {
        value = VALUE (K_ALSO_ON);
        if (task_done)
            return s_fail (L, nodes [K_ALSO_ON], id, "also-on does not go with trigger = "
                           "\"task-done\"");
        if (s_check_events (value, false, why, sizeof (why)))
            return s_fail (L, nodes [K_ALSO_ON], id, "also-on: %s", why);
        if (s_list_has (value, rule->trigger))
            return s_fail (L, nodes [K_ALSO_ON], id, "also-on repeats the trigger '%s'",
                           rule->trigger);
        rule->also_on = podd_zpl_strdup (value);
    }
    if (nodes [K_ENDS_ON]) {
        value = VALUE (K_ENDS_ON);
        if (s_check_events (value, true, why, sizeof (why)))
            return s_fail (L, nodes [K_ENDS_ON], id, "ends-on: %s", why);
        rule->ends_on = podd_zpl_strdup (value);
    }
    value = nodes [K_WHILE_OPEN]? VALUE (K_WHILE_OPEN): "add";
    if (!streq (value, "add") && !streq (value, "replace"))
        return s_fail (L, nodes [K_WHILE_OPEN], id, "while-open must be \"add\" or "
                       "\"replace\", not '%s'", s_show (value, show));
    rule->replace = streq (value, "replace");
    if (nodes [K_DONE_BY]) {
        value = VALUE (K_DONE_BY);
        if (!podd_standards_known_trigger (value) || streq (value, "task-done"))
            return s_fail (L, nodes [K_DONE_BY], id, "done-by must be an event type, not '%s'",
                           s_show (value, show));
        rule->done_by = podd_zpl_strdup (value);
    }
    #undef VALUE
    return 0;
}

//  Once every rule is read: after-rule names a rule of the same case
//  kind, and no chain of task-done rules comes back to itself with no
//  delay.
static int
s_check_chains (s_loader_t *L, podd_standards_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        podd_rule_t *rule = &self->rules [i];
        if (!rule->after_rule)
            continue;
        podd_rule_t *after = s_find (self, rule->after_rule);
        if (!after)
            return s_fail_at (L, rule->line, rule->id, "after-rule '%s' names no rule",
                              rule->after_rule);
        if (!streq (after->case_kind, rule->case_kind))
            return s_fail_at (L, rule->line, rule->id, "after-rule '%s' is a rule for "
                              "%s cases, this one for %s cases", after->id,
                              after->case_kind, rule->case_kind);
    }
    for (size_t i = 0; i < self->count; i++) {
        podd_rule_t *rule = &self->rules [i];
        if (!rule->resets)
            continue;
        podd_rule_t *reset = s_find (self, rule->resets);
        if (!reset)
            return s_fail_at (L, rule->line, rule->id, "resets '%s' names no rule", rule->resets);
        if (!streq (reset->case_kind, rule->case_kind))
            return s_fail_at (L, rule->line, rule->id, "resets '%s' is a rule for %s cases, "
                              "this one for %s cases", reset->id, reset->case_kind,
                              rule->case_kind);
    }
    for (size_t i = 0; i < self->count; i++) {
        podd_rule_t *rule = &self->rules [i];
        //  Walk rule -> the rule whose task fires it -> ...; at most count steps
        podd_rule_t *cursor = rule;
        bool delay = rule->amount > 0;
        for (size_t step = 0; step < self->count && cursor->after_rule; step++) {
            cursor = s_find (self, cursor->after_rule);
            if (cursor == rule) {
                if (delay)
                    break;          //  a chain that comes back later: a cycle by design
                char path [MAX_MESSAGE] = "";
                size_t out = 0;
                podd_rule_t *hop = rule;
                do {
                    podd_rule_t *next = s_find (self, hop->after_rule);
                    if (out < sizeof (path))
                        out += snprintf (path + out, sizeof (path) - out, "%s%s waits for %s",
                                         out? ", ": "", hop->id, next->id);
                    hop = next;
                } while (hop != rule);
                return s_fail_at (L, rule->line, rule->id, "cycle: the rule triggers itself "
                                  "with no delay (%s)", path);
            }
            delay |= cursor->amount > 0;
        }
    }
    return 0;
}

static int
s_load_rules (podd_standards_t *self, const char *text, const char *name,
              podd_config_t *config, char *err, size_t errlen)
{
    s_loader_t loader = { .name = name, .err = err, .errlen = errlen };
    s_loader_t *L = &loader;
    L->zpl = podd_zpl_parse (text, name, err, errlen);
    if (!L->zpl)
        return -1;
    char show [SHOW_MAX];
    for (zconfig_t *node = zconfig_child (podd_zpl_root (L->zpl)); node;
         node = zconfig_next (node)) {
        if (!streq (zconfig_name (node), "rule")) {
            s_fail (L, node, NULL, "unknown key '%s' (each rule starts with rule = \"ID\")",
                    s_show (zconfig_name (node), show));
            break;
        }
        if (s_load_rule (L, self, config, node))
            break;
    }
    if (!L->failed)
        s_check_chains (L, self);
    podd_zpl_destroy (&L->zpl);
    return L->failed? -1: 0;
}


//  --------------------------------------------------------------------------
//  Public API

podd_standards_t *
podd_standards_load_str (const char *rules, const char *name, const char *holidays,
                         podd_config_t *config, char *err, size_t errlen)
{
    //  load_str names holiday errors "bank-holidays:LINE: ..."
    return podd_standards_load_strs (rules, name, holidays, HOLIDAYS_NAME, config, err, errlen);
}

podd_standards_t *
podd_standards_load_strs (const char *rules, const char *name, const char *holidays,
                          const char *holidays_name, podd_config_t *config,
                          char *err, size_t errlen)
{
    assert (rules);
    assert (name);
    assert (config);
    if (err && errlen)
        err [0] = 0;
    podd_standards_t *self = (podd_standards_t *) calloc (1, sizeof (podd_standards_t));
    assert (self);
    if ((holidays && s_load_holidays (self, holidays, holidays_name? holidays_name:
                                      HOLIDAYS_NAME, err, errlen))
    ||  s_load_rules (self, rules, name, config, err, errlen))
        podd_standards_destroy (&self);
    return self;
}

podd_standards_t *
podd_standards_load (const char *path, const char *holidays_path, podd_config_t *config,
                     char *err, size_t errlen)
{
    assert (path);
    char *rules = podd_zpl_read (path, err, errlen);
    if (!rules)
        return NULL;
    char *holidays = NULL;
    if (holidays_path) {
        holidays = podd_zpl_read (holidays_path, err, errlen);
        if (!holidays) {
            free (rules);
            return NULL;
        }
    }
    podd_standards_t *self = podd_standards_load_strs (rules, path, holidays, holidays_path,
                                                       config, err, errlen);
    free (rules);
    free (holidays);
    return self;
}

void
podd_standards_destroy (podd_standards_t **self_p)
{
    assert (self_p);
    podd_standards_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        s_rule_free (&self->rules [i]);
    free (self->rules);
    free (self->holidays);
    free (self);
    *self_p = NULL;
}

size_t
podd_standards_count (podd_standards_t *self)
{
    assert (self);
    return self->count;
}

podd_rule_t *
podd_standards_at (podd_standards_t *self, size_t index)
{
    assert (self);
    return index < self->count? &self->rules [index]: NULL;
}

podd_rule_t *
podd_standards_rule (podd_standards_t *self, const char *id)
{
    assert (self);
    return id? s_find (self, id): NULL;
}

bool
podd_standards_known_trigger (const char *trigger)
{
    return trigger && s_in_list (s_triggers, trigger);
}

bool
podd_standards_fires_on (const podd_rule_t *rule, const char *type)
{
    assert (rule);
    return type && (streq (rule->trigger, type) || s_list_has (rule->also_on, type));
}

bool
podd_standards_ends_on (const podd_rule_t *rule, const char *type, const char *outcome)
{
    assert (rule);
    if (!type || !rule->ends_on)
        return false;
    if (s_list_has (rule->ends_on, type))
        return true;
    char qualified [2 * MAX_ID + 2];
    snprintf (qualified, sizeof (qualified), "%s:%s", type, outcome? outcome: "");
    return outcome && *outcome && s_list_has (rule->ends_on, qualified);
}

bool
podd_standards_known_outcome (const char *outcome)
{
    return outcome && s_in_list (s_outcomes, outcome);
}

bool
podd_standards_holiday (podd_standards_t *self, int year, int month, int day)
{
    if (month < 1 || month > 12 || day < 1 || day > s_days_in_month (year, month))
        return false;
    return s_holiday (self, podd_when_day_number (year, month, day));
}

bool
podd_standards_working_day (podd_standards_t *self, int year, int month, int day)
{
    if (month < 1 || month > 12 || day < 1 || day > s_days_in_month (year, month))
        return false;
    return s_working (self, podd_when_day_number (year, month, day));
}

size_t
podd_standards_holiday_count (podd_standards_t *self)
{
    assert (self);
    return self->holiday_count;
}

int
podd_standards_holiday_last_year (podd_standards_t *self)
{
    assert (self);
    if (self->holiday_count == 0)
        return 0;
    int y, m, d;
    podd_when_day_date (self->holidays [self->holiday_count - 1], &y, &m, &d);
    return y;
}

int64_t
podd_standards_due (podd_standards_t *self, const podd_rule_t *rule, int64_t at)
{
    assert (rule);
    char date [PODD_DATE_LEN];
    int y, m, d;
    podd_when_local_date (at, date);
    int rc = podd_when_parse_date (date, &y, &m, &d);
    assert (rc == 0);
    (void) rc;
    int64_t from = podd_when_day_number (y, m, d);
    int64_t to = s_move (self, from, rule->amount, rule->unit, rule->before);
    return podd_when_local_day_at (at, (int) (to - from), DUE_HOUR);
}


bool
podd_standards_working_on (podd_standards_t *self, int64_t t)
{
    char date [PODD_DATE_LEN];
    int y, m, d;
    if (podd_when_parse_date (podd_when_local_date (t, date), &y, &m, &d))
        return false;
    return s_working (self, podd_when_day_number (y, m, d));
}

bool
podd_standards_holidays_unknown (podd_standards_t *self, const podd_rule_t *rule, int64_t due)
{
    assert (rule);
    if (rule->unit != PODD_UNIT_WORKING_DAYS || !self)
        return false;
    char date [PODD_DATE_LEN];
    int y, m, d;
    if (podd_when_parse_date (podd_when_local_date (due, date), &y, &m, &d))
        return false;
    return self->holiday_count == 0 || y > podd_standards_holiday_last_year (self);
}

int
podd_standards_age_date (const podd_rule_t *rule, const char *dob, char *date)
{
    int y, m, d;
    if (!rule || rule->at_age_months < 0 || !dob || podd_when_parse_date (dob, &y, &m, &d))
        return -1;
    int64_t day = s_move (NULL, podd_when_day_number (y, m, d), rule->at_age_months, PODD_UNIT_MONTHS,
                          false);
    podd_when_day_date (day, &y, &m, &d);
    snprintf (date, PODD_DATE_LEN, "%04d-%02d-%02d", y, m, d);
    return 0;
}

bool
podd_standards_holidays_warning (podd_standards_t *self, int64_t now, char *buf, size_t size)
{
    assert (self);
    char today [PODD_DATE_LEN], last [PODD_DATE_LEN] = "";
    int y, m, d;
    if (podd_when_parse_date (podd_when_local_date (now, today), &y, &m, &d))
        return false;
    int64_t horizon = s_move (NULL, podd_when_day_number (y, m, d), 12, PODD_UNIT_MONTHS, false);
    if (self->holiday_count) {
        int64_t end = self->holidays [self->holiday_count - 1];
        if (end >= horizon)
            return false;
        podd_when_day_date (end, &y, &m, &d);
        snprintf (last, sizeof last, "%04d-%02d-%02d", y, m, d);
    }
    const char *tail = "add the coming years' bank holidays; due dates counted in working days "
                       "beyond it skip weekends only and are marked \"bank holidays unknown\"";
    if (*last)
        snprintf (buf, size, "warning: the bank-holiday file ends on %s, within the next 12 "
                  "months: %s", last, tail);
    else
        snprintf (buf, size, "warning: the bank-holiday file lists no holiday: %s", tail);
    return true;
}

bool
podd_standards_age_dependent (podd_standards_t *self)
{
    for (size_t i = 0; self && i < self->count; i++)
        if (streq (self->rules [i].case_kind, "child")
        &&  (self->rules [i].min_age >= 0 || self->rules [i].at_age_months >= 0))
            return true;
    return false;
}


//  --------------------------------------------------------------------------
//  Self-test

#define TEST_NAME "t.conf"

//  A valid rule to build the bad-input cases on (lines 1-9)
#define GOOD_RULE \
    "rule = \"visit\"\n"                            /*  1 */ \
    "    title = \"Visit\"\n"                       /*  2 */ \
    "    case-kind = \"child\"\n"                   /*  3 */ \
    "    trigger = \"child-placed\"\n"              /*  4 */ \
    "    task-kind = \"statutory-visit\"\n"         /*  5 */ \
    "    timescale = \"1 week\"\n"                  /*  6 */ \
    "    source = \"Test regulations, reg. 1\"\n"   /*  7 */ \
    "    role = \"social-worker\"\n"                /*  8 */ \
    "    evidence = \"date\"\n"                     /*  9 */

//  A rule of 6 lines with the given id, trigger/extra lines and timescale
#define RULE(id, lines, timescale) \
    "rule = \"" id "\"\n" \
    "    title = \"T\"\n" \
    "    case-kind = \"child\"\n" \
    "    task-kind = \"general\"\n" \
    "    timescale = \"" timescale "\"\n" \
    "    source = \"S\"\n" \
    lines

static void
s_expect_error (podd_config_t *config, const char *text, const char *holidays,
                const char *prefix, bool verbose)
{
    char err [512];
    podd_standards_t *standards = podd_standards_load_str (text, TEST_NAME, holidays, config,
                                                           err, sizeof (err));
    if (standards || strncmp (err, prefix, strlen (prefix)) != 0) {
        fprintf (stderr, "\nexpected '%s...', got '%s'\n--- rules:\n%s---\n",
                 prefix, standards? "(loaded)": err, text);
        podd_standards_destroy (&standards);
        assert (false);
    }
    if (verbose)
        printf ("\n    %s", err);
}

static podd_standards_t *
s_expect_ok (podd_config_t *config, const char *text, const char *holidays)
{
    char err [512];
    podd_standards_t *standards = podd_standards_load_str (text, TEST_NAME, holidays, config,
                                                           err, sizeof (err));
    if (!standards) {
        fprintf (stderr, "\nunexpected error '%s'\n--- rules:\n%s---\n", err, text);
        assert (false);
    }
    return standards;
}

//  Due instant (UTC text) of rule id triggered at the instant `at` (any
//  podd_when_parse form)
static void
s_expect_due (podd_standards_t *standards, const char *id, const char *at,
              const char *expected)
{
    podd_rule_t *rule = podd_standards_rule (standards, id);
    if (!rule) {
        fprintf (stderr, "\nno rule '%s'\n", id);
        assert (false);
    }
    int64_t t;
    int rc = podd_when_parse (at, &t);
    assert (rc == 0);
    (void) rc;
    char buf [PODD_WHEN_LEN];
    podd_when_format (podd_standards_due (standards, rule, t), buf);
    if (!streq (buf, expected)) {
        fprintf (stderr, "\nrule '%s' triggered %s: due %s, expected %s\n", id, at, buf,
                 expected);
        assert (false);
    }
}

void
podd_standards_test (bool verbose)
{
    printf (" * standards: ");
    char err [512];

    //  @selftest
    //  The shipped configuration: podd.conf, standards.conf, bank-holidays.conf
    podd_config_t *config = podd_config_load ("config/podd.conf", err, sizeof (err));
    if (!config)
        fprintf (stderr, "\n%s\n", err);
    assert (config);
    podd_standards_t *shipped = podd_standards_load ("config/standards.conf",
                                                     "config/bank-holidays.conf", config,
                                                     err, sizeof (err));
    if (!shipped)
        fprintf (stderr, "\n%s\n", err);
    assert (shipped);

    //  The calendar: 8 bank holidays a year, 2025 to 2030
    assert (podd_standards_holiday_count (shipped) == 48);
    assert (podd_standards_holiday_last_year (shipped) == 2030);
    static const char *holidays [] = {
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
        "2025-12-25", "2025-12-26",
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
        "2026-12-25", "2026-12-28",
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
        "2027-12-27", "2027-12-28",
        "2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28",
        "2028-12-25", "2028-12-26",
        "2029-01-01", "2029-03-30", "2029-04-02", "2029-05-07", "2029-05-28", "2029-08-27",
        "2029-12-25", "2029-12-26",
        "2030-01-01", "2030-04-19", "2030-04-22", "2030-05-06", "2030-05-27", "2030-08-26",
        "2030-12-25", "2030-12-26", NULL
    };
    for (size_t i = 0; holidays [i]; i++) {
        int y, m, d;
        assert (podd_when_parse_date (holidays [i], &y, &m, &d) == 0);
        if (!podd_standards_holiday (shipped, y, m, d)) {
            fprintf (stderr, "\n%s is not a holiday\n", holidays [i]);
            assert (false);
        }
        assert (!podd_standards_working_day (shipped, y, m, d));
    }
    assert (!podd_standards_holiday (shipped, 2026, 12, 26));      //  Saturday: substitute 28th
    assert (!podd_standards_working_day (shipped, 2026, 12, 26));
    assert (podd_standards_working_day (shipped, 2026, 12, 29));
    assert (podd_standards_working_day (shipped, 2026, 12, 24));
    assert (!podd_standards_holiday (shipped, 2026, 2, 30));        //  no such day
    assert (!podd_standards_working_day (shipped, 2026, 13, 1));
    assert (!podd_standards_holiday (NULL, 2026, 12, 25));          //  no calendar
    assert (!podd_standards_working_day (NULL, 2026, 12, 26));      //  still a weekend
    assert (podd_standards_working_day (NULL, 2026, 12, 25));

    //  Every shipped rule has a source, a title and a valid task kind
    assert (podd_standards_count (shipped) == 51);
    for (size_t i = 0; i < podd_standards_count (shipped); i++) {
        podd_rule_t *rule = podd_standards_at (shipped, i);
        assert (rule->source && *rule->source && rule->title && *rule->title);
        assert (podd_config_kind (config, rule->task_kind));
        assert (rule->line > 0);
    }
    assert (podd_standards_at (shipped, 51) == NULL);
    assert (podd_standards_rule (shipped, "nope") == NULL);
    assert (podd_standards_rule (shipped, NULL) == NULL);
    assert (podd_standards_known_trigger ("carer-approved"));
    assert (podd_standards_known_trigger ("task-done"));
    assert (!podd_standards_known_trigger ("recurring"));
    assert (!podd_standards_known_trigger (NULL));

    podd_rule_t *rule = podd_standards_rule (shipped, "carer-allocation");
    assert (rule && rule->before && rule->amount == 1 && rule->unit == PODD_UNIT_WEEKS);
    assert (rule->role == podd_role_index ("team-manager") && rule->local_choice);
    rule = podd_standards_rule (shipped, "carer-annual-review");
    assert (rule && rule->recurring && !rule->local_choice && rule->amount == 12
            && rule->unit == PODD_UNIT_MONTHS && streq (rule->case_kind, "carer-household"));
    rule = podd_standards_rule (shipped, "health-review-under-5");
    assert (rule && rule->min_age == 0 && rule->max_age == 4
            && streq (rule->after_rule, "health-initial"));
    rule = podd_standards_rule (shipped, "health-review");
    assert (rule && rule->min_age == 5 && rule->max_age == 17);
    rule = podd_standards_rule (shipped, "carer-tsd-standards-family-friends");
    assert (rule && streq (rule->condition, "family-and-friends") && rule->amount == 18);
    rule = podd_standards_rule (shipped, "cic-visit-long-term");
    assert (rule && streq (rule->condition, "long-term"));
    rule = podd_standards_rule (shipped, "child-assessment");
    assert (rule && rule->amount == 45 && rule->unit == PODD_UNIT_WORKING_DAYS
            && streq (rule->evidence, "date") && rule->min_age == -1 && !rule->condition);

    //  Each shipped rule's due date, worked out by hand. Due instants are
    //  17:00 London: 16:00Z in summer time (BST), 17:00Z in winter (GMT).
    //  Foster-carer supervision
    //  1 week before a panel on Wednesday 4 March 2026
    s_expect_due (shipped, "carer-allocation", "2026-03-04", "2026-02-25T17:00:00Z");
    //  3 working days after approval on Wednesday 10 June 2026: Monday 15th
    s_expect_due (shipped, "carer-handover-visit", "2026-06-10T09:30", "2026-06-15T16:00:00Z");
    //  1 week across the end of BST (Sunday 25 October 2026)
    s_expect_due (shipped, "carer-welcome-pack", "2026-10-20T09:00", "2026-10-27T17:00:00Z");
    s_expect_due (shipped, "carer-agreement", "2027-01-15", "2027-01-15T17:00:00Z");
    s_expect_due (shipped, "carer-agreement-renewal", "2026-11-30", "2026-11-30T17:00:00Z");
    s_expect_due (shipped, "carer-support-plan", "2026-02-28", "2027-02-28T17:00:00Z");
    //  12 months from 29 February lands on 28 February
    s_expect_due (shipped, "carer-annual-review", "2028-02-29", "2029-02-28T17:00:00Z");
    s_expect_due (shipped, "carer-childs-voice", "2026-05-31", "2027-05-31T16:00:00Z");
    s_expect_due (shipped, "carer-safe-caring-plan", "2026-12-24", "2026-12-24T17:00:00Z");
    s_expect_due (shipped, "carer-safe-caring-renewal", "2027-07-01", "2027-07-01T16:00:00Z");
    //  10 working days from Friday 18 December 2026: skips 25, 28 December
    //  and 1 January
    s_expect_due (shipped, "carer-safe-caring-placement-end", "2026-12-18",
                  "2027-01-06T17:00:00Z");
    //  4 weeks across the start of BST (Sunday 29 March 2026)
    s_expect_due (shipped, "carer-allegation-review", "2026-03-10", "2026-04-07T16:00:00Z");
    //  1 working day from Good Friday 2026: Easter Monday is a holiday too
    s_expect_due (shipped, "carer-allegation-support", "2026-04-03", "2026-04-07T16:00:00Z");
    //  3 months from 30 November: 30 February clamps to the 28th
    s_expect_due (shipped, "carer-allegation-panel", "2026-11-30", "2027-02-28T17:00:00Z");
    //  5 working days from Thursday 21 May 2026 over the spring bank holiday
    s_expect_due (shipped, "carer-stability-meeting", "2026-05-21", "2026-05-29T16:00:00Z");
    s_expect_due (shipped, "carer-pod-meeting", "2026-09-15", "2027-03-15T17:00:00Z");
    //  Calendar months do not skip weekends: Saturday 4 July 2026
    s_expect_due (shipped, "carer-unannounced-visit", "2025-07-04", "2026-07-04T16:00:00Z");
    s_expect_due (shipped, "carer-tsd-standards", "2026-01-31", "2027-01-31T17:00:00Z");
    s_expect_due (shipped, "carer-tsd-standards-family-friends", "2026-01-31",
                  "2027-07-31T16:00:00Z");
    //  Children: 45 working days from a referral on Friday 20 November
    //  2026, across Christmas: 25 and 28 December and 1 January skipped
    s_expect_due (shipped, "child-assessment", "2026-11-20T11:00", "2027-01-27T17:00:00Z");
    //  15 working days from Thursday 19 March 2026 across Easter and BST
    s_expect_due (shipped, "cp-initial-conference", "2026-03-19", "2026-04-13T16:00:00Z");
    //  10 working days from Friday 19 December 2025 (25, 26 Dec, 1 Jan off)
    s_expect_due (shipped, "cp-first-core-group", "2025-12-19", "2026-01-07T17:00:00Z");
    //  3 months from 31 January: 30 April
    s_expect_due (shipped, "cp-first-review-conference", "2026-01-31", "2026-04-30T16:00:00Z");
    //  6 months from 31 August 2027: 29 February 2028 (leap year)
    s_expect_due (shipped, "cp-review-conference", "2027-08-31", "2028-02-29T17:00:00Z");
    //  6 weeks from Friday 18 December 2026 (calendar weeks: no holidays)
    s_expect_due (shipped, "cp-core-group", "2026-12-18", "2027-01-29T17:00:00Z");
    //  10 working days from Wednesday 5 April 2028 across Easter 2028
    s_expect_due (shipped, "cp-visit", "2028-04-05", "2028-04-21T16:00:00Z");
    //  1 week from Wednesday 25 March 2026 (GMT) to 1 April (BST)
    s_expect_due (shipped, "cic-visit-first", "2026-03-25", "2026-04-01T16:00:00Z");
    s_expect_due (shipped, "cic-visit", "2027-12-20", "2028-01-31T17:00:00Z");
    s_expect_due (shipped, "cic-visit-long-term", "2027-05-31", "2027-08-31T16:00:00Z");
    //  20 working days from Monday 13 December 2027: Christmas and Boxing
    //  Day fall at the weekend (substitutes 27, 28 Dec) and New Year's Day
    //  on a Saturday (substitute Monday 3 January 2028)
    s_expect_due (shipped, "lac-review-first", "2027-12-13", "2028-01-13T17:00:00Z");
    s_expect_due (shipped, "lac-review-second", "2027-11-30", "2028-02-29T17:00:00Z");
    s_expect_due (shipped, "lac-review", "2029-08-31", "2030-02-28T17:00:00Z");
    //  10 working days from Friday 23 March 2029 across Easter 2029
    s_expect_due (shipped, "pep-initial", "2029-03-23", "2029-04-10T16:00:00Z");
    s_expect_due (shipped, "pep-review", "2026-10-31", "2027-02-28T17:00:00Z");
    //  20 working days from Friday 5 April 2030: Easter and early May
    s_expect_due (shipped, "health-initial", "2030-04-05", "2030-05-08T16:00:00Z");
    s_expect_due (shipped, "health-review-under-5", "2025-08-29", "2026-02-28T17:00:00Z");
    //  From the Sunday BST began in 2027, to a BST day in 2028
    s_expect_due (shipped, "health-review", "2027-03-28T12:00", "2028-03-28T16:00:00Z");
    //  The later statutory and seed standards. Christmas Eve 2026 + 1
    //  working day: 25th and 28th (substitute) are bank holidays
    s_expect_due (shipped, "child-referral-decision", "2026-12-24", "2026-12-29T17:00:00Z");
    //  Thursday before Easter 2027 + 1: Tuesday 30 March, in BST
    s_expect_due (shipped, "child-strategy-after-allegation", "2027-03-25", "2027-03-30T16:00:00Z");
    s_expect_due (shipped, "child-strategy-after-harm", "2026-05-22", "2026-05-26T16:00:00Z");
    s_expect_due (shipped, "child-lado-professional", "2026-01-07", "2026-01-08T17:00:00Z");
    s_expect_due (shipped, "carer-lado", "2026-12-31", "2027-01-04T17:00:00Z");
    //  10 working days across the August bank holiday 2026
    s_expect_due (shipped, "cic-care-plan", "2026-08-24", "2026-09-08T16:00:00Z");
    //  5 working days across Easter 2026 (3 and 6 April)
    s_expect_due (shipped, "cic-placement-plan", "2026-04-01", "2026-04-10T16:00:00Z");
    s_expect_due (shipped, "carer-supervision-visit", "2026-10-01", "2026-11-12T17:00:00Z");
    s_expect_due (shipped, "carer-first-review-panel", "2027-05-31", "2027-08-31T16:00:00Z");
    s_expect_due (shipped, "carer-support-plan-initial", "2027-02-03", "2027-02-03T17:00:00Z");
    s_expect_due (shipped, "carer-concern-review", "2026-03-20", "2026-04-17T16:00:00Z");
    //  Counted from the 16th birthday: 3 months on, clamped to 28 February
    s_expect_due (shipped, "pathway-needs-assessment", "2026-11-30", "2027-02-28T17:00:00Z");
    s_expect_due (shipped, "pathway-plan-review", "2027-08-31", "2028-02-29T17:00:00Z");
    //  20 working days from Monday 14 December 2026, across Christmas
    s_expect_due (shipped, "transition-planning", "2026-12-14", "2027-01-14T17:00:00Z");
    rule = podd_standards_rule (shipped, "pathway-needs-assessment");
    assert (rule && rule->at_age_months == 16 * 12 && streq (rule->condition, "looked-after"));
    char birthday [PODD_DATE_LEN];
    assert (podd_standards_age_date (rule, "2010-02-28", birthday) == 0
            && streq (birthday, "2026-02-28"));
    assert (podd_standards_age_date (rule, "2012-02-29", birthday) == 0
            && streq (birthday, "2028-02-29"));
    assert (podd_standards_age_date (rule, "2011-02-29", birthday) == -1);
    assert (podd_standards_age_date (rule, NULL, birthday) == -1);
    rule = podd_standards_rule (shipped, "transition-planning");
    assert (podd_standards_age_date (rule, "2012-02-29", birthday) == 0
            && streq (birthday, "2026-02-28"));     //  no 29 February in 2026
    assert (podd_standards_age_date (podd_standards_rule (shipped, "cic-visit"), "2012-02-29",
                                     birthday) == -1);
    assert (podd_standards_age_dependent (shipped));
    assert (podd_standards_rule (shipped, "carer-first-review-panel")->once);
    assert (streq (podd_standards_rule (shipped, "carer-concern-review")->resets,
                   "carer-annual-review"));
    //  Working days by instant; bank holidays unknown beyond the file (2030)
    int64_t t;
    assert (podd_when_parse ("2026-12-28T12:00", &t) == 0);
    assert (!podd_standards_working_on (shipped, t) && podd_standards_working_on (NULL, t));
    rule = podd_standards_rule (shipped, "cic-care-plan");
    assert (podd_when_parse ("2030-12-31T17:00", &t) == 0);
    assert (!podd_standards_holidays_unknown (shipped, rule, t));
    assert (podd_when_parse ("2031-01-02T17:00", &t) == 0);
    assert (podd_standards_holidays_unknown (shipped, rule, t));
    assert (!podd_standards_holidays_unknown (shipped, podd_standards_rule (shipped,
                                              "carer-supervision-visit"), t));
    //  The file ends 2030-12-26: no warning before 26 December 2029
    char warning [300];
    assert (podd_when_parse ("2029-12-25T12:00", &t) == 0);
    assert (!podd_standards_holidays_warning (shipped, t, warning, sizeof warning));
    assert (podd_when_parse ("2029-12-27T12:00", &t) == 0);
    assert (podd_standards_holidays_warning (shipped, t, warning, sizeof warning));
    assert (strstr (warning, "ends on 2030-12-26, within the next 12 months"));
    //  Every shipped rule was tested above
    static const char *tested [] = {
        "carer-allocation", "carer-handover-visit", "carer-welcome-pack", "carer-agreement",
        "carer-agreement-renewal", "carer-support-plan", "carer-annual-review",
        "carer-childs-voice", "carer-safe-caring-plan", "carer-safe-caring-renewal",
        "carer-safe-caring-placement-end", "carer-allegation-review",
        "carer-allegation-support", "carer-allegation-panel", "carer-stability-meeting",
        "carer-pod-meeting", "carer-unannounced-visit", "carer-tsd-standards",
        "carer-tsd-standards-family-friends", "child-assessment", "cp-initial-conference",
        "cp-first-core-group", "cp-first-review-conference", "cp-review-conference",
        "cp-visit", "cic-visit-first", "cic-visit", "cic-visit-long-term",
        "cp-core-group",
        "lac-review-first", "lac-review-second", "lac-review", "pep-initial", "pep-review",
        "health-initial", "health-review-under-5", "health-review",
        "child-referral-decision", "child-strategy-after-allegation", "child-strategy-after-harm",
        "child-lado-professional", "carer-lado", "cic-care-plan", "cic-placement-plan",
        "carer-supervision-visit", "carer-first-review-panel", "carer-support-plan-initial",
        "carer-concern-review", "pathway-needs-assessment", "pathway-plan-review",
        "transition-planning", NULL
    };
    for (size_t i = 0; i < podd_standards_count (shipped); i++) {
        const char *id = podd_standards_at (shipped, i)->id;
        bool found = false;
        for (size_t j = 0; tested [j]; j++)
            found |= streq (tested [j], id);
        if (!found) {
            fprintf (stderr, "\nshipped rule '%s' has no due-date test\n", id);
            assert (false);
        }
    }

    //  Edge cases on rules of our own, with the shipped calendar
    char *calendar = podd_zpl_read ("config/bank-holidays.conf", err, sizeof (err));
    assert (calendar);
    podd_standards_t *standards = s_expect_ok (config,
        RULE ("month", "    trigger = \"case-opened\"\n", "1 month")
        RULE ("wd1", "    trigger = \"case-opened\"\n", "1 working-day")
        RULE ("wd0", "    trigger = \"case-opened\"\n", "0 working-days")
        RULE ("wd-back", "    trigger = \"case-opened\"\n    counts = \"before\"\n",
              "3 working-days")
        RULE ("days", "    trigger = \"case-opened\"\n", "0 days")
        RULE ("months-back", "    trigger = \"case-opened\"\n    counts = \"before\"\n",
              "1 month")
        RULE ("big", "    trigger = \"case-opened\"\n", "1000 working-days")
        RULE ("again", "    trigger = \"task-done\"\n    after-rule = \"again\"\n"
              "    recurring = 1\n", "2 weeks"),
        calendar);
    //  Month ends: 31 January + 1 month = 28 February, 29 in a leap year
    s_expect_due (standards, "month", "2027-01-31", "2027-02-28T17:00:00Z");
    s_expect_due (standards, "month", "2028-01-31", "2028-02-29T17:00:00Z");
    s_expect_due (standards, "month", "2026-12-31", "2027-01-31T17:00:00Z");
    s_expect_due (standards, "month", "2026-03-31", "2026-04-30T16:00:00Z");
    //  Across a weekend: Friday 6 March 2026 + 1 working day = Monday 9th
    s_expect_due (standards, "wd1", "2026-03-06", "2026-03-09T17:00:00Z");
    //  From a Saturday: the next working day is Monday
    s_expect_due (standards, "wd1", "2026-03-07", "2026-03-09T17:00:00Z");
    //  Across a bank holiday: Friday 22 May 2026 + 1 = Tuesday 26th
    s_expect_due (standards, "wd1", "2026-05-22", "2026-05-26T16:00:00Z");
    //  0 working days: the day itself, even at a weekend
    s_expect_due (standards, "wd0", "2026-03-07", "2026-03-07T17:00:00Z");
    //  3 working days before Tuesday 5 January 2027: Monday 4th, Thursday
    //  31 December, Wednesday 30th (1 January is a holiday)
    s_expect_due (standards, "wd-back", "2027-01-05", "2026-12-30T17:00:00Z");
    //  1 month before 31 March 2026 = 28 February
    s_expect_due (standards, "months-back", "2026-03-31", "2026-02-28T17:00:00Z");
    //  The local date counts: 23:30Z on 1 June is 00:30 on 2 June in London;
    //  and an instant late in the local day stays on that day
    s_expect_due (standards, "days", "2026-06-01T23:30:00Z", "2026-06-02T16:00:00Z");
    s_expect_due (standards, "days", "2026-01-15T23:59:59Z", "2026-01-15T17:00:00Z");
    s_expect_due (standards, "days", "2026-07-15T23:59", "2026-07-15T16:00:00Z");
    //  On the days the clocks change the due instant is still 17:00 local
    s_expect_due (standards, "days", "2026-03-29T00:30", "2026-03-29T16:00:00Z");
    s_expect_due (standards, "days", "2026-10-25T01:30", "2026-10-25T17:00:00Z");
    //  1000 working days: about 1400 calendar days plus the 32 holidays
    //  on the way, to Friday 14 December 2029
    s_expect_due (standards, "big", "2026-01-05", "2029-12-14T17:00:00Z");
    //  A task-done rule may re-arm itself when it has a delay
    rule = podd_standards_rule (standards, "again");
    assert (rule && rule->recurring && streq (rule->after_rule, "again"));
    //  Without a calendar only weekends are skipped
    podd_standards_t *bare = s_expect_ok (config,
        RULE ("wd1", "    trigger = \"case-opened\"\n", "1 working-day"), NULL);
    s_expect_due (bare, "wd1", "2026-05-22", "2026-05-25T16:00:00Z");
    assert (podd_standards_holiday_count (bare) == 0);
    assert (podd_standards_holiday_last_year (bare) == 0);
    podd_standards_destroy (&bare);
    //  A rule from the file documented in standards.h, with every key
    podd_standards_t *full = s_expect_ok (config,
        "rule = \"carer-annual-review\"\n"
        "    title = \"Foster carer's annual review\"\n"
        "    case-kind = \"carer-household\"\n"
        "    trigger = \"carer-approved\"        #  comment\n"
        "    task-kind = \"review\"\n"
        "    timescale = \"12 months\"\n"
        "    counts = \"after\"\n"
        "    recurring = 1\n"
        "    role = \"social-worker\"\n"
        "    evidence = \"note\"\n"
        "    source = \"Fostering practice standards, annual review row\"\n"
        "    local-choice = 1\n"
        "    condition = \"not-family-and-friends\"\n"
        "rule = \"young\"\n"
        "    title = \"Under fives\"\n"
        "    case-kind = \"child\"\n"
        "    trigger = \"task-done\"\n"
        "    after-rule = \"old\"\n"
        "    task-kind = \"general\"\n"
        "    timescale = \"6 months\"\n"
        "    age = \"0-4\"\n"
        "    source = \"S\"\n"
        "rule = \"old\"\n"
        "    title = \"Five and over\"\n"
        "    case-kind = \"child\"\n"
        "    trigger = \"became-looked-after\"\n"
        "    task-kind = \"general\"\n"
        "    timescale = \"0 days\"\n"
        "    age = \"5+\"\n"
        "    condition = \"long-term\"\n"
        "    source = \"S\"\n", "");
    assert (podd_standards_count (full) == 3);
    rule = podd_standards_at (full, 0);
    assert (streq (rule->id, "carer-annual-review") && rule->line == 1);
    assert (streq (rule->title, "Foster carer's annual review"));
    assert (streq (rule->trigger, "carer-approved") && !rule->after_rule);
    assert (streq (rule->task_kind, "review") && rule->amount == 12);
    assert (rule->unit == PODD_UNIT_MONTHS && !rule->before && rule->recurring);
    assert (rule->role == podd_role_index ("social-worker"));
    assert (streq (rule->evidence, "note") && rule->local_choice);
    assert (streq (rule->condition, "not-family-and-friends"));
    assert (rule->min_age == -1 && rule->max_age == -1);
    rule = podd_standards_rule (full, "young");
    assert (rule->line == 14 && rule->min_age == 0 && rule->max_age == 4);
    assert (streq (rule->evidence, "date") && rule->role == -1 && !rule->local_choice);
    rule = podd_standards_rule (full, "old");
    assert (rule->min_age == 5 && rule->max_age == -1 && rule->amount == 0);
    assert (streq (rule->condition, "long-term"));
    podd_standards_destroy (&full);
    podd_standards_destroy (&standards);

    //  Bad input: each a clear error with its line, naming the rule
    podd_standards_t *good = s_expect_ok (config, GOOD_RULE, NULL);
    podd_standards_destroy (&good);
    //  Unknown key in a rule, and at the top level
    s_expect_error (config, GOOD_RULE "    colour = \"blue\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': unknown key 'colour'", verbose);
    s_expect_error (config, GOOD_RULE "standard = \"x\"\n", NULL,
                    TEST_NAME ":10: unknown key 'standard'", verbose);
    s_expect_error (config, GOOD_RULE "    title = \"Again\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': duplicate key 'title'", verbose);
    s_expect_error (config, GOOD_RULE "        note = \"x\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': 'evidence' takes no sub-keys", verbose);
    //  Unknown trigger, task kind, role; a role the kind does not allow
    s_expect_error (config,
                    RULE ("r", "    trigger = \"moon-full\"\n", "1 day"), NULL,
                    TEST_NAME ":7: rule 'r': unknown trigger 'moon-full' (triggers: case-opened",
                    verbose);
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"T\"\n    case-kind = \"child\"\n"
                    "    trigger = \"case-opened\"\n    task-kind = \"juggling\"\n"
                    "    timescale = \"1 day\"\n    source = \"S\"\n", NULL,
                    TEST_NAME ":5: rule 'r': unknown task kind 'juggling' (kinds: "
                    "stability-meeting, pod-meeting", verbose);
    good = s_expect_ok (config, GOOD_RULE "    recurring = 0\n", NULL);
    podd_standards_destroy (&good);
    s_expect_error (config,
                    RULE ("r", "    trigger = \"case-opened\"\n    role = \"wizard\"\n", "1 day"),
                    NULL, TEST_NAME ":8: rule 'r': unknown role 'wizard' (roles: team-manager",
                    verbose);
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"T\"\n    case-kind = \"child\"\n"
                    "    trigger = \"child-placed\"\n    task-kind = \"statutory-visit\"\n"
                    "    timescale = \"1 week\"\n    source = \"S\"\n"
                    "    role = \"support-worker\"\n", NULL,
                    TEST_NAME ":8: rule 'r': role 'support-worker' may not do task kind "
                    "'statutory-visit' (its roles: team-manager, senior-practitioner, "
                    "social-worker)", verbose);
    //  Negative, absurd and malformed timescales
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n", "-3 days"), NULL,
                    TEST_NAME ":5: rule 'r': timescale '-3 days' is negative", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n", "1001 days"), NULL,
                    TEST_NAME ":5: rule 'r': timescale '1001 days' is absurd: at most 1000",
                    verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n",
                                  "99999999999999999999 weeks"), NULL,
                    TEST_NAME ":5: rule 'r': timescale '99999999999999999999 weeks' is absurd",
                    verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"panel-date-set\"\n"
                                  "    counts = \"before\"\n", "0 weeks"), NULL,
                    TEST_NAME ":5: rule 'r': timescale '0 weeks' with counts = \"before\" "
                    "is absurd", verbose);
    const char *malformed [] = {
        "3 fortnights", "days", "3days", "", "3", "3 Days", "3 days ", "+3 days",
        "3.5 days", "3 working days", "3 days,", " 3 days", "0x10 days", "-days", NULL
    };
    for (size_t i = 0; malformed [i]; i++) {
        char text [512], prefix [128];
        snprintf (text, sizeof (text), RULE ("r", "    trigger = \"case-opened\"\n", "%s"),
                  malformed [i]);
        snprintf (prefix, sizeof (prefix), TEST_NAME ":5: rule 'r': timescale must be "
                  "\"N days\", \"N weeks\", \"N months\" or \"N working-days\", not '%s'",
                  malformed [i]);
        s_expect_error (config, text, NULL, prefix, verbose && i == 0);
    }
    //  Cycles: a rule that triggers itself with no delay, directly or via another
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n    recurring = 1\n",
                                  "0 days"), NULL,
                    TEST_NAME ":5: rule 'r': cycle: a recurring rule of timescale '0 days' "
                    "would re-arm itself", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"task-done\"\n    after-rule = \"r\"\n",
                                  "0 working-days"), NULL,
                    TEST_NAME ":1: rule 'r': cycle: the rule triggers itself with no delay "
                    "(r waits for r)", verbose);
    s_expect_error (config,
                    RULE ("a", "    trigger = \"case-opened\"\n", "1 day")
                    RULE ("b", "    trigger = \"task-done\"\n    after-rule = \"c\"\n", "0 days")
                    RULE ("c", "    trigger = \"task-done\"\n    after-rule = \"b\"\n", "0 days"),
                    NULL, TEST_NAME ":8: rule 'b': cycle: the rule triggers itself with no "
                    "delay (b waits for c, c waits for b)", verbose);
    //  ... but a cycle with a delay somewhere is a repeating chain
    good = s_expect_ok (config,
                    RULE ("b", "    trigger = \"task-done\"\n    after-rule = \"c\"\n", "0 days")
                    RULE ("c", "    trigger = \"task-done\"\n    after-rule = \"b\"\n", "1 day"),
                    NULL);
    podd_standards_destroy (&good);
    s_expect_error (config, RULE ("r", "    trigger = \"task-done\"\n    after-rule = \"r\"\n"
                                  "    counts = \"before\"\n", "1 day"), NULL,
                    TEST_NAME ":9: rule 'r': a task-done rule counts after", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n    recurring = 1\n"
                                  "    counts = \"before\"\n", "1 day"), NULL,
                    TEST_NAME ":9: rule 'r': a recurring rule counts after the date the last "
                    "one was done", verbose);
    //  Age triggers, once, resets, looked-after
    s_expect_error (config, RULE ("r", "    trigger = \"age\"\n", "1 day"), NULL,
                    TEST_NAME ":7: rule 'r': trigger \"age\" needs at-age", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n    at-age = \"14 years\"\n",
                                  "1 day"), NULL,
                    TEST_NAME ":8: rule 'r': at-age goes only with trigger = \"age\"", verbose);
    static const char *bad_ages [] = {
        "14", "14 yrs", "26 years", "14 years 12 months", "14 years 0 months", "1 years",
        "14 years 3", "-1 years", "14 years  3 months", " 14 years", NULL
    };
    for (size_t i = 0; bad_ages [i]; i++) {
        char text [512], prefix [160];
        snprintf (text, sizeof (text), RULE ("r", "    trigger = \"age\"\n    at-age = \"%s\"\n",
                  "1 day"), bad_ages [i]);
        snprintf (prefix, sizeof (prefix), TEST_NAME ":8: rule 'r': at-age must be \"N years\" or "
                  "\"N years M months\" (N 0 to 25, M 1 to 11), not '%s'", bad_ages [i]);
        s_expect_error (config, text, NULL, prefix, verbose && i == 0);
    }
    good = s_expect_ok (config, RULE ("r", "    trigger = \"age\"\n    at-age = \"1 year 1 month\"\n"
                                      "    condition = \"looked-after\"\n    once = 1\n", "1 day"), NULL);
    assert (podd_standards_rule (good, "r")->at_age_months == 13 && podd_standards_rule (good, "r")->once);
    podd_standards_destroy (&good);
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"T\"\n    case-kind = \"carer-household\"\n"
                    "    trigger = \"age\"\n    task-kind = \"general\"\n    at-age = \"14 years\"\n"
                    "    timescale = \"1 day\"\n    source = \"S\"\n", NULL,
                    TEST_NAME ":4: rule 'r': trigger \"age\" applies to child cases only", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n    once = 2\n", "1 day"),
                    NULL, TEST_NAME ":8: rule 'r': once must be 0 or 1", verbose);
    s_expect_error (config, GOOD_RULE RULE ("r", "    trigger = \"case-opened\"\n"
                                            "    resets = \"vist\"\n", "1 day"), NULL,
                    TEST_NAME ":10: rule 'r': resets 'vist' names no rule", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n    resets = \"R\"\n", "1 day"),
                    NULL, TEST_NAME ":8: rule 'r': resets must be a rule id", verbose);
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"T\"\n    case-kind = \"carer-household\"\n"
                    "    trigger = \"concern\"\n    task-kind = \"general\"\n"
                    "    timescale = \"1 day\"\n    source = \"S\"\n    condition = \"looked-after\"\n",
                    NULL, TEST_NAME ":8: rule 'r': condition 'looked-after' applies to child cases only",
                    verbose);
    //  Duplicate id
    s_expect_error (config, GOOD_RULE GOOD_RULE, NULL,
                    TEST_NAME ":10: rule 'visit': duplicate id (first at line 1)", verbose);
    //  Missing keys, each named
    static const struct { const char *drop; const char *missing; } required [] = {
        { "    source = ", "missing source" },
        { "    title = ", "missing title" },
        { "    trigger = ", "missing trigger" },
        { "    task-kind = ", "missing task-kind" },
        { "    timescale = ", "missing timescale" },
        { "    case-kind = ", "missing case-kind" },
        { NULL, NULL }
    };
    for (size_t i = 0; required [i].drop; i++) {
        char text [1024] = "", prefix [128];
        const char *line = GOOD_RULE;
        while (*line) {
            const char *eol = strchr (line, '\n') + 1;
            if (strncmp (line, required [i].drop, strlen (required [i].drop)))
                strncat (text, line, eol - line);
            line = eol;
        }
        snprintf (prefix, sizeof (prefix), TEST_NAME ":1: rule 'visit': %s",
                  required [i].missing);
        s_expect_error (config, text, NULL, prefix, verbose);
    }
    //  An empty or blank source is as bad as none
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"T\"\n    case-kind = \"child\"\n"
                    "    trigger = \"case-opened\"\n    task-kind = \"general\"\n"
                    "    timescale = \"1 day\"\n    source = \"\"\n", NULL,
                    TEST_NAME ":7: rule 'r': source must name the document", verbose);
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"T\"\n    case-kind = \"child\"\n"
                    "    trigger = \"case-opened\"\n    task-kind = \"general\"\n"
                    "    timescale = \"1 day\"\n    source = \"  \"\n", NULL,
                    TEST_NAME ":7: rule 'r': source must name the document", verbose);
    //  Bad case kind, bad values of the small keys
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"T\"\n    case-kind = \"adult\"\n"
                    "    trigger = \"case-opened\"\n    task-kind = \"general\"\n"
                    "    timescale = \"1 day\"\n    source = \"S\"\n", NULL,
                    TEST_NAME ":3: rule 'r': case-kind must be \"child\" or \"carer-household\", "
                    "not 'adult'", verbose);
    s_expect_error (config, GOOD_RULE "    counts = \"around\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': counts must be", verbose);
    s_expect_error (config, GOOD_RULE "    recurring = yes\n", NULL,
                    TEST_NAME ":10: rule 'visit': recurring must be 0 or 1", verbose);
    s_expect_error (config, GOOD_RULE "    local-choice = 2\n", NULL,
                    TEST_NAME ":10: rule 'visit': local-choice must be 0 or 1", verbose);
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"T\"\n    case-kind = \"child\"\n"
                    "    trigger = \"case-opened\"\n    task-kind = \"general\"\n"
                    "    timescale = \"1 day\"\n    source = \"S\"\n    evidence = \"photo\"\n",
                    NULL, TEST_NAME ":8: rule 'r': evidence must be", verbose);
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"\"\n    case-kind = \"child\"\n"
                    "    trigger = \"case-opened\"\n    task-kind = \"general\"\n"
                    "    timescale = \"1 day\"\n    source = \"S\"\n", NULL,
                    TEST_NAME ":2: rule 'r': title must be", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n", "1 day")
                    "    age = \"5-4\"\n", NULL,
                    TEST_NAME ":8: rule 'r': age must be a band", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n", "1 day")
                    "    age = \"26+\"\n", NULL,
                    TEST_NAME ":8: rule 'r': age must be a band", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n", "1 day")
                    "    age = \"-1-4\"\n", NULL,
                    TEST_NAME ":8: rule 'r': age must be a band", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n", "1 day")
                    "    condition = \"family-and-friends\"\n", NULL,
                    TEST_NAME ":8: rule 'r': condition 'family-and-friends' applies to "
                    "carer-household cases only", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n", "1 day")
                    "    condition = \"sunny\"\n", NULL,
                    TEST_NAME ":8: rule 'r': unknown condition 'sunny'", verbose);
    s_expect_error (config,
                    "rule = \"r\"\n    title = \"T\"\n    case-kind = \"carer-household\"\n"
                    "    trigger = \"carer-approved\"\n    task-kind = \"general\"\n"
                    "    timescale = \"1 day\"\n    source = \"S\"\n    age = \"0-4\"\n", NULL,
                    TEST_NAME ":8: rule 'r': age applies to child cases only", verbose);
    s_expect_error (config, "rule = \"Bad Id\"\n", NULL,
                    TEST_NAME ":1: rule 'Bad Id': a rule id is 1 to 64", verbose);
    s_expect_error (config, "rule = \"\"\n", NULL,
                    TEST_NAME ":1: rule '': a rule id is", verbose);
    //  after-rule: required by task-done, only with it, naming a known rule
    s_expect_error (config, RULE ("r", "    trigger = \"task-done\"\n", "1 day"), NULL,
                    TEST_NAME ":7: rule 'r': trigger \"task-done\" needs after-rule", verbose);
    s_expect_error (config, RULE ("r", "    trigger = \"case-opened\"\n"
                                  "    after-rule = \"visit\"\n", "1 day"), NULL,
                    TEST_NAME ":8: rule 'r': after-rule goes only with", verbose);
    s_expect_error (config, GOOD_RULE RULE ("r", "    trigger = \"task-done\"\n"
                                            "    after-rule = \"vist\"\n", "1 day"), NULL,
                    TEST_NAME ":10: rule 'r': after-rule 'vist' names no rule", verbose);
    s_expect_error (config,
                    "rule = \"approved\"\n    title = \"T\"\n    case-kind = \"carer-household\"\n"
                    "    trigger = \"carer-approved\"\n    task-kind = \"general\"\n"
                    "    timescale = \"1 day\"\n    source = \"S\"\n"
                    RULE ("r", "    trigger = \"task-done\"\n    after-rule = \"approved\"\n",
                          "1 day"), NULL,
                    TEST_NAME ":8: rule 'r': after-rule 'approved' is a rule for "
                    "carer-household cases", verbose);
    //  Chains: also-on, ends-on, while-open, done-by
    rule = podd_standards_rule (shipped, "cp-initial-conference");
    assert (rule && rule->replace && streq (rule->done_by, "conference-held"));
    assert (podd_standards_ends_on (rule, "strategy-discussion", "nfa"));
    assert (!podd_standards_ends_on (rule, "strategy-discussion", "s47"));
    assert (!podd_standards_ends_on (rule, "strategy-discussion", ""));
    assert (podd_standards_ends_on (rule, "case-closed", ""));
    assert (podd_standards_fires_on (rule, "strategy-discussion"));
    rule = podd_standards_rule (shipped, "cic-visit-first");
    assert (podd_standards_fires_on (rule, "child-placed") && podd_standards_fires_on (rule, "placement-ended"));
    assert (!podd_standards_fires_on (rule, "placement") && !podd_standards_ends_on (rule, "placement-ended", ""));
    rule = podd_standards_rule (shipped, "cic-visit");
    assert (podd_standards_ends_on (rule, "placement-ended", "") && podd_standards_ends_on (rule, "child-placed", ""));
    assert (podd_standards_known_outcome ("nfa") && !podd_standards_known_outcome ("NFA"));
    s_expect_error (config, GOOD_RULE "    ends-on = \"placement-ended, cp-plan-endd\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': ends-on: unknown event 'cp-plan-endd'", verbose);
    s_expect_error (config, GOOD_RULE "    ends-on = \"strategy-discussion:maybe\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': ends-on: 'strategy-discussion:maybe': unknown "
                    "outcome (outcomes: nfa, s47)", verbose);
    s_expect_error (config, GOOD_RULE "    ends-on = \"case-closed,,\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': ends-on: 'case-closed,,' must be event types", verbose);
    s_expect_error (config, GOOD_RULE "    ends-on = \"task-done\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': ends-on: unknown event 'task-done'", verbose);
    s_expect_error (config, GOOD_RULE "    also-on = \"child-placed\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': also-on repeats the trigger", verbose);
    s_expect_error (config, GOOD_RULE "    also-on = \"case-closed\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': also-on: unknown event 'case-closed'", verbose);
    s_expect_error (config, GOOD_RULE "    also-on = \"placement-ended:nfa\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': also-on: 'placement-ended:nfa': an outcome goes "
                    "only in ends-on", verbose);
    s_expect_error (config, GOOD_RULE "    while-open = \"merge\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': while-open must be", verbose);
    s_expect_error (config, GOOD_RULE "    done-by = \"task-done\"\n", NULL,
                    TEST_NAME ":10: rule 'visit': done-by must be an event type", verbose);
    s_expect_error (config, GOOD_RULE RULE ("r", "    trigger = \"task-done\"\n"
                                            "    after-rule = \"visit\"\n    also-on = \"child-placed\"\n",
                                            "1 day"), NULL,
                    TEST_NAME ":18: rule 'r': also-on does not go with", verbose);
    good = s_expect_ok (config, GOOD_RULE "    also-on = \"placement-ended , allegation\"\n"
                        "    ends-on = \"ceased-looked-after, strategy-discussion:nfa,case-closed\"\n"
                        "    while-open = \"replace\"\n", NULL);
    rule = podd_standards_rule (good, "visit");
    assert (podd_standards_fires_on (rule, "allegation") && podd_standards_fires_on (rule, "placement-ended"));
    assert (podd_standards_ends_on (rule, "case-closed", "") && rule->replace);
    assert (podd_standards_ends_on (rule, "strategy-discussion", "nfa"));
    podd_standards_destroy (&good);

    //  Syntax errors carry their line too
    s_expect_error (config, GOOD_RULE "   title = \"x\"\n", NULL,
                    TEST_NAME ":10: syntax error: indent with a multiple of 4 spaces", verbose);
    s_expect_error (config, GOOD_RULE "    title = \"x\n", NULL,
                    TEST_NAME ":10: syntax error: unterminated quote", verbose);
    //  The first fault in the file is the one reported
    s_expect_error (config, GOOD_RULE "    colour = \"blue\"\n" GOOD_RULE, NULL,
                    TEST_NAME ":10: rule 'visit': unknown key 'colour'", verbose);

    //  Bad bank holidays
    good = s_expect_ok (config, GOOD_RULE, "# none yet\n");
    assert (podd_standards_holiday_count (good) == 0);
    podd_standards_destroy (&good);
    s_expect_error (config, GOOD_RULE, "holiday = \"2026-12-25\"\nholiday = \"2026-02-30\"\n",
                    HOLIDAYS_NAME ":2: holiday must be a date YYYY-MM-DD, not '2026-02-30'",
                    verbose);
    s_expect_error (config, GOOD_RULE, "holiday = \"2026-12-25\"\nholiday = \"2026-12-26\"\n",
                    HOLIDAYS_NAME ":2: 2026-12-26 is a Saturday: list the weekday the holiday "
                    "is taken", verbose);
    s_expect_error (config, GOOD_RULE, "holiday = \"2026-12-25\"\n\nholiday = \"2026-12-25\"\n",
                    HOLIDAYS_NAME ":3: 2026-12-25 is listed twice", verbose);
    s_expect_error (config, GOOD_RULE, "holidays = \"2026-12-25\"\n",
                    HOLIDAYS_NAME ":1: unknown key 'holidays'", verbose);
    s_expect_error (config, GOOD_RULE, "holiday = \"2026-12-25\"\n    name = \"Xmas\"\n",
                    HOLIDAYS_NAME ":2: 'holiday' takes no sub-keys", verbose);
    s_expect_error (config, GOOD_RULE, "holiday = \"25/12/2026\"\n",
                    HOLIDAYS_NAME ":1: holiday must be a date", verbose);
    //  Files: missing ones are named
    standards = podd_standards_load ("config/no-such-standards.conf", NULL, config,
                                     err, sizeof (err));
    assert (!standards);
    assert (strncmp (err, "config/no-such-standards.conf: cannot open", 42) == 0);
    standards = podd_standards_load ("config/standards.conf", "config/no-such-holidays.conf",
                                     config, err, sizeof (err));
    assert (!standards);
    assert (strncmp (err, "config/no-such-holidays.conf: cannot open", 41) == 0);
    //  Without kinds of the same names the shipped rules do not load
    podd_config_t *other = podd_config_load_str ("kinds\n    kind = \"general\"\n", TEST_NAME,
                                                 err, sizeof (err));
    assert (other);
    standards = podd_standards_load ("config/standards.conf", NULL, other, err, sizeof (err));
    assert (!standards);
    assert (strstr (err, "config/standards.conf:") == err && strstr (err, "unknown task kind"));
    podd_config_destroy (&other);

    free (calendar);
    podd_standards_destroy (&shipped);
    podd_standards_destroy (&shipped);          //  destroying NULL is fine
    podd_config_destroy (&config);
    //  @end

    printf ("%sOK\n", verbose? "\n": "");
}
