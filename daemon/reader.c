/*  reader.c - read-only requests beside the writer. See reader.h. */
#include "reader.h"
#include "log.h"

#define READER_BUSY_MS  2000    /* wait this long for a lock (WAL recovery only) */

podd_read_job_t *
podd_read_job_new (podd_read_fn *op, podp_msg_t *msg, zmsg_t *request)
{
    podd_read_job_t *self = (podd_read_job_t *) zmalloc (sizeof (podd_read_job_t));
    self->op = op;
    self->msg = msg;
    self->request = request;
    self->rid = podp_msg_int (msg, "rid", -1);
    return self;
}

void
podd_read_job_destroy (podd_read_job_t **self_p)
{
    podd_read_job_t *self = *self_p;
    if (self) {
        podp_msg_destroy (&self->msg);
        zmsg_destroy (&self->request);
        zmsg_destroy (&self->reply);
        free (self);
        *self_p = NULL;
    }
}

//  Run one job in a read transaction of its own and encode its REPLY
static void
s_run (podd_store_t *store, podd_read_job_t *job)
{
    podd_request_t req = {
        .store = store, .config = job->config, .standards = job->standards,
        .actor = &job->actor, .connection = job->connection, .now = job->now,
        .msg = job->msg, .pushes = zlistx_new ()
    };
    if (podd_store_begin_read (store))
        podd_fail (&req, PODP_UNAVAILABLE, "store busy, try again");
    else {
        int rc = job->op (&req);
        if (rc && req.status < 400)
            podd_fail (&req, PODP_INTERNAL, "request failed: %s", podd_store_errmsg (store));
        podd_store_rollback (store);   //  nothing to keep: ends the snapshot
    }
    job->status = req.status;
    snprintf (job->reason, sizeof job->reason, "%s", req.reason);
    podp_msg_t *reply = podd_reply (&req, job->rid);
    job->reply = podp_encode (reply);
    podp_msg_destroy (&reply);
    zlistx_destroy (&req.pushes);       //  read handlers push nothing
}

void
podd_reader_actor (zsock_t *pipe, void *args)
{
    const char *database = (const char *) args;
    char err [512];
    zsock_signal (pipe, 0);
    //  Then 0 once the store is open, or -1
    podd_store_t *store = podd_store_new_read_only (database, err, sizeof err);
    if (!store) {
        log_error ("podd: reader: %s", err);
        zsock_send (pipe, "i", -1);
        //  Wait for $TERM so the server can destroy the actor normally
        char *command = zstr_recv (pipe);
        zstr_free (&command);
        return;
    }
    podd_store_set_busy_timeout (store, READER_BUSY_MS);
    zsock_send (pipe, "i", 0);
    while (true) {
        char *command = NULL;
        void *pointer = NULL;
        if (zsock_recv (pipe, "sp", &command, &pointer) == -1) {
            if (zmq_errno () == EINTR)
                continue;       //  a signal: the server says when to stop
            break;
        }
        bool term = streq (command, "$TERM");
        if (streq (command, "JOB") && pointer) {
            podd_read_job_t *job = (podd_read_job_t *) pointer;
            s_run (store, job);
            zsock_send (pipe, "sp", "DONE", job);
        }
        zstr_free (&command);
        if (term)
            break;
    }
    podd_store_destroy (&store);
}
