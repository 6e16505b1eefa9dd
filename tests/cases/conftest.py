"""Fixtures for the case tests: a migrated app store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from dataskydd.store.engine import make_engine
from dataskydd.store.migrate import upgrade


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    upgrade(store_url)
    engine = (
        make_engine(store_url, pool_size=10, max_overflow=10)
        if "postgresql" in store_url
        else make_engine(store_url)
    )
    yield engine
    engine.dispose()
