"""Finding a person in every system: what is theirs, what mentions them, what is only context."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_estate import ANNA, ANNA_EMAIL, BERTIL, CORE, WEBSITE, datamap_for

from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.rights.resolution import Found, Identity, Resolution
from dataskydd.rights.service import Estate, find_person, open_estate

PNR = IdentityKind.PERSONNUMMER


def keys(result: Resolution, system: str, table: str, found: Found | None = None) -> set[str]:
    rows = result.rows.get((system, table), {})
    return {str(k[0]) for k, r in rows.items() if found in (None, r.found)}


@pytest.mark.parametrize(
    "written", [ANNA, ANNA[2:], f"{ANNA[2:8]}-{ANNA[8:]}", f"{ANNA[:8]}-{ANNA[8:]}"]
)
def test_every_written_form_of_a_personnummer_finds_the_same_customer(
    estate: Estate, written: str
) -> None:
    result = find_person(estate, [(PNR, written)])
    assert keys(result, "core", "customers", Found.OWN) == {"K-1"}


def test_a_customer_brings_their_loans_and_the_loans_their_collateral(estate: Estate) -> None:
    result = find_person(estate, [(PNR, ANNA)])
    assert keys(result, "core", "loans", Found.OWN) == {"L-1"}
    assert "C-1" in keys(result, "core", "collateral", Found.OWN)


def test_an_email_found_in_one_system_seeds_another(estate: Estate) -> None:
    result = find_person(estate, [(PNR, ANNA)])
    assert Identity(IdentityKind.EMAIL, ANNA_EMAIL) in result.identities
    assert keys(result, "website", "chat_sessions", Found.OWN) == {"S-1"}
    assert "M-1" in keys(result, "website", "chat_messages", Found.OWN)


def test_a_chat_message_that_mentions_the_personnummer_is_found(estate: Estate) -> None:
    result = find_person(estate, [(PNR, ANNA)])
    assert keys(result, "website", "chat_messages", Found.MENTION) == {"M-2"}


def test_a_personnummer_inside_a_longer_number_is_not_a_mention(estate: Estate) -> None:
    result = find_person(estate, [(PNR, ANNA)])
    assert "M-3" not in keys(result, "website", "chat_messages")


def test_a_board_member_sees_the_company_but_not_the_other_board_members(estate: Estate) -> None:
    result = find_person(estate, [(PNR, ANNA)])
    assert keys(result, "core", "company_roles", Found.OWN) == {"R-1"}
    assert keys(result, "core", "companies", Found.CONTEXT) == {"5560000001"}
    assert "R-2" not in keys(result, "core", "company_roles")
    assert Identity(PNR, BERTIL) not in result.identities


def test_guaranteeing_someone_elses_loan_is_a_mention_that_never_pulls_in_the_borrower(
    estate: Estate,
) -> None:
    result = find_person(estate, [(PNR, ANNA)])
    assert keys(result, "core", "collateral", Found.MENTION) == {"C-2"}
    assert "K-2" not in keys(result, "core", "customers")
    assert "L-2" not in keys(result, "core", "loans", Found.OWN)


def test_queries_are_set_based_one_per_table_per_hop(estate: Estate) -> None:
    result = find_person(estate, [(PNR, ANNA)])
    tables = sum(len(s.tables) for s in estate.datamap.systems.values())
    # identity or children lookups, free text and context: a few per table per hop, never per row
    assert result.queries <= 3 * tables * result.hops
    assert result.complete


def test_nobody_found_is_a_complete_empty_answer(estate: Estate) -> None:
    result = find_person(estate, [(IdentityKind.EMAIL, "nobody@example.se")])
    assert result.complete
    assert result.found() == []


def test_a_malformed_personnummer_is_refused_before_any_query(estate: Estate) -> None:
    with pytest.raises(IdentityError, match="check digit"):
        find_person(estate, [(PNR, ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10))])


def test_a_system_that_cannot_be_asked_is_named_and_the_answer_is_incomplete(
    estate_files: Path,
) -> None:
    (estate_files / "website.url").write_text("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with open_estate(datamap_for(estate_files, CORE, WEBSITE)) as estate:
        result = find_person(estate, [(PNR, ANNA)])
    assert not result.complete
    assert [f.system for f in result.failures] == ["website"]
    assert result.outcomes["core"].status == "answered"
    assert keys(result, "core", "customers", Found.OWN) == {"K-1"}


def test_free_text_is_searched_for_what_people_write_not_internal_record_numbers(
    estate: Estate,
) -> None:
    from dataskydd.rights.resolution import FREE_TEXT_KINDS

    assert IdentityKind.PERSONNUMMER in FREE_TEXT_KINDS
    assert IdentityKind.PHONE in FREE_TEXT_KINDS
    assert IdentityKind.CUSTOMER_NUMBER not in FREE_TEXT_KINDS
    result = find_person(estate, [(IdentityKind.CUSTOMER_NUMBER, "K-1")])
    # The customer number finds Anna's row; her personnummer, read off it, finds her chat.
    assert keys(result, "website", "chat_messages", Found.MENTION) == {"M-2"}


def test_an_employers_organisationsnummer_on_her_row_never_makes_the_company_hers(
    estate: Estate,
) -> None:
    # Anna's customer row names her employer, the company Bertil chairs.
    result = find_person(estate, [(PNR, ANNA)])
    assert not any(i.kind == IdentityKind.ORGANISATIONSNUMMER for i in result.identities)
    assert Found.OWN not in {r.found for r in result.rows.get(("core", "companies"), {}).values()}
    assert "R-2" not in keys(result, "core", "company_roles")
