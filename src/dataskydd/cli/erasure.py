"""``dataskydd erase``, ``dataskydd erasure resume|show`` and ``dataskydd hold place|release``.

``erase`` finds the person, prints the plan (what goes, what stays, which rule keeps it and
until when) and, unless ``--dry-run``, records the operator as the decider and executes it:
batched per system, resumable with ``dataskydd erasure resume RUN``, verified by reading
every planned row back. Exit status: 0 done (or planned, with --dry-run); 1 the run failed
or did not verify; 2 a usage error; 3 a system could not be asked (nothing is erased).
The output names records by reference and counts, never by a personal data value.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table as RichTable
from sqlalchemy import Engine

from dataskydd.cli.common import PROGRAMME_OPTION_HELP, console, err_console, load_or_exit
from dataskydd.cli.rights import (
    DATAMAP_HELP,
    INCOMPLETE,
    Lang,
    _fail,
    _identities,
    _load_datamap,
    _operator,
    _write,
)
from dataskydd.identity.kinds import IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.retention import legal_holds
from dataskydd.rights.erasure import Action, ErasurePlan, Ground, GroundError
from dataskydd.rights.erasure_answer import letter
from dataskydd.rights.erasure_plan import ErasurePlanner
from dataskydd.rights.erasure_run import ErasureFailed, batches, execute, record
from dataskydd.rights.service import Estate, find_person, manual_tasks, open_estate
from dataskydd.store import migrate
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.tables import ErasureRunRecord

GROUNDS = ", ".join(g.value for g in Ground)

erasure_app = typer.Typer(
    help="Erasure runs: resume one that stopped, show one.", no_args_is_help=True
)
hold_app = typer.Typer(
    help="Legal holds: keep a person's data for a legal claim.", no_args_is_help=True
)


def erase_command(
    personnummer: str | None = typer.Option(None, "--personnummer", help="Personnummer."),
    samordningsnummer: str | None = typer.Option(
        None, "--samordningsnummer", help="Samordningsnummer."
    ),
    email: str | None = typer.Option(None, "--email", help="E-mail address."),
    phone: str | None = typer.Option(None, "--phone", help="Phone number."),
    customer_number: str | None = typer.Option(None, "--customer-number", help="Customer number."),
    ground: list[Ground] = typer.Option(
        ..., "--ground", help=f"The Art. 17(1) ground; repeatable. One of: {GROUNDS}."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
    datamap: Path | None = typer.Option(
        None, "--datamap", envvar="DATASKYDD_DATAMAP", help=DATAMAP_HELP
    ),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_OPTION_HELP),
    lang: Lang = typer.Option(Lang.SV, "--lang", help="Language of the answer to the person."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the answer (Markdown) here."),
    decided_by: str | None = typer.Option(
        None, "--decided-by", help="Who decided the erasure (default: your login name)."
    ),
    batch_rows: int = typer.Option(
        1000, "--batch-rows", min=1, max=100_000, help="Rows per transaction."
    ),
) -> None:
    """Erase a person's data where an Art. 17(1) ground applies; keep what the law requires."""
    identities = _identities(personnummer, samordningsnummer, email, phone, customer_number)
    loaded_programme = load_or_exit(programme)
    loaded = _load_datamap(datamap, loaded_programme)
    canonical = [(kind, normalise(kind, value)) for kind, value in identities]
    migrate.upgrade()
    engine = make_engine()
    try:
        with open_estate(loaded.datamap, loaded.directory) as estate:
            with err_console.status(f"Searching {len(loaded.datamap.systems)} systems …"):
                resolution = find_person(estate, identities)
            with session_scope(engine) as session:
                holds = legal_holds.active_holds(
                    session, _with_found(canonical, resolution.identities)
                )
            try:
                plan = ErasurePlanner(loaded_programme, estate).plan(
                    resolution, ground, legal_holds=holds
                )
            except GroundError as error:
                _fail(str(error), 2)
            _print_plan(plan)
            if not plan.complete:
                for system, reason in plan.failed_systems:
                    err_console.print(f"  [red]{escape(system)}[/]: {escape(reason)}")
                _fail(
                    "a system could not be asked: nothing is erased until every system answers",
                    INCOMPLETE,
                )
            if out is not None:
                _write(out, letter(plan, loaded_programme, loaded.datamap, lang.value))
            if dry_run:
                console.print("[yellow]dry run:[/] nothing was changed")
                return
            operator = decided_by or _operator()
            run_id = record(engine, [plan], loaded.datamap, operator, programme=loaded_programme)
            _print_effects(plan)
            for task in manual_tasks(
                loaded.datamap, engine, f"erasure-{run_id}", f"erasure run {run_id}"
            ):
                console.print(
                    f"  manual: task {task.id} for {escape(task.system_key)}, due {task.due_date}"
                )
            _execute(engine, estate, run_id, operator, batch_rows)
    finally:
        engine.dispose()
    if out is not None:
        console.print(f"answer to the person: {escape(str(out))}")


