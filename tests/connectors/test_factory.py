"""Opening a system's connector: the URL comes from a variable or a secrets file, never the map."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataskydd.connectors.base import ConnectorError
from dataskydd.connectors.factory import ConnectionNotConfigured, open_connector, url_for
from dataskydd.connectors.manual import ManualConnector
from dataskydd.connectors.mariadb import MariaDBConnector
from dataskydd.connectors.mariadb import engine_url as mariadb_url
from dataskydd.connectors.postgresql import PostgresConnector
from dataskydd.connectors.postgresql import engine_url as postgres_url
from dataskydd.connectors.sqlite import SqliteConnector
from dataskydd.datamap.schema import Connection, ManualTask, System, SystemKind
from dataskydd.programme.text import LocalText
from dataskydd.store.engine import make_engine

PASSWORD = "hemligt-l0senord"


def system(kind: SystemKind = SystemKind.POSTGRESQL, **connection: object) -> System:
    settings = {"env": "CRM_URL", **connection}
    return System(key="crm", name="CRM", kind=kind, connection=Connection.model_validate(settings))


# -- url_for --------------------------------------------------------------------------------


def test_the_url_comes_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_URL", " postgresql://app:pw@db/crm\n")
    assert url_for(system(), Path("/nowhere")) == "postgresql://app:pw@db/crm"
    assert url_for(system(), Path("/"), environ={"CRM_URL": "sqlite:///x.db"}) == "sqlite:///x.db"


def test_a_missing_variable_names_the_system_and_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CRM_URL", raising=False)
    with pytest.raises(ConnectionNotConfigured) as raised:
        url_for(system(), Path("."))
    assert raised.value.system == "crm"
    assert "CRM_URL" in raised.value.message
    with pytest.raises(ConnectionNotConfigured, match="CRM_URL"):
        url_for(system(), Path("."), environ={"CRM_URL": "  "})


def test_the_url_comes_from_a_secrets_file_next_to_the_data_map(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "crm.url").write_text("mysql://app:pw@db/crm\n", encoding="utf-8")
    relative = system(env=None, file="secrets/crm.url")
    absolute = system(env=None, file=str(tmp_path / "secrets" / "crm.url"))
    assert url_for(relative, tmp_path) == "mysql://app:pw@db/crm"
    assert url_for(absolute, Path("/elsewhere")) == "mysql://app:pw@db/crm"


def test_a_missing_or_empty_secrets_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConnectionNotConfigured) as raised:
        url_for(system(env=None, file="crm.url"), tmp_path)
    assert raised.value.system == "crm"
    assert str(tmp_path / "crm.url") in raised.value.message
    (tmp_path / "crm.url").write_text("\n", encoding="utf-8")
    with pytest.raises(ConnectionNotConfigured, match="empty"):
        url_for(system(env=None, file="crm.url"), tmp_path)


def test_a_configuration_error_is_a_connector_error() -> None:
    # The rights service records any ConnectorError as "this system is unavailable".
    assert issubclass(ConnectionNotConfigured, ConnectorError)


# -- open_connector -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "url", "connector_type"),
    [
        (SystemKind.SQLITE, "sqlite:///{tmp}/crm.db", SqliteConnector),
        (SystemKind.POSTGRESQL, "postgresql://app@127.0.0.1/crm", PostgresConnector),
        (SystemKind.MARIADB, "mariadb://app@127.0.0.1/crm", MariaDBConnector),
    ],
)
def test_each_kind_gets_its_connector_with_the_pool_size(
    kind: SystemKind, url: str, connector_type: type, tmp_path: Path
) -> None:
    connector = open_connector(system(kind, pool_size=3), url.format(tmp=tmp_path))
    try:
        assert isinstance(connector, connector_type)
        assert connector.system == "crm"
        assert connector.engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        connector.close()


def test_plain_urls_use_the_bundled_drivers() -> None:
    assert postgres_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert postgres_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    for url in ("mysql://u@h/db", "mariadb://u@h/db", "mysql+pymysql://u@h/db"):
        assert mariadb_url(url).drivername == "mysql+pymysql"
        assert mariadb_url(url).query["charset"] == "utf8mb4"


def test_a_url_of_another_kind_is_refused_without_repeating_it() -> None:
    with pytest.raises(ConnectorError) as raised:
        open_connector(system(SystemKind.POSTGRESQL), f"mysql://app:{PASSWORD}@db/crm")
    assert raised.value.system == "crm"
    assert "PostgreSQL" in raised.value.message
    assert PASSWORD not in str(raised.value)


def test_a_url_that_does_not_parse_is_not_repeated() -> None:
    with pytest.raises(ConnectorError) as raised:
        open_connector(system(SystemKind.MARIADB), f"::{PASSWORD}::")
    assert PASSWORD not in str(raised.value)


def test_an_in_memory_sqlite_database_is_refused() -> None:
    with pytest.raises(ConnectorError, match="database file"):
        open_connector(system(SystemKind.SQLITE), "sqlite://")


def test_a_manual_system_opens_on_the_app_store(sqlite_url: str) -> None:
    manual = System(
        key="arkiv",
        name="Pappersarkiv",
        kind=SystemKind.MANUAL,
        manual=ManualTask(assignee="arkivet", checklist=[LocalText(sv="Sök", en="Search")]),
    )
    with pytest.raises(ConnectorError, match="app store"):
        open_connector(manual)
    with pytest.raises(ConnectionNotConfigured, match="arkiv"):
        url_for(manual, Path("."))
    store = make_engine(sqlite_url)
    try:
        assert isinstance(open_connector(manual, store=store), ManualConnector)
    finally:
        store.dispose()
