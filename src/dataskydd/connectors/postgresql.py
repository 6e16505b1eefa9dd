"""PostgreSQL through psycopg 3: read-only transactions, a server-side statement timeout.

Writes go through a second engine of the same URL whose sessions are not read-only. Free
text in a column with a trigram index (pg_trgm) is searched pattern by pattern, each in a
SELECT of its own, so that the planner takes the index for each (see ``_like_indexed``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection as SAConnection
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, Inspector
from sqlalchemy.exc import DBAPIError, OperationalError

from dataskydd.connectors.base import ConnectorError, TableRef
from dataskydd.connectors.sql import WRITE_POOL_SIZE, Failure, SqlConnector, checked_url

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
# Schemas of PostgreSQL itself, never the organisation's data.
SYSTEM_SCHEMAS = frozenset({"information_schema"})
# SQLSTATEs a write can meet: the user or the transaction may not write.
NOT_PERMITTED_STATES = frozenset({"25006", "42501"})  # read_only_sql_transaction, no privilege
# The columns of a table that a whole (not partial), valid trigram index serves.
TRIGRAM_COLUMNS = text(
    """
    SELECT a.attname
    FROM pg_catalog.pg_index i
    CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[]) AS k(attnum, opclass)
    JOIN pg_catalog.pg_opclass o ON o.oid = k.opclass
    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = to_regclass(:relation) AND i.indisvalid AND i.indpred IS NULL
      AND o.opcname IN ('gin_trgm_ops', 'gist_trgm_ops')
    """
)


def engine_url(url: str) -> URL:
    """``url`` for psycopg 3; plain ``postgresql://`` and ``postgres://`` are accepted."""
    parsed = checked_url(url, "PostgreSQL", SCHEMES)
    return parsed.set(drivername="postgresql+psycopg")


class PostgresConnector(SqlConnector):
    label = "PostgreSQL"

    def __init__(
        self, system: str, engine: Engine, *, timeout_seconds: float, url: URL | None = None
    ) -> None:
        super().__init__(system, engine, timeout_seconds=timeout_seconds, url=url)
        self._trigram_columns: dict[TableRef, frozenset[str]] = {}
        self._trigram_lock = threading.Lock()

    @classmethod
    def from_url(
        cls, system: str, url: str, *, timeout_seconds: float = 10.0, pool_size: int = 5
    ) -> PostgresConnector:
        parsed = engine_url(url)
        engine = _engine(parsed, timeout_seconds, pool_size, read_only=True)
        return cls(system, engine, timeout_seconds=timeout_seconds)

    def _begin_read_only(self, connection: SAConnection) -> None:
        """Nothing to do: the session is read-only (``default_transaction_read_only``)."""

    def _like_indexed(self, table: TableRef, columns: Sequence[str]) -> frozenset[str]:
        """The columns a trigram index serves, asked of the catalogue once per table.

        Every pattern of such a column goes in a SELECT of its own. OR'ed in one SELECT, a
        dozen ILIKEs over two columns was planned as a sequential scan: the planner
        charges the index for every trigram of every pattern but an ILIKE as a trivial
        operator, though each lower-cases the text of every row (12,682 rows: 240 ms by
        the scan, 3 ms by the indexes). Planned alone, one pattern is always cheaper by its
        index. Without an index, one scan testing every pattern beats a scan per pattern.
        """
        with self._trigram_lock:
            known = self._trigram_columns.get(table)
        if known is None:
            preparer = self.engine.dialect.identifier_preparer
            relation = ".".join(preparer.quote(part) for part in (table.schema, table.name) if part)
            try:
                with self.read_only(table) as connection:
                    found = connection.execute(TRIGRAM_COLUMNS, {"relation": relation}).scalars()
                    known = frozenset(str(name) for name in found)
            except ConnectorError:
                return frozenset()  # the search itself will say what is wrong
            with self._trigram_lock:
                self._trigram_columns[table] = known
        return known & frozenset(columns)

    def _write_engine(self) -> Engine:
        # The same URL and statement timeout; transactions as usual (BEGIN ... COMMIT).
        return _engine(self.engine.url, self.timeout_seconds, WRITE_POOL_SIZE, read_only=False)

    def _schemas(self, inspector: Inspector) -> list[str | None]:
        default = inspector.default_schema_name
        others = [
            name
            for name in inspector.get_schema_names()
            if name != default and name not in SYSTEM_SCHEMAS and not name.startswith("pg_")
        ]
        return [None, *sorted(others)]

    def _classify(self, exc: DBAPIError) -> Failure:
        state = getattr(exc.orig, "sqlstate", None)
        if exc.connection_invalidated:
            return Failure.UNREACHABLE
        if state is None:
            # psycopg gives no SQLSTATE when it never reached the server.
            return Failure.UNREACHABLE if isinstance(exc, OperationalError) else Failure.OTHER
        if state in ("57014", "55P03"):  # statement_timeout; lock_timeout (lock_not_available)
            return Failure.TIMEOUT
        if state in ("42P01", "3F000"):  # undefined_table, invalid_schema_name
            return Failure.NO_TABLE
        if state == "42703":  # undefined_column
            return Failure.NO_COLUMN
        if state[:2] == "23":  # integrity_constraint_violation: foreign key, unique, not null
            return Failure.CONSTRAINT
        if state in NOT_PERMITTED_STATES:
            return Failure.NOT_PERMITTED
        # Connection exceptions, authorisation, unknown database, server shutting down.
        if state[:2] in ("08", "28") or state in ("3D000", "57P01", "57P02", "57P03"):
            return Failure.UNREACHABLE
        return Failure.OTHER


def _engine(parsed: URL, timeout_seconds: float, pool_size: int, *, read_only: bool) -> Engine:
    """An engine on ``parsed``: at most ``pool_size`` connections, the statement timeout."""
    # The server cancels a statement past the timeout, whatever the client does. On the
    # read engine every transaction of the session is read-only: one round trip per query,
    # no BEGIN / SET TRANSACTION / ROLLBACK around it, and still no write can happen.
    options = f"-c statement_timeout={max(1, round(timeout_seconds * 1000))}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    given = parsed.query.get("options")
    if given:
        options = f"{given if isinstance(given, str) else ' '.join(given)} {options}"
    # The read engine runs every statement on its own (read-only) session; the write engine
    # keeps SQLAlchemy's default, one transaction per ``begin()``.
    isolation: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if read_only else {}
    connect_args: dict[str, Any] = {
        # libpq counts whole seconds and waits at least two.
        "connect_timeout": max(2, math.ceil(timeout_seconds)),
        "options": options,
    }
    if read_only:
        # No server-side prepared statements: a generic plan for a parameterised LIKE
        # cannot use a trigram index, so every lookup gets its own plan. Writes keep
        # psycopg's default (prepared from a statement's fifth run): an executemany UPDATE
        # of a thousand rows by primary key is then parsed and planned once, not a thousand
        # times (33 ms instead of 85 ms for 1,000 rows here).
        connect_args["prepare_threshold"] = None
    return create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=0,  # a guest on someone else's database: at most pool_size connections
        pool_timeout=timeout_seconds,
        pool_pre_ping=True,
        connect_args=connect_args,
        **isolation,
    )
