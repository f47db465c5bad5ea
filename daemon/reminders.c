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

//  A day the holder works: one of their pattern's days and no bank
//  holiday (the standards' calendar: one place for that fact)
#define SEARCH_DAYS 21          //  enough for any pattern around Christmas

static bool
s_works (podd_standards_t *standards, int days, int64_t t)
{
    char date [PODD_DATE_LEN];
    int y, m, d;
    if (!(days & (1 << podd_when_local_weekday (t))))
        return false;
    return podd_when_parse_date (podd_when_local_date (t, date), &y, &m, &d)
        || !podd_standards_holiday (standards, y, m, d);
}

//  Move an instant to the holder's next working day at the send hour
static int64_t
s_on_working_day (podd_standards_t *standards, int64_t t, int days, int hour)
{
    for (int i = 0; i < SEARCH_DAYS && !s_works (standards, days, t); i++)
        t = podd_when_local_day_at (t, 1, hour);
    return t;
}

//  ... or back to the one before (a reminder before the due date)
static int64_t
s_before_working_day (podd_standards_t *standards, int64_t t, int days, int hour)
{
    int64_t back = t;
    for (int i = 0; i < SEARCH_DAYS && !s_works (standards, days, back); i++)
        back = podd_when_local_day_at (back, -1, hour);
    return s_works (standards, days, back)? back: t;
}

