"""Retention periods count by the calendar: three months after 30 November is 28 February."""

from __future__ import annotations

from datetime import date

import pytest

from dataskydd.programme.duration import Period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("P5Y", date(2021, 9, 23), date(2026, 9, 23)),
        ("P3M", date(2026, 11, 30), date(2027, 2, 28)),
        ("P12M", date(2024, 2, 29), date(2025, 2, 28)),
        ("P10Y", date(2020, 2, 29), date(2030, 2, 28)),
        ("P30D", date(2026, 12, 15), date(2027, 1, 14)),
        ("P2W", date(2026, 1, 1), date(2026, 1, 15)),
        ("P1Y6M", date(2026, 8, 31), date(2028, 2, 29)),
    ],
)
def test_a_period_after_a_date(text: str, start: date, end: date) -> None:
    assert Period.parse(text).after(start) == end


@pytest.mark.parametrize("text", ["5Y", "P", "five years", "P5X", "P-1Y", ""])
def test_what_is_not_a_period(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        Period.parse(text)


def test_a_period_reads_in_both_languages() -> None:
    assert Period.parse("P5Y").describe("sv") == "5 år"
    assert Period.parse("P1M").describe("en") == "1 month"
    assert Period.parse("P1Y3M").describe("sv") == "1 år och 3 månader"
    assert Period.parse("P12M").describe("en") == "12 months"


def test_at_least_five_years_is_shorter_than_up_to_ten() -> None:
    assert Period.parse("P5Y").approx_days() < Period.parse("P10Y").approx_days()
    assert Period.parse("P12M").iso() == "P12M"
