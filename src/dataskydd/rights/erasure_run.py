"""Execute a decided erasure: batched, per system in transactions, resumable, verified.

A decided plan is stored first (``record``) as the exact writes to make: primary keys to
delete and the new values of masked columns, computed when the plan was made. Execution
(``execute``) cuts each system's writes into numbered batches, children before parents;
each batch is one transaction in its system, and is then marked done in the app store (one
commit per batch, by one journal thread, while the system's next batch is written: a batch
is never marked before it committed, and the systems never queue on the store's lock). If
the process dies anywhere, running it again skips the batches marked done and re-applies
the rest; every write is idempotent (deleting a deleted row, setting a value already set),
so a batch that committed but was not yet marked is harmless to repeat. The end state is
that of an uninterrupted run, and no row is ever half-masked: a row's columns change in one
statement of one transaction.

After the last batch, every planned row is read back by its key: deleted rows must be gone,
masked columns must hold their new values. Only then is the run ``verified``.
"""

from __future__ import annotations

import gc
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.connectors.base import ConnectorError, RowChange, TableChanges, TableRef
from dataskydd.datamap.schema import DataMap, Table
from dataskydd.programme.schema import Programme
from dataskydd.rights.erasure import Action, ErasurePlan, RowDecision
from dataskydd.rights.erasure_effects import apply_effects
from dataskydd.rights.service import Estate
from dataskydd.rights.subjects import subject_for
from dataskydd.store.engine import session_scope
from dataskydd.store.tables import ErasureBatchRecord, ErasureRunRecord, ErasureSubjectRecord

BATCH_ROWS = 1_000

# The plan as stored: {system: [{"table", "schema", "primary_key", "delete": [key, ...],
# "update": [[key, {column: value}], ...]}, ...]}, tables in the order their writes go.
StoredSteps = dict[str, list[dict[str, Any]]]


class ErasureFailed(Exception):
    """A run could not finish or verify; the message names the system and what was wrong."""


@dataclass
class RunResult:
    run_id: str
    status: str
    rows_written: int = 0
    batches_run: int = 0
    batches_skipped: int = 0
    problems: list[str] = field(default_factory=list)


def table_order(datamap: DataMap, system: str) -> list[str]:
    """The system's tables, those that refer to others first (children before parents)."""
    system_map = datamap.systems[system]
    refers: dict[str, set[str]] = {
        t.name: {
            c.references.table
            for c in t.columns
            if c.references is not None and (c.references.system or system) == system
        }
        - {t.name}
        for t in system_map.tables
    }
    depth: dict[str, int] = {}

    def height(name: str, seen: frozenset[str] = frozenset()) -> int:
        # How many tables refer to this one, transitively: the deeper, the later it goes.
        if name not in depth:
            children = [t for t, parents in refers.items() if name in parents and t not in seen]
            depth[name] = 1 + max((height(c, seen | {name}) for c in children), default=-1)
        return depth[name]

    return sorted(refers, key=lambda name: (height(name), name))


def stored_steps(plans: Sequence[ErasurePlan], datamap: DataMap) -> StoredSteps:
    """The writes of every plan, per system and table, in the order they must go.

    A row in several persons' plans is written once: deleted if any plan deletes it, else
    with every plan's new values, free text redacted of every one of those persons.
    """
    merged: dict[tuple[str, str], dict[tuple[Any, ...], RowDecision]] = defaultdict(dict)
    for plan in plans:
        for decision in plan.decisions:
            if not decision.erased:
                continue
            rows = merged[(decision.system, decision.table)]
            earlier = rows.get(decision.key)
            rows[decision.key] = decision if earlier is None else _merge(earlier, decision)
    steps: StoredSteps = {}
    for system in sorted({s for s, _ in merged}):
        tables = {t.name: t for t in datamap.systems[system].tables}
        for name in table_order(datamap, system):
            if (system, name) not in merged:
                continue
            table, rows = tables[name], merged[(system, name)]
            steps.setdefault(system, []).append(
                {
                    "table": name,
                    "schema": table.schema_name,
                    "primary_key": list(table.primary_key),
                    "delete": [list(k) for k, d in rows.items() if d.action is Action.DELETE],
                    "update": [
                        [list(k), d.values] for k, d in rows.items() if d.action is Action.MASK
                    ],
                }
            )
    return steps


