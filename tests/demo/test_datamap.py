"""The data map the estate writes: valid, true to the live databases, free of secrets."""

from __future__ import annotations

import stat
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from demo_estate import Built

from dataskydd.datamap.live import Level, check_live
from dataskydd.datamap.loader import load_datamap, read_datamap
from dataskydd.datamap.schema import ErasureStrategy, SystemKind, SystemMap
from dataskydd.demo.systems import SYSTEM_KEYS
from dataskydd.programme import Programme, load_template
from dataskydd.programme.vocab import RetentionTrigger


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_template()


def maps(built: Built) -> dict[str, SystemMap]:
    return {
        key: SystemMap.model_validate(
            yaml.safe_load((built.estate.datamap_dir / f"{key}.yaml").read_text(encoding="utf-8"))
        )
        for key in SYSTEM_KEYS
    }


def columns(built: Built) -> dict[str, Any]:
    """Every mapped column by ``system.table.column``."""
    return {
        f"{key}.{table.name}.{column.name}": column
        for key, system_map in maps(built).items()
        for table in system_map.tables
        for column in table.columns
    }


def test_there_is_one_valid_file_per_system(built: Built) -> None:
    files = sorted(p.name for p in built.estate.datamap_dir.iterdir())
    assert files == [f"{key}.yaml" for key in sorted(SYSTEM_KEYS)]
    for key, system_map in maps(built).items():
        assert system_map.system.key == key
        assert system_map.system.kind is SystemKind.SQLITE


def test_every_category_and_purpose_is_the_programmes(built: Built, programme: Programme) -> None:
    categories = {c.key for c in programme.categories}
    purposes = {p.key for p in programme.purposes}
    used_categories = {c.category for c in columns(built).values() if c.category}
    used_purposes = {p for m in maps(built).values() for t in m.tables for p in t.purposes}
    assert used_categories - categories == set()
    assert used_purposes - purposes == set()


def test_the_loader_accepts_the_map_against_the_bundled_programme(
    built: Built, programme: Programme
) -> None:
    datamap = load_datamap(built.estate.datamap_dir, programme)
    assert sorted(datamap.systems) == sorted(SYSTEM_KEYS)


def test_the_map_matches_the_live_databases(built: Built, programme: Programme) -> None:
    loaded = read_datamap(built.estate.datamap_dir, programme)
    errors = [p for p in check_live(loaded, loaded.directory) if p.level is Level.ERROR]
    assert errors == []


def test_urls_live_in_secret_files_readable_by_their_owner_only(built: Built) -> None:
    for key, system_map in maps(built).items():
        connection = system_map.system.connection
        assert connection is not None and connection.file == f"../secrets/{key}.url"
        secret = (built.estate.datamap_dir / connection.file).resolve()
        assert secret.read_text(encoding="utf-8").strip() == built.estate.urls[key]
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert "://" not in (built.estate.datamap_dir / f"{key}.yaml").read_text(encoding="utf-8")


def test_other_peoples_columns_are_not_the_subjects(built: Built) -> None:
    others = {name for name, c in columns(built).items() if not c.subject}
    assert others == {
        "core.collateral.guarantor_personnummer",
        "core.collateral.guarantor_name",
        "crm.contacts.company_orgnr",  # the employer, a company
    }


def test_assessments_are_reviewed_before_release(built: Built) -> None:
    internal = {name for name, c in columns(built).items() if c.internal_assessment}
    assert internal == {
        "core.kyc_checks.risk_class",
        "core.kyc_checks.assessment",
        "recruitment.applicant_documents.internal_assessment",
    }


def test_free_text_is_redacted_and_everything_else_has_a_strategy(built: Built) -> None:
    found = columns(built)
    free_text = {name for name, c in found.items() if c.free_text}
    assert free_text == {
        "core.kyc_checks.assessment",
        "crm.interactions.notes",
        "recruitment.applicant_documents.content",
        "recruitment.applicant_documents.internal_assessment",
        "website.chat_messages.message",
        "website.contact_forms.message",
    }
    assert {found[name].erasure for name in free_text} == {ErasureStrategy.REDACT}
    assert found["core.customers.personnummer"].erasure is ErasureStrategy.KEYED_HASH
    assert found["core.customers.email"].erasure is ErasureStrategy.SET_NULL
    assert found["core.customers.customer_number"].erasure is ErasureStrategy.KEEP
    for whole_rows in ("marketing.", "recruitment.applicants.", "website.chat_sessions."):
        strategies = {c.erasure for n, c in found.items() if n.startswith(whole_rows)}
        assert strategies == {ErasureStrategy.DELETE_ROW}, whole_rows


def test_retention_triggers_are_dated_by_the_columns_that_date_them(built: Built) -> None:
    triggers = {n: c.retention_trigger for n, c in columns(built).items() if c.retention_trigger}
    assert triggers == {
        "core.customers.relationship_ended_at": RetentionTrigger.RELATIONSHIP_ENDED,
        "core.loans.ended_at": RetentionTrigger.CONTRACT_ENDED,
        "core.loan_offers.lapsed_at": RetentionTrigger.OFFER_LAPSED,
        "core.transactions.booked_at": RetentionTrigger.TRANSACTION_COMPLETED,
        "crm.interactions.occurred_at": RetentionTrigger.LAST_CONTACT,
        "crm.marketing_consents.withdrawn_at": RetentionTrigger.CONSENT_WITHDRAWN,
        "marketing.purchased_contacts.purchased_at": RetentionTrigger.LAST_CONTACT,
        "recruitment.applicants.decided_at": RetentionTrigger.APPLICATION_DECIDED,
        "website.chat_sessions.started_at": RetentionTrigger.COLLECTED,
        "website.chat_messages.sent_at": RetentionTrigger.COLLECTED,
        "website.contact_forms.submitted_at": RetentionTrigger.COLLECTED,
    }


def test_every_foreign_key_is_a_reference_and_crm_contacts_point_into_core(built: Built) -> None:
    found = columns(built)
    for key, url in built.estate.urls.items():
        engine = sa.create_engine(url)
        try:
            inspector = sa.inspect(engine)
            for table in inspector.get_table_names():
                for fk in inspector.get_foreign_keys(table):
                    reference = found[f"{key}.{table}.{fk['constrained_columns'][0]}"].references
                    assert reference is not None
                    assert (reference.table, reference.column) == (
                        fk["referred_table"],
                        fk["referred_columns"][0],
                    )
        finally:
            engine.dispose()
    reference = found["crm.contacts.customer_number"].references
    assert reference is not None
    assert (reference.system, reference.table, reference.column) == (
        "core",
        "customers",
        "customer_number",
    )


def test_every_identity_and_reference_column_has_an_index(built: Built) -> None:
    looked_up = {
        name
        for name, c in columns(built).items()
        if (c.identity or c.references) and not name.endswith(PRIMARY_KEYS)
    }
    indexed = set()
    for key, url in built.estate.urls.items():
        engine = sa.create_engine(url)
        try:
            inspector = sa.inspect(engine)
            for table in inspector.get_table_names():
                for index in inspector.get_indexes(table):
                    indexed.add(f"{key}.{table}.{index['column_names'][0]}")
        finally:
            engine.dispose()
    assert looked_up - indexed == set()


PRIMARY_KEYS = (
    "customers.customer_number",
    "companies.orgnr",
    "applicants.applicant_number",
)
