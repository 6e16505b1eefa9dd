"""Staff accounts for the admin console: who signs in, as which role, and for how long.

Passwords are argon2id hashes (``passwords.py``). A sign-in that fails says the same thing
whatever the reason, :data:`LOGIN_FAILED`, and costs the same time: an unknown username
is checked against a dummy hash. Only the audit log tells the reasons apart
(``staff.login_failed`` with ``reason``), and it never holds a password or a token.

Lockout: after :data:`MAX_FAILURES` wrong passwords in a row an account is locked for
:data:`LOCKOUT`. The count and the lock live in the user's row, updated under a row lock,
so they hold across every worker and process; a failed attempt is committed before the
error is raised, so a caller's rollback cannot undo it. Call :func:`authenticate` in a
session of its own, opened with ``write=True``.

A session is 256 random bits (:func:`secrets.token_urlsafe`), given to the browser once;
the store keeps its SHA-256, as for API tokens (``tokens.py`` says why a fast hash is
right for random secrets). It ends :data:`SESSION_LIFETIME` after sign-in however active
it is, at sign-out, or when the account is disabled or its password changed. The CSRF
token is an HMAC of the session token under the platform key, so it needs no storage, is
bound to one session, and is useless to anyone who has not also got that session.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.auth import passwords
from dataskydd.auth.roles import Role, parse_role
from dataskydd.keys import hash_key
from dataskydd.store.case_tables import StaffSessionRecord, StaffUserRecord

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
LOGIN_FAILED = "wrong username or password, or the account is locked"

# Usernames are compared in lower case, so "Dana" and "dana" are one account.
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,79}")
USERNAME_RULE = (
    "1 to 80 characters of letters a-z, digits, '.', '_', '@' and '-', "
    "starting with a letter or digit"
)
# Recorded as the actor of a failed sign-in whose username breaks the rule: what was typed
# may be a password in the wrong field, and the audit log must never hold one.
NOT_A_USERNAME = "(not a valid username)"

# Domain separation: no other keyed hash under the platform key starts like this.
_CSRF_PREFIX = b"dataskydd-csrf-v1:"
_MAX_TOKEN_LENGTH = 200


class StaffError(ValueError):
    """A staff-account operation that cannot be done; the message says why, never a secret."""


class UsernameTaken(StaffError):
    pass


class NoSuchUser(StaffError):
    pass


class LoginFailed(StaffError):
    """A refused sign-in: always the same message, whatever the reason."""

    def __init__(self) -> None:
        super().__init__(LOGIN_FAILED)


@dataclass(frozen=True, slots=True)
class StaffUser:
    """A signed-in member of staff: who they are and what role they act in."""

    id: int
    username: str
    display_name: str
    role: Role


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """An account as :func:`list_users` shows it: never its password hash."""

    user: StaffUser
    created_at: datetime
    disabled_at: datetime | None
    locked_until: datetime | None

    def locked(self, at: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (at or clock.now())


def check_username(username: str) -> str:
    """The username in lower case, if valid; :class:`StaffError` stating the rule if not."""
    name = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        raise StaffError(f"a username is {USERNAME_RULE}")
    return name


def create_user(
    session: Session,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    *,
    actor: str,
) -> StaffUser:
    """A new account; ``actor`` is who creates it. Open the session with ``write=True``.

    Raises :class:`StaffError` (or ``PasswordPolicyError``) saying what is wrong.
    """
    name = check_username(username)
    shown = display_name.strip()
    if not shown:
        raise StaffError("a member of staff needs a display name")
    try:
        chosen = parse_role(str(role))
    except ValueError as error:
        raise StaffError(str(error)) from None
    passwords.check_policy(password, name)
    if session.execute(select(StaffUserRecord.id).where(StaffUserRecord.username == name)).first():
        raise UsernameTaken(f"a user named {name!r} exists already")
    row = StaffUserRecord(
        username=name,
        display_name=shown,
        role=chosen.value,
        password_hash=passwords.hash_password(password),
        failed_logins=0,
        created_at=clock.now(),
    )
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # created by someone else between our look and our insert
        raise UsernameTaken(f"a user named {name!r} exists already") from None
    audit_log.append(session, actor, "staff.created", {"username": name, "role": chosen.value})
    return _user(row)


def set_password(session: Session, username: str, password: str, *, actor: str) -> StaffUser:
    """Give the account a new password: it is unlocked and every session of it ends."""
    row = _locked_row(session, username)
    passwords.check_policy(password, row.username)
    row.password_hash = passwords.hash_password(password)
    row.failed_logins = 0
    row.locked_until = None
    ended = _end_sessions_of(session, row.id)
    audit_log.append(
        session, actor, "staff.password_set", {"username": row.username, "sessions_ended": ended}
    )
    return _user(row)


def disable_user(session: Session, username: str, *, actor: str) -> tuple[StaffUser, bool]:
    """Disable the account and end its sessions: ``(user, False)`` if it was already disabled."""
    row = _locked_row(session, username)
    if row.disabled_at is not None:
        return _user(row), False
    row.disabled_at = clock.now()
    ended = _end_sessions_of(session, row.id)
    audit_log.append(
        session, actor, "staff.disabled", {"username": row.username, "sessions_ended": ended}
    )
    return _user(row), True


def list_users(session: Session) -> list[StaffAccount]:
    """Every account, disabled ones too, oldest first."""
    rows = session.execute(select(StaffUserRecord).order_by(StaffUserRecord.id)).scalars()
    return [StaffAccount(_user(r), r.created_at, r.disabled_at, r.locked_until) for r in rows]


def authenticate(session: Session, username: str, password: str) -> StaffUser:
    """The user whose password this is; :class:`LoginFailed` (one message for all) if not.

    Every refusal is audited with its reason and committed before it is raised.
    """
    now = clock.now()
    name = username.strip().lower()
    valid = USERNAME_PATTERN.fullmatch(name) is not None
    row = None
    if valid:
        row = session.scalars(
            select(StaffUserRecord).where(StaffUserRecord.username == name)
        ).first()
    if row is None or row.disabled_at is not None or _is_locked(row, now):
        passwords.verify_nothing(password)  # the same cost as checking a real password
        if row is None:
            _refuse(session, name if valid else NOT_A_USERNAME, "unknown_user")
        _refuse(session, row.username, "disabled" if row.disabled_at else "locked")
    try:
        rehash = passwords.verify_password(row.password_hash, password)
    except passwords.WrongPassword:
        _count_failure(session, row.username, now)
    # Read again under the row lock: another worker may have locked it meanwhile.
    row = _locked_row(session, name)
    if row.disabled_at is not None or _is_locked(row, now):
        _refuse(session, row.username, "disabled" if row.disabled_at else "locked")
    row.failed_logins = 0
    row.locked_until = None
    if rehash:  # hashed with older parameters: store one made with today's
        row.password_hash = passwords.hash_password(password)
    audit_log.append(session, row.username, "staff.login", {"username": row.username})
    return _user(row)


def start_session(
    session: Session, user: StaffUser, *, lifetime: timedelta = SESSION_LIFETIME
) -> str:
    """A new session for ``user`` (after :func:`authenticate`); the token goes to the browser.

    It expires ``lifetime`` after now, however active it is (the console passes its setting).
    """
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        StaffSessionRecord(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def session_user(session: Session, token: str) -> StaffUser | None:
    """Who holds session ``token``; ``None`` if it is unknown, expired, or its user disabled."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    found = session.execute(
        select(StaffUserRecord, StaffSessionRecord.expires_at)
        .join(StaffSessionRecord, StaffSessionRecord.user_id == StaffUserRecord.id)
        .where(StaffSessionRecord.token_hash == _digest(token))
    ).first()
    if found is None:
        return None
    row, expires_at = found
    if expires_at <= clock.now() or row.disabled_at is not None:
        return None
    return _user(row)


