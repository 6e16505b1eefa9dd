"""What keeps a record against an erasure request, and until when (notice sections 7 c, 9)."""

from __future__ import annotations

from datetime import date

import pytest

from dataskydd.datamap.schema import Column, Table
from dataskydd.programme import load_template
from dataskydd.programme.schema import Programme
from dataskydd.programme.vocab import RetentionTrigger
from dataskydd.retention.holds import (
    ONGOING,
    Dating,
    Hold,
    HoldFinder,
    HoldKind,
    LegalHold,
    combine,
)

TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_template()


def table(name: str, purposes: list[str], *categories: str) -> Table:
    columns = [Column(name="id")] + [
        Column(name=f"c{i}", category=category) for i, category in enumerate(categories)
    ]
    return Table(name=name, purposes=purposes, primary_key=["id"], columns=columns)


KYC = table(
    "kyc_checks",
    ["legal-obligation", "fraud-monitoring"],
    "legal_tax.kyc",
    "identification.national_id",
)
LOANS = table(
    "loans", ["contract", "legal-obligation"], "financial.debts", "financial.contract_type"
)
CHAT = table("chat_messages", ["enquiries"], "communication.chat")


def keys(holds: list[Hold]) -> set[str]:
    return {h.key() for h in holds}


def test_kyc_of_a_relationship_that_ended_six_years_ago_is_past_the_aml_rule(
    programme: Programme,
) -> None:
    dating = Dating([{RetentionTrigger.RELATIONSHIP_ENDED: date(2020, 11, 1)}])
    assert HoldFinder(programme).holds("core", KYC, ["legal_tax.kyc"], dating, TODAY) == []


def test_kyc_of_a_relationship_that_ended_four_years_ago_is_kept_for_five_years(
    programme: Programme,
) -> None:
    dating = Dating([{RetentionTrigger.RELATIONSHIP_ENDED: date(2022, 6, 30)}])
    (hold,) = HoldFinder(programme).holds("core", KYC, ["legal_tax.kyc"], dating, TODAY)
    assert (hold.rule, hold.article, hold.until) == ("aml", "Art. 17(3)(b)", date(2027, 6, 30))
    assert hold.statute == "SFS 2017:630 5 kap. 3 §"


def test_kyc_of_a_running_relationship_is_kept_with_no_end_date_yet(programme: Programme) -> None:
    dating = Dating([{RetentionTrigger.RELATIONSHIP_ENDED: ONGOING}])
    (hold,) = HoldFinder(programme).holds("core", KYC, ["legal_tax.kyc"], dating, TODAY)
    assert hold.rule == "aml" and hold.until is None


def test_an_active_loan_is_kept_for_the_contract_and_as_contract_evidence(
    programme: Programme,
) -> None:
    dating = Dating(
        [{RetentionTrigger.CONTRACT_ENDED: ONGOING}, {RetentionTrigger.RELATIONSHIP_ENDED: ONGOING}]
    )
    holds = HoldFinder(programme).holds("core", LOANS, ["financial.debts"], dating, TODAY)
    assert HoldKind.ACTIVE_CONTRACT in {h.kind for h in holds}
    assert "contract-evidence" in keys(holds)


def test_a_repaid_loan_of_a_former_customer_is_evidence_for_ten_years_after_the_relationship(
    programme: Programme,
) -> None:
    dating = Dating(
        [
            {RetentionTrigger.CONTRACT_ENDED: date(2018, 3, 1)},
            {RetentionTrigger.RELATIONSHIP_ENDED: date(2019, 12, 2)},
        ]
    )
    holds = HoldFinder(programme).holds("core", LOANS, ["financial.debts"], dating, TODAY)
    assert HoldKind.ACTIVE_CONTRACT not in {h.kind for h in holds}
    (evidence,) = [h for h in holds if h.rule == "contract-evidence"]
    assert evidence.until == date(2029, 12, 2) and evidence.article == "Art. 17(3)(e)"


def test_chat_history_has_no_rule_that_keeps_it_against_erasure(programme: Programme) -> None:
    dating = Dating([{RetentionTrigger.COLLECTED: date(2026, 11, 1)}])
    assert HoldFinder(programme).holds("website", CHAT, ["communication.chat"], dating, TODAY) == []


def test_bookkeeping_counts_from_the_end_of_the_booking_year(programme: Programme) -> None:
    transactions = table("transactions", ["legal-obligation"], "financial.transactions")
    dating = Dating([{RetentionTrigger.TRANSACTION_COMPLETED: date(2019, 3, 5)}])
    holds = HoldFinder(programme).holds(
        "core", transactions, ["financial.transactions"], dating, TODAY
    )
    (bookkeeping,) = [h for h in holds if h.rule == "bookkeeping"]
    assert bookkeeping.since == date(2019, 12, 31) and bookkeeping.until == date(2026, 12, 31)


def test_a_rule_whose_event_nothing_dates_does_not_concern_the_record(programme: Programme) -> None:
    # Bookkeeping is about booked transactions: a KYC check has no booking date.
    holds = HoldFinder(programme).holds(
        "core", KYC, ["identification.national_id"], Dating([]), TODAY
    )
    assert "bookkeeping" not in keys(holds)


def test_a_legal_hold_keeps_everything_in_its_systems_until_released(programme: Programme) -> None:
    hold = LegalHold(7, "T 1234-26", ("website",))
    finder = HoldFinder(programme)
    (kept,) = finder.holds("website", CHAT, ["communication.chat"], Dating([]), TODAY, [hold])
    assert kept.kind is HoldKind.LEGAL_HOLD and kept.until is None and "T 1234-26" in kept.text.en
    assert finder.holds("crm", CHAT, ["communication.chat"], Dating([]), TODAY, [hold]) == []


def test_the_nearest_record_dates_first_and_a_running_one_wins_among_equals() -> None:
    assert combine([date(2020, 1, 1), ONGOING]) is ONGOING
    assert combine([date(2020, 1, 1), date(2021, 1, 1)]) == date(2021, 1, 1)
    dating = Dating(
        [
            {RetentionTrigger.CONTRACT_ENDED: date(2020, 1, 1)},
            {RetentionTrigger.CONTRACT_ENDED: ONGOING},
        ]
    )
    assert dating.get(RetentionTrigger.CONTRACT_ENDED) == date(2020, 1, 1)
