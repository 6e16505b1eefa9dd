"""Benchmark: erasing many persons across the PostgreSQL/MariaDB/SQLite demo estate.

Builds (always anew: erasure changes it) an estate of ``--persons`` people with core, crm
and recruitment on PostgreSQL, marketing on MariaDB and the website on SQLite, then:

1. plans the erasure of every person with a personnummer (up to ``--erase``), each found
   and planned on their own (4 threads): persons per second;
2. the floor: the same deletes and updates as plain batched SQL on raw driver connections
   (``DELETE ... WHERE pk IN (...)`` per 1,000 keys, ``UPDATE ... SET ... WHERE pk = ?`` as
   executemany), in one transaction per system rolled back at the end instead of committed,
   so that the estate is left for the real run (no commits at all: this flatters the floor);
3. the executor (``rights/erasure_run.execute``): the same rows, batches of ``--batch-rows``
   committed per system and journalled in the app store, then read back to verify.

Prints rows per second for the floor and the executor and their ratio (target: the
executor at least 50% of the floor).

    .venv/bin/python benchmarks/erasure.py [--persons 100000] [--erase 100000] [--batch-rows 1000]
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
import pymysql
from sqlalchemy.engine import make_url

from access import ensure_databases
from dataskydd import clock
from dataskydd.connectors.base import TableRef
from dataskydd.datamap.loader import load_datamap
from dataskydd.demo.estate import build
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights.erasure import Ground
from dataskydd.rights.erasure_bulk import plan_many
from dataskydd.rights.erasure_run import StoredSteps, execute, record, stored_steps, verify_run
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
    """The same writes as plain batched SQL, in one transaction per system that is rolled
    back at the end (children before parents, as the foreign keys want). Returns (rows, seconds)."""
    rows = 0
    took = 0.0
    for system, system_steps in steps.items():
        connection = raw_connection(urls[system])
        sqlite = isinstance(connection, sqlite3.Connection)
        mark = "?" if sqlite else "%s"
        quote = "`" if isinstance(connection, pymysql.connections.Connection) else '"'
        cursor = connection.cursor()
        if sqlite:
            cursor.execute("BEGIN")
        for step in system_steps:
            (pk,) = step["primary_key"]
            table = f"{quote}{step['table']}{quote}"
            keys = [k[0] for k in step["delete"]]
            for start in range(0, len(keys), batch_rows):
                part = keys[start : start + batch_rows]
                began = time.perf_counter()
                cursor.execute(
                    f"DELETE FROM {table} WHERE {quote}{pk}{quote} IN ({', '.join([mark] * len(part))})",
                    part,
                )
                took += time.perf_counter() - began
                rows += len(part)
            updates = step["update"]
            for start in range(0, len(updates), batch_rows):
                part = updates[start : start + batch_rows]
                by_columns: dict[tuple[str, ...], list[Sequence[Any]]] = {}
                for key, values in part:
                    by_columns.setdefault(tuple(values), []).append([*values.values(), key[0]])
                began = time.perf_counter()
                for columns, params in by_columns.items():
                    sets = ", ".join(f"{quote}{c}{quote} = {mark}" for c in columns)
                    cursor.executemany(
                        f"UPDATE {table} SET {sets} WHERE {quote}{pk}{quote} = {mark}", params
                    )
                took += time.perf_counter() - began
                rows += len(part)
        connection.rollback()
        cursor.close()
        connection.close()
    return rows, took


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--erase", type=int, default=100_000)
    parser.add_argument("--batch-rows", type=int, default=1_000)
    parser.add_argument("--work", type=Path, default=Path(".dataskydd/bench-erasure"))
    args = parser.parse_args()

    print(
        f"1. estate of {args.persons:,} persons (core, crm, recruitment on PostgreSQL; marketing on MariaDB; website on SQLite)"
    )
    started = time.perf_counter()
    with clock.frozen_at(BUILD_DAY):
        estate = build(
            args.work / f"estate-{args.persons}",
            persons=args.persons,
            urls=ensure_databases(args.persons, "dataskydd_bench_erasure"),
            rebuild=True,
        )
    print(f"   built in {time.perf_counter() - started:.0f} s")
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
        steps = stored_steps(plans, datamap)
        per_system = {
            s: sum(len(t["delete"]) + len(t["update"]) for t in ts) for s, ts in steps.items()
        }
        total = sum(per_system.values())
        print(
            f"   rows to change: {total:,} ({', '.join(f'{s} {n:,}' for s, n in per_system.items())})"
        )
        run_id = record(store, plans, datamap, "benchmark")

        floor_rows, floor_time = floor(dict(estate.urls), steps, args.batch_rows)
        print(
            f"3. floor (plain batched SQL, rolled back): {floor_rows:,} rows in {floor_time:.2f} s: {floor_rows / floor_time:,.0f} rows/s"
        )

        started = time.perf_counter()
        result = execute(
            store, open_, run_id, actor="benchmark", batch_rows=args.batch_rows, verify=False
        )
        writing = time.perf_counter() - started
        started = time.perf_counter()
        problems = verify_run(open_, steps)
        verifying = time.perf_counter() - started
        print(
            f"4. executor: {result.rows_written:,} rows in {writing:.2f} s: {result.rows_written / writing:,.0f} rows/s "
            f"({result.batches_run} batches, committed and journalled); verification read-back {verifying:.2f} s"
            + (f"; PROBLEMS: {problems}" if problems else "")
        )
        print(
            f"   executor / floor: {(result.rows_written / writing) / (floor_rows / floor_time):.2f} (target >= 0.50)"
        )
        print(
            f"   with verification: {(result.rows_written / (writing + verifying)) / (floor_rows / floor_time):.2f}"
        )
    store.dispose()


if __name__ == "__main__":
    main()
