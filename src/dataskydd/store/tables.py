"""The app store's tables, as SQLAlchemy typed declarative models.

Every table of the app store hangs off :class:`Base`, so that Alembic sees all of them.
Constraint names follow one convention, so autogenerate, SQLite and PostgreSQL agree on
them and a migration can drop a constraint by a name it can predict.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, Index, MetaData, String, Text, UniqueConstraint
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
