"""One clock for the whole platform.

Deadlines, retention and notice versions all read "now" from here, so that a test, a demo
or an operator can put the platform at any date: ``DATASKYDD_NOW=2027-01-01``, the CLI's
``--now``, or :func:`frozen_at` in tests. A set clock stands still; an unset one is real time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Deadlines and retention follow the Swedish calendar, so "today" is today in Stockholm.
LOCAL_ZONE = ZoneInfo("Europe/Stockholm")

_fixed: datetime | None = None


def parse_instant(text: str) -> datetime:
    """'2027-01-01' (midnight in Stockholm) or an ISO 8601 date-time; naive means Stockholm."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), LOCAL_ZONE).astimezone(UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date or date-time; write e.g. 2027-01-01 or 2027-01-01T09:30"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LOCAL_ZONE)
    return parsed.astimezone(UTC)


def set_now(value: datetime | str | None) -> None:
    """Fix the clock at ``value``; ``None`` returns it to real time."""
    global _fixed
    if isinstance(value, str):
        value = parse_instant(value)
    elif isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_ZONE)
    _fixed = value.astimezone(UTC) if value is not None else None


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return _fixed if _fixed is not None else datetime.now(UTC)


def today() -> date:
    """Today's date in Stockholm."""
    return now().astimezone(LOCAL_ZONE).date()


def is_fixed() -> bool:
    return _fixed is not None


@contextmanager
def frozen_at(value: datetime | str) -> Iterator[None]:
    """Run a block with the clock fixed at ``value``, then restore what was there."""
    previous = _fixed
    set_now(value)
    try:
        yield
    finally:
        set_now(previous)


def configure_from_environment() -> None:
    """Apply ``DATASKYDD_NOW`` if it is set."""
    value = os.environ.get("DATASKYDD_NOW")
    if value:
        set_now(value)
