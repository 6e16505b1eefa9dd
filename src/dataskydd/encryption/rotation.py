"""Re-sealing every sealed value with the active key, so that an old key can be removed.

Resumable by construction: a row records the key that sealed it (``key_id``), a batch of rows
is re-sealed and committed together, and a run that stops is started again and only takes the
rows still sealed with another key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from dataskydd.audit import log as audit_log
from dataskydd.encryption.keyring import Keyring, keyring
from dataskydd.store.case_tables import AnswerPackageRecord, RightsRequestRecord
from dataskydd.store.engine import session_scope

BATCH = 200
REQUEST_COLUMNS = ("identities", "payload", "decision_note", "extension_reason", "withheld")


@dataclass(frozen=True)
class Rotated:
    requests: int
    packages: int
    active: str


def pending(engine: Engine, ring: Keyring | None = None) -> int:
    """Rows still sealed with a key other than the active one."""
    active = (ring or keyring()).active
    with session_scope(engine) as session:
        requests = (
            session.scalar(select(func.count()).where(RightsRequestRecord.key_id != active)) or 0
        )
        packages = (
            session.scalar(select(func.count()).where(AnswerPackageRecord.key_id != active)) or 0
        )
    return int(requests) + int(packages)


def _reseal(
    engine: Engine,
    model: Any,  # RightsRequestRecord or AnswerPackageRecord: both keep key_id
    reseal_row: Callable[[Any, Keyring], None],
    progress: Callable[[int], None] | None,
) -> int:
    """Re-seal ``model``'s rows still sealed with an older key, a committed batch at a time."""
    ring = keyring()
    moved = 0
    while True:
        with session_scope(engine, write=True) as session:
            rows = session.scalars(
                select(model).where(model.key_id != ring.active).limit(BATCH).with_for_update()
            ).all()
            for row in rows:
                reseal_row(row, ring)
                row.key_id = ring.active
        moved += len(rows)
        if progress:
            progress(len(rows))
        if len(rows) < BATCH:
            return moved


def _reseal_request(row: RightsRequestRecord, ring: Keyring) -> None:
    for column in REQUEST_COLUMNS:
        token = getattr(row, column)
        if token:
            where = f"requests.{column}:{row.id}"
            setattr(row, column, ring.seal(ring.open(token, where), where))


def _reseal_package(row: AnswerPackageRecord, ring: Keyring) -> None:
    where = f"answer_packages.content:{row.request_id}"
    row.content = ring.seal(ring.open(row.content, where), where)


def rotate(engine: Engine, *, actor: str, progress: Callable[[int], None] | None = None) -> Rotated:
    """Re-seal every request and answer package sealed with an older key."""
    requests = _reseal(engine, RightsRequestRecord, _reseal_request, progress)
    packages = _reseal(engine, AnswerPackageRecord, _reseal_package, progress)
    active = keyring().active
    with session_scope(engine, write=True) as session:
        audit_log.append(
            session,
            actor,
            "keys.rotated",
            {"requests": requests, "packages": packages, "active": active},
        )
    return Rotated(requests, packages, active)
