"""Answer deadlines: GDPR Art. 12(3), counted as Reg. 1182/71 counts, on the Swedish calendar.

Every expected date was checked against ``calendar.month``; weekdays are noted beside them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dataskydd import clock
from dataskydd.rights.deadlines import (
    days_left,
    due_date,
    extended_due_date,
    extension_allowed,
    is_overdue,
    is_working_day,
    local_date,
    next_working_day,
)

STOCKHOLM = clock.LOCAL_ZONE


# Month ends


def test_a_request_received_on_31_january_is_due_on_the_last_day_of_february() -> None:
    assert due_date(date(2029, 1, 31)) == date(2029, 2, 28)  # Wednesday


def test_in_a_leap_year_a_request_received_on_31_january_is_due_on_29_february() -> None:
    assert due_date(date(2028, 1, 31)) == date(2028, 2, 29)  # Tuesday


def test_a_request_is_due_on_the_same_date_next_month() -> None:
    assert due_date(date(2027, 3, 15)) == date(2027, 4, 15)  # Thursday


def test_a_request_received_in_december_is_due_in_january_of_the_next_year() -> None:
    assert due_date(date(2028, 12, 15)) == date(2029, 1, 15)  # Monday


# Weekends and Swedish holidays


def test_a_deadline_falling_on_a_saturday_moves_to_monday() -> None:
    assert due_date(date(2027, 1, 6)) == date(2027, 2, 8)  # Sat 6 Feb -> Mon 8 Feb


def test_a_month_end_falling_on_a_sunday_moves_to_monday_in_the_next_month() -> None:
    assert due_date(date(2027, 1, 31)) == date(2027, 3, 1)  # Sun 28 Feb -> Mon 1 Mar


def test_a_deadline_on_national_day_that_is_a_sunday_moves_to_monday() -> None:
    assert due_date(date(2027, 5, 6)) == date(2027, 6, 7)  # Sun 6 Jun -> Mon 7 Jun


def test_a_deadline_on_good_friday_runs_past_the_whole_easter_weekend() -> None:
    # Fri 26 Mar (Good Friday), Sat, Sun (Easter Day), Mon 29 Mar (Easter Monday).
    assert due_date(date(2027, 2, 26)) == date(2027, 3, 30)  # Tuesday


def test_a_deadline_on_easter_monday_moves_to_tuesday() -> None:
    assert due_date(date(2028, 3, 17)) == date(2028, 4, 18)  # Mon 17 Apr -> Tue 18 Apr


def test_a_deadline_on_midsommarafton_moves_past_midsummer_to_monday() -> None:
    assert due_date(date(2027, 5, 25)) == date(2027, 6, 28)  # Fri 25 Jun -> Mon 28 Jun


def test_a_deadline_on_julafton_moves_past_both_christmas_days() -> None:
    # Mon 24 Dec (julafton), Tue 25 and Wed 26 Dec are closed.
    assert due_date(date(2029, 11, 24)) == date(2029, 12, 27)  # Thursday


def test_a_deadline_on_julafton_runs_through_christmas_and_the_weekend_after() -> None:
    # Thu 24 Dec (julafton), Fri 25, Sat 26, Sun 27 Dec.
    assert due_date(date(2026, 11, 24)) == date(2026, 12, 28)  # Monday


def test_a_deadline_on_nyarsafton_runs_past_nyarsdagen() -> None:
    # Mon 31 Dec (nyårsafton), Tue 1 Jan (nyårsdagen).
    assert due_date(date(2029, 10, 31), months=2) == date(2030, 1, 2)  # Wednesday


def test_a_deadline_on_nyarsdagen_moves_to_the_next_day() -> None:
    assert due_date(date(2028, 12, 1)) == date(2029, 1, 2)  # Mon 1 Jan -> Tue 2 Jan


def test_weekends_and_closed_days_are_not_working_days_but_half_days_are() -> None:
    assert not is_working_day(date(2027, 2, 6))  # an ordinary Saturday
    assert not is_working_day(date(2027, 2, 7))  # an ordinary Sunday
    assert not is_working_day(date(2027, 1, 6))  # Epiphany, a Wednesday
    assert not is_working_day(date(2027, 6, 25))  # midsommarafton, a Friday
    assert not is_working_day(date(2029, 12, 24))  # julafton, a Monday
    assert not is_working_day(date(2029, 12, 31))  # nyårsafton, a Monday
    # Days that close early (Valborg, the day before julafton, trettondagsafton) still count.
    assert is_working_day(date(2027, 4, 30))  # Friday
    assert is_working_day(date(2027, 12, 23))  # Thursday
    assert is_working_day(date(2027, 1, 5))  # Tuesday


def test_the_next_working_day_after_a_friday_is_monday() -> None:
    assert next_working_day(date(2027, 2, 5)) == date(2027, 2, 8)


def test_the_next_working_day_is_strictly_after_the_day_given() -> None:
    assert next_working_day(date(2027, 2, 8)) == date(2027, 2, 9)


# What "received" means


def test_a_request_received_late_in_the_evening_utc_counts_from_the_stockholm_date() -> None:
    # 23:30 UTC on 14 March is 00:30 on 15 March in Stockholm (CET).
    received = datetime(2027, 3, 14, 23, 30, tzinfo=UTC)
    assert local_date(received) == date(2027, 3, 15)
    assert due_date(received) == date(2027, 4, 15)  # Thursday, not Wed 14 Apr


def test_a_summer_evening_in_utc_is_already_the_next_day_in_stockholm() -> None:
    # 22:30 UTC on 30 June is 00:30 on 1 July in Stockholm (CEST).
    received = datetime(2027, 6, 30, 22, 30, tzinfo=UTC)
    assert due_date(received) == date(2027, 8, 2)  # Sun 1 Aug -> Mon 2 Aug


def test_a_naive_date_time_is_read_as_stockholm_time() -> None:
    assert due_date(datetime(2027, 3, 14, 23, 30)) == date(2027, 4, 14)  # Wednesday


def test_a_period_must_be_at_least_one_whole_month() -> None:
    with pytest.raises(ValueError, match="at least 1; got 0"):
        due_date(date(2027, 1, 1), months=0)


# Extension by up to two further months


def test_an_extension_by_two_months_is_counted_from_receipt_not_from_the_first_deadline() -> None:
    received = date(2027, 1, 31)
    assert due_date(received) == date(2027, 3, 1)  # rolled from Sun 28 Feb
    # Three months from receipt: Fri 30 Apr. From the first deadline it would be Mon 3 May.
    assert extended_due_date(received, 2) == date(2027, 4, 30)


def test_an_extension_by_one_month_is_counted_from_receipt() -> None:
    assert extended_due_date(date(2027, 1, 31), 1) == date(2027, 3, 31)  # Wednesday, not 1 Apr


def test_an_extended_deadline_also_moves_past_weekends_and_holidays() -> None:
    # Sun 30 Apr 2028, then Mon 1 May (May Day).
    assert extended_due_date(date(2028, 1, 31), 2) == date(2028, 5, 2)  # Tuesday


@pytest.mark.parametrize("months", [0, 3, -1, 12])
def test_an_extension_other_than_one_or_two_months_is_refused(months: int) -> None:
    with pytest.raises(ValueError, match=rf"1 or 2 further months; got {months}$"):
        extended_due_date(date(2027, 1, 31), months)


def test_true_is_not_accepted_as_an_extension_of_one_month() -> None:
    with pytest.raises(ValueError, match="got True"):
        extended_due_date(date(2027, 1, 31), True)


def test_an_extension_may_be_decided_until_the_end_of_the_first_deadline() -> None:
    received = date(2027, 1, 31)  # first deadline Mon 1 Mar
    assert extension_allowed(received, datetime(2027, 2, 28, 12, 0, tzinfo=STOCKHOLM))
    assert extension_allowed(received, datetime(2027, 3, 1, 23, 59, 59, tzinfo=STOCKHOLM))
    assert not extension_allowed(received, datetime(2027, 3, 2, 0, 0, tzinfo=STOCKHOLM))
    # 23:30 UTC on 1 March is already 2 March in Stockholm.
    assert not extension_allowed(received, datetime(2027, 3, 1, 23, 30, tzinfo=UTC))


def test_extension_allowed_reads_the_one_clock_by_default() -> None:
    with clock.frozen_at("2027-03-01T23:00"):
        assert extension_allowed(date(2027, 1, 31))
    with clock.frozen_at("2027-03-02"):
        assert not extension_allowed(date(2027, 1, 31))


# Days left and overdue


def test_days_left_is_zero_on_the_due_day_and_negative_after_it() -> None:
    due = date(2027, 3, 1)
    assert days_left(due, date(2027, 2, 27)) == 2
    assert days_left(due, date(2027, 2, 28)) == 1
    assert days_left(due, date(2027, 3, 1)) == 0
    assert days_left(due, date(2027, 3, 2)) == -1


def test_days_left_counts_from_the_clocks_stockholm_date_by_default() -> None:
    with clock.frozen_at("2027-02-28T23:30:00+00:00"):  # 00:30 on 1 March in Stockholm
        assert days_left(date(2027, 3, 1)) == 0


def test_a_request_is_not_overdue_until_its_due_day_has_ended_in_stockholm() -> None:
    due = date(2027, 3, 1)
    assert not is_overdue(due, datetime(2027, 3, 1, 23, 59, 59, tzinfo=STOCKHOLM))
    assert is_overdue(due, datetime(2027, 3, 2, 0, 0, tzinfo=STOCKHOLM))
    # 22:59 UTC is still 1 March in Stockholm; 23:00 UTC is midnight after it.
    assert not is_overdue(due, datetime(2027, 3, 1, 22, 59, tzinfo=UTC))
    assert is_overdue(due, datetime(2027, 3, 1, 23, 0, tzinfo=UTC))
    assert not is_overdue(due, date(2027, 3, 1))
    assert is_overdue(due, date(2027, 3, 2))


def test_is_overdue_reads_the_one_clock_by_default() -> None:
    with clock.frozen_at("2027-03-01T23:59"):
        assert not is_overdue(date(2027, 3, 1))
    with clock.frozen_at("2027-03-02"):
        assert is_overdue(date(2027, 3, 1))


# Speed (no timed assertion: the machine is shared; the cache is what makes it fast)


def test_holidays_are_built_once_per_year_not_once_per_deadline() -> None:
    from dataskydd.rights import deadlines

    deadlines._closed_days.cache_clear()
    start = date(2020, 1, 1)
    for offset in range(20_000):
        due_date(date.fromordinal(start.toordinal() + offset % 3650))
    # Ten years of receipts, with deadlines running into the eleventh year.
    assert deadlines._closed_days.cache_info().misses <= 12
