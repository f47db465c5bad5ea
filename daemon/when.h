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

/*  Dates and instants podd accepts and shows: years 1900 to 2200. Every
    date is exactly "YYYY-MM-DD" (ASCII digits, no signs or spaces), so a
    date podd stores is canonical. */
#define PODD_YEAR_MIN 1900
#define PODD_YEAR_MAX 2200

/* Current time: the real clock, or PODD_FAKE_NOW (an instant in any
   accepted form, read once per call) when set. */
int64_t podd_when_now (void);
/*  True when a test clock (PODD_FAKE_NOW or PODD_CLOCK_FILE) is in use. */
bool podd_when_is_fake (void);

/* Parse one of the accepted forms into *out. Returns 0, or -1 when the
   text is not a valid date/time (e.g. 2026-02-30, 25:00, garbage), or
   is a Europe/London time that does not exist (the spring-forward gap,
   e.g. 2026-03-29T01:30). A local time in the autumn overlap (e.g.
   2026-10-25T01:30, which happens twice) is the first, BST, instant. */
int podd_when_parse (const char *text, int64_t *out);

/* Parse a bound of a period (leave, cover, reports, calendars): a date
   alone means the whole day in Europe/London, so as a start it is 00:00
   that day and as an end 00:00 the next day (the end is exclusive); the
   other forms are instants as for podd_when_parse. 0 or -1. */
int podd_when_parse_from (const char *text, int64_t *out);
int podd_when_parse_to (const char *text, int64_t *out);

/* Parse "YYYY-MM-DD" only (a calendar date, validated, exactly that form). */
int podd_when_parse_date (const char *text, int *year, int *month, int *day);

/*  Compare two stored dates as dates (<0, 0, >0): rows written before
    dates were parsed strictly may hold non-canonical text like
    "2026- 9-05"; text that is no date at all compares as text. */
int podd_when_date_cmp (const char *a, const char *b);

/*  Day number of a calendar date: days since 1970-01-01 in the proleptic
    Gregorian calendar (1970-01-01 is 0, 1969-12-31 is -1). The date is
    not checked: a day past the month's end counts on into the next. */
int64_t podd_when_day_number (int year, int month, int day);

/*  The calendar date of a day number (the inverse of podd_when_day_number). */
void podd_when_day_date (int64_t day_number, int *year, int *month, int *day);

/*  True when an instant lies in the years PODD_YEAR_MIN..PODD_YEAR_MAX (UTC). */
bool podd_when_in_range (int64_t t);

/*  Due dates podd accepts: at most a year in the past and ten years
    ahead of now (a due date far in the past only makes overdue mail). */
#define PODD_DUE_PAST_MAX   (366 * 86400LL)
#define PODD_DUE_FUTURE_MAX (10 * 366 * 86400LL)
bool podd_when_due_sane (int64_t due, int64_t now);

/* Format an instant as UTC "YYYY-MM-DDTHH:MM:SSZ" into buf (PODD_WHEN_LEN);
   an empty string when the instant is out of range. */
char *podd_when_format (int64_t t, char *buf);

/* Calendar date of an instant in Europe/London into buf (PODD_DATE_LEN);
   an empty string when the instant is out of range. */
char *podd_when_local_date (int64_t t, char *buf);

/*  The instant of HOUR:00 Europe/London on the local date of t moved by
   day_offset days (across BST/GMT changes: always that wall-clock hour). */
int64_t podd_when_local_day_at (int64_t t, int day_offset, int hour);

/*  Local weekday of t: 0 = Monday .. 6 = Sunday. */
int podd_when_local_weekday (int64_t t);

void podd_when_test (bool verbose);

#endif