//  The first reminder moment after `last` for a task due at `due`.
//  Reminders before the due date that fall on a day the holder does not
//  work go on the working day before; so does a reminder for a due date
//  that itself falls on such a day (a calendar timescale that lands on a
//  weekend or bank holiday stays there, the reminder comes first)
static int64_t
s_next_moment (podd_request_t *req, const podd_kind_t *kind, int64_t due, int64_t last, int days)
{
    podd_config_t *config = req->config;
    int hour = podd_config_remind_hour (config);
    int64_t next = 0;
    for (size_t i = 0; i <= kind->remind_count; i++) {
        int64_t at = i < kind->remind_count
                   ? podd_when_local_day_at (due, -kind->remind_days [i], hour)
                   : s_works (req->standards, days, due)? 0: podd_when_local_day_at (due, 0, hour);
        if (!at)
            continue;
        if (at > due)
            at = due;
        at = s_before_working_day (req->standards, at, days, hour);
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

int64_t
podd_reminders_next (podd_request_t *req, const podd_task_t *task, int64_t last)
{
    podd_kind_t *kind = podd_config_kind (req->config, task->kind);
    int64_t next = 0;
    if (s_live (task) && task->due && kind) {
        int64_t from = last > req->now? last: req->now;
        int days = s_working_days (req->store, task->assignee_id);
        next = s_next_moment (req, kind, task->due, from, days);
        if (next)
            next = s_on_working_day (req->standards, next, days,
                                     podd_config_remind_hour (req->config));
        //  A reminder always moves on: never one at or before the last
        if (next && next <= from) {
            zsys_warning ("podd: task %lld: no reminder after %lld, stopping", (long long) task->id,
                          (long long) from);
            next = 0;
        }
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
    next = podd_reminders_next (req, &task, last);
    if (podd_store_task_reminder_set (req->store, task_id, next, last))
        return podd_fail (req, PODP_INTERNAL, "cannot arm reminder");
    return 0;
}

//  Working days from the due date to now (the due day not counted), as
//  the standards count them: weekends and bank holidays skipped
static int
s_working_days_overdue (podd_standards_t *standards, int64_t due, int64_t now)
{
    int count = 0;
    for (int64_t day = podd_when_local_day_at (due, 1, 12); day <= now + DAY / 2 && count < 1000;
         day = podd_when_local_day_at (day, 1, 12))
        count += podd_standards_working_on (standards, day);
    return count;
}

//  --------------------------------------------------------------------
//  One reminder mail a day per member: everything they hold that is
//  overdue or due within the week (and, for a team manager, the overdue
//  work of the pod escalated to them), by task id, kind, due date and
//  priority only: nothing of a case goes into a mail

#define DIGEST_TASKS  50
#define DIGEST_AHEAD  8         /* days: due before midnight eight days on */

//  One line of the mail: "task 12  statutory-visit  due 2026-12-10  urgent  overdue"
static size_t
s_digest_line (podd_request_t *req, int64_t task_id, char *buf, size_t size, bool with_holder)
{
    podd_task_t task;
    if (podd_store_task_get (req->store, task_id, &task))
        return 0;
    json_t *full = podd_store_task_json (req->store, task_id, false);
    char date [PODD_DATE_LEN], held [128] = "";
    if (with_holder) {
        podd_member_t then, now;
        int64_t then_id = podd_store_task_holder_at (req->store, task_id, task.due);
        bool known_now = task.assignee_id && podd_store_member_by_id (req->store, task.assignee_id, &now) == 0;
        if (then_id && then_id != task.assignee_id && podd_store_member_by_id (req->store, then_id, &then) == 0)
            snprintf (held, sizeof held, "  held by %s when it fell overdue, now %s", then.handle,
                      known_now? now.handle: "nobody");
        else
        if (known_now)
            snprintf (held, sizeof held, "  held by %s", now.handle);
    }
    int n = snprintf (buf, size, "  task %lld  %s  due %s  %s%s%s\n", (long long) task.id, task.kind,
                      podd_when_local_date (task.due, date),
                      json_string_value (json_object_get (full, "priority")),
                      task.due <= req->now? "  OVERDUE": "", held);
    json_decref (full);
    return n < 0? 0: (size_t) n < size? (size_t) n: size - 1;
}

//  The outbox row of member's reminder mail today, queued now when there
//  is none yet (listing trigger_id whatever its due date). -1 on failure.
static int64_t
s_daily_mail (podd_request_t *req, const podd_member_t *member, const podd_pod_t *pod,
              int64_t trigger_id)
{
    if (!member->id || !*member->email)
        return 0;
    int64_t since = podd_when_local_day_at (req->now, 0, 0);
    int64_t already = podd_store_reminder_mailed_since (req->store, member->id, since);
    if (already)
        return already;
    int64_t ids [DIGEST_TASKS], escalated [DIGEST_TASKS];
    size_t count = podd_store_tasks_due_for (req->store, member->id,
                                             podd_when_local_day_at (req->now, DIGEST_AHEAD, 0),
                                             podd_when_local_day_at (req->now, 1, 0),
                                             ids, DIGEST_TASKS);
    bool listed = false;
    for (size_t i = 0; i < count; i++)
        listed = listed || ids [i] == trigger_id;
    size_t escalated_count = 0;
    if (podd_streq (member->role, "team-manager")) {
        int64_t pod_ids [DIGEST_TASKS];
        size_t pod_count = podd_store_tasks_overdue_pod (req->store, pod->id, req->now, pod_ids, DIGEST_TASKS);
        for (size_t i = 0; i < pod_count; i++) {
            podd_task_t task;
            if (podd_store_task_get (req->store, pod_ids [i], &task) || task.assignee_id == member->id
            ||  s_working_days_overdue (req->standards, task.due, req->now) < podd_config_escalate_after (req->config))
                continue;
            escalated [escalated_count++] = task.id;
            listed = listed || task.id == trigger_id;
        }
    }
    if (!listed && count < DIGEST_TASKS)
        ids [count++] = trigger_id;
    char *body = NULL;
    size_t body_size = 0;
    FILE *out = open_memstream (&body, &body_size);
    if (!out)
        return podd_fail (req, PODP_INTERNAL, "out of memory");
    char line [256];
    size_t overdue = 0;
    fprintf (out, "Your tasks overdue, due within the week, or to follow up today:\n");
    for (size_t i = 0; i < count; i++) {
        podd_task_t task;
        if (podd_store_task_get (req->store, ids [i], &task) == 0 && task.due <= req->now)
            overdue++;
        if (s_digest_line (req, ids [i], line, sizeof line, false))
            fputs (line, out);
    }
    if (escalated_count) {
        fprintf (out, "\nOverdue in your pod, escalated to you:\n");
        for (size_t i = 0; i < escalated_count; i++)
            if (s_digest_line (req, escalated [i], line, sizeof line, true))
                fputs (line, out);
    }
    fprintf (out, "\nSee them with: podctl task list --mine (and podctl task list --overdue)\n"
                  "\n-- \n%s, %s\n", pod->title, pod->mailbox);
    fclose (out);
    char subject [PODD_SUBJECT_MAX], date [PODD_DATE_LEN];
    snprintf (subject, sizeof subject, "Your podd reminders for %s: %zu overdue, %zu coming up%s",
              podd_when_local_date (req->now, date), overdue, count - overdue,
              escalated_count? ", escalations": "");
    int64_t outbox_id = podd_outbox_mail_member (req, "reminder", pod, member, subject, body,
                                                 "reminders", member->handle);
    free (body);
    return outbox_id;
}

int
podd_reminders_follow_up_mail (podd_request_t *req, int64_t task_id, int64_t member_id)
{
    podd_task_t task;
    podd_case_t kase;
    podd_pod_t pod;
    podd_member_t member;
    if (podd_store_task_get (req->store, task_id, &task)
    ||  podd_store_case_by_id (req->store, task.case_id, &kase)
    ||  podd_store_pod_by_id (req->store, kase.pod_id, &pod)
    ||  podd_store_member_by_id (req->store, member_id, &member))
        return podd_fail (req, PODP_INTERNAL, "task vanished");
    int64_t outbox_id = s_daily_mail (req, &member, &pod, task_id);
    if (outbox_id < 0
    ||  podd_store_reminder_add (req->store, task_id, member_id, "follow-up", req->now, outbox_id))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot record reminder");
    return 0;
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
    int late = overdue? s_working_days_overdue (req->standards, task.due, req->now): 0;
    bool escalate = overdue && manager_id && manager_id != holder.id
                 && late >= podd_config_escalate_after (req->config)
                 && podd_store_member_by_id (req->store, manager_id, &manager) == 0;
    const char *kind = escalate? "escalation": overdue? "overdue": "before";

    //  No case detail in the subject: mail systems log subjects. The mail
    //  itself is the member's one reminder mail of the day (s_daily_mail)
    char date [PODD_DATE_LEN], subject [PODD_SUBJECT_MAX];
    podd_when_local_date (task.due, date);
    snprintf (subject, sizeof subject, "%s%s task %lld due %s", overdue? "Overdue: ": "Reminder: ",
              task.kind, (long long) task.id, date);
    json_t *full = podd_store_task_json (req->store, task.id, false);
    if (escalate) {
        //  Name who held it when it fell overdue (it may have changed hands)
        podd_member_t then = { 0 };
        int64_t then_id = podd_store_task_holder_at (req->store, task.id, task.due);
        if (then_id && podd_store_member_by_id (req->store, then_id, &then) == 0)
            json_object_set_new (full, "held_when_overdue", json_string (then.handle));
        if (then_id && then_id != holder.id) {
            size_t used = strlen (subject);
            snprintf (subject + used, sizeof subject - used, " (held by %s when it fell overdue)",
                      then.handle);
        }
    }
    int64_t outbox_id = s_daily_mail (req, &holder, &pod, task.id);
    if (outbox_id >= 0 && escalate) {
        int64_t manager_mail = s_daily_mail (req, &manager, &pod, task.id);
        if (manager_mail < 0
        ||  podd_store_reminder_add (req->store, task.id, manager.id, kind, req->now, manager_mail))
            outbox_id = -1;
    }
    if (outbox_id < 0) {
        json_decref (full);
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot record reminder");
    }
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
