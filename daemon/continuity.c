/*  continuity.c - continuity of relationships with families. See continuity.h. */
#include "continuity.h"
#include "access.h"
#include "caseops.h"
#include "taskops.h"
#include "routing.h"
#include "when.h"
#include "message.h"
#include "outbox.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY           86400
#define YEAR_DAYS     365
#define PERIOD_MAX    3660      /* days in one CONTINUITY period at most */
#define WITH_MAX      8         /* members in one contact besides the recorder */
#define VISIT_WINDOW  28        /* days either side of a change for a handover visit */
#define POD_MAX       256
#define CASES_MAX     2000
#define COVER_KIND    "leave-cover"

//  --------------------------------------------------------------------
//  Dates as day numbers (days since 1970-01-01, proleptic Gregorian)

//  "YYYY-MM-DD" as a day number; INT64_MIN for anything else
static int64_t
s_day (const char *date)
{
    int y, m, d;
    if (!date || podd_when_parse_date (date, &y, &m, &d))
        return INT64_MIN;
    return podd_when_day_number (y, m, d);
}

static int64_t
s_day_of (int64_t instant)
{
    char date [PODD_DATE_LEN];
    return s_day (podd_when_local_date (instant, date));
}

//  --------------------------------------------------------------------
//  Recording contacts

bool
podd_continuity_kind_is_contact (podd_config_t *config, const char *kind)
{
    if (!kind)
        return false;
    if (strstr (kind, "visit"))
        return true;
    podd_kind_t *k = podd_config_kind (config, kind);
    return k && k->meeting;
}

//  The members of field "with" (pod members of the case, at most
//  WITH_MAX, no repeats) into ids; the actor when absent and dflt_actor.
//  Returns the count, or -1 having failed the request.
static int
s_with (podd_request_t *req, const podd_case_t *kase, bool dflt_actor, int64_t *ids, char *names,
        size_t names_size)
{
    json_t *with = podp_msg_array (req->msg, "with");
    int count = 0;
    names [0] = 0;
    if (with && json_array_size (with) > WITH_MAX)
        return podd_fail (req, PODP_INVALID, "field 'with': at most %d members", WITH_MAX);
    if (!with && dflt_actor) {
        ids [count++] = req->actor->id;
        snprintf (names, names_size, "%s", req->actor->handle);
        return count;
    }
    size_t index;
    json_t *value;
    json_array_foreach (with, index, value) {
        podd_member_t member;
        const char *handle = json_string_value (value);
        if (podd_store_member_by_handle (req->store, handle, &member) || !member.active
        ||  member.pod_id != kase->pod_id)
            return podd_fail (req, PODP_INVALID, "field 'with': '%s' is not a member of the case's pod",
                              handle? handle: "");
        bool seen = false;
        for (int i = 0; i < count; i++)
            seen = seen || ids [i] == member.id;
        if (seen)
            continue;
        ids [count++] = member.id;
        size_t used = strlen (names);
        snprintf (names + used, names_size - used, "%s%s", used? ", ": "", member.handle);
    }
    if (count == 0)
        return podd_fail (req, PODP_INVALID, "field 'with': name who had contact");
    return count;
}

//  A contact dated date must lie between the case's opening day and today
static int
s_check_date (podd_request_t *req, const podd_case_t *kase, const char *date)
{
    podd_case_facts_t facts;
    char today [PODD_DATE_LEN];
    podd_when_local_date (req->now, today);
    if (podd_store_case_facts (req->store, kase->id, &facts))
        return podd_fail (req, PODP_INTERNAL, "case vanished");
    const char *opened = facts.opened;
    if (podd_when_date_cmp (date, today) > 0)
        return podd_fail (req, PODP_INVALID, "field 'date': a contact on %s is in the future", date);
    if (podd_when_date_cmp (date, opened) < 0)
        return podd_fail (req, PODP_INVALID, "field 'date': a contact on %s is before case '%s' "
                          "was opened (%s)", date, kase->ref, opened);
    return 0;
}

//  The chronology entry and one contact per member; the entry's id or -1.
//  A contact note is a "contact" entry; a task done is an "event" (written
//  by podd: the practitioner's own write-up is still theirs to make, and
//  the chronology check still asks for it)
static int64_t
s_record (podd_request_t *req, const podd_case_t *kase, const char *date, const int64_t *ids, int count,
          int64_t task_id, const char *text)
{
    int64_t entry = podd_store_chronology_add (req->store, kase->id, date, task_id? "event": "contact",
                                               text, req->actor->id, req->now);
    if (entry < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot write chronology");
    for (int i = 0; i < count; i++)
        if (podd_store_contact_add (req->store, kase->id, entry, date, ids [i], task_id,
                                    req->actor->id, req->now) < 0)
            return podd_fail (req, PODP_INTERNAL, "cannot record contact");
    return entry;
}

int
podd_continuity_case_note (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "ref");
    const char *date = podp_msg_string (req->msg, "date");
    char today [PODD_DATE_LEN];
    int y, m, d;
    podd_when_local_date (req->now, today);
    if (date && podd_when_parse_date (date, &y, &m, &d))
        return podd_fail (req, PODP_INVALID, "field 'date': use YYYY-MM-DD");
    podd_case_t kase;
    if (podd_case_for_work (req, ref, &kase))
        return -1;
    if (!kase.open)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is closed", ref);
    int64_t ids [WITH_MAX];
    char names [WITH_MAX * 34];
    int count = s_with (req, &kase, true, ids, names, sizeof names);
    if (count < 0 || s_check_date (req, &kase, date? date: today))
        return -1;
    char text [PODP_STRING_MAX + 300];
    snprintf (text, sizeof text, "Contact with the family: %s: %s", names,
              podp_msg_string (req->msg, "text"));
    int64_t entry = s_record (req, &kase, date? date: today, ids, count, 0, text);
    if (entry < 0 || podd_audit (req, "case-note", ref, "contact"))
        return -1;
    return podd_ok (req, PODP_CREATED, podd_store_chronology_json (req->store, entry));
}

