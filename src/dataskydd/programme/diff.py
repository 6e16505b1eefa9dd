"""Compare two versions of a programme: what changed, and whether the change is significant.

A change is *significant* when data subjects must be told about it before it applies
(Art. 13(3) and 14(4), and the transparency guidelines on updating a notice): a new purpose
or legal basis, new data, recipients or transfers, longer retention, new profiling or
automated decisions, different controllers or DPO contact, and any change to the text of
the rights, since whether a right was narrowed cannot be read from the data. Rewording a
label or a description, or moving the notice's version or date, is not significant.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel

from dataskydd.programme.schema import Category, Programme, RetentionRule
from dataskydd.programme.vocab import EEA


@dataclass(frozen=True)
class FieldChange:
    field: str  # a dotted path inside the entry, e.g. "title.en" or "legal_bases"
    old: str  # short-printed
    new: str


@dataclass(frozen=True)
class EntryChange:
    key: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class SectionDiff:
    section: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[EntryChange, ...]


@dataclass(frozen=True)
class Reason:
    """One significant change, in words a DPO can put in the change summary."""

    section: str
    key: str | None
    message: str


@dataclass(frozen=True)
class ProgrammeDiff:
    old_version: str
    new_version: str
    sections: tuple[SectionDiff, ...]  # only the sections that changed
    reasons: tuple[Reason, ...]
    flagged_significant: bool  # what the new notice says of itself (notice.significant_change)

    @property
    def significant(self) -> bool:
        return bool(self.reasons)

    @property
    def unchanged(self) -> bool:
        return not self.sections

    @property
    def flag_agrees(self) -> bool:
        return self.flagged_significant == self.significant

    @property
    def verdict(self) -> str:
        """The significance in one sentence, and whether the notice's own flag agrees."""
        version = f"the new version ({self.new_version})"
        if self.significant and not self.flagged_significant:
            changes = "; ".join(r.message for r in self.reasons)
            return f"{version} is flagged not significant, but these changes are: {changes}"
        if self.flagged_significant and not self.significant:
            return (
                f"{version} is flagged significant, but no change needs it "
                "(only wording, dates or unlisted details changed)"
            )
        if self.significant:
            return f"significant change: {version} is flagged significant, as it should be"
        if self.unchanged:
            return "no changes"
        return "not a significant change: only wording, dates or unlisted details changed"

    @property
    def warnings(self) -> tuple[str, ...]:
        if not self.unchanged and self.old_version == self.new_version:
            return (f"the programme changed but the notice version is still {self.new_version}",)
        return ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "significant": self.significant,
            "flagged_significant": self.flagged_significant,
            "flag_agrees": self.flag_agrees,
            "verdict": self.verdict,
            "warnings": list(self.warnings),
            "reasons": [asdict(r) for r in self.reasons],
            "sections": [asdict(s) for s in self.sections],
        }


# -- what is compared ----------------------------------------------------------------------


def _keyed(items: Iterable[Any]) -> dict[str, Any]:
    return {str(item.key): item for item in items}


def keyed_sections(p: Programme) -> dict[str, dict[str, Any]]:
    """Every list of keyed entries, by section name and key."""
    return {
        "controllers": _keyed(p.organisation.controllers),
        "data_subjects": _keyed(p.data_subjects),
        "categories": _keyed(p.categories),
        "sources": _keyed(p.sources),
        "purposes": _keyed(p.purposes),
        "recipients": _keyed(p.recipients),
        "transfers": _keyed(p.transfers),
        "retention": _keyed(p.retention),
        "security_measures": _keyed(p.security_measures),
        "activities": _keyed(p.activities),
        "rights": {r.key.value: r for r in p.rights},
        "cookie_categories": _keyed(p.cookies.categories) if p.cookies else {},
        "notice_sections": _keyed(p.notice.sections),
    }


def _single_sections(p: Programme) -> dict[str, dict[str, Any] | None]:
    """The sections that are one object, dumped without the keyed lists compared above."""

    def dump(model: BaseModel | None, exclude: set[str] | None = None) -> dict[str, Any] | None:
        return model.model_dump(mode="json", exclude=exclude) if model is not None else None

    return {
        "programme": dump(p.programme),
        "organisation": dump(p.organisation, {"controllers"}),
        "automated_decisions": dump(p.automated_decisions),
        "transfer_policy": dump(p.transfer_policy),
        "cookies": dump(p.cookies, {"categories"}),
        "notice": dump(p.notice, {"sections"}),
    }


SECTION_ORDER = (
    "programme",
    "organisation",
    "controllers",
    "data_subjects",
    "categories",
    "sources",
    "purposes",
    "automated_decisions",
    "recipients",
    "transfer_policy",
    "transfers",
    "retention",
    "security_measures",
    "activities",
    "rights",
    "cookies",
    "cookie_categories",
    "notice",
    "notice_sections",
)


