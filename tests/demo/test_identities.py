"""Every identity in the estate is valid, and one identity always means one person."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from random import Random

import pytest
from demo_estate import BUILD_DAY, Built
from stdnum import luhn
from stdnum.se import orgnr, personnummer

from dataskydd.demo.columns import annotation
from dataskydd.demo.people import ROLE_SHARES, People, Role
from dataskydd.demo.systems import SYSTEMS
from dataskydd.identity.kinds import IdentityKind

# How the estate's texts introduce a personnummer: "Mitt personnummer är ...", "Pnr ...".
MENTION = re.compile(r"(?:personnummer(?: är|:)?|pnr|kontroll av)\s*(\d[\d +-]{9,12}\d)\b", re.I)


def is_valid_personnummer(value: str) -> bool:
    """Checked with python-stdnum, independently of the estate's own code."""
    digits = value.replace("-", "").replace("+", "").replace(" ", "")
    if not digits.isdigit() or len(digits) not in (10, 12) or not luhn.is_valid(digits[-10:]):
        return False
    if len(digits) == 10:
        return personnummer.is_valid(digits) or int(digits[4:6]) > 60
    day = int(digits[6:8])
    if day > 60:  # a samordningsnummer: the day plus 60; stdnum knows only personnummer
        try:
            date(int(digits[:4]), int(digits[4:6]), day - 60)
        except ValueError:
            return False
        return True
    return personnummer.is_valid(f"{digits[:8]}-{digits[8:]}")


def identity_values(built: Built, kind: IdentityKind, *, subjects_only: bool = False) -> list[str]:
    values = []
    for system in SYSTEMS:
        for table in system.tables:
            for column in table.columns:
                note = annotation(column)
                if note.identity is kind and (note.subject or not subjects_only):
                    values += [
                        row[column.name]
                        for row in built.rows(system.key, table.name)
                        if row[column.name]
                    ]
    return values


def test_every_personnummer_in_a_column_is_valid(built: Built) -> None:
    values = identity_values(built, IdentityKind.PERSONNUMMER)
    assert len(values) > 1_000
    assert [v for v in values if not is_valid_personnummer(v)] == []


def test_some_people_have_a_samordningsnummer_and_it_is_valid(built: Built) -> None:
    values = identity_values(built, IdentityKind.PERSONNUMMER)
    coordination = [v for v in values if int(v.replace("-", "")[6:8]) > 60]
    assert coordination
    assert all(is_valid_personnummer(v) for v in coordination)


def test_every_personnummer_written_in_free_text_is_valid(built: Built) -> None:
    texts = [m["message"] for m in built.rows("website", "chat_messages")]
    texts += [n["notes"] for n in built.rows("crm", "interactions")]
    texts += [k["assessment"] for k in built.rows("core", "kyc_checks")]
    texts += [f["message"] for f in built.rows("website", "contact_forms")]
    mentions = [m for text in texts for m in MENTION.findall(text)]
    assert len(mentions) > 20
    assert [m for m in mentions if not is_valid_personnummer(m)] == []
    assert any(len(m) == 11 and m[6] == "-" for m in mentions)  # the 10-digit hyphen form
    assert any(len(m) == 12 and m.isdigit() for m in mentions)  # and the 12-digit one


def test_every_organisationsnummer_is_valid(built: Built) -> None:
    values = identity_values(built, IdentityKind.ORGANISATIONSNUMMER)
    assert len(values) > 100
    assert [v for v in values if not orgnr.is_valid(v)] == []


def test_a_personnummer_always_names_the_same_person(built: Built) -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for row in built.rows("core", "customers"):
        if row["personnummer"]:
            names[row["personnummer"]].add(row["name"])
    for row in built.rows("core", "company_roles"):
        names[row["personnummer"]].add(row["name"])
    for row in built.rows("core", "collateral"):
        if row["guarantor_personnummer"]:
            names[row["guarantor_personnummer"]].add(row["guarantor_name"])
    for row in built.rows("recruitment", "applicants"):
        names[row["personnummer"].replace("-", "")].add(row["name"])
    assert {pnr: found for pnr, found in names.items() if len(found) > 1} == {}


def test_an_email_or_phone_of_a_person_always_names_the_same_person(built: Built) -> None:
    by_email: dict[str, set[str]] = defaultdict(set)
    by_phone: dict[str, set[str]] = defaultdict(set)
    tables = [
        ("crm", "contacts"),
        ("marketing", "purchased_contacts"),
        ("recruitment", "applicants"),
        ("website", "contact_forms"),
    ]
    for system, table in tables:
        for row in built.rows(system, table):
            if row["email"]:
                by_email[row["email"]].add(row["name"])
            if row["phone"]:
                by_phone[national(row["phone"])].add(row["name"])
    for row in built.rows("core", "customers"):
        if row["kind"] == "person":
            by_email[row["email"]].add(row["name"])
            by_phone[national(row["phone"])].add(row["name"])
    assert {e: n for e, n in by_email.items() if len(n) > 1} == {}
    assert {p: n for p, n in by_phone.items() if len(n) > 1} == {}


def test_the_personnummer_of_a_million_people_are_all_different() -> None:
    people = People(seed=1)
    rng = Random(1)
    numbers = {people.person(index, rng).personnummer for index in range(0, 1_000_000, 7)}
    assert len(numbers) == len(range(0, 1_000_000, 7))


def test_most_people_almi_knows_are_contacts_and_a_quarter_are_customers() -> None:
    people = People(seed=3)
    rng = Random(3)
    roles = [people.person(index, rng).role for index in range(20_000)]
    for role, share in ROLE_SHARES:
        assert roles.count(role) / len(roles) == pytest.approx(share, abs=0.015)
    customers = roles.count(Role.PRIVATE_CUSTOMER) + roles.count(Role.COMPANY_CUSTOMER)
    assert customers / len(roles) == pytest.approx(0.25, abs=0.015)


def test_some_customer_relationships_ended_more_than_six_years_ago(built: Built) -> None:
    six_years_before = datetime.fromisoformat(BUILD_DAY).replace(year=2020)
    ended = [c["relationship_ended_at"] for c in built.rows("core", "customers")]
    assert len([e for e in ended if e is not None and e < six_years_before]) > 5
    assert len([e for e in ended if e is None]) > len(ended) / 2


def national(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    return "0" + digits[3:] if digits.startswith("+46") else digits
