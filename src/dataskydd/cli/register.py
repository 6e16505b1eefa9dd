"""``dataskydd ropa`` and ``dataskydd programme diff|export``: the register and its exports."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape

from dataskydd.cli.common import PROGRAMME_OPTION_HELP, console, err_console, load_or_exit
from dataskydd.cli.programme import programme_app
from dataskydd.programme.diff import ProgrammeDiff, diff_programmes
from dataskydd.programme.dpv import export_dpv
from dataskydd.programme.register import UnknownController, build_register
from dataskydd.programme.register_formats import RegisterFormat, render_register


class Lang(StrEnum):
    SV = "sv"
    EN = "en"


class DiffFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class ExportFormat(StrEnum):
    DPV = "dpv"


def ropa(
    fmt: RegisterFormat = typer.Option(..., "--format", "-f", help="Output format."),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_OPTION_HELP),
    lang: Lang = typer.Option(Lang.SV, "--lang", help="Language of the register."),
    controller: str | None = typer.Option(
        None, "--controller", help="Only the activities of this controller (its key)."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write to this file (required for xlsx) instead of stdout."
    ),
) -> None:
    """The register of processing activities (GDPR Art. 30(1)), ready to print or hand over."""
    if fmt.binary and out is None:
        err_console.print(
            f"[bold red]error:[/] {fmt.value} is a binary format; write it to a file with "
            f"--out, e.g. --out register.{fmt.value}"
        )
        raise typer.Exit(2)
    loaded = load_or_exit(programme)
    try:
        register = build_register(loaded, lang.value, controller)
    except UnknownController as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    _emit(render_register(register, fmt), out, f"{len(register.rows)} processing activities")


def diff(
    old: Path = typer.Argument(..., help="The earlier programme (directory or YAML file)."),
    new: Path = typer.Argument(..., help="The later programme (directory or YAML file)."),
    fmt: DiffFormat = typer.Option(DiffFormat.TEXT, "--format", "-f", help="Output format."),
) -> None:
    """What changed between two programmes, and whether data subjects must be told.

    The exit status is 0 either way; the significance is said in words (and in the JSON).
    """
    result = diff_programmes(load_or_exit(old), load_or_exit(new))
    if fmt is DiffFormat.JSON:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_diff(result)


def export(
    path: Path | None = typer.Argument(None, help=PROGRAMME_OPTION_HELP),
    fmt: ExportFormat = typer.Option(ExportFormat.DPV, "--format", "-f", help="Export format."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file, not stdout."),
) -> None:
    """Export the programme: ``dpv`` is JSON-LD in the W3C Data Privacy Vocabulary."""
    loaded = load_or_exit(path)
    document = export_dpv(loaded)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    _emit(text, out, f"{len(loaded.activities)} processing activities as {fmt.value}")


def _emit(data: str | bytes, out: Path | None, what: str) -> None:
    if out is None:
        typer.echo(data if isinstance(data, str) else data.decode(), nl=False)
        return
    if isinstance(data, bytes):
        out.write_bytes(data)
    else:
        # newline="" keeps the CSV's \r\n line ends as the csv module wrote them.
        out.write_text(data, encoding="utf-8", newline="")
    err_console.print(f"[green]✓[/] wrote {what} to {escape(str(out))}")


_MARKS = {"added": "[green]+[/]", "removed": "[red]-[/]", "changed": "[yellow]~[/]"}


def _print_diff(result: ProgrammeDiff) -> None:
    console.print(
        f"[bold]Programme diff[/]: notice version {escape(result.old_version)} → "
        f"{escape(result.new_version)}"
    )
    if result.unchanged:
        console.print("  no changes")
    for section in result.sections:
        console.print(f"\n[bold]{section.section}[/]")
        for key in section.added:
            console.print(f"  {_MARKS['added']} {escape(key)}")
        for key in section.removed:
            console.print(f"  {_MARKS['removed']} {escape(key)}")
        for entry in section.changed:
            # A one-object section (notice, organisation) lists its fields directly.
            single = entry.key == section.section
            if not single:
                console.print(f"  {_MARKS['changed']} {escape(entry.key)}")
            for field in entry.fields:
                console.print(
                    f"{'  ' if single else '      '}{escape(field.field)}: "
                    f"[red]{escape(field.old)}[/] → "
                    f"[green]{escape(field.new)}[/]",
                    soft_wrap=True,
                )
    console.print()
    if result.significant:
        console.print("[bold]Significant change:[/] yes, data subjects must be told")
        for reason in result.reasons:
            console.print(f"  • {escape(reason.message)}", soft_wrap=True)
    else:
        console.print("[bold]Significant change:[/] no")
    style = "green" if result.flag_agrees else "bold red"
    console.print(f"[{style}]{escape(result.verdict)}[/]", soft_wrap=True)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.command("ropa")(ropa)
    programme_app.command("diff")(diff)
    programme_app.command("export")(export)
