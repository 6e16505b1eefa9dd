"""Choosing the language: ?lang= > cookie > Accept-Language > Swedish."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dataskydd.web.language import as_language, from_accept_language, parse_accept_language


def lang_of(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_default_is_swedish(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": ""})
    assert lang_of(page.text) == "sv"
    assert page.headers["vary"] == "Accept-Language, Cookie"


def test_accept_language_english(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert lang_of(page.text) == "en"
    assert "<h1>Processing of personal data</h1>" in page.text


def test_accept_language_q_values_decide(client: TestClient) -> None:
    assert lang_of(client.get("/", headers={"Accept-Language": "sv;q=0.4, en;q=0.8"}).text) == "en"
    assert lang_of(client.get("/", headers={"Accept-Language": "de, sv;q=0.5, en;q=0.3"}).text) == "sv"
    assert lang_of(client.get("/", headers={"Accept-Language": "fr, de"}).text) == "sv"


def test_cookie_beats_accept_language(client: TestClient) -> None:
    client.cookies.set("lang", "en")
    page = client.get("/", headers={"Accept-Language": "sv"})
    assert lang_of(page.text) == "en"


def test_query_beats_cookie_and_is_remembered(client: TestClient) -> None:
    client.cookies.set("lang", "sv")
    page = client.get("/?lang=en")
    assert lang_of(page.text) == "en"
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("lang=en;")
    assert "samesite=lax" in cookie.lower()
    assert lang_of(client.get("/").text) == "en"


def test_the_address_beats_everything(client: TestClient) -> None:
    client.cookies.set("lang", "en")
    page = client.get("/sv?lang=en", headers={"Accept-Language": "en"})
    assert lang_of(page.text) == "sv"
    assert "set-cookie" not in page.headers


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("sv-SE", "sv"),
        ("en;q=0, sv;q=0.1", "sv"),
        ("*", None),
        ("de;q=1.0, EN;q=0.5", "en"),
        ("en;q=abc, sv", "sv"),
        ("", None),
    ],
)
def test_from_accept_language(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_parse_keeps_order_for_equal_quality() -> None:
    assert parse_accept_language("en, sv, de;q=0.5") == [("en", 1.0), ("sv", 1.0), ("de", 0.5)]
    assert as_language("EN-us") == "en"
    assert as_language("fi") is None
