"""The public API, ``/api/v1``: the programme in effect and its published versions.

Everything here is what the notice already publishes; no personal data, and not who
published a version (that is a member of staff).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from dataskydd import clock
from dataskydd.programme.schema import Programme
from dataskydd.store import versions
from dataskydd.store.versions import PublishedVersion
from dataskydd.web.site import Site, get_site

router = APIRouter(prefix="/api/v1", tags=["programme"])

SiteDep = Annotated[Site, Depends(get_site)]


class Problem(BaseModel):
    detail: str


class ChangeSummary(BaseModel):
    sv: str
    en: str


class NoticeText(BaseModel):
    """The notice as published, in Markdown."""

    sv: str
    en: str


class VersionStatus(BaseModel):
    in_effect: bool = Field(description="This is the version in effect today.")
    upcoming: bool = Field(description="Published, but its effective date is still ahead.")


class VersionSummary(BaseModel):
    programme_key: str
    version: str
    effective_date: date
    significant_change: bool
    change_summary: ChangeSummary | None
    published_at: datetime
    content_sha256: str = Field(description="SHA-256 of the canonical JSON of the content.")
    status: VersionStatus
    notice_url: dict[str, str] = Field(description="The notice of this version, per language.")


class VersionDetail(VersionSummary):
    notice: NoticeText
    content: Programme = Field(description="The privacy programme as published.")


class ProgrammeInEffect(VersionDetail):
    today: date = Field(description="The date the version in effect was chosen for.")
    upcoming_versions: list[VersionSummary]


_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}


@router.get("/programme", responses=_NOT_FOUND, summary="The programme in effect today")
def programme_in_effect(site: SiteDep) -> ProgrammeInEffect:
    today = clock.today()
    with site.session() as session:
        current = versions.version_in_effect(session, site.key, today)
        coming = versions.upcoming(session, site.key, today)
    if current is None:
        raise HTTPException(404, f"no version of '{site.key}' is in effect on {today}")
    detail = _detail(current, current)
    return ProgrammeInEffect(
        **detail.model_dump(exclude={"content"}),
        content=detail.content,
        today=today,
        upcoming_versions=[_summary(v, current) for v in coming],
    )


@router.get("/programme/versions", summary="Every published version, newest first")
def programme_versions(site: SiteDep) -> list[VersionSummary]:
    with site.session() as session:
        current = versions.version_in_effect(session, site.key)
        return [_summary(v, current) for v in versions.list_versions(session, site.key)]


@router.get("/programme/versions/{version}", responses=_NOT_FOUND, summary="One published version")
def programme_version(version: str, site: SiteDep) -> VersionDetail:
    with site.session() as session:
        found = versions.get_version(session, site.key, version)
        current = versions.version_in_effect(session, site.key)
    if found is None:
        raise HTTPException(404, f"'{site.key}' has no published version {version!r}")
    return _detail(found, current)


def _summary(version: PublishedVersion, current: PublishedVersion | None) -> VersionSummary:
    return VersionSummary(
        programme_key=version.programme_key,
        version=version.version,
        effective_date=version.effective_date,
        significant_change=version.significant_change,
        change_summary=ChangeSummary(**version.change_summary) if version.change_summary else None,
        published_at=version.published_at,
        content_sha256=version.content_sha256,
        status=VersionStatus(
            in_effect=current is not None and version.id == current.id,
            upcoming=version.effective_date > clock.today(),
        ),
        notice_url={lang: f"/{lang}/versions/{version.version}" for lang in ("sv", "en")},
    )


def _detail(version: PublishedVersion, current: PublishedVersion | None) -> VersionDetail:
    return VersionDetail(
        **_summary(version, current).model_dump(),
        notice=NoticeText(sv=version.notice_sv, en=version.notice_en),
        content=version.programme(),
    )
