"""The released items as tables (one per system and table) and their values as text.

Every format lays out the same tables, so the CSV, the letter and the PDF always agree on
which columns a table has and how a value is written.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from dataskydd.programme.text import Language, LocalText
from dataskydd.rights.access import AnswerItem
from dataskydd.rights.letter_texts import say
from dataskydd.rights.resolution import Found


@dataclass(frozen=True)
class ColumnHead:
    column: str
    category: str | None
    label: LocalText | None

    def header(self, language: Language) -> str:
        """The header "Namn (name)": the category's label, then the column as the system calls it."""
        return f"{self.label.get(language)} ({self.column})" if self.label else self.column


@dataclass(frozen=True)
class DataTable:
    system: str
    system_name: str
    table: str
    columns: list[ColumnHead]
    items: list[AnswerItem]

    def headers(self, language: Language) -> list[str]:
        return [c.header(language) for c in self.columns]

    def values(self, item: AnswerItem) -> list[Any]:
        """The item's values in column order; None where the item has no value."""
        by_column = {f.column: f.value for f in item.fields}
        return [by_column.get(c.column) for c in self.columns]

    @property
    def mixed(self) -> bool:
        """Whether some rows are not the person's own (a mention, a context row)."""
        return any(i.found != Found.OWN for i in self.items)


def data_tables(items: list[AnswerItem]) -> list[DataTable]:
    """The items grouped by system and table, in the order they come."""
    groups: dict[tuple[str, str], list[AnswerItem]] = {}
    for item in items:
        groups.setdefault((item.system, item.table), []).append(item)
    return [
        DataTable(system, group[0].system_name, table, _columns(group), group)
        for (system, table), group in groups.items()
    ]


def _columns(items: list[AnswerItem]) -> list[ColumnHead]:
    """Every column any item has a value in, in the data map's order.

    Items only carry the columns that hold a value, so a column first seen in a later item
    is placed after the column that precedes it there.
    """
    order: list[ColumnHead] = []
    seen: set[str] = set()
    for item in items:
        previous: str | None = None
        for f in item.fields:
            if f.column not in seen:
                head = ColumnHead(f.column, f.category, f.label)
                at = 0 if previous is None else _index(order, previous) + 1
                order.insert(at, head)
                seen.add(f.column)
            previous = f.column
    return order


def _index(order: list[ColumnHead], column: str) -> int:
    return next(i for i, c in enumerate(order) if c.column == column)


def json_value(value: Any) -> Any:
    """A value as JSON holds it: dates in ISO 8601, exact decimals as strings, bytes in base64."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def text_value(value: Any, language: Language) -> str:
    """A value as a person reads it: ISO 8601 dates, yes/no, nothing for a missing value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return say("yes" if value else "no", language)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return say("binary", language, size=len(bytes(value)))
    return str(value)
