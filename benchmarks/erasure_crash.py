"""Crash test: kill the erasure executor at random points; every run must end the same.

Builds a demo estate of ``--persons`` people, plans the erasure of every one of them (as
one bulk run in the app store), and runs it once uninterrupted to get the reference end
state. Then, ``--trials`` times: restore the estate and the store, start the executor in a
child process (``dataskydd erasure resume``), SIGKILL it after a random delay, check that
no row is half-masked (each planned row holds either all its old values or all its new
ones), that each batch is written all or nothing and none is marked done unwritten, resume
to the end, and compare every table of every system with the reference.

``--estate mixed`` (the default) is the estate of benchmarks/erasure.py: core, crm and
recruitment on PostgreSQL, marketing on MariaDB, the website on SQLite, in databases of
their own (``dataskydd_bench_crash_<system>_<persons>``); it is restored by building it
again (the same seed gives the same rows). ``--estate sqlite`` keeps every system in a
SQLite file, restored by copying the files. Either way the app store is a SQLite file,
restored from a copy, and every table is read through SQLAlchemy, rows in primary-key order.

The kill point: once a random number k of batches (0 to all of them, across every system)
has been marked done in the app store, plus a random part of the time the uninterrupted run
took from k marked to k + 1 (the last: to its end), so that it falls anywhere: in the
start-up, in a system's transaction, between a commit and its journal row, in the
journal's commit to the store, after the last batch (in the read-back). Each trial prints
how many batches the killed process had written and how many it had marked done.

    .venv/bin/python benchmarks/erasure_crash.py [--estate mixed|sqlite] [--persons 10000]
        [--trials 20] [--batch-rows 50]

Prints each trial and exits 1 if any trial ends in another state (or a row was seen
half-masked, or the resumed run did not end verified); what differs is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.types import NullType

from access import ensure_databases
from dataskydd import clock, keys
from dataskydd.datamap.loader import load_datamap
from dataskydd.demo.estate import build
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights.erasure import Ground
from dataskydd.rights.erasure_bulk import plan_many
from dataskydd.rights.erasure_run import StoredSteps, batches, record
from dataskydd.rights.service import open_estate
from dataskydd.store.engine import make_engine
from dataskydd.store.migrate import upgrade
from dataskydd.store.tables import ErasureBatchRecord, ErasureRunRecord

BUILD_DAY = "2026-11-26"
ERASE_DAY = "2026-12-02"
HASH_KEY = "5e" * 32
# Distinct from benchmarks/erasure.py's "dataskydd_bench_erasure": the two never share a database.
DB_PREFIX = "dataskydd_bench_crash"
STORE = "dataskydd.db"
KEYS_PER_QUERY = 500
SHOWN = 5  # differing rows printed per table

# "system.table" -> its rows, each as (primary key text, row text), in primary-key order.
Rows = dict[str, list[tuple[str, str]]]
# (system, table, primary key) -> the planned columns' values, as text.
Values = dict[tuple[str, str, tuple[Any, ...]], tuple[Any, ...]]


@dataclass
class Setup:
    estate: str
    work: Path
    pristine: Path
    persons: int
    urls: dict[str, str]  # every system's URL, as the estate's data map has it

    def restore(self) -> float:
        """The estate and the app store as they were before the run; returns the seconds."""
        started = time.perf_counter()
        if self.estate == "mixed":
            build_estate(self.work, self.persons, self.estate)
        else:
            target = self.work / "estate"
            shutil.rmtree(target)
            shutil.copytree(self.pristine / "estate", target)
        for suffix in ("-wal", "-shm", ""):
            (self.work / f"{STORE}{suffix}").unlink(missing_ok=True)
        shutil.copy2(self.pristine / STORE, self.work / STORE)
        return time.perf_counter() - started


def reader(url: str) -> Engine:
    # No pool: a connection never outlives its read (the SQLite files are replaced under
    # it, the server databases dropped and built again).
    return sa.create_engine(url, poolclass=NullPool)


def text(value: Any) -> Any:
    """A value as the plan (JSON) and every driver can agree on: None, else text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def build_estate(work: Path, persons: int, estate: str) -> dict[str, str]:
    """Build the estate (anew: drops what is there); returns every system's URL."""
    urls = ensure_databases(persons, DB_PREFIX) if estate == "mixed" else None
    with clock.frozen_at(BUILD_DAY):
        built = build(work, persons=persons, urls=urls, rebuild=True)
    return dict(built.urls)


