"""The permission check over HTTP: ``/api/v1/permissions``, its tokens, its errors, its logs.

Every promise runs on SQLite and on PostgreSQL (``store_url``), against the bundled
swedish-lender programme (consent-based, direct-marketing and legal-claims purposes).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from dataskydd.auth import tokens
from dataskydd.cli import app as cli
from dataskydd.consent import records
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import Programme, load_template
from dataskydd.rights import objection, restriction
from dataskydd.settings import Settings
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.web.app import create_app
from dataskydd.web.logs import DropQueryStrings, log_config, redact_path

PNR = "19780523-9824"  # Anna
PNR_FORMS = ("19780523-9824", "197805239824", "780523-9824", "7805239824")
EMAIL = "anna.svensson@example.se"
ANNA = [(IdentityKind.PERSONNUMMER, "197805239824"), (IdentityKind.EMAIL, EMAIL)]
PERMISSIONS = "/api/v1/permissions"


@dataclass
class Api:
    client: TestClient
    engine: Engine
    programme: Programme
    secret: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}

    def get(self, **query: str) -> httpx.Response:
        return self.client.get(PERMISSIONS, params=query, headers=self.auth)

    def post(self, body: dict[str, Any]) -> httpx.Response:
        return self.client.post(PERMISSIONS, json=body, headers=self.auth)

    def codes(self, purpose: str, **identities: str) -> tuple[bool, list[str]]:
        body = self.get(purpose=purpose, **identities).json()
        return body["allowed"], [r["code"] for r in body["reasons"]]

    def token(self, name: str, *scopes: str) -> str:
        with session_scope(self.engine, write=True) as session:
            return tokens.create(session, name, scopes, actor="test").secret


@pytest.fixture
def api(store_url: str, tmp_path: Path) -> Iterator[Api]:
    programme = load_template()
    settings = Settings(data_dir=tmp_path, database_url=store_url)
    app = create_app(settings, programme)
    engine = make_engine(store_url)
    with session_scope(engine, write=True) as session:
        secret = tokens.create(session, "crm", [tokens.PERMISSIONS_READ], actor="test").secret
    try:
        with TestClient(app) as client:
            yield Api(client, engine, programme, secret)
    finally:
        engine.dispose()


# -- tokens ----------------------------------------------------------------------------------


def test_without_a_token_the_check_is_refused_with_a_bearer_challenge(api: Api) -> None:
    for response in (
        api.client.get(PERMISSIONS, params={"purpose": "contract", "personnummer": PNR}),
        api.client.post(PERMISSIONS, json={"purpose": "contract", "personnummer": PNR}),
        api.client.get(PERMISSIONS, headers={"Authorization": f"Basic {api.secret}"}),
    ):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer realm="dataskydd"'


def test_an_unknown_token_is_refused(api: Api) -> None:
    response = api.client.get(
        PERMISSIONS,
        params={"purpose": "contract", "personnummer": PNR},
        headers={"Authorization": "Bearer dsk_made-up"},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="dataskydd", error="invalid_token"'
    assert "dsk_made-up" not in response.text


def test_a_revoked_token_is_refused_on_the_next_request(api: Api) -> None:
    assert api.get(purpose="contract", personnummer=PNR).status_code == 200
    with session_scope(api.engine, write=True) as session:
        tokens.revoke(session, "crm", actor="test")
    response = api.get(purpose="contract", personnummer=PNR)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_token_without_the_scope_is_forbidden(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(tokens.SCOPES, "audit:read", "a scope of the future (issue 5)")
    other = api.token("auditor", "audit:read")
    response = api.client.get(
        PERMISSIONS,
        params={"purpose": "contract", "personnummer": PNR},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert response.status_code == 403
    assert "permissions:read" in response.json()["detail"]
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


def test_refusals_come_before_validation(api: Api) -> None:
    """Without a token nobody learns which identities would have been accepted."""
    response = api.client.get(PERMISSIONS, params={"personnummer": "nonsense"})
    assert response.status_code == 401


def test_a_bad_token_is_refused_before_anything_is_said_about_the_question(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GET looks its token up in the same read as the check; it is still judged first."""
    monkeypatch.setitem(tokens.SCOPES, "audit:read", "a scope of the future (issue 5)")
    scopeless = api.token("auditor", "audit:read")
    questions: list[list[tuple[str, str]]] = [
        [("purpose", "contract"), ("personnummer", "nonsense")],  # a malformed identity
        [("purpose", "contract")],  # no identity
        [("purpose", "no-such-purpose"), ("personnummer", PNR)],  # an unknown purpose
        [("personnummer", PNR)],  # no purpose
        [("purpose", "contract"), ("purpose", "contract"), ("personnummer", PNR)],  # twice
        [("purpose", "contract"), ("email", "a" * 400)],  # too long
        [("purpose", "contract"), ("personnummer", PNR)],  # a good question
    ]
    for question in questions:
        for secret, status in (("dsk_unknown", 401), (scopeless, 403)):
            response = api.client.get(
                PERMISSIONS, params=question, headers={"Authorization": f"Bearer {secret}"}
            )
            assert response.status_code == status, (question, response.text)
            assert "allowed" not in response.text and "purposes are" not in response.text


