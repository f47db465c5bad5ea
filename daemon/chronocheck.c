/*  chronocheck.c - the chronology check. See chronocheck.h. */
#include "chronocheck.h"
#include "access.h"
#include "caseops.h"
#include "taskops.h"
#include "routing.h"
#include "standards.h"
#include "when.h"
#include <stdarg.h>

#define DEFAULT_FREQUENCY 42        /* days between contacts when no standard says */

static int
s_rule_days (const podd_rule_t *rule)
{
    switch (rule->unit) {
        case PODD_UNIT_DAYS:          return rule->amount;
        case PODD_UNIT_WEEKS:         return rule->amount * 7;
        case PODD_UNIT_MONTHS:        return rule->amount * 31;
        case PODD_UNIT_WORKING_DAYS:  return (rule->amount * 7 + 4) / 5;
    }
    return DEFAULT_FREQUENCY;
}

//  The visiting frequency of the case's standards, in days: the shortest
//  recurring statutory-visit standard the case has had tasks from
static int
s_frequency (podd_request_t *req, const podd_case_t *kase)
{
    json_t *ids = podd_store_case_rule_ids (req->store, kase->id);
    int best = 0;
    size_t index;
    json_t *id;
    json_array_foreach (ids, index, id) {
        podd_rule_t *rule = req->standards? podd_standards_rule (req->standards, json_string_value (id)): NULL;
        if (!rule || !rule->recurring || !podd_streq (rule->task_kind, "statutory-visit"))
            continue;
        int days = s_rule_days (rule);
        if (days > 0 && (!best || days < best))
            best = days;
    }
    json_decref (ids);
    return best? best: DEFAULT_FREQUENCY;
}

//  Days from date a to date b (YYYY-MM-DD)
static int
s_days_between (const char *a, const char *b)
{
    int ay, am, ad, by, bm, bd;
    if (podd_when_parse_date (a, &ay, &am, &ad) || podd_when_parse_date (b, &by, &bm, &bd))
        return 0;
    return (int) (podd_when_day_number (by, bm, bd) - podd_when_day_number (ay, am, ad));
}

