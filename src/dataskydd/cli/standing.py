"""What stays in force for a person: restriction, objection, consent, the permission check.

``restrict`` / ``restriction lift|list``, ``object`` / ``objection override``, ``consent
give|withdraw``, ``marketing import`` and ``permission``. Each records the operator (the
login name, or ``--decided-by``) as the one who decided, in the audit log.

Where a data map is at hand (``--datamap``, ``DATASKYDD_DATAMAP`` or the demo's), the person
is first found in every system, so a restriction or an objection given by personnummer also
covers the e-mail address and phone number the systems hold for them (the purchased list
next year may carry only the e-mail). ``--no-resolve`` records exactly the identities given.

Exit status: 0 done (``permission``: allowed); 1 ``permission``: denied; 2 a usage error;
3 a system could not be asked while finding the person (nothing is recorded).
Output names people by reference and counts, never by a personal data value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table as RichTable
from sqlalchemy import Engine

from dataskydd import clock
from dataskydd.cli.common import PROGRAMME_OPTION_HELP, console, err_console, load_or_exit
from dataskydd.cli.rights import (
    DATAMAP_HELP,
    INCOMPLETE,
    Lang,
    _fail,
    _identities,
    _load_datamap,
    _operator,
)
from dataskydd.consent import records as consent_records
from dataskydd.consent.permissions import UnknownPurpose, checker_for
from dataskydd.consent.suppression import PurchasedListError, filter_purchased_list
from dataskydd.identity.kinds import IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.programme.schema import Programme
from dataskydd.rights import objection as objections
from dataskydd.rights import restriction as restrictions
from dataskydd.rights.service import find_person, open_estate
from dataskydd.rights.subjects import Canonical, find_subjects, hashes
from dataskydd.settings import get_settings
from dataskydd.store import migrate
from dataskydd.store.engine import make_engine, session_scope

Personnummer = Annotated[str | None, typer.Option("--personnummer", help="Personnummer.")]
Samordningsnummer = Annotated[
    str | None, typer.Option("--samordningsnummer", help="Samordningsnummer.")
]
Email = Annotated[str | None, typer.Option("--email", help="E-mail address.")]
Phone = Annotated[str | None, typer.Option("--phone", help="Phone number.")]
CustomerNumber = Annotated[str | None, typer.Option("--customer-number", help="Customer number.")]
DataMapDir = Annotated[
    Path | None, typer.Option("--datamap", envvar="DATASKYDD_DATAMAP", help=DATAMAP_HELP)
]
ProgrammePath = Annotated[Path | None, typer.Option("--programme", help=PROGRAMME_OPTION_HELP)]
Resolve = Annotated[
    bool,
    typer.Option(
        "--resolve/--no-resolve",
        help="Find the person in the data map's systems first, to cover every identity they hold.",
    ),
]
DecidedBy = Annotated[
    str | None, typer.Option("--decided-by", help="Who decided (default: your login name).")
]

restriction_app = typer.Typer(help="Restrictions (Art. 18): lift one, list a person's.")
objection_app = typer.Typer(help="Objections (Art. 21): override one with an assessment.")
consent_app = typer.Typer(help="Consent: record it given or withdrawn.", no_args_is_help=True)
marketing_app = typer.Typer(help="Marketing lists: filter purchased lists.", no_args_is_help=True)


# -- restriction ------------------------------------------------------------------------------


def restrict_command(
    reason: restrictions.RestrictionReason = typer.Option(
        ..., "--reason", help="Why processing is restricted (Art. 18(1))."
    ),
    category: list[str] | None = typer.Option(
        None, "--category", help="Only this category (e.g. contact); repeatable. Default: all."
    ),
    note: str | None = typer.Option(None, "--note", help="A note for the case file."),
    personnummer: Personnummer = None,
    samordningsnummer: Samordningsnummer = None,
    email: Email = None,
    phone: Phone = None,
    customer_number: CustomerNumber = None,
    datamap: DataMapDir = None,
    programme: ProgrammePath = None,
    resolve: Resolve = True,
    decided_by: DecidedBy = None,
) -> None:
    """Restrict processing of a person's data (or some categories of it), with the reason."""
    loaded = load_or_exit(programme)
    person = _person(
        (personnummer, samordningsnummer, email, phone, customer_number), loaded, datamap, resolve
    )
    engine = _store()
    with session_scope(engine, write=True) as session:
        try:
            placed = restrictions.restrict(
                session,
                person,
                reason,
                categories=category or (),
                note=note,
                actor=decided_by or _operator(),
                programme=loaded,
            )
        except restrictions.RestrictionError as error:
            _fail(str(error), 2)
    engine.dispose()
    scope = ", ".join(placed.categories) or "all of the person's data"
    console.print(f"[green]✓[/] restriction {placed.id} placed ({placed.reason}; {scope})")


