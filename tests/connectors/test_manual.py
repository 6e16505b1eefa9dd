"""A manual system is never queried: a named person gets a task, due by the one clock."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from dataskydd import clock
from dataskydd.connectors.base import ConnectorError, RowChange, TableChanges, TableRef
from dataskydd.connectors.manual import ManualConnector, ManualSystem
from dataskydd.datamap.schema import ManualTask, System, SystemKind
from dataskydd.programme.text import LocalText
from dataskydd.store import tasks
from dataskydd.store.engine import session_scope

CHECKLIST = [
    LocalText(sv="Sök i pärmarna på namn och personnummer", en="Search the binders by name and ID"),
    LocalText(sv="Skanna det som hittas", en="Scan what is found"),
]


@pytest.fixture
def archive(store_engine: Engine) -> ManualConnector:
    system = System(
        key="arkiv",
        name="Pappersarkiv",
        kind=SystemKind.MANUAL,
        manual=ManualTask(assignee="arkivansvarig", checklist=CHECKLIST, due_days=7),
        categories=["identity"],
    )
    return ManualConnector(system, store_engine)


def test_a_task_carries_the_checklist_and_is_due_after_due_days(
    archive: ManualConnector, store_engine: Engine
) -> None:
    # 22:30 UTC on the 30th is already the 31st in Stockholm, where the days are counted.
    with clock.frozen_at("2027-03-30T22:30+00:00"):
        task = archive.create_task("R-17", "the identities of request R-17")

    assert task.system_key == "arkiv"
    assert task.request_ref == "R-17"
    assert task.assignee == "arkivansvarig"
    assert task.checklist == tuple(CHECKLIST)
    assert task.due_date == date(2027, 4, 7)
    assert task.status is tasks.TaskStatus.OPEN
    with session_scope(store_engine) as session:
        assert tasks.open_tasks(session, system_key="arkiv") == [task]


def test_asking_again_for_the_same_request_returns_the_same_task(
    archive: ManualConnector, store_engine: Engine
) -> None:
    first = archive.create_task("R-17", "the identities of request R-17")
    again = archive.create_task("R-17", "the identities of request R-17")
    assert again.id == first.id
    with session_scope(store_engine) as session:
        assert len(tasks.open_tasks(session)) == 1


def test_a_task_refuses_personal_data_in_clear(archive: ManualConnector) -> None:
    with pytest.raises(ValueError, match="personal data"):
        archive.create_task("R-17", "anna@example.se")
    with pytest.raises(ValueError, match="personal data"):
        archive.create_task("R-17", "19780412-1234")


def test_a_manual_system_cannot_be_queried(archive: ManualConnector) -> None:
    assert archive.describe() == {}
    with pytest.raises(ManualSystem) as raised:
        archive.fetch(TableRef("binders"), ["id"], {"name": ["Anna"]})
    assert raised.value.system == "arkiv"
    assert isinstance(raised.value, ConnectorError)
    with pytest.raises(ManualSystem):
        archive.search_text(TableRef("binders"), ["id"], ["notes"], ["Anna"])
    with pytest.raises(ManualSystem):
        archive.sample(TableRef("binders"), "name", 5)
    archive.close()  # releases nothing: the app store is not the connector's


def test_a_manual_system_cannot_be_written_to(archive: ManualConnector) -> None:
    step = TableChanges(TableRef("binders"), ("id",), [RowChange((1,))])
    with pytest.raises(ConnectorError) as raised:
        archive.write([step])
    assert raised.value.system == "arkiv"
    assert "cannot be written to" in raised.value.message
    assert "task for a person" in raised.value.message
