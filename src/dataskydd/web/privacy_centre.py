"""The privacy centre: the public pages where a person exercises their rights (sv and en).

Plain HTML forms, no script. A request goes through the same domain calls as the JSON API
(``web/requests_api.py``): ``cases.intake.submit``, the e-mailed code, following by reference
and follow code, and a single-use download link. The reference and the follow code never
travel in a URL: after a POST they ride in hidden fields of the next forms, and every page
here is ``Cache-Control: no-store``. Each form carries a double-submit CSRF token
(``web/csrf.py``); error messages name the field and never repeat what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from dataskydd.cases import answers, lifecycle, verification
from dataskydd.cases.intake import MAX_MESSAGE, submit
from dataskydd.cases.kinds import CaseError, Channel, NotFound, RequestKind, Status
from dataskydd.cases.sealed import open_request
from dataskydd.cases.timeline import timeline
from dataskydd.clock import LOCAL_ZONE
from dataskydd.consent.records import consent_based
from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.programme.text import Language
from dataskydd.rights.erasure import Ground
from dataskydd.rights.objection import objectable
from dataskydd.store.case_tables import AnswerPackageRecord, RightsRequestRecord
from dataskydd.store.engine import session_scope
from dataskydd.web import centre_texts, csrf, texts
from dataskydd.web.csrf import CheckedForm
from dataskydd.web.language import other
from dataskydd.web.pages import _render
from dataskydd.web.site import Site, get_site

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

SiteDep = Annotated[Site, Depends(get_site)]
FormDep = Annotated[CheckedForm, Depends(csrf.read_form)]
_GET = ["GET", "HEAD"]

# The index page's order: the rights of notice section 7, then consent and the DPO.
KINDS = [RequestKind(kind) for kind in centre_texts.KINDS]
DIRECT_MARKETING = "direct_marketing"  # the objection form's value for direct marketing
_FIELDS = ["personnummer", "email", "phone", "category", "new_value", "reason", "purpose", "message"]
_LONG = {"new_value": 500, "message": MAX_MESSAGE}  # the longest text each field takes
# The kind's select (its field and the error when nothing offered is chosen) ...
_CHOICE = {
    RequestKind.RECTIFICATION: ("category", "error_category"),
    RequestKind.RESTRICTION: ("reason", "error_reason"),
    RequestKind.OBJECTION: ("purpose", "error_objection_purpose"),
    RequestKind.CONSENT_WITHDRAWAL: ("purpose", "error_choice"),
}
# ... and its text that must not be empty.
_REQUIRED = {
    RequestKind.RECTIFICATION: ("new_value", "error_new_value"),
    RequestKind.COMPLAINT: ("message", "error_message"),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Group:
    label: str | None  # None: options shown outside any group
    choices: list[Choice]


@dataclass
class Typed:
    """What the person typed, kept to fill the form again, and the errors by field id."""

    values: dict[str, str] = field(default_factory=dict)
    grounds: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


# -- pages -----------------------------------------------------------------------------------


def _page(
    request: Request, site: Site, template: str, lang: Language, *, path: str, title: str,
    status_code: int = 200, **context: Any,
) -> Response:
    """A centre page: never stored by a cache, with the visitor's CSRF token in its forms."""
    token = csrf.token(request)
    response = _render(
        request, site, f"centre/{template}", lang, path=path, title=title,
        status_code=status_code, active="rights", footer_version=None,
        c=partial(centre_texts.text, language=lang),  # the centre's words, in the page's language
        c2=partial(centre_texts.text, language=other(lang)),  # and in the other language
        kind_title=partial(centre_texts.kind_title, language=lang),
        kind_line=partial(centre_texts.kind_line, language=lang),
        csrf_field=csrf.FIELD, csrf_token=token, **context,
    )
    response.headers["Cache-Control"] = "no-store"
    csrf.remember(response, request, token)
    return response


def _forbidden(request: Request, site: Site, lang: Language, path: str) -> Response:
    """A form without the visitor's token: explained in both languages, nothing done."""
    return _page(
        request, site, "forbidden.html", lang, path=path, status_code=403,
        title=centre_texts.text("forbidden_title", lang),
    )


@router.api_route("/{lang:lang}/rights", methods=_GET)
def index(request: Request, lang: Language, site: SiteDep) -> Response:
    return _page(
        request, site, "index.html", lang, path="/rights",
        title=centre_texts.text("rights", lang), kinds=[k.value for k in KINDS],
        dpo_email=site.programme.organisation.dpo.email,
    )


