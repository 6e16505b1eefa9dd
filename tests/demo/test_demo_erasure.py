"""The notice's erasure promise on the demo estate (section 7 c and 9).

A customer with an active loan who asks for erasure keeps the loan, its KYC records and its
bookkeeping, and the answer says why and until when; her marketing consent, her chat and
her old job application go. A former customer whose relationship ended seven years ago
loses the anti-money-laundering records too, and keeps the contract evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_estate import Built, build_on_day
from sqlalchemy import Engine

from dataskydd import clock
from dataskydd.datamap.loader import load_datamap
from dataskydd.demo.planted import ANNA, KARL
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.programme.schema import Programme
from dataskydd.rights.erasure import Action, ErasurePlan, Ground
from dataskydd.rights.erasure_answer import letter
from dataskydd.rights.erasure_plan import ErasurePlanner
from dataskydd.rights.erasure_run import execute, record
from dataskydd.rights.service import find_person, open_estate
from dataskydd.store.engine import make_engine
from dataskydd.store.migrate import upgrade

ERASE_DAY = "2026-12-02"
GROUNDS = [Ground.CONSENT_WITHDRAWN, Ground.OBJECTION]


@pytest.fixture
def built(tmp_path: Path) -> Built:
    return build_on_day(tmp_path / "estate", persons=300)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_template()


def erase(built: Built, store: Engine, programme: Programme, personnummer: str) -> ErasurePlan:
    datamap = load_datamap(built.estate.datamap_dir, programme)
    with clock.frozen_at(ERASE_DAY), open_estate(datamap) as estate:
        resolution = find_person(estate, [(IdentityKind.PERSONNUMMER, personnummer)])
        plan = ErasurePlanner(programme, estate).plan(resolution, GROUNDS)
        run_id = record(store, [plan], datamap, "handläggare")
        result = execute(store, estate, run_id, actor="handläggare", batch_rows=3)
        assert result.status == "verified", result.problems
        return plan


def replan(built: Built, programme: Programme, personnummer: str) -> ErasurePlan:
    datamap = load_datamap(built.estate.datamap_dir, programme)
    with clock.frozen_at(ERASE_DAY), open_estate(datamap) as estate:
        resolution = find_person(estate, [(IdentityKind.PERSONNUMMER, personnummer)])
        return ErasurePlanner(programme, estate).plan(resolution, GROUNDS)


def test_an_erased_customer_with_an_active_loan_keeps_the_loan_and_loses_the_marketing_data(
    built: Built, store: Engine, programme: Programme
) -> None:
    before = {t: built.rows("core", t) for t in ("loans", "kyc_checks", "transactions")}
    plan = erase(built, store, programme, ANNA.personnummer)

    customer = built.estate.anna.customer_number
    # The loan, its KYC checks and its bookkeeping stay exactly as they were.
    for name, rows in before.items():
        assert built.rows("core", name) == rows
    assert any(r["customer_number"] == customer for r in built.rows("core", "loans"))
    # Her application is gone, her marketing consent no longer names her, her chat no
    # longer holds her personnummer.
    assert not [
        r for r in built.rows("recruitment", "applicants") if r["personnummer"] == ANNA.personnummer
    ]
    assert ANNA.email not in {r["email"] for r in built.rows("crm", "marketing_consents")}
    written = built.estate.anna.personnummer_written
    assert not [
        r for r in built.rows("website", "chat_messages") if written in (r["message"] or "")
    ]

    kept = {d.table for d in plan.by_action(Action.KEEP)}
    assert {"loans", "kyc_checks", "transactions", "customers"} <= kept
    sv, en = (
        letter(plan, programme, load_datamap(built.estate.datamap_dir, programme), lang)
        for lang in ("sv", "en")
    )
    assert "SFS 2017:630" in sv and "penningtvätt" in sv and "avtalet gäller" in sv
    assert "money laundering" in en and "for as long as the agreement is in force" in en
    assert ANNA.personnummer not in sv + en and ANNA.email not in sv + en


def test_after_the_erasure_nothing_erasable_remains(
    built: Built, store: Engine, programme: Programme
) -> None:
    erase(built, store, programme, ANNA.personnummer)
    again = replan(built, programme, ANNA.personnummer)
    assert not [d.ref for d in again.decisions if d.erased]


def test_a_former_customer_of_seven_years_loses_the_aml_records_and_keeps_the_contract_evidence(
    built: Built, store: Engine, programme: Programme
) -> None:
    customer = next(
        r for r in built.rows("core", "customers") if r["personnummer"] == KARL.personnummer
    )
    assert [
        r
        for r in built.rows("core", "kyc_checks")
        if r["customer_number"] == customer["customer_number"]
    ]
    plan = erase(built, store, programme, KARL.personnummer)

    assert not [
        r
        for r in built.rows("core", "kyc_checks")
        if r["customer_number"] == customer["customer_number"]
    ]
    assert [
        r
        for r in built.rows("core", "loans")
        if r["customer_number"] == customer["customer_number"]
    ]
    evidence = {
        h.until
        for d in plan.by_action(Action.KEEP)
        for h in d.holds
        if h.rule == "contract-evidence"
    }
    ended = customer["relationship_ended_at"]
    assert evidence == {ended.date().replace(year=ended.year + 10)}
    assert "Preskriptionslagen" in letter(
        plan, programme, load_datamap(built.estate.datamap_dir, programme), "sv"
    )
