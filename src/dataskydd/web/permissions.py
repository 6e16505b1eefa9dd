"""``/api/v1/permissions``: may purpose P process person X now? And ``/api/v1/ping``.

Other systems ask before they process anyone: ``GET`` with the identities in the query, or
``POST`` with the same fields as a JSON body (preferred: identities stay out of URLs, and so
out of proxies' and browsers' histories; our own access log drops the query string, see
:mod:`dataskydd.web.logs`). The answer is allowed or denied with every reason
(:mod:`dataskydd.consent.permissions`). Facts about people are never cached: each request
reads the store, so a withdrawal or an objection is in force from the next request on.

Errors never echo a personal value: a malformed identity is named by its field, with what
is wrong in it (:func:`dataskydd.identity.given.redacted_reason`).

This is the hot path, and it is written for it: ``GET`` reads its query and its bearer
token itself (FastAPI's per-parameter validation cost as much as the check, its dependency
machinery a fifth of the route's time; the parameters and the security scheme are described
in the OpenAPI document by hand), looks the token up in the same read of the store as the
check (one hop to a read thread on PostgreSQL, :class:`dataskydd.web.reading.Reader`), and
writes the answer from JSON fragments rendered once per reason (a reason is one of a fixed
set per purpose). The token is judged before anything else is answered. The models below
describe the same JSON.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from dataskydd import clock
from dataskydd.auth import tokens
from dataskydd.auth.tokens import PERMISSIONS_READ, VerifiedToken
from dataskydd.consent.permissions import (
    Code,
    Decision,
    PermissionChecker,
    Reason,
    UnknownPurpose,
    checker_for,
)
from dataskydd.identity.given import GivenIdentityError, parse_given
from dataskydd.identity.kinds import IdentityKind
from dataskydd.rights.subjects import Canonical
from dataskydd.web.auth import AUTH_RESPONSES, SCHEME, DeferredBearer, require_scope
from dataskydd.web.reading import Reader
from dataskydd.web.site import Site

router = APIRouter(prefix="/api/v1", tags=["permissions"])

PATH = "/api/v1/permissions"

# The identity fields, in the order they are read, with the kind and description of each.
IDENTITY_FIELDS: tuple[tuple[str, IdentityKind, str], ...] = (
    ("personnummer", IdentityKind.PERSONNUMMER, "Personnummer, any written form (10/12 digits)."),
    ("samordningsnummer", IdentityKind.SAMORDNINGSNUMMER, "Samordningsnummer, any written form."),
    ("email", IdentityKind.EMAIL, "E-mail address."),
    ("phone", IdentityKind.PHONE, "Phone number (Swedish or E.164)."),
    ("customer_number", IdentityKind.CUSTOMER_NUMBER, "Customer number."),
)
FIELD_NAMES = tuple(name for name, _, _ in IDENTITY_FIELDS)
MAX_IDENTITY = 320  # the longest e-mail address there can be
MAX_PURPOSE = 100
PURPOSE_HELP = "A purpose key of the programme, or `storage` (always allowed, Art. 18(2))."
IDENTITIES_HELP = (
    "At least one identity is needed; several may be given, and the person is everyone any "
    "of them is recorded for."
)

Authorised = Annotated[VerifiedToken, Depends(require_scope(PERMISSIONS_READ))]
# GET reads its token itself and looks it up in the same read as the check (``_answer``).
BEARER = DeferredBearer(PERMISSIONS_READ)
Where = Literal["query", "body"]


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
        "suppression, objection, consent, erasure and restriction as they apply."
    )


class PermissionQuery(BaseModel):
    """The purpose and at least one identity of the person."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=MAX_PURPOSE, description=PURPOSE_HELP)
    personnummer: str | None = Field(None, max_length=MAX_IDENTITY)
    samordningsnummer: str | None = Field(None, max_length=MAX_IDENTITY)
    email: str | None = Field(None, max_length=MAX_IDENTITY)
    phone: str | None = Field(None, max_length=MAX_IDENTITY)
    customer_number: str | None = Field(None, max_length=MAX_IDENTITY)


