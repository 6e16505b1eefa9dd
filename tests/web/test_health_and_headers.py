"""Health, and the security headers on every kind of response."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from dataskydd.web.site import Site


def test_health(client: TestClient) -> None:
    page = client.get("/healthz")
    assert page.status_code == 200
    assert page.json() == {"status": "ok", "store": "ok", "programme": "minimal 1"}


def test_health_when_the_store_is_unreachable(app: FastAPI) -> None:
    site: Site = app.state.site
    site.engine.dispose()
    # Nothing listens on port 1: the connection is refused at once.
    site.engine = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    page = TestClient(app).get("/healthz")
    assert page.status_code == 503
    assert page.json() == {"status": "error", "store": "unreachable", "programme": "minimal 1"}


@pytest.mark.parametrize(
    "path", ["/", "/sv", "/en/versions", "/api/v1/programme", "/healthz", "/nothing",
             "/static/site.css", "/api/openapi.json"],
)
def test_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"


def test_stylesheet_is_served(client: TestClient) -> None:
    page = client.get("/static/site.css")
    assert page.status_code == 200
    assert "@media print" in page.text
    assert ":focus-visible" in page.text


@pytest.mark.parametrize("path", ["/", "/sv", "/en/versions", "/healthz"])
def test_head_is_answered(client: TestClient, path: str) -> None:
    page = client.head(path)
    assert page.status_code == 200
    assert "x-content-type-options" in page.headers
