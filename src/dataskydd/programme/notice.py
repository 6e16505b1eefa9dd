"""The published notice as Markdown, drawn from the programme in Swedish or English.

The notice's own texts (title, introduction, each section's body and ``after``) are
Markdown written by the DPO; the parts a section ``include``s are rendered here from the
programme data, so the notice can never say something the programme does not. The stored
Markdown of a published version and the web page both come from :func:`render_sections`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dataskydd.programme.schema import (
    Category,
    Contact,
    NoticeInclude,
    NoticeSection,
    Programme,
    RecipientKind,
    RetentionAction,
    RetentionRule,
    SecurityKind,
    SourceKind,
)
from dataskydd.programme.text import Language, LocalText
from dataskydd.programme.text import bilingual as _t
from dataskydd.programme.vocab import (
    LEGAL_BASES,
    RETENTION_TRIGGERS,
    RIGHT_ARTICLES,
    TRANSFER_MECHANISMS,
    Derogation,
    LegalBasis,
)

# Words the renderer adds itself; everything else comes from the programme.
LABELS: dict[str, LocalText] = {
    "for_example": _t("exempelvis", "for example"),
    "examples": _t("Exempel på behandling:", "Examples of processing:"),
    "legal_basis": _t("Laglig grund", "Legal basis"),
    "legal_bases": _t("Lagliga grunder", "Legal bases"),
    "balancing_test": _t("Intresseavvägning", "Balancing test"),
    "profiling": _t(
        "Behandlingen kan innefatta profilering.", "This processing may include profiling."
    ),
    "art10": _t(
        "Stöd för uppgifter om lagöverträdelser (artikel 10)",
        "Authority for data on criminal offences (Article 10)",
    ),
    "data_used": _t("Uppgifter som behandlas", "Data processed"),
    "sources": _t("Vi får uppgifterna från:", "We get the data from:"),
    "special": _t("känslig personuppgift", "special category"),
    "criminal": _t("uppgift om lagöverträdelse", "criminal offence data"),
    "logic": _t("Logiken bakom besluten", "The logic involved"),
    "anonymised_only": _t(
        "får endast anonymiserade och sammanställda uppgifter",
        "receives only anonymised, aggregated data",
    ),
    "country": _t("land", "country"),
    "mechanisms": _t(
        "Överföringar sker med stöd av något av följande:",
        "Transfers rely on one of the following:",
    ),
    "transfers": _t("Överföringar vi gör:", "Transfers we make:"),
    "countries_unknown": _t("land anges på begäran", "country given on request"),
    "no_transfers": _t(
        "Vi överför inte personuppgifter till länder utanför EU/EES.",
        "We do not transfer personal data to countries outside the EU/EEA.",
    ),
    "derogation": _t("undantag", "derogation"),
    "grounds": _t("Det gäller när:", "This applies when:"),
    "limitations": _t("Begränsningar:", "Limitations:"),
    "necessary": _t("nödvändiga, kräver inte samtycke", "necessary, no consent needed"),
    "more_about_cookies": _t("Mer om cookies", "More about cookies"),
    "at_least": _t("minst", "at least"),
    "up_to": _t("upp till", "up to"),
    "at_most": _t("högst", "at most"),
    "and": _t("och", "and"),
    "as_needed": _t("så länge ändamålet kräver", "as long as the purpose requires"),
    "anonymised_after": _t("därefter anonymiseras uppgifterna", "then the data is anonymised"),
    "controller": _t("Personuppgiftsansvarig", "Controller"),
    "org_number": _t("org.nr", "reg. no."),
    "dpo": _t("Dataskyddsombud", "Data protection officer"),
    "authority": _t("Tillsynsmyndighet", "Supervisory authority"),
    "complaint": _t(
        "Du har rätt att lämna klagomål till tillsynsmyndigheten.",
        "You have the right to lodge a complaint with the supervisory authority.",
    ),
    "email": _t("e-post", "e-mail"),
    "phone": _t("telefon", "phone"),
    "letter": _t("brev", "post"),
    "website": _t("webbplats", "website"),
}

SOURCE_KINDS: dict[SourceKind, LocalText] = {
    SourceKind.DATA_SUBJECT: _t("Från dig", "From you"),
    SourceKind.CREDIT_BUREAU: _t("Kreditupplysningsföretag", "Credit reference agencies"),
    SourceKind.PUBLIC_REGISTER: _t("Offentliga register", "Public registers"),
    SourceKind.SANCTIONS_LIST: _t("Sanktionslistor", "Sanctions lists"),
    SourceKind.COMMERCIAL_PROVIDER: _t(
        "Kommersiella informationsleverantörer", "Commercial information providers"
    ),
    SourceKind.GROUP_COMPANY: _t("Bolag i koncernen", "Companies in the group"),
    SourceKind.PARTNER: _t("Samarbetspartner", "Partners"),
    SourceKind.PURCHASED_LIST: _t("Köpta kontaktuppgifter", "Purchased contact details"),
}

RECIPIENT_KINDS: dict[RecipientKind, LocalText] = {
    RecipientKind.AUTHORITY: _t("Myndigheter", "Public authorities"),
    RecipientKind.GROUP_COMPANY: _t("Bolag i koncernen", "Companies in the group"),
    RecipientKind.PROCESSOR: _t(
        "Leverantörer som behandlar uppgifter för vår räkning (personuppgiftsbiträden)",
        "Suppliers who process data on our behalf (processors)",
    ),
    RecipientKind.CREDIT_BUREAU: _t("Kreditupplysningsföretag", "Credit reference agencies"),
    RecipientKind.BANK: _t("Banker", "Banks"),
    RecipientKind.EID_PROVIDER: _t(
        "Leverantörer av e-legitimation", "Electronic identification providers"
    ),
    RecipientKind.LENDER: _t("Andra långivare", "Other lenders"),
    RecipientKind.RESEARCH: _t("Forskning och statistik", "Research and statistics"),
}

SECURITY_KINDS: dict[SecurityKind, LocalText] = {
    SecurityKind.ADMINISTRATIVE: _t("Administrativa åtgärder", "Administrative measures"),
    SecurityKind.TECHNICAL: _t("Tekniska åtgärder", "Technical measures"),
    SecurityKind.ORGANISATIONAL: _t("Organisatoriska åtgärder", "Organisational measures"),
    SecurityKind.PHYSICAL: _t("Fysiska åtgärder", "Physical measures"),
}

DEROGATIONS: dict[Derogation, LocalText] = {
    Derogation.EXPLICIT_CONSENT: _t(
        "ditt uttryckliga samtycke till överföringen", "your explicit consent to the transfer"
    ),
    Derogation.CONTRACT_WITH_SUBJECT: _t(
        "för att fullgöra ett avtal med dig", "to perform a contract with you"
    ),
    Derogation.CONTRACT_IN_SUBJECT_INTEREST: _t(
        "för att fullgöra ett avtal i ditt intresse", "to perform a contract in your interest"
    ),
    Derogation.PUBLIC_INTEREST: _t(
        "viktiga skäl som rör allmänintresset", "important reasons of public interest"
    ),
    Derogation.LEGAL_CLAIMS: _t(
        "för att fastställa, göra gällande eller försvara rättsliga anspråk",
        "to establish, exercise or defend legal claims",
    ),
    Derogation.VITAL_INTERESTS: _t(
        "för att skydda grundläggande intressen", "to protect vital interests"
    ),
    Derogation.PUBLIC_REGISTER: _t("uppgifter ur ett offentligt register", "a public register"),
}


@dataclass(frozen=True)
class RenderedSection:
    """One section of the notice: its key, its title and its Markdown without the heading."""

    key: str
    title: str
    markdown: str


def render_sections(programme: Programme, language: Language) -> list[RenderedSection]:
    """Every section of the notice, in order, with its included parts drawn from the data."""
    return [_section(programme, section, language) for section in programme.notice.sections]


def render_markdown(programme: Programme, language: Language) -> str:
    """The whole notice as one Markdown document: the form that is published and stored."""
    notice = programme.notice
    parts = [f"# {notice.title.get(language)}", notice.introduction.get(language).strip()]
    for section in render_sections(programme, language):
        parts.append(f"## {section.title}")
        if section.markdown:
            parts.append(section.markdown)
    return "\n\n".join(parts) + "\n"


def _section(programme: Programme, section: NoticeSection, language: Language) -> RenderedSection:
    parts: list[str] = []
    if section.body:
        parts.append(section.body.get(language).strip())
    for include in section.include:
        rendered = _INCLUDES[include](programme, section, language).strip()
        if rendered:
            parts.append(_separate_lists(parts[-1] if parts else "", rendered))
    if section.after:
        parts.append(section.after.get(language).strip())
    return RenderedSection(section.key, section.title.get(language), "\n\n".join(parts))


# -- helpers ---------------------------------------------------------------------------------


def _separate_lists(previous: str, part: str) -> str:
    """Two lists one after the other would merge into one; CommonMark starts a new list
    when the bullet changes, so the second list's top-level items get the other bullet."""
    last_block = previous.rstrip().rsplit("\n\n", 1)[-1]
    if not (last_block.startswith(("- ", "* ")) and part.startswith(("- ", "* "))):
        return part
    bullet = "* " if last_block.startswith("- ") else "- "
    lines = part.splitlines()
    return "\n".join(bullet + line[2:] if line.startswith(("- ", "* ")) else line for line in lines)


