"""The version history, old versions as they read, the diff, and friendly 404s."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dataskydd import clock
from dataskydd.programme import Programme


def test_history_lists_every_version(client: TestClient, two_versions: Programme) -> None:
    with clock.frozen_at("2029-06-01"):
        html = client.get("/sv/versions").text
    assert "<h1>Versionshistorik</h1>" in html
    assert '<a href="/sv/versions/2">2</a>' in html
    assert '<a href="/sv/versions/1">2</a>' not in html
    assert '<a href="/sv/versions/1">1</a>' in html
    assert "1 januari 2030" in html and "1 januari 2024" in html
    assert "ännu inte i kraft" in html and "gäller nu" in html
    assert "Nytt avsnitt om lagring." in html
    assert 'href="/sv/versions/1/diff/2"' in html
    assert html.index("/sv/versions/2") < html.index('href="/sv/versions/1"')  # newest first


def test_old_version_reads_as_it_was_published(
    client: TestClient, two_versions: Programme
) -> None:
    with clock.frozen_at("2030-02-01"):
        html = client.get("/en/versions/1").text
    assert "This is how we process your data." in html
    assert "An earlier version" in html
    assert 'href="/en/versions/1/diff/2"' in html
    assert "Version 1, effective from 1 January 2024." in html
    assert 'href="/sv/versions/1"' in html  # the language switch keeps the page


def test_diff_marks_insertions_and_deletions(client: TestClient, two_versions: Programme) -> None:
    html = client.get("/en/versions/1/diff/2").text
    assert "<h1>Changes from version 1 to 2</h1>" in html
    assert "<ins>" in html and "<del>" in html
    assert "</span>process<span" in html.split("<del>", 1)[1].split("</del>", 1)[0]
    assert "</span>handle<span" in html.split("<ins>", 1)[1].split("</ins>", 1)[0]
    assert '<section class="diff-section diff-added">' in html
    assert "2 of 6 sections changed (new: 1, removed: 0)." in html
    assert '<details class="diff-unchanged">' in html  # unchanged sections collapsed
    sv = client.get("/sv/versions/1/diff/2").text
    assert "2 av 6 avsnitt har ändrats (nya: 1, borttagna: 0)." in sv
    assert '<span class="visually-hidden">Tillagt: </span>' in sv


def test_diff_of_a_version_with_itself(client: TestClient) -> None:
    assert "The text is unchanged." in client.get("/en/versions/1/diff/1").text


def test_unknown_version_is_a_friendly_404_in_the_right_language(client: TestClient) -> None:
    sv = client.get("/sv/versions/99")
    assert sv.status_code == 404
    assert '<html lang="sv">' in sv.text
    assert "<h1>Sidan finns inte</h1>" in sv.text
    assert "Det finns ingen publicerad version 99." in sv.text
    en = client.get("/en/versions/1/diff/99")
    assert en.status_code == 404
    assert "There is no published version 99." in en.text


def test_unknown_page_is_a_404_page(client: TestClient) -> None:
    page = client.get("/fr", headers={"Accept-Language": "en"})
    assert page.status_code == 404
    assert "<h1>Page not found</h1>" in page.text
    assert '<main id="main"' in page.text
    assert client.get("/sv/nothing").status_code == 404
