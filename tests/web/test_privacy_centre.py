"""The privacy centre: a person asks, confirms by e-mailed code, follows and downloads, in HTML."""

from __future__ import annotations

import email
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from dataskydd.cases import execution, lifecycle
from dataskydd.programme import load_template
from dataskydd.settings import Settings
from dataskydd.store.engine import session_scope
from dataskydd.web.app import create_app
from dataskydd.web.security import CONTENT_SECURITY_POLICY

HANDLER = "Maria Handläggare"
PERSONNUMMER = "780523-9824"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATASKYDD_SMTP_HOST", raising=False)
    settings = Settings(data_dir=tmp_path)
    return TestClient(create_app(settings, load_template("swedish-lender")))


def _codes_in_outbox(tmp_path: Path) -> list[str]:
    codes = []
    for message_file in sorted((tmp_path / "outbox").glob("*.eml")):
        message = email.message_from_bytes(message_file.read_bytes())
        body = message.get_payload(decode=True) if not message.is_multipart() else None
        text = body.decode("utf-8") if isinstance(body, bytes) else str(message)
        codes.append(re.findall(r"\b\d{6}\b", text)[0])
    return codes


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


def _hidden(page: httpx.Response, name: str) -> str:
    found = re.search(rf'type="hidden" name="{name}" value="([^"]*)"', page.text)
    assert found, f"no hidden {name}"
    return found.group(1)


def _check_page(page: httpx.Response, lang: str) -> None:
    """Every centre page: its language, no inline script or style, never stored by a cache."""
    assert re.search(rf'<html lang="{lang}">', page.text)
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text and "<style" not in page.text
    assert not re.search(r"\son[a-z]+=", page.text) and "style=" not in page.text


def _submit(client: TestClient, lang: str, kind: str, **fields: str) -> httpx.Response:
    form = client.get(f"/{lang}/rights/{kind}")
    posted: httpx.Response = client.post(
        f"/{lang}/rights/{kind}", data={"csrf_token": _token(form), **fields}
    )
    return posted


@pytest.mark.parametrize(
    ("lang", "heading", "follow"),
    [("sv", "Dina rättigheter", "Följ ditt ärende"), ("en", "Your rights", "Follow your request")],
)
def test_the_index_lists_every_right_in_both_languages(
    client: TestClient, lang: str, heading: str, follow: str
) -> None:
    page = client.get(f"/{lang}/rights")
    assert page.status_code == 200
    _check_page(page, lang)
    assert f"<h1>{heading}</h1>" in page.text and follow in page.text
    for kind in ("access", "rectification", "erasure", "restriction", "objection",
                 "portability", "consent_withdrawal", "complaint"):
        assert f'href="/{lang}/rights/{kind}"' in page.text
    assert "imy@imy.se" in page.text and "Box 8114, 104 20 Stockholm" in page.text
    assert 'aria-current="page">' + heading in page.text  # the nav link to this page
    cookie = page.headers["set-cookie"].lower()
    assert cookie.startswith("ds_csrf=") and "httponly" in cookie and "samesite=strict" in cookie


