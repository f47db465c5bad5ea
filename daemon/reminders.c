/*  reminders.c - reminders and escalation. See reminders.h. */
#include "reminders.h"
#include "outbox.h"
#include "message.h"
#include "when.h"

#define DAY       86400
#define BATCH     200
#define BODY_MAX  2048
#define FIELD(type, member) sizeof (((type *) 0)->member)
//  A reminder's body at its longest: 300 octets of text, three task ids,
//  the kind, case ref, title (at most 200 octets, PODP), due instant,
//  holder's name and handle, and the pod's title and mailbox
_Static_assert (BODY_MAX >= 300 + 3 * 20 + FIELD (podd_task_t, kind) + FIELD (podd_case_t, ref) + 200
                + PODD_WHEN_LEN + FIELD (podd_member_t, name) + FIELD (podd_member_t, handle)
                + FIELD (podd_pod_t, title) + FIELD (podd_pod_t, mailbox), "a reminder body fits");
_Static_assert (PODD_SUBJECT_MAX >= 40 + FIELD (podd_task_t, kind) + 20 + PODD_DATE_LEN,
                "a reminder subject fits");

static bool
s_live (const podd_task_t *task)
{
    return !strcmp (task->state, "open") || !strcmp (task->state, "offered")
        || !strcmp (task->state, "accepted");
}

//  Days a member works, bit 0 = Monday; everyone works Mon-Fri by default
static int
s_working_days (podd_store_t *store, int64_t member_id)
{
    podd_member_t member;
    int days = -1;
    if (member_id && podd_store_member_by_id (store, member_id, &member) == 0)
        days = podd_pattern_days (member.pattern);
    return days > 0? days: 0x1f;
}

//  Move an instant to the holder's next working day at the send hour
static int64_t
s_on_working_day (int64_t t, int days, int hour)
{
    for (int i = 0; i < 7 && !(days & (1 << podd_when_local_weekday (t))); i++)
        t = podd_when_local_day_at (t, 1, hour);
    return t;
}

//  The first reminder moment after `last` for a task due at `due`
static int64_t
s_next_moment (podd_config_t *config, const podd_kind_t *kind, int64_t due, int64_t last)
{
    int hour = podd_config_remind_hour (config);
    int64_t next = 0;
    for (size_t i = 0; i < kind->remind_count; i++) {
        int64_t at = podd_when_local_day_at (due, -kind->remind_days [i], hour);
        if (at > due)
            at = due;
        if (at > last && (!next || at < next))
            next = at;
    }
    if (due > last && (!next || due < next))
        next = due;                             //  the moment it becomes overdue
    if (!next && podd_config_overdue_daily (config)) {
        //  The first send hour after both the due day and last: counted
        //  from last, so a due date years back cannot leave it in the past
        int64_t at = podd_when_local_day_at (last, 0, hour);
        if (at <= last)
            at = podd_when_local_day_at (last, 1, hour);
        int64_t first = podd_when_local_day_at (due, 1, hour);
        next = at > first? at: first;
    }
    return next;
}

int
podd_reminders_arm (podd_request_t *req, int64_t task_id)
{
    podd_task_t task;
    int64_t next = 0, last = 0;
    if (podd_store_task_get (req->store, task_id, &task)
    ||  podd_store_task_reminder_get (req->store, task_id, &next, &last))
        return podd_fail (req, PODP_INTERNAL, "task vanished");
    podd_kind_t *kind = podd_config_kind (req->config, task.kind);
    next = 0;
    if (s_live (&task) && task.due && kind) {
        int64_t from = last > req->now? last: req->now;
        next = s_next_moment (req->config, kind, task.due, from);
        if (next)
            next = s_on_working_day (next, s_working_days (req->store, task.assignee_id),
                                     podd_config_remind_hour (req->config));
        //  A reminder always moves on: never one at or before the last
        if (next && next <= from) {
            zsys_warning ("podd: task %lld: no reminder after %lld, stopping", (long long) task_id,
                          (long long) from);
            next = 0;
        }
    }
    if (podd_store_task_reminder_set (req->store, task_id, next, last))
        return podd_fail (req, PODP_INTERNAL, "cannot arm reminder");
    return 0;
}

//  Monday-to-Friday days from the due date to now (the due day not counted)
static int
s_working_days_overdue (int64_t due, int64_t now)
{
    int count = 0;
    for (int64_t day = podd_when_local_day_at (due, 1, 12); day <= now + DAY / 2 && count < 1000;
         day = podd_when_local_day_at (day, 1, 12))
        count += podd_when_local_weekday (day) < 5;
    return count;
}

