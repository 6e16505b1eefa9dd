"""Legal holds: a person's data is kept for a legal claim, whatever else would erase it.

A hold names its case (a court's case number, a claim's reference) and, optionally, the
systems it covers. Erasure keeps what a hold covers until the hold is released, with a
reason; placing and releasing are audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.retention.holds import LegalHold
from dataskydd.rights.subjects import Canonical, find_subjects, hashes, subject_for
from dataskydd.store.tables import LegalHoldRecord


class HoldNotFound(LookupError):
    """No legal hold has this id."""


class HoldAlreadyReleased(Exception):
    """The hold was released before; the message says when and by whom."""


def place(
    session: Session,
    identities: Iterable[Canonical],
    case: str,
    *,
    actor: str,
    systems: Sequence[str] = (),
) -> int:
    """Place a hold on the person's data (in ``systems``, or all); returns its id."""
    if not case.strip():
        raise ValueError("a legal hold needs its case: the claim's or the court's reference")
    ref = subject_for(session, identities)
    record = LegalHoldRecord(
        subject_ref=ref,
        case_ref=case.strip(),
        systems=sorted(set(systems)),
        placed_at=clock.now(),
        placed_by=actor,
    )
    session.add(record)
    session.flush()
    audit_log.append(
        session,
        actor,
        "legal_hold.placed",
        {"hold": record.id, "systems": record.systems},
        subject_ref=ref,
    )
    return record.id


def release(session: Session, hold_id: int, reason: str, *, actor: str) -> None:
    """Release a hold, with the reason (the claim is settled, the case closed)."""
    record = session.get(LegalHoldRecord, hold_id)
    if record is None:
        raise HoldNotFound(f"no legal hold has the id {hold_id}")
    if record.released_at is not None:
        raise HoldAlreadyReleased(
            f"legal hold {hold_id} was released on {record.released_at:%Y-%m-%d %H:%M} UTC "
            f"by {record.released_by}"
        )
    if not reason.strip():
        raise ValueError("releasing a legal hold needs a reason")
    record.released_at = clock.now()
    record.released_by = actor
    record.release_reason = reason.strip()
    audit_log.append(
        session, actor, "legal_hold.released", {"hold": hold_id}, subject_ref=record.subject_ref
    )


def active_holds(session: Session, identities: Iterable[Canonical]) -> list[LegalHold]:
    """The holds in force on the person these identities name."""
    refs = find_subjects(session, hashes(identities))
    if not refs:
        return []
    rows = session.execute(
        select(LegalHoldRecord)
        .where(LegalHoldRecord.subject_ref.in_(refs), LegalHoldRecord.released_at.is_(None))
        .order_by(LegalHoldRecord.id)
    ).scalars()
    return [LegalHold(r.id, r.case_ref, tuple(r.systems)) for r in rows]
