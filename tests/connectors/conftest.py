"""One small estate on each real database: the same rows in SQLite, PostgreSQL and MariaDB.

``mariadb_url`` (a fresh database per test on the MariaDB server) comes from the root
conftest, next to ``postgres_url``; both fail instead of skipping when ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sql_estate import PEOPLE, Estate, metadata, open_estate, people
from sqlalchemy import Connection as SAConnection
from sqlalchemy import insert, text

from dataskydd.connectors.sql import SqlConnector

DATABASES = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
]


@pytest.fixture(params=DATABASES)
def estate(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Estate]:
    """The rows above in a fresh database: once on each of SQLite, PostgreSQL and MariaDB."""

    def fill(connection: SAConnection) -> None:
        connection.execute(insert(people), PEOPLE)
        connection.execute(text("CREATE VIEW people_emails AS SELECT id, email FROM people"))

    yield from open_estate(request, tmp_path, metadata, fill)


@pytest.fixture
def connector(estate: Estate) -> Iterator[SqlConnector]:
    connector = estate.connector()
    yield connector
    connector.close()
