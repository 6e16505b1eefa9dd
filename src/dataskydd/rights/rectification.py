"""Plan a rectification (Art. 16): one corrected value for one category, everywhere it is held.

The person names a data-map category (``contact.email``) and the value it should hold. The
plan walks every record the resolution found and decides per column:

- **update**: a column of that category in the person's own record (or, in someone else's
  record that names the person by an identity column, the columns about them, as erasure
  reads it), holding another value;
- **unchanged**: it already holds the new value (so a second run changes nothing);
- **skipped**: an empty column (a correction does not add data the system never had), or
  one whose value is not the one to replace (``only_where``); columns the handler did not
  name (``columns``) are not in the plan at all;
- **task** for a person: a manual system that holds the category; free text that mentions
  an old value (never rewritten automatically); an identifier that links records
  (personnummer, record numbers); an internal assessment; and, when applied, a system that
  refuses the write.

Values are validated first: a category with an identity kind (e-mail, phone) is normalised
by the identity package, and the canonical form is what is written. Errors name the field
and what is wrong, never the value. The plan holds old values in memory only, for the
comparison and the audit's keyed hashes; nothing here prints or logs them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dataskydd.connectors.base import ConnectorError, TableRef
from dataskydd.datamap.schema import Column, SystemKind, Table
from dataskydd.identity.freetext import IdentityMatcher
from dataskydd.identity.keyed import family, keyed_hash
from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise, written_forms
from dataskydd.programme.schema import Programme
from dataskydd.rights.rectification_target import (
    RectificationError,
    Target,
    check_target,
    known_categories,
    manual_holds,
    same_form,
)
from dataskydd.rights.resolution import FREE_TEXT_KINDS, Found, FoundRow, Identity, Resolution
from dataskydd.rights.service import Estate

__all__ = [
    "Item",
    "RectificationError",
    "RectificationPlan",
    "RectificationPlanner",
    "Step",
    "Target",
    "TaskReason",
    "known_categories",
]

# Identities that link records to each other and to the person: changing one changes whose
# records they are, so a person does it by hand after checking the new one is nobody else's.
LINKING_KINDS = frozenset(
    {
        IdentityKind.PERSONNUMMER,
        IdentityKind.SAMORDNINGSNUMMER,
        IdentityKind.ORGANISATIONSNUMMER,
        IdentityKind.CUSTOMER_NUMBER,
        IdentityKind.APPLICANT_NUMBER,
        IdentityKind.LOGIN_ID,
    }
)
# A primary key holding one of these is personal data: such a record is named by a hash.
PERSONAL_KEY_KINDS = frozenset(
    {
        IdentityKind.PERSONNUMMER,
        IdentityKind.SAMORDNINGSNUMMER,
        IdentityKind.EMAIL,
        IdentityKind.PHONE,
    }
)
MIN_TEXT_MATCH = 3  # shorter old values are not looked for in free text: they match anything


class Step(StrEnum):
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    TASK = "task"


class TaskReason(StrEnum):
    MANUAL_SYSTEM = "manual_system"  # a system that cannot be queried holds the category
    FREE_TEXT = "free_text"  # free text mentions an old value: a person reads and corrects it
    IDENTIFIER = "identifier"  # the column links records: changed by hand
    ASSESSMENT = "internal_assessment"  # staff's assessment: a person decides
    WRITE_REFUSED = "write_refused"  # the system refused the write (read-only, a constraint)


@dataclass
class Item:
    """One column of one record (or a manual system), and what happens to it."""

    system: str
    table: str | None  # None for a manual system
    column: str | None
    key: tuple[Any, ...] | None
    ref: str  # how the record is named in output and tasks: never a personal value
    step: Step
    reason: TaskReason | None = None
    why: str = ""  # for skipped items and refused writes: a sentence without values
    old: Any = field(default=None, repr=False)  # the value found; never printed


@dataclass
class RectificationPlan:
    """Every column of the category the person's records hold, and what happens to it."""

    target: Target
    identities: set[Identity] = field(repr=False)
    items: list[Item]
    failed_systems: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # "crm/contacts: 1 record of someone else"

    @property
    def category(self) -> str:
        return self.target.category

    @property
    def complete(self) -> bool:
        return not self.failed_systems

    def by_step(self, step: Step) -> list[Item]:
        return [i for i in self.items if i.step is step]

    def counts(self) -> dict[str, int]:
        counted = Counter(str(i.step) for i in self.items)
        return {str(s): counted.get(str(s), 0) for s in Step}

    def distinct_old_values(self) -> int:
        """How many different values the updates replace (a hint; the values stay unshown)."""
        return len({same_form(self.target.kind, i.old) for i in self.by_step(Step.UPDATE)})

    def summary(self) -> list[tuple[str, str, str, dict[str, int]]]:
        """``(system, table, column, counts per step)``, in order: what the CLI prints."""
        grouped: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
        for item in self.items:
            grouped[(item.system, item.table or "-", item.column or "-")][str(item.step)] += 1
        return [
            (s, t, c, {str(step): counts.get(str(step), 0) for step in Step})
            for (s, t, c), counts in sorted(grouped.items())
        ]


