/*  when.c - time on the wire and in the store. See when.h. */
#include "when.h"
#include <libical/ical.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

#define streq(a,b) (strcmp ((a), (b)) == 0)

#define LOCAL_ZONE "Europe/London"
#define DEFAULT_LOCAL_HOUR 17

//  Europe/London, looked up once: libical finds a builtin zone by a linear
//  search of its zone list, which cost more than the rest of a routed task's
//  date arithmetic together. Set once (pthread_once: podd's actors share
//  it), never changed after: the zone itself is libical's, immutable here.
static icaltimezone *s_local_zone_cache;
static pthread_once_t s_local_zone_once = PTHREAD_ONCE_INIT;

static void
s_local_zone_init (void)
{
    s_local_zone_cache = icaltimezone_get_builtin_timezone (LOCAL_ZONE);
}

static icaltimezone *
s_local_zone (void)
{
    pthread_once (&s_local_zone_once, s_local_zone_init);
    return s_local_zone_cache;
}

//  --------------------------------------------------------------------
//  London by arithmetic. Since 1996 the UK keeps the EU rule: BST (UTC+1)
//  from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
//  Sunday of October. For the years FAST_YEAR_MIN..FAST_YEAR_MAX the local
//  date, weekday and "day at hour" are worked out so, at a small part of
//  libical's cost (a routed task asks a dozen times); outside them, and on
//  the two days a year the clocks change, libical answers. The self-test
//  checks the two agree at every change and across the whole range.
#define FAST_YEAR_MIN 1997
#define FAST_YEAR_MAX 2037
#define DAY_SECONDS 86400

//  The day number of the last Sunday of a 31-day month
static int64_t
s_last_sunday (int y, int m)
{
    int64_t last = podd_when_day_number (y, m, 31);
    return last - (last + 4) % 7;       //  1970-01-01 was a Thursday
}

//  The local wall clock of instant t: 0 with the local day number and
//  second of the day, or -1 outside the fast path's years
static int
s_local_fast (int64_t t, int64_t *day, int *second)
{
    if (t < 0)
        return -1;
    int y, m, d;
    podd_when_day_date (t / DAY_SECONDS, &y, &m, &d);
    if (y < FAST_YEAR_MIN || y > FAST_YEAR_MAX)
        return -1;
    int64_t bst_from = s_last_sunday (y, 3) * DAY_SECONDS + 3600;
    int64_t bst_until = s_last_sunday (y, 10) * DAY_SECONDS + 3600;
    int64_t local = t + (t >= bst_from && t < bst_until? 3600: 0);
    *day = local / DAY_SECONDS;
    *second = (int) (local % DAY_SECONDS);
    return 0;
}

//  Whether the clocks change on a local day (the last Sunday of March or
//  of October)
static bool
s_change_day (int64_t day)
{
    int y, m, d;
    podd_when_day_date (day, &y, &m, &d);
    return (m == 3 || m == 10) && day == s_last_sunday (y, m);
}

//  Write "YYYY-MM-DD" of a day number into buf (PODD_DATE_LEN)
static void
s_day_text (int64_t day, char *buf)
{
    int y, m, d;
    podd_when_day_date (day, &y, &m, &d);
    buf [0] = (char) ('0' + y / 1000 % 10); buf [1] = (char) ('0' + y / 100 % 10);
    buf [2] = (char) ('0' + y / 10 % 10);   buf [3] = (char) ('0' + y % 10);
    buf [4] = '-';
    buf [5] = (char) ('0' + m / 10);        buf [6] = (char) ('0' + m % 10);
    buf [7] = '-';
    buf [8] = (char) ('0' + d / 10);        buf [9] = (char) ('0' + d % 10);
    buf [10] = 0;
}

static bool
s_valid_ymd (int y, int m, int d)
{
    if (y < PODD_YEAR_MIN || y > PODD_YEAR_MAX || m < 1 || m > 12 || d < 1)
        return false;
    return d <= icaltime_days_in_month (m, y);
}

//  The value of exactly `width` ASCII digits at text, or -1 (no signs,
//  no spaces: sscanf's %d takes both)
static int
s_digits (const char *text, int width)
{
    int value = 0;
    for (int i = 0; i < width; i++) {
        if (text [i] < '0' || text [i] > '9')
            return -1;
        value = value * 10 + (text [i] - '0');
    }
    return value;
}

