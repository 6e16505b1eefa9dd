"""The one small interface every store implements, and the errors it raises.

A connector answers set-based questions about one system: which rows have any of these
values in these columns, and which rows mention any of these strings in their free text.
It never writes during access, binds every value as a parameter, and says by name which
system failed, so a resolution can never be silently partial. Erasure and rectification
write through :meth:`Connector.write`: rows by primary key, all of one call in one
transaction, on connections of their own (the access path stays read-only).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Row = dict[str, Any]


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str  # the database's own type name, e.g. "VARCHAR(20)", "INTEGER"
    nullable: bool = True


@dataclass(frozen=True)
class TableRef:
    """A table in one system; ``schema`` is None for the default schema."""

    name: str
    schema: str | None = None

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True)
class RowChange:
    """One row of a table, by primary key: deleted (values None) or some columns set."""

    key: tuple[Any, ...]  # primary-key values, in primary_key order
    values: Mapping[str, Any] | None = None  # None: delete the row; else column -> new value


@dataclass(frozen=True)
class TableChanges:
    """Changes to rows of one table, each row named by its ``primary_key`` values.

    A row appears at most once; the rows are distinct, so their order does not matter.
    """

    table: TableRef
    primary_key: tuple[str, ...]
    changes: Sequence[RowChange]


class ConnectorError(Exception):
    """Something went wrong asking ``system``; the message says what, never with secrets."""

    def __init__(self, system: str, message: str) -> None:
        self.system = system
        self.message = message
        super().__init__(f"system '{system}': {message}")


class SystemUnreachable(ConnectorError):
    """The system could not be connected to (down, wrong address, wrong credentials)."""


class QueryTimeout(ConnectorError):
    """A query ran past the system's timeout."""


class SchemaMismatch(ConnectorError):
    """A table or column the data map names does not exist in the live system."""


class WriteRefused(ConnectorError):
    """The system refused a change: a constraint (a foreign key) or a user that may not write.

    Nothing of the call was written: the whole transaction was rolled back.
    """


class Connector(Protocol):
    """One system's answers. Implementations: sqlite, postgresql, mariadb (and manual)."""

    system: str

    def describe(self) -> dict[str, list[ColumnInfo]]:
        """The live schema: every table (qualified as ``schema.table`` outside the default) and its columns."""
        ...

    def fetch(
        self, table: TableRef, columns: Sequence[str], match: Mapping[str, Collection[Any]]
    ) -> list[Row]:
        """Rows of ``table`` (only ``columns``) where any ``match`` column holds any of its values.

        One query per call (``col_a IN (...) OR col_b IN (...)``), keys batched internally
        when there are many; an empty ``match`` returns no rows.
        """
        ...

    def search_text(
        self,
        table: TableRef,
        columns: Sequence[str],
        text_columns: Sequence[str],
        needles: Sequence[str | Sequence[str]],
    ) -> list[Row]:
        """Rows of ``table`` where any ``text_columns`` value contains any ``needles`` (case-insensitive).

        A needle given as a sequence of parts matches the parts in order, anything between.
        """
        ...

    def sample(self, table: TableRef, column: str, limit: int) -> list[Any]:
        """Up to ``limit`` non-null values of ``column``, for proposing categories and identity kinds."""
        ...

    def write(self, steps: Sequence[TableChanges]) -> int:
        """Apply every step, in order, in ONE read-write transaction; all or nothing.

        Returns the number of rows affected (deleted + updated; an update counts every row
        it finds). Idempotent for the same steps: deleting an absent row or setting a value
        already there is not an error.
        """
        ...

    def close(self) -> None:
        """Release pooled connections."""
        ...


def hashable_key(value: Any) -> Any:
    """``value`` itself when it can key a dict, else its ``repr``: rows may hold lists and dicts."""
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value
