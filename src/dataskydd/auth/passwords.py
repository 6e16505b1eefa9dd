"""Staff passwords: hashed with argon2id, checked against a short policy.

Why argon2id: a password is a low-entropy secret, so a stolen table of hashes is attacked
by guessing, and the defence is making each guess expensive. Argon2 won the Password
Hashing Competition and is what RFC 9106 and OWASP recommend first. It is memory-hard:
every guess needs the full block of memory, which takes away most of what GPUs and ASICs
gain over a server. The ``id`` variant takes Argon2i's resistance to side channels for its
first pass and Argon2d's resistance to time-memory trade-offs for the rest.

The parameters are RFC 9106's second recommended option (``RFC_9106_LOW_MEMORY``, which is
also argon2-cffi's default): 64 MiB of memory, 3 passes, 4 lanes, a 16-byte random salt
and a 32-byte tag. RFC 9106's first option wants 2 GiB per hash, which a web server that
several staff sign in to at once cannot give. A login costs a few tenths of a second.
Stored hashes carry their parameters, so raising them later is safe: :func:`verify_password`
says when a hash was made with other parameters, and the caller stores a new one.

The policy is deliberately short (NIST SP 800-63B): length is what makes a password hard
to guess, so at least 12 characters and no composition rules; and not the username. No
message ever repeats the password, nor anything about it but the rule it breaks.
"""

from __future__ import annotations

import secrets
from contextlib import suppress
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

MIN_LENGTH = 12
# A form field is not a place for a megabyte: refuse before hashing anything that large.
MAX_LENGTH = 1024
POLICY = f"at least {MIN_LENGTH} characters, and not the username"

_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


class PasswordError(ValueError):
    """A password that cannot be used or does not match; the message never shows it."""


class PasswordPolicyError(PasswordError):
    pass


class WrongPassword(PasswordError):
    pass


def check_policy(password: str, username: str) -> None:
    """Return if ``password`` meets the policy; :class:`PasswordPolicyError` saying which rule if not."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"a password can have at most {MAX_LENGTH} characters")
    if password.strip().casefold() == username.strip().casefold():
        raise PasswordPolicyError("a password cannot be the username")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (PHC string format: it names its parameters and salt)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check ``password`` against ``password_hash``: return whether to store a new hash.

    ``True`` means the password matched but the hash was made with other parameters than
    today's; the caller should replace it with :func:`hash_password` of the same password.
    Raises :class:`WrongPassword` if it does not match (or the stored hash is unreadable).
    """
    if len(password) > MAX_LENGTH:
        # Never hashed as given, yet refused at the same cost: a quick refusal here would
        # tell a known username from an unknown one (see verify_nothing).
        verify_nothing(password)
        raise WrongPassword("wrong password")
    try:
        _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        # VerifyMismatchError is a VerificationError; an unreadable hash matches nothing.
        raise WrongPassword("wrong password") from None
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    # A hash of nothing anyone knows, made once per process with today's parameters.
    return _hasher.hash(secrets.token_urlsafe(32))


def verify_nothing(password: str) -> None:
    """Spend what a real verification costs, for a login that is refused anyway.

    Refusing an unknown username at once would tell an attacker which usernames exist
    (they answer a few tenths of a second later); this makes every refusal cost the same.
    """
    with suppress(VerificationError):
        _hasher.verify(_dummy_hash(), password[:MAX_LENGTH])
