"""A Fides dataset file becomes draft data maps in the programme's own categories."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dataskydd.datamap.draft import Draft
from dataskydd.datamap.fides import FidesFormatError, import_fides, programme_category
from dataskydd.datamap.loader import load_datamap
from dataskydd.datamap.schema import SystemKind
from dataskydd.programme import Programme, ProgrammeInvalid

FIDES = Path(__file__).parent.parent / "fixtures" / "datamap" / "fides" / "lending.yaml"


@pytest.fixture
def drafts(programme: Programme) -> dict[str, Draft]:
    return {d.key: d for d in import_fides(FIDES, programme)}


def column(draft: Draft, table: str, name: str) -> dict[str, object]:
    data = yaml.safe_load(draft.to_yaml())
    found = next(t for t in data["tables"] if t["name"] == table)
    return next(c for c in found["columns"] if c["name"] == name)  # type: ignore[no-any-return]


def comment(draft: Draft, field_line: str) -> str:
    line = next(
        line for line in draft.to_yaml().splitlines() if line.strip().startswith(field_line)
    )
    return line.partition("  # ")[2]


def test_each_dataset_becomes_a_system(drafts: dict[str, Draft]) -> None:
    assert list(drafts) == ["lending_postgres", "customer_details_mongo"]
    system = yaml.safe_load(drafts["lending_postgres"].to_yaml())["system"]
    assert system == {
        "key": "lending_postgres",
        "name": "Lending database",
        "kind": "TODO",
        "description": "The core lending system's PostgreSQL database.",
        "connection": {"env": "LENDING_POSTGRES_URL"},
    }


def test_the_kind_can_be_given(programme: Programme) -> None:
    [first, _] = import_fides(FIDES, programme, SystemKind.POSTGRESQL)
    assert first.system_map.system.kind == SystemKind.POSTGRESQL


def test_categories_map_by_the_programmes_fideslang_terms(drafts: dict[str, Draft]) -> None:
    lending = drafts["lending_postgres"]
    assert column(lending, "customer", "email") == {
        "name": "email",
        "category": "contact.email",
        "identity": "email",
    }
    assert column(lending, "customer", "name") == {
        "name": "name",
        "category": "identification.name",
    }
    assert column(lending, "customer", "national_id")["category"] == "identification.national_id"


def test_a_finer_fides_category_maps_to_its_longest_known_parent(drafts: dict[str, Draft]) -> None:
    lending = drafts["lending_postgres"]
    assert column(lending, "customer", "city")["category"] == "contact.postal_address"
    assert comment(lending, "category: contact.postal_address") == (
        "proposed: user.contact.address.city falls under user.contact.address, "
        "the programme's term for contact.postal_address"
    )


def test_the_bare_user_root_is_no_match(programme: Programme) -> None:
    # The template maps sanctions screening to `user`; a biometric field is not that.
    assert programme_category(programme, "user.biometric")[0] is None


def test_an_unknown_category_is_todo_with_the_reason(drafts: dict[str, Draft]) -> None:
    lending = drafts["lending_postgres"]
    assert column(lending, "loan", "face_scan")["category"] == "TODO"
    assert comment(lending, "category: TODO") == (
        "TODO: no programme category has the fideslang term user.biometric or a parent of it"
    )


def test_system_categories_are_not_personal(drafts: dict[str, Draft]) -> None:
    assert column(drafts["lending_postgres"], "customer", "created") == {"name": "created"}


def test_identities_map_to_kinds(drafts: dict[str, Draft]) -> None:
    lending = drafts["lending_postgres"]
    assert column(lending, "customer", "phone")["identity"] == "phone"
    assert column(lending, "customer", "national_id")["identity"] == "personnummer"
    assert column(lending, "customer", "username")["identity"] == "customer_number"
    assert comment(lending, "identity: customer_number") == (
        "proposed: Fides identity 'username' has no kind here; customer_number assumed, check it"
    )


def test_primary_keys_and_references_are_kept(drafts: dict[str, Draft]) -> None:
    lending = yaml.safe_load(drafts["lending_postgres"].to_yaml())
    assert [t["primary_key"] for t in lending["tables"]] == [["id"], ["id"]]
    assert column(drafts["lending_postgres"], "loan", "customer_id")["references"] == {
        "table": "customer",
        "column": "id",
    }
    assert column(drafts["customer_details_mongo"], "customer_details", "customer_id")[
        "references"
    ] == {
        "system": "lending_postgres",
        "table": "customer",
        "column": "id",
    }


def test_nested_fields_give_their_category_to_the_column(drafts: dict[str, Draft]) -> None:
    nested = column(drafts["customer_details_mongo"], "customer_details", "workplace_info")
    assert nested["category"] == "financial.company_connections"


def test_every_table_waits_for_its_purposes_and_then_loads(
    drafts: dict[str, Draft], tmp_path: Path, programme: Programme
) -> None:
    for draft in drafts.values():
        (tmp_path / f"{draft.key}.yaml").write_text(draft.to_yaml(), encoding="utf-8")
    with pytest.raises(ProgrammeInvalid) as raised:
        load_datamap(tmp_path, programme)
    assert {e.rule for e in raised.value.errors} == {"todo"}
    for path in tmp_path.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace("kind: TODO", "kind: postgresql").replace(
            "purposes: [TODO]", "purposes: [contract]"
        )
        path.write_text(
            text.replace("category: TODO", "category: identification"), encoding="utf-8"
        )
    datamap = load_datamap(tmp_path, programme)
    assert set(datamap.systems) == {"lending_postgres", "customer_details_mongo"}


def test_a_file_that_is_no_fides_dataset_says_so(tmp_path: Path, programme: Programme) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("system:\n  key: core\n", encoding="utf-8")
    with pytest.raises(FidesFormatError, match="no 'dataset' list"):
        import_fides(other, programme)
