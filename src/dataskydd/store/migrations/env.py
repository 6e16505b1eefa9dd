"""Alembic environment for the app store.

:mod:`dataskydd.store.migrate` hands in an open connection (``config.attributes``) that
already holds the migration lock and a transaction; without one, we connect to the URL
in the configuration ourselves.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from dataskydd.store.engine import make_engine
from dataskydd.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    """Write the migration SQL instead of running it (for a DBA to review and apply)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=sqlite,
        # Our SQLite engine controls BEGIN itself, so DDL there is transactional too.
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
