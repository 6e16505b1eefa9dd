"""Verifying a request's identity: a code e-mailed to the request's address, or BankID.

The code goes to ``details.contact_email`` and only its keyed hash is stored. A request whose
code checks out is verified (``lifecycle.verify``); the identities it gave are then what
resolution uses. Staff verification (a note of how the identity was checked) and BankID
(``identity/verification/bankid.py``) reach the same ``lifecycle.verify``.
"""

from __future__ import annotations

import os
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.cases import lifecycle
from dataskydd.cases.kinds import CaseError, Status
from dataskydd.cases.sealed import open_request
from dataskydd.cases.timeline import add_event
from dataskydd.identity.kinds import NATIONAL_ID_KINDS, IdentityKind
from dataskydd.identity.verification import bankid, email_code
from dataskydd.settings import get_settings
from dataskydd.store.case_tables import RightsRequestRecord, VerificationChallengeRecord

MAX_CODES_PER_REQUEST = 5  # codes sent for one request: enough for typos, too few for abuse


def start_email(session: Session, request: RightsRequestRecord) -> tuple[str, str]:
    """A new code for ``request``: returns (address, code) for the caller to send after commit."""
    if request.status != Status.RECEIVED.value:
        raise CaseError(f"request {request.reference} is {request.status}: nothing to verify")
    address = open_request(request).payload.get("contact_email")
    if not address:
        raise CaseError("details.contact_email: the request gives no address to send a code to")
    sent = session.scalars(
        select(VerificationChallengeRecord.id).where(
            VerificationChallengeRecord.request_id == request.id
        )
    ).all()
    if len(sent) >= MAX_CODES_PER_REQUEST:
        raise CaseError(f"{MAX_CODES_PER_REQUEST} codes were sent already; contact us instead")
    issued = email_code.issue(clock.now(), challenge_id=uuid.uuid4().hex)
    challenge = issued.challenge
    session.add(
        VerificationChallengeRecord(
            id=challenge.challenge_id,
            request_id=request.id,
            method="email_code",
            code_hash=challenge.code_hash,
            created_at=clock.now(),
            expires_at=challenge.expires_at,
            attempts=0,
        )
    )
    add_event(session, request.id, "data subject", "code_sent")
    return address, issued.code


def check_email(session: Session, request: RightsRequestRecord, code: str) -> email_code.Outcome:
    """Check a code against the newest challenge; a right one verifies the request."""
    row = session.scalars(
        select(VerificationChallengeRecord)
        .where(VerificationChallengeRecord.request_id == request.id)
        .order_by(VerificationChallengeRecord.created_at.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if row is None:
        raise CaseError("no code was sent for this request")
    stored = email_code.StoredChallenge(
        challenge_id=row.id,
        code_hash=row.code_hash,
        expires_at=row.expires_at,
        attempts=row.attempts,
        used_at=row.used_at,
    )
    try:
        result = email_code.check(stored, code, clock.now())
    except email_code.CodeFormatError as error:
        raise CaseError(f"code: {error}") from None
    row.attempts, row.used_at = result.challenge.attempts, result.challenge.used_at
    if result.ok:
        lifecycle.verify(session, request.id, method="email_code", by="data subject")
    return result.outcome


def send(address: str, code: str, language: str, reference: str) -> str:
    """Send the code by SMTP (``DATASKYDD_SMTP_*``); without SMTP, into the outbox folder.

    The outbox (``<data dir>/outbox``, one ``.eml`` file a message, readable only by the
    platform's user) is for the embedded default and the demo, where no mail server exists.
    Returns where the message went: ``smtp`` or ``outbox``.
    """
    lang: email_code.Lang = "en" if language == "en" else "sv"
    try:
        settings = email_code.SmtpSettings.from_env()
    except email_code.SmtpConfigError:
        if os.environ.get("DATASKYDD_SMTP_HOST"):
            raise  # configured, but wrongly: that is an error, not a reason to fall back
        outbox = get_settings().data_dir / "outbox"
        outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
        placeholder = email_code.SmtpSettings("localhost", 25, "dataskydd@localhost")
        message = email_code.build_message(placeholder, address, code, lang, reference)
        path = outbox / f"{clock.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(bytes(message))
        return "outbox"
    email_code.send_code(settings, address, code, lang, reference)
    return "smtp"


def start_bankid(
    client: bankid.BankIdClient, request: RightsRequestRecord, end_user_ip: str
) -> bankid.Order:
    """Start a BankID order for the person of ``request``; the caller shows its QR or starts the app.

    When the request gives a personnummer, the order is bound to it, so only that person's
    BankID can complete it.
    """
    if request.status != Status.RECEIVED.value:
        raise CaseError(f"request {request.reference} is {request.status}: nothing to verify")
    given = [v for k, v in open_request(request).identities if k in NATIONAL_ID_KINDS]
    return client.auth(end_user_ip, given[0] if given else None)


def collect_bankid(
    session: Session, client: bankid.BankIdClient, request: RightsRequestRecord, order_ref: str
) -> bankid.Collect:
    """Collect the order; when complete, the request is verified by the personnummer it proved.

    A request that named a personnummer is verified only if BankID returned the same person.
    """
    collected = client.collect(order_ref)
    if collected.status is not bankid.Status.COMPLETE or collected.completion is None:
        return collected
    proved = collected.completion.personal_number
    named = [v for k, v in open_request(request).identities if k in NATIONAL_ID_KINDS]
    if named and not any(bankid.same_person(proved, n) for n in named):
        raise CaseError("BankID was completed by another person than the request names")
    lifecycle.verify(
        session,
        request.id,
        method="bankid",
        by="data subject",
        proven=[(IdentityKind.PERSONNUMMER, proved)],
    )
    return collected
