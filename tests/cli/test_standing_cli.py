"""Objection, restriction, consent and the permission check, as an engineer runs them on the demo."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataskydd import clock
from dataskydd.cli import app
from dataskydd.demo.estate import Estate, build
from dataskydd.demo.planted import ANNA, ERIK, KARL

runner = CliRunner()


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Estate:
    with clock.frozen_at("2026-11-26"):
        built = build(tmp_path, persons=200)
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATASKYDD_NOW", "2026-12-02")
    return built


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def purchased_list(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A purchased list as Swedish Excel saves it: semicolons, a header in Swedish."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(["Namn", "E-post", "Mobil"])
        writer.writerows(rows)
    return path


def test_a_person_who_objects_to_direct_marketing_is_dropped_from_the_next_purchased_list(
    estate: Estate, tmp_path: Path
) -> None:
    # Karl objects by personnummer; the list bought later carries only his e-mail address.
    code, out = run("object", "--personnummer", KARL.personnummer, "--direct-marketing")
    assert code == 0, out
    assert "suppression list" in out and KARL.personnummer not in out
    bought = purchased_list(
        tmp_path / "köpt.csv",
        [
            ("Karl B", KARL.email.upper(), ""),  # the same address, written otherwise
            ("Erik B", ERIK.email, ""),
            ("Okänd", "ingen-snabel-a", ""),
        ],
    )
    code, out = run("marketing", "import", str(bought), "--out", str(tmp_path / "ut.csv"))
    assert code == 0, out
    assert "3 rows read, 1 kept, 2 dropped" in out
    assert "1 suppressed: line 2" in out
    assert KARL.email not in out and KARL.email.upper() not in out
    kept = (tmp_path / "ut.csv").read_text(encoding="utf-8")
    assert ERIK.email in kept and KARL.email.upper() not in kept


def test_direct_marketing_is_denied_after_an_objection_and_no_assessment_overrides_it(
    estate: Estate,
) -> None:
    assert run("permission", "--purpose", "marketing-analysis", "--email", ERIK.email)[0] == 0
    code, out = run("object", "--email", ERIK.email, "--purpose", "marketing-analysis")
    assert code == 0, out
    objection_id = out.split("objection ")[1].split()[0]
    code, out = run("permission", "--purpose", "marketing-analysis", "--email", ERIK.email)
    assert code == 1 and "denied" in out and "[objection]" in out
    code, out = run("objection", "override", objection_id, "--assessment", "vi vill ändå")
    assert code == 2 and "direct marketing" in out


def test_a_restriction_denies_analysis_while_storage_goes_on_and_a_lift_ends_it(
    estate: Estate,
) -> None:
    code, out = run(
        "restrict", "--personnummer", ERIK.personnummer, "--reason", "accuracy_contested"
    )
    assert code == 0, out
    assert "restriction 1 placed" in out
    code, out = run("permission", "--purpose", "statistics", "--personnummer", ERIK.personnummer)
    assert code == 1 and "[restricted]" in out
    code, out = run("permission", "--purpose", "storage", "--personnummer", ERIK.personnummer)
    assert code == 0
    code, out = run("restriction", "list", "--personnummer", ERIK.personnummer)
    assert "accuracy_contested" in out
    assert run("restriction", "lift", "1", "--reason", "uppgifterna stämmer")[0] == 0
    code, out = run("restriction", "lift", "1", "--reason", "igen")
    assert code == 2 and "already lifted" in out
    code, out = run("permission", "--purpose", "statistics", "--personnummer", ERIK.personnummer)
    assert code == 0, out


def test_an_erased_customer_with_an_active_loan_is_still_served_by_the_contract_not_by_marketing(
    estate: Estate,
) -> None:
    code, out = run("erase", "--personnummer", ANNA.personnummer, "--ground", "consent_withdrawn")
    assert code == 0, out
    assert "restricted" in out
    code, out = run("permission", "--purpose", "contract", "--personnummer", ANNA.personnummer)
    assert code == 0, out
    code, out = run(
        "permission", "--purpose", "legal-obligation", "--personnummer", ANNA.personnummer
    )
    assert code == 0, out
    code, out = run(
        "permission", "--purpose", "marketing-analysis", "--personnummer", ANNA.personnummer
    )
    assert code == 1, out


def test_consent_is_given_and_withdrawn_and_the_check_follows(estate: Estate) -> None:
    check = ("permission", "--purpose", "consent", "--email", ERIK.email, "--lang", "sv")
    code, out = run(*check)
    assert code == 1 and "[no_consent]" in out
    assert run("consent", "give", "--purpose", "consent", "--source", "webbformulär",
               "--email", ERIK.email)[0] == 0  # fmt: skip
    assert run(*check)[0] == 0
    code, out = run("consent", "withdraw", "--purpose", "consent", "--email", ERIK.email)
    assert code == 0 and "withdrawn" in out
    code, out = run(*check)
    assert code == 1 and "[consent_withdrawn]" in out


def test_bad_input_is_refused_with_what_was_wrong(estate: Estate, tmp_path: Path) -> None:
    code, out = run("object", "--email", ERIK.email)
    assert code == 2 and "--purpose" in out
    code, out = run("object", "--email", ERIK.email, "--purpose", "contract")
    assert code == 2 and "Art. 21" in out
    code, out = run("restrict", "--email", ERIK.email, "--reason", "accuracy_contested",
                    "--category", "kontakt")  # fmt: skip
    assert code == 2 and "kontakt" in out
    code, out = run("permission", "--purpose", "nope", "--email", ERIK.email)
    assert code == 2 and "marketing-analysis" in out
    no_identity = tmp_path / "lista.csv"
    no_identity.write_text("namn;stad\nA;Umeå\n", encoding="utf-8")
    code, out = run("marketing", "import", str(no_identity))
    assert code == 2 and "no identity column" in out
