"""Build the erasure plan from a resolution: one decision per record, with its reasons.

For each record of the person (own rows, and other people's rows that name them):

1. the columns that are the person's (a mention touches only the columns that name them);
2. the holds in force (``retention/holds.py``), dated from the record, the records it
   belongs to, then the person's own relationship;
3. whether the grounds end the processing: a purpose on consent or legitimate interest
   ends only when a ground covers it; contract, legal obligation and legal claims end when
   their holds lapse;
4. delete the row (when the data map says the row goes), else mask column by column.

A row that would be deleted but has kept records referring to it in the same database is
masked instead, so the foreign keys of what the law keeps stay intact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from dataskydd import clock
from dataskydd.connectors.base import ConnectorError, TableRef
from dataskydd.datamap.schema import Column, DataMap, ErasureStrategy, SystemKind, Table
from dataskydd.identity.freetext import IdentityMatcher
from dataskydd.programme.schema import Programme
from dataskydd.programme.vocab import RetentionTrigger
from dataskydd.retention.dates import as_date
from dataskydd.retention.holds import ONGOING, DateState, Dating, HoldFinder, LegalHold, combine
from dataskydd.rights.erasure import (
    ENDABLE_BASES,
    Action,
    ErasurePlan,
    Ground,
    GroundError,
    RowDecision,
    adult_on,
    check_grounds,
    purposes_ended,
)
from dataskydd.rights.masking import Redactor, erased_value
from dataskydd.rights.resolution import FREE_TEXT_KINDS, Found, FoundRow, Resolution
from dataskydd.rights.service import Estate

# How far up the references a record's dates are looked for (transaction -> loan -> customer).
PARENT_DEPTH = 3
# The person's own relationship dates every record of theirs that has no date of its own.
PERSON_TRIGGERS = (RetentionTrigger.RELATIONSHIP_ENDED,)

Where = tuple[str, str]


class ErasurePlanner:
    """Plans erasures on an open estate; build once per programme and estate, reuse per person."""

    def __init__(self, programme: Programme, estate: Estate) -> None:
        self.programme = programme
        self.estate = estate
        self.datamap: DataMap = estate.datamap
        self.finder = HoldFinder(programme)
        self.endable = {p.key for p in programme.purposes if set(p.legal_bases) <= ENDABLE_BASES}
        self.tables: dict[Where, Table] = {
            (s.system.key, t.name): t for s, t in self.datamap.tables()
        }

    def plan(
        self,
        resolution: Resolution,
        grounds: Sequence[Ground],
        *,
        legal_holds: Sequence[LegalHold] = (),
        today: date | None = None,
    ) -> ErasurePlan:
        """The plan for the person ``resolution`` found; raises GroundError for a ground that fails."""
        day = today or clock.today()
        given = list(dict.fromkeys(grounds))
        birth = check_grounds(self.programme, given, resolution.identities, day)
        own = resolution.found(Found.OWN)
        if Ground.MINOR in given and birth is not None:
            self._check_minor(birth, own, day)
        ended = purposes_ended(self.programme, given)
        person = self._person_dating(own)
        text_identities = [
            (i.kind, i.value) for i in resolution.identities if i.kind in FREE_TEXT_KINDS
        ]
        matcher = IdentityMatcher(text_identities) if text_identities else None
        redactor = Redactor(matcher, _names(own, self.tables))
        parents = _ParentCache(self, resolution)
        decisions = [
            self._decide(row, ended, person, matcher, redactor, parents, legal_holds, day)
            for row in sorted(resolution.found(), key=lambda r: (r.system, r.table, str(r.key)))
            if row.found is not Found.CONTEXT
        ]
        self._protect_parents(decisions, resolution, matcher, redactor)
        return ErasurePlan(
            grounds=given,
            identities=set(resolution.identities),
            decisions=decisions,
            created_at=clock.now(),
            today=day,
            failed_systems=[(f.system, f.error or "failed") for f in resolution.failures],
            manual_systems=[
                k for k, s in self.datamap.systems.items() if s.system.kind == SystemKind.MANUAL
            ],
            birth_date=birth,
        )

    # -- one record ------------------------------------------------------------------------

    def _decide(
        self,
        row: FoundRow,
        ended: set[str],
        person: Mapping[RetentionTrigger, DateState],
        matcher: IdentityMatcher | None,
        redactor: Redactor,
        parents: _ParentCache,
        legal_holds: Sequence[LegalHold],
        today: date,
    ) -> RowDecision:
        table = self.tables[(row.system, row.table)]
        columns = self._theirs(row, table, matcher)
        categories = sorted(
            {c.category for c in columns if c.category and row.values.get(c.name) is not None}
        )
        decision = RowDecision(
            row.system, row.table, row.key, row.found, Action.KEEP, categories, list(table.purposes)
        )
        dating = Dating([_row_dates(table, row.values), *parents.layers(row, PARENT_DEPTH)])
        if row.found is Found.OWN:
            dating.layers.append(person)
        decision.holds = self.finder.holds(
            row.system, table, categories, dating, today, legal_holds
        )
        if decision.holds:
            return decision
        still = [p for p in table.purposes if p in self.endable and p not in ended]
        if still:
            decision.still_processed_for = still
            return decision
        if row.found is Found.OWN and any(c.erasure is ErasureStrategy.DELETE_ROW for c in columns):
            decision.action = Action.DELETE
            return decision
        _masked(decision, columns, row.values, redactor)
        return decision

    def _protect_parents(
        self,
        decisions: list[RowDecision],
        resolution: Resolution,
        matcher: IdentityMatcher | None,
        redactor: Redactor,
    ) -> None:
        """A row to delete that staying rows of its own database refer to is masked instead."""
        rows = {(r.system, r.table, r.key): r for r in resolution.found()}
        referred = _kept_references(decisions, rows, self.tables)
        for decision in decisions:
            if decision.action is not Action.DELETE:
                continue
            row = rows[(decision.system, decision.table, decision.key)]
            table = self.tables[(decision.system, decision.table)]
            if not any(
                (decision.system, decision.table, c.name, row.values.get(c.name)) in referred
                for c in table.columns
            ):
                continue
            _masked(decision, self._theirs(row, table, matcher), row.values, redactor)
            decision.note = "masked, not deleted: records that are kept refer to it"

    def _theirs(self, row: FoundRow, table: Table, matcher: IdentityMatcher | None) -> list[Column]:
        """The columns that are the person's: all subject columns of their own row; in someone
        else's row, the identity columns that name them (and their neighbours about the same
        other person) and free text that mentions them."""
        if row.found is Found.OWN:
            return [c for c in table.columns if c.subject]
        theirs: list[Column] = []
        # The resolver says how it found a mention: by an identity column, or in free text.
        named = not row.via.startswith("mentioned in")
        for column in table.columns:
            if named and not column.subject:
                theirs.append(column)
            elif column.free_text and matcher is not None:
                value = row.values.get(column.name)
                if isinstance(value, str) and matcher.contains(value):
                    theirs.append(column)
        return theirs

    def _person_dating(self, own: Sequence[FoundRow]) -> dict[RetentionTrigger, DateState]:
        found: dict[RetentionTrigger, list[DateState]] = defaultdict(list)
        for row in own:
            table = self.tables[(row.system, row.table)]
            for trigger, state in _row_dates(table, row.values).items():
                if trigger in PERSON_TRIGGERS:
                    found[trigger].append(state)
        combined = {t: combine(states) for t, states in found.items()}
        return {t: s for t, s in combined.items() if s is not None}

    def _check_minor(self, birth: date, own: Sequence[FoundRow], today: date) -> None:
        adult = adult_on(birth)
        if today < adult:
            return
        dates = [
            day
            for row in own
            for column in self.tables[(row.system, row.table)].columns
            if column.retention_trigger is RetentionTrigger.COLLECTED
            or "created" in column.name
            or "started" in column.name
            for day in [as_date(row.values.get(column.name))]
            if day is not None
        ]
        if not dates or min(dates) >= adult:
            age = (today - birth).days // 365
            raise GroundError(
                f"the ground 'minor' does not apply: the personnummer gives a birth date of "
                f"{birth.isoformat()} (about {age} years old), and no data of theirs found was "
                f"collected before {adult.isoformat()}"
            )


class _ParentCache:
    """The records a record belongs to, from the resolution or fetched once by key."""

    def __init__(self, planner: ErasurePlanner, resolution: Resolution) -> None:
        self.planner = planner
        self.resolution = resolution
        self.fetched: dict[tuple[str, str, str, Any], dict[str, Any] | None] = {}

    def layers(self, row: FoundRow, depth: int) -> list[dict[RetentionTrigger, DateState]]:
        layers: list[dict[RetentionTrigger, DateState]] = []
        current = [(row.system, row.table, row.values)]
        for _ in range(depth):
            above: list[tuple[str, str, dict[str, Any]]] = []
            for system, table_name, values in current:
                table = self.planner.tables[(system, table_name)]
                for column in table.columns:
                    ref = column.references
                    value = values.get(column.name)
                    if ref is None or value is None:
                        continue
                    target = (ref.system or system, ref.table)
                    parent = self._get(target, ref.column, value)
                    if parent is not None:
                        above.append((target[0], target[1], parent))
            if not above:
                break
            merged: dict[RetentionTrigger, list[DateState]] = defaultdict(list)
            for system, table_name, values in above:
                for trigger, state in _row_dates(
                    self.planner.tables[(system, table_name)], values
                ).items():
                    merged[trigger].append(state)
            layer = {t: s for t, states in merged.items() if (s := combine(states)) is not None}
            if layer:
                layers.append(layer)
            current = above
        return layers

    def _get(self, target: Where, column: str, value: Any) -> dict[str, Any] | None:
        if target not in self.planner.tables:
            return None
        table = self.planner.tables[target]
        if table.primary_key == [column]:
            known = self.resolution.rows.get(target, {}).get((value,))
            if known is not None:
                return known.values
        cache_key = (*target, column, value)
        if cache_key not in self.fetched:
            connector = self.planner.estate.connectors.get(target[0])
            rows: list[dict[str, Any]] = []
            if connector is not None:
                try:
                    rows = connector.fetch(
                        TableRef(table.name, table.schema_name),
                        [c.name for c in table.columns],
                        {column: [value]},
                    )
                except ConnectorError:
                    rows = []  # undated: the rules keep what they cannot date
            self.fetched[cache_key] = rows[0] if rows else None
        return self.fetched[cache_key]


def _row_dates(table: Table, values: Mapping[str, Any]) -> dict[RetentionTrigger, DateState]:
    """The record's own trigger columns: a date, or ONGOING when the event has not happened."""
    found: dict[RetentionTrigger, DateState] = {}
    for column in table.columns:
        if column.retention_trigger is None:
            continue
        day = as_date(values.get(column.name))
        found[column.retention_trigger] = day if day is not None else ONGOING
    return found


