"""The checklist of a rectification task, in Swedish and English, without a personal value.

A task names the records by reference (``crm/interactions/4711``; a record keyed by a
personal identifier by a keyed hash), the column and the category, and says where the
corrected value is: in the case file of the rectification, never in the task itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from dataskydd.programme.text import LocalText, bilingual
from dataskydd.rights.rectification import Item, TaskReason


def checklist(category: str, rectification_id: str, items: Sequence[Item]) -> list[LocalText]:
    """One step per item, the manual systems' own checklist comes after (see the runner)."""
    steps = [
        bilingual(
            f"Rättelse {rectification_id}: det korrekta värdet för {category} står i ärendet, "
            "inte här.",
            f"Rectification {rectification_id}: the correct value for {category} is in the "
            "case file, not here.",
        )
    ]
    for item in items:
        steps.append(_step(category, item))
    return steps


def _step(category: str, item: Item) -> LocalText:
    where = f"{item.ref}, {item.column}" if item.column else item.ref
    if item.reason is TaskReason.MANUAL_SYSTEM:
        return bilingual(
            f"Sök fram personens uppgifter i {item.system} och rätta {category} till det "
            "korrekta värdet där det finns.",
            f"Find the person's records in {item.system} and correct {category} to the right "
            "value wherever it is held.",
        )
    if item.reason is TaskReason.FREE_TEXT:
        return bilingual(
            f"{where}: fritexten nämner det gamla värdet för {category}. Läs den och rätta "
            "den för hand om det behövs (den skrivs aldrig om automatiskt).",
            f"{where}: the free text mentions the old value of {category}. Read it and "
            "correct it by hand if needed (free text is never rewritten automatically).",
        )
    if item.reason is TaskReason.IDENTIFIER:
        return bilingual(
            f"{where}: värdet kopplar ihop poster. Kontrollera att det korrekta värdet inte "
            "tillhör någon annan och ändra det sedan för hand.",
            f"{where}: the value links records. Check that the correct value belongs to no "
            "one else, then change it by hand.",
        )
    if item.reason is TaskReason.ASSESSMENT:
        return bilingual(
            f"{where}: en intern bedömning. En handläggare avgör om och hur den ska ändras.",
            f"{where}: an internal assessment. A case handler decides whether and how it changes.",
        )
    reason = item.why or "the system refused the change"
    return bilingual(
        f"{where}: systemet tog inte emot ändringen ({reason}). Sätt {category} till det "
        "korrekta värdet för hand.",
        f"{where}: the system refused the change ({reason}). Set {category} to the correct "
        "value by hand.",
    )
