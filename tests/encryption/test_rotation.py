"""After `keys rotate` every request opens with the new key alone; the old key can go."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from dataskydd.cases import answers
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import RequestKind
from dataskydd.cases.sealed import open_request
from dataskydd.cli import app
from dataskydd.encryption import keyring as keyring_module
from dataskydd.encryption.rotation import pending, rotate
from dataskydd.store.case_tables import RightsRequestRecord
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.migrate import upgrade

OLD, NEW = "t1:" + "a7" * 32, "t2:" + "b8" * 32


@pytest.fixture
def engine(store_url: str) -> Engine:
    upgrade(store_url)
    return make_engine(store_url)


def test_every_request_and_answer_is_resealed_and_opens_without_the_old_key(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(engine, write=True) as session:
        ids = [
            submit(session, kind=RequestKind.ACCESS, identities=[("email", f"p{n}@example.se")]).id
            for n in range(5)
        ]
        answers.store_package(session, ids[0], "svar.md", "text/markdown", b"hej")
    monkeypatch.setenv("DATASKYDD_ENCRYPTION_KEYS", f"{NEW},{OLD}")
    keyring_module.reset()
    assert pending(engine) == 6
    done = rotate(engine, actor="test")
    assert (done.requests, done.packages, done.active) == (5, 1, "t2")
    assert pending(engine) == 0
    assert rotate(engine, actor="test").requests == 0  # a second run has nothing to do
    monkeypatch.setenv("DATASKYDD_ENCRYPTION_KEYS", NEW)
    keyring_module.reset()
    with session_scope(engine) as session:
        rows = session.scalars(
            select(RightsRequestRecord).order_by(RightsRequestRecord.received_at)
        ).all()
        assert sorted(open_request(r).identities[0][1] for r in rows) == sorted(
            f"p{n}@example.se" for n in range(5)
        )
    engine.dispose()


def test_the_cli_creates_a_new_embedded_key_and_moves_everything_onto_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATASKYDD_ENCRYPTION_KEYS")
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    keyring_module.reset()
    runner = CliRunner()
    made = runner.invoke(
        app, ["requests", "intake", "--kind", "access", "--identity", "email=anna@example.se"]
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "new active key: k2" in result.output and "1 request(s)" in result.output
    (tmp_path / "keys" / "encryption" / "k1.key").unlink()
    keyring_module.reset()
    shown = runner.invoke(app, ["requests", "list"])
    assert shown.exit_code == 0
