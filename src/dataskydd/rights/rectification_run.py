"""Apply a rectification plan: per system one transaction, read back, audited as keyed hashes.

Order of work, each step safe to repeat (a second run of the same correction finds every
column already corrected and changes nothing):

1. refuse a plan that could not ask every system, or whose new identity already belongs to
   someone else (in the estate or in the app store): linking it would merge two people;
2. record the decision in the app store: the person's subject gains the new identity's
   keyed hash (so later checks find them by it; the old ones stay linked, so an objection
   or a suppression still knows them), the new identity is suppressed too when the person
   has objected to direct marketing, and ``rectification.decided`` goes into the audit log;
3. per system, every update in one ``connector.write`` (one transaction), then every
   updated record read back by key; a system that refuses the write turns its updates into
   a task; ``rectification.applied`` per system and column, with the old and new values as
   keyed hashes only;
4. one manual task per system for what a person must do (free text, identifiers, manual
   systems, refused writes), found again rather than duplicated when the same correction
   runs again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.connectors.base import (
    Connector,
    ConnectorError,
    RowChange,
    TableChanges,
    TableRef,
    WriteRefused,
)
from dataskydd.consent.suppression import suppress
from dataskydd.datamap.schema import DataMap, SystemKind
from dataskydd.identity.keyed import identity_hash, keyed_hash
from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.rights.objection import objections_of
from dataskydd.rights.rectification import Item, RectificationPlan, Step, TaskReason
from dataskydd.rights.rectification_target import Target, same_form
from dataskydd.rights.rectification_tasks import checklist
from dataskydd.rights.restriction import RestrictionReason, active_restrictions
from dataskydd.rights.service import Estate
from dataskydd.rights.subjects import find_subjects, hashes, subject_for
from dataskydd.store.engine import session_scope
from dataskydd.store.tasks import Task, create_task, tasks_for_request

DEFAULT_DUE_DAYS = 10
# Kinds a later check may be given, and so linked to the person's subject.
LINKED_KINDS = frozenset(
    {
        IdentityKind.EMAIL,
        IdentityKind.PHONE,
        IdentityKind.PERSONNUMMER,
        IdentityKind.SAMORDNINGSNUMMER,
    }
)


class RectificationRefused(Exception):
    """The plan cannot be applied as it stands; nothing was changed. The message says why."""


@dataclass
class SystemResult:
    system: str
    status: str  # "written", "refused" (its updates became a task), "failed"
    rows: int = 0
    problem: str | None = None


@dataclass
class RectificationResult:
    rectification_id: str
    subject_ref: str
    systems: dict[str, SystemResult] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    identity_linked: bool = False
    suppressed: bool = False
    restrictions: list[int] = field(default_factory=list)  # accuracy contested, still in force

    @property
    def problems(self) -> list[str]:
        return [f"{r.system}: {r.problem}" for r in self.systems.values() if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows_written(self) -> int:
        return sum(r.rows for r in self.systems.values() if r.status == "written")


def value_hash(category: str, kind: IdentityKind | None, value: Any) -> str:
    """The keyed hash the audit keeps of a value: an identity's own hash, else the category's."""
    text = value if isinstance(value, str) else str(value)
    if kind is not None:
        try:
            return identity_hash(kind, normalise(kind, text))
        except IdentityError:
            pass  # a malformed old value: hashed as text
    return keyed_hash(f"{category}:{text}")


def store_conflict(session: Session, plan: RectificationPlan) -> bool:
    """Whether the new identity is already linked to another person in the app store."""
    kind = plan.target.kind
    if kind is None or kind not in LINKED_KINDS:
        return False
    mine = set(find_subjects(session, hashes((i.kind, i.value) for i in plan.identities)))
    theirs = set(find_subjects(session, [identity_hash(kind, plan.target.value)]))
    return bool(theirs - mine)


def apply(
    store: Engine,
    estate: Estate,
    plan: RectificationPlan,
    *,
    decided_by: str,
    allow_shared: bool = False,
) -> RectificationResult:
    """Carry out ``plan``; raises :class:`RectificationRefused` before changing anything."""
    if not plan.complete:
        reasons = "; ".join(f"{s}: {r}" for s, r in plan.failed_systems)
        raise RectificationRefused(
            f"not every system could be asked ({reasons}): nothing is corrected until they answer"
        )
    if plan.conflicts and not allow_shared:
        raise RectificationRefused(
            "the new value is already held by someone else's records ("
            + "; ".join(plan.conflicts)
            + "): check it with the person before applying it"
        )
    if not plan.identities:
        raise RectificationRefused("the plan names no identity of the person")
    result = _decide(store, plan, decided_by, allow_shared)
    for system, steps in _updates(plan, estate.datamap).items():
        result.systems[system] = _write(store, estate, plan, system, steps, result, decided_by)
    result.tasks = _tasks(store, estate.datamap, plan, result, decided_by)
    return result


# -- the decision -----------------------------------------------------------------------------


def _decide(
    store: Engine, plan: RectificationPlan, decided_by: str, allow_shared: bool
) -> RectificationResult:
    target = plan.target
    identities = [(i.kind, i.value) for i in sorted(plan.identities)]
    new_hash = value_hash(target.category, target.kind, target.value)
    with session_scope(store, write=True) as session:
        if not allow_shared and store_conflict(session, plan):
            raise RectificationRefused(
                "the new value is already linked to another person in the app store: check it "
                "with the person before applying it"
            )
        ref = subject_for(session, identities)
        # A person recorded from different identities at different times may be several subjects.
        refs = find_subjects(session, hashes(identities))
        rectification_id = _rectification_id(session, ref, target, new_hash)
        result = RectificationResult(rectification_id, ref)
        if target.kind in LINKED_KINDS:
            assert target.kind is not None
            linked = {(target.kind, target.value)}
            result.identity_linked = bool(set(hashes(linked)) - set(hashes(identities)))
            subject_for(session, [*identities, *linked])
            if any(o.active and o.direct_marketing for o in objections_of(session, refs)):
                suppress(
                    session, hashes(linked), reason="objection", actor=decided_by, subject_ref=ref
                )
                result.suppressed = True
        result.restrictions = [
            r.id
            for r in active_restrictions(session, refs)
            if r.reason is RestrictionReason.ACCURACY_CONTESTED
            and (not r.categories or r.covers([target.category]))
        ]
        audit_log.append(
            session,
            decided_by,
            "rectification.decided",
            {
                "rectification": rectification_id,
                "category": target.category,
                "columns": list(target.columns),
                "new": new_hash,
                "counts": plan.counts(),
                "identity_linked": result.identity_linked,
            },
            subject_ref=ref,
        )
    return result


def _rectification_id(session: Session, subject_ref: str, target: Target, new_hash: str) -> str:
    """The same id for the same correction asked again; a new one once another came between.

    Written in groups of four hex digits, so that it can never look like a personnummer to
    the task store's guard.
    """
    category, previous = target.category, 0
    for entry in audit_log.entries(session, subject_ref=subject_ref):
        details = entry.details
        if (
            entry.action == "rectification.decided"
            and details.get("category") == category
            and details.get("new") != new_hash
        ):
            previous = entry.seq
    seed = f"{subject_ref}|{category}|{','.join(target.columns)}|{new_hash}|{previous}"
    digest = keyed_hash(seed)[:16]
    return "rect-" + "-".join(digest[i : i + 4] for i in range(0, 16, 4))


# -- the writes -------------------------------------------------------------------------------


def _updates(plan: RectificationPlan, datamap: DataMap) -> dict[str, list[TableChanges]]:
    """Per system, one TableChanges per table: each record once, with every column it changes."""
    merged: dict[tuple[str, str], dict[Any, dict[str, str]]] = defaultdict(dict)
    for item in plan.by_step(Step.UPDATE):
        assert item.table is not None and item.column is not None and item.key is not None
        merged[(item.system, item.table)].setdefault(item.key, {})[item.column] = plan.target.value
    steps: dict[str, list[TableChanges]] = defaultdict(list)
    for (system, name), rows in sorted(merged.items()):
        table = datamap.systems[system].table(name)
        steps[system].append(
            TableChanges(
                TableRef(table.name, table.schema_name),
                tuple(table.primary_key),
                [RowChange(key, values) for key, values in rows.items()],
            )
        )
    return dict(steps)


def _write(
    store: Engine,
    estate: Estate,
    plan: RectificationPlan,
    system: str,
    steps: Sequence[TableChanges],
    result: RectificationResult,
    decided_by: str,
) -> SystemResult:
    items = [i for i in plan.by_step(Step.UPDATE) if i.system == system]
    connector = estate.connectors.get(system)
    outcome: SystemResult
    if connector is None:
        outcome = SystemResult(system, "failed", problem=estate.unavailable.get(system, "not open"))
    else:
        try:
            rows = connector.write(steps)
        except WriteRefused as error:
            for item in items:
                item.step, item.reason, item.why = (
                    Step.TASK,
                    TaskReason.WRITE_REFUSED,
                    error.message,
                )
            outcome = SystemResult(system, "refused", problem=error.message)
        except ConnectorError as error:
            outcome = SystemResult(system, "failed", problem=f"{error.message} (run it again)")
        else:
            wrong = _verify(connector, steps, plan)
            problem = (
                f"{wrong} record(s) do not hold the new value when read back" if wrong else None
            )
            outcome = SystemResult(system, "failed" if wrong else "written", rows, problem)
    _audit_writes(store, plan, items, outcome, result, decided_by)
    return outcome


def _verify(connector: Connector, steps: Sequence[TableChanges], plan: RectificationPlan) -> int:
    """How many updated records do not hold the new value when read back by key."""
    wrong = 0
    for step in steps:
        columns = sorted({c for change in step.changes for c in change.values or {}})
        first = step.primary_key[0]
        try:
            rows = connector.fetch(
                step.table,
                list(dict.fromkeys([*step.primary_key, *columns])),
                {first: [change.key[0] for change in step.changes]},
            )
        except ConnectorError:
            return sum(len(s.changes) for s in steps)
        found = {tuple(_same(r[c]) for c in step.primary_key): r for r in rows}
        for change in step.changes:
            row = found.get(tuple(_same(k) for k in change.key))
            if row is None or any(
                same_form(plan.target.kind, row[c]) != plan.target.value
                for c in change.values or {}
            ):
                wrong += 1
    return wrong


def _same(value: Any) -> Any:
    # Keys come back as the database types them.
    return value if value is None or isinstance(value, str) else str(value)


def _audit_writes(
    store: Engine,
    plan: RectificationPlan,
    items: Sequence[Item],
    outcome: SystemResult,
    result: RectificationResult,
    decided_by: str,
) -> None:
    """One entry per system and column: rows, old values and the new one as keyed hashes."""
    target = plan.target
    per_column: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        assert item.table is not None and item.column is not None
        per_column[(item.table, item.column)].append(item)
    action = {"written": "rectification.applied", "refused": "rectification.refused"}.get(
        outcome.status, "rectification.failed"
    )
    with session_scope(store, write=True) as session:
        for (table, column), column_items in sorted(per_column.items()):
            details: dict[str, Any] = {
                "rectification": result.rectification_id,
                "system": outcome.system,
                "table": table,
                "column": column,
                "category": target.category,
                "rows": len(column_items),
                "old": sorted(
                    {value_hash(target.category, target.kind, i.old) for i in column_items}
                ),
                "new": value_hash(target.category, target.kind, target.value),
            }
            if outcome.problem:
                details["problem"] = outcome.problem
            audit_log.append(session, decided_by, action, details, subject_ref=result.subject_ref)


# -- the tasks --------------------------------------------------------------------------------


def _tasks(
    store: Engine,
    datamap: DataMap,
    plan: RectificationPlan,
    result: RectificationResult,
    decided_by: str,
) -> list[Task]:
    """One task per system for the items a person must do; the same task when asked again."""
    by_system: dict[str, list[Item]] = defaultdict(list)
    for item in plan.by_step(Step.TASK):
        by_system[item.system].append(item)
    tasks = []
    with session_scope(store, write=True) as session:
        for system, items in sorted(by_system.items()):
            tasks.append(_task(session, datamap, plan, result, system, items, decided_by))
    return tasks


def _task(
    session: Session,
    datamap: DataMap,
    plan: RectificationPlan,
    result: RectificationResult,
    system: str,
    items: Sequence[Item],
    decided_by: str,
) -> Task:
    described = datamap.systems[system].system
    manual = described.manual if described.kind == SystemKind.MANUAL else None
    steps = checklist(plan.target.category, result.rectification_id, items)
    if manual is not None:
        steps += list(manual.checklist)
    existed = any(
        t.system_key == system for t in tasks_for_request(session, result.rectification_id)
    )
    task = create_task(
        session,
        system_key=system,
        request_ref=result.rectification_id,
        identities_ref=f"the case file of rectification {result.rectification_id}",
        checklist=steps,
        assignee=manual.assignee if manual else (described.owner or decided_by),
        due_date=clock.today() + timedelta(days=manual.due_days if manual else DEFAULT_DUE_DAYS),
    )
    if existed:
        return task  # the same correction asked again: the task is there, open or done
    audit_log.append(
        session,
        decided_by,
        "rectification.task",
        {
            "rectification": result.rectification_id,
            "system": system,
            "task": task.id,
            "items": _reasons(items),
        },
        subject_ref=result.subject_ref,
    )
    return task


def _reasons(items: Iterable[Item]) -> Mapping[str, int]:
    counted: dict[str, int] = defaultdict(int)
    for item in items:
        counted[str(item.reason)] += 1
    return dict(counted)
