"""Load a programme from a directory of YAML files (or one file) and validate it completely.

Loading never stops at the first problem: syntax errors, schema errors and rule errors
from every file are gathered and raised together as :class:`ProgrammeInvalid`.
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Iterator
from contextlib import contextmanager
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
    files = programme_files(path)
    source_map = SourceMap(default_file=display_name(files[0], path))
    merged: dict[str, Any] = {}
    errors: list[ProgrammeError] = []
    for file in files:
        name = display_name(file, path)
        file_map = SourceMap(default_file=name)
        data, file_errors = load_yaml(file, name, file_map)
        errors += file_errors
        if data is None:
            continue
        if not isinstance(data, dict):
            errors.append(
                ProgrammeError(
                    name, 1, "", "schema", "a programme file must be a mapping of sections"
                )
            )
            continue
        for key, value in data.items():
            if key in merged:
                first, _ = source_map.locate((key,))
                errors.append(
                    file_map.error(
                        (key,), "duplicate-section", f"the section '{key}' is also in {first}"
                    )
                )
                continue
            merged[key] = value
            source_map.places.update(
                (loc, place) for loc, place in file_map.places.items() if loc[:1] == (key,)
            )
    return merged, source_map, errors


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a programme is built.

    Loading allocates hundreds of thousands of long-lived objects and frees no cycles; with
    the collector on, its full passes over the growing heap made a 5,000-activity programme
    load five times slower than linear. Reference counting still frees everything else.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_programme(path: str | Path) -> Programme:
    """Load and fully validate a programme; raise :class:`ProgrammeInvalid` listing every error."""
    with _collector_paused():
        return _load(Path(path))


def _load(path: Path) -> Programme:
    data, source_map, errors = read_programme(path)
    if any(e.rule in ("yaml-syntax", "encoding") for e in errors):
        # What a broken file meant to say is unknown; checking the rest would only add noise.
        raise ProgrammeInvalid(errors)
    try:
        programme = Programme.model_validate(data)
    except ValidationError as exc:
        errors += [_schema_error(e, source_map) for e in exc.errors()]
        programme = _partial(data)
    errors += check_rules(programme, data, source_map)
    if errors:
        raise ProgrammeInvalid(list(dict.fromkeys(errors)))
    return programme


_LANGUAGE_NAMES = {"sv": "Swedish", "en": "English"}


def _schema_error(error: ErrorDetails, source_map: SourceMap) -> ProgrammeError:
    location = tuple(error["loc"])
    return source_map.error(location, "schema", _schema_message(error, location))


def _schema_message(error: ErrorDetails, location: tuple[Any, ...]) -> str:
    """Pydantic's message, rephrased where a DPO editing YAML needs it plainer."""
    kind, field = error["type"], (str(location[-1]) if location else "")
    given = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        if field in _LANGUAGE_NAMES:
            return f"the {_LANGUAGE_NAMES[field]} text '{field}' is missing; every text needs sv and en"
        return f"the required field '{field}' is missing"
    if kind == "extra_forbidden":
        allowed = _allowed_fields(location[:-1])
        close = difflib.get_close_matches(field, allowed, n=1)
        hint = (
            f"; did you mean '{close[0]}'?"
            if close
            else (f"; allowed: {', '.join(allowed)}" if allowed else "")
        )
        return f"'{field}' is not a field here{hint}"
    if kind in ("enum", "literal_error"):
        return f"{given!r} is not allowed here; expected {ctx.get('expected', '')}"
    if kind == "too_short":
        if field == "legal_bases":
            return "a purpose needs at least one legal basis"
        return f"'{field}' needs at least {ctx.get('min_length', 1)} entry"
    if kind == "string_pattern_mismatch":
        if field in ("sv", "en"):
            return f"the {_LANGUAGE_NAMES[field]} text is empty"
        return f"{given!r} does not have the form this field needs (pattern {ctx.get('pattern')})"
    if kind == "string_type":
        return f"expected text, got {type(given).__name__} {given!r}; put it in quotes"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"{given!r} is not a date; write YYYY-MM-DD"
    if kind in ("bool_parsing", "bool_type"):
        return f"{given!r} is not true or false"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping (key: value lines), got {type(given).__name__}"
    if kind == "list_type":
        return f"expected a list, got {type(given).__name__}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]


def _allowed_fields(location: tuple[Any, ...]) -> list[str]:
    """The field names of the model at ``location`` in a Programme, for 'did you mean'."""
    model: Any = Programme
    for part in location:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if _is_model(model) else None
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return list(model.model_fields) if _is_model(model) else []


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


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
