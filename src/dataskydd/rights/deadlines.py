"""When a data subject's request must be answered: GDPR Art. 12(3) on the Swedish calendar.

Periods are counted as EU Regulation 1182/71 counts them: the day of receipt is not part of
the period (Art. 3(1)); a period of months ends on the same date that many months later, or
on the last day of that month when it has no such date (Art. 3(2)(c)); and a period that ends
on a Saturday, Sunday or public holiday runs on to the end of the next working day (Art. 3(4)).
"Receipt" and "now" are read on the Stockholm calendar, as :mod:`dataskydd.clock` reads them.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from dataskydd import clock

# Art. 12(3): one month to answer, extendable "by two further months".
ANSWER_MONTHS = 1
EXTENSION_MONTHS = (1, 2)


def local_date(moment: date | datetime) -> date:
    """The Stockholm calendar date of ``moment``; a naive datetime is Stockholm time already."""
    # datetime is a subclass of date, so it must be told apart first.
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(clock.LOCAL_ZONE)
        return moment.date()
    return moment


def _midsummer_eve(year: int) -> date:
    # Midsommarafton is the Friday between 19 and 25 June.
    june_19 = date(year, 6, 19)
    return june_19 + timedelta(days=(calendar.FRIDAY - june_19.weekday()) % 7)


@lru_cache(maxsize=256)  # a year each; bounded so a long-running process cannot grow it
def _closed_days(year: int) -> frozenset[date]:
    """The days in ``year``, besides weekends, on which Swedish authorities are closed."""
    # The public calendar (helgdagar). Older releases of `holidays` count every Sunday as a
    # holiday unless told otherwise; weekends are handled in is_working_day, so ask for none.
    public = holidays.country_holidays("SE", years=year, include_sundays=False)
    # Midsommarafton, julafton and nyårsafton are not public holidays, but authorities and
    # banks are closed on them, so a person could not act on such a last day; Swedish law
    # counts them with Sundays for the same reason (lag (1930:173) om beräkning av
    # lagstadgad tid, 2 §).
    eves = {_midsummer_eve(year), date(year, 12, 24), date(year, 12, 31)}
    return frozenset(public.keys()) | frozenset(eves)


def is_working_day(day: date) -> bool:
    """True for Monday to Friday unless a Swedish public holiday or a closed eve."""
    return day.weekday() < calendar.SATURDAY and day not in _closed_days(day.year)


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    following = day + timedelta(days=1)
    while not is_working_day(following):
        following += timedelta(days=1)
    return following


def _add_months(day: date, months: int) -> date:
    # Same date ``months`` later, or that month's last day when it is shorter (Art. 3(2)(c)).
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(received: date | datetime, months: int = ANSWER_MONTHS) -> date:
    """The last day, inclusive, of a period of ``months`` months from receipt."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"a period must be a whole number of months, at least 1; got {months!r}")
    last = _add_months(local_date(received), months)
    # Art. 3(4): a period ending on a non-working day runs to the end of the next working day.
    return last if is_working_day(last) else next_working_day(last)


def extended_due_date(received: date | datetime, extension_months: int) -> date:
    """The deadline extended by 1 or 2 months under Art. 12(3).

    The extension is counted from receipt as one period of 1 + ``extension_months`` months,
    not from the first deadline, so a first deadline moved by a weekend does not move it.
    """
    # bool is an int in Python; True must not pass as "1 month".
    if isinstance(extension_months, bool) or extension_months not in EXTENSION_MONTHS:
        raise ValueError(
            f"Art. 12(3) allows an extension by 1 or 2 further months; got {extension_months!r}"
        )
    return due_date(received, ANSWER_MONTHS + extension_months)


def extension_allowed(received: date | datetime, now: date | datetime | None = None) -> bool:
    """True while an extension may still be decided: its reason must reach the person
    within the first month, that is on or before the original due date."""
    moment = clock.now() if now is None else now
    return local_date(moment) <= due_date(received)


def days_left(due: date, today: date | None = None) -> int:
    """Calendar days from ``today`` (the clock's, by default) to ``due``: 0 on the due day,
    negative when overdue."""
    return (due - (clock.today() if today is None else today)).days


def is_overdue(due: date, now: date | datetime | None = None) -> bool:
    """True once the due day has ended in Stockholm, i.e. from midnight after it."""
    moment = clock.now() if now is None else now
    return local_date(moment) > due
