"""Validate a rectification request: the category exists, the value is a valid one of its kind.

A category is named as the data map names it (``contact.email``, ``contact.postal_address``,
``identification.name``); the error for an unknown one lists those the map holds. A
category whose columns hold an identity kind (e-mail, phone) takes a value that the identity
package accepts, and its canonical form is what is written (``Anna@Exempel.SE`` becomes
``anna@exempel.se``, ``070-123 45 67`` becomes ``+46701234567``); other categories take
one line of text. Errors name the field and what is wrong, never the value.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dataskydd.datamap.schema import Column, DataMap, SystemKind, Table
from dataskydd.identity.given import redacted_reason
from dataskydd.identity.keyed import family
from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.programme.schema import Programme

MAX_TEXT_LENGTH = 1_000
_CATEGORY_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


class RectificationError(ValueError):
    """A rectification that cannot be planned; ``field`` is what was wrong, ``reason`` why.

    The reason never holds the value given (nor the values found).
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


@dataclass(frozen=True)
class Target:
    """A validated request: the category, its identity kind, the value to write."""

    category: str
    kind: IdentityKind | None
    value: str = field(repr=False)
    columns: tuple[str, ...] = ()  # only these column names; empty: every column of it
    only_where: str | None = field(default=None, repr=False)  # canonical: replace only this


def known_categories(datamap: DataMap) -> list[str]:
    """The categories a correction can name: those the map's columns and manual systems hold."""
    held = {
        c.category
        for _, table in datamap.tables()
        for c in table.columns
        if c.category and not c.free_text
    }
    for system_map in datamap.systems.values():
        if system_map.system.kind == SystemKind.MANUAL:
            held.update(system_map.system.categories)
    return sorted(held)


def check_target(
    programme: Programme,
    datamap: DataMap,
    category: str,
    value: str,
    *,
    columns: Sequence[str] = (),
    only_where: str | None = None,
) -> Target:
    """Validate the request; raises :class:`RectificationError` naming the field."""
    known = known_categories(datamap)
    listed = ", ".join(known) or "none"
    if category not in {c.key for c in programme.categories}:
        if not _CATEGORY_KEY.match(category):
            # Not shaped like a key: perhaps a value typed in the wrong place; not echoed.
            raise RectificationError(
                "category", f"that is not a category key; the data map holds: {listed}"
            )
        close = difflib.get_close_matches(category, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise RectificationError(
            "category",
            f"'{category}' is not a category of the programme{hint}; the data map holds: {listed}",
        )
    held = [
        (s.system.key, t, c)
        for s, t in datamap.tables()
        for c in t.columns
        if c.category == category and not c.free_text
    ]
    manual = [s for s in datamap.systems.values() if manual_holds(s.system.categories, category)]
    if not held and not manual:
        raise RectificationError(
            "category", f"no system of the data map holds {category}; it holds: {listed}"
        )
    if columns:
        names = {c.name for _, _, c in held}
        unknown = [name for name in columns if name not in names]
        if unknown:
            raise RectificationError(
                "column",
                f"no column named {', '.join(unknown)} holds {category}; its columns: "
                + ", ".join(sorted(f"{s}.{t.name}.{c.name}" for s, t, c in held)),
            )
        held = [(s, t, c) for s, t, c in held if c.name in columns]
    kinds = {family(c.identity) if c.identity else None for _, _, c in held}
    if len(kinds) > 1:
        named = ", ".join(sorted(str(k) if k else "plain text" for k in kinds))
        raise RectificationError(
            "category",
            f"{category} is held as different kinds of value ({named}): correct a narrower "
            "category, or name one column",
        )
    kind = next(iter(kinds), None)
    _check_unambiguous(category, held, columns)
    canonical = _valid_value("value", kind, category, value)
    old = None if only_where is None else _valid_value("old", kind, category, only_where)
    return Target(category, kind, canonical, tuple(columns), old)


def _check_unambiguous(
    category: str, held: Sequence[tuple[str, Table, Column]], columns: Sequence[str]
) -> None:
    """One value cannot go into several columns of one record (street, postcode, city)."""
    per_table: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
    for system, table, column in held:
        if not columns or column.name in columns:
            per_table[(system, table.name, column.subject)].append(column.name)
    for (system, table_name, _), names in sorted(per_table.items()):
        if len(names) > 1:
            raise RectificationError(
                "column",
                f"{category} is held in {len(names)} columns of {system}/{table_name} "
                f"({', '.join(names)}): one value cannot go into all of them; name the column",
            )


def _valid_value(name: str, kind: IdentityKind | None, category: str, value: str) -> str:
    if kind is not None:
        try:
            return normalise(kind, value)
        except IdentityError as error:
            raise RectificationError(
                name,
                f"not a valid {_KIND_WORDS.get(kind, str(kind))} for {category}: "
                f"{redacted_reason(error)}",
            ) from None
    text = value.strip()
    if not text:
        raise RectificationError(name, f"the value for {category} is empty")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise RectificationError(
            name, f"the value for {category} holds a line break or a control character"
        )
    if len(text) > MAX_TEXT_LENGTH:
        raise RectificationError(
            name, f"the value for {category} is {len(text)} characters; at most {MAX_TEXT_LENGTH}"
        )
    return text


_KIND_WORDS = {
    IdentityKind.EMAIL: "e-mail address",
    IdentityKind.PHONE: "phone number",
    IdentityKind.PERSONNUMMER: "personnummer",
    IdentityKind.SAMORDNINGSNUMMER: "samordningsnummer",
    IdentityKind.ORGANISATIONSNUMMER: "organisationsnummer",
}


def same_form(kind: IdentityKind | None, value: Any) -> Any:
    """What two values are compared by: the canonical identity, else the text as it is."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if kind is not None:
        try:
            return normalise(kind, text)
        except IdentityError:
            return text
    return text


def manual_holds(categories: Iterable[str], category: str) -> bool:
    """A manual system listing the category, a broader one or a narrower one holds it."""
    return any(
        held == category or category.startswith(held + ".") or held.startswith(category + ".")
        for held in categories
    )
