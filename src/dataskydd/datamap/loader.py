"""Load a data map from a directory of YAML files (one system per file) and validate it.

Like the programme, loading never stops at the first problem: syntax, schema and rule
errors from every file are gathered and raised together as :class:`ProgrammeInvalid`,
each with its file and line, so the CLI prints both the same way.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from dataskydd.datamap.schema import Connection, DataMap, System, SystemMap, Table
from dataskydd.programme.errors import (
    Location,
    ProgrammeError,
    ProgrammeInvalid,
    display_name,
)
from dataskydd.programme.loader import _is_model, _model_of, _schema_message
from dataskydd.programme.schema import Programme
from dataskydd.programme.source import SourceMap, load_yaml

# Written by `datamap introspect` and `datamap import-fides` where a person must decide.
TODO = "TODO"
# What a TODO becomes before validation, so the rest of its table is still checked; a
# valid key that no programme defines, and never in a returned map (a TODO is an error).
PLACEHOLDER = "todo_placeholder"

SECRET_IN_YAML = (
    "connection URLs are secrets: give 'env' (a variable name) or 'file' (a secrets file), "
    "never the URL in YAML"
)


@dataclass(frozen=True)
class MapFile:
    """One data map file as loaded: where it is, where each value stands, what it says."""

    path: Path
    name: str  # as errors show it, e.g. "datamap/core.yaml"
    places: SourceMap
    system_map: SystemMap
    # Where each of system_map.tables stands in the YAML's list (invalid tables are left out).
    table_indexes: tuple[int, ...]

    def where(self, location: Location) -> str:
        """``core.yaml:42`` for a place in this file."""
        file, line = self.places.locate(location)
        return f"{file}:{line}" if line else file

    def tables(self) -> list[tuple[Location, Table]]:
        """Each valid table with its place in the YAML."""
        return [
            (("tables", i), t)
            for i, t in zip(self.table_indexes, self.system_map.tables, strict=True)
        ]

    def table_location(self, table: str) -> Location:
        return next(loc for loc, t in self.tables() if t.qualified == table)

    def column_location(self, table: str, column: str) -> Location:
        location, found = next((loc, t) for loc, t in self.tables() if t.qualified == table)
        index = next(i for i, c in enumerate(found.columns) if c.name == column)
        return (*location, "columns", index)


@dataclass(frozen=True)
class LoadedDataMap:
    """A valid data map and the files it came from, for messages that point at a line."""

    datamap: DataMap
    files: dict[str, MapFile]  # by system key
    directory: Path

    def where_system(self, system: str) -> str:
        return self.files[system].where(("system", "key"))

    def where_table(self, system: str, table: str) -> str:
        file = self.files[system]
        return file.where(file.table_location(table))

    def where_column(self, system: str, table: str, column: str) -> str:
        file = self.files[system]
        return file.where(file.column_location(table, column))


def datamap_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such data map directory")
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise FileNotFoundError(f"{directory}: no .yaml files in this directory")
    return files


def load_datamap(directory: Path, programme: Programme) -> DataMap:
    """Load and fully validate a data map; raise :class:`ProgrammeInvalid` listing every error."""
    return read_datamap(directory, programme).datamap


def read_datamap(directory: Path, programme: Programme) -> LoadedDataMap:
    """:func:`load_datamap`, keeping the files so later messages can name file and line."""
    # Imported here: the rules read MapFile from this module.
    from dataskydd.datamap.rules import check_rules

    files: list[MapFile] = []
    errors: list[ProgrammeError] = []
    for path in datamap_files(directory):
        file, file_errors = read_file(path, display_name(path, directory))
        errors += file_errors
        if file is not None:
            files.append(file)
    errors += check_rules(files, programme)
    if errors:
        raise ProgrammeInvalid(list(dict.fromkeys(errors)))
    by_key = {f.system_map.system.key: f for f in files}
    datamap = DataMap(systems={key: f.system_map for key, f in by_key.items()})
    return LoadedDataMap(datamap, by_key, directory)


def read_file(path: Path, name: str) -> tuple[MapFile | None, list[ProgrammeError]]:
    """One system's file: its model (the valid parts, if any) and the errors it has alone."""
    places = SourceMap(default_file=name)
    data, errors = load_yaml(path, name, places)
    if errors and any(e.rule in ("yaml-syntax", "encoding") for e in errors):
        return None, errors
    if not isinstance(data, dict):
        message = "a data map file must be a mapping with 'system' and 'tables'"
        return None, [*errors, ProgrammeError(name, 1, "", "schema", message)]
    todos = _todo_locations(data, ())
    errors += [places.error(loc, "todo", _todo_message(loc)) for loc in todos]
    data = _without_todos(data)
    errors += _secrets(data, places)
    try:
        system_map = SystemMap.model_validate(data)
        indexes = tuple(range(len(system_map.tables)))
    except ValidationError as exc:
        errors += [
            _schema_error(e, places)
            for e in exc.errors()
            if not any(tuple(e["loc"])[: len(t)] == t for t in todos)
        ]
        partial = _partial(data)
        if partial is None:
            return None, errors
        system_map, indexes = partial
    return MapFile(path, name, places, _absolute_files(system_map, path), indexes), errors