int
podd_continuity_task_done (podd_request_t *req, int64_t task_id, const char *done_on)
{
    podd_task_t task;
    podd_case_t kase;
    if (podd_store_task_get (req->store, task_id, &task)
    ||  podd_store_case_by_id (req->store, task.case_id, &kase))
        return podd_fail (req, PODP_INTERNAL, "task vanished");
    bool contact = podd_continuity_kind_is_contact (req->config, task.kind);
    if (!contact) {
        if (podp_msg_array (req->msg, "with"))
            return podd_fail (req, PODP_INVALID, "field 'with': a %s is not a contact with the family",
                              task.kind);
        return 0;
    }
    int64_t ids [WITH_MAX + 1];
    char names [(WITH_MAX + 1) * 34];
    ids [0] = req->actor->id;
    int count = 1;
    if (podp_msg_array (req->msg, "with")) {
        char others [WITH_MAX * 34];
        int more = s_with (req, &kase, false, ids + 1, others, sizeof others);
        if (more < 0)
            return -1;
        for (int i = 0; i < more; i++)
            if (ids [1 + i] != req->actor->id)
                ids [count++] = ids [1 + i];
    }
    if (s_check_date (req, &kase, done_on))
        return -1;
    names [0] = 0;
    for (int i = 0; i < count; i++) {
        podd_member_t member;
        if (podd_store_member_by_id (req->store, ids [i], &member) == 0) {
            size_t used = strlen (names);
            snprintf (names + used, sizeof names - used, "%s%s", used? ", ": "", member.handle);
        }
    }
    char text [512];
    snprintf (text, sizeof text, "Contact with the family: %s: %s done (task %lld)", names, task.kind,
              (long long) task.id);
    return s_record (req, &kase, done_on, ids, count, task.id, text) < 0? -1: 0;
}

//  --------------------------------------------------------------------
//  Who knows a family, the most recent contact first

size_t
podd_continuity_known (podd_store_t *store, int64_t case_id, int64_t now, int64_t *ids,
                       char (*dates) [11], size_t max)
{
    int64_t known [PODD_CONTINUITY_KNOWN_MAX];
    size_t limit = max < PODD_CONTINUITY_KNOWN_MAX? max: PODD_CONTINUITY_KNOWN_MAX;
    size_t count = podd_store_case_acquainted (store, case_id, known, limit);
    //  Members named in contacts (recorded by someone else) know it too
    json_t *contacts = podd_store_case_contacts (store, case_id);
    size_t index;
    json_t *row;
    json_array_foreach (contacts, index, row) {
        int64_t id = json_integer_value (json_object_get (row, "member_id"));
        bool seen = false;
        for (size_t i = 0; i < count && !seen; i++)
            seen = known [i] == id;
        if (!seen && count < limit)
            known [count++] = id;
    }
    json_decref (contacts);
    char since [PODD_DATE_LEN];
    podd_when_local_date (podd_when_local_day_at (now, -YEAR_DAYS, 12), since);
    char last [PODD_CONTINUITY_KNOWN_MAX][PODD_DATE_LEN];
    for (size_t i = 0; i < count; i++)
        if (podd_store_contact_last_by (store, case_id, known [i], since, last [i]))
            last [i][0] = 0;
    //  Stable: by latest contact (newest first), then the acquainted order
    size_t out = 0;
    bool used [PODD_CONTINUITY_KNOWN_MAX] = { false };
    for (;;) {
        long best = -1;
        for (size_t i = 0; i < count; i++)
            if (!used [i] && last [i][0] && (best < 0 || strcmp (last [i], last [best]) > 0))
                best = (long) i;
        if (best < 0)
            break;
        used [best] = true;
        ids [out] = known [best];
        memcpy (dates [out++], last [best], PODD_DATE_LEN);
    }
    for (size_t i = 0; i < count; i++)
        if (!used [i]) {
            ids [out] = known [i];
            dates [out++][0] = 0;
        }
    return out;
}

//  --------------------------------------------------------------------
//  The measures of one case

typedef struct {
    int64_t id;
    int64_t day_from, day_to;   /* day numbers, inclusive */
    char from [PODD_DATE_LEN], to [PODD_DATE_LEN];
    int64_t start, end;         /* instants: [start, end) */
} s_period_t;

//  A member's figures, summed over the cases reported
typedef struct {
    int64_t id;
    podd_member_t member;
    int cases_led, cases_contacted, contacts, known_contacts, became_lead, handed_on;
} s_member_sum_t;

//  Whether the lead history has member as lead on some part of day
static bool
s_lead_on_day (json_t *history, int64_t member_id, int64_t day)
{
    size_t index;
    json_t *row;
    json_array_foreach (history, index, row) {
        if (json_integer_value (json_object_get (row, "member_id")) != member_id)
            continue;
        int64_t starts = json_integer_value (json_object_get (row, "starts"));
        int64_t ends = json_integer_value (json_object_get (row, "ends"));
        if (s_day_of (starts) <= day && (ends == 0 || s_day_of (ends - 1) >= day))
            return true;
    }
    return false;
}

static bool
s_coworker_on_day (json_t *coworkers, int64_t member_id, int64_t day)
{
    size_t index;
    json_t *row;
    json_array_foreach (coworkers, index, row)
        if (json_integer_value (json_object_get (row, "member_id")) == member_id
        &&  s_day_of (json_integer_value (json_object_get (row, "since"))) <= day)
            return true;
    return false;
}

static bool
s_in (json_t *ids, int64_t id)
{
    size_t index;
    json_t *value;
    json_array_foreach (ids, index, value)
        if (json_integer_value (value) == id)
            return true;
    return false;
}

