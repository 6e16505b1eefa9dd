"""What every command shares: finding the programme, printing its errors, exiting cleanly."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console

from dataskydd.programme import Programme, ProgrammeInvalid, load_programme
from dataskydd.programme.loader import template_path

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

PROGRAMME_OPTION_HELP = (
    "Programme directory or YAML file (env DATASKYDD_PROGRAMME; default: the bundled "
    "swedish-lender template)."
)


def resolve_programme_path(path: Path | None) -> Path:
    """An explicit path, else ``DATASKYDD_PROGRAMME``, else the bundled template."""
    if path is not None:
        return path
    from_env = os.environ.get("DATASKYDD_PROGRAMME")
    if from_env:
        return Path(from_env)
    return template_path(os.environ.get("DATASKYDD_TEMPLATE", "swedish-lender"))


def print_errors(invalid: ProgrammeInvalid) -> None:
    count = len(invalid.errors)
    err_console.print(f"[bold red]{count} error{'s' if count != 1 else ''} in the programme:[/]")
    for error in invalid.errors:
        where = f"{error.file}:{error.line}" if error.line else error.file
        at = f" [dim]{error.path}[/]" if error.path else ""
        err_console.print(
            f"  [bold]{where}[/]{at}: {error.message} [dim]\\[{error.rule}][/]", soft_wrap=True
        )


def load_or_exit(path: Path | None) -> Programme:
    """Load the programme or print every error and exit with status 1."""
    try:
        return load_programme(resolve_programme_path(path))
    except ProgrammeInvalid as invalid:
        print_errors(invalid)
        raise typer.Exit(1) from None
    except (FileNotFoundError, LookupError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