def _label(key: str, language: Language) -> str:
    return LABELS[key].get(language)


def _item(text: str, indent: int = 0) -> str:
    """A list item; continuation lines are indented so multi-line texts stay inside it."""
    pad = " " * indent
    lines = text.strip().splitlines()
    rest = [f"{pad}  {line}" if line.strip() else "" for line in lines[1:]]
    return "\n".join([f"{pad}- {lines[0]}", *rest])


def _items(texts: Iterable[str], indent: int = 0) -> str:
    return "\n".join(_item(text, indent) for text in texts)


def _lower_first(text: str) -> str:
    """'Personnummer' -> 'personnummer' and 'E-mail' -> 'e-mail' inside a sentence, but
    'BankID', 'UC' and 'IP address' stay as they are."""
    first_word = text.split(" ", 1)[0]
    if first_word[:1].isupper() and not any(c.isupper() for c in first_word[1:]):
        return text[0].lower() + text[1:]
    return text


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:" else text + "."


def article(reference: str, language: Language) -> str:
    """'Art. 6(1)(a)' as the law is cited in the language: 'artikel 6.1 a' in Swedish."""
    if language == "en":
        return f"{reference} GDPR"
    match = re.fullmatch(r"Art\. (\d+)(?:\((\d+)\))?(?:\(([a-z])\))?", reference)
    if not match:
        return reference
    cited = ".".join(p for p in (match[1], match[2]) if p)
    return f"artikel {cited}{' ' + match[3] if match[3] else ''} GDPR"