static s_member_sum_t *
s_sum_for (s_member_sum_t *sums, size_t count, int64_t id)
{
    for (size_t i = 0; i < count; i++)
        if (sums [i].id == id)
            return sums + i;
    return NULL;
}

static double
s_round3 (double value)
{
    return (double) (int64_t) (value * 1000 + 0.5) / 1000;
}

//  Uncovered and lead-less days of a case over the period
static void
s_days (podd_request_t *req, int64_t case_id, int64_t opened, int64_t closed, const s_period_t *period,
        int *days, int *uncovered, int *no_lead)
{
    int64_t last = podd_when_local_day_at (req->now, 1, 0);     //  no day after today
    int64_t limit = period->end < last? period->end: last;
    for (int i = 0; i < PERIOD_MAX; i++) {
        int64_t midnight = podd_when_local_day_at (period->start, i, 0);
        int64_t next = podd_when_local_day_at (period->start, i + 1, 0);
        if (midnight >= limit)
            break;
        if (opened >= next || (closed && closed < midnight))
            continue;
        int64_t at = podd_when_local_day_at (period->start, i, 12);
        if (at < opened)
            at = opened;
        (*days)++;
        int64_t lead = 0;
        if (podd_store_lead_at (req->store, case_id, at, &lead) || !lead) {
            (*no_lead)++;
            continue;
        }
        if (!podd_store_member_absent (req->store, lead, at))
            continue;
        int64_t cover = podd_store_cover_at (req->store, case_id, lead, at);
        if (!cover || podd_store_member_absent (req->store, cover, at))
            (*uncovered)++;
    }
}

//  The figures of one case (and the members' sums); NULL when member_id
//  filters it out
static json_t *
s_case_figures (podd_request_t *req, json_t *row, const s_period_t *period, int64_t member_id,
                s_member_sum_t *sums, size_t sum_count)
{
    int64_t case_id = json_integer_value (json_object_get (row, "id"));
    int64_t opened = json_integer_value (json_object_get (row, "opened"));
    int64_t closed = json_integer_value (json_object_get (row, "closed"));
    json_t *history = podd_store_lead_history (req->store, case_id);
    json_t *contacts = podd_store_case_contacts (req->store, case_id);
    json_t *coworkers = podd_store_case_coworker_rows (req->store, case_id);
    json_t *standards = podd_store_standard_tasks_by (req->store, case_id, period->from, period->to);
    int64_t until = period->end < req->now? period->end: req->now;

    //  Leads on some day of the period, and the changes of lead in it
    json_t *leads = json_array (), *changes = json_array ();
    int64_t previous = 0;
    size_t index;
    json_t *line;
    json_array_foreach (history, index, line) {
        int64_t who = json_integer_value (json_object_get (line, "member_id"));
        int64_t starts = json_integer_value (json_object_get (line, "starts"));
        int64_t ends = json_integer_value (json_object_get (line, "ends"));
        if (who && starts < until && (ends == 0 || ends > period->start) && !s_in (leads, who))
            json_array_append_new (leads, json_integer (who));
        if (who && previous && who != previous && starts >= period->start && starts < period->end) {
            podd_member_t old = { 0 }, now = { 0 };
            podd_store_member_by_id (req->store, previous, &old);
            podd_store_member_by_id (req->store, who, &now);
            char date [PODD_DATE_LEN];
            int64_t day = s_day (podd_when_local_date (starts, date));
            //  A handover visit: one contact entry with both, near the change
            bool visit = false;
            json_t *first = json_null ();
            size_t k;
            json_t *contact;
            json_array_foreach (contacts, k, contact) {
                int64_t cday = s_day (json_string_value (json_object_get (contact, "date")));
                int64_t entry = json_integer_value (json_object_get (contact, "entry"));
                int64_t cwho = json_integer_value (json_object_get (contact, "member_id"));
                if (cwho == previous && cday >= day - VISIT_WINDOW && cday <= day + VISIT_WINDOW) {
                    size_t j;
                    json_t *other;
                    json_array_foreach (contacts, j, other)
                        if (json_integer_value (json_object_get (other, "entry")) == entry
                        &&  json_integer_value (json_object_get (other, "member_id")) == who)
                            visit = true;
                }
                if (cwho == who && cday >= day && cday <= period->day_to && json_is_null (first)) {
                    json_decref (first);
                    first = json_integer (cday - day);
                }
            }
            json_array_append_new (changes, json_pack ("{s:s s:s s:s s:O s:b s:o}", "date", date,
                "from", old.handle, "to", now.handle, "set_by", json_object_get (line, "set_by"),
                "handover_visit", visit, "days_to_first_contact", first));
            s_member_sum_t *sum = s_sum_for (sums, sum_count, who);
            if (sum)
                sum->became_lead++;
            if ((sum = s_sum_for (sums, sum_count, previous)))
                sum->handed_on++;
        }
        if (who)
            previous = who;
    }

    //  Contacts in the period, and whether each was by someone known
    int contact_count = 0, known_contacts = 0;
    json_t *workers = json_array (), *seen = json_array (), *entry_members = json_array ();
    int64_t entry = -1;
    json_t *contact;
    json_array_foreach (contacts, index, contact) {
        const char *date = json_string_value (json_object_get (contact, "date"));
        int64_t day = s_day (date);
        int64_t who = json_integer_value (json_object_get (contact, "member_id"));
        int64_t this_entry = json_integer_value (json_object_get (contact, "entry"));
        if (day < period->day_from || day > period->day_to)
            continue;
        if (this_entry != entry) {          //  an entry's members count as seen after it
            json_array_extend (seen, entry_members);
            json_array_clear (entry_members);
            entry = this_entry;
        }
        bool known = s_lead_on_day (history, who, day) || s_coworker_on_day (coworkers, who, day)
                  || s_in (seen, who);
        contact_count++;
        known_contacts += known;
        json_array_append_new (entry_members, json_integer (who));
        s_member_sum_t *sum = s_sum_for (sums, sum_count, who);
        if (sum) {
            sum->contacts++;
            sum->known_contacts += known;
        }
        if (!s_in (workers, who)) {
            json_array_append_new (workers, json_integer (who));
            if (sum)
                sum->cases_contacted++;
        }
    }
    json_array_extend (seen, entry_members);
    //  Standards tasks done in the period: by someone who knew the family
    int standard_count = 0, known_standards = 0;
    json_t *task;
    json_array_foreach (standards, index, task) {
        int64_t day = s_day (json_string_value (json_object_get (task, "done_on")));
        int64_t who = json_integer_value (json_object_get (task, "member_id"));
        bool earlier = false;
        size_t c;
        json_array_foreach (contacts, c, contact) {
            int64_t cday = s_day (json_string_value (json_object_get (contact, "date")));
            if (json_integer_value (json_object_get (contact, "member_id")) == who
            &&  cday >= period->day_from && cday < day)
                earlier = true;
        }
        standard_count++;
        known_standards += s_lead_on_day (history, who, day) || s_coworker_on_day (coworkers, who, day)
                        || earlier;
    }
    size_t k;
    json_t *id;
    json_array_foreach (leads, k, id) {
        s_member_sum_t *sum = s_sum_for (sums, sum_count, json_integer_value (id));
        if (sum)
            sum->cases_led++;
    }
    bool wanted = !member_id || s_in (leads, member_id) || s_in (workers, member_id)
               || s_coworker_on_day (coworkers, member_id, period->day_to);
    int days = 0, uncovered = 0, no_lead = 0;
    s_days (req, case_id, opened, closed, period, &days, &uncovered, &no_lead);

    json_t *names = json_array ();
    json_array_foreach (workers, k, id) {
        podd_member_t member;
        if (podd_store_member_by_id (req->store, json_integer_value (id), &member) == 0)
            json_array_append_new (names, json_string (member.handle));
    }
    podd_case_t kase = { 0 };
    podd_member_t lead = { 0 };
    podd_store_case_by_id (req->store, case_id, &kase);
    if (kase.lead_id)
        podd_store_member_by_id (req->store, kase.lead_id, &lead);
    int total = contact_count + standard_count;
    json_t *figures = json_pack ("{s:O s:o s:i s:i s:i s:o s:i s:i s:i s:i s:i s:o s:i s:i s:o}",
        "ref", json_object_get (row, "ref"), "lead", *lead.handle? json_string (lead.handle): json_null (),
        "days", days, "contacts", contact_count, "workers", (int) json_array_size (workers),
        "worker_list", names, "leads", (int) json_array_size (leads),
        "lead_changes", (int) json_array_size (changes),
        "known_contacts", known_contacts, "standards_tasks", standard_count,
        "known_standards", known_standards,
        "known_rate", total? json_real (s_round3 ((double) (known_contacts + known_standards) / total))
                           : json_null (),
        "uncovered_days", uncovered, "no_lead_days", no_lead, "changes", changes);
    json_decref (history);
    json_decref (contacts);
    json_decref (coworkers);
    json_decref (standards);
    json_decref (leads);
    json_decref (workers);
    json_decref (seen);
    json_decref (entry_members);
    if (!wanted) {
        json_decref (figures);
        return NULL;
    }
    return figures;
}

