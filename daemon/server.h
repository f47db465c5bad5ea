/*  server.h - the podd server actor.

    Owns: the ROUTER socket and its zloop, the ZAP handler that turns a
    CURVE key into an identity, connected sessions (watching, last seen,
    heartbeats and expiry), group commit (every request of one loop pass
    in one transaction, each in its own savepoint), dispatch to the
    handlers, and sending replies and pushes only after commit; the reader
    actors (reader.c) that answer read requests beside the batch, keeping
    each connection's requests in order.

    Run as a zactor: zactor_new (podd_server_actor, args) where args is a
    podd_server_args_t whose config and standards the actor takes over.
    The actor answers "READY" <endpoint> or "FAILED" <reason> once. Pipe
    commands:
      "RELOAD" <podd_config_t *> <podd_standards_t *>
                                   take a new configuration and rules (owned)
      "ENDPOINT"                   -> the bound endpoint
      "$TERM"                      stop
*/
#ifndef PODD_SERVER_H_INCLUDED
#define PODD_SERVER_H_INCLUDED

#include <czmq.h>
#include "config.h"
#include "standards.h"

typedef struct {
    podd_config_t *config;          /* taken over by the actor */
    podd_standards_t *standards;    /* taken over; may be NULL (no rules) */
} podd_server_args_t;

void podd_server_actor (zsock_t *pipe, void *args);

#endif
