/*  server.h - the podd server actor.

    Owns: the ROUTER socket and its zloop, the ZAP handler that turns a
    CURVE key into an identity, connected sessions (watching, last seen,
    heartbeats and expiry), group commit (every request of one loop pass
    in one transaction, each in its own savepoint), dispatch to the
    handlers, and sending replies and pushes only after commit.

    Run as a zactor: zactor_new (podd_server_actor, config) where config
    is a loaded podd_config_t the actor takes over. The actor answers
    "READY" <endpoint> or "FAILED" <reason> once. Pipe commands:
      "RELOAD" <podd_config_t *>   take a new configuration (pointer, owned)
      "ENDPOINT"                   -> the bound endpoint
      "$TERM"                      stop
*/
#ifndef PODD_SERVER_H_INCLUDED
#define PODD_SERVER_H_INCLUDED

#include <czmq.h>

void podd_server_actor (zsock_t *pipe, void *args);

#endif
