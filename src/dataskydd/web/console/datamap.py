"""The data map as engineers and the DPO read it: systems, their tables, each column's category.

Structure only: nothing here opens a connection or reads a row. A data map that does not load
is shown as its list of errors, each with its file and line.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from dataskydd.auth.roles import Permission
from dataskydd.datamap.loader import read_datamap
from dataskydd.datamap.schema import SystemMap
from dataskydd.programme.errors import ProgrammeInvalid
from dataskydd.web.console.findings import datamap_dir
from dataskydd.web.console.session import PATH, ConsoleRoute, SiteDep, Staff, render, require
from dataskydd.web.console.texts import text

router = APIRouter(
    prefix=PATH,
    route_class=ConsoleRoute,
    include_in_schema=False,
    default_response_class=HTMLResponse,
)

Engineer = Annotated[Staff, Depends(require(Permission.DATAMAP_VIEW))]


@router.get("/datamap")
def datamap_page(request: Request, site: SiteDep, member: Engineer) -> Response:
    directory = datamap_dir(site)
    systems: list[SystemMap] = []
    errors: list[str] = []
    problem = None
    if not directory.is_dir():
        problem = text("datamap_none", path=directory)
    else:
        try:
            loaded = read_datamap(directory, site.programme)
        except ProgrammeInvalid as invalid:
            problem = text("datamap_invalid", count=len(invalid.errors))
            errors = [str(error) for error in invalid.errors]
        else:
            systems = sorted(loaded.datamap.systems.values(), key=lambda s: s.system.key)
    labels = {c.key: c.label.get("en") for c in site.programme.categories}
    return render(
        request,
        "console/datamap.html",
        member,
        title=text("datamap_title"),
        active="datamap",
        systems=systems,
        problem=problem,
        errors=errors,
        labels=labels,
    )
