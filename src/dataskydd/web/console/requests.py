"""The requests: the open ones by due date, and one request with its personal data.

Seeing a request means seeing its personal data, so both pages follow the need-to-know rule
(:func:`dataskydd.auth.roles.can_see_request`): the DPO sees every request, a handler only
those assigned to them, nobody else any. The list holds no personal data; the detail page
opens the sealed identities and payload, and every time it is shown the audit log gets
``staff.viewed_request`` (which request, which page; never a value).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataskydd.audit import log as audit_log
from dataskydd.auth.roles import Permission, Role
from dataskydd.auth.staff import list_users
from dataskydd.cases import lifecycle
from dataskydd.cases.kinds import ALLOWED_FROM, CLOSED, Status
from dataskydd.cases.sealed import open_request
from dataskydd.cases.timeline import timeline
from dataskydd.clock import LOCAL_ZONE
from dataskydd.rights.deadlines import days_left, extension_allowed
from dataskydd.store.case_tables import RightsRequestRecord
from dataskydd.store.engine import session_scope
from dataskydd.web.console.session import (
    PATH,
    ConsoleError,
    ConsoleRoute,
    SiteDep,
    Staff,
    render,
    require,
)
from dataskydd.web.console.texts import text
from dataskydd.web.site import Site

router = APIRouter(
    prefix=PATH,
    route_class=ConsoleRoute,
    include_in_schema=False,
    default_response_class=HTMLResponse,
)

SEE = (Permission.REQUESTS_VIEW_ALL, Permission.REQUESTS_VIEW_ASSIGNED)
Viewer = Annotated[Staff, Depends(require(*SEE))]
VIEWED = "staff.viewed_request"

# What a step's redirect may say: ?done=KEY shows this text (anything else shows nothing).
DONE = {
    "verified": ("done", {"status": "verified"}),
    "assessed": ("done", {"status": "assessed"}),
    "approved": ("enqueued", {}),
    "denied": ("done", {"status": "denied"}),
    "withdrawn": ("done", {"status": "withdrawn"}),
    "withheld": ("withheld_done", {}),
}


@dataclass(frozen=True)
class ListRow:
    reference: str
    kind: str
    status: str
    channel: str
    received: date
    due: date
    days_left: int
    assignee: str | None

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@router.get("/requests")
def request_list(request: Request, site: SiteDep, member: Viewer) -> Response:
    due = func.coalesce(RightsRequestRecord.extended_due_date, RightsRequestRecord.due_date)
    query = (
        select(RightsRequestRecord)
        .where(RightsRequestRecord.status.not_in([s.value for s in CLOSED]))
        .order_by(due, RightsRequestRecord.received_at)
    )
    if not member.may(Permission.REQUESTS_VIEW_ALL):
        query = query.where(RightsRequestRecord.assignee == member.name)
    with site.session() as session:
        rows = [
            ListRow(
                r.reference,
                r.kind,
                r.status,
                r.channel,
                r.received_at.astimezone(LOCAL_ZONE).date(),
                lifecycle.due(r),
                days_left(lifecycle.due(r)),
                r.assignee,
            )
            for r in session.scalars(query)
            if member.sees(r.assignee)  # the rule itself, again, whatever the query said
        ]
    return render(
        request,
        "console/requests.html",
        member,
        title=text("requests_title"),
        active="requests",
        rows=rows,
    )


@router.get("/requests/{reference}")
def request_detail(
    request: Request, reference: str, site: SiteDep, member: Viewer, done: str = ""
) -> Response:
    said = DONE.get(done)
    message = text(said[0], **said[1]) if said else None
    if done == "assigned":
        message = text("assigned_done", to=request.query_params.get("to", "")[:80])
    if done == "extended":
        message = text("extended_done", date=request.query_params.get("due", "")[:10])
    return show_request(request, site, member, reference, message=message)


def visible(
    session: Session, reference: str, member: Staff, *, lock: bool = False
) -> RightsRequestRecord:
    """The request ``reference``, if ``member`` may see it: 404 if there is none, else 403."""
    found = session.scalars(
        select(RightsRequestRecord.id).where(
            RightsRequestRecord.reference == reference.strip().upper()[:20]
        )
    ).first()
    if found is None:
        raise ConsoleError(404, "no_request", member)
    row = lifecycle.load(session, found, lock=lock)
    if not member.sees(row.assignee):
        raise ConsoleError(403, "forbidden", member)
    return row


def record_view(session: Session, row: RightsRequestRecord, member: Staff, view: str) -> None:
    """Audit one look at a request's personal data: who, which request, which page."""
    audit_log.append(
        session,
        member.name,
        VIEWED,
        {"request": row.id, "view": view, "role": member.user.role.value},
        subject_ref=row.subject_ref,
    )


def show_request(
    request: Request,
    site: Site,
    member: Staff,
    reference: str,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The request with its personal data, timeline and the steps open to ``member``."""
    with session_scope(site.engine, write=True) as session:
        row = visible(session, reference, member)
        opened = open_request(row)
        events = timeline(session, row.id)
        facts = _facts(row)
        handlers = active_handlers(session) if member.may(Permission.REQUESTS_ASSIGN) else []
        record_view(session, row, member, "detail")
    return render(
        request,
        "console/request.html",
        member,
        title=text("request_title", reference=facts["reference"]),
        active="requests",
        request_facts=facts,
        identities=[(kind.value, value) for kind, value in opened.identities],
        payload=[(key, _shown(value)) for key, value in sorted(opened.payload.items())],
        decision_note=opened.decision_note,
        extension_reason=opened.extension_reason,
        events=events,
        steps=_steps(facts, member),
        handlers=handlers,
        message=message,
        error=error,
        status_code=status_code,
    )


def _facts(row: RightsRequestRecord) -> dict[str, Any]:
    due = lifecycle.due(row)
    return {
        "reference": row.reference,
        "kind": row.kind,
        "status": row.status,
        "channel": row.channel,
        "language": row.language,
        "received": row.received_at,
        "due": due,
        "days_left": days_left(due),
        "extended": row.extended_due_date,
        "assignee": row.assignee,
        "verified_at": row.verified_at,
        "verification_method": row.verification_method,
        "verified_by": row.verified_by,
        "decision": row.decision,
        "decided_by": row.decided_by,
        "duplicate_of": row.duplicate_of,
        "last_error": row.last_error,
        "can_extend": row.extended_due_date is None and extension_allowed(row.received_at),
    }


def _steps(facts: dict[str, Any], member: Staff) -> set[str]:
    """The steps whose forms the page shows: those the state allows and the role may take."""
    status = Status(facts["status"])
    steps: set[str] = set()
    if status in CLOSED:
        return steps
    if member.may(Permission.REQUESTS_ASSIGN):
        steps.add("assign")
    if member.may(Permission.REQUESTS_DECIDE):
        steps.update(step for step, origins in ALLOWED_FROM.items() if status in origins)
        steps.discard("execute")
        steps.discard("answer")
        if facts["can_extend"]:
            steps.add("extend")
    return steps


def active_handlers(session: Session) -> list[tuple[str, str]]:
    """Active handler accounts (username, display name): whom a request can be given to."""
    return [
        (a.user.username, a.user.display_name)
        for a in list_users(session)
        if a.user.role is Role.HANDLER and a.disabled_at is None
    ]


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
