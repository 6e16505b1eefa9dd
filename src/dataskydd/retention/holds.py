"""What keeps a record that a person asked to have erased, and until when.

Three things keep a record (GDPR Art. 17(3) and the notice, section 7 c and 9):

- a **retention rule** marked with an ``erasure_exception``: a law requires the record
  (anti-money-laundering, bookkeeping, collateral) or it is evidence for legal claims
  (contract performance, up to ten years after the relationship), counted from the rule's
  trigger event;
- an **active contract**: a running loan, an open offer, an ongoing customer relationship
  still needs the record (Art. 6(1)(b)), so no erasure ground applies yet;
- a **legal hold** placed for a legal claim, until it is released.

The dates come from the record itself, then from the records it belongs to (a collateral
row from its loan), then from the person (their customer relationship). An event that has
not happened yet (the relationship has not ended) keeps the record with no end date. A rule
whose event nothing near the record dates is about other records (bookkeeping concerns
booked transactions, not a KYC check) and keeps nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from dataskydd.datamap.schema import Table
from dataskydd.programme.schema import Programme, RetentionRule
from dataskydd.programme.text import LocalText
from dataskydd.programme.vocab import (
    ERASURE_EXCEPTIONS,
    ErasureException,
    LegalBasis,
    RetentionTrigger,
)
from dataskydd.retention.dates import end_of_year


class Ongoing(StrEnum):
    """The trigger event has not happened: the relationship or contract is still running."""

    ONGOING = "ongoing"


ONGOING = Ongoing.ONGOING
DateState = date | Ongoing

# Events that mean "a contract is still running" when they have not happened, nearest first.
CONTRACT_EVENTS = (
    RetentionTrigger.CONTRACT_ENDED,
    RetentionTrigger.OFFER_LAPSED,
    RetentionTrigger.RELATIONSHIP_ENDED,
)


def combine(states: Iterable[DateState]) -> DateState | None:
    """One state from several: any running one wins, else the latest date (the longest hold)."""
    values = list(states)
    if not values:
        return None
    if any(v is ONGOING for v in values):
        return ONGOING
    return max(v for v in values if isinstance(v, date))


@dataclass
class Dating:
    """Trigger dates for one record, in layers: its own, its parents', the person's."""

    layers: list[Mapping[RetentionTrigger, DateState]] = field(default_factory=list)

    def get(self, trigger: RetentionTrigger) -> DateState | None:
        for layer in self.layers:
            if trigger in layer:
                return layer[trigger]
        if trigger is RetentionTrigger.FISCAL_YEAR_ENDED:
            # A calendar-year financial year ends on 31 December of the booking's year.
            booked = self.get(RetentionTrigger.TRANSACTION_COMPLETED)
            if isinstance(booked, date):
                return end_of_year(booked)
            return booked
        return None


class HoldKind(StrEnum):
    RULE = "rule"
    ACTIVE_CONTRACT = "active_contract"
    LEGAL_HOLD = "legal_hold"


@dataclass(frozen=True)
class Hold:
    """One reason a record stays; ``until`` None means no end date yet."""

    kind: HoldKind
    article: str  # "Art. 17(3)(b)"
    text: LocalText  # why, for the person
    rule: str | None = None  # the retention rule's key
    statute: str | None = None  # "SFS 2017:630 5 kap. 3 §"
    trigger: RetentionTrigger | None = None
    since: date | None = None  # the trigger event's date
    until: date | None = None

    def key(self) -> str:
        return self.rule or str(self.kind)


ACTIVE_CONTRACT_TEXT = LocalText(
    sv="avtalet gäller fortfarande och uppgifterna behövs för att fullgöra det",
    en="the agreement is still in force and the data is needed to perform it",
)


@dataclass(frozen=True)
class LegalHold:
    """A hold placed for a legal claim; ``systems`` empty means every system."""

    id: int
    case: str
    systems: tuple[str, ...] = ()


def covers(rule_category: str, category: str) -> bool:
    """A rule about 'identification' covers 'identification.national_id'."""
    return category == rule_category or category.startswith(rule_category + ".")


class HoldFinder:
    """The holds on a record, from the programme's rules (indexed once per programme)."""

    def __init__(self, programme: Programme) -> None:
        self.rules = [r for r in programme.retention if r.erasure_exception is not None]
        self.contract_purposes = {
            p.key for p in programme.purposes if LegalBasis.CONTRACT in p.legal_bases
        }

    def holds(
        self,
        system: str,
        table: Table,
        categories: Sequence[str],
        dating: Dating,
        today: date,
        legal_holds: Sequence[LegalHold] = (),
    ) -> list[Hold]:
        """Every hold in force on a record of ``table`` holding ``categories``."""
        found = [
            Hold(
                HoldKind.LEGAL_HOLD,
                ERASURE_EXCEPTIONS[ErasureException.LEGAL_CLAIMS][0],
                LocalText(
                    sv=f"rättsligt anspråk ({hold.case}): uppgifterna sparas tills spärren hävs",
                    en=f"legal claim ({hold.case}): the data is kept until the hold is released",
                ),
                rule=f"legal-hold-{hold.id}",
            )
            for hold in legal_holds
            if not hold.systems or system in hold.systems
        ]
        if self.contract_purposes.intersection(table.purposes):
            for event in CONTRACT_EVENTS:
                state = dating.get(event)
                if state is None:
                    continue
                if state is ONGOING:
                    found.append(
                        Hold(
                            HoldKind.ACTIVE_CONTRACT,
                            "Art. 6(1)(b)",
                            ACTIVE_CONTRACT_TEXT,
                            trigger=event,
                        )
                    )
                break  # the nearest contract event decides
        for rule in self.rules:
            hold = self._rule_hold(rule, table, categories, dating, today)
            if hold is not None:
                found.append(hold)
        return found

    def _rule_hold(
        self,
        rule: RetentionRule,
        table: Table,
        categories: Sequence[str],
        dating: Dating,
        today: date,
    ) -> Hold | None:
        if rule.purposes and not set(rule.purposes).intersection(table.purposes):
            return None
        if rule.categories and not any(covers(rc, c) for rc in rule.categories for c in categories):
            return None
        period = rule.minimum or rule.maximum
        assert rule.erasure_exception is not None and period is not None  # programme rules
        article, reason = ERASURE_EXCEPTIONS[rule.erasure_exception]
        statute = rule.statute.reference if rule.statute else None
        state = dating.get(rule.trigger)
        if state is None:
            # Nothing near the record dates the rule's event: the rule is about other
            # records (bookkeeping concerns booked transactions, not a KYC check).
            return None
        if state is ONGOING:
            return Hold(HoldKind.RULE, article, reason, rule.key, statute, rule.trigger)
        assert isinstance(state, date)
        until = period.after(state)
        if today > until:
            return None
        return Hold(HoldKind.RULE, article, reason, rule.key, statute, rule.trigger, state, until)
