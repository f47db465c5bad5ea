/*  request.h - one client request as the handlers see it.

    Owns: the context a handler works in (store, config, the
    authenticated actor, the clock) and what it produces (status, reason,
    reply data, and deliveries to push after commit). Handlers never touch
    sockets; the server sends replies and pushes once the batch commits.
*/
#ifndef PODD_REQUEST_H_INCLUDED
#define PODD_REQUEST_H_INCLUDED

#include "podp.h"
#include "store.h"
#include "config.h"
#include "standards.h"

#define PODD_VERSION "0.1.0"

typedef struct {
    const char *command;        /* "TASK" (from the mailbox) or "NOTICE" */
    int64_t member_id;          /* to whom */
    int64_t delivery;           /* mailbox row id, 0 for a NOTICE */
    json_t *body;               /* push body, owned */
    char *text;                 /* body encoded already (owned), or NULL */
} podd_push_t;

typedef struct {
    podd_store_t  *store;
    podd_config_t *config;
    podd_standards_t *standards;    /* practice standards, may be NULL */
    podd_member_t *actor;       /* authenticated member */
    const char    *connection;  /* for the audit trail: "curve:KEY" */
    int64_t        now;
    podp_msg_t    *msg;         /* the decoded request */
    //  Results
    int     status;
    char    reason [256];
    json_t *data;               /* owned */
    char   *data_text;          /* or the data encoded already (owned) */
    zlistx_t *pushes;           /* podd_push_t items, owned */
} podd_request_t;

//  Record a failure; returns -1 so handlers can `return podd_fail (...)`.
int podd_fail (podd_request_t *req, int status, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
//  Record success with data (stolen; NULL = empty object); returns 0.
int podd_ok (podd_request_t *req, int status, json_t *data);
//  The same with the data's JSON text (an object; taken), sent as it is.
int podd_ok_text (podd_request_t *req, int status, char *data_text);
//  The REPLY of a request carried out (rid: the request's), taking its
//  data; status, reason and data as podd_ok or podd_fail left them.
podp_msg_t *podd_reply (podd_request_t *req, int64_t rid);
//  Queue a TASK push (body stolen) for after commit.
void podd_push (podd_request_t *req, int64_t member_id, int64_t delivery, json_t *body);
//  The same with the body encoded already (text taken: body's compact JSON).
void podd_push_encoded (podd_request_t *req, int64_t member_id, int64_t delivery, json_t *body,
                        char *text);
//  Queue a NOTICE push (body stolen) for after commit.
void podd_notice (podd_request_t *req, int64_t member_id, json_t *body);
//  A durable NOTICE (body stolen): written to the member's mailbox about
//  task_id in this transaction, pushed with its "delivery" after commit,
//  replayed by WATCH until ACKed. Returns 0, or -1 having failed the request.
int podd_notice_kept (podd_request_t *req, int64_t member_id, int64_t task_id, json_t *body);
//  The push that replays a mailbox row: *command "TASK" (the task payload
//  as "task") or "NOTICE" (a durable notice), with "delivery". NULL when
//  the payload cannot be read.
json_t *podd_delivery_body (int64_t delivery, const char *payload, const char **command);
//  Write an audit row for the request's actor; returns 0 or fails 500.
int podd_audit (podd_request_t *req, const char *action, const char *object, const char *detail);
//  The same for an object named "KIND:ID" (e.g. "task:42").
int podd_audit_id (podd_request_t *req, const char *action, const char *kind, int64_t id,
                   const char *detail);

//  The shared checks of an address and of a display name in a request
//  field (config.c: podd_address_canonical, podd_display_name_problem):
//  0, or -1 having failed the request with 422 naming the field (and item,
//  when item >= 0). The address comes back canonical (lower case, no
//  "mailto:") in out.
#define PODD_ADDRESS_MAX 255
int podd_field_address (podd_request_t *req, const char *field, long item, const char *value,
                        char out [PODD_ADDRESS_MAX]);
int podd_field_name (podd_request_t *req, const char *field, const char *value);

//  A list's page from the request's "limit" (1 .. PODP_LIST_MAX, default
//  PODP_LIST_DEFAULT) and "after" (a cursor, the "next" of the page
//  before): 0, or -1 having failed the request with 422
int podd_page_fields (podd_request_t *req, podd_page_t *page);
//  Reply 200 with {"items": items (stolen), "next": the page's next or
//  null}, or, when items is NULL (a cursor not of this list), 422
int podd_page_reply (podd_request_t *req, json_t *items, const podd_page_t *page);
//  The same with the items' JSON text (an array; taken), sent as it is.
int podd_page_reply_text (podd_request_t *req, char *items, const podd_page_t *page);

//  String equality that is false when either side is NULL
static inline bool
podd_streq (const char *a, const char *b)
{
    return a && b && strcmp (a, b) == 0;
}

#endif
