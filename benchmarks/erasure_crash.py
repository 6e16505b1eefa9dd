"""Crash test: kill the erasure executor at random points; every run must end the same.

Builds a SQLite demo estate of ``--persons`` people, plans the erasure of every one of them
(as one bulk run in the app store), and runs it once uninterrupted to get the reference end
state. Then, ``--trials`` times: restore the estate and the store, start the executor in a
child process (``dataskydd erasure resume``), SIGKILL it after a random delay, check that
no row is half-masked (each planned row holds either all its old values or all its new
ones), resume to the end, and compare every table of every system with the reference.

    .venv/bin/python benchmarks/erasure_crash.py [--persons 10000] [--trials 20] [--batch-rows 50]

Prints each trial and exits 1 if any trial ends in another state.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from dataskydd import clock, keys
from dataskydd.datamap.loader import load_datamap
from dataskydd.demo.estate import build
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights.erasure import Ground
from dataskydd.rights.erasure_bulk import plan_many
from dataskydd.rights.erasure_run import record
from dataskydd.rights.service import open_estate
from dataskydd.store.engine import make_engine
from dataskydd.store.migrate import upgrade
from dataskydd.store.tables import ErasureRunRecord

BUILD_DAY = "2026-11-26"
ERASE_DAY = "2026-12-02"
HASH_KEY = "5e" * 32


def persons_of(estate_dir: Path, limit: int) -> list[str]:
    """Personnummer of the estate's private customers and applicants, up to ``limit``."""
    found: list[str] = []
    with sqlite3.connect(estate_dir / "core.db") as db:
        found += [
            r[0]
            for r in db.execute(
                "SELECT personnummer FROM customers WHERE personnummer IS NOT NULL ORDER BY 1"
            )
        ]
    with sqlite3.connect(estate_dir / "recruitment.db") as db:
        found += [r[0] for r in db.execute("SELECT personnummer FROM applicants ORDER BY 1")]
    return list(dict.fromkeys(found))[:limit]


def state(estate_dir: Path) -> dict[str, str]:
    """A digest of every table of every system, rows in order."""
    digests = {}
    for path in sorted(estate_dir.glob("*.db")):
        with sqlite3.connect(path) as db:
            tables = [
                r[0]
                for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY 1")
            ]
            for table in tables:
                digest = hashlib.sha256()
                for row in db.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                    digest.update(repr(row).encode())
                digests[f"{path.stem}.{table}"] = digest.hexdigest()
    return digests


def half_masked(estate_dir: Path, pristine: Path, steps: dict[str, list[dict[str, Any]]]) -> int:
    """Planned rows holding some of their new values but not all (there must be none)."""
    bad = 0
    for system, system_steps in steps.items():
        with (
            sqlite3.connect(estate_dir / f"{system}.db") as now,
            sqlite3.connect(pristine / "estate" / f"{system}.db") as old,
        ):
            for step in system_steps:
                (pk,) = step["primary_key"]
                for key, values in step["update"]:
                    columns = ", ".join(f'"{c}"' for c in values)
                    query = f'SELECT {columns} FROM "{step["table"]}" WHERE "{pk}" = ?'
                    current = now.execute(query, key).fetchone()
                    before = old.execute(query, key).fetchone()
                    new = tuple(values.values())
                    if current is not None and tuple(current) not in (tuple(before), new):
                        bad += 1
    return bad


def prepare(work: Path, persons: int, grounds: list[Ground]) -> tuple[str, float]:
    """Build the estate, record the bulk run; returns the run id and the planning time."""
    with clock.frozen_at(BUILD_DAY):
        estate = build(work, persons=persons)
    programme = load_template()
    datamap = load_datamap(estate.datamap_dir, programme)
    people = [[(IdentityKind.PERSONNUMMER, p)] for p in persons_of(work / "estate", persons)]
    url = f"sqlite:///{work / 'dataskydd.db'}"
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with clock.frozen_at(ERASE_DAY), open_estate(datamap) as open_:
        plans = plan_many(programme, open_, people, grounds)
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


def batches_done(work: Path) -> int:
    with sqlite3.connect(work / "dataskydd.db", timeout=30) as db:
        return int(db.execute("SELECT count(*) FROM erasure_batches").fetchone()[0])


def restore(pristine: Path, work: Path) -> None:
    for name in ("estate", "dataskydd.db"):
        target = work / name
        if target.is_dir():
            shutil.rmtree(target)
        for suffix in ("-wal", "-shm", ""):
            Path(str(target) + suffix).unlink(missing_ok=True)
        source = pristine / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
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
    work, pristine = args.work.resolve() / "run", args.work.resolve() / "pristine"
    shutil.rmtree(args.work, ignore_errors=True)
    work.mkdir(parents=True)
    run_id, planning = prepare(work, args.persons, args.ground or [Ground.UNLAWFUL])
    engine = make_engine(f"sqlite:///{work / 'dataskydd.db'}")
    with engine.connect() as connection:
        steps = (
            connection.execute(ErasureRunRecord.__table__.select())
            .mappings()
            .one()["plan"]["systems"]
        )
    engine.dispose()
    rows = sum(len(s["delete"]) + len(s["update"]) for ss in steps.values() for s in ss)
    print(f"estate: {args.persons} persons; plan: {rows} rows to change, made in {planning:.1f} s")
    for db in (work / "estate").glob("*.db"):
        with sqlite3.connect(db) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(work, pristine)

    started = time.perf_counter()
    reference_run = child(work, run_id, args.batch_rows)
    if reference_run.wait() != 0:
        sys.exit(
            f"the uninterrupted run failed: {reference_run.stderr.read().decode() if reference_run.stderr else ''}"
        )
    full = time.perf_counter() - started
    reference = state(work / "estate")
    total = batches_done(work)
    per_batch = full / max(1, total)
    print(f"uninterrupted run: {full:.2f} s, {total} batches of up to {args.batch_rows} rows")

    rng = random.Random(args.seed)
    failures = 0
    for trial in range(1, args.trials + 1):
        restore(pristine, work)
        # A random point of the run: after a random number of batches, part-way into the next.
        target = rng.randrange(total)
        process = child(work, run_id, args.batch_rows)
        started = time.perf_counter()
        while process.poll() is None and batches_done(work) < target:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, per_batch))
        delay = time.perf_counter() - started
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        process.wait()
        bad = half_masked(work / "estate", pristine, steps)
        resumed = child(work, run_id, args.batch_rows)
        code = resumed.wait()
        same = state(work / "estate") == reference
        ok = same and bad == 0 and code == 0
        failures += not ok
        print(
            f"trial {trial:2}: killed after batch {target} ({delay:5.2f} s){'' if killed else ' (already done)'}; "
            f"half-masked rows {bad}; resumed exit {code}; end state {'same' if same else 'DIFFERENT'}"
        )
    print(f"{args.trials - failures}/{args.trials} trials ended in the uninterrupted state")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
