"""``dataskydd db ...`` and ``dataskydd programme publish|versions``, on both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataskydd.cli import app
from dataskydd.store import migrate

MINIMAL = str(Path(__file__).parents[1] / "fixtures" / "minimal")

runner = CliRunner()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI at an empty store: SQLite in the data directory, or PostgreSQL."""
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATASKYDD_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATASKYDD_DATABASE_URL_FILE", raising=False)
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        # Plain postgresql:// as an operator would write it; the store picks psycopg 3.
        monkeypatch.setenv("DATASKYDD_DATABASE_URL", url.replace("postgresql+psycopg://", "postgresql://"))
    return str(request.param)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def test_db_upgrade_twice_is_fine(store: str, tmp_path: Path) -> None:
    code, out = invoke("db", "current")
    assert code == 0 and "empty" in out

    code, out = invoke("db", "upgrade")
    assert code == 0, out
    assert f"migrated from empty to {migrate.head()}" in out
    code, out = invoke("db", "upgrade")
    assert code == 0, out
    assert "up to date" in out

    code, out = invoke("db", "current")
    assert code == 0 and f"{migrate.head()} (head)" in out
    if store == "sqlite":
        assert (tmp_path / "dataskydd.db").exists()


def test_publish_then_list(store: str) -> None:
    code, out = invoke("programme", "versions")
    assert code == 0 and "No versions published yet" in out

    code, out = invoke("--now", "2027-01-01", "programme", "publish", MINIMAL, "--by", "Dana")
    assert code == 0, out
    assert "published 'minimal' version 1, in effect from 2024-01-01" in out

    code, out = invoke("programme", "publish", MINIMAL)
    assert code == 0, out
    assert "already published" in out and "by Dana" in out

    code, out = invoke("--now", "2027-01-01", "programme", "versions")
    assert code == 0, out
    assert "Published versions of 'minimal' (as of 2027-01-01)" in out
    assert "2024-01-01" in out and "in effect" in out and "Dana" in out
    assert "2027-01-01 00:00" in out  # published at midnight, shown in Stockholm time


def test_publish_other_content_under_the_same_version_fails(store: str) -> None:
    assert invoke("programme", "publish", MINIMAL)[0] == 0
    code, out = invoke("programme", "publish", MINIMAL, "--significant")
    assert code == 1
    assert "version 1 is already published with other content; raise notice.version" in out


def test_publish_an_invalid_programme_fails_before_touching_the_store(
    store: str, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("programme: {key: x}\n", encoding="utf-8")
    code, _ = invoke("programme", "publish", str(broken))
    assert code == 1
    assert "empty" in invoke("db", "current")[1]


def test_an_unreachable_store_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATASKYDD_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/none")
    code, out = invoke("db", "current")
    assert code == 2
    assert "the app store at postgresql+psycopg://nobody:***@127.0.0.1:1/none failed" in out
    assert "secret" not in out


def test_an_unparseable_store_url_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATASKYDD_DATABASE_URL", "postgresql//nobody:secret@host")
    code, out = invoke("db", "upgrade")
    assert code == 2
    assert "cannot be parsed" in out and "secret" not in out
