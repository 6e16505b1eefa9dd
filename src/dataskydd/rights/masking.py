"""The values an erasure writes, per column strategy, computed once when the plan is made.

Computing them at planning time is what makes an erasure resumable: a run that is started
again writes exactly the values the first attempt would have, never a hash of a hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

from dataskydd.datamap.schema import Column, ErasureStrategy
from dataskydd.identity.freetext import REDACTED, IdentityMatcher
from dataskydd.identity.keyed import family
from dataskydd.identity.kinds import IdentityError
from dataskydd.identity.normalise import normalise
from dataskydd.keys import hash_key

# A keyed hash as written into a column: a marker and 11 characters (66 bits), so that it
# fits a 12-character personnummer column and reads as what it is.
HASH_MARKER = "~"
HASH_CHARS = 11


def column_hash(column: Column, value: Any, key: bytes | None = None) -> str:
    """The keyed hash a ``keyed_hash`` column gets: equal values give equal hashes.

    An identity is hashed in its canonical form, so the same personnummer written two ways
    in two tables still joins after erasure.
    """
    text = str(value)
    if column.identity is not None:
        # A malformed value is hashed as written: still unreadable.
        with suppress(IdentityError):
            text = f"{family(column.identity)}:{normalise(column.identity, text)}"
    digest = hmac.new(key or hash_key(), text.encode("utf-8"), hashlib.sha256).digest()
    return HASH_MARKER + base64.urlsafe_b64encode(digest).decode("ascii")[:HASH_CHARS]


def is_hashed(value: Any) -> bool:
    return isinstance(value, str) and len(value) == HASH_CHARS + 1 and value[0] == HASH_MARKER


class Redactor:
    """Takes one person out of free text: their identifiers in every written form, their names."""

    def __init__(self, matcher: IdentityMatcher | None, names: Sequence[str] = ()) -> None:
        self.matcher = matcher
        usable = sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True)
        self.names = (
            re.compile("|".join(rf"\b{re.escape(n)}\b" for n in usable), re.IGNORECASE)
            if usable
            else None
        )

    def __call__(self, text: str) -> str:
        if self.matcher is not None:
            text = self.matcher.redact(text, REDACTED)
        if self.names is not None:
            text = self.names.sub(REDACTED, text)
        return text


def erased_value(
    column: Column, value: Any, redact: Callable[[str], str] | None, key: bytes | None = None
) -> tuple[bool, Any]:
    """``(changes, new value)`` for ``column`` holding ``value``; delete_row and keep never change."""
    if value is None:
        return False, None
    strategy = column.erasure
    if strategy is ErasureStrategy.SET_NULL:
        return True, None
    if strategy is ErasureStrategy.REPLACE:
        return value != column.replacement, column.replacement
    if strategy is ErasureStrategy.KEYED_HASH:
        if is_hashed(value):
            return False, value
        return True, column_hash(column, value, key)
    if strategy is ErasureStrategy.REDACT:
        if redact is None or not isinstance(value, str):
            return False, value
        redacted = redact(value)
        return redacted != value, redacted
    return False, value
