"""The public API: the programme in effect, its versions, the OpenAPI description."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dataskydd import clock
from dataskydd.programme import Programme


def test_programme_in_effect(client: TestClient, minimal_programme: Programme) -> None:
    body = client.get("/api/v1/programme").json()
    assert body["programme_key"] == "minimal"
    assert body["version"] == "1"
    assert body["effective_date"] == "2024-01-01"
    assert body["status"] == {"in_effect": True, "upcoming": False}
    assert body["content"] == minimal_programme.model_dump(mode="json")
    assert body["notice"]["sv"].startswith("# Personuppgiftshantering\n")
    assert body["notice_url"] == {"sv": "/sv/versions/1", "en": "/en/versions/1"}
    assert body["upcoming_versions"] == []
    assert "published_by" not in body  # staff names are not public


def test_programme_follows_the_clock(client: TestClient, two_versions: Programme) -> None:
    with clock.frozen_at("2029-12-31"):
        before = client.get("/api/v1/programme").json()
    assert before["version"] == "1"
    assert [v["version"] for v in before["upcoming_versions"]] == ["2"]
    assert before["upcoming_versions"][0]["significant_change"] is True
    with clock.frozen_at("2030-01-01"):
        after = client.get("/api/v1/programme").json()
    assert after["version"] == "2"
    assert after["change_summary"] == {"sv": "Nytt avsnitt om lagring.", "en": "A new section on storage."}


def test_versions(client: TestClient, two_versions: Programme) -> None:
    listed = client.get("/api/v1/programme/versions").json()
    assert [v["version"] for v in listed] == ["2", "1"]
    assert "content" not in listed[0]
    one = client.get("/api/v1/programme/versions/2").json()
    assert one["content"]["notice"]["version"] == "2"
    assert one["status"]["upcoming"] is True


def test_unknown_version_is_json_404(client: TestClient) -> None:
    page = client.get("/api/v1/programme/versions/99")
    assert page.status_code == 404
    assert page.json() == {"detail": "'minimal' has no published version '99'"}
    assert client.get("/api/v1/nothing").status_code == 404
    assert client.get("/api/v1/nothing").headers["content-type"] == "application/json"


def test_openapi_describes_typed_responses(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths) >= {
        "/api/v1/programme", "/api/v1/programme/versions",
        "/api/v1/programme/versions/{version}", "/healthz",
    }
    ok = paths["/api/v1/programme"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/ProgrammeInEffect"}
    components = schema["components"]["schemas"]
    assert "Programme" in components and "RetentionRule" in components
    assert not any(path.startswith("/sv") or path == "/" for path in paths)


def test_api_docs_page(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert '<script src="/static/swagger-init.js"></script>' in page.text
    assert "<script>" not in page.text  # no inline script
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "http" not in policy  # nothing from a CDN
    assert client.get("/static/swagger-init.js").status_code == 200
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
