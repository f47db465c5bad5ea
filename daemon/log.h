/*  log.h - podd's logging helpers, in OpenSMTPD's style, over zsys.
    stderr in the foreground, syslog when daemonised or started by
    systemd (NOTIFY_SOCKET, or stderr being JOURNAL_STREAM: the journal
    takes syslog in; see main.c and notify.c). */
#ifndef PODD_LOG_H_INCLUDED
#define PODD_LOG_H_INCLUDED

#include <czmq.h>

#define log_debug(...)  zsys_debug (__VA_ARGS__)
#define log_info(...)   zsys_info (__VA_ARGS__)
#define log_warn(...)   zsys_warning (__VA_ARGS__)
#define log_error(...)  zsys_error (__VA_ARGS__)
#define fatal(...)      do { zsys_error (__VA_ARGS__); exit (EXIT_FAILURE); } while (0)

#endif
