"""The ``dataskydd`` command: a thin face over the domain packages."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape

from dataskydd import __version__, clock
from dataskydd.cli import audit as audit_cli
from dataskydd.cli import cases as cases_cli
from dataskydd.cli import datamap as datamap_cli
from dataskydd.cli import demo as demo_cli
from dataskydd.cli import erasure as erasure_cli
from dataskydd.cli import keys as keys_cli
from dataskydd.cli import programme as programme_cli
from dataskydd.cli import rectify as rectify_cli
from dataskydd.cli import register as register_cli
from dataskydd.cli import rights as rights_cli
from dataskydd.cli import serve as serve_cli
from dataskydd.cli import staff as staff_cli
from dataskydd.cli import standing as standing_cli
from dataskydd.cli import store as store_cli
from dataskydd.cli import tokens as tokens_cli
from dataskydd.cli.common import err_console
from dataskydd.keys import KeyConfigError

app = typer.Typer(
    name="dataskydd",
    help="GDPR privacy operations: the privacy programme as code, its register and its notice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dataskydd {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    now: str | None = typer.Option(
        None,
        "--now",
        envvar="DATASKYDD_NOW",
        help="Run as if it were this date (2027-01-01) or date-time.",
    ),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        help="Where the embedded store keeps its files [env DATASKYDD_DATA_DIR; default .dataskydd].",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    if now:
        try:
            clock.set_now(now)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--now") from None
    if data_dir is not None:
        os.environ["DATASKYDD_DATA_DIR"] = str(data_dir)


programme_cli.register(app)
register_cli.register(app)
store_cli.register(app)
serve_cli.register(app)
demo_cli.register(app)
datamap_cli.register(app)
rights_cli.register(app)
erasure_cli.register(app)
rectify_cli.register(app)
standing_cli.register(app)
tokens_cli.register(app)
cases_cli.register(app)
keys_cli.register(app)
staff_cli.register(app)
audit_cli.register(app)


def main() -> None:
    try:
        app()
    except KeyConfigError as error:
        # A misconfigured key is the operator's to fix, not a crash: say where, never the key.
        err_console.print(f"[bold red]error:[/] {escape(str(error))}")
        raise SystemExit(2) from None
