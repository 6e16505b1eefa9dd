"""Loading a data map: every mistake is reported at once, each at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataskydd.datamap.loader import SECRET_IN_YAML, load_datamap, read_datamap
from dataskydd.datamap.schema import IdentityKind, SystemKind
from dataskydd.programme import Programme, ProgrammeError, ProgrammeInvalid


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    found = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(f"{needle!r} is not in {path}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors_of(directory: Path, programme: Programme) -> list[ProgrammeError]:
    with pytest.raises(ProgrammeInvalid) as raised:
        load_datamap(directory, programme)
    return raised.value.errors


def the_error(directory: Path, programme: Programme, rule: str) -> ProgrammeError:
    errors = errors_of(directory, programme)
    found = [e for e in errors if e.rule == rule]
    assert len(found) == 1, "\n".join(str(e) for e in errors)
    return found[0]


# -- a valid map ------------------------------------------------------------------------------


def test_the_fixture_map_loads_with_both_systems(datamap_dir: Path, programme: Programme) -> None:
    datamap = load_datamap(datamap_dir, programme)
    assert set(datamap.systems) == {"core", "paper-archive"}
    assert datamap.systems["paper-archive"].system.kind == SystemKind.MANUAL
    customers = datamap.systems["core"].table("customers")
    assert customers.column("personnummer").identity == IdentityKind.PERSONNUMMER


def test_a_relative_secrets_file_becomes_absolute_next_to_its_yaml(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(datamap_dir / "core.yaml", "env: DATASKYDD_CORE_URL", "file: secrets/core.url")
    connection = load_datamap(datamap_dir, programme).systems["core"].system.connection
    assert connection is not None and connection.file is not None
    assert Path(connection.file) == (datamap_dir / "secrets" / "core.url").resolve()


def test_a_loaded_map_points_back_at_the_lines_that_wrote_it(
    datamap_dir: Path, programme: Programme
) -> None:
    loaded = read_datamap(datamap_dir, programme)
    line = line_of(datamap_dir / "core.yaml", "- name: notes")
    assert loaded.where_column("core", "loans", "notes") == f"datamap/core.yaml:{line}"


# -- secrets ----------------------------------------------------------------------------------


def test_a_url_in_yaml_is_refused_as_a_secret(datamap_dir: Path, programme: Programme) -> None:
    edit(
        datamap_dir / "core.yaml",
        "    env: DATASKYDD_CORE_URL",
        "    url: postgresql://app:hunter2@db/core",
    )
    error = the_error(datamap_dir, programme, "secret-in-yaml")
    assert error.message == SECRET_IN_YAML
    assert (error.file, error.line) == (
        "datamap/core.yaml",
        line_of(datamap_dir / "core.yaml", "url:"),
    )
    # The secret itself is never repeated back.
    assert all("hunter2" not in str(e) for e in errors_of(datamap_dir, programme))


def test_a_connection_written_as_a_url_string_is_refused_too(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(
        datamap_dir / "core.yaml",
        "  connection:\n    env: DATASKYDD_CORE_URL",
        "  connection: postgresql://app:hunter2@db/core",
    )
    errors = errors_of(datamap_dir, programme)
    assert [e.rule for e in errors] == ["secret-in-yaml"]
    assert errors[0].line == line_of(datamap_dir / "core.yaml", "connection:")


# -- syntax and schema ------------------------------------------------------------------------


def test_broken_yaml_is_reported_at_its_line_and_other_files_still_checked(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(
        datamap_dir / "core.yaml",
        "    primary_key: [id]\n",
        "    primary_key: [id\n",
    )
    edit(datamap_dir / "archive.yaml", "identification.name,", "identification.nmae,")
    rules = {e.rule: e for e in errors_of(datamap_dir, programme)}
    assert rules["yaml-syntax"].file == "datamap/core.yaml"
    assert rules["yaml-syntax"].line > 0
    assert rules["unknown-category"].file == "datamap/archive.yaml"


def test_a_misspelt_field_says_what_was_meant(datamap_dir: Path, programme: Programme) -> None:
    edit(datamap_dir / "core.yaml", "        retention_trigger:", "        retention_triger:")
    error = the_error(datamap_dir, programme, "schema")
    assert (
        "'retention_triger' is not a field here; did you mean 'retention_trigger'?" in error.message
    )
    assert error.line == line_of(datamap_dir / "core.yaml", "retention_triger")
    assert error.path == "tables[0].columns[5].retention_triger"


def test_a_retention_trigger_outside_the_vocabulary_is_a_schema_error(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(
        datamap_dir / "core.yaml",
        "retention_trigger: relationship_ended",
        "retention_trigger: ended",
    )
    error = the_error(datamap_dir, programme, "schema")
    assert "'ended' is not allowed here" in error.message
    assert error.line == line_of(datamap_dir / "core.yaml", "retention_trigger")


def test_a_key_written_twice_in_one_mapping_is_reported(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(
        datamap_dir / "core.yaml",
        "  owner: it-operations\n",
        "  owner: it-operations\n  owner: ops\n",
    )
    error = the_error(datamap_dir, programme, "duplicate-key")
    assert error.line == line_of(datamap_dir / "core.yaml", "owner: ops")


def test_every_error_in_every_file_is_reported_together(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(datamap_dir / "core.yaml", "purposes: [contract]", "purposes: [contrct]")
    edit(datamap_dir / "core.yaml", "category: financial.debts", "category: financial.debt")
    edit(datamap_dir / "archive.yaml", "due_days: 7", "due_days: 70")
    errors = errors_of(datamap_dir, programme)
    assert sorted(e.rule for e in errors) == ["schema", "unknown-category", "unknown-purpose"]
    assert {e.file for e in errors} == {"datamap/core.yaml", "datamap/archive.yaml"}


def test_an_empty_directory_is_a_clear_error(tmp_path: Path, programme: Programme) -> None:
    with pytest.raises(FileNotFoundError, match=r"no \.yaml files"):
        load_datamap(tmp_path, programme)
