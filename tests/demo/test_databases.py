"""The estate builds the same on PostgreSQL and MariaDB as on SQLite, and is a real estate there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from demo_estate import Built, build_on_day
from sqlalchemy.engine import make_url

from dataskydd.datamap.schema import SystemKind, SystemMap
from dataskydd.demo.planted import ANNA
from dataskydd.demo.systems import SYSTEM_KEYS

PERSONS = 400


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_on_day(tmp_path_factory.mktemp("sqlite"), persons=PERSONS)


def everywhere(url: str) -> dict[str, str | None]:
    """Every system in one database: their table names do not collide."""
    return dict.fromkeys(SYSTEM_KEYS, url)


@pytest.mark.postgres
def test_on_postgresql_the_estate_has_the_same_rows_as_on_sqlite(
    on_sqlite: Built, postgres_url: str, tmp_path: Path
) -> None:
    built = build_on_day(tmp_path, persons=PERSONS, urls=everywhere(postgres_url))
    assert built.counts() == on_sqlite.counts()
    assert built.rows("core", "customers") == on_sqlite.rows("core", "customers")
    assert SystemMap.model_validate(_yaml(built, "core")).system.kind is SystemKind.POSTGRESQL


@pytest.mark.mariadb
def test_on_mariadb_the_estate_has_the_same_rows_as_on_sqlite(
    on_sqlite: Built, mariadb_url: str, tmp_path: Path
) -> None:
    built = build_on_day(tmp_path, persons=PERSONS, urls=everywhere(mariadb_url))
    assert built.counts() == on_sqlite.counts()
    assert built.rows("recruitment", "applicants") == on_sqlite.rows("recruitment", "applicants")
    assert SystemMap.model_validate(_yaml(built, "website")).system.kind is SystemKind.MARIADB


@pytest.mark.postgres
@pytest.mark.mariadb
def test_each_system_can_live_in_its_own_database(
    on_sqlite: Built, postgres_databases: dict[str, str], mariadb_url: str, tmp_path: Path
) -> None:
    urls: dict[str, str | None] = {"core": postgres_databases["core"], "crm": mariadb_url}
    urls["website"] = postgres_databases["website"]
    built = build_on_day(tmp_path, persons=PERSONS, urls=urls)
    assert built.counts() == on_sqlite.counts()
    kinds = {key: SystemMap.model_validate(_yaml(built, key)).system.kind for key in SYSTEM_KEYS}
    assert kinds == {
        "core": SystemKind.POSTGRESQL,
        "crm": SystemKind.MARIADB,
        "marketing": SystemKind.SQLITE,
        "recruitment": SystemKind.SQLITE,
        "website": SystemKind.POSTGRESQL,
    }


@pytest.mark.postgres
def test_on_postgresql_keys_indexes_and_serials_work_as_in_production(
    postgres_url: str, tmp_path: Path
) -> None:
    build_on_day(tmp_path, persons=PERSONS, urls=everywhere(postgres_url))
    engine = sa.create_engine(postgres_url)
    try:
        inspector = sa.inspect(engine)
        assert {fk["referred_table"] for fk in inspector.get_foreign_keys("collateral")} == {
            "loans"
        }
        indexed = {i["column_names"][0] for i in inspector.get_indexes("customers")}
        assert {"personnummer", "email", "phone", "orgnr"} <= indexed
        with engine.begin() as connection:
            found = connection.execute(
                sa.text("SELECT name FROM customers WHERE personnummer = :pnr"),
                {"pnr": ANNA.personnummer},
            ).scalar_one()
            assert found == ANNA.name
            highest = connection.execute(sa.text("SELECT MAX(id) FROM contact_forms")).scalar_one()
            # A new row takes the next id: the serial was moved past the loaded rows.
            new = connection.execute(
                sa.text(
                    "INSERT INTO contact_forms (submitted_at, name, email, message) "
                    "VALUES (:at, 'Ny Besökare', 'ny@example.com', 'Hej') RETURNING id"
                ),
                {"at": datetime(2026, 11, 26, 12)},
            ).scalar_one()
            assert new == highest + 1
        with engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
            connection.execute(
                sa.text(
                    "INSERT INTO loans VALUES (999999, 'K9999999', 1, 1, 'active', now(), NULL)"
                )
            )
    finally:
        engine.dispose()


@pytest.mark.mariadb
def test_on_mariadb_foreign_keys_are_enforced_after_the_load(
    mariadb_url: str, tmp_path: Path
) -> None:
    build_on_day(tmp_path, persons=PERSONS, urls=everywhere(mariadb_url))
    engine = sa.create_engine(mariadb_url)
    try:
        inspector = sa.inspect(engine)
        assert {fk["referred_table"] for fk in inspector.get_foreign_keys("chat_messages")} == {
            "chat_sessions"
        }
        with engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
            connection.execute(
                sa.text("INSERT INTO chat_messages VALUES (999999, 999999, NOW(), 'agent', 'Hej')")
            )
    finally:
        engine.dispose()


@pytest.fixture
def postgres_databases(postgres_server_url: str) -> Iterator[dict[str, str]]:
    """A database of its own for core and for website, dropped afterwards."""
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    suffix = uuid.uuid4().hex[:12]
    names = {key: f"dataskydd_test_demo_{key}_{suffix}" for key in ("core", "website")}
    server = make_url(postgres_server_url)
    try:
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield {
            key: server.set(database=name).render_as_string(hide_password=False)
            for key, name in names.items()
        }
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _yaml(built: Built, key: str) -> object:
    return yaml.safe_load((built.estate.datamap_dir / f"{key}.yaml").read_text(encoding="utf-8"))
