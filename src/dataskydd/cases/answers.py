"""The answer package: sealed at rest, handed out once through a time-limited link.

The person follows their request with its reference and code; when the answer is ready they
ask for a download link. A link is a random token (only its SHA-256 is kept), valid for
:data:`LINK_VALID_FOR`, and works once: after a download the package cannot be fetched again
(a person who lost it asks for it again, as a new request).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.cases.kinds import CaseError
from dataskydd.cases.timeline import add_event
from dataskydd.encryption.keyring import keyring
from dataskydd.store.case_tables import AnswerPackageRecord, RightsRequestRecord

LINK_VALID_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    content: bytes


def _context(request_id: str) -> str:
    return f"answer_packages.content:{request_id}"


def store_package(
    session: Session, request_id: str, filename: str, media_type: str, content: bytes
) -> None:
    """Keep the answer sealed; a second call (a resumed execution) replaces an unsent one."""
    ring = keyring()
    sealed = ring.seal(base64.b64encode(content), _context(request_id))
    row = session.get(AnswerPackageRecord, request_id)
    if row is not None and row.downloaded_at is not None:
        raise CaseError("the answer was downloaded already; it is not replaced")
    if row is None:
        row = AnswerPackageRecord(request_id=request_id)
        session.add(row)
    row.filename, row.media_type, row.content, row.key_id = (
        filename,
        media_type,
        sealed,
        ring.active,
    )
    row.created_at = clock.now()
    row.download_token_hash = row.link_expires_at = None
    session.flush()


def issue_link(session: Session, request: RightsRequestRecord) -> str:
    """A new single-use download token for ``request``'s answer (an older unused one lapses)."""
    row = session.get(AnswerPackageRecord, request.id)
    if row is None:
        raise CaseError(f"request {request.reference} has no answer to download yet")
    if row.downloaded_at is not None:
        raise CaseError(f"the answer to {request.reference} was downloaded already")
    token = secrets.token_urlsafe(32)
    row.download_token_hash = hashlib.sha256(token.encode()).hexdigest()
    row.link_expires_at = clock.now() + LINK_VALID_FOR
    add_event(session, request.id, "data subject", "link_issued")
    return token


def download(session: Session, token: str) -> Download:
    """The package for a valid, unused, unexpired token; the token is spent in the same step."""
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    now = clock.now()
    # Spend the token with one conditional UPDATE: of two downloads at once, one wins.
    spent = session.execute(
        update(AnswerPackageRecord)
        .where(
            AnswerPackageRecord.download_token_hash == digest,
            AnswerPackageRecord.downloaded_at.is_(None),
            AnswerPackageRecord.link_expires_at > now,
        )
        .values(downloaded_at=now)
        .returning(AnswerPackageRecord.request_id)
    ).first()
    if spent is None:
        raise CaseError("this link has expired or was used already")
    row = session.scalars(
        select(AnswerPackageRecord).where(AnswerPackageRecord.request_id == spent[0])
    ).one()
    content = base64.b64decode(keyring().open(row.content, _context(row.request_id)))
    add_event(session, row.request_id, "data subject", "downloaded")
    audit_log.append(
        session,
        "data subject",
        "answer.downloaded",
        {"request": row.request_id, "bytes": len(content)},
    )
    return Download(row.filename, row.media_type, content)
