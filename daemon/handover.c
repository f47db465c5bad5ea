/*  handover.c - the handover pack, kept notices, and alerts about cover.
    See handover.h. */
#include "handover.h"
#include "access.h"
#include "caseops.h"
#include "when.h"
#include "message.h"
#include "outbox.h"

#define DAY             86400
#define CONCERN_DAYS    90      /* concerns and allegations this recent go in a page */
#define PACK_HOUR       9       /* the second build, 09:00 Europe/London */
#define PACK_DAYS_AHEAD 2       /* ... two working days before the leave starts */
#define CASES_MAX       1000
#define TASKS_MAX       1000
#define NOTE_MAX        4096

//  --------------------------------------------------------------------
//  Kept notices and bare e-mail notices

int
podd_notice_keep (podd_request_t *req, int64_t member_id, const char *kind, const char *text,
                  json_t *data)
{
    if (!data)
        data = json_object ();
    char *dump = json_dumps (data, JSON_COMPACT);
    int64_t id = dump? podd_store_notice_add (req->store, member_id, kind, text, dump, req->now): -1;
    free (dump);
    if (id < 0) {
        json_decref (data);
        return podd_fail (req, PODP_INTERNAL, "cannot keep notice");
    }
    podd_notice (req, member_id, json_pack ("{s:s s:s s:o}", "kind", kind, "text", text,
                                            "data", data));
    return 0;
}

//  An e-mail that only says there is something to see in podd: no case
//  reference, no names of children, nothing of a case
static int
s_mail_notice (podd_request_t *req, const podd_member_t *member, const char *subject,
               const char *text)
{
    podd_pod_t pod;
    if (podd_store_pod_by_id (req->store, member->pod_id, &pod))
        return 0;
    char body [1024];
    snprintf (body, sizeof body, "%s\n\nThe details are in your podd client only.\n\n-- \n%s, %s\n",
              text, pod.title, pod.mailbox);
    int64_t id = podd_outbox_mail_member (req, "notice", &pod, member, subject, body,
                                          "notice", member->handle);
    return id < 0? -1: 0;
}

//  The period of an absence for people: "2026-12-07 to 2026-12-18"
static void
s_period_text (const podd_absence_t *absence, char *buf, size_t size)
{
    char a [PODD_DATE_LEN], b [PODD_DATE_LEN];
    podd_when_local_date (absence->starts, a);
    if (absence->ends)
        snprintf (buf, size, "%s to %s", a, podd_when_local_date (absence->ends - 1, b));
    else
        snprintf (buf, size, "from %s", a);
}

int
podd_handover_leave_notice (podd_request_t *req, int64_t absence_id, const char *kind)
{
    podd_absence_t absence;
    podd_member_t member;
    if (podd_store_absence_get (req->store, absence_id, &absence)
    ||  podd_store_member_by_id (req->store, absence.member_id, &member))
        return podd_fail (req, PODP_INTERNAL, "absence vanished");
    char period [64], text [256];
    s_period_text (&absence, period, sizeof period);
    json_t *data = podd_store_absence_json (req->store, absence_id, false);
    if (podd_streq (kind, "leave-requested")) {
        int64_t manager = podd_store_pod_manager (req->store, member.pod_id);
        if (!manager || manager == member.id) {
            json_decref (data);
            return 0;
        }
        snprintf (text, sizeof text, "%s asks for %s leave, %s (absence %lld): approve or refuse it",
                  member.handle, absence.kind, period, (long long) absence_id);
        return podd_notice_keep (req, manager, kind, text, data);
    }
    snprintf (text, sizeof text, "your %s leave, %s (absence %lld), was %s by %s", absence.kind,
              period, (long long) absence_id,
              podd_streq (kind, "leave-approved")? "approved": "refused", req->actor->handle);
    if (member.id == req->actor->id) {
        json_decref (data);
        return 0;
    }
    return podd_notice_keep (req, member.id, kind, text, data);
}

//  --------------------------------------------------------------------
//  The pack

static bool
s_working_day (podd_request_t *req, int64_t t)
{
    char date [PODD_DATE_LEN];
    int y, m, d;
    if (podd_when_local_weekday (t) >= 5)
        return false;
    podd_when_local_date (t, date);
    return !req->standards || podd_when_parse_date (date, &y, &m, &d)
        || podd_standards_working_day (req->standards, y, m, d);
}