class ValidationItem(BaseModel):
    loc: list[str | int] = Field(description='Where: `["query"|"body", field]`.')
    msg: str = Field(description="What is wrong; never the value itself.")
    type: str = Field(
        description="`missing`, `string_too_long`, `repeated`, `identity_invalid`, "
        "`identity_missing`, `unknown_purpose`, or a JSON body error."
    )
    known: list[str] | None = Field(
        default=None, description="With `unknown_purpose`: the purposes there are."
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

_QUERY_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "purpose",
        "in": "query",
        "required": True,
        "description": PURPOSE_HELP,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_PURPOSE},
    },
    *(
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": help_text,
            "schema": {"type": "string", "maxLength": MAX_IDENTITY},
        }
        for name, _, help_text in IDENTITY_FIELDS
    ),
]


# -- the routes ------------------------------------------------------------------------------


@router.get("/ping", tags=["health"], summary="A trivial answer (no store, no token)")
async def ping() -> dict[str, bool]:
    return {"ok": True}


@router.get(
    "/permissions",
    response_model=PermissionDecision,
    responses=_RESPONSES,
    summary="May this purpose process this person now? (prefer POST)",
    description="The purpose and identities in the query string. " + IDENTITIES_HELP + " "
    "Prefer `POST` with a JSON body: identities in a URL end up in proxies' logs and browsers' "
    "histories. Needs a token with the scope `permissions:read`.",
    # The bearer scheme is declared here, not by a dependency: FastAPI's dependency machinery
    # cost a fifth of this route's time (the token is read by BEARER below, the same check).
    openapi_extra={"parameters": _QUERY_PARAMETERS, "security": [{SCHEME: []}]},
)
async def permission_get(request: Request) -> Response:
    secret = BEARER.secret(request)
    query = request.query_params
    values: dict[str, str | None] = {}
    problem: Response | None = None
    for name in ("purpose", *FIELD_NAMES):
        given = query.getlist(name)
        limit = MAX_PURPOSE if name == "purpose" else MAX_IDENTITY
        if len(given) > 1:
            problem = _problem("query", name, f"give {name} once", "repeated")
        elif given and len(given[0]) > limit:
            problem = _problem(
                "query", name, f"String should have at most {limit} characters", "string_too_long"
            )
        if problem is not None:
            break
        values[name] = given[0] if given else None
    purpose = values.pop("purpose", None)
    if problem is None and purpose:
        return await _answer(request, "query", purpose, tuple(values.values()), secret)
    # The token is judged first: a caller without a valid one learns nothing from a 422.
    reader: Reader = request.app.state.reader
    BEARER.judge(await reader.run(tokens.verify, secret))
    return problem or _problem("query", "purpose", "Field required", "missing")


@router.post(
    "/permissions",
    response_model=PermissionDecision,
    responses=_RESPONSES,
    summary="May this purpose process this person now?",
    description="The same as `GET`, with the purpose and identities as a JSON body. "
    + IDENTITIES_HELP
    + " Needs a token with the scope `permissions:read`.",
)
async def permission_post(request: Request, _token: Authorised, query: PermissionQuery) -> Response:
    given = (query.personnummer, query.samordningsnummer, query.email, query.phone)
    return await _answer(request, "body", query.purpose, (*given, query.customer_number))


# -- shared ----------------------------------------------------------------------------------


def _problem(where: Where, field: str | None, msg: str, kind: str, **extra: Any) -> JSONResponse:
    loc = [where] if field is None else [where, field]
    return JSONResponse({"detail": [{"loc": loc, "msg": msg, "type": kind, **extra}]}, 422)


