"""MariaDB and MySQL through PyMySQL: read-only transactions, a server-side statement timeout."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection as SAConnection
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from dataskydd.connectors.sql import Failure, SqlConnector, checked_url

SCHEMES = ("mysql", "mariadb", "mysql+pymysql", "mariadb+pymysql")
# The client gives up this long after the server should have cancelled the statement.
READ_TIMEOUT_MARGIN_SECONDS = 5

# Server error numbers (MariaDB and MySQL share most of them).
TIMEOUT_ERRORS = frozenset({1969, 3024})  # max_statement_time (MariaDB), max_execution_time (MySQL)
NO_TABLE_ERRORS = frozenset({1146, 1049})  # no such table, no such database (schema) in a name
NO_COLUMN_ERRORS = frozenset({1054})
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

    @classmethod
    def from_url(
        cls, system: str, url: str, *, timeout_seconds: float = 10.0, pool_size: int = 5
    ) -> MariaDBConnector:
        engine = create_engine(
            engine_url(url),
            pool_size=pool_size,
            max_overflow=0,  # a guest on someone else's database: at most pool_size connections
            pool_timeout=timeout_seconds,
            pool_pre_ping=True,
            # Each statement its own transaction, read-only by the session setting below:
            # one round trip per query and no write can happen.
            isolation_level="AUTOCOMMIT",
            connect_args={
                "connect_timeout": timeout_seconds,
                # Only a backstop: the server's own statement timeout should fire first.
                "read_timeout": timeout_seconds + READ_TIMEOUT_MARGIN_SECONDS,
            },
        )

        @event.listens_for(engine, "connect")
        def _statement_timeout(dbapi_connection: Any, _record: Any) -> None:
            # MariaDB counts seconds (any statement), MySQL milliseconds (SELECT only).
            mariadb = "mariadb" in dbapi_connection.get_server_info().lower()
            setting = (
                f"max_statement_time = {timeout_seconds:.3f}"
                if mariadb
                else f"max_execution_time = {max(1, round(timeout_seconds * 1000))}"
            )
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET SESSION {setting}")
                cursor.execute("SET SESSION TRANSACTION READ ONLY")
            dbapi_connection.commit()

        return cls(system, engine, timeout_seconds=timeout_seconds)

    def _begin_read_only(self, connection: SAConnection) -> None:
        """Nothing to do: the session is read-only (``SET SESSION TRANSACTION READ ONLY``)."""

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
        if exc.connection_invalidated or code in UNREACHABLE_ERRORS:
            return Failure.UNREACHABLE
        return Failure.OTHER
