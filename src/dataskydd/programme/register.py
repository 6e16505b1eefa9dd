"""The register of processing activities (GDPR Art. 30(1)), built from a programme.

:func:`build_register` resolves every reference once and in one language, so the result is
plain data that the formats in ``register_formats`` only have to lay out. Each row keeps
both the structured facts (keys, articles, ISO periods, flags) for machine formats and
the sentences a reader sees, one tuple of lines per column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from string import ascii_lowercase

from dataskydd import clock
from dataskydd.programme.schema import (
    Activity,
    Category,
    Controller,
    Programme,
    Purpose,
    Recipient,
    RecipientKind,
    RetentionAction,
    RetentionRule,
    SecurityKind,
    Transfer,
)
from dataskydd.programme.text import Language, LocalText
from dataskydd.programme.text import bilingual as _t
from dataskydd.programme.vocab import (
    LEGAL_BASES,
    RETENTION_TRIGGERS,
    TRANSFER_MECHANISMS,
    Derogation,
    TransferMechanism,
)

TITLE = _t(
    "Registerförteckning över behandlingar (artikel 30.1 dataskyddsförordningen)",
    "Record of processing activities (GDPR Article 30(1))",
)

# (column key, heading); the letters are those of Art. 30(1), so a reader can check each field.
COLUMNS: tuple[tuple[str, LocalText], ...] = (
    ("activity", _t("Behandling", "Processing activity")),
    ("controllers", _t("(a) Personuppgiftsansvarig och dataskyddsombud", "(a) Controller and DPO")),
    ("purposes", _t("(b) Ändamål och rättslig grund", "(b) Purposes and legal basis")),
    ("data_subjects", _t("(c) Kategorier av registrerade", "(c) Categories of data subjects")),
    ("categories", _t("(c) Kategorier av personuppgifter", "(c) Categories of personal data")),
    ("sources", _t("Källor", "Sources")),
    ("recipients", _t("(d) Mottagare", "(d) Recipients")),
    ("transfers", _t("(e) Överföring till tredjeland", "(e) Transfers to third countries")),
    ("retention", _t("(f) Lagringstid", "(f) Retention")),
    ("security", _t("(g) Säkerhetsåtgärder", "(g) Security measures")),
    ("profiling", _t("Profilering", "Profiling")),
)

LABELS: dict[str, LocalText] = {
    "group": _t("Koncern", "Group"),
    "controllers": _t("Personuppgiftsansvariga", "Controllers"),
    "parent": _t("moderbolag", "parent company"),
    "subsidiary": _t("dotterbolag", "subsidiary"),
    "dpo": _t("Dataskyddsombud", "Data protection officer"),
    "generated": _t("Framtagen", "Generated"),
    "programme": _t("Program", "Programme"),
    "notice": _t("Integritetspolicy, version", "Privacy notice, version"),
    "effective": _t("gäller från", "effective"),
    "automated": _t("Automatiserade beslut", "Automated decisions"),
    "only_controller": _t("Endast behandlingar där ansvarig är", "Only activities controlled by"),
    "activities": _t("behandlingar", "processing activities"),
    "all_controllers": _t(
        "Samtliga {n} personuppgiftsansvariga ovan", "All {n} controllers listed above"
    ),
    "security_sets": _t(
        "(g) Säkerhetsåtgärder som flera behandlingar delar",
        "(g) Security measures shared by several activities",
    ),
    "security_set": _t("Uppsättning {name}", "Set {name}"),
    "security_set_ref": _t(
        "Uppsättning {name} ({n} åtgärder, se ovan)", "Set {name} ({n} measures, see above)"
    ),
    "used_by": _t("används av {n} behandlingar", "used by {n} processing activities"),
    "at_least": _t("minst", "at least"),
    "up_to": _t("upp till", "up to"),
    "anonymised": _t("därefter anonymiseras uppgifterna", "then anonymised"),
    "none": _t("Inga", "None"),
    "no_transfer": _t("Ingen överföring till tredjeland", "No transfer to a third country"),
    "countries_unknown": _t("land ännu inte känt", "country not yet known"),
    "dpa": _t("biträdesavtal", "DPA"),
    "anonymised_only": _t("endast anonymiserade uppgifter", "anonymised data only"),
    "national_id": _t("personnummer", "national ID"),
    "special": _t("särskild kategori, art. 9", "special category, Art. 9"),
    "criminal": _t("lagöverträdelser, art. 10", "criminal offences, Art. 10"),
    "art10": _t("lagstöd enligt art. 10", "Art. 10 authority"),
    "key": _t("Nyckel", "Key"),
    "description": _t("Beskrivning", "Description"),
    "yes": _t("Ja", "Yes"),
    "no": _t("Nej", "No"),
}

RECIPIENT_KINDS: dict[RecipientKind, LocalText] = {
    RecipientKind.AUTHORITY: _t("Myndighet", "Public authority"),
    RecipientKind.GROUP_COMPANY: _t("Koncernbolag", "Group company"),
    RecipientKind.PROCESSOR: _t("Personuppgiftsbiträde", "Processor"),
    RecipientKind.CREDIT_BUREAU: _t("Kreditupplysningsföretag", "Credit reference agency"),
    RecipientKind.BANK: _t("Bank", "Bank"),
    RecipientKind.EID_PROVIDER: _t("E-legitimationsutfärdare", "eID provider"),
    RecipientKind.LENDER: _t("Långivare", "Lender"),
    RecipientKind.RESEARCH: _t("Forskning och statistik", "Research and statistics"),
}

SECURITY_KINDS: dict[SecurityKind, LocalText] = {
    SecurityKind.ADMINISTRATIVE: _t("Administrativ", "Administrative"),
    SecurityKind.TECHNICAL: _t("Teknisk", "Technical"),
    SecurityKind.ORGANISATIONAL: _t("Organisatorisk", "Organisational"),
    SecurityKind.PHYSICAL: _t("Fysisk", "Physical"),
}

# Recipients are listed kind by kind, in the order the enum declares the kinds.
_KIND_ORDER = {kind: i for i, kind in enumerate(RecipientKind)}


class UnknownController(LookupError):
    """The register was asked for a controller the programme does not have."""


# -- what a row is made of ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """One entry in a cell: its key and the sentence a reader sees."""

    key: str
    text: str


@dataclass(frozen=True, slots=True)
class BasisLine:
    key: str
    label: str
    article: str


@dataclass(frozen=True, slots=True)
class PurposeLine(Line):
    title: str
    legal_bases: tuple[BasisLine, ...]
    profiling: bool


@dataclass(frozen=True, slots=True)
class CategoryLine(Line):
    label: str
    national_id: bool
    special: bool
    criminal: bool


@dataclass(frozen=True, slots=True)
class RecipientLine(Line):
    label: str
    kind: str
    dpa_reference: str | None
    country: str


@dataclass(frozen=True, slots=True)
class TransferLine(Line):
    recipient: str
    countries: tuple[str, ...]
    mechanism: str
    article: str


@dataclass(frozen=True, slots=True)
class RetentionLine(Line):
    minimum: str | None  # ISO 8601 period
    maximum: str | None
    trigger: str
    statute: str | None


@dataclass(frozen=True, slots=True)
class RegisterRow:
    key: str
    name: str
    description: str | None
    controllers: tuple[Line, ...]
    dpo: str
    purposes: tuple[PurposeLine, ...]
    data_subjects: tuple[Line, ...]
    categories: tuple[CategoryLine, ...]
    sources: tuple[Line, ...]
    recipients: tuple[RecipientLine, ...]
    transfers: tuple[TransferLine, ...]
    retention: tuple[RetentionLine, ...]
    security: tuple[Line, ...]
    profiling: bool
    cells: tuple[tuple[str, ...], ...]  # the lines shown per column, in COLUMNS order


@dataclass(frozen=True, slots=True)
class RegisterHeader:
    title: str
    programme_key: str
    programme_name: str
    group_name: str
    controllers: tuple[Line, ...]
    dpo: tuple[str, ...]  # contact lines: e-mail, phone, postal address
    generated: date
    notice_version: str
    notice_effective: date
    automated_decisions: str
    controller: str | None  # the one controller the register is restricted to, if any


@dataclass(frozen=True, slots=True)
class Register:
    language: Language
    header: RegisterHeader
    columns: tuple[str, ...]  # headings, in the language of the register
    rows: tuple[RegisterRow, ...]

    def label(self, name: str) -> str:
        """A fixed label (``"dpo"``, ``"generated"``...) in the register's language."""
        return LABELS[name].get(self.language)


