"""Reading YAML while remembering where every value stands (file and line).

PyYAML composes a node tree that carries marks; we build the plain data from it ourselves
so that each path into the data maps to the line that wrote it. Duplicate keys, which
PyYAML would silently overwrite, are reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dataskydd.programme.errors import Location, ProgrammeError, format_path

# libyaml's parser is about 15 times faster and keeps the same marks; fall back without it.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class SourceMap:
    """Where each value of a loaded document was written."""

    places: dict[Location, tuple[str, int]] = field(default_factory=dict)
    default_file: str = ""

    def locate(self, location: Location) -> tuple[str, int]:
        """File and line of ``location``, or of its nearest ancestor that was written."""
        loc = tuple(location)
        while loc:
            if loc in self.places:
                return self.places[loc]
            loc = loc[:-1]
        return self.places.get((), (self.default_file, 0))

    def error(self, location: Location, rule: str, message: str) -> ProgrammeError:
        file, line = self.locate(location)
        return ProgrammeError(file, line, format_path(location), rule, message)


def load_yaml(path: Path, name: str, source_map: SourceMap) -> tuple[Any, list[ProgrammeError]]:
    """Parse one YAML file; returns its data and the errors met (syntax, duplicate keys)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [ProgrammeError(name, 0, "", "encoding", f"not UTF-8 text: {exc.reason}")]
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        return None, [ProgrammeError(name, line, "", "yaml-syntax", f"YAML syntax: {problem}")]
    if node is None:
        return {}, []
    errors: list[ProgrammeError] = []
    builder = yaml.SafeLoader("")
    data = _build(node, (), name, source_map, errors, builder)
    return data, errors


def _build(
    node: yaml.Node,
    location: Location,
    name: str,
    source_map: SourceMap,
    errors: list[ProgrammeError],
    builder: yaml.SafeLoader,
) -> Any:
    source_map.places.setdefault(location, (name, node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = builder.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                errors.append(
                    ProgrammeError(
                        name,
                        key_node.start_mark.line + 1,
                        format_path((*location, key)),
                        "duplicate-key",
                        f"the key '{key}' is written twice in this mapping",
                    )
                )
            child = (*location, key)
            source_map.places[child] = (name, key_node.start_mark.line + 1)
            result[key] = _build(value_node, child, name, source_map, errors, builder)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*location, i), name, source_map, errors, builder)
            for i, item in enumerate(node.value)
        ]
    try:
        return builder.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError):
        # e.g. 2024-13-01 looks like a date to YAML but is none: keep the text, so the
        # schema reports it in its own words ("not a date") at this line.
        return node.value
