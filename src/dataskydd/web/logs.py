"""No personal data in the server's log lines: the access log drops query strings.

``GET /api/v1/permissions?personnummer=…`` carries identities in its query string, and
uvicorn's access log writes the path with its query. The :class:`DropQueryStrings` filter
on the ``uvicorn.access`` logger rewrites every record before any handler sees it: the path
stays, the query string becomes ``?[query dropped]``. Only the pages' harmless
``?lang=sv|en`` is kept as it is. Dropping every other query (not only this one path's)
also covers the ways a request can reach the same route under another spelling of its path
(``%70ermissions``, a trailing slash that redirects) and identities sent to a wrong path.

It is installed twice over, so that no way of starting the server misses it: ``dataskydd
serve`` passes :func:`log_config` to uvicorn, and :func:`install` (called by the app
factory) adds it to the logger for any other launcher (``uvicorn --factory``, gunicorn).
Request headers (the API token) are never logged by uvicorn.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

ACCESS_LOGGER = "uvicorn.access"
DROPPED = "?[query dropped]"
KEPT_QUERIES = frozenset({"lang=sv", "lang=en"})


# Paths that carry a secret in the path itself: the single-use answer download link.
SECRET_PATH_PREFIXES = ("/api/v1/answers/",)


def redact_path(path: str) -> str:
    """``path`` with its query string dropped (unless harmless) and path secrets hidden."""
    for prefix in SECRET_PATH_PREFIXES:
        if path.startswith(prefix):
            return prefix + "[token dropped]"
    base, mark, query = path.partition("?")
    if not mark or query in KEPT_QUERIES:
        return path
    return base + DROPPED


class DropQueryStrings(logging.Filter):
    """Rewrites uvicorn's access records: ``(client, method, path?query, version, status)``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            redacted = redact_path(args[2])
            if redacted is not args[2]:
                record.args = (args[0], args[1], redacted, args[3], args[4])
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Add the filter to the access logger (once)."""
    target = logger or logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, DropQueryStrings) for f in target.filters):
        target.addFilter(DropQueryStrings())


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the filter on the access logger."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["drop_query_strings"] = {
        "()": "dataskydd.web.logs.DropQueryStrings"
    }
    access = config["loggers"].setdefault(ACCESS_LOGGER, {})
    access["filters"] = [*access.get("filters", []), "drop_query_strings"]
    return config
