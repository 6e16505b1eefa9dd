"""A person in the app store: a random ``subject_ref`` linked to keyed hashes of identities.

Restrictions, objections, consents and erasures are recorded against a subject_ref, never
against a personnummer or an e-mail address in clear. Any one of a person's identities
finds them again: the permission check hashes what it is given and looks the hash up.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.identity.keyed import identity_hash
from dataskydd.identity.kinds import IdentityKind
from dataskydd.store.tables import SubjectIdentityRecord

Canonical = tuple[IdentityKind, str]  # an identity already in canonical form


def hashes(identities: Iterable[Canonical]) -> dict[str, IdentityKind]:
    """The keyed hash of each identity, with its kind."""
    return {identity_hash(kind, value): kind for kind, value in identities}


def find_subjects(session: Session, identity_hashes: Iterable[str]) -> list[str]:
    """Every subject_ref linked to any of these hashes, oldest first."""
    wanted = list(dict.fromkeys(identity_hashes))
    if not wanted:
        return []
    rows = session.execute(
        select(SubjectIdentityRecord.subject_ref, SubjectIdentityRecord.id)
        .where(SubjectIdentityRecord.identity_hash.in_(wanted))
        .order_by(SubjectIdentityRecord.id)
    ).all()
    return list(dict.fromkeys(ref for ref, _ in rows))


def subject_for(session: Session, identities: Iterable[Canonical]) -> str:
    """The person's subject_ref, created if new; every identity given is linked to it.

    When the identities already belong to more than one subject (recorded at different
    times from different identities), the oldest is used and linked to all of them; the
    permission check reads every subject an identity links to, so nothing is lost.
    """
    by_hash = hashes(identities)
    if not by_hash:
        raise ValueError("a person needs at least one identity")
    known = find_subjects(session, by_hash)
    ref = known[0] if known else str(uuid.uuid4())
    linked = set(
        session.execute(
            select(SubjectIdentityRecord.identity_hash).where(
                SubjectIdentityRecord.subject_ref == ref
            )
        ).scalars()
    )
    now = clock.now()
    for digest, kind in by_hash.items():
        if digest not in linked:
            session.add(
                SubjectIdentityRecord(
                    subject_ref=ref, identity_hash=digest, kind=str(kind), created_at=now
                )
            )
    session.flush()
    return ref