def resume_command(
    run_id: str = typer.Argument(..., help="The run's id, as `erase` printed it."),
    datamap: Path | None = typer.Option(
        None, "--datamap", envvar="DATASKYDD_DATAMAP", help=DATAMAP_HELP
    ),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_OPTION_HELP),
    batch_rows: int = typer.Option(
        1000, "--batch-rows", min=1, max=100_000, help="Rows per transaction."
    ),
) -> None:
    """Resume an erasure run that stopped: the batches done are skipped, the rest applied."""
    loaded = _load_datamap(datamap, load_or_exit(programme))
    migrate.upgrade()
    engine = make_engine()
    try:
        with open_estate(loaded.datamap, loaded.directory) as estate:
            _execute(engine, estate, run_id, _operator(), batch_rows)
    finally:
        engine.dispose()


def show_command(run_id: str = typer.Argument(..., help="The run's id.")) -> None:
    """A run's status, decider, grounds and counts."""
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine) as session:
            run = session.get(ErasureRunRecord, run_id)
            if run is None:
                _fail(f"no erasure run has the id {run_id}", 2)
            console.print(f"run {run.id}: [bold]{run.status}[/]")
            console.print(
                f"  grounds {run.ground}; decided by {escape(run.decided_by)} at {run.decided_at:%Y-%m-%d %H:%M} UTC"
            )
            console.print(
                f"  counts {run.summary.get('counts')}; persons {run.summary.get('persons')}"
            )
            if run.error:
                console.print(f"  [red]error:[/] {escape(run.error)}")
    finally:
        engine.dispose()


def hold_place_command(
    case: str = typer.Option(..., "--case", help="The claim's or the court's reference."),
    personnummer: str | None = typer.Option(None, "--personnummer", help="Personnummer."),
    samordningsnummer: str | None = typer.Option(
        None, "--samordningsnummer", help="Samordningsnummer."
    ),
    email: str | None = typer.Option(None, "--email", help="E-mail address."),
    phone: str | None = typer.Option(None, "--phone", help="Phone number."),
    customer_number: str | None = typer.Option(None, "--customer-number", help="Customer number."),
    system: list[str] | None = typer.Option(None, "--system", help="Only this system; repeatable."),
) -> None:
    """Place a legal hold: nothing of the person's (in these systems) is erased until released."""
    identities = _identities(personnummer, samordningsnummer, email, phone, customer_number)
    canonical = [(kind, normalise(kind, value)) for kind, value in identities]
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            try:
                hold_id = legal_holds.place(
                    session, canonical, case, actor=_operator(), systems=system or []
                )
            except ValueError as error:
                _fail(str(error), 2)
    finally:
        engine.dispose()
    console.print(f"[green]✓[/] legal hold {hold_id} placed")


