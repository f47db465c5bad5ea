/*  reader.h - read-only requests beside the writer.

    Owns: the reader actor, a thread with its own read-only SQLite
    connection (WAL: it reads the last commit while the server's batch
    writes and fsyncs), and the job it runs. The server decodes and
    authenticates a read request (lists, shows, reports: see s_is_read in
    server.c), copies what the handler needs into a job (the request, the
    actor, the clock) and sends the job's pointer over the actor's pipe;
    the reader runs the handler in a read transaction of its own, encodes
    the REPLY and sends the pointer back. The server sends the reply
    through its ROUTER. A job belongs to one thread at a time: the server
    until it sends it, the reader until it sends it back.

    config and standards are the server's, shared read-only: the server
    keeps a configuration it replaced (SIGHUP) alive until no job that
    names it is out.

    Run as a zactor: zactor_new (podd_reader_actor, (void *) database).
    After the actor's start, its first message is 0 (zsock "i") once its
    store is open, -1 when it cannot open it.
    Pipe: "JOB" <podd_read_job_t *> in, "DONE" <podd_read_job_t *> out.
*/
#ifndef PODD_READER_H_INCLUDED
#define PODD_READER_H_INCLUDED

#include "request.h"

typedef int (podd_read_fn) (podd_request_t *req);

typedef struct {
    //  Set by the server; the reader only reads them
    podd_read_fn *op;
    podp_msg_t *msg;            /* the decoded request, owned */
    int64_t rid;
    podd_member_t actor;        /* authenticated member, a copy */
    char connection [160];
    podd_config_t *config;      /* shared, read-only */
    podd_standards_t *standards;    /* shared, read-only, may be NULL */
    int64_t now;                /* the server's clock when it read the request */
    //  Kept by the server for when the job comes back (the reader leaves them)
    zmsg_t *request;            /* the frames as received, routing id first */
    //  Set by the reader
    int status;
    char reason [256];
    zmsg_t *reply;              /* encoded REPLY, without routing id */
} podd_read_job_t;

//  A new job for op on msg (taken) from request (taken)
podd_read_job_t *podd_read_job_new (podd_read_fn *op, podp_msg_t *msg, zmsg_t *request);
void podd_read_job_destroy (podd_read_job_t **self_p);

void podd_reader_actor (zsock_t *pipe, void *args);

#endif