def lift_command(
    restriction_id: int = typer.Argument(..., help="The restriction's id."),
    reason: str = typer.Option(..., "--reason", help="Why it no longer applies."),
    decided_by: DecidedBy = None,
) -> None:
    """Lift a restriction, with the reason; the person should be told before it is lifted."""
    engine = _store()
    with session_scope(engine, write=True) as session:
        try:
            restrictions.lift(session, restriction_id, reason, decided_by or _operator())
        except restrictions.RestrictionError as error:
            _fail(str(error), 2)
    engine.dispose()
    console.print(f"[green]✓[/] restriction {restriction_id} lifted")


def list_restrictions_command(
    personnummer: Personnummer = None,
    samordningsnummer: Samordningsnummer = None,
    email: Email = None,
    phone: Phone = None,
    customer_number: CustomerNumber = None,
) -> None:
    """The restrictions in force on a person."""
    given = _canonical(_identities(personnummer, samordningsnummer, email, phone, customer_number))
    engine = _store()
    with session_scope(engine) as session:
        refs = find_subjects(session, hashes(given))
        found = restrictions.active_restrictions(session, refs)
    engine.dispose()
    if not found:
        console.print("no restriction in force")
        return
    table = RichTable(title="Restrictions in force")
    for heading in ("id", "reason", "categories", "placed", "by"):
        table.add_column(heading)
    for item in found:
        table.add_row(
            str(item.id),
            str(item.reason),
            ", ".join(item.categories) or "all",
            f"{item.created_at.astimezone(clock.LOCAL_ZONE):%Y-%m-%d %H:%M}",
            escape(item.created_by),
        )
    console.print(table)


# -- objection --------------------------------------------------------------------------------


def object_command(
    purpose: str | None = typer.Option(
        None, "--purpose", help="The purpose objected to (a programme key)."
    ),
    direct_marketing: bool = typer.Option(
        False, "--direct-marketing", help="Object to every direct-marketing purpose (Art. 21(3))."
    ),
    note: str | None = typer.Option(None, "--note", help="A note for the case file."),
    personnummer: Personnummer = None,
    samordningsnummer: Samordningsnummer = None,
    email: Email = None,
    phone: Phone = None,
    customer_number: CustomerNumber = None,
    datamap: DataMapDir = None,
    programme: ProgrammePath = None,
    resolve: Resolve = True,
    decided_by: DecidedBy = None,
) -> None:
    """Record a person's objection (Art. 21): the purpose stops; direct marketing always does."""
    if (purpose is None) == (not direct_marketing):
        _fail("give either --purpose KEY or --direct-marketing", 2)
    loaded = load_or_exit(programme)
    person = _person(
        (personnummer, samordningsnummer, email, phone, customer_number), loaded, datamap, resolve
    )
    actor = decided_by or _operator()
    engine = _store()
    with session_scope(engine, write=True) as session:
        try:
            if purpose is None:
                result = objections.object_to_direct_marketing(
                    session, loaded, person, actor, note=note
                )
                keys = ", ".join(o.purpose for o in result.objections)
                message = (
                    f"objection to direct marketing recorded ({keys}); {result.suppressed} "
                    "identities added to the suppression list"
                )
            else:
                found = objections.object_to(
                    session, loaded, person, purpose, actor=actor, note=note
                )
                message = f"objection {found.id} to '{found.purpose}' recorded"
                if found.direct_marketing:
                    message += "; the person's identities are on the suppression list"
        except objections.ObjectionError as error:
            _fail(str(error), 2)
    engine.dispose()
    console.print(f"[green]✓[/] {message}")


