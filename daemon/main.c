/*  main.c - podd: the pod teams daemon.

    Owns: the command line (-c FILE, -f, -n, -v), checking the
    configuration, daemonising, logging to stderr or syslog, signals
    (SIGTERM/SIGINT stop cleanly, SIGHUP reloads), and the server actor's
    life.
*/
#include "server.h"
#include "config.h"
#include "request.h"
#include "log.h"
#include "standards.h"
#include "when.h"
#include "notify.h"
#include <libgen.h>
#include <signal.h>
#include <getopt.h>
#include <fcntl.h>
#include <sys/stat.h>

#define DEFAULT_CONFIG "config/podd.conf"

//  Set by the SIGHUP handler: the one piece of process-wide state a
//  signal handler may touch.
static volatile sig_atomic_t s_reload_wanted = 0;

static void
s_on_sighup (int signum)
{
    (void) signum;
    s_reload_wanted = 1;
}

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: podd [-c FILE] [-f] [-n] [-v]\n"
        "  -c FILE  configuration file (default " DEFAULT_CONFIG ")\n"
        "  -f       stay in the foreground, log to stderr\n"
        "  -n       check the configuration and exit\n"
        "  -v       verbose logging\n"
        "  -h       this help\n");
}

static int
s_daemonise (void)
{
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit (0);
    if (setsid () < 0)
        return -1;
    pid = fork ();
    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit (0);
    int null = open ("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2 (null, STDIN_FILENO);
        dup2 (null, STDOUT_FILENO);
        dup2 (null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close (null);
    }
    return 0;
}

//  Wait for READY or FAILED from the server; returns 0 when serving.
static int
s_await_server (zactor_t *server)
{
    char *status = NULL, *detail = NULL;
    if (zsock_recv (server, "ss", &status, &detail) == -1)
        return -1;
    int rc = streq (status, "READY")? 0: -1;
    if (rc == 0)
        log_info ("podd %s: serving on %s", PODD_VERSION, detail);
    else
        log_error ("podd: cannot start: %s", detail);
    zstr_free (&status);
    zstr_free (&detail);
    return rc;
}

//  The practice standards and bank holidays live beside the configuration
//  file; without a standards.conf there podd runs with no rules.
static int
s_load_standards (const char *config_path, podd_config_t *config, podd_standards_t **standards,
                  char *err, size_t errlen)
{
    char *copy = strdup (config_path);
    const char *dir = dirname (copy);       //  may modify copy: call once
    char rules [PATH_MAX], holidays [PATH_MAX];
    int long_rules = snprintf (rules, sizeof rules, "%s/standards.conf", dir);
    int long_holidays = snprintf (holidays, sizeof holidays, "%s/bank-holidays.conf", dir);
    free (copy);
    if (long_rules < 0 || long_rules >= (int) sizeof rules
    ||  long_holidays < 0 || long_holidays >= (int) sizeof holidays) {
        snprintf (err, errlen, "%s: directory name too long for standards.conf", config_path);
        return -1;
    }
    *standards = NULL;
    if (!zsys_file_exists (rules))
        return 0;
    *standards = podd_standards_load (rules, holidays, config, err, errlen);
    return *standards? 0: -1;
}

//  The server stopped on its own (its database file was deleted or
//  replaced): log why; podd then exits non-zero for a supervisor.
static void
s_server_stopped (zactor_t *server)
{
    char *status = NULL, *detail = NULL;
    if (zsock_recv (server, "ss", &status, &detail) == 0)
        log_error ("podd: stopping (%s): %s", status, detail);
    zstr_free (&status);
    zstr_free (&detail);
}

static void
s_reload (zactor_t *server, const char *path)
{
    char err [512];
    podd_standards_t *standards = NULL;
    podd_config_t *config = podd_config_load (path, err, sizeof err);
    if (!config || s_load_standards (path, config, &standards, err, sizeof err)) {
        log_error ("podd: reload refused: %s", err);
        podd_config_destroy (&config);
        return;
    }
    zsock_send (server, "spp", "RELOAD", config, standards);
}

int
main (int argc, char *argv [])
{
    const char *config_path = DEFAULT_CONFIG;
    bool foreground = false, check_only = false, verbose = false;
    int opt;
    while ((opt = getopt (argc, argv, "c:fnvh")) != -1) {
        switch (opt) {
            case 'c': config_path = optarg; break;
            case 'f': foreground = true; break;
            case 'n': check_only = true; break;
            case 'v': verbose = true; break;
            case 'h': s_usage (stdout); return 0;
            default:  s_usage (stderr); return 2;
        }
    }
    if (optind < argc) {
        s_usage (stderr);
        return 2;
    }
    //  Everything podd creates (database, WAL, keys, spool) is its own only
    umask (S_IRWXG | S_IRWXO);
    char err [512];
    podd_config_t *config = podd_config_load (config_path, err, sizeof err);
    if (!config) {
        fprintf (stderr, "%s\n", err);
        return 1;
    }
    podd_standards_t *standards = NULL;
    if (s_load_standards (config_path, config, &standards, err, sizeof err)) {
        fprintf (stderr, "%s\n", err);
        podd_config_destroy (&config);
        return 1;
    }
    char warning [300];
    if (standards && podd_standards_holidays_warning (standards, podd_when_now (), warning,
                                                      sizeof warning))
        fprintf (stderr, "podd: %s\n", warning);
    if (check_only) {
        printf ("configuration OK%s\n", standards? "": " (no standards.conf: no practice standards)");
        podd_config_destroy (&config);
        podd_standards_destroy (&standards);
        return 0;
    }
    zsys_init ();
    zsys_set_logident ("podd");
    //  Under systemd (Type=notify, -f) log to syslog: the journal takes it
    bool to_syslog = !foreground || podd_notify_under_systemd ();
    if (!foreground && s_daemonise ())
        fatal ("podd: cannot daemonise: %s", strerror (errno));
    if (to_syslog) {
        zsys_set_logstream (NULL);
        zsys_set_logsystem (true);
    }
    if (!verbose)
        zsys_set_logstream (to_syslog? NULL: stderr);
    signal (SIGPIPE, SIG_IGN);
    struct sigaction action = { .sa_handler = s_on_sighup };
    sigemptyset (&action.sa_mask);
    sigaction (SIGHUP, &action, NULL);

    podd_server_args_t args = { .config = config, .standards = standards };
    zactor_t *server = zactor_new (podd_server_actor, &args);
    int rc = s_await_server (server);
    if (rc == 0)
        podd_notify_ready ("serving");
    while (rc == 0 && !zsys_interrupted) {
        zclock_sleep (100);
        if (zsock_events (server) & ZMQ_POLLIN) {
            s_server_stopped (server);
            rc = -1;
            break;
        }
        if (s_reload_wanted) {
            s_reload_wanted = 0;
            log_info ("podd: SIGHUP: reloading %s", config_path);
            s_reload (server, config_path);
        }
    }
    if (rc == 0) {
        podd_notify_stopping ();
        log_info ("podd: shutting down");
    }
    zactor_destroy (&server);
    return rc == 0? 0: 1;
}
