"""The audit log: every decision and every change to personal data, chained by hashes.

Each entry's hash covers its own content and the hash of the entry before, and sequence
numbers run 1, 2, 3 without gaps, so that editing, deleting or reordering any entry breaks
the chain at a place :func:`verify` names. Only removing the newest entries leaves a chain
that is whole: for that the :func:`head` is exported and kept elsewhere (a notary, WORM
storage), and ``verify`` is given it as an anchor the chain must still reach. An entry is written in the caller's session, so
it commits (or rolls back) together with the change it records.

Entries never carry personal data in clear: a person is their ``subject_ref``; a value
that must be recognisable later (rectification's old and new values) is a keyed hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.store.tables import AuditEventRecord

GENESIS = "0" * 64
# Any constant: appenders on PostgreSQL queue on this advisory lock for the chain's head.
_LOCK_ID = 0x64_73_61_75  # "dsau"
# How often verify() reports progress, in entries.
PROGRESS_EVERY = 1000


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


# In AuditEntry's order, so that a row is an entry's arguments.
_COLUMNS = (
    AuditEventRecord.seq,
    AuditEventRecord.at,
    AuditEventRecord.actor,
    AuditEventRecord.action,
    AuditEventRecord.subject_ref,
    AuditEventRecord.details,
    AuditEventRecord.prev_hash,
    AuditEventRecord.hash,
)


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


def entries(
    session: Session,
    *,
    subject_ref: str | None = None,
    action_prefix: str | None = None,
    last: int | None = None,
) -> Iterator[AuditEntry]:
    """The log in order, streamed: only one person's entries when ``subject_ref`` is given,
    only actions starting with ``action_prefix``, only the newest ``last`` (still in order).
    """
    query = select(*_COLUMNS)
    if subject_ref is not None:
        query = query.where(AuditEventRecord.subject_ref == subject_ref)
    if action_prefix:
        query = query.where(AuditEventRecord.action.startswith(action_prefix, autoescape=True))
    if last is not None:
        # The newest N, fetched newest first and turned around (N is small: it is printed).
        newest = session.execute(query.order_by(AuditEventRecord.seq.desc()).limit(last)).all()
        yield from (AuditEntry(*row) for row in reversed(newest))
        return
    # Plain columns, not ORM objects, fetched in batches (a server-side cursor on
    # PostgreSQL): a log of millions of entries is never held in memory.
    query = query.order_by(AuditEventRecord.seq).execution_options(yield_per=1000)
    # Closed even when the caller stops early (verify at the first bad entry), so that
    # PostgreSQL's cursor does not stay open for the rest of the transaction.
    with session.execute(query) as rows:
        for row in rows:
            yield AuditEntry(*row)


class Head(NamedTuple):
    """The newest entry's place in the chain: what is exported to be anchored elsewhere."""

    seq: int
    hash: str
    at: datetime


def head(session: Session) -> Head | None:
    """The head of the chain, or ``None`` for an empty log."""
    row = session.execute(
        select(AuditEventRecord.seq, AuditEventRecord.hash, AuditEventRecord.at)
        .order_by(AuditEventRecord.seq.desc())
        .limit(1)
    ).first()
    return Head(*row) if row else None


def count(session: Session) -> int:
    """How many entries the log holds (equal to the head's seq while nothing is deleted)."""
    return session.execute(select(func.count()).select_from(AuditEventRecord)).scalar_one()


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int  # how many entries were read, the bad one included
    head: str  # the hash of the last entry that verified (GENESIS if none did)
    first_bad: int | None = None  # the seq of the first entry that is missing or breaks the chain
    problem: str | None = None


def verify(
    session: Session,
    anchor: tuple[int, str] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Walk the chain; the first edited, missing or misplaced entry is named.

    The chain alone cannot show that its newest entries were removed; ``anchor``, a
    (seq, hash) exported earlier by :func:`head` and kept elsewhere, can: the chain must
    still pass through it. ``progress`` is called with the count every 1000 entries.
    """
    prev, expected, checked = GENESIS, 1, 0

    def broken(seq: int, problem: str) -> Verification:
        return Verification(False, checked, prev, seq, problem)

    for entry in entries(session):
        checked += 1
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked)
        if entry.seq < expected:
            # Only reachable before entry 1: seq is the primary key and rows come in order.
            return broken(entry.seq, "out of place: sequence numbers start at 1")
        if entry.seq > expected:
            where = f"jumps from entry {expected - 1} to" if expected > 1 else "starts at"
            return broken(expected, f"missing (the log {where} entry {entry.seq})")
        if entry.prev_hash != prev:
            return broken(entry.seq, "does not follow the entry before it (reordered or replaced)")
        digest = entry_hash(
            prev, entry.seq, entry.at, entry.actor, entry.action, entry.subject_ref, entry.details
        )
        if digest != entry.hash:
            return broken(entry.seq, "its content or its hash was changed")
        if anchor is not None and entry.seq == anchor[0] and entry.hash != anchor[1]:
            # Consistent in itself but not the chain that was anchored: rewritten and rehashed
            # from this entry or an earlier one.
            return broken(entry.seq, "not the anchored head: the log was rewritten up to here")
        prev, expected = entry.hash, expected + 1
    if progress is not None:
        progress(checked)
    if anchor is not None and anchor[0] >= expected:
        return Verification(
            False,
            checked,
            prev,
            expected,
            f"missing: the log ends at entry {expected - 1} but was anchored at "
            f"entry {anchor[0]} (its newest entries were removed)",
        )
    return Verification(True, checked, prev)
