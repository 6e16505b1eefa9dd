"""The write path: rows deleted and updated by primary key, one transaction per call.

Every test runs on SQLite, PostgreSQL and MariaDB alike, on tables of its own (``wr_``).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sql_estate import Estate, open_estate
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    QueuePool,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy import Connection as SAConnection
from sqlalchemy.engine import make_url

from dataskydd.connectors.base import (
    ConnectorError,
    QueryTimeout,
    RowChange,
    SchemaMismatch,
    TableChanges,
    TableRef,
    WriteRefused,
)
from dataskydd.connectors.factory import open_connector
from dataskydd.connectors.sql import SqlConnector
from dataskydd.connectors.sql_write import SHARED_GROUPS, plan_writes

DATABASES = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
]

metadata = MetaData()
customers = Table(
    "wr_customers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("email", String(200), unique=True),
    Column("name", String(100)),
    Column("notes", Text),
)
orders = Table(
    "wr_orders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", Integer, ForeignKey("wr_customers.id"), nullable=False),
    Column("amount", Integer),
)
lines = Table(
    "wr_lines",
    metadata,
    Column("order_no", Integer, primary_key=True, autoincrement=False),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("text", String(200)),
)
bulk = Table(
    "wr_bulk",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("code", String(20)),
    Column("flag", String(20)),
)
awkward = Table(
    "wr_Order",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("select", String(20)),
)

CUSTOMERS: list[dict[str, Any]] = [
    {
        "id": 1,
        "email": "anna.andersson@example.se",
        "name": "Anna",
        "notes": "ringde 19780412-1234",
    },
    {"id": 2, "email": "bo.berg@example.se", "name": "Bo", "notes": "nöjd"},
    {"id": 3, "email": "cia.carlsson@example.se", "name": "Cia", "notes": None},
    {"id": 4, "email": "dag.dahl@example.se", "name": "Dag", "notes": "axb"},
]
ORDERS = [
    {"id": 10, "customer_id": 1, "amount": 100},
    {"id": 11, "customer_id": 1, "amount": 110},
    {"id": 12, "customer_id": 2, "amount": 120},
]
LINES = [
    {"order_no": 10, "line_no": 1, "text": "bok"},
    {"order_no": 10, "line_no": 2, "text": "penna"},
    {"order_no": 11, "line_no": 1, "text": "sudd"},
    {"order_no": 12, "line_no": 1, "text": "papper"},
]

CUSTOMERS_TABLE = TableRef("wr_customers")
ORDERS_TABLE = TableRef("wr_orders")
LINES_TABLE = TableRef("wr_lines")
BULK_TABLE = TableRef("wr_bulk")


@pytest.fixture(params=DATABASES)
def estate(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Estate]:
    """The rows above in a fresh database: once on each of SQLite, PostgreSQL and MariaDB."""

    def fill(connection: SAConnection) -> None:
        connection.execute(insert(customers), CUSTOMERS)
        connection.execute(insert(orders), ORDERS)
        connection.execute(insert(lines), LINES)
        connection.execute(insert(awkward), [{"id": 1, "select": "ja"}, {"id": 2, "select": "nej"}])

    yield from open_estate(request, tmp_path, metadata, fill)


@pytest.fixture
def connector(estate: Estate) -> Iterator[SqlConnector]:
    connector = estate.connector()
    yield connector
    connector.close()


def rows(estate: Estate, source: Table) -> list[dict[str, Any]]:
    """Every row of ``source``, in primary-key order, read by the tests' own engine."""
    with estate.engine.connect() as connection:
        ordered = select(source).order_by(*source.primary_key.columns)
        return [dict(row._mapping) for row in connection.execute(ordered)]


def changes_sent(connector: SqlConnector) -> list[tuple[str, bool]]:
    """Every DELETE and UPDATE the connector sends from now on, and whether an executemany."""
    sent: list[tuple[str, bool]] = []

    @event.listens_for(connector.writer(), "before_cursor_execute")
    def _record(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _ctx: Any, many: bool
    ) -> None:
        if statement.lstrip().upper().startswith(("DELETE", "UPDATE")):
            sent.append((statement.lstrip().split()[0].upper(), many))

    return sent


