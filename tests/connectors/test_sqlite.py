"""What only SQLite needs: a query-only connection that never creates a file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dataskydd.connectors.base import SystemUnreachable, TableRef
from dataskydd.connectors.sqlite import SqliteConnector


def test_a_missing_database_file_is_unreachable_and_not_created(tmp_path: Path) -> None:
    connector = SqliteConnector.from_url("crm", f"sqlite:///{tmp_path / 'crm.db'}")
    try:
        with pytest.raises(SystemUnreachable, match=r"crm\.db"):
            connector.sample(TableRef("people"), "email", 1)
    finally:
        connector.close()
    assert not (tmp_path / "crm.db").exists()


def test_connections_are_query_only(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "crm.db").close()
    connector = SqliteConnector.from_url("crm", f"sqlite:///{tmp_path / 'crm.db'}")
    try:
        with connector.read_only() as connection:
            assert connection.exec_driver_sql("PRAGMA query_only").scalar() == 1
            # lower() folds more than ASCII, so case-insensitive search works for Å, Ä, Ö.
            assert connection.exec_driver_sql("SELECT lower('ÅSA ÖRN')").scalar() == "åsa örn"
    finally:
        connector.close()
