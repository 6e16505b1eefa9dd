"""Rectification (Art. 16, notice section 7 b) on the demo estate and on a small one.

Anna Lindqvist's e-mail is held by the core system, the CRM (a contact and a marketing
consent) and the recruitment system, and her CV mentions it in free text. A correction
changes every column of the category in her records, leaves the free text to a person, and
audits old and new values as keyed hashes only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from small_estate import ANNA, CORE, WEBSITE, build_estate, datamap_for
from sqlalchemy import Engine

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.consent.suppression import is_suppressed
from dataskydd.datamap.loader import load_datamap
from dataskydd.datamap.schema import DataMap, ManualTask, System, SystemKind, SystemMap
from dataskydd.demo.estate import Estate as DemoEstate
from dataskydd.demo.estate import build
from dataskydd.demo.planted import ANNA as DEMO_ANNA
from dataskydd.demo.planted import KARL
from dataskydd.identity.keyed import identity_hash
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.programme.schema import Programme
from dataskydd.programme.text import bilingual
from dataskydd.rights.objection import object_to_direct_marketing
from dataskydd.rights.rectification import (
    RectificationError,
    RectificationPlan,
    RectificationPlanner,
    Step,
    TaskReason,
)
from dataskydd.rights.rectification_run import (
    RectificationRefused,
    RectificationResult,
    apply,
)
from dataskydd.rights.restriction import RestrictionReason, restrict
from dataskydd.rights.service import Estate, find_person, open_estate
from dataskydd.rights.subjects import find_subjects
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.migrate import upgrade
from dataskydd.store.tasks import tasks_for_request

DAY = "2026-12-02"
NEW_EMAIL = "anna.ny@example.se"
OLD_EMAIL = DEMO_ANNA.email  # anna.lindqvist@example.com
EMAIL_TABLES = [
    ("core", "customers"),
    ("crm", "contacts"),
    ("crm", "marketing_consents"),
    ("recruitment", "applicants"),
]


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_template()


@pytest.fixture
def demo(tmp_path: Path) -> DemoEstate:
    with clock.frozen_at("2026-11-26"):
        return build(tmp_path / "estate", persons=60)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def rows(urls: dict[str, str] | Any, system: str, table: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(urls[system])
    try:
        with engine.connect() as connection:
            found = sa.Table(table, sa.MetaData(), autoload_with=connection)
            query = sa.select(found).order_by(*found.primary_key.columns)
            return [dict(r._mapping) for r in connection.execute(query)]
    finally:
        engine.dispose()


def state(urls: dict[str, str] | Any) -> dict[str, list[dict[str, Any]]]:
    return {
        f"{system}.{table}": rows(urls, system, table)
        for system, table in [
            *EMAIL_TABLES,
            ("recruitment", "applicant_documents"),
            ("website", "chat_sessions"),
        ]
    }


def plan_for(
    programme: Programme,
    estate: Estate,
    category: str,
    value: str,
    personnummer: str = DEMO_ANNA.personnummer,
    **options: Any,
) -> RectificationPlan:
    planner = RectificationPlanner(programme, estate)
    target = planner.target(category, value, **options)
    resolution = find_person(estate, [(IdentityKind.PERSONNUMMER, personnummer)])
    return planner.plan(resolution, target)


def rectify(
    programme: Programme,
    datamap: DataMap,
    store: Engine,
    category: str = "contact.email",
    value: str = NEW_EMAIL,
    **options: Any,
) -> tuple[RectificationPlan, RectificationResult]:
    with clock.frozen_at(DAY), open_estate(datamap) as estate:
        plan = plan_for(programme, estate, category, value, **options)
        return plan, apply(store, estate, plan, decided_by="handläggare")


def demo_map(demo: DemoEstate, programme: Programme) -> DataMap:
    return load_datamap(demo.datamap_dir, programme)


# -- the promise ------------------------------------------------------------------------------


def test_a_corrected_email_is_changed_in_every_system_that_holds_the_customers_email(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    before = state(demo.urls)
    plan, result = rectify(programme, demo_map(demo, programme), store)

    assert result.ok and result.rows_written == 4
    assert {(i.system, i.table) for i in plan.by_step(Step.UPDATE)} == set(EMAIL_TABLES)
    after = state(demo.urls)
    for system, table in EMAIL_TABLES:
        name = f"{system}.{table}"
        changed = [
            (old, new) for old, new in zip(before[name], after[name], strict=True) if old != new
        ]
        # Exactly Anna's record changed, and only its e-mail column.
        assert len(changed) == 1, name
        old, new = changed[0]
        assert old["email"] == OLD_EMAIL and new["email"] == NEW_EMAIL
        assert {k for k in old if old[k] != new[k]} == {"email"}
    # Her e-mail is nowhere any more (someone else's e-mail is nobody's business here).
    assert not any(
        r.get("email") == OLD_EMAIL for name in EMAIL_TABLES for r in after[f"{name[0]}.{name[1]}"]
    )


def test_the_new_email_finds_her_afterwards_in_the_estate_and_in_the_app_store(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    datamap = demo_map(demo, programme)
    _, result = rectify(programme, datamap, store)
    assert result.identity_linked
    with session_scope(store) as session:
        found = find_subjects(session, [identity_hash(IdentityKind.EMAIL, NEW_EMAIL)])
        still = find_subjects(session, [identity_hash(IdentityKind.EMAIL, OLD_EMAIL)])
    assert found == [result.subject_ref]
    assert still == [result.subject_ref]  # the old one stays hers: objections still know it
    with open_estate(datamap) as estate:
        resolution = find_person(estate, [(IdentityKind.EMAIL, NEW_EMAIL)])
    assert ("core", "customers") in {(r.system, r.table) for r in resolution.found()}


def test_a_manual_system_gets_a_task(demo: DemoEstate, store: Engine, programme: Programme) -> None:
    datamap = with_archive(demo_map(demo, programme))
    plan, result = rectify(programme, datamap, store)

    manual = [i for i in plan.by_step(Step.TASK) if i.reason is TaskReason.MANUAL_SYSTEM]
    assert [i.system for i in manual] == ["archive"]
    task = next(t for t in result.tasks if t.system_key == "archive")
    assert task.assignee == "back-office" and task.request_ref == result.rectification_id
    texts = [step.en for step in task.checklist]
    assert any("contact.email" in text and "archive" in text for text in texts)
    assert "Search the binders for the personal identity number." in texts
    assert all(OLD_EMAIL not in t and NEW_EMAIL not in t for t in texts)
    # A manual system that does not hold the category gets no task.
    other, _ = rectify(programme, datamap, store, "identification.name", "Anna Lindqvist-Berg")
    assert "archive" not in {i.system for i in other.items}


def test_running_it_twice_changes_nothing_the_second_time(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    datamap = with_archive(demo_map(demo, programme))
    _, first = rectify(programme, datamap, store)
    after_first = state(demo.urls)
    with session_scope(store) as session:
        entries_first = list(audit_log.entries(session))

    plan, second = rectify(programme, datamap, store)
    assert plan.counts()["update"] == 0 and plan.counts()["unchanged"] == 4
    assert second.rows_written == 0 and second.systems == {}
    assert state(demo.urls) == after_first
    assert second.rectification_id == first.rectification_id
    assert [t.id for t in second.tasks] == [t.id for t in first.tasks if t.system_key == "archive"]
    with session_scope(store) as session:
        new = list(audit_log.entries(session))[len(entries_first) :]
        assert audit_log.verify(session).ok
    # Only the decision is recorded again: nothing was written, no task was handed out twice.
    assert [e.action for e in new] == ["rectification.decided"]


def test_the_audit_holds_keyed_hashes_never_the_values(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    _, result = rectify(programme, demo_map(demo, programme), store)
    with session_scope(store) as session:
        entries = list(audit_log.entries(session, subject_ref=result.subject_ref))
        assert audit_log.verify(session).ok
    applied = [e for e in entries if e.action == "rectification.applied"]
    assert {(e.details["system"], e.details["table"], e.details["column"]) for e in applied} == {
        (s, t, "email") for s, t in EMAIL_TABLES
    }
    old_hash = identity_hash(IdentityKind.EMAIL, OLD_EMAIL)
    new_hash = identity_hash(IdentityKind.EMAIL, NEW_EMAIL)
    for entry in applied:
        assert entry.details["old"] == [old_hash] and entry.details["new"] == new_hash
        assert entry.details["category"] == "contact.email" and entry.details["rows"] == 1
    everything = json.dumps([e.details for e in entries], ensure_ascii=False).casefold()
    for value in (OLD_EMAIL, NEW_EMAIL, "anna.lindqvist", "anna.ny", DEMO_ANNA.personnummer):
        assert value.casefold() not in everything


def test_an_invalid_email_is_refused_naming_the_field(
    demo: DemoEstate, programme: Programme
) -> None:
    with open_estate(demo_map(demo, programme)) as estate:
        planner = RectificationPlanner(programme, estate)
        with pytest.raises(RectificationError) as raised:
            planner.target("contact.email", "anna.ny@exempel")
        assert raised.value.field == "value"
        assert "e-mail address" in raised.value.reason and "no dot" in raised.value.reason
        assert "anna.ny" not in str(raised.value) and "exempel" not in str(raised.value)

        with pytest.raises(RectificationError) as unknown:
            planner.target("contact.mail", NEW_EMAIL)
        assert unknown.value.field == "category"
        assert "did you mean contact.email" in unknown.value.reason
        assert "contact.postal_address" in unknown.value.reason  # the known ones are listed

        with pytest.raises(RectificationError) as typed_in_the_wrong_place:
            planner.target(NEW_EMAIL, "x")
        assert NEW_EMAIL not in str(typed_in_the_wrong_place.value)

        with pytest.raises(RectificationError, match="name the column") as ambiguous:
            planner.target("contact.postal_address", "Kåbovägen 14")
        assert ambiguous.value.field == "column" and "street, postcode, city" in str(
            ambiguous.value
        )
        with pytest.raises(RectificationError, match="line break"):
            planner.target("identification.name", "Anna\nLindqvist")


def test_free_text_mentioning_the_old_value_becomes_a_task_not_a_silent_rewrite(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    cv_before = rows(demo.urls, "recruitment", "applicant_documents")
    plan, result = rectify(programme, demo_map(demo, programme), store)

    free_text = [i for i in plan.by_step(Step.TASK) if i.reason is TaskReason.FREE_TEXT]
    assert [(i.system, i.table, i.column) for i in free_text] == [
        ("recruitment", "applicant_documents", "content")
    ]
    assert rows(demo.urls, "recruitment", "applicant_documents") == cv_before
    assert OLD_EMAIL in next(r["content"] for r in cv_before if r["kind"] == "cv")
    task = next(t for t in result.tasks if t.system_key == "recruitment")
    assert any(free_text[0].ref in step.en and "free text" in step.en for step in task.checklist)


def test_a_phone_number_is_written_in_its_canonical_form_and_empty_columns_stay_empty(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    plan, result = rectify(
        programme, demo_map(demo, programme), store, "contact.phone", "070-174 06 99"
    )
    assert result.ok
    assert {
        r["phone"] for r in rows(demo.urls, "core", "customers") if r["name"] == DEMO_ANNA.name
    } == {"+46701740699"}
    # Her CRM contact never had a phone: a correction does not add one.
    skipped = plan.by_step(Step.SKIPPED)
    assert [(i.system, i.table, i.why.split(":")[0]) for i in skipped] == [
        ("crm", "contacts", "empty")
    ]
    # The CRM note and the CV that mention the old number are left to a person.
    assert {(i.system, i.table) for i in plan.by_step(Step.TASK)} == {
        ("crm", "interactions"),
        ("recruitment", "applicant_documents"),
    }


def test_a_postal_address_is_corrected_one_column_at_a_time(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    plan, result = rectify(
        programme,
        demo_map(demo, programme),
        store,
        "contact.postal_address",
        "Kåbovägen 14",
        columns=["street"],
    )
    assert result.ok and [(i.table, i.column) for i in plan.by_step(Step.UPDATE)] == [
        ("customers", "street")
    ]
    anna = next(r for r in rows(demo.urls, "core", "customers") if r["name"] == DEMO_ANNA.name)
    assert (anna["street"], anna["postcode"], anna["city"]) == ("Kåbovägen 14", "752 36", "Uppsala")


def test_a_value_already_someone_elses_is_refused_until_checked(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    datamap = demo_map(demo, programme)
    before = state(demo.urls)
    with clock.frozen_at(DAY), open_estate(datamap) as estate:
        plan = plan_for(programme, estate, "contact.email", KARL.email)
        assert plan.conflicts == ["core/customers: 1 record(s) of someone else"]
        with pytest.raises(RectificationRefused, match="someone else"):
            apply(store, estate, plan, decided_by="handläggare")
    assert state(demo.urls) == before
    with session_scope(store) as session:
        assert list(audit_log.entries(session)) == []


def test_a_person_who_objected_to_direct_marketing_stays_suppressed_by_the_new_email(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    with session_scope(store, write=True) as session:
        object_to_direct_marketing(
            session,
            programme,
            [(IdentityKind.PERSONNUMMER, DEMO_ANNA.personnummer), (IdentityKind.EMAIL, OLD_EMAIL)],
            "handläggare",
        )
    _, result = rectify(programme, demo_map(demo, programme), store)
    assert result.suppressed
    with session_scope(store) as session:
        assert is_suppressed(session, [identity_hash(IdentityKind.EMAIL, NEW_EMAIL)])


def test_a_restriction_while_accuracy_is_contested_is_named_for_the_handler_to_lift(
    demo: DemoEstate, store: Engine, programme: Programme
) -> None:
    with session_scope(store, write=True) as session:
        contested = restrict(
            session,
            [(IdentityKind.PERSONNUMMER, DEMO_ANNA.personnummer)],
            RestrictionReason.ACCURACY_CONTESTED,
            categories=["contact"],
            actor="handläggare",
        )
        other = restrict(
            session,
            [(IdentityKind.PERSONNUMMER, DEMO_ANNA.personnummer)],
            RestrictionReason.LEGAL_CLAIMS,
            actor="handläggare",
        )
    _, result = rectify(programme, demo_map(demo, programme), store)
    # Named, not lifted: the person is told first (Art. 18(3)), then a handler lifts it.
    assert result.restrictions == [contested.id] and other.id not in result.restrictions


# -- a system that refuses, and the three databases --------------------------------------------


def test_a_system_that_refuses_the_write_gets_a_task_and_the_others_are_corrected(
    tmp_path: Path, store: Engine, programme: Programme
) -> None:
    (tmp_path / "small").mkdir()
    directory = build_estate(tmp_path / "small")
    with sqlite3.connect(directory / "website.db") as connection:
        connection.execute(
            "CREATE TRIGGER read_only BEFORE UPDATE ON chat_sessions "
            "BEGIN SELECT RAISE(ABORT, 'this table is read-only'); END"
        )
    datamap = datamap_for(directory, CORE, WEBSITE)
    with open_estate(datamap) as estate:
        planner = RectificationPlanner(programme, estate)
        target = planner.target("contact.email", NEW_EMAIL)
        plan = planner.plan(find_person(estate, [(IdentityKind.PERSONNUMMER, ANNA)]), target)
        assert {(i.system, i.table) for i in plan.by_step(Step.UPDATE)} == {
            ("core", "customers"),
            ("website", "chat_sessions"),
        }
        result = apply(store, estate, plan, decided_by="handläggare")
    assert result.systems["core"].status == "written"
    assert result.systems["website"].status == "refused" and result.ok
    refused = [i for i in plan.by_step(Step.TASK) if i.reason is TaskReason.WRITE_REFUSED]
    assert [i.ref for i in refused] == ["website/chat_sessions/S-1"]
    assert NEW_EMAIL not in refused[0].why
    with session_scope(store) as session:
        tasks = tasks_for_request(session, result.rectification_id)
        actions = [e.action for e in audit_log.entries(session)]
    assert [t.system_key for t in tasks] == ["website"]
    assert "rectification.refused" in actions
    core = sa.create_engine(f"sqlite:///{directory / 'core.db'}")
    with core.connect() as connection:
        emails = dict(
            connection.execute(sa.text("SELECT customer_number, email FROM customers")).all()
        )
    core.dispose()
    assert emails["K-1"] == NEW_EMAIL and emails["K-2"] == "bertil@example.se"


@pytest.mark.postgres
@pytest.mark.mariadb
def test_on_postgresql_and_mariadb_the_email_is_corrected_too(
    tmp_path: Path, store: Engine, programme: Programme, postgres_url: str, mariadb_url: str
) -> None:
    with clock.frozen_at("2026-11-26"):
        demo = build(
            tmp_path / "estate", persons=60, urls={"core": postgres_url, "crm": mariadb_url}
        )
    _, result = rectify(programme, demo_map(demo, programme), store)
    assert result.ok and result.rows_written == 4
    for system, table in EMAIL_TABLES:
        emails = {r["email"] for r in rows(demo.urls, system, table)}
        assert NEW_EMAIL in emails and OLD_EMAIL not in emails, (system, table)
    again, second = rectify(programme, demo_map(demo, programme), store)
    assert again.counts()["update"] == 0 and second.rows_written == 0


def with_archive(datamap: DataMap) -> DataMap:
    """The estate and a paper archive that holds e-mail addresses."""
    archive = SystemMap(
        system=System(
            key="archive",
            name="Pappersarkiv",
            kind=SystemKind.MANUAL,
            manual=ManualTask(
                assignee="back-office",
                checklist=[
                    bilingual(
                        "Sök i pärmarna efter personnumret.",
                        "Search the binders for the personal identity number.",
                    )
                ],
                due_days=7,
            ),
            categories=["identification.national_id", "contact.email"],
        )
    )
    return DataMap(systems={**datamap.systems, "archive": archive})