static int
s_send_one (podd_request_t *req, int64_t task_id)
{
    podd_task_t task;
    podd_case_t kase;
    podd_pod_t pod;
    if (podd_store_task_get (req->store, task_id, &task)
    ||  podd_store_case_by_id (req->store, task.case_id, &kase)
    ||  podd_store_pod_by_id (req->store, kase.pod_id, &pod))
        return podd_fail (req, PODP_INTERNAL, "task vanished");
    int64_t manager_id = podd_store_pod_manager (req->store, kase.pod_id);
    podd_member_t holder = { 0 }, manager = { 0 };
    if (!task.assignee_id || podd_store_member_by_id (req->store, task.assignee_id, &holder))
        podd_store_member_by_id (req->store, manager_id, &holder);
    bool overdue = req->now >= task.due;
    int late = overdue? s_working_days_overdue (task.due, req->now): 0;
    bool escalate = overdue && manager_id && manager_id != holder.id
                 && late >= podd_config_escalate_after (req->config)
                 && podd_store_member_by_id (req->store, manager_id, &manager) == 0;
    const char *kind = escalate? "escalation": overdue? "overdue": "before";

    //  No case detail in the subject: mail systems log subjects
    char due [PODD_WHEN_LEN], date [PODD_DATE_LEN], subject [PODD_SUBJECT_MAX];
    podd_when_local_date (task.due, date);
    snprintf (subject, sizeof subject, "%s%s task %lld due %s", overdue? "Overdue: ": "Reminder: ",
              task.kind, (long long) task.id, date);
    json_t *full = podd_store_task_json (req->store, task.id, false);
    char body [BODY_MAX];
    snprintf (body, sizeof body,
        "%s\n\nTask %lld (%s) on case %s: %s\nDue: %s\nHeld by: %s (%s)\n%s\n"
        "See it with: podctl task show %lld\n\n-- \n%s, %s\n",
        overdue? (escalate? "This task is overdue; the team manager is copied in."
                          : "This task is overdue.")
               : "This task is coming up.",
        (long long) task.id, task.kind, kase.ref,
        json_string_value (json_object_get (full, "title")), podd_when_format (task.due, due),
        holder.name, holder.handle, "", (long long) task.id, pod.title, pod.mailbox);
    podd_mailbox_t from = { pod.title, pod.mailbox };
    podd_mailbox_t to = { holder.name, holder.email };
    podd_mailbox_t cc = { manager.name, manager.email };
    char message_id [PODD_MESSAGE_ID_MAX + 1], *raw = NULL;
    size_t size = 0;
    const char *reason = NULL;
    podd_message_id (podd_message_domain (pod.mailbox, podd_config_mail_domain (req->config)),
                     message_id, sizeof message_id);
    int64_t outbox_id = 0;
    if (podd_message_text (&from, &to, 1, &cc, escalate? 1: 0, subject, body, message_id, req->now,
                           &raw, &size, &reason) == 0) {
        const char *rcpts [2] = { holder.email, manager.email };
        const char *sender = *podd_config_mail_from (req->config)? podd_config_mail_from (req->config)
                                                                  : pod.mailbox;
        outbox_id = podd_outbox_queue (req, kind, kase.pod_id, task.id, sender, rcpts,
                                       escalate? 2: 1, subject, message_id, raw, size);
        free (raw);
        if (outbox_id < 0) {
            json_decref (full);
            return -1;
        }
    }
    else
        zsys_warning ("podd: reminder for task %lld not mailed: %s", (long long) task.id, reason);
    if (podd_store_reminder_add (req->store, task.id, holder.id, kind, req->now, outbox_id)) {
        json_decref (full);
        return podd_fail (req, PODP_INTERNAL, "cannot record reminder");
    }
    podd_notice (req, holder.id, json_pack ("{s:s s:s s:O}", "kind", "reminder", "text", subject,
                                            "data", full));
    if (escalate)
        podd_notice (req, manager.id, json_pack ("{s:s s:s s:O}", "kind", "escalation",
                     "text", subject, "data", full));
    json_decref (full);
    //  Next one after now
    if (podd_store_task_reminder_set (req->store, task.id, 0, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot arm reminder");
    return podd_reminders_arm (req, task.id);
}

int
podd_reminders_run_due (podd_request_t *req)
{
    int64_t ids [BATCH];
    size_t count = podd_store_reminders_due (req->store, req->now, ids, BATCH);
    for (size_t i = 0; i < count; i++)
        if (s_send_one (req, ids [i]))
            return -1;
    return 0;
}

int64_t
podd_reminders_next_due (podd_store_t *store)
{
    return podd_store_reminders_next_due (store);
}
