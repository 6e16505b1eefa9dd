"""Data portability (Art. 20) as files: what the person gave us, on consent or contract, only.

The data map is YAML loaded by the real loader against the bundled programme; the rows
are those a resolution returns for one person, so the portability rules run for real.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dataskydd import clock
from dataskydd.datamap.loader import load_datamap
from dataskydd.datamap.schema import DataMap
from dataskydd.programme import Programme, load_template
from dataskydd.rights.portability import PortableTable, portable_data
from dataskydd.rights.portability_formats import portability_json, portability_zip
from dataskydd.rights.resolution import (
    Found,
    FoundRow,
    Identity,
    IdentityKind,
    Resolution,
    SystemOutcome,
)

PNR = "197804122385"

CORE_YAML = """
system:
  key: core
  name: Kärnsystem
  kind: sqlite
  connection: {env: CORE_URL}
tables:
  - name: customers
    purposes: [contract]
    primary_key: [customer_number]
    columns:
      - {name: customer_number, category: identification, identity: customer_number}
      - {name: personnummer, category: identification.national_id, identity: personnummer, provided: true}
      - {name: name, category: identification.name, provided: true}
      - {name: born_on, category: identification, provided: true}
      - {name: risk_class, category: legal_tax.kyc}
  - name: loans
    purposes: [contract]
    primary_key: [loan_id]
    columns:
      - {name: loan_id}
      - {name: customer_number, references: {table: customers, column: customer_number}}
      - {name: amount_sek, category: financial.debts}
  - name: applications
    purposes: [contract]
    primary_key: [id]
    columns:
      - {name: id}
      - {name: customer_number, references: {table: customers, column: customer_number}}
      - {name: requested_sek, category: financial.debts, provided: true}
      - {name: business_plan, category: financial.assets, provided: true}
  - name: marketing_profile
    purposes: [marketing-analysis]
    primary_key: [customer_number]
    columns:
      - {name: customer_number, category: identification, identity: customer_number}
      - {name: interests, category: profile.customer_analysis, provided: true}
  - name: newsletter
    purposes: [consent]
    primary_key: [email]
    columns:
      - {name: email, category: contact.email, identity: email, provided: true}
      - {name: signed_up_on, category: relationship.history}
"""


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_template()


@pytest.fixture()
def datamap(tmp_path: Path, programme: Programme) -> DataMap:
    (tmp_path / "core.yaml").write_text(CORE_YAML, encoding="utf-8")
    return load_datamap(tmp_path, programme)


def row(table: str, key: Any, values: dict[str, Any], found: Found = Found.OWN) -> FoundRow:
    return FoundRow("core", table, (key,), values, found, "test")


def resolution(*rows: FoundRow) -> Resolution:
    by_table: dict[tuple[str, str], dict[tuple[Any, ...], FoundRow]] = {}
    for r in rows:
        by_table.setdefault((r.system, r.table), {})[r.key] = r
    return Resolution(
        identities={Identity(IdentityKind.PERSONNUMMER, PNR)},
        rows=by_table,
        outcomes={"core": SystemOutcome("core", "answered")},
    )


@pytest.fixture()
def tables(datamap: DataMap, programme: Programme) -> list[PortableTable]:
    found = resolution(
        row(
            "customers",
            "K-1",
            {
                "customer_number": "K-1",
                "personnummer": PNR,
                "name": "Åsa Öberg-Ängström",
                "born_on": date(1978, 4, 12),
                "risk_class": "låg",
            },
        ),
        row("loans", "L-1", {"loan_id": "L-1", "customer_number": "K-1", "amount_sek": 1}),
        row(
            "applications",
            "A-1",
            {
                "id": "A-1",
                "customer_number": "K-1",
                "requested_sek": Decimal("250000.50"),
                "business_plan": "Café i Göteborg; räksmörgåsar året runt",
            },
        ),
        row(
            "applications",
            "A-2",
            {"id": "A-2", "customer_number": "K-2", "requested_sek": 9, "business_plan": "x"},
            Found.MENTION,
        ),
        row("marketing_profile", "K-1", {"customer_number": "K-1", "interests": "segling"}),
        row(
            "newsletter",
            "asa@example.se",
            {"email": "asa@example.se", "signed_up_on": date(2024, 1, 2)},
        ),
    )
    return portable_data(found, datamap, programme)


def test_portability_has_only_provided_columns_of_consent_or_contract_tables(
    tables: list[PortableTable],
) -> None:
    document = json.loads(portability_json(tables))
    shape = {t["table"]: t["columns"] for t in document["tables"]}
    assert shape == {
        "customers": ["personnummer", "name", "born_on"],  # not the KYC risk class we set
        "applications": ["requested_sek", "business_plan"],
        "newsletter": ["email"],  # consent; the sign-up date is ours, not given by her
    }, "loans (nothing provided) and marketing (legitimate interest) are not portable"


def test_portability_has_only_the_persons_own_rows(tables: list[PortableTable]) -> None:
    applications = next(
        t for t in json.loads(portability_json(tables))["tables"] if t["table"] == "applications"
    )
    assert applications["rows"] == [
        {"requested_sek": "250000.50", "business_plan": "Café i Göteborg; räksmörgåsar året runt"}
    ], "a row where she is only mentioned is someone else's"


def test_portability_json_is_typed_and_dated_in_iso_8601(tables: list[PortableTable]) -> None:
    with clock.frozen_at("2026-03-02T10:00"):
        document = json.loads(portability_json(tables))
    assert document["format"] == "dataskydd-portability/1"
    assert document["generated_at"] == "2026-03-02T09:00:00+00:00"
    customers = next(t for t in document["tables"] if t["table"] == "customers")
    assert customers["system"] == "core"
    assert customers["rows"] == [
        {"personnummer": PNR, "name": "Åsa Öberg-Ängström", "born_on": "1978-04-12"}
    ]


def test_the_portability_zip_has_a_csv_per_table_and_the_json(tables: list[PortableTable]) -> None:
    with zipfile.ZipFile(io.BytesIO(portability_zip(tables))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert set(files) == {
        "portability.json",
        "core/customers.csv",
        "core/applications.csv",
        "core/newsletter.csv",
    }
    assert (
        json.loads(files["portability.json"])["tables"]
        == json.loads(portability_json(tables))["tables"]
    )


def test_every_portability_csv_opens_with_swedish_characters_intact(
    tables: list[PortableTable],
) -> None:
    with zipfile.ZipFile(io.BytesIO(portability_zip(tables))) as archive:
        raw = archive.read("core/applications.csv")
        assert all(
            archive.read(n).startswith(b"\xef\xbb\xbf")
            for n in archive.namelist()
            if n.endswith(".csv")
        )
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["requested_sek", "business_plan"],
        ["250000.50", "Café i Göteborg; räksmörgåsar året runt"],
    ]


def test_nothing_portable_is_an_empty_export_not_an_error(
    datamap: DataMap, programme: Programme
) -> None:
    tables = portable_data(resolution(), datamap, programme)
    assert json.loads(portability_json(tables))["tables"] == []
    with zipfile.ZipFile(io.BytesIO(portability_zip(tables))) as archive:
        assert archive.namelist() == ["portability.json"]