async def _answer(
    request: Request,
    where: Where,
    purpose: str,
    given: tuple[str | None, ...],
    secret: str | None = None,
) -> Response:
    """The decision, or the 422 that says what is wrong in the question.

    With ``secret`` (GET), the token is looked up in the same read as the check, and judged
    before anything is answered; without it (POST), the route's dependency judged it already.
    """
    site: Site = request.app.state.site
    reader: Reader = request.app.state.reader
    checker = checker_for(site.programme)
    problem: Response | None = None
    identities: list[Canonical] = []
    try:
        identities = parse_given(
            (name, kind, text) for (name, kind, _), text in zip(IDENTITY_FIELDS, given, strict=True)
        )
    except GivenIdentityError as error:
        problem = _problem(where, error.field, error.reason, "identity_invalid")
    if problem is None and not identities:
        problem = _problem(
            where, None, "give at least one identity: " + ", ".join(FIELD_NAMES), "identity_missing"
        )
    if problem is None:
        try:
            checker.rule(purpose)
        except UnknownPurpose:
            # The value is not repeated: a caller may have put something personal in it by mistake.
            problem = _problem(
                where,
                "purpose",
                "not a purpose of the programme; the purposes are: " + ", ".join(checker.known),
                "unknown_purpose",
                known=checker.known,
            )
    now = clock.now()
    if secret is None:
        if problem is not None:
            return problem
        decision = await reader.run(checker.check, purpose, identities, now=now)
    else:
        found, checked = await reader.run(
            _verify_and_check, secret, checker, purpose, None if problem else identities, now
        )
        BEARER.judge(found)
        if problem is not None:
            return problem
        assert checked is not None  # a valid token and a question always get a decision
        decision = checked
    return Response(render(decision, now), media_type="application/json")


def _verify_and_check(
    connection: Connection,
    secret: str,
    checker: PermissionChecker,
    purpose: str,
    identities: list[Canonical] | None,
    now: datetime,
) -> tuple[VerifiedToken | None, Decision | None]:
    """The token, and (when it may ask, and there is a question) the decision, in one read."""
    found = tokens.verify(connection, secret)
    if identities is None or found is None or not found.allows(BEARER.scope):
        return found, None
    return found, checker.check(connection, purpose, identities, now=now)


# -- the answer, from fragments rendered once ------------------------------------------------

_fragments: dict[int, tuple[Reason, bytes]] = {}
_fragments_lock = threading.Lock()


def _fragment(key: Reason, render_it: Any) -> bytes:
    """The JSON of a reason, rendered the first time it is asked for.

    Held with the object itself, so its id is not reused while cached; cleared when large (a
    long-lived process that reloaded its programme many times).
    """
    held = _fragments.get(id(key))
    if held is not None and held[0] is key:
        return held[1]
    rendered = json.dumps(render_it(key), ensure_ascii=False, separators=(",", ":")).encode()
    with _fragments_lock:
        if len(_fragments) > 10_000:
            _fragments.clear()
        _fragments[id(key)] = (key, rendered)
    return rendered


def _reason_json(reason: Reason) -> dict[str, Any]:
    return {
        "code": str(reason.code),
        "denies": reason.denies,
        "text": {"sv": reason.text.sv, "en": reason.text.en},
    }


def render(decision: Decision, checked_at: datetime) -> bytes:
    """The decision as the JSON of :class:`PermissionDecision`."""
    reasons = b",".join(_fragment(r, _reason_json) for r in decision.reasons)
    return b"".join(
        (
            b'{"allowed":true,"purpose":' if decision.allowed else b'{"allowed":false,"purpose":',
            json.dumps(decision.purpose, ensure_ascii=False).encode(),
            b',"checked_at":"',
            # As Pydantic writes a UTC instant (the rest of the API): ...T12:00:00.123456Z
            checked_at.astimezone(UTC).isoformat().replace("+00:00", "Z").encode(),
            b'","reasons":[',
            reasons,
            b"]}",
        )
    )
