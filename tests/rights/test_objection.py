"""Art. 21: the person objects; the purpose stops until grounds override it, never for marketing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from dataskydd import clock
from dataskydd.consent import suppression
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import Programme, load_template
from dataskydd.rights import objection
from dataskydd.rights.objection import (
    ObjectionError,
    ObjectionNotApplicable,
    OverrideRefused,
)
from dataskydd.rights.subjects import Canonical, hashes
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.migrate import upgrade
from dataskydd.store.tables import AuditEventRecord, ObjectionRecord, SuppressionRecord

PNR = (IdentityKind.PERSONNUMMER, "198503121264")
EMAIL = (IdentityKind.EMAIL, "anna.lind@example.se")
PHONE = (IdentityKind.PHONE, "+46701234567")
ANNA: list[Canonical] = [PNR, EMAIL]
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def programme() -> Programme:
    return load_template("swedish-lender")


def object_to(
    engine: Engine, programme: Programme, purpose: str, identities: list[Canonical] = ANNA
) -> objection.Objection:
    with clock.frozen_at(T0), session_scope(engine, write=True) as session:
        return objection.object_to(
            session, programme, identities, purpose, actor="kundtjänst", note=" via chatt "
        )


def override(engine: Engine, objection_id: int, assessment: str = "pågående utredning") -> None:
    with clock.frozen_at(T0 + timedelta(days=1)), session_scope(engine, write=True) as session:
        objection.override(session, objection_id, assessment, "dpo")


# -- what can be objected to -------------------------------------------------------------------


def test_art_21_applies_to_legitimate_interest_and_direct_marketing_only(
    programme: Programme,
) -> None:
    applies = {p.key for p in programme.purposes if objection.objectable(p)}
    assert {"marketing-analysis", "social-media", "fraud-monitoring"} <= applies
    assert {"contract", "legal-obligation", "consent", "recruitment"}.isdisjoint(applies)


@pytest.mark.parametrize("purpose", ["contract", "legal-obligation", "consent"])
def test_an_objection_to_a_purpose_on_another_basis_is_refused_with_what_to_ask_for_instead(
    store_engine: Engine, programme: Programme, purpose: str
) -> None:
    with pytest.raises(ObjectionNotApplicable, match=r"Art\. 17.*Art\. 18"):
        object_to(store_engine, programme, purpose)
    with session_scope(store_engine) as session:
        assert session.scalars(select(ObjectionRecord)).all() == []


def test_an_objection_to_an_unknown_purpose_names_the_purposes_there_are(
    store_engine: Engine, programme: Programme
) -> None:
    with pytest.raises(ObjectionError, match="no purpose 'marknadsföring'") as caught:
        object_to(store_engine, programme, "marknadsföring")
    assert "marketing-analysis" in str(caught.value)


# -- objecting ---------------------------------------------------------------------------------


def test_an_objection_is_in_force_at_once_and_objecting_again_returns_it(
    store_engine: Engine, programme: Programme
) -> None:
    first = object_to(store_engine, programme, "fraud-monitoring")
    assert first.active and not first.direct_marketing
    assert (first.purpose, first.note, first.created_at) == ("fraud-monitoring", "via chatt", T0)
    assert object_to(store_engine, programme, "fraud-monitoring", [EMAIL]) == first
    with session_scope(store_engine) as session:
        assert objection.objections_of(session, [first.subject_ref]) == [first]
        assert objection.get_objection(session, first.id) == first
        assert objection.get_objection(session, first.id + 1) is None
        assert objection.objections_of(session, []) == []
        # Not direct marketing: nothing is suppressed.
        assert session.scalars(select(SuppressionRecord)).all() == []


def test_an_objection_to_one_direct_marketing_purpose_suppresses_every_identity_given(
    store_engine: Engine, programme: Programme
) -> None:
    made = object_to(store_engine, programme, "social-media", [PNR, EMAIL, PHONE])
    assert made.direct_marketing and made.active
    with session_scope(store_engine) as session:
        assert suppression.suppressed_among(session, hashes([PNR, EMAIL, PHONE])) == set(
            hashes([PNR, EMAIL, PHONE])
        )


def test_a_person_who_objects_to_direct_marketing_objects_to_every_marketing_purpose(
    store_engine: Engine, programme: Programme
) -> None:
    with session_scope(store_engine, write=True) as session:
        first = objection.object_to_direct_marketing(session, programme, ANNA, "kundtjänst")
    assert sorted(o.purpose for o in first.objections) == ["marketing-analysis", "social-media"]
    assert all(o.direct_marketing and o.active for o in first.objections)
    assert first.suppressed == 2
    with session_scope(store_engine, write=True) as session:
        again = objection.object_to_direct_marketing(
            session, programme, [EMAIL, PHONE], "kundtjänst"
        )
    assert again.objections == first.objections  # the objections in force, not new ones
    assert again.suppressed == 1  # only the phone number was new


def test_an_objection_to_direct_marketing_can_never_be_overridden(
    store_engine: Engine, programme: Programme
) -> None:
    made = object_to(store_engine, programme, "marketing-analysis")
    with (
        session_scope(store_engine, write=True) as session,
        pytest.raises(OverrideRefused, match=r"Art\. 21\(3\)"),
    ):
        objection.override(session, made.id, "vi har starka skäl", "dpo")
    with session_scope(store_engine) as session:
        stored = objection.get_objection(session, made.id)
    assert stored is not None and stored.active and stored.override_at is None


# -- overriding --------------------------------------------------------------------------------


def test_a_recorded_assessment_overrides_an_objection_to_legitimate_interest(
    store_engine: Engine, programme: Programme
) -> None:
    made = object_to(store_engine, programme, "fraud-monitoring")
    override(store_engine, made.id, "  misstänkt bedrägeri under utredning ")
    with session_scope(store_engine) as session:
        stored = objection.get_objection(session, made.id)
        events = session.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq)).all()
    assert stored is not None and not stored.active
    assert (stored.override_at, stored.override_by, stored.override_reason) == (
        T0 + timedelta(days=1),
        "dpo",
        "misstänkt bedrägeri under utredning",
    )
    assert [e.action for e in events] == ["objection.recorded", "objection.overridden"]
    assert events[1].details == {"objection": made.id, "purpose": "fraud-monitoring"}
    assert "bedrägeri" not in repr([e.details for e in events])
    # Objecting again after the assessment is a new objection, in force.
    anew = object_to(store_engine, programme, "fraud-monitoring")
    assert anew.id != made.id and anew.active


def test_an_override_needs_an_assessment_and_is_made_once(
    store_engine: Engine, programme: Programme
) -> None:
    made = object_to(store_engine, programme, "fraud-monitoring")
    with session_scope(store_engine, write=True) as session:
        with pytest.raises(ObjectionError, match="needs the assessment"):
            objection.override(session, made.id, "   ", "dpo")
        with pytest.raises(ObjectionError, match=f"no objection {made.id + 1}"):
            objection.override(session, made.id + 1, "skäl", "dpo")
    override(store_engine, made.id)
    with (
        session_scope(store_engine, write=True) as session,
        pytest.raises(ObjectionError, match="already overridden on 2027-03-02 10:00 by dpo"),
    ):
        objection.override(session, made.id, "skäl", "olle")


def test_a_withdrawn_objection_stops_nothing_and_has_nothing_to_override(
    store_engine: Engine, programme: Programme
) -> None:
    made = object_to(store_engine, programme, "fraud-monitoring")
    with session_scope(store_engine, write=True) as session:
        row = session.get(ObjectionRecord, made.id)
        assert row is not None
        row.withdrawn_at = T0 + timedelta(hours=1)
    with session_scope(store_engine, write=True) as session:
        stored = objection.get_objection(session, made.id)
        assert stored is not None and not stored.active
        with pytest.raises(ObjectionError, match="withdrawn"):
            objection.override(session, made.id, "skäl", "dpo")


def test_the_audit_log_records_the_objection_without_identities_or_the_note(
    store_engine: Engine, programme: Programme
) -> None:
    made = object_to(store_engine, programme, "marketing-analysis")
    with session_scope(store_engine) as session:
        events = session.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq)).all()
    assert [e.action for e in events] == ["objection.recorded", "suppression.added"]
    assert events[0].subject_ref == made.subject_ref
    assert events[0].details == {
        "objection": made.id,
        "purpose": "marketing-analysis",
        "direct_marketing": True,
    }
    text = repr([e.details for e in events])
    for secret in ("198503121264", "anna.lind@example.se", "chatt"):
        assert secret not in text


# -- two at once (PostgreSQL) --------------------------------------------------------------------


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_two_objections_at_once_for_one_address_both_succeed(
    postgres_engine: Engine, programme: Programme
) -> None:
    barrier = threading.Barrier(3)
    made: list[objection.Objection] = []
    errors: list[BaseException] = []

    def object_once() -> None:
        try:
            barrier.wait(10)
            with session_scope(postgres_engine, write=True) as session:
                made.append(
                    objection.object_to(
                        session, programme, [EMAIL], "marketing-analysis", actor="web"
                    )
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=object_once) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(made) == 3 and all(o.active and o.direct_marketing for o in made)
    with session_scope(postgres_engine) as session:
        assert session.scalars(select(SuppressionRecord.identity_hash)).all() == list(
            hashes([EMAIL])
        )
        assert objection.objections_of(session, {o.subject_ref for o in made})