//  --------------------------------------------------------------------
//  The pod's distribution

typedef struct {
    double value;
    const char *ref;
} s_value_t;

//  Worst first (more is worse), ties by reference
static int
s_most_first (const void *a, const void *b)
{
    const s_value_t *x = (const s_value_t *) a, *y = (const s_value_t *) b;
    if (x->value != y->value)
        return x->value > y->value? -1: 1;
    return strcmp (x->ref, y->ref);
}

//  Worst first (less is worse), ties by reference
static int
s_least_first (const void *a, const void *b)
{
    const s_value_t *x = (const s_value_t *) a, *y = (const s_value_t *) b;
    if (x->value != y->value)
        return x->value < y->value? -1: 1;
    return strcmp (x->ref, y->ref);
}

static int
s_ascending (const void *a, const void *b)
{
    const s_value_t *x = (const s_value_t *) a, *y = (const s_value_t *) b;
    return x->value < y->value? -1: x->value > y->value? 1: 0;
}

static json_t *
s_number (double value)
{
    return value == (double) (int64_t) value? json_integer ((json_int_t) value): json_real (s_round3 (value));
}

//  {"cases", "median", "worst_tenth", "worst_cases"} of values (sorted here)
static json_t *
s_spread (s_value_t *values, size_t count, bool lower_is_worse)
{
    if (count == 0)
        return json_pack ("{s:i s:n s:n s:[]}", "cases", 0, "median", "worst_tenth", "worst_cases");
    qsort (values, count, sizeof *values, s_ascending);
    double median = count % 2? values [count / 2].value
                             : (values [count / 2 - 1].value + values [count / 2].value) / 2;
    qsort (values, count, sizeof *values, lower_is_worse? s_least_first: s_most_first);
    size_t k = (count + 9) / 10;
    json_t *refs = json_array ();
    for (size_t i = 0; i < k; i++)
        json_array_append_new (refs, json_string (values [i].ref));
    return json_pack ("{s:i s:o s:o s:o}", "cases", (int) count, "median", s_number (median),
                      "worst_tenth", s_number (values [k - 1].value), "worst_cases", refs);
}

