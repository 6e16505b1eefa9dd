"""The rules beyond the schema: each broken promise names its rule, its file and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataskydd.datamap.loader import load_datamap
from dataskydd.datamap.rules import RULES
from dataskydd.programme import Programme, ProgrammeError, ProgrammeInvalid

DOCS = Path(__file__).parent.parent.parent / "docs" / "datamap-format.md"


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
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


def the_error(directory: Path, programme: Programme, rule: str) -> ProgrammeError:
    with pytest.raises(ProgrammeInvalid) as raised:
        load_datamap(directory, programme)
    errors = raised.value.errors
    assert [e.rule for e in errors] == [rule], "\n".join(str(e) for e in errors)
    return errors[0]


def test_an_unknown_category_suggests_the_one_meant(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(datamap_dir / "core.yaml", "category: contact.email", "category: contact.e-mail")
    error = the_error(datamap_dir, programme, "unknown-category")
    assert (
        error.message
        == "'contact.e-mail' is not a category of the programme; did you mean 'contact.email'?"
    )
    assert (error.file, error.line) == (
        "datamap/core.yaml",
        line_of(datamap_dir / "core.yaml", "contact.e-mail"),
    )
    assert error.path == "tables[0].columns[3].category"


def test_an_unknown_purpose_suggests_the_one_meant(datamap_dir: Path, programme: Programme) -> None:
    edit(datamap_dir / "core.yaml", "[contract, legal-obligation]", "[contract, legal-obligations]")
    error = the_error(datamap_dir, programme, "unknown-purpose")
    assert "did you mean 'legal-obligation'?" in error.message
    assert error.line == line_of(datamap_dir / "core.yaml", "legal-obligations")


def test_one_system_key_in_two_files_names_both(datamap_dir: Path, programme: Programme) -> None:
    text = (datamap_dir / "archive.yaml").read_text(encoding="utf-8")
    (datamap_dir / "zz-archive-copy.yaml").write_text(text, encoding="utf-8")
    error = the_error(datamap_dir, programme, "duplicate-system")
    assert error.file == "datamap/zz-archive-copy.yaml"
    assert error.line == line_of(datamap_dir / "archive.yaml", "key: paper-archive")
    assert "also defined in datamap/archive.yaml:" in error.message


def test_a_table_mapped_twice_is_reported_at_the_second(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(datamap_dir / "core.yaml", "  - name: loans", "  - name: customers")
    error = the_error(datamap_dir, programme, "duplicate-table")
    assert error.line == line_of(datamap_dir / "core.yaml", "  - name: customers", 2)
    assert (
        f"already mapped at datamap/core.yaml:{line_of(datamap_dir / 'core.yaml', '  - name: customers')}"
        in error.message
    )


def test_a_column_mapped_twice_is_reported_at_the_second(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(datamap_dir / "core.yaml", "      - name: amount", "      - name: customer_id")
    error = the_error(datamap_dir, programme, "duplicate-column")
    assert error.line == line_of(datamap_dir / "core.yaml", "- name: customer_id", 2)
    assert "'customer_id' is mapped twice in 'loans'" in error.message


def test_a_primary_key_names_a_mapped_column(datamap_dir: Path, programme: Programme) -> None:
    edit(datamap_dir / "core.yaml", "primary_key: [id]", "primary_key: [customer_no]")
    error = the_error(datamap_dir, programme, "primary-key")
    assert "'customer_no' is not a column of 'customers'" in error.message
    assert error.line == line_of(datamap_dir / "core.yaml", "customer_no")


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        (
            "{table: customer, column: id}",
            "the table 'customer', which system 'core' does not map; did you mean 'customers'?",
        ),
        (
            "{table: customers, column: idd}",
            "the column 'idd', which 'core.customers' does not map; did you mean 'id'?",
        ),
        ("{system: crm, table: customers, column: id}", "an unknown system 'crm'"),
        (
            "{system: paper-archive, table: binders, column: id}",
            "the table 'binders', which system 'paper-archive' does not map",
        ),
    ],
)
def test_a_reference_names_a_known_system_table_and_column(
    datamap_dir: Path, programme: Programme, reference: str, says: str
) -> None:
    edit(datamap_dir / "core.yaml", "{table: customers, column: id}", reference)
    error = the_error(datamap_dir, programme, "unknown-reference")
    assert says in error.message
    assert error.line == line_of(datamap_dir / "core.yaml", "references:")


def test_someone_elses_identity_cannot_be_provided_by_the_subject(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(
        datamap_dir / "core.yaml", "subject: false  #", "subject: false\n        provided: true  #"
    )
    error = the_error(datamap_dir, programme, "subject-provided")
    assert "'guarantor_personnummer' identifies someone other than the subject" in error.message
    assert error.line == line_of(datamap_dir / "core.yaml", "provided: true", 5)


def test_an_identity_column_says_its_category(datamap_dir: Path, programme: Programme) -> None:
    edit(datamap_dir / "core.yaml", "        category: contact.phone\n", "")
    error = the_error(datamap_dir, programme, "identity-category")
    assert "'phone' holds an identity (phone) but no 'category'" in error.message
    assert error.line == line_of(datamap_dir / "core.yaml", "- name: phone")


def test_a_free_text_column_says_its_category(datamap_dir: Path, programme: Programme) -> None:
    edit(datamap_dir / "core.yaml", "        category: relationship.interactions\n", "")
    error = the_error(datamap_dir, programme, "free-text-category")
    assert "free-text column 'notes'" in error.message
    assert error.line == line_of(datamap_dir / "core.yaml", "- name: notes")


def test_a_manual_system_has_no_tables(datamap_dir: Path, programme: Programme) -> None:
    text = (datamap_dir / "archive.yaml").read_text(encoding="utf-8")
    text += "tables:\n  - name: binders\n    purposes: [contract]\n    primary_key: [id]\n    columns:\n      - name: id\n"
    (datamap_dir / "archive.yaml").write_text(text, encoding="utf-8")
    error = the_error(datamap_dir, programme, "manual-tables")
    assert "'paper-archive' cannot be queried, so it has no tables" in error.message
    assert error.line == line_of(datamap_dir / "archive.yaml", "tables:")


def test_a_manual_systems_categories_are_the_programmes(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(datamap_dir / "archive.yaml", "financial.contract_type]", "financial.contracts]")
    error = the_error(datamap_dir, programme, "unknown-category")
    assert error.path == "system.categories[2]"
    assert error.line == line_of(datamap_dir / "archive.yaml", "categories:")


def test_a_manual_system_says_what_it_holds(datamap_dir: Path, programme: Programme) -> None:
    edit(
        datamap_dir / "archive.yaml",
        "  categories: [identification.national_id, identification.name, financial.contract_type]\n",
        "",
    )
    error = the_error(datamap_dir, programme, "manual-categories")
    assert error.file == "datamap/archive.yaml"


def test_a_todo_left_by_introspection_is_flagged_where_it_stands(
    datamap_dir: Path, programme: Programme
) -> None:
    edit(datamap_dir / "core.yaml", "purposes: [contract]", "purposes: [TODO]")
    edit(datamap_dir / "core.yaml", "category: financial.debts", "category: TODO")
    with pytest.raises(ProgrammeInvalid) as raised:
        load_datamap(datamap_dir, programme)
    errors = raised.value.errors
    assert [e.rule for e in errors] == ["todo", "todo"]
    assert errors[0].line == line_of(datamap_dir / "core.yaml", "purposes: [TODO]")
    assert "name the purposes this table serves" in errors[0].message
    assert errors[1].line == line_of(datamap_dir / "core.yaml", "category: TODO")


def test_every_rule_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for rule in [*RULES, "secret-in-yaml", "todo", "schema", "yaml-syntax", "duplicate-key"]:
        assert f"`{rule}`" in docs, rule
