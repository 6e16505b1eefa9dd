"""A bad programme file gets a clear error naming the file, the line and the rule broken.

Each test takes the small valid programme in tests/fixtures/minimal, breaks it in one way
that a DPO editing YAML could, and checks the error that comes back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dataskydd.programme import ProgrammeError, ProgrammeInvalid, load_programme

MINIMAL = Path(__file__).parent.parent / "fixtures" / "minimal"

TRANSFER = """
transfers:
  - key: support
    label: {sv: Support, en: Support}
    recipient: it-supplier
    countries: [%s]
%s"""


def broken(tmp_path: Path, old: str, new: str, *, extra: str = "") -> Path:
    """A copy of the minimal programme with ``old`` replaced by ``new`` (which must occur)."""
    directory = tmp_path / "programme"
    shutil.copytree(MINIMAL, directory)
    file = directory / "programme.yaml"
    text = file.read_text(encoding="utf-8")
    assert old in text, f"the fixture no longer contains {old!r}"
    file.write_text(text.replace(old, new, 1) + extra, encoding="utf-8")
    return directory


def errors_of(directory: Path) -> list[ProgrammeError]:
    with pytest.raises(ProgrammeInvalid) as caught:
        load_programme(directory)
    return caught.value.errors


def line_of(directory: Path, needle: str, file: str = "programme.yaml") -> int:
    lines = (directory / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def only_error(directory: Path) -> ProgrammeError:
    errors = errors_of(directory)
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


def test_the_minimal_programme_is_valid() -> None:
    programme = load_programme(MINIMAL)
    assert programme.programme.key == "minimal"
    assert programme.purpose("marketing").balancing_test is not None


def test_a_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    directory = broken(tmp_path, "legal_bases: [contract]", "legal_bases: [contract")
    error = errors_of(directory)[0]
    assert error.rule == "yaml-syntax"
    assert error.file == "programme/programme.yaml"
    assert error.line >= line_of(directory, "legal_bases: [contract")


def test_a_key_written_twice_in_a_mapping_is_not_silently_overwritten(tmp_path: Path) -> None:
    directory = broken(
        tmp_path,
        "    legal_bases: [contract]\n",
        "    legal_bases: [contract]\n    legal_bases: [consent]\n",
    )
    error = only_error(directory)
    assert error.rule == "duplicate-key"
    assert error.line == line_of(directory, "legal_bases: [consent]")


def test_a_purpose_without_a_legal_basis_is_an_error(tmp_path: Path) -> None:
    directory = broken(tmp_path, "legal_bases: [contract]", "legal_bases: []")
    error = only_error(directory)
    assert (error.rule, error.path) == ("schema", "purposes[0].legal_bases")
    assert error.message == "a purpose needs at least one legal basis"
    assert error.line == line_of(directory, "legal_bases: []")


def test_an_unknown_legal_basis_lists_the_ones_allowed(tmp_path: Path) -> None:
    directory = broken(tmp_path, "legal_bases: [contract]", "legal_bases: [contracts]")
    error = only_error(directory)
    assert "'contracts' is not allowed" in error.message
    assert "legitimate_interest" in error.message


def test_legitimate_interest_needs_a_balancing_test(tmp_path: Path) -> None:
    directory = broken(
        tmp_path,
        "    balancing_test: {sv: Kunden kan förvänta sig det., en: Customers can expect it.}\n",
        "",
    )
    error = only_error(directory)
    assert error.rule == "balancing-test"
    assert error.path == "purposes[1].legal_bases"


def test_an_unknown_category_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    directory = broken(
        tmp_path,
        "    categories: [identification.national_id, contact]\n    sources",
        "    categories: [identification.nationalid, contact]\n    sources",
    )
    error = only_error(directory)
    assert error.rule == "unknown-reference"
    assert error.path == "activities[0].categories[0]"
    assert "did you mean 'identification.national_id'" in error.message
    assert error.line == line_of(directory, "identification.nationalid")


def test_a_retention_rule_without_a_duration_is_an_error(tmp_path: Path) -> None:
    directory = broken(tmp_path, "    maximum: P10Y\n", "")
    error = only_error(directory)
    assert error.rule == "retention-duration"
    assert error.line == line_of(directory, "key: contract-evidence")


def test_a_minimum_longer_than_the_maximum_is_an_error(tmp_path: Path) -> None:
    directory = broken(tmp_path, "    maximum: P10Y\n", "    minimum: P11Y\n    maximum: P10Y\n")
    assert only_error(directory).rule == "retention-order"


def test_a_period_that_is_not_iso_8601_says_how_to_write_it(tmp_path: Path) -> None:
    directory = broken(tmp_path, "maximum: P10Y", "maximum: 10 years")
    error = only_error(directory)
    assert "write e.g. P5Y" in error.message
    assert error.line == line_of(directory, "maximum: 10 years")


def test_a_transfer_outside_the_eea_without_a_mechanism_is_an_error(tmp_path: Path) -> None:
    directory = broken(tmp_path, "retention:\n", TRANSFER % ("US", "") + "\nretention:\n")
    error = only_error(directory)
    assert error.message == "the required field 'mechanism' is missing"
    assert error.line == line_of(directory, "key: support")


def test_adequacy_is_no_mechanism_for_a_country_without_a_decision(tmp_path: Path) -> None:
    directory = broken(
        tmp_path, "retention:\n", TRANSFER % ("IN", "    mechanism: adequacy") + "\nretention:\n"
    )
    error = only_error(directory)
    assert error.rule == "transfer-adequacy"
    assert error.line == line_of(directory, "countries: [IN]")


def test_a_transfer_inside_the_eea_is_not_a_third_country_transfer(tmp_path: Path) -> None:
    directory = broken(
        tmp_path,
        "retention:\n",
        TRANSFER % ("DE", "    mechanism: standard_contractual_clauses") + "\nretention:\n",
    )
    assert only_error(directory).rule == "transfer-eea"


def test_a_derogation_must_say_which(tmp_path: Path) -> None:
    directory = broken(
        tmp_path, "retention:\n", TRANSFER % ("US", "    mechanism: derogation") + "\nretention:\n"
    )
    assert only_error(directory).rule == "transfer-derogation"


def test_a_processor_needs_its_data_processing_agreement(tmp_path: Path) -> None:
    directory = broken(tmp_path, "    dpa_reference: DPA-2021-001\n", "")
    error = only_error(directory)
    assert error.rule == "processor-dpa"
    assert error.line == line_of(directory, "key: it-supplier")


def test_a_misspelt_field_gets_a_did_you_mean(tmp_path: Path) -> None:
    directory = broken(tmp_path, "dpa_reference: DPA-2021-001", "dpa_ref: DPA-2021-001")
    messages = [e.message for e in errors_of(directory)]
    assert "'dpa_ref' is not a field here; did you mean 'dpa_reference'?" in messages


def test_every_text_needs_swedish_and_english(tmp_path: Path) -> None:
    directory = broken(tmp_path, "label: {sv: Kund, en: Customer}", "label: {sv: Kund}")
    error = only_error(directory)
    assert error.message == "the English text 'en' is missing; every text needs sv and en"
    assert error.path == "data_subjects[0].label.en"


def test_a_category_needs_its_parent(tmp_path: Path) -> None:
    directory = broken(
        tmp_path, "  - key: identification.national_id", "  - key: identity.national_id"
    )
    assert "category-parent" in {e.rule for e in errors_of(directory)}


def test_special_category_data_needs_an_article_9_condition(tmp_path: Path) -> None:
    directory = broken(
        tmp_path, "    national_id: true\n", "    national_id: true\n    special: true\n"
    )
    rules = {e.rule for e in errors_of(directory)}
    assert rules == {"art9-condition"}


def test_an_entry_key_defined_twice_points_at_the_second(tmp_path: Path) -> None:
    directory = broken(tmp_path, "  - key: marketing", "  - key: contract")
    errors = [e for e in errors_of(directory) if e.rule == "duplicate-key"]
    assert len(errors) == 1
    assert errors[0].path == "purposes[1].key"


def test_every_right_must_be_described(tmp_path: Path) -> None:
    directory = broken(tmp_path, "  - key: portability\n", "  - key: access\n")
    messages = {e.message for e in errors_of(directory)}
    assert "the right 'portability' is not described" in messages


def test_a_date_that_is_not_a_date(tmp_path: Path) -> None:
    directory = broken(tmp_path, "effective_date: 2024-01-01", "effective_date: 2024-13-01")
    assert "is not a date; write YYYY-MM-DD" in only_error(directory).message


def test_a_section_in_two_files_names_both(tmp_path: Path) -> None:
    directory = broken(tmp_path, "programme:", "programme:")
    (directory / "extra.yaml").write_text(
        "cookies:\n  statement: {sv: a, en: b}\n  categories: []\nprogramme:\n  key: other\n"
    )
    errors = errors_of(directory)
    duplicate = next(e for e in errors if e.rule == "duplicate-section")
    assert duplicate.file == "programme/programme.yaml"
    assert "programme/extra.yaml" in duplicate.message


def test_every_error_is_listed_not_only_the_first(tmp_path: Path) -> None:
    directory = broken(tmp_path, "legal_bases: [contract]", "legal_bases: []")
    text = (directory / "programme.yaml").read_text(encoding="utf-8")
    text = text.replace("    maximum: P10Y\n", "").replace("    dpa_reference: DPA-2021-001\n", "")
    text = text.replace("label: {sv: Kund, en: Customer}", "label: {sv: Kund}")
    (directory / "programme.yaml").write_text(text, encoding="utf-8")
    errors = errors_of(directory)
    assert {e.rule for e in errors} >= {"schema", "retention-duration", "processor-dpa"}
    assert len(errors) == 4
    assert [e.line for e in errors] == sorted(e.line for e in errors)


def test_an_error_prints_as_file_line_path_message_rule(tmp_path: Path) -> None:
    directory = broken(tmp_path, "    maximum: P10Y\n", "")
    text = str(only_error(directory))
    assert text.startswith("programme/programme.yaml:")
    assert text.endswith("[retention-duration]")


def test_a_single_yaml_file_is_a_programme_too() -> None:
    assert load_programme(MINIMAL / "programme.yaml").programme.key == "minimal"


def test_a_missing_directory_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such programme"):
        load_programme(tmp_path / "nowhere")
