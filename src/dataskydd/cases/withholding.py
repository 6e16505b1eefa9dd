"""Items a handler keeps out of an access answer (Art. 15(4), notice section 7 a).

Another person's data, the group's trade secrets, internal assessments and what a law keeps
secret may be withheld; each with a reason, a note, the handler and the time. The list is
sealed on the request (item references can hold a personnummer) and applied when the answer
is built, so the person never receives what was withheld, and the staff record says why.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.cases import lifecycle
from dataskydd.cases.kinds import CaseError, RequestKind, Status
from dataskydd.cases.sealed import open_request, seal_json
from dataskydd.cases.timeline import add_event
from dataskydd.rights.access import AccessAnswer, WithholdReason
from dataskydd.store.case_tables import RightsRequestRecord

# Before the decision: once approved, the answer is what was approved.
OPEN_FOR_WITHHOLDING = frozenset({Status.VERIFIED, Status.ASSESSED})


def withhold(
    session: Session, request_id: str, *, ref: str, reason: str, note: str, by: str
) -> RightsRequestRecord:
    """Keep the item ``ref`` out of the answer; a second call for the same item replaces it."""
    try:
        why = WithholdReason(reason)
    except ValueError:
        known = ", ".join(r.value for r in WithholdReason)
        raise CaseError(f"reason: one of {known}") from None
    if not note.strip():
        raise CaseError("note: say why the item is withheld")
    if not ref.strip():
        raise CaseError("ref: name the item")
    row = lifecycle.load(session, request_id, lock=True)
    if RequestKind(row.kind) is not RequestKind.ACCESS:
        raise CaseError(f"request {row.reference} is {row.kind}: only access answers withhold")
    if Status(row.status) not in OPEN_FOR_WITHHOLDING:
        raise CaseError(f"request {row.reference} is {row.status}: withhold before deciding")
    items = [item for item in open_request(row).withheld if item["ref"] != ref.strip()]
    items.append(
        {
            "ref": ref.strip(),
            "reason": why.value,
            "note": note.strip(),
            "by": by,
            "at": clock.now().isoformat(timespec="seconds"),
        }
    )
    row.withheld = seal_json(items, "withheld", row.id)
    row.updated_at = clock.now()
    add_event(session, row.id, by, "withheld", why.value)
    audit_log.append(
        session,
        by,
        "request.item_withheld",
        {"request": row.id, "reason": why.value},
        subject_ref=row.subject_ref,
    )
    return row


def apply(answer: AccessAnswer, items: list[dict[str, Any]]) -> list[str]:
    """Withhold ``items`` in ``answer``; returns the references no longer in it (vanished)."""
    missing = []
    for item in items:
        try:
            answer.withhold(item["ref"], WithholdReason(item["reason"]), item["note"], item["by"])
        except KeyError:
            missing.append(item["ref"])
    return missing
