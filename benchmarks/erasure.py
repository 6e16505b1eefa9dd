"""Benchmark: erasing many persons across the PostgreSQL/MariaDB/SQLite demo estate.

Builds (always anew: erasure changes it) an estate of ``--persons`` people with core, crm
and recruitment on PostgreSQL, marketing on MariaDB and the website on SQLite, then:

1. plans the erasure of every person with a personnummer (up to ``--erase``), found in
   groups and planned each on their own (``plan_many``, 4 threads): persons per second;
2. the floor: the same writes as plain batched SQL on raw driver connections, the same
   batches as the executor's (``--batch-rows`` rows, children before parents), each batch
   one transaction, committed, one thread per system as the executor has it:
   ``DELETE ... WHERE pk IN (...)`` per 1,000 keys, ``UPDATE ... SET ... WHERE pk = ?``
   as one executemany per set of columns. Timed from opening the connections to the last
   commit. What it leaves out is the executor's own work: loading the run from the app
   store, statements built through SQLAlchemy, its connection pools (a ping on each
   checkout), the journal row per batch in the app store (committed: that is what makes a
   run resumable), the run's end in the store and its audit entry, and the read-back;
3. the estate is built again (the floor's writes were committed; the same seed gives the
   same rows), then the executor (``rights/erasure_run.execute``): the same rows, timed
   from the start of ``execute`` to its end, then read back to verify (timed apart).

Both timed parts start after a garbage collection, with the plans no longer in memory. A
plan that could not ask every system is left out of the run, as ``dataskydd erase`` would.

Prints rows per second for the floor and the executor and their ratio (target: the
executor at least 50% of the floor).

    .venv/bin/python benchmarks/erasure.py [--persons 100000] [--erase 100000] [--batch-rows 1000]
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pymysql
from sqlalchemy.engine import make_url

from access import ensure_databases
from dataskydd import clock
from dataskydd.connectors.base import TableRef
from dataskydd.connectors.sql import IN_LIST_SIZE
from dataskydd.datamap.loader import load_datamap
from dataskydd.demo.estate import build
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights.erasure import Ground
from dataskydd.rights.erasure_bulk import plan_many
from dataskydd.rights.erasure_run import (
    BATCH_ROWS,
    StoredSteps,
    batches,
    execute,
    record,
    stored_steps,
    verify_run,
)
from dataskydd.rights.service import Estate, open_estate
from dataskydd.store.engine import make_engine
from dataskydd.store.migrate import upgrade

BUILD_DAY = "2026-11-26"
ERASE_DAY = "2026-12-02"


def persons_to_erase(estate: Estate, limit: int) -> list[str]:
    found: list[str] = []
    for system, table, column in (
        ("core", "customers", "personnummer"),
        ("recruitment", "applicants", "personnummer"),
        ("core", "company_roles", "personnummer"),
    ):
        found += [
            str(v) for v in estate.connectors[system].sample(TableRef(table), column, limit * 2)
        ]
    return list(dict.fromkeys(found))[:limit]


def raw_connection(url: str) -> Any:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return psycopg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
        )
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        return pymysql.connect(
            host=parsed.host,
            port=parsed.port or 3306,
            user=parsed.username,
            database=parsed.database,
            autocommit=False,
        )
    return sqlite3.connect(str(parsed.database), isolation_level=None)


def floor(urls: dict[str, str], steps: StoredSteps, batch_rows: int) -> tuple[int, float]:
    """The same writes as plain batched SQL, each batch committed; returns (rows, seconds).

    One thread per system, as the executor runs them; the seconds are the wall time from
    opening the first connection to the last commit.
    """

    def system_floor(system: str) -> int:
        connection = raw_connection(urls[system])
        try:
            return write_batches(connection, steps[system], batch_rows)
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(len(steps)) as pool:
        rows = sum(pool.map(system_floor, steps))
    return rows, time.perf_counter() - started


def write_batches(connection: Any, system_steps: list[dict[str, Any]], batch_rows: int) -> int:
    """Every batch of one system as plain SQL, each in a transaction of its own; rows written."""
    sqlite = isinstance(connection, sqlite3.Connection)
    mark = "?" if sqlite else "%s"
    quote = "`" if isinstance(connection, pymysql.connections.Connection) else '"'
    cursor = connection.cursor()
    rows = 0
    for batch in batches(system_steps, batch_rows):
        if sqlite:
            cursor.execute("BEGIN")
        for step in batch:
            (pk,) = step.primary_key
            table = f"{quote}{step.table.name}{quote}"
            # Updates first, then deletes, as the executor has them.
            by_columns: dict[tuple[str, ...], list[Sequence[Any]]] = {}
            for change in step.changes:
                if change.values is not None:
                    by_columns.setdefault(tuple(change.values), []).append(
                        [*change.values.values(), change.key[0]]
                    )
            for columns, params in by_columns.items():
                sets = ", ".join(f"{quote}{c}{quote} = {mark}" for c in columns)
                cursor.executemany(
                    f"UPDATE {table} SET {sets} WHERE {quote}{pk}{quote} = {mark}", params
                )
            keys = [change.key[0] for change in step.changes if change.values is None]
            for start in range(0, len(keys), IN_LIST_SIZE):
                part = keys[start : start + IN_LIST_SIZE]
                cursor.execute(
                    f"DELETE FROM {table} WHERE {quote}{pk}{quote} IN ({', '.join([mark] * len(part))})",
                    part,
                )
            rows += len(step.changes)
        if sqlite:
            cursor.execute("COMMIT")
        else:
            connection.commit()
    cursor.close()
    return rows


def build_estate(work: Path, persons: int) -> Any:
    started = time.perf_counter()
    with clock.frozen_at(BUILD_DAY):
        estate = build(
            work / f"estate-{persons}",
            persons=persons,
            urls=ensure_databases(persons, "dataskydd_bench_erasure"),
            rebuild=True,
        )
    print(f"   built in {time.perf_counter() - started:.0f} s")
    return estate


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--erase", type=int, default=100_000)
    parser.add_argument("--batch-rows", type=int, default=BATCH_ROWS)
    parser.add_argument("--work", type=Path, default=Path(".dataskydd/bench-erasure"))
    args = parser.parse_args()

    print(
        f"1. estate of {args.persons:,} persons (core, crm, recruitment on PostgreSQL; marketing on MariaDB; website on SQLite)"
    )
    estate = build_estate(args.work, args.persons)
    programme = load_template()
    datamap = load_datamap(estate.datamap_dir, programme)
    store_url = f"sqlite:///{(args.work / 'store.db').resolve()}"
    (args.work / "store.db").unlink(missing_ok=True)
    upgrade(store_url)
    store = make_engine(store_url)
    with clock.frozen_at(ERASE_DAY), open_estate(datamap) as open_:
        people = [[(IdentityKind.PERSONNUMMER, p)] for p in persons_to_erase(open_, args.erase)]
        started = time.perf_counter()
        plans = plan_many(programme, open_, people, [Ground.UNLAWFUL], workers=4)
        planning = time.perf_counter() - started
        print(
            f"2. planned {len(plans):,} persons in {planning:.1f} s: {len(plans) / planning:,.0f} persons/s"
        )
        incomplete = [plan for plan in plans if not plan.complete]
        if incomplete:
            # As `dataskydd erase` does: nothing is erased for a person until every system answers.
            reasons = Counter(f"{s}: {e}" for p in incomplete for s, e in p.failed_systems)
            print(
                f"   left out, a system failed: {len(incomplete):,} plans ({reasons.most_common(3)})"
            )
            plans = [plan for plan in plans if plan.complete]
        steps = stored_steps(plans, datamap)
        per_system = {
            s: sum(len(t["delete"]) + len(t["update"]) for t in ts) for s, ts in steps.items()
        }
        total = sum(per_system.values())
        print(
            f"   rows to change: {total:,} ({', '.join(f'{s} {n:,}' for s, n in per_system.items())})"
        )
        started = time.perf_counter()
        run_id = record(store, plans, datamap, "benchmark")
        print(f"   recorded as one run in {time.perf_counter() - started:.1f} s")
    # The plans are in the store now. Out of memory with them, so that neither timed part
    # pays for the collector walking 41,000 plans (a process resuming a run has none).
    del plans, incomplete
    gc.collect()

    floor_rows, floor_time = floor(dict(estate.urls), steps, args.batch_rows)
    floor_rate = floor_rows / floor_time
    print(
        f"3. floor (plain batched SQL, {args.batch_rows:,} rows a batch, each committed): "
        f"{floor_rows:,} rows in {floor_time:.2f} s: {floor_rate:,.0f} rows/s"
    )
    print("   the estate again, for the executor:")
    build_estate(args.work, args.persons)
    gc.collect()

    with clock.frozen_at(ERASE_DAY), open_estate(datamap) as open_:
        started = time.perf_counter()
        result = execute(
            store, open_, run_id, actor="benchmark", batch_rows=args.batch_rows, verify=False
        )
        writing = time.perf_counter() - started
        started = time.perf_counter()
        problems = verify_run(open_, steps)
        verifying = time.perf_counter() - started
    rate = result.rows_written / writing
    print(
        f"4. executor: {result.rows_written:,} rows in {writing:.2f} s: {rate:,.0f} rows/s "
        f"({result.batches_run} batches, committed and journalled); verification read-back {verifying:.2f} s"
        + (f"; PROBLEMS: {problems}" if problems else "")
    )
    print(f"   executor / floor: {rate / floor_rate:.2f} (target >= 0.50)")
    print(f"   with verification: {(result.rows_written / (writing + verifying)) / floor_rate:.2f}")
    store.dispose()


if __name__ == "__main__":
    main()
