"""What a request asks for, where it came from, and the states it moves through."""

from __future__ import annotations

from enum import StrEnum


class RequestKind(StrEnum):
    """Every right of notice section 7, consent withdrawal and a message to the DPO."""

    ACCESS = "access"
    PORTABILITY = "portability"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    CONSENT_WITHDRAWAL = "consent_withdrawal"
    COMPLAINT = "complaint"  # a complaint or any contact to the DPO


class Channel(StrEnum):
    WEB = "web"  # the privacy centre
    API = "api"
    LETTER = "letter"
    PHONE = "phone"
    EMAIL = "email"


class Status(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    ASSESSED = "assessed"
    DECIDED = "decided"
    EXECUTED = "executed"
    ANSWERED = "answered"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    DUPLICATE = "duplicate"


# A closed request never moves again.
CLOSED = frozenset({Status.ANSWERED, Status.DENIED, Status.WITHDRAWN, Status.DUPLICATE})

# Which state each step may start from. Denial is possible at every open state: a handler may
# refuse a request that is manifestly unfounded before the identity is even verified.
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    "verify": frozenset({Status.RECEIVED}),
    "assess": frozenset({Status.VERIFIED}),
    "approve": frozenset({Status.ASSESSED}),
    "deny": frozenset({Status.RECEIVED, Status.VERIFIED, Status.ASSESSED}),
    "execute": frozenset({Status.DECIDED}),
    "answer": frozenset({Status.EXECUTED}),
    "withdraw": frozenset({Status.RECEIVED, Status.VERIFIED, Status.ASSESSED, Status.DECIDED}),
}


class CaseError(ValueError):
    """A step that cannot be taken; the message says why, never with personal data."""


class NotFound(CaseError):
    """No request has that id or reference."""
