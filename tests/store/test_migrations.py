"""The bundled migrations: up, down, idempotent, concurrent, and in step with the models."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from dataskydd.store import migrate
from dataskydd.store.engine import database_url, make_engine
from dataskydd.store.tables import Base


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_new_store_has_no_revision(store_url: str) -> None:
    assert migrate.current(store_url) is None


def test_upgrade_to_head_and_downgrade_to_base(store_url: str) -> None:
    assert migrate.upgrade(store_url) == migrate.head()
    assert migrate.current(store_url) == migrate.head()
    assert {"programme_versions", "alembic_version"} <= table_names(store_url)

    assert migrate.downgrade(store_url, "base") is None
    assert migrate.current(store_url) is None
    assert table_names(store_url) <= {"alembic_version"}


def test_upgrade_twice_is_a_no_op(store_url: str) -> None:
    migrate.upgrade(store_url)
    assert migrate.upgrade(store_url) == migrate.head()


def test_models_and_migrations_agree(store_url: str) -> None:
    migrate.upgrade(store_url)
    engine = make_engine(store_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrades_started_at_once_do_not_collide(store_url: str) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            migrate.upgrade(store_url)
        except BaseException as exc:  # collected and reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert migrate.current(store_url) == migrate.head()


def test_plain_postgresql_urls_use_psycopg() -> None:
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_default_store_is_sqlite_in_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATASKYDD_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    assert database_url() == f"sqlite:///{tmp_path}/dataskydd.db"
    assert migrate.upgrade() == migrate.head()
    assert (tmp_path / "dataskydd.db").exists()