def end_session(session: Session, token: str) -> bool:
    """Sign out: forget session ``token``. ``False`` if there was no such session."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return False
    record = session.get(StaffSessionRecord, _digest(token))
    if record is None:
        return False
    username = session.get_one(StaffUserRecord, record.user_id).username
    session.delete(record)
    session.flush()
    audit_log.append(session, username, "staff.logout", {"username": username})
    return True


def csrf_token(session_token: str) -> str:
    """The CSRF token for pages of session ``session_token``: HMAC-SHA256 under the platform key."""
    message = _CSRF_PREFIX + session_token.encode("utf-8")
    return hmac.new(hash_key(), message, hashlib.sha256).hexdigest()


def check_csrf(session_token: str, given: str | None) -> bool:
    """Whether ``given`` is the CSRF token of session ``session_token`` (compared in constant time)."""
    if not session_token or not given:
        return False
    expected = csrf_token(session_token).encode("ascii")
    return hmac.compare_digest(expected, given.encode("utf-8", "replace"))


# -- the rest ------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: StaffUserRecord) -> StaffUser:
    return StaffUser(row.id, row.username, row.display_name, Role(row.role))


def _is_locked(row: StaffUserRecord, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def _locked_row(session: Session, username: str) -> StaffUserRecord:
    """The account's row, read afresh and locked until the transaction ends."""
    name = username.strip().lower()
    row = session.scalars(
        select(StaffUserRecord)
        .where(StaffUserRecord.username == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NoSuchUser(f"no user named {name!r} (see: dataskydd staff list)")
    return row


def _count_failure(session: Session, username: str, now: datetime) -> NoReturn:
    # Counted under the row lock, so concurrent wrong guesses in several workers each count.
    row = _locked_row(session, username)
    if _is_locked(row, now):  # locked by another worker since we looked
        _refuse(session, row.username, "locked")
    failures = row.failed_logins + 1
    # At the limit the account locks and the count starts again: MAX_FAILURES more tries after.
    locks = failures >= MAX_FAILURES
    row.failed_logins = 0 if locks else failures
    details = {"username": row.username, "reason": "wrong_password", "failures": failures}
    audit_log.append(session, row.username, "staff.login_failed", details)
    if locks:
        row.locked_until = now + LOCKOUT
        details = {"username": row.username, "until": row.locked_until.isoformat()}
        audit_log.append(session, row.username, "staff.locked", details)
    session.commit()
    raise LoginFailed()


def _refuse(session: Session, actor: str, reason: str) -> NoReturn:
    audit_log.append(session, actor, "staff.login_failed", {"username": actor, "reason": reason})
    session.commit()  # the record of the attempt survives the caller's rollback
    raise LoginFailed()


def _end_sessions_of(session: Session, user_id: int) -> int:
    ended = session.execute(delete(StaffSessionRecord).where(StaffSessionRecord.user_id == user_id))
    return max(cast("CursorResult[Any]", ended).rowcount, 0)