def legal_basis_text(basis: LegalBasis, language: Language) -> str:
    term = LEGAL_BASES[basis]
    return f"{term.label.get(language)} ({article(term.article, language)})"


def _email(address: str) -> str:
    return f"[{address}](mailto:{address})"


# -- the parts a section can include ----------------------------------------------------------


def _categories(programme: Programme, _section: NoticeSection, language: Language) -> str:
    lines = []
    for group in (c for c in programme.categories if c.parent is None):
        children = [c for c in programme.categories if c.group == group.key and c is not group]
        text = f"**{group.label.get(language)}**"
        # The children are the programme's own list of examples; a description would only
        # repeat them in other words, so it is shown for groups without children.
        if children:
            named = ", ".join(_category_name(c, language) for c in children)
            text += f": {_label('for_example', language)} {named}."
        elif group.description:
            text += f": {_sentence(group.description.get(language))}"
        lines.append(text)
    return _items(lines)


# Words that already say a category is special or criminal, so the flag is not repeated.
_FLAG_WORDS = {
    "special": ("känslig", "special categor", "sensitive"),
    "criminal": ("lagöverträdelse", "criminal", "offence"),
}


def _category_name(category: Category, language: Language) -> str:
    name = _lower_first(category.label.get(language))
    flags = [
        _label(flag, language)
        for flag, words in _FLAG_WORDS.items()
        if getattr(category, flag) and not any(w in name.lower() for w in words)
    ]
    return f"{name} ({', '.join(flags)})" if flags else name


