/*  meetops.c - partners, meetings and replies. See meetops.h. */
#include "meetops.h"
#include "access.h"
#include "caseops.h"
#include "calendar.h"
#include "message.h"
#include "outbox.h"
#include "when.h"
#include <glib.h>
#include <ctype.h>

#define NOTE_MAX 4096

//  --------------------------------------------------------------------
//  Partners

//  Add the aliases of field 'aliases' to a partner
static int
s_add_aliases (podd_request_t *req, int64_t id)
{
    size_t index;
    json_t *alias;
    json_array_foreach (podp_msg_array (req->msg, "aliases"), index, alias) {
        char address [PODD_ADDRESS_MAX];
        if (podd_field_address (req, "aliases", (long) index, json_string_value (alias), address))
            return -1;
        if (podd_store_partner_by_email (req->store, address))
            return podd_fail (req, PODP_CONFLICT, "address %s is already known", address);
        if (podd_store_partner_alias_add (req->store, id, address))
            return podd_fail (req, PODP_INTERNAL, "cannot store alias");
    }
    return 0;
}

int
podd_op_partner_add (podd_request_t *req)
{
    char email [PODD_ADDRESS_MAX];
    const char *name = podp_msg_string (req->msg, "name");
    const char *agency = podp_msg_string (req->msg, "agency");
    if (!podd_access_pod_allocate (req->actor, req->actor->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only a team manager, senior practitioner or "
                          "coordinator adds partners");
    if (podd_field_address (req, "email", -1, podp_msg_string (req->msg, "email"), email)
    ||  podd_field_name (req, "name", name))
        return -1;
    if (!podd_valid_name (agency))
        return podd_fail (req, PODP_INVALID, "field 'agency': not a valid name");
    if (podd_store_partner_by_email (req->store, email))
        return podd_fail (req, PODP_CONFLICT, "a partner with address %s exists already", email);
    int64_t id = podd_store_partner_add (req->store, email, name, agency,
                                         podp_msg_string (req->msg, "agency_kind"),
                                         podp_msg_string (req->msg, "role"), req->now);
    if (id < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot store partner: %s", podd_store_errmsg (req->store));
    if (s_add_aliases (req, id) || podd_audit (req, "partner-add", email, agency))
        return -1;
    return podd_ok (req, PODP_CREATED, podd_store_partner_json (req->store, id));
}

int
podd_op_partner_update (podd_request_t *req)
{
    char email [PODD_ADDRESS_MAX];
    const char *name = podp_msg_string (req->msg, "name");
    if (!podd_access_pod_allocate (req->actor, req->actor->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only a team manager, senior practitioner or "
                          "coordinator updates partners");
    if (podd_field_address (req, "email", -1, podp_msg_string (req->msg, "email"), email)
    ||  (name && podd_field_name (req, "name", name)))
        return -1;
    int64_t id = podd_store_partner_by_email (req->store, email);
    podd_partner_t partner;
    if (!id || podd_store_partner_get (req->store, id, &partner))
        return podd_fail (req, PODP_NOT_FOUND, "no partner %s", email);
    if (g_ascii_strcasecmp (partner.email, email) != 0)
        return podd_fail (req, PODP_NOT_FOUND, "%s is an alias of %s: name the partner by their "
                          "address", email, partner.email);
    if (!name && !podp_msg_array (req->msg, "aliases") && !podp_msg_array (req->msg, "remove_aliases"))
        return podd_fail (req, PODP_BAD_REQUEST, "nothing to change: give name, aliases or "
                          "remove_aliases");
    size_t index;
    json_t *value;
    json_array_foreach (podp_msg_array (req->msg, "remove_aliases"), index, value) {
        char address [PODD_ADDRESS_MAX];
        if (podd_field_address (req, "remove_aliases", (long) index, json_string_value (value), address))
            return -1;
        int rc = podd_store_partner_alias_remove (req->store, id, address);
        if (rc < 0)
            return podd_fail (req, PODP_INTERNAL, "cannot remove alias");
        if (rc > 0)
            return podd_fail (req, PODP_NOT_FOUND, "%s is not an alias of %s", address, partner.email);
    }
    if (s_add_aliases (req, id))
        return -1;
    if (name && podd_store_partner_set_name (req->store, id, name))
        return podd_fail (req, PODP_INTERNAL, "cannot rename partner");
    if (podd_audit (req, "partner-update", partner.email, name? name: ""))
        return -1;
    return podd_ok (req, PODP_OK, podd_store_partner_json (req->store, id));
}

int
podd_op_partner_list (podd_request_t *req)
{
    const char *ref = podp_msg_string (req->msg, "case");
    podd_case_t kase = { 0 };
    if (ref && podd_case_for_work (req, ref, &kase))
        return -1;
    podd_page_t page;
    if (podd_page_fields (req, &page))
        return -1;
    return podd_page_reply (req, podd_store_partner_page (req->store, kase.id, &page), &page);
}

static int
s_link (podd_request_t *req, bool link)
{
    podd_case_t kase;
    char email [PODD_ADDRESS_MAX];
    if (podd_case_for_work (req, podp_msg_string (req->msg, "case"), &kase)
    ||  podd_field_address (req, "partner", -1, podp_msg_string (req->msg, "partner"), email))
        return -1;
    int64_t partner = podd_store_partner_by_email (req->store, email);
    if (!partner)
        return podd_fail (req, PODP_NOT_FOUND, "no partner %s", email);
    if (podd_store_partner_link (req->store, kase.id, partner, link)
    ||  podd_audit (req, link? "partner-link": "partner-unlink", kase.ref, email))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot change the case's partners");
    return podd_ok (req, PODP_OK, json_pack ("{s:o}", "items",
                    podd_store_partner_list (req->store, kase.id)));
}

int podd_op_partner_link (podd_request_t *req) { return s_link (req, true); }
int podd_op_partner_unlink (podd_request_t *req) { return s_link (req, false); }

//  --------------------------------------------------------------------
//  Meetings

//  "stability-meeting" -> "Stability meeting"
static void
s_summary (const char *kind, char *buf, size_t size)
{
    snprintf (buf, size, "%s", kind);
    for (char *p = buf; *p; p++)
        if (*p == '-')
            *p = ' ';
    buf [0] = (char) toupper ((unsigned char) buf [0]);
}

static podd_partstat_t
s_partstat (const char *name)
{
    return podd_streq (name, "ACCEPTED")? PODD_PARTSTAT_ACCEPTED
         : podd_streq (name, "DECLINED")? PODD_PARTSTAT_DECLINED
         : podd_streq (name, "TENTATIVE")? PODD_PARTSTAT_TENTATIVE: PODD_PARTSTAT_NEEDS_ACTION;
}

//  The meeting, its task and case, with work access for the actor
static int
s_meeting_for (podd_request_t *req, podd_task_t *task, podd_case_t *kase,
               podd_meeting_row_t *meeting, bool must_exist)
{
    int64_t id = podp_msg_int (req->msg, "task", 0);
    if (podd_store_task_get (req->store, id, task)
    ||  podd_store_case_by_id (req->store, task->case_id, kase))
        return podd_fail (req, PODP_NOT_FOUND, "no task %lld", (long long) id);
    if (!podd_access_pod_work (req->actor, kase->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "task %lld belongs to another pod", (long long) id);
    bool exists = podd_store_meeting_get (req->store, id, meeting) == 0;
    if (must_exist && !exists)
        return podd_fail (req, PODP_NOT_FOUND, "task %lld has no meeting", (long long) id);
    if (!must_exist && exists)
        return podd_fail (req, PODP_CONFLICT, "task %lld has a meeting already: update it", (long long) id);
    return 0;
}

//  Build the invite or cancel for every attendee and queue it
static int
s_send_invite (podd_request_t *req, const podd_task_t *task, const podd_case_t *kase,
               const podd_meeting_row_t *row, podd_method_t method)
{
    podd_pod_t pod;
    podd_member_t lead = { 0 }, duty = { 0 };
    podd_store_pod_by_id (req->store, kase->pod_id, &pod);
    if (kase->lead_id)
        podd_store_member_by_id (req->store, kase->lead_id, &lead);
    int64_t duty_id = pod.duty_id? pod.duty_id: podd_store_pod_manager (req->store, kase->pod_id);
    podd_store_member_by_id (req->store, duty_id, &duty);
    podd_attendee_t attendees [PODD_MEETING_ATTENDEES];
    const char *rcpts [PODD_MEETING_ATTENDEES];
    for (size_t i = 0; i < row->attendee_count; i++) {
        attendees [i].name = row->attendees [i].name;
        attendees [i].address = row->attendees [i].email;
        attendees [i].partstat = s_partstat (row->attendees [i].partstat);
        rcpts [i] = row->attendees [i].email;
    }
    char summary [64], contact [400], cover [700], message_id [256];
    s_summary (task->kind, summary, sizeof summary);
    snprintf (contact, sizeof contact, "%s, %s", pod.title, pod.mailbox);
    snprintf (cover, sizeof cover, "If %s is away, contact %s (%s)",
              lead.id? lead.name: "the lead worker", duty.name, duty.email);
    podd_meeting_t meeting = {
        .uid = row->uid, .sequence = row->sequence, .start = row->starts, .end = row->ends,
        .summary = summary, .location = row->location, .organiser_name = pod.title,
        .organiser_address = pod.mailbox, .attendees = attendees,
        .attendee_count = row->attendee_count,
        .status = method == PODD_METHOD_CANCEL? PODD_MEETING_CANCELLED: PODD_MEETING_CONFIRMED,
        .contact = contact, .cover = duty.id? cover: NULL, .online = row->online
    };
    podd_message_id (podd_message_domain (pod.mailbox, podd_config_mail_domain (req->config)),
                     message_id, sizeof message_id);
    char *raw = NULL;
    size_t size = 0;
    const char *reason = NULL;
    if (podd_calendar_invite (&meeting, method, NULL, message_id, req->now, &raw, &size, &reason))
        return podd_fail (req, PODP_INVALID, "cannot build the invitation: %s", reason);
    const char *sender = podd_outbox_sender (req, pod.mailbox);
    int64_t id = podd_outbox_queue (req, method == PODD_METHOD_CANCEL? "cancel": "invite",
                                    kase->pod_id, task->id, sender, rcpts, row->attendee_count,
                                    summary, message_id, raw, size);
    free (raw);
    return id < 0? -1: 0;
}

static int
s_chronology (podd_request_t *req, const podd_case_t *kase, const char *text)
{
    if (podd_store_chronology_add (req->store, kase->id, NULL, "event", text, req->actor->id,
                                   req->now) < 0)
        return podd_fail (req, PODP_INTERNAL, "cannot write chronology");
    return 0;
}

//  Add the partners and members named in the request as attendees
static int
s_add_attendees (podd_request_t *req, const podd_task_t *task, const podd_case_t *kase,
                 const char *organiser)
{
    podd_member_t holder;
    size_t asked = json_array_size (podp_msg_array (req->msg, "members"))
                 + json_array_size (podp_msg_array (req->msg, "invite")) + 1;
    if (asked > PODD_MEETING_ATTENDEES_MAX)
        return podd_fail (req, PODP_INVALID, "fields 'members'/'invite': at most %d attendees "
                          "with the task's holder, not %zu", PODD_MEETING_ATTENDEES_MAX, asked);
    if (task->assignee_id && podd_store_member_by_id (req->store, task->assignee_id, &holder) == 0
    &&  podd_store_attendee_add (req->store, task->id, holder.email, holder.name, 0))
        return podd_fail (req, PODP_INTERNAL, "cannot add attendee");
    size_t index;
    json_t *value;
    json_array_foreach (podp_msg_array (req->msg, "members"), index, value) {
        podd_member_t member;
        if (podd_pod_member (req, json_string_value (value), kase->pod_id, &member))
            return -1;
        if (podd_store_attendee_add (req->store, task->id, member.email, member.name, 0))
            return podd_fail (req, PODP_INTERNAL, "cannot add attendee");
    }
    json_array_foreach (podp_msg_array (req->msg, "invite"), index, value) {
        char email [PODD_ADDRESS_MAX];
        if (podd_field_address (req, "invite", (long) index, json_string_value (value), email))
            return -1;
        int64_t partner_id = podd_store_partner_by_email (req->store, email);
        podd_partner_t partner;
        if (!partner_id || podd_store_partner_get (req->store, partner_id, &partner))
            return podd_fail (req, PODP_NOT_FOUND, "no partner %s", email);
        if (!podd_store_partner_linked (req->store, kase->id, partner_id))
            return podd_fail (req, PODP_INVALID, "partner %s is not linked to case %s", email, kase->ref);
        if (g_ascii_strcasecmp (partner.email, organiser) == 0)
            return podd_fail (req, PODP_INVALID, "the organiser cannot be an attendee");
        if (podd_store_attendee_add (req->store, task->id, partner.email, partner.name, partner_id))
            return podd_fail (req, PODP_INTERNAL, "cannot add attendee");
    }
    return 0;
}

static int
s_when_pair (podd_request_t *req, int64_t *starts, int64_t *ends)
{
    const char *start = podp_msg_string (req->msg, "start");
    const char *end = podp_msg_string (req->msg, "end");
    if (start && podd_when_parse (start, starts))
        return podd_fail (req, PODP_INVALID, "field 'start': '%s' is not a valid date/time", start);
    if (end && podd_when_parse (end, ends))
        return podd_fail (req, PODP_INVALID, "field 'end': '%s' is not a valid date/time", end);
    if (*ends <= *starts)
        return podd_fail (req, PODP_INVALID, "the meeting ends before it starts");
    return 0;
}

//  Where the meeting is: a room, an online joining link, or both (the
//  fields given replace location and online; "" clears one)
static int
s_place (podd_request_t *req, char *location, size_t location_size, char *online,
         size_t online_size)
{
    const char *given_location = podp_msg_string (req->msg, "location");
    const char *given_online = podp_msg_string (req->msg, "online");
    if (given_online && *given_online && !podd_calendar_valid_url (given_online))
        return podd_fail (req, PODP_INVALID, "field 'online': not an https:// link of at most %d "
                          "printable characters without spaces or quotes", PODD_CALENDAR_MAX_URL);
    if (given_location)
        snprintf (location, location_size, "%s", given_location);
    if (given_online)
        snprintf (online, online_size, "%s", given_online);
    if (!*location && !*online)
        return podd_fail (req, PODP_INVALID, "a meeting needs a location, an online link or both");
    return 0;
}

int
podd_op_meeting_schedule (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    podd_meeting_row_t row;
    if (s_meeting_for (req, &task, &kase, &row, false))
        return -1;
    podd_kind_t *kind = podd_config_kind (req->config, task.kind);
    if (!kind || !kind->meeting)
        return podd_fail (req, PODP_INVALID, "a %s task is not a meeting", task.kind);
    if (strcmp (task.state, "open") && strcmp (task.state, "offered") && strcmp (task.state, "accepted"))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s", (long long) task.id, task.state);
    int64_t starts = 0, ends = 0;
    if (s_when_pair (req, &starts, &ends))
        return -1;
    char location [sizeof row.location] = "", online [sizeof row.online] = "";
    if (s_place (req, location, sizeof location, online, sizeof online))
        return -1;
    podd_pod_t pod;
    podd_store_pod_by_id (req->store, kase.pod_id, &pod);
    //  At most 8 + 20 + 1 + 200 octets: the random part comes first
    char uid [256], random_id [PODD_MESSAGE_ID_MAX + 1];
    podd_message_id (podd_message_domain (pod.mailbox, podd_config_mail_domain (req->config)),
                     random_id, sizeof random_id);
    snprintf (uid, sizeof uid, "meeting-%lld-%.200s", (long long) task.id, random_id);
    if (podd_store_meeting_add (req->store, task.id, uid, starts, ends, location, online))
        return podd_fail (req, PODP_INTERNAL, "cannot store meeting: %s", podd_store_errmsg (req->store));
    if (s_add_attendees (req, &task, &kase, pod.mailbox)
    ||  podd_store_meeting_get (req->store, task.id, &row))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "meeting vanished");
    if (!row.attendee_count)
        return podd_fail (req, PODP_INVALID, "nobody to invite");
    char text [400], date [PODD_WHEN_LEN];
    snprintf (text, sizeof text, "%s scheduled for %s at %s, %zu invited", task.kind,
              podd_when_format (starts, date), *location? location: "online", row.attendee_count);
    if (s_send_invite (req, &task, &kase, &row, PODD_METHOD_REQUEST)
    ||  s_chronology (req, &kase, text)
    ||  podd_audit (req, "meeting-schedule", kase.ref, uid))
        return -1;
    return podd_ok (req, PODP_CREATED, podd_store_meeting_json (req->store, task.id));
}

//  A meeting for a stored meeting-kind task made by podd itself (the joint
//  handover visit of a case transfer): the members given and every partner
//  linked to the case are invited, as MEETING-SCHEDULE would
int
podd_meeting_schedule_for (podd_request_t *req, int64_t task_id, int64_t starts, int64_t ends,
                           const char *location, const int64_t *member_ids, size_t member_count)
{
    podd_task_t task;
    podd_case_t kase;
    podd_meeting_row_t row;
    podd_pod_t pod;
    if (podd_store_task_get (req->store, task_id, &task)
    ||  podd_store_case_by_id (req->store, task.case_id, &kase)
    ||  podd_store_pod_by_id (req->store, kase.pod_id, &pod))
        return podd_fail (req, PODP_INTERNAL, "task vanished");
    json_t *partners = podd_store_partner_list (req->store, kase.id);
    size_t asked = member_count + json_array_size (partners);
    if (asked > PODD_MEETING_ATTENDEES_MAX) {
        json_decref (partners);
        return podd_fail (req, PODP_INVALID, "the meeting would have %zu attendees, at most %d: "
                          "unlink partners first", asked, PODD_MEETING_ATTENDEES_MAX);
    }
    char uid [256], random_id [PODD_MESSAGE_ID_MAX + 1];
    podd_message_id (podd_message_domain (pod.mailbox, podd_config_mail_domain (req->config)),
                     random_id, sizeof random_id);
    snprintf (uid, sizeof uid, "meeting-%lld-%.200s", (long long) task.id, random_id);
    int rc = podd_store_meeting_add (req->store, task.id, uid, starts, ends, location, "");
    for (size_t i = 0; rc == 0 && i < member_count; i++) {
        podd_member_t member;
        rc = podd_store_member_by_id (req->store, member_ids [i], &member)
          || podd_store_attendee_add (req->store, task.id, member.email, member.name, 0);
    }
    size_t index;
    json_t *partner;
    json_array_foreach (partners, index, partner) {
        const char *email = json_string_value (json_object_get (partner, "email"));
        int64_t partner_id = email? podd_store_partner_by_email (req->store, email): 0;
        if (rc == 0 && partner_id && g_ascii_strcasecmp (email, pod.mailbox) != 0)
            rc = podd_store_attendee_add (req->store, task.id, email,
                                          json_string_value (json_object_get (partner, "name")), partner_id);
    }
    json_decref (partners);
    if (rc || podd_store_meeting_get (req->store, task.id, &row))
        return podd_fail (req, PODP_INTERNAL, "cannot store meeting: %s", podd_store_errmsg (req->store));
    char text [400], date [PODD_WHEN_LEN];
    snprintf (text, sizeof text, "%s scheduled for %s at %s, %zu invited", task.kind,
              podd_when_format (starts, date), location, row.attendee_count);
    if (s_send_invite (req, &task, &kase, &row, PODD_METHOD_REQUEST)
    ||  s_chronology (req, &kase, text))
        return -1;
    return 0;
}

int
podd_op_meeting_update (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    podd_meeting_row_t row;
    if (s_meeting_for (req, &task, &kase, &row, true))
        return -1;
    if (row.cancelled)
        return podd_fail (req, PODP_CONFLICT, "the meeting is cancelled");
    if (!podp_msg_string (req->msg, "location") && !podp_msg_string (req->msg, "online")
    &&  !podp_msg_string (req->msg, "start") && !podp_msg_string (req->msg, "end"))
        return podd_fail (req, PODP_BAD_REQUEST, "nothing to change: give start, end, location "
                          "or online");
    if (s_when_pair (req, &row.starts, &row.ends)
    ||  s_place (req, row.location, sizeof row.location, row.online, sizeof row.online))
        return -1;
    row.sequence++;
    //  A new time or place asks everyone again (RFC 5546)
    for (size_t i = 0; i < row.attendee_count; i++)
        snprintf (row.attendees [i].partstat, sizeof row.attendees [i].partstat, "NEEDS-ACTION");
    char text [400], date [PODD_WHEN_LEN];
    snprintf (text, sizeof text, "Meeting moved to %s at %s", podd_when_format (row.starts, date),
              *row.location? row.location: "online");
    if (podd_store_meeting_set (req->store, &row) || podd_store_attendees_reset (req->store, task.id))
        return podd_fail (req, PODP_INTERNAL, "cannot update meeting");
    if (s_send_invite (req, &task, &kase, &row, PODD_METHOD_REQUEST)
    ||  s_chronology (req, &kase, text)
    ||  podd_audit (req, "meeting-update", kase.ref, row.uid))
        return -1;
    return podd_ok (req, PODP_OK, podd_store_meeting_json (req->store, task.id));
}

int
podd_op_meeting_cancel (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    podd_meeting_row_t row;
    if (s_meeting_for (req, &task, &kase, &row, true))
        return -1;
    if (row.cancelled)
        return podd_fail (req, PODP_CONFLICT, "the meeting is cancelled already");
    row.sequence++;
    row.cancelled = true;
    if (podd_store_meeting_set (req->store, &row))
        return podd_fail (req, PODP_INTERNAL, "cannot cancel meeting");
    const char *reason = podp_msg_string (req->msg, "reason");
    char text [NOTE_MAX + 64];
    snprintf (text, sizeof text, "Meeting cancelled%s%s", reason? ": ": "", reason? reason: "");
    if (s_send_invite (req, &task, &kase, &row, PODD_METHOD_CANCEL)
    ||  s_chronology (req, &kase, text)
    ||  podd_audit (req, "meeting-cancel", kase.ref, row.uid))
        return -1;
    return podd_ok (req, PODP_OK, podd_store_meeting_json (req->store, task.id));
}

int
podd_op_meeting_attendees (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    podd_meeting_row_t row;
    int64_t id = podp_msg_int (req->msg, "task", 0);
    if (podd_store_task_get (req->store, id, &task)
    ||  podd_store_case_by_id (req->store, task.case_id, &kase)
    ||  podd_store_meeting_get (req->store, id, &row))
        return podd_fail (req, PODP_NOT_FOUND, "no meeting for task %lld", (long long) id);
    if (!podd_access_pod_read (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "task %lld belongs to another pod", (long long) id);
    return podd_ok (req, PODP_OK, podd_store_meeting_json (req->store, id));
}

int
podd_op_meeting_outcome (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    podd_meeting_row_t row;
    if (s_meeting_for (req, &task, &kase, &row, true))
        return -1;
    const char *summary = podp_msg_string (req->msg, "summary");
    podd_pod_t pod;
    podd_store_pod_by_id (req->store, kase.pod_id, &pod);
    podd_mailbox_t to [PODD_MEETING_ATTENDEES];
    const char *rcpts [PODD_MEETING_ATTENDEES];
    size_t count = 0;
    for (size_t i = 0; i < row.attendee_count; i++)
        if (row.attendees [i].partner) {
            to [count].name = row.attendees [i].name;
            to [count].address = row.attendees [i].email;
            rcpts [count++] = row.attendees [i].email;
        }
    if (!count)
        return podd_fail (req, PODP_CONFLICT, "no partner was invited to this meeting");
    char kind [64], subject [PODD_SUBJECT_MAX], date [PODD_DATE_LEN], message_id [256];
    char body [NOTE_MAX + 1024];    //  + kind 63, date 10, pod title 128, mailbox 254, text 80
    s_summary (task.kind, kind, sizeof kind);
    snprintf (subject, sizeof subject, "Outcome: %s on %s", kind, podd_when_local_date (row.starts, date));
    snprintf (body, sizeof body, "Thank you for taking part in the %s on %s.\n\n"
              "What happens next:\n%s\n\n-- \n%s, %s\n", kind, date, summary, pod.title, pod.mailbox);
    podd_message_id (podd_message_domain (pod.mailbox, podd_config_mail_domain (req->config)),
                     message_id, sizeof message_id);
    podd_mailbox_t from = { pod.title, pod.mailbox };
    char *raw = NULL;
    size_t size = 0;
    const char *reason = NULL;
    if (podd_message_text (&from, to, count, NULL, 0, subject, body, message_id, req->now,
                           &raw, &size, &reason))
        return podd_fail (req, PODP_INVALID, "cannot build the note: %s", reason);
    const char *sender = podd_outbox_sender (req, pod.mailbox);
    int64_t id = podd_outbox_queue (req, "outcome", kase.pod_id, task.id, sender, rcpts, count,
                                    subject, message_id, raw, size);
    free (raw);
    char text [NOTE_MAX + 64];
    snprintf (text, sizeof text, "Outcome sent to partners: %s", summary);
    if (id < 0 || s_chronology (req, &kase, text) || podd_audit (req, "meeting-outcome", kase.ref, ""))
        return -1;
    return podd_ok (req, PODP_OK, podd_store_meeting_json (req->store, task.id));
}

//  --------------------------------------------------------------------
//  Replies

//  May this key pass on replies for meetings of this pod? Administrators
//  and the configured mail gateway: every pod; a team manager: their own.
static bool
s_may_ingest (podd_request_t *req, int64_t pod_id)
{
    const podd_member_t *actor = req->actor;
    const char *gateway = podd_config_mail_gateway (req->config);
    if (podd_access_admin (actor) || (*gateway && podd_streq (actor->handle, gateway)))
        return true;
    return pod_id == 0? podd_streq (actor->role, "team-manager")
                      : podd_access_pod_manage (actor, pod_id);
}

//  The checks after the reply is read, in the order that gives the real
//  reason: which meeting, whether this key may speak for its pod, who
//  answered (invited? the From theirs?), then what is wrong with the
//  answer itself, then whether it still applies. A Message-ID seen before
//  is only the reason when everything else holds.
static int
s_check_reply (podd_request_t *req, const podd_calendar_reply_t *reply, const podd_meeting_row_t *row, const podd_case_t *kase,
               podd_attendee_row_t **attendee_p)
{
    if (!s_may_ingest (req, kase->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "refused: this key may not take in replies for "
                          "another pod's meetings");
    podd_attendee_row_t *attendee = NULL;
    for (size_t i = 0; i < row->attendee_count && !attendee; i++)
        if (g_ascii_strcasecmp (row->attendees [i].email, reply->attendee) == 0)
            attendee = (podd_attendee_row_t *) &row->attendees [i];
    if (!attendee)
        return podd_fail (req, PODP_FORBIDDEN, "refused: %s was not invited", reply->attendee);
    //  From must be the attendee, or an alias of the same partner
    bool from_ok = g_ascii_strcasecmp (reply->from, attendee->email) == 0
                || (attendee->partner_id
                    && podd_store_partner_by_email (req->store, reply->from) == attendee->partner_id);
    if (!from_ok)
        return podd_fail (req, PODP_FORBIDDEN, "refused: From %s is not %s", reply->from,
                          attendee->email);
    if (reply->fault)
        return podd_fail (req, PODP_INVALID, "refused: %s", reply->fault);
    podd_pod_t pod;
    if (reply->organiser && podd_store_pod_by_id (req->store, kase->pod_id, &pod) == 0
    &&  g_ascii_strcasecmp (reply->organiser, pod.mailbox) != 0)
        return podd_fail (req, PODP_INVALID, "refused: ORGANIZER %s is not the pod's mailbox %s",
                          reply->organiser, pod.mailbox);
    if (row->cancelled)
        return podd_fail (req, PODP_CONFLICT, "refused: the meeting was cancelled");
    if (reply->sequence > row->sequence)
        return podd_fail (req, PODP_INVALID, "refused: SEQUENCE %d is newer than the meeting's (%d)",
                          reply->sequence, row->sequence);
    bool seen = reply->message_id && podd_store_ingested_seen (req->store, reply->message_id);
    if (reply->sequence < row->sequence
    ||  (reply->sequence == attendee->reply_sequence && reply->dtstamp <= attendee->reply_dtstamp)) {
        if (seen)
            return podd_fail (req, PODP_CONFLICT, "refused: message %s was taken in already",
                              reply->message_id);
        return podd_fail (req, PODP_CONFLICT, "refused: stale reply (SEQUENCE %d, the meeting is "
                          "at %d)", reply->sequence, row->sequence);
    }
    if (seen)
        return podd_fail (req, PODP_CONFLICT, "refused: message %s was taken in already",
                          reply->message_id);
    *attendee_p = attendee;
    return 0;
}

int
podd_op_ingest_mail (podd_request_t *req)
{
    if (!s_may_ingest (req, 0))
        return podd_fail (req, PODP_FORBIDDEN, "only an admin, a team manager or the mail "
                          "gateway's key may ingest mail");
    const char *encoded = podp_msg_string (req->msg, "message");
    size_t len = strlen (encoded);
    for (size_t i = 0; i < len; i++)
        if (!isalnum ((unsigned char) encoded [i]) && !strchr ("+/=", encoded [i]))
            return podd_fail (req, PODP_INVALID, "field 'message': not base64");
    gsize size = 0;
    guchar *raw = g_base64_decode (encoded, &size);
    podd_calendar_reply_t *reply = NULL;
    const char *reason = NULL;
    int rc = podd_calendar_parse_reply (raw, size, &reply, &reason);
    g_free (raw);
    if (rc)
        return podd_fail (req, PODP_INVALID, "refused: %s", reason);
    rc = -1;
    podd_meeting_row_t row;
    podd_task_t task;
    podd_case_t kase;
    int64_t task_id = podd_store_meeting_by_uid (req->store, reply->uid);
    podd_attendee_row_t *attendee = NULL;
    if (!task_id || podd_store_meeting_get (req->store, task_id, &row)
    ||  podd_store_task_get (req->store, task_id, &task)
    ||  podd_store_case_by_id (req->store, task.case_id, &kase)) {
        podd_fail (req, PODP_NOT_FOUND, "refused: no meeting with UID %s", reply->uid);
        goto done;
    }
    if (s_check_reply (req, reply, &row, &kase, &attendee))
        goto done;
    const char *partstat = podd_calendar_partstat_name (reply->partstat);
    char text [512];
    snprintf (text, sizeof text, "%s (%s) replied %s to the meeting invitation", attendee->name,
              attendee->email, partstat);
    if (podd_store_attendee_reply (req->store, task_id, attendee->email, partstat, req->now,
                                   reply->sequence, reply->dtstamp)
    ||  (reply->message_id && podd_store_ingested_add (req->store, reply->message_id, task_id, req->now))
    ||  s_chronology (req, &kase, text)
    ||  podd_audit (req, "meeting-reply", kase.ref, text)) {
        if (!req->status)
            podd_fail (req, PODP_INTERNAL, "cannot record the reply");
        goto done;
    }
    //  The lead worker's client hears of it (their cover while away)
    int64_t tell = kase.lead_id;
    if (tell && podd_store_member_absent (req->store, tell, req->now)) {
        int64_t cover = podd_store_cover_for (req->store, kase.id, kase.lead_id, req->now);
        tell = cover? cover: task.assignee_id;
    }
    if (!tell)
        tell = task.assignee_id;
    json_t *data = json_pack ("{s:I s:s s:s s:s}", "task", (json_int_t) task_id,
                              "attendee", attendee->email, "partstat", partstat, "case", kase.ref);
    //  Kept in their mailbox until acknowledged: a lead who is offline
    //  learns on WATCH that the school declined
    if (tell && podd_notice_kept (req, tell, task_id, json_pack ("{s:s s:s s:O}", "kind",
                                  "meeting-reply", "text", text, "data", data))) {
        json_decref (data);
        goto done;
    }
    podd_ok (req, PODP_OK, json_pack ("{s:s s:s s:s s:I}", "result", "accepted",
             "attendee", attendee->email, "partstat", partstat, "task", (json_int_t) task_id));
    json_decref (data);
    rc = 0;
done:
    podd_calendar_reply_destroy (&reply);
    return rc;
}
