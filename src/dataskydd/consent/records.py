"""Consent (Art. 6(1)(a), 7): given for a purpose, withdrawn at any time, as easily as given.

A consent is a row per giving: given again after a withdrawal is a new row, so the history
of each purpose reads as it happened. A purpose is consented to while one of the person's
rows for it is not withdrawn. Every change is an audit entry in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd.audit import log as audit_log
from dataskydd.programme.schema import Programme
from dataskydd.programme.vocab import LegalBasis
from dataskydd.rights.subjects import Canonical, find_subjects, hashes, subject_for
from dataskydd.store.instant import transaction_instant
from dataskydd.store.tables import ConsentRecord

CONSENT_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.EXPLICIT_CONSENT})


class ConsentError(ValueError):
    """A consent that cannot be recorded; the message says why."""


class ConsentState(StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"  # given once, withdrawn since
    NONE = "none"  # never given


@dataclass(frozen=True, slots=True)
class Consent:
    id: int
    subject_ref: str
    purpose: str
    given_at: datetime
    source: str
    withdrawn_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConsentStatus:
    state: ConsentState
    given_at: datetime | None = None  # the consent in force, or the last one withdrawn
    withdrawn_at: datetime | None = None


def give(
    session: Session,
    identities: Iterable[Canonical],
    purpose: str,
    source: str,
    actor: str,
    *,
    programme: Programme | None = None,
) -> Consent:
    """Record the person's consent to ``purpose`` from ``source`` (a form, a call, a letter).

    A consent already in force is returned as it is. With ``programme``, the purpose must be
    one of its purposes that rests on consent.
    """
    if programme is not None:
        check_purpose(programme, purpose)
    where = source.strip()
    if not where:
        raise ConsentError("say where the consent was given (the source): a form, a call, ...")
    ref = subject_for(session, identities)
    current = session.execute(
        select(ConsentRecord)
        .where(
            ConsentRecord.subject_ref == ref,
            ConsentRecord.purpose == purpose,
            ConsentRecord.withdrawn_at.is_(None),
        )
        .order_by(ConsentRecord.id)
        .limit(1)
    ).scalar_one_or_none()
    if current is not None:
        return _consent(current)
    row = ConsentRecord(
        subject_ref=ref, purpose=purpose, given_at=transaction_instant(session), source=where
    )
    session.add(row)
    session.flush()
    audit_log.append(
        session,
        actor,
        "consent.given",
        # Not the source: it is free text, and may name someone; it stays in the row.
        {"consent": row.id, "purpose": purpose},
        subject_ref=ref,
    )
    return _consent(row)


def withdraw(
    session: Session, identities: Iterable[Canonical], purpose: str, actor: str
) -> list[Consent]:
    """Withdraw every consent in force of the person for ``purpose``; returns those withdrawn.

    Every person any of ``identities`` links to is covered, so a consent given under one
    e-mail address is withdrawn by the personnummer it was recorded with. Nothing in force
    is nothing to do (an empty list), not an error.
    """
    refs = find_subjects(session, hashes(identities))
    if not refs:
        return []
    rows = list(
        session.execute(
            select(ConsentRecord)
            .where(
                ConsentRecord.subject_ref.in_(refs),
                ConsentRecord.purpose == purpose,
                ConsentRecord.withdrawn_at.is_(None),
            )
            .order_by(ConsentRecord.id)
            .with_for_update()
        ).scalars()
    )
    now = transaction_instant(session)
    for row in rows:
        row.withdrawn_at = now
        session.flush()
        audit_log.append(
            session,
            actor,
            "consent.withdrawn",
            {"consent": row.id, "purpose": purpose},
            subject_ref=row.subject_ref,
        )
    return [_consent(row) for row in rows]


def state(session: Session, identities: Iterable[Canonical], purpose: str) -> ConsentStatus:
    """Whether the person's consent to ``purpose`` is in force, withdrawn, or was never given."""
    refs = find_subjects(session, hashes(identities))
    return state_of(session, refs, purpose)


def state_of(session: Session, subject_refs: Iterable[str], purpose: str) -> ConsentStatus:
    """:func:`state` for persons already found."""
    refs = list(dict.fromkeys(subject_refs))
    if not refs:
        return ConsentStatus(ConsentState.NONE)
    rows = session.execute(
        select(ConsentRecord.given_at, ConsentRecord.withdrawn_at).where(
            ConsentRecord.subject_ref.in_(refs), ConsentRecord.purpose == purpose
        )
    ).all()
    return status_from(rows)


def status_from(rows: Iterable[tuple[datetime, datetime | None]]) -> ConsentStatus:
    """The status that ``(given_at, withdrawn_at)`` rows add up to."""
    in_force: datetime | None = None
    last: tuple[datetime, datetime] | None = None
    for given_at, withdrawn_at in rows:
        if withdrawn_at is None:
            in_force = given_at if in_force is None else min(in_force, given_at)
        elif last is None or withdrawn_at > last[1]:
            last = (given_at, withdrawn_at)
    if in_force is not None:
        return ConsentStatus(ConsentState.GIVEN, given_at=in_force)
    if last is not None:
        return ConsentStatus(ConsentState.WITHDRAWN, given_at=last[0], withdrawn_at=last[1])
    return ConsentStatus(ConsentState.NONE)


def consent_based(programme: Programme, purpose: str) -> bool:
    try:
        return bool(CONSENT_BASES.intersection(programme.purpose(purpose).legal_bases))
    except KeyError:
        return False


def check_purpose(programme: Programme, purpose: str) -> None:
    """Raise :class:`ConsentError` unless ``purpose`` is the programme's and rests on consent."""
    try:
        found = programme.purpose(purpose)
    except KeyError:
        known = ", ".join(p.key for p in programme.purposes if CONSENT_BASES & set(p.legal_bases))
        raise ConsentError(
            f"programme '{programme.programme.key}' has no purpose '{purpose}' "
            f"(purposes on consent: {known or 'none'})"
        ) from None
    if not CONSENT_BASES.intersection(found.legal_bases):
        bases = ", ".join(str(b) for b in found.legal_bases)
        raise ConsentError(
            f"purpose '{purpose}' rests on {bases}, not on consent: there is no consent to give "
            "or withdraw (the person may object (Art. 21) or ask for erasure or restriction)"
        )


def _consent(row: ConsentRecord) -> Consent:
    return Consent(
        id=row.id,
        subject_ref=row.subject_ref,
        purpose=row.purpose,
        given_at=row.given_at,
        source=row.source,
        withdrawn_at=row.withdrawn_at,
    )
