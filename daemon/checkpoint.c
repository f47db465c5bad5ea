/*  checkpoint.c - the WAL checkpointer beside the writer. See checkpoint.h. */
#include "checkpoint.h"
#include "store.h"
#include "log.h"

void
podd_checkpoint_actor (zsock_t *pipe, void *args)
{
    const char *database = (const char *) args;
    char err [512];
    zsock_signal (pipe, 0);
    //  Then 0 once the connection is open, or -1
    podd_store_t *store = podd_store_new_checkpointer (database, err, sizeof err);
    if (!store) {
        log_error ("podd: checkpointer: %s", err);
        zsock_send (pipe, "i", -1);
        //  Wait for $TERM so the server can destroy the actor normally
        char *command = zstr_recv (pipe);
        zstr_free (&command);
        return;
    }
    zsock_send (pipe, "i", 0);
    bool failing = false;
    while (true) {
        char *command = zstr_recv (pipe);
        if (!command) {
            if (zmq_errno () == EINTR)
                continue;       //  a signal: the server says when to stop
            break;
        }
        bool term = streq (command, "$TERM");
        if (streq (command, "CHECKPOINT")) {
            int copied = 0;
            if (podd_store_checkpoint (store, &copied)) {
                //  Busy or failing: the writer's WAL grows until a later
                //  checkpoint (or the writer's own) succeeds
                if (!failing)
                    log_warn ("podd: checkpoint: %s", podd_store_errmsg (store));
                failing = true;
                copied = -1;
            }
            else
                failing = false;
            zsock_send (pipe, "si", "DONE", copied);
        }
        zstr_free (&command);
        if (term)
            break;
    }
    podd_store_destroy (&store);
}
