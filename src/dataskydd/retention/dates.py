"""Dates as the estate's databases give them, and the ends of retention periods."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def as_date(value: Any) -> date | None:
    """A date from a date, a date-time, or ISO text (SQLite keeps dates as text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def end_of_year(day: date) -> date:
    """The last day of ``day``'s year: a calendar-year financial year ends then."""
    return date(day.year, 12, 31)
