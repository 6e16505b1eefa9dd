"""The rules a data map must keep beyond its schema: within a file, across files, and
against the programme. Each error names its rule (``[unknown-category]``) and its line.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable

from dataskydd.datamap.loader import PLACEHOLDER, MapFile
from dataskydd.datamap.schema import Column, SystemKind
from dataskydd.programme.errors import Location, ProgrammeError
from dataskydd.programme.schema import Programme

# Every rule this module checks, for the docs and for tests that keep them in step.
RULES = {
    "duplicate-system": "a system key is defined in two files",
    "duplicate-table": "a table is mapped twice in one system",
    "duplicate-column": "a column is mapped twice in one table",
    "primary-key": "every primary key column is a mapped column of the table",
    "unknown-category": "a category is a key of the programme's categories",
    "unknown-purpose": "a purpose is a key of the programme's purposes",
    "unknown-reference": "a reference names a known system, table and column",
    "subject-provided": "an identity of someone else (subject: false) was not provided by the subject",
    "identity-category": "a column holding an identity says which category it is",
    "free-text-category": "a free-text column says which category it is",
    "manual-tables": "a manual system lists categories, not tables",
    "manual-categories": "a manual system lists the categories it holds",
}


def check_rules(files: list[MapFile], programme: Programme) -> list[ProgrammeError]:
    """Every rule error in the (valid parts of the) loaded files."""
    categories = {c.key for c in programme.categories}
    purposes = {p.key for p in programme.purposes}
    errors = _duplicate_systems(files)
    columns = _column_index(files)
    for file in files:
        errors += _system_rules(file, categories)
        errors += _table_rules(file, categories, purposes, columns)
    return errors


def did_you_mean(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _duplicate_systems(files: list[MapFile]) -> list[ProgrammeError]:
    first: dict[str, MapFile] = {}
    errors: list[ProgrammeError] = []
    for file in files:
        key = file.system_map.system.key
        if key in first:
            message = f"the system '{key}' is also defined in {first[key].where(('system', 'key'))}"
            errors.append(file.places.error(("system", "key"), "duplicate-system", message))
        else:
            first[key] = file
    return errors


def _column_index(files: list[MapFile]) -> dict[str, dict[str, set[str]]]:
    """system key -> table name -> column names, for references (first file wins)."""
    index: dict[str, dict[str, set[str]]] = {}
    for file in files:
        tables = index.setdefault(file.system_map.system.key, {})
        for table in file.system_map.tables:
            tables.setdefault(table.name, {c.name for c in table.columns})
    return index


def _system_rules(file: MapFile, categories: set[str]) -> list[ProgrammeError]:
    system = file.system_map.system
    if system.kind != SystemKind.MANUAL:
        return []
    errors: list[ProgrammeError] = []
    if file.system_map.tables or file.table_indexes:
        message = (
            f"the manual system '{system.key}' cannot be queried, so it has no tables; "
            "list what it holds under 'system.categories'"
        )
        errors.append(file.places.error(("tables",), "manual-tables", message))
    if not system.categories:
        message = f"the manual system '{system.key}' lists no 'categories': say what it holds"
        errors.append(file.places.error(("system", "kind"), "manual-categories", message))
    for i, key in enumerate(system.categories):
        errors += _category(file, ("system", "categories", i), key, categories)
    return errors


def _category(
    file: MapFile, location: Location, key: str, categories: set[str]
) -> list[ProgrammeError]:
    if key == PLACEHOLDER or key in categories:
        return []
    message = f"'{key}' is not a category of the programme{did_you_mean(key, categories)}"
    return [file.places.error(location, "unknown-category", message)]


def _table_rules(
    file: MapFile,
    categories: set[str],
    purposes: set[str],
    columns: dict[str, dict[str, set[str]]],
) -> list[ProgrammeError]:
    errors: list[ProgrammeError] = []
    seen_tables: dict[str, Location] = {}
    for location, table in file.tables():
        if table.qualified in seen_tables:
            message = (
                f"the table '{table.qualified}' is already mapped at "
                f"{file.where(seen_tables[table.qualified])}"
            )
            errors.append(file.places.error((*location, "name"), "duplicate-table", message))
        seen_tables.setdefault(table.qualified, location)
        for i, purpose in enumerate(table.purposes):
            if purpose != PLACEHOLDER and purpose not in purposes:
                message = f"'{purpose}' is not a purpose of the programme{did_you_mean(purpose, purposes)}"
                errors.append(
                    file.places.error((*location, "purposes", i), "unknown-purpose", message)
                )
        names = [c.name for c in table.columns]
        for i, key in enumerate(table.primary_key):
            if key != PLACEHOLDER and key not in names:
                message = (
                    f"the primary key column '{key}' is not a column of '{table.qualified}'"
                    f"{did_you_mean(key, names)}"
                )
                errors.append(
                    file.places.error((*location, "primary_key", i), "primary-key", message)
                )
        counts = Counter(names)
        for j, column in enumerate(table.columns):
            at = (*location, "columns", j)
            if counts[column.name] > 1 and names.index(column.name) != j:
                message = f"the column '{column.name}' is mapped twice in '{table.qualified}'"
                errors.append(file.places.error((*at, "name"), "duplicate-column", message))
            errors += _column_rules(file, at, column, categories, columns)
    return errors


def _column_rules(
    file: MapFile,
    at: Location,
    column: Column,
    categories: set[str],
    columns: dict[str, dict[str, set[str]]],
) -> list[ProgrammeError]:
    errors: list[ProgrammeError] = []
    if column.category is not None:
        errors += _category(file, (*at, "category"), column.category, categories)
    elif column.identity is not None:
        message = (
            f"the column '{column.name}' holds an identity ({column.identity}) but no 'category'"
        )
        errors.append(file.places.error(at, "identity-category", message))
    elif column.free_text:
        message = (
            f"the free-text column '{column.name}' needs a 'category' for what people write in it"
        )
        errors.append(file.places.error(at, "free-text-category", message))
    if column.identity is not None and not column.subject and column.provided:
        message = (
            f"'{column.name}' identifies someone other than the subject (subject: false), so "
            "the subject cannot have provided it (provided: true)"
        )
        errors.append(file.places.error((*at, "provided"), "subject-provided", message))
    if column.references is not None:
        errors += _reference(file, (*at, "references"), column, columns)
    return errors


def _reference(
    file: MapFile,
    at: Location,
    column: Column,
    columns: dict[str, dict[str, set[str]]],
) -> list[ProgrammeError]:
    reference = column.references
    assert reference is not None
    system = reference.system or file.system_map.system.key
    if system not in columns:
        message = f"references an unknown system '{system}'{did_you_mean(system, columns)}"
        return [file.places.error((*at, "system"), "unknown-reference", message)]
    tables = columns[system]
    if reference.table not in tables:
        message = (
            f"references the table '{reference.table}', which system '{system}' does not map"
            f"{did_you_mean(reference.table, tables)}"
        )
        return [file.places.error((*at, "table"), "unknown-reference", message)]
    if reference.column not in tables[reference.table]:
        message = (
            f"references the column '{reference.column}', which '{system}.{reference.table}' "
            f"does not map{did_you_mean(reference.column, tables[reference.table])}"
        )
        return [file.places.error((*at, "column"), "unknown-reference", message)]
    return []
