"""The register laid out: a printable page, a spreadsheet, a CSV file, Markdown and JSON."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import load_workbook

from dataskydd import clock
from dataskydd.programme import Programme, load_programme
from dataskydd.programme.register import Register, build_register
from dataskydd.programme.register_formats import (
    RegisterFormat,
    printed_cells,
    render_csv,
    render_html,
    render_json,
    render_markdown,
    render_register,
    render_xlsx,
)


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory, synthetic: ModuleType) -> Programme:
    """A generated programme of 25 activities: subsidiaries, transfers, special data."""
    return load_programme(synthetic.write_programme(tmp_path_factory.mktemp("formats"), 25))


@pytest.fixture
def register(programme: Programme) -> Register:
    with clock.frozen_at("2025-06-30"):
        return build_register(programme, "sv")


class _Page(HTMLParser):
    """Collects what the tests look at: tags, attributes, the table's rows and cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.section: str | None = None
        self.head_cells: list[str] = []
        self.body_rows: list[list[str]] = []
        self.caption = ""
        self.style = ""
        self._in: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)
        if tag in ("thead", "tbody"):
            self.section = tag
        elif tag == "tr" and self.section == "tbody":
            self.body_rows.append([])
        elif tag in ("th", "td", "caption", "style"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()
        text = "".join(self._text).strip()
        if tag in ("th", "td") and self.section == "thead":
            self.head_cells.append(text)
        elif tag in ("th", "td") and self.section == "tbody":
            self.body_rows[-1].append(text)
        elif tag == "caption":
            self.caption = text
        elif tag == "style":
            self.style = text

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def test_html_has_one_table_row_per_activity(register: Register) -> None:
    page = _parse(render_html(register))
    assert len(page.body_rows) == len(register.rows) == 25
    assert all(len(cells) == len(register.columns) for cells in page.body_rows)
    assert page.head_cells == list(register.columns)
    assert page.body_rows[0][0].startswith("Behandling 0")


def test_html_is_a_complete_page_in_the_registers_language(
    register: Register, programme: Programme
) -> None:
    text = render_html(register)
    page = _parse(text)
    assert text.startswith("<!DOCTYPE html>")
    assert ("html", {"lang": "sv"}) in page.tags
    assert any(tag == "meta" and attrs.get("charset") == "utf-8" for tag, attrs in page.tags)
    assert page.caption == "Syntetiskt program 25: 25 behandlingar"
    assert "Dataskyddsombud" in text and "2025-06-30" in text
    english = _parse(render_html(build_register(programme, "en")))
    assert ("html", {"lang": "en"}) in english.tags


def test_html_prints_in_landscape_with_the_headings_on_every_page(register: Register) -> None:
    style = _parse(render_html(register)).style
    assert "size: A4 landscape" in style
    assert "thead { display: table-header-group; }" in style
    assert "break-inside: avoid" in style


def test_html_needs_nothing_from_outside(register: Register) -> None:
    page = _parse(render_html(register))
    assert not [tag for tag, _ in page.tags if tag in ("link", "script", "img", "iframe")]
    assert not [a for _, a in page.tags if any(v and "://" in v for v in a.values())]


def test_html_escapes_what_the_programme_says(programme: Programme) -> None:
    activity = programme.activities[0].model_copy(
        update={"name": programme.activities[0].name.model_copy(update={"sv": "<b>A & B</b>"})}
    )
    tampered = programme.model_copy(update={"activities": [activity]})
    text = render_html(build_register(tampered, "sv"))
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in text
    assert "<b>" not in text


def test_markdown_has_a_section_per_activity(register: Register) -> None:
    text = render_markdown(register)
    assert text.startswith("# Registerförteckning")
    assert text.count("\n## Behandling ") == 25
    assert "- **(f) Lagringstid:**" in text


def test_csv_has_one_row_per_activity_and_a_byte_order_mark(register: Register) -> None:
    text = render_csv(register)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 1 + 25
    assert rows[0][:3] == ["Nyckel", "Behandling", "Beskrivning"]
    assert rows[0][3] == "(a) Personuppgiftsansvarig och dataskyddsombud"
    assert {len(r) for r in rows} == {len(rows[0])}
    # Several values in one cell are joined with "; ".
    purposes = rows[1][rows[0].index("(b) Ändamål och rättslig grund")]
    assert purposes.count("; ") == len(register.rows[0].purposes) - 1


def test_csv_bytes_open_in_excel_with_swedish_characters(register: Register) -> None:
    encoded = render_csv(register).encode("utf-8")
    assert encoded.startswith(b"\xef\xbb\xbf")
    assert "Ändamål".encode() in encoded


def test_json_carries_the_structured_facts(register: Register) -> None:
    data = json.loads(render_json(register))
    assert data["language"] == "sv"
    assert data["header"]["generated"] == "2025-06-30"
    assert len(data["activities"]) == 25
    first = data["activities"][0]
    assert "cells" not in first
    assert first["purposes"][0]["legal_bases"][0]["article"].startswith("Art. 6(1)")
    assert {"key", "text", "minimum", "maximum", "trigger"} <= set(first["retention"][0])


def test_xlsx_has_a_bold_frozen_header_wrapped_text_and_an_info_sheet(
    register: Register, tmp_path: Path
) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(render_xlsx(register))
    workbook = load_workbook(path)
    sheet = workbook["Register"]
    assert sheet.max_row == 1 + 25
    assert sheet["A1"].value == "Nyckel" and sheet["B1"].value == "Behandling"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "C2"
    assert sheet["D2"].alignment.wrap_text
    assert sheet.column_dimensions["E"].width >= 30
    assert sheet["A2"].value == "activity-0"
    # Several values in one cell stand on lines of their own.
    assert "\n" in sheet["D2"].value and "dpo@example.se" in sheet["D2"].value
    info = workbook["Info"]
    rows = {r[0]: r[1] for r in info.iter_rows(min_row=3, values_only=True)}
    assert "dpo@example.se" in rows["Dataskyddsombud"]
    assert rows["Framtagen"] == "2025-06-30"


@pytest.mark.parametrize("fmt", list(RegisterFormat))
def test_every_format_renders_and_only_xlsx_is_binary(
    register: Register, fmt: RegisterFormat
) -> None:
    result = render_register(register, fmt)
    assert isinstance(result, bytes) == fmt.binary
    assert result


def test_what_many_rows_repeat_is_printed_once_above_the_table(register: Register) -> None:
    sets, cells = printed_cells(register)
    # Every generated activity has the same three measures: one set, used by all 25.
    assert [(s.name, len(s.measures), s.used_by) for s in sets] == [("1", 3, 25)]
    assert cells[0][-2] == ("Uppsättning 1 (3 åtgärder, se ovan)",)
    page = render_html(register)
    assert page.count('id="security-set-1"') == 1
    assert page.count("Teknisk: Åtgärd 0") == 1
    # The machine formats keep every measure on every row.
    assert render_csv(register).count("Teknisk: Åtgärd 0") == 25


def test_a_row_for_every_controller_says_so_in_one_line(register: Register) -> None:
    _, cells = printed_cells(register)
    # Activities belong to one company each in the generated programme: nothing to collapse.
    assert all(not c[1][0].startswith("Samtliga") for c in cells)
