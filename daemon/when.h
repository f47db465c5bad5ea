/*  when.h - time on the wire and in the store.

    Owns: parsing the date forms clients send ("YYYY-MM-DD" = 17:00
    Europe/London that day, "YYYY-MM-DDTHH:MM[:SS]" = Europe/London local
    time, "...Z" = UTC), formatting UTC instants as "YYYY-MM-DDTHH:MM:SSZ"
    and calendar dates as "YYYY-MM-DD", and the injectable clock
    (PODD_FAKE_NOW) that tests use. Instants are int64 seconds since the
    Unix epoch, UTC, everywhere inside podd.
*/
#ifndef PODD_WHEN_H_INCLUDED
#define PODD_WHEN_H_INCLUDED

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define PODD_WHEN_LEN 21    /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */
#define PODD_DATE_LEN 11    /* "YYYY-MM-DD" + NUL */

/* Current time: the real clock, or PODD_FAKE_NOW (an instant in any
   accepted form, read once per call) when set. */
int64_t podd_when_now (void);
/*  True when a test clock (PODD_FAKE_NOW or PODD_CLOCK_FILE) is in use. */
bool podd_when_is_fake (void);

/* Parse one of the accepted forms into *out. Returns 0, or -1 when the
   text is not a valid date/time (e.g. 2026-02-30, 25:00, garbage). */
int podd_when_parse (const char *text, int64_t *out);

/* Parse a bound of a period (leave, cover, reports, calendars): a date
   alone means the whole day in Europe/London, so as a start it is 00:00
   that day and as an end 00:00 the next day (the end is exclusive); the
   other forms are instants as for podd_when_parse. 0 or -1. */
int podd_when_parse_from (const char *text, int64_t *out);
int podd_when_parse_to (const char *text, int64_t *out);

/* Parse "YYYY-MM-DD" only (a calendar date, validated). */
int podd_when_parse_date (const char *text, int *year, int *month, int *day);

/* Format an instant as UTC "YYYY-MM-DDTHH:MM:SSZ" into buf (PODD_WHEN_LEN). */
char *podd_when_format (int64_t t, char *buf);

/* Calendar date of an instant in Europe/London into buf (PODD_DATE_LEN). */
char *podd_when_local_date (int64_t t, char *buf);

/*  The instant of HOUR:00 Europe/London on the local date of t moved by
   day_offset days (across BST/GMT changes: always that wall-clock hour). */
int64_t podd_when_local_day_at (int64_t t, int day_offset, int hour);

/*  Local weekday of t: 0 = Monday .. 6 = Sunday. */
int podd_when_local_weekday (int64_t t);

void podd_when_test (bool verbose);

#endif