def _names(own: Sequence[FoundRow], tables: Mapping[Where, Table]) -> list[str]:
    """The person's names as their own records write them, to redact from free text too."""
    names: set[str] = set()
    for row in own:
        for column in tables[(row.system, row.table)].columns:
            value = row.values.get(column.name)
            if (
                column.subject
                and column.category == "identification.name"
                and isinstance(value, str)
            ) and len(value.strip()) >= 3:
                names.add(value.strip())
    return sorted(names, key=len, reverse=True)


def _masked(
    decision: RowDecision, columns: Sequence[Column], values: Mapping[str, Any], redactor: Redactor
) -> None:
    """Set the decision's new values; free text keeps its original, for merging redactions."""
    decision.values, decision.originals = {}, {}
    for column in columns:
        old = values.get(column.name)
        changed, new = erased_value(column, old, redactor)
        if changed:
            decision.values[column.name] = new
            if column.erasure is ErasureStrategy.REDACT:
                decision.originals[column.name] = old
    decision.redactor = redactor if decision.originals else None
    decision.action = Action.MASK if decision.values else Action.UNCHANGED


def _kept_references(
    decisions: Sequence[RowDecision],
    rows: Mapping[tuple[str, str, tuple[Any, ...]], FoundRow],
    tables: Mapping[Where, Table],
) -> set[tuple[str, str, str, Any]]:
    """``(system, table, column, value)`` of every parent that a staying row refers to."""
    referred: set[tuple[str, str, str, Any]] = set()
    for decision in decisions:
        if decision.action is Action.DELETE:
            continue
        row = rows[(decision.system, decision.table, decision.key)]
        for column in tables[(decision.system, decision.table)].columns:
            ref = column.references
            value = row.values.get(column.name)
            if ref is None or value is None or (ref.system or decision.system) != decision.system:
                continue
            referred.add((decision.system, ref.table, ref.column, value))
    return referred
