/*  delegation.c - delegated work and follow-up dates. See delegation.h. */
#include "delegation.h"
#include "access.h"
#include "caseops.h"
#include "taskops.h"
#include "routing.h"
#include "reminders.h"
#include "standardsops.h"
#include "handover.h"
#include "when.h"

#define FOLLOW_UPS_MAX 200

static bool
s_live (const podd_task_t *task)
{
    return podd_streq (task->state, "open") || podd_streq (task->state, "offered")
        || podd_streq (task->state, "accepted");
}

int
podd_follow_up_field (podd_request_t *req, const char *field, int64_t *at)
{
    const char *text = podp_msg_string (req->msg, field);
    *at = 0;
    if (!text)
        return 0;
    int y, m, d;
    if (podd_when_parse (text, at))
        return podd_fail (req, PODP_INVALID, "field '%s': '%s' is not a valid date", field, text);
    if (podd_when_parse_date (text, &y, &m, &d) == 0)      //  a day: at the reminder hour
        *at = podd_when_local_day_at (*at, 0, podd_config_remind_hour (req->config));
    return 0;
}

static json_t *
s_reply (podd_request_t *req, int64_t task_id)
{
    return podd_store_task_json (req->store, task_id, false);
}

//  The task in "task", visible to the caller
static int
s_task_for (podd_request_t *req, podd_task_t *task, podd_case_t *kase)
{
    int64_t id = podp_msg_int (req->msg, "task", 0);
    if (podd_store_task_get (req->store, id, task)
    ||  podd_store_case_by_id (req->store, task->case_id, kase))
        return podd_fail (req, PODP_NOT_FOUND, "no task %lld", (long long) id);
    if (!podd_access_pod_read (req->actor, kase->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "task %lld belongs to another pod", (long long) id);
    return 0;
}

int
podd_op_task_delegate (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    podd_member_t to;
    int64_t follow_up;
    if (s_task_for (req, &task, &kase) || podd_follow_up_field (req, "follow_up", &follow_up))
        return -1;
    if (task.assignee_id != req->actor->id)
        return podd_fail (req, PODP_FORBIDDEN, "task %lld is not yours to delegate", (long long) task.id);
    if (!s_live (&task))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s", (long long) task.id, task.state);
    if (podd_pod_member (req, podp_msg_string (req->msg, "to"), kase.pod_id, &to))
        return -1;
    if (to.id == req->actor->id)
        return podd_fail (req, PODP_CONFLICT, "task %lld is already yours", (long long) task.id);
    if (!podd_route_role_allowed (req->config, task.kind, &to))
        return podd_fail (req, PODP_INVALID, "a %s may not do a %s task", to.role, task.kind);
    if (podd_store_member_absent (req->store, to.id, req->now))
        return podd_fail (req, PODP_INVALID, "%s is away", to.handle);
    int64_t delegator = 0, old_follow_up = 0;
    bool awaiting, sent;
    podd_store_task_delegation (req->store, task.id, &delegator, &awaiting, &old_follow_up, &sent);
    //  Whoever delegated first stays accountable through any re-delegation
    if (!delegator)
        delegator = req->actor->id;
    podd_member_t accountable;
    podd_store_member_by_id (req->store, delegator, &accountable);
    const char *note = podp_msg_string (req->msg, "reason");
    char why [PODP_STRING_MAX + 128];
    snprintf (why, sizeof why, "delegated by %s, %s stays accountable%s%s", req->actor->handle,
              accountable.handle, note && *note? ": ": "", note? note: "");
    if (podd_store_task_set_delegator (req->store, task.id, delegator)
    ||  podd_store_task_set_awaiting (req->store, task.id, false)
    ||  (follow_up && podd_store_task_set_follow_up (req->store, task.id, follow_up)))
        return podd_fail (req, PODP_INTERNAL, "cannot delegate");
    if (podd_task_move (req, task.id, "offered", to.id, "delegated", why)
    ||  podd_audit_id (req, "task-delegate", "task", task.id, to.handle))
        return -1;
    return podd_ok (req, PODP_OK, s_reply (req, task.id));
}

//  Back to the delegator, offered, with why
static int
s_back (podd_request_t *req, int64_t task_id, int64_t delegator, const char *event, const char *why)
{
    return podd_task_move (req, task_id, "offered", delegator, event, why);
}

int
podd_delegation_on_done (podd_request_t *req, int64_t task_id, const char *evidence)
{
    int64_t delegator = 0, follow_up = 0;
    bool awaiting = false, sent = false;
    if (podd_store_task_delegation (req->store, task_id, &delegator, &awaiting, &follow_up, &sent)
    ||  !delegator || delegator == req->actor->id)
        return 0;
    char why [PODP_STRING_MAX + 128];
    snprintf (why, sizeof why, "done by %s, for %s to confirm: %s", req->actor->handle,
              "the delegator", evidence);
    if (podd_store_task_set_evidence (req->store, task_id, evidence, podp_msg_string (req->msg, "reference"))
    ||  podd_store_task_set_awaiting (req->store, task_id, true))
        return podd_fail (req, PODP_INTERNAL, "cannot record evidence");
    if (s_back (req, task_id, delegator, "done-for-confirm", why)
    ||  podd_audit_id (req, "task-done-delegate", "task", task_id, ""))
        return -1;
    return 1;
}

int
podd_delegation_on_decline (podd_request_t *req, int64_t task_id, const char *reason)
{
    int64_t delegator = 0, follow_up = 0;
    bool awaiting = false, sent = false;
    if (podd_store_task_delegation (req->store, task_id, &delegator, &awaiting, &follow_up, &sent)
    ||  !delegator || delegator == req->actor->id)
        return 0;
    char why [PODP_STRING_MAX + 128];
    snprintf (why, sizeof why, "declined by %s, back to the delegator: %s", req->actor->handle, reason);
    if (podd_store_task_history_add (req->store, task_id, req->actor->id, "declined", req->actor->id,
                                     reason, req->now)
    ||  podd_store_task_set_delegator (req->store, task_id, 0))
        return podd_fail (req, PODP_INTERNAL, "cannot update task");
    if (s_back (req, task_id, delegator, "delegation-declined", why)
    ||  podd_audit_id (req, "task-decline", "task", task_id, reason))
        return -1;
    return 1;
}

int
podd_op_task_confirm (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    if (s_task_for (req, &task, &kase))
        return -1;
    int64_t delegator = 0, follow_up = 0;
    bool awaiting = false, sent = false;
    podd_store_task_delegation (req->store, task.id, &delegator, &awaiting, &follow_up, &sent);
    if (!delegator || !awaiting)
        return podd_fail (req, PODP_CONFLICT, "task %lld is not waiting for a confirmation",
                          (long long) task.id);
    if (delegator != req->actor->id)
        return podd_fail (req, PODP_FORBIDDEN, "only the delegator confirms task %lld", (long long) task.id);
    if (!s_live (&task))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s", (long long) task.id, task.state);
    char done_on [PODD_DATE_LEN];
    if (podd_standards_check_done (req, task.id, done_on))
        return -1;
    if (podd_store_task_set_awaiting (req->store, task.id, false)
    ||  podd_task_move (req, task.id, "done", req->actor->id, "confirmed", "")
    ||  podd_standards_after_done (req, task.id, done_on)
    ||  podd_audit_id (req, "task-confirm", "task", task.id, ""))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot confirm");
    return podd_ok (req, PODP_OK, s_reply (req, task.id));
}

int
podd_op_task_follow_up (podd_request_t *req)
{
    podd_task_t task;
    podd_case_t kase;
    int64_t at;
    if (s_task_for (req, &task, &kase) || podd_follow_up_field (req, "on", &at))
        return -1;
    int64_t delegator = 0, old = 0;
    bool awaiting, sent;
    podd_store_task_delegation (req->store, task.id, &delegator, &awaiting, &old, &sent);
    if (task.assignee_id != req->actor->id && delegator != req->actor->id
    &&  task.creator_id != req->actor->id && !podd_access_pod_manage (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the holder, the delegator, the creator or the "
                          "team manager sets a follow-up");
    if (!s_live (&task))
        return podd_fail (req, PODP_CONFLICT, "task %lld is %s", (long long) task.id, task.state);
    char when [PODD_WHEN_LEN];
    if (podd_store_task_set_follow_up (req->store, task.id, at)
    ||  podd_audit_id (req, "task-follow-up", "task", task.id, at? podd_when_format (at, when): "cleared"))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot set follow-up");
    return podd_ok (req, PODP_OK, s_reply (req, task.id));
}

//  The follow-up day: a kept notice to the holder (and the delegator) and
//  the holder's reminder mail of the day
int
podd_delegation_run_due (podd_request_t *req)
{
    int64_t ids [FOLLOW_UPS_MAX];
    size_t count = podd_store_follow_ups_due (req->store, req->now, ids, FOLLOW_UPS_MAX);
    for (size_t i = 0; i < count; i++) {
        podd_task_t task;
        int64_t delegator = 0, follow_up = 0;
        bool awaiting, sent;
        if (podd_store_task_follow_up_sent (req->store, ids [i]))
            return podd_fail (req, PODP_INTERNAL, "cannot record follow-up");
        if (podd_store_task_get (req->store, ids [i], &task) || !s_live (&task))
            continue;
        podd_store_task_delegation (req->store, task.id, &delegator, &awaiting, &follow_up, &sent);
        char text [160];
        snprintf (text, sizeof text, "follow up today: %s task %lld", task.kind, (long long) task.id);
        int64_t holder = task.assignee_id;
        if (holder && (podd_notice_keep (req, holder, "follow-up", text, s_reply (req, task.id))
                       || podd_reminders_follow_up_mail (req, task.id, holder)))
            return -1;
        if (delegator && delegator != holder
        &&  podd_notice_keep (req, delegator, "follow-up", text, s_reply (req, task.id)))
            return -1;
    }
    return 0;
}

int64_t
podd_delegation_next_due (podd_store_t *store)
{
    return podd_store_follow_ups_next (store);
}
