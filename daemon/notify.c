/*  notify.c - telling systemd how podd is doing. See notify.h. */
#include "notify.h"
#include <systemd/sd-daemon.h>
#include <sys/stat.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  Is stderr the journal stream systemd gave us (JOURNAL_STREAM=DEV:INODE)?
static bool
s_stderr_is_journal (void)
{
    const char *stream = getenv ("JOURNAL_STREAM");
    unsigned long long dev = 0, ino = 0;
    struct stat st;
    if (!stream || sscanf (stream, "%llu:%llu", &dev, &ino) != 2
    ||  fstat (STDERR_FILENO, &st) != 0)
        return false;
    return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

bool
podd_notify_under_systemd (void)
{
    const char *socket = getenv ("NOTIFY_SOCKET");
    return (socket && *socket) || s_stderr_is_journal ();
}

void
podd_notify_ready (const char *status)
{
    sd_notifyf (0, "READY=1\nSTATUS=%s", status? status: "serving");
}

void
podd_notify_stopping (void)
{
    sd_notify (0, "STOPPING=1\nSTATUS=stopping");
}

int64_t
podd_notify_watchdog_ms (void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled (0, &usec) <= 0 || usec == 0)
        return 0;
    int64_t ms = (int64_t) (usec / 2000);
    return ms > 0? ms: 1;
}

void
podd_notify_watchdog (void)
{
    sd_notify (0, "WATCHDOG=1");
}

void
podd_notify_test (bool verbose)
{
    if (verbose)
        printf (" * notify: ");
    char *saved = getenv ("WATCHDOG_USEC")? strdup (getenv ("WATCHDOG_USEC")): NULL;
    unsetenv ("WATCHDOG_USEC");
    assert (podd_notify_watchdog_ms () == 0);
    setenv ("WATCHDOG_USEC", "30000000", 1);
    assert (podd_notify_watchdog_ms () == 15000);
    setenv ("WATCHDOG_USEC", "nonsense", 1);
    assert (podd_notify_watchdog_ms () == 0);
    if (saved) {
        setenv ("WATCHDOG_USEC", saved, 1);
        free (saved);
    }
    else
        unsetenv ("WATCHDOG_USEC");
    if (verbose)
        printf ("OK\n");
}