@router.api_route("/{lang:lang}/rights/follow", methods=_GET)
def follow_form(request: Request, lang: Language, site: SiteDep) -> Response:
    return _follow_page(request, site, lang, Typed())


@router.post("/{lang:lang}/rights/follow")
def follow(request: Request, lang: Language, site: SiteDep, form: FormDep) -> Response:
    if not form.valid:
        return _forbidden(request, site, lang, "/rights/follow")
    typed = Typed(values={"reference": form.get("reference")})
    if not form.get("reference"):
        typed.errors["reference"] = centre_texts.text("error_reference", lang)
    if not form.get("follow_code"):
        typed.errors["follow_code"] = centre_texts.text("error_follow_code", lang)
    if typed.errors:
        return _follow_page(request, site, lang, typed, 422)
    return _case_page(request, site, lang, form)


@router.post("/{lang:lang}/rights/follow/send-code")
def send_code(request: Request, lang: Language, site: SiteDep, form: FormDep) -> Response:
    """E-mail a one-time code to the request's address, then ask for it."""
    if not form.valid:
        return _forbidden(request, site, lang, "/rights/follow")
    try:
        with session_scope(site.engine, write=True) as session:
            row = _lookup(session, form)
            address, code = verification.start_email(session, row)
            reference = row.reference
    except NotFound:
        return _not_found(request, site, lang, form)
    except CaseError as error:
        key = "error_too_many_codes" if "codes were sent" in str(error) else "error_not_open"
        return _case_page(request, site, lang, form, error=key, status_code=409)
    verification.send(address, code, lang, reference)
    return _code_page(request, site, lang, form, None)


@router.post("/{lang:lang}/rights/follow/verify")
def check_code(request: Request, lang: Language, site: SiteDep, form: FormDep) -> Response:
    """Check the code typed; a right one verifies the request and shows where it stands."""
    if not form.valid:
        return _forbidden(request, site, lang, "/rights/follow")
    code = form.get("code")
    if not code:
        return _code_page(request, site, lang, form, "error_code_format")
    try:
        with session_scope(site.engine, write=True) as session:
            outcome = verification.check_email(session, _lookup(session, form), code)
        error = None if outcome == "ok" else f"error_code_{outcome}"
    except NotFound:
        return _not_found(request, site, lang, form)
    except CaseError as failed:
        message = str(failed)
        error = (
            "error_code_format" if message.startswith("code:")
            else "error_not_open" if message.startswith("request ")
            else "error_no_code"
        )
    if error is not None:
        return _code_page(request, site, lang, form, error)
    return _case_page(request, site, lang, form, verified_now=True)


@router.post("/{lang:lang}/rights/follow/download")
def download(request: Request, lang: Language, site: SiteDep, form: FormDep) -> Response:
    """A single-use link to the answer, followed at once (303); the link itself is not shown."""
    if not form.valid:
        return _forbidden(request, site, lang, "/rights/follow")
    try:
        with session_scope(site.engine, write=True) as session:
            token = answers.issue_link(session, _lookup(session, form))
    except NotFound:
        return _not_found(request, site, lang, form)
    except CaseError:
        return _case_page(request, site, lang, form, error="error_download", status_code=409)
    return RedirectResponse(
        f"/api/v1/answers/{token}", status_code=303, headers={"Cache-Control": "no-store"}
    )


@router.api_route("/{lang:lang}/rights/{kind}", methods=_GET)
def kind_form(request: Request, lang: Language, kind: str, site: SiteDep) -> Response:
    return _kind_page(request, site, lang, _kind(kind), Typed())


@router.post("/{lang:lang}/rights/{kind}")
def submit_kind(
    request: Request, lang: Language, kind: str, site: SiteDep, form: FormDep
) -> Response:
    """Record the request; the next page shows its reference and follow code, once."""
    wanted = _kind(kind)
    if not form.valid:
        return _forbidden(request, site, lang, f"/rights/{wanted.value}")
    typed, identities, details = _read_request(site, wanted, lang, form)
    if typed.errors:
        return _kind_page(request, site, lang, wanted, typed, 422)
    try:
        with session_scope(site.engine, write=True) as session:
            done = submit(
                session, kind=wanted, identities=identities, details=details,
                channel=Channel.WEB, language=lang,
            )
    except CaseError as error:
        where = str(error).split(":", 1)[0].removeprefix("details.")
        typed.errors[where if where in typed.values else "form"] = centre_texts.text(
            "error_general", lang
        )
        return _kind_page(request, site, lang, wanted, typed, 422)
    return _page(
        request, site, "submitted.html", lang, path=f"/rights/{wanted.value}",
        title=centre_texts.text("submitted_title", lang), reference=done.reference,
        follow_code=done.follow_token, due=done.due, duplicate=done.duplicate_of is not None,
    )


