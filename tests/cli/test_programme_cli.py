"""`dataskydd init` and `dataskydd programme check` as a DPO uses them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dataskydd.cli import app

MINIMAL = Path(__file__).parent.parent / "fixtures" / "minimal"
runner = CliRunner()


def test_check_says_a_valid_programme_is_valid() -> None:
    result = runner.invoke(app, ["programme", "check", str(MINIMAL)])
    assert result.exit_code == 0, result.output
    assert "programme 'minimal' is valid" in result.output


def test_check_lists_every_error_with_file_and_line_and_fails(tmp_path: Path) -> None:
    text = (MINIMAL / "programme.yaml").read_text(encoding="utf-8")
    text = text.replace("legal_bases: [contract]", "legal_bases: []").replace("    maximum: P10Y\n", "")
    (tmp_path / "programme.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["programme", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "2 errors in the programme" in result.output
    assert "programme.yaml:" in result.output
    assert "a purpose needs at least one legal basis" in result.output


def test_check_of_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["programme", "check", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such programme" in result.output


def test_check_reads_the_programme_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATASKYDD_PROGRAMME", str(MINIMAL))
    result = runner.invoke(app, ["programme", "check"])
    assert result.exit_code == 0, result.output
    assert "'minimal'" in result.output


def test_init_writes_the_bundled_programme_which_then_checks(tmp_path: Path) -> None:
    target = tmp_path / "ours"
    result = runner.invoke(app, ["init", str(target), "--template", "swedish-lender"])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in target.iterdir()) and all(p.suffix == ".yaml" for p in target.iterdir())
    check = runner.invoke(app, ["programme", "check", str(target)])
    assert check.exit_code == 0, check.output


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "programme.yaml").write_text("x: 1\n")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "--force" in result.output
    assert runner.invoke(app, ["init", str(tmp_path), "--force"]).exit_code == 0


def test_init_names_the_templates_there_are(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path), "--template", "nope"])
    assert result.exit_code == 2
    assert "swedish-lender" in result.output


def test_a_bad_now_is_refused() -> None:
    result = runner.invoke(app, ["--now", "tomorrow", "programme", "check", str(MINIMAL)])
    assert result.exit_code == 2
    assert "2027-01-01" in result.output