def diff_programmes(old: Programme, new: Programme) -> ProgrammeDiff:
    """What changed from ``old`` to ``new``, section by section, and why it is significant."""
    sections: dict[str, SectionDiff] = {}
    old_keyed, new_keyed = keyed_sections(old), keyed_sections(new)
    for name in old_keyed:
        a, b = old_keyed[name], new_keyed[name]
        changed = [
            EntryChange(key, fields)
            for key in b
            if key in a
            for fields in [_field_changes(_dump(a[key]), _dump(b[key]))]
            if fields
        ]
        added = tuple(k for k in b if k not in a)
        removed = tuple(k for k in a if k not in b)
        if added or removed or changed:
            sections[name] = SectionDiff(name, added, removed, tuple(changed))
    old_single, new_single = _single_sections(old), _single_sections(new)
    for name in old_single:
        a_one, b_one = old_single[name], new_single[name]
        if a_one == b_one:
            continue
        if a_one is None or b_one is None:
            sections[name] = SectionDiff(
                name, (name,) if a_one is None else (), (name,) if b_one is None else (), ()
            )
        else:
            sections[name] = SectionDiff(
                name, (), (), (EntryChange(name, _field_changes(a_one, b_one)),)
            )
    ordered = tuple(sections[s] for s in SECTION_ORDER if s in sections)
    return ProgrammeDiff(
        old_version=old.notice.version,
        new_version=new.notice.version,
        sections=ordered,
        reasons=tuple(_reasons(old, new, old_keyed, new_keyed)),
        flagged_significant=new.notice.significant_change,
    )


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def _flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted paths (``title.en``); lists stay whole."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, Mapping):
            flat.update(_flatten(item, f"{path}."))
        else:
            flat[path] = item
    return flat


def _field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    a, b = _flatten(old), _flatten(new)
    fields = list(dict.fromkeys([*a, *b]))
    return tuple(
        FieldChange(f, short(a.get(f)), short(b.get(f))) for f in fields if a.get(f) != b.get(f)
    )


def short(value: Any, limit: int = 80) -> str:
    """A value printed in at most ``limit`` characters, for a diff line."""
    if value is None or value == []:
        text = "(none)"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- significance ---------------------------------------------------------------------------


def _new_items(old: Iterable[str], new: Iterable[str]) -> list[str]:
    before = set(old)
    return [str(v) for v in new if v not in before]


def _category_flags(category: Category) -> str:
    flags = [
        text
        for flag, text in (
            ("special", "special category, Art. 9"),
            ("criminal", "criminal offences, Art. 10"),
            ("national_id", "national identity number"),
        )
        if getattr(category, flag)
    ]
    return f" ({', '.join(flags)})" if flags else ""


