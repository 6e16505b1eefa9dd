"""Manual tasks in the app store (migration 0002), on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, inspect

from dataskydd import clock
from dataskydd.programme.text import LocalText
from dataskydd.store import migrate, tasks
from dataskydd.store.engine import make_engine, session_scope

CHECKLIST = [LocalText(sv="Sök i pärmarna", en="Search the binders")]


def create(
    engine: Engine,
    system_key: str = "arkiv",
    request_ref: str = "R-1",
    due: str = "2027-04-10",
    assignee: str = "arkivansvarig",
) -> tasks.Task:
    with session_scope(engine, write=True) as session:
        return tasks.create_task(
            session,
            system_key=system_key,
            request_ref=request_ref,
            identities_ref=f"the identities of request {request_ref}",
            checklist=CHECKLIST,
            assignee=assignee,
            due_date=date.fromisoformat(due),
        )


def complete(
    engine: Engine, task_id: int, by: str = "Kim Arkiv", outcome: str = "Inget hittat"
) -> tasks.Task:
    with session_scope(engine, write=True) as session:
        return tasks.complete_task(session, task_id, completed_by=by, outcome=outcome)


def open_tasks(engine: Engine, **filters: str) -> list[tasks.Task]:
    with session_scope(engine) as session:
        return tasks.open_tasks(session, **filters)


# -- migration 0002 ---------------------------------------------------------------------------


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migration_0002_adds_manual_tasks_and_takes_them_away(store_url: str) -> None:
    assert migrate.upgrade(store_url, "0001") == "0001"
    assert "manual_tasks" not in tables(store_url)

    assert migrate.upgrade(store_url, "0002") == "0002"
    assert {"programme_versions", "manual_tasks"} <= tables(store_url)

    assert migrate.downgrade(store_url, "0001") == "0001"
    assert "manual_tasks" not in tables(store_url)
    assert "programme_versions" in tables(store_url)


# -- the repository ------------------------------------------------------------------------------


def test_a_new_task_is_open_and_stamped_by_the_clock(store_engine: Engine) -> None:
    with clock.frozen_at("2027-04-01T09:30"):
        task = create(store_engine)
    assert task.status is tasks.TaskStatus.OPEN
    assert task.created_at == datetime(2027, 4, 1, 7, 30, tzinfo=UTC)
    assert task.checklist == tuple(CHECKLIST)
    assert (task.completed_at, task.completed_by, task.outcome) == (None, None, None)
    with session_scope(store_engine) as session:
        assert tasks.get_task(session, task.id) == task
        assert tasks.get_task(session, task.id + 1) is None


def test_open_tasks_come_soonest_due_first_and_filter_by_system_and_assignee(
    store_engine: Engine,
) -> None:
    late = create(store_engine, "arkiv", "R-1", due="2027-05-01")
    soon = create(store_engine, "lön", "R-1", due="2027-04-05", assignee="lönekontoret")
    other = create(store_engine, "arkiv", "R-2", due="2027-04-20")

    assert [t.id for t in open_tasks(store_engine)] == [soon.id, other.id, late.id]
    assert [t.id for t in open_tasks(store_engine, system_key="arkiv")] == [other.id, late.id]
    assert [t.id for t in open_tasks(store_engine, assignee="lönekontoret")] == [soon.id]
    with session_scope(store_engine) as session:
        assert [t.system_key for t in tasks.tasks_for_request(session, "R-1")] == ["arkiv", "lön"]


def test_completing_records_who_when_and_what_was_found(store_engine: Engine) -> None:
    task = create(store_engine)
    with clock.frozen_at("2027-04-03T14:00"):
        done = complete(store_engine, task.id, by="Kim Arkiv", outcome="Två brev hittade, skannade")
    assert done.status is tasks.TaskStatus.DONE
    assert done.completed_at == datetime(2027, 4, 3, 12, 0, tzinfo=UTC)
    assert done.completed_by == "Kim Arkiv"
    assert done.outcome == "Två brev hittade, skannade"
    assert open_tasks(store_engine) == []


def test_the_first_completion_stands(store_engine: Engine) -> None:
    task = create(store_engine)
    complete(store_engine, task.id, by="Kim Arkiv")
    with pytest.raises(tasks.TaskAlreadyDone, match="Kim Arkiv"):
        complete(store_engine, task.id, by="Someone Else")
    with pytest.raises(tasks.TaskNotFound):
        complete(store_engine, task.id + 1000)


def test_a_completion_names_a_person_and_an_outcome(store_engine: Engine) -> None:
    task = create(store_engine)
    with pytest.raises(ValueError, match="completed_by"):
        complete(store_engine, task.id, by=" ")
    with pytest.raises(ValueError, match="outcome"):
        complete(store_engine, task.id, outcome="")
    with pytest.raises(ValueError, match="personal data"):
        complete(store_engine, task.id, outcome="Hittade 197804121234 i pärm 3")


def test_an_overdue_task_is_open_past_its_due_date(store_engine: Engine) -> None:
    task = create(store_engine, due="2027-04-10")
    assert not task.overdue(date(2027, 4, 10))
    assert task.overdue(date(2027, 4, 11))
    with clock.frozen_at("2027-04-11"):
        assert task.overdue()


def test_workers_creating_the_same_task_at_once_make_one(store_engine: Engine) -> None:
    made: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            made.append(create(store_engine, "arkiv", "R-9").id)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(set(made)) == 1
    assert len(open_tasks(store_engine)) == 1
