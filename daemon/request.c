/*  request.c - one client request as the handlers see it. See request.h. */
#include "request.h"
#include <stdarg.h>

int
podd_fail (podd_request_t *req, int status, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (req->reason, sizeof req->reason, format, args);
    va_end (args);
    req->status = status;
    json_decref (req->data);
    req->data = NULL;
    free (req->data_text);
    req->data_text = NULL;
    return -1;
}

int
podd_ok (podd_request_t *req, int status, json_t *data)
{
    req->status = status;
    snprintf (req->reason, sizeof req->reason, "%s", podp_status_text (status));
    json_decref (req->data);
    req->data = data? data: json_object ();
    free (req->data_text);
    req->data_text = NULL;
    return 0;
}

int
podd_ok_text (podd_request_t *req, int status, char *data_text)
{
    podd_ok (req, status, NULL);
    json_decref (req->data);
    req->data = NULL;
    req->data_text = data_text;
    return 0;
}

podp_msg_t *
podd_reply (podd_request_t *req, int64_t rid)
{
    podp_msg_t *reply = req->data_text
        ? podp_reply_new_encoded (rid, req->status, req->reason, req->data_text)
        : podp_reply_new (rid, req->status, req->reason, req->data);
    req->data = NULL;
    req->data_text = NULL;
    return reply;
}

void
podd_push (podd_request_t *req, int64_t member_id, int64_t delivery, json_t *body)
{
    podd_push_t *push = (podd_push_t *) zmalloc (sizeof (podd_push_t));
    push->command = "TASK";
    push->member_id = member_id;
    push->delivery = delivery;
    push->body = body;
    zlistx_add_end (req->pushes, push);
}

void
podd_push_encoded (podd_request_t *req, int64_t member_id, int64_t delivery, json_t *body,
                   char *text)
{
    podd_push (req, member_id, delivery, body);
    ((podd_push_t *) zlistx_last (req->pushes))->text = text;
}

int
podd_audit_id (podd_request_t *req, const char *action, const char *kind, int64_t id,
               const char *detail)
{
    char object [64];
    snprintf (object, sizeof object, "%s:%lld", kind, (long long) id);
    return podd_audit (req, action, object, detail);
}

int
podd_audit (podd_request_t *req, const char *action, const char *object, const char *detail)
{
    if (podd_store_audit (req->store, req->actor->id, req->connection, action, object,
                          detail, req->now))
        return podd_fail (req, PODP_INTERNAL, "cannot write the audit trail");
    return 0;
}

void
podd_notice (podd_request_t *req, int64_t member_id, json_t *body)
{
    podd_push (req, member_id, 0, body);
    podd_push_t *push = (podd_push_t *) zlistx_last (req->pushes);
    push->command = "NOTICE";
}

int
podd_notice_kept (podd_request_t *req, int64_t member_id, int64_t task_id, json_t *body)
{
    json_t *stored = json_pack ("{s:O}", "notice", body);
    char *payload = json_dumps (stored, JSON_COMPACT);
    json_decref (stored);
    int64_t delivery = payload? podd_store_mailbox_add (req->store, member_id, task_id, 0,
                                                        payload, req->now): -1;
    free (payload);
    if (delivery < 0) {
        json_decref (body);
        return podd_fail (req, PODP_INTERNAL, "cannot write mailbox");
    }
    json_object_set_new (body, "delivery", json_integer (delivery));
    podd_push (req, member_id, delivery, body);
    podd_push_t *push = (podd_push_t *) zlistx_last (req->pushes);
    push->command = "NOTICE";
    return 0;
}

json_t *
podd_delivery_body (int64_t delivery, const char *payload, const char **command)
{
    json_t *stored = payload? json_loads (payload, 0, NULL): NULL;
    json_t *notice = json_object_get (stored, "notice");
    json_t *body = NULL;
    if (json_is_object (notice)) {
        *command = "NOTICE";
        body = json_deep_copy (notice);
        json_object_set_new (body, "delivery", json_integer (delivery));
        json_decref (stored);
    }
    else
    if (json_is_object (stored)) {
        *command = "TASK";
        body = json_pack ("{s:I s:o}", "delivery", (json_int_t) delivery, "task", stored);
    }
    else
        json_decref (stored);
    return body;
}

//  The address in a field (or an item of an array field), canonical in
//  out: the one check shared by PARTNER-*, MEMBER-ADD and MEETING-SCHEDULE
int
podd_field_address (podd_request_t *req, const char *field, long item, const char *value,
                    char out [PODD_ADDRESS_MAX])
{
    const char *problem = podd_address_canonical (value, out, PODD_ADDRESS_MAX);
    if (!problem)
        return 0;
    if (item >= 0)
        return podd_fail (req, PODP_INVALID, "field '%s' item %ld: %s", field, item, problem);
    return podd_fail (req, PODP_INVALID, "field '%s': %s", field, problem);
}

//  The display name in a field: the check shared with MEMBER-ADD
int
podd_field_name (podd_request_t *req, const char *field, const char *value)
{
    const char *problem = podd_display_name_problem (value);
    return problem? podd_fail (req, PODP_INVALID, "field '%s': %s", field, problem): 0;
}

int
podd_page_fields (podd_request_t *req, podd_page_t *page)
{
    memset (page, 0, sizeof *page);
    int64_t limit = podp_msg_int (req->msg, "limit", PODP_LIST_DEFAULT);
    if (limit < 1 || limit > PODP_LIST_MAX)
        return podd_fail (req, PODP_INVALID, "field 'limit': must be 1 .. %d, not %lld",
                          PODP_LIST_MAX, (long long) limit);
    page->limit = (size_t) limit;
    page->after = podp_msg_string (req->msg, "after");
    return 0;
}

int
podd_page_reply_text (podd_request_t *req, char *items, const podd_page_t *page)
{
    if (!items)
        return podd_fail (req, PODP_INVALID, "field 'after': '%s' is not a cursor of this list",
                          page->after? page->after: "");
    //  {"items":ITEMS,"next":CURSOR|null}, as podd_page_reply encodes it
    json_t *next = *page->next? json_string (page->next): json_null ();
    char *next_text = json_dumps (next, JSON_ENCODE_ANY);
    json_decref (next);
    char *text = NULL;
    if (!next_text || asprintf (&text, "{\"items\":%s,\"next\":%s}", items, next_text) < 0)
        text = NULL;
    free (next_text);
    free (items);
    if (!text)
        return podd_fail (req, PODP_INTERNAL, "out of memory");
    return podd_ok_text (req, PODP_OK, text);
}

int
podd_page_reply (podd_request_t *req, json_t *items, const podd_page_t *page)
{
    if (!items)
        return podd_fail (req, PODP_INVALID, "field 'after': '%s' is not a cursor of this list",
                          page->after? page->after: "");
    return podd_ok (req, PODP_OK, json_pack ("{s:o s:o}", "items", items,
                    "next", *page->next? json_string (page->next): json_null ()));
}
