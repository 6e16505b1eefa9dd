"""E-mail addresses and phone numbers: one canonical form whatever way they are written."""

from __future__ import annotations

import pytest

from dataskydd.identity.contact import email_forms, parse_email, parse_phone, phone_forms
from dataskydd.identity.kinds import IdentityError, IdentityKind


@pytest.mark.parametrize(
    "written", ["anna.berg@exempel.se", "  Anna.Berg@Exempel.SE ", "ANNA.BERG@EXEMPEL.SE"]
)
def test_an_email_address_is_one_address_whatever_its_case(written: str) -> None:
    assert parse_email(written) == "anna.berg@exempel.se"


@pytest.mark.parametrize(
    "written", ["anna@exämple.se", "Anna@EXÄMPLE.SE", "anna@xn--exmple-cua.se"]
)
def test_an_international_domain_is_kept_in_unicode_however_it_is_written(written: str) -> None:
    assert parse_email(written) == "anna@exämple.se"


def test_an_email_address_is_its_only_written_form() -> None:
    assert email_forms("anna.berg@exempel.se") == ["anna.berg@exempel.se"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "is empty"),
        ("anna.berg", "has no @"),
        ("anna@berg@exempel.se", "has 2 @ signs; an address has one"),
        ("anna berg@exempel.se", "contains a space"),
        ("@exempel.se", "has nothing before the @"),
        ("anna@", "has no domain after the @"),
        ("anna@localhost", "the domain 'localhost' has no dot"),
        ("anna@exempel..se", "the domain 'exempel..se' has an empty part"),
        ("anna@-exempel.se", "the domain part '-exempel' begins or ends with a hyphen"),
        ('an"na@exempel.se', "contains '\"' before the @"),
        (
            ".anna@exempel.se",
            "the part before the @ begins or ends with a dot, or has two in a row",
        ),
        (
            "anna..berg@exempel.se",
            "the part before the @ begins or ends with a dot, or has two in a row",
        ),
    ],
)
def test_each_malformed_email_address_is_told_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(IdentityError) as raised:
        parse_email(text)
    assert raised.value.reason == reason
    assert raised.value.kind is IdentityKind.EMAIL


@pytest.mark.parametrize(
    "written",
    [
        "070-123 45 67",
        "0701234567",
        "070-1234567",
        "070 123 45 67",
        "+46 70 123 45 67",
        "+46701234567",
        "0046701234567",
        "0046 70 123 45 67",
        "+46 (0)70-123 45 67",
    ],
)
def test_every_swedish_way_of_writing_a_mobile_number_is_one_number(written: str) -> None:
    assert parse_phone(written) == "+46701234567"


@pytest.mark.parametrize("written", ["08-123 456 78", "0812345678", "+46 8 123 456 78"])
def test_a_stockholm_number_with_its_area_code_is_one_number(written: str) -> None:
    assert parse_phone(written) == "+46812345678"


def test_a_foreign_number_keeps_its_country_code() -> None:
    assert parse_phone("+44 20 7946 0958") == "+442079460958"
    assert parse_phone("020 7946 0958", default_region="GB") == "+442079460958"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "is empty"),
        ("070-ABC 45 67", "contains letters"),
        ("070-123 45", "is not a number in use in SE (+46)"),
        ("12", "is too short for a phone number in SE (+46)"),
        ("0701234567890123", "is too long for a phone number in SE (+46)"),
        ("+999 123 456", "has no country code we know (write +46 or 0046 first)"),
        ("---", "is not a phone number"),
    ],
)
def test_each_invalid_phone_number_is_told_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(IdentityError) as raised:
        parse_phone(text)
    assert raised.value.reason == reason
    assert raised.value.kind is IdentityKind.PHONE


def test_phone_forms_are_the_international_and_the_common_swedish_ones() -> None:
    assert phone_forms("+46701234567") == [
        "+46701234567",
        "0046701234567",
        "46701234567",
        "0701234567",
        "070-123 45 67",
        "070-1234567",
        "070 123 45 67",
        "+46 70 123 45 67",
    ]


def test_a_stockholm_numbers_forms_keep_its_area_code() -> None:
    forms = phone_forms("+46812345678")
    assert {"0812345678", "08-123 456 78", "08-12345678", "08 123 456 78"} <= set(forms)


@pytest.mark.parametrize("e164", ["+46701234567", "+46812345678", "+46313456789"])
def test_every_phone_form_reads_back_as_the_same_number(e164: str) -> None:
    for form in phone_forms(e164):
        assert parse_phone(form) == e164, form