# -- building ------------------------------------------------------------------------------


def build_register(
    programme: Programme, language: Language = "sv", controller: str | None = None
) -> Register:
    """The Art. 30(1) register of ``programme``; with ``controller``, only that company's rows.

    Every entry is rendered once into a key -> line table and each activity then only looks
    its references up, so the time grows linearly with the size of the programme.
    """
    lang = language
    controllers = {c.key: c for c in programme.organisation.controllers}
    if controller is not None and controller not in controllers:
        known = ", ".join(controllers)
        raise UnknownController(f"no controller '{controller}' in the programme (known: {known})")

    controller_lines = {k: Line(k, _controller_text(c, lang)) for k, c in controllers.items()}
    purposes = {p.key: _purpose_line(p, lang) for p in programme.purposes}
    subjects = {s.key: Line(s.key, s.label.get(lang)) for s in programme.data_subjects}
    categories = {c.key: _category_line(c, lang) for c in programme.categories}
    sources = {s.key: Line(s.key, s.label.get(lang)) for s in programme.sources}
    recipients = {r.key: _recipient_line(r, lang) for r in programme.recipients}
    recipient_labels = {r.key: r.label.get(lang) for r in programme.recipients}
    transfers = {t.key: _transfer_line(t, recipient_labels, lang) for t in programme.transfers}
    retention = {r.key: _retention_line(r, lang) for r in programme.retention}
    security = {
        m.key: Line(m.key, f"{SECURITY_KINDS[m.kind].get(lang)}: {m.label.get(lang)}")
        for m in programme.security_measures
    }
    dpo = _dpo_lines(programme)
    # A row names the DPO by e-mail (and phone); the postal address is in the header once.
    dpo_text = f"{LABELS['dpo'].get(lang)}: {', '.join(dpo[:-1])}"

    rows = []
    for activity in programme.activities:
        if controller is not None and controller not in activity.controllers:
            continue
        rows.append(
            _row(
                activity,
                lang,
                dpo_text,
                controllers=[controller_lines[k] for k in activity.controllers],
                purposes=[purposes[k] for k in activity.purposes],
                subjects=[subjects[k] for k in activity.data_subjects],
                categories=[categories[k] for k in activity.categories],
                sources=[sources[k] for k in activity.sources],
                recipients=sorted(
                    (recipients[k] for k in activity.recipients),
                    key=lambda r: _KIND_ORDER[RecipientKind(r.kind)],
                ),
                transfers=[transfers[k] for k in activity.transfers],
                retention=[retention[k] for k in activity.retention],
                security=[security[k] for k in activity.security_measures],
            )
        )

    shown = [controllers[controller]] if controller else list(controllers.values())
    header = RegisterHeader(
        title=TITLE.get(lang),
        programme_key=programme.programme.key,
        programme_name=programme.programme.name.get(lang),
        group_name=programme.organisation.group_name,
        controllers=tuple(controller_lines[c.key] for c in shown),
        dpo=tuple(dpo),
        generated=clock.today(),
        notice_version=programme.notice.version,
        notice_effective=programme.notice.effective_date,
        automated_decisions=programme.automated_decisions.statement.get(lang),
        controller=controller,
    )
    return Register(lang, header, tuple(h.get(lang) for _, h in COLUMNS), tuple(rows))


