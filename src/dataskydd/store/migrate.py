"""Run the bundled Alembic migrations from code; users need no alembic.ini.

Each command runs in one transaction on one connection, so a failed upgrade leaves the
store as it was. Two processes starting at once (several API processes and workers on
PostgreSQL) do not race: upgrade holds an advisory lock on PostgreSQL and the SQLite
write lock while it runs, and the second one finds the work already done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, select

from dataskydd.store.engine import SQLITE_BEGIN, database_url, make_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Key of the PostgreSQL advisory lock that serialises upgrades ("dataskyd" in ASCII).
MIGRATION_LOCK_KEY = 0x64617461736B7964


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic configuration for the bundled migrations, built in code."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates '%', which URL-encoded passwords contain.
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision the bundled migrations know."""
    revision = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert revision is not None, "the bundled migrations have no head"
    return revision


def current(url: str | None = None) -> str | None:
    """The store's revision; ``None`` for a store that was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str | None = None, revision: str = "head") -> str | None:
    """Bring the store to ``revision`` (default: the newest); safe to run again and at once."""
    with _migration_connection(url) as connection:
        command.upgrade(alembic_config(url, connection), revision)
        return MigrationContext.configure(connection).get_current_revision()


def downgrade(url: str | None, revision: str) -> str | None:
    """Take the store back to ``revision`` (``"base"`` removes every table)."""
    with _migration_connection(url) as connection:
        command.downgrade(alembic_config(url, connection), revision)
        return MigrationContext.configure(connection).get_current_revision()


def is_current(url: str | None = None) -> bool:
    return current(url) == head()


@contextmanager
def _migration_connection(url: str | None) -> Iterator[Connection]:
    """A connection holding the migration lock, inside one transaction that commits at the end."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                with _advisory_lock(connection), connection.begin():
                    yield connection
            else:
                # SQLite: take the write lock before reading the current revision.
                connection = connection.execution_options(**{SQLITE_BEGIN: "BEGIN IMMEDIATE"})
                with connection.begin():
                    yield connection
    finally:
        engine.dispose()


@contextmanager
def _advisory_lock(connection: Connection) -> Iterator[None]:
    # A session-level lock outlives the transactions inside it; release it explicitly.
    connection.execute(select(func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
    connection.commit()
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        connection.execute(select(func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
        connection.commit()
