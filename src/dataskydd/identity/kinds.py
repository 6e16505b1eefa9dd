"""The kinds of identity a column can hold, and the one error every parser raises."""

from __future__ import annotations

from enum import StrEnum


class IdentityKind(StrEnum):
    """What a value identifies a person (or company) by.

    ``personnummer`` and ``samordningsnummer`` share one canonical form (12 digits), and a
    samordningsnummer found where a personnummer was expected is the same person.
    """

    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    ORGANISATIONSNUMMER = "organisationsnummer"
    EMAIL = "email"
    PHONE = "phone"
    CUSTOMER_NUMBER = "customer_number"
    APPLICANT_NUMBER = "applicant_number"
    LOGIN_ID = "login_id"


# Kinds that name a natural person's national identity; they match each other.
NATIONAL_ID_KINDS = frozenset({IdentityKind.PERSONNUMMER, IdentityKind.SAMORDNINGSNUMMER})


class IdentityError(ValueError):
    """A value that is not a valid identity of its kind; the message says what is wrong."""

    def __init__(self, kind: IdentityKind | str, value: str, reason: str) -> None:
        self.kind = kind
        self.value = value
        self.reason = reason
        super().__init__(f"{value!r} is not a valid {kind}: {reason}")
