"""Organisationsnummer: ten digits with a check digit, never a birth date, and a sole
trader is sent to their personnummer."""

from __future__ import annotations

import pytest

from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.orgnr import parse_orgnr


@pytest.mark.parametrize(
    "written", ["556036-0793", "5560360793", "165560360793", " 556036 0793 ", "556036\u20130793"]
)
def test_every_written_form_of_an_orgnr_is_the_same_company(written: str) -> None:
    orgnr = parse_orgnr(written)
    assert orgnr.canonical == "5560360793"
    assert orgnr.kind is IdentityKind.ORGANISATIONSNUMMER


def test_written_forms_are_canonical_hyphenated_and_with_the_16_prefix() -> None:
    orgnr = parse_orgnr("556036-0793")
    assert orgnr.written_forms() == ["5560360793", "556036-0793", "165560360793"]
    assert orgnr.formatted == "556036-0793"
    assert all(parse_orgnr(form) == orgnr for form in orgnr.written_forms())


@pytest.mark.parametrize("written", ["202100-5430", "802437-9219", "556012-5790"])
def test_authorities_associations_and_companies_are_organisations(written: str) -> None:
    assert parse_orgnr(written).formatted == written


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "is empty"),
        ("556036-079", "has 9 digits; an organisationsnummer has 10 (or 12 starting with 16)"),
        ("55603607931", "has 11 digits; an organisationsnummer has 10 (or 12 starting with 16)"),
        ("556036-079X", "contains letters"),
        ("556036/0793", "contains '/'; only digits, spaces and - belong in one"),
        ("55-6036-0793", "has 2 hyphens; an organisationsnummer has one at most"),
        ("175560360793", "has 12 digits but does not start with 16"),
        ("556036-0794", "the check digit should be 3, not 4"),
        ("551036-0793", "the third and fourth digits are 10; they are 20 or more"),
        ("056036-0793", "starts with 0; an organisationsnummer starts with 1 to 9"),
    ],
)
def test_each_malformed_orgnr_is_told_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(IdentityError) as raised:
        parse_orgnr(text)
    assert raised.value.reason == reason
    assert raised.value.kind is IdentityKind.ORGANISATIONSNUMMER


@pytest.mark.parametrize("written", ["850312-1264", "198503121264"])
def test_a_sole_traders_number_is_a_personnummer(written: str) -> None:
    with pytest.raises(IdentityError) as raised:
        parse_orgnr(written)
    assert (
        raised.value.reason == "this is a personnummer (a sole trader's number); use personnummer"
    )
