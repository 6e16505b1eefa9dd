"""The notice pages: both languages, the version the clock chooses, landmarks."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from dataskydd import clock
from dataskydd.programme import Programme
from dataskydd.settings import Settings
from dataskydd.web.app import create_app


def test_swedish_notice(client: TestClient) -> None:
    page = client.get("/sv")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="sv">' in html
    assert "<h1>Personuppgiftshantering</h1>" in html
    assert "Så här behandlar vi dina uppgifter." in html
    assert '<h2 id="andamal">Ändamål</h2>' in html
    assert "Fullgörande av avtal (artikel 6.1 b GDPR)" in html
    assert '<a href="mailto:dpo@example.se">dpo@example.se</a>' in html
    assert "Version 1, gäller från 1 januari 2024." in html


def test_english_notice(client: TestClient) -> None:
    html = client.get("/en").text
    assert '<html lang="en">' in html
    assert "<h1>Processing of personal data</h1>" in html
    assert "Performance of a contract (Art. 6(1)(b) GDPR)" in html
    assert "Version 1, effective from 1 January 2024." in html


def test_landmarks_skip_link_and_language_switch(client: TestClient) -> None:
    html = client.get("/sv").text
    assert '<a class="skip-link" href="#main">' in html
    assert "<header" in html
    assert "<nav" in html
    assert '<main id="main"' in html
    assert "<footer" in html
    assert '<a href="/sv" lang="sv" hreflang="sv" aria-current="true">Svenska</a>' in html
    assert '<a href="/en" lang="en" hreflang="en" class="switch">English</a>' in html
    assert '<link rel="alternate" hreflang="en" href="/en">' in html
    assert "<script" not in html


def test_table_of_contents_links_to_every_section(client: TestClient) -> None:
    html = client.get("/en").text
    toc = html[html.index('<nav class="toc"') : html.index("</nav>", html.index('<nav class="toc"'))]
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert anchors == ["which-data", "purposes", "your-rights", "contact"]
    for anchor in anchors:
        assert f'<h2 id="{anchor}">' in html


def test_pages_are_rendered_from_the_stored_markdown(
    client: TestClient, minimal_programme: Programme
) -> None:
    stored = client.get("/api/v1/programme").json()["notice"]
    from dataskydd.programme.notice import render_markdown

    assert stored == {"sv": render_markdown(minimal_programme, "sv"),
                      "en": render_markdown(minimal_programme, "en")}


def test_html_in_programme_texts_is_not_passed_through(
    settings: Settings, minimal_programme: Programme
) -> None:
    notice = minimal_programme.notice.model_copy(
        update={"introduction": minimal_programme.notice.introduction.model_copy(
            update={"sv": "Hej <script>alert(1)</script> [x](javascript:alert(1))"}
        )}
    )
    app = create_app(settings, minimal_programme.model_copy(update={"notice": notice}))
    html = TestClient(app).get("/sv").text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_before_the_new_version_the_old_one_is_in_effect(
    client: TestClient, two_versions: Programme
) -> None:
    with clock.frozen_at("2029-12-31"):
        html = client.get("/sv").text
    assert "Så här behandlar vi dina uppgifter." in html
    assert "Version 1, gäller från 1 januari 2024." in html
    assert "En ny version är på väg" in html
    assert "Version 2 gäller från 1 januari 2030." in html
    assert "box-significant" in html
    assert "Betydande ändring" in html
    assert "Nytt avsnitt om lagring." in html
    assert 'href="/sv/versions/1/diff/2"' in html


def test_from_its_effective_date_the_new_version_is_in_effect(
    client: TestClient, two_versions: Programme
) -> None:
    with clock.frozen_at("2030-01-01"):
        html = client.get("/en").text
    assert "This is how we handle your personal data." in html
    assert '<h2 id="storage">Storage</h2>' in html
    assert "Version 2, effective from 1 January 2030." in html
    assert "A new version is coming" not in html


def test_notice_not_yet_in_effect_is_shown_and_marked(
    settings: Settings, minimal_programme: Programme
) -> None:
    with clock.frozen_at("2023-06-01"):
        html = TestClient(create_app(settings, minimal_programme)).get("/en").text
    assert "Not yet in effect" in html
    assert "This version takes effect on 1 January 2024." in html


def test_starting_again_does_not_publish_again(
    settings: Settings, minimal_programme: Programme
) -> None:
    create_app(settings, minimal_programme)
    client = TestClient(create_app(settings, minimal_programme))
    assert [v["version"] for v in client.get("/api/v1/programme/versions").json()] == ["1"]


def test_changed_programme_under_a_published_version_serves_what_was_published(
    settings: Settings, minimal_programme: Programme
) -> None:
    create_app(settings, minimal_programme)
    notice = minimal_programme.notice.model_copy(
        update={"title": minimal_programme.notice.title.model_copy(update={"sv": "Ändrad"})}
    )
    changed = minimal_programme.model_copy(update={"notice": notice})
    html = TestClient(create_app(settings, changed)).get("/sv").text
    assert "<h1>Personuppgiftshantering</h1>" in html
