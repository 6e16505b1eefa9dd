"""``dataskydd token create|list|revoke``: API tokens for the systems that call the API.

``create`` prints the token once, to stdout (so it can be piped into a secret store); the
app store keeps only its SHA-256, so a lost token cannot be shown again: revoke it and
create another. ``list`` never shows a secret or a digest. ``revoke`` takes effect on the
next request that presents the token. Exit status: 0 done; 2 a usage error.
"""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from dataskydd.auth import tokens
from dataskydd.cli.common import console, err_console
from dataskydd.cli.rights import _fail, _operator
from dataskydd.store import migrate
from dataskydd.store.engine import make_engine, session_scope

SCOPE_HELP = "What the token may do; repeatable. One of: " + ", ".join(
    f"{scope} ({what})" for scope, what in tokens.SCOPES.items()
)

token_app = typer.Typer(
    help="API tokens: create one (shown once), list them, revoke one.", no_args_is_help=True
)


@token_app.command("create")
def create_command(
    name: str = typer.Argument(..., help=f"A name for the token: {tokens.NAME_RULE}."),
    scope: list[str] = typer.Option(..., "--scope", help=SCOPE_HELP),
    by: str | None = typer.Option(None, "--by", help="Who creates it (default: your login name)."),
) -> None:
    """Create a token; it is printed once, and cannot be shown again."""
    try:
        tokens.check_name(name)
        tokens.check_scopes(scope)
    except tokens.TokenError as error:
        _fail(str(error), 2)
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            created = tokens.create(session, name, scope, actor=by or _operator())
    except tokens.TokenError as error:
        _fail(str(error), 2)
    finally:
        engine.dispose()
    err_console.print(
        f"[green]✓[/] created token [bold]{escape(name)}[/] with scope "
        f"{', '.join(created.info.scopes)}.\n"
        "[bold yellow]This is the only time the token is shown[/]: store it in the calling "
        "system's secrets now (only its SHA-256 is kept here)."
    )
    typer.echo(created.secret)


@token_app.command("list")
def list_command() -> None:
    """Every token: name, scopes, when created, whether revoked (never the token itself)."""
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine) as session:
            found = tokens.list_tokens(session)
    finally:
        engine.dispose()
    if not found:
        console.print("No tokens yet: dataskydd token create NAME --scope permissions:read")
        return
    table = RichTable("name", "scopes", "created", "revoked", box=None, pad_edge=False)
    for token in found:
        table.add_row(
            escape(token.name),
            ", ".join(token.scopes),
            token.created_at.isoformat(timespec="seconds"),
            token.revoked_at.isoformat(timespec="seconds") if token.revoked_at else "-",
        )
    console.print(table)


@token_app.command("revoke")
def revoke_command(
    name: str = typer.Argument(..., help="The token's name (see: dataskydd token list)."),
    by: str | None = typer.Option(None, "--by", help="Who revokes it (default: your login name)."),
) -> None:
    """Revoke a token: refused from the next request on. Revoking twice is not an error."""
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            token, changed = tokens.revoke(session, name, actor=by or _operator())
    except tokens.TokenError as error:
        _fail(str(error), 2)
    finally:
        engine.dispose()
    assert token.revoked_at is not None
    when = token.revoked_at.isoformat(timespec="seconds")
    if changed:
        console.print(f"[green]✓[/] revoked token [bold]{escape(name)}[/] at {when}")
    else:
        console.print(f"token [bold]{escape(name)}[/] was already revoked, at {when}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.add_typer(token_app, name="token")
