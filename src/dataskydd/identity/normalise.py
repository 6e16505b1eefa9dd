"""One entry point for every identity kind: parse, normalise, and list the written forms.

Callers that only know a column's :class:`IdentityKind` come here instead of choosing a
parser. Personnummer and samordningsnummer parse through the same parser, so either kind
accepts either number: they are one person's identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dataskydd.identity.contact import email_forms, parse_email, parse_phone, phone_forms
from dataskydd.identity.kinds import NATIONAL_ID_KINDS, IdentityError, IdentityKind
from dataskydd.identity.orgnr import parse_orgnr
from dataskydd.identity.personnummer import parse_personnummer


@dataclass(frozen=True, slots=True)
class Identity:
    """A validated identity: what kind it is and its canonical value."""

    kind: IdentityKind
    canonical: str

    def written_forms(self, *, today: date | None = None) -> list[str]:
        return written_forms(self.kind, self.canonical, today=today)


def parse_identity(kind: IdentityKind | str, text: str, *, today: date | None = None) -> Identity:
    """Validate ``text`` as ``kind``; raises :class:`IdentityError` with the reason.

    A national identity comes back with the kind it really is: a samordningsnummer in a
    personnummer column is reported as a samordningsnummer.
    """
    wanted = _kind(kind, text)
    try:
        if wanted in NATIONAL_ID_KINDS:
            number = parse_personnummer(text, today=today)
            return Identity(number.kind, number.canonical)
        if wanted is IdentityKind.ORGANISATIONSNUMMER:
            return Identity(wanted, parse_orgnr(text).canonical)
        if wanted is IdentityKind.EMAIL:
            return Identity(wanted, parse_email(text))
        if wanted is IdentityKind.PHONE:
            return Identity(wanted, parse_phone(text))
    except IdentityError as exc:
        # Name the kind the caller asked about, unless the number was recognisably a
        # samordningsnummer (a day over 60): then say so, it is the better clue.
        if exc.kind is IdentityKind.SAMORDNINGSNUMMER and wanted in NATIONAL_ID_KINDS:
            raise
        raise IdentityError(wanted, text, exc.reason) from None
    value = text.strip()
    if not value:
        raise IdentityError(wanted, text, "is empty")
    return Identity(wanted, value)


def normalise(kind: IdentityKind | str, value: str, *, today: date | None = None) -> str:
    """The canonical form of ``value`` as ``kind``; raises :class:`IdentityError`."""
    return parse_identity(kind, value, today=today).canonical


def written_forms(
    kind: IdentityKind | str, canonical: str, *, today: date | None = None
) -> list[str]:
    """Every form the identity may be written in, canonical first (any valid form is accepted)."""
    wanted = _kind(kind, canonical)
    if wanted in NATIONAL_ID_KINDS:
        return parse_personnummer(canonical, today=today).written_forms(today=today)
    if wanted is IdentityKind.ORGANISATIONSNUMMER:
        return parse_orgnr(canonical).written_forms()
    if wanted is IdentityKind.EMAIL:
        return email_forms(parse_email(canonical))
    if wanted is IdentityKind.PHONE:
        return phone_forms(parse_phone(canonical))
    return [parse_identity(wanted, canonical).canonical]


def _kind(kind: IdentityKind | str, value: str) -> IdentityKind:
    try:
        return IdentityKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in IdentityKind)
        raise IdentityError(kind, value, f"{kind!r} is not an identity kind ({known})") from None