def persons_of(urls: Mapping[str, str], limit: int) -> list[str]:
    """Personnummer of the estate's private customers and applicants, up to ``limit``."""
    found: list[str] = []
    for system, table in (("core", "customers"), ("recruitment", "applicants")):
        engine = reader(urls[system])
        column: sa.ColumnClause[Any] = sa.column("personnummer")
        query = (
            sa.select(column)
            .select_from(sa.table(table, column))
            .where(column.is_not(None))
            .order_by(column)
        )
        with engine.connect() as connection:
            found += [str(v) for v in connection.execute(query).scalars()]
        engine.dispose()
    return list(dict.fromkeys(found))[:limit]


def table_rows(engine: Engine) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Every table of one database: its name and its rows in primary-key order."""
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        for name in sorted(inspector.get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            key = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*key))
            yield (
                name,
                [
                    (repr(tuple(text(row._mapping[c.name]) for c in key)), repr(tuple(row)))
                    for row in rows
                ],
            )


def state(urls: Mapping[str, str]) -> Rows:
    """Every table of every system, rows in order."""
    found: Rows = {}
    for system in sorted(urls):
        engine = reader(urls[system])
        for name, rows in table_rows(engine):
            found[f"{system}.{name}"] = rows
        engine.dispose()
    return found


def digests(rows: Rows) -> dict[str, str]:
    out = {}
    for name, table in rows.items():
        digest = hashlib.sha256()
        for _, row in table:
            digest.update(row.encode())
            digest.update(b"\n")
        out[name] = digest.hexdigest()
    return out


def differences(found: Rows, reference: Rows) -> list[str]:
    """What differs from the reference, table by table, with a few of the rows."""
    lines = []
    for name in sorted(found.keys() | reference.keys()):
        if name not in found or name not in reference:
            lines.append(f"{name}: {'missing' if name not in found else 'not in the reference'}")
            continue
        now, then = dict(found[name]), dict(reference[name])
        if found[name] == reference[name]:
            continue
        gone = [k for k in then if k not in now]
        extra = [k for k in now if k not in then]
        changed = [k for k in now if k in then and now[k] != then[k]]
        lines.append(
            f"{name}: {len(found[name])} rows (reference {len(reference[name])}); "
            f"{len(gone)} missing, {len(extra)} not in the reference, {len(changed)} differ"
        )
        for key in gone[:SHOWN]:
            lines.append(f"    missing   {key}: reference {then[key]}")
        for key in extra[:SHOWN]:
            lines.append(f"    extra     {key}: {now[key]}")
        for key in changed[:SHOWN]:
            lines.append(
                f"    differs   {key}:\n      now       {now[key]}\n      reference {then[key]}"
            )
    return lines


def planned_rows(urls: Mapping[str, str], steps: StoredSteps) -> Values:
    """Every planned row still there: an update's columns as it holds them now, a delete's ()."""
    found: Values = {}
    for system, system_steps in steps.items():
        engine = reader(urls[system])
        with engine.connect() as connection:
            for step in system_steps:
                primary_key = list(step["primary_key"])
                wanted: dict[tuple[Any, ...], list[str]] = {
                    tuple(text(v) for v in key): [] for key in step["delete"]
                }
                wanted.update(
                    (tuple(text(v) for v in key), list(values)) for key, values in step["update"]
                )
                columns = dict.fromkeys([*primary_key, *(c for n in wanted.values() for c in n)])
                source = sa.table(
                    step["table"], *(sa.column(c) for c in columns), schema=step["schema"]
                )
                keys_ = [*step["delete"], *(key for key, _ in step["update"])]
                for start in range(0, len(keys_), KEYS_PER_QUERY):
                    part = keys_[start : start + KEYS_PER_QUERY]
                    if len(primary_key) == 1:
                        where = source.c[primary_key[0]].in_(
                            sa.bindparam(
                                None, [k[0] for k in part], expanding=True, type_=NullType()
                            )
                        )
                    else:
                        where = sa.tuple_(*(source.c[c] for c in primary_key)).in_(
                            [tuple(k) for k in part]
                        )
                    for row in connection.execute(sa.select(source).where(where)).mappings():
                        key = tuple(text(row[c]) for c in primary_key)
                        found[(system, step["table"], key)] = tuple(
                            text(row[c]) for c in wanted[key]
                        )
        engine.dispose()
    return found


def batch_of(steps: StoredSteps, batch_rows: int) -> dict[tuple[str, str, tuple[Any, ...]], int]:
    """The batch (its number in its system) of every planned row, as the executor cuts them."""
    return {
        (system, changes.table.name, tuple(text(v) for v in change.key)): seq
        for system, system_steps in steps.items()
        for seq, batch in enumerate(batches(system_steps, batch_rows))
        for changes in batch
        for change in changes.changes
    }


@dataclass
class AtKill:
    committed: int  # batches whose every row is written
    partly: list[str]  # batches with some rows written and some not (there must be none)
    marked: int  # batches marked done in the app store
    marked_not_written: list[str]  # (there must be none)
    written_not_marked: int  # committed, the journal row not yet: harmless, run again


def at_kill(
    now: Values,
    before: Values,
    after: Values,
    rows: Mapping[tuple[str, str, tuple[Any, ...]], int],
    marked: set[tuple[str, int]],
) -> AtKill:
    """Which batches the killed process had written (each all or nothing), and marked done."""
    tally: dict[tuple[str, int], list[int]] = {}  # batch -> [rows written, rows not]
    for row, seq in rows.items():
        if row in after:  # an update: written when it holds its new values
            if after[row] == before.get(row):
                continue  # a row that would not change cannot tell
            written = now.get(row) == after[row]
        else:  # a delete: written when the row is gone
            written = row not in now
        tally.setdefault((row[0], seq), [0, 0])[0 if written else 1] += 1
    full = {batch for batch, (done, left) in tally.items() if done and not left}
    return AtKill(
        committed=len(full),
        partly=[
            f"{s} batch {q}: {done} rows written, {left} not"
            for (s, q), (done, left) in sorted(tally.items())
            if done and left
        ],
        marked=len(marked),
        marked_not_written=[f"{s} batch {q}" for s, q in sorted(marked - full) if (s, q) in tally],
        written_not_marked=len(full - marked),
    )


def new_values(steps: StoredSteps) -> Values:
    return {
        (system, step["table"], tuple(text(v) for v in key)): tuple(
            text(v) for v in values.values()
        )
        for system, system_steps in steps.items()
        for step in system_steps
        for key, values in step["update"]
    }


def half_masked(now: Values, before: Values, after: Values) -> list[str]:
    """Planned rows holding some of their new values but not all (there must be none)."""
    return [
        f"{system}.{table} {key}: holds {values}; before {before.get((system, table, key))}, "
        f"planned {after[(system, table, key)]}"
        for (system, table, key), values in now.items()
        if (system, table, key) in after
        and values not in (before.get((system, table, key)), after[(system, table, key)])
    ]


def prepare(setup: Setup, grounds: list[Ground]) -> tuple[str, float]:
    """Record the bulk run in a new app store; returns the run id and the planning time."""
    programme = load_template()
    datamap = load_datamap(setup.work / "datamap", programme)
    people = [[(IdentityKind.PERSONNUMMER, p)] for p in persons_of(setup.urls, setup.persons)]
    url = f"sqlite:///{setup.work / STORE}"
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with clock.frozen_at(ERASE_DAY), open_estate(datamap) as open_:
        plans = plan_many(programme, open_, people, grounds)
        incomplete = [plan for plan in plans if not plan.complete]
        if incomplete:
            sys.exit(f"{len(incomplete)} plans could not ask every system: {incomplete[0]}")
        run_id = record(engine, plans, datamap, "crash-test")
    engine.dispose()
    return run_id, time.perf_counter() - started


def child(work: Path, run_id: str, batch_rows: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATASKYDD_DATA_DIR": str(work),
        "DATASKYDD_HASH_KEY": HASH_KEY,
        "DATASKYDD_NOW": ERASE_DAY,
    }
    command = [
        str(Path(sys.executable).with_name("dataskydd")),
        "erasure",
        "resume",
        run_id,
        "--datamap",
        str(work / "datamap"),
        "--batch-rows",
        str(batch_rows),
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def timeline(process: subprocess.Popen[bytes], work: Path, started: float) -> list[float]:
    """While ``process`` runs: the seconds since ``started`` at which k batches were marked done.

    Entry k is when at least k were; a jump by several at once repeats the time.
    """
    reached = [0.0]
    while process.poll() is None:
        done = batches_done(work)
        now = time.perf_counter() - started
        reached += [now] * (done + 1 - len(reached))
        time.sleep(0.005)
    return reached


def store_query(work: Path, query: str) -> Any:
    with contextlib.closing(sqlite3.connect(work / STORE, timeout=30)) as db:
        return db.execute(query).fetchone()[0]


def batches_done(work: Path) -> int:
    return int(store_query(work, f"SELECT count(*) FROM {ErasureBatchRecord.__tablename__}"))


def batches_marked(work: Path) -> set[tuple[str, int]]:
    with contextlib.closing(sqlite3.connect(work / STORE, timeout=30)) as db:
        query = f"SELECT system_key, seq FROM {ErasureBatchRecord.__tablename__}"
        return {(str(system), int(seq)) for system, seq in db.execute(query)}


def run_status(work: Path) -> str:
    return str(store_query(work, f"SELECT status FROM {ErasureRunRecord.__tablename__}"))


def checkpoint(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def stderr_of(process: subprocess.Popen[bytes]) -> str:
    return process.stderr.read().decode(errors="replace").strip() if process.stderr else ""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--estate", choices=("mixed", "sqlite"), default="mixed")
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--batch-rows", type=int, default=50)
    parser.add_argument("--work", type=Path, default=Path(".dataskydd/crash"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--ground",
        action="append",
        type=Ground,
        help="Art. 17(1) ground (default: unlawful, which erases most)",
    )
    args = parser.parse_args()
    os.environ["DATASKYDD_HASH_KEY"] = HASH_KEY
    keys.reset()
    root = args.work.resolve() / args.estate
    work, pristine = root / "run", root / "pristine"
    shutil.rmtree(root, ignore_errors=True)
    work.mkdir(parents=True)
    pristine.mkdir()

    started = time.perf_counter()
    urls = build_estate(work, args.persons, args.estate)
    built = time.perf_counter() - started
    setup = Setup(args.estate, work, pristine, args.persons, urls)
    places = ", ".join(f"{s} {make_url(u).get_backend_name()}" for s, u in sorted(urls.items()))
    print(f"estate ({args.estate}: {places}): {args.persons} persons, built in {built:.1f} s")
    run_id, planning = prepare(setup, args.ground or [Ground.UNLAWFUL])
    engine = make_engine(f"sqlite:///{work / STORE}")
    with engine.connect() as connection:
        steps: StoredSteps = (
            connection.execute(ErasureRunRecord.__table__.select())
            .mappings()
            .one()["plan"]["systems"]
        )
    engine.dispose()
    per_system = {
        system: sum(len(s["delete"]) + len(s["update"]) for s in ss) for system, ss in steps.items()
    }
    rows = sum(per_system.values())
    print(
        f"plan: {rows} rows to change ({', '.join(f'{s} {n}' for s, n in per_system.items())}), "
        f"made in {planning:.1f} s"
    )
    checkpoint(work / STORE)
    shutil.copy2(work / STORE, pristine / STORE)
    if args.estate == "sqlite":
        for db in (work / "estate").glob("*.db"):
            checkpoint(db)
        shutil.copytree(work / "estate", pristine / "estate")
    started = time.perf_counter()
    initial_rows = state(urls)
    initial = digests(initial_rows)
    before = planned_rows(urls, steps)
    after = new_values(steps)
    row_batches = batch_of(steps, args.batch_rows)
    print(
        f"pristine state read: {sum(len(t) for t in initial_rows.values())} rows in "
        f"{len(initial)} tables, {time.perf_counter() - started:.1f} s"
    )
    del initial_rows
    if len(before) != rows or len(row_batches) != rows:
        sys.exit(f"of {rows} planned rows, {len(before)} are in the estate")

    started = time.perf_counter()
    reference_run = child(work, run_id, args.batch_rows)
    reached = timeline(reference_run, work, started)
    if reference_run.wait() != 0:
        sys.exit(f"the uninterrupted run failed: {stderr_of(reference_run)}")
    full = time.perf_counter() - started
    if run_status(work) != "verified":
        sys.exit(f"the uninterrupted run ended {run_status(work)}")
    reference = state(urls)
    reference_digests = digests(reference)
    total = batches_done(work)
    # The time from k batches marked done to k + 1 (the last: to the process's end), so
    # that a kill after k batches falls anywhere in that stretch of the run.
    reached = [*reached[: total + 1], *[reached[-1]] * (total + 1 - len(reached)), full]
    gaps = [reached[k + 1] - reached[k] for k in range(total + 1)]
    # The checks at the kill compare with the planned values: they must read back equal.
    ended = planned_rows(urls, steps)
    left = [k for k in ended if k not in after]
    unmasked = {k: v for k, v in ended.items() if k in after and v != after[k]}
    if left or unmasked or len(ended) != len(after):
        sys.exit(
            f"after the uninterrupted run, {len(left)} rows to delete are still there, "
            f"{len(after) - len(ended) + len(left)} rows to update are gone, "
            f"{len(unmasked)} do not read back as planned: {list(unmasked.items())[:SHOWN]}"
        )
    if len({(row[0], seq) for row, seq in row_batches.items()}) != total:
        sys.exit(f"{total} batches marked done, but the plan cuts into another number")
    changed = [name for name in reference_digests if reference_digests[name] != initial[name]]
    print(
        f"uninterrupted run: {full:.2f} s, {total} batches of up to {args.batch_rows} rows; "
        f"tables changed: {len(changed)} of {len(reference_digests)}"
    )

    rng = random.Random(args.seed)
    failures = between = 0
    took: list[float] = []
    for trial in range(1, args.trials + 1):
        trial_started = time.perf_counter()
        restoring = setup.restore()
        restored = digests(state(urls)) == initial
        # A random point of the run: after a random number of batches, part-way into the next.
        target = rng.randrange(total + 1)
        pause = rng.uniform(0, gaps[target])
        process = child(work, run_id, args.batch_rows)
        started = time.perf_counter()
        while process.poll() is None and batches_done(work) < target:
            time.sleep(0.005)
        time.sleep(pause)
        delay = time.perf_counter() - started
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        first_code = process.wait()
        now = planned_rows(urls, steps)
        bad = half_masked(now, before, after)
        kill = at_kill(now, before, after, row_batches, batches_marked(work))
        between += kill.written_not_marked > 0
        del now
        started = time.perf_counter()
        resumed = child(work, run_id, args.batch_rows)
        code = resumed.wait()
        resuming = time.perf_counter() - started
        status = run_status(work)
        marked_at_end = batches_done(work)
        found = state(urls)
        same = digests(found) == reference_digests
        ok = restored and same and not bad and code == 0 and status == "verified"
        ok = ok and marked_at_end == total and (killed or first_code == 0)
        ok = ok and not kill.partly and not kill.marked_not_written
        failures += not ok
        took.append(time.perf_counter() - trial_started)
        print(
            f"trial {trial:2}: killed {delay:5.2f} s in, at batch {target}+{pause:.3f} s"
            f"{'' if killed else f' (already ended, exit {first_code})'}: "
            f"{kill.committed}/{total} batches written, {kill.marked} marked done, "
            f"{len(kill.partly)} partly written; half-masked rows {len(bad)}; "
            f"resumed exit {code} in {resuming:.1f} s, run {status}; "
            f"end state {'same' if same else 'DIFFERENT'}; trial {took[-1]:.1f} s "
            f"(restore {restoring:.1f} s{'' if restored else ', NOT the pristine state'})"
        )
        for line in bad[:SHOWN]:
            print(f"    half-masked: {line}")
        for line in kill.partly[:SHOWN]:
            print(f"    partly written: {line}")
        for line in kill.marked_not_written[:SHOWN]:
            print(f"    marked done but not written: {line}")
        if code != 0:
            print(f"    resumed run's error: {stderr_of(resumed)[-2000:]}")
        if marked_at_end != total:
            print(f"    batches marked done at the end: {marked_at_end}, not {total}")
        if not same:
            for line in differences(found, reference):
                print(f"    {line}")
        del found
    print(
        f"{args.trials - failures}/{args.trials} trials ended in the uninterrupted state "
        f"({args.estate} estate, {args.persons} persons, {rows} rows, {total} batches of up to "
        f"{args.batch_rows} rows; uninterrupted run {full:.1f} s; a trial took "
        f"{min(took, default=0):.1f}-{max(took, default=0):.1f} s, mean "
        f"{sum(took) / max(1, len(took)):.1f} s)"
    )
    print(f"kills between a batch's commit and its journal row: {between} of {args.trials} trials")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
