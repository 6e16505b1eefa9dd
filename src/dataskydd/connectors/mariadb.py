"""MariaDB and MySQL through PyMySQL: read-only transactions, a server-side statement timeout.

Writes go through a second engine of the same URL whose sessions are not read-only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection as SAConnection
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from dataskydd.connectors.sql import WRITE_POOL_SIZE, Failure, SqlConnector, checked_url

SCHEMES = ("mysql", "mariadb", "mysql+pymysql", "mariadb+pymysql")
# The client gives up this long after the server should have cancelled the statement.
READ_TIMEOUT_MARGIN_SECONDS = 5

# Server error numbers (MariaDB and MySQL share most of them).
# max_statement_time (MariaDB), max_execution_time (MySQL), innodb_lock_wait_timeout
TIMEOUT_ERRORS = frozenset({1969, 3024, 1205})
NO_TABLE_ERRORS = frozenset({1146, 1049})  # no such table, no such database (schema) in a name
NO_COLUMN_ERRORS = frozenset({1054})
CONSTRAINT_ERRORS = frozenset(
    {
        1451,  # a row of another table refers to this one (foreign key)
        1452,  # the new value refers to no row (foreign key)
        1062,  # duplicate entry (unique)
        1048,  # column cannot be null
        1216,  # (older servers) foreign key: no parent row
        1217,  # (older servers) foreign key: a child row refers to it
        4025,  # CHECK constraint failed (MariaDB)
        3819,  # CHECK constraint failed (MySQL)
    }
)
NOT_PERMITTED_ERRORS = frozenset(
    {
        1792,  # cannot execute in a READ ONLY transaction
        1142,  # DELETE/UPDATE command denied to the user for the table
        1143,  # command denied for a column
        1290,  # the server runs with --read-only
    }
)
# Where MariaDB quotes a value back, often cut short (so no bound value matches it whole).
QUOTED_VALUE = re.compile(r"((?:entry|value:?) )'.*?'( for (?:key|column) )")
UNREACHABLE_ERRORS = frozenset(
    {
        1044,  # access denied to the database
        1045,  # access denied (user or password)
        2002,  # cannot connect through the socket
        2003,  # cannot connect to the host
        2005,  # unknown host
        2006,  # server has gone away
        2013,  # lost connection during a query
    }
)


def engine_url(url: str) -> URL:
    """``url`` for PyMySQL; ``mariadb://`` and ``mysql://`` are accepted, utf8mb4 by default."""
    parsed = checked_url(url, "MariaDB/MySQL", SCHEMES)
    # mysql+pymysql talks to MariaDB as well; SQLAlchemy's mariadb dialect refuses MySQL.
    parsed = parsed.set(drivername="mysql+pymysql")
    if "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed


class MariaDBConnector(SqlConnector):
    label = "MariaDB"
    # PyMySQL batches only INSERT ... VALUES; an executemany UPDATE is one statement a row.
    executemany_per_row = True

    @classmethod
    def from_url(
        cls, system: str, url: str, *, timeout_seconds: float = 10.0, pool_size: int = 5
    ) -> MariaDBConnector:
        engine = _engine(engine_url(url), timeout_seconds, pool_size, read_only=True)
        return cls(system, engine, timeout_seconds=timeout_seconds)

    def _begin_read_only(self, connection: SAConnection) -> None:
        """Nothing to do: the session is read-only (``SET SESSION TRANSACTION READ ONLY``)."""

    def _write_engine(self) -> Engine:
        # The same URL and statement timeout; transactions as usual (BEGIN ... COMMIT).
        return _engine(self.engine.url, self.timeout_seconds, WRITE_POOL_SIZE, read_only=False)

    def _scrub(self, message: str, bound: Iterable[Any]) -> str:
        return QUOTED_VALUE.sub(r"\1'***'\2", super()._scrub(message, bound))

    def _classify(self, exc: DBAPIError) -> Failure:
        args = getattr(exc.orig, "args", ())
        code = args[0] if args and isinstance(args[0], int) else None
        if code in TIMEOUT_ERRORS:
            return Failure.TIMEOUT
        if code == 2013 and "timed out" in str(args[1:]):
            return Failure.TIMEOUT  # the client's read timeout, past the server's own
        if code in NO_TABLE_ERRORS:
            return Failure.NO_TABLE
        if code in NO_COLUMN_ERRORS:
            return Failure.NO_COLUMN
        if code in CONSTRAINT_ERRORS:
            return Failure.CONSTRAINT
        if code in NOT_PERMITTED_ERRORS:
            return Failure.NOT_PERMITTED
        if exc.connection_invalidated or code in UNREACHABLE_ERRORS:
            return Failure.UNREACHABLE
        return Failure.OTHER


def _engine(parsed: URL, timeout_seconds: float, pool_size: int, *, read_only: bool) -> Engine:
    """An engine on ``parsed``: at most ``pool_size`` connections, the statement timeout."""
    # The read engine runs each statement as its own transaction, read-only by the session
    # setting below: one round trip per query and no write can happen. The write engine
    # keeps SQLAlchemy's default, one transaction per ``begin()``.
    isolation: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if read_only else {}
    engine = create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=0,  # a guest on someone else's database: at most pool_size connections
        pool_timeout=timeout_seconds,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": timeout_seconds,
            # Only a backstop: the server's own statement timeout should fire first.
            "read_timeout": timeout_seconds + READ_TIMEOUT_MARGIN_SECONDS,
        },
        **isolation,
    )

    @event.listens_for(engine, "connect")
    def _session(dbapi_connection: Any, _record: Any) -> None:
        # MariaDB counts seconds (any statement), MySQL milliseconds (SELECT only).
        mariadb = "mariadb" in dbapi_connection.get_server_info().lower()
        settings = [
            f"max_statement_time = {timeout_seconds:.3f}"
            if mariadb
            else f"max_execution_time = {max(1, round(timeout_seconds * 1000))}"
        ]
        if read_only:
            settings.append("TRANSACTION READ ONLY")
        else:
            # A write waiting for a row lock gives up as well (MySQL's timeout spares DML).
            settings.append(f"innodb_lock_wait_timeout = {max(1, math.ceil(timeout_seconds))}")
        with dbapi_connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(f"SET SESSION {setting}")
        dbapi_connection.commit()

    return engine