def _reasons(
    old: Programme,
    new: Programme,
    old_keyed: dict[str, dict[str, Any]],
    new_keyed: dict[str, dict[str, Any]],
) -> list[Reason]:
    reasons: list[Reason] = []

    def say(section: str, key: str | None, message: str) -> None:
        reasons.append(Reason(section, key, message))

    def pairs(section: str) -> Iterable[tuple[str, Any, Any]]:
        """(key, old entry or None, new entry) for each entry of ``section`` in ``new``."""
        before = old_keyed[section]
        for key, entry in new_keyed[section].items():
            yield key, before.get(key), entry

    def grown(
        section: str,
        key: str,
        what: str,
        old_values: Iterable[str],
        new_values: Iterable[str],
        describe: str,
    ) -> None:
        added = _new_items(old_values, new_values)
        if added:
            say(section, key, f"{what} '{key}' {describe}: {', '.join(added)}")

    # who
    for key, was, now in pairs("controllers"):
        if was is None:
            say("controllers", key, f"new controller '{key}' ({now.name})")
        elif (was.name, was.org_number, was.role, was.parent) != (
            now.name,
            now.org_number,
            now.role,
            now.parent,
        ):
            say("controllers", key, f"controller '{key}' changed: {was.name} → {now.name}")
    for key in [k for k in old_keyed["controllers"] if k not in new_keyed["controllers"]]:
        say("controllers", key, f"controller '{key}' removed")
    if old.organisation.dpo != new.organisation.dpo:
        say("organisation", "dpo", "the DPO's contact details changed")

    # whom and what
    for key, was, _ in pairs("data_subjects"):
        if was is None:
            say("data_subjects", key, f"new category of data subjects '{key}'")
    for key, was, now in pairs("categories"):
        if was is None:
            say("categories", key, f"new data category '{key}'{_category_flags(now)}")
            continue
        for flag, text in (
            ("special", "a special category (Art. 9)"),
            ("criminal", "criminal-offence data (Art. 10)"),
            ("national_id", "a national identity number"),
        ):
            if getattr(now, flag) and not getattr(was, flag):
                say("categories", key, f"data category '{key}' is now {text}")
    for key, was, now in pairs("sources"):
        if was is None:
            say("sources", key, f"new source of data '{key}'")
        elif was.kind != now.kind:
            say("sources", key, f"source '{key}' changed kind: {was.kind} → {now.kind}")

    # why
    for key, was, now in pairs("purposes"):
        if was is None:
            say("purposes", key, f"new purpose '{key}' ({now.title.en})")
            continue
        if list(was.legal_bases) != list(now.legal_bases):
            say(
                "purposes",
                key,
                f"purpose '{key}': legal basis changed from "
                f"{short(list(was.legal_bases))} to {short(list(now.legal_bases))}",
            )
        if now.profiling and not was.profiling:
            say("purposes", key, f"purpose '{key}' now involves profiling")
        grown("purposes", key, "purpose", was.categories, now.categories, "now uses data")
        grown("purposes", key, "purpose", was.data_subjects, now.data_subjects, "now covers")
    automated_old, automated_new = old.automated_decisions, new.automated_decisions
    if automated_new.used and not automated_old.used:
        say("automated_decisions", None, "automated decisions (Art. 22) are now used")
    elif automated_new.used and automated_new.logic != automated_old.logic:
        say("automated_decisions", None, "the logic of the automated decisions changed")

    # to whom and where
    for key, was, now in pairs("recipients"):
        if was is None:
            say("recipients", key, f"new recipient '{key}' ({now.kind})")
            continue
        if was.kind != now.kind:
            say("recipients", key, f"recipient '{key}' changed kind: {was.kind} → {now.kind}")
        if was.anonymised_only and not now.anonymised_only:
            say(
                "recipients",
                key,
                f"recipient '{key}' now receives personal data, not only anonymised data",
            )
        if was.country != now.country and now.country not in EEA:
            say("recipients", key, f"recipient '{key}' moved to {now.country}, outside the EEA")
    for key, was, now in pairs("transfers"):
        if was is None:
            countries = ", ".join(now.countries) or "a country not yet known"
            say(
                "transfers",
                key,
                f"new transfer to a third country '{key}' ({countries}, {now.mechanism})",
            )
            continue
        if (was.mechanism, was.derogation) != (now.mechanism, now.derogation):
            say(
                "transfers",
                key,
                f"transfer '{key}': mechanism changed from {was.mechanism} to {now.mechanism}",
            )
        if was.recipient != now.recipient:
            say("transfers", key, f"transfer '{key}' now goes to recipient '{now.recipient}'")
        grown("transfers", key, "transfer", was.countries, now.countries, "now also goes to")
    if old.transfer_policy and new.transfer_policy:
        added = _new_items(
            old.transfer_policy.allowed_mechanisms, new.transfer_policy.allowed_mechanisms
        )
        if added:
            say("transfer_policy", None, f"the transfer policy now also allows: {', '.join(added)}")

    # how long
    for key, was, now in pairs("retention"):
        if was is None:
            say("retention", key, f"new retention rule '{key}' ({_bounds(now)})")
            continue
        for message in _retention_changes(key, was, now):
            say("retention", key, message)

    # the register
    for key, was, now in pairs("activities"):
        if was is None:
            say("activities", key, f"new processing activity '{key}'")
            continue
        for field, describe in (
            ("purposes", "now serves purposes"),
            ("categories", "now processes data"),
            ("data_subjects", "now covers"),
            ("sources", "now collects from"),
            ("recipients", "now discloses to"),
            ("transfers", "now transfers"),
            ("retention", "now follows retention rules"),
            ("controllers", "now has controllers"),
        ):
            grown("activities", key, "activity", getattr(was, field), getattr(now, field), describe)
        if now.profiling and not was.profiling:
            say("activities", key, f"activity '{key}' now involves profiling")

    # rights: whether a new text narrows a right cannot be told from the data, so any
    # change is one for a person to review.
    old_rights, new_rights = old_keyed["rights"], new_keyed["rights"]
    for key in dict.fromkeys([*old_rights, *new_rights]):
        if old_rights.get(key) != new_rights.get(key):
            say(
                "rights",
                key,
                f"the text of the right '{key}' changed; review whether it narrows the right",
            )
    return reasons


def _bounds(rule: RetentionRule) -> str:
    parts = []
    if rule.minimum:
        parts.append(f"at least {rule.minimum.describe('en')}")
    if rule.maximum:
        parts.append(f"up to {rule.maximum.describe('en')}")
    return ", ".join(parts)


def _retention_changes(key: str, was: RetentionRule, now: RetentionRule) -> list[str]:
    out = []
    if was.maximum is not None and now.maximum is None:
        out.append(f"retention rule '{key}' no longer has a maximum (was {was.maximum})")
    elif was.maximum and now.maximum and now.maximum.approx_days() > was.maximum.approx_days():
        out.append(
            f"retention rule '{key}': maximum lengthened from {was.maximum} to {now.maximum}"
        )
    if was.minimum is None and now.minimum is not None:
        out.append(f"retention rule '{key}': a minimum of {now.minimum} was added")
    elif was.minimum and now.minimum and now.minimum.approx_days() > was.minimum.approx_days():
        out.append(
            f"retention rule '{key}': minimum lengthened from {was.minimum} to {now.minimum}"
        )
    if was.trigger != now.trigger:
        out.append(
            f"retention rule '{key}' is now counted from another event: "
            f"{was.trigger} → {now.trigger}"
        )
    added = _new_items(was.categories, now.categories)
    if added:
        out.append(f"retention rule '{key}' now also covers: {', '.join(added)}")
    return out
