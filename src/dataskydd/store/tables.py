"""The app store's tables, as SQLAlchemy typed declarative models.

Every table of the app store hangs off :class:`Base`, so that Alembic sees all of them.
Constraint names follow one convention, so autogenerate, SQLite and PostgreSQL agree on
them and a migration can drop a constraint by a name it can predict.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dataskydd.store.types import JSONDocument, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Longest notice version string we accept; the column and publish() both use it.
VERSION_MAX_LENGTH = 100


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ProgrammeVersionRow(Base):
    """A published version of a privacy programme and its notice; never updated once written."""

    __tablename__ = "programme_versions"
    __table_args__ = (
        UniqueConstraint("programme_key", "version"),
        Index(None, "programme_key", "effective_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_key: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(VERSION_MAX_LENGTH))
    effective_date: Mapped[date] = mapped_column(Date)
    significant_change: Mapped[bool]
    change_summary_sv: Mapped[str | None] = mapped_column(Text)
    change_summary_en: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The notice as rendered when published, so old versions stay readable after the
    # schema or the renderer changes.
    notice_sv: Mapped[str] = mapped_column(Text)
    notice_en: Mapped[str] = mapped_column(Text)


class ManualTaskRecord(Base):
    """A person's task to look through a system that cannot be queried, for one request.

    It holds no personal data: ``identities_ref`` says where the person's identities are
    kept (the request), not what they are.
    """

    __tablename__ = "manual_tasks"
    __table_args__ = (
        # One task per system and request, so a resumed job finds the task it created.
        UniqueConstraint("system_key", "request_ref"),
        Index(None, "status", "due_date"),
        CheckConstraint("status IN ('open', 'done')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system_key: Mapped[str] = mapped_column(String(80))
    request_ref: Mapped[str] = mapped_column(String(100))
    identities_ref: Mapped[str] = mapped_column(Text)
    checklist: Mapped[list[dict[str, str]]] = mapped_column(JSONDocument)  # [{"sv":..,"en":..}]
    assignee: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)


# -- the person's standing: restriction, objection, consent, suppression, erasure ----------
#
# None of these tables holds an identity in clear: a person is a ``subject_ref`` (a random
# id per person, chosen when first recorded) linked to the keyed hashes of their identities
# (``identity/keyed.py``), so the permission check can find them from any identity given.


class SubjectIdentityRecord(Base):
    """One identity of a person, as a keyed hash, linked to the person's ``subject_ref``."""

    __tablename__ = "subject_identities"
    __table_args__ = (
        UniqueConstraint("subject_ref", "identity_hash"),
        Index(None, "identity_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(36))
    identity_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RestrictionRecord(Base):
    """Art. 18: processing of the person (or some categories of theirs) is restricted."""

    __tablename__ = "restrictions"
    __table_args__ = (Index(None, "subject_ref", "lifted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(36))
    categories: Mapped[list[str]] = mapped_column(JSONDocument)  # empty: all of the person's data
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(Text)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(Text)
    lift_reason: Mapped[str | None] = mapped_column(Text)


class ObjectionRecord(Base):
    """Art. 21: the person objects to a purpose; an assessment may override (not marketing)."""

    __tablename__ = "objections"
    __table_args__ = (Index(None, "subject_ref", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(36))
    purpose: Mapped[str] = mapped_column(String(80))
    direct_marketing: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(Text)
    # A recorded assessment that compelling legitimate grounds override the objection.
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    override_by: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsentRecord(Base):
    """A consent the person gave for a purpose, and its withdrawal."""

    __tablename__ = "consents"
    __table_args__ = (Index(None, "subject_ref", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(36))
    purpose: Mapped[str] = mapped_column(String(80))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SuppressionRecord(Base):
    """An identity that must never be marketed to again (direct-marketing objection)."""

    __tablename__ = "suppression"

    identity_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(40))


class ErasureRunRecord(Base):
    """One decided erasure: its plan, as steps to apply, and how far it has come.

    The plan holds primary keys and the values to write (keyed hashes, redacted text), never
    the values erased, so that a resumed run writes exactly what the first attempt would have.
    """

    __tablename__ = "erasure_runs"
    __table_args__ = (
        Index(None, "subject_ref"),
        CheckConstraint("status IN ('planned', 'running', 'verified', 'failed')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The person, when the run erases one (a rights request); a bulk run lists its persons
    # in erasure_subjects only.
    subject_ref: Mapped[str | None] = mapped_column(String(36))
    ground: Mapped[str] = mapped_column(String(80))  # grounds, comma-separated
    decided_by: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))
    plan: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONDocument)  # counts and purposes, no values
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class ErasureSubjectRecord(Base):
    """A person an erasure run erases (one for a request, many for a bulk run)."""

    __tablename__ = "erasure_subjects"
    __table_args__ = (Index(None, "subject_ref"),)

    run_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("erasure_runs.id", ondelete="CASCADE"), primary_key=True
    )
    subject_ref: Mapped[str] = mapped_column(String(36), primary_key=True)


class ErasureBatchRecord(Base):
    """A batch of an erasure run that has been committed in its system."""

    __tablename__ = "erasure_batches"

    run_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("erasure_runs.id", ondelete="CASCADE"), primary_key=True
    )
    system_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEventRecord(Base):
    """One entry of the append-only, hash-chained audit log (``audit/log.py``)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(60))
    subject_ref: Mapped[str | None] = mapped_column(String(36), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ApiTokenRecord(Base):
    """An API token, stored as its SHA-256 (tokens are long random strings, not passwords)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LegalHoldRecord(Base):
    """A hold on a person's data for a legal claim: nothing of theirs is erased until released."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index(None, "subject_ref", "released_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(36))
    case_ref: Mapped[str] = mapped_column(String(200))  # e.g. the court's case number
    systems: Mapped[list[str]] = mapped_column(JSONDocument)  # empty: every system
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    placed_by: Mapped[str] = mapped_column(Text)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by: Mapped[str | None] = mapped_column(Text)
    release_reason: Mapped[str | None] = mapped_column(Text)
