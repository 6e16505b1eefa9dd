"""What every route of one app shares: the programme, the store and the page templates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dataskydd.programme.schema import Programme
from dataskydd.settings import Settings
from dataskydd.store.engine import session_scope

HERE = Path(__file__).parent


@dataclass
class Site:
    settings: Settings
    programme: Programme  # as loaded at start-up; pages show what is published
    engine: Engine
    templates: Jinja2Templates

    @property
    def key(self) -> str:
        return self.programme.programme.key

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.engine) as session:
            yield session


def get_site(request: Request) -> Site:
    """FastAPI dependency: the site of the app handling ``request``."""
    site: Site = request.app.state.site
    return site