//  One case's page
static json_t *
s_page (podd_request_t *req, int64_t absence_id, const podd_case_t *kase)
{
    json_t *page = podd_store_case_handover (req->store, kase->id, req->now - CONCERN_DAYS * DAY,
                                             req->now);
    json_object_set_new (page, "case", json_string (kase->ref));
    json_object_set_new (page, "kind", json_string (kase->kind));
    json_t *visit = json_null ();
    size_t index;
    json_t *task;
    json_array_foreach (json_object_get (page, "tasks"), index, task)
        if (json_is_null (visit)
        &&  podd_streq (json_string_value (json_object_get (task, "kind")), "statutory-visit"))
            visit = json_pack ("{s:O s:O s:O}", "task", json_object_get (task, "id"),
                               "due", json_object_get (task, "due"),
                               "assignee", json_object_get (task, "assignee"));
    json_object_set_new (page, "next_visit", visit);
    json_t *partners = json_array ();
    json_t *all = podd_store_partner_list (req->store, kase->id);
    json_t *partner;
    json_array_foreach (all, index, partner)
        json_array_append_new (partners, json_pack ("{s:O s:O s:O}", "name", json_object_get (partner, "name"),
            "agency", json_object_get (partner, "agency"), "email", json_object_get (partner, "email")));
    json_decref (all);
    json_object_set_new (page, "partners", partners);
    int64_t cover_id = podd_store_cover_of (req->store, absence_id, kase->id, 0);
    podd_member_t cover;
    json_object_set_new (page, "cover", cover_id && podd_store_member_by_id (req->store, cover_id, &cover) == 0?
                         json_string (cover.handle): json_null ());
    json_object_set_new (page, "note", podd_store_handover_note (req->store, absence_id, kase->id));
    return page;
}

//  The pack of an absence: every page, or those of one cover, or one case
static json_t *
s_pack (podd_request_t *req, const podd_absence_t *absence, const char *cover, const char *ref)
{
    podd_member_t member;
    podd_store_member_by_id (req->store, absence->member_id, &member);
    int64_t cases [CASES_MAX];
    size_t count = podd_store_cases_led (req->store, member.id, cases, CASES_MAX);
    json_t *pages = json_array (), *no_note = json_array ();
    for (size_t i = 0; i < count; i++) {
        podd_case_t kase;
        if (podd_store_case_by_id (req->store, cases [i], &kase)
        ||  (ref && !podd_streq (ref, kase.ref)))
            continue;
        json_t *page = s_page (req, absence->id, &kase);
        if (cover && !podd_streq (cover, json_string_value (json_object_get (page, "cover")))) {
            json_decref (page);
            continue;
        }
        if (json_is_null (json_object_get (page, "note")))
            json_array_append_new (no_note, json_string (kase.ref));
        json_array_append_new (pages, page);
    }
    char a [PODD_WHEN_LEN], b [PODD_WHEN_LEN], c [PODD_WHEN_LEN];
    return json_pack ("{s:I s:s s:s s:o s:s s:o s:o}", "absence", (json_int_t) absence->id,
        "member", member.handle, "from", podd_when_format (absence->starts, a),
        "to", absence->ends? json_string (podd_when_format (absence->ends, b)): json_null (),
        "built", podd_when_format (req->now, c), "pages", pages, "no_note", no_note);
}

