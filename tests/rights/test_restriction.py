"""Art. 18: a restriction is placed on a person (or some of their data) and lifted with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import Programme, load_template
from dataskydd.rights import restriction
from dataskydd.rights.restriction import (
    REASON_TEXTS,
    Restriction,
    RestrictionError,
    RestrictionReason,
    overlaps,
)
from dataskydd.rights.subjects import Canonical, subject_for
from dataskydd.store.engine import session_scope
from dataskydd.store.tables import AuditEventRecord, RestrictionRecord

PNR = (IdentityKind.PERSONNUMMER, "198503121264")
EMAIL = (IdentityKind.EMAIL, "anna.lind@example.se")
ANNA: list[Canonical] = [PNR, EMAIL]
BO: list[Canonical] = [(IdentityKind.EMAIL, "bo.berg@example.se")]
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def programme() -> Programme:
    return load_template("swedish-lender")


def place(
    engine: Engine,
    identities: list[Canonical],
    reason: RestrictionReason | str = RestrictionReason.ACCURACY_CONTESTED,
    *,
    categories: tuple[str, ...] = (),
    when: datetime = T0,
    programme: Programme | None = None,
    note: str | None = None,
) -> Restriction:
    with clock.frozen_at(when), session_scope(engine, write=True) as session:
        return restriction.restrict(
            session,
            identities,
            reason,
            categories=categories,
            note=note,
            actor="handläggare",
            programme=programme,
        )


# -- what a restriction covers -----------------------------------------------------------------


def test_a_restriction_of_no_categories_covers_all_of_the_persons_data() -> None:
    assert overlaps([], ["contact.email"])
    assert overlaps([], ["identification", "financial.transactions"])


def test_a_purpose_that_declares_no_categories_is_taken_to_touch_any_restriction() -> None:
    assert overlaps(["recruitment.sensitive"], [])


def test_a_dotted_key_covers_its_children_and_a_child_restricts_its_parent() -> None:
    assert overlaps(["contact"], ["contact.email"])
    assert overlaps(["contact.email"], ["contact"])
    assert overlaps(["contact.email"], ["identification", "contact.email"])
    assert not overlaps(["contact.email"], ["contact.phone"])
    assert not overlaps(["contact"], ["contactless"])  # a prefix only at a dot
    assert not overlaps(["financial"], ["identification.name"])


def test_every_reason_has_its_article_and_text_in_both_languages() -> None:
    assert set(REASON_TEXTS) == set(RestrictionReason)
    for reason, (article, text) in REASON_TEXTS.items():
        assert article.startswith("Art. 1"), reason
        assert text.sv and text.en
    assert REASON_TEXTS[RestrictionReason.OBJECTION_PENDING][0] == "Art. 18(1)(d)"
    assert REASON_TEXTS[RestrictionReason.RETAINED_AFTER_ERASURE][0] == "Art. 17(3)"


# -- placing -----------------------------------------------------------------------------------


def test_a_restriction_is_placed_on_the_person_and_found_by_any_of_their_identities(
    store_engine: Engine,
) -> None:
    placed = place(store_engine, ANNA, "legal_claims", categories=("contact",), note="  tvist ")
    assert placed.active and placed.covers(["contact.email"]) and not placed.covers(["profile"])
    assert placed.reason is RestrictionReason.LEGAL_CLAIMS
    assert placed.categories == ("contact",)
    assert placed.note == "tvist" and placed.created_at == T0
    assert placed.created_by == "handläggare" and placed.lifted_at is None
    with session_scope(store_engine, write=True) as session:
        assert subject_for(session, [EMAIL]) == placed.subject_ref
        assert restriction.get_restriction(session, placed.id) == placed
        assert restriction.get_restriction(session, placed.id + 100) is None


def test_category_keys_are_trimmed_deduplicated_and_must_not_be_empty(
    store_engine: Engine,
) -> None:
    placed = place(store_engine, ANNA, categories=(" contact ", "contact", "profile"))
    assert placed.categories == ("contact", "profile")
    with pytest.raises(RestrictionError, match="empty"):
        place(store_engine, ANNA, categories=("contact", "  "))


def test_a_category_the_programme_does_not_have_is_refused_with_the_keys_it_might_mean(
    store_engine: Engine, programme: Programme
) -> None:
    with pytest.raises(RestrictionError, match=r"did you mean contact\.email") as caught:
        place(store_engine, ANNA, categories=("contact.emial", "kontakt"), programme=programme)
    assert "'swedish-lender'" in str(caught.value) and "'kontakt'" in str(caught.value)
    with session_scope(store_engine) as session:
        assert session.scalars(select(RestrictionRecord)).all() == []
    assert place(store_engine, ANNA, categories=("contact.email",), programme=programme).active


def test_an_unknown_reason_is_refused_with_the_reasons_there_are(store_engine: Engine) -> None:
    with pytest.raises(RestrictionError, match="not a restriction reason") as caught:
        place(store_engine, ANNA, "because")
    for reason in RestrictionReason:
        assert reason.value in str(caught.value)


def test_a_blank_note_is_no_note(store_engine: Engine) -> None:
    assert place(store_engine, ANNA, note="   ").note is None


# -- lifting -----------------------------------------------------------------------------------


def test_a_lifted_restriction_is_no_longer_active_and_keeps_who_lifted_it_and_why(
    store_engine: Engine,
) -> None:
    first = place(store_engine, ANNA)
    second = place(store_engine, [PNR], "objection_pending", when=T0 + timedelta(minutes=1))
    place(store_engine, BO)
    with clock.frozen_at(T0 + timedelta(hours=1)), session_scope(store_engine, write=True) as s:
        lifted = restriction.lift(s, first.id, "  uppgifterna är kontrollerade ", "dpo")
    assert not lifted.active
    assert (lifted.lifted_at, lifted.lifted_by, lifted.lift_reason) == (
        T0 + timedelta(hours=1),
        "dpo",
        "uppgifterna är kontrollerade",
    )
    with session_scope(store_engine) as session:
        active = restriction.active_restrictions(session, [first.subject_ref, first.subject_ref])
        assert [r.id for r in active] == [second.id]
        assert restriction.active_restrictions(session, []) == []


def test_a_restriction_cannot_be_lifted_twice_and_the_second_operator_is_told_who_was_first(
    store_engine: Engine,
) -> None:
    placed = place(store_engine, ANNA)
    lifted_at = datetime(2027, 3, 2, 13, 5, tzinfo=UTC)  # 14:05 in Stockholm
    with clock.frozen_at(lifted_at), session_scope(store_engine, write=True) as session:
        restriction.lift(session, placed.id, "kontrollerat", "eva")
    with (
        session_scope(store_engine, write=True) as session,
        pytest.raises(RestrictionError, match=r"already lifted on 2027-03-02 14:05 by eva"),
    ):
        restriction.lift(session, placed.id, "kontrollerat", "olle")


def test_lifting_needs_a_reason_and_a_restriction_that_exists(store_engine: Engine) -> None:
    placed = place(store_engine, ANNA)
    with session_scope(store_engine, write=True) as session:
        with pytest.raises(RestrictionError, match="needs a reason"):
            restriction.lift(session, placed.id, "  ", "dpo")
        with pytest.raises(RestrictionError, match=f"no restriction {placed.id + 1}"):
            restriction.lift(session, placed.id + 1, "kontrollerat", "dpo")
        assert restriction.active_restrictions(session, [placed.subject_ref])[0].active


# -- the audit log -----------------------------------------------------------------------------


def test_placing_and_lifting_are_audited_without_personal_data_or_the_note(
    store_engine: Engine,
) -> None:
    placed = place(
        store_engine, ANNA, categories=("contact.email",), note="Anna Lind ringde 070-1234567"
    )
    with session_scope(store_engine, write=True) as session:
        restriction.lift(session, placed.id, "Anna bekräftade adressen", "dpo")
    with session_scope(store_engine) as session:
        events = session.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq)).all()
        assert audit_log.verify(session).ok
    assert [(e.action, e.subject_ref) for e in events] == [
        ("restriction.placed", placed.subject_ref),
        ("restriction.lifted", placed.subject_ref),
    ]
    assert events[0].details == {
        "restriction": placed.id,
        "reason": "accuracy_contested",
        "categories": ["contact.email"],
    }
    assert events[1].details == {"restriction": placed.id, "reason": "accuracy_contested"}
    text = repr([e.details for e in events])
    for secret in ("Anna", "198503121264", "anna.lind@example.se", "070", "bekräftade"):
        assert secret not in text
