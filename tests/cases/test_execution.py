"""An approved request is carried out once, by a worker, and its answer is downloaded once."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from dataskydd import clock
from dataskydd.cases import answers, execution, lifecycle
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import CaseError, RequestKind, Status
from dataskydd.demo.estate import Estate, build
from dataskydd.demo.planted import ANNA
from dataskydd.jobs.queue import Jobs
from dataskydd.programme import Programme, load_template
from dataskydd.settings import Settings
from dataskydd.store.case_tables import RightsRequestRecord
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.migrate import upgrade

HANDLER = "Maria Handläggare"


@pytest.fixture
def estate(tmp_path: Path) -> Estate:
    with clock.frozen_at("2026-11-26"):
        return build(tmp_path / "estate", persons=200)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def programme() -> Programme:
    return load_template("swedish-lender")


def approved(store: Engine, kind: RequestKind, **details: object) -> str:
    with session_scope(store, write=True) as session:
        done = submit(
            session, kind=kind, identities=[("personnummer", ANNA.personnummer)], details=details
        )
        lifecycle.verify(session, done.id, method="staff", by=HANDLER, note="ID-kort visat")
        lifecycle.assess(session, done.id, by=HANDLER)
        lifecycle.approve(session, done.id, by=HANDLER)
    return done.id


def status(store: Engine, request_id: str) -> RightsRequestRecord:
    with session_scope(store) as session:
        row = lifecycle.load(session, request_id)
        session.expunge(row)
        return row


def test_an_approved_access_request_is_answered_with_a_package_downloadable_once(
    store: Engine, estate: Estate, programme: Programme
) -> None:
    request_id = approved(store, RequestKind.ACCESS)
    outcome = execution.execute(
        store, request_id, worker="w1", programme=programme, datamap_dir=estate.datamap_dir
    )
    assert outcome.done
    assert status(store, request_id).status == Status.ANSWERED
    with session_scope(store, write=True) as session:
        token = answers.issue_link(session, lifecycle.load(session, request_id))
    with session_scope(store, write=True) as session:
        got = answers.download(session, token)
    names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
    assert "letter.pdf" in names and "answer.json" in names
    with session_scope(store, write=True) as session, pytest.raises(CaseError, match="used"):
        answers.download(session, token)
    with session_scope(store, write=True) as session, pytest.raises(CaseError, match="already"):
        answers.issue_link(session, lifecycle.load(session, request_id))


def test_the_answer_is_sealed_at_rest(store: Engine, estate: Estate, programme: Programme) -> None:
    request_id = approved(store, RequestKind.ACCESS)
    execution.execute(
        store, request_id, worker="w1", programme=programme, datamap_dir=estate.datamap_dir
    )
    raw = store.url.database or ""
    assert b"Lindqvist" not in Path(raw).read_bytes()


def test_an_expired_link_is_refused(store: Engine, estate: Estate, programme: Programme) -> None:
    request_id = approved(store, RequestKind.RESTRICTION, reason="accuracy_contested")
    execution.execute(store, request_id, worker="w1", programme=programme, datamap_dir=None)
    with clock.frozen_at("2027-01-01"), session_scope(store, write=True) as session:
        token = answers.issue_link(session, lifecycle.load(session, request_id))
    with (
        clock.frozen_at("2027-01-03"),
        session_scope(store, write=True) as session,
        pytest.raises(CaseError, match="expired"),
    ):
        answers.download(session, token)


def test_an_erasure_with_an_active_loan_keeps_the_loan_and_says_why(
    store: Engine, estate: Estate, programme: Programme
) -> None:
    request_id = approved(store, RequestKind.ERASURE, grounds=["consent_withdrawn"])
    with clock.frozen_at("2026-12-02"):
        execution.execute(
            store, request_id, worker="w1", programme=programme, datamap_dir=estate.datamap_dir
        )
        with session_scope(store, write=True) as session:
            token = answers.issue_link(session, lifecycle.load(session, request_id))
        with session_scope(store, write=True) as session:
            letter = answers.download(session, token).content.decode("utf-8")
    assert "penningtvätt" in letter
    assert status(store, request_id).status == Status.ANSWERED


def test_a_request_is_executed_once_even_when_two_workers_receive_it(
    store: Engine, programme: Programme
) -> None:
    request_id = approved(store, RequestKind.OBJECTION, direct_marketing=True)
    assert execution.claim(store, request_id, "w1")
    assert not execution.claim(store, request_id, "w2")
    # w1 dies; once its lease has run out the request is free again, and nothing was done twice.
    assert execution.stalled(store) == []
    with clock.frozen_at(clock.now() + execution.lease() * 2):
        assert execution.stalled(store) == [request_id]
        outcome = execution.execute(
            store, request_id, worker="w2", programme=programme, datamap_dir=None
        )
    assert outcome.done and status(store, request_id).status == Status.ANSWERED
    from dataskydd.audit import log as audit_log

    with session_scope(store) as session:
        objections = [e for e in audit_log.entries(session) if e.action.startswith("objection")]
    assert len(objections) == len({e.details.get("purpose") for e in objections})


def test_a_real_worker_on_the_durable_queue_executes_what_the_reconciler_finds(
    store: Engine, tmp_path: Path, programme: Programme
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=str(store.url.render_as_string(hide_password=False)),
    )
    request_id = approved(store, RequestKind.CONSENT_WITHDRAWAL, purpose="consent")
    jobs = Jobs(settings)
    # The enqueue after approval was lost (say the web process died): the reconciler finds it.
    assert jobs.reconcile() == 1
    consumer = jobs.consumer(workers=2, in_process=True)
    consumer.start()
    try:
        deadline = time.monotonic() + 30
        while status(store, request_id).status != Status.ANSWERED and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
    assert status(store, request_id).status == Status.ANSWERED
    assert jobs.reconcile() == 0


def test_a_failing_execution_is_recorded_without_values_and_retried_later(
    store: Engine, programme: Programme, tmp_path: Path
) -> None:
    request_id = approved(store, RequestKind.ACCESS)
    missing = tmp_path / "no-such-datamap"
    missing.mkdir()
    with pytest.raises(Exception):  # noqa: B017 - any failure: what matters is what is left
        execution.execute(store, request_id, worker="w1", programme=programme, datamap_dir=missing)
    row = status(store, request_id)
    assert row.status == Status.DECIDED and row.last_error and row.attempts == 1
    assert execution.stalled(store) == [request_id]
    with session_scope(store, write=True) as session:
        session.execute(update(RightsRequestRecord).values(attempts=execution.MAX_ATTEMPTS))
    assert execution.stalled(store) == []


def test_a_rectification_request_corrects_her_email_in_every_system(
    store: Engine, estate: Estate, programme: Programme
) -> None:
    import sqlalchemy as sa

    new_email = "anna.ny.adress@example.se"
    request_id = approved(
        store, RequestKind.RECTIFICATION, category="contact.email", new_value=new_email
    )
    outcome = execution.execute(
        store, request_id, worker="w1", programme=programme, datamap_dir=estate.datamap_dir
    )
    assert outcome.done and outcome.reason.endswith("task(s)")
    assert status(store, request_id).status == Status.ANSWERED
    core = sa.create_engine(estate.urls["core"])
    with core.connect() as connection:
        emails = set(
            connection.execute(
                sa.text("SELECT email FROM customers WHERE personnummer = :p"),
                {"p": ANNA.personnummer.replace("-", "")},
            ).scalars()
        )
    core.dispose()
    assert emails == {new_email}