//  Give each cover (or only cover_id) the pages of the cases they cover,
//  as a kept notice of kind, and a bare e-mail notice
static int
s_deliver (podd_request_t *req, const podd_absence_t *absence, int64_t cover_id, const char *kind)
{
    json_t *pack = s_pack (req, absence, NULL, NULL);
    json_t *covers = json_object ();
    size_t index;
    json_t *page;
    json_array_foreach (json_object_get (pack, "pages"), index, page)
        if (json_is_string (json_object_get (page, "cover")))
            json_object_set_new (covers, json_string_value (json_object_get (page, "cover")), json_true ());
    json_decref (pack);
    podd_member_t member;
    podd_store_member_by_id (req->store, absence->member_id, &member);
    char period [64];
    s_period_text (absence, period, sizeof period);
    const char *handle;
    json_t *value;
    int rc = 0;
    json_object_foreach (covers, handle, value) {
        podd_member_t cover;
        if (podd_store_member_by_handle (req->store, handle, &cover)
        ||  (cover_id && cover.id != cover_id))
            continue;
        json_t *mine = s_pack (req, absence, cover.handle, NULL);
        size_t cases = json_array_size (json_object_get (mine, "pages"));
        json_object_del (mine, "no_note");
        char text [256], subject [128];
        snprintf (text, sizeof text, "%s: you cover %zu case(s) for %s, %s (absence %lld): "
                  "podctl handover --absence %lld", podd_streq (kind, "handover")? "Handover pack"
                  : "Cover assigned", cases, member.handle, period, (long long) absence->id,
                  (long long) absence->id);
        snprintf (subject, sizeof subject, "%s for absence %lld", podd_streq (kind, "handover")?
                  "Handover pack": "Cover assigned", (long long) absence->id);
        if (podd_notice_keep (req, cover.id, kind, text, mine)
        ||  s_mail_notice (req, &cover, subject, text)) {
            rc = -1;
            break;
        }
    }
    json_decref (covers);
    return rc;
}

int
podd_handover_cover_assigned (podd_request_t *req, int64_t absence_id, int64_t cover_id)
{
    podd_absence_t absence;
    if (podd_store_absence_get (req->store, absence_id, &absence))
        return podd_fail (req, PODP_INTERNAL, "absence vanished");
    return s_deliver (req, &absence, cover_id, "cover-assigned");
}

//  Build and keep the pack, deliver it, and tell the manager which cases
//  still have no note
static int
s_build (podd_request_t *req, int64_t absence_id, const char *reason)
{
    podd_absence_t absence;
    podd_member_t member;
    if (podd_store_absence_get (req->store, absence_id, &absence)
    ||  podd_store_member_by_id (req->store, absence.member_id, &member))
        return podd_fail (req, PODP_INTERNAL, "absence vanished");
    json_t *pack = s_pack (req, &absence, NULL, NULL);
    json_object_set_new (pack, "reason", json_string (reason));
    char *body = json_dumps (pack, JSON_COMPACT);
    int64_t id = body? podd_store_handover_pack_add (req->store, absence_id, reason, body, req->now): -1;
    free (body);
    size_t missing = json_array_size (json_object_get (pack, "no_note"));
    json_t *no_note = json_incref (json_object_get (pack, "no_note"));
    json_decref (pack);
    if (id < 0) {
        json_decref (no_note);
        return podd_fail (req, PODP_INTERNAL, "cannot keep the handover pack");
    }
    int64_t manager = podd_store_pod_manager (req->store, member.pod_id);
    char text [256];
    snprintf (text, sizeof text, "handover pack of %s for absence %lld built: %zu case(s) without a note",
              member.handle, (long long) absence_id, missing);
    if (s_deliver (req, &absence, 0, "handover")
    ||  (manager && podd_notice_keep (req, manager, "handover-notes", text,
                                      json_pack ("{s:I s:O}", "absence", (json_int_t) absence_id,
                                                 "no_note", no_note)))
    ||  (missing && manager != member.id && podd_notice_keep (req, member.id, "handover-notes", text,
                                      json_pack ("{s:I s:O}", "absence", (json_int_t) absence_id,
                                                 "no_note", no_note)))) {
        json_decref (no_note);
        return -1;
    }
    json_decref (no_note);
    return podd_audit_id (req, "handover-pack", "absence", absence_id, reason);
}

int
podd_handover_on_approve (podd_request_t *req, int64_t absence_id)
{
    podd_absence_t absence;
    if (podd_store_absence_get (req->store, absence_id, &absence))
        return podd_fail (req, PODP_INTERNAL, "absence vanished");
    //  Two working days before the first day of the leave, 09:00
    int64_t at = podd_when_local_day_at (absence.starts, 0, PACK_HOUR);
    for (int found = 0, i = 0; found < PACK_DAYS_AHEAD && i < 30; i++) {
        at = podd_when_local_day_at (at, -1, PACK_HOUR);
        found += s_working_day (req, at);
    }
    if (s_build (req, absence_id, "approved")
    ||  podd_store_absence_set_pack (req->store, absence_id, at > req->now? at: 0))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot arm the handover pack");
    return 0;
}