static json_t *
s_distribution (json_t *cases)
{
    static const char *const measures [] = { "workers", "lead_changes", "known_rate", "uncovered_days",
                                             "no_lead_days", "days_to_first_contact", NULL };
    size_t count = json_array_size (cases);
    s_value_t *values = (s_value_t *) calloc (count + 1, sizeof *values);
    assert (values);
    json_t *result = json_pack ("{s:i}", "cases", (int) count);
    for (size_t m = 0; measures [m]; m++) {
        size_t n = 0, index;
        json_t *figures;
        json_array_foreach (cases, index, figures) {
            const char *ref = json_string_value (json_object_get (figures, "ref"));
            if (podd_streq (measures [m], "days_to_first_contact")) {
                size_t c;
                json_t *change;
                double worst = -1;
                json_array_foreach (json_object_get (figures, "changes"), c, change) {
                    json_t *days = json_object_get (change, "days_to_first_contact");
                    double value = json_is_integer (days)? (double) json_integer_value (days)
                                 : (double) json_integer_value (json_object_get (figures, "days_left"));
                    if (value > worst)
                        worst = value;
                }
                if (worst >= 0)
                    values [n++] = (s_value_t) { worst, ref };
                continue;
            }
            json_t *value = json_object_get (figures, measures [m]);
            if (json_is_number (value) && (!podd_streq (measures [m], "workers")
                                           || json_integer_value (json_object_get (figures, "contacts"))))
                values [n++] = (s_value_t) { json_number_value (value), ref };
        }
        json_object_set_new (result, measures [m], s_spread (values, n, podd_streq (measures [m], "known_rate")));
    }
    free (values);
    return result;
}

//  --------------------------------------------------------------------
//  CONTINUITY

//  The period of fields from/to: whole London days; default the 365 days to today
static int
s_period (podd_request_t *req, s_period_t *period)
{
    const char *from = podp_msg_string (req->msg, "from");
    const char *to = podp_msg_string (req->msg, "to");
    period->end = podd_when_local_day_at (req->now, 1, 0);
    if (to && podd_when_parse_to (to, &period->end))
        return podd_fail (req, PODP_INVALID, "field 'to': '%s' is not a valid date", to);
    period->start = podd_when_local_day_at (period->end - 1, -(YEAR_DAYS - 1), 0);
    if (from && podd_when_parse_from (from, &period->start))
        return podd_fail (req, PODP_INVALID, "field 'from': '%s' is not a valid date", from);
    if (period->end <= period->start)
        return podd_fail (req, PODP_INVALID, "the period ends before it starts");
    if ((period->end - period->start) / DAY > PERIOD_MAX)
        return podd_fail (req, PODP_INVALID, "the period is longer than %d days", PERIOD_MAX);
    podd_when_local_date (period->start, period->from);
    podd_when_local_date (period->end - 1, period->to);
    period->day_from = s_day (period->from);
    period->day_to = s_day (period->to);
    return 0;
}

//  The figures of a pod's cases (or one case) over a period: the reply
//  data of CONTINUITY (also the weekly mail's figures)
static json_t *
s_report (podd_request_t *req, int64_t pod_id, int64_t case_id, const podd_member_t *only,
          const s_period_t *period)
{
    int64_t ids [POD_MAX];
    size_t member_count = podd_store_pod_member_ids (req->store, pod_id, ids, POD_MAX);
    s_member_sum_t *sums = (s_member_sum_t *) calloc (member_count + 1, sizeof *sums);
    assert (sums);
    size_t sum_count = 0;
    for (size_t i = 0; i < member_count; i++)
        if (podd_store_member_by_id (req->store, ids [i], &sums [sum_count].member) == 0)
            sums [sum_count++].id = ids [i];
    json_t *rows = podd_store_continuity_cases (req->store, pod_id, case_id, period->start, period->end);
    json_t *cases = json_array ();
    size_t index;
    json_t *row;
    json_array_foreach (rows, index, row) {
        if (index >= CASES_MAX)
            break;
        json_t *figures = s_case_figures (req, row, period, only? only->id: 0, sums, sum_count);
        if (!figures)
            continue;
        //  A change with no contact yet counts the days to the period's end
        size_t c;
        json_t *change;
        json_array_foreach (json_object_get (figures, "changes"), c, change)
            if (json_is_null (json_object_get (change, "days_to_first_contact"))) {
                json_object_set_new (figures, "days_left", json_integer (period->day_to + 1
                                     - s_day (json_string_value (json_object_get (change, "date")))));
                break;
            }
        json_array_append_new (cases, figures);
    }
    json_decref (rows);
    json_t *distribution = s_distribution (cases);
    json_array_foreach (cases, index, row)
        json_object_del (row, "days_left");
    json_t *members = json_array ();
    for (size_t i = 0; i < sum_count; i++) {
        s_member_sum_t *sum = sums + i;
        if (only && sum->id != only->id)
            continue;
        json_array_append_new (members, json_pack ("{s:s s:s s:i s:i s:i s:i s:o s:i s:i}",
            "member", sum->member.handle, "role", sum->member.role, "cases_led", sum->cases_led,
            "cases_contacted", sum->cases_contacted, "contacts", sum->contacts,
            "known_contacts", sum->known_contacts,
            "known_rate", sum->contacts? json_real (s_round3 ((double) sum->known_contacts / sum->contacts))
                                       : json_null (),
            "became_lead", sum->became_lead, "handed_on", sum->handed_on));
    }
    free (sums);
    podd_pod_t pod = { 0 };
    podd_store_pod_by_id (req->store, pod_id, &pod);
    return json_pack ("{s:s s:s s:s s:o s:o s:o}", "pod", pod.name, "from", period->from, "to", period->to,
                      "cases", cases, "members", members, "distribution", distribution);
}

