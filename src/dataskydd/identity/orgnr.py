"""Organisationsnummer: the ten-digit number of a Swedish company, association or authority.

The first digit is the legal-form group (1 to 9), the third and fourth digits are 20 or more
(so that no organisationsnummer is a birth date) and the last is a Luhn check digit. Some
registers prefix it with ``16`` to make twelve digits, the width of a personnummer. A sole
trader has no organisationsnummer of their own: they use their personnummer.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum import luhn

from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.personnummer import TYPOGRAPHIC_DASHES, is_personnummer

CENTURY_PREFIX = "16"
_DIGITS = "0123456789"
_AS_HYPHEN = str.maketrans(TYPOGRAPHIC_DASHES, "-" * len(TYPOGRAPHIC_DASHES))


@dataclass(frozen=True, slots=True)
class Orgnr:
    """A valid organisationsnummer, kept as its ten digits."""

    canonical: str

    @property
    def kind(self) -> IdentityKind:
        return IdentityKind.ORGANISATIONSNUMMER

    @property
    def formatted(self) -> str:
        """The usual written form, ``556000-0001``."""
        return f"{self.canonical[:6]}-{self.canonical[6:]}"

    def written_forms(self) -> list[str]:
        """Every form a system or a text may hold it in, canonical first."""
        return [self.canonical, self.formatted, CENTURY_PREFIX + self.canonical]

    def __str__(self) -> str:
        return self.canonical


def parse_orgnr(text: str) -> Orgnr:
    """Read an organisationsnummer (``556000-0001``, ``5560000001``, ``165560000001``)."""
    value = text.strip().translate(_AS_HYPHEN)
    if not value:
        raise _error(text, "is empty")
    if any(c.isalpha() for c in value):
        raise _error(text, "contains letters")
    stray = next((c for c in value if c not in _DIGITS and c not in " -"), None)
    if stray is not None:
        raise _error(text, f"contains {stray!r}; only digits, spaces and - belong in one")
    if value.count("-") > 1:
        raise _error(
            text, f"has {value.count('-')} hyphens; an organisationsnummer has one at most"
        )
    digits = "".join(c for c in value if c in _DIGITS)
    if len(digits) == 12:
        if not digits.startswith(CENTURY_PREFIX):
            if is_personnummer(value):
                raise _error(text, _SOLE_TRADER)
            raise _error(text, "has 12 digits but does not start with 16")
        digits = digits[2:]
    elif len(digits) != 10:
        raise _error(
            text,
            f"has {len(digits)} digits; an organisationsnummer has 10 (or 12 starting with 16)",
        )
    if int(digits[2:4]) < 20:
        if is_personnummer(value):
            raise _error(text, _SOLE_TRADER)
        raise _error(text, f"the third and fourth digits are {digits[2:4]}; they are 20 or more")
    if digits[0] == "0":
        raise _error(text, "starts with 0; an organisationsnummer starts with 1 to 9")
    expected = luhn.calc_check_digit(digits[:9])
    if digits[9] != expected:
        raise _error(text, f"the check digit should be {expected}, not {digits[9]}")
    return Orgnr(digits)


_SOLE_TRADER = "this is a personnummer (a sole trader's number); use personnummer"


def _error(text: str, reason: str) -> IdentityError:
    return IdentityError(IdentityKind.ORGANISATIONSNUMMER, text, reason)
