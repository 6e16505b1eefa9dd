"""The demo's promise: an access answer for Anna holds all three of her roles and her chat."""

from __future__ import annotations

from demo_estate import Built

from dataskydd.datamap.loader import load_datamap
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights.access import AccessAnswer
from dataskydd.rights.resolution import Found
from dataskydd.rights.service import access, open_estate


def answer_for_anna(built: Built) -> AccessAnswer:
    programme = load_template()
    datamap = load_datamap(built.estate.datamap_dir, programme)
    with open_estate(datamap) as estate:
        return access(
            programme, estate, [(IdentityKind.PERSONNUMMER, built.estate.anna.personnummer_written)]
        )


def found(answer: AccessAnswer, system: str, table: str) -> set[Found]:
    return {i.found for i in answer.items if (i.system, i.table) == (system, table)}


def test_anna_as_customer_board_member_applicant_and_chat_writer(built: Built) -> None:
    answer = answer_for_anna(built)
    assert answer.complete
    # A customer: her own customer row, loan and KYC checks.
    assert found(answer, "core", "customers") == {Found.OWN}
    assert Found.OWN in found(answer, "core", "loans")
    assert Found.OWN in found(answer, "core", "kyc_checks")
    # A board member of another customer company: her role, and the company as context.
    assert found(answer, "core", "company_roles") == {Found.OWN}
    assert Found.CONTEXT in found(answer, "core", "companies")
    # A former job applicant: her application and its documents.
    assert found(answer, "recruitment", "applicants") == {Found.OWN}
    assert Found.OWN in found(answer, "recruitment", "applicant_documents")
    # The chat message in which she typed her personnummer.
    assert Found.MENTION in found(answer, "website", "chat_messages")
    # And nothing of the other board members of her company.
    roles = [i for i in answer.items if i.table == "company_roles"]
    assert len(roles) == 1


def test_annas_answer_carries_the_art_15_facts_for_what_was_found(built: Built) -> None:
    facts = answer_for_anna(built).art15
    purposes = {p.key for p in facts.purposes}
    assert {"contract", "legal-obligation", "recruitment"} <= purposes
    assert any(r.ends_on is not None for r in facts.retention)
    assert "imy@imy.se" in facts.authority
