"""Free text: a person's identifiers are found in every written form, never inside a longer
number, and can be redacted; the generic scanner trusts only valid check digits."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum import luhn

from dataskydd.identity.contact import phone_forms
from dataskydd.identity.freetext import IdentityMatcher, Match, find_personnummer_like
from dataskydd.identity.kinds import IdentityKind
from dataskydd.identity.personnummer import parse_personnummer

TODAY = date(2026, 1, 15)
K = IdentityKind
ANNA = [
    (K.PERSONNUMMER, "198503121264"),
    (K.EMAIL, "anna.berg@exempel.se"),
    (K.PHONE, "+46701234567"),
]


@pytest.fixture(scope="module")
def anna() -> IdentityMatcher:
    return IdentityMatcher(ANNA, today=TODAY)


def found_in(matcher: IdentityMatcher, text: str) -> list[tuple[IdentityKind, str, str]]:
    return [(m.kind, m.canonical, m.written) for m in matcher.find(text)]


@pytest.mark.parametrize(
    "written",
    [
        "198503121264",
        "19850312-1264",
        "8503121264",
        "850312-1264",
        "19850312 1264",
        "850312 1264",
    ],
)
def test_the_matcher_finds_every_written_form_of_a_personnummer(
    anna: IdentityMatcher, written: str
) -> None:
    text = f"Kunden uppger {written}, se ärendet."
    assert anna.find(text) == [
        Match(K.PERSONNUMMER, "198503121264", 14, 14 + len(written), written)
    ]


@pytest.mark.parametrize(
    "written",
    [
        "+46701234567",
        "0046701234567",
        "46701234567",
        "0701234567",
        "070-123 45 67",
        "070-1234567",
        "070 123 45 67",
        "+46 70 123 45 67",
        "070-123-45-67",
    ],
)
def test_the_matcher_finds_every_written_form_of_a_phone_number(
    anna: IdentityMatcher, written: str
) -> None:
    assert found_in(anna, f"Ring mig på {written}.") == [(K.PHONE, "+46701234567", written)]


@pytest.mark.parametrize(
    "written", ["anna.berg@exempel.se", "Anna.Berg@Exempel.se", "ANNA.BERG@EXEMPEL.SE"]
)
def test_the_matcher_finds_an_email_address_whatever_its_case(
    anna: IdentityMatcher, written: str
) -> None:
    text = f"Skicka till {written}. Tack!"
    assert anna.find(text) == [
        Match(K.EMAIL, "anna.berg@exempel.se", 12, 12 + len(written), written)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "order 1198503121264 skickad",
        "order 1985031212645 skickad",
        "OCR 48503121264",
        "konto 8503121264123",
        "ref 4419850312-1264",
        "ref 850312-12645",
    ],
)
def test_the_matcher_does_not_find_a_personnummer_inside_a_longer_number(
    anna: IdentityMatcher, text: str
) -> None:
    assert anna.find(text) == []
    assert not anna.contains(text)


@pytest.mark.parametrize(
    "text",
    [
        "skriv till xanna.berg@exempel.se",
        "skriv till anna.berg@exempel.se.nu",
        "skriv till anna.berg@exempel.sex",
        "skriv till lisa.anna.berg@exempel.se",
    ],
)
def test_the_matcher_does_not_find_an_email_address_inside_a_longer_one(
    anna: IdentityMatcher, text: str
) -> None:
    assert anna.find(text) == []


def test_the_matcher_reads_a_typographic_dash_as_a_hyphen(anna: IdentityMatcher) -> None:
    text = "pnr 850312\u20131264, tel 070\u2013123 45 67"
    assert [m.kind for m in anna.find(text)] == [K.PERSONNUMMER, K.PHONE]
    assert [m.canonical for m in find_personnummer_like(text, today=TODAY)] == ["198503121264"]


def test_the_matcher_does_not_find_other_people(anna: IdentityMatcher) -> None:
    assert anna.find("Lisa har 850312-1231 och 070-765 43 21, lisa@exempel.se") == []


def test_a_plus_is_found_only_where_it_is_true() -> None:
    old = IdentityMatcher([(K.PERSONNUMMER, "192005012345")], today=TODAY)
    young = IdentityMatcher([(K.PERSONNUMMER, "198503121264")], today=TODAY)
    assert found_in(old, "född 200501+2345") == [(K.PERSONNUMMER, "192005012345", "200501+2345")]
    assert young.find("850312+1264") == []


def test_the_matcher_finds_organisations_and_numbers_of_other_kinds() -> None:
    matcher = IdentityMatcher(
        [(K.ORGANISATIONSNUMMER, "556036-0793"), (K.CUSTOMER_NUMBER, "K-10042")], today=TODAY
    )
    text = "Faktura till 556036-0793 (165560360793), kund K-10042, inte K-100421."
    assert found_in(matcher, text) == [
        (K.ORGANISATIONSNUMMER, "5560360793", "556036-0793"),
        (K.ORGANISATIONSNUMMER, "5560360793", "165560360793"),
        (K.CUSTOMER_NUMBER, "K-10042", "K-10042"),
    ]


def test_a_samordningsnummer_is_found_like_a_personnummer() -> None:
    matcher = IdentityMatcher([(K.SAMORDNINGSNUMMER, "850372-1238")], today=TODAY)
    assert found_in(matcher, "nr 850372-1238") == [
        (K.SAMORDNINGSNUMMER, "198503721238", "850372-1238")
    ]


def test_digits_shared_by_a_phone_number_and_a_personnummer_are_found_for_both() -> None:
    # 070123-4569 is a personnummer (born 23 January 2007) and 070-123 45 69 a phone number.
    matcher = IdentityMatcher(
        [(K.PERSONNUMMER, "0701234569"), (K.PHONE, "070-123 45 69")], today=TODAY
    )
    assert {kind for kind, _, _ in found_in(matcher, "0701234569")} == {K.PERSONNUMMER, K.PHONE}
    assert found_in(matcher, "070-123 45 69") == [(K.PHONE, "+46701234569", "070-123 45 69")]
    assert found_in(matcher, "070123-4569") == [(K.PERSONNUMMER, "200701234569", "070123-4569")]


def test_the_matcher_redacts_every_identifier_and_nothing_else(anna: IdentityMatcher) -> None:
    text = (
        "Anna (850312-1264) nås på 070-123 45 67 eller Anna.Berg@exempel.se. Order 1198503121264."
    )
    assert anna.redact(text) == (
        "Anna ([raderat]) nås på [raderat] eller [raderat]. Order 1198503121264."
    )
    assert anna.redact(text, replacement="█") == "Anna (█) nås på █ eller █. Order 1198503121264."


def test_the_matcher_says_whether_a_text_holds_an_identifier(anna: IdentityMatcher) -> None:
    assert anna.contains("pnr 8503121264")
    assert not anna.contains("inget här")


def test_sql_needles_are_the_distinct_written_forms(anna: IdentityMatcher) -> None:
    needles = anna.sql_needles()
    assert len(needles) == len(set(needles))
    assert {"198503121264", "850312-1264", "anna.berg@exempel.se", "070-123 45 67"} <= set(needles)


def test_one_sql_pattern_catches_every_written_form_of_a_personnummer(
    anna: IdentityMatcher,
) -> None:
    patterns = anna.sql_patterns()
    assert ("850312", "1264") in patterns
    assert not any(isinstance(p, str) and "1264" in p and "850312" in p for p in patterns)
    for written in parse_personnummer("198503121264", today=TODAY).written_forms(today=TODAY):
        # LIKE '%850312%1264%': the parts in order, anything between.
        at = written.find("850312")
        assert at >= 0 and written.find("1264", at + 6) > 0, written


def test_one_sql_pattern_catches_every_written_form_of_a_swedish_phone_number(
    anna: IdentityMatcher,
) -> None:
    patterns = anna.sql_patterns()
    assert "anna.berg@exempel.se" in patterns
    needles = [p for p in patterns if isinstance(p, str)]
    for written in phone_forms("+46701234567"):
        assert any(needle in written for needle in needles), written
    # The subscriber number, digits only (five forms) and grouped (three): two needles.
    assert [n for n in needles if "123" in n] == ["1234567", "123 45 67"]


def test_one_identity_given_twice_is_found_once() -> None:
    matcher = IdentityMatcher(
        [(K.PERSONNUMMER, "850312-1264"), (K.PERSONNUMMER, "198503121264")], today=TODAY
    )
    assert len(matcher.find("850312-1264")) == 1


def test_a_matcher_of_no_one_finds_nothing() -> None:
    matcher = IdentityMatcher([], today=TODAY)
    assert matcher.find("850312-1264") == []
    assert not matcher.contains("850312-1264")
    assert matcher.redact("850312-1264") == "850312-1264"


def test_a_matcher_of_a_thousand_people_finds_each_of_them() -> None:
    numbers = []
    for serial in range(1000):
        body = (
            f"{1930 + serial % 90}"[2:] + f"{serial % 12 + 1:02d}{serial % 28 + 1:02d}{serial:03d}"
        )
        numbers.append(parse_personnummer(body + luhn.calc_check_digit(body), today=TODAY))
    matcher = IdentityMatcher([(n.kind, n.canonical) for n in numbers], today=TODAY)
    text = " ".join(f"{n.canonical[:8]}-{n.canonical[8:]}" for n in numbers)
    assert [m.canonical for m in matcher.find(text)] == [n.canonical for n in numbers]


@pytest.mark.parametrize(
    "written",
    ["850312-1264", "8503121264", "19850312-1264", "198503121264", "850312 1264", "19850312 1264"],
)
def test_the_generic_scanner_finds_any_valid_personnummer(written: str) -> None:
    assert find_personnummer_like(f"pnr {written}.", today=TODAY) == [
        Match(K.PERSONNUMMER, "198503121264", 4, 4 + len(written), written)
    ]


def test_the_generic_scanner_reports_a_samordningsnummer_as_one() -> None:
    [found] = find_personnummer_like("nr 850372-1238", today=TODAY)
    assert found.kind is K.SAMORDNINGSNUMMER


@pytest.mark.parametrize(
    "text",
    [
        "850312-1265",  # wrong check digit
        "850312-1263",
        "198503121260",
        "850230-1230",  # 30 February
        "851312-1234",  # month 13
        "1198503121264",  # inside a longer number
        "2024-03-12 1234",  # a date and a time
        "0701234567",  # a phone number whose check digit does not hold
    ],
)
def test_the_generic_scanner_trusts_only_valid_dates_and_check_digits(text: str) -> None:
    assert find_personnummer_like(f"x {text} y", today=TODAY) == []


def test_no_wrong_check_digit_is_ever_taken_for_a_personnummer() -> None:
    body = "850312126"
    wrong = [f"{body[:6]}-{body[6:]}{d}" for d in "0123456789" if d != luhn.calc_check_digit(body)]
    assert find_personnummer_like(" ".join(wrong), today=TODAY) == []
