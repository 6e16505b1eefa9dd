"""The steps of a request: verified, assessed, decided, executed, answered (or denied, withdrawn).

No step decides alone (notice section 4: no automated decisions): approval and denial name the
handler who took them, and nothing executes before a named person has approved. Each step is
checked against the state the request is in, written to the timeline and to the audit log in
the same transaction, and takes the row's lock so that two handlers cannot both move it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.cases.intake import token_digest
from dataskydd.cases.kinds import ALLOWED_FROM, CLOSED, CaseError, NotFound, Status
from dataskydd.cases.sealed import Opened, open_request, seal_json
from dataskydd.cases.timeline import add_event
from dataskydd.identity.kinds import IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.rights.deadlines import extended_due_date, extension_allowed
from dataskydd.rights.subjects import subject_for
from dataskydd.store.case_tables import RightsRequestRecord

_DONE = {
    "verify": "verified",
    "assess": "assessed",
    "approve": "approved",
    "deny": "denied",
    "execute": "executed",
    "answer": "answered",
    "withdraw": "withdrawn",
}
VERIFICATION_METHODS = frozenset({"email_code", "staff", "bankid"})
# Names that are not a person: a decision must be taken by someone who can be asked about it.
_NOT_A_PERSON = frozenset({"", "dataskydd", "system", "data subject"})


def load(session: Session, request_id: str, *, lock: bool = False) -> RightsRequestRecord:
    query = select(RightsRequestRecord).where(RightsRequestRecord.id == request_id)
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"no request {request_id!r}")
    return row


def by_reference(session: Session, reference: str, follow_token: str) -> RightsRequestRecord:
    """The request a person follows with its reference and the token they were given."""
    row = session.scalars(
        select(RightsRequestRecord).where(
            RightsRequestRecord.reference == reference.strip().upper()
        )
    ).first()
    # One answer for an unknown reference and a wrong token: neither says which was wrong.
    if row is None or row.follow_token_hash != token_digest(follow_token.strip()):
        raise NotFound("no request with that reference and code")
    return row


def due(row: RightsRequestRecord) -> date:
    """The date the answer is due, extension included."""
    return row.extended_due_date or row.due_date


def _move(
    session: Session,
    row: RightsRequestRecord,
    step: str,
    to: Status,
    actor: str,
    note: str | None = None,
    details: dict[str, object] | None = None,
) -> None:
    if Status(row.status) not in ALLOWED_FROM[step]:
        raise CaseError(f"request {row.reference} is {row.status}: it cannot be {_DONE[step]} now")
    row.status = to.value
    row.updated_at = clock.now()
    add_event(session, row.id, actor, to.value if step != "verify" else "verified", note)
    audit_log.append(
        session,
        actor,
        f"request.{to.value}",
        {"request": row.id, "kind": row.kind, **(details or {})},
        subject_ref=row.subject_ref,
    )


def _person(name: str, what: str) -> str:
    if name.strip().lower() in _NOT_A_PERSON:
        raise CaseError(f"{what}: a named person takes this step (notice section 4)")
    return name.strip()


def verify(
    session: Session,
    request_id: str,
    *,
    method: str,
    by: str,
    note: str | None = None,
    proven: Sequence[tuple[IdentityKind, str]] = (),
) -> RightsRequestRecord:
    """The identity is verified; from now on only what was verified finds the person.

    What each method proves: a staff check (with its note) every identity the request gives;
    an e-mailed code the address it was sent to; BankID the personnummer it returned
    (``proven``). Identities the request gave but the method did not prove are kept aside
    (``payload.unverified_identities``) for the handler to see, and are never resolved: typing
    someone else's personnummer beside one's own e-mail address finds nobody but oneself.
    """
    if method not in VERIFICATION_METHODS:
        raise CaseError(f"method: one of {', '.join(sorted(VERIFICATION_METHODS))}")
    if method == "staff":
        _person(by, "verified_by")
        if not (note or "").strip():
            raise CaseError("note: staff verification says how the identity was checked")
    row = load(session, request_id, lock=True)
    opened = open_request(row)
    verified = _proven(method, opened, proven)
    unverified = [pair for pair in opened.identities if pair not in verified]
    if unverified:
        payload = {
            **opened.payload,
            "unverified_identities": [[kind.value, value] for kind, value in unverified],
        }
        row.payload = seal_json(payload, "payload", row.id)
    row.identities = seal_json([[k.value, v] for k, v in verified], "identities", row.id)
    row.subject_ref = subject_for(session, verified)
    row.verified_at = clock.now()
    row.verification_method = method
    row.verified_by = by
    details = {"method": method, "verified": len(verified), "set_aside": len(unverified)}
    _move(session, row, "verify", Status.VERIFIED, by, note, details)
    return row


def _proven(
    method: str, opened: Opened, proven: Sequence[tuple[IdentityKind, str]]
) -> list[tuple[IdentityKind, str]]:
    if method == "staff":
        return list(opened.identities)
    if method == "email_code":
        address = opened.payload.get("contact_email")
        if not address:
            raise CaseError("details.contact_email: an e-mailed code proves only that address")
        return [(IdentityKind.EMAIL, address)]
    if not proven:
        raise CaseError("proven: BankID verification names the personnummer it proved")
    return [(kind, normalise(kind, value)) for kind, value in proven]


def assign(session: Session, request_id: str, *, to: str, by: str) -> RightsRequestRecord:
    """Give an open request to a handler: from now on it is theirs to see (need-to-know)."""
    row = load(session, request_id, lock=True)
    if Status(row.status) in CLOSED:
        raise CaseError(f"request {row.reference} is {row.status}: nothing to assign")
    if not to.strip():
        raise CaseError("to: name the handler")
    row.assignee, row.updated_at = to.strip(), clock.now()
    add_event(session, row.id, by, "assigned", f"to {row.assignee}")
    audit_log.append(
        session,
        by,
        "request.assigned",
        {"request": row.id, "to": row.assignee},
        subject_ref=row.subject_ref,
    )
    return row


def assess(
    session: Session, request_id: str, *, by: str, note: str | None = None
) -> RightsRequestRecord:
    """A handler has reviewed what was found and the proposal; a decision comes next."""
    row = load(session, request_id, lock=True)
    _move(session, row, "assess", Status.ASSESSED, _person(by, "assessed_by"), note)
    return row


def approve(
    session: Session, request_id: str, *, by: str, note: str | None = None
) -> RightsRequestRecord:
    """A named handler approves: the request may now be executed."""
    row = load(session, request_id, lock=True)
    handler = _person(by, "decided_by")
    row.decision, row.decided_by, row.decided_at = "approved", handler, clock.now()
    if note:
        row.decision_note = seal_json(note, "decision_note", row.id)
    _move(session, row, "approve", Status.DECIDED, handler, None, {"decision": "approved"})
    return row


def deny(session: Session, request_id: str, *, by: str, reason: str) -> RightsRequestRecord:
    """A named handler denies, with the reason the person is told (and their right to complain)."""
    if not reason.strip():
        raise CaseError("reason: a denial tells the person why")
    row = load(session, request_id, lock=True)
    handler = _person(by, "decided_by")
    row.decision, row.decided_by, row.decided_at = "denied", handler, clock.now()
    row.decision_note = seal_json(reason.strip(), "decision_note", row.id)
    _move(session, row, "deny", Status.DENIED, handler, None, {"decision": "denied"})
    return row


def withdraw(session: Session, request_id: str, *, by: str) -> RightsRequestRecord:
    row = load(session, request_id, lock=True)
    _move(session, row, "withdraw", Status.WITHDRAWN, by)
    return row


def extend(
    session: Session, request_id: str, *, months: int, reason: str, by: str
) -> RightsRequestRecord:
    """Extend by one or two months (Art. 12(3)); only within the first month, and only once."""
    if not reason.strip():
        raise CaseError("reason: the person is told why the answer takes longer")
    row = load(session, request_id, lock=True)
    handler = _person(by, "extended_by")
    if Status(row.status) in CLOSED:
        raise CaseError(f"request {row.reference} is {row.status}: nothing to extend")
    if row.extended_due_date is not None:
        raise CaseError(f"request {row.reference} was extended already")
    if not extension_allowed(row.received_at, clock.now()):
        raise CaseError(
            f"request {row.reference}: an extension must be told within the first month "
            f"(by {row.due_date})"
        )
    try:
        row.extended_due_date = extended_due_date(row.received_at, months)
    except ValueError as error:
        raise CaseError(f"months: {error}") from None
    row.extension_reason = seal_json(reason.strip(), "extension_reason", row.id)
    row.updated_at = clock.now()
    add_event(
        session, row.id, handler, "extended", f"by {months} month(s), due {row.extended_due_date}"
    )
    audit_log.append(
        session,
        handler,
        "request.extended",
        {"request": row.id, "months": months, "due": str(row.extended_due_date)},
        subject_ref=row.subject_ref,
    )
    return row


def mark_executed(session: Session, row: RightsRequestRecord, actor: str, note: str) -> None:
    row.executed_at = clock.now()
    _move(session, row, "execute", Status.EXECUTED, actor, note)


def mark_answered(session: Session, row: RightsRequestRecord, actor: str, note: str) -> None:
    row.answered_at = clock.now()
    _move(session, row, "answer", Status.ANSWERED, actor, note)
