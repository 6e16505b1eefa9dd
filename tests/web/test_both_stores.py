"""The pages and the API on each app store: SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from dataskydd import clock
from dataskydd.programme import Programme
from dataskydd.settings import Settings
from dataskydd.store.versions import PublishedVersion
from dataskydd.web.app import create_app


def test_notice_history_and_health(
    store_url: str,
    tmp_path: Path,
    minimal_programme: Programme,
    version_two: Programme,
    publisher: Callable[[Settings, Programme], PublishedVersion],
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=store_url)
    with TestClient(create_app(settings, minimal_programme)) as client:
        assert client.get("/healthz").json()["store"] == "ok"
        publisher(settings, version_two)
        with clock.frozen_at("2029-12-31"):
            assert "Version 2 gäller från 1 januari 2030." in client.get("/sv").text
            assert client.get("/api/v1/programme").json()["version"] == "1"
        with clock.frozen_at("2030-01-01"):
            assert client.get("/api/v1/programme").json()["version"] == "2"
            assert client.get("/healthz").json()["programme"] == "minimal 2"
        assert [v["version"] for v in client.get("/api/v1/programme/versions").json()] == ["2", "1"]
        assert "<ins>" in client.get("/en/versions/1/diff/2").text
