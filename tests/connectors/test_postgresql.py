"""What only PostgreSQL has: schemas besides public, and errors that quote a value."""

from __future__ import annotations

import pytest
from sql_estate import Estate
from sqlalchemy import create_engine

from dataskydd.connectors.base import ConnectorError, TableRef
from dataskydd.connectors.postgresql import PostgresConnector

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(postgres_url: str) -> Estate:
    estate = Estate("postgres", postgres_url, create_engine(postgres_url))
    estate.execute(
        "CREATE SCHEMA lending",
        "CREATE TABLE lending.loans (id integer PRIMARY KEY, borrower text NOT NULL)",
        "INSERT INTO lending.loans VALUES (1, 'anna@example.se'), (2, 'bo@example.se')",
        "CREATE TABLE public.customers (id integer PRIMARY KEY, email text)",
    )
    return estate


def test_tables_outside_public_are_described_and_fetched_with_their_schema(
    postgres: Estate,
) -> None:
    connector = postgres.connector()
    try:
        described = connector.describe()
        assert {"customers", "lending.loans"} <= set(described)
        assert [c.name for c in described["lending.loans"]] == ["id", "borrower"]
        assert not any(key.startswith(("pg_", "information_schema")) for key in described)

        rows = connector.fetch(
            TableRef("loans", "lending"), ["id"], {"borrower": ["bo@example.se"]}
        )
        assert rows == [{"id": 2}]
    finally:
        connector.close()
        postgres.engine.dispose()


def test_a_value_the_database_quotes_back_stays_out_of_the_message(postgres: Estate) -> None:
    connector = postgres.connector()
    try:
        with pytest.raises(ConnectorError) as raised:
            # Not a number: PostgreSQL says so, quoting the value.
            connector.fetch(TableRef("loans", "lending"), ["id"], {"id": ["19780412-1234"]})
    finally:
        connector.close()
        postgres.engine.dispose()
    assert "19780412-1234" not in str(raised.value)
    assert "invalid input syntax" in raised.value.message


def test_the_statement_timeout_is_set_on_every_connection(postgres_url: str) -> None:
    connector = PostgresConnector.from_url("crm", postgres_url, timeout_seconds=2.5)
    try:
        with connector.read_only() as connection:
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "2500ms"
            assert connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
    finally:
        connector.close()
