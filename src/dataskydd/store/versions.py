"""The published versions of a privacy programme: what the notice said, and from when.

A published version is never changed. Publishing the same content again is a no-op;
publishing other content under a version string that exists is refused, because people
may already have read that version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.programme.schema import Programme
from dataskydd.programme.text import LANGUAGES, Language
from dataskydd.store.tables import VERSION_MAX_LENGTH, ProgrammeVersionRow


class VersionConflict(Exception):
    """A version string is already published with other content."""


@dataclass(frozen=True)
class PublishedVersion:
    """A published version, detached from any session."""

    id: int
    programme_key: str
    version: str
    effective_date: date
    significant_change: bool
    change_summary: dict[str, str] | None  # {"sv": ..., "en": ...}
    published_at: datetime
    published_by: str
    content: dict[str, Any]
    content_sha256: str
    notice_sv: str
    notice_en: str

    def notice(self, language: str) -> str:
        """The notice Markdown as published, in ``language`` ("sv" or "en")."""
        return self.notice_sv if language == "sv" else self.notice_en

    def programme(self) -> Programme:
        """The programme as published; fails if the schema has since changed incompatibly."""
        return Programme.model_validate(self.content)

    @classmethod
    def from_row(cls, row: ProgrammeVersionRow) -> PublishedVersion:
        summary = (
            {"sv": row.change_summary_sv or "", "en": row.change_summary_en or ""}
            if row.change_summary_sv is not None or row.change_summary_en is not None
            else None
        )
        return cls(
            id=row.id,
            programme_key=row.programme_key,
            version=row.version,
            effective_date=row.effective_date,
            significant_change=row.significant_change,
            change_summary=summary,
            published_at=row.published_at,
            published_by=row.published_by,
            content=row.content,
            content_sha256=row.content_sha256,
            notice_sv=row.notice_sv,
            notice_en=row.notice_en,
        )


def programme_content(programme: Programme) -> dict[str, Any]:
    """The programme as the JSON document that is stored."""
    return programme.model_dump(mode="json")


def content_sha256(content: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON of ``content`` (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish(
    session: Session,
    programme: Programme,
    *,
    notice_markdown: Mapping[str, str] | Mapping[Language, str],
    published_by: str,
) -> PublishedVersion:
    """Record ``programme`` as published; return the existing record if it already is.

    ``notice_markdown`` is the notice rendered for each language ("sv" and "en").

    Raises :class:`VersionConflict` when its notice version is published with other content.
    """
    missing = [language for language in LANGUAGES if not notice_markdown.get(language)]
    if missing:
        raise ValueError(f"the rendered notice is missing for: {', '.join(missing)}")
    if not published_by.strip():
        raise ValueError("published_by must name who publishes")
    notice = programme.notice
    if len(notice.version) > VERSION_MAX_LENGTH:
        raise ValueError(f"notice.version is longer than {VERSION_MAX_LENGTH} characters")
    key = programme.programme.key
    content = programme_content(programme)
    digest = content_sha256(content)

    existing = _row(session, key, notice.version)
    if existing is not None:
        return _same_or_conflict(existing, content, digest)

    row = ProgrammeVersionRow(
        programme_key=key,
        version=notice.version,
        effective_date=notice.effective_date,
        significant_change=notice.significant_change,
        change_summary_sv=notice.change_summary.sv if notice.change_summary else None,
        change_summary_en=notice.change_summary.en if notice.change_summary else None,
        published_at=clock.now(),
        published_by=published_by.strip(),
        content=content,
        content_sha256=digest,
        notice_sv=notice_markdown["sv"],
        notice_en=notice_markdown["en"],
    )
    try:
        # A savepoint, so that losing a race to another publisher leaves the session usable.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = _row(session, key, notice.version)
        if existing is None:
            raise
        return _same_or_conflict(existing, content, digest)
    return PublishedVersion.from_row(row)


def get_version(session: Session, programme_key: str, version: str) -> PublishedVersion | None:
    row = _row(session, programme_key, version)
    return PublishedVersion.from_row(row) if row is not None else None


def list_versions(session: Session, programme_key: str) -> list[PublishedVersion]:
    """Every published version, newest effective date first."""
    rows = session.scalars(
        select(ProgrammeVersionRow)
        .where(ProgrammeVersionRow.programme_key == programme_key)
        .order_by(*_newest_first())
    )
    return [PublishedVersion.from_row(row) for row in rows]


def programme_keys(session: Session) -> list[str]:
    """The programmes that have published versions, in key order."""
    stmt = select(ProgrammeVersionRow.programme_key).distinct().order_by(ProgrammeVersionRow.programme_key)
    return list(session.scalars(stmt))


def version_in_effect(
    session: Session, programme_key: str, on: date | None = None
) -> PublishedVersion | None:
    """The version in effect on ``on`` (default: today): the latest already effective."""
    day = on if on is not None else clock.today()
    row = session.scalars(
        select(ProgrammeVersionRow)
        .where(
            ProgrammeVersionRow.programme_key == programme_key,
            ProgrammeVersionRow.effective_date <= day,
        )
        .order_by(*_newest_first())
        .limit(1)
    ).first()
    return PublishedVersion.from_row(row) if row is not None else None


def upcoming(session: Session, programme_key: str, on: date | None = None) -> list[PublishedVersion]:
    """Published versions not yet in effect on ``on`` (default: today), soonest first."""
    day = on if on is not None else clock.today()
    rows = session.scalars(
        select(ProgrammeVersionRow)
        .where(
            ProgrammeVersionRow.programme_key == programme_key,
            ProgrammeVersionRow.effective_date > day,
        )
        .order_by(
            ProgrammeVersionRow.effective_date,
            ProgrammeVersionRow.published_at,
            ProgrammeVersionRow.id,
        )
    )
    return [PublishedVersion.from_row(row) for row in rows]


def _newest_first() -> tuple[Any, ...]:
    # Two versions effective the same day: the one published later wins.
    return (
        ProgrammeVersionRow.effective_date.desc(),
        ProgrammeVersionRow.published_at.desc(),
        ProgrammeVersionRow.id.desc(),
    )


def _row(session: Session, programme_key: str, version: str) -> ProgrammeVersionRow | None:
    return session.scalars(
        select(ProgrammeVersionRow).where(
            ProgrammeVersionRow.programme_key == programme_key,
            ProgrammeVersionRow.version == version,
        )
    ).first()


def _same_or_conflict(row: ProgrammeVersionRow, content: dict[str, Any], digest: str) -> PublishedVersion:
    if row.content_sha256 == digest:
        return PublishedVersion.from_row(row)
    changed = sorted(
        section
        for section in set(content) | set(row.content)
        if content.get(section) != row.content.get(section)
    )
    raise VersionConflict(
        f"version {row.version} is already published with other content; "
        f"raise notice.version (changed: {', '.join(changed) or 'nothing visible'})"
    )
