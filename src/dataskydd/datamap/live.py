"""Check a data map against the live systems it describes.

A mapped table or column the database does not have would make every rights request
silently partial, so it is an error that names the system, the table, the column, the
line that mapped it and what the table has instead. A system that cannot be reached is
an error naming the system. Unmapped tables and columns whose names look personal are
reported for information: the map may be missing them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dataskydd.connectors.base import ColumnInfo, Connector, ConnectorError
from dataskydd.connectors.factory import open_connector, url_for
from dataskydd.datamap.introspect import name_hint
from dataskydd.datamap.loader import LoadedDataMap
from dataskydd.datamap.schema import DataMap, System, SystemKind, SystemMap, Table

Opener = Callable[[System, str], Connector]


class Level(StrEnum):
    ERROR = "error"
    INFO = "info"


@dataclass(frozen=True, order=True)
class LiveProblem:
    system: str
    level: Level
    message: str  # names the system itself, so it stands alone in a log
    where: str = ""  # the data map line it concerns, e.g. "datamap/core.yaml:42"
    rule: str = ""

    def __str__(self) -> str:
        return f"{self.level}: {self.message} [{self.rule}]"


def check_live(
    datamap: DataMap | LoadedDataMap,
    base_dir_or_urls: Path | Mapping[str, str] | None = None,
    *,
    opener: Opener = open_connector,
) -> list[LiveProblem]:
    """Every problem between the map and the live schemas of its queryable systems.

    ``base_dir_or_urls`` is the data map's folder (URLs come from each system's variable or
    secrets file) or, for tests and tools, each system's URL by key.
    """
    loaded = datamap if isinstance(datamap, LoadedDataMap) else None
    model = datamap.datamap if isinstance(datamap, LoadedDataMap) else datamap
    problems: list[LiveProblem] = []
    for key, system_map in model.systems.items():
        if system_map.system.kind == SystemKind.MANUAL:
            continue
        described = _describe(system_map.system, base_dir_or_urls, opener)
        if isinstance(described, str):
            where = loaded.where_system(key) if loaded else ""
            message = f"system '{key}' could not be checked: {described}"
            problems.append(LiveProblem(key, Level.ERROR, message, where, "live-unreachable"))
            continue
        problems += _compare(system_map, described, loaded)
    return problems


def _describe(
    system: System, source: Path | Mapping[str, str] | None, opener: Opener
) -> dict[str, list[ColumnInfo]] | str:
    """The live schema, or why there is none (never the URL: it is a secret)."""
    try:
        if isinstance(source, Mapping):
            if system.key not in source:
                return "no connection URL was given for it"
            url = source[system.key]
        else:
            url = url_for(system, source if source is not None else Path.cwd())
        connector = opener(system, url)
    except ConnectorError as exc:
        return exc.message
    except (OSError, ValueError) as exc:
        return str(exc)
    try:
        return connector.describe()
    except ConnectorError as exc:
        return exc.message
    finally:
        connector.close()


def _compare(
    system_map: SystemMap, live: dict[str, list[ColumnInfo]], loaded: LoadedDataMap | None
) -> list[LiveProblem]:
    key = system_map.system.key
    problems: list[LiveProblem] = []
    mapped = {_live_name(t, live) for t in system_map.tables}
    for table in system_map.tables:
        name = _live_name(table, live)
        if name not in live:
            where = loaded.where_table(key, table.qualified) if loaded else ""
            message = (
                f"{key}: there is no table '{table.qualified}'{_mapped_in(where)}; "
                f"it has: {_listing(live)}"
            )
            problems.append(LiveProblem(key, Level.ERROR, message, where, "live-table"))
            continue
        present = [c.name for c in live[name]]
        for column in table.columns:
            if column.name in present:
                continue
            where = loaded.where_column(key, table.qualified, column.name) if loaded else ""
            message = (
                f"{key}: table '{table.qualified}' has no column '{column.name}'"
                f"{_mapped_in(where)}; it has: {', '.join(present)}"
            )
            problems.append(LiveProblem(key, Level.ERROR, message, where, "live-column"))
        problems += _unmapped_columns(key, table.qualified, table, present, loaded)
    for qualified, columns in live.items():
        if qualified in mapped:
            continue
        personal = [c.name for c in columns if name_hint(c.name)]
        if personal:
            message = (
                f"{key}: table '{qualified}' is not mapped and looks personal "
                f"(columns {', '.join(personal)})"
            )
            problems.append(LiveProblem(key, Level.INFO, message, "", "live-unmapped"))
    return problems


def _unmapped_columns(
    key: str,
    qualified: str,
    table: Table,
    present: list[str],
    loaded: LoadedDataMap | None,
) -> list[LiveProblem]:
    mapped = {c.name for c in table.columns}
    where = loaded.where_table(key, qualified) if loaded else ""
    return [
        LiveProblem(
            key,
            Level.INFO,
            f"{key}: column '{qualified}.{name}' is not mapped and its name suggests "
            f"{str(name_hint(name)).replace('_', ' ')}",
            where,
            "live-unmapped",
        )
        for name in present
        if name not in mapped and name_hint(name)
    ]


def _live_name(table: Table, live: Mapping[str, object]) -> str:
    """The key ``describe`` uses for ``table``: it leaves the default schema unnamed."""
    if table.qualified not in live and table.schema_name == "public" and table.name in live:
        return table.name  # PostgreSQL's default schema, written out in the map
    return table.qualified


def _mapped_in(where: str) -> str:
    return f" (mapped in {where})" if where else ""


def _listing(live: Mapping[str, object], limit: int = 30) -> str:
    names = sorted(live)
    if not names:
        return "no tables"
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
