"""Find one person in every system: the resolution graph that every right builds on.

From the identities given, each hop asks every table once (set-based: all new values of all
identity columns in one query per table), follows references from the person's rows to
their children (loans -> collateral), and reads new identities off the rows found (an
e-mail in the core system seeds the chat system), until nothing new turns up.

Three kinds of row come back, and the difference protects other people:

- **own**: matched by one of the person's identities, or a child of an own row;
- **mention**: an identity column that names someone else (``subject: false``, e.g. a
  guarantor) holds the person's identity, or free text mentions it; shown for review,
  never expanded;
- **context**: the parent of an own row (the company a board member sits on); shown so the
  answer makes sense, never expanded, so its other board members are never pulled in.

A system that fails is reported by name and the resolution is marked incomplete: an answer
is never silently partial.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dataskydd.connectors.base import Connector, ConnectorError, Row, TableRef
from dataskydd.datamap.schema import Column, DataMap, SystemKind, SystemMap, Table
from dataskydd.identity.freetext import IdentityMatcher
from dataskydd.identity.kinds import NATIONAL_ID_KINDS, IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise, written_forms

# What people write about themselves in chat, notes and forms. Internal record numbers
# (customer, applicant, login) are found through their own columns; searched for in text,
# their common digit runs would only make every free-text search a scan of the table.
FREE_TEXT_KINDS = frozenset(
    {
        IdentityKind.PERSONNUMMER,
        IdentityKind.SAMORDNINGSNUMMER,
        IdentityKind.ORGANISATIONSNUMMER,
        IdentityKind.EMAIL,
        IdentityKind.PHONE,
    }
)


# Identities read off the person's rows that may seed the next hop: only those that name a
# natural person. An organisationsnummer names a company (an employer, a board seat), and a
# record number (customer, applicant, login) may be a company's: a KYC check on a board
# member carries the company's customer number. Taken up, either would make the company's
# rows, and every other board member, look like the person's. The person's own records are
# reached through references instead; record numbers the person gives still search.
DISCOVERABLE_KINDS = frozenset(
    {
        IdentityKind.PERSONNUMMER,
        IdentityKind.SAMORDNINGSNUMMER,
        IdentityKind.EMAIL,
        IdentityKind.PHONE,
    }
)


@dataclass(frozen=True, order=True)
class Identity:
    kind: IdentityKind
    value: str  # canonical

    @property
    def family(self) -> IdentityKind:
        """Personnummer and samordningsnummer are one family: each matches the other's columns."""
        return IdentityKind.PERSONNUMMER if self.kind in NATIONAL_ID_KINDS else self.kind


class Found(StrEnum):
    OWN = "own"
    MENTION = "mention"
    CONTEXT = "context"


@dataclass
class FoundRow:
    system: str
    table: str
    key: tuple[Any, ...]
    values: Row
    found: Found
    via: str  # how it was reached, for the handler: "personnummer in customers.personnummer"


@dataclass
class SystemOutcome:
    system: str
    status: str  # "answered", "failed", "manual"
    error: str | None = None


@dataclass
class Resolution:
    identities: set[Identity]
    rows: dict[tuple[str, str], dict[tuple[Any, ...], FoundRow]]
    outcomes: dict[str, SystemOutcome]
    hops: int = 0
    queries: int = 0
    skipped_values: list[str] = field(default_factory=list)  # invalid identities met in data

    @property
    def complete(self) -> bool:
        """True when every queryable system answered (manual ones get a task instead)."""
        return all(o.status != "failed" for o in self.outcomes.values())

    @property
    def failures(self) -> list[SystemOutcome]:
        return [o for o in self.outcomes.values() if o.status == "failed"]

    def found(self, kind: Found | None = None) -> list[FoundRow]:
        return [r for rows in self.rows.values() for r in rows.values() if kind in (None, r.found)]


def parse_identities(given: Iterable[tuple[IdentityKind, str]]) -> set[Identity]:
    """Canonical identities from what a person or handler typed; raises IdentityError."""
    return {Identity(kind, normalise(kind, value)) for kind, value in given}


class _Plan:
    """What the data map says, indexed once: identity columns by family, references by parent."""

    def __init__(self, datamap: DataMap) -> None:
        self.tables: dict[tuple[str, str], tuple[SystemMap, Table]] = {}
        self.identity_columns: dict[tuple[str, str], dict[IdentityKind, list[Column]]] = {}
        self.children: dict[tuple[str, str], list[tuple[str, str, Column]]] = defaultdict(list)
        self.free_text: dict[tuple[str, str], list[str]] = {}
        for system_map, table in datamap.tables():
            where = (system_map.system.key, table.name)
            self.tables[where] = (system_map, table)
            by_family: dict[IdentityKind, list[Column]] = defaultdict(list)
            for column in table.columns:
                if column.identity is not None:
                    family = Identity(column.identity, "").family
                    by_family[family].append(column)
                if column.references is not None:
                    parent = (
                        column.references.system or system_map.system.key,
                        column.references.table,
                    )
                    self.children[parent].append((system_map.system.key, table.name, column))
            self.identity_columns[where] = dict(by_family)
            text_columns = [c.name for c in table.columns if c.free_text]
            if text_columns:
                self.free_text[where] = text_columns

    def columns(self, where: tuple[str, str]) -> list[str]:
        return [c.name for c in self.tables[where][1].columns]


