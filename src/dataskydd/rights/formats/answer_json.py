"""The access answer as JSON: complete and machine-readable, for the person or for staff.

The person's JSON holds the released items and, of withheld ones, only the general
reasons. The staff JSON (``staff=True``) adds how each item was reached, which need
review, and each withholding's ref, reason, note, operator and time: never its values.
"""

from __future__ import annotations

import json
from typing import Any

from dataskydd.datamap.schema import DataMap
from dataskydd.programme.text import Language
from dataskydd.rights.access import AccessAnswer, AnswerItem, Art15
from dataskydd.rights.formats.systems import systems_of
from dataskydd.rights.formats.tables import data_tables, json_value
from dataskydd.rights.letter_texts import WITHHELD_BECAUSE

FORMAT = "dataskydd-access-answer/1"


def to_json(
    answer: AccessAnswer,
    language: Language,
    *,
    staff: bool = False,
    datamap: DataMap | None = None,
) -> str:
    """The answer as indented UTF-8 JSON text, labels in ``language``."""
    return (
        json.dumps(
            answer_document(answer, language, staff=staff, datamap=datamap),
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


def answer_document(
    answer: AccessAnswer,
    language: Language,
    *,
    staff: bool = False,
    datamap: DataMap | None = None,
) -> dict[str, Any]:
    systems = systems_of(answer, datamap)
    released = answer.released()
    failed = [
        {"system": key, "name": systems.name(key), **({"error": error} if staff else {})}
        for key, error in answer.failed_systems
    ]
    manual = [
        {
            "system": key,
            "name": systems.name(key),
            "due": due.isoformat() if (due := systems.manual_due.get(key)) else None,
        }
        for key in answer.manual_systems
    ]
    document: dict[str, Any] = {
        "format": FORMAT,
        "meta": {
            "generated_at": answer.generated_at.isoformat(),
            "programme_version": answer.programme_version,
            "language": language,
            "searched_by": list(answer.identities),
            "complete": answer.complete,
            "failed_systems": failed,
            "manual_systems": manual,
            "records": len(released),
        },
        "systems": _systems(released, language, staff),
        "art15": _art15(answer.art15, language),
    }
    reasons = list(dict.fromkeys(i.withheld.reason for i in answer.items if i.withheld))
    document["withheld"] = {
        "reasons": [WITHHELD_BECAUSE[r].get(language) for r in reasons],
    }
    if staff:
        document["withheld"]["items"] = [
            {
                "ref": item.ref,
                "system": item.system,
                "table": item.table,
                "found": item.found.value,
                "reason": item.withheld.reason.value,
                "note": item.withheld.note,
                "by": item.withheld.by,
                "at": item.withheld.at.isoformat(),
            }
            for item in answer.items
            if item.withheld is not None
        ]
    return document


def _systems(items: list[AnswerItem], language: Language, staff: bool) -> list[dict[str, Any]]:
    systems: dict[str, dict[str, Any]] = {}
    for table in data_tables(items):
        entry = systems.setdefault(
            table.system, {"system": table.system, "name": table.system_name, "tables": []}
        )
        entry["tables"].append(
            {
                "table": table.table,
                "records": [_record(item, language, staff) for item in table.items],
            }
        )
    return list(systems.values())


def _record(item: AnswerItem, language: Language, staff: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"ref": item.ref, "found": item.found.value}
    if staff:
        record["via"] = item.via
        record["needs_review"] = item.needs_review
    record["fields"] = [
        {
            "column": f.column,
            "category": f.category,
            "label": f.label.get(language) if f.label else None,
            "value": json_value(f.value),
            "provided": f.provided,
            **({"internal_assessment": f.internal_assessment} if staff else {}),
        }
        for f in item.fields
    ]
    return record


def _art15(facts: Art15, language: Language) -> dict[str, Any]:
    return {
        "purposes": [
            {
                "key": p.key,
                "title": p.title.get(language),
                "legal_bases": [
                    {"label": label.get(language), "article": article}
                    for label, article in p.legal_bases
                ],
            }
            for p in facts.purposes
        ],
        "categories": [{"key": k, "label": v.get(language)} for k, v in facts.categories],
        "recipients": [{"key": k, "label": v.get(language)} for k, v in facts.recipients],
        "retention": [
            {
                "key": r.key,
                "covers": r.covers.get(language),
                "terms": r.terms.get(language),
                "statute": r.statute,
                "ends_on": r.ends_on.isoformat() if r.ends_on else None,
            }
            for r in facts.retention
        ],
        "sources": [{"key": k, "label": v.get(language)} for k, v in facts.sources],
        "transfers": [
            {"transfer": t.get(language), "safeguard": s.get(language)} for t, s in facts.transfers
        ],
        "rights": [{"title": t.get(language), "text": x.get(language)} for t, x in facts.rights],
        "automated_decisions": facts.automated_decisions.get(language),
        "authority": facts.authority,
        "dpo": facts.dpo,
    }
