"""``dataskydd demo``: a lender's estate of five systems, its data map, and the app serving it.

The estate, the store and the web app are imported inside the command, so every other
command starts fast.
"""

from __future__ import annotations

import os
from typing import Any

import typer

from dataskydd.cli.common import console, err_console
from dataskydd.cli.serve import _run as run_server

PERSONS_HELP = "How many persons the estate knows (10 to 5,000,000; a million builds in minutes)."
SEED_HELP = "The same seed (and day) gives the same estate."
URL_HELP = "Put the {system} system in this database (PostgreSQL or MariaDB URL) instead of SQLite."
URL_ENV = "DATASKYDD_DEMO_{SYSTEM}_URL"


def _url_option(system: str) -> Any:  # a Typer option: Typer's own type is Any
    return typer.Option(
        None,
        f"--{system}-url",
        envvar=URL_ENV.format(SYSTEM=system.upper()),
        help=URL_HELP.format(system=system),
        show_default=False,
    )


def demo(
    persons: int = typer.Option(2_000, "--persons", min=10, max=5_000_000, help=PERSONS_HELP),
    seed: int = typer.Option(1, "--seed", help=SEED_HELP),
    port: int = typer.Option(8000, "--port", envvar="DATASKYDD_PORT", help="Port to listen on."),
    core_url: str | None = _url_option("core"),
    crm_url: str | None = _url_option("crm"),
    marketing_url: str | None = _url_option("marketing"),
    recruitment_url: str | None = _url_option("recruitment"),
    website_url: str | None = _url_option("website"),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Drop an existing, different estate and build this one."
    ),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the app once the estate is ready."
    ),
) -> None:
    """Build the demo estate and its data map, publish the bundled programme, and serve it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from sqlalchemy.exc import SQLAlchemyError

    from dataskydd.demo.estate import EstateError, build
    from dataskydd.settings import get_settings

    urls = {
        "core": core_url,
        "crm": crm_url,
        "marketing": marketing_url,
        "recruitment": recruitment_url,
        "website": website_url,
    }
    data_dir = get_settings().data_dir
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            estate = build(
                data_dir, persons=persons, seed=seed, urls=urls, rebuild=rebuild, progress=progress
            )
    except EstateError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from None
    except ValueError as exc:  # a URL that is no URL, or not a database the estate runs on
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    except SQLAlchemyError as exc:  # a system that failed mid-build; --rebuild starts over
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        err_console.print(f"[bold red]error:[/] building the demo estate failed: {reason}")
        raise typer.Exit(1) from None

    _publish()
    rows = sum(estate.rows.values())
    if estate.built:
        console.print(
            f"[green]✓[/] built the demo estate: {estate.persons:,} persons, {rows:,} rows "
            f"in 5 systems (seed {estate.seed})"
        )
    else:
        console.print(
            f"[green]✓[/] the demo estate of {estate.persons:,} persons (seed {estate.seed}) "
            "is already there"
        )
    console.print(f"data map: {estate.datamap_dir}")
    for planted in estate.planted:
        console.print(
            f"planted:  {planted.person.name}, personnummer {planted.personnummer_written} "
            f"[dim]({planted.story})[/]"
        )
    console.print(
        "try:      dataskydd access --personnummer "
        f"{estate.anna.personnummer_written} --datamap {estate.datamap_dir} --out answer.zip"
    )
    # The served app (and a shell that copies the command above) find the estate here.
    os.environ["DATASKYDD_DATAMAP"] = str(estate.datamap_dir)
    os.environ.pop("DATASKYDD_PROGRAMME", None)  # the demo is the bundled programme's world
    if serve:
        run_server("127.0.0.1", port, None, False, banner="dataskydd is running")


def _publish() -> None:
    """Migrate the app store and publish the bundled programme (a no-op when it is)."""
    from sqlalchemy.exc import SQLAlchemyError

    from dataskydd.programme import load_template
    from dataskydd.store import migrate
    from dataskydd.store.engine import display_url, make_engine
    from dataskydd.web.app import publish_if_new

    try:
        migrate.upgrade()
        engine = make_engine()
        try:
            publish_if_new(engine, load_template())
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        err_console.print(f"[bold red]error:[/] the app store {display_url()} failed: {exc}")
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.command("demo")(demo)
