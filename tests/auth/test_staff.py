"""Staff accounts: sign-in, lockout, sessions and CSRF, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.auth import passwords, staff
from dataskydd.auth.roles import Role
from dataskydd.store.case_tables import StaffSessionRecord, StaffUserRecord
from dataskydd.store.engine import make_engine, session_scope

PASSWORD = "lingonberry jam 1987"
WRONG = "cloudberry jam 1987"
START = "2027-03-01T09:00"


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with 1 MiB and 1 pass, for tests that sign in many times (the logic is the same)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: cheap.hash("nothing anyone knows"))


def add(engine: Engine, username: str = "anna", role: str = "handler") -> staff.StaffUser:
    with session_scope(engine, write=True) as session:
        return staff.create_user(session, username, "Anna Berg", role, PASSWORD, actor="dpo")


def login(engine: Engine, username: str = "anna", password: str = PASSWORD) -> staff.StaffUser:
    with session_scope(engine, write=True) as session:
        return staff.authenticate(session, username, password)


def refused(engine: Engine, username: str = "anna", password: str = WRONG) -> str:
    with pytest.raises(staff.LoginFailed) as caught:
        login(engine, username, password)
    return str(caught.value)


def new_session(engine: Engine, user: staff.StaffUser, **kwargs: timedelta) -> str:
    with session_scope(engine, write=True) as session:
        return staff.start_session(session, user, **kwargs)


def who(engine: Engine, token: str) -> staff.StaffUser | None:
    with session_scope(engine) as session:
        return staff.session_user(session, token)


def audit(engine: Engine) -> list[audit_log.AuditEntry]:
    with session_scope(engine) as session:
        return list(audit_log.entries(session, action_prefix="staff."))


def test_a_created_user_signs_in_with_their_password(store_engine: Engine) -> None:
    created = add(store_engine, "Anna")
    assert created == staff.StaffUser(created.id, "anna", "Anna Berg", Role.HANDLER)
    assert login(store_engine, " ANNA ", PASSWORD) == created  # usernames ignore case
    with session_scope(store_engine) as session:
        stored = session.scalars(select(StaffUserRecord)).one()
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


@pytest.mark.parametrize(
    ("username", "name", "role", "password", "message"),
    [
        ("anna berg", "Anna", "handler", PASSWORD, "a username is 1 to 80 characters"),
        ("bengt", "  ", "handler", PASSWORD, "needs a display name"),
        ("bengt", "Bengt", "admin", PASSWORD, "'admin' is not a role"),
        ("bengt", "Bengt", "dpo", "too short", "at least 12 characters"),
        ("bengt.nilsson", "Bengt", "dpo", "Bengt.Nilsson", "cannot be the username"),
        ("ANNA", "Anna again", "dpo", PASSWORD, "a user named 'anna' exists already"),
    ],
)
def test_create_refuses_what_is_wrong_and_says_why(
    store_engine: Engine, username: str, name: str, role: str, password: str, message: str
) -> None:
    add(store_engine, "anna")
    with pytest.raises(ValueError, match=message), session_scope(store_engine, write=True) as s:
        staff.create_user(s, username, name, role, password, actor="dpo")


def test_five_failures_lock_the_account_for_fifteen_minutes(
    store_engine: Engine, cheap_hashing: None
) -> None:
    add(store_engine)
    with clock.frozen_at(START):
        for _ in range(4):
            refused(store_engine)
        login(store_engine)  # the fifth try is right: the count starts again
        for _ in range(5):
            refused(store_engine)
        refused(store_engine, password=PASSWORD)  # locked: even the right password fails
    with clock.frozen_at(clock.parse_instant(START) + timedelta(minutes=14, seconds=59)):
        refused(store_engine, password=PASSWORD)
    with clock.frozen_at(clock.parse_instant(START) + timedelta(minutes=15)):
        assert login(store_engine).username == "anna"
    with session_scope(store_engine) as session:
        row = session.scalars(select(StaffUserRecord)).one()
    assert row.failed_logins == 0 and row.locked_until is None
    actions = [e.action for e in audit(store_engine)]
    assert actions.count("staff.locked") == 1 and actions.count("staff.login") == 2


def test_failures_are_counted_in_the_store_across_processes(
    store_url: str, cheap_hashing: None
) -> None:
    first = make_engine(store_url)
    second = make_engine(store_url)  # another worker, with its own connections
    try:
        from dataskydd.store.migrate import upgrade

        upgrade(store_url)
        add(first)
        for engine in (first, second, first, second, first):
            refused(engine)
        refused(second, password=PASSWORD)
        with session_scope(second) as session:
            accounts = staff.list_users(session)
        assert accounts[0].locked()
    finally:
        first.dispose()
        second.dispose()


def test_every_refusal_says_the_same_but_the_audit_log_says_which(
    store_engine: Engine, cheap_hashing: None
) -> None:
    add(store_engine, "anna")
    add(store_engine, "bengt")
    messages = {
        refused(store_engine, "nobody", PASSWORD),
        refused(store_engine, "anna", WRONG),
        refused(store_engine, "this is not a username!", PASSWORD),
    }
    for _ in range(5):
        refused(store_engine, "bengt", WRONG)
    messages.add(refused(store_engine, "bengt", PASSWORD))
    with session_scope(store_engine, write=True) as session:
        staff.disable_user(session, "anna", actor="dpo")
    messages.add(refused(store_engine, "anna", PASSWORD))
    assert messages == {"wrong username or password, or the account is locked"}
    failed = [e for e in audit(store_engine) if e.action == "staff.login_failed"]
    reasons = [(e.actor, e.details["reason"]) for e in failed]
    assert reasons[:3] == [
        ("nobody", "unknown_user"),
        ("anna", "wrong_password"),
        (staff.NOT_A_USERNAME, "unknown_user"),
    ]
    assert reasons[-2:] == [("bengt", "locked"), ("anna", "disabled")]


def test_refusals_without_a_password_check_still_cost_one(
    store_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = passwords.verify_nothing

    def counted(password: str) -> None:
        calls.append("dummy")
        real(password)

    monkeypatch.setattr(passwords, "verify_nothing", counted)
    add(store_engine)
    refused(store_engine, "nobody", PASSWORD)
    with session_scope(store_engine, write=True) as session:
        staff.disable_user(session, "anna", actor="dpo")
    refused(store_engine, "anna", PASSWORD)
    assert calls == ["dummy", "dummy"]


def test_no_audit_entry_holds_a_password_or_a_session_token(store_engine: Engine) -> None:
    user = add(store_engine)
    refused(store_engine, "anna", WRONG)
    refused(store_engine, "nobody", WRONG)
    token = new_session(store_engine, login(store_engine))
    with session_scope(store_engine, write=True) as session:
        staff.end_session(session, token)
        staff.set_password(session, "anna", "a new password 2027", actor="anna")
        staff.disable_user(session, "anna", actor="dpo")
    entries = audit(store_engine)
    assert {e.action for e in entries} == {
        "staff.created",
        "staff.login",
        "staff.login_failed",
        "staff.logout",
        "staff.password_set",
        "staff.disabled",
    }
    text = json.dumps([[e.actor, e.details] for e in entries])
    for secret in (
        PASSWORD,
        WRONG,
        "a new password 2027",
        token,
        hashlib.sha256(token.encode()).hexdigest(),
    ):
        assert secret not in text
    assert all(e.details["username"] in {user.username, "nobody"} for e in entries)


def test_a_session_is_stored_as_its_sha256_and_ends_after_eight_hours(
    store_engine: Engine,
) -> None:
    user = add(store_engine)
    with clock.frozen_at(START):
        token = new_session(store_engine, user)
        assert len(token) == 43 and who(store_engine, token) == user
    with session_scope(store_engine) as session:
        stored = session.scalars(select(StaffSessionRecord)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with clock.frozen_at(clock.parse_instant(START) + timedelta(hours=7, minutes=59)):
        assert who(store_engine, token) == user
    with clock.frozen_at(clock.parse_instant(START) + timedelta(hours=8)):
        assert who(store_engine, token) is None
    assert who(store_engine, "") is None and who(store_engine, "x" * 500) is None
    assert who(store_engine, token[:-1]) is None


def test_the_session_lifetime_can_be_set(store_engine: Engine) -> None:
    user = add(store_engine)
    with clock.frozen_at(START):
        token = new_session(store_engine, user, lifetime=timedelta(minutes=30))
    with clock.frozen_at(clock.parse_instant(START) + timedelta(minutes=30)):
        assert who(store_engine, token) is None


def test_signing_out_ends_the_session(store_engine: Engine) -> None:
    token = new_session(store_engine, add(store_engine))
    with session_scope(store_engine, write=True) as session:
        assert staff.end_session(session, token) is True
        assert staff.end_session(session, token) is False
    assert who(store_engine, token) is None
    assert [e.actor for e in audit(store_engine) if e.action == "staff.logout"] == ["anna"]


def test_a_disabled_users_sessions_stop_working_at_once(store_engine: Engine) -> None:
    user = add(store_engine)
    token = new_session(store_engine, user)
    with session_scope(store_engine, write=True) as session:
        assert staff.disable_user(session, "anna", actor="dpo") == (user, True)
        assert staff.disable_user(session, "anna", actor="dpo") == (user, False)
    assert who(store_engine, token) is None
    refused(store_engine, password=PASSWORD)
    with pytest.raises(staff.NoSuchUser), session_scope(store_engine, write=True) as session:
        staff.disable_user(session, "nobody", actor="dpo")


def test_a_new_password_unlocks_the_account_and_ends_its_sessions(
    store_engine: Engine, cheap_hashing: None
) -> None:
    user = add(store_engine)
    token = new_session(store_engine, user)
    for _ in range(5):
        refused(store_engine)
    with session_scope(store_engine, write=True) as session:
        staff.set_password(session, "anna", "a new password 2027", actor="dpo")
    assert who(store_engine, token) is None
    refused(store_engine, password=PASSWORD)
    assert login(store_engine, password="a new password 2027") == user
    with pytest.raises(passwords.PasswordPolicyError), session_scope(store_engine, write=True) as s:
        staff.set_password(s, "anna", "anna", actor="dpo")


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(store_engine: Engine) -> None:
    add(store_engine)
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with session_scope(store_engine, write=True) as session:
        session.scalars(select(StaffUserRecord)).one().password_hash = old
    login(store_engine)
    with session_scope(store_engine) as session:
        renewed = session.scalars(select(StaffUserRecord)).one().password_hash
    assert renewed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_list_users_shows_every_account_and_its_state(store_engine: Engine) -> None:
    add(store_engine, "anna")
    add(store_engine, "erik", "engineer")
    with session_scope(store_engine, write=True) as session:
        staff.disable_user(session, "erik", actor="dpo")
        accounts = staff.list_users(session)
    assert [(a.user.username, a.user.role) for a in accounts] == [
        ("anna", Role.HANDLER),
        ("erik", Role.ENGINEER),
    ]
    assert accounts[0].disabled_at is None and accounts[1].disabled_at is not None


def test_the_csrf_token_is_bound_to_its_session() -> None:
    first, second = "session-one-" + "a" * 31, "session-two-" + "b" * 31
    token = staff.csrf_token(first)
    assert len(token) == 64 and token == staff.csrf_token(first)
    assert token not in (first, hashlib.sha256(first.encode()).hexdigest())
    assert staff.check_csrf(first, token)
    assert not staff.check_csrf(second, token)
    assert not staff.check_csrf(first, staff.csrf_token(second))
    for given in (None, "", token[:-1], token.upper(), token + "0", "ö" * 64):
        assert not staff.check_csrf(first, given)
    assert not staff.check_csrf("", staff.csrf_token(""))