def _grouped(kind_label: str, entries: list[tuple[str, str, str]]) -> str:
    """One list item per kind: a single entry inline, several as a nested list.

    ``entries`` are (label, notes, description) triples; notes and description may be "".
    """

    def name(label: str, notes: str, bold: bool) -> str:
        shown = f"**{label}**" if bold else label
        return f"{shown} ({notes})" if notes else shown

    if len(entries) == 1:
        label, notes, description = entries[0]
        # "Banks: Banks. Exchange of ..." would say the kind twice; say it once.
        if label.casefold() == kind_label.casefold():
            head = name(kind_label, notes, bold=True)
            return _item(f"{head}: {description}" if description else head)
        head = f"**{kind_label}**: {name(label, notes, bold=False)}"
        return _item(f"{_sentence(head)} {description}" if description else head)
    nested = _items(
        (
            f"{name(label, notes, bold=True)}: {description}"
            if description
            else name(label, notes, bold=True)
        )
        for label, notes, description in entries
    )
    return f"{_item(f'**{kind_label}**')}\n" + "\n".join(
        "  " + line if line else line for line in nested.splitlines()
    )


def _sources(programme: Programme, _section: NoticeSection, language: Language) -> str:
    groups = []
    for kind, kind_label in SOURCE_KINDS.items():
        entries = [
            (
                s.label.get(language),
                "",
                s.description.get(language).strip() if s.description else "",
            )
            for s in programme.sources
            if s.kind == kind
        ]
        if entries:
            groups.append(_grouped(kind_label.get(language), entries))
    return f"{_label('sources', language)}\n\n" + "\n".join(groups) if groups else ""


def _purposes(programme: Programme, section: NoticeSection, language: Language) -> str:
    purposes = (
        [programme.purpose(key) for key in section.purposes]
        if section.purposes
        else programme.purposes
    )
    blocks = []
    for purpose in purposes:
        bases = [legal_basis_text(b, language) for b in purpose.legal_bases]
        lead = _label("legal_bases" if len(bases) > 1 else "legal_basis", language)
        title = purpose.title.get(language)
        parts = [
            f"**{lead}:** {'; '.join(bases)}",
            purpose.description.get(language).strip(),
        ]
        # A section about one purpose of the same name needs no second heading.
        if title.casefold() != section.title.get(language).casefold():
            parts.insert(0, f"### {title}")
        if purpose.examples:
            examples = _items(e.get(language) for e in purpose.examples)
            parts.append(f"{_label('examples', language)}\n\n{examples}")
        if purpose.balancing_test:
            parts.append(
                f"**{_label('balancing_test', language)}:** "
                f"{purpose.balancing_test.get(language).strip()}"
            )
        if purpose.art10_authority:
            parts.append(f"**{_label('art10', language)}:** {purpose.art10_authority}")
        if purpose.categories:
            names = ", ".join(
                _lower_first(programme.category(c).label.get(language)) for c in purpose.categories
            )
            parts.append(f"**{_label('data_used', language)}:** {names}.")
        if purpose.profiling:
            parts.append(_label("profiling", language))
        blocks.append("\n\n".join(parts))
    return "\n\n".join(blocks)