def delete(table: TableRef, *keys: Any, primary_key: tuple[str, ...] = ("id",)) -> TableChanges:
    keyed = [key if isinstance(key, tuple) else (key,) for key in keys]
    return TableChanges(table, primary_key, [RowChange(key) for key in keyed])


def keyed_hash(value: str) -> str:
    return hashlib.sha256(b"nyckel:" + value.encode()).hexdigest()


# -- deletes and updates --------------------------------------------------------------------


def test_rows_are_deleted_by_primary_key(estate: Estate, connector: SqlConnector) -> None:
    sent = changes_sent(connector)
    assert connector.write([delete(CUSTOMERS_TABLE, 3, 4, 99)]) == 2
    assert [row["id"] for row in rows(estate, customers)] == [1, 2]
    assert sent == [("DELETE", False)]


def test_rows_given_the_same_values_share_one_update(
    estate: Estate, connector: SqlConnector
) -> None:
    sent = changes_sent(connector)
    erased = {"name": "[raderad]", "notes": None}
    step = TableChanges(
        CUSTOMERS_TABLE, ("id",), [RowChange((1,), erased), RowChange((3,), erased)]
    )
    assert connector.write([step]) == 2
    found = {row["id"]: row for row in rows(estate, customers)}
    assert found[1]["name"] == found[3]["name"] == "[raderad]"
    assert found[1]["notes"] is None
    assert found[1]["email"] == "anna.andersson@example.se"  # a column not named stays
    assert found[2] == CUSTOMERS[1]
    assert sent == [("UPDATE", False)]


def test_rows_given_values_of_their_own_are_one_executemany(
    estate: Estate, connector: SqlConnector
) -> None:
    sent = changes_sent(connector)
    step = TableChanges(
        CUSTOMERS_TABLE,
        ("id",),
        [
            RowChange((row["id"],), {"email": keyed_hash(row["email"]), "name": f"#{row['id']}"})
            for row in CUSTOMERS[:3]
        ],
    )
    assert connector.write([step]) == 3
    found = {row["id"]: row for row in rows(estate, customers)}
    for row in CUSTOMERS[:3]:
        assert found[row["id"]]["email"] == keyed_hash(row["email"])
        assert found[row["id"]]["name"] == f"#{row['id']}"
    assert found[4] == CUSTOMERS[3]
    assert sent == [("UPDATE", True)]


def test_many_small_groups_of_shared_values_join_the_executemany(
    estate: Estate, connector: SqlConnector
) -> None:
    # Thirty pairs of rows, each pair given one value (a person's two rows, one keyed hash),
    # and one group of 25 rows given another.
    with estate.engine.begin() as connection:
        connection.execute(insert(bulk), [{"id": n, "code": "x", "flag": "ny"} for n in range(85)])
    sent = changes_sent(connector)
    changes = [RowChange((n,), {"code": f"H{n // 2}"}) for n in range(60)]
    changes += [RowChange((n,), {"code": "gemensam"}) for n in range(60, 85)]
    assert connector.write([TableChanges(BULK_TABLE, ("id",), changes)]) == 85
    assert [row["code"] for row in rows(estate, bulk)] == [
        *(f"H{n // 2}" for n in range(60)),
        *["gemensam"] * 25,
    ]
    if connector.executemany_per_row:
        # MariaDB: an executemany would be a statement a row; a statement a group is fewer.
        assert sent == [("UPDATE", False)] * 31
    else:
        # The group of 25 and the largest pairs share statements; the other rows, one
        # executemany (a single round trip).
        assert sent == [("UPDATE", False)] * SHARED_GROUPS + [("UPDATE", True)]


def test_a_composite_primary_key_names_each_row(estate: Estate, connector: SqlConnector) -> None:
    key = ("order_no", "line_no")
    steps = [
        TableChanges(
            LINES_TABLE,
            key,
            [
                RowChange((10, 2)),
                RowChange((12, 1)),
                RowChange((11, 1), {"text": "[raderad]"}),
                RowChange((10, 1), {"text": "[raderad]"}),
                RowChange((99, 1), {"text": "[raderad]"}),  # no such row
            ],
        )
    ]
    assert connector.write(steps) == 4
    assert rows(estate, lines) == [
        {"order_no": 10, "line_no": 1, "text": "[raderad]"},
        {"order_no": 11, "line_no": 1, "text": "[raderad]"},
    ]


