"""Swedish identifiers for the demo estate: valid check digits, unique by construction.

A personnummer is a birth date, a three-digit serial (odd third digit: male) and a Luhn
check digit; a samordningsnummer adds 60 to the day. An organisationsnummer is ten digits
with a third digit of at least 2 and the same check digit. Every number here is computed,
never looked up, so an estate of any size has only valid, distinct identities.
"""

from __future__ import annotations

from datetime import date
from math import gcd
from random import Random

from dataskydd import clock

# The demo's people are born from 1940 to 2004: adults who borrow, apply and chat.
FIRST_BIRTH_DATE = date(1940, 1, 1)
LAST_BIRTH_DATE = date(2004, 12, 31)
BIRTH_DAYS = (LAST_BIRTH_DATE - FIRST_BIRTH_DATE).days + 1

# Generated people get serials 001-979; 980-999 are left to the planted people, so no
# generated person can ever share a planted person's number.
GENERATED_SERIALS = 979
PLANTED_SERIAL_FLOOR = 980


def luhn_digit(digits: str) -> int:
    """The check digit that makes ``digits`` + it pass the Luhn test (weights 2, 1, 2, ...)."""
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def personnummer(born: date, serial: int, *, coordination: bool = False) -> str:
    """The canonical 12-digit form, ``YYYYMMDDNNNC``; ``coordination`` gives a samordningsnummer."""
    if not 1 <= serial <= 999:
        raise ValueError(f"serial {serial} is outside 001-999")
    day = born.day + (60 if coordination else 0)
    ten = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{born:%Y}{ten[2:]}{luhn_digit(ten)}"


def organisationsnummer(nine: int) -> str:
    """``NNNNNN-NNNC`` from the first nine digits (third digit 2 or more, as for every orgnr)."""
    text = f"{nine:09d}"
    if int(text[2]) < 2:
        raise ValueError(f"{text}: an organisationsnummer's third digit is at least 2")
    return f"{text[:6]}-{text[6:]}{luhn_digit(text)}"


class Permutation:
    """A bijection of ``range(size)`` that looks random: ``(a * i + b) % size``.

    Drawing person ``i``'s number as ``permutation(i)`` gives every person a different one
    without remembering which were taken, so chunks can be generated one at a time.
    """

    def __init__(self, size: int, rng: Random) -> None:
        self.size = size
        self.offset = rng.randrange(size)
        # A multiplier near size / golden ratio scatters neighbours; it must be coprime.
        step = max(1, int(size * 0.6180339887)) + rng.randrange(1000)
        while gcd(step, size) != 1:
            step += 1
        self.step = step

    def __call__(self, index: int) -> int:
        if not 0 <= index < self.size:
            raise ValueError(f"index {index} is outside 0-{self.size - 1}")
        return (self.step * index + self.offset) % self.size


def ten_digit(canonical: str) -> str:
    """``YYMMDD-NNNC``, or ``YYMMDD+NNNC`` for someone who has turned 100 (as Swedes write it)."""
    born_year = int(canonical[:4])
    sign = "+" if clock.today().year - born_year >= 100 else "-"
    return f"{canonical[2:8]}{sign}{canonical[8:]}"


def written_forms(canonical: str) -> tuple[str, ...]:
    """The ways people write one personnummer in free text."""
    return (
        ten_digit(canonical),
        f"{canonical[:8]}-{canonical[8:]}",
        canonical,
        canonical[2:],
        f"{canonical[2:8]} {canonical[8:]}",
    )


def phone_forms(national: str) -> dict[str, str]:
    """One Swedish number (``0701740617``) as systems and people write it, by style name."""
    # Stockholm's area code is 08; every other code the demo uses has three digits.
    split = 2 if national.startswith("08") else 3
    area, rest = national[:split], national[split:]
    grouped = _grouped(rest)
    return {
        "national": national,
        "dashed": f"{area}-{grouped}",
        "spaced": f"{area} {grouped}",
        "compact_dash": f"{area}-{rest}",
        "e164": f"+46{national[1:]}",
        "international": f"+46 {area[1:]} {grouped}",
    }


def _grouped(digits: str) -> str:
    """``1740617`` -> ``174 06 17``: the subscriber number in Swedish groups."""
    sizes = {5: (3, 2), 6: (2, 2, 2), 7: (3, 2, 2), 8: (3, 3, 2)}.get(len(digits), (len(digits),))
    groups, start = [], 0
    for size in sizes:
        groups.append(digits[start : start + size])
        start += size
    return " ".join(groups)
