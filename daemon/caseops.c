/*  caseops.c - requests about pods, members and cases. See caseops.h. */
#include "caseops.h"
#include "access.h"
#include "standardsops.h"
#include "when.h"
#include "continuity.h"
#include <ctype.h>

bool
podd_valid_ref (const char *ref)
{
    size_t len = ref? strlen (ref): 0;
    if (len == 0 || len > 64 || !isalnum ((unsigned char) ref [0]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum ((unsigned char) ref [i]) && !strchr ("/_.-", ref [i]))
            return false;
    return true;
}

static bool
s_one_of (const char *value, const char *const *allowed)
{
    for (size_t i = 0; allowed [i]; i++)
        if (podd_streq (value, allowed [i]))
            return true;
    return false;
}

//  Audit with the request body as detail.
static int
s_audit_body (podd_request_t *req, const char *action, const char *object)
{
    char *detail = json_dumps (podp_msg_body (req->msg), JSON_COMPACT | JSON_SORT_KEYS);
    int rc = podd_audit (req, action, object, detail);
    free (detail);
    return rc;
}

//  The pod named in field "pod", or the actor's own; 0 means every pod
//  (an admin without a pod who named none).
static int
s_pod_for_read (podd_request_t *req, int64_t *pod_id)
{
    const char *name = podp_msg_string (req->msg, "pod");
    if (!name) {
        *pod_id = req->actor->pod_id;
        if (!*pod_id && !podd_access_admin (req->actor))
            return podd_fail (req, PODP_FORBIDDEN, "you belong to no pod");
        return 0;
    }
    podd_pod_t pod;
    if (podd_store_pod_by_name (req->store, name, &pod))
        return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", name);
    if (!podd_access_pod_read (req->actor, pod.id))
        return podd_fail (req, PODP_FORBIDDEN, "pod '%s' is not your pod", name);
    *pod_id = pod.id;
    return 0;
}

int
podd_pod_member (podd_request_t *req, const char *handle, int64_t pod_id, podd_member_t *member)
{
    if (podd_store_member_by_handle (req->store, handle, member) || !member->active)
        return podd_fail (req, PODP_NOT_FOUND, "no member '%s'", handle);
    if (member->pod_id != pod_id)
        return podd_fail (req, PODP_INVALID, "member '%s' is not in the case's pod", handle);
    return 0;
}

static int
s_case_find (podd_request_t *req, const char *ref, podd_case_t *kase)
{
    if (!podd_valid_ref (ref))
        return podd_fail (req, PODP_INVALID, "field 'ref': not a case reference");
    if (podd_store_case_by_ref (req->store, ref, kase))
        return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", ref);
    return 0;
}

static int
s_case_for_read (podd_request_t *req, const char *ref, podd_case_t *kase)
{
    if (s_case_find (req, ref, kase))
        return -1;
    //  A co-worker from another pod (the lead before a transfer, until the
    //  joint visit) still sees the case
    if (!podd_access_pod_read (req->actor, kase->pod_id)
    &&  !podd_store_case_is_coworker (req->store, kase->id, req->actor->id))
        return podd_fail (req, PODP_FORBIDDEN, "case '%s' belongs to another pod", ref);
    return 0;
}

int
podd_case_for_work (podd_request_t *req, const char *ref, podd_case_t *kase)
{
    if (s_case_find (req, ref, kase))
        return -1;
    if (!podd_access_pod_work (req->actor, kase->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "case '%s' belongs to another pod", ref);
    return 0;
}

int
podd_op_ping (podd_request_t *req)
{
    char now [PODD_WHEN_LEN];
    return podd_ok (req, PODP_OK, json_pack ("{s:s s:s}", "server", "podd " PODD_VERSION,
                                             "time", podd_when_format (req->now, now)));
}

int
podd_op_whoami (podd_request_t *req)
{
    return podd_ok (req, PODP_OK, podd_store_member_json (req->store, req->actor->id));
}

int
podd_op_pod_list (podd_request_t *req)
{
    json_t *items;
    if (podd_access_admin (req->actor))
        items = podd_store_pod_list (req->store);
    else {
        items = json_array ();
        json_t *pod = podd_store_pod_json (req->store, req->actor->pod_id);
        if (pod)
            json_array_append_new (items, pod);
    }
    return podd_ok (req, PODP_OK, json_pack ("{s:o}", "items", items));
}

int
podd_op_pod_show (podd_request_t *req)
{
    int64_t pod_id;
    if (s_pod_for_read (req, &pod_id))
        return -1;
    json_t *pod = podd_store_pod_json (req->store, pod_id);
    if (!pod)
        return podd_fail (req, PODP_NOT_FOUND, "no such pod");
    json_object_set_new (pod, "members", podd_store_member_list (req->store, pod_id));
    return podd_ok (req, PODP_OK, pod);
}

int
podd_op_member_list (podd_request_t *req)
{
    int64_t pod_id;
    if (s_pod_for_read (req, &pod_id))
        return -1;
    podd_page_t page;
    if (podd_page_fields (req, &page))
        return -1;
    return podd_page_reply (req, podd_store_member_page (req->store, pod_id, &page), &page);
}

int
podd_op_member_show (podd_request_t *req)
{
    const char *handle = podp_msg_string (req->msg, "member");
    podd_member_t member;
    if (podd_store_member_by_handle (req->store, handle, &member))
        return podd_fail (req, PODP_NOT_FOUND, "no member '%s'", handle);
    if (member.id != req->actor->id && !podd_access_pod_read (req->actor, member.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "member '%s' is not in your pod", handle);
    json_t *reply = podd_store_member_json (req->store, member.id);
    //  Away today: "annual leave to 2026-12-18 (absence 3)", or "no"
    json_t *now = podd_store_absence_now (req->store, 0, member.id, req->now);
    json_t *absence = json_array_get (now, 0);
    char away [160] = "no", last [PODD_DATE_LEN];
    if (absence) {
        podd_absence_t row;
        if (podd_store_absence_get (req->store, json_integer_value (json_object_get (absence, "id")), &row) == 0)
            snprintf (away, sizeof away, "yes: %s leave%s%s (absence %lld)", row.kind,
                      row.ends? " to ": ", open-ended", row.ends? podd_when_local_date (row.ends - 1, last): "",
                      (long long) row.id);
    }
    json_decref (now);
    json_object_set_new (reply, "away", json_string (away));
    return podd_ok (req, PODP_OK, reply);
}

int
podd_op_member_add (podd_request_t *req)
{
    const char *handle = podp_msg_string (req->msg, "handle");
    char email [PODD_ADDRESS_MAX];
    const char *role = podp_msg_string (req->msg, "role");
    const char *pod_name = podp_msg_string (req->msg, "pod");
    const char *pattern = podp_msg_string (req->msg, "pattern");
    bool admin = podp_msg_bool (req->msg, "admin", false);
    if (!podd_valid_handle (handle))
        return podd_fail (req, PODP_INVALID, "field 'handle': use a-z, 0-9, '.', '_', '-'");
    //  Members are invited to meetings: the same checks as partners
    if (podd_field_address (req, "email", -1, podp_msg_string (req->msg, "email"), email)
    ||  podd_field_name (req, "name", podp_msg_string (req->msg, "name")))
        return -1;
    if (podp_msg_string (req->msg, "skills") && !podd_valid_skills (podp_msg_string (req->msg, "skills")))
        return podd_fail (req, PODP_INVALID, "field 'skills': comma-separated tokens of A-Z a-z 0-9 . _ -, "
                          "no spaces");
    if (podd_role_index (role) < 0)
        return podd_fail (req, PODP_INVALID, "field 'role': unknown role '%s'", role);
    if (pattern && !podd_valid_pattern (pattern))
        return podd_fail (req, PODP_INVALID, "field 'pattern': use e.g. mon-fri or mon,tue,thu");
    podd_pod_t pod = { 0 };
    if (pod_name && podd_store_pod_by_name (req->store, pod_name, &pod))
        return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", pod_name);
    if (!pod_name && !admin)
        return podd_fail (req, PODP_INVALID, "field 'pod': required for a member who is not admin");
    if (admin? !podd_access_admin (req->actor): !podd_access_pod_manage (req->actor, pod.id))
        return podd_fail (req, PODP_FORBIDDEN, "only an admin or the pod's team manager may add members");
    podd_member_t existing;
    if (podd_store_member_by_handle (req->store, handle, &existing) == 0)
        return podd_fail (req, PODP_CONFLICT, "member '%s' exists already", handle);
    int64_t id = podd_store_member_add (req->store, handle, podp_msg_string (req->msg, "name"),
                                        email, role, pod.id, podp_msg_string (req->msg, "skills"),
                                        pattern, admin);
    if (id < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot store member: %s", podd_store_errmsg (req->store));
    if (s_audit_body (req, "member-add", handle))
        return -1;
    return podd_ok (req, PODP_CREATED, podd_store_member_json (req->store, id));
}

//  Replace a case's co-workers with the handles in field "coworkers".
static int
s_set_coworkers (podd_request_t *req, const podd_case_t *kase, int64_t lead_id)
{
    json_t *handles = podp_msg_array (req->msg, "coworkers");
    if (!handles)
        return 0;
    if (podd_store_case_clear_coworkers (req->store, kase->id))
        return podd_fail (req, PODP_INTERNAL, "cannot change co-workers");
    size_t index;
    json_t *value;
    json_array_foreach (handles, index, value) {
        podd_member_t member;
        if (podd_pod_member (req, json_string_value (value), kase->pod_id, &member))
            return -1;
        if (member.id != lead_id
        &&  podd_store_case_add_coworker (req->store, kase->id, member.id))
            return podd_fail (req, PODP_INTERNAL, "cannot add co-worker");
    }
    return 0;
}

int
podd_op_case_open (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "ref");
    const char *kind = podp_msg_string (req->msg, "kind");
    const char *pod_name = podp_msg_string (req->msg, "pod");
    const char *lead_handle = podp_msg_string (req->msg, "lead");
    static const char *const kinds [] = { "child", "carer-household", NULL };
    if (!podd_valid_ref (ref))
        return podd_fail (req, PODP_INVALID, "field 'ref': use letters, digits and / _ . - (at most 64)");
    if (!s_one_of (kind, kinds))
        return podd_fail (req, PODP_INVALID, "field 'kind': must be child or carer-household");
    podd_pod_t pod;
    int64_t pod_id = req->actor->pod_id;
    if (pod_name) {
        if (podd_store_pod_by_name (req->store, pod_name, &pod))
            return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", pod_name);
        pod_id = pod.id;
    }
    if (!pod_id)
        return podd_fail (req, PODP_INVALID, "field 'pod': required, you belong to no pod");
    if (!podd_access_pod_allocate (req->actor, pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's manager, a senior practitioner "
                          "or the coordinator may open cases in this pod");
    podd_case_t kase;
    if (podd_store_case_by_ref (req->store, ref, &kase) == 0)
        return podd_fail (req, PODP_CONFLICT, "case '%s' exists already", ref);
    char taken [65];
    if (podd_store_case_ref_taken (req->store, ref, taken, sizeof taken))
        return podd_fail (req, PODP_CONFLICT, "case '%s' exists already as '%s' (references "
                          "are the same whatever their case)", ref, taken);
    podd_member_t lead = { 0 };
    if (lead_handle && podd_pod_member (req, lead_handle, pod_id, &lead))
        return -1;
    int64_t id = podd_store_case_open (req->store, ref, kind, pod_id, lead.id,
                                       podp_msg_string (req->msg, "summary"), req->now);
    if (id < 0 || podd_store_case_by_id (req->store, id, &kase))
        return podd_fail (req, PODP_INTERNAL, "cannot store case: %s", podd_store_errmsg (req->store));
    if (s_set_coworkers (req, &kase, lead.id))
        return -1;
    if (podd_store_lead_set_by (req->store, id, req->actor->id))
        return podd_fail (req, PODP_INTERNAL, "cannot record the lead's history");
    char text [128];
    snprintf (text, sizeof text, "Case opened by %s%s%s", req->actor->handle,
              lead.id? ", lead worker ": "", lead.id? lead.handle: "");
    if (podd_store_chronology_add (req->store, id, NULL, "event", text, req->actor->id, req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot write chronology");
    if (s_audit_body (req, "case-open", ref))
        return -1;
    return podd_ok (req, PODP_CREATED, podd_store_case_json (req->store, id, false));
}

int
podd_op_case_list (podd_request_t *req)
{
    int64_t pod_id, member_id = 0;
    const char *status = podp_msg_string (req->msg, "status");
    const char *handle = podp_msg_string (req->msg, "member");
    static const char *const statuses [] = { "open", "closed", "all", NULL };
    if (status && !s_one_of (status, statuses))
        return podd_fail (req, PODP_INVALID, "field 'status': must be open, closed or all");
    if (s_pod_for_read (req, &pod_id))
        return -1;
    if (handle) {
        podd_member_t member;
        if (podd_store_member_by_handle (req->store, handle, &member))
            return podd_fail (req, PODP_NOT_FOUND, "no member '%s'", handle);
        if (!podd_access_pod_read (req->actor, member.pod_id))
            return podd_fail (req, PODP_FORBIDDEN, "member '%s' is not in your pod", handle);
        member_id = member.id;
    }
    podd_page_t page;
    if (podd_page_fields (req, &page))
        return -1;
    return podd_page_reply (req, podd_store_case_page (req->store, pod_id, member_id, status, &page),
                            &page);
}

int
podd_op_case_show (podd_request_t *req)
{
    podd_case_t kase;
    if (s_case_for_read (req, podp_msg_string (req->msg, "ref"), &kase))
        return -1;
    //  The chronology a page at a time, the newest first (PROTOCOL.md 8.3)
    podd_page_t page;
    if (podd_page_fields (req, &page))
        return -1;
    json_t *chronology = podd_store_chronology_page (req->store, kase.id, &page);
    if (!chronology)
        return podd_fail (req, PODP_INVALID, "field 'after': '%s' is not a cursor of this list",
                          page.after);
    json_t *reply = podd_store_case_json (req->store, kase.id, false);
    json_object_set_new (reply, "chronology", chronology);
    json_object_set_new (reply, "chronology_next", *page.next? json_string (page.next): json_null ());
    //  Placements: a child's, or the children placed with a household
    json_object_set_new (reply, "placements", podd_store_placements_json (req->store, kase.id));
    return podd_ok (req, PODP_OK, reply);
}

int
podd_op_case_allocate (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "ref");
    const char *lead_handle = podp_msg_string (req->msg, "lead");
    podd_case_t kase;
    podd_member_t lead;
    if (s_case_for_read (req, ref, &kase))
        return -1;
    if (!podd_access_pod_allocate (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's manager, a senior practitioner "
                          "or the coordinator may allocate cases");
    if (!kase.open)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is closed", ref);
    if (podd_pod_member (req, lead_handle, kase.pod_id, &lead))
        return -1;
    if (podd_store_case_set_lead (req->store, kase.id, lead.id)
    ||  (lead.id != kase.lead_id && podd_store_lead_set_by (req->store, kase.id, req->actor->id))
    ||  s_set_coworkers (req, &kase, lead.id))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot allocate");
    char text [128];
    snprintf (text, sizeof text, "Allocated to lead worker %s by %s", lead.handle, req->actor->handle);
    if (podd_store_chronology_add (req->store, kase.id, NULL, "event", text, req->actor->id, req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot write chronology");
    if (s_audit_body (req, "case-allocate", ref))
        return -1;
    return podd_ok (req, PODP_OK, podd_store_case_json (req->store, kase.id, false));
}

int
podd_op_case_close (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "ref");
    podd_case_t kase;
    if (s_case_for_read (req, ref, &kase))
        return -1;
    if (!podd_access_pod_allocate (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's manager, a senior practitioner "
                          "or the coordinator may close cases");
    if (!kase.open)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is closed already", ref);
    //  Chains that end on case-closed close their open tasks first (the
    //  whole request rolls back if other open tasks refuse the close)
    json_t *ended = json_array ();
    if (podd_standards_case_closed (req, &kase, ended)) {
        json_decref (ended);
        return -1;
    }
    int64_t still_open = podd_store_case_open_tasks (req->store, kase.id);
    if (still_open) {
        json_decref (ended);
        if (still_open < 0)
            return podd_fail (req, PODP_INTERNAL, "cannot count open tasks");
        return podd_fail (req, PODP_CONFLICT, "case '%s' has %lld open task(s): finish or cancel them first",
                          ref, (long long) still_open);
    }
    const char *reason = podp_msg_string (req->msg, "reason");
    if (podd_store_case_close (req->store, kase.id, reason, req->now)) {
        json_decref (ended);
        return podd_fail (req, PODP_INTERNAL, "cannot close case");
    }
    char text [PODP_STRING_MAX + 64];
    snprintf (text, sizeof text, "Case closed by %s%s%s", req->actor->handle,
              reason? ": ": "", reason? reason: "");
    if (podd_store_chronology_add (req->store, kase.id, NULL, "event", text, req->actor->id, req->now) < 0) {
        json_decref (ended);
        return podd_fail (req, PODP_INTERNAL, "cannot write chronology");
    }
    if (s_audit_body (req, "case-close", ref)) {
        json_decref (ended);
        return -1;
    }
    json_t *reply = podd_store_case_json (req->store, kase.id, false);
    json_object_set_new (reply, "ended", ended);
    return podd_ok (req, PODP_OK, reply);
}

int
podd_op_case_note (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "ref");
    const char *kind = podp_msg_string (req->msg, "kind");
    const char *date = podp_msg_string (req->msg, "date");
    static const char *const kinds [] = { "note", "concern", "allegation", "action", "event", NULL };
    podd_case_t kase;
    //  Contacts with the family: continuity.c
    if (podd_streq (kind, "contact"))
        return podd_continuity_case_note (req);
    if (podp_msg_array (req->msg, "with"))
        return podd_fail (req, PODP_INVALID, "field 'with': only for a note of kind contact");
    if (kind && !s_one_of (kind, kinds))
        return podd_fail (req, PODP_INVALID,
                          "field 'kind': must be note, concern, allegation, action or event");
    int y, m, d;
    char today [PODD_DATE_LEN];
    podd_when_local_date (req->now, today);
    if (date && podd_when_parse_date (date, &y, &m, &d))
        return podd_fail (req, PODP_INVALID, "field 'date': use YYYY-MM-DD");
    if (date && podd_when_date_cmp (date, today) > 0)
        return podd_fail (req, PODP_INVALID, "field 'date': %s is in the future", date);
    if (podd_case_for_work (req, ref, &kase))
        return -1;
    if (!kase.open)
        return podd_fail (req, PODP_CONFLICT, "case '%s' is closed", ref);
    int64_t id = podd_store_chronology_add (req->store, kase.id, date, kind,
                                            podp_msg_string (req->msg, "text"), req->actor->id, req->now);
    if (id < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot write chronology");
    //  A concern fires the practice standards of a concern (early review)
    json_t *created = json_array ();
    if (podd_standards_note (req, &kase, kind, date? date: today, podp_msg_string (req->msg, "text"),
                             created)
    ||  podd_audit (req, "case-note", ref, kind? kind: "note")) {
        json_decref (created);
        return -1;
    }
    json_t *reply = podd_store_chronology_json (req->store, id);
    if (reply && json_array_size (created))
        json_object_set (reply, "created", created);
    json_decref (created);
    return podd_ok (req, PODP_CREATED, reply);
}

int
podd_op_caseload (podd_request_t *req)
{
    int64_t pod_id;
    if (s_pod_for_read (req, &pod_id))
        return -1;
    return podd_ok (req, PODP_OK, json_pack ("{s:o}", "items",
                                             podd_store_caseload (req->store, pod_id)));
}