# -- decisions -------------------------------------------------------------------------------


def test_a_consent_based_purpose_follows_consent_given_and_withdrawn(api: Api) -> None:
    assert api.codes("consent", personnummer=PNR) == (False, ["legal_basis", "no_consent"])
    with session_scope(api.engine, write=True) as session:
        records.give(session, ANNA, "consent", "web form", "test")
    assert api.codes("consent", personnummer=PNR) == (True, ["legal_basis", "consent_given"])
    # Given under the personnummer, found by the e-mail address too.
    assert api.codes("consent", email=EMAIL) == (True, ["legal_basis", "consent_given"])
    with session_scope(api.engine, write=True) as session:
        records.withdraw(session, ANNA, "consent", "test")
    assert api.codes("consent", personnummer=PNR) == (
        False,
        ["legal_basis", "consent_withdrawn"],
    )


def test_an_answer_carries_every_reason_in_both_languages(api: Api) -> None:
    body = api.get(purpose="consent", personnummer=PNR).json()
    assert body["allowed"] is False and body["purpose"] == "consent"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", body["checked_at"])
    assert body["reasons"][1] == {
        "code": "no_consent",
        "denies": True,
        "text": {
            "sv": "Ändamålet kräver ditt samtycke, och något samtycke finns inte.",
            "en": "The purpose needs your consent, and there is none.",
        },
    }
    assert body["reasons"][0]["denies"] is False


def test_an_objection_to_direct_marketing_stops_it_for_every_identity(api: Api) -> None:
    assert api.codes("marketing-analysis", personnummer=PNR) == (True, ["legal_basis"])
    with session_scope(api.engine, write=True) as session:
        objection.object_to_direct_marketing(session, api.programme, ANNA, "test")
    allowed, codes = api.codes("marketing-analysis", personnummer=PNR)
    assert not allowed and {"objection", "suppressed"} <= set(codes)
    allowed, codes = api.codes("social-media", email=EMAIL)
    assert not allowed and "suppressed" in codes
    # Not a marketing purpose: the contract goes on.
    assert api.codes("contract", personnummer=PNR) == (True, ["legal_basis"])


def test_a_restriction_denies_processing_but_not_storage_or_legal_claims(api: Api) -> None:
    with session_scope(api.engine, write=True) as session:
        restriction.restrict(session, ANNA, "accuracy_contested", actor="test")
    assert api.codes("contract", personnummer=PNR) == (False, ["legal_basis", "restricted"])
    assert api.codes("storage", personnummer=PNR) == (True, ["storage"])
    assert api.codes("recruitment-legal-claims", personnummer=PNR) == (
        True,
        ["legal_basis", "allowed_while_restricted"],
    )


def test_a_person_unknown_to_the_store_is_judged_by_the_purpose_alone(api: Api) -> None:
    assert api.codes("contract", phone="070-123 45 67") == (True, ["legal_basis"])
    assert api.codes("consent", customer_number="K-1001") == (
        False,
        ["legal_basis", "no_consent"],
    )


def test_post_answers_exactly_as_get(api: Api) -> None:
    with session_scope(api.engine, write=True) as session:
        records.give(session, ANNA, "consent", "web form", "test")
        restriction.restrict(session, ANNA, "accuracy_contested", actor="test")
    for purpose in ("consent", "contract", "storage", "marketing-analysis"):
        query = {"purpose": purpose, "personnummer": PNR, "email": EMAIL}
        got, posted = api.get(**query), api.post(query)
        assert got.status_code == posted.status_code == 200
        one, other = got.json(), posted.json()
        assert one.pop("checked_at") and other.pop("checked_at")
        assert one == other


def test_the_answer_matches_its_documented_model(api: Api) -> None:
    from dataskydd.web.permissions import PermissionDecision

    body = api.get(purpose="consent", personnummer=PNR).json()
    assert PermissionDecision.model_validate(body).model_dump(mode="json") == body


# -- errors ----------------------------------------------------------------------------------


def _never_echoes(response: httpx.Response, *fragments: str) -> None:
    for fragment in fragments:
        assert fragment not in response.text


def test_a_malformed_identity_is_named_and_never_echoed(api: Api) -> None:
    response = api.get(purpose="contract", personnummer="19780523-9825")
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["loc"] == ["query", "personnummer"] and item["type"] == "identity_invalid"
    assert "check digit" in item["msg"]
    _never_echoes(response, "19780523", "780523", "9825")

    response = api.post({"purpose": "contract", "email": "anna svensson@example.se"})
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["loc"] == ["body", "email"] and item["msg"] == "contains a space"
    _never_echoes(response, "anna", "svensson", "example.se")


def test_at_least_one_identity_is_needed(api: Api) -> None:
    for response in (api.get(purpose="contract"), api.post({"purpose": "contract"})):
        assert response.status_code == 422
        (item,) = response.json()["detail"]
        assert item["type"] == "identity_missing"
        assert "personnummer, samordningsnummer, email, phone, customer_number" in item["msg"]


