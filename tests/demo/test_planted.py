"""The planted people are where their stories put them, and nowhere else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from demo_estate import Built

from dataskydd.demo.identifiers import phone_forms, written_forms
from dataskydd.demo.planted import ANNA, JOHAN, KARL
from dataskydd.demo.systems import SYSTEMS


def where(rows: list[dict[str, Any]], **values: Any) -> list[dict[str, Any]]:
    return [row for row in rows if all(row[k] == v for k, v in values.items())]


def anna_customer(built: Built) -> dict[str, Any]:
    (customer,) = where(built.rows("core", "customers"), personnummer=ANNA.personnummer)
    return customer


def test_anna_is_a_private_customer_with_an_active_loan_collateral_and_kyc(built: Built) -> None:
    customer = anna_customer(built)
    assert customer["kind"] == "person"
    assert customer["relationship_ended_at"] is None
    assert customer["customer_number"] == built.estate.anna.customer_number

    (loan,) = where(built.rows("core", "loans"), customer_number=customer["customer_number"])
    assert loan["status"] == "active"
    securities = where(built.rows("core", "collateral"), loan_id=loan["loan_id"])
    assert {c["kind"] for c in securities} == {"property_mortgage", "personal_guarantee"}
    (guarantee,) = where(securities, kind="personal_guarantee")
    assert guarantee["guarantor_personnummer"] == JOHAN.personnummer != ANNA.personnummer
    assert where(built.rows("core", "transactions"), loan_id=loan["loan_id"])

    checks = where(built.rows("core", "kyc_checks"), personnummer=ANNA.personnummer)
    assert checks
    assert {c["customer_number"] for c in checks} == {customer["customer_number"]}


def test_anna_sits_on_the_board_of_another_customer_company_that_has_its_own_loan(
    built: Built,
) -> None:
    (role,) = where(built.rows("core", "company_roles"), personnummer=ANNA.personnummer)
    assert role["role"] == "board_member"
    (company,) = where(built.rows("core", "companies"), orgnr=role["orgnr"])
    (customer,) = where(built.rows("core", "customers"), customer_number=company["customer_number"])
    assert customer["kind"] == "company"
    assert customer["customer_number"] != anna_customer(built)["customer_number"]
    loans = where(built.rows("core", "loans"), customer_number=customer["customer_number"])
    assert [loan["status"] for loan in loans] == ["active"]


def test_anna_applied_for_a_job_in_2023_was_rejected_and_left_a_cv_and_a_test_result(
    built: Built,
) -> None:
    pnr = ANNA.personnummer
    (applicant,) = where(
        built.rows("recruitment", "applicants"), personnummer=f"{pnr[:8]}-{pnr[8:]}"
    )
    assert applicant["outcome"] == "rejected"
    assert applicant["decided_at"].year == applicant["applied_at"].year == 2023
    documents = where(
        built.rows("recruitment", "applicant_documents"),
        applicant_number=applicant["applicant_number"],
    )
    assert sorted(d["kind"] for d in documents) == ["cv", "test_result"]
    (test,) = where(documents, kind="test_result")
    assert test["internal_assessment"]


def test_anna_typed_her_personnummer_in_the_chat_as_ten_digits_with_a_hyphen(built: Built) -> None:
    ten_digits = f"{ANNA.personnummer[2:8]}-{ANNA.personnummer[8:]}"
    assert ten_digits == "780523-9824"
    mentions = [m for m in built.rows("website", "chat_messages") if ten_digits in m["message"]]
    assert [m["sender"] for m in mentions] == ["visitor"]
    (session,) = where(built.rows("website", "chat_sessions"), id=mentions[0]["session_id"])
    assert session["email"] is None  # only the text says who she is


def test_anna_is_in_the_crm_by_her_email(built: Built) -> None:
    (contact,) = where(built.rows("crm", "contacts"), email=ANNA.email)
    assert contact["name"] == ANNA.name
    assert where(built.rows("crm", "marketing_consents"), email=ANNA.email)


def test_anna_is_nowhere_else(built: Built) -> None:
    """Her identifiers, in every written form, occur in these columns and in no others."""
    forms = {*written_forms(ANNA.personnummer), f"{ANNA.personnummer[:8]}-{ANNA.personnummer[8:]}"}
    forms |= {ANNA.email, *phone_forms(ANNA.phone).values()}
    assert columns_mentioning(built, forms) == {
        "core.customers.personnummer",
        "core.customers.email",
        "core.customers.phone",
        "core.company_roles.personnummer",
        "core.kyc_checks.personnummer",
        "crm.contacts.email",
        "crm.interactions.notes",
        "crm.marketing_consents.email",
        "recruitment.applicants.personnummer",
        "recruitment.applicants.email",
        "recruitment.applicants.phone",
        "recruitment.applicant_documents.content",
        "website.chat_messages.message",
    }


def test_karl_left_seven_years_before_the_estate_was_built(built: Built) -> None:
    (customer,) = where(built.rows("core", "customers"), personnummer=KARL.personnummer)
    assert customer["relationship_ended_at"] == datetime(2019, 11, 26)
    loans = where(built.rows("core", "loans"), customer_number=customer["customer_number"])
    assert {(loan["status"], loan["ended_at"]) for loan in loans} == {
        ("repaid", datetime(2019, 11, 26))
    }
    forms = {KARL.personnummer, KARL.email, *phone_forms(KARL.phone).values()}
    assert columns_mentioning(built, forms) == {
        "core.customers.personnummer",
        "core.customers.email",
        "core.customers.phone",
        "core.kyc_checks.personnummer",
    }


def test_the_estate_names_its_planted_people(built: Built) -> None:
    anna, karl = built.estate.planted
    assert (anna.person.name, anna.personnummer_written) == ("Anna Lindqvist", "780523-9824")
    assert karl.person.name == "Karl Berglund"
    assert anna.applicant_number is not None and karl.applicant_number is None


def columns_mentioning(built: Built, needles: set[str]) -> set[str]:
    """Every ``system.table.column`` with a value that contains any of ``needles``."""
    found: set[str] = set()
    for demo_system in SYSTEMS:
        for table in demo_system.tables:
            texts = [c.name for c in table.columns if isinstance(c.type, sa.String)]
            for row in built.rows(demo_system.key, table.name):
                for name in texts:
                    value = row[name]
                    if value and any(needle in value for needle in needles):
                        found.add(f"{demo_system.key}.{table.name}.{name}")
    return found
