"""``dataskydd requests …`` and ``dataskydd worker``: rights requests as cases, from a terminal.

Staff intake for letters, calls and e-mails, the steps of a case (verify, assess, approve,
deny, extend, withdraw), and the worker that executes approved requests. Every step records
the operator (``--by``, default the login name) as the person who took it. Output never shows
a personal value: requests are named by reference, people not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import typer
from rich.markup import escape
from rich.table import Table as RichTable
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.cases import lifecycle
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import CLOSED, CaseError, Channel, RequestKind
from dataskydd.cases.timeline import timeline
from dataskydd.cli.common import console, err_console
from dataskydd.cli.rights import _operator
from dataskydd.rights.deadlines import days_left
from dataskydd.store import migrate
from dataskydd.store.case_tables import RightsRequestRecord
from dataskydd.store.engine import make_engine, session_scope

requests_app = typer.Typer(
    help="Rights requests as cases: intake, steps, deadlines.", no_args_is_help=True
)
BY_HELP = "Who takes this step (recorded in the audit log) [default: your login name]."


def _run(step: Callable[[Session], str], *, write: bool = True) -> None:
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine, write=write) as session:
            message = step(session)
    except CaseError as error:
        err_console.print(f"[red]error:[/] {escape(str(error))}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(message)


def _id(session: Session, reference: str) -> str:
    found = session.scalars(
        select(RightsRequestRecord.id).where(
            RightsRequestRecord.reference == reference.strip().upper()
        )
    ).first()
    if found is None:
        raise CaseError(f"no request has the reference {reference!r}")
    return found


@requests_app.command("intake")
def intake_command(
    kind: RequestKind = typer.Option(..., "--kind", help="The right asked for."),
    identity: list[str] = typer.Option(
        ..., "--identity", metavar="KIND=VALUE", help="e.g. personnummer=780523-9824 (repeatable)."
    ),
    channel: Channel = typer.Option(Channel.LETTER, "--channel", help="How it came in."),
    details: str = typer.Option(
        "{}", "--details", help="JSON details (contact_email, grounds, …)."
    ),
    lang: str = typer.Option("sv", "--lang", help="The person's language: sv or en."),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Record a request that came by letter, phone or e-mail."""
    pairs = []
    for number, text in enumerate(identity, start=1):
        kind_text, sep, value = text.partition("=")
        if not sep:
            raise typer.BadParameter(f"entry {number}: write KIND=VALUE", param_hint="--identity")
        pairs.append((kind_text.strip(), value.strip()))
    try:
        parsed = json.loads(details)
    except json.JSONDecodeError as error:
        raise typer.BadParameter(
            f"not JSON: {error.msg} at column {error.colno}", param_hint="--details"
        ) from None
    if not isinstance(parsed, dict):
        raise typer.BadParameter("must be a JSON object", param_hint="--details")

    def step(session: Session) -> str:
        done = submit(
            session,
            kind=kind,
            identities=pairs,
            details=parsed,
            channel=channel,
            language=lang,
            received_by=by or _operator(),
        )
        note = " (duplicate of an open request)" if done.duplicate_of else ""
        return (
            f"[green]✓[/] {done.reference} received, due {done.due}{note}\n"
            f"  follow code for the person (shown once): {done.follow_token}"
        )

    _run(step)


@requests_app.command("list")
def list_command(
    everything: bool = typer.Option(False, "--all", help="Closed requests too."),
    assignee: str | None = typer.Option(None, "--assignee", help="Only this handler's."),
) -> None:
    """Open requests, the most urgent first, with the days left."""
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine) as session:
            query = select(RightsRequestRecord).order_by(RightsRequestRecord.due_date)
            if not everything:
                query = query.where(RightsRequestRecord.status.not_in([s.value for s in CLOSED]))
            if assignee:
                query = query.where(RightsRequestRecord.assignee == assignee)
            rows = session.scalars(query).all()
            table = RichTable(title=f"{len(rows)} request(s)")
            for heading in (
                "reference",
                "kind",
                "status",
                "received",
                "due",
                "days left",
                "assignee",
            ):
                table.add_column(heading)
            today = clock.today()
            for row in rows:
                due = lifecycle.due(row)
                left = days_left(due, today)
                style = "red" if left < 0 and row.status not in CLOSED else ""
                table.add_row(
                    row.reference,
                    row.kind,
                    row.status,
                    f"{row.received_at:%Y-%m-%d}",
                    str(due),
                    f"[{style}]{left}[/]" if style else str(left),
                    row.assignee or "",
                )
    finally:
        engine.dispose()
    console.print(table)


