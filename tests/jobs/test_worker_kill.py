"""A worker killed mid-request: another worker resumes the request and completes it once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from dataskydd import clock
from dataskydd.cases import lifecycle
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import RequestKind, Status
from dataskydd.demo.estate import build
from dataskydd.demo.planted import ANNA
from dataskydd.jobs.queue import Jobs
from dataskydd.settings import Settings
from dataskydd.store.case_tables import RightsRequestRecord
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.migrate import upgrade
from dataskydd.store.tables import AuditEventRecord, ErasureRunRecord

HANDLER = "Maria Handläggare"


def _worker(data_dir: Path, datamap: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATASKYDD_DATA_DIR": str(data_dir),
        "DATASKYDD_DATAMAP": str(datamap),
        "DATASKYDD_JOB_LEASE_SECONDS": "2",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from dataskydd.cli import main; main()",
            "worker",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _row(engine: Engine, request_id: str) -> RightsRequestRecord:
    with session_scope(engine) as session:
        row = lifecycle.load(session, request_id)
        session.expunge(row)
        return row


def test_a_killed_workers_erasure_is_resumed_by_another_and_done_once(tmp_path: Path) -> None:
    with clock.frozen_at("2026-11-26"):
        estate = build(tmp_path / "estate", persons=200)
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir)
    upgrade(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    with session_scope(engine, write=True) as session:
        done = submit(
            session,
            kind=RequestKind.ERASURE,
            identities=[("personnummer", ANNA.personnummer)],
            details={"grounds": ["consent_withdrawn"]},
        )
        lifecycle.verify(session, done.id, method="staff", by=HANDLER, note="ID-kort visat")
        lifecycle.assess(session, done.id, by=HANDLER)
        lifecycle.approve(session, done.id, by=HANDLER)
    Jobs(settings).enqueue(done.id)

    first = _worker(data_dir, estate.datamap_dir)
    try:
        deadline = time.monotonic() + 60
        while _row(engine, done.id).lease_owner is None and time.monotonic() < deadline:
            time.sleep(0.005)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    killed = _row(engine, done.id)
    assert killed.status == Status.DECIDED and killed.lease_owner is not None

    second = _worker(data_dir, estate.datamap_dir)
    try:
        deadline = time.monotonic() + 90
        while _row(engine, done.id).status != Status.ANSWERED and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            second.kill()

    finished = _row(engine, done.id)
    assert finished.status == Status.ANSWERED
    assert finished.attempts == 2
    with session_scope(engine) as session:
        runs = session.scalar(select(func.count()).select_from(ErasureRunRecord))
        answered = session.scalar(
            select(func.count()).where(AuditEventRecord.action == "request.answered")
        )
    assert runs == 1  # the second worker resumed the run, or made the only one
    assert answered == 1
    engine.dispose()
