"""``dataskydd datamap check|introspect|import-fides``: the data map, checked and started."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.markup import escape

from dataskydd.cli.common import PROGRAMME_OPTION_HELP, console, err_console, load_or_exit
from dataskydd.connectors.base import ConnectorError
from dataskydd.connectors.factory import open_connector, url_for
from dataskydd.datamap.draft import Draft
from dataskydd.datamap.fides import FidesFormatError, import_fides
from dataskydd.datamap.introspect import introspect
from dataskydd.datamap.live import Level, check_live
from dataskydd.datamap.loader import LoadedDataMap, read_datamap
from dataskydd.datamap.schema import Connection, System, SystemKind
from dataskydd.programme import ProgrammeInvalid

DATAMAP_HELP = "Data map directory, one YAML file per system (env DATASKYDD_DATAMAP)."

datamap_app = typer.Typer(
    help="Check the data map against the programme and the live systems; start one.",
    no_args_is_help=True,
)


class QueryableKind(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"
    MARIADB = "mariadb"


@datamap_app.command("check")
def check(
    directory: Path | None = typer.Argument(None, envvar="DATASKYDD_DATAMAP", help=DATAMAP_HELP),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_OPTION_HELP),
    offline: bool = typer.Option(
        False, "--offline", help="Check the files only; do not connect to the systems."
    ),
) -> None:
    """Validate the data map; list every error with its file and line."""
    if directory is None:
        _fail("give the data map directory, or set DATASKYDD_DATAMAP", status=2)
    loaded = _load_or_exit(directory, programme)
    summary = _summary(loaded)
    if offline:
        console.print(
            f"[green]✓[/] {directory}: the data map is valid: {summary} (not checked live)"
        )
        return
    problems = check_live(loaded, loaded.directory)
    errors = [p for p in problems if p.level is Level.ERROR]
    for problem in problems:
        # Messages that name their line already ("mapped in core.yaml:42") need no prefix.
        shown = problem.where and problem.where not in problem.message
        where = f"[bold]{escape(problem.where)}[/]: " if shown else ""
        if problem.level is Level.ERROR:
            err_console.print(f"  {where}{escape(problem.message)} [dim]\\[{problem.rule}][/]")
        else:
            console.print(f"  [dim]note:[/] {where}{escape(problem.message)}")
    if errors:
        count = len(errors)
        err_console.print(
            f"[bold red]{count} error{'s' if count != 1 else ''} against the live systems[/]"
        )
        raise typer.Exit(1)
    console.print(
        f"[green]✓[/] {directory}: the data map is valid and matches the live systems: {summary}"
    )


@datamap_app.command("introspect")
def introspect_command(
    system: str = typer.Argument(..., help="The key the new system gets, e.g. core."),
    kind: QueryableKind = typer.Option(..., "--kind", help="What kind of database it is."),
    env: str | None = typer.Option(
        None, "--env", help="The environment variable that holds the connection URL."
    ),
    file: Path | None = typer.Option(
        None, "--file", help="The secrets file that holds the connection URL."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the map to this file instead of stdout."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_OPTION_HELP),
) -> None:
    """Write a starting map of a live database, proposing what each column holds."""
    if (env is None) == (file is None):
        _fail("give exactly one of --env VAR or --file PATH (where the URL is kept)", status=2)
    if out is not None and out.exists() and not force:
        _fail(f"{out} already exists; pass --force to overwrite it")
    loaded_programme = load_or_exit(programme)
    connection = _connection(env, file, out)
    try:
        target = System(key=system, name=system, kind=SystemKind(kind), connection=connection)
    except ValidationError:
        _fail(f"'{system}' is not a system key: lower case letters, digits, '_' and '-'", 2)
    try:
        # The secrets file is read as given on the command line, not relative to --out.
        read_from = target.model_copy(update={"connection": _connection(env, file, None)})
        connector = open_connector(target, url_for(read_from, Path.cwd()))
        try:
            draft = introspect(system, SystemKind(kind), connection, connector, loaded_programme)
        finally:
            connector.close()
    except ConnectorError as exc:
        _fail(f"system '{system}' could not be introspected: {exc.message}")
    _write(draft, out)


@datamap_app.command("import-fides")
def import_fides_command(
    file: Path = typer.Argument(..., help="A fideslang dataset YAML file."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write one YAML file per dataset into this directory."
    ),
    kind: QueryableKind | None = typer.Option(
        None, "--kind", help="What kind of database the datasets are (else TODO)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite files that exist."),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_OPTION_HELP),
) -> None:
    """Turn a Fides dataset file into draft data map files, one per dataset."""
    loaded_programme = load_or_exit(programme)
    try:
        drafts = import_fides(file, loaded_programme, SystemKind(kind) if kind else None)
    except (FidesFormatError, OSError) as exc:
        _fail(str(exc), status=2)
    if out is None:
        typer.echo("---\n".join(d.to_yaml() for d in drafts), nl=False)
        return
    targets = [(out / f"{d.key}.yaml", d) for d in drafts]
    existing = [str(p) for p, _ in targets if p.exists()]
    if existing and not force:
        _fail(f"{', '.join(existing)} already exist; pass --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    for path, draft in targets:
        path.write_text(draft.to_yaml(), encoding="utf-8")
        console.print(f"[green]✓[/] wrote {path}")
    console.print(f"  next: replace each TODO, then [bold]dataskydd datamap check {out}[/]")


def register(app: typer.Typer) -> None:
    app.add_typer(datamap_app, name="datamap")


# -- helpers ----------------------------------------------------------------------------------


def _fail(message: str, status: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(status)


def _load_or_exit(directory: Path, programme: Path | None) -> LoadedDataMap:
    loaded_programme = load_or_exit(programme)
    try:
        return read_datamap(directory, loaded_programme)
    except ProgrammeInvalid as invalid:
        count = len(invalid.errors)
        err_console.print(f"[bold red]{count} error{'s' if count != 1 else ''} in the data map:[/]")
        for error in invalid.errors:
            where = f"{error.file}:{error.line}" if error.line else error.file
            at = f" [dim]{escape(error.path)}[/]" if error.path else ""
            err_console.print(
                f"  [bold]{escape(where)}[/]{at}: {escape(error.message)} [dim]\\[{error.rule}][/]"
            )
        raise typer.Exit(1) from None
    except FileNotFoundError as exc:
        _fail(str(exc), status=2)


def _summary(loaded: LoadedDataMap) -> str:
    systems = loaded.datamap.systems.values()
    manual = sum(s.system.kind == SystemKind.MANUAL for s in systems)
    tables = loaded.datamap.tables()
    columns = sum(len(t.columns) for _, t in tables)
    return (
        f"{len(loaded.datamap.systems)} systems ({manual} manual), "
        f"{len(tables)} tables, {columns} columns"
    )


def _connection(env: str | None, file: Path | None, out: Path | None) -> Connection:
    """Where the URL is kept; a secrets file is written relative to the map that names it."""
    try:
        if env is not None:
            return Connection(env=env)
        assert file is not None
        if out is None:
            return Connection(file=str(file))
        return Connection(file=os.path.relpath(file.resolve(), out.resolve().parent))
    except ValidationError:
        _fail(f"'{env}' is not a variable name: A-Z, 0-9 and '_'", status=2)


def _write(draft: Draft, out: Path | None) -> None:
    text = draft.to_yaml()
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"[green]✓[/] wrote {out}")
    console.print(f"  next: replace each TODO, then [bold]dataskydd datamap check {out.parent}[/]")
