"""Staff take a letter's request from intake to approval on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataskydd import clock
from dataskydd.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _reference(output: str) -> str:
    return next(w for w in output.split() if w.startswith("DS-"))


def test_a_letter_is_recorded_verified_assessed_and_approved_by_named_staff() -> None:
    with clock.frozen_at("2027-01-31T10:00"):
        code, out = run(
            "requests",
            "intake",
            "--kind",
            "access",
            "--identity",
            "personnummer=780523-9824",
            "--channel",
            "letter",
            "--by",
            "Maria Handläggare",
        )
    assert code == 0, out
    assert "due 2027-03-01" in out and "9824" not in out
    reference = _reference(out)
    assert run("requests", "approve", reference, "--by", "Maria")[0] == 1
    assert (
        run("requests", "verify", reference, "--note", "ID-kort i kassan", "--by", "Maria")[0] == 0
    )
    assert run("requests", "assign", reference, "--to", "maria", "--by", "DPO Dana")[0] == 0
    assert run("requests", "assess", reference, "--by", "Maria")[0] == 0
    code, out = run("requests", "approve", reference, "--by", "Maria")
    assert code == 0, out
    code, out = run("requests", "show", reference)
    assert code == 0 and "decided by Maria" in out and "9824" not in out
    assert "assigned by DPO Dana: to maria" in out


def test_the_list_shows_days_left_and_overdue_requests() -> None:
    with clock.frozen_at("2027-01-10"):
        run("requests", "intake", "--kind", "erasure", "--identity", "email=anna@example.se")
    with clock.frozen_at("2027-03-01"):
        code, out = run("requests", "list")
    assert code == 0 and "erasure" in out and "-" in out


def test_bad_input_is_named() -> None:
    code, out = run("requests", "intake", "--kind", "access", "--identity", "personnummer")
    assert code == 2 and "--identity" in out
    code, out = run(
        "requests", "intake", "--kind", "access", "--identity", "email=x", "--details", "{"
    )
    assert code != 0
    code, out = run("requests", "show", "DS-NOPE-NOPE")
    assert code == 1 and "no request" in out
