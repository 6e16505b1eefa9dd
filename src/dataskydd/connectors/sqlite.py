"""SQLite through the standard library: a query-only connection, a deadline per call.

Writes go through a second engine on the same file: connections that may write, with
foreign keys enforced, a busy timeout and a deadline per statement.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from sqlalchemy import Connection as SAConnection
from sqlalchemy import Engine, QueuePool, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from dataskydd.connectors.sql import (
    LIKE_ESCAPE,
    MAX_PARAMETERS,
    WRITE_POOL_SIZE,
    Failure,
    SqlConnector,
    UrlError,
    checked_url,
)

SCHEMES = ("sqlite", "sqlite+pysqlite")
# How many SQLite VM instructions run between two looks at the deadline.
PROGRESS_STEPS = 10_000


def engine_url(url: str) -> URL:
    """``url`` checked to be a SQLite file (an in-memory database holds nobody's data)."""
    parsed = checked_url(url, "SQLite", SCHEMES)
    if not parsed.database or parsed.database == ":memory:":
        raise UrlError("a SQLite URL must name a database file")
    return parsed


def _lower(value: Any) -> Any:
    # SQLite's own lower() folds ASCII only; 'Åsa' must match 'åsa' too.
    if value is None or isinstance(value, bytes):
        return value
    return str(value).lower()


class SqliteConnector(SqlConnector):
    label = "SQLite"

    @classmethod
    def from_url(
        cls, system: str, url: str, *, timeout_seconds: float = 10.0, pool_size: int = 5
    ) -> SqliteConnector:
        parsed = engine_url(url)
        engine = _engine(parsed, timeout_seconds, pool_size)

        @event.listens_for(engine, "connect")
        def _query_only(dbapi_connection: Any, _record: Any) -> None:
            # This connection is only ever used for reading: SQLite refuses any write on it.
            dbapi_connection.execute("PRAGMA query_only = ON")
            dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

        return cls(system, engine, timeout_seconds=timeout_seconds, url=parsed)

    def _write_engine(self) -> Engine:
        engine = _engine(self.url, self.timeout_seconds, WRITE_POOL_SIZE)
        timeout_seconds = self.timeout_seconds

        @event.listens_for(engine, "connect")
        def _foreign_keys(dbapi_connection: Any, _record: Any) -> None:
            # Off by default in SQLite: a delete that orphans rows must fail as elsewhere.
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "before_cursor_execute")
        def _deadline(connection: SAConnection, *_args: Any) -> None:
            # No statement timeout in SQLite: each statement gets the deadline reads have.
            deadline = time.monotonic() + timeout_seconds
            self._dbapi(connection).set_progress_handler(
                lambda: time.monotonic() > deadline, PROGRESS_STEPS
            )

        return engine

    def _contains(self, column: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
        # SQLite's own LIKE ignores case for ASCII letters, at C speed; only a pattern with
        # other letters ('Åsa') needs the Python lower() on every row.
        if pattern.isascii():
            return column.like(pattern, escape=LIKE_ESCAPE)
        return super()._contains(column, pattern)

    def _begin_read_only(self, connection: SAConnection) -> None:
        # SQLite has no statement timeout: a progress handler aborts past the deadline.
        deadline = time.monotonic() + self.timeout_seconds
        self._dbapi(connection).set_progress_handler(
            lambda: time.monotonic() > deadline, PROGRESS_STEPS
        )
        connection.exec_driver_sql("BEGIN")  # one snapshot for the whole call

    def _end_read(self, connection: SAConnection) -> None:
        self._dbapi(connection).set_progress_handler(None, 0)

    def _begin_write(self, connection: SAConnection) -> None:
        # The write lock now, not at the first change: a busy database waits the busy
        # timeout here instead of failing half-way through the statements.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    def _end_write(self, connection: SAConnection) -> None:
        # COMMIT and ROLLBACK are never cut short by a deadline.
        self._dbapi(connection).set_progress_handler(None, 0)

    def max_parameters(self) -> int:
        # SQLite before 3.32 binds at most 999 values per statement.
        return MAX_PARAMETERS if sqlite3.sqlite_version_info >= (3, 32, 0) else 999

    def _classify(self, exc: DBAPIError) -> Failure:
        code = getattr(exc.orig, "sqlite_errorcode", 0) & 0xFF
        message = str(exc.orig)
        if code == sqlite3.SQLITE_INTERRUPT:
            return Failure.TIMEOUT
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return Failure.TIMEOUT  # a writer held the lock past the busy timeout
        if message.startswith("no such table"):
            return Failure.NO_TABLE
        if message.startswith("no such column"):
            return Failure.NO_COLUMN
        if code == sqlite3.SQLITE_CONSTRAINT:  # foreign key, unique, not null, check
            return Failure.CONSTRAINT
        if code == sqlite3.SQLITE_READONLY:  # a query-only connection, a read-only file
            return Failure.NOT_PERMITTED
        if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_IOERR):
            return Failure.UNREACHABLE
        return super()._classify(exc)

    @staticmethod
    def _dbapi(connection: SAConnection) -> Any:
        return connection.connection.dbapi_connection


def _engine(parsed: URL, timeout_seconds: float, pool_size: int) -> Engine:
    """An engine on the file of ``parsed`` (never creating one), ``pool_size`` connections."""
    database = str(parsed.database)
    if database.startswith("file:"):
        target = database
    else:
        # mode=rw: a missing file is an error, not a new empty database.
        target = f"file:{pathname2url(str(Path(database).absolute()))}?mode=rw"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            target,
            uri=True,
            timeout=timeout_seconds,  # the busy timeout: waits this long for another's lock
            check_same_thread=False,  # the pool hands connections to other threads
            isolation_level=None,  # we say BEGIN ourselves
        )

    return create_engine(
        "sqlite+pysqlite://",
        creator=connect,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=timeout_seconds,
        pool_pre_ping=True,
    )