# -- the request form ------------------------------------------------------------------------


def _kind(value: str) -> RequestKind:
    try:
        return RequestKind(value)
    except ValueError:
        raise HTTPException(404) from None


def _kind_page(
    request: Request, site: Site, lang: Language, kind: RequestKind, typed: Typed,
    status_code: int = 200,
) -> Response:
    return _page(
        request, site, "request_form.html", lang, path=f"/rights/{kind.value}",
        status_code=status_code, title=centre_texts.kind_title(kind.value, lang),
        kind=kind.value, typed=typed,
        groups=_options(site, kind, lang),
    )


def _options(site: Site, kind: RequestKind, lang: Language) -> list[Group]:
    """The choices of the kind's extra field (a select, or the erasure checkboxes)."""
    programme = site.programme
    if kind is RequestKind.RECTIFICATION:
        # Each category that has none under it, grouped under its top-level category.
        known = {c.key: c for c in programme.categories}
        groups: dict[str, list[Choice]] = {}
        for c in programme.categories:
            if "." in c.key or not any(k.startswith(f"{c.key}.") for k in known):
                top = c.key.split(".")[0] if "." in c.key else ""
                groups.setdefault(top if top in known else "", []).append(
                    Choice(c.key, c.label.get(lang))
                )
        return [Group(known[k].label.get(lang) if k else None, v) for k, v in groups.items()]
    if kind is RequestKind.ERASURE:
        offered = {g.key for r in programme.rights if r.key == "erasure" for g in r.grounds}
        grounds = [g for g in Ground if not offered or g.value in offered]
        return [Group(None, [Choice(g.value, centre_texts.GROUNDS[g.value].get(lang)) for g in grounds])]
    if kind is RequestKind.RESTRICTION:
        return [Group(None, [Choice(k, v.get(lang)) for k, v in centre_texts.REASONS.items()])]
    if kind is RequestKind.OBJECTION:
        purposes = [p for p in programme.purposes if objectable(p) and not p.direct_marketing]
        first = Choice(DIRECT_MARKETING, centre_texts.text("direct_marketing", lang))
        return [Group(None, [first, *(Choice(p.key, p.title.get(lang)) for p in purposes)])]
    if kind is RequestKind.CONSENT_WITHDRAWAL:
        purposes = [p for p in programme.purposes if consent_based(programme, p.key)]
        first = Choice("", centre_texts.text("all_consents", lang))
        return [Group(None, [first, *(Choice(p.key, p.title.get(lang)) for p in purposes)])]
    return []


def _read_request(
    site: Site, kind: RequestKind, lang: Language, form: CheckedForm
) -> tuple[Typed, list[tuple[str, str]], dict[str, Any]]:
    """The identities and details of a posted form, or the errors, by field, in ``lang``."""
    typed = Typed(values={n: form.get(n) for n in _FIELDS}, grounds=form.getlist("grounds"))
    values, errors = typed.values, typed.errors

    def error(name: str, key: str, **extra: object) -> None:
        errors.setdefault(name, centre_texts.text(key, lang, **extra))

    identities: list[tuple[str, str]] = []
    if values["personnummer"]:
        national = _national_id(values["personnummer"])
        if national is None:
            error("personnummer", "error_personnummer")
        else:
            identities.append((national, values["personnummer"]))
    if not values["email"]:
        error("email", "error_email_missing")
    elif not _valid(IdentityKind.EMAIL, values["email"]):
        error("email", "error_email")
    else:
        identities.append((IdentityKind.EMAIL.value, values["email"]))
    if values["phone"]:
        if _valid(IdentityKind.PHONE, values["phone"]):
            identities.append((IdentityKind.PHONE.value, values["phone"]))
        else:
            error("phone", "error_phone")

    allowed = {c.value for g in _options(site, kind, lang) for c in g.choices}
    details: dict[str, Any] = {"contact_email": values["email"]}
    if kind in _CHOICE:
        name, key = _CHOICE[kind]
        if values[name] not in allowed:
            error(name, key)
        elif values[name] == DIRECT_MARKETING and kind is RequestKind.OBJECTION:
            details["direct_marketing"] = True
        elif values[name]:  # consent withdrawal: none chosen is every consent
            details[name] = values[name]
    if kind in _REQUIRED:
        name, key = _REQUIRED[kind]
        if not values[name]:
            error(name, key)
        details[name] = values[name]
    if kind is RequestKind.ERASURE:
        if not typed.grounds or not set(typed.grounds) <= allowed:
            error("grounds", "error_grounds")
        elif Ground.MINOR.value in typed.grounds and not values["personnummer"]:
            error("personnummer", "error_personnummer_minor")
        details["grounds"] = list(dict.fromkeys(typed.grounds))
    for name, limit in _LONG.items():
        if len(values[name]) > limit:
            error(name, "error_too_long", max=limit)
    return typed, identities, details