# -- placeholders -----------------------------------------------------------------------------


def _todo_locations(data: Any, location: Location) -> list[Location]:
    if isinstance(data, dict):
        return [t for k, v in data.items() for t in _todo_locations(v, (*location, k))]
    if isinstance(data, list):
        return [t for i, v in enumerate(data) for t in _todo_locations(v, (*location, i))]
    return [location] if data == TODO else []


def _todo_message(location: Location) -> str:
    field = next((str(p) for p in reversed(location) if isinstance(p, str)), "")
    if field == "purposes":
        return "TODO: name the purposes this table serves (keys of the programme's purposes)"
    if field in ("category", "categories"):
        return "TODO: choose a data category from the programme"
    return f"TODO: fill in '{field}'"


def _without_todos(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_todos(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_without_todos(v) for v in data]
    return PLACEHOLDER if data == TODO else data


# -- secrets ----------------------------------------------------------------------------------


def _secrets(data: dict[str, Any], places: SourceMap) -> list[ProgrammeError]:
    """A URL written under ``connection`` is reported, then dropped so the schema says no more."""
    system = data.get("system")
    if not isinstance(system, dict) or "connection" not in system:
        return []
    connection = system["connection"]
    if isinstance(connection, str):
        # `connection: postgresql://user:pw@host/db` is a URL in YAML just the same.
        system["connection"] = {"env": "REMOVED_SECRET"}
        return [places.error(("system", "connection"), "secret-in-yaml", SECRET_IN_YAML)]
    if isinstance(connection, dict) and "url" in connection:
        del connection["url"]
        if "env" not in connection and "file" not in connection:
            connection["env"] = "REMOVED_SECRET"  # the missing source is the same mistake
        return [places.error(("system", "connection", "url"), "secret-in-yaml", SECRET_IN_YAML)]
    return []


# -- schema -----------------------------------------------------------------------------------


def _schema_error(error: ErrorDetails, places: SourceMap) -> ProgrammeError:
    location = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        field = str(location[-1]) if location else ""
        allowed = _allowed_fields(location[:-1])
        close = difflib.get_close_matches(field, allowed, n=1)
        hint = (
            f"; did you mean '{close[0]}'?"
            if close
            else (f"; allowed: {', '.join(allowed)}" if allowed else "")
        )
        return places.error(location, "schema", f"'{field}' is not a field here{hint}")
    return places.error(location, "schema", _schema_message(error, location))


def _allowed_fields(location: tuple[Any, ...]) -> list[str]:
    """The field names (as YAML writes them) of the model at ``location`` in a SystemMap."""
    model: Any = SystemMap
    for part in location:
        if isinstance(part, int):
            continue
        fields = model.model_fields if _is_model(model) else {}
        field = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        model = _model_of(field.annotation) if field is not None else None
        if model is None:
            return []
    if not _is_model(model):
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _partial(data: dict[str, Any]) -> tuple[SystemMap, tuple[int, ...]] | None:
    """The valid parts of an invalid file, so the rules that span files still run on them."""
    try:
        system = System.model_validate(data.get("system"))
    except ValidationError:
        return None
    raw_tables = data.get("tables")
    tables: list[Table] = []
    indexes: list[int] = []
    for index, raw in enumerate(raw_tables if isinstance(raw_tables, list) else []):
        try:
            tables.append(Table.model_validate(raw))
        except ValidationError:
            continue
        indexes.append(index)
    return SystemMap.model_construct(system=system, tables=tables), tuple(indexes)


def _absolute_files(system_map: SystemMap, path: Path) -> SystemMap:
    """A relative ``connection.file`` is relative to the data map file; make it absolute."""
    connection = system_map.system.connection
    if connection is None or connection.file is None:
        return system_map
    file = Path(connection.file).expanduser()
    if not file.is_absolute():
        file = (path.parent / file).resolve()
    updated: Connection = connection.model_copy(update={"file": str(file)})
    system = system_map.system.model_copy(update={"connection": updated})
    return system_map.model_copy(update={"system": system})
