/*  podp.h - the PODP/1 wire codec shared by podd and its clients.

    Owns: framing (signature, command, body frames), strict validation of
    every incoming message against the command table (sizes, types, UTF-8,
    required and unknown fields), status codes and their reasons, and the
    encoding of requests, replies and pushes. Never asserts on input.

    Spec: proto/PROTOCOL.md. A message on the wire, after any ROUTER
    routing-id frame, is exactly three frames:
        1. signature  "PODP/1"
        2. command    token, e.g. "CASE-OPEN", "REPLY", "TASK"
        3. body       a JSON object (UTF-8), at most max_body octets
*/
#ifndef PODP_H_INCLUDED
#define PODP_H_INCLUDED

#include <czmq.h>
#include <jansson.h>
#include <stdbool.h>

#define PODP_SIGNATURE      "PODP/1"
#define PODP_VERSION        1
#define PODP_COMMAND_MAX    32          /* octets in a command token */
#define PODP_BODY_DEFAULT   65536       /* default max body octets */
#define PODP_STRING_MAX     4096        /* default max octets in a string field */
#define PODP_INGEST_MESSAGE_MAX 1048576 /* INGEST-MAIL "message": base64 of a mail */
#define PODP_INGEST_BODY_MAX    (PODP_INGEST_MESSAGE_MAX + 1024)
#define PODP_ACK_ITEMS      1000        /* delivery ids in one ACK "deliveries" */
#define PODP_LIST_DEFAULT   200         /* items in a list page when "limit" is not given */
#define PODP_LIST_MAX       1000        /* most items in a list page ("limit") */
                                        /* INGEST-MAIL body limit, whatever max-body says */

/* Status codes (PROTOCOL.md section "Status codes") */
typedef enum {
    PODP_OK              = 200,
    PODP_CREATED         = 201,
    PODP_ACCEPTED        = 202,   /* e.g. ACK of an already-acked delivery is NOT this: see 409 */
    PODP_BAD_REQUEST     = 400,   /* malformed frames, invalid JSON, wrong type, missing/unknown field */
    PODP_UNAUTHENTICATED = 401,   /* no authenticated key, or key not mapped to an active member */
    PODP_FORBIDDEN       = 403,   /* authenticated but not allowed (role, pod) */
    PODP_NOT_FOUND       = 404,   /* unknown member, pod, case, task, delivery */
    PODP_UNKNOWN_COMMAND = 405,
    PODP_CONFLICT        = 409,   /* state does not allow it: closed case, double ack, wrong task state */
    PODP_TOO_LARGE       = 413,   /* body or field over its limit */
    PODP_INVALID         = 422,   /* well-formed but invalid value: bad date, bad role, CR/LF in a name */
    PODP_BAD_VERSION     = 426,   /* signature/version not supported */
    PODP_INTERNAL        = 500,
    PODP_UNAVAILABLE     = 503    /* store busy or shutting down; safe to retry */
} podp_status_t;

/* Field types in the command table */
typedef enum {
    PODP_T_STRING,      /* printable UTF-8, no control characters (CR/LF/TAB/NUL...) */
    PODP_T_TEXT,        /* UTF-8, may contain LF and TAB (notes, evidence); no other controls */
    PODP_T_INT,         /* JSON integer, 0 .. 2^53 */
    PODP_T_BOOL,
    PODP_T_STRINGS,     /* JSON array of PODP_T_STRING, at most 64 items */
    PODP_T_OBJECT,      /* any JSON object (only in server->client messages) */
    PODP_T_INTS         /* JSON array of PODP_T_INT, 1 .. max items */
} podp_type_t;

/* A decoded, validated message. The body is owned by the message. */
typedef struct _podp_msg_t podp_msg_t;

/* Result of decoding: status 0 on success, else the code and a reason. */
typedef struct {
    int  status;            /* 0 = ok, else podp_status_t */
    char reason [512];      /* human-readable, names the field at fault (a REPLY
                               reason holds 512 octets) */
} podp_error_t;

/* Create a message with command and body (body reference is stolen;
   NULL body means empty object). */
podp_msg_t *podp_msg_new (const char *command, json_t *body);
/* The same with the body encoded already: text (taken) is the body's JSON
   text, sent by podp_encode as it is instead of encoding body again (a
   body that was also stored, or goes to many peers). body may be NULL:
   then the message's body, as read, is empty. */
podp_msg_t *podp_msg_new_encoded (const char *command, json_t *body, char *text);
void        podp_msg_destroy (podp_msg_t **self_p);
const char *podp_msg_command (podp_msg_t *self);
json_t     *podp_msg_body (podp_msg_t *self);       /* borrowed */

/* Convenience getters on the body; return NULL/default when absent.
   Only meaningful after podp_decode validated the types. */
const char *podp_msg_string (podp_msg_t *self, const char *field);
int64_t     podp_msg_int (podp_msg_t *self, const char *field, int64_t dflt);
bool        podp_msg_bool (podp_msg_t *self, const char *field, bool dflt);
json_t     *podp_msg_array (podp_msg_t *self, const char *field);  /* borrowed */

/* Decode frames (signature, command, body) from msg, which must be
   positioned at the signature frame (a ROUTER's routing-id frame already
   popped). Validates against the command table for the given direction:
   to_server true for client->server commands, false for server->client.
   max_body is the largest body accepted (0 = PODP_BODY_DEFAULT).
   Returns a new message or NULL with err filled in. msg is not destroyed. */
podp_msg_t *podp_decode (zmsg_t *msg, bool to_server, size_t max_body,
                         podp_error_t *err);

/* Best effort: the "rid" of a message podp_decode refused, so an error
   REPLY can still echo it. Returns the rid when msg has 3 frames and its
   body is a JSON object with an integer "rid" in 0..2^53-1; else -1. A
   body over max_body octets (0 = default), or one holding an integer too
   big for the JSON parser, is scanned (its top-level object's structure
   only) rather than parsed. msg is not destroyed. */
int64_t podp_peek_rid (zmsg_t *msg, size_t max_body);

/* Encode as a new zmsg (signature, command, body frames). */
zmsg_t *podp_encode (podp_msg_t *self);

/* Send message on socket (not destroyed). Returns 0 or -1. When
   routing_id is not NULL it is sent first (ROUTER). */
int podp_send (podp_msg_t *self, zsock_t *sock, zframe_t *routing_id);

/* Build a REPLY: {"rid":rid?,"status":code,"reason":reason,"data":data?}.
   rid < 0 means absent. data stolen, may be NULL. */
podp_msg_t *podp_reply_new (int64_t rid, int status, const char *reason,
                            json_t *data);
/* The same with data encoded already: data_text (taken) is the JSON text
   of an object, sent as it is; the message's body, as read, has no data. */
podp_msg_t *podp_reply_new_encoded (int64_t rid, int status, const char *reason,
                                    char *data_text);

/* Standard reason phrase for a status code ("OK", "Bad Request", ...). */
const char *podp_status_text (int status);

/* True when s is valid UTF-8 with no control characters other than those
   allowed (allow_newlines: LF and TAB allowed). */
bool podp_text_ok (const char *s, bool allow_newlines);

/* Is this a known client->server command? */
bool podp_command_known (const char *command, bool to_server);

/* Iterate the command table (for podctl help and docs): returns the
   command name at index i, NULL at the end. */
const char *podp_command_at (size_t index, bool to_server);

/* Self test */
void podp_test (bool verbose);

#endif