def _row(
    activity: Activity,
    lang: Language,
    dpo_text: str,
    *,
    controllers: list[Line],
    purposes: list[PurposeLine],
    subjects: list[Line],
    categories: list[CategoryLine],
    sources: list[Line],
    recipients: list[RecipientLine],
    transfers: list[TransferLine],
    retention: list[RetentionLine],
    security: list[Line],
) -> RegisterRow:
    # An activity profiles if it says so or if one of its purposes does.
    profiling = activity.profiling or any(p.profiling for p in purposes)
    name = activity.name.get(lang)
    description = activity.description.get(lang) if activity.description else None

    def texts(lines: Sequence[Line]) -> tuple[str, ...]:
        return tuple(line.text for line in lines)

    cells = (
        (name, description) if description else (name,),
        (*texts(controllers), dpo_text),
        texts(purposes),
        texts(subjects),
        texts(categories),
        texts(sources) or (LABELS["none"].get(lang),),
        texts(recipients) or (LABELS["none"].get(lang),),
        texts(transfers) or (LABELS["no_transfer"].get(lang),),
        texts(retention),
        texts(security),
        (LABELS["yes" if profiling else "no"].get(lang),),
    )
    return RegisterRow(
        key=activity.key,
        name=name,
        description=description,
        controllers=tuple(controllers),
        dpo=dpo_text,
        purposes=tuple(purposes),
        data_subjects=tuple(subjects),
        categories=tuple(categories),
        sources=tuple(sources),
        recipients=tuple(recipients),
        transfers=tuple(transfers),
        retention=tuple(retention),
        security=tuple(security),
        profiling=profiling,
        cells=cells,
    )


def _controller_text(controller: Controller, lang: Language) -> str:
    details = [LABELS[controller.role.value].get(lang)]
    if controller.org_number:
        details.insert(0, controller.org_number)
    return f"{controller.name} ({', '.join(details)})"


