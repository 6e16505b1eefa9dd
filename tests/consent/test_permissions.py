"""The permission check, read as the notice's promises; every test runs on SQLite and PostgreSQL.

A check is allowed or denied with reasons (stable codes, sv/en texts); ``now=`` reads the
facts as of an instant; Art. 18(2) lets some purposes go on while processing is restricted.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from dataskydd import clock
from dataskydd.consent import records, suppression
from dataskydd.consent.permissions import (
    STORAGE,
    Code,
    Decision,
    PermissionChecker,
    UnknownPurpose,
    check,
    checker_for,
)
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import Programme
from dataskydd.rights import objection, restriction
from dataskydd.rights.restriction import RestrictionReason
from dataskydd.rights.subjects import Canonical, hashes, subject_for
from dataskydd.store.engine import session_scope
from dataskydd.store.tables import ErasureRunRecord, ErasureSubjectRecord

PNR = (IdentityKind.PERSONNUMMER, "198503121264")
EMAIL = (IdentityKind.EMAIL, "anna.lind@example.se")
PHONE = (IdentityKind.PHONE, "+46701234567")
ANNA: list[Canonical] = [PNR, EMAIL]
OTHER: list[Canonical] = [(IdentityKind.EMAIL, "bo.berg@example.se")]

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def decide(
    engine: Engine,
    checker: PermissionChecker,
    purpose: str,
    identities: list[Canonical],
    *,
    now: datetime | None = None,
) -> Decision:
    with session_scope(engine) as session:
        return checker.check(session, purpose, identities, now=now)


def codes(decision: Decision) -> set[str]:
    return set(decision.codes)


def give(engine: Engine, identities: list[Canonical], purpose: str, when: datetime) -> None:
    with clock.frozen_at(when), session_scope(engine, write=True) as session:
        records.give(session, identities, purpose, "webbformulär", "test")


def withdraw(engine: Engine, identities: list[Canonical], purpose: str, when: datetime) -> None:
    with clock.frozen_at(when), session_scope(engine, write=True) as session:
        records.withdraw(session, identities, purpose, "test")


def restrict(
    engine: Engine,
    identities: list[Canonical],
    when: datetime,
    *,
    reason: RestrictionReason = RestrictionReason.ACCURACY_CONTESTED,
    categories: tuple[str, ...] = (),
) -> int:
    with clock.frozen_at(when), session_scope(engine, write=True) as session:
        return restriction.restrict(
            session, identities, reason, categories=categories, actor="test"
        ).id


def lift(engine: Engine, restriction_id: int, when: datetime) -> None:
    with clock.frozen_at(when), session_scope(engine, write=True) as session:
        restriction.lift(session, restriction_id, "uppgifterna är kontrollerade", "test")


# -- purposes and identities -----------------------------------------------------------------


def test_an_unknown_purpose_is_refused_with_the_purposes_there_are(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    with pytest.raises(UnknownPurpose, match="marketing-analysis") as caught:
        decide(store_engine, checker, "marketing", ANNA)
    assert caught.value.purpose == "marketing"
    assert str(caught.value).split("are: ")[1].startswith("storage, ")


def test_a_check_needs_an_identity(store_engine: Engine, checker: PermissionChecker) -> None:
    with pytest.raises(ValueError, match="at least one identity"):
        decide(store_engine, checker, "contract", [])


def test_a_person_we_know_nothing_about_may_be_processed_under_the_purposes_legal_basis(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    decision = decide(store_engine, checker, "contract", ANNA)
    assert decision.allowed and decision.purpose == "contract"
    assert decision.codes == [Code.LEGAL_BASIS]
    assert "Art. 6(1)(b)" in decision.reasons[0].text.en
    assert decision.reasons[0].text.sv.startswith("Ändamålet ”")


def test_storage_is_always_allowed_even_under_a_restriction_of_everything(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    restrict(store_engine, ANNA, at(0))
    decision = decide(store_engine, checker, STORAGE, ANNA, now=at(1))
    assert decision.allowed and decision.codes == [Code.STORAGE]
    assert "Art. 18(2)" in decision.reasons[0].text.en


def test_the_shared_checker_and_the_module_check_agree(
    store_engine: Engine, programme: Programme
) -> None:
    assert checker_for(programme) is checker_for(programme)
    with session_scope(store_engine) as session:
        assert not check(session, programme, "consent", ANNA).allowed
    with store_engine.connect() as connection:  # a Connection will do as well as a Session
        assert check(connection, programme, "contract", ANNA).allowed


# -- consent -----------------------------------------------------------------------------------


def test_a_consent_based_purpose_is_denied_until_the_person_consents(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    before = decide(store_engine, checker, "consent", ANNA)
    assert not before.allowed and codes(before) == {Code.LEGAL_BASIS, Code.NO_CONSENT}
    give(store_engine, ANNA, "consent", at(0))
    after = decide(store_engine, checker, "consent", ANNA, now=at(1))
    assert after.allowed and codes(after) == {Code.LEGAL_BASIS, Code.CONSENT_GIVEN}


def test_a_withdrawn_consent_denies_and_says_it_was_withdrawn(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    give(store_engine, ANNA, "consent", at(0))
    withdraw(store_engine, ANNA, "consent", at(10))
    decision = decide(store_engine, checker, "consent", ANNA, now=at(11))
    assert not decision.allowed
    assert codes(decision) == {Code.LEGAL_BASIS, Code.CONSENT_WITHDRAWN}
    assert "Art. 7(3)" in next(r for r in decision.reasons if r.denies).text.en


def test_a_consent_given_by_personnummer_is_found_by_the_email_address_of_the_same_person(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    give(store_engine, ANNA, "recruitment", at(0))
    assert decide(store_engine, checker, "recruitment", [EMAIL], now=at(1)).allowed
    assert not decide(store_engine, checker, "recruitment", OTHER, now=at(1)).allowed


def test_a_consent_to_one_purpose_does_not_allow_another(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    give(store_engine, ANNA, "consent", at(0))
    assert not decide(store_engine, checker, "enquiries", ANNA, now=at(1)).allowed


def test_a_check_as_of_before_a_consent_was_given_denies_and_before_its_withdrawal_allows(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    give(store_engine, ANNA, "consent", at(10))
    withdraw(store_engine, ANNA, "consent", at(20))
    assert not decide(store_engine, checker, "consent", ANNA, now=at(5)).allowed
    assert decide(store_engine, checker, "consent", ANNA, now=at(15)).allowed
    assert not decide(store_engine, checker, "consent", ANNA, now=at(25)).allowed


# -- objection and suppression ---------------------------------------------------------------


def test_a_person_who_objects_to_direct_marketing_is_denied_marketing_analysis_for_good(
    store_engine: Engine, checker: PermissionChecker, programme: Programme
) -> None:
    with clock.frozen_at(at(0)), session_scope(store_engine, write=True) as session:
        objected = objection.object_to_direct_marketing(session, programme, ANNA, "test")
    for purpose in ("marketing-analysis", "social-media"):
        decision = decide(store_engine, checker, purpose, [EMAIL], now=at(1))
        assert not decision.allowed
        assert {Code.OBJECTION, Code.SUPPRESSED} <= codes(decision)
    with session_scope(store_engine, write=True) as session:
        for one in objected.objections:
            with pytest.raises(objection.OverrideRefused):
                objection.override(session, one.id, "vi har starka skäl", "dpo")
    later = decide(store_engine, checker, "marketing-analysis", ANNA, now=at(60 * 24 * 365))
    assert not later.allowed and Code.OBJECTION in codes(later)
    # Marketing stopping does not stop the contract.
    assert decide(store_engine, checker, "contract", ANNA, now=at(1)).allowed


def test_a_suppressed_address_is_denied_direct_marketing_though_nobody_is_recorded_for_it(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    with clock.frozen_at(at(0)), session_scope(store_engine, write=True) as session:
        suppression.suppress(session, hashes([PHONE]), reason="objection", actor="test")
    decision = decide(store_engine, checker, "social-media", [PHONE], now=at(1))
    assert not decision.allowed and codes(decision) == {Code.LEGAL_BASIS, Code.SUPPRESSED}
    assert "suppression list" in decision.reasons[-1].text.en
    # The suppression list bears on direct marketing only.
    assert decide(store_engine, checker, "fraud-monitoring", [PHONE], now=at(1)).allowed
    # Suppressed after the instant asked about: not yet suppressed then.
    assert decide(store_engine, checker, "social-media", [PHONE], now=at(-1)).allowed


def test_an_objection_stops_fraud_monitoring_until_an_assessment_overrides_it(
    store_engine: Engine, checker: PermissionChecker, programme: Programme
) -> None:
    with clock.frozen_at(at(0)), session_scope(store_engine, write=True) as session:
        objected = objection.object_to(session, programme, [PNR], "fraud-monitoring", actor="test")
    stopped = decide(store_engine, checker, "fraud-monitoring", ANNA, now=at(1))
    assert not stopped.allowed and Code.OBJECTION in codes(stopped)
    assert "Art. 21(1)" in stopped.reasons[-1].text.en
    with clock.frozen_at(at(10)), session_scope(store_engine, write=True) as session:
        objection.override(session, objected.id, "pågående bedrägeriutredning", "dpo")
    going_on = decide(store_engine, checker, "fraud-monitoring", ANNA, now=at(11))
    assert going_on.allowed
    assert codes(going_on) == {Code.LEGAL_BASIS, Code.OBJECTION_OVERRIDDEN}
    # As of before the assessment, the objection still stopped it.
    assert not decide(store_engine, checker, "fraud-monitoring", ANNA, now=at(5)).allowed
    # Not a direct-marketing objection: no suppression, and other purposes go on.
    assert decide(store_engine, checker, "marketing-analysis", ANNA, now=at(11)).allowed


# -- restriction (Art. 18) -------------------------------------------------------------------


def test_a_restriction_denies_customer_analysis_but_storage_and_legal_claims_go_on(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    restrict(store_engine, ANNA, at(0), reason=RestrictionReason.OBJECTION_PENDING)
    analysis = decide(store_engine, checker, "marketing-analysis", [PNR], now=at(1))
    assert not analysis.allowed
    assert codes(analysis) == {Code.LEGAL_BASIS, Code.RESTRICTED}
    assert "Art. 18(1)(d)" in analysis.reasons[-1].text.en
    assert analysis.reasons[-1].text.sv.startswith(
        "Behandlingen av dina uppgifter är begränsad (art. 18"
    )
    assert not decide(store_engine, checker, "contract", [PNR], now=at(1)).allowed
    assert decide(store_engine, checker, STORAGE, [PNR], now=at(1)).allowed
    claims = decide(store_engine, checker, "recruitment-legal-claims", [EMAIL], now=at(1))
    assert claims.allowed
    assert codes(claims) == {Code.LEGAL_BASIS, Code.ALLOWED_WHILE_RESTRICTED}
    assert "legal claims" in claims.reasons[-1].text.en


def test_a_restriction_of_some_categories_denies_only_purposes_that_process_them(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    restrict(store_engine, ANNA, at(0), categories=("communication.social_media",))
    assert not decide(store_engine, checker, "social-media", ANNA, now=at(1)).allowed
    assert decide(store_engine, checker, "contract", ANNA, now=at(1)).allowed
    assert decide(store_engine, checker, "fraud-monitoring", ANNA, now=at(1)).allowed


def test_restricting_an_email_address_restricts_a_purpose_that_processes_all_contact_data(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    restrict(store_engine, ANNA, at(0), categories=("contact.email",))
    assert not decide(store_engine, checker, "contract", ANNA, now=at(1)).allowed
    # fraud-monitoring processes no contact data.
    assert decide(store_engine, checker, "fraud-monitoring", ANNA, now=at(1)).allowed


def test_a_consent_given_after_the_restriction_allows_the_consented_purpose(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    restrict(store_engine, ANNA, at(0))
    give(store_engine, ANNA, "consent", at(10))
    decision = decide(store_engine, checker, "consent", ANNA, now=at(11))
    assert decision.allowed
    assert codes(decision) == {
        Code.LEGAL_BASIS,
        Code.CONSENT_GIVEN,
        Code.ALLOWED_WHILE_RESTRICTED,
    }
    assert "after the restriction was placed" in decision.reasons[-1].text.en


def test_a_consent_given_before_the_restriction_does_not_lift_it(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    give(store_engine, ANNA, "consent", at(0))
    restrict(store_engine, ANNA, at(10))
    decision = decide(store_engine, checker, "consent", ANNA, now=at(11))
    assert not decision.allowed
    assert codes(decision) == {Code.LEGAL_BASIS, Code.CONSENT_GIVEN, Code.RESTRICTED}


def test_data_kept_after_an_erasure_still_serves_the_contract_and_the_law_but_not_marketing(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    restrict(store_engine, ANNA, at(0), reason=RestrictionReason.RETAINED_AFTER_ERASURE)
    for purpose in ("contract", "legal-obligation"):
        kept = decide(store_engine, checker, purpose, ANNA, now=at(1))
        assert kept.allowed, purpose
        assert "Art. 17(3)" in kept.reasons[-1].text.en
    assert not decide(store_engine, checker, "marketing-analysis", ANNA, now=at(1)).allowed


def test_a_lifted_restriction_no_longer_denies_but_a_check_as_of_before_the_lift_still_does(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    placed = restrict(store_engine, ANNA, at(10))
    lift(store_engine, placed, at(20))
    assert decide(store_engine, checker, "contract", ANNA, now=at(5)).allowed  # not yet placed
    assert not decide(store_engine, checker, "contract", ANNA, now=at(15)).allowed
    assert decide(store_engine, checker, "contract", ANNA, now=at(25)).allowed
    assert decide(store_engine, checker, "contract", ANNA).allowed  # the real clock: now


def test_two_restrictions_for_one_reason_give_one_reason(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    restrict(store_engine, ANNA, at(0))
    restrict(store_engine, ANNA, at(1), categories=("contact",))
    restrict(store_engine, ANNA, at(2), reason=RestrictionReason.LEGAL_CLAIMS)
    decision = decide(store_engine, checker, "contract", ANNA, now=at(3))
    assert decision.codes == [Code.LEGAL_BASIS, Code.RESTRICTED, Code.RESTRICTED]
    assert "Art. 18(1)(a)" in decision.reasons[1].text.en
    assert "Art. 18(1)(c)" in decision.reasons[2].text.en


def test_facts_recorded_under_two_identities_of_one_person_are_read_together(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    # The consent is recorded by e-mail, the restriction by personnummer: two subject refs.
    give(store_engine, [EMAIL], "consent", at(0))
    restrict(store_engine, [PNR], at(10))
    assert decide(store_engine, checker, "consent", [EMAIL], now=at(11)).allowed
    both = decide(store_engine, checker, "consent", ANNA, now=at(11))
    assert not both.allowed and codes(both) == {
        Code.LEGAL_BASIS,
        Code.CONSENT_GIVEN,
        Code.RESTRICTED,
    }


def test_another_persons_restriction_does_not_deny(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    restrict(store_engine, OTHER, at(0))
    assert decide(store_engine, checker, "contract", ANNA, now=at(1)).allowed


# -- erasure -------------------------------------------------------------------------------------


def _verified_erasure(
    engine: Engine, identities: list[Canonical], purposes: list[str], when: datetime, *, bulk: bool
) -> None:
    with session_scope(engine, write=True) as session:
        ref = subject_for(session, identities)
        run_id = f"run-{when.timestamp():.0f}"
        session.add(
            ErasureRunRecord(
                id=run_id,
                subject_ref=None if bulk else ref,
                ground="no_longer_necessary",
                decided_by="dpo",
                decided_at=when - timedelta(minutes=1),
                status="verified",
                plan={},
                summary={"purposes": purposes},
                finished_at=when,
            )
        )
        session.flush()
        if bulk:
            session.add(ErasureSubjectRecord(run_id=run_id, subject_ref=ref))


@pytest.mark.parametrize("bulk", [False, True], ids=["request", "bulk"])
def test_a_purpose_whose_data_was_erased_is_denied(
    store_engine: Engine, checker: PermissionChecker, bulk: bool
) -> None:
    _verified_erasure(store_engine, ANNA, ["marketing-analysis"], at(10), bulk=bulk)
    erased = decide(store_engine, checker, "marketing-analysis", [EMAIL], now=at(11))
    assert not erased.allowed and Code.ERASED in codes(erased)
    assert "Art. 17" in erased.reasons[-1].text.en
    assert decide(store_engine, checker, "marketing-analysis", ANNA, now=at(9)).allowed
    assert decide(store_engine, checker, "contract", ANNA, now=at(11)).allowed


def test_a_consent_given_anew_after_an_erasure_allows_the_purpose_again(
    store_engine: Engine, checker: PermissionChecker
) -> None:
    give(store_engine, ANNA, "consent", at(0))
    _verified_erasure(store_engine, ANNA, ["consent"], at(10), bulk=False)
    old = decide(store_engine, checker, "consent", ANNA, now=at(11))
    assert not old.allowed and codes(old) == {Code.LEGAL_BASIS, Code.CONSENT_GIVEN, Code.ERASED}
    withdraw(store_engine, ANNA, "consent", at(12))
    give(store_engine, ANNA, "consent", at(20))
    assert decide(store_engine, checker, "consent", ANNA, now=at(21)).allowed


# -- concurrency (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.postgres
def test_concurrent_checks_see_a_restriction_and_a_withdrawal_together_or_not_at_all(
    postgres_engine: Engine, checker: PermissionChecker
) -> None:
    """One transaction restricts and withdraws; a check never sees one without the other.

    The checks ask as of an instant after every change (``now=`` an hour ahead), so what this
    holds to is the one statement's one snapshot; the tests below hold a check on the default
    ``now`` to it too (one instant per transaction: ``store/instant.py``).
    """
    engine = postgres_engine
    with session_scope(engine, write=True) as session:  # on the real clock, as the checks are
        records.give(session, ANNA, "consent", "webbformulär", "test")
    allowed = frozenset({Code.LEGAL_BASIS, Code.CONSENT_GIVEN})
    denied = frozenset({Code.LEGAL_BASIS, Code.CONSENT_WITHDRAWN, Code.RESTRICTED})
    seen: list[frozenset[str]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def ahead() -> datetime:
        return clock.now() + timedelta(hours=1)

    def reader() -> None:
        try:
            while not done.is_set():
                with engine.connect() as connection:
                    for _ in range(20):
                        decision = checker.check(connection, "consent", ANNA, now=ahead())
                        seen.append(frozenset(decision.codes))
                        connection.rollback()  # each check in a fresh READ COMMITTED snapshot
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    def writer(rounds: int) -> None:
        for _ in range(rounds):
            with session_scope(engine, write=True) as session:
                placed = restriction.restrict(session, ANNA, "accuracy_contested", actor="w")
                time.sleep(0.02)  # readers run between the two changes of one transaction
                records.withdraw(session, ANNA, "consent", "w")
            with session_scope(engine, write=True) as session:
                # Back to the start in one transaction: the restriction lifted, consent again.
                restriction.lift(session, placed.id, "kontrollerat", "w")
                time.sleep(0.02)
                records.give(session, ANNA, "consent", "samtal", "w")

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        writer(10)
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=30)
    assert not errors, errors
    assert seen, "the readers made no checks"
    mixed = {codes for codes in seen if codes not in (allowed, denied)}
    assert not mixed, f"checks saw half a transaction: {sorted(map(sorted, mixed))}"
    assert allowed in seen and denied in seen


def _check_across_a_commit(
    engine: Engine,
    checker: PermissionChecker,
    monkeypatch: pytest.MonkeyPatch,
    purpose: str,
    first: Any,
    second: Any,
) -> Decision:
    """Run a check that takes its `now` after ``first`` and reads after ``second`` commits."""
    entered, committed = threading.Event(), threading.Event()
    original = checker.decide

    def decide_after_the_commit(
        session: Any, rule: Any, digests: list[str], now: datetime
    ) -> Decision:
        entered.set()  # `now` is taken; the statement has not run
        committed.wait(10)
        return original(session, rule, digests, now)

    monkeypatch.setattr(checker, "decide", decide_after_the_commit)
    result: list[Decision] = []

    def reader() -> None:
        with engine.connect() as connection:
            result.append(checker.check(connection, purpose, ANNA))

    thread = threading.Thread(target=reader)
    with session_scope(engine, write=True) as session:
        first(session)
        time.sleep(0.005)
        thread.start()
        assert entered.wait(10)
        time.sleep(0.005)
        second(session)
    committed.set()
    thread.join(10)
    return result[0]


@pytest.mark.postgres
def test_a_check_under_way_while_a_restriction_and_a_withdrawal_commit_sees_both_or_neither(
    postgres_engine: Engine, checker: PermissionChecker, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(postgres_engine, write=True) as session:
        records.give(session, ANNA, "consent", "webbformulär", "test")
    decision = _check_across_a_commit(
        postgres_engine,
        checker,
        monkeypatch,
        "consent",
        lambda s: restriction.restrict(s, ANNA, "accuracy_contested", actor="w"),
        lambda s: records.withdraw(s, ANNA, "consent", "w"),
    )
    assert codes(decision) in (
        {Code.LEGAL_BASIS, Code.CONSENT_GIVEN},
        {Code.LEGAL_BASIS, Code.CONSENT_WITHDRAWN, Code.RESTRICTED},
    )


@pytest.mark.postgres
def test_a_restriction_replaced_by_an_objection_in_one_transaction_never_lets_a_check_through(
    postgres_engine: Engine,
    checker: PermissionChecker,
    programme: Programme,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Art. 18(1)(d) while an objection is assessed, then the objection itself: denied before,
    # denied after, so no check may be allowed in between.
    with session_scope(postgres_engine, write=True) as session:
        placed = restriction.restrict(session, ANNA, "objection_pending", actor="test")
    assert not decide(postgres_engine, checker, "fraud-monitoring", ANNA).allowed
    decision = _check_across_a_commit(
        postgres_engine,
        checker,
        monkeypatch,
        "fraud-monitoring",
        lambda s: restriction.lift(s, placed.id, "invändningen registreras", "w"),
        lambda s: objection.object_to(s, programme, ANNA, "fraud-monitoring", actor="w"),
    )
    assert not decision.allowed, decision.codes
