"""Benchmark: access requests on a large demo estate spread over PostgreSQL, MariaDB and SQLite.

Prints, for an estate of ``--persons`` people (default 1,000,000):

1. p50 and p95 time of one access request (resolution across every system + the answer with
   its Art. 15 facts), and the same lookups as hand-written SQL on raw driver connections
   (the floor: every query the resolver made, replayed one after another, nothing else);
2. throughput of ``--requests`` access requests (default 1,000), one at a time and with 4
   concurrent workers;
3. peak Python memory of one request on this estate and on a small one (``--small``), to
   show that memory does not grow with the estate.

The estate is built once per size and reused (the demo's manifest says when it matches).
Systems: core, crm and recruitment on PostgreSQL, marketing on MariaDB, website on SQLite. The free-text scan's speed is measured by benchmarks/freetext.py.

    .venv/bin/python benchmarks/access.py [--persons 1000000] [--requests 1000] [--small 10000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dataskydd.connectors.base import Connector, Row, TableRef
from dataskydd.datamap.loader import load_datamap
from dataskydd.demo.estate import build
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights.access import build_answer
from dataskydd.rights.service import Estate, find_person, open_estate

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
MARIADB = "mysql+pymysql://root@127.0.0.1:3306/{db}"
# Text-heavy systems where their free text can be indexed (pg_trgm); marketing's purchased
# lists (no free text) on MariaDB; the website on SQLite.
PLACES = {"core": POSTGRES, "crm": POSTGRES, "recruitment": POSTGRES, "marketing": MARIADB}
PNR = IdentityKind.PERSONNUMMER


class Recorder:
    """A connector that remembers every call, so the floor can replay the same lookups."""

    def __init__(self, inner: Connector) -> None:
        self.inner = inner
        self.system = inner.system
        self.calls: list[tuple[str, TableRef, Sequence[str], Any]] = []

    def fetch(
        self, table: TableRef, columns: Sequence[str], match: Mapping[str, Collection[Any]]
    ) -> list[Row]:
        self.calls.append(("fetch", table, list(columns), {k: list(v) for k, v in match.items()}))
        return self.inner.fetch(table, columns, match)

    def search_text(
        self,
        table: TableRef,
        columns: Sequence[str],
        text_columns: Sequence[str],
        needles: Sequence[str],
    ) -> list[Row]:
        self.calls.append(("search", table, list(columns), (list(text_columns), list(needles))))
        return self.inner.search_text(table, columns, text_columns, needles)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class Floor:
    """Raw DBAPI connections, one per system, and the hand-written SQL of each lookup."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        self.connections: dict[str, Any] = {}
        self.styles: dict[str, tuple[str, str]] = {}  # placeholder, identifier quote
        self.postgres: set[str] = set()
        self.sqlite: set[str] = set()
        for system, url in urls.items():
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite":
                self.connections[system] = sqlite3.connect(
                    parsed.database or "", check_same_thread=False
                )
                self.styles[system] = ("?", '"')
                self.sqlite.add(system)
            elif parsed.get_backend_name() == "postgresql":
                # As the connector: no auto-prepared generic plans that cannot use an index.
                self.connections[system] = psycopg.connect(
                    prepare_threshold=None,
                    host=parsed.host,
                    port=parsed.port,
                    user=parsed.username,
                    dbname=parsed.database,
                    autocommit=True,
                )
                self.styles[system] = ("%s", '"')
                self.postgres.add(system)
            else:
                self.connections[system] = pymysql.connect(
                    host=parsed.host or "127.0.0.1",
                    port=parsed.port or 3306,
                    user=parsed.username or "root",
                    database=parsed.database,
                    autocommit=True,
                )
                self.styles[system] = ("%s", "`")

    def replay(self, calls: Sequence[tuple[str, str, TableRef, Sequence[str], Any]]) -> int:
        rows = 0
        for system, kind, table, columns, args in calls:
            mark, quote = self.styles[system]
            select = ", ".join(f"{quote}{c}{quote}" for c in columns)
            params: list[Any] = []
            if kind == "fetch":
                clauses = []
                for column, values in args.items():
                    clauses.append(f"{quote}{column}{quote} IN ({', '.join([mark] * len(values))})")
                    params += values
            else:
                text_columns, needles = args
                # ILIKE on PostgreSQL, as the connector does, so the floor uses the same indexes.
                # As the connector: ILIKE on PostgreSQL, SQLite's own (ASCII case-blind) LIKE,
                # lower() LIKE on MariaDB.
                like = (
                    "{c} ILIKE {m}"
                    if system in self.postgres
                    else "{c} LIKE {m}"
                    if system in self.sqlite
                    else "lower({c}) LIKE {m}"
                )
                clauses = [
                    like.format(c=f"{quote}{c}{quote}", m=mark)
                    for c in text_columns
                    for _ in needles
                ]
                patterns = [
                    "%" + "%".join([n] if isinstance(n, str) else n).lower() + "%" for n in needles
                ]
                params = [p for _ in text_columns for p in patterns]
            cursor = self.connections[system].cursor()
            cursor.execute(
                f"SELECT {select} FROM {quote}{table.name}{quote} WHERE {' OR '.join(clauses)}",
                params,
            )
            rows += len(cursor.fetchall())
            cursor.close()
        return rows


