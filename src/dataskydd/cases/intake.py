"""Intake: a request is recorded, with its due date, its duplicates found, its data sealed.

Every channel comes through :func:`submit`: the privacy centre, the API, and staff typing in
a letter, a call or an e-mail. Identities are validated and kept in canonical form (sealed),
with keyed hashes beside them so that a second request of the same kind by the same person,
while the first is open, is recognised without anyone's identity in clear.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.cases.kinds import CLOSED, CaseError, Channel, RequestKind, Status
from dataskydd.cases.sealed import seal_json
from dataskydd.cases.timeline import add_event
from dataskydd.encryption.keyring import keyring
from dataskydd.identity.keyed import identity_hash
from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.rights.deadlines import due_date
from dataskydd.store.case_tables import RequestIdentityRecord, RightsRequestRecord

# Letters and digits nobody confuses when reading a reference aloud on the phone.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# The identities a data subject may give to be found (record numbers are the company's own).
SUBJECT_KINDS = frozenset(
    {
        IdentityKind.PERSONNUMMER,
        IdentityKind.SAMORDNINGSNUMMER,
        IdentityKind.EMAIL,
        IdentityKind.PHONE,
        IdentityKind.CUSTOMER_NUMBER,
        IdentityKind.APPLICANT_NUMBER,
    }
)
MAX_MESSAGE = 5000


class Details(BaseModel):
    """What the person asks, beyond the right itself; every field is optional but checked."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message: str | None = Field(None, max_length=MAX_MESSAGE)
    contact_email: str | None = Field(None, max_length=254)
    category: str | None = Field(None, max_length=80)  # rectification, restriction
    new_value: str | None = Field(None, max_length=500)  # rectification
    grounds: list[str] = Field(default_factory=list, max_length=6)  # erasure
    reason: str | None = Field(None, max_length=40)  # restriction
    purpose: str | None = Field(None, max_length=80)  # objection, consent withdrawal
    direct_marketing: bool = False  # objection

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            return normalise(IdentityKind.EMAIL, value)
        except IdentityError:
            raise ValueError("is not an e-mail address") from None


@dataclass(frozen=True)
class Submitted:
    """A recorded request; ``follow_token`` is shown to the person once and never stored."""

    id: str
    reference: str
    follow_token: str
    status: Status
    due: date
    duplicate_of: str | None


def new_reference() -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"DS-{chars[:4]}-{chars[4:]}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def canonical_identities(
    given: Iterable[tuple[str, str]],
) -> list[tuple[IdentityKind, str]]:
    """The identities in canonical form; CaseError names the first one that is wrong."""
    result: list[tuple[IdentityKind, str]] = []
    for position, (kind_text, value) in enumerate(given):
        try:
            kind = IdentityKind(kind_text)
        except ValueError:
            raise CaseError(f"identities[{position}].kind: unknown kind {kind_text!r}") from None
        if kind not in SUBJECT_KINDS:
            raise CaseError(f"identities[{position}].kind: {kind} does not name a person")
        try:
            canonical = normalise(kind, value)
        except IdentityError as error:
            raise CaseError(
                f"identities[{position}].value: not a valid {kind}: {error.reason}"
            ) from None
        if (kind, canonical) not in result:
            result.append((kind, canonical))
    if not result:
        raise CaseError("identities: give at least one identity (personnummer, e-mail, phone)")
    return result


def parse_details(raw: dict[str, Any] | None) -> Details:
    """The details, validated; CaseError names the field that is wrong (never its value)."""
    try:
        return Details.model_validate(raw or {})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "details"
        raise CaseError(f"details.{where}: {first['msg']}") from None


def submit(
    session: Session,
    *,
    kind: RequestKind,
    identities: Iterable[tuple[str, str]],
    details: dict[str, Any] | None = None,
    channel: Channel = Channel.WEB,
    language: str = "sv",
    received_by: str = "data subject",
) -> Submitted:
    """Record a request, due one month after today; a duplicate is recorded as one."""
    if language not in ("sv", "en"):
        raise CaseError("language: must be sv or en")
    canonical = canonical_identities(identities)
    checked = parse_details(details)
    now = clock.now()
    request_id = uuid.uuid4().hex
    token = secrets.token_urlsafe(24)
    by_hash = {identity_hash(k, v): k for k, v in canonical}
    original = _open_duplicate(session, kind, by_hash)
    ring = keyring()
    row = RightsRequestRecord(
        id=request_id,
        reference=new_reference(),
        follow_token_hash=token_digest(token),
        kind=kind.value,
        status=(Status.DUPLICATE if original else Status.RECEIVED).value,
        channel=channel.value,
        language=language,
        received_at=now,
        due_date=due_date(now),
        identities=seal_json([[k.value, v] for k, v in canonical], "identities", request_id, ring),
        payload=seal_json(checked.model_dump(exclude_defaults=True), "payload", request_id, ring),
        key_id=ring.active,
        duplicate_of=original,
        attempts=0,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    session.add_all(
        RequestIdentityRecord(request_id=request_id, identity_hash=h, kind=k.value)
        for h, k in by_hash.items()
    )
    add_event(session, request_id, received_by, "received", f"{kind.value} via {channel.value}")
    if original:
        add_event(session, request_id, "dataskydd", "duplicate", "an open request of this kind")
    audit_log.append(
        session,
        received_by,
        "request.received",
        {
            "request": request_id,
            "kind": kind.value,
            "channel": channel.value,
            "duplicate": bool(original),
        },
    )
    return Submitted(request_id, row.reference, token, Status(row.status), row.due_date, original)


def _open_duplicate(
    session: Session, kind: RequestKind, by_hash: dict[str, IdentityKind]
) -> str | None:
    """The open request of the same kind that gives any of the same identities, if one."""
    return session.scalars(
        select(RightsRequestRecord.id)
        .join(RequestIdentityRecord, RequestIdentityRecord.request_id == RightsRequestRecord.id)
        .where(
            RequestIdentityRecord.identity_hash.in_(list(by_hash)),
            RightsRequestRecord.kind == kind.value,
            RightsRequestRecord.status.not_in([s.value for s in CLOSED]),
        )
        .order_by(RightsRequestRecord.received_at)
        .limit(1)
    ).first()
