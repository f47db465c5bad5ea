/*  fuzz_standards.c - libFuzzer target: the practice-standards loader and
    the bank-holidays loader (daemon/standards.c podd_standards_load_str).

    Input: the rules text (standards.conf), optionally followed by the line
    "%%" and the bank-holidays text (bank-holidays.conf). A NUL ends a text
    early, as podd_zpl_read refuses NUL bytes in files. Task kinds and
    roles are checked against config/podd.conf (run from the repository
    root) or the file named by PODD_FUZZ_CONFIG.

    A refusal must say why; accepted standards are read back: every rule
    and every working-day computation over a few dates.
*/
#include "config.h"
#include "standards.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static podd_config_t *s_config;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    const char *path = getenv ("PODD_FUZZ_CONFIG");
    char err [512];
    s_config = podd_config_load (path? path: "config/podd.conf", err, sizeof err);
    if (!s_config) {
        fprintf (stderr, "fuzz_standards: %s (run from the repository root)\n", err);
        exit (1);
    }
    return 0;
}

static char *
s_text (const uint8_t *data, size_t size)
{
    char *text = malloc (size + 1);
    if (text) {
        memcpy (text, data, size);
        text [size] = 0;
    }
    return text;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const uint8_t *cut = memmem (data, size, "\n%%\n", 4);
    size_t rules_size = cut? (size_t) (cut - data) + 1: size;
    char *rules = s_text (data, rules_size);
    char *holidays = cut? s_text (cut + 4, size - rules_size - 3): NULL;
    char err [512];
    podd_standards_t *standards = podd_standards_load_str (rules, "fuzz-standards.conf",
                                                           holidays, s_config,
                                                           err, sizeof err);
    if (!standards) {
        if (!err [0] || strnlen (err, sizeof err) == sizeof err)
            __builtin_trap ();          //  a refusal always says why, terminated
    }
    else {
        for (size_t i = 0; i < podd_standards_count (standards); i++) {
            podd_rule_t *rule = podd_standards_at (standards, i);
            if (podd_standards_rule (standards, rule->id) != rule)
                __builtin_trap ();
            //  2026-01-02 12:00 UTC and 2026-12-24 12:00 UTC
            (void) podd_standards_due (standards, rule, 1767355200);
            (void) podd_standards_due (standards, rule, 1798113600);
        }
        (void) podd_standards_working_day (standards, 2026, 12, 25);
        (void) podd_standards_holiday_last_year (standards);
        podd_standards_destroy (&standards);
    }
    free (rules);
    free (holidays);
    return 0;
}
