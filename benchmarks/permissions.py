"""Benchmark: the permission check over HTTP against the framework's ceiling, ``/api/v1/ping``.

Seeds ``--persons`` people (default 10,000) into a fresh app store (a temporary SQLite file,
or ``--database-url``, e.g. an empty PostgreSQL database) with a mix of consents (some
withdrawn), direct-marketing objections (suppressed), objections to a legitimate-interest
purpose, restrictions and purchased-list suppressions; creates an API token; starts the app
with uvicorn in a subprocess (``--workers``, the same for both endpoints); and drives load
from a separate process over loopback: ``--concurrency`` keep-alive connections for
``--duration`` seconds each, first against ``GET /api/v1/ping`` (public, no store: what the
server and framework cost), then against ``GET /api/v1/permissions`` with the token, a random
person (a tenth of them unknown to the store) and a random purpose per request.

The load generator is a minimal HTTP/1.1 client on asyncio streams (one pre-built request per
call, Content-Length framing), so that the client costs less than the server and the ratio
is the server's. The endpoints alternate in ``--rounds`` rounds, so that a change in the
shared machine's load falls on both alike. Prints requests/s, p50 and p99 for each endpoint
over all rounds and the ratio permission-rps / ping-rps (target >= 0.60), overall and by
round.

    .venv/bin/python benchmarks/permissions.py [--persons 10000] [--concurrency 16]
        [--duration 10] [--rounds 3] [--workers 1]
        [--database-url postgresql://postgres@127.0.0.1/bench]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

from dataskydd import keys
from dataskydd.auth import tokens
from dataskydd.consent import records, suppression
from dataskydd.demo.identifiers import personnummer
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights import objection, restriction
from dataskydd.rights.subjects import hashes
from dataskydd.store import migrate
from dataskydd.store.engine import display_url, make_engine, session_scope

PNR = IdentityKind.PERSONNUMMER
EMAIL = IdentityKind.EMAIL
ACTOR = "benchmark"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Person:
    pnr: str
    email: str


def people(count: int, rng: random.Random) -> list[Person]:
    """``count`` distinct, valid personnummer (and an e-mail address each)."""
    seen: set[str] = set()
    found: list[Person] = []
    while len(found) < count:
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
        pnr = personnummer(born, rng.randrange(1, 980))
        if pnr not in seen:
            seen.add(pnr)
            found.append(Person(pnr, f"p{len(found)}@bench.example"))
    return found


def seed(url: str, persons: list[Person], rng: random.Random) -> tuple[dict[str, int], str]:
    """Record the mix of facts and create a token: how many persons got each, and the token."""
    programme = load_template()
    counts = dict.fromkeys(
        ("consent", "withdrawn", "dm_objection", "li_objection", "restricted", "suppressed"), 0
    )
    engine = make_engine(url)
    try:
        for start in range(0, len(persons), 500):
            with session_scope(engine, write=True) as session:
                for person in persons[start : start + 500]:
                    ids = [(PNR, person.pnr), (EMAIL, person.email)]
                    roll = rng.random()
                    if roll < 0.40:
                        records.give(session, ids, "consent", "web form", ACTOR)
                        counts["consent"] += 1
                        if rng.random() < 0.25:
                            records.withdraw(session, ids, "consent", ACTOR)
                            counts["withdrawn"] += 1
                    if rng.random() < 0.10:
                        objection.object_to_direct_marketing(session, programme, ids, ACTOR)
                        counts["dm_objection"] += 1
                    if rng.random() < 0.05:
                        objection.object_to(session, programme, ids, "statistics", actor=ACTOR)
                        counts["li_objection"] += 1
                    if rng.random() < 0.05:
                        restriction.restrict(
                            session, ids, "accuracy_contested", actor=ACTOR, programme=programme
                        )
                        counts["restricted"] += 1
                    if rng.random() < 0.05:
                        suppression.suppress(
                            session, hashes([(EMAIL, person.email)]), reason="list", actor=ACTOR
                        )
                        counts["suppressed"] += 1
                    if roll >= 0.40:  # most people are known to the store by some fact
                        records.give(session, ids, "cookies", "banner", ACTOR)
        with session_scope(engine, write=True) as session:
            token = tokens.create(
                session, f"benchmark-{secrets.token_hex(4)}", ["permissions:read"], actor=ACTOR
            )
    finally:
        engine.dispose()
    return counts, token.secret


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(url: str, port: int, workers: int, access_log: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATASKYDD_DATABASE_URL": url}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "dataskydd.web.app:create_app",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--access-log" if access_log else "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"http://{HOST}:{port}/api/v1/ping", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


# -- the load generator (runs in its own process) ---------------------------------------------


def request_bytes(path: str, token: str | None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}", "Connection: keep-alive"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


async def _one_connection(
    port: int,
    requests: list[bytes],
    offset: int,
    warm_until: float,
    stop_at: float,
    latencies: list[float],
    tally: dict[str, int],
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    i = offset
    try:
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                return
            writer.write(requests[i % len(requests)])
            i += 7  # a stride, so that connections do not ask in lockstep
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
                    break
            body = await reader.readexactly(length)
            ended = time.perf_counter()
            if began < warm_until:
                continue
            latencies.append(ended - began)
            if status != 200:
                tally["errors"] += 1
            elif body.startswith(b'{"allowed":false'):
                tally["denied"] += 1
    finally:
        writer.close()


async def _drive(
    port: int, requests: list[bytes], concurrency: int, warmup: float, duration: float
) -> tuple[list[float], dict[str, int], float]:
    now = time.perf_counter()
    warm_until, stop_at = now + warmup, now + warmup + duration
    latencies: list[float] = []
    tally = {"errors": 0, "denied": 0}
    await asyncio.gather(
        *(
            _one_connection(port, requests, k * 997, warm_until, stop_at, latencies, tally)
            for k in range(concurrency)
        )
    )
    return latencies, tally, duration


def drive(
    port: int, requests: list[bytes], concurrency: int, warmup: float, duration: float
) -> tuple[list[float], dict[str, int], float]:
    return asyncio.run(_drive(port, requests, concurrency, warmup, duration))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds per endpoint in each round"
    )
    parser.add_argument("--rounds", type=int, default=3, help="ping then check, this many times")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--access-log", action="store_true", help="keep uvicorn's access log on")
    parser.add_argument(
        "--database-url", help="an empty app store to seed (default: a temporary SQLite file)"
    )
    parser.add_argument("--seed", type=int, default=20240101)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    os.environ["DATASKYDD_HASH_KEY"] = secrets.token_hex(32)  # this run's key, for both sides
    keys.reset()
    work = tempfile.TemporaryDirectory(prefix="dataskydd-bench-")
    os.environ["DATASKYDD_DATA_DIR"] = work.name
    url = args.database_url or f"sqlite:///{Path(work.name) / 'dataskydd.db'}"
    print(
        f"dataskydd permission-check benchmark: Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs; store {display_url(url)}"
    )

    print(f"\n0. Seeding {args.persons:,} persons")
    began = time.perf_counter()
    migrate.upgrade(url)
    persons = people(args.persons, rng)
    counts, token = seed(url, persons, rng)
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        # Freshly loaded tables have no statistics yet (autovacuum analyses them a little
        # later): without them the planner scans whole tables for the check's lookups.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    print(
        f"   {time.perf_counter() - began:.1f} s: consent {counts['consent']:,} (withdrawn "
        f"{counts['withdrawn']:,}), direct-marketing objection + suppression "
        f"{counts['dm_objection']:,}, objection to statistics {counts['li_objection']:,}, "
        f"restricted {counts['restricted']:,}, purchased-list suppression {counts['suppressed']:,}"
    )

    programme = load_template()
    purposes = ["storage", *(p.key for p in programme.purposes)]
    strangers = people(args.persons + args.persons // 10, random.Random(args.seed + 1))
    known = {p.pnr for p in persons}
    strangers = [p for p in strangers if p.pnr not in known][: args.persons // 10]
    asked = persons + strangers
    permission_requests = []
    for _ in range(20_000):
        person = rng.choice(asked)
        query = {"purpose": rng.choice(purposes)}
        if rng.random() < 0.7:
            query["personnummer"] = person.pnr
        else:
            query["email"] = person.email
        path = "/api/v1/permissions?" + urllib.parse.urlencode(query)
        permission_requests.append(request_bytes(path, token))
    ping_requests = [request_bytes("/api/v1/ping", None)]

    port = free_port()
    server = start_server(url, port, args.workers, args.access_log)
    try:
        context = multiprocessing.get_context("spawn")
        # Rounds alternate the two endpoints, so that a change in the shared machine's load
        # falls on both alike; each round's ratio is printed, and the ratio of the totals.
        results: dict[str, tuple[list[float], dict[str, int], float]] = {}
        rounds: list[float] = []
        with context.Pool(1) as pool:  # the load comes from a process of its own
            for _ in range(args.rounds):
                this: dict[str, float] = {}
                for name, requests in (
                    ("ping", ping_requests),
                    ("permissions", permission_requests),
                ):
                    latencies, tally, duration = pool.apply(
                        drive, (port, requests, args.concurrency, args.warmup, args.duration)
                    )
                    this[name] = len(latencies) / duration
                    kept = results.setdefault(name, ([], {"errors": 0, "denied": 0}, 0.0))
                    kept[0].extend(latencies)
                    for key in kept[1]:
                        kept[1][key] += tally[key]
                    results[name] = (kept[0], kept[1], kept[2] + duration)
                rounds.append(this["permissions"] / this["ping"])
    finally:
        server.terminate()
        server.wait(timeout=30)
        work.cleanup()

    print(
        f"\n1. Load: {args.concurrency} keep-alive connections, {args.rounds} rounds of "
        f"{args.duration:.0f} s per endpoint, each after {args.warmup:.0f} s warm-up, the "
        f"endpoints alternating; uvicorn workers: {args.workers}, "
        f"access log {'on' if args.access_log else 'off'}"
    )
    rps = {}
    for name, (latencies, tally, duration) in results.items():
        rps[name] = len(latencies) / duration
        extra = f", denied {tally['denied'] / max(1, len(latencies)):.0%}" if name != "ping" else ""
        print(
            f"   {name:<12} {rps[name]:8.0f} requests/s   p50 "
            f"{statistics.median(latencies) * 1000:6.2f} ms   p99 "
            f"{percentile(latencies, 0.99) * 1000:6.2f} ms   errors {tally['errors']}{extra}"
        )
    print(
        f"   ratio permissions/ping: {rps['permissions'] / rps['ping']:.2f} (target >= 0.60); "
        f"by round: {', '.join(f'{r:.2f}' for r in rounds)}"
    )


if __name__ == "__main__":
    main()
