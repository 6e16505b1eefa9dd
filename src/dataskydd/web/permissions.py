"""``/api/v1/permissions``: may purpose P process person X now? And ``/api/v1/ping``.

Other systems ask before they process anyone: ``GET`` with the identities in the query, or
``POST`` with the same fields as a JSON body (preferred: identities stay out of URLs, and so
out of proxies' and browsers' histories; our own access log drops the query string of this
path, see :mod:`dataskydd.web.logs`). The answer is allowed or denied with every reason
(:mod:`dataskydd.consent.permissions`). Facts about people are never cached: each request
reads the store, so a withdrawal or an objection is in force from the next request on.

Errors never echo a personal value: a malformed identity is named by its field, with what
is wrong in it (:func:`dataskydd.identity.given.redacted_reason`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from dataskydd import clock
from dataskydd.auth.tokens import PERMISSIONS_READ, TokenInfo
from dataskydd.consent.permissions import (
    Code,
    Decision,
    PermissionChecker,
    UnknownPurpose,
    checker_for,
)
from dataskydd.identity.given import GivenIdentityError, parse_given
from dataskydd.identity.kinds import IdentityKind
from dataskydd.web.auth import AUTH_RESPONSES, require_scope
from dataskydd.web.site import Site

router = APIRouter(prefix="/api/v1", tags=["permissions"])

PATH = "/api/v1/permissions"

# The identity fields, in the order they are read, with the kind each one is.
IDENTITY_FIELDS: tuple[tuple[str, IdentityKind], ...] = (
    ("personnummer", IdentityKind.PERSONNUMMER),
    ("samordningsnummer", IdentityKind.SAMORDNINGSNUMMER),
    ("email", IdentityKind.EMAIL),
    ("phone", IdentityKind.PHONE),
    ("customer_number", IdentityKind.CUSTOMER_NUMBER),
)
FIELD_NAMES = tuple(name for name, _ in IDENTITY_FIELDS)
MAX_IDENTITY = 320  # the longest e-mail address there can be
MAX_PURPOSE = 100

Authorised = Annotated[TokenInfo, Depends(require_scope(PERMISSIONS_READ))]


# -- the models (the OpenAPI description; the hot path writes the same JSON itself) ----------


class ReasonText(BaseModel):
    sv: str
    en: str


class PermissionReason(BaseModel):
    code: Code = Field(description="Stable machine code; branch on it, not on the text.")
    denies: bool = Field(description="This reason alone denies the purpose.")
    text: ReasonText = Field(description="The reason in words, for staff and for the person.")


class PermissionDecision(BaseModel):
    allowed: bool = Field(description="True when no reason denies.")
    purpose: str
    checked_at: datetime = Field(description="The instant the facts were read as of (UTC).")
    reasons: list[PermissionReason] = Field(
        description="Every reason that bears on the answer: the legal basis first, then "
        "consent, objection, suppression, restriction and erasure as they apply."
    )


def _identity(description: str) -> Any:
    return Field(default=None, max_length=MAX_IDENTITY, description=description)


class PermissionQuery(BaseModel):
    """The purpose and at least one identity of the person (several narrow nothing: the
    person is everyone any of them links to)."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(
        min_length=1, max_length=MAX_PURPOSE, description="A purpose key of the programme."
    )
    personnummer: str | None = _identity("Personnummer, in any written form (10 or 12 digits).")
    samordningsnummer: str | None = _identity("Samordningsnummer, in any written form.")
    email: str | None = _identity("E-mail address.")
    phone: str | None = _identity("Phone number (Swedish or E.164).")
    customer_number: str | None = _identity("Customer number.")


class ValidationItem(BaseModel):
    loc: list[str]
    msg: str
    type: str
    known: list[str] | None = Field(
        default=None, description="With unknown_purpose: the purposes there are."
    )


class ValidationProblem(BaseModel):
    detail: list[ValidationItem]


_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    422: {
        "model": ValidationProblem,
        "description": "A field is missing or malformed (named in `loc`, the value never "
        "echoed), no identity was given, or the purpose is not one of the programme's.",
    },
}