def hold_release_command(
    hold_id: int = typer.Argument(..., help="The hold's id."),
    reason: str = typer.Option(..., "--reason", help="Why it is released."),
) -> None:
    """Release a legal hold, with the reason."""
    migrate.upgrade()
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            try:
                legal_holds.release(session, hold_id, reason, actor=_operator())
            except (legal_holds.HoldNotFound, legal_holds.HoldAlreadyReleased, ValueError) as error:
                _fail(str(error), 2)
    finally:
        engine.dispose()
    console.print(f"[green]✓[/] legal hold {hold_id} released")


def register(app: typer.Typer) -> None:
    app.command("erase")(erase_command)
    erasure_app.command("resume")(resume_command)
    erasure_app.command("show")(show_command)
    app.add_typer(erasure_app, name="erasure")
    hold_app.command("place")(hold_place_command)
    hold_app.command("release")(hold_release_command)
    app.add_typer(hold_app, name="hold")


# -- steps ------------------------------------------------------------------------------------


def _with_found(
    given: list[tuple[IdentityKind, str]], found: object
) -> list[tuple[IdentityKind, str]]:
    """The identities given and those the resolution found: a hold on any of them counts."""
    extra = [(i.kind, i.value) for i in found]  # type: ignore[attr-defined]
    return list(dict.fromkeys([*given, *extra]))


def _print_plan(plan: ErasurePlan) -> None:
    table = RichTable(title="Erasure plan", show_lines=False)
    for heading in ("record", "found", "action", "why"):
        table.add_column(heading)
    for decision in plan.decisions:
        if decision.holds:
            why = "; ".join(
                f"{h.key()} ({h.article})" + (f" until {h.until}" if h.until else "")
                for h in decision.holds
            )
        elif decision.still_processed_for:
            why = "still processed for " + ", ".join(decision.still_processed_for)
        else:
            why = decision.note or ", ".join(decision.values) or ""
        colour = {Action.DELETE: "red", Action.MASK: "yellow", Action.KEEP: "green"}.get(
            decision.action, "dim"
        )
        table.add_row(
            escape(decision.ref),
            str(decision.found),
            f"[{colour}]{decision.action}[/]",
            escape(why),
        )
    console.print(table)
    counts = plan.counts()
    console.print(
        f"{counts['delete']} to delete, {counts['mask']} to mask, {counts['keep']} kept, "
        f"{counts['unchanged']} unchanged"
    )


def _execute(engine: Engine, estate: Estate, run_id: str, operator: str, batch_rows: int) -> None:
    with session_scope(engine) as session:
        run = session.get(ErasureRunRecord, run_id)
        if run is None:
            _fail(f"no erasure run has the id {run_id}", 2)
        total = sum(len(list(batches(steps, batch_rows))) for steps in run.plan["systems"].values())
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(f"erasing (run {run_id})", total=total)
        try:
            result = execute(
                engine,
                estate,
                run_id,
                actor=operator,
                batch_rows=batch_rows,
                after_batch=lambda _s, _q, _r: progress.advance(task),
            )
        except ErasureFailed as error:
            _fail(f"run {run_id}: {error}", 1)
    if result.status != "verified":
        for problem in result.problems:
            err_console.print(f"  [red]{escape(problem)}[/]")
        _fail(f"run {run_id} did not verify", 1)
    console.print(
        f"[green]✓[/] run {run_id} verified: {result.rows_written} rows written in "
        f"{result.batches_run} batches ({result.batches_skipped} done before)"
    )


def _print_effects(plan: ErasurePlan) -> None:
    """What the decision left in force, recorded with it (see ``rights/erasure_effects.py``)."""
    if plan.kept_categories():
        console.print("  what is kept is restricted: only the rules that keep it may use it")
    if Ground.DIRECT_MARKETING_OBJECTION in plan.grounds:
        console.print(
            "  direct marketing: objection recorded; the person's identities are on the "
            "suppression list"
        )