class Resolver:
    """Resolves people over an estate of open connectors (one per queryable system)."""

    def __init__(
        self,
        datamap: DataMap,
        connectors: Mapping[str, Connector],
        *,
        unavailable: Mapping[str, str] | None = None,
        max_hops: int = 10,
        executor: Executor | None = None,
    ) -> None:
        self.datamap = datamap
        self.connectors = connectors
        self.unavailable = dict(unavailable or {})
        # A long-lived pool (the estate's) saves starting threads on every hop.
        self.executor = executor
        self.max_hops = max_hops
        self.plan = _Plan(datamap)

    def resolve(self, identities: Iterable[Identity]) -> Resolution:
        known = set(identities)
        result = Resolution(identities=set(known), rows=defaultdict(dict), outcomes={})
        for key, system_map in self.datamap.systems.items():
            manual = system_map.system.kind == SystemKind.MANUAL
            result.outcomes[key] = SystemOutcome(key, "manual" if manual else "answered")
            if not manual and key not in self.connectors:
                reason = self.unavailable.get(key, "no connection was opened")
                result.outcomes[key] = SystemOutcome(key, "failed", reason)
        frontier = set(known)
        new_own: list[FoundRow] = []
        while (frontier or new_own) and result.hops < self.max_hops:
            result.hops += 1
            found = self._hop(frontier, new_own, known, result)
            new_own = [r for r in found if r.found == Found.OWN]
            frontier = self._discover(new_own, known, result)
            known |= frontier
        result.identities = known
        return result

    # -- one hop ---------------------------------------------------------------------------

    def _hop(
        self,
        frontier: set[Identity],
        parents: list[FoundRow],
        known: set[Identity],
        result: Resolution,
    ) -> list[FoundRow]:
        """Every query of one hop, each system's queries in its own thread."""
        by_family: dict[IdentityKind, set[str]] = defaultdict(set)
        for identity in frontier:
            by_family[identity.family].update(written_forms(identity.kind, identity.value))
        parent_values = self._parent_values(parents)
        in_text = [(i.kind, i.value) for i in frontier if i.kind in FREE_TEXT_KINDS]
        matcher = IdentityMatcher(in_text) if in_text else None

        work: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for where in self.plan.tables:
            if result.outcomes[where[0]].status == "answered":
                work[where[0]].append(where)
        with ExitStack() as stack:
            pool = self.executor or stack.enter_context(ThreadPoolExecutor(max(1, len(work))))
            futures = {
                system: pool.submit(
                    self._system_hop, system, tables, by_family, parent_values, matcher, result
                )
                for system, tables in work.items()
            }
        found: list[FoundRow] = []
        for system, future in futures.items():
            try:
                found += future.result()
            except ConnectorError as error:
                result.outcomes[system] = SystemOutcome(system, "failed", error.message)
        # Parents of own rows: context, fetched after the hop so they never seed anything.
        found_own = [r for r in found if r.found == Found.OWN]
        self._context(found_own, result)
        return found

    def _system_hop(
        self,
        system: str,
        tables: list[tuple[str, str]],
        by_family: Mapping[IdentityKind, set[str]],
        parent_values: Mapping[tuple[str, str, str], set[Any]],
        matcher: IdentityMatcher | None,
        result: Resolution,
    ) -> list[FoundRow]:
        connector = self.connectors[system]
        found: list[FoundRow] = []
        for where in tables:
            found += self._identity_lookup(connector, where, by_family, result)
            found += self._children_lookup(connector, where, parent_values, result)
            if matcher is not None and where in self.plan.free_text:
                found += self._text_lookup(connector, where, matcher, result)
        return found

    def _identity_lookup(
        self,
        connector: Connector,
        where: tuple[str, str],
        by_family: Mapping[IdentityKind, set[str]],
        result: Resolution,
    ) -> list[FoundRow]:
        match: dict[str, set[str]] = {}
        columns_by_name: dict[str, Column] = {}
        for family, columns in self.plan.identity_columns[where].items():
            for column in columns:
                if by_family.get(family):
                    match[column.name] = set(by_family[family])
                    columns_by_name[column.name] = column
        if not match:
            return []
        rows = self._fetch(connector, where, match, result)
        found = []
        for row in rows:
            hit = next(
                c
                for name, c in columns_by_name.items()
                if row.get(name) is not None and str(row[name]) in match[name]
            )
            kind = Found.OWN if hit.subject else Found.MENTION
            via = f"{hit.identity} in {where[1]}.{hit.name}"
            found += self._record(where, row, kind, via, result)
        return found

    def _children_lookup(
        self,
        connector: Connector,
        where: tuple[str, str],
        parent_values: Mapping[tuple[str, str, str], set[Any]],
        result: Resolution,
    ) -> list[FoundRow]:
        _, table = self.plan.tables[where]
        match: dict[str, set[Any]] = {}
        for column in table.columns:
            ref = column.references
            if ref is None:
                continue
            values = parent_values.get((ref.system or where[0], ref.table, ref.column))
            if values:
                match.setdefault(column.name, set()).update(values)
        if not match:
            return []
        found = []
        for row in self._fetch(connector, where, match, result):
            name = next(n for n in match if row.get(n) in match[n])
            ref = table.column(name).references
            assert ref is not None
            found += self._record(
                where, row, Found.OWN, f"{where[1]}.{name} → {ref.table}.{ref.column}", result
            )
        return found

    def _text_lookup(
        self,
        connector: Connector,
        where: tuple[str, str],
        matcher: IdentityMatcher,
        result: Resolution,
    ) -> list[FoundRow]:
        text_columns = self.plan.free_text[where]
        result.queries += 1
        rows = connector.search_text(
            TableRef(where[1], self.plan.tables[where][1].schema_name),
            self.plan.columns(where),
            text_columns,
            matcher.sql_patterns(),
        )
        found = []
        for row in rows:
            # The database's LIKE is a pre-filter; only a real match in the text counts.
            hit = next(
                (
                    c
                    for c in text_columns
                    if isinstance(row.get(c), str) and matcher.contains(row[c])
                ),
                None,
            )
            if hit is not None:
                found += self._record(
                    where, row, Found.MENTION, f"mentioned in {where[1]}.{hit}", result
                )
        return found

    def _context(self, own: list[FoundRow], result: Resolution) -> None:
        wanted: dict[tuple[str, str], dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
        for row in own:
            _, table = self.plan.tables[(row.system, row.table)]
            for column in table.columns:
                ref = column.references
                value = row.values.get(column.name)
                if ref is not None and value is not None:
                    wanted[(ref.system or row.system, ref.table)][ref.column].add(value)
        for where, match in wanted.items():
            if where not in self.plan.tables or result.outcomes[where[0]].status != "answered":
                continue
            primary_key = self.plan.tables[where][1].primary_key
            if len(primary_key) == 1 and primary_key[0] in match:
                # A parent already found (usually as the person's own row) needs no query.
                recorded = result.rows[where]
                match[primary_key[0]] = {v for v in match[primary_key[0]] if (v,) not in recorded}
                if not match[primary_key[0]]:
                    continue
            try:
                rows = self._fetch(self.connectors[where[0]], where, match, result)
            except ConnectorError as error:
                result.outcomes[where[0]] = SystemOutcome(where[0], "failed", error.message)
                continue
            for parent in rows:
                self._record(
                    where, parent, Found.CONTEXT, "the record one of yours belongs to", result
                )

    # -- bookkeeping ------------------------------------------------------------------------

    def _fetch(
        self,
        connector: Connector,
        where: tuple[str, str],
        match: Mapping[str, Iterable[Any]],
        result: Resolution,
    ) -> list[Row]:
        result.queries += 1
        table = self.plan.tables[where][1]
        return connector.fetch(
            TableRef(table.name, table.schema_name),
            self.plan.columns(where),
            {k: list(v) for k, v in match.items()},
        )

    def _record(
        self, where: tuple[str, str], row: Row, found: Found, via: str, result: Resolution
    ) -> list[FoundRow]:
        """Keep a row once, at its strongest standing (own beats mention beats context)."""
        table = self.plan.tables[where][1]
        key = tuple(row.get(c) for c in table.primary_key)
        existing = result.rows[where].get(key)
        rank = {Found.OWN: 0, Found.MENTION: 1, Found.CONTEXT: 2}
        if existing is not None and rank[existing.found] <= rank[found]:
            return []
        record = FoundRow(where[0], where[1], key, row, found, via)
        result.rows[where][key] = record
        return [record]

    def _parent_values(self, parents: Sequence[FoundRow]) -> dict[tuple[str, str, str], set[Any]]:
        """The referenced column values of new own rows: what their children point at."""
        values: dict[tuple[str, str, str], set[Any]] = defaultdict(set)
        for row in parents:
            for child_system, child_table, column in self.plan.children.get(
                (row.system, row.table), []
            ):
                del child_system, child_table
                ref = column.references
                assert ref is not None
                value = row.values.get(ref.column)
                if value is not None:
                    values[(row.system, row.table, ref.column)].add(value)
        return values

    def _discover(
        self, rows: Sequence[FoundRow], known: set[Identity], result: Resolution
    ) -> set[Identity]:
        """New identities of the person, read off their own rows' subject identity columns."""
        new: set[Identity] = set()
        for row in rows:
            for columns in self.plan.identity_columns[(row.system, row.table)].values():
                for column in columns:
                    value = row.values.get(column.name)
                    if value is None or not column.subject or column.identity is None:
                        continue
                    if column.identity not in DISCOVERABLE_KINDS:
                        continue
                    try:
                        identity = Identity(column.identity, normalise(column.identity, str(value)))
                    except IdentityError:
                        result.skipped_values.append(f"{row.system}.{row.table}.{column.name}")
                        continue
                    if identity not in known:
                        new.add(identity)
        return new
