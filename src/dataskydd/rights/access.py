"""The right of access (Art. 15): what was found, labelled, and what the law says to tell.

An :class:`AccessAnswer` holds every value found, grouped by system and table, each field
labelled with its category in Swedish and English, and the Art. 15 information derived
from the programme for exactly the categories and purposes found. Staff can withhold an
item with a recorded reason; nothing is withheld or released by the system on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from dataskydd import clock
from dataskydd.datamap.schema import DataMap, SystemKind
from dataskydd.programme.notice import retention_period
from dataskydd.programme.schema import Programme, RetentionRule
from dataskydd.programme.text import LocalText
from dataskydd.programme.vocab import LEGAL_BASES, TRANSFER_MECHANISMS
from dataskydd.retention.dates import as_date
from dataskydd.rights.resolution import Found, FoundRow, Resolution


class WithholdReason(StrEnum):
    """Why staff keep an item out of an answer (Art. 15(4) and Swedish secrecy rules)."""

    OTHER_PERSON = "other_person"  # another person's data
    TRADE_SECRET = "trade_secret"  # the group's know-how and business secrets
    INTERNAL_ASSESSMENT = "internal_assessment"  # internal assessments and working material
    LEGAL_RESTRICTION = "legal_restriction"  # e.g. money-laundering secrecy (PTL 4 kap. 9 §)


@dataclass(frozen=True)
class Withholding:
    reason: WithholdReason
    note: str
    by: str
    at: datetime


@dataclass
class AnswerField:
    column: str
    category: str | None
    label: LocalText | None  # the category's label
    value: Any
    provided: bool
    internal_assessment: bool
    subject: bool = True  # False: the column names someone else (a guarantor, a referee)


@dataclass
class AnswerItem:
    ref: str  # "system/table/key", stable: staff withhold by it
    system: str
    system_name: str
    table: str
    found: Found
    via: str
    fields: list[AnswerField]
    withheld: Withholding | None = None

    @property
    def needs_review(self) -> bool:
        """A person should look before release: someone else's row or data, or an assessment."""
        return self.found != Found.OWN or any(
            f.internal_assessment or not f.subject for f in self.fields
        )


@dataclass(frozen=True)
class PurposeInfo:
    key: str
    title: LocalText
    legal_bases: list[tuple[LocalText, str]]  # label and article


@dataclass(frozen=True)
class RetentionInfo:
    key: str
    covers: LocalText
    terms: LocalText  # "minst 5 år efter avslutad affärsförbindelse"
    statute: str | None
    ends_on: date | None  # the latest date computable from the person's rows


@dataclass(frozen=True)
class Art15:
    """What Art. 15(1)(a)-(h) and (2) require, for exactly what was found."""

    purposes: list[PurposeInfo]
    categories: list[tuple[str, LocalText]]
    recipients: list[tuple[str, LocalText]]
    retention: list[RetentionInfo]
    sources: list[tuple[str, LocalText]]
    transfers: list[tuple[LocalText, LocalText]]  # transfer and its safeguard
    rights: list[tuple[LocalText, LocalText]]  # title and text
    automated_decisions: LocalText
    authority: str  # name (sv), e-mail and address, for the right to complain
    dpo: str


@dataclass
class AccessAnswer:
    identities: list[str]  # kinds only, e.g. "personnummer": the values stay out of logs
    generated_at: datetime
    programme_version: str
    complete: bool
    answered_systems: list[str]  # every system that was asked and answered
    failed_systems: list[tuple[str, str]]  # system key and what went wrong
    manual_systems: list[str]
    items: list[AnswerItem]
    art15: Art15
    withholdings: dict[str, Withholding] = field(default_factory=dict)

    def withhold(self, ref: str, reason: WithholdReason, note: str, by: str) -> None:
        """Keep ``ref`` out of the released answer, recording who, why and when."""
        item = next((i for i in self.items if i.ref == ref), None)
        if item is None:
            raise KeyError(f"no item {ref!r} in this answer")
        if not note.strip():
            raise ValueError("withholding needs a note saying why")
        item.withheld = Withholding(reason, note.strip(), by, clock.now())
        self.withholdings[ref] = item.withheld

    def released(self) -> list[AnswerItem]:
        return [i for i in self.items if i.withheld is None]


def covers(rule_category: str, category: str) -> bool:
    """A rule about 'identification' covers 'identification.national_id'."""
    return category == rule_category or category.startswith(rule_category + ".")


