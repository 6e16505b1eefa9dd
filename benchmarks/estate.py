"""Benchmark: building the demo estate, on SQLite and (when reachable) PostgreSQL and MariaDB.

For each size and database, builds the estate from scratch and prints the wall time, the
time spent generating rows, and rows per second per system (loading plus indexes and
foreign keys). PostgreSQL and MariaDB get a database ``dataskydd_bench_<system>`` per
system, created if missing and dropped at the end (unless ``--keep``).

    .venv/bin/python benchmarks/estate.py [--sizes 10000,100000] [--backends sqlite,postgresql,mariadb]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dataskydd.demo.estate import Estate, build
from dataskydd.demo.systems import SYSTEM_KEYS

POSTGRES = os.environ.get(
    "DATASKYDD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB = os.environ.get("DATASKYDD_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
BACKENDS = ("sqlite", "postgresql", "mariadb")


def reachable(url: str) -> str | None:
    """None if the server answers, else why not."""
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return None
    except Exception as exc:  # any failure to connect means: skip this server
        return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    finally:
        engine.dispose()


@contextmanager
def bench_databases(server: str, *, keep: bool) -> Iterator[dict[str, str]]:
    """One database per system on ``server``, by system key."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    postgres = admin.dialect.name == "postgresql"
    names = {key: f"dataskydd_bench_{key}" for key in SYSTEM_KEYS}
    quote: Callable[[str], str] = admin.dialect.identifier_preparer.quote
    try:
        with admin.connect() as connection:
            for name in names.values():
                if postgres:
                    exists = connection.execute(
                        sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                    ).first()
                    if not exists:
                        connection.execute(sa.text(f"CREATE DATABASE {quote(name)}"))
                else:
                    connection.execute(
                        sa.text(
                            f"CREATE DATABASE IF NOT EXISTS {quote(name)} CHARACTER SET utf8mb4"
                        )
                    )
        url = make_url(server)
        yield {
            key: url.set(database=name).render_as_string(hide_password=False)
            for key, name in names.items()
        }
        if not keep:
            with admin.connect() as connection:
                for name in names.values():
                    force = " WITH (FORCE)" if postgres else ""
                    connection.execute(sa.text(f"DROP DATABASE IF EXISTS {quote(name)}{force}"))
    finally:
        admin.dispose()


def run(persons: int, urls: dict[str, str] | None, label: str) -> None:
    with tempfile.TemporaryDirectory(prefix="dataskydd-bench-") as directory:
        started = time.perf_counter()
        estate = build(Path(directory), persons=persons, urls=urls, rebuild=True)
        wall = time.perf_counter() - started
    report(estate, wall, label)


def report(estate: Estate, wall: float, label: str) -> None:
    rows = sum(estate.rows.values())
    print(
        f"\n{label}, {estate.persons:,} persons: {rows:,} rows in {wall:.1f} s "
        f"({rows / wall:,.0f} rows/s overall; generating rows {estate.generation_seconds:.1f} s)"
    )
    print(f"  {'system':<12} {'rows':>11} {'load+index s':>13} {'rows/s':>10}")
    for key in SYSTEM_KEYS:
        loaded = sum(n for name, n in estate.rows.items() if name.startswith(f"{key}."))
        print(
            f"  {key:<12} {loaded:>11,} {estate.seconds[key]:>13.1f} "
            f"{estate.rows_per_second(key):>10,.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10000,100000", help="persons per estate, comma-separated"
    )
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgresql,mariadb")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    backends = [b for b in args.backends.split(",") if b]

    print(
        f"dataskydd demo estate benchmark: Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    if "sqlite" in backends:
        for persons in sizes:
            run(persons, None, "SQLite")
    for backend, server in (("postgresql", POSTGRES), ("mariadb", MARIADB)):
        if backend not in backends:
            continue
        why_not = reachable(server)
        if why_not:
            print(
                f"\n{backend}: skipped, {make_url(server).render_as_string(hide_password=True)} "
                f"is not reachable ({why_not})"
            )
            continue
        with bench_databases(server, keep=args.keep) as urls:
            for persons in sizes:
                run(persons, urls, "PostgreSQL" if backend == "postgresql" else "MariaDB")


if __name__ == "__main__":
    main()
