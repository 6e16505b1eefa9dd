"""Bulk loading one system, the fastest way each database offers.

The pattern is a restore's: create bare tables, load every row inside one transaction,
then build the indexes and foreign keys in one pass each, which is far faster than
keeping them up to date row by row. SQLite loads with its journal off (a failed build
is rebuilt, not recovered), PostgreSQL through ``COPY``, MariaDB through multi-row
``INSERT`` with its checks paused.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable

from dataskydd.datamap.schema import SystemKind
from dataskydd.demo.columns import annotation
from dataskydd.demo.context import Row
from dataskydd.demo.systems import DemoSystem
from dataskydd.demo.urls import kind

BATCH_ROWS = 10_000


class Loader:
    """Loads one system; use as a context manager, then :meth:`finish` to commit."""

    def __init__(self, system: DemoSystem, url: str) -> None:
        self.system = system
        self.kind = kind(url)
        self.engine = sa.create_engine(url)
        self.connection = self.engine.connect()

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()

    # -- what is there ------------------------------------------------------------------------

    def existing_tables(self) -> list[str]:
        """Which of the system's tables the database already has."""
        present = set(sa.inspect(self.connection).get_table_names())
        self.connection.rollback()
        return [t.name for t in self.system.tables if t.name in present]

    # -- building -----------------------------------------------------------------------------

    def drop(self) -> None:
        self.system.metadata.drop_all(self.connection, checkfirst=True)
        self.connection.commit()

    def create(self) -> None:
        """Bare tables (SQLite: with their foreign keys, it cannot add them later)."""
        inline: list[sa.ForeignKeyConstraint] | None = (
            None if self.kind is SystemKind.SQLITE else []
        )
        for table in self.system.tables:
            self.connection.execute(CreateTable(table, include_foreign_key_constraints=inline))
        self.connection.commit()
        self._prepare()

    def load(self, table: sa.Table, rows: Sequence[Row]) -> None:
        for start in range(0, len(rows), BATCH_ROWS):
            self._write(table, rows[start : start + BATCH_ROWS])

    def finish(self) -> None:
        """Commit the rows, then index, constrain and analyse every table."""
        self.connection.commit()
        self._restore()
        for table in self.system.tables:
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                self.connection.execute(CreateIndex(index))
            if self.kind is not SystemKind.SQLITE:
                for constraint in sorted(table.foreign_key_constraints, key=lambda c: str(c.name)):
                    self.connection.execute(AddConstraint(constraint))
        self._after_load()
        self.connection.commit()

    # -- per database -------------------------------------------------------------------------

    def _prepare(self) -> None:
        if self.kind is SystemKind.SQLITE:
            # No rollback journal and no fsync while loading: a failed build is rebuilt.
            self.connection.exec_driver_sql("PRAGMA journal_mode=OFF")
            self.connection.exec_driver_sql("PRAGMA synchronous=OFF")
        elif self.kind is SystemKind.MARIADB:
            # Foreign keys come after the load; unique checks are the primary keys we number.
            self.connection.exec_driver_sql("SET SESSION foreign_key_checks=0")
            self.connection.exec_driver_sql("SET SESSION unique_checks=0")

    def _write(self, table: sa.Table, rows: Sequence[Row]) -> None:
        if self.kind is SystemKind.POSTGRESQL:
            self._copy(table, rows)
        else:
            # SQLite: executemany; MariaDB: PyMySQL turns executemany into multi-row INSERTs.
            self.connection.execute(table.insert(), list(rows))

    def _copy(self, table: sa.Table, rows: Sequence[Row]) -> None:
        preparer = self.engine.dialect.identifier_preparer
        names = [c.name for c in table.columns]
        columns = ", ".join(preparer.quote(name) for name in names)
        values = itemgetter(*names)
        driver: Any = self.connection.connection.driver_connection
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(values(row))

    def _restore(self) -> None:
        if self.kind is SystemKind.SQLITE:
            # A WAL journal from now on: readers and an erasure can work side by side.
            self.connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            self.connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
        elif self.kind is SystemKind.MARIADB:
            self.connection.exec_driver_sql("SET SESSION unique_checks=1")
            self.connection.exec_driver_sql("SET SESSION foreign_key_checks=1")

    def _after_load(self) -> None:
        preparer = self.engine.dialect.identifier_preparer
        if self.kind is SystemKind.SQLITE:
            self.connection.exec_driver_sql("ANALYZE")
            return
        if self.kind is SystemKind.POSTGRESQL:
            self._trigram_indexes()
        for table in self.system.tables:
            name = preparer.format_table(table)
            if self.kind is SystemKind.POSTGRESQL:
                self._advance_sequence(table)
                self.connection.exec_driver_sql(f"ANALYZE {name}")
            else:
                self.connection.exec_driver_sql(f"ANALYZE TABLE {name}").fetchall()

    def _trigram_indexes(self) -> None:
        """Trigram indexes on free text, so finding a person's identifiers in notes and chat
        is an index lookup, not a scan of every message (docs/operations.md advises the same
        for real systems). Skipped where the pg_trgm extension cannot be had."""
        preparer = self.engine.dialect.identifier_preparer
        try:
            with self.connection.begin_nested():
                self.connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except SQLAlchemyError:
            return
        for table in self.system.tables:
            for column in table.columns:
                if annotation(column).free_text:
                    index = preparer.quote(f"ix_{table.name}_{column.name}_trgm")
                    self.connection.exec_driver_sql(
                        f"CREATE INDEX {index} ON {preparer.format_table(table)} "
                        f"USING gin ({preparer.quote(column.name)} gin_trgm_ops)"
                    )

    def _advance_sequence(self, table: sa.Table) -> None:
        """Rows were loaded with their ids: move each serial on past them."""
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer):
            return
        column = key[0].name
        self.connection.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE((SELECT MAX({column}) FROM {table.name}), 0) + 1, false)"
            ),
            {"table": table.name, "column": column},
        )
