"""SQLite through the standard library: a query-only connection, a deadline per call.

Writes go through a second engine on the same file: connections that may write, with
foreign keys enforced, a busy timeout and a deadline per statement. A free-text search of
many patterns is one pass of Python over the text (see ``_search_in_python``).
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from sqlalchemy import Connection as SAConnection
from sqlalchemy import (
    Engine,
    QueuePool,
    bindparam,
    create_engine,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import BindParameter, ColumnClause, ColumnElement

from dataskydd.connectors.base import Row, TableRef
from dataskydd.connectors.sql import (
    LIKE_ESCAPE,
    MAX_PARAMETERS,
    WRITE_POOL_SIZE,
    Failure,
    Parts,
    SqlConnector,
    UrlError,
    checked_url,
    like_parts,
)
from dataskydd.connectors.sql_write import table_clause
from dataskydd.regex_trie import RegexTrie

SCHEMES = ("sqlite", "sqlite+pysqlite")
# How many SQLite VM instructions run between two looks at the deadline.
PROGRESS_STEPS = 10_000
# LIKE tests (patterns times columns) a free-text search makes in SQL, at most; above,
# Python tests every pattern at once. Each LIKE costs a pass over every row's text (3-10 ms
# per 40,000 chat messages), Python's pass a fixed 2-3 ms per 1,000 rows, however many.
LIKE_TESTS_AT_MOST = 12
# Rows whose rowid and text come in one piece when Python searches them.
SCAN_ROWS = 20_000


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

    def search_text(
        self,
        table: TableRef,
        columns: Sequence[str],
        text_columns: Sequence[str],
        needles: Sequence[str | Sequence[str]],
    ) -> list[Row]:
        """As :meth:`SqlConnector.search_text`; past ``LIKE_TESTS_AT_MOST`` LIKE tests, every
        pattern at once in one pass of Python over the text (:meth:`_search_in_python`)."""
        parts = like_parts(needles)
        names = list(dict.fromkeys(text_columns))
        if len(parts) * len(names) > LIKE_TESTS_AT_MOST and columns:
            found = self._search_in_python(table, columns, names, parts, needles)
            if found is not None:
                return found
        return super().search_text(table, columns, text_columns, needles)

    def _search_in_python(
        self,
        table: TableRef,
        columns: Sequence[str],
        text_columns: list[str],
        parts: Sequence[Parts],
        needles: Sequence[str | Sequence[str]],
    ) -> list[Row] | None:
        """The rows whose text holds a pattern, tested in Python; None where it cannot be
        (no rowid: a view or a WITHOUT ROWID table; a BLOB in a text column).

        The rowid and text of up to ``SCAN_ROWS`` rows come packed in one JSON value, one
        step of SQLite per chunk: reading row by row would hand the GIL back and forth at
        every row, and with other threads busy each hand-over waits for their time slice
        (43,753 rows: 0.1 s alone, 48 s beside three busy threads). A function called per
        row from SQL would do the same. The rows found are then read by rowid, in the same
        snapshot.
        """
        wanted = list(dict.fromkeys(columns))
        source = table_clause(table, [*wanted, *text_columns])
        rowid: ColumnClause[Any] = literal_column("rowid")
        pattern = needle_regex(parts)
        hits: list[int] = []
        rows: list[Row] = []
        with self.read_only(table, list(source.c.keys()), needles) as connection:
            after: int | None = None
            while True:
                chunk = select(rowid.label("r"), *(source.c[n] for n in text_columns))
                if after is not None:
                    chunk = chunk.where(rowid > after)
                part = chunk.order_by(rowid).limit(SCAN_ROWS).subquery()
                packed = select(
                    func.json_group_array(
                        func.json_array(part.c.r, *(part.c[n] for n in text_columns))
                    ),
                    func.max(part.c.r),
                    func.count(),
                )
                # Each statement gets the deadline anew: the time Python spends on the text
                # between two statements (longer with other threads busy) is not SQLite's.
                self._arm_deadline(connection)
                try:
                    text, last, count = connection.execute(packed).one()
                except DBAPIError as exc:
                    if _cannot_pack(exc):
                        return None
                    raise
                packed_rows = json.loads(text)
                if any(row[0] is None for row in packed_rows):
                    return None  # a view: its rows have no rowid
                for row in packed_rows:
                    if any(v is not None and pattern.search(_lower(str(v))) for v in row[1:]):
                        hits.append(row[0])
                if count < SCAN_ROWS:
                    break
                after = last
            step = self.max_parameters()
            self._arm_deadline(connection)
            for start in range(0, len(hits), step):
                keys: BindParameter[Any] = bindparam(
                    None, hits[start : start + step], expanding=True
                )
                statement = select(*(source.c[n] for n in wanted)).where(rowid.in_(keys))
                rows += [dict(zip(wanted, r, strict=True)) for r in connection.execute(statement)]
        return rows

    def _begin_read_only(self, connection: SAConnection) -> None:
        self._arm_deadline(connection)
        connection.exec_driver_sql("BEGIN")  # one snapshot for the whole call

    def _arm_deadline(self, connection: SAConnection) -> None:
        """SQLite has no statement timeout: a progress handler aborts past the deadline."""
        deadline = time.monotonic() + self.timeout_seconds
        self._dbapi(connection).set_progress_handler(
            lambda: time.monotonic() > deadline, PROGRESS_STEPS
        )

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


def needle_regex(parts: Sequence[Parts]) -> re.Pattern[str]:
    """One expression that finds any of ``parts`` (each its parts in order, anything between)
    in lower-cased text, as ``LIKE '%a%b%'`` would.

    The patterns share their prefixes (:class:`~dataskydd.regex_trie.RegexTrie`), so each
    is tried once per position, and a position is tried at all only if it holds some
    pattern's first character. A pattern with an ``@`` (an e-mail address) starts at its
    ``@``, rare in text, and checks what stands before it with a lookbehind: started at its
    first letter, it would be tried at nearly every position.
    """
    trie = RegexTrie()
    for needle in parts:
        trie.add(tuple(_atoms([part.lower() for part in needle if part])))
    return re.compile(trie.to_regex() or "(?!)")


def _atoms(parts: list[str]) -> list[str]:
    if len(parts) == 1 and "@" in parts[0]:
        whole = parts[0]
        after = whole[whole.index("@") + 1 :]
        return ["@", *map(re.escape, after), f"(?<={re.escape(whole)})"]
    atoms: list[str] = []
    for i, part in enumerate(parts):
        if i:
            atoms.append(r"[\s\S]*?")  # LIKE's %: anything, line breaks too
        atoms += map(re.escape, part)
    return atoms


def _cannot_pack(exc: DBAPIError) -> bool:
    """Whether the table cannot be read packed: no rowid, or a value JSON cannot hold."""
    message = str(exc.orig)
    return "rowid" in message or "JSON cannot hold BLOB" in message
