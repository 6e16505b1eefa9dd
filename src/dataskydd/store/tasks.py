"""Manual tasks: a named person looks through a system that cannot be queried.

A task belongs to one system and one rights request, carries the system's checklist in
Swedish and English, and is due some days after it is created. It holds no personal data:
it says where the person's identities are (the request), not what they are. Creating the
task for the same system and request again returns the one already there, so a resumed
job does not hand out the same work twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.programme.text import LocalText
from dataskydd.store.tables import ManualTaskRecord

# What must never be written into a task: e-mail addresses and Swedish national identity
# numbers (10 or 12 digits, with or without the separator).
_PERSONAL = re.compile(r"[^\s@]+@[^\s@]+\.\w+|(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class TaskNotFound(LookupError):
    """No task has this id."""


class TaskAlreadyDone(Exception):
    """The task was completed before; the message says by whom and when."""


@dataclass(frozen=True)
class Task:
    """A manual task, detached from any session."""

    id: int
    system_key: str
    request_ref: str
    identities_ref: str
    checklist: tuple[LocalText, ...]
    assignee: str
    due_date: date
    status: TaskStatus
    created_at: datetime
    completed_at: datetime | None
    completed_by: str | None
    outcome: str | None

    def overdue(self, on: date | None = None) -> bool:
        """Still open after its due date (``on`` defaults to today)."""
        day = on if on is not None else clock.today()
        return self.status is TaskStatus.OPEN and day > self.due_date

    @classmethod
    def from_row(cls, row: ManualTaskRecord) -> Task:
        return cls(
            id=row.id,
            system_key=row.system_key,
            request_ref=row.request_ref,
            identities_ref=row.identities_ref,
            checklist=tuple(LocalText.model_validate(item) for item in row.checklist),
            assignee=row.assignee,
            due_date=row.due_date,
            status=TaskStatus(row.status),
            created_at=row.created_at,
            completed_at=row.completed_at,
            completed_by=row.completed_by,
            outcome=row.outcome,
        )


def create_task(
    session: Session,
    *,
    system_key: str,
    request_ref: str,
    identities_ref: str,
    checklist: Sequence[LocalText],
    assignee: str,
    due_date: date,
) -> Task:
    """Open a task for ``system_key`` and ``request_ref``; return the existing one if there is one.

    ``identities_ref`` says where the identities are (e.g. "the identities of request
    R-17"); a text that holds an e-mail address or a personnummer is refused.
    """
    for name, value in (("request_ref", request_ref), ("identities_ref", identities_ref)):
        if not value.strip():
            raise ValueError(f"{name} must not be empty")
        _refuse_personal_data(name, value)
    if not checklist:
        raise ValueError("a task needs a checklist")
    if not assignee.strip():
        raise ValueError("a task needs an assignee")

    existing = _find(session, system_key, request_ref)
    if existing is not None:
        return Task.from_row(existing)
    row = ManualTaskRecord(
        system_key=system_key,
        request_ref=request_ref,
        identities_ref=identities_ref,
        checklist=[item.model_dump() for item in checklist],
        assignee=assignee.strip(),
        due_date=due_date,
        status=TaskStatus.OPEN.value,
        created_at=clock.now(),
    )
    try:
        # A savepoint, so that losing a race to another worker leaves the session usable.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = _find(session, system_key, request_ref)
        if existing is None:
            raise
        return Task.from_row(existing)
    return Task.from_row(row)


def get_task(session: Session, task_id: int) -> Task | None:
    row = session.get(ManualTaskRecord, task_id)
    return Task.from_row(row) if row is not None else None


def open_tasks(
    session: Session, *, system_key: str | None = None, assignee: str | None = None
) -> list[Task]:
    """Open tasks, soonest due first; only one system's or one person's when asked."""
    statement = select(ManualTaskRecord).where(ManualTaskRecord.status == TaskStatus.OPEN.value)
    if system_key is not None:
        statement = statement.where(ManualTaskRecord.system_key == system_key)
    if assignee is not None:
        statement = statement.where(ManualTaskRecord.assignee == assignee)
    statement = statement.order_by(ManualTaskRecord.due_date, ManualTaskRecord.id)
    return [Task.from_row(row) for row in session.scalars(statement)]


def tasks_for_request(session: Session, request_ref: str) -> list[Task]:
    """Every task of one request, open or done, by system."""
    statement = (
        select(ManualTaskRecord)
        .where(ManualTaskRecord.request_ref == request_ref)
        .order_by(ManualTaskRecord.system_key)
    )
    return [Task.from_row(row) for row in session.scalars(statement)]


def complete_task(session: Session, task_id: int, *, completed_by: str, outcome: str) -> Task:
    """Mark a task done by a named person, with what they found (no personal data in it).

    Raises :class:`TaskNotFound` for an unknown id and :class:`TaskAlreadyDone` when it
    was completed before: the first outcome stands.
    """
    if not completed_by.strip():
        raise ValueError("completed_by must name who did the task")
    if not outcome.strip():
        raise ValueError("outcome must say what was found")
    _refuse_personal_data("outcome", outcome)
    row = session.scalars(
        # Locked, so two people completing the same task cannot both succeed.
        select(ManualTaskRecord).where(ManualTaskRecord.id == task_id).with_for_update()
    ).first()
    if row is None:
        raise TaskNotFound(f"no manual task {task_id}")
    if row.status == TaskStatus.DONE.value:
        raise TaskAlreadyDone(
            f"manual task {task_id} was completed by {row.completed_by} at "
            f"{row.completed_at:%Y-%m-%d %H:%M} UTC"
        )
    row.status = TaskStatus.DONE.value
    row.completed_at = clock.now()
    row.completed_by = completed_by.strip()
    row.outcome = outcome.strip()
    session.flush()
    return Task.from_row(row)


def _refuse_personal_data(name: str, value: str) -> None:
    if _PERSONAL.search(value):
        raise ValueError(
            f"{name} looks like it holds personal data (an e-mail address or a personnummer); "
            "refer to the request instead"
        )


def _find(session: Session, system_key: str, request_ref: str) -> ManualTaskRecord | None:
    return session.scalars(
        select(ManualTaskRecord).where(
            ManualTaskRecord.system_key == system_key,
            ManualTaskRecord.request_ref == request_ref,
        )
    ).first()
