"""`dataskydd ropa` and `dataskydd programme diff|export` as a DPO uses them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from dataskydd.cli import app
from dataskydd.programme import load_template
from dataskydd.programme.loader import template_path

MINIMAL = Path(__file__).parent.parent / "fixtures" / "minimal"
runner = CliRunner()


def ropa(*args: str) -> list[str]:
    return ["ropa", "--programme", str(MINIMAL), *args]


def test_ropa_prints_an_html_register_with_a_row_per_activity() -> None:
    result = runner.invoke(app, ropa("--format", "html"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert '<html lang="sv">' in result.stdout
    assert result.stdout.count('<tr id="activity-') == 1


def test_ropa_in_english_has_english_headings() -> None:
    result = runner.invoke(app, ropa("--format", "md", "--lang", "en"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Record of processing activities")
    assert (
        "- **(b) Purposes and legal basis:** Contract: Performance of a contract" in result.stdout
    )


def test_ropa_writes_csv_to_a_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    out = tmp_path / "register.csv"
    result = runner.invoke(app, ropa("--format", "csv", "--out", str(out)))
    assert result.exit_code == 0, result.output
    assert "wrote 1 processing activities" in result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 2 and rows[1][0] == "customer-administration"


def test_ropa_json_is_json() -> None:
    result = runner.invoke(app, ropa("--format", "json"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["activities"][0]["key"] == "customer-administration"


def test_ropa_xlsx_needs_a_file() -> None:
    result = runner.invoke(app, ropa("--format", "xlsx"))
    assert result.exit_code == 2
    assert "xlsx is a binary format" in result.output and "--out" in result.output


def test_ropa_xlsx_writes_a_workbook(tmp_path: Path) -> None:
    out = tmp_path / "register.xlsx"
    result = runner.invoke(app, ropa("--format", "xlsx", "--out", str(out), "--lang", "en"))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["Register"]
    assert sheet["B1"].value == "Processing activity"
    assert sheet["B2"].value == "Customer administration"


def test_ropa_for_one_controller_and_for_an_unknown_one() -> None:
    result = runner.invoke(app, ropa("--format", "csv", "--controller", "exempel"))
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ropa("--format", "csv", "--controller", "nope"))
    assert result.exit_code == 2
    assert "no controller 'nope' in the programme (known: exempel)" in result.output


def test_an_unknown_format_or_language_lists_the_choices() -> None:
    result = runner.invoke(app, ropa("--format", "pdf"))
    assert result.exit_code == 2
    assert "html" in result.output and "xlsx" in result.output
    result = runner.invoke(app, ropa("--format", "md", "--lang", "de"))
    assert result.exit_code == 2
    assert "sv" in result.output and "en" in result.output


def test_ropa_of_an_invalid_programme_lists_its_errors(tmp_path: Path) -> None:
    (tmp_path / "programme.yaml").write_text("programme: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["ropa", "--programme", str(tmp_path), "--format", "md"])
    assert result.exit_code == 1
    assert "errors in the programme" in result.output


def _new_version(tmp_path: Path, replace: dict[str, str]) -> Path:
    text = (MINIMAL / "programme.yaml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "new.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_says_a_change_is_significant_and_still_exits_0(tmp_path: Path) -> None:
    new = _new_version(
        tmp_path,
        {
            'version: "1"': 'version: "2"',
            "legal_bases: [legitimate_interest]": "legal_bases: [consent]",
        },
    )
    result = runner.invoke(app, ["programme", "diff", str(MINIMAL), str(new)])
    assert result.exit_code == 0, result.output
    assert "notice version 1 → 2" in result.stdout
    assert "legal_bases: legitimate_interest → consent" in result.stdout
    assert "Significant change: yes" in result.stdout
    assert "flagged not significant, but these changes are" in result.stdout


def test_diff_of_a_reworded_label_is_not_significant(tmp_path: Path) -> None:
    new = _new_version(tmp_path, {"en: IT supplier}": "en: IT service supplier}"})
    result = runner.invoke(app, ["programme", "diff", str(MINIMAL), str(new)])
    assert result.exit_code == 0, result.output
    assert "label.en: IT supplier → IT service supplier" in result.stdout
    assert "Significant change: no" in result.stdout


def test_diff_as_json(tmp_path: Path) -> None:
    new = _new_version(tmp_path, {"maximum: P10Y": "maximum: P15Y"})
    result = runner.invoke(app, ["programme", "diff", str(MINIMAL), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["significant"] is True and data["flag_agrees"] is False
    assert data["reasons"][0]["section"] == "retention"


def test_export_dpv_prints_json_ld(tmp_path: Path) -> None:
    result = runner.invoke(app, ["programme", "export", str(MINIMAL), "--format", "dpv"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["@context"]["dpv"] == "https://w3id.org/dpv#"
    out = tmp_path / "programme.jsonld"
    result = runner.invoke(app, ["programme", "export", str(MINIMAL), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == document


def test_ropa_without_a_programme_prints_the_bundled_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DATASKYDD_PROGRAMME", raising=False)
    result = runner.invoke(app, ["ropa", "--format", "csv", "--lang", "en"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert len(rows) == 1 + 20
    aml = next(row for row in rows if row[0] == "aml-monitoring")
    assert any("at least 5 years after the business relationship ended" in c for c in aml)
    assert {row[0] for row in rows[1:]} == {a.key for a in load_template().activities}


def test_diff_of_the_bundled_programme_and_an_edited_copy(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    assert runner.invoke(app, ["init", str(mine)]).exit_code == 0
    recipients = mine / "recipients.yaml"
    text = recipients.read_text(encoding="utf-8")
    edited = text.replace("kind: credit_bureau", "kind: processor\n    dpa_reference: PUB-9", 1)
    recipients.write_text(edited, encoding="utf-8")
    bundled = str(template_path("swedish-lender"))
    result = runner.invoke(app, ["programme", "diff", bundled, str(mine), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["significant"] is True
    assert [r["message"] for r in data["reasons"]] == [
        "recipient 'credit-bureaus' changed kind: credit_bureau → processor"
    ]
