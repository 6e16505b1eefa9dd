"""Fixtures for the consent tests: the bundled programme, its checker and app stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from dataskydd.consent.permissions import PermissionChecker
from dataskydd.programme import Programme
from dataskydd.programme.loader import load_template
from dataskydd.store.engine import make_engine
from dataskydd.store.migrate import upgrade


@pytest.fixture
def programme() -> Programme:
    """The bundled swedish-lender programme (loaded once per process)."""
    return load_template("swedish-lender")


@pytest.fixture
def checker(programme: Programme) -> PermissionChecker:
    return PermissionChecker(programme)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """An engine on a migrated SQLite app store."""
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on a migrated PostgreSQL app store, with room for concurrent sessions."""
    upgrade(postgres_url)
    engine = make_engine(postgres_url, pool_size=10, max_overflow=10)
    yield engine
    engine.dispose()
