/*  checkpoint.h - the WAL checkpointer beside the writer.

    Owns: the checkpointer actor, a thread with its own connection to the
    database that copies the WAL into the database file (a PASSIVE
    checkpoint: it waits for no one and holds no one up). The writer's
    store never checkpoints inside a commit (store.c): SQLite's automatic
    checkpoint would copy about 4 MB and fsync the database in whichever
    commit crossed 1000 pages, a stall of milliseconds in that batch's
    replies and pushes. The server asks for a checkpoint after a commit
    that leaves the WAL long (podd_store_wal_pages), one at a time.

    Run as a zactor: zactor_new (podd_checkpoint_actor, (void *) database).
    After the actor's start, its first message is 0 (zsock "i") once its
    connection is open, -1 when it cannot open one.
    Pipe: "CHECKPOINT" in; "DONE" <int frames copied, -1 failed> out, after
    each: the frames from the WAL's start that are in the database.
*/
#ifndef PODD_CHECKPOINT_H_INCLUDED
#define PODD_CHECKPOINT_H_INCLUDED

#include <czmq.h>

//  A WAL this many frames long (4 KiB each) after a commit asks for a
//  checkpoint (SQLite's own default threshold)
#define PODD_CHECKPOINT_PAGES   1000
//  This long, with no checkpointer or one that cannot keep up, and the
//  writer checkpoints inline (a stall, rather than a WAL without bound)
#define PODD_CHECKPOINT_INLINE_PAGES 20000
//  Frames the WAL gained while the checkpointer copied it: this few the
//  writer copies itself between batches, so that the WAL is copied to its
//  end and the next write starts it again from its beginning; more, and
//  the checkpointer goes again
#define PODD_CHECKPOINT_TAIL_PAGES 256

void podd_checkpoint_actor (zsock_t *pipe, void *args);

#endif
