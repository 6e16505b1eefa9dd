"""A web app on a fresh store with the minimal programme, and a second version to publish."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dataskydd.programme import Programme
from dataskydd.programme.notice import render_markdown
from dataskydd.programme.text import LANGUAGES, LocalText
from dataskydd.settings import Settings
from dataskydd.store import versions
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.versions import PublishedVersion
from dataskydd.web.app import create_app

NEXT_EFFECTIVE = date(2030, 1, 1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def app(settings: Settings, minimal_programme: Programme) -> FastAPI:
    return create_app(settings, minimal_programme)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def second_version(programme: Programme) -> Programme:
    """Version 2: a new introduction and a new section, significant, from 2030-01-01."""
    notice = programme.notice
    cookies = notice.sections[0].model_copy(
        update={"key": "storage", "title": LocalText(sv="Lagring", en="Storage"),
                "include": ["retention"]}
    )
    changed = notice.model_copy(
        update={
            "version": "2",
            "effective_date": NEXT_EFFECTIVE,
            "significant_change": True,
            "change_summary": LocalText(
                sv="Nytt avsnitt om lagring.", en="A new section on storage."
            ),
            "introduction": LocalText(
                sv="Så här hanterar vi dina personuppgifter.",
                en="This is how we handle your personal data.",
            ),
            "sections": [*notice.sections[:2], cookies, *notice.sections[2:]],
        }
    )
    return programme.model_copy(update={"notice": changed})


def publish(settings: Settings, programme: Programme) -> PublishedVersion:
    engine = make_engine(settings.effective_database_url)
    try:
        with session_scope(engine, write=True) as session:
            return versions.publish(
                session,
                programme,
                notice_markdown={lang: render_markdown(programme, lang) for lang in LANGUAGES},
                published_by="test",
            )
    finally:
        engine.dispose()


Publisher = Callable[[Settings, Programme], PublishedVersion]


@pytest.fixture
def publisher() -> Publisher:
    """Publish a programme to the store of ``settings`` (as `dataskydd programme publish` does)."""
    return publish


@pytest.fixture
def version_two(minimal_programme: Programme) -> Programme:
    return second_version(minimal_programme)


@pytest.fixture
def two_versions(client: TestClient, settings: Settings, minimal_programme: Programme) -> Programme:
    """The app serves version 1 (from 2024) and has version 2 (from 2030) published."""
    programme = second_version(minimal_programme)
    publish(settings, programme)
    return programme
