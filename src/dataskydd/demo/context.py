"""What every row writer shares: the rows of a chunk, the id counters, the calendar.

Ids are counted, not drawn: chunks are written in order, so the same seed numbers the
same rows the same way, and children can name their parents' ids at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random
from typing import Any

from dataskydd.demo import pools
from dataskydd.demo.identifiers import Permutation, organisationsnummer

Row = dict[str, Any]

# The estate's history starts when Almi's current systems went live.
HISTORY_START = datetime(2010, 1, 1)
# Company numbers: customers' companies are 556xxx-xxxx, the employers of prospects
# 559000-0000 to 559899-9999; 5599xx-xxxx is left to the planted companies.
CUSTOMER_COMPANIES = 10**6
EMPLOYERS = 900_000
LANDLINES = 10**6


@dataclass
class Batch:
    """The rows one chunk adds, by ``(system, table)``, parents before children."""

    rows: dict[tuple[str, str], list[Row]] = field(default_factory=lambda: defaultdict(list))

    def add(self, system: str, table: str, **values: Any) -> None:
        self.rows[(system, table)].append(values)


class Ids:
    """The next id of each table, counted from 1."""

    def __init__(self) -> None:
        self._next: dict[str, int] = defaultdict(lambda: 1)

    def __call__(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value


class Context:
    """One estate's calendar, counters and company identity spaces."""

    def __init__(self, seed: int, today: date, persons: int) -> None:
        self.seed = seed
        self.today = today
        # Midnight today is the end of history: a build on one day is the same all day.
        self.horizon = datetime.combine(today, time())
        self.ids = Ids()
        rng = Random(f"dataskydd-demo:{seed}:companies")
        self._companies = Permutation(CUSTOMER_COMPANIES, rng)
        self._employers = Permutation(EMPLOYERS, rng)
        self._landlines = Permutation(LANDLINES, rng)
        # Prospects work somewhere: about eight of them per employer, as in a real list.
        self.employer_count = min(EMPLOYERS, max(50, persons // 8))
        self._employer_names: dict[int, str] = {}

    # -- numbers ----------------------------------------------------------------------------

    def customer_number(self) -> str:
        return f"K{self.ids('customer_number'):07d}"

    def applicant_number(self) -> str:
        return f"R{self.ids('applicant_number'):07d}"

    def company_orgnr(self, index: int) -> str:
        return organisationsnummer(556_000_000 + self._companies(index))

    def employer(self, rng: Random) -> tuple[str, str]:
        """A prospect's employer, shared with others: (orgnr, name)."""
        index = rng.randrange(self.employer_count)
        name = self._employer_names.get(index)
        if name is None:
            own = Random(f"dataskydd-demo:{self.seed}:employer:{index}")
            name = pools.company_name(own, pools.LAST_NAMES.draw(own))
            self._employer_names[index] = name
        return organisationsnummer(559_000_000 + self._employers(index)), name

    def landline(self, rng: Random, index: int) -> str:
        """A company switchboard: an area code and a number no other company has."""
        area = pools.pick(rng, pools.AREA_CODES)
        digits = 7 if area == "08" else 6  # Stockholm numbers are one digit longer
        return f"{area}{self._landlines(index):0{digits}d}"

    # -- time -------------------------------------------------------------------------------

    def moment(self, rng: Random, start: datetime, end: datetime | None = None) -> datetime:
        """A moment between ``start`` and ``end`` (default: the horizon), to the second."""
        end = end or self.horizon
        seconds = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=int(rng.random() * seconds))

    def years_ago(self, years: float) -> datetime:
        return self.horizon - timedelta(days=round(365.25 * years))
