"""API tokens: shown once, kept as a digest, refused from the moment they are revoked."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine, select

from dataskydd.audit import log as audit_log
from dataskydd.auth import tokens
from dataskydd.store.engine import session_scope
from dataskydd.store.tables import ApiTokenRecord

READ = tokens.PERMISSIONS_READ


def create(engine: Engine, name: str = "crm", scopes: tuple[str, ...] = (READ,)) -> tokens.NewToken:
    with session_scope(engine, write=True) as session:
        return tokens.create(session, name, scopes, actor="Dana")


def verify(engine: Engine, secret: str) -> tokens.VerifiedToken | None:
    with engine.connect() as connection:
        return tokens.verify(connection, secret)


def test_a_new_token_is_a_long_random_secret_and_the_store_keeps_only_its_sha256(
    store_engine: Engine,
) -> None:
    created = create(store_engine)
    assert created.secret.startswith("dsk_")
    assert len(created.secret) == len("dsk_") + 43  # token_urlsafe(32): 256 random bits
    assert created.secret != create(store_engine, "billing").secret
    with session_scope(store_engine) as session:
        row = session.execute(
            select(ApiTokenRecord).where(ApiTokenRecord.name == "crm")
        ).scalar_one()
    assert row.token_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in repr(row.__dict__)
    assert created.info.scopes == (READ,) and not created.info.revoked


def test_a_known_token_is_verified_with_its_scopes(store_engine: Engine) -> None:
    created = create(store_engine)
    found = verify(store_engine, created.secret)
    assert found is not None
    assert (found.name, found.scopes) == ("crm", (READ,))
    assert found.allows(READ) and not found.allows("audit:read")


@pytest.mark.parametrize(
    "presented",
    ["", "dsk_", "dsk_not-a-token-we-made", "Bearer dsk_x", "x" * 10_000, "dsk_" + "a" * 500],
)
def test_anything_else_is_not_a_token(store_engine: Engine, presented: str) -> None:
    create(store_engine)
    assert verify(store_engine, presented) is None


def test_a_token_with_one_character_changed_is_refused(store_engine: Engine) -> None:
    secret = create(store_engine).secret
    changed = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert verify(store_engine, changed) is None


def test_a_revoked_token_is_refused_on_the_next_verification(store_engine: Engine) -> None:
    secret = create(store_engine).secret
    with store_engine.connect() as kept:  # one connection, as the API keeps one per thread
        assert tokens.verify(kept, secret) is not None
        kept.rollback()
        with session_scope(store_engine, write=True) as session:
            revoked, changed = tokens.revoke(session, "crm", actor="Dana")
        assert changed and revoked.revoked_at is not None
        assert tokens.verify(kept, secret) is None


def test_revoking_twice_is_not_an_error_and_keeps_the_first_instant(store_engine: Engine) -> None:
    create(store_engine)
    with session_scope(store_engine, write=True) as session:
        first, _ = tokens.revoke(session, "crm", actor="Dana")
    with session_scope(store_engine, write=True) as session:
        again, changed = tokens.revoke(session, "crm", actor="Dana")
    assert not changed and again.revoked_at == first.revoked_at


def test_revoking_an_unknown_name_says_so(store_engine: Engine) -> None:
    with (
        session_scope(store_engine, write=True) as session,
        pytest.raises(tokens.NoSuchToken, match="no token named 'nobody'"),
    ):
        tokens.revoke(session, "nobody", actor="Dana")


def test_the_list_shows_every_token_and_never_a_secret(store_engine: Engine) -> None:
    one = create(store_engine, "crm")
    create(store_engine, "billing")
    with session_scope(store_engine, write=True) as session:
        tokens.revoke(session, "crm", actor="Dana")
    with session_scope(store_engine) as session:
        listed = tokens.list_tokens(session)
    assert [(t.name, t.revoked) for t in listed] == [("crm", True), ("billing", False)]
    assert not hasattr(listed[0], "token_hash") and not hasattr(listed[0], "secret")
    assert one.secret not in repr(listed)


@pytest.mark.parametrize("name", ["", " crm", "crm system", ".hidden", "-x", "å", "x" * 81])
def test_a_name_must_follow_the_rule(store_engine: Engine, name: str) -> None:
    with pytest.raises(tokens.TokenError, match="a token name is 1 to 80 characters"):
        create(store_engine, name)


def test_a_name_is_never_reused(store_engine: Engine) -> None:
    create(store_engine, "crm")
    with session_scope(store_engine, write=True) as session:
        tokens.revoke(session, "crm", actor="Dana")
    with pytest.raises(tokens.TokenNameTaken, match="a token named 'crm' exists already"):
        create(store_engine, "crm")


def test_scopes_come_from_the_vocabulary(store_engine: Engine) -> None:
    with pytest.raises(
        tokens.UnknownScope, match="unknown scope 'admin'; the scopes are: permissions:read"
    ):
        create(store_engine, scopes=("admin",))
    with pytest.raises(tokens.UnknownScope, match="at least one scope"):
        create(store_engine, scopes=())
    assert create(store_engine, scopes=(READ, READ)).info.scopes == (READ,)


def test_creating_and_revoking_are_audited_without_the_secret(store_engine: Engine) -> None:
    secret = create(store_engine).secret
    with session_scope(store_engine, write=True) as session:
        tokens.revoke(session, "crm", actor="Erik")
    with session_scope(store_engine) as session:
        entries = [(e.actor, e.action, dict(e.details)) for e in audit_log.entries(session)]
    assert entries == [
        ("Dana", "token.created", {"token": "crm", "scopes": [READ]}),
        ("Erik", "token.revoked", {"token": "crm"}),
    ]
    assert secret not in repr(entries)
