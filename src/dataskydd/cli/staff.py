"""``dataskydd staff add|list|disable|password``: accounts for the admin console.

A password is never an argument (it would sit in the shell's history and in ``ps``): it is
typed at a hidden prompt, twice, or read from the first line of ``--password-file`` (``-``
for standard input, to pipe it from a secrets manager). ``list`` never shows a hash.
``disable`` and ``password`` end the account's sessions at once. Exit status: 0 done;
2 a usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from dataskydd import clock
from dataskydd.auth import passwords, staff
from dataskydd.auth.roles import ROLE_RULE, parse_role
from dataskydd.cli.common import console, err_console
from dataskydd.cli.rights import _fail, _operator
from dataskydd.store import migrate
from dataskydd.store.engine import make_engine, session_scope

PASSWORD_FILE_HELP = (
    "Read the password from the first line of this file ('-' for standard input) "
    "instead of prompting for it."
)
BY_HELP = "Who does this (default: your login name)."

staff_app = typer.Typer(
    help="Staff accounts for the admin console: add, list, disable, set a password.",
    no_args_is_help=True,
)


@staff_app.command("add")
def add_command(
    username: str = typer.Argument(..., help=f"The sign-in name: {staff.USERNAME_RULE}."),
    name: str = typer.Option(..., "--name", help="The name shown in the console."),
    role: str = typer.Option(..., "--role", help=f"What the account may do: {ROLE_RULE}."),
    password_file: Path | None = typer.Option(None, "--password-file", help=PASSWORD_FILE_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Add an account; its password is prompted for (or read from --password-file)."""
    try:
        username = staff.check_username(username)
    except staff.StaffError as error:
        _fail(f"USERNAME: {error}", 2)
    if not name.strip():
        _fail("--name: give the name shown in the console", 2)
    try:
        chosen = parse_role(role)
    except ValueError as error:
        _fail(f"--role: {error}", 2)
    password = _password(username, password_file)
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            user = staff.create_user(
                session, username, name, chosen, password, actor=by or _operator()
            )
    except staff.StaffError as error:
        _fail(str(error), 2)
    finally:
        engine.dispose()
    console.print(
        f"[green]✓[/] added [bold]{escape(user.username)}[/] "
        f"({escape(user.display_name)}) as {user.role.value}"
    )


@staff_app.command("list")
def list_command() -> None:
    """Every account: username, name, role, created, state (never a password hash)."""
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine) as session:
            accounts = staff.list_users(session)
    finally:
        engine.dispose()
    if not accounts:
        console.print('No staff yet: dataskydd staff add USERNAME --name "..." --role dpo')
        return
    now = clock.now()
    table = RichTable("username", "name", "role", "created", "state", box=None, pad_edge=False)
    for account in accounts:
        if account.disabled_at is not None:
            state = "disabled " + account.disabled_at.isoformat(timespec="seconds")
        elif account.locked_until is not None and account.locked(now):
            state = "locked until " + account.locked_until.isoformat(timespec="seconds")
        else:
            state = "active"
        table.add_row(
            escape(account.user.username),
            escape(account.user.display_name),
            account.user.role.value,
            account.created_at.isoformat(timespec="seconds"),
            state,
        )
    console.print(table)


@staff_app.command("disable")
def disable_command(
    username: str = typer.Argument(..., help="The account (see: dataskydd staff list)."),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Disable an account: it cannot sign in, and its sessions end now."""
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            user, changed = staff.disable_user(session, username, actor=by or _operator())
    except staff.StaffError as error:
        _fail(str(error), 2)
    finally:
        engine.dispose()
    if changed:
        console.print(f"[green]✓[/] disabled [bold]{escape(user.username)}[/]; its sessions ended")
    else:
        console.print(f"[bold]{escape(user.username)}[/] was already disabled")


@staff_app.command("password")
def password_command(
    username: str = typer.Argument(..., help="The account (see: dataskydd staff list)."),
    password_file: Path | None = typer.Option(None, "--password-file", help=PASSWORD_FILE_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Set a new password: the account is unlocked and its sessions end."""
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine) as session:
            # Known before the password is asked for: no typing a password for a typo.
            known = any(
                a.user.username == username.strip().lower() for a in staff.list_users(session)
            )
    finally:
        engine.dispose()
    if not known:
        _fail(f"no user named {username.strip().lower()!r} (see: dataskydd staff list)", 2)
    password = _password(username.strip().lower(), password_file)
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            user = staff.set_password(session, username, password, actor=by or _operator())
    except staff.StaffError as error:
        _fail(str(error), 2)
    finally:
        engine.dispose()
    console.print(
        f"[green]✓[/] new password set for [bold]{escape(user.username)}[/]; "
        "it is unlocked and its sessions ended"
    )


def _password(username: str, password_file: Path | None) -> str:
    """The password, from the file or a hidden prompt, checked against the policy."""
    if password_file is None:
        err_console.print(f"A password for {escape(username)}: {passwords.POLICY}.")
        password: str = typer.prompt(
            "Password", hide_input=True, confirmation_prompt=True, err=True
        )
        where = "the password"
    else:
        where = "--password-file"
        try:
            text = (
                sys.stdin.readline()
                if str(password_file) == "-"
                else password_file.read_text(encoding="utf-8")
            )
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text"
            _fail(f"--password-file: {password_file} cannot be read: {reason}", 2)
        # The first line, without its line ending; other whitespace is part of the password.
        password = text.splitlines()[0] if text.splitlines() else ""
    try:
        passwords.check_policy(password, username)
    except passwords.PasswordPolicyError as error:
        _fail(f"{where}: {error}", 2)
    return password


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.add_typer(staff_app, name="staff")