def _q(description: str) -> Any:
    return Query(max_length=MAX_IDENTITY, description=description)


# -- the routes ------------------------------------------------------------------------------


@router.get("/ping", tags=["health"], summary="A trivial answer (no store, no token)")
async def ping() -> dict[str, bool]:
    return {"ok": True}


@router.get(
    "/permissions",
    response_model=PermissionDecision,
    responses=_RESPONSES,
    summary="May this purpose process this person now? (prefer POST)",
    description="The identities in the query string. Prefer `POST` with a JSON body: "
    "identities in a URL end up in proxies' logs and browsers' histories.",
)
async def permission_get(
    request: Request,
    _token: Authorised,
    purpose: Annotated[
        str, Query(min_length=1, max_length=MAX_PURPOSE, description="A purpose key.")
    ],
    personnummer: Annotated[str | None, _q("Personnummer, any written form.")] = None,
    samordningsnummer: Annotated[str | None, _q("Samordningsnummer, any written form.")] = None,
    email: Annotated[str | None, _q("E-mail address.")] = None,
    phone: Annotated[str | None, _q("Phone number.")] = None,
    customer_number: Annotated[str | None, _q("Customer number.")] = None,
) -> JSONResponse:
    given = (personnummer, samordningsnummer, email, phone, customer_number)
    return await _answer(request, "query", purpose, given)


@router.post(
    "/permissions",
    response_model=PermissionDecision,
    responses=_RESPONSES,
    summary="May this purpose process this person now?",
    description="The same as `GET`, with the purpose and identities as a JSON body.",
)
async def permission_post(
    request: Request, _token: Authorised, query: PermissionQuery
) -> JSONResponse:
    given = tuple(getattr(query, name) for name in FIELD_NAMES)
    return await _answer(request, "body", query.purpose, given)


# -- shared ----------------------------------------------------------------------------------


def _problem(
    where: Literal["query", "body"], field: str | None, msg: str, kind: str, **extra: Any
) -> JSONResponse:
    loc = [where] if field is None else [where, field]
    return JSONResponse({"detail": [{"loc": loc, "msg": msg, "type": kind, **extra}]}, 422)


async def _answer(
    request: Request,
    where: Literal["query", "body"],
    purpose: str,
    given: tuple[str | None, ...],
) -> JSONResponse:
    site: Site = request.app.state.site
    checker = checker_for(site.programme)
    try:
        identities = parse_given(
            (name, kind, text) for (name, kind), text in zip(IDENTITY_FIELDS, given, strict=True)
        )
    except GivenIdentityError as error:
        return _problem(where, error.field, error.reason, "identity_invalid")
    if not identities:
        return _problem(
            where,
            None,
            "give at least one identity: " + ", ".join(FIELD_NAMES),
            "identity_missing",
        )
    try:
        checker.rule(purpose)
    except UnknownPurpose:
        # The value is not repeated: a caller may have put something personal in it by mistake.
        return _problem(
            where,
            "purpose",
            "not a purpose of the programme; the purposes are: " + ", ".join(checker.known),
            "unknown_purpose",
            known=checker.known,
        )
    now = clock.now()
    decision = await run_in_threadpool(_decide, site, checker, purpose, identities, now)
    return JSONResponse(_body(decision, now))


def _decide(
    site: Site,
    checker: PermissionChecker,
    purpose: str,
    identities: list[tuple[IdentityKind, str]],
    now: datetime,
) -> Decision:
    with site.engine.connect() as connection:
        return checker.check(connection, purpose, identities, now=now)


def _body(decision: Decision, now: datetime) -> dict[str, Any]:
    return {
        "allowed": decision.allowed,
        "purpose": decision.purpose,
        "checked_at": now.isoformat(),
        "reasons": [
            {
                "code": str(r.code),
                "denies": r.denies,
                "text": {"sv": r.text.sv, "en": r.text.en},
            }
            for r in decision.reasons
        ],
    }
