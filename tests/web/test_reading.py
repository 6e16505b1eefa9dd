"""The API's reads: each sees every commit made before it, and holds nothing open after."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Connection, Engine, text

from dataskydd.auth import tokens
from dataskydd.store.engine import session_scope
from dataskydd.web.reading import Reader


def _token_name(connection: Connection, secret: str) -> str | None:
    found = tokens.verify(connection, secret)
    return None if found is None else found.name


def test_a_revocation_committed_elsewhere_is_seen_by_the_next_read(store_engine: Engine) -> None:
    with session_scope(store_engine, write=True) as session:
        created = tokens.create(session, "crm", [tokens.PERMISSIONS_READ], actor="test")
    reader = Reader(store_engine)
    try:
        assert asyncio.run(reader.run(_token_name, created.secret)) == "crm"
        with session_scope(store_engine, write=True) as session:
            tokens.revoke(session, "crm", actor="test")
        assert asyncio.run(reader.run(_token_name, created.secret)) is None
    finally:
        reader.close()


@pytest.mark.postgres
def test_a_kept_postgresql_connection_is_never_left_inside_a_transaction(
    postgres_url: str,
) -> None:
    from dataskydd.store.engine import make_engine
    from dataskydd.store.migrate import upgrade

    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    reader = Reader(engine, threads=1)
    try:

        def state(connection: Connection) -> tuple[int, str]:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            return pid, str(connection.execute(text("SELECT 1")).scalar_one())

        pid, _ = asyncio.run(reader.run(state))
        with engine.connect() as observer:
            found = observer.execute(
                text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar_one()
        assert found == "idle"  # not "idle in transaction": no snapshot or lock is held
    finally:
        reader.close()
        engine.dispose()
