"""`dataskydd rectify` as a case handler runs it on the demo estate: the plan, then the change."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dataskydd import clock
from dataskydd.cli import app
from dataskydd.demo.estate import Estate, build
from dataskydd.demo.planted import ANNA, KARL

runner = CliRunner()
NEW_EMAIL = "anna.ny@example.se"
ARCHIVE = """\
system:
  key: archive
  name: Pappersarkiv
  kind: manual
  manual:
    assignee: back-office
    checklist:
      - sv: Sök i pärmarna efter personnumret.
        en: Search the binders for the personal identity number.
    due_days: 7
  categories: [identification.national_id, contact.email]
"""


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Estate:
    with clock.frozen_at("2026-11-26"):
        built = build(tmp_path, persons=60)
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATASKYDD_NOW", "2026-12-02")
    return built


def rectify(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["rectify", "--personnummer", ANNA.personnummer, *args])
    return result.exit_code, result.output


def emails(built: Estate, system: str, table: str) -> set[str]:
    engine = sa.create_engine(built.urls[system])
    try:
        with engine.connect() as connection:
            query = sa.text(f"SELECT email FROM {table} WHERE email IS NOT NULL")
            return set(connection.execute(query).scalars())
    finally:
        engine.dispose()


def test_a_dry_run_prints_the_plan_without_a_value_and_changes_nothing(estate: Estate) -> None:
    code, out = rectify("--category", "contact.email", "--value", NEW_EMAIL, "--dry-run")
    assert code == 0, out
    assert "Rectification plan: contact.email" in out and "dry run" in out
    assert "crm" in out and "4 to update, 0 already right" in out
    assert "recruitment/applicant_documents/" in out and "free text" in out
    for value in (ANNA.email, NEW_EMAIL, ANNA.personnummer, "anna."):
        assert value not in out
    assert ANNA.email in emails(estate, "core", "customers")


def test_a_correction_is_applied_read_back_and_changes_nothing_when_run_again(
    estate: Estate,
) -> None:
    code, out = rectify("--category", "contact.email", "--value", NEW_EMAIL, "--decided-by", "lena")
    assert code == 0, out
    assert "core: 1 record(s) corrected and read back" in out
    assert "crm: 2 record(s) corrected and read back" in out
    assert "manual: task" in out and "recruitment" in out
    assert "linked to the person" in out
    assert NEW_EMAIL not in out and ANNA.email not in out
    for system, table in (
        ("core", "customers"),
        ("crm", "contacts"),
        ("recruitment", "applicants"),
    ):
        assert NEW_EMAIL in emails(estate, system, table) and ANNA.email not in emails(
            estate, system, table
        )
    code, again = rectify("--category", "contact.email", "--value", NEW_EMAIL)
    assert code == 0, again
    assert "0 to update, 4 already right" in again and "0 record(s) written" in again


def test_a_manual_system_gets_a_task(estate: Estate) -> None:
    (estate.datamap_dir / "archive.yaml").write_text(ARCHIVE, encoding="utf-8")
    code, out = rectify("--category", "contact.email", "--value", NEW_EMAIL)
    assert code == 0, out
    assert "task archive: a manual system" in out
    assert "manual: task" in out and "for archive (back-office), due 2026-12-09" in out


def test_an_invalid_email_exits_2_naming_the_option_without_the_value(estate: Estate) -> None:
    code, out = rectify("--category", "contact.email", "--value", "anna.ny@exempel")
    assert code == 2
    assert "--value: not a valid e-mail address for contact.email" in out
    assert "anna.ny" not in out and "exempel" not in out


def test_an_unknown_category_exits_2_and_lists_the_known_ones(estate: Estate) -> None:
    code, out = rectify("--category", "contact.mail", "--value", NEW_EMAIL)
    assert code == 2
    assert "--category:" in out and "did you mean contact.email" in out
    assert "contact.postal_address" in out and "identification.name" in out


def test_an_address_needs_its_column(estate: Estate) -> None:
    code, out = rectify("--category", "contact.postal_address", "--value", "Kåbovägen 14")
    assert code == 2 and "--column:" in out and "street, postcode, city" in out
    code, out = rectify(
        "--category", "contact.postal_address", "--column", "street", "--value", "Kåbovägen 14"
    )
    assert code == 0, out
    assert "1 record(s) corrected" in out


def test_a_value_that_is_someone_elses_exits_1_until_allowed(estate: Estate) -> None:
    code, out = rectify("--category", "contact.email", "--value", KARL.email)
    assert code == 1
    assert "already someone else's: core/customers: 1 record(s)" in out and "--allow-shared" in out
    assert KARL.email not in out
    assert ANNA.email in emails(estate, "core", "customers")
    code, out = rectify("--category", "contact.email", "--value", KARL.email, "--allow-shared")
    assert code == 0, out


def test_a_system_that_cannot_be_asked_exits_3_and_nothing_changes(estate: Estate) -> None:
    crm = estate.datamap_dir / "crm.yaml"
    crm.write_text(
        crm.read_text(encoding="utf-8").replace(
            "file: ../secrets/crm.url", "env: DATASKYDD_TEST_CRM_URL_NEVER_SET"
        ),
        encoding="utf-8",
    )
    code, out = rectify("--category", "contact.email", "--value", NEW_EMAIL)
    assert code == 3, out
    assert "crm" in out and "nothing is corrected" in out
    assert ANNA.email in emails(estate, "core", "customers")


def test_identities_are_validated_like_every_other_right(estate: Estate) -> None:
    result = runner.invoke(
        app,
        [
            "rectify",
            "--personnummer",
            "19780523-0000",
            "--category",
            "contact.email",
            "--value",
            "a@b.se",
        ],
    )
    assert result.exit_code == 2
    assert "--personnummer" in result.output and "0000" not in result.output