def _automated_decisions(programme: Programme, _s: NoticeSection, language: Language) -> str:
    decisions = programme.automated_decisions
    parts = [decisions.statement.get(language).strip()]
    if decisions.used and decisions.logic:
        parts.append(f"**{_label('logic', language)}:** {decisions.logic.get(language).strip()}")
    return "\n\n".join(parts)


def _recipients(programme: Programme, _section: NoticeSection, language: Language) -> str:
    groups = []
    for kind, kind_label in RECIPIENT_KINDS.items():
        entries = []
        for recipient in (r for r in programme.recipients if r.kind == kind):
            notes = []
            if recipient.country != "SE":
                notes.append(f"{_label('country', language)}: {recipient.country}")
            if recipient.anonymised_only:
                notes.append(_label("anonymised_only", language))
            description = recipient.description.get(language) if recipient.description else ""
            entries.append((recipient.label.get(language), "; ".join(notes), description.strip()))
        if entries:
            groups.append(_grouped(kind_label.get(language), entries))
    return "\n".join(groups)


def _transfers(programme: Programme, _section: NoticeSection, language: Language) -> str:
    policy = programme.transfer_policy
    if policy is None and not programme.transfers:
        return _label("no_transfers", language)
    parts = []
    if policy is not None:
        parts.append(policy.statement.get(language).strip())
        mechanisms = [
            f"{TRANSFER_MECHANISMS[m].label.get(language)} "
            f"({article(TRANSFER_MECHANISMS[m].article, language)})"
            for m in policy.allowed_mechanisms
        ]
        parts.append(f"{_label('mechanisms', language)}\n\n{_items(mechanisms)}")
    if programme.transfers:
        entries = []
        for transfer in programme.transfers:
            countries = ", ".join(transfer.countries) or _label("countries_unknown", language)
            mechanism = TRANSFER_MECHANISMS[transfer.mechanism].label.get(language)
            if transfer.derogation:
                derogation = DEROGATIONS[transfer.derogation].get(language)
                mechanism += f", {_label('derogation', language)}: {derogation}"
            text = f"**{transfer.label.get(language)}** ({countries}; {mechanism})"
            if transfer.description:
                text += f": {transfer.description.get(language).strip()}"
            entries.append(text)
        parts.append(f"{_label('transfers', language)}\n\n{_items(entries)}")
    return "\n\n".join(parts)


def _security(programme: Programme, _section: NoticeSection, language: Language) -> str:
    lines = []
    for kind, kind_label in SECURITY_KINDS.items():
        measures = [m.label.get(language) for m in programme.security_measures if m.kind == kind]
        if measures:
            named = ", ".join(_lower_first(m) for m in measures)
            lines.append(f"**{kind_label.get(language)}**: {named}.")
    return _items(lines)


def _rights(programme: Programme, _section: NoticeSection, language: Language) -> str:
    blocks = []
    for right in programme.rights:
        cited = article(RIGHT_ARTICLES[right.key], language)
        parts = [f"### {right.title.get(language)} ({cited})", right.text.get(language).strip()]
        if right.grounds:
            grounds = _items(g.text.get(language) for g in right.grounds)
            text = right.text.get(language).rstrip()
            # A text that ends with a colon already leads into the list.
            parts.append(
                grounds if text.endswith(":") else f"{_label('grounds', language)}\n\n{grounds}"
            )
        if right.limitations:
            limits = _items(lim.get(language) for lim in right.limitations)
            parts.append(f"{_label('limitations', language)}\n\n{limits}")
        blocks.append("\n\n".join(parts))
    return "\n\n".join(blocks)


def _cookies(programme: Programme, _section: NoticeSection, language: Language) -> str:
    cookies = programme.cookies
    if cookies is None:
        return ""
    entries = []
    for category in cookies.categories:
        text = f"**{category.label.get(language)}**"
        if category.necessary:
            text += f" ({_label('necessary', language)})"
        entries.append(f"{text}: {category.description.get(language).strip()}")
    parts = [cookies.statement.get(language).strip(), _items(entries)]
    if cookies.more_info_url:
        parts.append(f"[{_label('more_about_cookies', language)}]({cookies.more_info_url})")
    return "\n\n".join(parts)


