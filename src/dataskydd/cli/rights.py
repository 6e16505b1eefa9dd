"""``dataskydd access`` and ``dataskydd portability``: a person's data, found and written out.

Exit status: 0 done; 1 the programme or data map is invalid, or the transfer failed;
2 a usage error (a malformed identity names its option); 3 the answer is incomplete
because a system could not be asked (the file is still written, and says so).
The summary shows counts and refs only, never a personal data value.
"""

from __future__ import annotations

import getpass
import uuid
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import typer
from rich.markup import escape

from dataskydd import clock
from dataskydd.cli.common import PROGRAMME_OPTION_HELP, console, err_console, load_or_exit
from dataskydd.datamap.loader import LoadedDataMap, read_datamap
from dataskydd.datamap.schema import SystemKind
from dataskydd.identity.given import redacted_reason
from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.programme import ProgrammeInvalid
from dataskydd.programme.schema import Programme
from dataskydd.programme.text import Language
from dataskydd.rights.access import AccessAnswer, WithholdReason, build_answer
from dataskydd.rights.answer_formats import to_html, to_json, to_pdf, to_zip
from dataskydd.rights.portability import portable_data
from dataskydd.rights.portability_formats import portability_json, portability_zip
from dataskydd.rights.resolution import Found, Resolution
from dataskydd.rights.service import find_person, open_estate
from dataskydd.rights.transfer import TransferError, https_host, send_to_controller
from dataskydd.settings import get_settings

DATAMAP_HELP = (
    "Data map directory, one YAML file per system (env DATASKYDD_DATAMAP; default: "
    "<data dir>/datamap when it exists, as `dataskydd demo` writes it)."
)
INCOMPLETE = 3
REASONS = ", ".join(r.value for r in WithholdReason)


class Lang(StrEnum):
    SV = "sv"
    EN = "en"


class AnswerFormat(StrEnum):
    ZIP = "zip"
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


class PortableFormat(StrEnum):
    ZIP = "zip"
    JSON = "json"


@dataclass(frozen=True)
class Withhold:
    ref: str
    reason: WithholdReason
    note: str


# -- the commands -----------------------------------------------------------------------------


def access_command(
    personnummer: str | None = typer.Option(None, "--personnummer", help="Personnummer."),
    samordningsnummer: str | None = typer.Option(
        None, "--samordningsnummer", help="Samordningsnummer."
    ),
    email: str | None = typer.Option(None, "--email", help="E-mail address."),
    phone: str | None = typer.Option(None, "--phone", help="Phone number."),
    customer_number: str | None = typer.Option(None, "--customer-number", help="Customer number."),
    datamap: Path | None = typer.Option(
        None, "--datamap", envvar="DATASKYDD_DATAMAP", help=DATAMAP_HELP
    ),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_OPTION_HELP),
    lang: Lang = typer.Option(Lang.SV, "--lang", help="Language of the answer."),
    fmt: AnswerFormat = typer.Option(AnswerFormat.ZIP, "--format", "-f", help="Output format."),
    out: Path = typer.Option(..., "--out", "-o", help="Write the answer to this file."),
    withhold: list[str] | None = typer.Option(
        None,
        "--withhold",
        metavar="REF=REASON:NOTE",
        help=f"Keep an item out of the answer; REASON is one of {REASONS}. "
        "Repeatable; recorded with your login name.",
    ),
    staff_record: Path | None = typer.Option(
        None,
        "--staff-record",
        help="Also write the staff's JSON: how each item was found, withholdings with "
        "reason, note, operator and time (never withheld values).",
    ),
) -> None:
    """Answer a right-of-access request (Art. 15): find the person everywhere, write the answer."""
    identities = _identities(personnummer, samordningsnummer, email, phone, customer_number)
    withholdings = [_withhold(text) for text in withhold or []]
    loaded_programme = load_or_exit(programme)
    loaded = _load_datamap(datamap, loaded_programme)
    resolution = _resolve(loaded, identities)
    answer = build_answer(resolution, loaded.datamap, loaded_programme)
    operator = _operator()
    for item in withholdings:
        try:
            answer.withhold(item.ref, item.reason, item.note, by=operator)
        except KeyError:
            refs = ", ".join(i.ref for i in answer.items[:20])
            more = f" and {len(answer.items) - 20} more" if len(answer.items) > 20 else ""
            _fail(f"--withhold: no item {item.ref!r} in this answer; its items: {refs}{more}", 2)
    language: Language = lang.value
    data: str | bytes
    if fmt is AnswerFormat.ZIP:
        data = to_zip(answer, language, datamap=loaded.datamap)
    elif fmt is AnswerFormat.PDF:
        data = to_pdf(answer, language, datamap=loaded.datamap)
    elif fmt is AnswerFormat.HTML:
        data = to_html(answer, language, datamap=loaded.datamap)
    else:
        data = to_json(answer, language, datamap=loaded.datamap)
    _write(out, data)
    if staff_record is not None:
        _write(staff_record, to_json(answer, language, staff=True, datamap=loaded.datamap))
    _access_summary(answer, resolution, out)
    _manual_tasks(loaded, out)
    _exit_if_incomplete(resolution, "the answer")


