"""``/api/v1/requests``: a data subject submits a request, follows it, verifies, downloads.

These endpoints are public by nature (the person has no account); each one after intake
needs the request's reference and the follow code handed out at intake, sent in the JSON
body, never in a URL. Answers never echo a personal value: errors name the field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from dataskydd.cases import answers, lifecycle, verification
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import CaseError, Channel, NotFound, RequestKind, Status
from dataskydd.cases.timeline import timeline
from dataskydd.store.case_tables import AnswerPackageRecord
from dataskydd.store.engine import session_scope
from dataskydd.web.site import Site

router = APIRouter(prefix="/api/v1", tags=["requests"])


class IdentityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, Field(max_length=30, description="personnummer, email, phone, …")]
    value: Annotated[str, Field(max_length=320)]


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: RequestKind
    identities: Annotated[list[IdentityIn], Field(min_length=1, max_length=6)]
    details: dict[str, Any] = Field(default_factory=dict)
    language: Literal["sv", "en"] = "sv"


class Submitted(BaseModel):
    reference: str
    follow_code: str = Field(description="Shown once: with the reference it follows the request.")
    status: Status
    due_date: date
    duplicate: bool


class FollowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: Annotated[str, Field(max_length=20)]
    follow_code: Annotated[str, Field(max_length=64)]


class CodeIn(FollowIn):
    code: Annotated[str, Field(max_length=20)]


class Step(BaseModel):
    at: str
    event: str


class Followed(BaseModel):
    reference: str
    kind: RequestKind
    status: Status
    due_date: date
    extended: bool
    answer_ready: bool
    steps: list[Step]


class Link(BaseModel):
    url: str
    expires_in_hours: int


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _unprocessable(error: CaseError) -> HTTPException:
    return HTTPException(status_code=422, detail=str(error))


@router.post("/requests", status_code=201, response_model=Submitted)
def create_request(body: RequestIn, request: Request) -> Submitted:
    """Submit a request (any right of notice section 7, consent withdrawal, a DPO contact)."""
    try:
        with session_scope(_site(request).engine, write=True) as session:
            done = submit(
                session,
                kind=body.kind,
                identities=[(i.kind, i.value) for i in body.identities],
                details=body.details,
                channel=Channel.API,
                language=body.language,
            )
    except CaseError as error:
        raise _unprocessable(error) from None
    return Submitted(
        reference=done.reference,
        follow_code=done.follow_token,
        status=done.status,
        due_date=done.due,
        duplicate=done.duplicate_of is not None,
    )


def _followed(site: Site, body: FollowIn) -> Followed:
    with session_scope(site.engine) as session:
        try:
            row = lifecycle.by_reference(session, body.reference, body.follow_code)
        except NotFound as error:
            raise HTTPException(status_code=404, detail=str(error)) from None
        package = session.get(AnswerPackageRecord, row.id)
        return Followed(
            reference=row.reference,
            kind=RequestKind(row.kind),
            status=Status(row.status),
            due_date=lifecycle.due(row),
            extended=row.extended_due_date is not None,
            answer_ready=package is not None and package.downloaded_at is None,
            steps=[
                Step(at=e.at.isoformat(timespec="seconds"), event=e.event)
                for e in timeline(session, row.id)
            ],
        )


@router.post("/requests/follow", response_model=Followed)
def follow_request(body: FollowIn, request: Request) -> Followed:
    """Where a request stands, by its reference and follow code."""
    return _followed(_site(request), body)


@router.post("/requests/verification", status_code=202)
def send_code(body: FollowIn, request: Request) -> dict[str, str]:
    """E-mail a one-time code to the request's contact address."""
    site = _site(request)
    try:
        with session_scope(site.engine, write=True) as session:
            row = lifecycle.by_reference(session, body.reference, body.follow_code)
            address, code = verification.start_email(session, row)
            language, reference = row.language, row.reference
    except NotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except CaseError as error:
        raise _unprocessable(error) from None
    verification.send(address, code, language, reference)
    return {"status": "sent"}


@router.post("/requests/verification/check")
def check_code(body: CodeIn, request: Request) -> dict[str, str]:
    """Check the e-mailed code; a right one verifies the request's identity."""
    try:
        with session_scope(_site(request).engine, write=True) as session:
            row = lifecycle.by_reference(session, body.reference, body.follow_code)
            outcome = verification.check_email(session, row, body.code)
    except NotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except CaseError as error:
        raise _unprocessable(error) from None
    if outcome != "ok":
        raise HTTPException(status_code=422, detail=f"code: {outcome}")
    return {"status": "verified"}


@router.post("/requests/download-link", response_model=Link)
def download_link(body: FollowIn, request: Request) -> Link:
    """A single-use link to the answer, valid for 24 hours."""
    try:
        with session_scope(_site(request).engine, write=True) as session:
            row = lifecycle.by_reference(session, body.reference, body.follow_code)
            token = answers.issue_link(session, row)
    except NotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except CaseError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    hours = int(answers.LINK_VALID_FOR.total_seconds() // 3600)
    return Link(url=f"/api/v1/answers/{token}", expires_in_hours=hours)


@router.get("/answers/{token}", response_class=Response)
def download_answer(token: Annotated[str, Field(max_length=100)], request: Request) -> Response:
    """The answer package; the link works once."""
    try:
        with session_scope(_site(request).engine, write=True) as session:
            got = answers.download(session, token)
    except CaseError as error:
        raise HTTPException(status_code=410, detail=str(error)) from None
    return Response(
        got.content,
        media_type=got.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{got.filename}"',
            "Cache-Control": "no-store",
        },
    )
