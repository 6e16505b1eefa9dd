"""``/healthz``: is the store reachable, and which programme version is served."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dataskydd.store import versions
from dataskydd.web.site import Site, get_site

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "error"]
    store: Literal["ok", "unreachable"]
    programme: str  # "<key> <version>" of the version in effect (or the loaded one)


@router.api_route(
    "/healthz", methods=["GET", "HEAD"], response_model=Health, responses={503: {"model": Health}}
)
def healthz(site: Annotated[Site, Depends(get_site)]) -> JSONResponse:
    loaded = f"{site.key} {site.programme.notice.version}"
    try:
        with site.session() as session:
            session.execute(text("SELECT 1"))
            current = versions.version_in_effect(session, site.key)
    except SQLAlchemyError:
        body = Health(status="error", store="unreachable", programme=loaded)
        return JSONResponse(body.model_dump(), status_code=503)
    programme = f"{site.key} {current.version}" if current else loaded
    return JSONResponse(Health(status="ok", store="ok", programme=programme).model_dump())
