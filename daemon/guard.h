/*  guard.h - podd's hold on its files.

    Owns: an exclusive lock on the database (a DATABASE.lock file beside
    it, flock: SQLite's own POSIX locks on the database file are left
    alone) and on an ipc:// endpoint (PATH.lock), so a second podd on the
    same database or socket refuses to start; and the identity (device,
    inode) of the database file, so podd notices when the file at its
    path is deleted or replaced under it.
*/
#ifndef PODD_GUARD_H_INCLUDED
#define PODD_GUARD_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct _podd_guard_t podd_guard_t;

//  Lock database (and endpoint, when it is ipc://PATH); NULL with a
//  message in err when another process holds either lock.
podd_guard_t *podd_guard_new (const char *database, const char *endpoint,
                              char *err, size_t errlen);
void podd_guard_destroy (podd_guard_t **self_p);
//  Remember the database file as it is now (after it was opened); 0 or -1
int  podd_guard_pin (podd_guard_t *self, char *err, size_t errlen);
//  0 while the file at the database path is the one pinned; -1 (with the
//  reason) when it was deleted or replaced. One stat.
int  podd_guard_check (podd_guard_t *self, char *err, size_t errlen);

void podd_guard_test (bool verbose);

#endif
