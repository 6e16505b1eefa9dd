"""`dataskydd datamap ...` as an engineer uses it: check, introspect, import from Fides."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from dataskydd.cli import app

FIDES = Path(__file__).parent.parent / "fixtures" / "datamap" / "fides" / "lending.yaml"
runner = CliRunner()

CORE = [
    """CREATE TABLE customers (id INTEGER PRIMARY KEY, personnummer TEXT, name TEXT,
        email TEXT, phone TEXT, relationship_ended_at DATE)""",
    """CREATE TABLE loans (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id),
        amount INTEGER, guarantor_personnummer TEXT, notes TEXT)""",
]


def database(path: Path, statements: list[str]) -> str:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()
    return url


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


# -- check ------------------------------------------------------------------------------------


def test_check_offline_says_a_valid_map_is_valid(datamap_dir: Path) -> None:
    result = runner.invoke(app, ["datamap", "check", str(datamap_dir), "--offline"])
    assert result.exit_code == 0, result.output
    assert "the data map is valid: 2 systems (1 manual), 2 tables, 11 columns" in result.output


def test_check_reads_the_directory_from_the_environment(
    datamap_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATASKYDD_DATAMAP", str(datamap_dir))
    result = runner.invoke(app, ["datamap", "check", "--offline"])
    assert result.exit_code == 0, result.output


def test_check_without_a_directory_says_how_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATASKYDD_DATAMAP", raising=False)
    result = runner.invoke(app, ["datamap", "check"])
    assert result.exit_code == 2
    assert "DATASKYDD_DATAMAP" in result.output


def test_check_lists_every_error_with_file_and_line_and_fails(datamap_dir: Path) -> None:
    core = datamap_dir / "core.yaml"
    core.write_text(
        core.read_text(encoding="utf-8")
        .replace("category: contact.email", "category: contact.mail")
        .replace("    env: DATASKYDD_CORE_URL", "    url: sqlite:///core.db"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["datamap", "check", str(datamap_dir), "--offline"])
    assert result.exit_code == 1
    assert "2 errors in the data map" in result.output
    assert f"datamap/core.yaml:{line_of(core, 'contact.mail')}" in result.output
    assert "[unknown-category]" in result.output
    assert f"datamap/core.yaml:{line_of(core, 'url:')}" in result.output
    assert "connection URLs are secrets" in result.output


def test_check_against_the_live_database_passes_when_it_matches(
    datamap_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATASKYDD_CORE_URL", database(tmp_path / "core.db", CORE))
    result = runner.invoke(app, ["datamap", "check", str(datamap_dir)])
    assert result.exit_code == 0, result.output
    assert "matches the live systems" in result.output


def test_check_against_the_live_database_names_a_missing_column(
    datamap_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed = [CORE[0], CORE[1].replace("notes TEXT", "remarks TEXT")]
    monkeypatch.setenv("DATASKYDD_CORE_URL", database(tmp_path / "core.db", renamed))
    result = runner.invoke(app, ["datamap", "check", str(datamap_dir)])
    assert result.exit_code == 1
    line = line_of(datamap_dir / "core.yaml", "- name: notes")
    assert (
        f"core: table 'loans' has no column 'notes' (mapped in datamap/core.yaml:{line}); "
        "it has: id, customer_id, amount, guarantor_personnummer, remarks"
    ) in result.output
    assert "1 error against the live systems" in result.output


def test_check_names_a_system_it_cannot_reach(
    datamap_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATASKYDD_CORE_URL", raising=False)
    result = runner.invoke(app, ["datamap", "check", str(datamap_dir)])
    assert result.exit_code == 1
    assert "system 'core' could not be checked" in result.output
    assert "DATASKYDD_CORE_URL is not set" in result.output


# -- introspect -------------------------------------------------------------------------------


def test_introspect_prints_a_starting_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_URL", database(tmp_path / "crm.db", CORE))
    result = runner.invoke(
        app, ["datamap", "introspect", "crm", "--kind", "sqlite", "--env", "CRM_URL"]
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    assert data["system"] == {
        "key": "crm",
        "name": "crm",
        "kind": "sqlite",
        "connection": {"env": "CRM_URL"},
    }
    assert [t["name"] for t in data["tables"]] == ["customers", "loans"]
    assert "purposes: [TODO]  # TODO:" in result.output


def test_introspect_writes_a_secrets_file_path_relative_to_the_map(tmp_path: Path) -> None:
    url = database(tmp_path / "crm.db", CORE)
    secrets = tmp_path / "secrets" / "crm.url"
    secrets.parent.mkdir()
    secrets.write_text(url, encoding="utf-8")
    out = tmp_path / "datamap" / "crm.yaml"
    result = runner.invoke(
        app,
        [
            "datamap",
            "introspect",
            "crm",
            "--kind",
            "sqlite",
            "--file",
            str(secrets),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["system"]["connection"] == {
        "file": "../secrets/crm.url"
    }
    again = runner.invoke(
        app,
        [
            "datamap",
            "introspect",
            "crm",
            "--kind",
            "sqlite",
            "--file",
            str(secrets),
            "--out",
            str(out),
        ],
    )
    assert again.exit_code == 1
    assert "--force" in again.output


def test_introspect_needs_exactly_one_place_for_the_url() -> None:
    result = runner.invoke(app, ["datamap", "introspect", "crm", "--kind", "sqlite"])
    assert result.exit_code == 2
    assert "--env VAR or --file PATH" in result.output


def test_introspect_names_a_system_it_cannot_reach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_URL", f"sqlite:///{tmp_path / 'missing.db'}")
    result = runner.invoke(
        app, ["datamap", "introspect", "crm", "--kind", "sqlite", "--env", "CRM_URL"]
    )
    assert result.exit_code == 1
    assert "system 'crm' could not be introspected" in result.output


# -- import-fides -----------------------------------------------------------------------------


def test_import_fides_writes_one_file_per_dataset(tmp_path: Path) -> None:
    out = tmp_path / "datamap"
    result = runner.invoke(
        app, ["datamap", "import-fides", str(FIDES), "--out", str(out), "--kind", "postgresql"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "customer_details_mongo.yaml",
        "lending_postgres.yaml",
    ]
    lending = yaml.safe_load((out / "lending_postgres.yaml").read_text(encoding="utf-8"))
    assert lending["system"]["kind"] == "postgresql"
    check = runner.invoke(app, ["datamap", "check", str(out), "--offline"])
    assert check.exit_code == 1
    assert "[todo]" in check.output


def test_import_fides_prints_to_stdout_without_out() -> None:
    result = runner.invoke(app, ["datamap", "import-fides", str(FIDES)])
    assert result.exit_code == 0, result.output
    documents = list(yaml.safe_load_all(result.output))
    assert [d["system"]["key"] for d in documents] == ["lending_postgres", "customer_details_mongo"]


def test_import_fides_of_another_file_is_a_clear_error(tmp_path: Path) -> None:
    other = tmp_path / "x.yaml"
    other.write_text("a: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["datamap", "import-fides", str(other)])
    assert result.exit_code == 2
    assert "fideslang dataset" in result.output
