"""``dataskydd rectify``: correct one category of a person's data everywhere it is held (Art. 16).

The command finds the person, prints the plan (per system, table and column: how many
records change, are already right, are skipped or become a task for a person) and, unless
``--dry-run``, applies it: one transaction per system, every record read back, each system
and column audited with the old and new values as keyed hashes. Free text that mentions
the old value, identifiers that link records, manual systems and systems that refuse the
write become manual tasks. Exit status: 0 done (or planned, with --dry-run); 1 a system
failed or did not verify, or the new value is already someone else's; 2 a usage error
(a malformed identity, an unknown category, an invalid value: each names its option);
3 a system could not be asked (nothing is changed). Output never shows a personal value.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from dataskydd.cli.common import PROGRAMME_OPTION_HELP, console, err_console, load_or_exit
from dataskydd.cli.rights import (
    DATAMAP_HELP,
    INCOMPLETE,
    _fail,
    _identities,
    _load_datamap,
    _operator,
)
from dataskydd.rights.rectification import (
    RectificationError,
    RectificationPlan,
    RectificationPlanner,
    Step,
    TaskReason,
)
from dataskydd.rights.rectification_run import (
    RectificationRefused,
    RectificationResult,
    apply,
    store_conflict,
)
from dataskydd.rights.resolution import Found
from dataskydd.rights.service import find_person, open_estate
from dataskydd.store import migrate
from dataskydd.store.engine import make_engine, session_scope

# How each field of the request is called on the command line, for error messages.
OPTIONS = {"category": "--category", "value": "--value", "column": "--column", "old": "--old"}
REASONS = {
    TaskReason.MANUAL_SYSTEM: "a manual system: a person corrects it there",
    TaskReason.FREE_TEXT: "free text mentions the old value: read and correct by hand",
    TaskReason.IDENTIFIER: "links records: changed by hand once checked",
    TaskReason.ASSESSMENT: "an internal assessment: a person decides",
    TaskReason.WRITE_REFUSED: "the system refused the change",
}


def rectify_command(
    personnummer: str | None = typer.Option(None, "--personnummer", help="Personnummer."),
    samordningsnummer: str | None = typer.Option(
        None, "--samordningsnummer", help="Samordningsnummer."
    ),
    email: str | None = typer.Option(None, "--email", help="E-mail address (to find the person)."),
    phone: str | None = typer.Option(None, "--phone", help="Phone number (to find the person)."),
    customer_number: str | None = typer.Option(None, "--customer-number", help="Customer number."),
    category: str = typer.Option(
        ..., "--category", help="The data-map category to correct, e.g. contact.email."
    ),
    value: str = typer.Option(..., "--value", help="The correct value."),
    column: list[str] | None = typer.Option(
        None,
        "--column",
        help="Only columns of this name (for a category held in several columns of one "
        "table, e.g. street of contact.postal_address); repeatable.",
    ),
    old: str | None = typer.Option(
        None, "--old", help="Only where the value held now is this one (default: every value)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
    allow_shared: bool = typer.Option(
        False,
        "--allow-shared",
        help="Apply even though someone else's records hold the new value (checked with the "
        "person, e.g. a shared family address).",
    ),
    datamap: Path | None = typer.Option(
        None, "--datamap", envvar="DATASKYDD_DATAMAP", help=DATAMAP_HELP
    ),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_OPTION_HELP),
    decided_by: str | None = typer.Option(
        None, "--decided-by", help="Who decided the correction (default: your login name)."
    ),
) -> None:
    """Correct a person's data (Art. 16): one category, every system that holds it."""
    identities = _identities(personnummer, samordningsnummer, email, phone, customer_number)
    loaded_programme = load_or_exit(programme)
    loaded = _load_datamap(datamap, loaded_programme)
    migrate.upgrade()
    engine = make_engine()
    try:
        with open_estate(loaded.datamap, loaded.directory) as estate:
            planner = RectificationPlanner(loaded_programme, estate)
            try:
                target = planner.target(category, value, columns=column or (), only_where=old)
            except RectificationError as error:
                _fail(f"{OPTIONS.get(error.field, error.field)}: {error.reason}", 2)
            with err_console.status(f"Searching {len(loaded.datamap.systems)} systems …"):
                resolution = find_person(estate, identities)
                plan = planner.plan(resolution, target)
            if plan.complete and not resolution.found(Found.OWN):
                console.print(
                    "[yellow]nobody was found with these identities:[/] nothing to correct"
                )
                return
            _print_plan(plan)
            if not plan.complete:
                for system, reason in plan.failed_systems:
                    err_console.print(f"  [red]{escape(system)}[/]: {escape(reason)}")
                _fail(
                    "a system could not be asked: nothing is corrected until every system answers",
                    INCOMPLETE,
                )
            with session_scope(engine) as session:
                shared_in_store = store_conflict(session, plan)
            _print_conflicts(plan, shared_in_store)
            if dry_run:
                console.print("[yellow]dry run:[/] nothing was changed")
                return
            if (plan.conflicts or shared_in_store) and not allow_shared:
                _fail(
                    "the new value is already someone else's: check with the person, then run "
                    "again with --allow-shared if it is right",
                    1,
                )
            try:
                result = apply(
                    engine,
                    estate,
                    plan,
                    decided_by=decided_by or _operator(),
                    allow_shared=allow_shared,
                )
            except RectificationRefused as error:
                _fail(str(error), 1)
    finally:
        engine.dispose()
    _print_result(plan, result)
    if not result.ok:
        _fail(f"rectification {result.rectification_id} did not complete", 1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.command("rectify")(rectify_command)


# -- output -----------------------------------------------------------------------------------


def _print_plan(plan: RectificationPlan) -> None:
    table = RichTable(title=f"Rectification plan: {plan.category}")
    for heading in ("system", "table", "column", *(str(s) for s in Step)):
        table.add_column(
            heading, justify="right" if heading in set(Step) else "left", overflow="fold"
        )
    for system, table_name, column, counts in plan.summary():
        table.add_row(
            escape(system),
            escape(table_name),
            escape(column),
            *(str(counts[str(s)]) if counts[str(s)] else "[dim]0[/]" for s in Step),
        )
    console.print(table)
    counts = plan.counts()
    distinct = plan.distinct_old_values()
    console.print(
        f"{counts['update']} to update, {counts['unchanged']} already right, "
        f"{counts['skipped']} skipped, {counts['task']} for a person"
        + (f"; the updates replace {distinct} different values" if distinct > 1 else "")
    )
    for item in plan.by_step(Step.SKIPPED):
        console.print(f"  skipped {escape(item.ref)} {escape(item.column or '')}: {item.why}")
    for item in plan.by_step(Step.TASK):
        where = f"{item.ref} {item.column}" if item.column else item.ref
        reason = REASONS[item.reason] if item.reason else ""
        console.print(f"  task {escape(where)}: {escape(reason)}")


def _print_conflicts(plan: RectificationPlan, in_store: bool) -> None:
    for conflict in plan.conflicts:
        err_console.print(f"  [yellow]already someone else's:[/] {escape(conflict)}")
    if in_store:
        err_console.print(
            "  [yellow]already someone else's:[/] the app store links the new value to "
            "another person"
        )


def _print_result(plan: RectificationPlan, result: RectificationResult) -> None:
    for outcome in result.systems.values():
        if outcome.status == "written":
            console.print(
                f"[green]✓[/] {escape(outcome.system)}: {outcome.rows} record(s) corrected "
                "and read back"
            )
        elif outcome.status == "refused":
            console.print(
                f"[yellow]![/] {escape(outcome.system)}: refused the change "
                f"({escape(outcome.problem or '')}); it is a task for a person"
            )
        else:
            err_console.print(
                f"[red]✗[/] {escape(outcome.system)}: {escape(outcome.problem or 'failed')}"
            )
    for task in result.tasks:
        console.print(
            f"  manual: task {task.id} for {escape(task.system_key)} ({escape(task.assignee)}), "
            f"due {task.due_date}, {task.status}"
        )
    if result.identity_linked:
        console.print(
            f"  the new {plan.target.kind} is linked to the person: later checks find them by it"
        )
    if result.suppressed:
        console.print(
            "  direct marketing: the person has objected, so the new value is suppressed too"
        )
    for restriction in result.restrictions:
        console.print(
            f"  restriction {restriction} (accuracy contested) is still in force: lift it with "
            f"`dataskydd restriction lift {restriction} --reason …` once the person is told"
        )
    console.print(
        f"rectification {result.rectification_id}: {result.rows_written} record(s) written, "
        f"{len(result.tasks)} task(s)"
    )