def retention_period(rule: RetentionRule, language: Language) -> str:
    """'minst 5 år efter avslutad affärsförbindelse', 'up to 10 years after the contract ended'."""
    trigger = RETENTION_TRIGGERS[rule.trigger].get(language)
    if rule.minimum and rule.maximum:
        period = (
            f"{_label('at_least', language)} {rule.minimum.describe(language)} "
            f"{_label('and', language)} {_label('at_most', language)} "
            f"{rule.maximum.describe(language)}"
        )
    elif rule.minimum:
        period = f"{_label('at_least', language)} {rule.minimum.describe(language)}"
    elif rule.maximum:
        period = f"{_label('up_to', language)} {rule.maximum.describe(language)}"
    else:
        return _label("as_needed", language)
    return f"{period} {trigger}"


def _retention(programme: Programme, _section: NoticeSection, language: Language) -> str:
    # Rules that share the notice's own sentence (e.g. AML after a relationship and after a
    # single transaction) are shown under that sentence once, each with its exact terms.
    groups: dict[str, list[RetentionRule]] = {}
    for rule in programme.retention:
        heading = rule.wording.get(language).strip() if rule.wording else ""
        groups.setdefault(heading or f"\0{rule.key}", []).append(rule)
    entries = []
    for heading, rules in groups.items():
        if heading.startswith("\0"):
            rule = rules[0]
            entries.append(
                f"**{rule.covers.get(language).strip()}**: {_retention_terms(rule, language)}"
            )
        else:
            terms = " ".join(_capitalised(_retention_terms(rule, language)) for rule in rules)
            entries.append(f"{_sentence(heading)} {terms}")
    return _items(entries)


def _retention_terms(rule: RetentionRule, language: Language) -> str:
    text = retention_period(rule, language)
    if rule.statute:
        text += f" ({rule.statute.name.get(language)}, {rule.statute.reference})"
    if rule.action == RetentionAction.ANONYMISE:
        text += f"; {_label('anonymised_after', language)}"
    text = _sentence(text)
    for extra in (rule.condition, rule.note):
        if extra:
            text += f" {_sentence(extra.get(language))}"
    return text


def _contact_lines(contact: Contact, language: Language) -> list[str]:
    lines = [f"{_label('email', language)}: {_email(contact.email)}"]
    lines.append(f"{_label('letter', language)}: {', '.join(contact.postal_address.lines())}")
    if contact.phone:
        lines.append(f"{_label('phone', language)}: {contact.phone}")
    if contact.website:
        lines.append(f"{_label('website', language)}: <{contact.website}>")
    return lines


def _contact(programme: Programme, _section: NoticeSection, language: Language) -> str:
    organisation = programme.organisation
    controllers = []
    for controller in organisation.controllers:
        text = controller.name
        if controller.org_number:
            text += f" ({_label('org_number', language)} {controller.org_number})"
        controllers.append(text)
    authority = organisation.authority
    return "\n\n".join(
        [
            f"**{_label('controller', language)}**",
            organisation.controller_rule.get(language).strip(),
            _items(controllers),
            f"**{_label('dpo', language)}**",
            _items(_contact_lines(organisation.dpo, language)),
            f"**{_label('authority', language)}: {authority.name.get(language)}**",
            _label("complaint", language),
            _items(_contact_lines(authority, language)),
        ]
    )


_Renderer = Callable[[Programme, NoticeSection, Language], str]

_INCLUDES: dict[NoticeInclude, _Renderer] = {
    "categories": _categories,
    "sources": _sources,
    "purposes": _purposes,
    "automated_decisions": _automated_decisions,
    "recipients": _recipients,
    "transfers": _transfers,
    "security": _security,
    "rights": _rights,
    "cookies": _cookies,
    "retention": _retention,
    "contact": _contact,
}
