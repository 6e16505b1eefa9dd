"""The app store: the platform's own tables (SQLite by default, PostgreSQL in production).

``engine`` connects, ``tables`` declares, ``migrate`` upgrades, and one repository module
per idea (``versions`` for published programme versions) reads and writes.
"""

# Imported for its tables, so that Alembic and every engine see them on Base.metadata.
from dataskydd.store import case_tables as case_tables
from dataskydd.store.engine import database_url, display_url, make_engine, session_scope
from dataskydd.store.migrate import current, downgrade, head, is_current, upgrade
from dataskydd.store.versions import (
    PublishedVersion,
    VersionConflict,
    get_version,
    list_versions,
    programme_keys,
    publish,
    upcoming,
    version_in_effect,
)

__all__ = [
    "PublishedVersion",
    "VersionConflict",
    "current",
    "database_url",
    "display_url",
    "downgrade",
    "get_version",
    "head",
    "is_current",
    "list_versions",
    "make_engine",
    "programme_keys",
    "publish",
    "session_scope",
    "upcoming",
    "upgrade",
    "version_in_effect",
]
