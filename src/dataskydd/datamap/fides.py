"""Import a Fides (fideslang) dataset file as draft data maps, one per dataset.

A fideslang dataset names collections (tables) and fields (columns) with data categories
(``user.contact.email``), identities and references. Categories map to the programme's by
its ``fideslang`` terms: exactly, else by the longest prefix of at least two parts (``user``
alone says nothing). What has no counterpart becomes ``TODO`` with a comment saying why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dataskydd.datamap.draft import Draft, Notes
from dataskydd.datamap.introspect import category_for_fideslang, national_id_category
from dataskydd.datamap.loader import TODO
from dataskydd.datamap.schema import (
    Column,
    Connection,
    Reference,
    System,
    SystemKind,
    SystemMap,
    Table,
)
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme.schema import Programme

# fides_meta.identity values with another name here.
_IDENTITIES = {"phone_number": IdentityKind.PHONE, "email_address": IdentityKind.EMAIL}


class FidesFormatError(ValueError):
    """The file is not a fideslang dataset file; the message says what is missing."""


def import_fides(path: Path, programme: Programme, kind: SystemKind | None = None) -> list[Draft]:
    """A draft system map for each dataset in ``path`` (kind ``TODO`` unless given)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FidesFormatError(f"{path}: not YAML: {exc}") from None
    datasets = data.get("dataset") if isinstance(data, dict) else None
    if not isinstance(datasets, list) or not datasets:
        raise FidesFormatError(f"{path}: no 'dataset' list; is this a fideslang dataset file?")
    keys = {str(d.get("fides_key")): system_key(str(d.get("fides_key"))) for d in datasets}
    return [_dataset(d, i, programme, kind, keys, path) for i, d in enumerate(datasets)]


def system_key(fides_key: str) -> str:
    """A fides_key as a data map key: lower case, other characters as ``_``."""
    key = re.sub(r"[^a-z0-9_-]", "_", fides_key.lower())
    return key if key[:1].isalpha() else f"d_{key}"


def programme_category(programme: Programme, term: str) -> tuple[str | None, str]:
    """The programme category for a fideslang term, and how it was found."""
    exact = category_for_fideslang(programme, term)
    if exact is not None:
        return exact, f"{term} is the programme's term for {exact}"
    parts = term.split(".")
    for length in range(len(parts) - 1, 1, -1):
        prefix = ".".join(parts[:length])
        found = category_for_fideslang(programme, prefix)
        if found is not None:
            return found, f"{term} falls under {prefix}, the programme's term for {found}"
    return None, f"no programme category has the fideslang term {term} or a parent of it"


def _dataset(
    dataset: Any,
    index: int,
    programme: Programme,
    kind: SystemKind | None,
    keys: dict[str, str],
    path: Path,
) -> Draft:
    if not isinstance(dataset, dict) or "fides_key" not in dataset:
        raise FidesFormatError(f"{path}: dataset {index + 1} has no 'fides_key'")
    fides_key = str(dataset["fides_key"])
    key = keys[fides_key]
    notes: Notes = {}
    env = re.sub(r"[^A-Z0-9_]", "_", key.upper()) + "_URL"
    notes[("system", "connection", "env")] = (
        "proposed: set this variable to the connection URL (never write the URL here)"
    )
    system_fields: dict[str, Any] = {
        "key": key,
        "name": str(dataset.get("name") or fides_key),
        "kind": kind or TODO,
        "description": dataset.get("description"),
        "connection": Connection(env=env),
    }
    if kind is None:
        notes[("system", "kind")] = "TODO: sqlite, postgresql or mariadb (fideslang does not say)"
    defaults = _categories(dataset)
    tables = [
        _collection(c, ("tables", t), programme, fides_key, keys, defaults, notes)
        for t, c in enumerate(dataset.get("collections") or [])
        if isinstance(c, dict)
    ]
    system = System.model_construct(**system_fields)
    header = (
        f"Imported from the Fides dataset '{fides_key}' in {path.name}.\n"
        "Review every line marked 'proposed', replace each TODO, then run `dataskydd datamap check`."
    )
    return Draft(SystemMap.model_construct(system=system, tables=tables), notes, header)


def _categories(entry: dict[str, Any]) -> list[str]:
    found = entry.get("data_categories") or []
    return [str(c) for c in found] if isinstance(found, list) else []


def _meta(field: dict[str, Any]) -> dict[str, Any]:
    # fidesops_meta is the older name of fides_meta.
    meta = field.get("fides_meta") or field.get("fidesops_meta") or {}
    return meta if isinstance(meta, dict) else {}