def test_many_rows_run_as_several_statements_within_the_parameter_limit(
    estate: Estate, connector: SqlConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    with estate.engine.begin() as connection:
        connection.execute(
            insert(bulk), [{"id": n, "code": f"K{n:04d}", "flag": "ny"} for n in range(300)]
        )
        connection.execute(
            insert(lines), [{"order_no": 500 + n, "line_no": 1, "text": "x"} for n in range(50)]
        )
    monkeypatch.setattr(connector, "max_parameters", lambda: 40)
    sent = changes_sent(connector)
    steps = [
        delete(BULK_TABLE, *range(0, 120)),  # 40 keys a statement: 3 statements
        TableChanges(  # 39 keys and 1 value a statement: 3 statements
            BULK_TABLE, ("id",), [RowChange((n,), {"flag": "gammal"}) for n in range(120, 220)]
        ),
        TableChanges(  # one executemany, each of its statements binding 2 values
            BULK_TABLE, ("id",), [RowChange((n,), {"code": f"H{n}"}) for n in range(220, 300)]
        ),
        delete(
            LINES_TABLE, *((500 + n, 1) for n in range(50)), primary_key=("order_no", "line_no")
        ),
    ]

    assert connector.write(steps) == 120 + 100 + 80 + 50

    left = rows(estate, bulk)
    assert [row["id"] for row in left] == list(range(120, 300))
    assert {row["flag"] for row in left if row["id"] < 220} == {"gammal"}
    assert all(row["code"] == f"H{row['id']}" for row in left if row["id"] >= 220)
    assert rows(estate, lines) == LINES
    # 20 two-column keys a statement: 3 statements for 50 lines.
    assert (
        sent
        == [("DELETE", False)] * 3
        + [("UPDATE", False)] * 3
        + [("UPDATE", True)]
        + [("DELETE", False)] * 3
    )


def test_names_that_are_sql_words_or_mixed_case_are_quoted(
    estate: Estate, connector: SqlConnector
) -> None:
    table = TableRef("wr_Order")
    steps = [
        TableChanges(table, ("id",), [RowChange((1,), {"select": "'; DROP TABLE x;--"})]),
        delete(table, 2),
    ]
    assert connector.write(steps) == 2
    assert rows(estate, awkward) == [{"id": 1, "select": "'; DROP TABLE x;--"}]
    assert rows(estate, lines) == LINES


def test_nothing_to_write_opens_no_connection(connector: SqlConnector) -> None:
    assert connector.write([]) == 0
    assert connector.write([TableChanges(CUSTOMERS_TABLE, ("id",), [])]) == 0
    assert connector._writer is None


# -- one transaction, idempotence -------------------------------------------------------------


def test_a_failing_step_rolls_back_the_steps_before_it(
    estate: Estate, connector: SqlConnector
) -> None:
    steps = [
        delete(LINES_TABLE, (10, 1), (10, 2), primary_key=("order_no", "line_no")),
        TableChanges(ORDERS_TABLE, ("id",), [RowChange((10,), {"amount": 0})]),
        # Anna still has orders: the foreign key refuses, and nothing above happens either.
        delete(CUSTOMERS_TABLE, 1),
    ]
    with pytest.raises(WriteRefused) as raised:
        connector.write(steps)
    assert raised.value.system == "crm"
    assert raised.value.message.startswith(
        "cannot delete from 'wr_customers': a row of another table still refers to it (foreign key"
    )
    assert raised.value.__cause__ is None
    assert rows(estate, lines) == LINES
    assert rows(estate, orders) == ORDERS
    assert rows(estate, customers) == CUSTOMERS
    # The connector stays usable, and the same steps in the right order go through.
    assert connector.write([steps[0], delete(ORDERS_TABLE, 10, 11), steps[2]]) == 5


def test_the_same_steps_twice_change_nothing_more(estate: Estate, connector: SqlConnector) -> None:
    steps = [
        delete(LINES_TABLE, (12, 1), primary_key=("order_no", "line_no")),
        delete(ORDERS_TABLE, 12),
        TableChanges(
            CUSTOMERS_TABLE,
            ("id",),
            [RowChange((2,), {"email": keyed_hash("bo.berg@example.se"), "notes": None})],
        ),
        delete(CUSTOMERS_TABLE, 3, 4),
    ]
    assert connector.write(steps) == 5
    after_once = [rows(estate, table) for table in (customers, orders, lines)]

    assert connector.write(steps) == 1  # the update finds its row again; nothing to delete
    assert [rows(estate, table) for table in (customers, orders, lines)] == after_once
    assert connector.write([steps[0], steps[1], steps[3]]) == 0


# -- separate engines: the read path stays read-only --------------------------------------------


def test_the_read_path_is_still_read_only_after_a_write(
    estate: Estate, connector: SqlConnector
) -> None:
    assert connector.write([delete(CUSTOMERS_TABLE, 4)]) == 1
    assert connector.writer() is not connector.engine
    with pytest.raises(ConnectorError) as raised, connector.read_only() as connection:
        connection.execute(insert(customers).values(id=99, email="ny@example.se"))
    assert type(raised.value) is ConnectorError
    assert [row["id"] for row in rows(estate, customers)] == [1, 2, 3]
    assert connector.fetch(CUSTOMERS_TABLE, ["id"], {"id": [1, 4]}) == [{"id": 1}]


SESSION_CHECKS: dict[str, list[tuple[str, Any]]] = {
    "sqlite": [("PRAGMA query_only", 0), ("PRAGMA foreign_keys", 1)],
    "postgres": [("SHOW statement_timeout", "2500ms"), ("SHOW transaction_read_only", "off")],
    "mariadb": [("SELECT @@max_statement_time", 2.5), ("SELECT @@tx_read_only", 0)],
}


def test_the_write_engine_has_the_timeout_but_may_write(estate: Estate) -> None:
    connector = estate.connector(timeout_seconds=2.5)
    try:
        writer = connector.writer()
        assert isinstance(writer.pool, QueuePool)
        assert writer.pool.size() == 2
        with writer.connect() as connection:
            for query, expected in SESSION_CHECKS[estate.kind]:
                found = connection.exec_driver_sql(query).scalar()
                assert (float(str(found)) if isinstance(expected, float) else found) == expected
    finally:
        connector.close()
    assert connector._writer is None  # disposed with the read engine


def test_a_write_blocked_by_another_writer_times_out_and_writes_nothing(
    estate: Estate,
) -> None:
    connector = estate.connector(timeout_seconds=0.5)
    try:
        with estate.engine.connect() as other:
            if estate.kind == "sqlite":
                other.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite defers its BEGIN
            other.execute(text("UPDATE wr_customers SET name = 'Låst' WHERE id = 3"))
            started = time.monotonic()
            with pytest.raises(QueryTimeout) as raised:
                connector.write(
                    [
                        delete(CUSTOMERS_TABLE, 4),
                        TableChanges(CUSTOMERS_TABLE, ("id",), [RowChange((3,), {"notes": "x"})]),
                    ]
                )
            assert time.monotonic() - started < 5
            other.rollback()
        assert raised.value.system == "crm"
        assert rows(estate, customers) == CUSTOMERS
        assert connector.write([delete(CUSTOMERS_TABLE, 4)]) == 1
    finally:
        connector.close()


# -- errors ------------------------------------------------------------------------------------

LONG_EMAIL = "a.very.long.address.that.a.driver.would.cut.short." * 2 + "@example.se"


def test_a_refused_update_names_the_table_and_never_a_value(
    estate: Estate, connector: SqlConnector
) -> None:
    assert connector.write(
        [TableChanges(CUSTOMERS_TABLE, ("id",), [RowChange((4,), {"email": LONG_EMAIL})])]
    )
    for email in ("anna.andersson@example.se", LONG_EMAIL):  # already another customer's
        with pytest.raises(WriteRefused) as raised:
            connector.write(
                [TableChanges(CUSTOMERS_TABLE, ("id",), [RowChange((2,), {"email": email})])]
            )
        message = str(raised.value)
        assert "cannot update 'wr_customers'" in message
        assert email not in message
        assert email[:40] not in message  # not even the part MariaDB quotes back
    with pytest.raises(WriteRefused, match="cannot update 'wr_orders'"):
        connector.write(  # a customer that does not exist
            [TableChanges(ORDERS_TABLE, ("id",), [RowChange((10,), {"customer_id": 424242})])]
        )
    assert rows(estate, orders) == ORDERS


def test_a_value_the_database_quotes_back_stays_out_of_the_message(
    estate: Estate, connector: SqlConnector
) -> None:
    if estate.kind == "sqlite":
        pytest.skip("SQLite stores any value in any column")
    with pytest.raises(ConnectorError) as raised:
        # Not a number: PostgreSQL and MariaDB say so, quoting the value.
        connector.write(
            [TableChanges(ORDERS_TABLE, ("id",), [RowChange((10,), {"amount": "19780412-1234"})])]
        )
    assert "19780412-1234" not in str(raised.value)
    assert rows(estate, orders) == ORDERS


def test_a_missing_column_is_named(connector: SqlConnector) -> None:
    with pytest.raises(SchemaMismatch) as raised:
        connector.write(
            [TableChanges(CUSTOMERS_TABLE, ("id",), [RowChange((1,), {"personnummer": None})])]
        )
    assert "'personnummer'" in raised.value.message
    with pytest.raises(SchemaMismatch, match="'wr_kunder'"):
        connector.write([delete(TableRef("wr_kunder"), 1)])


@pytest.fixture
def read_only_url(estate: Estate) -> Iterator[str]:
    """A URL of ``estate`` whose user may read but never write."""
    name = f"dsk_ro_{uuid.uuid4().hex[:12]}"
    url = make_url(estate.url)
    if estate.kind == "postgres":
        estate.execute(
            f"CREATE ROLE {name} LOGIN", f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}"
        )
        yield url.set(username=name, password=None).render_as_string(hide_password=False)
        estate.execute(f"DROP OWNED BY {name}", f"DROP ROLE {name}")
    elif estate.kind == "mariadb":
        estate.execute(
            f"CREATE USER '{name}'@'%' IDENTIFIED BY 'pw-{name}'",
            f"GRANT SELECT ON `{url.database}`.* TO '{name}'@'%'",
        )
        yield url.set(username=name, password=f"pw-{name}").render_as_string(hide_password=False)
        estate.execute(f"DROP USER '{name}'@'%'")
    else:
        yield estate.url  # made read-only below: root writes to any file, whatever its mode


