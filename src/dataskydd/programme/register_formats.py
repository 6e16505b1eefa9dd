"""The register of processing activities laid out as HTML, Markdown, CSV, JSON or XLSX.

Each renderer takes a built :class:`~dataskydd.programme.register.Register` and only lays
it out; nothing here looks into the programme again.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from html import escape
from typing import Any

from dataskydd.programme.register import COLUMNS, Register


class RegisterFormat(StrEnum):
    HTML = "html"
    MD = "md"
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"

    @property
    def binary(self) -> bool:
        return self is RegisterFormat.XLSX

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]


_MEDIA_TYPES = {
    RegisterFormat.HTML: "text/html; charset=utf-8",
    RegisterFormat.MD: "text/markdown; charset=utf-8",
    RegisterFormat.CSV: "text/csv; charset=utf-8",
    RegisterFormat.JSON: "application/json",
    RegisterFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render_register(register: Register, fmt: RegisterFormat | str) -> str | bytes:
    """The register in ``fmt``: text for every format but XLSX, which is bytes."""
    renderers: dict[RegisterFormat, Callable[[Register], str | bytes]] = {
        RegisterFormat.HTML: render_html,
        RegisterFormat.MD: render_markdown,
        RegisterFormat.CSV: render_csv,
        RegisterFormat.JSON: render_json,
        RegisterFormat.XLSX: render_xlsx,
    }
    return renderers[RegisterFormat(fmt)](register)


def header_items(register: Register) -> list[tuple[str, list[str]]]:
    """The header as (label, lines) pairs, shared by every format that has room for it."""
    head = register.header
    items = [
        (register.label("group"), [head.group_name]),
        (register.label("controllers"), [c.text for c in head.controllers]),
        (register.label("dpo"), list(head.dpo)),
        (register.label("programme"), [f"{head.programme_name} ({head.programme_key})"]),
        (
            register.label("notice"),
            [f"{head.notice_version}, {register.label('effective')} {head.notice_effective}"],
        ),
        (register.label("automated"), [head.automated_decisions]),
        (register.label("generated"), [head.generated.isoformat()]),
    ]
    if head.controller:
        items.append((register.label("only_controller"), [head.controller]))
    return items


# -- on paper ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecuritySet:
    """Measures that several activities share, described once (Art. 30(1)(g) allows that)."""

    name: str
    measures: tuple[str, ...]
    used_by: int


def printed_cells(
    register: Register,
) -> tuple[list[SecuritySet], list[tuple[tuple[str, ...], ...]]]:
    """Cells for reading, not for machines: what many rows repeat is said once, above them.

    A row that names every controller of the header says so in one line, and a list of
    security measures that two or more rows share becomes a reference to a set in the
    header. On the bundled programme this halves the printed pages.
    """
    column = {key: i for i, (key, _) in enumerate(COLUMNS)}
    controllers = {c.key for c in register.header.controllers}
    everyone = register.label("all_controllers").format(n=len(controllers))
    # The same measures in another order are the same set.
    counts = Counter(tuple(sorted(line.key for line in row.security)) for row in register.rows)
    shared = [keys for keys, n in counts.items() if n >= 2 and len(keys) >= 3]
    names = {keys: str(i) for i, keys in enumerate(shared, start=1)}
    texts: dict[tuple[str, ...], tuple[str, ...]] = {}
    out = []
    for row in register.rows:
        cells = list(row.cells)
        if len(controllers) > 1 and {c.key for c in row.controllers} == controllers:
            cells[column["controllers"]] = (everyone, row.dpo)
        keys = tuple(sorted(line.key for line in row.security))
        if keys in names:
            texts.setdefault(keys, tuple(line.text for line in row.security))
            reference = register.label("security_set_ref").format(name=names[keys], n=len(keys))
            cells[column["security"]] = (reference,)
        out.append(tuple(cells))
    sets = [SecuritySet(names[k], texts[k], counts[k]) for k in shared]
    return sets, out


# -- HTML ------------------------------------------------------------------------------------

# Printable on its own: landscape pages, the column headings repeated on every page, and
# rows kept whole where they fit. No external assets, so it can be archived or mailed.
_CSS = """
@page { size: A4 landscape; margin: 10mm; }
:root { color-scheme: light; }
body { font: 10pt/1.35 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #111; margin: 1.5rem; }
h1 { font-size: 1.35rem; margin: 0 0 .6rem; }
dl.register-info { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
                   margin: 0 0 1rem; }
dl.register-info dt { font-weight: 600; }
dl.register-info dd { margin: 0; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0 0 .4rem; }
th, td { border: 1px solid #8a8a8a; padding: .3rem .4rem; vertical-align: top; text-align: left;
         overflow-wrap: break-word; hyphens: auto; }
thead { display: table-header-group; }
thead th { background: #e6edf3; font-size: .85em; }
tbody th { font-weight: 600; }
tbody tr:nth-child(even) { background: #f7f7f7; }
tr { break-inside: avoid; page-break-inside: avoid; }
ul { margin: 0; padding-left: 1em; }
li + li { margin-top: .15rem; }
.description { display: block; font-weight: normal; margin-top: .2rem; }
h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
h3 { font-size: .95rem; margin: .4rem 0 .2rem; }
h3 small { font-weight: normal; }
.security-sets { margin: 0 0 1rem; }
.security-set ul { columns: 3 16rem; column-gap: 2rem; padding-left: 0; }
.security-set li { break-inside: avoid; margin-left: 1.1em; }  /* markers inside each column */
code { display: block; font-size: .8em; font-weight: normal; color: #555; margin-top: .2rem; }
@media print {
  body { margin: 0; font-size: 7.5pt; }
  .register-info, caption { break-after: avoid; page-break-after: avoid; }
  thead th, tbody tr:nth-child(even) {
    print-color-adjust: exact; -webkit-print-color-adjust: exact;
  }
}
"""


# Percent of the page per column: the long texts (purposes, retention) get the room;
# security is short once shared sets are printed above the table.
_WIDTHS = {
    "activity": 10,
    "controllers": 10,
    "purposes": 13,
    "data_subjects": 7,
    "categories": 10,
    "sources": 7,
    "recipients": 10,
    "transfers": 8,
    "retention": 13,
    "security": 7,
    "profiling": 5,
}


def render_html(register: Register) -> str:
    """A complete standalone page that prints as a landscape table."""
    head = register.header
    info = "".join(
        f"<dt>{escape(label)}</dt><dd>{'<br>'.join(escape(v) for v in values)}</dd>"
        for label, values in header_items(register)
    )
    count = f"{len(register.rows)} {register.label('activities')}"
    caption = f"{escape(head.programme_name)}: {escape(count)}"
    cols = "".join(f'<col style="width: {_WIDTHS[key]}%">' for key, _ in COLUMNS)
    headings = "".join(f'<th scope="col">{escape(h)}</th>' for h in register.columns)
    sets, cells = printed_cells(register)
    body = "\n".join(
        _html_row(row.key, row.name, row.description, row_cells)
        for row, row_cells in zip(register.rows, cells, strict=True)
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{register.language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="dataskydd">\n<title>{escape(head.title)}</title>\n'
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header>\n<h1>{escape(head.title)}</h1>\n<dl class="register-info">{info}</dl>\n'
        f"{_html_sets(register, sets)}</header>\n<main>\n<table>\n"
        f"<caption>{caption}</caption>\n<colgroup>{cols}</colgroup>\n"
        f"<thead><tr>{headings}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</main>\n"
        "</body>\n</html>\n"
    )


def _html_sets(register: Register, sets: list[SecuritySet]) -> str:
    if not sets:
        return ""
    parts = [f'<section class="security-sets">\n<h2>{escape(register.label("security_sets"))}</h2>']
    for item in sets:
        title = register.label("security_set").format(name=item.name)
        used = register.label("used_by").format(n=item.used_by)
        measures = "".join(f"<li>{escape(m)}</li>" for m in item.measures)
        parts.append(
            f'<div class="security-set" id="security-set-{item.name}"><h3>{escape(title)} '
            f"<small>({escape(used)})</small></h3><ul>{measures}</ul></div>"
        )
    return "\n".join(parts) + "\n</section>\n"


def _html_row(
    key: str, name: str, description: str | None, cells: tuple[tuple[str, ...], ...]
) -> str:
    about = f'<span class="description">{escape(description)}</span>' if description else ""
    first = f'<th scope="row">{escape(name)}{about}<code>{escape(key)}</code></th>'
    rest = "".join(
        "<td>"
        + (
            escape(lines[0])
            if len(lines) == 1
            else "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
        )
        + "</td>"
        for lines in cells[1:]
    )
    return f'<tr id="activity-{escape(key)}">{first}{rest}</tr>'


# -- Markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#"})


def _md(text: str) -> str:
    return text.translate(_MD_SPECIAL)


def render_markdown(register: Register) -> str:
    """One section per activity: eleven columns do not fit a Markdown table that people read."""
    out = [f"# {_md(register.header.title)}", ""]
    for label, values in header_items(register):
        out.append(f"- **{_md(label)}:** {_md('; '.join(values))}")
    sets, cells = printed_cells(register)
    if sets:
        out += ["", f"## {_md(register.label('security_sets'))}"]
    for item in sets:
        title = register.label("security_set").format(name=item.name)
        used = register.label("used_by").format(n=item.used_by)
        out += ["", f"### {_md(title)} ({_md(used)})", ""]
        out += [f"- {_md(m)}" for m in item.measures]
    for row, row_cells in zip(register.rows, cells, strict=True):
        out += ["", f"## {_md(row.name)} (`{row.key}`)", ""]
        if row.description:
            out += [_md(row.description), ""]
        for heading, lines in zip(register.columns[1:], row_cells[1:], strict=True):
            if len(lines) == 1:
                out.append(f"- **{_md(heading)}:** {_md(lines[0])}")
            else:
                out.append(f"- **{_md(heading)}:**")
                out += [f"  - {_md(line)}" for line in lines]
    return "\n".join(out) + "\n"


# -- CSV and XLSX ------------------------------------------------------------------------------


def table(register: Register, separator: str = "; ") -> tuple[list[str], list[list[str]]]:
    """Headings and one row of text per activity: key, name, description, then (a) to (g)."""
    headings = [
        register.label("key"),
        register.columns[0],
        register.label("description"),
        *register.columns[1:],
    ]
    rows = [
        [row.key, row.name, row.description or "", *(separator.join(c) for c in row.cells[1:])]
        for row in register.rows
    ]
    return headings, rows


def render_csv(register: Register) -> str:
    """One row per activity; starts with a byte order mark so Excel reads the å, ä and ö."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    headings, rows = table(register)
    writer.writerow(headings)
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def render_xlsx(register: Register) -> bytes:
    """A workbook: the register (bold frozen headings, wrapped text) and a sheet about it."""
    # openpyxl is slow to import and only this format needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    headings, rows = table(register, separator="\n")
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E6EDF3")
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = wrap
    widths = [24, 28, 40, 40, 45, 24, 40, 24, 40, 40, 55, 40, 10]
    for index, width in enumerate(widths[: len(headings)], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"  # headings and the activity's key and name stay in view
    sheet.auto_filter.ref = sheet.dimensions
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"

    info = workbook.create_sheet("Info")
    info.append([register.header.title])
    info["A1"].font = Font(bold=True, size=13)
    info.append([])
    for label, values in header_items(register):
        info.append([label, "\n".join(values)])
    for line in info.iter_rows(min_row=3):
        line[0].font = bold
        for cell in line:
            cell.alignment = wrap
    info.column_dimensions["A"].width = 30
    info.column_dimensions["B"].width = 90

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- JSON ----------------------------------------------------------------------------------------


def register_data(register: Register) -> dict[str, Any]:
    """The register as JSON-ready data: the structured facts, without the laid-out cells."""
    activities = []
    for row in register.rows:
        data = asdict(row)
        del data["cells"]
        activities.append(data)
    return {
        "language": register.language,
        "header": asdict(register.header),
        "columns": list(register.columns),
        "activities": activities,
    }


def render_json(register: Register) -> str:
    data = register_data(register)
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n"


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
