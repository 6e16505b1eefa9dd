"""``dataskydd audit verify|head|list``: check the hash-chained audit log, anchor it, read it.

``verify`` walks the whole chain (streamed, with a progress bar for a large log) and names
the first entry that was edited, removed or moved. Removing the newest entries leaves a
chain that is whole, so ``head`` exports the head as JSON to be kept elsewhere (a notary,
WORM storage); ``verify --anchor FILE`` then checks the chain still reaches it. ``list``
prints entries; the log holds no personal data in clear, so that is safe.

Exit status: 0 done (the log is intact); 1 the log is broken, or empty for ``head``;
2 a usage error, an unreadable anchor or a store that cannot be read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dataskydd.audit import log as audit_log
from dataskydd.cli.common import console, err_console
from dataskydd.cli.store import _store_error
from dataskydd.store import migrate
from dataskydd.store.engine import display_url, make_engine, session_scope

# From this many entries on, verify shows a progress bar (a few seconds' work and more).
PROGRESS_FROM = 50_000

_T = TypeVar("_T")
_HASH = re.compile(r"[0-9a-f]{64}")

audit_app = typer.Typer(
    help="The audit log: verify its hash chain, export its head for anchoring, list entries.",
    no_args_is_help=True,
)


@audit_app.command("verify")
def verify_command(
    anchor: Path | None = typer.Option(
        None,
        "--anchor",
        help="A head written by 'dataskydd audit head --out': the chain must still reach it.",
    ),
) -> None:
    """Walk the whole chain: exit 0 when intact, 1 naming the first bad entry."""
    anchored = _read_anchor(anchor) if anchor is not None else None

    def check(session: Session) -> audit_log.Verification:
        top = audit_log.head(session)
        total = top.seq if top is not None else 0
        if total < PROGRESS_FROM:
            return audit_log.verify(session, anchored)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("verifying the audit log", total=total)
            return audit_log.verify(
                session, anchored, progress=lambda done: bar.update(task, completed=done)
            )

    result = _read(check)
    if not result.ok:
        err_console.print(
            f"[bold red]✗ the audit log is broken at entry {result.first_bad}:[/] "
            f"{escape(result.problem or '')}\n"
            f"  {result.entries} entries read; the last good hash is {result.head}"
        )
        raise typer.Exit(1)
    reaches = f"; it reaches the anchored head (entry {anchored[0]})" if anchored else ""
    console.print(f"[green]✓[/] the audit log is intact: {result.entries} entries checked{reaches}")
    console.print(f"head: {result.head}")


@audit_app.command("head")
def head_command(
    out: Path | None = typer.Option(
        None, "--out", help="Write the JSON to this file [default: print it]."
    ),
) -> None:
    """The head (seq, hash, time, entry count) as JSON, to anchor elsewhere."""

    def read(session: Session) -> tuple[audit_log.Head | None, int]:
        return audit_log.head(session), audit_log.count(session)

    top, total = _read(read)
    if top is None:
        _fail("the audit log is empty: there is no head to anchor yet", 1)
    document = {
        "seq": top.seq,
        "hash": top.hash,
        "at": top.at.isoformat(timespec="microseconds"),
        "entries": total,
    }
    text = json.dumps(document, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {out}: {error.strerror or error}", 2)
    console.print(f"[green]✓[/] wrote the head (entry {top.seq}) to {escape(str(out))}")


@audit_app.command("list")
def list_command(
    subject: str | None = typer.Option(None, "--subject", help="Only this person's subject ref."),
    action: str | None = typer.Option(
        None, "--action", help="Only actions starting with this (e.g. 'token.')."
    ),
    limit: int = typer.Option(100, "--limit", min=0, help="The newest N entries; 0 for all."),
) -> None:
    """Entries, newest last: seq, time, actor, action, subject ref, details (tab-separated)."""

    def read(session: Session) -> int:
        shown = 0
        # Printed as they stream in: 'list --limit 0' on a large log holds none of it.
        for entry in audit_log.entries(
            session, subject_ref=subject, action_prefix=action, last=limit or None
        ):
            typer.echo(_line(entry))
            shown += 1
        return shown

    shown = _read(read)
    if shown == 0:
        err_console.print("No audit entries match.")
    elif shown == limit:
        err_console.print(f"[dim](the newest {limit}; --limit 0 for all)[/]")


def _line(entry: audit_log.AuditEntry) -> str:
    texts = (entry.actor, entry.action, entry.subject_ref or "-")
    details = json.dumps(entry.details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # One entry per line, whatever an actor's name holds: a tab or newline would split it.
    fields = [str(entry.seq), entry.at.isoformat(timespec="seconds")]
    fields += [" ".join(text.split()) for text in texts]
    return "\t".join([*fields, details])


def _read_anchor(path: Path) -> tuple[int, str]:
    """The (seq, hash) of a head file written by ``audit head --out``."""
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        _fail(f"cannot read the anchor {path}: {error.strerror or error}", 2)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        _fail(f"the anchor {path} is not JSON: {error}", 2)
    seq = document.get("seq") if isinstance(document, dict) else None
    digest = document.get("hash") if isinstance(document, dict) else None
    # bool is an int to Python, but never a sequence number.
    if (
        type(seq) is not int
        or seq < 1
        or not isinstance(digest, str)
        or not _HASH.fullmatch(digest)
    ):
        _fail(
            f"the anchor {path} is not a head written by 'dataskydd audit head' "
            '(it needs "seq", a number from 1, and "hash", 64 hex digits)',
            2,
        )
    return seq, digest


def _read(action: Callable[[Session], _T]) -> _T:
    """Run ``action`` in a read-only unit of work on a migrated store, or exit 2."""
    try:
        # Checked, not migrated: an audit is read-only, and a store with no schema is more
        # likely the wrong database than an empty log that would verify as intact.
        if migrate.current() is None:
            _fail(f"the app store at {display_url()} has no audit log (it was never migrated)", 2)
        engine = make_engine()
        try:
            with session_scope(engine) as session:
                return action(session)
        finally:
            engine.dispose()
    except SQLAlchemyError as error:
        _store_error(error)


def _fail(message: str, status: int) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(status)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.add_typer(audit_app, name="audit")