def _merge(first: RowDecision, second: RowDecision) -> RowDecision:
    """One decision for a row that two persons' plans change."""
    if Action.DELETE in (first.action, second.action):
        return first if first.action is Action.DELETE else second
    values = {**first.values, **second.values}
    for column in first.originals.keys() & second.originals.keys():
        text = first.originals[column]
        for redact in (first.redactor, second.redactor):
            if redact is not None:
                text = redact(text)
        values[column] = text
    return replace(
        first,
        values=values,
        originals={**first.originals, **second.originals},
        redactor=_chain(first.redactor, second.redactor),
    )


def _chain(
    first: Callable[[str], str] | None, second: Callable[[str], str] | None
) -> Callable[[str], str] | None:
    if first is None or second is None:
        return first or second
    return lambda text: second(first(text))


def record(
    engine: Engine,
    plans: Sequence[ErasurePlan],
    datamap: DataMap,
    decided_by: str,
    *,
    programme: Programme | None = None,
) -> str:
    """Store the decided plans as one run; returns its id. Nothing in the estate changes yet.

    With ``programme``, the decision's effects (kept data restricted, a direct-marketing
    objection recorded) are written in the same transaction: see ``erasure_effects``.
    """
    if not plans:
        raise ValueError("nothing to record: no plans")
    run_id = str(uuid.uuid4())
    steps = stored_steps(plans, datamap)
    grounds = sorted({str(g) for plan in plans for g in plan.grounds})
    counts: dict[str, int] = defaultdict(int)
    for plan in plans:
        for action, count in plan.counts().items():
            counts[action] += count
    with session_scope(engine, write=True) as session:
        refs = [
            subject_for(session, [(i.kind, i.value) for i in plan.identities]) for plan in plans
        ]
        single = refs[0] if len(refs) == 1 else None
        session.add(
            ErasureRunRecord(
                id=run_id,
                subject_ref=single,
                ground=",".join(grounds),
                decided_by=decided_by,
                decided_at=clock.now(),
                status="planned",
                plan={"systems": steps},
                summary={
                    "persons": len(plans),
                    "counts": dict(counts),
                    "purposes": sorted({p for plan in plans for p in plan.erased_purposes()}),
                    "kept_categories": sorted(
                        {c for plan in plans for c in plan.kept_categories()}
                    ),
                },
            )
        )
        session.flush()
        for ref in dict.fromkeys(refs):
            session.add(ErasureSubjectRecord(run_id=run_id, subject_ref=ref))
        if programme is not None:
            for plan in plans:
                apply_effects(session, programme, plan, decided_by)
        audit_log.append(
            session,
            decided_by,
            "erasure.decided",
            {"run": run_id, "grounds": grounds, "persons": len(plans), "counts": dict(counts)},
            subject_ref=single,
        )
    return run_id


def batches(steps: Sequence[Mapping[str, Any]], size: int) -> Iterator[list[TableChanges]]:
    """One system's writes cut into batches of at most ``size`` rows, in order.

    Each batch's row changes are made when it is reached, not a whole table's at once.
    """
    batch: list[TableChanges] = []
    count = 0
    for step in steps:
        table = TableRef(step["table"], step["schema"])
        primary_key = tuple(step["primary_key"])
        deletes: list[Any] = step["delete"]
        updates: list[Any] = step["update"]
        total = len(deletes) + len(updates)
        start = 0
        while start < total:
            end = min(total, start + size - count)
            part = [RowChange(tuple(key)) for key in deletes[start:end]]
            part += [
                RowChange(tuple(key), values)
                for key, values in updates[
                    max(0, start - len(deletes)) : max(0, end - len(deletes))
                ]
            ]
            batch.append(TableChanges(table, primary_key, part))
            count += len(part)
            start = end
            if count >= size:
                yield batch
                batch, count = [], 0
    if batch:
        yield batch