def build_answer(resolution: Resolution, datamap: DataMap, programme: Programme) -> AccessAnswer:
    """The access answer for one resolution: every row found, labelled, with its Art. 15 facts."""
    labels = {c.key: c.label for c in programme.categories}
    items: list[AnswerItem] = []
    purposes: set[str] = set()
    categories: set[str] = set()
    trigger_dates: dict[str, list[date]] = defaultdict(list)
    for row in sorted(resolution.found(), key=lambda r: (r.system, r.table, str(r.key))):
        system_map = datamap.systems[row.system]
        table = system_map.table(row.table)
        fields = []
        for column in table.columns:
            value = row.values.get(column.name)
            if value is None:
                continue
            label = labels.get(column.category) if column.category else None
            fields.append(
                AnswerField(
                    column.name,
                    column.category,
                    label,
                    value,
                    column.provided,
                    column.internal_assessment,
                    column.subject,
                )
            )
            if column.category and row.found != Found.CONTEXT:
                categories.add(column.category)
            day = as_date(value) if column.retention_trigger is not None else None
            if column.retention_trigger is not None and day is not None:
                trigger_dates[column.retention_trigger].append(day)
        if row.found != Found.CONTEXT:
            purposes.update(table.purposes)
        items.append(
            AnswerItem(
                _ref(row), row.system, system_map.system.name, row.table, row.found, row.via, fields
            )
        )
    return AccessAnswer(
        identities=sorted({i.kind.value for i in resolution.identities}),
        generated_at=clock.now(),
        programme_version=programme.notice.version,
        complete=resolution.complete,
        answered_systems=sorted(
            k for k, o in resolution.outcomes.items() if o.status == "answered"
        ),
        failed_systems=[(f.system, f.error or "failed") for f in resolution.failures],
        manual_systems=[
            k for k, s in datamap.systems.items() if s.system.kind == SystemKind.MANUAL
        ],
        items=items,
        art15=art15_for(programme, purposes, categories, trigger_dates),
    )


def _ref(row: FoundRow) -> str:
    return f"{row.system}/{row.table}/{'/'.join(str(k) for k in row.key)}"


def art15_for(
    programme: Programme,
    purposes: set[str],
    categories: set[str],
    trigger_dates: dict[str, list[date]],
) -> Art15:
    """The Art. 15 information for these purposes and categories, derived from the programme."""
    activities = [
        a
        for a in programme.activities
        if set(a.purposes) & purposes
        or any(covers(c, found) for c in a.categories for found in categories)
    ]
    purpose_infos = [
        PurposeInfo(
            p.key, p.title, [(LEGAL_BASES[b].label, LEGAL_BASES[b].article) for b in p.legal_bases]
        )
        for p in programme.purposes
        if p.key in purposes
    ]
    recipient_keys = _ordered(k for a in activities for k in a.recipients)
    source_keys = _ordered(
        [k for a in activities for k in a.sources]
        + [
            s.key
            for s in programme.sources
            if any(covers(c, f) for c in s.categories for f in categories)
        ]
    )
    transfer_keys = _ordered(k for a in activities for k in a.transfers)
    retention = [
        _retention_info(rule, trigger_dates)
        for rule in programme.retention
        if set(rule.purposes) & purposes
        or any(covers(c, f) for c in rule.categories for f in categories)
    ]
    by_category = {c.key: c.label for c in programme.categories}
    authority = programme.organisation.authority
    dpo = programme.organisation.dpo
    return Art15(
        purposes=purpose_infos,
        categories=[(k, by_category[k]) for k in sorted(categories) if k in by_category],
        recipients=[(k, programme.recipient(k).label) for k in recipient_keys],
        retention=retention,
        sources=[(k, programme.source(k).label) for k in source_keys],
        transfers=[
            (
                programme.transfer(k).label,
                TRANSFER_MECHANISMS[programme.transfer(k).mechanism].label,
            )
            for k in transfer_keys
        ],
        rights=[(r.title, r.text) for r in programme.rights],
        automated_decisions=programme.automated_decisions.statement,
        authority=f"{authority.name.sv}, {authority.email}, {', '.join(authority.postal_address.lines())}",
        dpo=f"{dpo.email}, {', '.join(dpo.postal_address.lines())}",
    )


def _retention_info(rule: RetentionRule, trigger_dates: dict[str, list[date]]) -> RetentionInfo:
    ends_on = None
    days = trigger_dates.get(rule.trigger)
    length = rule.maximum or rule.minimum
    if days and length is not None:
        ends_on = max(length.after(day) for day in days)
    terms = LocalText(sv=retention_period(rule, "sv"), en=retention_period(rule, "en"))
    statute = f"{rule.statute.name.sv} ({rule.statute.reference})" if rule.statute else None
    return RetentionInfo(rule.key, rule.covers, terms, statute, ends_on)


def _ordered(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(keys))
