"""The public pages: the notice in effect, its history, old versions and what changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from dataskydd import clock
from dataskydd.programme.notice_diff import SectionDiff, diff_notices
from dataskydd.programme.text import Language
from dataskydd.store import versions
from dataskydd.store.versions import PublishedVersion
from dataskydd.web import texts
from dataskydd.web.language import COOKIE, as_language, negotiate, other
from dataskydd.web.markdown import render_html, render_notice
from dataskydd.web.site import Site, get_site

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

SiteDep = Annotated[Site, Depends(get_site)]

# HEAD as well, for link checkers and uptime monitors; the server sends no body for it.
_GET = ["GET", "HEAD"]

# A visitor's language choice is remembered for a year (a preference, not tracking).
COOKIE_MAX_AGE = 365 * 24 * 3600


@router.api_route("/", methods=_GET)
def notice_negotiated(request: Request, site: SiteDep) -> Response:
    """The notice in effect, in the visitor's language; the same address for everyone."""
    language = negotiate(request)
    response = _notice_page(request, site, language, path="/")
    response.headers["Vary"] = "Accept-Language, Cookie"
    chosen = as_language(request.query_params.get("lang"))
    if chosen and chosen != request.cookies.get(COOKIE):
        response.set_cookie(
            COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="lax", httponly=True,
            secure=request.url.scheme == "https",
        )
    return response


@router.api_route("/{lang:lang}", methods=_GET)
def notice(request: Request, lang: Language, site: SiteDep) -> Response:
    return _notice_page(request, site, lang, path=f"/{lang}")


@router.api_route("/{lang:lang}/versions", methods=_GET)
def history(request: Request, lang: Language, site: SiteDep) -> Response:
    with site.session() as session:
        published = versions.list_versions(session, site.key)
        current = versions.version_in_effect(session, site.key)
    rows = [
        VersionRow(v, _status(v, current), published[i + 1] if i + 1 < len(published) else None)
        for i, v in enumerate(published)
    ]
    return _render(
        request, site, "versions.html", lang, path="/versions",
        title=texts.text("history", lang), active="history", rows=rows,
        footer_version=current,
    )


@router.api_route("/{lang:lang}/versions/{version}", methods=_GET)
def old_version(request: Request, lang: Language, version: str, site: SiteDep) -> Response:
    with site.session() as session:
        shown = _version_or_404(session, site, version, lang)
        current = versions.version_in_effect(session, site.key)
    rendered = render_notice(shown.notice(lang))
    return _render(
        request, site, "notice.html", lang, path=f"/versions/{version}",
        title=rendered.title, active="history", notice=rendered, shown=shown,
        status=_status(shown, current), current=current, upcoming=None,
        footer_version=shown,
    )


@router.api_route("/{lang:lang}/versions/{a}/diff/{b}", methods=_GET)
def diff(request: Request, lang: Language, a: str, b: str, site: SiteDep) -> Response:
    with site.session() as session:
        old = _version_or_404(session, site, a, lang)
        new = _version_or_404(session, site, b, lang)
        current = versions.version_in_effect(session, site.key)
    result = diff_notices(old.notice(lang), new.notice(lang))
    return _render(
        request, site, "diff.html", lang, path=f"/versions/{a}/diff/{b}",
        title=texts.text("diff_title", lang, a=a, b=b), active="history",
        diff=result, groups=group_unchanged(result.sections), old=old, new=new,
        footer_version=current,
    )


# -- building blocks -----------------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    version: PublishedVersion
    status: str  # "in_effect", "superseded" or "not_yet"
    previous: PublishedVersion | None


def group_unchanged(sections: list[SectionDiff]) -> list[list[SectionDiff]]:
    """Runs of unchanged sections together (shown collapsed), every other section alone."""
    groups: list[list[SectionDiff]] = []
    for section in sections:
        if section.status == "unchanged" and groups and groups[-1][0].status == "unchanged":
            groups[-1].append(section)
        else:
            groups.append([section])
    return groups


def _status(version: PublishedVersion, current: PublishedVersion | None) -> str:
    if current is not None and version.id == current.id:
        return "in_effect"
    return "not_yet" if version.effective_date > clock.today() else "superseded"


def _notice_page(request: Request, site: Site, language: Language, *, path: str) -> Response:
    today = clock.today()
    with site.session() as session:
        current = versions.version_in_effect(session, site.key, today)
        coming = versions.upcoming(session, site.key, today)
    # Before the first version takes effect, show it, marked as not yet in effect.
    shown = current or (coming[0] if coming else None)
    if shown is None:
        raise HTTPException(404, texts.text("no_version", language))
    upcoming = next((v for v in coming if v.id != shown.id), None)
    rendered = render_notice(shown.notice(language))
    return _render(
        request, site, "notice.html", language, path="" if path in ("/", f"/{language}") else path,
        title=rendered.title, active="notice", notice=rendered, shown=shown,
        status=_status(shown, current), current=current, upcoming=upcoming,
        footer_version=shown,
    )


def _version_or_404(session: Any, site: Site, version: str, language: Language) -> PublishedVersion:
    found = versions.get_version(session, site.key, version)
    if found is None:
        raise HTTPException(404, texts.text("unknown_version", language, version=version))
    return found


def _render(
    request: Request,
    site: Site,
    template: str,
    language: Language,
    *,
    path: str,
    title: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page in ``language``; ``path`` is the address after the language prefix."""

    def t(key: str, **values: object) -> str:
        return texts.text(key, language, **values)

    def summary(version: PublishedVersion) -> str:
        text = (version.change_summary or {}).get(language)
        return render_html(text) if text else ""

    switch_to = other(language)
    organisation = site.programme.organisation.group_name
    page_title = title if title == organisation else f"{title} \u2013 {organisation}"
    return site.templates.TemplateResponse(
        request,
        template,
        {
            "lang": language,
            "other_lang": switch_to,
            "here": f"/{language}{path}",
            "switch_url": f"/{switch_to}{path}",
            "t": t,
            "summary": summary,
            "date": lambda d: texts.long_date(d, language),
            "today": clock.today(),
            "organisation": organisation,
            "title": title,
            "page_title": page_title,
            "active": context.pop("active", None),
            **context,
        },
        status_code=status_code,
        # The page in effect changes on an effective date: caches must ask again.
        headers={"Cache-Control": "no-cache"},
    )


def not_found_page(request: Request, detail: object) -> Response:
    """The friendly 404, in the language of the address (or the visitor's)."""
    segment = request.url.path.strip("/").split("/", 1)[0]
    language = as_language(segment) if segment in ("sv", "en") else None
    language = language or negotiate(request)
    site: Site = request.app.state.site
    message = detail if isinstance(detail, str) and detail != "Not Found" else ""
    with site.session() as session:
        current = versions.version_in_effect(session, site.key)
    path = request.url.path[3:] if segment in ("sv", "en") else ""
    return _render(
        request, site, "not_found.html", language, path=path,
        title=texts.text("not_found_title", language), message=message,
        footer_version=current, status_code=404,
    )