def test_the_purpose_is_required(api: Api) -> None:
    response = api.get(personnummer=PNR)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "purpose"]
    response = api.post({"personnummer": PNR})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "purpose"]
    _never_echoes(response, "19780523")


def test_an_unknown_purpose_lists_the_known_ones_without_repeating_the_value(api: Api) -> None:
    response = api.get(purpose="197805239824", email=EMAIL)
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["loc"] == ["query", "purpose"] and item["type"] == "unknown_purpose"
    assert item["known"][:3] == ["storage", "contract", "legal-obligation"]
    _never_echoes(response, "197805239824", "anna")


def test_an_unexpected_body_field_is_named_and_not_echoed(api: Api) -> None:
    response = api.post({"purpose": "contract", "personnumer": PNR})
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item == {
        "loc": ["body", "personnumer"],
        "msg": "Extra inputs are not permitted",
        "type": "extra_forbidden",
    }
    _never_echoes(response, "19780523")


def test_a_field_too_long_or_given_twice_is_refused(api: Api) -> None:
    response = api.get(purpose="contract", email="a" * 400 + "@example.se")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "email"]
    _never_echoes(response, "aaaa")
    response = api.client.get(
        f"{PERMISSIONS}?purpose=contract&personnummer={PNR}&personnummer=19121212-1212",
        headers=api.auth,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "repeated"
    _never_echoes(response, "19780523", "19121212")
    response = api.post({"purpose": "contract", "phone": "1" * 400})
    assert response.status_code == 422
    _never_echoes(response, "1111")


def test_a_json_body_that_does_not_parse_is_refused(api: Api) -> None:
    response = api.client.post(
        PERMISSIONS,
        content=b'{"purpose": "contract", "personnummer": "19780523-9824"',
        headers={**api.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    _never_echoes(response, "19780523")


# -- the rest of the surface -----------------------------------------------------------------


def test_ping_is_public_and_trivial(api: Api) -> None:
    response = api.client.get("/api/v1/ping")
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_the_openapi_document_describes_the_check_and_its_bearer_token(api: Api) -> None:
    doc = api.client.get("/api/openapi.json").json()
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    get = doc["paths"][PERMISSIONS]["get"]
    post = doc["paths"][PERMISSIONS]["post"]
    assert get["security"] == post["security"] == [{"bearer": []}]
    names = [p["name"] for p in get["parameters"]]
    assert names == [
        "purpose",
        "personnummer",
        "samordningsnummer",
        "email",
        "phone",
        "customer_number",
    ]
    assert get["parameters"][0]["required"] is True
    assert "requestBody" in post
    for operation in (get, post):
        assert {"200", "401", "403", "422"} <= set(operation["responses"])
    answer = doc["components"]["schemas"]["PermissionDecision"]
    assert set(answer["properties"]) == {"allowed", "purpose", "checked_at", "reasons"}
    assert "security" not in doc["paths"]["/api/v1/ping"]["get"]


# -- no personal data in log lines -----------------------------------------------------------


def test_the_access_log_filter_drops_query_strings() -> None:
    assert redact_path(f"{PERMISSIONS}?purpose=contract&personnummer={PNR}") == (
        f"{PERMISSIONS}?[query dropped]"
    )
    assert (
        redact_path("/api/v1/%70ermissions/?email=a%40b.se")
        == "/api/v1/%70ermissions/?[query dropped]"
    )
    assert redact_path("/sv?lang=en") == "/sv?lang=en"
    assert redact_path("/healthz") == "/healthz"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"{PERMISSIONS}?personnummer={PNR}", "1.1", 200),
        None,
    )
    assert DropQueryStrings().filter(record)
    assert PNR not in record.getMessage() and "[query dropped]" in record.getMessage()
    config = log_config()
    assert "drop_query_strings" in config["loggers"]["uvicorn.access"]["filters"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_a_personnummer_in_the_query_never_reaches_the_server_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dataskydd serve` for real: every line it writes, access log included."""
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATASKYDD_DATABASE_URL", raising=False)
    created = CliRunner().invoke(cli, ["token", "create", "crm", "--scope", "permissions:read"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    port = _free_port()
    env = {**os.environ, "DATASKYDD_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DATASKYDD_DATABASE_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from dataskydd.cli import main; main()",
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/api/v1/ping", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {secret}"}
        for form in PNR_FORMS:
            answered = httpx.get(
                f"{base}{PERMISSIONS}",
                params={"purpose": "contract", "personnummer": form},
                headers=auth,
            )
            assert answered.status_code == 200
        httpx.get(
            f"{base}{PERMISSIONS}",
            params={"purpose": "contract", "personnummer": "19780523-9825"},
            headers=auth,
        )
        httpx.get(f"{base}/api/v1/%70ermissions", params={"personnummer": PNR}, headers=auth)
        httpx.get(f"{base}/nowhere", params={"personnummer": PNR})
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert f"GET {PERMISSIONS}?[query dropped] HTTP/1.1" in output  # the access log was on
    for fragment in (*PNR_FORMS, "780523", "9825", secret):
        assert fragment not in output
