"""Fixtures shared by every suite: the clock, the fixture programme and real databases.

Database servers come from the environment (``DATASKYDD_TEST_POSTGRES_URL``,
``DATASKYDD_TEST_MARIADB_URL``). When a server does not answer, its tests are skipped on
a laptop but fail in CI (``CI=true``), so CI can never go green by skipping them.
"""

from __future__ import annotations

import importlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from dataskydd import clock, keys
from dataskydd.programme import Programme, load_programme
from dataskydd.store.engine import database_url, make_engine
from dataskydd.store.migrate import upgrade

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARIADB_DEFAULT = "mysql+pymysql://root@127.0.0.1:3306/test"


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    """No test leaves the clock fixed for the next one."""
    yield
    clock.set_now(None)


@pytest.fixture(autouse=True)
def _test_hash_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fixed keyed-hash key, so no test writes one into a data directory."""
    monkeypatch.setenv("DATASKYDD_HASH_KEY", "5e" * 32)
    keys.reset()
    yield
    keys.reset()


@pytest.fixture(autouse=True)
def _test_encryption_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fixed encryption key, so no test writes one into a data directory."""
    from dataskydd.encryption import keyring

    monkeypatch.setenv("DATASKYDD_ENCRYPTION_KEYS", "t1:" + "a7" * 32)
    keyring.reset()
    yield
    keyring.reset()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def minimal_programme() -> Programme:
    return load_programme(FIXTURES / "minimal")


# -- databases ------------------------------------------------------------------------------


def _unavailable(what: str, url: str, reason: object) -> None:
    message = f"{what} at {make_url(url).render_as_string(hide_password=True)} is not available: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI must run these tests; start the server)", pytrace=False)
    pytest.skip(message)


def _check_server(what: str, url: str) -> None:
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: no server for these tests
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        _unavailable(what, url, reason[0] if reason else type(exc).__name__)
    finally:
        engine.dispose()


def _unique_database_name() -> str:
    return f"dataskydd_test_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite app store in a file of its own."""
    return f"sqlite:///{tmp_path / 'dataskydd.db'}"


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server that tests create their databases on."""
    url = database_url(os.environ.get("DATASKYDD_TEST_POSTGRES_URL", POSTGRES_DEFAULT))
    _check_server("PostgreSQL", url)
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = _unique_database_name()
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def mariadb_server_url() -> str:
    """The MariaDB/MySQL server for connector tests (its driver, pymysql, is optional)."""
    url = os.environ.get("DATASKYDD_TEST_MARIADB_URL", MARIADB_DEFAULT)
    try:
        # Imported by name: pymysql is only needed here and is not a dependency of dataskydd.
        importlib.import_module("pymysql")
    except ImportError as exc:
        _unavailable("MariaDB", url, exc)
    _check_server("MariaDB", url)
    return url


@pytest.fixture
def mariadb_url(mariadb_server_url: str) -> Iterator[str]:
    """A fresh, empty MariaDB database for one test, dropped afterwards."""
    name = _unique_database_name()
    admin = create_engine(mariadb_server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        yield make_url(mariadb_server_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """An empty app store: each test using it runs once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def store_engine(store_url: str) -> Iterator[Engine]:
    """An engine on a migrated app store (both backends)."""
    upgrade(store_url)
    engine = make_engine(store_url)
    yield engine
    engine.dispose()
