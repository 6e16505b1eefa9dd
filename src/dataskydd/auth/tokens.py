"""API tokens: other systems call the API with ``Authorization: Bearer dsk_…``.

A token is ``dsk_`` and 43 characters of :func:`secrets.token_urlsafe` (256 random bits). It
is shown once, when it is created; the store keeps only its SHA-256. A token carries scopes
(what it may do, :data:`SCOPES`) and is revoked by name; a revoked token is refused on the
very next request, in every API process, because every request looks the token up in the
store: nothing about a token is cached.

Why SHA-256 and not a password hash (argon2, bcrypt): a password hash is slow on purpose,
to make guessing a low-entropy secret from a stolen hash expensive. A token is not guessed:
256 random bits cannot be searched whatever the hash costs, so a fast hash protects a stolen
table as well as a slow one, and lets every request check its token in microseconds.

Why no constant-time comparison: the token is never compared with anything. Its digest is
looked up through the unique index on ``token_hash``; what a timing difference in that
lookup could reveal is something about the digest, from which (SHA-256 being preimage
resistant) nothing about any token follows.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.store.tables import ApiTokenRecord

PREFIX = "dsk_"

# The scopes a token can carry, each with what it allows. Issue 5 adds more.
PERMISSIONS_READ = "permissions:read"
SCOPES: dict[str, str] = {
    PERMISSIONS_READ: "ask the permission check: may purpose P process person X now? "
    "(GET/POST /api/v1/permissions)",
}

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
NAME_RULE = (
    "1 to 80 characters of ASCII letters, digits, '.', '_' and '-', starting with a letter or digit"
)

# Anything longer is not one of ours; refused before it is hashed or looked up.
_MAX_TOKEN_LENGTH = 200


class TokenError(ValueError):
    """A token operation that cannot be done; the message says why (never with a secret)."""


class UnknownScope(TokenError):
    pass


class TokenNameTaken(TokenError):
    pass


class NoSuchToken(TokenError):
    pass


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as the store knows it: everything but the secret (and its digest)."""

    id: int
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A request's token, known and not revoked: who is calling, and what they may do."""

    id: int
    name: str
    scopes: tuple[str, ...]

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just created: its record and the secret, which is never available again."""

    info: TokenInfo
    secret: str


def token_digest(secret: str) -> str:
    """The SHA-256 (hex) under which the store keeps a token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    """The name, if it is a valid token name; :class:`TokenError` saying the rule if not."""
    if not NAME_PATTERN.fullmatch(name):
        raise TokenError(f"a token name is {NAME_RULE}")
    return name


def check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """The scopes in order, without repeats; :class:`UnknownScope` naming the known ones."""
    wanted = tuple(dict.fromkeys(s.strip() for s in scopes))
    if not wanted:
        raise UnknownScope(f"a token needs at least one scope: {', '.join(SCOPES)}")
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown:
        raise UnknownScope(
            f"unknown scope{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"the scopes are: {', '.join(SCOPES)}"
        )
    return wanted


def create(session: Session, name: str, scopes: Iterable[str], *, actor: str) -> NewToken:
    """A new token named ``name`` with ``scopes``; the returned secret is shown once only.

    Open the session with ``write=True`` (the audit entry is appended in it).
    """
    check_name(name)
    wanted = check_scopes(scopes)
    if session.execute(select(ApiTokenRecord.id).where(ApiTokenRecord.name == name)).first():
        raise TokenNameTaken(f"a token named {name!r} exists already (names are never reused)")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRecord(
        name=name, token_hash=token_digest(secret), scopes=list(wanted), created_at=clock.now()
    )
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # created by someone else between our look and our insert
        raise TokenNameTaken(f"a token named {name!r} exists already") from None
    audit_log.append(session, actor, "token.created", {"token": name, "scopes": list(wanted)})
    return NewToken(_info(row), secret)


def list_tokens(session: Session) -> list[TokenInfo]:
    """Every token, revoked ones too, oldest first."""
    rows = session.execute(select(ApiTokenRecord).order_by(ApiTokenRecord.id)).scalars()
    return [_info(row) for row in rows]


def revoke(session: Session, name: str, *, actor: str) -> tuple[TokenInfo, bool]:
    """Revoke the token named ``name``: ``(token, True)``, or ``(token, False)`` if it was already.

    Takes effect on the next request that presents it. Open the session with ``write=True``.
    """
    row = session.execute(
        select(ApiTokenRecord).where(ApiTokenRecord.name == name).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NoSuchToken(f"no token named {name!r} (see: dataskydd token list)")
    if row.revoked_at is not None:
        return _info(row), False
    row.revoked_at = clock.now()
    session.flush()
    audit_log.append(session, actor, "token.revoked", {"token": name})
    return _info(row), True


def verify(session: Session | Connection, secret: str) -> VerifiedToken | None:
    """The token ``secret`` is, if it is known and not revoked; ``None`` otherwise.

    One indexed lookup on every call: a revocation is seen by the next request.
    """
    if not secret.startswith(PREFIX) or len(secret) > _MAX_TOKEN_LENGTH:
        return None
    digest = token_digest(secret)
    connection = session.connection() if isinstance(session, Session) else session
    if connection.dialect.name == "sqlite":
        # The API asks this on every request. SQLAlchemy's statement machinery costs ten times
        # what SQLite does for one indexed row, so the driver is asked directly. The store's
        # SQLite connections run each statement in its own transaction unless one is open
        # (store/engine.py), so this one reads the latest commit.
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(_BY_DIGEST_SQLITE, (digest,))
            found = cursor.fetchone()
        finally:
            cursor.close()
        if found is None:
            return None
        return VerifiedToken(found[0], found[1], tuple(json.loads(found[2])))
    row = connection.execute(_BY_DIGEST, {"digest": digest}).first()
    return None if row is None else VerifiedToken(row.id, row.name, tuple(row.scopes))


# Built once: a request only binds the digest (and SQLAlchemy reuses the compiled form).
_BY_DIGEST = select(ApiTokenRecord.id, ApiTokenRecord.name, ApiTokenRecord.scopes).where(
    ApiTokenRecord.token_hash == bindparam("digest"), ApiTokenRecord.revoked_at.is_(None)
)
_BY_DIGEST_SQLITE = (
    "SELECT id, name, scopes FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL"
)


def _info(row: ApiTokenRecord) -> TokenInfo:
    return TokenInfo(row.id, row.name, tuple(row.scopes), row.created_at, row.revoked_at)
