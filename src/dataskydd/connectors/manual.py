"""Systems that cannot be queried: a named person gets a task with the system's checklist.

A :class:`ManualConnector` never reads or writes anything. Its access calls refuse, so
that no resolution can mistake "not asked" for "nothing found", and so does ``write``, so
that no erasure can mistake "not done" for "done"; the resolution asks it for a task
instead, written to the app store with a due date counted from the one clock.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta
from typing import Any, NoReturn

from sqlalchemy import Engine

from dataskydd import clock
from dataskydd.connectors.base import ColumnInfo, ConnectorError, Row, TableChanges, TableRef
from dataskydd.datamap.schema import ManualTask, System, SystemKind
from dataskydd.store.engine import session_scope
from dataskydd.store.tasks import Task, create_task


class ManualSystem(ConnectorError):
    """A manual system was asked a question only a person can answer."""


class ManualConnector:
    """The connector of a manual system: tasks in the app ``store`` instead of queries."""

    def __init__(self, system: System, store: Engine) -> None:
        if system.kind != SystemKind.MANUAL or system.manual is None:
            raise ValueError(f"system '{system.key}' is not a manual system")
        self.system = system.key
        self.manual: ManualTask = system.manual
        self.store = store

    def create_task(self, request_ref: str, identities_ref: str) -> Task:
        """The task for ``request_ref`` (created once, then found again), due in ``due_days``.

        ``identities_ref`` says where the person's identities are, never what they are.
        """
        with session_scope(self.store, write=True) as session:
            return create_task(
                session,
                system_key=self.system,
                request_ref=request_ref,
                identities_ref=identities_ref,
                checklist=self.manual.checklist,
                assignee=self.manual.assignee,
                due_date=clock.today() + timedelta(days=self.manual.due_days),
            )

    def describe(self) -> dict[str, list[ColumnInfo]]:
        """No tables: a manual system lists categories in the data map instead."""
        return {}

    def fetch(
        self, table: TableRef, columns: Sequence[str], match: Mapping[str, Collection[Any]]
    ) -> list[Row]:
        self._refuse()

    def search_text(
        self,
        table: TableRef,
        columns: Sequence[str],
        text_columns: Sequence[str],
        needles: Sequence[str | Sequence[str]],
    ) -> list[Row]:
        self._refuse()

    def sample(self, table: TableRef, column: str, limit: int) -> list[Any]:
        self._refuse()

    def write(self, steps: Sequence[TableChanges]) -> int:
        # A ManualSystem is a ConnectorError: whoever catches those catches this one too.
        raise ManualSystem(
            self.system, "a manual system cannot be written to: its changes are a task for a person"
        )

    def close(self) -> None:
        """Nothing to release: the app store's engine belongs to whoever passed it in."""

    def _refuse(self) -> NoReturn:
        raise ManualSystem(
            self.system, "a manual system cannot be queried; create a task for a person instead"
        )