int
podd_op_continuity (podd_request_t *req)
{
    const char *pod_name = podp_msg_string (req->msg, "pod");
    const char *handle = podp_msg_string (req->msg, "member");
    const char *ref = podp_msg_string (req->msg, "case");
    s_period_t period;
    if (s_period (req, &period))
        return -1;
    int64_t pod_id = req->actor->pod_id, case_id = 0;
    podd_member_t member;
    if (pod_name) {
        podd_pod_t pod;
        if (podd_store_pod_by_name (req->store, pod_name, &pod))
            return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", pod_name);
        pod_id = pod.id;
    }
    if (handle) {
        if (podd_store_member_by_handle (req->store, handle, &member))
            return podd_fail (req, PODP_NOT_FOUND, "no member '%s'", handle);
        if (!member.pod_id)
            return podd_fail (req, PODP_INVALID, "member '%s' belongs to no pod", handle);
        if (pod_name && member.pod_id != pod_id)
            return podd_fail (req, PODP_INVALID, "member '%s' is not in pod '%s'", handle, pod_name);
        pod_id = member.pod_id;
    }
    if (ref) {
        podd_case_t kase;
        if (!podd_valid_ref (ref) || podd_store_case_by_ref (req->store, ref, &kase))
            return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", ref);
        if ((pod_name || handle) && kase.pod_id != pod_id)
            return podd_fail (req, PODP_INVALID, "case '%s' is not in that pod", ref);
        pod_id = kase.pod_id;
        case_id = kase.id;
    }
    if (!pod_id)
        return podd_fail (req, PODP_INVALID, "field 'pod': required, you belong to no pod");
    if (!podd_access_pod_read (req->actor, pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "not your pod");
    return podd_ok (req, PODP_OK, s_report (req, pod_id, case_id, handle? &member: NULL, &period));
}

//  --------------------------------------------------------------------
//  MEMBER-LEAVE-SERVICE

//  Choose the new lead of a case: the colleague who knows the family best,
//  the load spread across the plan, the team manager last
static int64_t
s_successor (podd_request_t *req, const podd_member_t *leaver, int64_t case_id, int64_t on,
             int64_t *planned, const int64_t *pod_ids, size_t pod_count, json_t *candidates,
             char *reason, size_t size, char *last_contact)
{
    int64_t known [PODD_CONTINUITY_KNOWN_MAX];
    char dates [PODD_CONTINUITY_KNOWN_MAX][PODD_DATE_LEN];
    size_t known_count = podd_continuity_known (req->store, case_id, req->now, known, dates,
                                                PODD_CONTINUITY_KNOWN_MAX);
    int64_t best = 0, best_score = INT64_MAX, best_load = 0;
    long best_rank = -1;
    size_t best_index = 0;
    for (size_t i = 0; i < pod_count; i++) {
        podd_member_t member;
        if (pod_ids [i] == leaver->id || podd_store_member_by_id (req->store, pod_ids [i], &member)
        ||  !podd_route_role_allowed (req->config, COVER_KIND, &member)
        ||  podd_store_member_absent (req->store, member.id, on))
            continue;
        long rank = -1;
        for (size_t k = 0; k < known_count && rank < 0; k++)
            if (known [k] == member.id)
                rank = (long) k;
        bool contact = rank >= 0 && dates [rank][0];
        bool coworker = podd_store_case_is_coworker (req->store, case_id, member.id);
        int64_t load = podd_store_member_open_load (req->store, member.id) + planned [i];
        int64_t score = planned [i] * 4 + (contact? 0: rank >= 0? 3: 12) + load
                      + (podd_streq (member.role, "team-manager")? 1000: 0);
        json_array_append_new (candidates, json_pack ("{s:s s:s s:I s:o s:b}", "member", member.handle,
            "role", member.role, "load", (json_int_t) load,
            "last_contact", contact? json_string (dates [rank]): json_null (), "coworker", coworker));
        if (score < best_score || (score == best_score && rank >= 0 && (best_rank < 0 || rank < best_rank))) {
            best = member.id;
            best_score = score;
            best_rank = rank;
            best_load = load;
            best_index = i;
        }
    }
    last_contact [0] = 0;
    if (!best) {
        snprintf (reason, size, "nobody in the pod free to take it");
        return 0;
    }
    planned [best_index]++;
    podd_member_t chosen;
    podd_store_member_by_id (req->store, best, &chosen);
    if (best_rank >= 0 && dates [best_rank][0]) {
        memcpy (last_contact, dates [best_rank], PODD_DATE_LEN);
        snprintf (reason, size, "knows the family: most recent contact %s, load %lld",
                  dates [best_rank], (long long) best_load);
    }
    else
    if (best_rank >= 0)
        snprintf (reason, size, "knows the family (%s), no contact in the last year, load %lld",
                  podd_store_case_is_coworker (req->store, case_id, best)? "co-worker": "worked on it",
                  (long long) best_load);
    else
    if (podd_streq (chosen.role, "team-manager"))
        snprintf (reason, size, "nobody else free: the team manager");
    else
        snprintf (reason, size, "nobody free knows the family: spreads the load, load %lld",
                  (long long) best_load);
    return best;
}

//  Make the plan's line real: the new lead, the leaver a co-worker, a
//  chronology entry, and the handover visit task for the new lead
static int
s_hand_over (podd_request_t *req, const podd_case_t *kase, const podd_member_t *leaver,
             const podd_member_t *lead, int64_t last_day, json_t *line)
{
    if (podd_store_case_set_lead (req->store, kase->id, lead->id)
    ||  podd_store_lead_set_by (req->store, kase->id, req->actor->id)
    ||  podd_store_case_add_coworker (req->store, kase->id, leaver->id))
        return podd_fail (req, PODP_INTERNAL, "cannot change the lead");
    char date [PODD_DATE_LEN], text [256], title [200];
    podd_when_local_date (last_day, date);
    snprintf (text, sizeof text, "Lead worker %s leaves the service (last day %s): lead worker now %s "
              "(plan accepted by %s)", leaver->handle, date, lead->handle, req->actor->handle);
    if (podd_store_chronology_add (req->store, kase->id, NULL, "event", text, req->actor->id, req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot write chronology");
    snprintf (title, sizeof title, "Handover visit with %s before they leave on %s", leaver->handle, date);
    int64_t due = podd_when_local_day_at (last_day, 0, 17);
    if (due < req->now)
        due = podd_when_local_day_at (req->now, 0, 17) > req->now? podd_when_local_day_at (req->now, 0, 17)
                                                                  : podd_when_local_day_at (req->now, 1, 17);
    int64_t task_id = podd_store_task_new (req->store, kase->id, "handover-visit", title, due, "routine",
                                           req->actor->id, req->now);
    if (task_id < 0
    ||  podd_store_task_history_add (req->store, task_id, req->actor->id, "created", 0,
                                     "leave-service plan: handover visit", req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot create the handover visit");
    char reason [256];
    snprintf (reason, sizeof reason, "new lead worker after %s leaves the service: %s", leaver->handle,
              json_string_value (json_object_get (line, "reason")));
    if (podd_task_move (req, task_id, "offered", lead->id, "routed", reason))
        return -1;
    json_object_set_new (line, "handover_task", json_integer (task_id));
    return 0;
}

int
podd_op_member_leave_service (podd_request_t *req)
{
    const char *handle = podp_msg_string (req->msg, "member");
    const char *from_text = podp_msg_string (req->msg, "from");
    podd_member_t leaver;
    if (podd_store_member_by_handle (req->store, handle, &leaver) || !leaver.active)
        return podd_fail (req, PODP_NOT_FOUND, "no member '%s'", handle);
    if (!leaver.pod_id || !podd_access_pod_manage (req->actor, leaver.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager plans a member's leaving");
    int64_t from;
    if (podd_when_parse_from (from_text, &from))
        return podd_fail (req, PODP_INVALID, "field 'from': '%s' is not a valid date", from_text);
    bool accept = podp_msg_bool (req->msg, "accept", false);
    //  The leaver's last working day (by their pattern) before they go
    int64_t last_day = podd_when_local_day_at (from, -1, 12);
    for (int back = 1; back < 7 && !podd_route_works_between (&leaver, last_day, last_day); back++)
        last_day = podd_when_local_day_at (from, -1 - back, 12);
    int64_t on = podd_when_local_day_at (from, 0, 12);
    int64_t pod_ids [POD_MAX], planned [POD_MAX] = { 0 }, cases [CASES_MAX], leads [CASES_MAX];
    size_t pod_count = podd_store_pod_member_ids (req->store, leaver.pod_id, pod_ids, POD_MAX);
    size_t case_count = podd_store_cases_led (req->store, leaver.id, cases, CASES_MAX);
    json_t *lines = json_array ();
    for (size_t i = 0; i < case_count; i++) {
        podd_case_t kase;
        char reason [200], last [PODD_DATE_LEN];
        json_t *candidates = json_array ();
        podd_store_case_by_id (req->store, cases [i], &kase);
        leads [i] = s_successor (req, &leaver, kase.id, on, planned, pod_ids, pod_count, candidates,
                                 reason, sizeof reason, last);
        podd_member_t lead = { 0 };
        if (leads [i])
            podd_store_member_by_id (req->store, leads [i], &lead);
        json_array_append_new (lines, json_pack ("{s:s s:o s:s s:o s:n s:o}", "case", kase.ref,
            "lead", leads [i]? json_string (lead.handle): json_null (), "reason", reason,
            "last_contact", *last? json_string (last): json_null (), "handover_task",
            "candidates", candidates));
    }
    if (accept) {
        for (size_t i = 0; i < case_count; i++)
            if (!leads [i]) {
                json_decref (lines);
                return podd_fail (req, PODP_CONFLICT, "case '%s' has nobody to take it: nothing stored",
                                  json_string_value (json_object_get (json_array_get (lines, i), "case")));
            }
        for (size_t i = 0; i < case_count; i++) {
            podd_case_t kase;
            podd_member_t lead;
            podd_store_case_by_id (req->store, cases [i], &kase);
            podd_store_member_by_id (req->store, leads [i], &lead);
            if (s_hand_over (req, &kase, &leaver, &lead, last_day, json_array_get (lines, i))) {
                json_decref (lines);
                return -1;
            }
        }
        char detail [64];
        snprintf (detail, sizeof detail, "from %s: %zu case(s)", from_text, case_count);
        if (podd_audit (req, "member-leave-service", leaver.handle, detail)) {
            json_decref (lines);
            return -1;
        }
    }
    char date [PODD_DATE_LEN];
    return podd_ok (req, PODP_OK, json_pack ("{s:s s:s s:b s:o}", "member", leaver.handle,
                    "from", podd_when_local_date (on, date), "accepted", accept, "lines", lines));
}

//  --------------------------------------------------------------------
//  The weekly mail to each pod's team manager: figures only

static void
s_line (FILE *out, json_t *distribution, const char *measure, const char *label)
{
    json_t *spread = json_object_get (distribution, measure);
    json_t *median = json_object_get (spread, "median"), *worst = json_object_get (spread, "worst_tenth");
    if (!json_integer_value (json_object_get (spread, "cases"))) {
        fprintf (out, "  %-40s no cases to measure\n", label);
        return;
    }
    fprintf (out, "  %-40s median %g, worst tenth %g (%lld cases)\n", label, json_number_value (median),
             json_number_value (worst), (long long) json_integer_value (json_object_get (spread, "cases")));
}

static int
s_weekly_mail (podd_request_t *req, const podd_pod_t *pod, const char *week)
{
    int64_t manager_id = podd_store_pod_manager (req->store, pod->id);
    podd_member_t manager;
    if (!manager_id || podd_store_member_by_id (req->store, manager_id, &manager) || !*manager.email)
        return podd_store_continuity_mail_add (req->store, pod->id, week, 0, req->now)
             ? podd_fail (req, PODP_INTERNAL, "cannot record the weekly mail"): 0;
    s_period_t period;
    period.end = podd_when_local_day_at (req->now, 0, 0);
    period.start = podd_when_local_day_at (period.end - 1, -(YEAR_DAYS - 1), 0);
    podd_when_local_date (period.start, period.from);
    podd_when_local_date (period.end - 1, period.to);
    period.day_from = s_day (period.from);
    period.day_to = s_day (period.to);
    json_t *report = s_report (req, pod->id, 0, NULL, &period);
    json_t *distribution = json_object_get (report, "distribution");
    int no_visit = 0, changes = 0;
    size_t index, c;
    json_t *figures, *change;
    json_array_foreach (json_object_get (report, "cases"), index, figures)
        json_array_foreach (json_object_get (figures, "changes"), c, change) {
            changes++;
            no_visit += !json_is_true (json_object_get (change, "handover_visit"));
        }
    char *body = NULL;
    size_t body_size = 0;
    FILE *out = open_memstream (&body, &body_size);
    if (!out) {
        json_decref (report);
        return podd_fail (req, PODP_INTERNAL, "out of memory");
    }
    fprintf (out, "Continuity of relationships in %s, %s to %s (%lld cases):\n\n", pod->title,
             period.from, period.to, (long long) json_integer_value (json_object_get (distribution, "cases")));
    s_line (out, distribution, "workers", "workers with contact per family");
    s_line (out, distribution, "known_rate", "known-worker rate");
    s_line (out, distribution, "lead_changes", "changes of lead worker");
    s_line (out, distribution, "uncovered_days", "days lead away, no cover");
    s_line (out, distribution, "no_lead_days", "days with no lead worker");
    s_line (out, distribution, "days_to_first_contact", "days from a change to first contact");
    fprintf (out, "\n  changes of lead: %d, without a handover visit: %d\n", changes, no_visit);
    fprintf (out, "\nThe cases behind the worst figures: podctl continuity --pod %s\n"
                  "\n-- \n%s, %s\n", pod->name, pod->title, pod->mailbox);
    fclose (out);
    json_decref (report);
    char subject [128];
    snprintf (subject, sizeof subject, "Your pod's continuity figures, week of %s", week);
    int64_t outbox_id = podd_outbox_mail_member (req, "continuity", pod, &manager, subject, body,
                                                 "continuity figures", pod->name);
    free (body);
    if (outbox_id < 0 || podd_store_continuity_mail_add (req->store, pod->id, week, outbox_id, req->now))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot record the weekly mail");
    return 0;
}

int
podd_continuity_run_due (podd_request_t *req)
{
    //  Mondays, from the reminder hour
    if (podd_when_local_weekday (req->now) != 0
    ||  req->now < podd_when_local_day_at (req->now, 0, podd_config_remind_hour (req->config)))
        return 0;
    char week [PODD_DATE_LEN];
    podd_when_local_date (req->now, week);
    json_t *pods = podd_store_pod_list (req->store);
    size_t index;
    json_t *item;
    int rc = 0;
    json_array_foreach (pods, index, item) {
        podd_pod_t pod;
        if (rc || podd_store_pod_by_name (req->store, json_string_value (json_object_get (item, "name")), &pod)
        ||  podd_store_continuity_mail_sent (req->store, pod.id, week))
            continue;
        //  Only a pod with a case open a week ago has a week to report
        int64_t week_ago = req->now - 7 * DAY;
        json_t *open = podd_store_continuity_cases (req->store, pod.id, 0, week_ago, week_ago + 1);
        bool any = json_array_size (open) > 0;
        json_decref (open);
        if (any)
            rc = s_weekly_mail (req, &pod, week);
    }
    json_decref (pods);
    return rc;
}

//  --------------------------------------------------------------------

void
podd_continuity_test (bool verbose)
{
    if (verbose)
        printf (" * continuity: ");
    assert (s_day ("1970-01-01") == 0);
    assert (s_day ("2026-03-01") - s_day ("2026-02-28") == 1);
    assert (s_day ("2024-03-01") - s_day ("2024-02-28") == 2);
    assert (s_day ("2026-12-31") - s_day ("2026-01-01") == 364);
    assert (s_day ("2026-13-01") == INT64_MIN);
    //  Median and worst tenth: 11 cases, worst tenth is the 2 worst
    s_value_t values [11];
    char refs [11][16];
    for (int i = 0; i < 11; i++) {
        snprintf (refs [i], sizeof refs [i], "C-%02d", i);
        values [i] = (s_value_t) { (double) i, refs [i] };
    }
    json_t *spread = s_spread (values, 11, false);
    assert (json_number_value (json_object_get (spread, "median")) == 5);
    assert (json_number_value (json_object_get (spread, "worst_tenth")) == 9);
    assert (json_array_size (json_object_get (spread, "worst_cases")) == 2);
    assert (podd_streq (json_string_value (json_array_get (json_object_get (spread, "worst_cases"), 0)), "C-10"));
    json_decref (spread);
    //  Lower is worse (known rate); an even count takes the mean of the middle two
    for (int i = 0; i < 4; i++)
        values [i] = (s_value_t) { (double) i / 4, refs [i] };
    spread = s_spread (values, 4, true);
    assert (json_number_value (json_object_get (spread, "median")) == 0.375);
    assert (json_number_value (json_object_get (spread, "worst_tenth")) == 0);
    assert (podd_streq (json_string_value (json_array_get (json_object_get (spread, "worst_cases"), 0)), "C-00"));
    json_decref (spread);
    if (verbose)
        printf ("OK\n");
}