def execute(
    engine: Engine,
    estate: Estate,
    run_id: str,
    *,
    actor: str,
    batch_rows: int = BATCH_ROWS,
    after_batch: Callable[[str, int, int], None] | None = None,
    verify: bool = True,
) -> RunResult:
    """Run (or resume) the run ``run_id`` to the end; ``after_batch(system, seq, rows)`` reports progress."""
    # What exists before the run (the process's modules, its estate) outlives it: kept out
    # of the garbage collector's full collections until the run ends, it is not walked again
    # at every one (each walk took 130-200 ms in the benchmark's process, and loading the
    # plan of a run of 31,000 rows alone set one off). The run's own objects are collected
    # as usual.
    with _frozen_heap():
        return _execute(engine, estate, run_id, actor, batch_rows, after_batch, verify)


_frozen_runs = 0
_frozen_lock = threading.Lock()


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """``gc.freeze()`` while any run executes in this process (the job consumer runs several
    in threads): frozen by the first to start, unfrozen by the last to end."""
    global _frozen_runs
    with _frozen_lock:
        if _frozen_runs == 0:
            gc.freeze()
        _frozen_runs += 1
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen_runs -= 1
            if _frozen_runs == 0:
                gc.unfreeze()


def _execute(
    engine: Engine,
    estate: Estate,
    run_id: str,
    actor: str,
    batch_rows: int,
    after_batch: Callable[[str, int, int], None] | None,
    verify: bool,
) -> RunResult:
    with session_scope(engine, write=True) as session:
        run = session.get(ErasureRunRecord, run_id)
        if run is None:
            raise ErasureFailed(f"no erasure run has the id {run_id}")
        if run.status == "verified":
            return RunResult(run_id, "verified")
        run.status = "running"
        steps: StoredSteps = run.plan["systems"]
        done = {
            (system, seq)
            for system, seq in session.execute(
                select(ErasureBatchRecord.system_key, ErasureBatchRecord.seq).where(
                    ErasureBatchRecord.run_id == run_id
                )
            )
        }
    missing = [s for s in steps if s not in estate.connectors]
    if missing:
        reasons = "; ".join(f"{s}: {estate.unavailable.get(s, 'not open')}" for s in missing)
        raise ErasureFailed(f"cannot erase: systems not available ({reasons}); run it again later")
    return _run(engine, estate, run_id, steps, done, actor, batch_rows, after_batch, verify)


def _run(
    engine: Engine,
    estate: Estate,
    run_id: str,
    steps: StoredSteps,
    done: set[tuple[str, int]],
    actor: str,
    batch_rows: int,
    after_batch: Callable[[str, int, int], None] | None,
    verify: bool,
) -> RunResult:
    result = RunResult(run_id, "running")
    marks: list[Future[None]] = []

    def run_system(system: str) -> tuple[int, int, int]:
        written = ran = skipped = 0
        for seq, batch in enumerate(batches(steps[system], batch_rows)):
            if (system, seq) in done:
                skipped += 1
                continue
            rows = estate.connectors[system].write(batch)
            # Committed: now marked done, by the journal's one thread while this system
            # writes its next batch (see the module's docstring).
            marks.append(journal.submit(_mark_done, engine, run_id, system, seq, rows))
            written, ran = written + rows, ran + 1
            if after_batch is not None:
                after_batch(system, seq, rows)
        return written, ran, skipped

    errors = []
    # Leaving the journal's block waits for every batch submitted to be marked, whatever
    # happened: a batch that committed is marked even if another system failed.
    with ThreadPoolExecutor(1) as journal, ThreadPoolExecutor(max(1, len(steps))) as pool:
        futures = {system: pool.submit(run_system, system) for system in steps}
        for system, future in futures.items():
            try:
                written, ran, skipped = future.result()
            except ConnectorError as error:
                errors.append(f"{system}: {error.message}")
                continue
            result.rows_written += written
            result.batches_run += ran
            result.batches_skipped += skipped
    for mark in marks:
        try:
            mark.result()
        except Exception as error:  # the app store could not record a batch as done
            errors.append(f"the journal (app store): {type(error).__name__}")
            break
    if errors:
        _finish(engine, run_id, "failed", actor, "; ".join(errors))
        raise ErasureFailed("; ".join(errors) + " (run it again to resume)")
    if verify:
        result.problems = verify_run(estate, steps)
    status = "failed" if result.problems else "verified"
    _finish(engine, run_id, status, actor, "; ".join(result.problems) or None)
    result.status = status
    return result


