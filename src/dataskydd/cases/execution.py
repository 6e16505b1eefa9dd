"""Carrying out an approved request, once, resumably, and putting its answer in place.

A worker first takes the request's lease with one conditional UPDATE (status decided, no
live lease): of two workers that receive the same job, one gets it, and a request is never
executed twice at once. If the worker dies, the lease runs out and the reconciler hands the
request to another worker, which starts again; every step is idempotent (an erasure resumes
its recorded run; restriction, objection and withdrawal are recorded once per request).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, Engine, or_, select, update

from dataskydd import clock
from dataskydd.cases import lifecycle
from dataskydd.cases.answers import store_package
from dataskydd.cases.kinds import RequestKind, Status
from dataskydd.cases.performing import STORE_KINDS, Performed, perform, perform_in_store
from dataskydd.cases.sealed import open_request
from dataskydd.programme.schema import Programme
from dataskydd.store.case_tables import RightsRequestRecord
from dataskydd.store.engine import session_scope

log = logging.getLogger("dataskydd.cases")
MAX_ATTEMPTS = 5
DEFAULT_LEASE_SECONDS = 120


def lease() -> timedelta:
    """How long a claim holds without a heartbeat (``DATASKYDD_JOB_LEASE_SECONDS``).

    A live worker renews its lease every third of it, so a long erasure keeps its request;
    a killed worker's request is free again within one lease.
    """
    seconds = os.environ.get("DATASKYDD_JOB_LEASE_SECONDS", "")
    if not seconds:
        return timedelta(seconds=DEFAULT_LEASE_SECONDS)
    if not seconds.isdigit() or int(seconds) < 1:
        raise ValueError("DATASKYDD_JOB_LEASE_SECONDS: a whole number of seconds, at least 1")
    return timedelta(seconds=int(seconds))


class _Heartbeat:
    """Renews a worker's lease while it works, in a thread of its own."""

    def __init__(self, engine: Engine, request_id: str, worker: str) -> None:
        self._engine, self._request_id, self._worker = engine, request_id, worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        interval = lease().total_seconds() / 3
        while not self._stop.wait(interval):
            with session_scope(self._engine, write=True) as session:
                session.execute(
                    update(RightsRequestRecord)
                    .where(
                        RightsRequestRecord.id == self._request_id,
                        RightsRequestRecord.lease_owner == self._worker,
                    )
                    .values(lease_until=clock.now() + lease())
                )


@dataclass(frozen=True)
class Outcome:
    request_id: str
    done: bool
    reason: str


def claim(engine: Engine, request_id: str, worker: str) -> bool:
    """Take the lease on a decided request; False when another worker holds it or it is done."""
    now = clock.now()
    with session_scope(engine, write=True) as session:
        taken: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(RightsRequestRecord)
            .where(
                RightsRequestRecord.id == request_id,
                RightsRequestRecord.status == Status.DECIDED.value,
                or_(
                    RightsRequestRecord.lease_until.is_(None), RightsRequestRecord.lease_until < now
                ),
            )
            .values(
                lease_owner=worker,
                lease_until=now + lease(),
                attempts=RightsRequestRecord.attempts + 1,
            )
        )
        return bool(taken.rowcount)


def execute(
    engine: Engine,
    request_id: str,
    *,
    worker: str,
    programme: Programme,
    datamap_dir: Path | None,
) -> Outcome:
    """Carry out the request if this worker can claim it; its answer is stored sealed."""
    if not claim(engine, request_id, worker):
        return Outcome(request_id, False, "not claimable (done, not decided, or leased)")
    with session_scope(engine) as session:
        row = lifecycle.load(session, request_id)
        opened = open_request(row)
        kind, language, decided_by = RequestKind(row.kind), row.language, row.decided_by or ""
        reference = row.reference
    try:
        with _Heartbeat(engine, request_id, worker):
            performed = perform(
                engine,
                request_id=request_id,
                reference=reference,
                kind=kind,
                opened=opened,
                language=language,
                decided_by=decided_by,
                programme=programme,
                datamap_dir=datamap_dir,
            )
    except Exception as error:  # recorded and retried: the lease lapses, the reconciler returns
        _failed(engine, request_id, worker, error)
        raise
    _finish(engine, request_id, worker, performed, programme)
    return Outcome(request_id, True, performed.summary)


def _finish(
    engine: Engine, request_id: str, worker: str, performed: Performed, programme: Programme
) -> None:
    with session_scope(engine, write=True) as session:
        row = lifecycle.load(session, request_id, lock=True)
        if row.status != Status.DECIDED.value or row.lease_owner != worker:
            # Our lease ran out and another worker finished first: nothing more to do.
            return
        summary = performed.summary
        kind = RequestKind(row.kind)
        if kind in STORE_KINDS:
            # In this transaction: recorded exactly once, together with the answer.
            summary = perform_in_store(
                session,
                kind=kind,
                opened=open_request(row),
                decided_by=row.decided_by or worker,
                programme=programme,
            )
        store_package(
            session, request_id, performed.filename, performed.media_type, performed.content
        )
        lifecycle.mark_executed(session, row, worker, summary)
        lifecycle.mark_answered(session, row, worker, "answer ready for download")
        row.lease_owner = row.lease_until = None
        row.last_error = None


def _failed(engine: Engine, request_id: str, worker: str, error: Exception) -> None:
    # The type only: a message from a connector may quote a value.
    log.warning("request %s failed on %s: %s", request_id, worker, type(error).__name__)
    with session_scope(engine, write=True) as session:
        row = lifecycle.load(session, request_id, lock=True)
        if row.lease_owner == worker:
            row.last_error = type(error).__name__
            row.lease_until = clock.now()  # free at once for the next attempt


def stalled(engine: Engine, limit: int = 100) -> list[str]:
    """Decided requests no worker holds: never started, failed, or their worker died."""
    now = clock.now()
    with session_scope(engine) as session:
        return list(
            session.scalars(
                select(RightsRequestRecord.id)
                .where(
                    RightsRequestRecord.status == Status.DECIDED.value,
                    RightsRequestRecord.attempts < MAX_ATTEMPTS,
                    or_(
                        RightsRequestRecord.lease_until.is_(None),
                        RightsRequestRecord.lease_until < now,
                    ),
                )
                .order_by(RightsRequestRecord.due_date)
                .limit(limit)
            )
        )
