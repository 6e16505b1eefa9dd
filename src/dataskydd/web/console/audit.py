"""The audit log, newest first, a page at a time, and verifying its hash chain.

The log holds no personal data in clear (a person is their ``subject_ref``), so the auditor
reads it as it is. "Verify chain" walks the whole chain (:func:`dataskydd.audit.log.verify`)
and shows the result with the head hash to compare with an anchored copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from dataskydd.audit import log as audit_log
from dataskydd.auth.roles import Permission
from dataskydd.store.tables import AuditEventRecord
from dataskydd.web.console.session import (
    PATH,
    ConsoleRoute,
    SiteDep,
    Staff,
    posting,
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

Auditor = Annotated[Staff, Depends(require(Permission.AUDIT_VIEW))]
Verifier = Annotated[Staff, Depends(posting(Permission.AUDIT_VERIFY))]
PAGE_SIZE = 50
MAX_PAGE = 10_000_000


@dataclass(frozen=True)
class Shown:
    seq: int
    at: str
    actor: str
    action: str
    subject_ref: str | None
    details: str
    hash: str


@router.get("/audit")
def audit_page(request: Request, site: SiteDep, member: Auditor, page: int = 1) -> Response:
    return _page(request, site, member, max(1, min(page, MAX_PAGE)))


@router.post("/audit/verify")
def verify_chain(request: Request, site: SiteDep, member: Verifier) -> Response:
    with site.session() as session:
        result = audit_log.verify(session)
        head = audit_log.head(session)
    return _page(request, site, member, 1, verification=result, head=head)


def _page(
    request: Request,
    site: Site,
    member: Staff,
    page: int,
    *,
    verification: audit_log.Verification | None = None,
    head: audit_log.Head | None = None,
) -> Response:
    with site.session() as session:
        top = audit_log.head(session)
        count = audit_log.count(session)
        entries: list[Shown] = []
        if top is not None:
            upper = top.seq - (page - 1) * PAGE_SIZE
            rows = session.execute(
                select(
                    AuditEventRecord.seq,
                    AuditEventRecord.at,
                    AuditEventRecord.actor,
                    AuditEventRecord.action,
                    AuditEventRecord.subject_ref,
                    AuditEventRecord.details,
                    AuditEventRecord.hash,
                )
                .where(AuditEventRecord.seq <= upper)
                .order_by(AuditEventRecord.seq.desc())
                .limit(PAGE_SIZE)
            ).all()
            entries = [
                Shown(
                    seq,
                    at.isoformat(timespec="seconds"),
                    actor,
                    action,
                    subject_ref,
                    json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
                    digest,
                )
                for seq, at, actor, action, subject_ref, details, digest in rows
            ]
    pages = max(1, -(-count // PAGE_SIZE))
    return render(
        request,
        "console/audit.html",
        member,
        title=text("audit_title"),
        active="audit",
        entries=entries,
        page=page,
        pages=pages,
        count=count,
        can_verify=member.may(Permission.AUDIT_VERIFY),
        verification=verification,
        head=head,
    )
