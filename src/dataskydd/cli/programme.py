"""``dataskydd init`` and ``dataskydd programme ...``: create and check a programme."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from dataskydd.cli.common import (
    PROGRAMME_OPTION_HELP,
    console,
    err_console,
    load_or_exit,
    resolve_programme_path,
)
from dataskydd.programme.loader import programme_files, template_names, template_path

programme_app = typer.Typer(
    help="Check, compare, export and publish the privacy programme.", no_args_is_help=True
)


@programme_app.command("check")
def check(path: Path | None = typer.Argument(None, help=PROGRAMME_OPTION_HELP)) -> None:
    """Validate the programme; list every error with its file and line."""
    programme = load_or_exit(path)
    console.print(
        f"[green]✓[/] {resolve_programme_path(path)}: programme '{programme.programme.key}' is valid: "
        f"{len(programme.activities)} processing activities, {len(programme.purposes)} purposes, "
        f"{len(programme.categories)} data categories, {len(programme.retention)} retention rules, "
        f"notice version {programme.notice.version} ({programme.notice.effective_date})."
    )


def init(
    directory: Path = typer.Argument(..., help="Where to write the programme's YAML files."),
    template: str = typer.Option(
        "swedish-lender", "--template", "-t", help="Bundled template to start from."
    ),
    force: bool = typer.Option(
        False, "--force", help="Overwrite YAML files that are already there."
    ),
) -> None:
    """Start a programme from a bundled template."""
    if template not in template_names():
        err_console.print(
            f"[bold red]error:[/] no template '{template}'; known: {', '.join(template_names())}"
        )
        raise typer.Exit(2)
    source = template_path(template)
    directory.mkdir(parents=True, exist_ok=True)
    existing = [p.name for p in directory.iterdir() if p.suffix in (".yaml", ".yml")]
    if existing and not force:
        err_console.print(
            f"[bold red]error:[/] {directory} already holds {', '.join(sorted(existing))}; "
            "choose an empty directory or pass --force"
        )
        raise typer.Exit(1)
    for file in programme_files(source):
        shutil.copyfile(file, directory / file.name)
    console.print(f"[green]✓[/] wrote the '{template}' programme to {directory}")
    console.print(
        f"  next: [bold]dataskydd programme check {directory}[/], then edit the YAML files"
    )


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(programme_app, name="programme")
