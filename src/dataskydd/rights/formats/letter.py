"""The access letter's content, once, as blocks that the HTML and PDF renderers lay out.

Composing the letter here and only laying it out elsewhere keeps the HTML and the PDF
saying exactly the same thing. The letter holds released items only; of withheld items it
says that some information was withheld and why, in general terms, never which or what.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dataskydd.clock import LOCAL_ZONE
from dataskydd.datamap.schema import DataMap
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme.text import Language
from dataskydd.rights.access import AccessAnswer, Art15
from dataskydd.rights.formats.systems import Systems, systems_of
from dataskydd.rights.formats.tables import DataTable, data_tables, text_value
from dataskydd.rights.letter_texts import (
    FOUND_AS,
    IDENTITY_KINDS,
    WITHHELD_BECAUSE,
    say,
)


@dataclass(frozen=True)
class Heading:
    level: int  # 2 for a section, 3 for a system or a topic, 4 for a table
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    notice: bool = False  # stands out: the answer is incomplete, something was withheld


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Grid:
    headers: list[str]
    rows: list[list[str]]


Block = Heading | Paragraph | Bullets | Grid


@dataclass
class Letter:
    language: Language
    title: str
    date: str
    blocks: list[Block] = field(default_factory=list)
    colophon: str = ""


def compose_letter(
    answer: AccessAnswer, language: Language, datamap: DataMap | None = None
) -> Letter:
    """The letter to the person, in ``language``, for the released part of ``answer``."""
    systems = systems_of(answer, datamap)
    made = answer.generated_at.astimezone(LOCAL_ZONE)
    letter = Letter(language, say("title", language), made.date().isoformat())
    blocks = letter.blocks
    blocks.append(Paragraph(say("opening", language)))
    tables = data_tables(answer.released())
    blocks += _summary(answer, tables, systems, language)
    blocks += _incomplete(answer, systems, language)
    blocks += _manual(answer, systems, language)
    blocks += _withheld(answer, language)
    if tables:
        blocks.append(Heading(2, say("your_data", language)))
        blocks += _data(tables, language)
    blocks += _art15(answer.art15, language)
    letter.colophon = say(
        "colophon",
        language,
        when=made.strftime("%Y-%m-%d %H:%M"),
        version=answer.programme_version,
    )
    return letter


def _summary(
    answer: AccessAnswer, tables: list[DataTable], systems: Systems, language: Language
) -> list[Block]:
    kinds = ", ".join(_identity_kind(k, language) for k in answer.identities)
    lines = [say("searched_by", language, kinds=kinds)] if kinds else []
    if answer.answered_systems:
        searched = ", ".join(systems.name(key) for key in answer.answered_systems)
        lines.append(say("searched_in", language, names=searched))
    records = sum(len(t.items) for t in tables)
    names = list(dict.fromkeys(t.system_name for t in tables))
    if records == 1:
        lines.append(say("found_one", language, names=names[0]))
    elif records:
        lines.append(
            say("found_in", language, records=records, systems=len(names), names=", ".join(names))
        )
    elif not answer.items:
        # Only about the systems that answered: failed ones are named just below, never
        # as "nothing found".
        lines.append(say("found_nothing", language))
    return [Heading(2, say("summary", language)), *(Paragraph(line) for line in lines)]


def _identity_kind(kind: str, language: Language) -> str:
    try:
        return IDENTITY_KINDS[IdentityKind(kind)].get(language)
    except ValueError:
        return kind


def _incomplete(answer: AccessAnswer, systems: Systems, language: Language) -> list[Block]:
    if not answer.failed_systems:
        return []
    names = ", ".join(systems.name(key) for key, _ in answer.failed_systems)
    return [
        Heading(2, say("incomplete_heading", language)),
        Paragraph(say("incomplete", language, names=names), notice=True),
    ]


def _manual(answer: AccessAnswer, systems: Systems, language: Language) -> list[Block]:
    if not answer.manual_systems:
        return []
    blocks: list[Block] = [Heading(2, say("manual_heading", language))]
    for key in answer.manual_systems:
        due = systems.manual_due.get(key)
        if due is not None:
            text = say("manual_by", language, name=systems.name(key), date=due.isoformat())
        else:
            text = say("manual_soon", language, name=systems.name(key))
        blocks.append(Paragraph(text, notice=True))
    return blocks


def _withheld(answer: AccessAnswer, language: Language) -> list[Block]:
    reasons = list(dict.fromkeys(i.withheld.reason for i in answer.items if i.withheld))
    if not reasons:
        return []
    return [
        Heading(2, say("withheld_heading", language)),
        Paragraph(say("withheld", language), notice=True),
        Bullets([WITHHELD_BECAUSE[r].get(language) for r in reasons]),
    ]


def _data(tables: list[DataTable], language: Language) -> list[Block]:
    blocks: list[Block] = []
    system = None
    for table in tables:
        if table.system != system:
            system = table.system
            blocks.append(Heading(3, table.system_name))
        count = (
            say("record_in_table", language)
            if len(table.items) == 1
            else say("records_in_table", language, count=len(table.items))
        )
        blocks.append(Heading(4, f"{say('table', language)} {table.table} ({count})"))
        headers = table.headers(language)
        rows = [[text_value(v, language) for v in table.values(i)] for i in table.items]
        if table.mixed:
            # Someone else's row where the person is named, or the record theirs belongs to.
            headers = [say("found_as", language), *headers]
            rows = [
                [FOUND_AS[i.found].get(language), *row]
                for i, row in zip(table.items, rows, strict=True)
            ]
        blocks.append(Grid(headers, rows))
    return blocks


def _art15(facts: Art15, language: Language) -> list[Block]:
    blocks: list[Block] = [Heading(2, say("art15_heading", language))]
    if facts.purposes:
        blocks += [
            Heading(3, say("purposes", language)),
            Bullets(
                [
                    f"{p.title.get(language)}: "
                    + "; ".join(
                        f"{label.get(language)} ({article})" for label, article in p.legal_bases
                    )
                    for p in facts.purposes
                ]
            ),
        ]
    if facts.categories:
        blocks += [
            Heading(3, say("categories", language)),
            Bullets([label.get(language) for _, label in facts.categories]),
        ]
    blocks.append(Heading(3, say("recipients", language)))
    if facts.recipients:
        blocks.append(Bullets([label.get(language) for _, label in facts.recipients]))
    else:
        blocks.append(Paragraph(say("no_recipients", language)))
    if facts.retention:
        lines = []
        for rule in facts.retention:
            line = f"{rule.covers.get(language)}: {rule.terms.get(language)}"
            if rule.statute:
                line += f" ({rule.statute})"
            if rule.ends_on is not None:
                line += " " + say("retention_ends", language, date=rule.ends_on.isoformat())
            lines.append(line)
        blocks += [Heading(3, say("retention", language)), Bullets(lines)]
    if facts.sources:
        blocks += [
            Heading(3, say("sources", language)),
            Bullets([label.get(language) for _, label in facts.sources]),
        ]
    blocks.append(Heading(3, say("transfers", language)))
    if facts.transfers:
        safeguard = say("safeguard", language)
        blocks.append(
            Bullets(
                [
                    f"{transfer.get(language)} ({safeguard}: {mechanism.get(language)})"
                    for transfer, mechanism in facts.transfers
                ]
            )
        )
    else:
        blocks.append(Paragraph(say("no_transfers", language)))
    blocks.append(Heading(3, say("rights", language)))
    for title, text in facts.rights:
        blocks += [Heading(4, title.get(language)), Paragraph(text.get(language))]
    blocks += [
        Heading(3, say("automated", language)),
        Paragraph(facts.automated_decisions.get(language)),
        Heading(3, say("complaint_heading", language)),
        Paragraph(say("complaint", language)),
        Paragraph(facts.authority),
        Heading(3, say("dpo_heading", language)),
        Paragraph(say("dpo", language)),
        Paragraph(facts.dpo),
    ]
    return blocks