def test_a_user_that_may_not_write_is_refused_by_name(estate: Estate, read_only_url: str) -> None:
    connector = open_connector(estate.system(), read_only_url)
    assert isinstance(connector, SqlConnector)
    if estate.kind == "sqlite":

        @event.listens_for(connector.writer(), "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA query_only = ON")

    try:
        assert connector.fetch(CUSTOMERS_TABLE, ["id"], {"id": [3]}) == [{"id": 3}]
        with pytest.raises(WriteRefused) as raised:
            connector.write([delete(CUSTOMERS_TABLE, 3)])
    finally:
        connector.close()
    assert raised.value.message.startswith("the connection's user may not write to 'wr_customers'")
    assert rows(estate, customers) == CUSTOMERS


@pytest.mark.postgres
def test_a_read_only_session_from_the_url_is_kept_for_writes(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    metadata.create_all(engine, tables=[customers])
    url = make_url(postgres_url).update_query_dict(
        {"options": "-c default_transaction_read_only=on"}
    )
    estate = Estate("postgres", url.render_as_string(hide_password=False), engine)
    connector = estate.connector()
    try:
        with pytest.raises(WriteRefused, match="may not write to 'wr_customers'"):
            connector.write([delete(CUSTOMERS_TABLE, 1)])
    finally:
        connector.close()
        engine.dispose()


# -- malformed steps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "says"),
    [
        (TableChanges(CUSTOMERS_TABLE, (), [RowChange((1,))]), "primary key"),
        (TableChanges(CUSTOMERS_TABLE, ("id",), [RowChange((1, 2))]), "2 values"),
        (TableChanges(CUSTOMERS_TABLE, ("id",), [RowChange((1,), {})]), "sets no column"),
        (
            TableChanges(
                CUSTOMERS_TABLE,
                ("id",),
                [RowChange(("19780412-1234",)), RowChange(("19780412-1234",), {"name": "x"})],
            ),
            "more than once",
        ),
    ],
)
def test_a_malformed_step_is_refused_before_anything_is_sent(step: TableChanges, says: str) -> None:
    with pytest.raises(ValueError, match=says) as raised:
        plan_writes([step], max_parameters=100, in_list_size=10)
    assert "19780412-1234" not in str(raised.value)
