"""Tampering with the audit log, at every position: verify names the first bad entry.

Each test builds a log of 30 entries once, then for every entry applies one kind of
tampering inside a transaction, verifies, and rolls back: every position, one store.
Runs on SQLite and on PostgreSQL (``store_engine``; with CI=true PostgreSQL must be there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import cast

import pytest
from sqlalchemy import Connection, Engine, Table, delete, select, update
from sqlalchemy.orm import Session

from dataskydd.audit import log as audit_log
from dataskydd.store.engine import session_scope
from dataskydd.store.tables import AuditEventRecord

N = 30
ACTIONS = ("token.created", "consent.given", "erasure.completed", "legal_hold.released")
# Declarative types __table__ as any FromClause; it is a Table, which update() wants.
T = cast(Table, AuditEventRecord.__table__)
Tamper = Callable[[Connection, int], None]


@pytest.fixture
def chain(store_engine: Engine) -> list[audit_log.AuditEntry]:
    """Thirty entries of every shape: with and without a subject, non-ASCII, nested details."""
    with session_scope(store_engine, write=True) as session:
        return [
            audit_log.append(
                session,
                f"handläggare {i % 4}",
                ACTIONS[i % len(ACTIONS)],
                {"n": i, "note": "ändrad", "nested": {"list": [i, None, True]}},
                subject_ref=f"00000000-0000-4000-8000-{i:012d}" if i % 2 else None,
            )
            for i in range(1, N + 1)
        ]


@contextmanager
def tampered(engine: Engine, tamper: Tamper, seq: int) -> Iterator[Session]:
    """A session that sees the log with ``tamper`` applied at ``seq``; rolled back after."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            tamper(connection, seq)
            with Session(bind=connection) as session:
                yield session
        finally:
            transaction.rollback()


def flip(digest: str) -> str:
    """The same hash with its last hex digit changed: the smallest possible edit."""
    return digest[:-1] + ("0" if digest[-1] != "0" else "1")


def edit(connection: Connection, seq: int, /, **values: object) -> None:
    connection.execute(update(T).where(T.c.seq == seq).values(**values))


def row(connection: Connection, seq: int) -> audit_log.AuditEntry:
    return audit_log.AuditEntry(*connection.execute(select(T).where(T.c.seq == seq)).one())


def renumber(connection: Connection, old: int, new: int) -> None:
    edit(connection, old, seq=new)


def swap(connection: Connection, seq: int) -> None:
    """Swap the seq numbers of ``seq`` and its neighbour (the one before, for the last)."""
    a, b = (seq, seq + 1) if seq < N else (seq - 1, seq)
    renumber(connection, a, -1)  # seq is the primary key: through a free number
    renumber(connection, b, a)
    renumber(connection, -1, b)


def toggled_subject(connection: Connection, seq: int) -> None:
    current = row(connection, seq).subject_ref
    edit(connection, seq, subject_ref=None if current else "00000000-0000-4000-8000-999999999999")


EDITS: dict[str, Tamper] = {
    # One microsecond later: the hash covers the time to the microsecond, on both stores.
    "at": lambda c, s: edit(c, s, at=row(c, s).at + timedelta(microseconds=1)),
    "actor": lambda c, s: edit(c, s, actor=row(c, s).actor + "x"),
    "action": lambda c, s: edit(c, s, action="consent.withdrawn"),
    "subject_ref": toggled_subject,
    "details": lambda c, s: edit(c, s, details={**row(c, s).details, "n": -1}),
    "details_key_added": lambda c, s: edit(c, s, details={**row(c, s).details, "extra": None}),
    "prev_hash": lambda c, s: edit(c, s, prev_hash=flip(row(c, s).prev_hash)),
    "hash": lambda c, s: edit(c, s, hash=flip(row(c, s).hash)),
    # Moved past the end: its own place is then missing.
    "seq": lambda c, s: renumber(c, s, N + 100),
}


def first_bad_everywhere(
    engine: Engine,
    tamper: Tamper,
    expected: Callable[[int], int | None],
    anchor: tuple[int, str] | None = None,
) -> list[str]:
    """For each position, what verify said when it was not ``expected`` (None: intact)."""
    wrong = []
    for seq in range(1, N + 1):
        with tampered(engine, tamper, seq) as session:
            result = audit_log.verify(session, anchor)
        want = expected(seq)
        if result.ok != (want is None) or result.first_bad != want:
            wrong.append(f"at {seq}: expected {want}, got {result}")
    return wrong


def test_an_untouched_log_verifies(store_engine: Engine, chain: list[audit_log.AuditEntry]) -> None:
    with session_scope(store_engine) as session:
        result = audit_log.verify(session)
        top = audit_log.head(session)
        assert audit_log.count(session) == N
    assert result == audit_log.Verification(True, N, chain[-1].hash)
    assert top == (N, chain[-1].hash, chain[-1].at)
    with session_scope(store_engine) as session:
        assert audit_log.verify(session, (N, chain[-1].hash)).ok
        assert audit_log.verify(session, (10, chain[9].hash)).ok  # an older anchor still holds


@pytest.mark.parametrize("field", list(EDITS))
def test_an_edit_of_any_field_is_found_where_it_was_made(
    store_engine: Engine, chain: list[audit_log.AuditEntry], field: str
) -> None:
    assert first_bad_everywhere(store_engine, EDITS[field], lambda seq: seq) == []