def test_a_swedish_access_request_is_confirmed_by_code_and_followed(
    client: TestClient, tmp_path: Path
) -> None:
    done = _submit(client, "sv", "access", personnummer=PERSONNUMMER, email="anna@example.se")
    assert done.status_code == 200, done.text
    _check_page(done, "sv")
    assert "Vi har tagit emot din begäran" in done.text and "Skicka kod" in done.text
    reference, follow_code = _hidden(done, "reference"), _hidden(done, "follow_code")
    assert reference.startswith("DS-") and follow_code in done.text
    carried = {"csrf_token": _token(done), "reference": reference, "follow_code": follow_code}

    sent = client.post("/sv/rights/follow/send-code", data=carried)
    assert sent.status_code == 200 and 'id="code"' in sent.text
    _check_page(sent, "sv")
    (code,) = _codes_in_outbox(tmp_path)
    wrong = client.post(
        "/sv/rights/follow/verify", data={**carried, "code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 422 and "Koden stämmer inte" in wrong.text
    right = client.post("/sv/rights/follow/verify", data={**carried, "code": code})
    assert right.status_code == 200 and "Din e-postadress är bekräftad" in right.text
    assert 'data-status="verified"' in right.text

    followed = client.post("/sv/rights/follow", data=carried)
    _check_page(followed, "sv")
    assert "Bekräftad \u2013 vi hanterar din begäran" in followed.text
    assert "Vi tog emot din begäran" in followed.text and "Vi svarar senast" in followed.text
    assert "Din e-postadress bekräftades" in followed.text and PERSONNUMMER not in followed.text
    unknown = client.post("/sv/rights/follow", data={**carried, "follow_code": "nope"})
    assert unknown.status_code == 404 and "Vi hittar inget ärende" in unknown.text


def test_an_executed_restriction_is_downloaded_once(client: TestClient, tmp_path: Path) -> None:
    done = _submit(
        client, "en", "restriction", email="anna@example.se", reason="accuracy_contested"
    )
    assert done.status_code == 200, done.text
    carried = {
        "csrf_token": _token(done),
        "reference": _hidden(done, "reference"),
        "follow_code": _hidden(done, "follow_code"),
    }
    client.post("/en/rights/follow/send-code", data=carried)
    (code,) = _codes_in_outbox(tmp_path)
    assert client.post("/en/rights/follow/verify", data={**carried, "code": code}).status_code == 200
    site = client.app.state.site  # type: ignore[attr-defined]
    with session_scope(site.engine, write=True) as session:
        row = lifecycle.by_reference(session, carried["reference"], carried["follow_code"])
        lifecycle.assess(session, row.id, by=HANDLER)
        lifecycle.approve(session, row.id, by=HANDLER)
        request_id = row.id
    execution.execute(
        site.engine, request_id, worker="w", programme=site.programme, datamap_dir=None
    )
    status = client.post("/en/rights/follow", data=carried)
    _check_page(status, "en")
    assert "Answered" in status.text and "Download the answer" in status.text

    first = client.post("/en/rights/follow/download", data=carried, follow_redirects=False)
    assert first.status_code == 303
    location = first.headers["location"]
    assert location.startswith("/api/v1/answers/")
    answer = client.get(location)
    assert answer.status_code == 200 and "restricted" in answer.text
    assert client.get(location).status_code == 410

    again = client.post("/en/rights/follow/download", data=carried, follow_redirects=False)
    assert again.status_code == 409 and "location" not in again.headers
    after = client.post("/en/rights/follow", data=carried)
    assert "You have downloaded the answer" in after.text and 'id="download"' not in after.text


def test_a_denial_shows_the_reason_and_the_right_to_complain(client: TestClient) -> None:
    done = _submit(client, "sv", "erasure", email="anna@example.se", grounds="unlawful")
    carried = {
        "csrf_token": _token(done),
        "reference": _hidden(done, "reference"),
        "follow_code": _hidden(done, "follow_code"),
    }
    site = client.app.state.site  # type: ignore[attr-defined]
    with session_scope(site.engine, write=True) as session:
        row = lifecycle.by_reference(session, carried["reference"], carried["follow_code"])
        lifecycle.deny(session, row.id, by=HANDLER, reason="Vi har inga uppgifter om dig.")
    page = client.post("/sv/rights/follow", data=carried)
    assert "Avslagen" in page.text and "Vi har inga uppgifter om dig." in page.text
    assert "imy@imy.se" in page.text and "Box 8114, 104 20 Stockholm" in page.text


def test_an_extension_shows_the_new_date_and_the_reason(client: TestClient) -> None:
    done = _submit(client, "en", "portability", email="anna@example.se")
    carried = {
        "csrf_token": _token(done),
        "reference": _hidden(done, "reference"),
        "follow_code": _hidden(done, "follow_code"),
    }
    site = client.app.state.site  # type: ignore[attr-defined]
    with session_scope(site.engine, write=True) as session:
        row = lifecycle.by_reference(session, carried["reference"], carried["follow_code"])
        lifecycle.extend(session, row.id, months=2, reason="Many systems to search.", by=HANDLER)
        extended = row.extended_due_date
    assert extended is not None
    page = client.post("/en/rights/follow", data=carried)
    assert "We need more time" in page.text and "Many systems to search." in page.text
    assert f"{extended.day} {extended:%B} {extended.year}" in page.text
    assert "The time for the answer was extended" in page.text


def test_a_form_without_the_token_is_refused(client: TestClient) -> None:
    client.get("/sv/rights/access")  # the cookie is set; the field is missing
    refused = client.post("/sv/rights/access", data={"email": "anna@example.se"})
    assert refused.status_code == 403
    _check_page(refused, "sv")
    assert "Formuläret kunde inte skickas" in refused.text
    assert 'lang="en"' in refused.text and "The form could not be sent" in refused.text
    wrong = client.post(
        "/sv/rights/follow", data={"csrf_token": "x" * 43, "reference": "DS-AAAA-BBBB"}
    )
    assert wrong.status_code == 403
    fresh = TestClient(client.app)  # no cookie at all, a token copied from elsewhere
    stolen = fresh.post("/sv/rights/access", data={"csrf_token": "y" * 43, "email": "a@b.se"})
    assert stolen.status_code == 403


def test_a_malformed_personnummer_is_named_but_not_echoed(client: TestClient) -> None:
    wrong = "780523-9825"
    page = _submit(client, "sv", "access", personnummer=wrong, email="anna@example.se")
    assert page.status_code == 422
    _check_page(page, "sv")
    assert "Personnumret är inte giltigt" in page.text
    assert 'href="#personnummer"' in page.text and 'aria-invalid="true"' in page.text
    # Only in the input the person typed it in, never in a message.
    assert page.text.count(wrong) == 1 and f'name="personnummer" value="{wrong}"' in page.text
    assert 'value="anna@example.se"' in page.text
    missing = _submit(client, "en", "complaint", email="")
    assert missing.status_code == 422
    assert "Enter your e-mail address." in missing.text and "Write your message." in missing.text


def test_references_and_codes_never_travel_in_urls(client: TestClient, tmp_path: Path) -> None:
    seen: list[str] = []
    client.event_hooks["request"] = [lambda request: seen.append(str(request.url))]
    client.event_hooks["response"] = [
        lambda response: seen.append(response.headers.get("location", ""))
    ]
    done = _submit(client, "sv", "objection", email="anna@example.se", purpose="direct_marketing")
    reference, follow_code = _hidden(done, "reference"), _hidden(done, "follow_code")
    carried = {"csrf_token": _token(done), "reference": reference, "follow_code": follow_code}
    client.post("/sv/rights/follow/send-code", data=carried)
    (code,) = _codes_in_outbox(tmp_path)
    client.post("/sv/rights/follow/verify", data={**carried, "code": code})
    client.post("/sv/rights/follow", data=carried)
    client.post("/sv/rights/follow/download", data=carried, follow_redirects=False)
    assert seen and all(
        reference not in url and follow_code not in url and code not in url for url in seen
    )
    for page in (done, client.post("/sv/rights/follow", data=carried)):
        assert not re.search(r'(href|action)="[^"]*\?', page.text)


def test_every_form_in_both_languages_renders_its_fields(client: TestClient) -> None:
    fields = {
        "rectification": ['id="category"', 'id="new_value"', "<optgroup"],
        "erasure": ['id="ground-consent_withdrawn"', 'id="ground-information_society_service"'],
        "restriction": ['id="reason"', 'value="legal_claims"'],
        "objection": ['id="purpose"', 'value="direct_marketing"'],
        "consent_withdrawal": ['id="purpose"'],
        "complaint": ['id="message"'],
        "access": [],
        "portability": [],
    }
    for lang in ("sv", "en"):
        for kind, expected in fields.items():
            page = client.get(f"/{lang}/rights/{kind}")
            assert page.status_code == 200
            _check_page(page, lang)
            for needle in ['id="personnummer"', 'id="email"', 'id="phone"', 'id="submit"',
                           *expected]:
                assert needle in page.text, (lang, kind, needle)
        follow = client.get(f"/{lang}/rights/follow")
        _check_page(follow, lang)
        assert 'id="reference"' in follow.text and 'id="follow_code"' in follow.text
    assert client.get("/sv/rights/nonsense").status_code == 404
    assert client.get("/de/rights").status_code == 404


def test_a_rectification_with_a_choice_not_offered_is_refused(client: TestClient) -> None:
    page = _submit(
        client, "sv", "rectification", email="anna@example.se", category="no.such", new_value="x"
    )
    assert page.status_code == 422 and "Välj vilken uppgift som är fel." in page.text
    ok = _submit(
        client, "sv", "rectification", email="anna@example.se", category="contact.phone",
        new_value="070-123 45 67",
    )
    assert ok.status_code == 200 and "Vi har tagit emot din begäran" in ok.text
