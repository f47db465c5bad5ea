/*  guard.c - podd's hold on its files. See guard.h. */
#include "guard.h"
#include <czmq.h>
#include <sys/file.h>
#include <sys/stat.h>

struct _podd_guard_t {
    char *database;
    int db_lock;                //  fd of DATABASE.lock, -1 = none
    int ipc_lock;               //  fd of PATH.lock, -1 = none
    bool pinned;
    dev_t dev;
    ino_t ino;
};

//  Open and flock PATH.lock; the fd, or -1 with err. what names the thing
//  locked in the message ("database", "socket").
static int
s_lock (const char *path, const char *what, char *err, size_t errlen)
{
    char lock_path [PATH_MAX];
    if (snprintf (lock_path, sizeof lock_path, "%s.lock", path) >= (int) sizeof lock_path) {
        snprintf (err, errlen, "%s path too long: %s", what, path);
        return -1;
    }
    int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf (err, errlen, "cannot open lock file %s: %s", lock_path, strerror (errno));
        return -1;
    }
    if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
        int error = errno;
        char holder [32] = "";
        ssize_t size = pread (fd, holder, sizeof holder - 1, 0);
        holder [size > 0? size: 0] = 0;
        holder [strcspn (holder, "\n")] = 0;
        if (error == EWOULDBLOCK)
            snprintf (err, errlen, "%s %s is in use by another podd%s%s (lock %s held): "
                      "stop it first", what, path, *holder? " pid ": "", holder, lock_path);
        else
            snprintf (err, errlen, "cannot lock %s: %s", lock_path, strerror (error));
        close (fd);
        return -1;
    }
    //  Say who holds it, for the message above
    if (ftruncate (fd, 0) == 0) {
        char pid [24];
        int len = snprintf (pid, sizeof pid, "%ld\n", (long) getpid ());
        ssize_t wrote = pwrite (fd, pid, (size_t) len, 0);
        (void) wrote;           //  informative only
    }
    return fd;
}

podd_guard_t *
podd_guard_new (const char *database, const char *endpoint, char *err, size_t errlen)
{
    assert (database);
    podd_guard_t *self = (podd_guard_t *) zmalloc (sizeof (podd_guard_t));
    self->database = strdup (database);
    self->db_lock = self->ipc_lock = -1;
    //  ":memory:" and the like have no file to guard
    bool file = strcmp (database, ":memory:") != 0 && strncmp (database, "file:", 5) != 0;
    if (file && (self->db_lock = s_lock (database, "database", err, errlen)) < 0) {
        podd_guard_destroy (&self);
        return NULL;
    }
    //  ipc://PATH binds a socket file (and would unlink another podd's);
    //  ipc://@NAME is an abstract socket: the kernel refuses a second bind
    if (endpoint && strncmp (endpoint, "ipc://", 6) == 0 && endpoint [6] && endpoint [6] != '@'
    &&  (self->ipc_lock = s_lock (endpoint + 6, "socket", err, errlen)) < 0) {
        podd_guard_destroy (&self);
        return NULL;
    }
    return self;
}

void
podd_guard_destroy (podd_guard_t **self_p)
{
    assert (self_p);
    podd_guard_t *self = *self_p;
    if (self) {
        //  Closing releases the locks; the lock files stay (unlinking
        //  them would let two processes lock two different files)
        if (self->db_lock >= 0)
            close (self->db_lock);
        if (self->ipc_lock >= 0)
            close (self->ipc_lock);
        free (self->database);
        free (self);
        *self_p = NULL;
    }
}

int
podd_guard_pin (podd_guard_t *self, char *err, size_t errlen)
{
    assert (self);
    if (self->db_lock < 0)
        return 0;               //  nothing on disk to pin
    struct stat st;
    if (stat (self->database, &st) != 0) {
        snprintf (err, errlen, "cannot stat %s: %s", self->database, strerror (errno));
        return -1;
    }
    self->dev = st.st_dev;
    self->ino = st.st_ino;
    self->pinned = true;
    return 0;
}

int
podd_guard_check (podd_guard_t *self, char *err, size_t errlen)
{
    assert (self);
    if (!self->pinned)
        return 0;
    struct stat st;
    if (stat (self->database, &st) != 0) {
        snprintf (err, errlen, "database file %s is gone (%s)", self->database, strerror (errno));
        return -1;
    }
    if (st.st_dev != self->dev || st.st_ino != self->ino) {
        snprintf (err, errlen, "database file %s was replaced by another file", self->database);
        return -1;
    }
    return 0;
}

//  --------------------------------------------------------------------
//  Self test

void
podd_guard_test (bool verbose)
{
    printf (" * guard: ");
    char dir [] = "/tmp/podd-guard-XXXXXX";
    assert (mkdtemp (dir));
    char db [PATH_MAX], ipc [PATH_MAX], moved [PATH_MAX], err [512] = "";
    snprintf (db, sizeof db, "%s/podd.db", dir);
    snprintf (ipc, sizeof ipc, "ipc://%s/podd.sock", dir);
    snprintf (moved, sizeof moved, "%s/old.db", dir);

    //  @selftest
    podd_guard_t *guard = podd_guard_new (db, ipc, err, sizeof err);
    assert (guard);
    //  A second holder of the same database is refused, naming it
    podd_guard_t *second = podd_guard_new (db, NULL, err, sizeof err);
    assert (!second);
    assert (strstr (err, "is in use by another podd") && strstr (err, db));
    if (verbose)
        printf ("\n    %s", err);
    //  ... and of the same socket, with another database
    char db2 [PATH_MAX];
    snprintf (db2, sizeof db2, "%s/other.db", dir);
    second = podd_guard_new (db2, ipc, err, sizeof err);
    assert (!second && strstr (err, "socket"));
    //  The file: nothing pinned, nothing to check; then pinned
    FILE *file = fopen (db, "w");
    assert (file);
    fclose (file);
    assert (podd_guard_check (guard, err, sizeof err) == 0);
    assert (podd_guard_pin (guard, err, sizeof err) == 0);
    assert (podd_guard_check (guard, err, sizeof err) == 0);
    //  Replaced: moved away and a new file in its place
    assert (rename (db, moved) == 0);
    assert (podd_guard_check (guard, err, sizeof err) == -1 && strstr (err, "is gone"));
    file = fopen (db, "w");
    assert (file);
    fclose (file);
    assert (podd_guard_check (guard, err, sizeof err) == -1 && strstr (err, "replaced"));
    if (verbose)
        printf ("\n    %s", err);
    //  Released on destroy: another can lock it now
    podd_guard_destroy (&guard);
    podd_guard_destroy (&guard);
    guard = podd_guard_new (db, ipc, err, sizeof err);
    assert (guard);
    podd_guard_destroy (&guard);
    //  No file to guard in memory
    guard = podd_guard_new (":memory:", "tcp://127.0.0.1:5670", err, sizeof err);
    assert (guard && podd_guard_pin (guard, err, sizeof err) == 0);
    podd_guard_destroy (&guard);
    //  @end

    char cmd [PATH_MAX + 16];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system (cmd) != 0)
        fprintf (stderr, "podd_guard_test: cannot remove %s\n", dir);
    printf ("%sOK\n", verbose? "\n": "");
}
