"""A small real estate for the rights tests: two SQLite systems and their data map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from stdnum import luhn

from dataskydd.datamap.schema import DataMap, SystemMap


def pnr(birth: str, serial: str) -> str:
    """A valid 12-digit personnummer for YYYYMMDD and a 3-digit serial."""
    return birth + serial + luhn.calc_check_digit(birth[2:] + serial)


ANNA = pnr("19780412", "238")
BERTIL = pnr("19650101", "123")  # Anna guarantees Bertil's loan; Bertil is on the board with Anna
CECILIA = pnr("19900505", "456")  # a stranger
ANNA_EMAIL = "anna.lindqvist@example.se"

CORE = {
    "system": {
        "key": "core",
        "name": "Kärnsystem",
        "kind": "sqlite",
        "connection": {"file": "core.url"},
    },
    "tables": [
        {
            "name": "customers",
            "purposes": ["contract"],
            "primary_key": ["customer_number"],
            "columns": [
                {"name": "customer_number", "identity": "customer_number"},
                {
                    "name": "personnummer",
                    "category": "identification.national_id",
                    "identity": "personnummer",
                    "provided": True,
                },
                {"name": "name", "category": "identification.name", "provided": True},
                {
                    "name": "email",
                    "category": "contact.email",
                    "identity": "email",
                    "provided": True,
                },
                {"name": "relationship_ended_at", "retention_trigger": "relationship_ended"},
                {
                    "name": "employer_orgnr",
                    "category": "financial.company_connections",
                    "identity": "organisationsnummer",
                },
            ],
        },
        {
            "name": "loans",
            "purposes": ["contract"],
            "primary_key": ["loan_id"],
            "columns": [
                {"name": "loan_id"},
                {
                    "name": "customer_number",
                    "references": {"table": "customers", "column": "customer_number"},
                },
                {"name": "amount_sek", "category": "financial.debts"},
            ],
        },
        {
            "name": "collateral",
            "purposes": ["contract"],
            "primary_key": ["id"],
            "columns": [
                {"name": "id"},
                {"name": "loan_id", "references": {"table": "loans", "column": "loan_id"}},
                {"name": "kind", "category": "financial.guarantees"},
                {
                    "name": "guarantor_personnummer",
                    "category": "identification.national_id",
                    "identity": "personnummer",
                    "subject": False,
                },
            ],
        },
        {
            "name": "companies",
            "purposes": ["contract"],
            "primary_key": ["orgnr"],
            "columns": [
                {"name": "orgnr", "identity": "organisationsnummer"},
                {"name": "name", "category": "financial.company_connections"},
            ],
        },
        {
            "name": "company_roles",
            "purposes": ["contract"],
            "primary_key": ["id"],
            "columns": [
                {"name": "id"},
                {"name": "orgnr", "references": {"table": "companies", "column": "orgnr"}},
                {
                    "name": "personnummer",
                    "category": "identification.national_id",
                    "identity": "personnummer",
                },
                {"name": "role", "category": "financial.company_connections"},
            ],
        },
    ],
}

WEBSITE = {
    "system": {
        "key": "website",
        "name": "Webbplats",
        "kind": "sqlite",
        "connection": {"file": "website.url"},
    },
    "tables": [
        {
            "name": "chat_sessions",
            "purposes": ["contract"],
            "primary_key": ["id"],
            "columns": [
                {"name": "id"},
                {
                    "name": "email",
                    "category": "contact.email",
                    "identity": "email",
                    "provided": True,
                },
            ],
        },
        {
            "name": "chat_messages",
            "purposes": ["contract"],
            "primary_key": ["id"],
            "columns": [
                {"name": "id"},
                {"name": "session_id", "references": {"table": "chat_sessions", "column": "id"}},
                {
                    "name": "message",
                    "category": "communication.chat",
                    "free_text": True,
                    "provided": True,
                },
            ],
        },
    ],
}


def build_sqlite(path: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    metadata = sa.MetaData()
    for table, items in rows.items():
        columns = [
            sa.Column(name, sa.Date if name.endswith("_at") else sa.String) for name in items[0]
        ]
        sa.Table(table, metadata, *columns)
    metadata.create_all(engine)
    with engine.begin() as connection:
        for table, items in rows.items():
            connection.execute(metadata.tables[table].insert(), items)
    engine.dispose()


def build_estate(tmp_path: Path) -> Path:
    """The two systems' databases and secrets files, in written forms that differ on purpose."""
    from datetime import date

    build_sqlite(
        tmp_path / "core.db",
        {
            "customers": [
                {
                    "customer_number": "K-1",
                    "personnummer": ANNA[2:8] + "-" + ANNA[8:],
                    "name": "Anna Lindqvist",
                    "email": "Anna.Lindqvist@example.se",
                    "relationship_ended_at": None,
                    "employer_orgnr": "5560000001",
                },
                {
                    "customer_number": "K-2",
                    "personnummer": BERTIL,
                    "name": "Bertil Berg",
                    "email": "bertil@example.se",
                    "relationship_ended_at": date(2019, 6, 30),
                    "employer_orgnr": None,
                },
                {
                    "customer_number": "K-3",
                    "personnummer": CECILIA,
                    "name": "Cecilia Ek",
                    "email": "cecilia@example.se",
                    "relationship_ended_at": None,
                    "employer_orgnr": None,
                },
            ],
            "loans": [
                {"loan_id": "L-1", "customer_number": "K-1", "amount_sek": "500000"},
                {"loan_id": "L-2", "customer_number": "K-2", "amount_sek": "250000"},
                {"loan_id": "L-3", "customer_number": "K-3", "amount_sek": "100000"},
            ],
            "collateral": [
                {"id": "C-1", "loan_id": "L-1", "kind": "property", "guarantor_personnummer": None},
                {
                    "id": "C-2",
                    "loan_id": "L-2",
                    "kind": "guarantee",
                    "guarantor_personnummer": ANNA,
                },
            ],
            "companies": [{"orgnr": "5560000001", "name": "Berg & Lindqvist AB"}],
            "company_roles": [
                {"id": "R-1", "orgnr": "5560000001", "personnummer": ANNA, "role": "board_member"},
                {"id": "R-2", "orgnr": "5560000001", "personnummer": BERTIL, "role": "chair"},
            ],
        },
    )
    build_sqlite(
        tmp_path / "website.db",
        {
            "chat_sessions": [
                {"id": "S-1", "email": ANNA_EMAIL},
                {"id": "S-2", "email": None},
                {"id": "S-3", "email": "cecilia@example.se"},
            ],
            "chat_messages": [
                {"id": "M-1", "session_id": "S-1", "message": "Hej, jag undrar över mitt lån."},
                {
                    "id": "M-2",
                    "session_id": "S-2",
                    "message": f"Mitt personnummer är {ANNA[2:8]}-{ANNA[8:]}, ring mig.",
                },
                {
                    "id": "M-3",
                    "session_id": "S-3",
                    "message": f"Jag har nummer {ANNA[2:]}0 som referens.",
                },
            ],
        },
    )
    for system in ("core", "website"):
        (tmp_path / f"{system}.url").write_text(f"sqlite:///{tmp_path / system}.db")
    return tmp_path


def datamap_for(directory: Path, *systems: dict[str, Any]) -> DataMap:
    maps = {}
    for raw in systems:
        system_map = SystemMap.model_validate(raw)
        connection = system_map.system.connection
        assert connection is not None and connection.file is not None
        absolute = connection.model_copy(update={"file": str(directory / connection.file)})
        system = system_map.system.model_copy(update={"connection": absolute})
        maps[system.key] = system_map.model_copy(update={"system": system})
    return DataMap(systems=maps)
