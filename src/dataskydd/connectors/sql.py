"""The connector for SQL databases: one SQLAlchemy Core implementation, three dialects.

Every access call runs in a read-only transaction on a pooled connection, names tables
and columns as SQLAlchemy objects (quoted by SQLAlchemy, never interpolated) and binds
every value. Writes (erasure, rectification) go through a second, small engine made on
the first :meth:`SqlConnector.write`, one transaction per call (statements: ``sql_write``).
The dialect modules (``sqlite``, ``postgresql``, ``mariadb``) say how to make a transaction
read-only, how to open the write engine, how the statement timeout is enforced, what
their errors mean and how free text is best searched (PostgreSQL: each pattern of a column
with a trigram index in a SELECT of its own; SQLite: many patterns in one pass of Python).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Engine,
    Select,
    TableClause,
    bindparam,
    inspect,
    or_,
    select,
    union_all,
)
from sqlalchemy import Connection as SAConnection
from sqlalchemy.engine import URL, Inspector, make_url
from sqlalchemy.engine.reflection import ObjectKind
from sqlalchemy.exc import ArgumentError, CompileError, DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.types import NullType

from dataskydd.connectors.base import (
    ColumnInfo,
    ConnectorError,
    QueryTimeout,
    Row,
    SchemaMismatch,
    SystemUnreachable,
    TableChanges,
    TableRef,
    WriteRefused,
    hashable_key,
)
from dataskydd.connectors.sql_write import refusal, run_writes, table_clause

# Values per IN list: long lists are split into several IN lists, OR'ed in one statement.
IN_LIST_SIZE = 1_000
# Bound values per statement: above it, statements run one after another (PostgreSQL's
# protocol stops at 65,535; SQLite's default limit is 32,766).
MAX_PARAMETERS = 30_000
# Pooled connections of the write engine (erasure runs one batch at a time).
WRITE_POOL_SIZE = 2
# The character that escapes LIKE wildcards; a slash needs no escaping in any SQL dialect.
LIKE_ESCAPE = "/"
# SELECTs of one condition each (UNION ALL'ed) per statement, at most.
SELECTS_PER_STATEMENT = 100

Parts = tuple[str, ...]


class UrlError(ValueError):
    """A connection URL of the wrong kind; the message never repeats the URL."""


def checked_url(url: str, label: str, schemes: Sequence[str]) -> URL:
    """``url`` parsed, if its scheme is one of ``schemes``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise UrlError(f"the connection URL cannot be parsed as a {label} URL") from None
    if parsed.drivername not in schemes:
        accepted = ", ".join(f"{scheme}://" for scheme in schemes)
        raise UrlError(
            f"the connection URL is for {parsed.get_backend_name()!r}, not {label} ({accepted})"
        )
    return parsed


class Condition(NamedTuple):
    """One condition of a query, how many values it binds, and whether it goes alone.

    A condition ``alone`` gets a SELECT of its own, the SELECTs joined by UNION ALL, so
    that the database plans it on its own (an index for each); the others are OR'ed in
    one SELECT, one scan testing them all.
    """

    clause: ColumnElement[bool]
    binds: int
    alone: bool = False


class Failure(Enum):
    """What a driver error means, as far as the caller needs to know."""

    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    NO_TABLE = "no_table"
    NO_COLUMN = "no_column"
    CONSTRAINT = "constraint"  # a foreign key, unique or not-null constraint refused a write
    NOT_PERMITTED = "not_permitted"  # the user or the transaction may not write
    OTHER = "other"


