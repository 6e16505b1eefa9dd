"""Where each demo system lives: a SQLite file by default, any URL when given one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from dataskydd.datamap.schema import SystemKind

# What operators type, and the driver this project ships for it.
_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}


def default_url(data_dir: Path, system: str) -> str:
    return f"sqlite:///{(data_dir / 'estate' / f'{system}.db').resolve()}"


def normalise(url: str) -> str:
    """``postgresql://...`` -> ``postgresql+psycopg://...``; a URL with a driver stays."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {hidden(url)}")
    return f"{_DRIVERS.get(scheme, scheme)}://{rest}"


def kind(url: str) -> SystemKind:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return SystemKind.SQLITE
    if backend == "postgresql":
        return SystemKind.POSTGRESQL
    if backend in ("mysql", "mariadb"):
        return SystemKind.MARIADB
    raise ValueError(f"the demo estate runs on SQLite, PostgreSQL or MariaDB, not {backend}")


def hidden(url: str) -> str:
    """The URL with its password hidden, for messages and the manifest."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL might hold a password anywhere: show none of it
        return "(a database URL that cannot be parsed)"
