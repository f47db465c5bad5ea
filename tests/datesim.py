"""datesim.py - the tests' own date arithmetic, apart from podd's.

Shared by tests/standards_sim.py, standards_chains_sim.py,
standards_rules_sim.py and standards_report_sim.py: calendar days, weeks,
months (a month end clamps, so 29 February a year on is 28 February),
working days (weekends and a test's bank holidays), and 17:00 and 00:00
Europe/London with the BST rule written out by hand (01:00 UTC on the
last Sundays of March and October). Nothing here is taken from podd.
"""
import calendar
import datetime as dt

D = dt.date
DAY = dt.timedelta(days=1)

# England and Wales bank holidays (gov.uk), written out for the tests
BANK_HOLIDAYS = frozenset({
    D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
    D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28),
    D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31),
    D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28),
    D(2028, 1, 3), D(2028, 4, 14), D(2028, 4, 17), D(2028, 5, 1), D(2028, 5, 29),
    D(2028, 8, 28), D(2028, 12, 25), D(2028, 12, 26),
    D(2029, 1, 1), D(2029, 3, 30), D(2029, 4, 2), D(2029, 5, 7), D(2029, 5, 28),
    D(2029, 8, 27), D(2029, 12, 25), D(2029, 12, 26),
})


def bank_holidays(first_year, last_year):
    """The bank holidays of the years first_year..last_year."""
    return {day for day in BANK_HOLIDAYS if first_year <= day.year <= last_year}


def parse_date(text):
    """The date of "YYYY-MM-DD" or of an instant "YYYY-MM-DDT..."."""
    return D.fromisoformat(text[:10])


def add_months(day, n):
    """day moved by n months; a day past the month's end clamps to it."""
    y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
    m += 1
    return D(y, m, min(day.day, calendar.monthrange(y, m)[1]))


class Calendar:
    """Working days over a set of bank holidays (a test may fill it later)."""

    def __init__(self, holidays=()):
        self.holidays = set(holidays)

    def working(self, day):
        return day.weekday() < 5 and day not in self.holidays

    def shift(self, day, amount, unit, before=False):
        """The local date `amount` `unit` after (or before) `day`."""
        sign = -1 if before else 1
        if unit in ("day", "days"):
            return day + dt.timedelta(days=sign * amount)
        if unit in ("week", "weeks"):
            return day + dt.timedelta(days=7 * sign * amount)
        if unit in ("month", "months"):
            return add_months(day, sign * amount)
        if unit in ("working-day", "working-days", "working day", "working days"):
            left = amount
            for _ in range(10000):
                if left == 0:
                    break
                day += dt.timedelta(days=sign)
                if self.working(day):
                    left -= 1
            return day
        raise ValueError("unit %r" % unit)

    def due(self, day, amount, unit, before=False):
        """17:00 London `amount` `unit` from day (a date or its text), as podd writes it."""
        if isinstance(day, str):
            day = parse_date(day)
        return at_1700(self.shift(day, int(amount), unit, before))


def last_sunday(year, month):
    day = add_months(D(year, month, 1), 1) - DAY
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def bst_bounds(year):
    """The UTC datetimes BST starts and ends in a year."""
    return (dt.datetime.combine(last_sunday(year, 3), dt.time(1)),
            dt.datetime.combine(last_sunday(year, 10), dt.time(1)))


def london_to_utc(day, hour):
    """The UTC datetime of HOUR:00 London on day."""
    start, end = bst_bounds(day.year)
    guess = dt.datetime.combine(day, dt.time(hour)) - dt.timedelta(hours=1)
    return guess if start <= guess < end else guess + dt.timedelta(hours=1)


def at_1700(day):
    """The UTC instant of 17:00 Europe/London on a date, as podd prints it."""
    return london_to_utc(day, 17).strftime("%Y-%m-%dT%H:%M:%SZ")


def london_midnight(day):
    """The UTC datetime a London day starts."""
    return london_to_utc(day, 0)


def midnight_epoch(day):
    """00:00 London on day as a Unix time."""
    return calendar.timegm(london_midnight(day).timetuple())


def utc_of(text):
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def london_date(utc_text):
    """The London date of an instant podd wrote."""
    t = utc_of(utc_text)
    start, end = bst_bounds(t.year)
    return (t + dt.timedelta(hours=1) if start <= t < end else t).date()
