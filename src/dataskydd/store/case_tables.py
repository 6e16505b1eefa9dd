"""The app store's tables for rights requests as cases, and for the staff who handle them.

Personal data in these tables is sealed (``encryption/keyring.py``): a request's identities,
its payload (what the person asked, how to reach them), the note of a decision and the answer
package. What stays in clear is what the console sorts and filters by (kind, status, dates,
assignee) and keyed hashes that find duplicates without revealing anyone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataskydd.store.tables import Base
from dataskydd.store.types import UTCDateTime

REQUEST_STATUSES = (
    "received",
    "verified",
    "assessed",
    "decided",
    "executed",
    "answered",
    "denied",
    "withdrawn",
    "duplicate",
)


class RightsRequestRecord(Base):
    """One request by a data subject, from intake to answer."""

    __tablename__ = "requests"
    __table_args__ = (
        Index(None, "status", "due_date"),
        Index(None, "assignee", "status"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in REQUEST_STATUSES) + ")", name="status"
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # What the person quotes (DS-XXXX-XXXX); with the follow token it shows them their request.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    follow_token_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_date: Mapped[date] = mapped_column(Date)
    extended_due_date: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)  # sealed: told to the person
    identities: Mapped[str] = mapped_column(Text)  # sealed JSON
    payload: Mapped[str] = mapped_column(Text)  # sealed JSON
    key_id: Mapped[str] = mapped_column(String(32))  # the key that sealed this row's values
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_method: Mapped[str | None] = mapped_column(String(20))
    verified_by: Mapped[str | None] = mapped_column(Text)
    subject_ref: Mapped[str | None] = mapped_column(String(36), index=True)
    assignee: Mapped[str | None] = mapped_column(String(80))
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)  # sealed: may name the person
    # Sealed JSON: items of the answer a handler keeps out, with reason, note, who and when.
    withheld: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[str | None] = mapped_column(String(32), ForeignKey("requests.id"))
    # Execution: a worker holds the lease while it works; an expired lease is taken over.
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RequestIdentityRecord(Base):
    """A keyed hash of an identity a request gives: duplicates are found by these."""

    __tablename__ = "request_identities"

    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    identity_hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(30))


class RequestEventRecord(Base):
    """A step of a request's timeline; the note never holds personal data."""

    __tablename__ = "request_events"
    __table_args__ = (Index(None, "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("requests.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(Text)
    event: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)


class VerificationChallengeRecord(Base):
    """A one-time code sent to prove a request's identity (only its keyed hash is kept)."""

    __tablename__ = "verification_challenges"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnswerPackageRecord(Base):
    """The answer to a request, sealed, and its single-use, time-limited download link."""

    __tablename__ = "answer_packages"

    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(80))
    content: Mapped[str] = mapped_column(Text)  # sealed, base64 inside
    key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    download_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffUserRecord(Base):
    """A member of staff: DPO, case handler, engineer or auditor."""

    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint("role IN ('dpo', 'handler', 'engineer', 'auditor')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffSessionRecord(Base):
    """A signed-in browser session, stored as the SHA-256 of its random token."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
