"""One entry point: whatever the kind, a value comes back canonical or with the reason why not."""

from __future__ import annotations

from datetime import date

import pytest

from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.normalise import Identity, normalise, parse_identity, written_forms

TODAY = date(2026, 1, 15)
K = IdentityKind


@pytest.mark.parametrize(
    ("kind", "written", "canonical"),
    [
        (K.PERSONNUMMER, "850312-1264", "198503121264"),
        (K.SAMORDNINGSNUMMER, "850372-1238", "198503721238"),
        (K.ORGANISATIONSNUMMER, "556036-0793", "5560360793"),
        (K.EMAIL, " Anna.Berg@Exempel.SE", "anna.berg@exempel.se"),
        (K.PHONE, "070-123 45 67", "+46701234567"),
        (K.CUSTOMER_NUMBER, "  K-10042 ", "K-10042"),
        (K.APPLICANT_NUMBER, "A 77", "A 77"),
        (K.LOGIN_ID, "anna_b", "anna_b"),
    ],
)
def test_every_kind_normalises_to_its_canonical_form(
    kind: IdentityKind, written: str, canonical: str
) -> None:
    assert normalise(kind, written, today=TODAY) == canonical
    assert normalise(kind.value, written, today=TODAY) == canonical


def test_a_samordningsnummer_in_a_personnummer_column_is_the_same_person() -> None:
    assert normalise(K.PERSONNUMMER, "850372-1238", today=TODAY) == "198503721238"
    assert normalise(K.SAMORDNINGSNUMMER, "850312-1264", today=TODAY) == "198503121264"


def test_a_national_identity_is_reported_as_the_kind_it_really_is() -> None:
    assert parse_identity(K.PERSONNUMMER, "850372-1238", today=TODAY) == Identity(
        K.SAMORDNINGSNUMMER, "198503721238"
    )


def test_written_forms_cover_every_kind() -> None:
    assert written_forms(K.PERSONNUMMER, "198503121264", today=TODAY)[:4] == [
        "198503121264",
        "19850312-1264",
        "8503121264",
        "850312-1264",
    ]
    assert written_forms(K.ORGANISATIONSNUMMER, "5560360793") == [
        "5560360793",
        "556036-0793",
        "165560360793",
    ]
    assert written_forms(K.EMAIL, "anna@exempel.se") == ["anna@exempel.se"]
    assert "070-123 45 67" in written_forms(K.PHONE, "+46701234567")
    assert written_forms(K.CUSTOMER_NUMBER, "K-10042") == ["K-10042"]


def test_an_identity_lists_its_own_written_forms() -> None:
    identity = parse_identity(K.PHONE, "0701234567")
    assert identity.written_forms() == written_forms(K.PHONE, "+46701234567")


@pytest.mark.parametrize(
    ("kind", "text", "reason"),
    [
        (K.PERSONNUMMER, "850312-1265", "the check digit should be 4, not 5"),
        (K.SAMORDNINGSNUMMER, "85031", "has 5 digits; a personnummer has 10 or 12"),
        (K.ORGANISATIONSNUMMER, "556036-0794", "the check digit should be 3, not 4"),
        (K.EMAIL, "anna", "has no @"),
        (K.PHONE, "12", "is too short for a phone number in SE (+46)"),
        (K.CUSTOMER_NUMBER, "   ", "is empty"),
    ],
)
def test_an_invalid_value_raises_an_identity_error_of_the_kind_asked_for(
    kind: IdentityKind, text: str, reason: str
) -> None:
    with pytest.raises(IdentityError) as raised:
        normalise(kind, text, today=TODAY)
    assert raised.value.kind is kind
    assert raised.value.reason == reason


def test_a_personnummer_column_holding_a_broken_samordningsnummer_says_so() -> None:
    with pytest.raises(IdentityError) as raised:
        normalise(K.PERSONNUMMER, "850372-1234", today=TODAY)
    assert raised.value.kind is K.SAMORDNINGSNUMMER


def test_an_unknown_kind_is_an_identity_error_that_lists_the_kinds() -> None:
    with pytest.raises(IdentityError, match="'shoe_size' is not an identity kind"):
        normalise("shoe_size", "42")
