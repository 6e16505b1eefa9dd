"""Open the connector a system's data map entry describes.

A data map never holds a connection URL: it names an environment variable or a secrets
file, read here. Errors name the system and the variable or file, never the URL itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Engine

from dataskydd.connectors.base import Connector, ConnectorError
from dataskydd.connectors.manual import ManualConnector
from dataskydd.connectors.mariadb import MariaDBConnector
from dataskydd.connectors.postgresql import PostgresConnector
from dataskydd.connectors.sql import SqlConnector, UrlError
from dataskydd.connectors.sqlite import SqliteConnector
from dataskydd.datamap.schema import System, SystemKind

SQL_CONNECTORS: dict[SystemKind, type[SqliteConnector | PostgresConnector | MariaDBConnector]] = {
    SystemKind.SQLITE: SqliteConnector,
    SystemKind.POSTGRESQL: PostgresConnector,
    SystemKind.MARIADB: MariaDBConnector,
}


class ConnectionNotConfigured(ConnectorError):
    """The variable or secrets file that should hold a system's URL is missing or empty."""


def url_for(system: System, base_dir: Path, environ: Mapping[str, str] | None = None) -> str:
    """The connection URL of ``system``, from its variable or its secrets file.

    A relative ``file`` is relative to ``base_dir`` (the data map's folder).
    """
    connection = system.connection
    if connection is None:
        raise ConnectionNotConfigured(
            system.key, f"a {system.kind} system has no connection to read a URL from"
        )
    if connection.env is not None:
        value = (os.environ if environ is None else environ).get(connection.env, "").strip()
        if not value:
            raise ConnectionNotConfigured(
                system.key,
                f"the environment variable {connection.env} is not set; "
                "set it to the system's connection URL",
            )
        return value
    assert connection.file is not None  # Connection allows exactly one of env and file
    path = Path(connection.file).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConnectionNotConfigured(
            system.key, f"the secrets file {path} does not exist; put the connection URL in it"
        ) from None
    except OSError as exc:
        raise ConnectionNotConfigured(
            system.key, f"the secrets file {path} cannot be read: {exc.strerror}"
        ) from None
    if not value:
        raise ConnectionNotConfigured(
            system.key, f"the secrets file {path} is empty; put the connection URL in it"
        )
    return value


def open_connector(
    system: System, url: str | None = None, *, store: Engine | None = None
) -> Connector:
    """The connector for ``system`` at ``url``; it opens connections lazily, on first use.

    A manual system has no URL: its connector writes tasks into the app ``store``.
    """
    if system.kind == SystemKind.MANUAL:
        if store is None:
            raise ConnectorError(system.key, "a manual system needs the app store for its tasks")
        return ManualConnector(system, store)
    if url is None:
        raise ConnectionNotConfigured(system.key, "no connection URL given")
    connection = system.connection
    assert connection is not None  # System requires one unless manual
    kind = SQL_CONNECTORS[system.kind]
    try:
        connector: SqlConnector = kind.from_url(
            system.key,
            url,
            timeout_seconds=connection.timeout_seconds,
            pool_size=connection.pool_size,
        )
    except UrlError as exc:
        raise ConnectorError(system.key, str(exc)) from None
    return connector
