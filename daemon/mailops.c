/*  mailops.c - requests about mail. See mailops.h. */
#include "mailops.h"
#include "access.h"
#include "when.h"

int
podd_op_mail_queue (podd_request_t *req)
{
    const char *state = podp_msg_string (req->msg, "state");
    const char *pod_name = podp_msg_string (req->msg, "pod");
    if (state && strcmp (state, "pending") && strcmp (state, "sent") && strcmp (state, "failed")
    &&  strcmp (state, "all"))
        return podd_fail (req, PODP_INVALID, "field 'state': must be pending, sent, failed or all");
    int64_t pod_id = req->actor->pod_id;
    if (pod_name) {
        podd_pod_t pod;
        if (podd_store_pod_by_name (req->store, pod_name, &pod))
            return podd_fail (req, PODP_NOT_FOUND, "no pod '%s'", pod_name);
        pod_id = pod.id;
    }
    else
    if (podd_access_admin (req->actor))
        pod_id = 0;
    if (!(pod_id == 0? podd_access_admin (req->actor): podd_access_pod_manage (req->actor, pod_id)))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager sees its mail queue");
    podd_page_t page;
    if (podd_page_fields (req, &page)
    ||  podd_page_reply (req, podd_store_outbox_page (req->store, pod_id, state? state: "all", &page),
                         &page))
        return -1;
    json_object_set_new (req->data, "counts", podd_store_outbox_counts (req->store, pod_id));
    return 0;
}

int
podd_op_mail_retry (podd_request_t *req)
{
    int64_t id = podp_msg_int (req->msg, "id", 0);
    podd_mail_row_t row;
    if (podd_store_outbox_get (req->store, id, &row))
        return podd_fail (req, PODP_NOT_FOUND, "no message %lld in the outbox", (long long) id);
    int64_t pod_id = row.pod_id;
    bool failed = strcmp (row.state, "failed") == 0;
    podd_store_outbox_free (&row);
    if (!(pod_id? podd_access_pod_manage (req->actor, pod_id): podd_access_admin (req->actor)))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager retries its mail");
    if (!failed)
        return podd_fail (req, PODP_CONFLICT, "message %lld has not failed", (long long) id);
    if (podd_store_outbox_retry (req->store, id, req->now)
    ||  podd_audit_id (req, "mail-retry", "outbox", id, ""))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot retry");
    return podd_ok (req, PODP_OK, podd_store_outbox_json (req->store, id));
}

int
podd_op_reminders (podd_request_t *req)
{
    int64_t id = podp_msg_int (req->msg, "task", 0);
    podd_task_t task;
    podd_case_t kase;
    int64_t next = 0, last = 0;
    if (podd_store_task_get (req->store, id, &task)
    ||  podd_store_case_by_id (req->store, task.case_id, &kase)
    ||  podd_store_task_reminder_get (req->store, id, &next, &last))
        return podd_fail (req, PODP_NOT_FOUND, "no task %lld", (long long) id);
    if (!podd_access_pod_read (req->actor, kase.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "task %lld belongs to another pod", (long long) id);
    char when [PODD_WHEN_LEN];
    return podd_ok (req, PODP_OK, json_pack ("{s:I s:o s:o}", "task", (json_int_t) id,
        "next", next? json_string (podd_when_format (next, when)): json_null (),
        "sent", podd_store_reminder_list (req->store, id)));
}
