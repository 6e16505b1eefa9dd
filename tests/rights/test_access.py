"""The access answer: every value found, labelled, with exactly the Art. 15 facts that apply."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from small_estate import ANNA, BERTIL, CORE, WEBSITE, datamap_for

from dataskydd import clock
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights.access import AccessAnswer, WithholdReason
from dataskydd.rights.resolution import Found
from dataskydd.rights.service import Estate, access, open_estate

PNR = IdentityKind.PERSONNUMMER


@pytest.fixture()
def answer(estate: Estate) -> AccessAnswer:
    return access(load_template(), estate, [(PNR, ANNA)])


def test_every_value_is_labelled_with_its_category_in_swedish_and_english(
    answer: AccessAnswer,
) -> None:
    customer = next(i for i in answer.items if i.table == "customers")
    national_id = next(f for f in customer.fields if f.column == "personnummer")
    assert national_id.label is not None
    assert national_id.label.sv == "Personnummer"
    assert national_id.label.en
    assert customer.system_name == "Kärnsystem"


def test_the_answer_lists_what_the_person_is_found_as(answer: AccessAnswer) -> None:
    kinds = {(i.table, i.found) for i in answer.items}
    assert ("customers", Found.OWN) in kinds
    assert ("chat_messages", Found.MENTION) in kinds
    assert ("companies", Found.CONTEXT) in kinds


def test_art_15_names_the_purposes_with_their_legal_basis(answer: AccessAnswer) -> None:
    contract = next(p for p in answer.art15.purposes if p.key == "contract")
    assert ("Art. 6(1)(b)") in [article for _, article in contract.legal_bases]


def test_art_15_covers_categories_recipients_sources_rights_and_the_right_to_complain(
    answer: AccessAnswer,
) -> None:
    facts = answer.art15
    assert "identification.national_id" in [k for k, _ in facts.categories]
    assert facts.recipients, "recipients of the activities that process what was found"
    assert facts.sources
    assert len(facts.rights) == 6
    assert "imy@imy.se" in facts.authority
    assert "Almi genomför inga automatiserade beslut." in facts.automated_decisions.sv


def test_retention_ends_on_a_date_computed_from_the_persons_rows(estate_files: Path) -> None:
    with open_estate(datamap_for(estate_files, CORE, WEBSITE)) as estate:
        answer = access(load_template(), estate, [(PNR, BERTIL)])
    evidence = next(r for r in answer.art15.retention if r.key == "contract-evidence")
    # Bertil's relationship ended on 2019-06-30; contract evidence is kept up to 10 years.
    assert evidence.ends_on == date(2029, 6, 30)
    assert "10" in evidence.terms.sv


def test_staff_withhold_an_item_with_a_reason_and_it_is_not_released(answer: AccessAnswer) -> None:
    mention = next(i for i in answer.items if i.found == Found.MENTION and i.table == "collateral")
    assert mention.needs_review
    with clock.frozen_at("2027-01-01"):
        answer.withhold(mention.ref, WithholdReason.OTHER_PERSON, "Bertil's loan", by="handläggare")
    assert mention not in answer.released()
    assert answer.withholdings[mention.ref].reason == WithholdReason.OTHER_PERSON
    assert (
        answer.withholdings[mention.ref].at.year == 2026
    )  # 2027-01-01 in Stockholm is 2026-12-31 UTC


def test_withholding_needs_a_note(answer: AccessAnswer) -> None:
    with pytest.raises(ValueError, match="note"):
        answer.withhold(answer.items[0].ref, WithholdReason.TRADE_SECRET, " ", by="x")


def test_an_incomplete_answer_says_which_system_could_not_be_asked(estate_files: Path) -> None:
    (estate_files / "website.url").write_text("mysql+pymysql://nobody@127.0.0.1:1/none")
    with open_estate(datamap_for(estate_files, CORE, WEBSITE)) as estate:
        answer = access(load_template(), estate, [(PNR, ANNA)])
    assert not answer.complete
    assert [system for system, _ in answer.failed_systems] == ["website"]


def test_the_answer_keeps_identity_values_out_of_its_summary(answer: AccessAnswer) -> None:
    assert ANNA not in " ".join(answer.identities)
    assert "personnummer" in answer.identities


def test_a_row_of_hers_that_names_someone_else_waits_for_review(estate_files: Path) -> None:
    with open_estate(datamap_for(estate_files, CORE, WEBSITE)) as estate:
        answer = access(load_template(), estate, [(PNR, BERTIL)])
    # Bertil's own loan is guaranteed by Anna: his collateral row carries her personnummer.
    collateral = next(i for i in answer.items if i.table == "collateral")
    assert collateral.found == Found.OWN
    assert collateral.needs_review


def test_the_answer_lists_the_systems_that_answered(answer: AccessAnswer) -> None:
    assert answer.answered_systems == ["core", "website"]
