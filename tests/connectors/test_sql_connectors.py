"""The SQL connectors keep their promises on SQLite, PostgreSQL and MariaDB alike."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sql_estate import PEOPLE, Estate, bulk, people
from sqlalchemy import Column, Integer, MetaData, String, Table, event, func, insert, select

from dataskydd.connectors.base import (
    ConnectorError,
    QueryTimeout,
    SchemaMismatch,
    SystemUnreachable,
    TableRef,
)
from dataskydd.connectors.factory import open_connector
from dataskydd.connectors.sql import SqlConnector

PEOPLE_TABLE = TableRef("people")


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return sorted(row["id"] for row in rows)


def selects(connector: SqlConnector) -> list[str]:
    """Every SELECT the connector sends from now on (reflection excluded)."""
    sent: list[str] = []

    @event.listens_for(connector.engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append(statement)

    return sent


# -- fetch --------------------------------------------------------------------------------


def test_fetch_returns_only_the_requested_columns(connector: SqlConnector) -> None:
    rows = connector.fetch(PEOPLE_TABLE, ["id", "name"], {"email": ["bo@example.se"]})
    assert rows == [{"id": 2, "name": "Bo"}]


def test_fetch_matches_any_of_two_columns_in_one_query(connector: SqlConnector) -> None:
    sent = selects(connector)
    rows = connector.fetch(
        PEOPLE_TABLE,
        ["id", "email"],
        {"email": ["anna@example.se", "nobody@example.se"], "phone": ["+46704444444"]},
    )
    assert ids(rows) == [1, 4]
    assert len(sent) == 1


def test_fetch_of_nothing_asks_nothing(connector: SqlConnector) -> None:
    sent = selects(connector)
    assert connector.fetch(PEOPLE_TABLE, ["id"], {}) == []
    assert connector.fetch(PEOPLE_TABLE, ["id"], {"email": []}) == []
    assert sent == []


def test_fetch_finds_5000_keys_in_batched_in_lists(estate: Estate, connector: SqlConnector) -> None:
    rows = [
        {"id": n, "customer_number": f"K{n:06d}", "email": f"p{n}@example.se"} for n in range(6000)
    ]
    with estate.engine.begin() as connection:
        connection.execute(insert(bulk), rows)
    keys = [f"K{n:06d}" for n in range(0, 10_000, 2)]  # 5,000 keys; 3,000 of them exist
    sent = selects(connector)

    found = connector.fetch(TableRef("bulk"), ["id", "customer_number"], {"customer_number": keys})

    assert ids(found) == list(range(0, 6000, 2))
    assert len(sent) == 1  # five IN lists of 1,000, OR'ed in one statement
    assert sent[0].upper().count(" IN (") == 5


def test_keys_past_one_statement_run_in_several_and_each_row_comes_once(
    estate: Estate, connector: SqlConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        {"id": n, "customer_number": f"K{n:06d}", "email": f"p{n}@example.se"} for n in range(3000)
    ]
    with estate.engine.begin() as connection:
        connection.execute(insert(bulk), rows)
    monkeypatch.setattr(connector, "max_parameters", lambda: 1_000)
    sent = selects(connector)

    # Every row matches twice: by its customer number and by its e-mail address.
    found = connector.fetch(
        TableRef("bulk"),
        ["id"],
        {
            "customer_number": [r["customer_number"] for r in rows],
            "email": [r["email"] for r in rows],
        },
    )

    assert ids(found) == list(range(3000))
    assert len(sent) == 6


def test_a_value_is_data_never_sql(estate: Estate, connector: SqlConnector) -> None:
    assert connector.fetch(PEOPLE_TABLE, ["id"], {"email": ["' OR 1=1 --"]}) == []
    assert connector.fetch(PEOPLE_TABLE, ["id"], {"email": ["x' OR '1'='1"]}) == []
    assert connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], ["' OR 1=1 --"]) == []


def test_a_table_name_is_a_name_never_sql(estate: Estate, connector: SqlConnector) -> None:
    with pytest.raises(SchemaMismatch):
        connector.fetch(TableRef("people; DROP TABLE people"), ["id"], {"id": [1]})
    with estate.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(people)) == len(PEOPLE)


# -- search_text, sample, describe ----------------------------------------------------------


def test_search_text_ignores_case(connector: SqlConnector) -> None:
    found = connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], ["anna@example.se"])
    assert ids(found) == [1]
    assert ids(connector.search_text(PEOPLE_TABLE, ["id"], ["name"], ["åSA"])) == [3]


def test_search_text_takes_percent_and_underscore_literally(connector: SqlConnector) -> None:
    assert ids(connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], ["100%"])) == [2]
    assert ids(connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], ["a_b"])) == [3]
    assert ids(connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], ["%"])) == [2]
    assert connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], ["/"]) == []


def test_search_text_matches_any_needle_in_any_column(connector: SqlConnector) -> None:
    found = connector.search_text(
        PEOPLE_TABLE, ["id", "name"], ["notes", "name"], ["NÖJD", "dag", ""]
    )
    assert sorted(found, key=lambda r: r["id"]) == [
        {"id": 2, "name": "Bo"},
        {"id": 4, "name": "Dag"},
    ]


def test_a_needle_of_parts_matches_them_in_order_with_anything_between(
    connector: SqlConnector,
) -> None:
    assert ids(connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], [("ringde", "example")])) == [
        1
    ]
    assert connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], [("example", "ringde")]) == []
    assert ids(connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], [("100", "%")])) == [2]


def test_an_empty_needle_matches_nothing(connector: SqlConnector) -> None:
    assert connector.search_text(PEOPLE_TABLE, ["id"], ["notes"], [""]) == []


# Needles of every kind, and enough of them for SQLite to test them in one pass of Python.
MANY_NEEDLES: list[str | tuple[str, ...]] = [
    "anna@example.se",
    "NÖJD",
    "åSA",
    "a_b",
    "100%",
    ("ringde", "example"),
    ("example", "ringde"),
    "",
    *(f"nål {n}" for n in range(30)),
]


def test_many_needles_find_in_one_pass_what_each_finds_alone(connector: SqlConnector) -> None:
    columns = ["notes", "name"]
    alone = {
        i
        for needle in MANY_NEEDLES
        for i in ids(connector.search_text(PEOPLE_TABLE, ["id"], columns, [needle]))
    }
    assert alone == {1, 2, 3}
    sent = selects(connector)
    assert ids(connector.search_text(PEOPLE_TABLE, ["id"], columns, MANY_NEEDLES)) == [1, 2, 3]
    # One query; on SQLite one for the text (packed) and one for the rows it found.
    assert len(sent) == (2 if connector.label == "SQLite" else 1)


def test_many_needles_search_a_view_too(connector: SqlConnector) -> None:
    # A view has no rowid: SQLite asks it with LIKE, every pattern OR'ed.
    found = connector.search_text(TableRef("people_emails"), ["id"], ["email"], MANY_NEEDLES)
    assert ids(found) == [1]


def test_on_postgresql_each_pattern_of_a_trigram_indexed_column_gets_its_own_select(
    estate: Estate,
) -> None:
    if estate.kind != "postgres":
        connector = estate.connector()
        try:
            assert connector._like_indexed(PEOPLE_TABLE, ["notes", "name"]) == frozenset()
        finally:
            connector.close()
        return
    estate.execute(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX ix_people_notes_trgm ON people USING gin (notes gin_trgm_ops)",
    )
    connector = estate.connector()
    try:
        assert connector._like_indexed(PEOPLE_TABLE, ["notes", "name"]) == {"notes"}
        sent = selects(connector)
        found = connector.search_text(
            PEOPLE_TABLE, ["id"], ["notes", "name"], ["example", "nöjd", "åsa", "dag"]
        )
        assert ids(found) == [1, 2, 3, 4]  # each row once, however many SELECTs found it
        # notes: a SELECT per pattern (the index for each); name: one scan, patterns OR'ed.
        assert len(sent) == 1 and sent[0].count("UNION ALL") == 4
    finally:
        connector.close()


def test_sample_gives_non_null_values_up_to_the_limit(connector: SqlConnector) -> None:
    assert sorted(connector.sample(PEOPLE_TABLE, "phone", 10)) == [
        "+46701234567",
        "+46702222222",
        "+46704444444",
    ]
    assert len(connector.sample(PEOPLE_TABLE, "email", 2)) == 2
    assert connector.sample(PEOPLE_TABLE, "email", 0) == []


def test_describe_lists_tables_and_views_with_their_columns(connector: SqlConnector) -> None:
    described = connector.describe()
    assert {"people", "bulk", "people_emails"} <= set(described)
    columns = {c.name: c for c in described["people"]}
    assert list(columns) == ["id", "email", "phone", "name", "notes"]
    assert "VARCHAR" in columns["email"].type.upper()
    assert columns["id"].nullable is False
    assert [c.name for c in described["people_emails"]] == ["id", "email"]


# -- read-only, errors, timeouts --------------------------------------------------------------


def test_the_read_path_cannot_write(estate: Estate, connector: SqlConnector) -> None:
    with pytest.raises(ConnectorError) as raised, connector.read_only() as connection:
        connection.execute(insert(people).values(id=99, email="x@example.se"))
    assert type(raised.value) is ConnectorError
    assert "crm" in str(raised.value)
    with estate.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(people)) == len(PEOPLE)


def test_a_missing_table_is_named(connector: SqlConnector) -> None:
    with pytest.raises(SchemaMismatch) as raised:
        connector.fetch(TableRef("kunder"), ["id"], {"id": [1]})
    assert raised.value.system == "crm"
    assert "'kunder'" in raised.value.message


def test_a_missing_column_is_named(connector: SqlConnector) -> None:
    with pytest.raises(SchemaMismatch) as raised:
        connector.fetch(PEOPLE_TABLE, ["id", "personnummer"], {"email": ["anna@example.se"]})
    assert "'personnummer'" in raised.value.message
    assert "'people'" in raised.value.message
    with pytest.raises(SchemaMismatch, match="'fritext'"):
        connector.search_text(PEOPLE_TABLE, ["id"], ["fritext"], ["anna"])


SLOW_VIEWS = {
    "sqlite": (
        "CREATE VIEW slow AS WITH RECURSIVE c(x) AS "
        "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
        "SELECT count(*) AS id FROM c"
    ),
    "postgres": "CREATE VIEW slow AS SELECT 1 AS id FROM pg_sleep(30)",
    "mariadb": "CREATE VIEW slow AS SELECT SLEEP(30) AS id",
}


def test_a_slow_query_times_out_and_the_connector_stays_usable(estate: Estate) -> None:
    estate.execute(SLOW_VIEWS[estate.kind])
    connector = estate.connector(timeout_seconds=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout) as raised:
            connector.sample(TableRef("slow"), "id", 1)
        assert time.monotonic() - started < 5
        assert raised.value.system == "crm"
        assert "0.5 s" in raised.value.message
        assert ids(connector.fetch(PEOPLE_TABLE, ["id"], {"id": [1, 2]})) == [1, 2]
    finally:
        connector.close()


UNREACHABLE = {
    "sqlite": "sqlite:///{tmp}/no/such/crm.db",
    "postgres": "postgresql://app:{password}@127.0.0.1:1/crm",
    "mariadb": "mysql://app:{password}@127.0.0.1:1/crm",
}
PASSWORD = "hemligt-l0senord"


def test_an_unreachable_server_names_the_system_and_hides_the_password(
    estate: Estate, tmp_path: Any
) -> None:
    url = UNREACHABLE[estate.kind].format(tmp=tmp_path, password=PASSWORD)
    connector = open_connector(estate.system(timeout_seconds=2, key="kundregister"), url)
    try:
        with pytest.raises(SystemUnreachable) as raised:
            connector.fetch(PEOPLE_TABLE, ["id"], {"id": [1]})
    finally:
        connector.close()
    assert "kundregister" in str(raised.value)
    assert PASSWORD not in str(raised.value)
    assert raised.value.__cause__ is None  # the driver's exception could carry more


@pytest.mark.parametrize("kind", ["postgres", "mariadb"])
def test_wrong_credentials_or_database_are_unreachable(
    kind: str, request: pytest.FixtureRequest
) -> None:
    from sqlalchemy.engine import make_url

    server = make_url(request.getfixturevalue(f"{kind}_server_url"))
    wrong_database = server.set(database="dataskydd_no_such_db")
    wrong_user = server.set(username="no_such_user", password=PASSWORD)
    estate = Estate(kind, "", None)  # type: ignore[arg-type]
    for url in (wrong_database, wrong_user):
        connector = open_connector(estate.system(), url.render_as_string(hide_password=False))
        try:
            with pytest.raises(SystemUnreachable) as raised:
                connector.describe()
        finally:
            connector.close()
        assert PASSWORD not in str(raised.value)


def test_names_that_are_sql_words_or_mixed_case_are_quoted(estate: Estate) -> None:
    awkward = Table(
        "Order", MetaData(), Column("id", Integer, primary_key=True), Column("select", String(20))
    )
    awkward.create(estate.engine)
    with estate.engine.begin() as connection:
        connection.execute(insert(awkward), [{"id": 1, "select": "yes"}, {"id": 2, "select": "no"}])
    connector = estate.connector()
    try:
        assert connector.fetch(TableRef("Order"), ["id", "select"], {"select": ["yes"]}) == [
            {"id": 1, "select": "yes"}
        ]
        assert connector.sample(TableRef("Order"), "select", 5) != []
    finally:
        connector.close()
