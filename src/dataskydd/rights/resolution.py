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


@dataclass
class _Search:
    """One person's resolution under way: what is known of them, and what the last hop found."""

    result: Resolution
    known: set[Identity]
    frontier: set[Identity]
    own: list[FoundRow] = field(default_factory=list)  # the last hop's new own rows


@dataclass
class _Ask:
    """What one hop asks for one person: identity values, referenced keys, free text."""

    search: _Search
    by_family: dict[IdentityKind, set[str]]
    parent_values: dict[tuple[str, str, str], set[Any]]
    matcher: IdentityMatcher | None
    patterns: list[str | tuple[str, ...]]

    @property
    def result(self) -> Resolution:
        return self.search.result


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
        return self.resolve_many([identities])[0]

    def resolve_many(self, people: Sequence[Iterable[Identity]]) -> list[Resolution]:
        """One resolution per person, all found together: a hop asks each table once for all.

        Every person's resolution is the one :meth:`resolve` finds for them alone: a row is
        theirs, a mention of them or their context only by their own identities, references
        and free-text patterns, whoever else the same query was for. Only the failure of a
        query is shared: a system that fails is failed for everyone it was asked for.
        """
        groups = [set(identities) for identities in people]
        try:
            return self._resolve_together(groups)
        except _Unattributed:
            if len(groups) == 1:
                raise
            # The database matched a value as Python does not (a number column asked with
            # text, a case-insensitive collation), and for several people at once: asked
            # alone, every row a person's query returns is theirs.
            return [self._resolve_together([identities])[0] for identities in groups]

    def _resolve_together(self, people: Sequence[set[Identity]]) -> list[Resolution]:
        searches = [self._start(identities) for identities in people]
        while True:
            active = [
                s for s in searches if (s.frontier or s.own) and s.result.hops < self.max_hops
            ]
            if not active:
                break
            for search in active:
                search.result.hops += 1
            found = self._hop(active)
            for search, rows in zip(active, found, strict=True):
                search.own = [r for r in rows if r.found == Found.OWN]
                search.frontier = self._discover(search.own, search.known, search.result)
                search.known |= search.frontier
        for search in searches:
            search.result.identities = search.known
        return [search.result for search in searches]

    def _start(self, identities: set[Identity]) -> _Search:
        result = Resolution(identities=set(identities), rows=defaultdict(dict), outcomes={})
        for key, system_map in self.datamap.systems.items():
            manual = system_map.system.kind == SystemKind.MANUAL
            result.outcomes[key] = SystemOutcome(key, "manual" if manual else "answered")
            if not manual and key not in self.connectors:
                reason = self.unavailable.get(key, "no connection was opened")
                result.outcomes[key] = SystemOutcome(key, "failed", reason)
        return _Search(result, set(identities), set(identities))

    # -- one hop ---------------------------------------------------------------------------

    def _hop(self, searches: Sequence[_Search]) -> list[list[FoundRow]]:
        """Every query of one hop, each system's queries in its own thread; rows per person."""
        asks = [self._ask(search) for search in searches]
        tables: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for where in self.plan.tables:
            tables[where[0]].append(where)
        # Per system, the people it still answers for (a system failed for one is not asked).
        work = {
            system: [
                i for i, ask in enumerate(asks) if ask.result.outcomes[system].status == "answered"
            ]
            for system in tables
        }
        work = {system: members for system, members in work.items() if members}
        with ExitStack() as stack:
            pool = self.executor or stack.enter_context(ThreadPoolExecutor(max(1, len(work))))
            futures = {
                system: pool.submit(
                    self._system_hop, system, tables[system], [asks[i] for i in members]
                )
                for system, members in work.items()
            }
        found: list[list[FoundRow]] = [[] for _ in asks]
        for system, future in futures.items():
            try:
                rows = future.result()
            except ConnectorError as error:
                for i in work[system]:
                    asks[i].result.outcomes[system] = SystemOutcome(system, "failed", error.message)
                continue
            for i, person_rows in zip(work[system], rows, strict=True):
                found[i] += person_rows
        # Parents of own rows: context, fetched after the hop so they never seed anything.
        self._context(
            [
                (ask.result, [r for r in rows if r.found == Found.OWN])
                for ask, rows in zip(asks, found, strict=True)
            ]
        )
        return found

    def _ask(self, search: _Search) -> _Ask:
        by_family: dict[IdentityKind, set[str]] = defaultdict(set)
        for identity in search.frontier:
            by_family[identity.family].update(written_forms(identity.kind, identity.value))
        in_text = [(i.kind, i.value) for i in search.frontier if i.kind in FREE_TEXT_KINDS]
        matcher = IdentityMatcher(in_text) if in_text else None
        return _Ask(
            search,
            dict(by_family),
            self._parent_values(search.own),
            matcher,
            matcher.sql_patterns() if matcher is not None else [],
        )

    def _system_hop(
        self, system: str, tables: list[tuple[str, str]], asks: Sequence[_Ask]
    ) -> list[list[FoundRow]]:
        connector = self.connectors[system]
        found: list[list[FoundRow]] = [[] for _ in asks]
        for where in tables:
            self._identity_lookup(connector, where, asks, found)
            self._children_lookup(connector, where, asks, found)
            if where in self.plan.free_text:
                self._text_lookup(connector, where, asks, found)
        return found

    def _identity_lookup(
        self,
        connector: Connector,
        where: tuple[str, str],
        asks: Sequence[_Ask],
        found: list[list[FoundRow]],
    ) -> None:
        columns = [c for cs in self.plan.identity_columns[where].values() for c in cs]
        # Per column, which people ask for each value.
        wanted: dict[str, dict[str, list[int]]] = {}
        for i, ask in enumerate(asks):
            for family, family_columns in self.plan.identity_columns[where].items():
                values = ask.by_family.get(family)
                if not values:
                    continue
                for column in family_columns:
                    by_value = wanted.setdefault(column.name, {})
                    for value in values:
                        by_value.setdefault(value, []).append(i)
        if not wanted:
            return
        asked = _askers(asks, wanted)
        rows = self._fetch(connector, where, wanted, asked)
        folded = _folded(wanted)
        for row in rows:
            # Each person's first column (in the data map's order) that holds their value.
            hits: dict[int, Column] = {}
            for column in columns:
                held = row.get(column.name)
                if held is None or column.name not in wanted:
                    continue
                text = str(held)
                by_text = wanted[column.name].get(text) or folded[column.name].get(text.casefold())
                for i in by_text or []:
                    hits.setdefault(i, column)
            if not hits:
                hits = dict.fromkeys(_alone(asked, asks), _first_held(row, columns, wanted))
            for i, hit in hits.items():
                kind = Found.OWN if hit.subject else Found.MENTION
                via = f"{hit.identity} in {where[1]}.{hit.name}"
                found[i] += self._record(where, row, kind, via, asks[i].result)

    def _children_lookup(
        self,
        connector: Connector,
        where: tuple[str, str],
        asks: Sequence[_Ask],
        found: list[list[FoundRow]],
    ) -> None:
        _, table = self.plan.tables[where]
        wanted: dict[str, dict[Any, list[int]]] = {}
        for column in table.columns:
            ref = column.references
            if ref is None:
                continue
            parent = (ref.system or where[0], ref.table, ref.column)
            for i, ask in enumerate(asks):
                for value in ask.parent_values.get(parent, ()):
                    askers = wanted.setdefault(column.name, {}).setdefault(value, [])
                    if i not in askers:
                        askers.append(i)
        if not wanted:
            return
        asked = _askers(asks, wanted)
        as_text = _as_text(wanted)
        for row in self._fetch(connector, where, wanted, asked):
            hits = _asked_for(row, wanted, as_text)
            if not hits:
                name = next((n for n in wanted if row.get(n) is not None), next(iter(wanted)))
                hits = dict.fromkeys(_alone(asked, asks), name)
            for i, name in hits.items():
                ref = table.column(name).references
                assert ref is not None
                via = f"{where[1]}.{name} → {ref.table}.{ref.column}"
                found[i] += self._record(where, row, Found.OWN, via, asks[i].result)

    def _text_lookup(
        self,
        connector: Connector,
        where: tuple[str, str],
        asks: Sequence[_Ask],
        found: list[list[FoundRow]],
    ) -> None:
        askers = [i for i, ask in enumerate(asks) if ask.matcher is not None]
        if not askers:
            return
        text_columns = self.plan.free_text[where]
        patterns = list(dict.fromkeys(p for i in askers for p in asks[i].patterns))
        for i in askers:
            asks[i].result.queries += 1
        rows = connector.search_text(
            TableRef(where[1], self.plan.tables[where][1].schema_name),
            self.plan.columns(where),
            text_columns,
            patterns,
        )
        for row in rows:
            texts = [(c, row[c]) for c in text_columns if isinstance(row.get(c), str)]
            # Asked for several people, the database found the row by someone's pattern:
            # each person's own patterns say whether it would have been found for them.
            lowered = [text.lower() for _, text in texts] if len(askers) > 1 else []
            for i in askers:
                ask = asks[i]
                assert ask.matcher is not None
                if lowered and not any(_like(p, t) for p in ask.patterns for t in lowered):
                    continue
                # The database's LIKE is a pre-filter; only a real match in the text counts.
                hit = next((c for c, text in texts if ask.matcher.contains(text)), None)
                if hit is not None:
                    via = f"mentioned in {where[1]}.{hit}"
                    found[i] += self._record(where, row, Found.MENTION, via, ask.result)

    def _context(self, owns: Sequence[tuple[Resolution, list[FoundRow]]]) -> None:
        """The parents of each person's new own rows, as their context; one query per table."""
        # Per table and column, which people want each value.
        wanted: dict[tuple[str, str], dict[str, dict[Any, list[int]]]] = defaultdict(dict)
        for i, (result, own) in enumerate(owns):
            for where, columns in self._parents_wanted(result, own).items():
                for name, values in columns.items():
                    by_value = wanted[where].setdefault(name, {})
                    for value in values:
                        by_value.setdefault(value, []).append(i)
        for where, match in wanted.items():
            members = sorted(
                {i for by_value in match.values() for ids in by_value.values() for i in ids}
            )
            results = [owns[i][0] for i in members]
            try:
                rows = self._fetch(self.connectors[where[0]], where, match, results)
            except ConnectorError as error:
                for result in results:
                    result.outcomes[where[0]] = SystemOutcome(where[0], "failed", error.message)
                continue
            # Alone, every row found is theirs; else a parent is the context of those who
            # asked for one of its values (compared as text when the types differ, as a
            # reference into another system's database may).
            as_text = _as_text(match)
            for parent in rows:
                askers = members if len(members) == 1 else list(_asked_for(parent, match, as_text))
                if not askers:
                    raise _Unattributed(where)
                for i in askers:
                    self._record(
                        where,
                        parent,
                        Found.CONTEXT,
                        "the record one of yours belongs to",
                        owns[i][0],
                    )

    def _parents_wanted(
        self, result: Resolution, own: Sequence[FoundRow]
    ) -> dict[tuple[str, str], dict[str, set[Any]]]:
        """The parents of one person's own rows still to fetch: per table, values per column."""
        wanted: dict[tuple[str, str], dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
        for row in own:
            _, table = self.plan.tables[(row.system, row.table)]
            for column in table.columns:
                ref = column.references
                value = row.values.get(column.name)
                if ref is not None and value is not None:
                    wanted[(ref.system or row.system, ref.table)][ref.column].add(value)
        asked: dict[tuple[str, str], dict[str, set[Any]]] = {}
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
            asked[where] = dict(match)
        return asked

    # -- bookkeeping ------------------------------------------------------------------------

    def _fetch(
        self,
        connector: Connector,
        where: tuple[str, str],
        match: Mapping[str, Iterable[Any]],
        results: Iterable[Resolution],
    ) -> list[Row]:
        for result in results:
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


def _askers(
    asks: Sequence[_Ask], wanted: Mapping[str, Mapping[Any, list[int]]]
) -> list[Resolution]:
    """The resolutions of the people a lookup asks for (each counts the query)."""
    members = sorted({i for by_value in wanted.values() for ids in by_value.values() for i in ids})
    return [asks[i].result for i in members]


class _Unattributed(Exception):
    """A row the database returned for several people that no one's values account for.

    The database compares as its column types and collations say, Python by equality (then
    as text, then case-folded); where they disagree, the row cannot be given to one person
    of a group, and the group is asked again one person at a time (``resolve_many``).
    """


def _alone(askers: Sequence[Resolution], asks: Sequence[_Ask]) -> list[int]:
    """The one person a lookup asked for, whose every row it returned is theirs.

    Asked for several, a row no one's values account for stops the group
    (:class:`_Unattributed`): given to everyone, it would be someone else's data.
    """
    if len(askers) == 1:
        return [next(i for i, ask in enumerate(asks) if ask.result is askers[0])]
    raise _Unattributed()


def _folded(wanted: Mapping[str, Mapping[str, list[int]]]) -> dict[str, dict[str, list[int]]]:
    """The values asked for, case-folded: a case-insensitive collation matches so."""
    folded: dict[str, dict[str, list[int]]] = {}
    for name, by_value in wanted.items():
        by_folded = folded.setdefault(name, {})
        for value, ids in by_value.items():
            by_folded.setdefault(value.casefold(), []).extend(ids)
    return folded


def _first_held(row: Row, columns: Sequence[Column], wanted: Mapping[str, Any]) -> Column:
    """The first asked-for column (in the data map's order) holding a value in ``row``."""
    asked = [c for c in columns if c.name in wanted]
    return next((c for c in asked if row.get(c.name) is not None), asked[0])


def _as_text(match: Mapping[str, Mapping[Any, list[int]]]) -> dict[str, dict[str, list[int]]]:
    """The values asked for, per column, as text (for :func:`_asked_for`)."""
    return {name: {str(v): ids for v, ids in by_value.items()} for name, by_value in match.items()}


def _asked_for(
    row: Row,
    match: Mapping[str, Mapping[Any, list[int]]],
    as_text: Mapping[str, Mapping[str, list[int]]],
) -> dict[int, str]:
    """Who asked for one of ``row``'s values, each with the first column that holds it:
    equal, or failing that equal as text (a reference into another system's database may
    hold the key as another type)."""
    askers: dict[int, str] = {}
    for name, by_value in match.items():
        value = row.get(name)
        if value is not None:
            for i in by_value.get(value) or as_text[name].get(str(value)) or []:
                askers.setdefault(i, name)
    return askers


def _like(pattern: str | tuple[str, ...], lowered: str) -> bool:
    """Whether ``LIKE '%part%part%'`` (case-insensitive) holds for the lower-cased text."""
    at = 0
    for part in [pattern] if isinstance(pattern, str) else pattern:
        found = lowered.find(part.lower(), at)
        if found < 0:
            return False
        at = found + len(part)
    return True