# -- planning ---------------------------------------------------------------------------------


class RectificationPlanner:
    """Plans corrections on an open estate; build once per programme and estate."""

    def __init__(self, programme: Programme, estate: Estate) -> None:
        self.programme = programme
        self.estate = estate
        self.datamap = estate.datamap
        self.tables: dict[tuple[str, str], Table] = {
            (s.system.key, t.name): t for s, t in self.datamap.tables()
        }

    def target(
        self,
        category: str,
        value: str,
        *,
        columns: Sequence[str] = (),
        only_where: str | None = None,
    ) -> Target:
        return check_target(
            self.programme, self.datamap, category, value, columns=columns, only_where=only_where
        )

    def plan(self, resolution: Resolution, target: Target) -> RectificationPlan:
        """What the correction changes in the records ``resolution`` found; nothing changes yet."""
        rows = sorted(
            (r for r in resolution.found() if r.found is not Found.CONTEXT),
            key=lambda r: (r.system, r.table, str(r.key)),
        )
        items: list[Item] = []
        for row in rows:
            items += self._columns(row, target)
        replaced = [i.old for i in items if i.step in (Step.UPDATE, Step.TASK)]
        items += self._free_text(rows, target, replaced)
        for key, system_map in sorted(self.datamap.systems.items()):
            system = system_map.system
            if system.kind == SystemKind.MANUAL and manual_holds(
                system.categories, target.category
            ):
                items.append(Item(key, None, None, None, key, Step.TASK, TaskReason.MANUAL_SYSTEM))
        plan = RectificationPlan(
            target,
            set(resolution.identities),
            items,
            failed_systems=[(f.system, f.error or "failed") for f in resolution.failures],
        )
        if target.kind is not None:
            self._conflicts(plan, resolution)
        return plan

    def _columns(self, row: FoundRow, target: Target) -> list[Item]:
        table = self.tables[(row.system, row.table)]
        if row.found is Found.OWN:
            columns = [c for c in table.columns if c.subject]
        elif row.via.startswith("mentioned in"):
            return []  # only its free text names the person
        else:
            # Someone else's record that names the person: the columns about them.
            columns = [c for c in table.columns if not c.subject]
        ref = record_ref(row.system, table, row.key)
        return [
            Item(
                row.system, row.table, column.name, row.key, ref, *_decide(column, old, target), old
            )
            for column in columns
            if column.category == target.category and not column.free_text
            if not target.columns or column.name in target.columns
            for old in [row.values.get(column.name)]
        ]

    def _free_text(
        self, rows: Sequence[FoundRow], target: Target, replaced: Sequence[Any]
    ) -> list[Item]:
        """A task for every free text of the person's records that mentions a replaced value."""
        contains = _mentions(target.kind, replaced)
        if contains is None:
            return []
        items = []
        for row in rows:
            table = self.tables[(row.system, row.table)]
            for column in table.columns:
                text = row.values.get(column.name)
                if column.free_text and isinstance(text, str) and contains(text):
                    items.append(
                        Item(
                            row.system,
                            row.table,
                            column.name,
                            row.key,
                            record_ref(row.system, table, row.key),
                            Step.TASK,
                            TaskReason.FREE_TEXT,
                        )
                    )
        return items

    def _conflicts(self, plan: RectificationPlan, resolution: Resolution) -> None:
        """Records of someone else that already hold the new identity: linking would merge them."""
        kind = plan.target.kind
        assert kind is not None
        forms = list(dict.fromkeys([plan.target.value, *written_forms(kind, plan.target.value)]))
        failed = {s for s, _ in plan.failed_systems}
        for (system, name), table in sorted(self.tables.items()):
            connector = self.estate.connectors.get(system)
            columns = [
                c.name
                for c in table.columns
                if c.identity is not None and family(c.identity) == family(kind)
            ]
            if connector is None or system in failed or not columns:
                continue
            try:
                rows = connector.fetch(
                    TableRef(table.name, table.schema_name),
                    list(dict.fromkeys([*table.primary_key, *columns])),
                    dict.fromkeys(columns, forms),
                )
            except ConnectorError as error:
                plan.failed_systems.append((system, error.message))
                failed.add(system)
                continue
            known = resolution.rows.get((system, name), {})
            others = [
                r
                for r in rows
                if not _names_them(known.get(tuple(r[c] for c in table.primary_key)))
            ]
            if others:
                plan.conflicts.append(f"{system}/{name}: {len(others)} record(s) of someone else")