@requests_app.command("show")
def show_command(reference: str = typer.Argument(..., help="The request's reference.")) -> None:
    """One request and its timeline (no personal values)."""

    def step(session: Session) -> str:
        row = lifecycle.load(session, _id(session, reference))
        lines = [
            f"{row.reference}: {row.kind}, {row.status}, via {row.channel}, received "
            f"{row.received_at:%Y-%m-%d %H:%M} UTC, due {lifecycle.due(row)}",
        ]
        lines += [
            f"  {e.at:%Y-%m-%d %H:%M} {escape(e.event)} by {escape(e.actor)}"
            + (f": {escape(e.note)}" if e.note else "")
            for e in timeline(session, row.id)
        ]
        return "\n".join(lines)

    _run(step, write=False)


def _step(name: str, action: Callable[[Session, str, str], object], done: str) -> None:
    def command(
        reference: str = typer.Argument(..., help="The request's reference."),
        by: str | None = typer.Option(None, "--by", help=BY_HELP),
    ) -> None:
        def step(session: Session) -> str:
            action(session, _id(session, reference), by or _operator())
            return f"[green]✓[/] {reference.upper()} {done}"

        _run(step)

    command.__doc__ = f"Mark a request {done}."
    requests_app.command(name)(command)


_step("assess", lambda s, i, by: lifecycle.assess(s, i, by=by), "assessed")


@requests_app.command("approve")
def approve_command(
    reference: str = typer.Argument(..., help="The request's reference."),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Approve a request: a worker executes it and its answer is made ready."""
    approved: list[str] = []

    def step(session: Session) -> str:
        approved.append(
            lifecycle.approve(session, _id(session, reference), by=by or _operator()).id
        )
        return f"[green]✓[/] {reference.upper()} approved: a worker executes it"

    _run(step)
    from dataskydd.jobs.queue import Jobs

    # After the commit: a job never runs ahead of its approval (a lost one is reconciled).
    Jobs().enqueue(approved[0])


_step("withdraw", lambda s, i, by: lifecycle.withdraw(s, i, by=by), "withdrawn")


@requests_app.command("assign")
def assign_command(
    reference: str = typer.Argument(..., help="The request's reference."),
    to: str = typer.Option(..., "--to", help="The handler's username."),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Give a request to a handler (they see only the requests assigned to them)."""

    def step(session: Session) -> str:
        lifecycle.assign(session, _id(session, reference), to=to, by=by or _operator())
        return f"[green]✓[/] {reference.upper()} assigned to {escape(to)}"

    _run(step)


@requests_app.command("verify")
def verify_command(
    reference: str = typer.Argument(..., help="The request's reference."),
    note: str = typer.Option(..., "--note", help="How the identity was checked."),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Verify the identity by staff (ID shown, call-back to a known number, …)."""

    def step(session: Session) -> str:
        lifecycle.verify(
            session, _id(session, reference), method="staff", by=by or _operator(), note=note
        )
        return f"[green]✓[/] {reference.upper()} verified"

    _run(step)


@requests_app.command("deny")
def deny_command(
    reference: str = typer.Argument(..., help="The request's reference."),
    reason: str = typer.Option(
        ..., "--reason", help="Why; the person is told, with their right to complain to IMY."
    ),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Deny a request, with the reason the person is told."""

    def step(session: Session) -> str:
        lifecycle.deny(session, _id(session, reference), by=by or _operator(), reason=reason)
        return f"[green]✓[/] {reference.upper()} denied"

    _run(step)


@requests_app.command("extend")
def extend_command(
    reference: str = typer.Argument(..., help="The request's reference."),
    months: int = typer.Option(..., "--months", help="1 or 2 (Art. 12(3))."),
    reason: str = typer.Option(
        ..., "--reason", help="Why; the person is told within the first month."
    ),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Extend the deadline by one or two months."""

    def step(session: Session) -> str:
        row = lifecycle.extend(
            session, _id(session, reference), months=months, reason=reason, by=by or _operator()
        )
        return f"[green]✓[/] {reference.upper()} now due {row.extended_due_date}"

    _run(step)


def worker_command(
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="Threads that run jobs."),
) -> None:
    """Run approved requests from the job queue (DATASKYDD_JOBS_URL; Ctrl-C stops)."""
    from dataskydd.jobs.queue import Jobs

    migrate.upgrade()
    jobs = Jobs()
    console.print(f"worker {jobs.worker_id}: {workers} thread(s); reconciling every minute")
    jobs.reconcile()
    jobs.consumer(workers).run()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.add_typer(requests_app, name="requests")
    app.command("worker")(worker_command)
