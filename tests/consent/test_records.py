"""Consent (Art. 7): given for a purpose, withdrawn at any time, as easily as given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.consent import records
from dataskydd.consent.records import ConsentError, ConsentState, ConsentStatus
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import Programme
from dataskydd.rights import restriction
from dataskydd.rights.subjects import Canonical, find_subjects, hashes
from dataskydd.store.engine import session_scope
from dataskydd.store.tables import AuditEventRecord, ConsentRecord

PNR = (IdentityKind.PERSONNUMMER, "198503121264")
EMAIL = (IdentityKind.EMAIL, "anna.lind@example.se")
ANNA: list[Canonical] = [PNR, EMAIL]
BO: list[Canonical] = [(IdentityKind.EMAIL, "bo.berg@example.se")]
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_consent_is_given_once_and_given_again_returns_the_one_in_force(
    store_engine: Engine, programme: Programme
) -> None:
    with clock.frozen_at(at(0)), session_scope(store_engine, write=True) as session:
        first = records.give(
            session, ANNA, "consent", " webbformulär ", "kundtjänst", programme=programme
        )
    with clock.frozen_at(at(5)), session_scope(store_engine, write=True) as session:
        again = records.give(session, [PNR], "consent", "telefon", "kundtjänst")
        assert len(session.scalars(select(ConsentRecord)).all()) == 1
    assert again == first
    assert first.source == "webbformulär" and first.given_at == at(0) and first.withdrawn_at is None


def test_the_state_is_none_then_given_then_withdrawn_then_given_anew(store_engine: Engine) -> None:
    with session_scope(store_engine) as session:
        assert records.state(session, ANNA, "consent") == ConsentStatus(ConsentState.NONE)
    with clock.frozen_at(at(0)), session_scope(store_engine, write=True) as session:
        records.give(session, ANNA, "consent", "webbformulär", "test")
    with session_scope(store_engine) as session:
        assert records.state(session, [EMAIL], "consent") == ConsentStatus(
            ConsentState.GIVEN, given_at=at(0)
        )
    with clock.frozen_at(at(10)), session_scope(store_engine, write=True) as session:
        withdrawn = records.withdraw(session, [PNR], "consent", "test")
    assert [w.withdrawn_at for w in withdrawn] == [at(10)]
    with session_scope(store_engine) as session:
        assert records.state(session, ANNA, "consent") == ConsentStatus(
            ConsentState.WITHDRAWN, given_at=at(0), withdrawn_at=at(10)
        )
    with clock.frozen_at(at(20)), session_scope(store_engine, write=True) as session:
        anew = records.give(session, ANNA, "consent", "app", "test")
    assert anew.id != withdrawn[0].id  # a new row: the history reads as it happened
    with session_scope(store_engine) as session:
        assert records.state(session, ANNA, "consent").state is ConsentState.GIVEN
        history = session.execute(
            select(ConsentRecord.given_at, ConsentRecord.withdrawn_at).order_by(ConsentRecord.id)
        ).all()
    assert [tuple(row) for row in history] == [(at(0), at(10)), (at(20), None)]


def test_withdrawing_by_email_withdraws_the_consent_recorded_with_the_personnummer(
    store_engine: Engine,
) -> None:
    """Both identities belong to one person: the consent was given by personnummer only."""
    with clock.frozen_at(at(0)), session_scope(store_engine, write=True) as session:
        given = records.give(session, [PNR], "recruitment", "ansökan", "test")
        # Later the e-mail address is linked to the same person (here: by a restriction).
        restriction.restrict(session, ANNA, "accuracy_contested", actor="test")
    with clock.frozen_at(at(1)), session_scope(store_engine, write=True) as session:
        withdrawn = records.withdraw(session, [EMAIL], "recruitment", "test")
    assert [w.id for w in withdrawn] == [given.id]
    with session_scope(store_engine) as session:
        assert records.state(session, [PNR], "recruitment").state is ConsentState.WITHDRAWN


def test_withdrawing_covers_every_person_an_identity_links_to(store_engine: Engine) -> None:
    with clock.frozen_at(at(0)), session_scope(store_engine, write=True) as session:
        by_mail = records.give(session, [EMAIL], "consent", "nyhetsbrev", "test")
        by_pnr = records.give(session, [PNR], "consent", "avtal", "test")
        assert len(find_subjects(session, hashes(ANNA))) == 2  # recorded as two refs
    with clock.frozen_at(at(1)), session_scope(store_engine, write=True) as session:
        withdrawn = records.withdraw(session, ANNA, "consent", "test")
    assert sorted(w.id for w in withdrawn) == sorted([by_mail.id, by_pnr.id])


def test_withdrawing_what_is_not_in_force_is_nothing_to_do(store_engine: Engine) -> None:
    with session_scope(store_engine, write=True) as session:
        assert records.withdraw(session, BO, "consent", "test") == []  # a stranger
        records.give(session, BO, "consent", "webbformulär", "test")
        assert records.withdraw(session, BO, "enquiries", "test") == []  # another purpose
        assert len(records.withdraw(session, BO, "consent", "test")) == 1
        assert records.withdraw(session, BO, "consent", "test") == []  # already withdrawn


def test_one_persons_consent_is_not_another_persons(store_engine: Engine) -> None:
    with session_scope(store_engine, write=True) as session:
        records.give(session, ANNA, "consent", "webbformulär", "test")
        assert records.state(session, BO, "consent").state is ConsentState.NONE
        assert records.state(session, ANNA, "enquiries").state is ConsentState.NONE


def test_a_consent_needs_a_source(store_engine: Engine) -> None:
    with (
        session_scope(store_engine, write=True) as session,
        pytest.raises(ConsentError, match="source"),
    ):
        records.give(session, ANNA, "consent", "   ", "test")


def test_a_purpose_not_on_consent_has_no_consent_to_give(
    store_engine: Engine, programme: Programme
) -> None:
    with session_scope(store_engine, write=True) as session:
        with pytest.raises(ConsentError, match=r"rests on contract, not on consent"):
            records.give(session, ANNA, "contract", "avtal", "test", programme=programme)
        with pytest.raises(ConsentError, match="no purpose 'nyhetsbrev'") as caught:
            records.give(session, ANNA, "nyhetsbrev", "form", "test", programme=programme)
        assert session.scalars(select(ConsentRecord)).all() == []
    named = str(caught.value).split("purposes on consent: ")[1]
    assert {"consent", "enquiries", "cookies", "recruitment"} == set(named.rstrip(")").split(", "))


def test_consent_based_reads_the_programme(programme: Programme) -> None:
    assert records.consent_based(programme, "recruitment")
    assert not records.consent_based(programme, "marketing-analysis")
    assert not records.consent_based(programme, "no-such-purpose")


def test_the_audit_log_records_giving_and_withdrawing_without_the_source_or_identities(
    store_engine: Engine,
) -> None:
    with session_scope(store_engine, write=True) as session:
        given = records.give(session, ANNA, "consent", "samtal med Anna Lind", "kundtjänst")
        records.withdraw(session, [EMAIL], "consent", "kundtjänst")
    with session_scope(store_engine) as session:
        events = session.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq)).all()
        assert audit_log.verify(session).ok
    assert [e.action for e in events] == ["consent.given", "consent.withdrawn"]
    assert all(e.subject_ref == given.subject_ref for e in events)
    assert events[0].details == {"consent": given.id, "purpose": "consent"}
    text = repr([(e.actor, e.details) for e in events])
    for secret in ("Anna", "198503121264", "anna.lind@example.se", "samtal"):
        assert secret not in text


def test_status_from_takes_the_oldest_consent_in_force_and_the_last_withdrawal() -> None:
    rows = [(at(0), at(5)), (at(6), at(30)), (at(10), None), (at(20), None)]
    assert records.status_from(rows) == ConsentStatus(ConsentState.GIVEN, given_at=at(10))
    assert records.status_from(rows[:2]) == ConsentStatus(
        ConsentState.WITHDRAWN, given_at=at(6), withdrawn_at=at(30)
    )
    assert records.status_from([]) == ConsentStatus(ConsentState.NONE)
