"""What the connected systems hold for a verified access or erasure request, before deciding.

The resolution runs on the configured data map (``DATASKYDD_DATAMAP``, else
``<data dir>/datamap``) with the request's own identities: per system, the rows found
(system, table, key, how they were reached, the categories they hold), and for an erasure the
proposed plan, row by row (erase or keep, with the rule, statute and the date it keeps until).
Values are shown only when asked for (``?values=1``). Only who may see the request sees
this page, and every look is audited as ``staff.viewed_request`` before anything is read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from dataskydd.cases.kinds import RequestKind, Status
from dataskydd.cases.sealed import Opened, open_request
from dataskydd.cases.withholding import OPEN_FOR_WITHHOLDING
from dataskydd.datamap.loader import LoadedDataMap, read_datamap
from dataskydd.programme.errors import ProgrammeInvalid
from dataskydd.retention import legal_holds
from dataskydd.rights.access import AnswerItem, WithholdReason, build_answer
from dataskydd.rights.erasure import ErasurePlan, Ground, GroundError
from dataskydd.rights.erasure_plan import ErasurePlanner
from dataskydd.rights.resolution import Resolution
from dataskydd.rights.service import Estate, find_person, open_estate
from dataskydd.store.engine import session_scope
from dataskydd.web.console.requests import SEE, record_view, visible
from dataskydd.web.console.session import PATH, ConsoleRoute, SiteDep, Staff, render, require
from dataskydd.web.console.texts import text
from dataskydd.web.site import Site

router = APIRouter(
    prefix=PATH,
    route_class=ConsoleRoute,
    include_in_schema=False,
    default_response_class=HTMLResponse,
)

Viewer = Annotated[Staff, Depends(require(*SEE))]
KINDS = frozenset({RequestKind.ACCESS, RequestKind.ERASURE})


@dataclass(frozen=True)
class PlanRow:
    ref: str
    action: str
    categories: list[str]
    reasons: list[str]  # the rules, statutes and dates that keep it, or what still needs it
    note: str | None


def datamap_dir(site: Site) -> Path:
    """Where the data map is looked for: the setting, else ``<data dir>/datamap``."""
    return site.settings.datamap or site.settings.data_dir / "datamap"


@router.get("/requests/{reference}/findings")
def findings(
    request: Request, reference: str, site: SiteDep, member: Viewer, values: str = ""
) -> Response:
    with_values = values == "1"
    page: dict[str, Any] = {"with_values": with_values, "items": {}, "plan": None}
    with session_scope(site.engine, write=True) as session:
        row = visible(session, reference, member)
        shown, kind = row.reference, RequestKind(row.kind)
        verified = row.verified_at is not None
        directory = datamap_dir(site)
        opened: Opened | None = None
        open_to_withhold = kind is RequestKind.ACCESS and Status(row.status) in OPEN_FOR_WITHHOLDING
        if kind in KINDS and verified and directory.is_dir():
            opened = open_request(row)
            page["withheld"] = {item["ref"]: item for item in opened.withheld}
            page["can_withhold"] = open_to_withhold
            view = "findings_with_values" if with_values else "findings"
            record_view(session, row, member, view)  # committed before anything is read
    title = text("findings_title", reference=shown)
    if kind not in KINDS:
        page["problem"] = text("findings_kinds")
    elif not verified:
        page["problem"] = text("findings_unverified")
    elif opened is None:
        page["problem"] = text("no_datamap", path=directory)
    else:
        page.update(_look(site, directory, kind, opened))
    return render(
        request,
        "console/findings.html",
        member,
        title=title,
        active="requests",
        reference=shown,
        kind=kind.value,
        reasons=[r.value for r in WithholdReason],
        **page,
    )


def _look(site: Site, directory: Path, kind: RequestKind, opened: Opened) -> dict[str, Any]:
    try:
        loaded: LoadedDataMap = read_datamap(directory, site.programme)
    except ProgrammeInvalid as invalid:
        return {"problem": text("datamap_invalid", count=len(invalid.errors))}
    page: dict[str, Any] = {}
    with open_estate(loaded.datamap, loaded.directory) as estate:
        try:
            resolution = find_person(estate, opened.identities)
        except ValueError as error:  # an identity the resolver refuses; never its value
            return {"problem": type(error).__name__}
        answer = build_answer(resolution, loaded.datamap, site.programme)
        by_system: dict[str, list[AnswerItem]] = defaultdict(list)
        for item in answer.items:
            by_system[f"{item.system_name} ({item.system})"].append(item)
        page["items"] = dict(by_system)
        page["failed"] = answer.failed_systems
        page["manual"] = answer.manual_systems
        if kind is RequestKind.ERASURE:
            page.update(_plan(site, estate, resolution, opened))
    return page


def _plan(site: Site, estate: Estate, resolution: Resolution, opened: Opened) -> dict[str, Any]:
    try:
        grounds = [Ground(g) for g in opened.payload.get("grounds") or ["consent_withdrawn"]]
    except ValueError:
        return {"plan_problem": text("plan_error", error="an unknown ground")}
    with session_scope(site.engine) as session:
        found = [(i.kind, i.value) for i in resolution.identities]
        holds = legal_holds.active_holds(session, [*opened.identities, *found])
    try:
        plan = ErasurePlanner(site.programme, estate).plan(resolution, grounds, legal_holds=holds)
    except GroundError as error:
        return {"plan_problem": text("plan_error", error=str(error))}
    return {"plan": plan, "plan_rows": _plan_rows(plan), "grounds": [g.value for g in grounds]}


def _plan_rows(plan: ErasurePlan) -> list[PlanRow]:
    rows = []
    for decision in plan.decisions:
        reasons = [
            " ".join(
                part
                for part in (
                    hold.key(),
                    f"({hold.statute})" if hold.statute else "",
                    hold.article,
                    text("until", date=hold.until) if hold.until else text("no_end"),
                )
                if part
            )
            for hold in decision.holds
        ]
        if decision.still_processed_for:
            purposes = ", ".join(decision.still_processed_for)
            reasons.append(text("still_processed", purposes=purposes))
        rows.append(
            PlanRow(
                decision.ref,
                decision.action.value,
                decision.categories,
                reasons,
                decision.note,
            )
        )
    return rows
