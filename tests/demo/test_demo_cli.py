"""``dataskydd demo``: builds the estate, says where it is and whom to look for, then serves."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dataskydd import clock
from dataskydd.cli import app
from dataskydd.programme import load_template
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.versions import list_versions

runner = CliRunner()


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh data directory; the variables the command sets are undone afterwards."""
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    for name in (
        "DATASKYDD_DATABASE_URL",
        "DATASKYDD_PROGRAMME",
        "DATASKYDD_DATAMAP",
        "DATASKYDD_PORT",
        *(
            f"DATASKYDD_DEMO_{key}_URL"
            for key in ("CORE", "CRM", "MARKETING", "RECRUITMENT", "WEBSITE")
        ),
    ):
        monkeypatch.delenv(name, raising=False)
    clock.set_now("2026-11-26")
    return tmp_path


def demo(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["demo", *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_demo_builds_the_estate_and_tells_whom_to_look_for(data_dir: Path) -> None:
    code, out = demo("--no-serve", "--persons", "200")
    assert code == 0, out
    assert "built the demo estate: 200 persons" in out
    assert f"data map: {data_dir / 'datamap'}" in out
    assert "Anna Lindqvist, personnummer 780523-9824" in out
    assert "Karl Berglund" in out
    assert (
        f"dataskydd access --personnummer 780523-9824 --datamap {data_dir / 'datamap'} "
        "--out answer.zip"
    ) in out
    assert sorted(p.name for p in (data_dir / "datamap").iterdir())[0] == "core.yaml"
    assert os.environ["DATASKYDD_DATAMAP"] == str(data_dir / "datamap")


def test_demo_publishes_the_bundled_programme_even_without_serving(data_dir: Path) -> None:
    code, out = demo("--no-serve", "--persons", "200")
    assert code == 0, out
    engine = make_engine(f"sqlite:///{data_dir / 'dataskydd.db'}")
    try:
        with session_scope(engine) as session:
            published = list_versions(session, load_template().programme.key)
    finally:
        engine.dispose()
    assert [v.version for v in published] == [load_template().notice.version]


def test_demo_again_is_a_no_op_and_another_size_needs_rebuild(data_dir: Path) -> None:
    assert demo("--no-serve", "--persons", "200")[0] == 0
    code, out = demo("--no-serve", "--persons", "200")
    assert code == 0 and "is already there" in out
    code, out = demo("--no-serve", "--persons", "300")
    assert code == 1 and "--rebuild" in out
    code, out = demo("--no-serve", "--persons", "300", "--rebuild")
    assert code == 0 and "built the demo estate: 300 persons" in out


def test_demo_serves_the_app_with_the_data_map_set(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app, **options))
    code, out = demo("--persons", "200", "--port", "8125")
    assert code == 0, out
    assert "dataskydd is running: http://127.0.0.1:8125/" in out
    assert served["port"] == 8125
    assert os.environ["DATASKYDD_DATAMAP"] == str(data_dir / "datamap")
    assert TestClient(served["app"]).get("/healthz").status_code == 200


def test_a_url_that_is_not_a_database_is_a_usage_error(data_dir: Path) -> None:
    code, out = demo("--no-serve", "--persons", "200", "--crm-url", "not a url")
    assert code == 2
    assert "not a database URL" in out


@pytest.mark.postgres
def test_a_system_goes_to_postgresql_by_its_variable(
    data_dir: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Plain postgresql:// as an operator writes it; the estate picks psycopg 3.
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    monkeypatch.setenv("DATASKYDD_DEMO_CORE_URL", plain)
    code, out = demo("--no-serve", "--persons", "200")
    assert code == 0, out
    assert "kind: postgresql" in (data_dir / "datamap" / "core.yaml").read_text(encoding="utf-8")
    secret = (data_dir / "secrets" / "core.url").read_text(encoding="utf-8").strip()
    assert secret == postgres_url


def test_an_unreachable_system_is_named(data_dir: Path) -> None:
    code, out = demo(
        "--no-serve",
        "--persons",
        "200",
        "--marketing-url",
        "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
    )
    assert code == 1
    assert "the marketing system at postgresql+psycopg://nobody@127.0.0.1:1/none" in out