int
podd_when_parse_date (const char *text, int *year, int *month, int *day)
{
    if (!text || strlen (text) != 10 || text [4] != '-' || text [7] != '-')
        return -1;
    int y = s_digits (text, 4), m = s_digits (text + 5, 2), d = s_digits (text + 8, 2);
    if (!s_valid_ymd (y, m, d))
        return -1;
    *year = y; *month = m; *day = d;
    return 0;
}

//  Year, month and day of a stored date, leniently (rows written before
//  dates were parsed strictly may hold "2026- 9-05"); -1 when not a date
static int
s_stored_date (const char *text, int *y, int *m, int *d)
{
    int n = 0;
    if (!text || sscanf (text, "%d-%d-%d%n", y, m, d, &n) != 3 || text [n])
        return -1;
    return 0;
}

int
podd_when_date_cmp (const char *a, const char *b)
{
    int ay, am, ad, by, bm, bd;
    if (s_stored_date (a, &ay, &am, &ad) || s_stored_date (b, &by, &bm, &bd))
        return strcmp (a? a: "", b? b: "");
    if (ay != by)
        return ay < by? -1: 1;
    if (am != bm)
        return am < bm? -1: 1;
    return ad < bd? -1: ad > bd? 1: 0;
}

//  Howard Hinnant's days_from_civil and civil_from_days: eras of 400
//  years (146097 days), years starting on 1 March so the leap day is last
int64_t
podd_when_day_number (int year, int month, int day)
{
    int y = year - (month <= 2);
    int64_t era = (y >= 0? y: y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2? -3: 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
podd_when_day_date (int64_t day_number, int *year, int *month, int *day)
{
    int64_t z = day_number + 719468;
    int64_t era = (z >= 0? z: z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int) (doy - (153 * mp + 2) / 5 + 1);
    *month = (int) (mp < 10? mp + 3: mp - 9);
    *year = (int) (yoe + era * 400 + (*month <= 2));
}

//  Known day numbers, and every day of PODD_YEAR_MIN..MAX there and back
static void
s_day_number_test (void)
{
    assert (podd_when_day_number (1970, 1, 1) == 0);
    assert (podd_when_day_number (1969, 12, 31) == -1);
    assert (podd_when_day_number (2000, 2, 29) == 11016);       //  a leap day (a 400th year)
    assert (podd_when_day_number (2000, 3, 1) == 11017);
    assert (podd_when_day_number (2026, 11, 30) == 20787);
    assert (podd_when_day_number (2028, 2, 29) == 21243);       //  a leap day
    assert (podd_when_day_number (2028, 3, 1) == 21244);
    assert (podd_when_day_number (2100, 3, 1) - podd_when_day_number (2100, 2, 28) == 1);
    assert (podd_when_day_number (1900, 1, 1) == -25567);
    assert (podd_when_day_number (2200, 12, 31) == 84370);
    int64_t first = podd_when_day_number (PODD_YEAR_MIN, 1, 1);
    int64_t last = podd_when_day_number (PODD_YEAR_MAX, 12, 31);
    int y, m, d;
    for (int64_t day = first; day <= last; day++) {
        podd_when_day_date (day, &y, &m, &d);
        assert (s_valid_ymd (y, m, d));
        assert (podd_when_day_number (y, m, d) == day);
    }
    podd_when_day_date (first - 1, &y, &m, &d);
    assert (y == PODD_YEAR_MIN - 1 && m == 12 && d == 31);
}

static int64_t
s_local_to_utc (int y, int mo, int d, int h, int mi, int s)
{
    icaltimezone *zone = s_local_zone ();
    struct icaltimetype t = icaltime_null_time ();
    t.year = y; t.month = mo; t.day = d;
    t.hour = h; t.minute = mi; t.second = s;
    t.is_date = 0;
    t.zone = zone;
    return (int64_t) icaltime_as_timet_with_zone (t, zone);
}

//  The wall-clock time of instant t in Europe/London
static struct icaltimetype
s_local_of (int64_t t)
{
    icaltimezone *zone = s_local_zone ();
    return icaltime_from_timet_with_zone ((time_t) t, 0, zone);
}

static bool
s_same_wall_clock (struct icaltimetype a, int y, int mo, int d, int h, int mi, int s)
{
    return a.year == y && a.month == mo && a.day == d
        && a.hour == h && a.minute == mi && a.second == s;
}

//  A local time that names exactly one instant, or the first of two:
//  -1 for a time in the spring-forward gap (01:00-01:59 on the last Sunday
//  of March does not exist in London); in the autumn overlap (01:00-01:59
//  on the last Sunday of October happens twice) the earlier instant, BST.
static int
s_local_instant (int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    int64_t t = s_local_to_utc (y, mo, d, h, mi, s);
    if (!s_same_wall_clock (s_local_of (t), y, mo, d, h, mi, s))
        return -1;
    if (s_same_wall_clock (s_local_of (t - 3600), y, mo, d, h, mi, s))
        t -= 3600;
    *out = t;
    return 0;
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
    int y, mo, d, h = 0, mi = 0, s = 0;
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
    if (clock_len != 5 && clock_len != 8)
        return -1;
    h = s_digits (clock, 2);
    mi = s_digits (clock + 3, 2);
    if (clock_len == 8)
        s = clock [5] == ':'? s_digits (clock + 6, 2): -1;
    if (clock [2] != ':' || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        return -1;
    if (utc) {
        *out = s_utc (y, mo, d, h, mi, s);
        return 0;
    }
    return s_local_instant (y, mo, d, h, mi, s, out);
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
    //  A test rewriting the file (`echo T > FILE`) empties it for a moment:
    //  read again rather than fall back to the real clock in between
    for (int attempt = 0; attempt < 50; attempt++) {
        char text [64] = "";
        FILE *file = fopen (path, "r");
        if (!file)
            return false;
        bool ok = fgets (text, sizeof text, file) != NULL;
        fclose (file);
        text [strcspn (text, "\r\n")] = 0;
        if (ok && podd_when_parse (text, t) == 0)
            return true;
        nanosleep (&(struct timespec) { .tv_sec = 0, .tv_nsec = 1000000 }, NULL);
    }
    return false;
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

bool
podd_when_in_range (int64_t t)
{
    //  1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z
    return t >= -2208988800LL && t <= 7289654399LL;
}

bool
podd_when_due_sane (int64_t due, int64_t now)
{
    return due >= now - PODD_DUE_PAST_MAX && due <= now + PODD_DUE_FUTURE_MAX;
}

char *
podd_when_format (int64_t t, char *buf)
{
    //  Years outside PODD_YEAR_MIN..MAX would not fit "YYYY": an empty
    //  string, never a cut or unterminated one. Written digit by digit
    //  (a list page formats thousands of these).
    buf [0] = 0;
    if (!podd_when_in_range (t))
        return buf;
    int64_t day = t / DAY_SECONDS, second = t % DAY_SECONDS;
    if (second < 0) {
        day--;
        second += DAY_SECONDS;
    }
    s_day_text (day, buf);
    int h = (int) (second / 3600), mi = (int) (second / 60 % 60), se = (int) (second % 60);
    buf [10] = 'T';
    buf [11] = (char) ('0' + h / 10);  buf [12] = (char) ('0' + h % 10);  buf [13] = ':';
    buf [14] = (char) ('0' + mi / 10); buf [15] = (char) ('0' + mi % 10); buf [16] = ':';
    buf [17] = (char) ('0' + se / 10); buf [18] = (char) ('0' + se % 10);
    buf [19] = 'Z';
    buf [20] = 0;
    return buf;
}

//  libical's answers, for the years outside the fast path and the days
//  the clocks change
static char *
s_local_date_ical (int64_t t, char *buf)
{
    icaltimezone *zone = s_local_zone ();
    struct icaltimetype it = icaltime_from_timet_with_zone ((time_t) t, 0, zone);
    //  In range, the year has four digits and the text fills the buffer
    if (snprintf (buf, PODD_DATE_LEN, "%04d-%02d-%02d", it.year, it.month, it.day) != PODD_DATE_LEN - 1)
        buf [0] = 0;
    return buf;
}

static int64_t
s_local_day_at_ical (int64_t t, int day_offset, int hour)
{
    icaltimezone *zone = s_local_zone ();
    struct icaltimetype it = icaltime_from_timet_with_zone ((time_t) t, 0, zone);
    it.hour = hour;
    it.minute = 0;
    it.second = 0;
    icaltime_adjust (&it, day_offset, 0, 0, 0);
    it.zone = zone;
    return (int64_t) icaltime_as_timet_with_zone (it, zone);
}

static int
s_local_weekday_ical (int64_t t)
{
    icaltimezone *zone = s_local_zone ();
    struct icaltimetype it = icaltime_from_timet_with_zone ((time_t) t, 0, zone);
    return (icaltime_day_of_week (it) + 5) % 7;       //  libical: 1 = Sunday
}

char *
podd_when_local_date (int64_t t, char *buf)
{
    buf [0] = 0;
    if (!podd_when_in_range (t))
        return buf;
    int64_t day;
    int second;
    if (s_local_fast (t, &day, &second))
        return s_local_date_ical (t, buf);
    s_day_text (day, buf);
    return buf;
}

int64_t
podd_when_local_day_at (int64_t t, int day_offset, int hour)
{
    int64_t day;
    int second;
    if (s_local_fast (t, &day, &second) == 0 && hour >= 0 && hour < 24
    &&  day_offset > -3650 && day_offset < 3650) {
        //  Away from a change, one offset holds all day: the one of the
        //  wall-clock time read as UTC (same day, same side of the change)
        int64_t target = day + day_offset;
        int64_t wall = target * DAY_SECONDS + hour * 3600;
        int64_t check_day;
        int check_second;
        if (!s_change_day (target) && s_local_fast (wall, &check_day, &check_second) == 0)
            return wall - ((check_day * DAY_SECONDS + check_second) - wall);
    }
    return s_local_day_at_ical (t, day_offset, hour);
}

int
podd_when_local_weekday (int64_t t)
{
    int64_t day;
    int second;
    if (s_local_fast (t, &day, &second))
        return s_local_weekday_ical (t);
    return (int) ((day + 3) % 7);       //  0 = Monday; 1970-01-01 was a Thursday
}

void
podd_when_test (bool verbose)
{
    if (verbose)
        printf (" * when: ");
    s_day_number_test ();
    int64_t t;
    char buf [PODD_WHEN_LEN], date [PODD_DATE_LEN];
    //  The arithmetic agrees with libical: at every change of the clocks
    //  (and around it), and every 23 h 17 min across its years
    assert (PODD_WHEN_LEN == 21 && PODD_DATE_LEN == 11);
    for (int y = FAST_YEAR_MIN; y <= FAST_YEAR_MAX; y++) {
        for (int m = 3; m <= 10; m += 7) {
            int64_t change = s_last_sunday (y, m) * DAY_SECONDS + 3600;
            static const int around [] = { -7200, -3601, -3600, -1, 0, 1, 1800, 3599, 3600, 7200 };
            for (size_t i = 0; i < sizeof around / sizeof around [0]; i++) {
                int64_t at = change + around [i];
                char ical [PODD_DATE_LEN];
                assert (streq (podd_when_local_date (at, date), s_local_date_ical (at, ical)));
                assert (podd_when_local_weekday (at) == s_local_weekday_ical (at));
            }
            //  Every hour of the days around a change, a day and a week on
            for (int offset = -2; offset <= 2; offset++)
                for (int hour = 0; hour < 24; hour++)
                    for (int ahead = 0; ahead <= 7; ahead += 1) {
                        int64_t from = change + offset * DAY_SECONDS;
                        assert (podd_when_local_day_at (from, ahead, hour)
                             == s_local_day_at_ical (from, ahead, hour));
                    }
        }
    }
    int64_t span_from = podd_when_day_number (FAST_YEAR_MIN, 1, 1) * DAY_SECONDS;
    int64_t span_to = podd_when_day_number (FAST_YEAR_MAX, 12, 31) * DAY_SECONDS;
    for (int64_t at = span_from; at < span_to; at += 23 * 3600 + 17 * 60) {
        char ical [PODD_DATE_LEN];
        assert (streq (podd_when_local_date (at, date), s_local_date_ical (at, ical)));
        assert (podd_when_local_weekday (at) == s_local_weekday_ical (at));
        int hour = (int) (at / 3600 % 24);
        assert (podd_when_local_day_at (at, 1, hour) == s_local_day_at_ical (at, 1, hour));
        //  And the UTC text as strftime writes it
        time_t tt = (time_t) at;
        struct tm tm;
        char expected [PODD_WHEN_LEN];
        assert (gmtime_r (&tt, &tm) && strftime (expected, sizeof expected, "%Y-%m-%dT%H:%M:%SZ", &tm) == 20);
        assert (streq (podd_when_format (at, buf), expected));
    }
    //  The UTC text at the ends of the range, and before 1970
    assert (streq (podd_when_format (-2208988800LL, buf), "1900-01-01T00:00:00Z"));
    assert (streq (podd_when_format (7289654399LL, buf), "2200-12-31T23:59:59Z"));
    assert (streq (podd_when_format (-1, buf), "1969-12-31T23:59:59Z"));
    assert (streq (podd_when_format (7289654400LL, buf), ""));
    //  Outside the fast years libical answers: 1990 had other dates
    //  (BST until 28 October 1990, the fourth Sunday)
    assert (podd_when_parse ("1990-10-27T12:00:00Z", &t) == 0);
    assert (podd_when_local_weekday (t) == 5);
    assert (streq (podd_when_local_date (t + 12 * 3600 - 1, date), "1990-10-28"));
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
        "2026-07-15T10:00:00+01:00", "2026-07-15T10:00:00ZZ", "0000-01-01",
        //  strict: digits only, no signs or spaces sscanf would take
        "2026- 9-05", "2026-+9-05", "+026-09-05", " 2026-9-05", "2026-09- 5", "2026-09-+5",
        "2026-07-15T 9:00", "2026-07-15T+9:00", "2026-07-15T09:+0", "2026-07-15T09:00:+0",
        "2026-07-15T09:00: 0", "2026-07-15T09-00", "2026-07-15T09:00-00",
        //  years outside 1900..2200
        "1899-12-31", "2201-01-01", "9999-12-31", "9999-12-31T23:59:59Z", NULL };
    for (int i = 0; bad [i]; i++)
        assert (podd_when_parse (bad [i], &t) == -1);
    int y, m, d;
    assert (podd_when_parse_date ("2026- 9-05", &y, &m, &d) == -1);
    assert (podd_when_parse_date ("1900-01-01", &y, &m, &d) == 0 && y == 1900);
    assert (podd_when_parse_date ("2200-12-31", &y, &m, &d) == 0 && y == 2200);
    assert (podd_when_parse ("2026-07-15T09:00:05Z", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-07-15T09:00:05Z"));
    //  out of range instants format as "", never cut or unterminated
    memset (buf, 'x', sizeof buf);
    assert (streq (podd_when_format (253402300800LL, buf), ""));        //  year 10000
    assert (streq (podd_when_format (-62135596801LL, buf), ""));        //  year 0
    assert (streq (podd_when_local_date (253402300800LL, date), ""));
    assert (podd_when_parse ("2200-12-31T23:59:59Z", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2200-12-31T23:59:59Z"));
    assert (streq (podd_when_format (t + 1, buf), ""));
    //  stored dates compare as dates, even legacy non-canonical ones
    assert (podd_when_date_cmp ("2026- 9-05", "2026-09-05") == 0);
    assert (podd_when_date_cmp ("2026- 9-05", "2026-10-01") < 0);
    assert (podd_when_date_cmp ("2026-+9-05", "2026-09-04") > 0);
    assert (podd_when_date_cmp ("2026-09-05", "2026-09-05") == 0);
    assert (podd_when_date_cmp ("2025-12-31", "2026-01-01") < 0);
    //  due dates: a year back, ten years ahead
    int64_t now = 1790000000;
    assert (podd_when_due_sane (now - 300 * 86400, now));
    assert (!podd_when_due_sane (now - 400 * 86400, now));
    assert (!podd_when_due_sane (now + 3700 * 86400LL, now));
    assert (podd_when_parse ("2028-02-29", &t) == 0);
    //  08:00 local a day before, across the October clock change
    assert (podd_when_parse ("2026-10-26T12:00", &t) == 0);       //  Monday, GMT
    assert (podd_when_local_weekday (t) == 0);
    assert (streq (podd_when_format (podd_when_local_day_at (t, -1, 8), buf), "2026-10-25T08:00:00Z"));
    assert (streq (podd_when_format (podd_when_local_day_at (t, -2, 8), buf), "2026-10-24T07:00:00Z"));
    assert (podd_when_local_weekday (podd_when_local_day_at (t, -2, 8)) == 5);   //  Saturday
    assert (podd_when_parse ("2027-02-29", &t) == -1);
    //  the spring-forward gap does not exist; the autumn overlap is BST's
    assert (podd_when_parse ("2026-03-29T01:30", &t) == -1);
    assert (podd_when_parse ("2026-03-29T01:00", &t) == -1);
    assert (podd_when_parse ("2026-03-29T00:59", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-03-29T00:59:00Z"));
    assert (podd_when_parse ("2026-03-29T02:00", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-03-29T01:00:00Z"));
    assert (podd_when_parse ("2026-10-25T01:30", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-10-25T00:30:00Z"));
    assert (podd_when_parse ("2026-10-25T00:59:59", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-10-24T23:59:59Z"));
    assert (podd_when_parse ("2026-10-25T02:00", &t) == 0);
    assert (streq (podd_when_format (t, buf), "2026-10-25T02:00:00Z"));
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
