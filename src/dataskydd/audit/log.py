"""The audit log: every decision and every change to personal data, chained by hashes.

Each entry's hash covers its own content and the hash of the entry before, and sequence
numbers run 1, 2, 3 without gaps, so that editing, deleting or reordering any entry breaks
the chain at a place :func:`verify` names. An entry is written in the caller's session, so
it commits (or rolls back) together with the change it records.

Entries never carry personal data in clear: a person is their ``subject_ref``; a value
that must be recognisable later (rectification's old and new values) is a keyed hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.store.tables import AuditEventRecord

GENESIS = "0" * 64
# Any constant: appenders on PostgreSQL queue on this advisory lock for the chain's head.
_LOCK_ID = 0x64_73_61_75  # "dsau"


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject_ref: str | None
    details: Mapping[str, Any]
    prev_hash: str
    hash: str


def entry_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject_ref: str | None,
    details: Mapping[str, Any],
) -> str:
    """SHA-256 over the previous hash and a canonical JSON of the entry."""
    body = json.dumps(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "subject_ref": subject_ref,
            "details": details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(
    session: Session,
    actor: str,
    action: str,
    details: Mapping[str, Any] | None = None,
    *,
    subject_ref: str | None = None,
) -> AuditEntry:
    """Add an entry at the head of the chain, in ``session``'s transaction.

    On SQLite, open the session with ``write=True`` so that appenders queue for the lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    head = session.execute(
        select(AuditEventRecord.seq, AuditEventRecord.hash)
        .order_by(AuditEventRecord.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    # Microseconds survive every store; the hash is taken of what is read back.
    at = clock.now()
    content = json.loads(json.dumps(dict(details or {}), default=str))
    digest = entry_hash(prev, seq, at, actor, action, subject_ref, content)
    session.add(
        AuditEventRecord(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            subject_ref=subject_ref,
            details=content,
            prev_hash=prev,
            hash=digest,
        )
    )
    session.flush()
    return AuditEntry(seq, at, actor, action, subject_ref, content, prev, digest)


def entries(session: Session, *, subject_ref: str | None = None) -> Iterator[AuditEntry]:
    """The log in order (only one person's entries when ``subject_ref`` is given)."""
    query = select(AuditEventRecord).order_by(AuditEventRecord.seq)
    if subject_ref is not None:
        query = query.where(AuditEventRecord.subject_ref == subject_ref)
    for row in session.execute(query.execution_options(yield_per=1000)).scalars():
        yield AuditEntry(
            row.seq,
            row.at,
            row.actor,
            row.action,
            row.subject_ref,
            row.details,
            row.prev_hash,
            row.hash,
        )


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    head: str
    first_bad: int | None = None  # the sequence number of the first entry that breaks the chain
    problem: str | None = None


def verify(session: Session) -> Verification:
    """Walk the chain; the first edited, missing or misplaced entry is named."""
    prev, expected, count = GENESIS, 1, 0
    for entry in entries(session):
        count += 1
        if entry.seq != expected:
            return Verification(
                False, count, prev, entry.seq, f"entry {expected} is missing (next is {entry.seq})"
            )
        if entry.prev_hash != prev:
            return Verification(
                False,
                count,
                prev,
                entry.seq,
                "does not follow the entry before it (reordered or replaced)",
            )
        digest = entry_hash(
            prev, entry.seq, entry.at, entry.actor, entry.action, entry.subject_ref, entry.details
        )
        if digest != entry.hash:
            return Verification(False, count, prev, entry.seq, "its content was changed")
        prev, expected = entry.hash, expected + 1
    return Verification(True, count, prev)
