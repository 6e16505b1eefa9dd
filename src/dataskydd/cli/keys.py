"""``dataskydd keys rotate``: a new encryption key, and everything sealed moved onto it."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from dataskydd.cli.common import console, err_console
from dataskydd.cli.rights import _operator
from dataskydd.encryption import keyring as keyring_module
from dataskydd.encryption.keyring import KeyringError, add_key, configured_externally
from dataskydd.encryption.rotation import pending, rotate
from dataskydd.store import migrate
from dataskydd.store.engine import make_engine

keys_app = typer.Typer(help="The encryption keys of the app store.", no_args_is_help=True)


@keys_app.command("rotate")
def rotate_command(
    new_key: bool = typer.Option(
        True,
        "--new-key/--no-new-key",
        help="Embedded keys: create a new active key first. With DATASKYDD_ENCRYPTION_KEYS(_FILE) "
        "put the new key first yourself; then only re-sealing is done.",
    ),
) -> None:
    """Re-seal every sealed value with the active key (resumable: run it again after a stop)."""
    migrate.upgrade()
    engine = make_engine()
    try:
        if new_key and not configured_externally():
            created = add_key()
            keyring_module.reset()
            console.print(f"new active key: {created}")
        total = pending(engine)
        columns = (TextColumn("re-sealing"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("re-sealing", total=total)
            done = rotate(engine, actor=_operator(), progress=lambda n: bar.advance(task, n))
    except KeyringError as error:
        err_console.print(f"[red]error:[/] {escape(str(error))}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(
        f"[green]✓[/] {done.requests} request(s) and {done.packages} answer package(s) "
        f"sealed with {done.active}; older keys can now be removed"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.add_typer(keys_app, name="keys")
