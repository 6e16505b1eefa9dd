"""Personnummer and samordningsnummer: every written form reads as one person, and every
malformed one is told exactly what is wrong with it."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from stdnum import luhn

from dataskydd import clock
from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.personnummer import Personnummer, is_personnummer, parse_personnummer

TODAY = date(2026, 1, 15)


def parse(text: str) -> Personnummer:
    return parse_personnummer(text, today=TODAY)


def generated_numbers(count: int, seed: int = 7) -> list[Personnummer]:
    """Valid numbers born 1910-2025, one in five a samordningsnummer."""
    rng = random.Random(seed)
    numbers = []
    for _ in range(count):
        born = date(1910, 1, 1) + timedelta(days=rng.randrange(42_000))
        day = born.day + (60 if rng.random() < 0.2 else 0)
        body = f"{born:%y%m}{day:02d}{rng.randrange(1000):03d}"
        numbers.append(parse(f"{born.year // 100}{body}{luhn.calc_check_digit(body)}"))
    return numbers


@pytest.mark.parametrize(
    "written",
    [
        "198503121264",
        "8503121264",
        "850312-1264",
        "19850312-1264",
        "850312 1264",
        "8503 12-1264",
        " 19850312 1264 ",
        "8 5 0 3 1 2 1 2 6 4",
        "850312\u20131264",  # an en dash, as a word processor writes the hyphen
    ],
)
def test_every_written_form_of_one_personnummer_is_the_same_person(written: str) -> None:
    number = parse(written)
    assert number.canonical == "198503121264"
    assert number.birth_date == date(1985, 3, 12)
    assert number.kind is IdentityKind.PERSONNUMMER
    assert not number.is_coordination


def test_every_written_form_of_generated_numbers_reads_back_as_the_same_person() -> None:
    for number in generated_numbers(300):
        # A centenarian's ten-digit forms without a plus are in older records: they read
        # back as this person on a day before the hundredth birthday, when they were written.
        aged_99 = date(number.birth_date.year + 99, 12, 31)
        written_on = TODAY if number.age_on(TODAY) < 100 else aged_99
        for form in number.written_forms(today=TODAY):
            day = written_on if len(form.replace(" ", "").replace("-", "")) == 10 else TODAY
            assert parse_personnummer(form, today=day) == number, form
    assert any(number.age_on(TODAY) >= 100 for number in generated_numbers(300))


def test_a_centenarians_ten_digit_form_without_plus_reads_today_as_someone_a_century_younger() -> (
    None
):
    number = parse("192005012345")
    assert "200501-2345" in number.written_forms(today=TODAY)
    assert parse("200501-2345").birth_date == date(2020, 5, 1)


def test_written_forms_are_canonical_first_without_duplicates() -> None:
    forms = parse("850312-1264").written_forms(today=TODAY)
    assert forms == [
        "198503121264",
        "19850312-1264",
        "8503121264",
        "850312-1264",
        "19850312 1264",
        "850312 1264",
    ]
    assert len(set(forms)) == len(forms)


def test_a_samordningsnummer_is_a_birth_day_plus_sixty() -> None:
    number = parse("850372-1238")
    assert number.is_coordination
    assert number.kind is IdentityKind.SAMORDNINGSNUMMER
    assert number.birth_date == date(1985, 3, 12)
    assert number.canonical == "198503721238"


@pytest.mark.parametrize("day", [61, 75, 91])
def test_samordningsnummer_days_run_from_61_to_91(day: int) -> None:
    body = f"8503{day}123"  # March has 31 days, so 91 is the 31st
    number = parse(body + luhn.calc_check_digit(body))
    assert number.birth_date.day == day - 60


def test_a_10_digit_number_of_someone_born_in_1920_gets_a_plus() -> None:
    number = parse("192005012345")
    assert number.age_on(TODAY) == 105
    assert "200501+2345" in number.written_forms(today=TODAY)
    assert parse("200501+2345") == number


def test_the_plus_form_is_only_written_for_people_aged_100_or_more() -> None:
    assert all("+" not in form for form in parse("850312-1264").written_forms(today=TODAY))


def test_ten_digits_without_a_plus_belong_to_someone_under_100() -> None:
    assert parse("2005012345").birth_date == date(2020, 5, 1)
    assert parse("200501-2345").birth_date == date(2020, 5, 1)


def test_a_ten_digit_number_is_never_born_in_the_future() -> None:
    # 1 June 2026 is after today, so 260601 is someone turning 100 this summer.
    body = "260601123"
    assert parse(body + luhn.calc_check_digit(body)).birth_date == date(1926, 6, 1)


def test_someone_born_today_is_aged_nought_and_their_centenarian_namesake_has_a_plus() -> None:
    body = "260115123"
    check = luhn.calc_check_digit(body)
    assert parse(f"{body}{check}").birth_date == TODAY
    assert parse(f"{body[:6]}+{body[6:]}{check}").birth_date == date(1926, 1, 15)


def test_the_century_follows_the_day_the_number_is_read() -> None:
    assert parse_personnummer("200501-2345", today=date(2019, 1, 1)).birth_date.year == 1920
    assert parse_personnummer("200501-2345", today=date(2021, 1, 1)).birth_date.year == 2020


def test_without_a_date_the_platform_clock_decides() -> None:
    with clock.frozen_at("2019-01-01"):
        assert parse_personnummer("2005012345").birth_date.year == 1920


def test_age_counts_whole_years_and_birthdays() -> None:
    number = parse("850312-1264")
    assert number.age_on(date(2026, 3, 11)) == 40
    assert number.age_on(date(2026, 3, 12)) == 41


def test_the_short_form_and_the_string_are_the_ten_and_twelve_digits() -> None:
    number = parse("850312-1264")
    assert number.short == "8503121264"
    assert str(number) == "198503121264"


MALFORMED = [
    ("", IdentityKind.PERSONNUMMER, "is empty"),
    ("85031212", IdentityKind.PERSONNUMMER, "has 8 digits; a personnummer has 10 or 12"),
    ("850312-126", IdentityKind.PERSONNUMMER, "has 9 digits; a personnummer has 10 or 12"),
    ("8503121264123", IdentityKind.PERSONNUMMER, "has 13 digits; a personnummer has 10 or 12"),
    ("85O312-1264", IdentityKind.PERSONNUMMER, "contains letters"),
    (
        "850312/1264",
        IdentityKind.PERSONNUMMER,
        "contains '/'; only digits, spaces, - and + belong in one",
    ),
    (
        "85-0312-1264",
        IdentityKind.PERSONNUMMER,
        "has 2 separators (- or +); a personnummer has one at most",
    ),
    ("85031-21264", IdentityKind.PERSONNUMMER, "the - belongs before the last four digits"),
    ("850312-1265", IdentityKind.PERSONNUMMER, "the check digit should be 4, not 5"),
    ("850230-1230", IdentityKind.PERSONNUMMER, "1985-02-30 is not a date"),
    (
        "850395-1234",
        IdentityKind.PERSONNUMMER,
        "the day 95 is neither a date nor a samordningsnummer day (61-91)",
    ),
    (
        "850345-1234",
        IdentityKind.PERSONNUMMER,
        "the day 45 is neither a date nor a samordningsnummer day (61-91)",
    ),
    (
        "850300-1234",
        IdentityKind.PERSONNUMMER,
        "the day 00 is neither a date nor a samordningsnummer day (61-91)",
    ),
    ("851312-1234", IdentityKind.PERSONNUMMER, "the month 13 is not a month (01-12)"),
    ("850012-1234", IdentityKind.PERSONNUMMER, "the month 00 is not a month (01-12)"),
    (
        "850290-1234",
        IdentityKind.SAMORDNINGSNUMMER,
        "1985-02-90 is not a samordningsnummer date (1985-02-30 is not a date)",
    ),
    ("850372-1234", IdentityKind.SAMORDNINGSNUMMER, "the check digit should be 8, not 4"),
    ("000229+1235", IdentityKind.PERSONNUMMER, "1900-02-29 is not a date"),
    (
        "202701011234",
        IdentityKind.PERSONNUMMER,
        "the birth date 2027-01-01 is after today (2026-01-15)",
    ),
    (
        "19850312+1264",
        IdentityKind.PERSONNUMMER,
        "the + marks someone aged 100 or more, but someone born 1985-03-12 is 40",
    ),
]


@pytest.mark.parametrize(("text", "kind", "reason"), MALFORMED)
def test_each_malformed_number_is_told_what_is_wrong(
    text: str, kind: IdentityKind, reason: str
) -> None:
    with pytest.raises(IdentityError) as raised:
        parse(text)
    assert raised.value.reason == reason
    assert raised.value.kind is kind
    assert raised.value.value == text


def test_the_error_message_names_the_value_the_kind_and_the_reason() -> None:
    with pytest.raises(
        IdentityError, match=r"'850312-1265' is not a valid personnummer: the check"
    ):
        parse("850312-1265")


def test_leap_days_are_dates_only_in_leap_years() -> None:
    assert parse("000229-1235").birth_date == date(2000, 2, 29)


def test_is_personnummer_answers_without_raising() -> None:
    assert is_personnummer("850312-1264", today=TODAY)
    assert not is_personnummer("850312-1265", today=TODAY)


def test_the_quick_reading_of_plain_forms_agrees_with_the_careful_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Plainly written numbers skip the character checks; every answer must be the same."""
    import random
    import re

    from dataskydd.identity import personnummer

    def read(text: str) -> object:
        try:
            return personnummer._digits_and_sign(text)
        except IdentityError as error:
            return str(error)

    rng = random.Random(7)
    texts = []
    for _ in range(20_000):
        text = "".join(rng.choice("0123456789") for _ in range(rng.choice([9, 10, 11, 12, 13])))
        if rng.random() < 0.7:
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice("-+ \u2013") + text[at:]
        texts.append(" " + text + " " if rng.random() < 0.2 else text)
    quick = [read(text) for text in texts]
    monkeypatch.setattr(personnummer, "_PLAIN", re.compile(r"(?!)(x)(x)(x)"))  # never matches
    assert [read(text) for text in texts] == quick