def test_a_deletion_is_found_except_of_the_last_entry_without_an_anchor(
    store_engine: Engine, chain: list[audit_log.AuditEntry]
) -> None:
    def remove(connection: Connection, seq: int) -> None:
        connection.execute(delete(T).where(T.c.seq == seq))

    # The chain alone cannot show that its newest entry went: a shorter chain is whole.
    unanchored = first_bad_everywhere(store_engine, remove, lambda s: s if s < N else None)
    assert unanchored == []
    anchor = (N, chain[-1].hash)
    assert first_bad_everywhere(store_engine, remove, lambda seq: seq, anchor) == []


def test_a_truncated_log_is_named_from_its_first_missing_entry(
    store_engine: Engine, chain: list[audit_log.AuditEntry]
) -> None:
    def truncate(connection: Connection, seq: int) -> None:
        connection.execute(delete(T).where(T.c.seq >= seq))

    assert first_bad_everywhere(store_engine, truncate, lambda seq: seq, (N, chain[-1].hash)) == []
    with tampered(store_engine, truncate, 21) as session:
        result = audit_log.verify(session, (N, chain[-1].hash))
    assert (result.entries, result.head, result.first_bad) == (20, chain[19].hash, 21)
    assert result.problem == (
        "missing: the log ends at entry 20 but was anchored at entry 30 "
        "(its newest entries were removed)"
    )


def test_swapping_neighbours_is_found_at_the_first_of_the_two(
    store_engine: Engine, chain: list[audit_log.AuditEntry]
) -> None:
    assert first_bad_everywhere(store_engine, swap, lambda seq: min(seq, N - 1)) == []


def test_a_rewritten_and_rehashed_tail_is_found_only_by_the_anchor(
    store_engine: Engine, chain: list[audit_log.AuditEntry]
) -> None:
    def rewrite(connection: Connection, seq: int) -> None:
        # What an attacker with write access does: change an entry, then rehash from there.
        prev = chain[seq - 2].hash if seq > 1 else audit_log.GENESIS
        for entry in chain[seq - 1 :]:
            actor = "someone else" if entry.seq == seq else entry.actor
            digest = audit_log.entry_hash(
                prev, entry.seq, entry.at, actor, entry.action, entry.subject_ref, entry.details
            )
            edit(connection, entry.seq, actor=actor, prev_hash=prev, hash=digest)
            prev = digest

    assert first_bad_everywhere(store_engine, rewrite, lambda seq: None) == []
    anchor = (N, chain[-1].hash)
    assert first_bad_everywhere(store_engine, rewrite, lambda seq: N, anchor) == []


def test_problems_say_what_happened(
    store_engine: Engine, chain: list[audit_log.AuditEntry]
) -> None:
    def problem(tamper: Tamper, seq: int) -> str | None:
        with tampered(store_engine, tamper, seq) as session:
            return audit_log.verify(session).problem

    assert problem(EDITS["details"], 7) == "its content or its hash was changed"
    assert problem(EDITS["seq"], 7) == "missing (the log jumps from entry 6 to entry 8)"
    assert problem(EDITS["seq"], 1) == "missing (the log starts at entry 2)"
    assert problem(swap, 7) == "does not follow the entry before it (reordered or replaced)"
    assert problem(lambda c, s: renumber(c, s, 0), 5) == "out of place: sequence numbers start at 1"


def test_progress_is_reported_while_walking(
    store_engine: Engine, chain: list[audit_log.AuditEntry], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_log, "PROGRESS_EVERY", 10)
    seen: list[int] = []
    with session_scope(store_engine) as session:
        assert audit_log.verify(session, progress=seen.append).ok
    assert seen == [10, 20, 30, 30]


def test_entries_filter_by_subject_and_action_prefix_and_keep_the_newest(
    store_engine: Engine, chain: list[audit_log.AuditEntry]
) -> None:
    with session_scope(store_engine) as session:
        assert [e.seq for e in audit_log.entries(session)] == list(range(1, N + 1))
        assert [e.seq for e in audit_log.entries(session, last=3)] == [28, 29, 30]
        tokens = list(audit_log.entries(session, action_prefix="token."))
        assert [e.seq for e in tokens] == [4, 8, 12, 16, 20, 24, 28]
        # A prefix is literal: LIKE's wildcards in it match only themselves.
        assert list(audit_log.entries(session, action_prefix="legal%")) == []
        assert [e.seq for e in audit_log.entries(session, action_prefix="legal_")] == list(
            range(3, N + 1, 4)
        )
        one = list(audit_log.entries(session, subject_ref=chain[4].subject_ref))
        assert one == [chain[4]]


def test_the_hash_format_is_unchanged() -> None:
    """Entries written by earlier releases must still verify: the digest is frozen."""
    from datetime import UTC, datetime

    at = datetime(2027, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    digest = audit_log.entry_hash(
        audit_log.GENESIS, 1, at, "Dana", "token.created", None, {"token": "crm", "å": [1, None]}
    )
    assert digest == "d739b7340e440f720c637a4426bcdcf9e64164eca90b073304c7ca2bab8a4db9"
