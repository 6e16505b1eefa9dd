"""Load a programme from a directory of YAML files (or one file) and validate it completely.

Loading never stops at the first problem: syntax errors, schema errors and rule errors
from every file are gathered and raised together as :class:`ProgrammeInvalid`.
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from dataskydd.programme.errors import ProgrammeError, ProgrammeInvalid, display_name
from dataskydd.programme.rules import check_rules
from dataskydd.programme.schema import Programme
from dataskydd.programme.source import SourceMap, load_yaml

TEMPLATES = "dataskydd.programme.templates"


def template_names() -> list[str]:
    root = resources.files(TEMPLATES)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


def template_path(name: str) -> Path:
    """The directory of a bundled programme template, e.g. ``swedish-lender``."""
    path = Path(str(resources.files(TEMPLATES).joinpath(name)))
    if not path.is_dir():
        known = ", ".join(template_names()) or "none"
        raise LookupError(f"no bundled template named '{name}' (known: {known})")
    return path


@cache
def load_template(name: str = "swedish-lender") -> Programme:
    """The bundled template, loaded once per process (it cannot change under us)."""
    return load_programme(template_path(name))


def programme_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such programme file or directory")
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise FileNotFoundError(f"{path}: no .yaml files in this directory")
    return files


def read_programme(path: Path) -> tuple[dict[str, Any], SourceMap, list[ProgrammeError]]:
    """Merge the YAML files of ``path`` into one document; each top-level key in one file."""
    source_map = SourceMap(default_file=str(path))
    merged: dict[str, Any] = {}
    errors: list[ProgrammeError] = []
    for file in programme_files(path):
        name = display_name(file, path)
        data, file_errors = load_yaml(file, name, source_map)
        errors += file_errors
        if data is None:
            continue
        if not isinstance(data, dict):
            errors.append(ProgrammeError(name, 1, "", "schema", "a programme file must be a mapping of sections"))
            continue
        for key, value in data.items():
            if key in merged:
                first, _ = source_map.locate((key,))
                errors.append(source_map.error((key,), "duplicate-section", f"the section '{key}' is also in {first}"))
                continue
            merged[key] = value
    # The top-level section errors may point at any file; prefer the first file.
    source_map.places.setdefault((), (display_name(programme_files(path)[0], path), 0))
    return merged, source_map, errors


def load_programme(path: str | Path) -> Programme:
    """Load and fully validate a programme; raise :class:`ProgrammeInvalid` listing every error."""
    path = Path(path)
    data, source_map, errors = read_programme(path)
    try:
        programme = Programme.model_validate(data)
    except ValidationError as exc:
        errors += [_schema_error(e, source_map) for e in exc.errors()]
        programme = _partial(data)
    errors += check_rules(programme, data, source_map)
    if errors:
        raise ProgrammeInvalid(list(dict.fromkeys(errors)))
    return programme


def _schema_error(error: ErrorDetails, source_map: SourceMap) -> ProgrammeError:
    location = tuple(error["loc"])
    kind = error["type"]
    field = str(location[-1]) if location else ""
    if kind == "missing":
        message = f"the required field '{field}' is missing"
    elif kind == "extra_forbidden":
        message = f"'{field}' is not a field here"
        allowed = _allowed_fields(location[:-1])
        close = difflib.get_close_matches(field, allowed, n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
        elif allowed:
            message += f"; allowed: {', '.join(allowed)}"
    elif kind in ("enum", "literal_error"):
        expected = error.get("ctx", {}).get("expected", "")
        message = f"{error['input']!r} is not allowed here; expected {expected}"
    elif kind == "string_pattern_mismatch" and field in ("key", "parent", "recipient") or (
        kind == "string_pattern_mismatch" and isinstance(field, str) and field.isdigit()
    ):
        message = f"{error['input']!r} is not a valid key (lower-case letters, digits, '_' or '-')"
    else:
        message = error["msg"]
    return source_map.error(location, "schema", message)


def _allowed_fields(location: tuple[Any, ...]) -> list[str]:
    """The field names of the model at ``location`` in a Programme, for 'did you mean'."""
    model: Any = Programme
    for part in location:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) else None
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return list(model.model_fields) if isinstance(model, type) else []


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _partial(data: dict[str, Any]) -> Programme:
    """The valid parts of an invalid document, so the cross-entry rules still run on them."""
    values: dict[str, Any] = {}
    for name, field in Programme.model_fields.items():
        raw = data.get(name)
        model = _model_of(field.annotation)
        if raw is None or model is None:
            values[name] = [] if _is_list(field.annotation) else None
        elif _is_list(field.annotation) and isinstance(raw, list):
            values[name] = [m for m in (_try(model, item) for item in raw) if m is not None]
        else:
            values[name] = _try(model, raw)
    return Programme.model_construct(**values)


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


def _try(model: type[BaseModel], raw: Any) -> BaseModel | None:
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None
