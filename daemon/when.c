/*  when.c - time on the wire and in the store. See when.h. */
#include "when.h"
#include <libical/ical.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define streq(a,b) (strcmp ((a), (b)) == 0)

#define LOCAL_ZONE "Europe/London"
#define DEFAULT_LOCAL_HOUR 17

static bool
s_valid_ymd (int y, int m, int d)
{
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= icaltime_days_in_month (m, y);
}

int
podd_when_parse_date (const char *text, int *year, int *month, int *day)
{
    int y, m, d, n = 0;
    if (!text || strlen (text) != 10
    ||  sscanf (text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10
    ||  text [4] != '-' || text [7] != '-' || !s_valid_ymd (y, m, d))
        return -1;
    *year = y; *month = m; *day = d;
    return 0;
}

static int64_t
s_local_to_utc (int y, int mo, int d, int h, int mi, int s)
{
    icaltimezone *zone = icaltimezone_get_builtin_timezone (LOCAL_ZONE);
    struct icaltimetype t = icaltime_null_time ();
    t.year = y; t.month = mo; t.day = d;
    t.hour = h; t.minute = mi; t.second = s;
    t.is_date = 0;
    t.zone = zone;
    return (int64_t) icaltime_as_timet_with_zone (t, zone);
}

static int64_t
s_utc (int y, int mo, int d, int h, int mi, int s)
{
    struct icaltimetype t = icaltime_null_time ();
    t.year = y; t.month = mo; t.day = d;
    t.hour = h; t.minute = mi; t.second = s;
    t.zone = icaltimezone_get_utc_timezone ();
    return (int64_t) icaltime_as_timet (t);
}

int
podd_when_parse (const char *text, int64_t *out)
{
    if (!text)
        return -1;
    size_t len = strlen (text);
    int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
    if (len == 10) {
        if (podd_when_parse_date (text, &y, &mo, &d))
            return -1;
        *out = s_local_to_utc (y, mo, d, DEFAULT_LOCAL_HOUR, 0, 0);
        return 0;
    }
    char date [PODD_DATE_LEN];
    if (len < 16 || len > 20 || text [10] != 'T')
        return -1;
    memcpy (date, text, 10);
    date [10] = 0;
    if (podd_when_parse_date (date, &y, &mo, &d))
        return -1;
    const char *clock = text + 11;
    bool utc = text [len - 1] == 'Z';
    size_t clock_len = len - 11 - (utc ? 1 : 0);
    if (clock_len == 5) {
        if (sscanf (clock, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
            return -1;
    }
    else
    if (clock_len == 8) {
        if (sscanf (clock, "%2d:%2d:%2d%n", &h, &mi, &s, &n) != 3 || n != 8)
            return -1;
    }
    else
        return -1;
    if (clock [2] != ':' || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        return -1;
    *out = utc? s_utc (y, mo, d, h, mi, s): s_local_to_utc (y, mo, d, h, mi, s);
    return 0;
}

static int
s_parse_bound (const char *text, int day_offset, int64_t *out)
{
    int y, mo, d;
    if (text && strlen (text) == 10) {
        if (podd_when_parse_date (text, &y, &mo, &d))
            return -1;
        struct icaltimetype t = icaltime_null_time ();
        t.year = y; t.month = mo; t.day = d;
        t.is_date = 1;
        icaltime_adjust (&t, day_offset, 0, 0, 0);
        *out = s_local_to_utc (t.year, t.month, t.day, 0, 0, 0);
        return 0;
    }
    return podd_when_parse (text, out);
}

int
podd_when_parse_from (const char *text, int64_t *out)
{
    return s_parse_bound (text, 0, out);
}

int
podd_when_parse_to (const char *text, int64_t *out)
{
    return s_parse_bound (text, 1, out);
}

//  The test clock: PODD_FAKE_NOW holds an instant, or PODD_CLOCK_FILE
//  names a file holding one (tests rewrite it to move time on).
static bool
s_fake_now (int64_t *t)
{
    const char *fake = getenv ("PODD_FAKE_NOW");
    if (fake && *fake)
        return podd_when_parse (fake, t) == 0;
    const char *path = getenv ("PODD_CLOCK_FILE");
    if (!path || !*path)
        return false;
    char text [64] = "";
    FILE *file = fopen (path, "r");
    if (!file)
        return false;
    bool ok = fgets (text, sizeof text, file) != NULL;
    fclose (file);
    text [strcspn (text, "\r\n")] = 0;
    return ok && podd_when_parse (text, t) == 0;
}

int64_t
podd_when_now (void)
{
    int64_t t;
    if (s_fake_now (&t))
        return t;
    return (int64_t) time (NULL);
}

bool
podd_when_is_fake (void)
{
    const char *fake = getenv ("PODD_FAKE_NOW");
    const char *path = getenv ("PODD_CLOCK_FILE");
    return (fake && *fake) || (path && *path);
}

char *
podd_when_format (int64_t t, char *buf)
{
    time_t tt = (time_t) t;
    struct tm tm;
    gmtime_r (&tt, &tm);
    strftime (buf, PODD_WHEN_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

char *
podd_when_local_date (int64_t t, char *buf)
{
    icaltimezone *zone = icaltimezone_get_builtin_timezone (LOCAL_ZONE);
    struct icaltimetype it = icaltime_from_timet_with_zone ((time_t) t, 0, zone);
    snprintf (buf, PODD_DATE_LEN, "%04d-%02d-%02d", it.year, it.month, it.day);
    return buf;
}

int64_t
podd_when_local_day_at (int64_t t, int day_offset, int hour)
{
    icaltimezone *zone = icaltimezone_get_builtin_timezone (LOCAL_ZONE);
    struct icaltimetype it = icaltime_from_timet_with_zone ((time_t) t, 0, zone);
    it.hour = hour;
    it.minute = 0;
    it.second = 0;
    icaltime_adjust (&it, day_offset, 0, 0, 0);
    it.zone = zone;
    return (int64_t) icaltime_as_timet_with_zone (it, zone);
}

int
podd_when_local_weekday (int64_t t)
{
    icaltimezone *zone = icaltimezone_get_builtin_timezone (LOCAL_ZONE);
    struct icaltimetype it = icaltime_from_timet_with_zone ((time_t) t, 0, zone);
    return (icaltime_day_of_week (it) + 5) % 7;       //  libical: 1 = Sunday
}

void
podd_when_test (bool verbose)
{
    if (verbose)
        printf (" * when: ");
    int64_t t;
    char buf [PODD_WHEN_LEN], date [PODD_DATE_LEN];
    //  10:00 in July, London = 09:00Z (BST)
    assert (podd_when_parse ("2026-07-15T10:00", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-07-15T09:00:00Z"));
    //  10:00 in January = 10:00Z (GMT)
    assert (podd_when_parse ("2026-01-15T10:00:30", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-01-15T10:00:30Z"));
    assert (podd_when_parse ("2026-01-15T10:00:30Z", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-01-15T10:00:30Z"));
    //  date only = 17:00 local
    assert (podd_when_parse ("2026-06-01", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-06-01T16:00:00Z"));
    assert (streq (podd_when_local_date (t, date), "2026-06-01"));
    //  late evening UTC in summer is already the next day in London
    assert (podd_when_parse ("2026-06-01T23:30:00Z", &t) == 0);
    assert (streq (podd_when_local_date (t, date), "2026-06-02"));
    //  rejections
    const char *bad [] = { "", "2026-02-30", "2026-13-01", "2026-1-01", "tomorrow",
        "2026-07-15T25:00", "2026-07-15T10:61", "2026-07-15 10:00", "2026-07-15T10",
        "2026-07-15T10:00:00+01:00", "2026-07-15T10:00:00ZZ", "0000-01-01", NULL };
    for (int i = 0; bad [i]; i++)
        assert (podd_when_parse (bad [i], &t) == -1);
    assert (podd_when_parse ("2028-02-29", &t) == 0);
    //  08:00 local a day before, across the October clock change
    assert (podd_when_parse ("2026-10-26T12:00", &t) == 0);       //  Monday, GMT
    assert (podd_when_local_weekday (t) == 0);
    assert (streq (podd_when_format (podd_when_local_day_at (t, -1, 8), buf), "2026-10-25T08:00:00Z"));
    assert (streq (podd_when_format (podd_when_local_day_at (t, -2, 8), buf), "2026-10-24T07:00:00Z"));
    assert (podd_when_local_weekday (podd_when_local_day_at (t, -2, 8)) == 5);   //  Saturday
    assert (podd_when_parse ("2027-02-29", &t) == -1);
    //  a period's bounds are whole days in London: BST start, GMT end
    assert (podd_when_parse_from ("2026-07-15", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-07-14T23:00:00Z"));
    assert (podd_when_parse_to ("2026-12-31", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2027-01-01T00:00:00Z"));
    assert (podd_when_parse_to ("2026-10-24", &t) == 0);       //  clocks go back on the 25th
    assert (streq (podd_when_format (t, buf), "2026-10-24T23:00:00Z"));
    assert (podd_when_parse_to ("2026-12-18T12:00", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-12-18T12:00:00Z"));
    assert (podd_when_parse_to ("2026-02-30", &t) == -1);
    if (verbose)
        printf ("OK\n");
}
