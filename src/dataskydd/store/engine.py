"""Engines and sessions for the app store: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from dataskydd.settings import get_settings

# How long a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Execution option: the statement that opens a SQLite transaction. Migrations use
# "BEGIN IMMEDIATE" to take the write lock up front, so two processes migrating at once
# queue on the busy timeout instead of failing on a lock upgrade.
SQLITE_BEGIN = "dataskydd_sqlite_begin"


def database_url(url: str | None = None) -> str:
    """``url``, else the configured store; plain ``postgresql://`` means psycopg 3."""
    text = url or get_settings().effective_database_url
    for prefix in ("postgresql://", "postgres://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix) :]
    return text


def display_url(url: str | None = None) -> str:
    """The store's URL with any password hidden, for messages and logs."""
    try:
        return make_url(database_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        # Never echo a URL we cannot parse: we could not tell where its password is.
        return "(a database URL that cannot be parsed)"


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """A new engine for ``url`` (default: the configured store); the caller disposes it."""
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        # Connections die when PostgreSQL restarts or a proxy drops them; ping on checkout.
        kwargs.setdefault("pool_pre_ping", True)
    return sa_create_engine(parsed, **kwargs)


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa_create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
        # DDL is transactional and SAVEPOINT works (see SQLAlchemy's pysqlite notes).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # The busy timeout first: switching a new file to WAL takes a lock, and several
            # processes starting at once must wait for it rather than fail at once.
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(SQLITE_BEGIN, "BEGIN"))

    return engine


def session_factory(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``write`` sessions take SQLite's write lock when they begin.

    A SQLite transaction that reads first and writes later fails at once if another
    writer committed in between; a ``write`` session instead waits its turn up front.
    PostgreSQL needs no such thing and ignores it.
    """
    if write and engine.dialect.name == "sqlite":
        engine = engine.execution_options(**{SQLITE_BEGIN: "BEGIN IMMEDIATE"})
    # Objects stay usable after commit: repositories hand out detached values anyway.
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back when it raises.

    Pass ``write=True`` for a unit of work that writes (see :func:`session_factory`).
    """
    with session_factory(engine, write=write)() as session, session.begin():
        yield session