def verify_run(estate: Estate, steps: StoredSteps) -> list[str]:
    """Read every planned row back by key: what was deleted is gone, what was masked is masked."""
    problems: list[str] = []
    for system, system_steps in steps.items():
        connector = estate.connectors[system]
        tables = {t.name: t for t in estate.datamap.systems[system].tables}
        for step in system_steps:
            table: Table = tables[step["table"]]
            problems += _verify_table(connector, table, step)
    return problems


def _verify_table(connector: Any, table: Table, step: Mapping[str, Any]) -> list[str]:
    primary_key = list(step["primary_key"])
    first = primary_key[0]
    wanted_updates = {tuple(key): values for key, values in step["update"]}
    keys = [tuple(k) for k in step["delete"]] + list(wanted_updates)
    columns = list(dict.fromkeys([*primary_key, *(c for v in wanted_updates.values() for c in v)]))
    rows = connector.fetch(
        TableRef(table.name, table.schema_name), columns, {first: [k[0] for k in keys]}
    )
    found = {tuple(_same(r[c]) for c in primary_key): r for r in rows}
    problems = []
    deleted = {tuple(_same(v) for v in k) for k in step["delete"]}
    left = deleted & set(found)
    if left:
        problems.append(
            f"{connector.system}.{table.name}: {len(left)} row(s) still there after delete"
        )
    wrong = 0
    for key, values in wanted_updates.items():
        row = found.get(tuple(_same(v) for v in key))
        if row is None or any(_same(row[c]) != _same(v) for c, v in values.items()):
            wrong += 1
    if wrong:
        problems.append(f"{connector.system}.{table.name}: {wrong} row(s) not masked as planned")
    return problems


def _same(value: Any) -> Any:
    # Keys and values come back as the database types them; the plan keeps JSON types.
    return value if value is None or isinstance(value, str) else str(value)


def _mark_done(engine: Engine, run_id: str, system: str, seq: int, rows: int) -> None:
    try:
        with session_scope(engine, write=True) as session:
            session.add(
                ErasureBatchRecord(
                    run_id=run_id, system_key=system, seq=seq, rows=rows, done_at=clock.now()
                )
            )
    except IntegrityError:
        pass  # marked by an earlier attempt that died before it could say so


def _finish(engine: Engine, run_id: str, status: str, actor: str, error: str | None) -> None:
    with session_scope(engine, write=True) as session:
        run = session.get(ErasureRunRecord, run_id)
        assert run is not None
        run.status = status
        run.error = error
        run.finished_at = clock.now()
        rows = sum(
            session.execute(
                select(ErasureBatchRecord.rows).where(ErasureBatchRecord.run_id == run_id)
            ).scalars()
        )
        audit_log.append(
            session,
            actor,
            f"erasure.{status}",
            {"run": run_id, "rows_written": rows, **({"error": error} if error else {})},
            subject_ref=run.subject_ref,
        )
