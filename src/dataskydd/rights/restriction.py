"""Art. 18: restriction of processing, placed on a person (or some of their categories) and lifted.

While a restriction is active, the permission check (``consent/permissions.py``) denies every
purpose that touches the restricted data, except what Art. 18(2) still allows: storage,
legal claims, processing with the person's consent, protecting another person's rights and
important public interest.

A restriction names categories by their programme keys; a dotted key covers its children
(``contact`` covers ``contact.email``), and no categories means all of the person's data.
Every change is an audit entry written in the caller's transaction, with no personal data:
the person is their ``subject_ref``, and free-text notes stay in the restriction's own row.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.programme.schema import Programme
from dataskydd.programme.text import LocalText, bilingual
from dataskydd.rights.subjects import Canonical, subject_for
from dataskydd.store.instant import transaction_instant
from dataskydd.store.tables import RestrictionRecord


class RestrictionReason(StrEnum):
    """Why processing is restricted: the grounds of Art. 18(1), and retention after erasure."""

    ACCURACY_CONTESTED = "accuracy_contested"  # (a) while the controller verifies accuracy
    UNLAWFUL_BUT_KEPT = "unlawful_but_kept"  # (b) the person opposes erasure and wants it kept
    LEGAL_CLAIMS = "legal_claims"  # (c) the person needs it for a legal claim
    OBJECTION_PENDING = "objection_pending"  # (d) while an objection is assessed
    RETAINED_AFTER_ERASURE = "retained_after_erasure"  # kept under a retention rule (Art. 17(3))


REASON_TEXTS: dict[RestrictionReason, tuple[str, LocalText]] = {
    RestrictionReason.ACCURACY_CONTESTED: (
        "Art. 18(1)(a)",
        bilingual(
            "du har bestritt att uppgifterna är korrekta, medan vi kontrollerar dem",
            "you contest the accuracy of the data, while we verify it",
        ),
    ),
    RestrictionReason.UNLAWFUL_BUT_KEPT: (
        "Art. 18(1)(b)",
        bilingual(
            "behandlingen är olaglig men du vill att uppgifterna sparas i stället för att raderas",
            "the processing is unlawful but you want the data kept instead of erased",
        ),
    ),
    RestrictionReason.LEGAL_CLAIMS: (
        "Art. 18(1)(c)",
        bilingual(
            "du behöver uppgifterna för att fastställa, göra gällande eller försvara rättsliga anspråk",
            "you need the data to establish, exercise or defend legal claims",
        ),
    ),
    RestrictionReason.OBJECTION_PENDING: (
        "Art. 18(1)(d)",
        bilingual(
            "du har invänt mot behandlingen, medan vi bedömer om våra skäl väger tyngre",
            "you have objected to the processing, while we assess whether our grounds override it",
        ),
    ),
    RestrictionReason.RETAINED_AFTER_ERASURE: (
        "Art. 17(3)",
        bilingual(
            "uppgifterna raderades inte eftersom lag eller rättsliga anspråk kräver att de sparas",
            "the data was not erased because the law or legal claims require it to be kept",
        ),
    ),
}


class RestrictionError(ValueError):
    """A restriction that cannot be placed or lifted; the message says why."""


@dataclass(frozen=True, slots=True)
class Restriction:
    id: int
    subject_ref: str
    reason: RestrictionReason
    categories: tuple[str, ...]  # empty: all of the person's data
    note: str | None
    created_at: datetime
    created_by: str
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    def covers(self, categories: Collection[str]) -> bool:
        """Whether processing ``categories`` touches restricted data (see :func:`overlaps`)."""
        return overlaps(self.categories, categories)


def overlaps(restricted: Collection[str], processed: Collection[str]) -> bool:
    """Whether data in ``processed`` falls under ``restricted`` categories.

    Empty ``restricted`` is all data. Empty ``processed`` is unknown data, so it is taken to
    touch any restriction: an undeclared purpose must not slip past one. Otherwise two keys
    overlap when one is the other or a dotted prefix of it, both ways: restricting
    ``contact.email`` restricts a purpose that processes all of ``contact``.
    """
    if not restricted or not processed:
        return True
    return any(_related(r, p) for r in restricted for p in processed)


def _related(a: str, b: str) -> bool:
    return a == b or b.startswith(a + ".") or a.startswith(b + ".")


def restrict(
    session: Session,
    identities: Iterable[Canonical],
    reason: RestrictionReason | str,
    *,
    categories: Sequence[str] = (),
    note: str | None = None,
    actor: str,
    programme: Programme | None = None,
) -> Restriction:
    """Restrict processing of the person's data (or of ``categories`` of it) for ``reason``.

    With ``programme``, every category must be one of its keys. The person is found, or
    recorded, from ``identities`` (canonical ``(kind, value)`` pairs).
    """
    why = _reason(reason)
    wanted = tuple(dict.fromkeys(c.strip() for c in categories))
    if any(not c for c in wanted):
        raise RestrictionError("a category key is empty")
    if programme is not None:
        check_categories(programme, wanted)
    ref = subject_for(session, identities)
    row = RestrictionRecord(
        subject_ref=ref,
        categories=list(wanted),
        reason=why.value,
        note=note.strip() if note and note.strip() else None,
        created_at=transaction_instant(session),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    audit_log.append(
        session,
        actor,
        "restriction.placed",
        {"restriction": row.id, "reason": why.value, "categories": list(wanted)},
        subject_ref=ref,
    )
    return _restriction(row)


def lift(session: Session, restriction_id: int, reason: str, actor: str) -> Restriction:
    """Lift a restriction; ``reason`` (why it no longer applies) is required and recorded."""
    why = reason.strip()
    if not why:
        raise RestrictionError("lifting a restriction needs a reason")
    # FOR UPDATE: two operators lifting at once on PostgreSQL queue here, and the second is
    # told who was first (on SQLite the write session already holds the lock).
    row = session.execute(
        select(RestrictionRecord).where(RestrictionRecord.id == restriction_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise RestrictionError(f"there is no restriction {restriction_id}")
    if row.lifted_at is not None:
        when = row.lifted_at.astimezone(clock.LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
        raise RestrictionError(
            f"restriction {restriction_id} was already lifted on {when} by {row.lifted_by}"
        )
    row.lifted_at = transaction_instant(session)
    row.lifted_by = actor
    row.lift_reason = why
    session.flush()
    audit_log.append(
        session,
        actor,
        "restriction.lifted",
        {"restriction": row.id, "reason": row.reason},
        subject_ref=row.subject_ref,
    )
    return _restriction(row)


def active_restrictions(session: Session, subject_refs: Iterable[str]) -> list[Restriction]:
    """The restrictions in force on any of these persons, oldest first."""
    refs = list(dict.fromkeys(subject_refs))
    if not refs:
        return []
    rows = session.execute(
        select(RestrictionRecord)
        .where(RestrictionRecord.subject_ref.in_(refs), RestrictionRecord.lifted_at.is_(None))
        .order_by(RestrictionRecord.id)
    ).scalars()
    return [_restriction(row) for row in rows]


def get_restriction(session: Session, restriction_id: int) -> Restriction | None:
    row = session.get(RestrictionRecord, restriction_id)
    return _restriction(row) if row is not None else None


def check_categories(programme: Programme, categories: Iterable[str]) -> None:
    """Raise :class:`RestrictionError` naming every key the programme does not have."""
    known = {c.key for c in programme.categories}
    unknown = [c for c in categories if c not in known]
    if not unknown:
        return
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key, sorted(known), n=3)
        hints.append(f"{key!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    raise RestrictionError(
        f"not a category of programme '{programme.programme.key}': {'; '.join(hints)}"
    )


def _reason(reason: RestrictionReason | str) -> RestrictionReason:
    try:
        return RestrictionReason(reason)
    except ValueError:
        known = ", ".join(r.value for r in RestrictionReason)
        raise RestrictionError(f"{reason!r} is not a restriction reason ({known})") from None


def _restriction(row: RestrictionRecord) -> Restriction:
    return Restriction(
        id=row.id,
        subject_ref=row.subject_ref,
        reason=RestrictionReason(row.reason),
        categories=tuple(row.categories),
        note=row.note,
        created_at=row.created_at,
        created_by=row.created_by,
        lifted_at=row.lifted_at,
        lifted_by=row.lifted_by,
        lift_reason=row.lift_reason,
    )
