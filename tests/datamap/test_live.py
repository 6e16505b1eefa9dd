"""The live check: a map that names what a database does not have is caught before a
rights request trusts it, with the table, the column, the map's line and what exists."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from dataskydd.datamap.live import Level, LiveProblem, check_live
from dataskydd.datamap.loader import read_datamap
from dataskydd.programme import Programme

# The fixture's core system as a database has it: every mapped table and column.
CORE_TABLES = [
    """CREATE TABLE customers (
        id INTEGER PRIMARY KEY, personnummer VARCHAR(13), name VARCHAR(200),
        email VARCHAR(200), phone VARCHAR(40), relationship_ended_at DATE)""",
    """CREATE TABLE loans (
        id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id),
        amount INTEGER, guarantor_personnummer VARCHAR(13), notes TEXT)""",
]


def create_core(url: str, tables: list[str] = CORE_TABLES) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in tables:
            connection.execute(text(statement))
    engine.dispose()


def as_postgresql(datamap_dir: Path) -> None:
    core = datamap_dir / "core.yaml"
    core.write_text(
        core.read_text(encoding="utf-8").replace("kind: sqlite", "kind: postgresql"),
        encoding="utf-8",
    )


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def errors(problems: list[LiveProblem]) -> list[LiveProblem]:
    return [p for p in problems if p.level is Level.ERROR]


@pytest.fixture
def core_sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'core.db'}"
    create_core(url)
    return url


def test_a_map_that_matches_its_database_has_no_errors(
    datamap_dir: Path, programme: Programme, core_sqlite: str
) -> None:
    loaded = read_datamap(datamap_dir, programme)
    assert check_live(loaded, {"core": core_sqlite}) == []


def test_the_url_comes_from_the_secrets_file_the_map_names(
    datamap_dir: Path, programme: Programme, core_sqlite: str
) -> None:
    core = datamap_dir / "core.yaml"
    core.write_text(
        core.read_text(encoding="utf-8").replace(
            "env: DATASKYDD_CORE_URL", "file: secrets/core.url"
        ),
        encoding="utf-8",
    )
    (datamap_dir / "secrets").mkdir()
    (datamap_dir / "secrets" / "core.url").write_text(core_sqlite + "\n", encoding="utf-8")
    loaded = read_datamap(datamap_dir, programme)
    assert check_live(loaded, Path("/nowhere")) == []


def test_a_mapped_column_the_table_lacks_is_named_with_its_line_and_what_exists(
    datamap_dir: Path, programme: Programme, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'renamed.db'}"
    create_core(
        url, [CORE_TABLES[0], CORE_TABLES[1].replace("amount INTEGER", "amount_sek INTEGER")]
    )
    loaded = read_datamap(datamap_dir, programme)
    [problem] = errors(check_live(loaded, {"core": url}))
    line = line_of(datamap_dir / "core.yaml", "- name: amount")
    assert problem.message == (
        f"core: table 'loans' has no column 'amount' (mapped in datamap/core.yaml:{line}); "
        "it has: id, customer_id, amount_sek, guarantor_personnummer, notes"
    )
    assert (problem.system, problem.where, problem.rule) == (
        "core",
        f"datamap/core.yaml:{line}",
        "live-column",
    )


def test_a_mapped_table_the_database_lacks_is_named_with_the_tables_it_has(
    datamap_dir: Path, programme: Programme, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'no-loans.db'}"
    create_core(url, [CORE_TABLES[0], CORE_TABLES[1].replace("TABLE loans", "TABLE loan")])
    loaded = read_datamap(datamap_dir, programme)
    [problem] = errors(check_live(loaded, {"core": url}))
    assert problem.rule == "live-table"
    assert "core: there is no table 'loans' (mapped in datamap/core.yaml:" in problem.message
    assert problem.message.endswith("it has: customers, loan")


def test_an_unreachable_system_is_named_and_never_called_not_found(
    datamap_dir: Path, programme: Programme, tmp_path: Path
) -> None:
    loaded = read_datamap(datamap_dir, programme)
    missing_file = f"sqlite:///{tmp_path / 'gone' / 'core.db'}"
    [problem] = check_live(loaded, {"core": missing_file})
    assert problem.level is Level.ERROR
    assert problem.rule == "live-unreachable"
    assert problem.message.startswith("system 'core' could not be checked: ")
    assert "not found" not in problem.message.lower()
    assert problem.where == f"datamap/core.yaml:{line_of(datamap_dir / 'core.yaml', 'key: core')}"


def test_a_system_whose_variable_is_not_set_is_named_with_the_variable(
    datamap_dir: Path, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATASKYDD_CORE_URL", raising=False)
    loaded = read_datamap(datamap_dir, programme)
    [problem] = check_live(loaded, datamap_dir)
    assert "system 'core'" in problem.message
    assert "DATASKYDD_CORE_URL" in problem.message


def test_a_server_that_does_not_answer_is_named_without_its_password(
    datamap_dir: Path, programme: Programme
) -> None:
    as_postgresql(datamap_dir)
    loaded = read_datamap(datamap_dir, programme)
    closed_port = "postgresql://app:hunter2@127.0.0.1:1/core?connect_timeout=2"
    [problem] = check_live(loaded, {"core": closed_port})
    assert problem.message.startswith("system 'core' could not be checked")
    assert "hunter2" not in problem.message


def test_manual_systems_are_not_connected_to(
    datamap_dir: Path, programme: Programme, core_sqlite: str
) -> None:
    loaded = read_datamap(datamap_dir, programme)
    assert all(p.system != "paper-archive" for p in check_live(loaded, {"core": core_sqlite}))


def test_unmapped_tables_and_columns_that_look_personal_are_noted_not_failed(
    datamap_dir: Path, programme: Programme, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'more.db'}"
    create_core(
        url,
        [
            CORE_TABLES[0].replace(
                "relationship_ended_at DATE", "relationship_ended_at DATE, epost_privat TEXT"
            ),
            CORE_TABLES[1],
            "CREATE TABLE leads (id INTEGER PRIMARY KEY, telefon TEXT, kommentar TEXT)",
            "CREATE TABLE settings (key TEXT, value TEXT)",
        ],
    )
    problems = check_live(read_datamap(datamap_dir, programme), {"core": url})
    assert errors(problems) == []
    messages = [p.message for p in problems]
    assert (
        "core: table 'leads' is not mapped and looks personal (columns telefon, kommentar)"
        in messages
    )
    assert (
        "core: column 'customers.epost_privat' is not mapped and its name suggests email"
        in messages
    )
    assert not any("settings" in m for m in messages)


@pytest.mark.postgres
def test_postgresql_a_missing_column_is_named_with_what_exists(
    datamap_dir: Path, programme: Programme, postgres_url: str
) -> None:
    create_core(
        postgres_url,
        [CORE_TABLES[0].replace("phone VARCHAR(40)", "telephone VARCHAR(40)"), CORE_TABLES[1]],
    )
    as_postgresql(datamap_dir)
    [problem] = errors(check_live(read_datamap(datamap_dir, programme), {"core": postgres_url}))
    line = line_of(datamap_dir / "core.yaml", "- name: phone")
    assert problem.message == (
        f"core: table 'customers' has no column 'phone' (mapped in datamap/core.yaml:{line}); "
        "it has: id, personnummer, name, email, telephone, relationship_ended_at"
    )


@pytest.mark.postgres
def test_postgresql_a_matching_map_passes(
    datamap_dir: Path, programme: Programme, postgres_url: str
) -> None:
    create_core(postgres_url)
    as_postgresql(datamap_dir)
    assert check_live(read_datamap(datamap_dir, programme), {"core": postgres_url}) == []


@pytest.mark.postgres
def test_postgresql_tables_in_other_schemas_are_named_with_their_schema(
    datamap_dir: Path, programme: Programme, postgres_url: str
) -> None:
    create_core(
        postgres_url,
        [
            *CORE_TABLES,
            "CREATE SCHEMA crm",
            "CREATE TABLE crm.contacts (id INTEGER PRIMARY KEY, email TEXT)",
        ],
    )
    as_postgresql(datamap_dir)
    core = datamap_dir / "core.yaml"
    text = core.read_text(encoding="utf-8").replace(
        "  - name: customers\n", "  - name: customers\n    schema: public\n"
    )
    text += (
        "  - name: contacts\n    schema: crm\n    purposes: [contract]\n    primary_key: [id]\n"
        "    columns:\n      - name: id\n      - name: email\n        category: contact.email\n"
        "        identity: email\n      - name: phone\n        category: contact.phone\n"
    )
    core.write_text(text, encoding="utf-8")
    [problem] = check_live(read_datamap(datamap_dir, programme), {"core": postgres_url})
    assert problem.message.startswith("core: table 'crm.contacts' has no column 'phone'")
