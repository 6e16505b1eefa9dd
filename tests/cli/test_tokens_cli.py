"""``dataskydd token create|list|revoke``: shown once, listed without secrets, revoked by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataskydd.auth import tokens
from dataskydd.cli import app
from dataskydd.store.engine import make_engine

runner = CliRunner()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI at an empty store: SQLite in the data directory, or PostgreSQL."""
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATASKYDD_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATASKYDD_DATABASE_URL_FILE", raising=False)
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("DATASKYDD_DATABASE_URL", url)
    return str(request.param)


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def verified(secret: str) -> tokens.VerifiedToken | None:
    engine = make_engine()
    try:
        with engine.connect() as connection:
            return tokens.verify(connection, secret)
    finally:
        engine.dispose()


def test_create_prints_the_token_once_on_stdout_with_a_warning(store: str) -> None:
    code, out, err = invoke("token", "create", "crm", "--scope", "permissions:read", "--by", "Dana")
    assert code == 0, err
    secret = out.strip()
    assert secret.startswith("dsk_") and len(out.splitlines()) == 1  # pipe it into a vault
    assert "only time the token is shown" in err
    found = verified(secret)
    assert found is not None and found.scopes == ("permissions:read",)


def test_list_shows_names_scopes_and_dates_but_never_a_secret(store: str) -> None:
    code, out, _ = invoke("token", "list")
    assert code == 0 and "No tokens yet" in out
    _, secret, _ = invoke("token", "create", "crm", "--scope", "permissions:read")
    invoke("token", "create", "billing", "--scope", "permissions:read")
    invoke("token", "revoke", "crm")
    code, out, _ = invoke("token", "list")
    assert code == 0
    crm = next(line for line in out.splitlines() if line.startswith("crm"))
    billing = next(line for line in out.splitlines() if line.startswith("billing"))
    assert "permissions:read" in crm and crm.rstrip().endswith("+00:00")  # revoked at
    assert billing.rstrip().endswith("-")  # not revoked
    assert secret.strip() not in out and "dsk_" not in out


def test_a_revoked_token_is_refused_from_then_on(store: str) -> None:
    _, out, _ = invoke("token", "create", "crm", "--scope", "permissions:read")
    secret = out.strip()
    code, out, _ = invoke("token", "revoke", "crm", "--by", "Dana")
    assert code == 0 and "revoked token crm at" in out
    assert verified(secret) is None
    code, out, _ = invoke("token", "revoke", "crm")
    assert code == 0 and "was already revoked" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("create", "crm", "--scope", "admin"),
            "unknown scope 'admin'; the scopes are: permissions:read",
        ),
        (
            ("create", "crm system", "--scope", "permissions:read"),
            "a token name is 1 to 80 characters",
        ),
        (("revoke", "nobody"), "no token named 'nobody'"),
    ],
)
def test_usage_errors_exit_2_and_say_what_is_wrong(
    store: str, args: tuple[str, ...], message: str
) -> None:
    code, out, err = invoke("token", *args)
    assert code == 2
    assert message in " ".join(err.split())
    assert "dsk_" not in out


def test_a_name_cannot_be_taken_twice(store: str) -> None:
    invoke("token", "create", "crm", "--scope", "permissions:read")
    code, out, err = invoke("token", "create", "crm", "--scope", "permissions:read")
    assert code == 2 and "a token named 'crm' exists already" in err
    assert out == ""


def test_a_scope_is_required(store: str) -> None:
    code, _, err = invoke("token", "create", "crm")
    assert code == 2 and "--scope" in err
