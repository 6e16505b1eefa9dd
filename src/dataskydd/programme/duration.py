"""Retention durations as ISO 8601 periods (P5Y, P3M, P12M, P30D) with calendar arithmetic."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_PERIOD = re.compile(r"^P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?$")


@dataclass(frozen=True, order=False)
class Period:
    """A calendar period: years and months move by calendar, days by days."""

    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip().upper()) if isinstance(text, str) else None
        if not match or text.strip().upper() == "P":
            raise ValueError(
                f"{text!r} is not an ISO 8601 period; write e.g. P5Y, P3M, P12M or P30D"
            )
        weeks = int(match["w"] or 0)
        return cls(int(match["y"] or 0), int(match["m"] or 0), int(match["d"] or 0) + 7 * weeks)

    def after(self, start: date) -> date:
        """The date this period after ``start``; the 31st plus one month is the month's last day."""
        month_index = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date.fromordinal(date(year, month, day).toordinal() + self.days)

    def approx_days(self) -> float:
        """Length in days, for comparing periods (a year is 365.25 days, a month 30.44)."""
        return self.years * 365.25 + self.months * 30.44 + self.days

    def iso(self) -> str:
        parts = [
            f"{v}{u}" for v, u in ((self.years, "Y"), (self.months, "M"), (self.days, "D")) if v
        ]
        return "P" + ("".join(parts) or "0D")

    def describe(self, language: str) -> str:
        """'5 years', '3 månader', '12 months and 10 days'."""
        names = {
            "sv": (("år", "år"), ("månad", "månader"), ("dag", "dagar"), " och "),
            "en": (("year", "years"), ("month", "months"), ("day", "days"), " and "),
        }[language]
        parts = [
            f"{value} {name[0] if value == 1 else name[1]}"
            for value, name in zip((self.years, self.months, self.days), names[:3], strict=True)
            if value
        ]
        return names[3].join(parts) if parts else "0"

    def __str__(self) -> str:
        return self.iso()


def _coerce(value: Any) -> Period:
    if isinstance(value, Period):
        return value
    if not isinstance(value, str):
        raise ValueError("a period is written as text, e.g. P5Y, P3M or P12M")
    return Period.parse(value)


Duration = Annotated[
    Period, BeforeValidator(_coerce), PlainSerializer(lambda p: p.iso(), return_type=str)
]