def portability_command(
    personnummer: str | None = typer.Option(None, "--personnummer", help="Personnummer."),
    samordningsnummer: str | None = typer.Option(
        None, "--samordningsnummer", help="Samordningsnummer."
    ),
    email: str | None = typer.Option(None, "--email", help="E-mail address."),
    phone: str | None = typer.Option(None, "--phone", help="Phone number."),
    customer_number: str | None = typer.Option(None, "--customer-number", help="Customer number."),
    datamap: Path | None = typer.Option(
        None, "--datamap", envvar="DATASKYDD_DATAMAP", help=DATAMAP_HELP
    ),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_OPTION_HELP),
    fmt: PortableFormat = typer.Option(PortableFormat.ZIP, "--format", "-f", help="Output format."),
    out: Path = typer.Option(..., "--out", "-o", help="Write the export to this file."),
    send_to: str | None = typer.Option(
        None, "--send-to", help="Also send the export to this controller (https:// only)."
    ),
    ca_file: Path | None = typer.Option(
        None, "--ca-file", help="CA bundle the receiver's certificate must chain to."
    ),
) -> None:
    """Export what the person gave us on consent or contract (Art. 20), and optionally send it."""
    identities = _identities(personnummer, samordningsnummer, email, phone, customer_number)
    if send_to is not None:
        try:
            https_host(send_to)
        except TransferError as error:
            _fail(f"--send-to: {error}", 2)
    loaded_programme = load_or_exit(programme)
    loaded = _load_datamap(datamap, loaded_programme)
    resolution = _resolve(loaded, identities)
    tables = portable_data(resolution, loaded.datamap, loaded_programme)
    if fmt is PortableFormat.ZIP:
        data: str | bytes = portability_zip(tables)
        content_type = "application/zip"
    else:
        data = portability_json(tables)
        content_type = "application/json"
    _write(out, data)
    rows = sum(len(t.rows) for t in tables)
    console.print(f"[green]✓[/] wrote {len(tables)} tables, {rows} rows to {escape(str(out))}")
    for table in tables:
        console.print(f"  {table.system}/{table.table}: {len(table.rows)} rows")
    if send_to is not None and resolution.complete:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        _send(payload, send_to, content_type, ca_file)
    elif send_to is not None:
        err_console.print("[bold red]not sent:[/] an incomplete export is not sent to anyone")
    _exit_if_incomplete(resolution, "the export")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.command("access")(access_command)
    app.command("portability")(portability_command)


# -- steps ------------------------------------------------------------------------------------


def _identities(
    personnummer: str | None,
    samordningsnummer: str | None,
    email: str | None,
    phone: str | None,
    customer_number: str | None,
) -> list[tuple[IdentityKind, str]]:
    """The identities given, each validated; a malformed one exits 2 naming its option."""
    given = [
        ("--personnummer", IdentityKind.PERSONNUMMER, personnummer),
        ("--samordningsnummer", IdentityKind.SAMORDNINGSNUMMER, samordningsnummer),
        ("--email", IdentityKind.EMAIL, email),
        ("--phone", IdentityKind.PHONE, phone),
        ("--customer-number", IdentityKind.CUSTOMER_NUMBER, customer_number),
    ]
    identities = []
    for option, kind, value in given:
        if value is None:
            continue
        try:
            normalise(kind, value)
        except IdentityError as error:
            _fail(f"{option}: {redacted_reason(error)}", 2)
        identities.append((kind, value))
    if not identities:
        _fail("give at least one identity: " + ", ".join(option for option, _, _ in given), 2)
    return identities


def _withhold(text: str) -> Withhold:
    ref, equals, rest = text.partition("=")
    reason, colon, note = rest.partition(":")
    if not equals or not colon or not ref.strip() or not note.strip():
        _fail(
            f"--withhold {text!r}: write REF=REASON:NOTE, e.g. core/loans/L-1=trade_secret:why", 2
        )
    try:
        return Withhold(ref.strip(), WithholdReason(reason.strip()), note.strip())
    except ValueError:
        _fail(f"--withhold: '{reason}' is not a reason; use one of {REASONS}", 2)


