"""The write path's statements: row changes grouped into few, bounded DELETE and UPDATE.

:func:`plan_writes` turns the steps of one :meth:`~dataskydd.connectors.base.Connector.write`
call into statements and :func:`run_writes` runs them in one transaction, on the
connector's write engine. Per table:

- rows to delete: ``DELETE ... WHERE pk IN (...)`` (a composite key: ``(a, b) IN (...)``);
- rows given the same new values: ``UPDATE ... SET ... WHERE pk IN (...)``;
- rows given values of their own (keyed hashes, redacted text): one executemany of
  ``UPDATE ... SET c = :v WHERE pk = :k``.

Where an executemany is one round trip (PostgreSQL: psycopg pipelines it; SQLite: no
round trips at all), a group of rows sharing their new values gets a statement of its own
only if it has ``SHARED_ROWS`` rows or more, or is one of the step's ``SHARED_GROUPS``
largest; the other rows join the executemany. Keyed hashes make many small groups (a
person's two or three board seats all get the same hash), and a statement for each was a
round trip for each: 240 in one batch of 1,000 rows. Where an executemany is a round trip
per row (MariaDB through PyMySQL), every group of two or more rows keeps its statement.

No statement binds more than ``max_parameters`` values; tables and columns are SQLAlchemy
objects (quoted by SQLAlchemy) and every value is bound, never spliced into the SQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    ColumnElement,
    Delete,
    TableClause,
    Update,
    and_,
    bindparam,
    column,
    delete,
    or_,
    table,
    tuple_,
    update,
)
from sqlalchemy import Connection as SAConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import NullType

from dataskydd.connectors.base import RowChange, TableChanges, TableRef, hashable_key

if TYPE_CHECKING:
    from dataskydd.connectors.sql import SqlConnector

Verb = Literal["delete from", "update"]

# Rows sharing their new values that always get a statement of their own.
SHARED_ROWS = 20
# Groups of rows sharing their new values that get a statement of their own whatever their
# size (the largest first), per step.
SHARED_GROUPS = 8


@dataclass(frozen=True)
class WriteStatement:
    """One statement of a write: what it does to which table, and its parameters."""

    table: TableRef
    verb: Verb
    statement: Delete | Update
    columns: tuple[str, ...]  # every column the statement names, for a missing one's message
    params: list[dict[str, Any]] | None = None  # an executemany's rows; None: values inline

    def execute(self, connection: SAConnection) -> int:
        """Run the statement on ``connection``; the number of rows it found."""
        if self.params is None:
            result = connection.execute(self.statement)
        else:
            result = connection.execute(self.statement, self.params)
        return max(result.rowcount, 0)


def run_writes(connector: SqlConnector, steps: Sequence[TableChanges], *, in_list_size: int) -> int:
    """Apply ``steps`` in one transaction of ``connector``'s write engine; rows affected.

    A driver error rolls everything back and comes out as a ``ConnectorError`` naming the
    table of the statement that failed (``WriteRefused`` for a constraint or a user that
    may not write), with no bound value in its message.
    """
    max_parameters = connector.max_parameters()
    statements = plan_writes(
        steps,
        max_parameters=max_parameters,
        in_list_size=in_list_size,
        executemany_per_row=connector.executemany_per_row,
    )
    if not statements:
        return 0
    # The statement a failure is blamed on: the first one for the BEGIN, None for the COMMIT.
    current: WriteStatement | None = statements[0]
    connection = connector._connect(connector.writer())
    try:
        with connection, connection.begin():
            connector._begin_write(connection)
            try:
                affected = 0
                for current in statements:
                    affected += current.execute(connection)
                current = None  # what fails from here on is the commit
            finally:
                connector._end_write(connection)
    except DBAPIError as exc:
        table, columns = (current.table, current.columns) if current else (None, ())
        verb = current.verb if current else "commit"
        bound = bound_values(steps)
        raise connector._translate(exc, table, columns, bound, writing=verb) from None
    return affected


def plan_writes(
    steps: Sequence[TableChanges],
    *,
    max_parameters: int,
    in_list_size: int,
    executemany_per_row: bool = False,
) -> list[WriteStatement]:
    """The statements that apply ``steps`` in order; each step's updates before its deletes.

    ``executemany_per_row``: the driver sends an executemany row by row, so every group of
    rows sharing their new values gets a statement (see the module's docstring).

    Raises ``ValueError`` (never naming a value) for a malformed step: no primary key, a
    key of the wrong length, a row named twice, an update that sets no column.
    """
    statements: list[WriteStatement] = []
    for step in steps:
        _check(step)
        planner = _Planner(step, max_parameters, in_list_size, executemany_per_row)
        statements += planner.updates()
        statements += planner.deletes()
    return statements


def bound_values(steps: Iterable[TableChanges]) -> list[Any]:
    """Every key and value of ``steps``, as the scrubber compares them with a message."""
    found: list[Any] = []
    for step in steps:
        for change in step.changes:
            found += change.key
            found += (change.values or {}).values()
    return [text for value in found for text in _as_text(value)]


def refusal(verb: str | None, table: TableRef | None, *, constraint: bool, detail: str) -> str:
    """What a refused write says: which table, and why (never a value)."""
    if not constraint:
        where = f"'{table}'" if table is not None else "this system"
        return f"the connection's user may not write to {where} ({detail})"
    if table is None:
        return f"the changes break a constraint checked at commit ({detail})"
    if verb == "delete from":
        return (
            f"cannot delete from '{table}': a row of another table still refers to it "
            f"(foreign key; {detail})"
        )
    return (
        f"cannot update '{table}': the new values break a constraint of the table "
        f"(foreign key, unique or not null; {detail})"
    )


class _Planner:
    """The statements of one step."""

    def __init__(
        self,
        step: TableChanges,
        max_parameters: int,
        in_list_size: int,
        executemany_per_row: bool = False,
    ) -> None:
        self.ref = step.table
        self.key = step.primary_key
        self.changes = step.changes
        self.max_parameters = max_parameters
        self.in_list_size = in_list_size
        self.executemany_per_row = executemany_per_row

    def deletes(self) -> Iterator[WriteStatement]:
        source = table_clause(self.ref, self.key)
        keys = [change.key for change in self.changes if change.values is None]
        for batch in self._key_batches(keys, assigned=0):
            statement = delete(source).where(self._key_in(source, batch))
            yield WriteStatement(self.ref, "delete from", statement, self.key)

    def updates(self) -> Iterator[WriteStatement]:
        # Rows given the same new values share one statement (see the module's docstring
        # for which); the others, one executemany per set of columns.
        alike: dict[tuple[Any, ...], list[RowChange]] = {}
        for change in self.changes:
            if change.values is not None:
                alike.setdefault(_assignment(change.values), []).append(change)
        own: dict[tuple[str, ...], list[RowChange]] = {}
        largest = sorted(alike.values(), key=len, reverse=True)[:SHARED_GROUPS]
        shared = {id(group) for group in largest}
        for group in alike.values():
            values = group[0].values
            assert values is not None
            sharing = len(group) > 1 and (
                self.executemany_per_row or len(group) >= SHARED_ROWS or id(group) in shared
            )
            if not sharing:
                own.setdefault(tuple(sorted(values)), []).extend(group)
                continue
            yield from self._same_values(values, [change.key for change in group])
        for names, group in own.items():
            yield self._own_values(names, group)

    def _same_values(
        self, values: Mapping[str, Any], keys: list[tuple[Any, ...]]
    ) -> Iterator[WriteStatement]:
        names = tuple(values)
        source = table_clause(self.ref, [*self.key, *names])
        assignments = {source.c[name]: _bound(value) for name, value in values.items()}
        for batch in self._key_batches(keys, assigned=len(names)):
            statement = update(source).where(self._key_in(source, batch)).values(assignments)
            yield WriteStatement(self.ref, "update", statement, (*self.key, *names))

    def _own_values(self, names: tuple[str, ...], group: list[RowChange]) -> WriteStatement:
        if len(self.key) + len(names) > self.max_parameters:
            raise ValueError(f"an update of '{self.ref}' binds more values than a statement may")
        source = table_clause(self.ref, [*self.key, *names])
        taken = set(source.c.keys())
        key_params = _param_names("k", len(self.key), taken)
        value_params = _param_names("v", len(names), taken)
        statement = (
            update(source)
            .where(
                and_(
                    *(
                        source.c[name] == bindparam(param, type_=NullType())
                        for name, param in zip(self.key, key_params, strict=True)
                    )
                )
            )
            .values(
                {
                    source.c[name]: bindparam(param, type_=NullType())
                    for name, param in zip(names, value_params, strict=True)
                }
            )
        )
        params = []
        for change in group:
            assert change.values is not None
            row = dict(zip(key_params, change.key, strict=True))
            row.update(zip(value_params, (change.values[name] for name in names), strict=True))
            params.append(row)
        return WriteStatement(self.ref, "update", statement, (*self.key, *names), params)

    def _key_batches(
        self, keys: list[tuple[Any, ...]], *, assigned: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        """``keys`` in batches that, with ``assigned`` values, fit in one statement."""
        per_statement = (self.max_parameters - assigned) // len(self.key)
        if keys and per_statement < 1:
            raise ValueError(f"an update of '{self.ref}' binds more values than a statement may")
        for start in range(0, len(keys), max(per_statement, 1)):
            yield keys[start : start + per_statement]

    def _key_in(self, source: TableClause, keys: list[tuple[Any, ...]]) -> ColumnElement[bool]:
        """The rows of ``keys``: IN lists of ``in_list_size`` keys, OR'ed."""
        size = max(1, min(self.in_list_size, self.max_parameters // len(self.key)))
        lists: list[ColumnElement[bool]] = []
        for start in range(0, len(keys), size):
            batch = keys[start : start + size]
            if len(self.key) == 1:
                # Untyped, so the database coerces each value to the column's own type.
                param = bindparam(None, [key[0] for key in batch], expanding=True, type_=NullType())
                lists.append(source.c[self.key[0]].in_(param))
            else:
                columns = tuple_(*(source.c[name] for name in self.key))
                lists.append(columns.in_(bindparam(None, batch, expanding=True)))
        return or_(*lists)


def _check(step: TableChanges) -> None:
    if not step.primary_key or len(set(step.primary_key)) != len(step.primary_key):
        raise ValueError(f"the changes of '{step.table}' need a primary key of distinct columns")
    seen: set[tuple[Any, ...]] = set()
    for change in step.changes:
        if len(change.key) != len(step.primary_key):
            raise ValueError(
                f"a row key of '{step.table}' has {len(change.key)} values, "
                f"its primary key {len(step.primary_key)} columns"
            )
        if change.values is not None and not change.values:
            raise ValueError(f"an update of '{step.table}' sets no column")
        identity = tuple(map(hashable_key, change.key))
        if identity in seen:
            raise ValueError(f"a row of '{step.table}' appears more than once in its changes")
        seen.add(identity)


def table_clause(ref: TableRef, columns: Iterable[str]) -> TableClause:
    """``ref`` as a SQLAlchemy table of ``columns``: names SQLAlchemy quotes, never splices."""
    return table(ref.name, *(column(name) for name in dict.fromkeys(columns)), schema=ref.schema)


def _bound(value: Any) -> Any:
    # Untyped, so the database coerces the value to the column's own type.
    return bindparam(None, value, type_=NullType())


def _assignment(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """Equal for equal new values (1 and True are not the same value here)."""
    return tuple((name, type(value), hashable_key(value)) for name, value in sorted(values.items()))


def _param_names(prefix: str, count: int, taken: set[str]) -> list[str]:
    """Bind parameter names unlike every column name (SQLAlchemy reserves those)."""
    while any(f"{prefix}{n}" in taken for n in range(count)):
        prefix = f"_{prefix}"
    return [f"{prefix}{n}" for n in range(count)]


def _as_text(value: Any) -> list[Any]:
    """The forms in which a driver could quote ``value`` back in a message."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, str | int):
        return [value]
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return [raw.decode("utf-8", "replace"), raw.hex()]
    if isinstance(value, datetime.date | datetime.time):
        return [str(value), value.isoformat()]  # "2026-05-09 07:35:25" and "...T07:35:25"
    return [str(value)]
