"""Errors in a programme: each names the file, the line, the place and the rule broken."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

Location = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class ProgrammeError:
    file: str
    line: int
    path: str  # e.g. purposes[3].legal_bases
    rule: str  # a stable identifier, e.g. "unknown-reference", "schema"
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        at = f" ({self.path})" if self.path else ""
        return f"{where}{at}: {self.message} [{self.rule}]"


class ProgrammeInvalid(Exception):
    """A programme failed to load; ``errors`` holds every problem found, in file order."""

    def __init__(self, errors: list[ProgrammeError]) -> None:
        self.errors = sorted(errors)
        count = len(self.errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in the programme")

    def report(self) -> str:
        return "\n".join(str(e) for e in self.errors)


def format_path(location: Location) -> str:
    """('purposes', 3, 'legal_bases') -> 'purposes[3].legal_bases'."""
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def display_name(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent)) if root.is_dir() else path.name
    except ValueError:
        return str(path)
