"""Identities as a caller gives them (API query, CLI options): validated, named, never echoed.

A malformed identity is reported with the name of the field it came in and the reason it
is malformed, with any quoted fragment of the value taken out of the reason, so that an
error message, a log line or an HTTP response never carries the personal data it rejects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise

Canonical = tuple[IdentityKind, str]

_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


class GivenIdentityError(ValueError):
    """A malformed identity in ``field``; ``reason`` holds no part of the value."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def redacted_reason(error: IdentityError) -> str:
    """The error's reason without quoted fragments of the value (a lone character stays)."""
    value = str(error.value).casefold()

    def scrub(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        if len(inner) > 1 and inner.casefold() in value:
            return "(…)"
        return match.group(0)

    return _QUOTED.sub(scrub, error.reason)


def parse_given(given: Iterable[tuple[str, IdentityKind, str | None]]) -> list[Canonical]:
    """``(field, kind, text)`` triples to canonical identities; ``None`` texts are skipped.

    Raises :class:`GivenIdentityError` for the first malformed one.
    """
    identities: list[Canonical] = []
    for field, kind, text in given:
        if text is None:
            continue
        try:
            identities.append((kind, normalise(kind, text)))
        except IdentityError as error:
            raise GivenIdentityError(field, redacted_reason(error)) from None
    return identities