class SqlConnector:
    """Answers from one SQL database; subclasses add the dialect's read-only transaction."""

    # The dialect's name in messages ("PostgreSQL").
    label = "SQL"
    # Whether the driver sends an executemany row by row (a round trip each), not at once.
    executemany_per_row = False

    def __init__(
        self, system: str, engine: Engine, *, timeout_seconds: float, url: URL | None = None
    ) -> None:
        self.system = system
        self.engine = engine
        self.timeout_seconds = timeout_seconds
        # Where the data is, for messages (the engine's own URL when it has the whole story).
        self.url = url if url is not None else engine.url
        self._writer: Engine | None = None  # made on the first write
        self._writer_lock = threading.Lock()

    # -- the Connector interface ----------------------------------------------------------

    def describe(self) -> dict[str, list[ColumnInfo]]:
        """Every table and view (``schema.name`` outside the default schema) and its columns."""
        with self.read_only() as connection:
            inspector = inspect(connection)
            described: dict[str, list[ColumnInfo]] = {}
            for schema in self._schemas(inspector):
                found = inspector.get_multi_columns(schema=schema, kind=ObjectKind.ANY)
                for (_, name), columns in sorted(found.items(), key=lambda item: item[0][1]):
                    key = str(TableRef(name, schema))
                    described[key] = [
                        ColumnInfo(c["name"], self._type_name(c["type"]), bool(c["nullable"]))
                        for c in columns
                    ]
            return described

    def fetch(
        self, table: TableRef, columns: Sequence[str], match: Mapping[str, Collection[Any]]
    ) -> list[Row]:
        """Rows of ``table`` (only ``columns``) where any ``match`` column holds any of its values.

        Up to :meth:`max_parameters` values go into one statement, as IN lists of
        ``IN_LIST_SIZE`` OR'ed; more run as several statements, and a row found by more
        than one comes back once (include the primary key in ``columns`` so that two rows
        alike in every other column stay two).
        """
        source = table_clause(table, [*columns, *match])
        size = min(IN_LIST_SIZE, self.max_parameters())
        conditions: list[Condition] = []
        for name, values in match.items():
            keys = _unique(values)
            for start in range(0, len(keys), size):
                batch = keys[start : start + size]
                # Untyped, so the database coerces each value to the column's own type.
                param = bindparam(None, batch, expanding=True, type_=NullType())
                conditions.append(Condition(source.c[name].in_(param), len(batch)))
        bound = [value for values in match.values() for value in values]
        # Keys of one column are split into disjoint batches: only several columns can
        # find the same row twice.
        overlap = len([name for name, values in match.items() if values]) > 1
        return self._select(source, table, columns, conditions, bound, overlap=overlap)

    def search_text(
        self,
        table: TableRef,
        columns: Sequence[str],
        text_columns: Sequence[str],
        needles: Sequence[str | Sequence[str]],
    ) -> list[Row]:
        """Rows where any ``text_columns`` value contains any ``needles``, case-insensitively.

        A needle is a string, or a sequence of parts that must occur in that order with
        anything between them (one pattern for every written form of a personnummer).
        ``%`` and ``_`` in a needle are matched literally; empty needles are ignored (they
        would match every row).

        A column that an index serves for ``LIKE '%...%'`` (:meth:`_like_indexed`) gets a
        SELECT per pattern, UNION ALL'ed, so that each pattern is planned with the index;
        other columns are tested in one scan, every pattern OR'ed (SQLite tests many
        patterns in one pass of Python instead: ``SqliteConnector.search_text``).
        """
        source = table_clause(table, [*columns, *text_columns])
        parts = like_parts(needles)
        conditions = self._text_conditions(source, table, _unique(text_columns), parts)
        return self._select(source, table, columns, conditions, needles, overlap=True)

    def sample(self, table: TableRef, column_name: str, limit: int) -> list[Any]:
        """Up to ``limit`` non-null values of ``column_name``."""
        if limit <= 0:
            return []
        target = table_clause(table, [column_name]).c[column_name]
        statement = select(target).where(target.is_not(None)).limit(limit)
        with self.read_only(table, [column_name]) as connection:
            return list(connection.execute(statement).scalars())

    def write(self, steps: Sequence[TableChanges]) -> int:
        """Apply every step, in order, in one read-write transaction; all or nothing.

        Returns the rows deleted plus the rows updated (an update counts every row it finds,
        on MariaDB too). A refusal by a constraint or by a user that may not write raises
        :class:`WriteRefused` naming the table; nothing of the call is then written.
        """
        return run_writes(self, steps, in_list_size=IN_LIST_SIZE)

    def writer(self) -> Engine:
        """The read-write engine, made on first use (the read engine never writes)."""
        with self._writer_lock:
            if self._writer is None:
                self._writer = self._write_engine()
            return self._writer

    def close(self) -> None:
        """Close every pooled connection, of the read and of the write engine."""
        self.engine.dispose()
        with self._writer_lock:
            if self._writer is not None:
                self._writer.dispose()
                self._writer = None

    # -- the read path --------------------------------------------------------------------

    @contextmanager
    def read_only(
        self,
        table: TableRef | None = None,
        columns: Sequence[str] = (),
        bound: Iterable[Any] = (),
    ) -> Iterator[SAConnection]:
        """A pooled connection inside a read-only transaction, rolled back at the end.

        Driver errors come out as :class:`ConnectorError` subclasses; ``table`` and
        ``columns`` let a missing one be named, and ``bound`` values are kept out of
        messages (a driver may quote a value it could not use, and values are personal data).
        """
        connection = self._connect(self.engine)
        try:
            with connection:
                self._begin_read_only(connection)
                try:
                    yield connection
                finally:
                    self._end_read(connection)
        except DBAPIError as exc:
            raise self._translate(exc, table, columns, bound) from None

    def _connect(self, engine: Engine) -> SAConnection:
        """A pooled connection of ``engine``; failing, a :class:`ConnectorError`."""
        try:
            return engine.connect()
        except PoolTimeout:
            raise QueryTimeout(
                self.system, f"no free connection in the pool within {self.timeout_seconds:g} s"
            ) from None
        except (SQLAlchemyError, OSError) as exc:
            raise self._unreachable(exc) from None

    def _contains(self, column: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
        """Case-insensitive ``LIKE``: ILIKE on PostgreSQL, lower(col) LIKE lower(:p) elsewhere.

        A pattern with nothing to fold (digits, spaces, punctuation: a personnummer, a phone
        number) is a plain LIKE, which is the same there and cheaper: PostgreSQL plans it
        in a third of the time (its estimate folds every sampled value for ILIKE) and
        checks a row without lower-casing its text.
        """
        if pattern.lower() == pattern.upper():
            return column.like(pattern, escape=LIKE_ESCAPE)
        return column.ilike(pattern, escape=LIKE_ESCAPE)

    def _text_conditions(
        self, source: TableClause, table: TableRef, columns: Sequence[str], parts: Sequence[Parts]
    ) -> list[Condition]:
        """The conditions of a free-text search: a ``LIKE`` per column and pattern, each
        alone where an index serves the column."""
        patterns = ["%" + "%".join(escape_like(part) for part in p) + "%" for p in parts]
        indexed = self._like_indexed(table, columns) if patterns else frozenset()
        return [
            Condition(self._contains(source.c[name], pattern), 1, name in indexed)
            for name in columns
            for pattern in patterns
        ]

    def _like_indexed(self, table: TableRef, columns: Sequence[str]) -> frozenset[str]:
        """Those of ``columns`` that an index serves for ``LIKE '%...%'`` (none by default)."""
        return frozenset()

    def _begin_read_only(self, connection: SAConnection) -> None:
        """Open the transaction read-only, as the first statement on ``connection``."""
        raise NotImplementedError

    def _end_read(self, connection: SAConnection) -> None:
        """Undo per-call settings before the connection goes back to the pool."""

    def _write_engine(self) -> Engine:
        """A new engine on the same database that may write: small pool, same timeout."""
        raise NotImplementedError

    def _begin_write(self, connection: SAConnection) -> None:
        """Start the write transaction, as the first statement on ``connection``."""

    def _end_write(self, connection: SAConnection) -> None:
        """Undo per-call settings before the transaction ends."""

    def _schemas(self, inspector: Inspector) -> list[str | None]:
        """The schemas ``describe`` lists; ``None`` is the default one."""
        return [None]

    def _classify(self, exc: DBAPIError) -> Failure:
        """What a driver error means; dialects know their error codes."""
        return Failure.UNREACHABLE if exc.connection_invalidated else Failure.OTHER

    # -- statements -----------------------------------------------------------------------

    def _select(
        self,
        source: TableClause,
        table: TableRef,
        columns: Sequence[str],
        conditions: list[Condition],
        bound: Iterable[Any],
        *,
        overlap: bool,
    ) -> list[Row]:
        """Rows meeting any of ``conditions``, in as few statements as the limits allow.

        ``overlap``: a row may meet conditions of two statements (or of two SELECTs of one),
        and then comes back once.
        """
        wanted = _unique(columns)
        if not wanted:
            raise ValueError("name at least one column to return")
        if not conditions:
            return []
        selected = [source.c[name] for name in wanted]
        statements = [
            _statement(selected, batch)
            for batch in _batches(conditions, self.max_parameters(), SELECTS_PER_STATEMENT)
        ]
        deduplicate = overlap and (len(statements) > 1 or isinstance(statements[0], CompoundSelect))
        rows: list[Row] = []
        seen: set[tuple[Any, ...]] = set()
        with self.read_only(table, list(source.c.keys()), bound) as connection:
            for statement in statements:
                for row in connection.execute(statement):
                    values = tuple(row)
                    if deduplicate:
                        identity = tuple(map(hashable_key, values))
                        if identity in seen:
                            continue  # found by an earlier statement
                        seen.add(identity)
                    rows.append(dict(zip(wanted, values, strict=True)))
        return rows

    def max_parameters(self) -> int:
        """Bound values one statement may carry on this database."""
        return MAX_PARAMETERS

    def _type_name(self, type_: Any) -> str:
        if isinstance(type_, NullType):
            return ""  # SQLite lets a column be declared without a type
        try:
            return str(type_.compile(dialect=self.engine.dialect))
        except CompileError:
            return str(type_.__class__.__name__)

    # -- errors ---------------------------------------------------------------------------

    def _translate(
        self,
        exc: DBAPIError,
        table: TableRef | None,
        columns: Sequence[str],
        bound: Iterable[Any],
        *,
        writing: str | None = None,
    ) -> ConnectorError:
        """``exc`` as a :class:`ConnectorError`; ``writing`` is the verb of a failed write."""
        failure = self._classify(exc)
        detail = self._scrub(driver_message(exc), bound)
        if writing is not None and failure in (Failure.CONSTRAINT, Failure.NOT_PERMITTED):
            constraint = failure is Failure.CONSTRAINT
            return WriteRefused(
                self.system, refusal(writing, table, constraint=constraint, detail=detail)
            )
        if failure is Failure.UNREACHABLE:
            return self._unreachable(exc)
        if failure is Failure.TIMEOUT:
            return QueryTimeout(
                self.system,
                f"query ran past the timeout of {self.timeout_seconds:g} s ({detail})",
            )
        if failure in (Failure.NO_TABLE, Failure.NO_COLUMN):
            return SchemaMismatch(
                self.system, self._what_is_missing(failure, table, columns, detail)
            )
        return ConnectorError(self.system, f"{self.label} error: {detail}")

    def _unreachable(self, exc: BaseException) -> SystemUnreachable:
        # The query part can hold other secrets (sslpassword, a password given there).
        where = self.url.set(query={}).render_as_string(hide_password=True)
        detail = self._scrub(driver_message(exc), ())
        return SystemUnreachable(self.system, f"cannot connect to {where}: {detail}")

    def _what_is_missing(
        self, failure: Failure, table: TableRef | None, columns: Sequence[str], detail: str
    ) -> str:
        """Name the missing table, or ask the database which columns are missing."""
        if table is None:
            return detail
        if failure is Failure.NO_TABLE:
            return f"table '{table}' does not exist ({detail})"
        try:
            with self.engine.connect() as connection:
                found = inspect(connection).get_columns(table.name, table.schema)
        except SQLAlchemyError:
            return f"table '{table}': {detail}"
        present = {c["name"] for c in found}
        missing = [name for name in columns if name not in present]
        if not missing:
            return f"table '{table}': {detail}"
        names = ", ".join(f"'{name}'" for name in missing)
        return f"table '{table}' has no column {names} ({detail})"

    def _scrub(self, message: str, bound: Iterable[Any]) -> str:
        """``message`` without the URL's password or any bound value."""
        secrets = [str(self.url.password or "")]
        secrets += [str(v) for k, v in self.url.query.items() if "password" in k.lower()]
        secrets += [str(value) for value in bound if isinstance(value, str | int)]
        for secret in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
            message = message.replace(secret, "***")
        return message


def like_parts(needles: Iterable[str | Sequence[str]]) -> list[Parts]:
    """Each needle as the parts it must hold in order, once; empty needles left out."""
    return _unique(
        parts for parts in ((n,) if isinstance(n, str) else tuple(n) for n in needles) if any(parts)
    )


def escape_like(needle: str) -> str:
    """``needle`` for a LIKE pattern, its wildcards matched literally."""
    return (
        needle.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def driver_message(exc: BaseException) -> str:
    """The driver's own first line, without SQLAlchemy's statement and parameters."""
    original = getattr(exc, "orig", None) or exc
    args: tuple[Any, ...] = tuple(getattr(original, "args", ()))
    # PyMySQL: (code, message)
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        text = f"{args[1]} (error {args[0]})"
    else:
        text = str(original)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__


def _batches(conditions: list[Condition], limit: int, selects: int) -> Iterator[list[Condition]]:
    """Conditions grouped so that no statement binds more than ``limit`` values or has more
    than ``selects`` conditions that go alone."""
    batch: list[Condition] = []
    size = alone = 0
    for condition in conditions:
        if batch and (size + condition.binds > limit or (condition.alone and alone >= selects)):
            yield batch
            batch, size, alone = [], 0, 0
        batch.append(condition)
        size += condition.binds
        alone += condition.alone
    if batch:
        yield batch


def _statement(
    selected: Sequence[ColumnElement[Any]], batch: Sequence[Condition]
) -> Select[Any] | CompoundSelect[Any]:
    """One SELECT per condition that goes alone, one for the others OR'ed; UNION ALL'ed."""
    selects = [select(*selected).where(c.clause) for c in batch if c.alone]
    together = [c.clause for c in batch if not c.alone]
    if together:
        selects.append(select(*selected).where(or_(*together)))
    return selects[0] if len(selects) == 1 else union_all(*selects)


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))