def _dpo_lines(programme: Programme) -> list[str]:
    dpo = programme.organisation.dpo
    lines = [dpo.email]
    if dpo.phone:
        lines.append(dpo.phone)
    lines.append(", ".join(dpo.postal_address.lines()))
    return lines


def _purpose_line(purpose: Purpose, lang: Language) -> PurposeLine:
    bases = tuple(
        BasisLine(b.value, LEGAL_BASES[b].label.get(lang), LEGAL_BASES[b].article)
        for b in purpose.legal_bases
    )
    text = f"{purpose.title.get(lang)}: " + " + ".join(f"{b.label} ({b.article})" for b in bases)
    if purpose.art10_authority:
        text += f" — {LABELS['art10'].get(lang)}: {purpose.art10_authority}"
    return PurposeLine(purpose.key, text, purpose.title.get(lang), bases, purpose.profiling)


def _category_line(category: Category, lang: Language) -> CategoryLine:
    label = category.label.get(lang)
    # "Personnummer [personnummer]" says nothing twice: a flag the label already names is left out.
    flags = [
        LABELS[flag].get(lang)
        for flag in ("national_id", "special", "criminal")
        if getattr(category, flag) and LABELS[flag].get(lang).casefold() not in label.casefold()
    ]
    text = f"{label} [{' / '.join(flags)}]" if flags else label
    return CategoryLine(
        category.key, text, label, category.national_id, category.special, category.criminal
    )


def _recipient_line(recipient: Recipient, lang: Language) -> RecipientLine:
    label = recipient.label.get(lang)
    details = []
    if recipient.dpa_reference:
        details.append(f"{LABELS['dpa'].get(lang)} {recipient.dpa_reference}")
    if recipient.country != "SE":
        details.append(recipient.country)
    if recipient.anonymised_only:
        details.append(LABELS["anonymised_only"].get(lang))
    text = f"{RECIPIENT_KINDS[recipient.kind].get(lang)}: {label}"
    if details:
        text += f" ({', '.join(details)})"
    return RecipientLine(
        recipient.key,
        text,
        label,
        recipient.kind.value,
        recipient.dpa_reference,
        recipient.country,
    )


def transfer_article(transfer: Transfer) -> str:
    """The article that makes the transfer lawful; a derogation names its Art. 49(1) point."""
    if transfer.mechanism == TransferMechanism.DEROGATION and transfer.derogation is not None:
        return f"Art. 49(1)({ascii_lowercase[list(Derogation).index(transfer.derogation)]})"
    return TRANSFER_MECHANISMS[transfer.mechanism].article


def _transfer_line(transfer: Transfer, recipients: dict[str, str], lang: Language) -> TransferLine:
    countries = ", ".join(transfer.countries) or LABELS["countries_unknown"].get(lang)
    article = transfer_article(transfer)
    mechanism = TRANSFER_MECHANISMS[transfer.mechanism].label.get(lang)
    recipient = recipients.get(transfer.recipient, transfer.recipient)
    text = f"{transfer.label.get(lang)} ({recipient}) → {countries}: {mechanism} ({article})"
    return TransferLine(
        transfer.key,
        text,
        transfer.recipient,
        tuple(transfer.countries),
        transfer.mechanism.value,
        article,
    )


def retention_period_text(rule: RetentionRule, lang: Language) -> str:
    """'at least 5 years after the business relationship ended', 'up to 3 months ...'."""
    bounds = []
    if rule.minimum is not None:
        bounds.append(f"{LABELS['at_least'].get(lang)} {rule.minimum.describe(lang)}")
    if rule.maximum is not None:
        bounds.append(f"{LABELS['up_to'].get(lang)} {rule.maximum.describe(lang)}")
    return f"{', '.join(bounds)} {RETENTION_TRIGGERS[rule.trigger].get(lang)}"


def _retention_line(rule: RetentionRule, lang: Language) -> RetentionLine:
    text = f"{rule.covers.get(lang)}: {retention_period_text(rule, lang)}"
    if rule.condition:
        text += f" — {rule.condition.get(lang)}"
    if rule.action == RetentionAction.ANONYMISE:
        text += f", {LABELS['anonymised'].get(lang)}"
    statute = f"{rule.statute.name.get(lang)}, {rule.statute.reference}" if rule.statute else None
    if statute:
        text += f" ({statute})"
    return RetentionLine(
        rule.key,
        text,
        rule.minimum.iso() if rule.minimum else None,
        rule.maximum.iso() if rule.maximum else None,
        rule.trigger.value,
        statute,
    )
