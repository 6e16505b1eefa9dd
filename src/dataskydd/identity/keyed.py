"""Identities as keyed hashes: recognisable by whoever holds the key, readable by nobody.

A hash is taken of the canonical form, so every written form of a personnummer (10 or 12
digits, with ``-`` or ``+``) or a phone number is the same hash. Personnummer and
samordningsnummer share a family, as they share columns.
"""

from __future__ import annotations

import hashlib
import hmac

from dataskydd.identity.kinds import NATIONAL_ID_KINDS, IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.keys import hash_key


def keyed_hash(text: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of ``text`` as 64 hex digits."""
    return hmac.new(key or hash_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def family(kind: IdentityKind) -> IdentityKind:
    return IdentityKind.PERSONNUMMER if kind in NATIONAL_ID_KINDS else kind


def identity_hash(kind: IdentityKind, canonical: str, key: bytes | None = None) -> str:
    """The keyed hash of an identity already in canonical form."""
    return keyed_hash(f"{family(kind)}:{canonical}", key)


def hash_written(kind: IdentityKind, written: str, key: bytes | None = None) -> str:
    """The keyed hash of an identity as someone wrote it; raises IdentityError if malformed."""
    return identity_hash(kind, normalise(kind, written), key)
