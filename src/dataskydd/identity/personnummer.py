"""Personnummer and samordningsnummer: one parser for every way people write them.

A personnummer is a birth date (``YYMMDD`` or ``YYYYMMDD``), a three-digit serial and a
Luhn check digit over the ten-digit form. A samordningsnummer is the same with sixty added
to the day. The ten-digit form leaves out the century: ``-`` means "under 100 years old",
``+`` means "100 or older", so the century depends on the day the number is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum import luhn

from dataskydd import clock
from dataskydd.identity.kinds import IdentityError, IdentityKind

SEPARATORS = "-+"
COORDINATION_OFFSET = 60
_DIGITS = "0123456789"
_SPACES = " \t\u00a0"
# Word processors turn a typed hyphen into one of these; they mean the same separator.
TYPOGRAPHIC_DASHES = "\u2010\u2011\u2012\u2013\u2212"
_AS_HYPHEN = str.maketrans(TYPOGRAPHIC_DASHES, "-" * len(TYPOGRAPHIC_DASHES))
# Six or eight ASCII digits, at most one - or +, the last four digits: nothing to check.
_PLAIN = re.compile(r"([0-9]{6}|[0-9]{8})([-+]?)([0-9]{4})", re.ASCII)


@dataclass(frozen=True, slots=True)
class Personnummer:
    """A valid personnummer or samordningsnummer, kept as its 12-digit canonical form."""

    canonical: str
    birth_date: date
    is_coordination: bool

    @property
    def kind(self) -> IdentityKind:
        if self.is_coordination:
            return IdentityKind.SAMORDNINGSNUMMER
        return IdentityKind.PERSONNUMMER

    @property
    def short(self) -> str:
        """The ten-digit form without separator, ``8503121234``."""
        return self.canonical[2:]

    def age_on(self, day: date) -> int:
        """Whole years lived on ``day``."""
        return _age(self.birth_date.year, self.birth_date.month, self.birth_date.day, day)

    def written_forms(self, *, today: date | None = None) -> list[str]:
        """Every form a system or a text may hold this number in, canonical first.

        The ``+`` form is included when the person is 100 or older on ``today``; the
        ``-`` form stays, because records written before that birthday still hold it.
        """
        day = today or clock.today()
        full, short = self.canonical, self.short
        forms = [full, f"{full[:8]}-{full[8:]}", short, f"{short[:6]}-{short[6:]}"]
        if self.age_on(day) >= 100:
            forms.append(f"{short[:6]}+{short[6:]}")
        forms += [f"{full[:8]} {full[8:]}", f"{short[:6]} {short[6:]}"]
        return list(dict.fromkeys(forms))

    def __str__(self) -> str:
        return self.canonical


def parse_personnummer(text: str, *, today: date | None = None) -> Personnummer:
    """Read a personnummer or samordningsnummer in any written form, or say what is wrong.

    Ten-digit forms get the century that makes the person under 100 on ``today`` (default:
    the platform clock's today), or 100 and older when written with ``+``.
    """
    day = today or clock.today()
    digits, sign = _digits_and_sign(text)
    ten = digits[-10:]
    month, day_of_month = int(ten[2:4]), int(ten[4:6])
    if not 1 <= month <= 12:
        raise _error(text, f"the month {ten[2:4]} is not a month (01-12)")
    if not (1 <= day_of_month <= 31 or 61 <= day_of_month <= 91):
        raise _error(
            text, f"the day {ten[4:6]} is neither a date nor a samordningsnummer day (61-91)"
        )
    coordination = day_of_month > COORDINATION_OFFSET
    birth_day = day_of_month - COORDINATION_OFFSET if coordination else day_of_month
    if len(digits) == 12:
        year = int(digits[:4])
    else:
        year = _century_year(int(ten[:2]), month, birth_day, day, plus=sign == "+")
    born = _birth_date(text, year, month, birth_day, coordination)
    if born > day:
        raise _error(
            text, f"the birth date {born} is after today ({day})", coordination=coordination
        )
    if len(digits) == 12 and sign == "+" and _age(year, month, birth_day, day) < 100:
        raise _error(
            text,
            f"the + marks someone aged 100 or more, but someone born {born} is "
            f"{_age(year, month, birth_day, day)}",
            coordination=coordination,
        )
    expected = luhn.calc_check_digit(ten[:9])
    if ten[9] != expected:
        raise _error(
            text, f"the check digit should be {expected}, not {ten[9]}", coordination=coordination
        )
    return Personnummer(f"{year:04d}{ten[2:]}", born, coordination)


def is_personnummer(text: str, *, today: date | None = None) -> bool:
    """Whether ``text`` is a valid personnummer or samordningsnummer in any written form."""
    try:
        parse_personnummer(text, today=today)
    except IdentityError:
        return False
    return True


def _digits_and_sign(text: str) -> tuple[str, str]:
    """The digits and the one separator (``-``, ``+`` or ``""``), checking the characters."""
    # Most are written plainly (19780523-9824, 7805239824): read at once. The permission
    # check parses one on every request, and the character checks below cost more.
    plain = _PLAIN.fullmatch(text.strip())
    if plain is not None:
        return plain[1] + plain[3], plain[2]
    value = text.strip().translate(_AS_HYPHEN)
    if not value:
        raise _error(text, "is empty")
    if any(c.isalpha() for c in value):
        raise _error(text, "contains letters")
    stray = next((c for c in value if c not in _DIGITS and c not in SEPARATORS + _SPACES), None)
    if stray is not None:
        raise _error(text, f"contains {stray!r}; only digits, spaces, - and + belong in one")
    signs = [c for c in value if c in SEPARATORS]
    digits = "".join(c for c in value if c in _DIGITS)
    if len(digits) not in (10, 12):
        raise _error(text, f"has {len(digits)} digits; a personnummer has 10 or 12")
    if len(signs) > 1:
        raise _error(text, f"has {len(signs)} separators (- or +); a personnummer has one at most")
    if signs:
        after = value[value.index(signs[0]) + 1 :]
        if sum(c in _DIGITS for c in after) != 4:
            raise _error(text, f"the {signs[0]} belongs before the last four digits")
    return digits, signs[0] if signs else ""


def _century_year(yy: int, month: int, day: int, today: date, *, plus: bool) -> int:
    """The year ending in ``yy`` that makes the person under 100 (or, with ``+``, 100 or more)."""
    year = today.year - (today.year - yy) % 100
    if _age(year, month, day, today) < 0:
        year -= 100  # the birthday would be later this year: a century ago instead
    if plus:
        year -= 100
    return year


def _age(year: int, month: int, day: int, today: date) -> int:
    # Compared as (month, day) so that 29 February works in any year.
    return today.year - year - ((today.month, today.day) < (month, day))


def _birth_date(text: str, year: int, month: int, day: int, coordination: bool) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        written = f"{year:04d}-{month:02d}-{day:02d}"
        if coordination:
            reason = (
                f"{year:04d}-{month:02d}-{day + COORDINATION_OFFSET:02d} is not a samordningsnummer "
                f"date ({written} is not a date)"
            )
        else:
            reason = f"{written} is not a date"
        raise _error(text, reason, coordination=coordination) from None


def _error(text: str, reason: str, *, coordination: bool = False) -> IdentityError:
    kind = IdentityKind.SAMORDNINGSNUMMER if coordination else IdentityKind.PERSONNUMMER
    return IdentityError(kind, text, reason)