def _names_them(row: FoundRow | None) -> bool:
    """A record that is the person's, or someone else's that names them by an identity."""
    if row is None or row.found is Found.CONTEXT:
        return False
    return row.found is Found.OWN or not row.via.startswith("mentioned in")


def _decide(column: Column, old: Any, target: Target) -> tuple[Step, TaskReason | None, str]:
    """What happens to one column holding ``old``: step, the task's reason, why it is skipped."""
    current = same_form(target.kind, old)
    if old is None or (isinstance(old, str) and not old.strip()):
        return Step.SKIPPED, None, "empty: a correction adds no data"
    if current == target.value:
        return Step.UNCHANGED, None, ""
    if target.only_where is not None and current != target.only_where:
        return Step.SKIPPED, None, "holds another value than the one replaced"
    if column.identity in LINKING_KINDS:
        return Step.TASK, TaskReason.IDENTIFIER, ""
    if column.internal_assessment:
        return Step.TASK, TaskReason.ASSESSMENT, ""
    return Step.UPDATE, None, ""


def _mentions(kind: IdentityKind | None, replaced: Sequence[Any]) -> Callable[[str], bool] | None:
    """A test for text that mentions any replaced value, or None when there is none to find."""
    if kind in FREE_TEXT_KINDS:
        assert kind is not None
        values = set()
        for old in replaced:
            try:
                values.add(normalise(kind, str(old)))
            except IdentityError:
                continue
        if not values:
            return None
        matcher = IdentityMatcher([(kind, v) for v in sorted(values)])
        return matcher.contains
    needles = {" ".join(str(v).split()).casefold() for v in replaced if v is not None}
    needles = {n for n in needles if len(n) >= MIN_TEXT_MATCH}
    if not needles:
        return None

    def contains(text: str) -> bool:
        flat = " ".join(text.split()).casefold()
        return any(n in flat for n in needles)

    return contains


def record_ref(system: str, table: Table, key: tuple[Any, ...]) -> str:
    """``system/table/key``; a key that is a personal identifier is named by a keyed hash."""
    personal = any(
        c.name in table.primary_key and c.identity in PERSONAL_KEY_KINDS for c in table.columns
    )
    if personal:
        return f"{system}/{table.name}/(record {keyed_hash(repr(key))[:8]})"
    return f"{system}/{table.name}/{'/'.join(str(k) for k in key)}"