static void
s_gap (json_t *gaps, const char *check, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
s_gap (json_t *gaps, const char *check, const char *format, ...)
{
    char detail [512];
    va_list args;
    va_start (args, format);
    vsnprintf (detail, sizeof detail, format, args);
    va_end (args);
    json_array_append_new (gaps, json_pack ("{s:s s:s}", "check", check, "detail", detail));
}

json_t *
podd_chronocheck (podd_request_t *req, const podd_case_t *kase, const char *since)
{
    char today [PODD_DATE_LEN];
    podd_when_local_date (req->now, today);
    int frequency = s_frequency (req, kase);
    json_t *entries = podd_store_chronology_since (req->store, kase->id, since);
    json_t *done = podd_store_standard_tasks_done (req->store, kase->id, since);
    json_t *gaps = json_array ();
    size_t i, k;
    json_t *item, *entry;
    //  1. Every standards task done has an entry on the day it was done
    json_array_foreach (done, i, item) {
        const char *on = json_string_value (json_object_get (item, "done_on"));
        bool found = false;
        json_array_foreach (entries, k, entry)
            found = found || (podd_streq (json_string_value (json_object_get (entry, "date")), on)
                              && !podd_streq (json_string_value (json_object_get (entry, "kind")), "event"));
        if (!found)
            s_gap (gaps, "standard-task", "task %lld (%s), done %s, has no chronology entry that day",
                   (long long) json_integer_value (json_object_get (item, "task")),
                   json_string_value (json_object_get (item, "standard")), on);
    }
    //  2. No gap between contacts longer than the visiting frequency; 4.
    //  the last entry is recent
    const char *previous = since;
    json_array_foreach (entries, i, entry) {
        const char *kind = json_string_value (json_object_get (entry, "kind"));
        if (!podd_streq (kind, "note") && !podd_streq (kind, "action") && !podd_streq (kind, "contact"))
            continue;
        const char *date = json_string_value (json_object_get (entry, "date"));
        int days = s_days_between (previous, date);
        if (days > frequency)
            s_gap (gaps, "contact-gap", "%d days without a recorded contact, %s to %s (standard: %d)",
                   days, previous, date, frequency);
        previous = date;
    }
    int stale = s_days_between (previous, today);
    if (stale > frequency)
        s_gap (gaps, "last-entry", "no recorded contact since %s: %d days (standard: %d)",
               previous, stale, frequency);
    //  3. Every concern and allegation has a later action
    json_array_foreach (entries, i, entry) {
        const char *kind = json_string_value (json_object_get (entry, "kind"));
        if (!podd_streq (kind, "concern") && !podd_streq (kind, "allegation"))
            continue;
        bool acted = false;
        for (k = i + 1; k < json_array_size (entries); k++)
            acted = acted || podd_streq (json_string_value (json_object_get (json_array_get (entries, k), "kind")),
                                         "action");
        if (!acted)
            s_gap (gaps, "concern-action", "%s of %s has no recorded action: %.200s", kind,
                   json_string_value (json_object_get (entry, "date")),
                   json_string_value (json_object_get (entry, "text")));
    }
    json_decref (entries);
    json_decref (done);
    return json_pack ("{s:s s:s s:s s:i s:b s:o}", "ref", kase->ref, "since", since, "until", today,
                      "frequency_days", frequency, "ok", json_array_size (gaps) == 0, "gaps", gaps);
}

int
podd_chronocheck_record (podd_request_t *req, const podd_case_t *kase, json_t *check,
                         const char *context)
{
    json_t *gaps = json_object_get (check, "gaps");
    char text [1024];
    size_t used = (size_t) snprintf (text, sizeof text, "Chronology check by %s%s: %zu gap(s) recorded",
                                     req->actor->handle, context, json_array_size (gaps));
    size_t index;
    json_t *gap;
    json_array_foreach (gaps, index, gap)
        if (used < sizeof text - 1)
            used += (size_t) snprintf (text + used, sizeof text - used, "; %s",
                                       json_string_value (json_object_get (gap, "detail")));
    if (podd_store_chronology_add (req->store, kase->id, NULL, "event", text, req->actor->id, req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot write chronology");
    json_object_set_new (check, "recorded", json_true ());
    return 0;
}

int
podd_chronocheck_ask (podd_request_t *req, const podd_case_t *kase, json_t *check, int64_t due,
                      const char *before, const char *context)
{
    if (!kase->lead_id)
        return podd_fail (req, PODP_CONFLICT, "case '%s' has no lead to ask", kase->ref);
    char title [160], why [160];
    snprintf (title, sizeof title, "Complete the chronology before the %s: %zu gap(s) "
              "(podctl case check %s)", before, json_array_size (json_object_get (check, "gaps")), kase->ref);
    int64_t id = podd_store_task_new (req->store, kase->id, "general", title, due, "urgent",
                                      req->actor->id, req->now);
    if (id < 0 || podd_store_task_history_add (req->store, id, req->actor->id, "created", 0, "", req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot store task");
    snprintf (why, sizeof why, "chronology check by %s%s: the lead completes it", req->actor->handle, context);
    if (podd_task_move (req, id, "offered", kase->lead_id, "routed", why))
        return -1;
    json_object_set_new (check, "task", json_integer (id));
    return 0;
}

int
podd_op_case_check (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "ref");
    const char *since = podp_msg_string (req->msg, "since");
    bool ask = podp_msg_bool (req->msg, "ask", false);
    bool record = podp_msg_bool (req->msg, "record", false);
    podd_case_t kase;
    int y, m, d;
    if (!podd_valid_ref (ref) || podd_store_case_by_ref (req->store, ref, &kase))
        return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", ref);
    if (!podd_access_pod_read (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "case '%s' belongs to another pod", ref);
    if (since && podd_when_parse_date (since, &y, &m, &d))
        return podd_fail (req, PODP_INVALID, "field 'since': use YYYY-MM-DD");
    if (ask && record)
        return podd_fail (req, PODP_BAD_REQUEST, "fields 'ask' and 'record': one or the other");
    if ((ask || record) && !podd_access_pod_manage (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager records gaps or asks for them");
    podd_case_facts_t facts = { 0 };
    podd_store_case_facts (req->store, kase.id, &facts);
    json_t *check = podd_chronocheck (req, &kase, since? since: facts.opened);
    size_t gaps = json_array_size (json_object_get (check, "gaps"));
    int rc = 0;
    if (record && gaps)
        rc = podd_chronocheck_record (req, &kase, check, "");
    if (ask && gaps && rc == 0) {
        //  The lead completes it first: a task due before the handover
        int64_t due = podd_when_local_day_at (req->now, 2, 17);
        const char *due_text = podp_msg_string (req->msg, "due");
        if (due_text && podd_when_parse (due_text, &due))
            rc = podd_fail (req, PODP_INVALID, "field 'due': '%s' is not a valid date", due_text);
        else
            rc = podd_chronocheck_ask (req, &kase, check, due, "handover", "");
    }
    if (rc) {
        json_decref (check);
        return -1;
    }
    if (podd_audit (req, "case-check", kase.ref, ask? "ask": record? "record": "")) {
        json_decref (check);
        return -1;
    }
    return podd_ok (req, PODP_OK, check);
}
