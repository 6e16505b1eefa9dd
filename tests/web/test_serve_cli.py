"""``dataskydd serve`` and ``dataskydd demo``: the app they build and what they print."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dataskydd.cli import app as cli
from dataskydd.programme import ProgrammeInvalid, load_template

MINIMAL = str(Path(__file__).parents[1] / "fixtures" / "minimal")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Run the commands without listening: record what uvicorn would have served."""
    calls: dict[str, Any] = {}
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    for name in ("DATASKYDD_DATABASE_URL", "DATASKYDD_PROGRAMME", "DATASKYDD_HOST", "DATASKYDD_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.update(app=app, **options))
    return calls


def test_serve(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["serve", "--programme", MINIMAL, "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert (
        "dataskydd is serving: http://127.0.0.1:8123/ (notice sv/en, API docs at /api/docs)"
        in result.output
    )
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    assert isinstance(served["app"], FastAPI)
    assert TestClient(served["app"]).get("/healthz").json()["programme"] == "minimal 1"


def test_serve_reports_an_invalid_programme(served: dict[str, Any], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("programme: {key: Bad}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--programme", str(broken)])
    assert result.exit_code == 1
    assert "app" not in served


def test_serve_with_reload_uses_the_factory(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["serve", "--programme", MINIMAL, "--reload"])
    assert result.exit_code == 0, result.output
    assert served["app"] == "dataskydd.web.app:create_app"
    assert served["factory"] is True and served["reload"] is True


def test_demo_publishes_the_bundled_template(served: dict[str, Any]) -> None:
    try:
        template = load_template()
    except ProgrammeInvalid:
        pytest.skip("the bundled template is not complete yet")
    result = CliRunner().invoke(cli, ["demo", "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert (
        "dataskydd is running: http://127.0.0.1:8124/ (notice sv/en, API docs at /api/docs)"
        in result.output
    )
    versions = TestClient(served["app"]).get("/api/v1/programme/versions").json()
    assert [v["version"] for v in versions] == [template.notice.version]
