/*  selftest.c - runs every class's self-test. Usage: podd_selftest [-v] [CLASS] */
#include "podp.h"
#include "config.h"
#include "store.h"
#include "when.h"
#include "podclient.h"
#include "calendar.h"
#include "mailer.h"
#include "message.h"
#include "standards.h"
#include "notify.h"
#include "guard.h"
#include "continuity.h"

typedef struct { const char *name; void (*test) (bool verbose); } test_t;

static const test_t s_tests [] = {
    { "podp", podp_test },
    { "when", podd_when_test },
    { "config", podd_config_test },
    { "store", podd_store_test },
    { "podclient", podclient_test },
    { "calendar", podd_calendar_test },
    { "mailer", podd_mailer_test },
    { "message", podd_message_test },
    { "standards", podd_standards_test },
    { "notify", podd_notify_test },
    { "guard", podd_guard_test },
    { "continuity", podd_continuity_test },
};

int
main (int argc, char *argv [])
{
    bool verbose = argc > 1 && streq (argv [1], "-v");
    const char *only = argc > (verbose? 2: 1)? argv [verbose? 2: 1]: NULL;
    size_t passed = 0;
    for (size_t i = 0; i < sizeof s_tests / sizeof s_tests [0]; i++) {
        if (only && !streq (only, s_tests [i].name))
            continue;
        s_tests [i].test (verbose);     //  a failed test aborts
        printf ("ok - selftest %s\n", s_tests [i].name);
        passed++;
    }
    printf ("selftest: %zu passed, 0 failed\n", passed);
    return 0;
}
