"""Rows the database matches as its column types say are found, alone or in a group.

SQL compares a number column with the text asked for as a number, and a reference may hold
its parent's key as another type; Python compares by equality. A row the database returned
is never dropped for that: alone, it is the asker's; in a group, the group is asked again
one person at a time, so that no one is given another's row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from small_estate import ANNA, BERTIL, datamap_for

from dataskydd.identity.kinds import IdentityKind
from dataskydd.rights.resolution import Found, Resolution, parse_identities
from dataskydd.rights.service import open_estate

PNR = IdentityKind.PERSONNUMMER
CUSTOMER = IdentityKind.CUSTOMER_NUMBER

BANK = {
    "system": {"key": "bank", "name": "Bank", "kind": "sqlite", "connection": {"file": "b.url"}},
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
    ],
}


def build(tmp_path: Path) -> Path:
    """customers.customer_number is an INTEGER; loans hold it as TEXT."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'b.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE customers (customer_number INTEGER PRIMARY KEY, personnummer TEXT)"
        )
        connection.exec_driver_sql(
            "CREATE TABLE loans (loan_id TEXT PRIMARY KEY, customer_number TEXT, amount_sek INT)"
        )
        connection.exec_driver_sql(
            f"INSERT INTO customers VALUES (123, '{ANNA}'), (456, '{BERTIL}')"
        )
        connection.exec_driver_sql(
            "INSERT INTO loans VALUES ('L-1', '123', 100000), ('L-2', '456', 5000)"
        )
    engine.dispose()
    (tmp_path / "b.url").write_text(f"sqlite:///{tmp_path / 'b.db'}")
    return tmp_path


def own(result: Resolution, table: str) -> set[Any]:
    rows = result.rows.get(("bank", table), {})
    return {key[0] for key, row in rows.items() if row.found == Found.OWN}


def test_a_loan_that_holds_the_customer_number_as_text_is_found_alone(tmp_path: Path) -> None:
    with open_estate(datamap_for(build(tmp_path), BANK)) as estate:
        result = estate.resolver().resolve(parse_identities([(PNR, ANNA)]))
    assert own(result, "customers") == {123}
    assert own(result, "loans") == {"L-1"}
    assert result.outcomes["bank"].status == "answered"


def test_a_number_column_asked_with_leading_zeros_is_found(tmp_path: Path) -> None:
    with open_estate(datamap_for(build(tmp_path), BANK)) as estate:
        resolver = estate.resolver()
        alone = resolver.resolve(parse_identities([(CUSTOMER, "0123")]))
        together = resolver.resolve_many(
            [parse_identities([(CUSTOMER, "0123")]), parse_identities([(PNR, BERTIL)])]
        )
    assert own(alone, "customers") == {123} and own(alone, "loans") == {"L-1"}
    # In a group the database's match cannot be given to one person by Python's equality:
    # the group is asked again one at a time, and each gets only their own rows.
    assert own(together[0], "customers") == {123} and own(together[0], "loans") == {"L-1"}
    assert own(together[1], "customers") == {456} and own(together[1], "loans") == {"L-2"}


def test_people_found_together_get_their_loans_held_as_text(tmp_path: Path) -> None:
    with open_estate(datamap_for(build(tmp_path), BANK)) as estate:
        anna, bertil = estate.resolver().resolve_many(
            [parse_identities([(PNR, ANNA)]), parse_identities([(PNR, BERTIL)])]
        )
    assert own(anna, "loans") == {"L-1"}
    assert own(bertil, "loans") == {"L-2"}