def override_command(
    objection_id: int = typer.Argument(..., help="The objection's id."),
    assessment: str = typer.Option(
        ..., "--assessment", help="The compelling legitimate grounds that override it."
    ),
    decided_by: DecidedBy = None,
) -> None:
    """Record an assessment that compelling grounds override an objection (never for marketing)."""
    engine = _store()
    with session_scope(engine, write=True) as session:
        try:
            objections.override(session, objection_id, assessment, decided_by or _operator())
        except objections.ObjectionError as error:
            _fail(str(error), 2)
    engine.dispose()
    console.print(f"[green]✓[/] objection {objection_id} overridden by the recorded assessment")


# -- consent ----------------------------------------------------------------------------------


def consent_give_command(
    purpose: str = typer.Option(..., "--purpose", help="The consent-based purpose."),
    source: str = typer.Option(..., "--source", help="Where it was given: a form, a call, ..."),
    personnummer: Personnummer = None,
    samordningsnummer: Samordningsnummer = None,
    email: Email = None,
    phone: Phone = None,
    customer_number: CustomerNumber = None,
    programme: ProgrammePath = None,
    decided_by: DecidedBy = None,
) -> None:
    """Record a person's consent to a purpose that rests on consent."""
    loaded = load_or_exit(programme)
    given = _canonical(_identities(personnummer, samordningsnummer, email, phone, customer_number))
    engine = _store()
    with session_scope(engine, write=True) as session:
        try:
            consent = consent_records.give(
                session, given, purpose, source, decided_by or _operator(), programme=loaded
            )
        except consent_records.ConsentError as error:
            _fail(str(error), 2)
    engine.dispose()
    console.print(f"[green]✓[/] consent {consent.id} to '{purpose}' in force")


def consent_withdraw_command(
    purpose: str = typer.Option(..., "--purpose", help="The purpose."),
    personnummer: Personnummer = None,
    samordningsnummer: Samordningsnummer = None,
    email: Email = None,
    phone: Phone = None,
    customer_number: CustomerNumber = None,
    programme: ProgrammePath = None,
    decided_by: DecidedBy = None,
) -> None:
    """Withdraw a person's consent to a purpose (Art. 7(3)): as easy as giving it."""
    loaded = load_or_exit(programme)
    given = _canonical(_identities(personnummer, samordningsnummer, email, phone, customer_number))
    try:
        consent_records.check_purpose(loaded, purpose)
    except consent_records.ConsentError as error:
        _fail(str(error), 2)
    engine = _store()
    with session_scope(engine, write=True) as session:
        withdrawn = consent_records.withdraw(session, given, purpose, decided_by or _operator())
    engine.dispose()
    if withdrawn:
        console.print(f"[green]✓[/] {len(withdrawn)} consent(s) to '{purpose}' withdrawn")
    else:
        console.print(f"no consent to '{purpose}' was in force: nothing to withdraw")


# -- marketing --------------------------------------------------------------------------------


def marketing_import_command(
    purchased: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="The purchased list (CSV, UTF-8)."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write the rows that may be marketed to here [default: NAME.filtered.csv].",
    ),
) -> None:
    """Drop everyone on the suppression list (and rows that cannot be checked) from a purchased list."""
    target = out or purchased.with_name(f"{purchased.stem}.filtered.csv")
    if target.resolve() == purchased.resolve():
        _fail("--out must not be the purchased list itself", 2)
    engine = _store()
    try:
        with session_scope(engine) as session:
            report = filter_purchased_list(session, purchased, target)
    except PurchasedListError as error:
        _fail(f"{purchased}: {error}", 2)
    finally:
        engine.dispose()
    columns = ", ".join(f"{name} ({kind})" for name, kind in report.identity_columns.items())
    console.print(f"identity columns: {escape(columns)}")
    console.print(
        f"[green]✓[/] {report.read} rows read, {report.kept} kept, "
        f"[bold]{report.dropped_total} dropped[/]"
    )
    for reason, count in sorted(report.dropped_count.items()):
        lines = [str(d.line) for d in report.dropped if d.reason == reason][:10]
        more = " …" if count > len(lines) else ""
        console.print(f"  {count} {reason}: line {', '.join(lines)}{more}")
    if report.malformed_count:
        console.print(
            f"  {report.malformed_count} malformed identities left out of kept rows, e.g. "
            + "; ".join(
                f"line {m.line} {escape(m.column)}: {escape(m.reason)}"
                for m in report.malformed[:5]
            )
        )
    console.print(f"filtered list: {escape(str(target))}")


