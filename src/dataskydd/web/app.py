"""The app factory: load the programme, prepare the store, assemble the routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.convertors import register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException

from dataskydd import __version__
from dataskydd.programme import Programme, load_programme, load_template
from dataskydd.programme.notice import render_markdown
from dataskydd.programme.text import LANGUAGES
from dataskydd.settings import Settings, get_settings
from dataskydd.store import migrate, versions
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.web import apidocs, logs, texts
from dataskydd.web.language import LanguageConvertor
from dataskydd.web.reading import Reader
from dataskydd.web.security import SecurityHeaders
from dataskydd.web.site import HERE, Site

log = logging.getLogger("dataskydd.web")

PUBLISHED_BY = "dataskydd (published at start-up)"


def create_app(settings: Settings | None = None, programme: Programme | None = None) -> FastAPI:
    """The web app for ``programme`` (default: the configured one or the bundled template)."""
    settings = settings or get_settings()
    if programme is None:
        programme = (
            load_programme(settings.programme)
            if settings.programme
            else load_template(settings.template)
        )
    url = settings.effective_database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    publish_if_new(engine, programme)

    reader = Reader(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        consumer = None
        if settings.jobs_in_process:
            from dataskydd.jobs.queue import Jobs

            jobs = Jobs(settings)
            consumer = jobs.consumer(workers=2, in_process=True)
            consumer.start()
            jobs.reconcile()
        yield
        if consumer is not None:
            consumer.stop(graceful=True)
        reader.close()
        engine.dispose()

    app = FastAPI(
        title="dataskydd",
        summary="The published privacy notice and privacy programme, as data.",
        version=__version__,
        docs_url=None,  # our own page: the default one needs an inline script
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    templates.env.globals.update(app_version=__version__, long_date=texts.long_date)
    app.state.site = Site(settings, programme, engine, templates)
    app.state.reader = reader  # the permission check's hot path (web/reading.py)

    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(StarletteHTTPException, _not_found)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    logs.install()  # no query strings (identities) in the access log, however we are started
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    apidocs.mount_assets(app)

    # Imported here: the routers need the path convertor registered first.
    register_url_convertor("lang", LanguageConvertor())
    from dataskydd.web import api, health, pages, permissions, privacy_centre, requests_api
    from dataskydd.web.console import routers as console_routers

    app.include_router(health.router)
    app.include_router(api.router)
    app.include_router(permissions.router)
    app.include_router(requests_api.router)
    app.include_router(apidocs.router)
    app.include_router(privacy_centre.router)
    for console_router in console_routers:
        app.include_router(console_router)
    app.include_router(pages.router)
    return app


def publish_if_new(engine: Engine, programme: Programme) -> None:
    """Publish the programme's notice version (a no-op if it is), so the history is never empty."""
    with session_scope(engine, write=True) as session:
        markdown = {language: render_markdown(programme, language) for language in LANGUAGES}
        try:
            versions.publish(
                session, programme, notice_markdown=markdown, published_by=PUBLISHED_BY
            )
        except versions.VersionConflict as conflict:
            # Someone published this version first, with other content: serve what is published.
            log.warning("not publishing at start-up: %s", conflict)


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code != 404 or request.url.path.startswith("/api/"):
        return await http_exception_handler(request, exc)
    from dataskydd.web.pages import not_found_page

    return not_found_page(request, exc.detail)


async def _invalid_request(_request: Request, exc: Exception) -> Response:
    """FastAPI's 422 without the rejected input: a malformed field may hold personal data.

    Each error keeps where (``loc``), what is wrong (``msg``) and its ``type``; Pydantic's
    ``input`` and ``ctx`` (which may quote the value) are dropped.
    """
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
