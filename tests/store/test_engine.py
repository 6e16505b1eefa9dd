"""Engines and sessions: SQLite settings, PostgreSQL pooling, units of work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from dataskydd.store.engine import display_url, make_engine, session_scope
from dataskydd.store.tables import ProgrammeVersionRow


def test_sqlite_is_tuned_for_concurrent_use(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'dir' / 'store.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        assert (tmp_path / "deep" / "dir" / "store.db").exists()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_pings_pooled_connections(postgres_url: str) -> None:
    engine = make_engine(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        assert engine.dialect.driver == "psycopg"
        assert engine.pool._pre_ping
    finally:
        engine.dispose()


def test_display_url_hides_the_password() -> None:
    assert display_url("postgresql://app:secret@db/x") == "postgresql+psycopg://app:***@db/x"


def _row(published_at: datetime) -> ProgrammeVersionRow:
    return ProgrammeVersionRow(
        programme_key="p",
        version="1",
        effective_date=published_at.date(),
        significant_change=False,
        published_at=published_at,
        published_by="test",
        content={"a": 1},
        content_sha256="0" * 64,
        notice_sv="sv",
        notice_en="en",
    )


def test_session_scope_commits_or_rolls_back(store_engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(store_engine) as session:
        session.add(_row(datetime(2027, 1, 1, tzinfo=UTC)))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(store_engine) as session:
        assert session.scalars(select(ProgrammeVersionRow)).all() == []
        session.add(_row(datetime(2027, 1, 1, tzinfo=UTC)))
    with session_scope(store_engine) as session:
        assert len(session.scalars(select(ProgrammeVersionRow)).all()) == 1


def test_instants_come_back_aware_in_utc(store_engine: Engine) -> None:
    stockholm_noon = datetime(2027, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with session_scope(store_engine) as session:
        session.add(_row(stockholm_noon))
    with session_scope(store_engine) as session:
        stored = session.scalars(select(ProgrammeVersionRow)).one().published_at
    assert stored == stockholm_noon
    assert stored.tzinfo == UTC
    assert stored.hour == 10


def test_naive_instants_are_refused(store_engine: Engine) -> None:
    with pytest.raises(Exception, match="naive datetime"), session_scope(store_engine) as session:
        session.add(_row(datetime(2027, 1, 1)))