def ensure_databases(size: int, prefix: str = "dataskydd_bench") -> dict[str, str]:
    """A database per server-hosted system for this estate size; returns every system's URL."""
    urls = {}
    for system, template in PLACES.items():
        db = f"{prefix}_{system}_{size}"
        urls[system] = template.format(db=db)
        server = template.format(db="test")  # the machine's own test database, to create ours
        engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            if template is POSTGRES:
                exists = connection.execute(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": db}
                ).first()
                if not exists:
                    connection.execute(sa.text(f'CREATE DATABASE "{db}"'))
            else:
                connection.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS `{db}`"))
        engine.dispose()
    return urls


def build_estate(persons: int, work: Path, rebuild: bool) -> tuple[Path, dict[str, str], list[str]]:
    data_dir = work / f"estate-{persons}"
    started = time.perf_counter()
    estate = build(data_dir, persons=persons, urls=ensure_databases(persons), rebuild=rebuild)
    took = time.perf_counter() - started
    state = "built" if estate.built else "reused"
    print(f"   estate of {persons:,} persons {state} in {took:.0f} s")
    return estate.datamap_dir, dict(estate.urls), [p.personnummer for p in estate.planted]


def subjects(estate: Estate, count: int, planted: list[str], seed: int = 7) -> list[str]:
    """``count`` personnummer of people in the estate: the planted ones and a random sample."""
    pool: set[str] = set(planted)
    for system, table, column in (
        ("core", "customers", "personnummer"),
        ("recruitment", "applicants", "personnummer"),
        ("core", "company_roles", "personnummer"),
    ):
        values = estate.connectors[system].sample(TableRef(table), column, count * 20)
        pool.update(str(v) for v in values if v)
    chosen = random.Random(seed).sample(
        sorted(pool - set(planted)), min(count, len(pool)) - len(planted)
    )
    return planted + chosen


INCOMPLETE: list[str] = []
IDENTITIES: list[int] = []