# -- the permission check ---------------------------------------------------------------------


def permission_command(
    purpose: str = typer.Option(..., "--purpose", help="The purpose about to process the person."),
    personnummer: Personnummer = None,
    samordningsnummer: Samordningsnummer = None,
    email: Email = None,
    phone: Phone = None,
    customer_number: CustomerNumber = None,
    programme: ProgrammePath = None,
    lang: Lang = typer.Option(Lang.EN, "--lang", help="Language of the reasons."),
) -> None:
    """May this purpose process this person now? Exit 0 allowed, 1 denied; every reason shown."""
    loaded = load_or_exit(programme)
    given = _canonical(_identities(personnummer, samordningsnummer, email, phone, customer_number))
    engine = _store()
    with session_scope(engine) as session:
        try:
            decision = checker_for(loaded).check(session, purpose, given)
        except UnknownPurpose as error:
            _fail(str(error), 2)
    engine.dispose()
    verdict = "[green]allowed[/]" if decision.allowed else "[red]denied[/]"
    console.print(f"{purpose}: {verdict}")
    for reason in decision.reasons:
        mark = "[red]✗[/]" if reason.denies else "·"
        console.print(f"  {mark} {escape(reason.text.get(lang.value))} [dim]\\[{reason.code}][/]")
    if not decision.allowed:
        raise typer.Exit(1)


# -- shared steps -----------------------------------------------------------------------------


def _canonical(identities: list[tuple[IdentityKind, str]]) -> list[Canonical]:
    return [(kind, normalise(kind, value)) for kind, value in identities]


def _store() -> Engine:
    migrate.upgrade()
    return make_engine()


def _person(
    options: tuple[str | None, ...], programme: Programme, datamap: Path | None, resolve: bool
) -> list[Canonical]:
    """The identities given, and (with a data map at hand) every one the systems hold for them."""
    given = _canonical(_identities(*options))
    if not resolve:
        return given
    if datamap is None and not (get_settings().data_dir / "datamap").is_dir():
        return given  # no estate to search: the identities given are all we know
    loaded = _load_datamap(datamap, programme)
    searching = f"Finding the person in {len(loaded.datamap.systems)} systems …"
    with open_estate(loaded.datamap, loaded.directory) as estate, err_console.status(searching):
        resolution = find_person(estate, given)
    if not resolution.complete:
        failed = ", ".join(o.system for o in resolution.failures)
        _fail(
            f"could not ask {failed}: nothing is recorded (or use --no-resolve to record only "
            "the identities given)",
            INCOMPLETE,
        )
    found = sorted((i.kind, i.value) for i in resolution.identities)
    return list(dict.fromkeys([*given, *found]))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.command("restrict")(restrict_command)
    restriction_app.command("lift")(lift_command)
    restriction_app.command("list")(list_restrictions_command)
    app.add_typer(restriction_app, name="restriction")
    app.command("object")(object_command)
    objection_app.command("override")(override_command)
    app.add_typer(objection_app, name="objection")
    consent_app.command("give")(consent_give_command)
    consent_app.command("withdraw")(consent_withdraw_command)
    app.add_typer(consent_app, name="consent")
    marketing_app.command("import")(marketing_import_command)
    app.add_typer(marketing_app, name="marketing")
    app.command("permission")(permission_command)