int
podd_handover_pack_due (podd_request_t *req, int64_t absence_id)
{
    podd_absence_t absence;
    if (podd_store_absence_set_pack (req->store, absence_id, 0)
    ||  podd_store_absence_get (req->store, absence_id, &absence))
        return podd_fail (req, PODP_INTERNAL, "absence vanished");
    if (!podd_streq (absence.status, "approved") || absence.ended)
        return 0;
    return s_build (req, absence_id, "before-leave");
}

//  --------------------------------------------------------------------
//  Covered work not accepted or overdue

int
podd_handover_cover_alert (podd_request_t *req, int64_t absence_id, bool at_return)
{
    podd_absence_t absence;
    podd_member_t member;
    if (podd_store_absence_get (req->store, absence_id, &absence)
    ||  podd_store_member_by_id (req->store, absence.member_id, &member))
        return podd_fail (req, PODP_INTERNAL, "absence vanished");
    int64_t ids [TASKS_MAX];
    size_t count = podd_store_cover_moves_trouble (req->store, absence_id, req->now, ids, TASKS_MAX);
    int64_t manager_id = podd_store_pod_manager (req->store, member.pod_id);
    podd_member_t manager;
    if (!count || !manager_id || podd_store_member_by_id (req->store, manager_id, &manager))
        return 0;
    json_t *items = json_array ();
    size_t unaccepted = 0, overdue = 0;
    for (size_t i = 0; i < count; i++) {
        json_t *task = podd_store_task_json (req->store, ids [i], false);
        bool offered = podd_streq (json_string_value (json_object_get (task, "state")), "offered")
                    || podd_streq (json_string_value (json_object_get (task, "state")), "open");
        podd_task_t row;
        bool late = podd_store_task_get (req->store, ids [i], &row) == 0 && row.due && row.due < req->now;
        unaccepted += offered;
        overdue += late;
        json_array_append_new (items, json_pack ("{s:O s:O s:O s:O s:O s:O s:b s:b}",
            "task", json_object_get (task, "id"), "case", json_object_get (task, "case"),
            "kind", json_object_get (task, "kind"), "due", json_object_get (task, "due"),
            "priority", json_object_get (task, "priority"), "held_by", json_object_get (task, "assignee"),
            "accepted", !offered, "overdue", late));
        json_decref (task);
    }
    char text [256], when [PODD_DATE_LEN];
    if (at_return)
        snprintf (text, sizeof text, "%s is back: %zu covered task(s) never accepted, %zu overdue, "
                  "coming back to them now (absence %lld)", member.handle, unaccepted, overdue,
                  (long long) absence_id);
    else
        snprintf (text, sizeof text, "while %s is away%s%s: %zu covered task(s) not accepted, "
                  "%zu overdue (absence %lld): podctl cover show %lld", member.handle,
                  absence.ends? " until ": "", absence.ends? podd_when_local_date (absence.ends - 1, when): "",
                  unaccepted, overdue, (long long) absence_id, (long long) absence_id);
    if (podd_notice_keep (req, manager.id, "cover-unaccepted", text,
                          json_pack ("{s:I s:s s:b s:o}", "absence", (json_int_t) absence_id,
                                     "member", member.handle, "returned", at_return, "items", items)))
        return -1;
    char subject [128];
    snprintf (subject, sizeof subject, "Cover needs you: absence %lld", (long long) absence_id);
    return s_mail_notice (req, &manager, subject, text);
}

//  --------------------------------------------------------------------
//  Requests

