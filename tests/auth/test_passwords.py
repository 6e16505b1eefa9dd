"""Staff passwords: argon2id hashes, a short policy, and messages that never show a password."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from dataskydd.auth import passwords

GOOD = "correct horse battery"


def test_a_hash_is_argon2id_with_rfc_9106_parameters_and_a_fresh_salt() -> None:
    first = passwords.hash_password(GOOD)
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert GOOD not in first
    assert passwords.hash_password(GOOD) != first  # salted


def test_verify_accepts_the_password_and_needs_no_rehash() -> None:
    assert passwords.verify_password(passwords.hash_password(GOOD), GOOD) is False


@pytest.mark.parametrize("given", ["correct horse batter", "", "x" * 2000, GOOD.upper()])
def test_verify_refuses_any_other_password(given: str) -> None:
    with pytest.raises(passwords.WrongPassword) as caught:
        passwords.verify_password(passwords.hash_password(GOOD), given)
    assert given not in str(caught.value) or not given


def test_an_unreadable_stored_hash_matches_nothing() -> None:
    with pytest.raises(passwords.WrongPassword):
        passwords.verify_password("not a hash", GOOD)


def test_a_hash_made_with_other_parameters_asks_for_a_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(GOOD)
    assert passwords.verify_password(old, GOOD) is True


def test_verify_nothing_refuses_quietly() -> None:
    passwords.verify_nothing(GOOD)  # no exception, whatever the password
    passwords.verify_nothing("y" * 5000)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass1", "a password needs at least 12 characters"),
        ("", "a password needs at least 12 characters"),
        ("z" * 1025, "a password can have at most 1024 characters"),
        ("dana.lindqvist", "a password cannot be the username"),
        ("  Dana.Lindqvist ", "a password cannot be the username"),
    ],
)
def test_the_policy_says_which_rule_is_broken_without_the_password(
    password: str, message: str
) -> None:
    with pytest.raises(passwords.PasswordPolicyError) as caught:
        passwords.check_policy(password, "dana.lindqvist")
    assert str(caught.value) == message
    if password.strip():
        assert password.strip() not in str(caught.value)


@pytest.mark.parametrize("password", ["a" * 12, GOOD, "lösenordet är långt", "z" * 1024])
def test_the_policy_accepts_long_enough_passwords_without_composition_rules(
    password: str,
) -> None:
    passwords.check_policy(password, "dana.lindqvist")
