"""Benchmark: rights requests through intake, and from approval to answer, over loopback.

Builds a demo estate (SQLite, ``--persons``), starts ``dataskydd``'s app with uvicorn in a
subprocess and then:

1. intake: ``--submissions`` access requests for distinct persons of the estate, posted to
   ``POST /api/v1/requests`` by ``--concurrency`` clients at once: requests per second,
   p50/p99, non-201 answers, and whether every one was recorded (none lost);
2. approval to answer: ``--approve`` of them verified, assessed and approved by a named
   handler and queued; the time until every answer is ready (throughput) and per request
   (approval to answer, p50/p99).

Two set-ups, chosen with options:

- embedded (default): SQLite app store, huey on SQLite, jobs in the web process;
- production: ``--database-url postgresql://…`` and ``--jobs-url redis://…`` with
  ``--workers N`` separate ``dataskydd worker`` processes (the web process runs no jobs).

    .venv/bin/python benchmarks/cases.py [--persons 2000] [--submissions 1000]
        [--concurrency 50] [--approve 200]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench_cases
         --jobs-url redis://127.0.0.1:6379/0 --workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from random import Random

import httpx
import sqlalchemy as sa

from dataskydd import clock
from dataskydd.cases import lifecycle
from dataskydd.demo.estate import build
from dataskydd.demo.people import People
from dataskydd.jobs.queue import Jobs
from dataskydd.settings import Settings
from dataskydd.store.case_tables import RightsRequestRecord
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.migrate import upgrade

HOST = "127.0.0.1"
HANDLER = "Bench Handläggare"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def fresh_postgres(url: str) -> None:
    """Drop and create the database ``url`` names, so every run starts empty."""
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until_up(server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"http://{HOST}:{port}/api/v1/ping", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer within 60 s")


def persons(count: int, seed: int) -> list[str]:
    """The personnummer of the estate's first ``count`` generated persons (the demo's own)."""
    people = People(seed)
    rng = Random(f"dataskydd-demo:{seed}:chunk:0")
    return [people.person(index, rng).personnummer for index in range(count)]


async def submit_all(
    port: int, numbers: list[str], concurrency: int
) -> tuple[float, list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(enumerate(numbers))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", limits=limits) as client:

        async def one_client() -> None:
            while queue:
                index, number = queue.pop()
                began = time.perf_counter()
                answer = await client.post(
                    "/api/v1/requests",
                    json={
                        "kind": "access",
                        "identities": [{"kind": "personnummer", "value": number}],
                        "details": {"contact_email": f"person{index}@example.se"},
                    },
                    timeout=60,
                )
                latencies.append(time.perf_counter() - began)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        return time.perf_counter() - began, latencies, statuses


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--approve", type=int, default=200)
    parser.add_argument("--database-url", help="PostgreSQL app store (production set-up)")
    parser.add_argument("--jobs-url", help="redis://… job queue (production set-up)")
    parser.add_argument("--workers", type=int, default=2, help="dataskydd worker processes")
    parser.add_argument("--work", type=Path, default=Path(".dataskydd/bench-cases"))
    args = parser.parse_args()
    production = bool(args.database_url)

    work = args.work.resolve()
    shutil.rmtree(work / "data", ignore_errors=True)
    with clock.frozen_at("2026-11-26"):
        estate = build(work / f"estate-{args.persons}", persons=args.persons)
    data_dir = work / "data"
    data_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "DATASKYDD_DATA_DIR": str(data_dir),
        "DATASKYDD_DATAMAP": str(estate.datamap_dir),
        "DATASKYDD_HASH_KEY": os.environ.get("DATASKYDD_HASH_KEY", "5e" * 32),
        "DATASKYDD_ENCRYPTION_KEYS": os.environ.get("DATASKYDD_ENCRYPTION_KEYS", "b1:" + "c3" * 32),
    }
    if production:
        fresh_postgres(args.database_url)
        env["DATASKYDD_DATABASE_URL"] = args.database_url
        env["DATASKYDD_JOBS_IN_PROCESS"] = "false"
        if args.jobs_url:
            env["DATASKYDD_JOBS_URL"] = args.jobs_url
    os.environ.update(env)  # this process approves and queues with the same settings
    settings = Settings()
    upgrade(settings.effective_database_url)
    jobs = Jobs(settings)
    jobs.huey.flush()  # no jobs left over from an earlier run

    port = free_port()
    server = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "dataskydd.web.app:create_app",
            "--factory",
            "--host",
            HOST,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env,
    )
    workers: list[subprocess.Popen[bytes]] = []
    try:
        wait_until_up(server, port)
        numbers = persons(min(args.submissions, args.persons - 10), estate.seed)
        numbers = (numbers * (args.submissions // len(numbers) + 1))[: args.submissions]
        took, latencies, statuses = asyncio.run(submit_all(port, numbers, args.concurrency))
        engine = make_engine(settings.effective_database_url)
        with session_scope(engine) as session:
            recorded = session.scalar(sa.select(sa.func.count()).select_from(RightsRequestRecord))
            ids = list(
                session.scalars(
                    sa.select(RightsRequestRecord.id)
                    .where(RightsRequestRecord.status == "received")
                    .limit(args.approve)
                )
            )
        setup = (
            f"PostgreSQL app store, {'Redis' if args.jobs_url else 'SQLite'} queue, "
            f"{args.workers} worker process(es)"
            if production
            else "embedded: SQLite app store, SQLite queue, jobs in the web process"
        )
        print(f"set-up: {setup}; estate of {args.persons} persons (SQLite)")
        print(
            f"1. intake: {args.submissions} requests, {args.concurrency} clients: "
            f"{args.submissions / took:,.0f} requests/s, p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms; answers {dict(sorted(statuses.items()))}; "
            f"recorded {recorded} of {args.submissions}"
        )

        for _ in range(args.workers if production else 0):
            workers.append(
                start(
                    [
                        sys.executable,
                        "-c",
                        "from dataskydd.cli import main; main()",
                        "worker",
                        "--workers",
                        "2",
                    ],
                    env,
                )
            )
        began = time.perf_counter()
        with session_scope(engine, write=True) as session:
            for request_id in ids:
                lifecycle.verify(
                    session, request_id, method="staff", by=HANDLER, note="ID-kort visat"
                )
                lifecycle.assess(session, request_id, by=HANDLER)
                lifecycle.approve(session, request_id, by=HANDLER)
        for request_id in ids:
            jobs.enqueue(request_id)
        deadline = time.monotonic() + 1800
        answered = 0
        while time.monotonic() < deadline:
            with session_scope(engine) as session:
                answered = (
                    session.scalar(
                        sa.select(sa.func.count()).where(
                            RightsRequestRecord.id.in_(ids),
                            RightsRequestRecord.status == "answered",
                        )
                    )
                    or 0
                )
            if answered == len(ids):
                break
            time.sleep(0.5)
        total = time.perf_counter() - began
        with session_scope(engine) as session:
            rows = session.execute(
                sa.select(RightsRequestRecord.decided_at, RightsRequestRecord.answered_at).where(
                    RightsRequestRecord.id.in_(ids)
                )
            ).all()
        waits = [(a - d).total_seconds() for d, a in rows if a is not None and d is not None]
        print(
            f"2. approval to answer: {answered} of {len(ids)} access requests answered in "
            f"{total:.1f} s ({answered / total:.1f} answers/s); per request p50 "
            f"{statistics.median(waits):.2f} s, p99 {percentile(waits, 0.99):.2f} s"
        )
        engine.dispose()
    finally:
        for process in [*workers, server]:
            process.send_signal(signal.SIGINT)
        for process in [*workers, server]:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
