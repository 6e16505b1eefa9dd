"""Art. 21: the person objects to a purpose; direct marketing always stops.

An objection applies to processing on public task or legitimate interest (Art. 6(1)(e)/(f))
and to direct marketing. It stops the purpose at once (the permission check denies it) until
a member of staff records an assessment that compelling legitimate grounds override it
(Art. 21(1)). An objection to direct marketing can never be overridden (Art. 21(3)), and
adds the person's identities to the suppression list, so a purchased contact list bought
later cannot bring them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.consent import suppression
from dataskydd.programme.schema import Programme, Purpose
from dataskydd.programme.vocab import LegalBasis
from dataskydd.rights.subjects import Canonical, hashes, subject_for
from dataskydd.store.instant import transaction_instant
from dataskydd.store.tables import ObjectionRecord

# The Art. 6 bases an objection under Art. 21(1) applies to.
OBJECTABLE_BASES = frozenset({LegalBasis.PUBLIC_TASK, LegalBasis.LEGITIMATE_INTEREST})


class ObjectionError(ValueError):
    """An objection that cannot be recorded or overridden; the message says why."""


class ObjectionNotApplicable(ObjectionError):
    """The purpose rests on neither legitimate interest, public task nor direct marketing."""


class OverrideRefused(ObjectionError):
    """An objection to direct marketing: no assessment can override it."""


@dataclass(frozen=True, slots=True)
class Objection:
    id: int
    subject_ref: str
    purpose: str
    direct_marketing: bool
    note: str | None
    created_at: datetime
    created_by: str
    override_at: datetime | None
    override_by: str | None
    override_reason: str | None
    withdrawn_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether it stops the purpose: not withdrawn, and not overridden (never for marketing)."""
        if self.withdrawn_at is not None:
            return False
        return self.direct_marketing or self.override_at is None


@dataclass(frozen=True, slots=True)
class DirectMarketingObjection:
    objections: tuple[Objection, ...]  # one per direct-marketing purpose of the programme
    suppressed: int  # identities newly added to the suppression list


def objectable(purpose: Purpose) -> bool:
    """Whether Art. 21 applies to ``purpose``."""
    return purpose.direct_marketing or bool(OBJECTABLE_BASES.intersection(purpose.legal_bases))


def object_to(
    session: Session,
    programme: Programme,
    identities: Iterable[Canonical],
    purpose: str,
    *,
    actor: str,
    note: str | None = None,
) -> Objection:
    """Record the person's objection to ``purpose``; an objection already in force is returned.

    For a direct-marketing purpose the person's identities are also suppressed.
    """
    found = _purpose(programme, purpose)
    if not objectable(found):
        bases = ", ".join(str(b) for b in found.legal_bases)
        raise ObjectionNotApplicable(
            f"purpose '{purpose}' rests on {bases}: the right to object (Art. 21) applies only to "
            "processing on public task or legitimate interest (Art. 6(1)(e)/(f)) and to direct "
            "marketing. The person can instead ask for erasure (Art. 17) where a ground applies, "
            "or for restriction (Art. 18)."
        )
    given = list(identities)
    ref = subject_for(session, given)
    objection = _record(session, ref, found, actor, note)
    if found.direct_marketing:
        suppression.suppress(session, hashes(given), reason="objection", actor=actor)
    return objection


def object_to_direct_marketing(
    session: Session,
    programme: Programme,
    identities: Iterable[Canonical],
    actor: str,
    *,
    note: str | None = None,
) -> DirectMarketingObjection:
    """Object to every direct-marketing purpose and suppress every identity; idempotent."""
    given = list(identities)
    ref = subject_for(session, given)
    marketing = [p for p in programme.purposes if p.direct_marketing]
    objections = tuple(_record(session, ref, p, actor, note) for p in marketing)
    added = suppression.suppress(session, hashes(given), reason="objection", actor=actor)
    return DirectMarketingObjection(objections, added)


def override(session: Session, objection_id: int, assessment: str, actor: str) -> Objection:
    """Record that compelling legitimate grounds override the objection (Art. 21(1))."""
    text = assessment.strip()
    if not text:
        raise ObjectionError("overriding an objection needs the assessment of the grounds")
    row = session.execute(
        select(ObjectionRecord).where(ObjectionRecord.id == objection_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise ObjectionError(f"there is no objection {objection_id}")
    if row.direct_marketing:
        raise OverrideRefused(
            f"objection {objection_id} is to direct marketing ('{row.purpose}'): under Art. 21(3) "
            "the data shall no longer be processed for such purposes, and no assessment can "
            "override that"
        )
    if row.withdrawn_at is not None:
        raise ObjectionError(
            f"objection {objection_id} was withdrawn; there is nothing to override"
        )
    if row.override_at is not None:
        when = row.override_at.astimezone(clock.LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
        raise ObjectionError(
            f"objection {objection_id} was already overridden on {when} by {row.override_by}"
        )
    row.override_at = transaction_instant(session)
    row.override_by = actor
    row.override_reason = text
    session.flush()
    audit_log.append(
        session,
        actor,
        "objection.overridden",
        {"objection": row.id, "purpose": row.purpose},
        subject_ref=row.subject_ref,
    )
    return _objection(row)


def objections_of(session: Session, subject_refs: Iterable[str]) -> list[Objection]:
    """Every objection of these persons, in force or not, oldest first."""
    refs = list(dict.fromkeys(subject_refs))
    if not refs:
        return []
    rows = session.execute(
        select(ObjectionRecord)
        .where(ObjectionRecord.subject_ref.in_(refs))
        .order_by(ObjectionRecord.id)
    ).scalars()
    return [_objection(row) for row in rows]


def get_objection(session: Session, objection_id: int) -> Objection | None:
    row = session.get(ObjectionRecord, objection_id)
    return _objection(row) if row is not None else None


def _purpose(programme: Programme, key: str) -> Purpose:
    try:
        return programme.purpose(key)
    except KeyError:
        known = ", ".join(p.key for p in programme.purposes)
        raise ObjectionError(
            f"programme '{programme.programme.key}' has no purpose '{key}' (its purposes: {known})"
        ) from None


def _record(
    session: Session, ref: str, purpose: Purpose, actor: str, note: str | None
) -> Objection:
    """The objection in force for (ref, purpose), or a new one."""
    existing = session.execute(
        select(ObjectionRecord)
        .where(
            ObjectionRecord.subject_ref == ref,
            ObjectionRecord.purpose == purpose.key,
            ObjectionRecord.withdrawn_at.is_(None),
        )
        .order_by(ObjectionRecord.id.desc())
    ).scalars()
    for row in existing:
        if _objection(row).active:
            return _objection(row)
    row = ObjectionRecord(
        subject_ref=ref,
        purpose=purpose.key,
        direct_marketing=purpose.direct_marketing,
        note=note.strip() if note and note.strip() else None,
        created_at=transaction_instant(session),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    audit_log.append(
        session,
        actor,
        "objection.recorded",
        {"objection": row.id, "purpose": purpose.key, "direct_marketing": purpose.direct_marketing},
        subject_ref=ref,
    )
    return _objection(row)


def _objection(row: ObjectionRecord) -> Objection:
    return Objection(
        id=row.id,
        subject_ref=row.subject_ref,
        purpose=row.purpose,
        direct_marketing=row.direct_marketing,
        note=row.note,
        created_at=row.created_at,
        created_by=row.created_by,
        override_at=row.override_at,
        override_by=row.override_by,
        override_reason=row.override_reason,
        withdrawn_at=row.withdrawn_at,
    )
