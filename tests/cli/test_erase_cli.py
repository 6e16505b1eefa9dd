"""`dataskydd erase` as an engineer runs it on the demo estate: the plan first, then the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataskydd import clock
from dataskydd.cli import app
from dataskydd.demo.estate import Estate, build
from dataskydd.demo.planted import ANNA, KARL

runner = CliRunner()


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Estate:
    with clock.frozen_at("2026-11-26"):
        built = build(tmp_path, persons=200)
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATASKYDD_NOW", "2026-12-02")
    return built


def erase(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["erase", *args])
    return result.exit_code, result.output


def test_a_dry_run_shows_what_goes_and_what_stays_and_changes_nothing(
    estate: Estate, tmp_path: Path
) -> None:
    answer = tmp_path / "svar.md"
    code, out = erase(
        "--personnummer",
        ANNA.personnummer,
        "--ground",
        "consent_withdrawn",
        "--dry-run",
        "--out",
        str(answer),
    )
    assert code == 0, out
    assert "dry run" in out and "recruitment/applicants" in out and "active_contract" in out
    assert ANNA.personnummer not in out and ANNA.email not in out
    assert "penningtvätt" in answer.read_text(encoding="utf-8")
    # Nothing changed: the plan is the same when asked again.
    code_again, out_again = erase(
        "--personnummer", ANNA.personnummer, "--ground", "consent_withdrawn", "--dry-run"
    )
    assert (
        code_again == 0
        and "to delete" in out_again
        and out_again.count("delete") == out.count("delete")
    )


def test_an_erasure_runs_verifies_and_can_be_shown(estate: Estate, tmp_path: Path) -> None:
    code, out = erase(
        "--personnummer",
        KARL.personnummer,
        "--ground",
        "unlawful",
        "--lang",
        "en",
        "--out",
        str(tmp_path / "answer.md"),
    )
    assert code == 0, out
    assert "verified" in out
    run_id = next(
        w
        for line in out.splitlines()
        if "verified" in line
        for w in line.split()
        if w.count("-") == 4
    )
    shown = runner.invoke(app, ["erasure", "show", run_id])
    assert shown.exit_code == 0 and "verified" in shown.output and "unlawful" in shown.output
    assert "Limitations Act" in (tmp_path / "answer.md").read_text(encoding="utf-8")
    # Resuming a finished run is a no-op that says so.
    resumed = runner.invoke(app, ["erasure", "resume", run_id])
    assert resumed.exit_code == 0, resumed.output


def test_a_malformed_identity_or_an_unknown_ground_is_a_usage_error(estate: Estate) -> None:
    code, out = erase("--personnummer", "780523-9825", "--ground", "unlawful")
    assert code == 2 and "--personnummer" in out and "check digit" in out
    code, out = erase("--personnummer", ANNA.personnummer, "--ground", "because")
    assert code == 2 and "because" in out


def test_minor_needs_the_person_to_have_been_a_minor(estate: Estate) -> None:
    code, out = erase("--personnummer", ANNA.personnummer, "--ground", "minor", "--dry-run")
    assert code == 2 and "1978-05-23" in out and "minor" in out


def test_a_legal_hold_keeps_everything_until_released(estate: Estate) -> None:
    placed = runner.invoke(
        app,
        [
            "hold",
            "place",
            "--personnummer",
            ANNA.personnummer,
            "--case",
            "T 1234-26",
            "--system",
            "recruitment",
        ],
    )
    assert placed.exit_code == 0, placed.output
    code, out = erase("--personnummer", ANNA.personnummer, "--ground", "unlawful", "--dry-run")
    assert code == 0 and "legal-hold-1" in out
    released = runner.invoke(app, ["hold", "release", "1", "--reason", "settled"])
    assert released.exit_code == 0, released.output
    again = runner.invoke(app, ["hold", "release", "1", "--reason", "again"])
    assert again.exit_code == 2 and "was released on" in again.output
    code, out = erase("--personnummer", ANNA.personnummer, "--ground", "unlawful", "--dry-run")
    assert code == 0 and "legal-hold" not in out
