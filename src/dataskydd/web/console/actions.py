"""The steps a handler takes on a request, each a POST form with the session's CSRF token.

Verify (staff verification, with a note saying how), assign (the DPO gives the request to a
handler), assess, approve (then a worker is asked to carry it out), deny with the reason the
person is told, extend by one or two months with a reason, withdraw. Each step is taken by
:mod:`dataskydd.cases.lifecycle`, which checks the state, writes the timeline and the audit
log; here only who may take it: the permission, and the need-to-know rule on the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from dataskydd.auth.roles import Permission
from dataskydd.cases import lifecycle, withholding
from dataskydd.cases.kinds import CaseError
from dataskydd.store.engine import session_scope
from dataskydd.web.console.requests import active_handlers, show_request, visible
from dataskydd.web.console.session import (
    PATH,
    ConsoleRoute,
    SiteDep,
    Staff,
    posting,
    see_other,
)
from dataskydd.web.console.texts import text
from dataskydd.web.site import Site

log = logging.getLogger("dataskydd.web.console")

router = APIRouter(
    prefix=PATH,
    route_class=ConsoleRoute,
    include_in_schema=False,
    default_response_class=HTMLResponse,
)

Decider = Annotated[Staff, Depends(posting(Permission.REQUESTS_DECIDE))]
Assigner = Annotated[Staff, Depends(posting(Permission.REQUESTS_ASSIGN))]
Text = Annotated[str, Form()]
MAX_NOTE = 2000
Step = Callable[[Session, str], object]


@router.post("/requests/{reference}/verify")
def verify(
    request: Request, reference: str, site: SiteDep, member: Decider, note: Text = ""
) -> Response:
    def step(session: Session, request_id: str) -> object:
        return lifecycle.verify(session, request_id, method="staff", by=member.name, note=note)

    return _take(request, site, member, reference, note, step, "verified")


@router.post("/requests/{reference}/assess")
def assess(
    request: Request, reference: str, site: SiteDep, member: Decider, note: Text = ""
) -> Response:
    def step(session: Session, request_id: str) -> object:
        return lifecycle.assess(session, request_id, by=member.name, note=note.strip() or None)

    return _take(request, site, member, reference, note, step, "assessed")


@router.post("/requests/{reference}/approve")
def approve(
    request: Request, reference: str, site: SiteDep, member: Decider, note: Text = ""
) -> Response:
    approved: list[str] = []

    def step(session: Session, request_id: str) -> object:
        approved.append(request_id)
        return lifecycle.approve(session, request_id, by=member.name, note=note.strip() or None)

    answer = _take(request, site, member, reference, note, step, "approved")
    if answer.status_code == 303 and approved:
        enqueue(request, site, approved[0])
    return answer


@router.post("/requests/{reference}/deny")
def deny(
    request: Request, reference: str, site: SiteDep, member: Decider, reason: Text = ""
) -> Response:
    def step(session: Session, request_id: str) -> object:
        return lifecycle.deny(session, request_id, by=member.name, reason=reason)

    return _take(request, site, member, reference, reason, step, "denied")


@router.post("/requests/{reference}/extend")
def extend(
    request: Request,
    reference: str,
    site: SiteDep,
    member: Decider,
    months: Text = "",
    reason: Text = "",
) -> Response:
    if months.strip() not in ("1", "2"):
        return show_request(
            request, site, member, reference, error=text("months_rule"), status_code=422
        )
    due: list[str] = []

    def step(session: Session, request_id: str) -> object:
        row = lifecycle.extend(
            session, request_id, months=int(months), reason=reason, by=member.name
        )
        due.append(str(row.extended_due_date))
        return row

    answer = _take(request, site, member, reference, reason, step, "extended")
    if due and answer.status_code == 303:
        answer.headers["Location"] += f"&due={due[0]}"
    return answer


@router.post("/requests/{reference}/withhold")
def withhold(
    request: Request,
    reference: str,
    site: SiteDep,
    member: Decider,
    ref: Text = "",
    reason: Text = "",
    note: Text = "",
) -> Response:
    """Keep one item of an access answer out of it, with the reason and a note."""

    def step(session: Session, request_id: str) -> object:
        return withholding.withhold(
            session, request_id, ref=ref, reason=reason, note=note, by=member.name
        )

    return _take(request, site, member, reference, note, step, "withheld")


@router.post("/requests/{reference}/withdraw")
def withdraw(request: Request, reference: str, site: SiteDep, member: Decider) -> Response:
    def step(session: Session, request_id: str) -> object:
        return lifecycle.withdraw(session, request_id, by=member.name)

    return _take(request, site, member, reference, "", step, "withdrawn")


@router.post("/requests/{reference}/assign")
def assign(
    request: Request, reference: str, site: SiteDep, member: Assigner, to: Text = ""
) -> Response:
    with site.session() as session:
        handlers = {username for username, _ in active_handlers(session)}
    if to not in handlers:
        return show_request(
            request, site, member, reference, error=text("no_handler"), status_code=422
        )

    def step(session: Session, request_id: str) -> object:
        return lifecycle.assign(session, request_id, to=to, by=member.name)

    answer = _take(request, site, member, reference, "", step, "assigned")
    if answer.status_code == 303:
        answer.headers["Location"] += f"&to={to}"
    return answer


def _take(
    request: Request,
    site: Site,
    member: Staff,
    reference: str,
    note: str,
    step: Step,
    done: str,
) -> Response:
    """Take ``step`` on the request if ``member`` may see it; the page again if it cannot be."""
    if len(note) > MAX_NOTE:
        error = f"note: at most {MAX_NOTE} characters"
        return show_request(request, site, member, reference, error=error, status_code=422)
    try:
        with session_scope(site.engine, write=True) as session:
            row = visible(session, reference, member, lock=True)
            step(session, row.id)
            shown = row.reference
    except CaseError as error:
        # The message names the state or the field, never a personal value.
        return show_request(request, site, member, reference, error=str(error), status_code=409)
    return see_other(f"{PATH}/requests/{shown}?done={done}")


def enqueue(request: Request, site: Site, request_id: str) -> None:
    """Ask a worker to carry out an approved request. A failure here is only logged: the
    request is decided in the store, and the reconciler queues every decided request."""
    try:
        jobs = getattr(request.app.state, "console_jobs", None)
        if jobs is None:
            from dataskydd.jobs.queue import Jobs  # the broker is opened on first approval

            jobs = request.app.state.console_jobs = Jobs(site.settings)
        jobs.enqueue(request_id)
    except Exception as error:  # the reconciler catches it up; never fail the approval
        log.warning(
            "approved request %s was not queued (%s); the reconciler will queue it",
            request_id,
            type(error).__name__,
        )