def _load_datamap(directory: Path | None, programme: Programme) -> LoadedDataMap:
    if directory is None:
        demo = get_settings().data_dir / "datamap"
        if not demo.is_dir():
            _fail("give the data map directory with --datamap, or set DATASKYDD_DATAMAP", 2)
        directory = demo
    try:
        return read_datamap(directory, programme)
    except ProgrammeInvalid as invalid:
        count = len(invalid.errors)
        err_console.print(f"[bold red]{count} error{'s' if count != 1 else ''} in the data map:[/]")
        for error in invalid.errors:
            where = f"{error.file}:{error.line}" if error.line else error.file
            err_console.print(
                f"  [bold]{escape(where)}[/]: {escape(error.message)} [dim]\\[{error.rule}][/]"
            )
        raise typer.Exit(1) from None
    except FileNotFoundError as error:
        _fail(str(error), 1)


def _resolve(loaded: LoadedDataMap, identities: list[tuple[IdentityKind, str]]) -> Resolution:
    systems = len(loaded.datamap.systems)
    with (
        open_estate(loaded.datamap, loaded.directory) as estate,
        err_console.status(f"Searching {systems} systems …"),
    ):
        return find_person(estate, identities)


def _operator() -> str:
    """Who applied the withholdings: the login name, as the record of the decision."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment (a bare container)
        return "unknown"


def _send(payload: bytes, url: str, content_type: str, ca_file: Path | None) -> None:
    try:
        receipt = send_to_controller(
            payload, url, content_type=content_type, verify=str(ca_file) if ca_file else True
        )
    except TransferError as error:
        _fail(f"not sent: {error}", 1)
    console.print(
        f"[green]✓[/] sent {receipt.size} bytes to {escape(receipt.host)}: answered "
        f"{receipt.status_code}; sha256 {receipt.sha256}"
    )


# -- output -----------------------------------------------------------------------------------


def _write(path: Path, data: str | bytes) -> None:
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {path}: {error.strerror}", 1)


def _access_summary(answer: AccessAnswer, resolution: Resolution, out: Path) -> None:
    statuses = Counter(o.status for o in resolution.outcomes.values())
    kinds = Counter(i.found for i in answer.items)
    console.print(f"[green]✓[/] wrote the answer to {escape(str(out))}")
    console.print(
        f"  systems: {statuses['answered']} answered, {statuses['failed']} failed, "
        f"{statuses['manual']} manual"
    )
    console.print(
        f"  items: {kinds[Found.OWN]} own, {kinds[Found.MENTION]} mention, "
        f"{kinds[Found.CONTEXT]} context; {len(answer.withholdings)} withheld"
    )
    for ref, held in answer.withholdings.items():
        console.print(f"    withheld {escape(ref)} ({held.reason.value}) by {escape(held.by)}")
    review = [i for i in answer.released() if i.needs_review]
    if review:
        console.print(f"  [yellow]needs review before sending:[/] {len(review)}")
        for item in review:
            why = item.found.value if item.found != Found.OWN else "internal assessment"
            console.print(f"    {escape(item.ref)} ({why})")


def _manual_tasks(loaded: LoadedDataMap, out: Path) -> None:
    """Tasks in the app store for the systems checked by hand, named without personal data."""
    if not any(s.system.kind == SystemKind.MANUAL for s in loaded.datamap.systems.values()):
        return
    from dataskydd.rights.service import manual_tasks
    from dataskydd.store import migrate
    from dataskydd.store.engine import make_engine

    # The random part is led by a letter: a hex fragment that starts with four digits would
    # otherwise follow the time's six and read as a personnummer, which tasks refuse.
    request_ref = f"access-{clock.now().strftime('%Y%m%dT%H%M%S')}-r{uuid.uuid4().hex[:8]}"
    migrate.upgrade()
    engine = make_engine()
    try:
        tasks = manual_tasks(loaded.datamap, engine, request_ref, f"answer file {out.name}")
    finally:
        engine.dispose()
    for task in tasks:
        console.print(
            f"  manual: task {task.id} for {escape(task.system_key)} ({escape(task.assignee)}), "
            f"due {task.due_date}, request {request_ref}"
        )


def _exit_if_incomplete(resolution: Resolution, what: str) -> None:
    if resolution.complete:
        return
    err_console.print(f"[bold red]incomplete:[/] {what} lacks systems that could not be asked:")
    for outcome in resolution.failures:
        err_console.print(f"  {escape(outcome.system)}: {escape(outcome.error or 'failed')}")
    raise typer.Exit(INCOMPLETE)


def _fail(message: str, status: int) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(status)