def _valid(kind: IdentityKind, value: str) -> bool:
    try:
        normalise(kind, value)
    except IdentityError:
        return False
    return True


def _national_id(value: str) -> str | None:
    """``personnummer`` or ``samordningsnummer`` for a valid number typed in its field."""
    for kind in (IdentityKind.PERSONNUMMER, IdentityKind.SAMORDNINGSNUMMER):
        if _valid(kind, value):
            return kind.value
    return None


# -- following a request ---------------------------------------------------------------------


def _lookup(session: Session, form: CheckedForm) -> RightsRequestRecord:
    """The request the form's hidden (or typed) reference and follow code name; or NotFound."""
    return lifecycle.by_reference(session, form.get("reference"), form.get("follow_code"))


def _follow_page(
    request: Request, site: Site, lang: Language, typed: Typed, status_code: int = 200
) -> Response:
    return _page(
        request, site, "follow.html", lang, path="/rights/follow", status_code=status_code,
        title=centre_texts.text("follow", lang), typed=typed,
    )


def _not_found(request: Request, site: Site, lang: Language, form: CheckedForm) -> Response:
    typed = Typed(values={"reference": form.get("reference")})
    typed.errors["follow_code"] = centre_texts.text("error_not_found", lang)
    return _follow_page(request, site, lang, typed, 404)


def _code_page(
    request: Request, site: Site, lang: Language, form: CheckedForm, error: str | None
) -> Response:
    return _page(
        request, site, "code.html", lang, path="/rights/follow",
        status_code=422 if error else 200, title=centre_texts.text("code_title", lang),
        reference=form.get("reference"), follow_code=form.get("follow_code"),
        error=centre_texts.text(error, lang) if error else None,
    )


@dataclass(frozen=True)
class Step:
    at: str
    text: str


def _case_page(
    request: Request, site: Site, lang: Language, form: CheckedForm, *,
    error: str | None = None, verified_now: bool = False, status_code: int = 200,
) -> Response:
    """Where the request stands, in words, with what the person can do next."""
    with site.session() as session:
        try:
            row = _lookup(session, form)
        except NotFound:
            return _not_found(request, site, lang, form)
        opened = open_request(row)
        package = session.get(AnswerPackageRecord, row.id)
        steps = [
            Step(_when(e.at, lang), text)
            for e in timeline(session, row.id)
            if (text := centre_texts.event(e.event, lang)) is not None
        ]
        dpo = site.programme.organisation.dpo.email
        return _page(
            request, site, "case.html", lang, path="/rights/follow", status_code=status_code,
            title=centre_texts.text("case_title", lang, reference=row.reference),
            reference=row.reference, follow_code=form.get("follow_code"), kind=row.kind,
            status=row.status, status_text=centre_texts.status(row.status, lang),
            received=row.received_at.astimezone(LOCAL_ZONE).date(), due=lifecycle.due(row),
            extended=row.extended_due_date, extension_reason=opened.extension_reason,
            denied_reason=opened.decision_note if row.status == Status.DENIED.value else None,
            answer_ready=package is not None and package.downloaded_at is None,
            downloaded=package is not None and package.downloaded_at is not None,
            steps=steps, verified_now=verified_now,
            error=centre_texts.text(error, lang, email=dpo) if error else None,
        )


def _when(at: datetime, lang: Language) -> str:
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(LOCAL_ZONE)
    return f"{texts.long_date(local, lang)} {local:%H:%M}"
