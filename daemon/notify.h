/*  notify.h - telling systemd how podd is doing (sd_notify).

    Owns: READY=1 once podd serves, STOPPING=1 when it stops, WATCHDOG=1
    keep-alives from the server's loop, and whether podd runs under
    systemd (so it logs to syslog, which the journal picks up). Every
    call is a no-op when podd was not started by systemd.
*/
#ifndef PODD_NOTIFY_H_INCLUDED
#define PODD_NOTIFY_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

//  True when systemd started podd: NOTIFY_SOCKET is set, or stderr is
//  the journal (JOURNAL_STREAM names stderr's device and inode)
bool podd_notify_under_systemd (void);
//  READY=1 with a status line; STOPPING=1
void podd_notify_ready (const char *status);
void podd_notify_stopping (void);
//  The interval at which to send WATCHDOG=1, in ms: half of systemd's
//  WatchdogSec (WATCHDOG_USEC), or 0 when no watchdog is asked for
int64_t podd_notify_watchdog_ms (void);
//  WATCHDOG=1
void podd_notify_watchdog (void);

void podd_notify_test (bool verbose);

#endif