def one_request(estate: Estate, programme: Any, pnr: str) -> int:
    resolution = find_person(estate, [(PNR, pnr)])
    IDENTITIES.append(len(resolution.identities))
    answer = build_answer(resolution, estate.datamap, programme)
    if not answer.complete:  # counted and reported, never silently dropped
        INCOMPLETE.extend(f"{system}: {why}" for system, why in answer.failed_systems)
    return len(answer.items)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def peak_memory(estate: Estate, programme: Any, people: Sequence[str]) -> float:
    """The largest peak of traced Python memory over a few requests, in MiB."""
    one_request(estate, programme, people[0])  # warm caches and pools first
    peaks = []
    for pnr in people:
        tracemalloc.start()
        one_request(estate, programme, pnr)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return max(peaks) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path(".dataskydd/bench"))
    parser.add_argument("--rebuild", action="store_true", help="build the estates again")
    args = parser.parse_args()
    programme = load_template()
    print(
        f"dataskydd access benchmark: Python {sys.version.split()[0]}; systems: "
        "core, crm, recruitment on PostgreSQL; marketing on MariaDB; website on SQLite"
    )

    print("\n0. Estates")
    big_map, big_urls, big_planted = build_estate(args.persons, args.work, args.rebuild)
    small_map, _, small_planted = build_estate(args.small, args.work, args.rebuild)

    with open_estate(load_datamap(big_map, programme)) as estate:
        tables = sum(len(s.tables) for s in estate.datamap.systems.values())
        people = subjects(estate, args.requests, big_planted)
        print(
            f"   {len(estate.datamap.systems)} systems, {tables} tables; {len(people):,} request subjects"
        )

        print(
            "\n1. One access request (resolution + answer) vs the floor (the same lookups, raw SQL)"
        )
        recorders = {k: Recorder(c) for k, c in estate.connectors.items()}
        estate.connectors.update(recorders)  # type: ignore[arg-type]
        floor = Floor(big_urls)
        ours, floors, items = [], [], []
        for pnr in people[: min(100, len(people))]:
            for recorder in recorders.values():
                recorder.calls.clear()
            ours.append(timed(lambda pnr=pnr: items.append(one_request(estate, programme, pnr))))
            calls = [(r.system, *call) for r in recorders.values() for call in r.calls]
            floors.append(timed(lambda calls=calls: floor.replay(calls)))
        for recorder in recorders.values():
            estate.connectors[recorder.system] = recorder.inner
        ratio_p50 = statistics.median(ours) / statistics.median(floors)
        print(
            f"   requests timed: {len(ours)}; records per answer: median {statistics.median(items):.0f}, max {max(items)}"
        )
        print(
            f"   dataskydd  p50 {statistics.median(ours) * 1000:7.1f} ms   p95 {percentile(ours, 0.95) * 1000:7.1f} ms"
        )
        print(
            f"   floor      p50 {statistics.median(floors) * 1000:7.1f} ms   p95 {percentile(floors, 0.95) * 1000:7.1f} ms"
        )
        print(
            f"   ratio      p50 {ratio_p50:.2f}x   p95 {percentile(ours, 0.95) / percentile(floors, 0.95):.2f}x   (target <= 1.5x)"
        )

        print(f"\n2. Throughput of {len(people):,} access requests")
        sequential = timed(lambda: [one_request(estate, programme, p) for p in people])
        print(f"   one at a time: {len(people) / sequential:7.1f} requests/s ({sequential:.1f} s)")
        with ThreadPoolExecutor(max_workers=4) as pool:
            concurrent = timed(
                lambda: list(pool.map(lambda p: one_request(estate, programme, p), people))
            )
        print(f"   4 workers:     {len(people) / concurrent:7.1f} requests/s ({concurrent:.1f} s)")

        print(
            f"   identities per person found: median {statistics.median(IDENTITIES):.0f}, "
            f"max {max(IDENTITIES)}"
        )
        print(f"   incomplete answers (a system failed, e.g. a timeout): {len(INCOMPLETE)}")
        for failure in sorted(set(INCOMPLETE))[:5]:
            print(f"     {failure}")

        print("\n3. Peak Python memory of one request (tracemalloc), by estate size")
        big_peak = peak_memory(estate, programme, people[:20])
    with open_estate(load_datamap(small_map, programme)) as small:
        small_peak = peak_memory(small, programme, subjects(small, 20, small_planted))
    print(f"   {args.small:>9,} persons: {small_peak:6.2f} MiB")
    print(
        f"   {args.persons:>9,} persons: {big_peak:6.2f} MiB   (ratio {big_peak / small_peak:.2f})"
    )


if __name__ == "__main__":
    main()