//  The absence in "absence", or the caller's own current or next one
static int
s_absence_for (podd_request_t *req, podd_absence_t *absence, podd_member_t *member)
{
    int64_t id = podp_msg_int (req->msg, "absence", 0);
    if (!id)
        id = podd_store_absence_next_of (req->store, req->actor->id, req->now);
    if (!id)
        return podd_fail (req, PODP_NOT_FOUND, "you have no leave coming: give 'absence'");
    if (podd_store_absence_get (req->store, id, absence)
    ||  podd_store_member_by_id (req->store, absence->member_id, member))
        return podd_fail (req, PODP_NOT_FOUND, "no absence %lld", (long long) id);
    if (!podd_access_pod_read (req->actor, member->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "absence %lld is in another pod", (long long) id);
    return 0;
}

int
podd_op_handover (podd_request_t *req)
{
    podd_absence_t absence;
    podd_member_t member;
    const char *ref = podp_msg_string (req->msg, "case");
    if (s_absence_for (req, &absence, &member))
        return -1;
    podd_case_t kase;
    if (ref && (!podd_valid_ref (ref) || podd_store_case_by_ref (req->store, ref, &kase)
                || kase.lead_id != member.id))
        return podd_fail (req, PODP_NOT_FOUND, "no case '%s' led by %s", ref, member.handle);
    //  The member and their manager see the whole pack; a cover sees the
    //  pages of the cases they cover
    bool whole = member.id == req->actor->id || podd_access_pod_manage (req->actor, member.pod_id);
    json_t *pack = s_pack (req, &absence, whole? NULL: req->actor->handle, ref);
    if (!whole && json_array_size (json_object_get (pack, "pages")) == 0) {
        json_decref (pack);
        return podd_fail (req, PODP_FORBIDDEN, "you cover no case%s%s in absence %lld",
                          ref? " ": "", ref? ref: "", (long long) absence.id);
    }
    if (!whole)
        json_object_del (pack, "no_note");
    json_t *built = podd_store_handover_pack (req->store, absence.id);
    json_object_set_new (pack, "last_built", built? json_incref (json_object_get (built, "built")): json_null ());
    json_object_set_new (pack, "status", json_string (absence.status));
    json_decref (built);
    return podd_ok (req, PODP_OK, pack);
}

int
podd_op_handover_note (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "case");
    const char *text = podp_msg_string (req->msg, "text");
    podd_case_t kase;
    if (!podd_valid_ref (ref) || podd_store_case_by_ref (req->store, ref, &kase))
        return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", ref);
    if (!podd_access_pod_read (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "case '%s' belongs to another pod", ref);
    if (!text || !*text || strlen (text) > NOTE_MAX)
        return podd_fail (req, PODP_INVALID, "field 'text': say what the cover needs to know "
                          "(1 to %d characters)", NOTE_MAX);
    if (kase.lead_id != req->actor->id && !podd_access_pod_manage (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the lead of '%s' or the team manager writes its "
                          "handover note", ref);
    int64_t id = podp_msg_int (req->msg, "absence", 0);
    if (!id && kase.lead_id)
        id = podd_store_absence_next_of (req->store, kase.lead_id, req->now);
    podd_absence_t absence;
    if (!id || podd_store_absence_get (req->store, id, &absence) || absence.member_id != kase.lead_id)
        return podd_fail (req, PODP_CONFLICT, "the lead of '%s' has no leave coming", ref);
    if (absence.ended)
        return podd_fail (req, PODP_CONFLICT, "absence %lld has ended", (long long) absence.id);
    if (podd_store_handover_note_set (req->store, absence.id, kase.id, text, req->actor->id, req->now)
    ||  podd_audit (req, "handover-note", kase.ref, ""))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot keep the note");
    //  A cover already named gets the page again, with the note
    int64_t cover_id = podd_store_cover_of (req->store, absence.id, kase.id, 0);
    if (cover_id) {
        char line [160];
        snprintf (line, sizeof line, "handover note for %s (absence %lld): podctl handover --absence %lld",
                  kase.ref, (long long) absence.id, (long long) absence.id);
        json_t *page = s_pack (req, &absence, NULL, kase.ref);
        if (podd_notice_keep (req, cover_id, "handover", line, page))
            return -1;
    }
    return podd_ok (req, PODP_OK, json_pack ("{s:s s:I s:o}", "case", kase.ref,
                    "absence", (json_int_t) absence.id,
                    "note", podd_store_handover_note (req->store, absence.id, kase.id)));
}

int
podd_op_notices (podd_request_t *req)
{
    podd_page_t page;
    if (podd_page_fields (req, &page))
        return -1;
    return podd_page_reply (req, podd_store_notice_page (req->store, req->actor->id,
                            podp_msg_string (req->msg, "kind"), &page), &page);
}

int
podd_mail_notice (podd_request_t *req, const podd_member_t *member, const char *subject,
                  const char *text)
{
    return s_mail_notice (req, member, subject, text);
}
