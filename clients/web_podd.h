/*  web_podd.h - podweb's link to podd: requests for members, watches.

    Owns: a pool of PODP/1 connections made with podweb's gateway key
    (PROTOCOL.md 4.4), each used by one HTTP thread at a time; every
    request names its member with "as". A watch is a connection of its
    own, WATCHing as one member, owned by one event stream. A connection
    that did not answer in time is dropped, never reused.
*/
#ifndef WEB_PODD_H_INCLUDED
#define WEB_PODD_H_INCLUDED

#include "podclient.h"

#define WEB_PODD_TIMEOUT_MS 10000

typedef struct _web_podd_t web_podd_t;

/* client_cert: the gateway's zcert (with _secret); NULL = insecure */
web_podd_t *web_podd_new (const char *endpoint, const char *client_cert,
                          const char *server_cert);
void web_podd_destroy (web_podd_t **self_p);

/* Send command as member with body (stolen; NULL = {}). Returns the reply
   data on 2xx, else NULL; *status is podd's status, 0 when podd did not
   answer. */
json_t *web_podd_request (web_podd_t *self, const char *member, const char *command,
                          json_t *body, int *status, char *reason, size_t reasonlen);

/* A new connection watching as member: 0 and the client with the
   heartbeat podd asks for, or -1 with *status (0 = no answer). */
podclient_t *web_podd_watch (web_podd_t *self, const char *member, int *heartbeat_ms,
                             int *status, char *reason, size_t reasonlen);

#endif
