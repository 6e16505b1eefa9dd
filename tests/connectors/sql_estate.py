"""A small estate for the connector tests: the same tables and rows on every database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text, create_engine, text
from sqlalchemy import Connection as SAConnection

from dataskydd.connectors.factory import open_connector
from dataskydd.connectors.sql import SqlConnector
from dataskydd.datamap.schema import Connection, System, SystemKind

KINDS = {
    "sqlite": SystemKind.SQLITE,
    "postgres": SystemKind.POSTGRESQL,
    "mariadb": SystemKind.MARIADB,
}

metadata = MetaData()
people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("email", String(200)),
    Column("phone", String(40)),
    Column("name", String(100)),
    Column("notes", Text),
)
bulk = Table(
    "bulk",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("customer_number", String(20)),
    Column("email", String(200)),
)

PEOPLE: list[dict[str, Any]] = [
    {
        "id": 1,
        "email": "anna@example.se",
        "phone": "+46701234567",
        "name": "Anna",
        "notes": "Ringde om ANNA@EXAMPLE.SE",
    },
    {
        "id": 2,
        "email": "bo@example.se",
        "phone": "+46702222222",
        "name": "Bo",
        "notes": "100% nöjd",
    },
    {"id": 3, "email": "cia@example.se", "phone": None, "name": "Åsa", "notes": "1000 frågor; a_b"},
    {"id": 4, "email": None, "phone": "+46704444444", "name": "Dag", "notes": "axb"},
]


@dataclass
class Estate:
    """A database with the rows above, and how to reach it."""

    kind: str
    url: str
    engine: Engine  # a writing engine, for the tests' own setup

    def system(self, timeout_seconds: float = 10.0, key: str = "crm") -> System:
        return System(
            key=key,
            name="CRM",
            kind=KINDS[self.kind],
            connection=Connection(env="CRM_URL", timeout_seconds=timeout_seconds),
        )

    def connector(self, timeout_seconds: float = 10.0) -> SqlConnector:
        connector = open_connector(self.system(timeout_seconds), self.url)
        assert isinstance(connector, SqlConnector)
        return connector

    def execute(self, *statements: str) -> None:
        with self.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))


def open_estate(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    schema: MetaData,
    fill: Callable[[SAConnection], None],
) -> Iterator[Estate]:
    """A fresh database of the fixture's kind holding ``schema``, filled by ``fill``."""
    kind: str = request.param
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'estate.db'}"
    else:
        url = request.getfixturevalue(f"{kind}_url")
    engine = create_engine(url)
    schema.create_all(engine)
    with engine.begin() as connection:
        fill(connection)
    yield Estate(kind, url, engine)
    engine.dispose()
