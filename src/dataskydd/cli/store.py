"""``dataskydd db ...`` and ``dataskydd programme publish|versions``: the app store."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from rich.table import Table

from dataskydd import clock
from dataskydd.cli.common import PROGRAMME_OPTION_HELP, console, err_console, load_or_exit
from dataskydd.cli.programme import programme_app

if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError

    from dataskydd.store.versions import PublishedVersion

# SQLAlchemy, Alembic and the store are imported inside the commands that use them:
# every other command (programme check, ropa, ...) starts a third of a second sooner.

_T = TypeVar("_T")

db_app = typer.Typer(
    help="The app store: migrate it and see where it stands.", no_args_is_help=True
)


def upgrade() -> None:
    """Create or migrate the app store to the newest schema (safe to run again)."""
    from dataskydd.store import migrate
    from dataskydd.store.engine import display_url

    before = _or_exit(migrate.current)
    after = _or_exit(migrate.upgrade)
    if before == after:
        console.print(f"[green]✓[/] {display_url()} is up to date (revision {after})")
    else:
        console.print(f"[green]✓[/] {display_url()} migrated from {before or 'empty'} to {after}")


def current() -> None:
    """Show the app store's schema revision."""
    from dataskydd.store import migrate
    from dataskydd.store.engine import display_url

    revision, head = _or_exit(migrate.current), migrate.head()
    if revision is None:
        console.print(f"{display_url()}: empty; run [bold]dataskydd db upgrade[/]")
    elif revision == head:
        console.print(f"{display_url()}: revision {revision} (head)")
    else:
        console.print(
            f"{display_url()}: revision {revision}; newest is {head}: "
            "run [bold]dataskydd db upgrade[/]"
        )


def publish(
    path: Path | None = typer.Argument(None, help=PROGRAMME_OPTION_HELP),
    significant: bool | None = typer.Option(
        None,
        "--significant/--not-significant",
        help="Whether people must be told of this change [default: notice.significant_change].",
    ),
    by: str | None = typer.Option(None, "--by", help="Who publishes [default: the login name]."),
) -> None:
    """Publish the programme's notice version to the app store (again is a no-op)."""
    from sqlalchemy.exc import SQLAlchemyError

    from dataskydd.programme.notice import render_markdown
    from dataskydd.programme.text import LANGUAGES
    from dataskydd.store import migrate, versions
    from dataskydd.store.engine import make_engine, session_scope

    programme = load_or_exit(path)
    if significant is not None:
        notice = programme.notice.model_copy(update={"significant_change": significant})
        programme = programme.model_copy(update={"notice": notice})
    markdown = {language: render_markdown(programme, language) for language in LANGUAGES}
    publisher = by or _login_name()
    _or_exit(migrate.upgrade)

    key, version = programme.programme.key, programme.notice.version
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            existing = versions.get_version(session, key, version)
            published = versions.publish(
                session, programme, notice_markdown=markdown, published_by=publisher
            )
    except versions.VersionConflict as conflict:
        err_console.print(f"[bold red]error:[/] {conflict}")
        raise typer.Exit(1) from None
    except SQLAlchemyError as exc:
        _store_error(exc)
    finally:
        engine.dispose()

    if existing is not None:
        console.print(
            f"[green]✓[/] '{key}' version {version} is already published "
            f"({_local(published)} by {published.published_by}); nothing to do"
        )
        return
    when = "in effect from" if published.effective_date <= clock.today() else "takes effect on"
    console.print(
        f"[green]✓[/] published '{key}' version {version}, {when} {published.effective_date}"
        f"{', a significant change' if published.significant_change else ''} "
        f"[dim](sha256 {published.content_sha256[:12]})[/]"
    )


def list_published(
    key: str | None = typer.Option(None, "--key", help="Only this programme [default: all]."),
) -> None:
    """List the published versions, newest effective date first."""
    from sqlalchemy.exc import SQLAlchemyError

    from dataskydd.store import migrate, versions
    from dataskydd.store.engine import make_engine, session_scope

    if _or_exit(migrate.current) is None:
        console.print("No versions published yet: run [bold]dataskydd programme publish[/].")
        return
    today = clock.today()
    engine = make_engine()
    try:
        with session_scope(engine) as session:
            keys = [key] if key else versions.programme_keys(session)
            rows = [
                (
                    k,
                    versions.list_versions(session, k),
                    versions.version_in_effect(session, k, today),
                )
                for k in keys
            ]
    except SQLAlchemyError as exc:
        _store_error(exc)
    finally:
        engine.dispose()

    if not any(listed for _, listed, _ in rows):
        console.print("No versions published yet: run [bold]dataskydd programme publish[/].")
        return
    for programme_key, listed, in_effect in rows:
        if listed:
            console.print(_versions_table(programme_key, listed, in_effect, today))


def _versions_table(
    programme_key: str,
    listed: list[PublishedVersion],
    in_effect: PublishedVersion | None,
    today: date,
) -> Table:
    table = Table(title=f"Published versions of '{programme_key}' (as of {today})")
    table.add_column("version", min_width=7, overflow="fold")
    table.add_column("effective", no_wrap=True)
    table.add_column("status", min_width=9)
    table.add_column("published", no_wrap=True)
    table.add_column("by", min_width=8, overflow="fold")
    table.add_column("sha256", no_wrap=True)
    for item in listed:
        if in_effect is not None and item.id == in_effect.id:
            status = "[green]in effect[/]"
        elif item.effective_date > today:
            status = "[yellow]upcoming[/]"
        else:
            status = "[dim]superseded[/]"
        if item.significant_change:
            status += " [bold](significant)[/]"
        table.add_row(
            item.version,
            item.effective_date.isoformat(),
            status,
            _local(item),
            item.published_by,
            item.content_sha256[:8],
        )
    return table


def _local(item: PublishedVersion) -> str:
    return item.published_at.astimezone(clock.LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"


def _or_exit(action: Callable[[], _T]) -> _T:
    """Run a store action; a store that cannot be reached is a message, not a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return action()
    except SQLAlchemyError as exc:
        _store_error(exc)


def _store_error(exc: SQLAlchemyError) -> NoReturn:
    from dataskydd.store.engine import display_url

    reason = getattr(exc, "orig", None) or exc
    err_console.print(f"[bold red]error:[/] the app store at {display_url()} failed: {reason}")
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    db_app.command("upgrade")(upgrade)
    db_app.command("current")(current)
    app.add_typer(db_app, name="db")
    programme_app.command("publish")(publish)
    programme_app.command("versions")(list_published)
