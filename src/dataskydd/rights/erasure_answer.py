"""The answer to an erasure request, in Swedish and English: what went, what stayed and why.

It names no values: what was erased is told as categories per system, and what was kept as
categories with the rule, the statute and the date until which it is kept (or the event it
waits for: the end of the agreement, the release of a legal hold). Kept data is restricted
(Art. 18): the letter says so, and tells the person of their right to complain to IMY.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from dataskydd.datamap.schema import DataMap
from dataskydd.programme.notice import retention_period
from dataskydd.programme.schema import Programme, RetentionRule
from dataskydd.programme.text import Language, LocalText
from dataskydd.programme.text import bilingual as _t
from dataskydd.retention.holds import Hold, HoldKind
from dataskydd.rights.erasure import GROUND_ARTICLES, Action, ErasurePlan

TEXTS: dict[str, LocalText] = {
    "title": _t(
        "Svar på din begäran om radering av dina personuppgifter",
        "Answer to your request for erasure of your personal data",
    ),
    "opening": _t(
        "Du har begärt att vi raderar dina personuppgifter ({articles}). Vi har gått igenom "
        "alla system där vi behandlar personuppgifter. Här är vad vi har raderat, och vad vi "
        "enligt lag eller avtal måste spara, varför och hur länge.",
        "You have asked us to erase your personal data ({articles}). We have gone through "
        "every system in which we process personal data. This is what we have erased, and what "
        "law or agreement requires us to keep, why and for how long.",
    ),
    "erased": _t("Det här har vi raderat", "What we have erased"),
    "erased_none": _t(
        "Vi har inte raderat något: allt vi har om dig måste vi spara enligt nedan.",
        "We have erased nothing: everything we hold about you must be kept, as below.",
    ),
    "erased_line": _t(
        "{system}: {categories} ({records} poster)", "{system}: {categories} ({records} records)"
    ),
    "kept": _t("Det här sparar vi, och varför", "What we keep, and why"),
    "kept_none": _t("Vi sparar inga uppgifter om dig.", "We keep no data about you."),
    "kept_intro": _t(
        "De uppgifter vi sparar är begränsade (artikel 18): vi använder dem bara för det som "
        "skälet nedan kräver, och raderar dem när tiden har gått ut.",
        "The data we keep is restricted (Article 18): we use it only for what the reason below "
        "requires, and erase it when the time has passed.",
    ),
    "until": _t("sparas till och med {date}", "kept until {date}"),
    "until_event": _t("sparas {period}", "kept {period}"),
    "until_contract": _t(
        "sparas så länge avtalet gäller", "kept for as long as the agreement is in force"
    ),
    "until_hold": _t(
        "sparas tills den rättsliga spärren hävs", "kept until the legal hold is released"
    ),
    "statute": _t("enligt {statute}", "under {statute}"),
    "not_ended": _t(
        "Uppgifter som vi fortfarande behandlar för {purposes}: din begäran gällde inte den "
        "behandlingen. Du kan invända mot den (artikel 21).",
        "Data we still process for {purposes}: your request did not concern that processing. "
        "You may object to it (Article 21).",
    ),
    "incomplete": _t(
        "Vi kunde inte nå systemet {system}; vi raderar där så snart det går och meddelar dig.",
        "We could not reach the system {system}; we will erase there as soon as we can and tell you.",
    ),
    "manual": _t(
        "I systemet {system} raderar en medarbetare uppgifterna för hand.",
        "In the system {system} a member of staff erases the data by hand.",
    ),
    "complaint": _t(
        "Om du är missnöjd med hur vi har hanterat din begäran kan du kontakta vårt "
        "dataskyddsombud ({dpo}) eller klaga hos Integritetsskyddsmyndigheten ({authority}).",
        "If you are not satisfied with how we have handled your request, you may contact our "
        "data protection officer ({dpo}) or complain to the Swedish Authority for Privacy "
        "Protection ({authority}).",
    ),
}


@dataclass
class KeptGroup:
    """Kept records that share their reason and end date."""

    system: str
    reason: LocalText
    rule: str
    statute: LocalText | None
    until: date | None
    term: LocalText
    categories: set[str] = field(default_factory=set)
    records: int = 0


def kept_groups(plan: ErasurePlan, programme: Programme, datamap: DataMap) -> list[KeptGroup]:
    """One group per system and reason (the strongest hold of each kept record)."""
    rules = {r.key: r for r in programme.retention}
    groups: dict[tuple[str, str, date | None], KeptGroup] = {}
    for decision in plan.by_action(Action.KEEP):
        if not decision.holds:
            continue
        hold = _longest(decision.holds)
        name = datamap.systems[decision.system].system.name
        key = (name, hold.key(), hold.until)
        if key not in groups:
            rule = rules.get(hold.rule or "")
            covers = rule.covers if rule else hold.text
            groups[key] = KeptGroup(
                name, covers, hold.key(), _statute(rule), hold.until, _term(hold, rule)
            )
        groups[key].categories.update(decision.categories)
        groups[key].records += 1
    return sorted(groups.values(), key=lambda g: (g.system, g.rule))


def _longest(holds: list[Hold]) -> Hold:
    """The hold that keeps the record longest: open-ended ones first."""
    return max(holds, key=lambda h: (h.until is None, h.until or date.min))


def _statute(rule: RetentionRule | None) -> LocalText | None:
    if rule is None or rule.statute is None:
        return None
    ref = rule.statute.reference
    return LocalText(sv=f"{rule.statute.name.sv} ({ref})", en=f"{rule.statute.name.en} ({ref})")


def _term(hold: Hold, rule: RetentionRule | None) -> LocalText:
    if hold.kind is HoldKind.ACTIVE_CONTRACT:
        return TEXTS["until_contract"]
    if hold.kind is HoldKind.LEGAL_HOLD:
        return TEXTS["until_hold"]
    if hold.until is not None:
        day = hold.until.isoformat()
        return LocalText(
            sv=TEXTS["until"].sv.format(date=day), en=TEXTS["until"].en.format(date=day)
        )
    assert rule is not None
    return LocalText(
        sv=TEXTS["until_event"].sv.format(period=retention_period(rule, "sv")),
        en=TEXTS["until_event"].en.format(period=retention_period(rule, "en")),
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def letter(plan: ErasurePlan, programme: Programme, datamap: DataMap, language: Language) -> str:
    """The answer as Markdown, in ``language``."""
    labels = {c.key: c.label.get(language) for c in programme.categories}
    purposes = {p.key: p.title.get(language) for p in programme.purposes}

    def say(key: str, **values: object) -> str:
        return TEXTS[key].get(language).format(**values)

    articles = ", ".join(sorted({GROUND_ARTICLES[g] for g in plan.grounds}))
    lines = [
        f"# {say('title')}",
        "",
        say("opening", articles=articles),
        "",
        f"## {say('erased')}",
        "",
    ]
    erased: dict[str, tuple[set[str], int]] = defaultdict(lambda: (set(), 0))
    for decision in plan.decisions:
        if decision.erased:
            name = datamap.systems[decision.system].system.name
            cats, count = erased[name]
            erased[name] = (cats | set(decision.categories), count + 1)
    if not erased:
        lines.append(say("erased_none"))
    for name, (cats, count) in sorted(erased.items()):
        shown = ", ".join(sorted(labels.get(c, c) for c in cats)) or "-"
        lines.append("- " + say("erased_line", system=name, categories=shown, records=count))
    lines += ["", f"## {say('kept')}", ""]
    groups = kept_groups(plan, programme, datamap)
    if not groups:
        lines.append(say("kept_none"))
    else:
        lines += [say("kept_intro"), ""]
    for group in groups:
        kept = ", ".join(sorted(labels.get(c, c) for c in group.categories))
        statute = ""
        if group.statute:
            statute = " " + say("statute", statute=group.statute.get(language))
        lines.append(
            f"- **{group.system}**: {kept}. {_sentence(group.reason.get(language))}{statute}; "
            f"{group.term.get(language)} ({group.records})"
        )
    still = sorted(
        {p for d in plan.by_action(Action.KEEP) if not d.holds for p in d.still_processed_for}
    )
    if still:
        lines += ["", say("not_ended", purposes=", ".join(purposes.get(p, p) for p in still))]
    for system, _error in plan.failed_systems:
        lines += ["", say("incomplete", system=datamap.systems[system].system.name)]
    for system in plan.manual_systems:
        lines += ["", say("manual", system=datamap.systems[system].system.name)]
    org = programme.organisation
    lines += ["", say("complaint", dpo=org.dpo.email, authority=org.authority.email), ""]
    return "\n".join(lines)
