"""Rules that span entries: references resolve, the law's conditions hold.

Each rule has a stable identifier (shown in brackets after the message) so that a DPO can
look it up in docs/programme-format.md. The rules run on whatever part of the programme
passed the schema, and take the set of known keys from the raw document, so a broken
entry does not also make every reference to it an error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any

from dataskydd.programme.errors import Location, ProgrammeError
from dataskydd.programme.schema import Programme, RecipientKind
from dataskydd.programme.source import SourceMap
from dataskydd.programme.vocab import (
    ADEQUACY,
    ART9_CONDITIONS,
    EEA,
    LegalBasis,
    Right,
    TransferMechanism,
)

KEYED_SECTIONS = (
    "data_subjects",
    "categories",
    "sources",
    "purposes",
    "recipients",
    "transfers",
    "retention",
    "security_measures",
    "activities",
)


class _Context:
    def __init__(self, programme: Programme, raw: dict[str, Any], source_map: SourceMap) -> None:
        self.programme = programme
        self.raw = raw
        self.source_map = source_map
        self.errors: list[ProgrammeError] = []
        self.keys: dict[str, list[str]] = {
            s: _raw_keys(self.raw_items(s)) for s in (*KEYED_SECTIONS, "controllers")
        }
        # Lookups built once, so the checks stay linear in the size of the programme.
        self.known: dict[str, set[str]] = {s: set(keys) for s, keys in self.keys.items()}
        self.index: dict[str, dict[str, int]] = {}
        for section in self.keys:
            positions: dict[str, int] = {}
            for i, item in enumerate(self.raw_items(section)):
                if isinstance(item, dict) and isinstance(item.get("key"), str):
                    positions.setdefault(item["key"], i)
            self.index[section] = positions
        self.categories = {c.key: c for c in programme.categories or ()}
        self.purposes = {p.key: p for p in programme.purposes or ()}

    def raw_items(self, section: str) -> list[Any]:
        """The raw list of ``section`` as written (controllers live under organisation)."""
        items = self.raw.get(section)
        if section == "controllers":
            organisation = self.raw.get("organisation")
            items = organisation.get("controllers") if isinstance(organisation, dict) else None
        return items if isinstance(items, list) else []

    def prefix(self, section: str) -> Location:
        return ("organisation", "controllers") if section == "controllers" else (section,)

    def where(self, section: str, key: str, *rest: str | int) -> Location:
        """The location of the entry ``key`` in ``section`` (by its index in the raw list)."""
        i = self.index[section].get(key)
        return self.prefix(section) if i is None else (*self.prefix(section), i, *rest)

    def fail(self, location: Location, rule: str, message: str) -> None:
        self.errors.append(self.source_map.error(location, rule, message))

    def refs(self, owner: Location, field: str, values: Iterable[str], section: str) -> None:
        known = self.known[section]
        for i, value in enumerate(values):
            if value not in known:
                message = f"unknown {_SINGULAR[section]} key '{value}'"
                close = difflib.get_close_matches(value, self.keys[section], n=1)
                if close:
                    message += f"; did you mean '{close[0]}'?"
                self.fail((*owner, field, i), "unknown-reference", message)


_SINGULAR = {
    "data_subjects": "data subject",
    "categories": "category",
    "sources": "source",
    "purposes": "purpose",
    "recipients": "recipient",
    "transfers": "transfer",
    "retention": "retention rule",
    "security_measures": "security measure",
    "activities": "activity",
    "controllers": "controller",
}


def _raw_keys(items: list[Any]) -> list[str]:
    return [i["key"] for i in items if isinstance(i, dict) and isinstance(i.get("key"), str)]


def check_rules(
    programme: Programme, raw: dict[str, Any], source_map: SourceMap
) -> list[ProgrammeError]:
    """Every cross-entry error in ``programme``; empty when it holds together."""
    ctx = _Context(programme, raw, source_map)
    for check in (
        _unique_keys,
        _categories,
        _controllers,
        _purposes,
        _recipients,
        _transfers,
        _retention,
        _activities,
        _rights,
        _notice,
    ):
        check(ctx)
    return ctx.errors


def _items(section: Any) -> Iterator[Any]:
    yield from section or ()


def _unique_keys(ctx: _Context) -> None:
    for section, keys in ctx.keys.items():
        if len(set(keys)) == len(keys):
            continue
        seen: set[str] = set()
        for i, item in enumerate(ctx.raw_items(section)):
            key = item.get("key") if isinstance(item, dict) else None
            if not isinstance(key, str):
                continue
            if key in seen:
                # Point at the second occurrence: that is the one to rename or remove.
                ctx.fail(
                    (*ctx.prefix(section), i, "key"),
                    "duplicate-key",
                    f"the {_SINGULAR[section]} key '{key}' is defined twice",
                )
            seen.add(key)


def _categories(ctx: _Context) -> None:
    known = ctx.known["categories"]
    for category in _items(ctx.programme.categories):
        if category.parent and category.parent not in known:
            ctx.fail(
                ctx.where("categories", category.key, "key"),
                "category-parent",
                f"the category '{category.key}' has no parent '{category.parent}'; define it first",
            )
    for source in _items(ctx.programme.sources):
        ctx.refs(ctx.where("sources", source.key), "categories", source.categories, "categories")


def _controllers(ctx: _Context) -> None:
    organisation = ctx.programme.organisation
    if organisation is None:
        return
    parents = [c for c in organisation.controllers if c.role == "parent"]
    if len(parents) != 1:
        ctx.fail(
            ("organisation", "controllers"),
            "controller-structure",
            f"a group has exactly one parent company; found {len(parents)}",
        )
    for controller in organisation.controllers:
        location = ctx.where("controllers", controller.key)
        if controller.role == "subsidiary" and not controller.parent:
            ctx.fail(
                location,
                "controller-structure",
                f"the subsidiary '{controller.key}' must name its parent",
            )
        if controller.parent:
            ctx.refs(location, "parent", [controller.parent], "controllers")


def _special(ctx: _Context, categories: Iterable[str]) -> tuple[list[str], list[str]]:
    special, criminal = [], []
    for key in categories:
        category = ctx.categories.get(key)
        if category and category.special:
            special.append(key)
        if category and category.criminal:
            criminal.append(key)
    return special, criminal


def _purposes(ctx: _Context) -> None:
    for purpose in _items(ctx.programme.purposes):
        location = ctx.where("purposes", purpose.key)
        bases = set(purpose.legal_bases)
        if LegalBasis.LEGITIMATE_INTEREST in bases and purpose.balancing_test is None:
            ctx.fail(
                (*location, "legal_bases"),
                "balancing-test",
                "legitimate interest needs the balancing test written in 'balancing_test'",
            )
        if bases and bases <= ART9_CONDITIONS:
            ctx.fail(
                (*location, "legal_bases"),
                "art9-alone",
                "an Art. 9(2) condition is not a legal basis on its own; add an Art. 6(1) basis",
            )
        ctx.refs(location, "categories", purpose.categories, "categories")
        ctx.refs(location, "data_subjects", purpose.data_subjects, "data_subjects")
        _special_conditions(ctx, location, purpose.categories, [purpose.key])


def _special_conditions(
    ctx: _Context, location: Location, categories: list[str], purposes: list[str]
) -> None:
    special, criminal = _special(ctx, categories)
    chosen = [ctx.purposes[p] for p in purposes if p in ctx.purposes]
    if special and not any(set(p.legal_bases) & ART9_CONDITIONS for p in chosen):
        ctx.fail(
            (*location, "categories"),
            "art9-condition",
            f"special category data ({', '.join(special)}) needs an Art. 9(2) condition "
            "(explicit_consent, employment_law or legal_claims) in a purpose's legal_bases",
        )
    if criminal and not any(p.art10_authority for p in chosen):
        ctx.fail(
            (*location, "categories"),
            "art10-authority",
            f"criminal-offence data ({', '.join(criminal)}) needs 'art10_authority': "
            "the law that allows it (Art. 10)",
        )


def _recipients(ctx: _Context) -> None:
    transferred = {t.recipient for t in _items(ctx.programme.transfers)}
    for recipient in _items(ctx.programme.recipients):
        location = ctx.where("recipients", recipient.key)
        if recipient.kind == RecipientKind.PROCESSOR and not recipient.dpa_reference:
            ctx.fail(
                location,
                "processor-dpa",
                f"the processor '{recipient.key}' needs 'dpa_reference': its data processing agreement (Art. 28)",
            )
        if (
            recipient.country not in EEA
            and not recipient.anonymised_only
            and recipient.key not in transferred
        ):
            ctx.fail(
                (*location, "country"),
                "recipient-transfer",
                f"the recipient is in {recipient.country}, outside the EEA, but no transfer names it",
            )
    automated = ctx.programme.automated_decisions
    if automated is not None and automated.used and automated.logic is None:
        ctx.fail(
            ("automated_decisions", "used"),
            "automated-logic",
            "automated decisions need 'logic': the logic involved and its consequences (Art. 13(2)(f))",
        )


def _transfers(ctx: _Context) -> None:
    policy = ctx.programme.transfer_policy
    for transfer in _items(ctx.programme.transfers):
        location = ctx.where("transfers", transfer.key)
        ctx.refs(location, "recipient", [transfer.recipient], "recipients")
        for i, country in enumerate(transfer.countries):
            if country in EEA:
                ctx.fail(
                    (*location, "countries", i),
                    "transfer-eea",
                    f"{country} is in the EEA; a transfer there is not a third-country transfer",
                )
            elif transfer.mechanism == TransferMechanism.ADEQUACY and country not in ADEQUACY:
                ctx.fail(
                    (*location, "countries", i),
                    "transfer-adequacy",
                    f"{country} has no adequacy decision; use standard contractual clauses, "
                    "binding corporate rules or a derogation",
                )
        if transfer.mechanism == TransferMechanism.DEROGATION and transfer.derogation is None:
            ctx.fail(
                (*location, "mechanism"),
                "transfer-derogation",
                "an Art. 49 derogation transfer must name its 'derogation' (e.g. explicit_consent)",
            )
        if transfer.mechanism != TransferMechanism.DEROGATION and transfer.derogation is not None:
            ctx.fail(
                (*location, "derogation"),
                "transfer-derogation",
                "'derogation' only applies when the mechanism is 'derogation'",
            )
        if policy is not None and transfer.mechanism not in policy.allowed_mechanisms:
            ctx.fail(
                (*location, "mechanism"),
                "transfer-policy",
                f"the notice does not promise '{transfer.mechanism}' in transfer_policy.allowed_mechanisms",
            )


def _retention(ctx: _Context) -> None:
    for rule in _items(ctx.programme.retention):
        location = ctx.where("retention", rule.key)
        if rule.minimum is None and rule.maximum is None:
            ctx.fail(
                location,
                "retention-duration",
                "a retention rule needs a duration: 'minimum' (must keep at least), 'maximum' (keep at most) or both",
            )
        if (
            rule.minimum
            and rule.maximum
            and rule.minimum.approx_days() > rule.maximum.approx_days()
        ):
            ctx.fail(
                (*location, "maximum"),
                "retention-order",
                f"the maximum {rule.maximum} is shorter than the minimum {rule.minimum}",
            )
        ctx.refs(location, "categories", rule.categories, "categories")
        ctx.refs(location, "purposes", rule.purposes, "purposes")


def _activities(ctx: _Context) -> None:
    for activity in _items(ctx.programme.activities):
        location = ctx.where("activities", activity.key)
        for field, section in (
            ("controllers", "controllers"),
            ("purposes", "purposes"),
            ("data_subjects", "data_subjects"),
            ("categories", "categories"),
            ("sources", "sources"),
            ("recipients", "recipients"),
            ("transfers", "transfers"),
            ("retention", "retention"),
            ("security_measures", "security_measures"),
        ):
            ctx.refs(location, field, getattr(activity, field), section)
        _special_conditions(ctx, location, activity.categories, activity.purposes)


def _rights(ctx: _Context) -> None:
    present = [r.key for r in _items(ctx.programme.rights)]
    if ctx.programme.rights is None or "rights" not in ctx.raw:
        return
    for right in Right:
        if right not in present:
            ctx.fail(("rights",), "rights-missing", f"the right '{right.value}' is not described")
    for right in set(present):
        if present.count(right) > 1:
            ctx.fail(("rights",), "duplicate-key", f"the right '{right.value}' is described twice")


def _notice(ctx: _Context) -> None:
    notice = ctx.programme.notice
    if notice is None:
        return
    seen: set[str] = set()
    for i, section in enumerate(notice.sections):
        if section.key in seen:
            ctx.fail(
                ("notice", "sections", i, "key"),
                "duplicate-key",
                f"the notice section '{section.key}' is defined twice",
            )
        seen.add(section.key)
        ctx.refs(("notice", "sections", i), "purposes", section.purposes, "purposes")