def _collection(
    collection: dict[str, Any],
    at: tuple[str, int],
    programme: Programme,
    fides_key: str,
    keys: dict[str, str],
    dataset_defaults: list[str],
    notes: Notes,
) -> Table:
    defaults = _categories(collection) or dataset_defaults
    fields = [f for f in collection.get("fields") or [] if isinstance(f, dict)]
    columns = [
        _field(f, (*at, "columns", c), programme, fides_key, keys, defaults, notes)
        for c, f in enumerate(fields)
    ]
    primary_key = [str(f["name"]) for f in fields if _meta(f).get("primary_key")]
    if not primary_key:
        primary_key = [TODO]
        notes[(*at, "primary_key")] = "TODO: the dataset marks no primary key; name it"
    notes[(*at, "purposes")] = "TODO: which of the programme's purposes does this table serve?"
    return Table.model_construct(
        name=str(collection.get("name")),
        description=collection.get("description"),
        purposes=[TODO],
        primary_key=primary_key,
        columns=columns,
    )


def _field(
    field: dict[str, Any],
    at: tuple[Any, ...],
    programme: Programme,
    fides_key: str,
    keys: dict[str, str],
    defaults: list[str],
    notes: Notes,
) -> Column:
    meta = _meta(field)
    values: dict[str, Any] = {"name": str(field.get("name"))}
    if field.get("description"):
        values["description"] = str(field["description"])
    terms = _categories(field) or _nested_categories(field.get("fields")) or defaults
    personal = [t for t in terms if t == "user" or t.startswith("user.")]
    if personal:
        values["category"], notes[(*at, "category")] = _category(programme, personal)
    identity = meta.get("identity")
    if identity:
        national = values.get("category") == national_id_category(programme)
        values["identity"], why = _identity(str(identity), national)
        if why:
            notes[(*at, "identity")] = why
        if "category" not in values:
            values["category"] = TODO
            notes[(*at, "category")] = "TODO: an identity needs a category; the dataset gives none"
    references = meta.get("references")
    if isinstance(references, list) and references:
        reference, why = _reference(references, fides_key, keys)
        if reference is not None:
            values["references"] = reference
            notes[(*at, "references")] = why
    try:
        return Column.model_validate(values)
    except ValidationError:
        # Left for `datamap check` to explain at its line, like anything else in the file.
        return Column.model_construct(**values)


def _nested_categories(fields: Any) -> list[str]:
    """The categories of an object field's nested fields: the column holds them all."""
    if not isinstance(fields, list):
        return []
    found: list[str] = []
    for nested in fields:
        if isinstance(nested, dict):
            found += _categories(nested) or _nested_categories(nested.get("fields"))
    return list(dict.fromkeys(found))


def _category(programme: Programme, terms: Sequence[str]) -> tuple[str, str]:
    mapped = [(term, *programme_category(programme, term)) for term in terms]
    found = [(term, key, why) for term, key, why in mapped if key is not None]
    if not found:
        return TODO, "TODO: " + "; ".join(why for _, _, why in mapped)
    term, key, why = found[0]
    others = [t for t in terms if t != term]
    also = f" (the dataset also says {', '.join(others)})" if others else ""
    return str(key), f"proposed: {why}{also}"


def _identity(value: str, national: bool) -> tuple[IdentityKind, str]:
    if value in {k.value for k in IdentityKind}:
        return IdentityKind(value), ""
    if value in _IDENTITIES:
        return _IDENTITIES[value], f"proposed: Fides identity '{value}'"
    if national:
        return (
            IdentityKind.PERSONNUMMER,
            f"proposed: Fides identity '{value}' in the national-id category",
        )
    return (
        IdentityKind.CUSTOMER_NUMBER,
        f"proposed: Fides identity '{value}' has no kind here; customer_number assumed, check it",
    )


def _reference(
    references: list[Any], fides_key: str, keys: dict[str, str]
) -> tuple[Reference | None, str]:
    first = references[0]
    if not isinstance(first, dict) or "." not in str(first.get("field", "")):
        return None, ""
    table, _, column = str(first["field"]).partition(".")
    dataset = str(first.get("dataset") or fides_key)
    system = None if dataset == fides_key else keys.get(dataset, system_key(dataset))
    reference = Reference.model_construct(system=system, table=table, column=column)
    direction = first.get("direction")
    why = f"proposed: Fides reference to {dataset}.{first['field']}"
    if direction:
        why += f" (direction {direction})"
    if len(references) > 1:
        why += f"; {len(references) - 1} more reference(s) not kept"
    return reference, why
