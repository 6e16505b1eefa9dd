"""What only MariaDB/MySQL needs: the server's statement timeout on every connection."""

from __future__ import annotations

import pytest

from dataskydd.connectors.mariadb import MariaDBConnector

pytestmark = pytest.mark.mariadb


def test_every_connection_has_the_statement_timeout_and_reads_only(mariadb_url: str) -> None:
    connector = MariaDBConnector.from_url("crm", mariadb_url, timeout_seconds=2.5)
    try:
        with connector.read_only() as connection:
            setting = connection.exec_driver_sql("SELECT @@max_statement_time").scalar()
            assert float(str(setting)) == 2.5
            # Read-only by the session, so no statement around each query is needed.
            assert connection.exec_driver_sql("SELECT @@tx_read_only").scalar() == 1
    finally:
        connector.close()
