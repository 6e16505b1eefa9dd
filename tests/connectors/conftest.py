"""One small estate on each real database: the same rows in SQLite, PostgreSQL and MariaDB.

``mariadb_url`` (a fresh database per test on the MariaDB server) comes from the root
conftest, next to ``postgres_url``; both fail instead of skipping when ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sql_estate import PEOPLE, Estate, metadata, people
from sqlalchemy import create_engine, insert, text

from dataskydd.connectors.sql import SqlConnector

DATABASES = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
]


@pytest.fixture(params=DATABASES)
def estate(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Estate]:
    """The rows above in a fresh database: once on each of SQLite, PostgreSQL and MariaDB."""
    kind: str = request.param
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'crm.db'}"
    else:
        url = request.getfixturevalue(f"{kind}_url")
    engine = create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(people), PEOPLE)
        connection.execute(text("CREATE VIEW people_emails AS SELECT id, email FROM people"))
    yield Estate(kind, url, engine)
    engine.dispose()


@pytest.fixture
def connector(estate: Estate) -> Iterator[SqlConnector]:
    connector = estate.connector()
    yield connector
    connector.close()
