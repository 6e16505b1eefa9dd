"""A person submits a request over the API, verifies by an e-mailed code and downloads once."""

from __future__ import annotations

import email
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataskydd.cases import execution, lifecycle
from dataskydd.programme import load_template
from dataskydd.settings import Settings
from dataskydd.store.engine import session_scope
from dataskydd.web.app import create_app
from dataskydd.web.logs import redact_path

HANDLER = "Maria Handläggare"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATASKYDD_SMTP_HOST", raising=False)
    settings = Settings(data_dir=tmp_path)
    return TestClient(create_app(settings, load_template("swedish-lender")))


def _code_from_outbox(tmp_path: Path) -> str:
    (message_file,) = sorted((tmp_path / "outbox").glob("*.eml"))
    message = email.message_from_bytes(message_file.read_bytes())
    body = message.get_payload(decode=True) if not message.is_multipart() else None
    text = (body or b"").decode("utf-8") if body else str(message)
    digits = [
        w.strip(".:") for w in text.split() if w.strip(".:").isdigit() and len(w.strip(".:")) == 6
    ]
    return digits[0]


def test_a_swedish_restriction_request_from_intake_to_download(
    client: TestClient, tmp_path: Path
) -> None:
    made = client.post(
        "/api/v1/requests",
        json={
            "kind": "restriction",
            "identities": [{"kind": "personnummer", "value": "780523-9824"}],
            "details": {"contact_email": "anna@example.se", "reason": "accuracy_contested"},
            "language": "sv",
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    follow = {"reference": body["reference"], "follow_code": body["follow_code"]}
    assert client.post("/api/v1/requests/verification", json=follow).status_code == 202
    wrong = client.post("/api/v1/requests/verification/check", json={**follow, "code": "000000"})
    assert wrong.status_code == 422
    code = _code_from_outbox(tmp_path)
    ok = client.post("/api/v1/requests/verification/check", json={**follow, "code": code})
    assert ok.status_code == 200, ok.text
    site = client.app.state.site  # type: ignore[attr-defined]
    with session_scope(site.engine, write=True) as session:
        row = lifecycle.by_reference(session, body["reference"], body["follow_code"])
        lifecycle.assess(session, row.id, by=HANDLER)
        lifecycle.approve(session, row.id, by=HANDLER)
        request_id = row.id
    execution.execute(
        site.engine, request_id, worker="w", programme=site.programme, datamap_dir=None
    )
    followed = client.post("/api/v1/requests/follow", json=follow).json()
    assert followed["status"] == "answered" and followed["answer_ready"]
    link = client.post("/api/v1/requests/download-link", json=follow).json()
    first = client.get(link["url"])
    assert first.status_code == 200 and "begränsat" in first.text
    assert client.get(link["url"]).status_code == 410
    assert redact_path(link["url"]) == "/api/v1/answers/[token dropped]"


def test_bad_input_names_the_field_and_never_echoes_the_value(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/requests",
        json={"kind": "access", "identities": [{"kind": "personnummer", "value": "780523-9825"}]},
    )
    assert answer.status_code == 422
    assert "identities[0].value" in answer.text and "780523-9825" not in answer.text
    unknown = client.post("/api/v1/requests", json={"kind": "nonsense", "identities": []})
    assert unknown.status_code == 422 and "nonsense" not in unknown.text


def test_a_wrong_follow_code_says_nothing_about_the_request(client: TestClient) -> None:
    made = client.post(
        "/api/v1/requests",
        json={"kind": "access", "identities": [{"kind": "email", "value": "anna@example.se"}]},
    ).json()
    answer = client.post(
        "/api/v1/requests/follow", json={"reference": made["reference"], "follow_code": "x"}
    )
    assert answer.status_code == 404 and "access" not in answer.text
