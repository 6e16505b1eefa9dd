"""A request goes from received to answered, on time, and only a named person decides it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.cases import lifecycle
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import CaseError, Channel, NotFound, RequestKind, Status
from dataskydd.cases.sealed import open_request
from dataskydd.cases.timeline import timeline
from dataskydd.identity.kinds import IdentityKind
from dataskydd.store.case_tables import RequestIdentityRecord, RightsRequestRecord
from dataskydd.store.engine import session_scope

ANNA = [("personnummer", "780523-9824"), ("email", "Anna.Berg@Example.se")]


def _submit(engine: Engine, kind: RequestKind = RequestKind.ACCESS, identities=ANNA, **kw):  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        return submit(session, kind=kind, identities=identities, **kw)


def test_a_request_received_on_31_january_is_due_on_the_last_working_day_rule(
    engine: Engine,
) -> None:
    with clock.frozen_at("2027-01-31T10:00"):
        done = _submit(engine)
    # 28 February 2027 is a Sunday: due on Monday 1 March.
    assert done.due == date(2027, 3, 1)
    assert done.status == Status.RECEIVED
    assert done.reference.startswith("DS-") and len(done.reference) == 12


def test_identities_are_sealed_and_only_keyed_hashes_stay_in_clear(engine: Engine) -> None:
    done = _submit(
        engine,
        details={"message": "Jag vill se mina uppgifter", "contact_email": "anna.berg@example.se"},
    )
    with session_scope(engine) as session:
        row = session.get(RightsRequestRecord, done.id)
        assert row is not None
        for column in (row.identities, row.payload):
            assert "9824" not in column and "example" not in column and "uppgifter" not in column
        opened = open_request(row)
        assert [v for _, v in opened.identities] == ["197805239824", "anna.berg@example.se"]
        assert opened.payload["message"] == "Jag vill se mina uppgifter"
        hashes = session.scalars(select(RequestIdentityRecord.identity_hash)).all()
        assert len(hashes) == 2 and all(len(h) == 64 for h in hashes)
        assert row.follow_token_hash != done.follow_token


def test_a_second_request_of_the_same_kind_while_the_first_is_open_is_a_duplicate(
    engine: Engine,
) -> None:
    first = _submit(engine)
    # Another written form of the same personnummer is the same person.
    second = _submit(engine, identities=[("personnummer", "197805239824")])
    other_kind = _submit(engine, kind=RequestKind.ERASURE)
    assert second.status == Status.DUPLICATE and second.duplicate_of == first.id
    assert other_kind.status == Status.RECEIVED


def test_once_the_first_is_answered_or_withdrawn_a_new_request_is_not_a_duplicate(
    engine: Engine,
) -> None:
    first = _submit(engine)
    with session_scope(engine, write=True) as session:
        lifecycle.withdraw(session, first.id, by="data subject")
    assert _submit(engine).status == Status.RECEIVED


@pytest.mark.parametrize(
    ("identities", "details", "message"),
    [
        ([("personnummer", "780523-9825")], None, r"identities\[0\]\.value"),
        ([("shoe_size", "42")], None, r"identities\[0\]\.kind: unknown kind"),
        ([("organisationsnummer", "556036-0793")], None, "does not name a person"),
        ([], None, "at least one identity"),
        (ANNA, {"contact_email": "not-an-address"}, "details.contact_email"),
        (ANNA, {"colour": "red"}, "details.colour"),
    ],
)
def test_bad_input_is_refused_naming_the_field_never_the_value(
    engine: Engine, identities: list[tuple[str, str]], details: dict[str, str] | None, message: str
) -> None:
    with pytest.raises(CaseError, match=message) as raised:
        _submit(engine, identities=identities, details=details)
    assert "9825" not in str(raised.value) and "not-an-address" not in str(raised.value)
    with session_scope(engine) as session:
        assert session.scalars(select(RightsRequestRecord)).all() == []


def test_nothing_is_decided_before_verification_and_assessment_and_never_by_the_system(
    engine: Engine,
) -> None:
    done = _submit(engine, details={"contact_email": "anna.berg@example.se"})
    with session_scope(engine, write=True) as session, pytest.raises(CaseError, match="received"):
        lifecycle.approve(session, done.id, by="Maria Handläggare")
    with session_scope(engine, write=True) as session:
        lifecycle.verify(session, done.id, method="email_code", by="data subject")
        lifecycle.assess(session, done.id, by="Maria Handläggare")
    with (
        session_scope(engine, write=True) as session,
        pytest.raises(CaseError, match="named person"),
    ):
        lifecycle.approve(session, done.id, by="dataskydd")
    with session_scope(engine, write=True) as session:
        row = lifecycle.approve(session, done.id, by="Maria Handläggare")
        assert row.status == "decided" and row.decided_by == "Maria Handläggare"
        assert row.subject_ref is not None
    with session_scope(engine) as session:
        events = [e.event for e in timeline(session, done.id)]
        assert events == ["received", "verified", "assessed", "decided"]
        actions = [e.action for e in audit_log.entries(session)]
        assert actions[-3:] == ["request.verified", "request.assessed", "request.decided"]
        assert audit_log.verify(session).ok


def test_staff_verification_needs_a_named_person_and_a_note(engine: Engine) -> None:
    done = _submit(engine, channel=Channel.LETTER)
    with session_scope(engine, write=True) as session, pytest.raises(CaseError, match="note"):
        lifecycle.verify(session, done.id, method="staff", by="Maria Handläggare")
    with session_scope(engine, write=True) as session:
        lifecycle.verify(
            session, done.id, method="staff", by="Maria Handläggare", note="ID-kort visat i kassan"
        )


def test_a_denial_tells_the_reason_and_closes_the_request(engine: Engine) -> None:
    done = _submit(engine)
    with session_scope(engine, write=True) as session, pytest.raises(CaseError, match="reason"):
        lifecycle.deny(session, done.id, by="Maria Handläggare", reason=" ")
    with session_scope(engine, write=True) as session:
        lifecycle.deny(session, done.id, by="Maria Handläggare", reason="Uppenbart ogrundad")
    with session_scope(engine) as session:
        row = lifecycle.load(session, done.id)
        assert row.status == "denied"
        assert open_request(row).decision_note == "Uppenbart ogrundad"
        assert "ogrundad" not in (row.decision_note or "")
    with session_scope(engine, write=True) as session, pytest.raises(CaseError, match="denied"):
        lifecycle.withdraw(session, done.id, by="data subject")


def test_an_extension_within_the_first_month_is_counted_from_receipt(engine: Engine) -> None:
    with clock.frozen_at("2027-01-31T10:00"):
        done = _submit(engine)
    with clock.frozen_at("2027-02-20"), session_scope(engine, write=True) as session:
        row = lifecycle.extend(session, done.id, months=2, reason="Många system", by="Maria H")
        # Three months from 31 January: 30 April 2027, a Friday (Valborg is not a holiday).
        assert row.extended_due_date == date(2027, 4, 30)
        assert lifecycle.due(row) == date(2027, 4, 30)
    with (
        clock.frozen_at("2027-02-21"),
        session_scope(engine, write=True) as session,
        pytest.raises(CaseError, match="already"),
    ):
        lifecycle.extend(session, done.id, months=1, reason="igen", by="Maria H")


def test_an_extension_after_the_first_month_is_refused(engine: Engine) -> None:
    with clock.frozen_at("2027-01-10"):
        done = _submit(engine)
    with (
        clock.frozen_at("2027-02-11"),
        session_scope(engine, write=True) as session,
        pytest.raises(CaseError, match="within the first month"),
    ):
        lifecycle.extend(session, done.id, months=2, reason="sent", by="Maria H")
    with (
        clock.frozen_at("2027-02-01"),
        session_scope(engine, write=True) as session,
        pytest.raises(CaseError, match="months"),
    ):
        lifecycle.extend(session, done.id, months=3, reason="för lång", by="Maria H")


def test_a_person_follows_a_request_with_its_reference_and_code_only(engine: Engine) -> None:
    done = _submit(engine)
    with session_scope(engine) as session:
        assert (
            lifecycle.by_reference(session, done.reference.lower(), done.follow_token).id == done.id
        )
        with pytest.raises(NotFound, match="reference and code"):
            lifecycle.by_reference(session, done.reference, "wrong")
        with pytest.raises(NotFound, match="reference and code"):
            lifecycle.by_reference(session, "DS-AAAA-AAAA", done.follow_token)


def test_an_emailed_code_proves_only_the_address_and_sets_a_typed_personnummer_aside(
    engine: Engine,
) -> None:
    # Someone types Anna's personnummer beside their own address: the code proves the address.
    done = _submit(
        engine,
        identities=[("personnummer", "780523-9824"), ("email", "mallory@example.se")],
        details={"contact_email": "mallory@example.se"},
    )
    with session_scope(engine, write=True) as session:
        row = lifecycle.verify(session, done.id, method="email_code", by="data subject")
        opened = open_request(row)
        assert opened.identities == [(IdentityKind.EMAIL, "mallory@example.se")]
        assert opened.payload["unverified_identities"] == [["personnummer", "197805239824"]]


def test_bankid_proves_the_personnummer_it_returned(engine: Engine) -> None:
    done = _submit(engine)
    with session_scope(engine, write=True) as session, pytest.raises(CaseError, match="proven"):
        lifecycle.verify(session, done.id, method="bankid", by="data subject")
    with session_scope(engine, write=True) as session:
        row = lifecycle.verify(
            session,
            done.id,
            method="bankid",
            by="data subject",
            proven=[(IdentityKind.PERSONNUMMER, "197805239824")],
        )
        assert open_request(row).identities == [(IdentityKind.PERSONNUMMER, "197805239824")]


def test_an_emailed_code_needs_the_address_it_was_sent_to(engine: Engine) -> None:
    done = _submit(engine)
    with (
        session_scope(engine, write=True) as session,
        pytest.raises(CaseError, match="contact_email"),
    ):
        lifecycle.verify(session, done.id, method="email_code", by="data subject")
