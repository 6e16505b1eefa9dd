"""A proposed system map (from introspection or a Fides import), written as commented YAML.

A draft may hold ``TODO`` where a person must decide; it is built without validation for
that reason, and ``datamap check`` refuses it until every TODO is replaced. Each proposed
line says why in a comment ("proposed: 198 of 200 samples are valid personnummer"), so the
reviewer sees the evidence next to the claim.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from dataskydd.datamap.schema import SystemMap
from dataskydd.programme.errors import Location

Notes = dict[Location, str]

# Plain scalars that YAML reads back as the same text (no ': ', ' #', no edge spaces).
_PLAIN = re.compile(r"[A-Za-z_](?:[A-Za-z0-9_.$/ ,'()-]*[A-Za-z0-9_.$)])?")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}
_FLOW_MAPPINGS = {"references"}  # short mappings that read best on one line
_COMMENT = "  # "


@dataclass(frozen=True)
class Draft:
    """A proposed system map, why each line was proposed, and a header for the file."""

    system_map: SystemMap
    notes: Notes = field(default_factory=dict)
    header: str = ""

    @property
    def key(self) -> str:
        return self.system_map.system.key

    def to_yaml(self) -> str:
        with warnings.catch_warnings():
            # A TODO stands where an enum or key belongs; dumping it as text is the point.
            warnings.simplefilter("ignore")
            data = self.system_map.model_dump(
                mode="json", by_alias=True, exclude_defaults=True, warnings=False
            )
        lines = [f"# {line}".rstrip() for line in self.header.splitlines()]
        lines += _mapping(data, (), 0, self.notes)
        return "\n".join(lines) + "\n"


def _mapping(data: dict[str, Any], at: Location, indent: int, notes: Notes) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in data.items():
        here = (*at, key)
        if isinstance(value, dict) and value and key not in _FLOW_MAPPINGS:
            lines.append(_noted(f"{pad}{key}:", here, notes))
            lines += _mapping(value, here, indent + 2, notes)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(_noted(f"{pad}{key}:", here, notes))
            for i, item in enumerate(value):
                item_lines = _mapping(item, (*here, i), indent + 4, notes)
                first = item_lines[0][indent + 4 :]
                lines.append(_noted(f"{pad}  - {first}", (*here, i), notes))
                lines += item_lines[1:]
        else:
            lines.append(_noted(f"{pad}{key}: {_flow(value)}", here, notes, deep=True))
    return lines


def _noted(line: str, at: Location, notes: Notes, deep: bool = False) -> str:
    """``line`` with the note for ``at`` (and, for a one-line value, for its parts)."""
    found = [notes[at]] if at in notes else []
    if deep:
        found += [n for loc, n in notes.items() if len(loc) > len(at) and loc[: len(at)] == at]
    if not found:
        return line
    joined = "; ".join(found)
    return f"{line}; {joined}" if _COMMENT in line else f"{line}{_COMMENT}{joined}"


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def scalar(value: Any) -> str:
    """A YAML scalar that reads back as ``value``: plain when safe, else double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)
