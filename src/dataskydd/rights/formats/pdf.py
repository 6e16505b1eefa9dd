"""The access letter as PDF, with fpdf2 (pure Python: no system libraries to install).

The core Helvetica font needs no embedding and covers å ä ö é; its PDF encoding is
WinAnsi, so text is encoded as Windows-1252 (Latin-1 plus dashes, bullets, curly quotes
and the euro sign) and anything beyond that is replaced by its nearest plain letter. Tables wrap their cells and repeat
their headings on each page; a table too wide for a page is printed one record at a time.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, XPos, YPos

from dataskydd.datamap.schema import DataMap
from dataskydd.programme.text import Language
from dataskydd.rights.access import AccessAnswer
from dataskydd.rights.formats.letter import (
    Block,
    Bullets,
    Grid,
    Heading,
    Letter,
    Paragraph,
    compose_letter,
)
from dataskydd.rights.letter_texts import say

ENCODING = "windows-1252"  # what WinAnsiEncoding, the core fonts' encoding, really is
MAX_GRID_COLUMNS = 5  # wider tables are printed one record at a time
LONG_CELL = 300  # a cell longer than this also makes a table print one record at a time
CHUNK = 1200  # a value longer than this continues on further rows, so no row outgrows a page
TABLE_FONT_SIZE = 8.5
CELL_PADDING = 1.0
MAX_WORD = 45.0  # mm; a longer word (a URL) may break inside the word
MAX_COLUMN = 70.0  # mm a column asks for before sharing the rest of the page

_HEADING_SIZES = {2: 13.0, 3: 11.0, 4: 10.0}
_PLAIN = {
    "\u2192": "->",
    "\u2190": "<-",
    "\u2265": ">=",
    "\u2264": "<=",
    "\u2212": "-",
    "\u2011": "-",
    "\u2010": "-",
    "\u202f": " ",
    "\u2009": " ",
    "\u200b": "",
}


def to_pdf(answer: AccessAnswer, language: Language, *, datamap: DataMap | None = None) -> bytes:
    """The letter to the person as PDF in ``language``."""
    return render_letter_pdf(compose_letter(answer, language, datamap), answer.generated_at)


def pdf_text(text: str) -> str:
    """``text`` with every character the core font cannot show replaced by a close one."""
    out: list[str] = []
    for char in text:
        char = _PLAIN.get(char, char)
        try:
            char.encode(ENCODING)
        except UnicodeEncodeError:
            # "ł" has no decomposition, "ş" decomposes to "s" and a cedilla: keep what fits.
            decomposed = unicodedata.normalize("NFKD", char)
            kept = "".join(c for c in decomposed if _encodable(c))
            char = kept or "?"
        out.append(char)
    return "".join(out)


def _encodable(char: str) -> bool:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return not unicodedata.combining(char)


class _LetterPDF(FPDF):
    def __init__(self, language: Language) -> None:
        super().__init__(format="A4")
        self.language = language
        self.core_fonts_encoding = ENCODING

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90)
        # "{nb}" is replaced by the page count when the document is closed.
        text = say("page", self.language, page=self.page_no(), pages="{nb}")
        self.cell(0, 6, pdf_text(text), align="C")
        self.set_text_color(0)


def render_letter_pdf(letter: Letter, created: datetime) -> bytes:
    pdf = _LetterPDF(letter.language)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(pdf_text(letter.title))
    pdf.set_lang(letter.language)
    pdf.set_creator("dataskydd")
    pdf.set_creation_date(created)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, pdf_text(letter.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 7, pdf_text(f"{say('date', letter.language)}: {letter.date}"))
    pdf.ln(10)
    for block in letter.blocks:
        _block(pdf, block, letter.language)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, pdf_text(letter.colophon), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _block(pdf: FPDF, block: Block, language: Language) -> None:
    if isinstance(block, Heading):
        _heading(pdf, block)
    elif isinstance(block, Paragraph):
        pdf.set_font("Helvetica", size=10)
        if block.notice:
            pdf.set_fill_color(255, 240, 222)
        pdf.multi_cell(
            0, 5, pdf_text(block.text), fill=block.notice, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(2)
    elif isinstance(block, Bullets):
        pdf.set_font("Helvetica", size=10)
        for item in block.items:
            pdf.cell(5, 5, "\u2022")
            pdf.multi_cell(0, 5, pdf_text(item), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    else:
        widths = _column_widths(pdf, block)
        if widths is None:
            _records(pdf, block, language)
        else:
            _grid(pdf, block, widths)


def _heading(pdf: FPDF, heading: Heading) -> None:
    # Keep a heading with what follows it: start a new page rather than end one with it.
    if pdf.will_page_break(25):
        pdf.add_page()
    pdf.ln(3 if heading.level > 2 else 5)
    pdf.set_font("Helvetica", "B", _HEADING_SIZES.get(heading.level, 10.0))
    pdf.multi_cell(0, 6, pdf_text(heading.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _column_widths(pdf: FPDF, grid: Grid) -> list[float] | None:
    """Widths that fit the page with every word of the table whole, or None if none do."""
    if len(grid.headers) > MAX_GRID_COLUMNS or any(
        len(cell) > LONG_CELL for row in grid.rows for cell in row
    ):
        return None
    pad = 2 * CELL_PADDING + 1
    columns = [[h, *(row[i] for row in grid.rows)] for i, h in enumerate(grid.headers)]
    pdf.set_font("Helvetica", "B", TABLE_FONT_SIZE)  # headings are bold: measure them so
    least = [
        min(MAX_WORD, max(pdf.get_string_width(pdf_text(w)) for t in c for w in t.split() or [""]))
        + pad
        for c in columns
    ]
    wanted = [
        max(low, min(MAX_COLUMN, max(pdf.get_string_width(pdf_text(t)) for t in c) + pad))
        for low, c in zip(least, columns, strict=True)
    ]
    room = pdf.epw
    if sum(least) > room:
        return None
    if sum(wanted) <= room:
        return [w * room / sum(wanted) for w in wanted]
    # Every column gets its longest word; the rest of the room goes where text is longest.
    spare = room - sum(least)
    extra = [w - low for w, low in zip(wanted, least, strict=True)]
    return [low + spare * e / sum(extra) for low, e in zip(least, extra, strict=True)]


def _grid(pdf: FPDF, grid: Grid, widths: list[float]) -> None:
    pdf.set_font("Helvetica", size=TABLE_FONT_SIZE)
    with pdf.table(
        col_widths=tuple(widths),
        width=pdf.epw,
        text_align="LEFT",
        line_height=4.5,
        padding=CELL_PADDING,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        cell_fill_mode=TableCellFillMode.NONE,
    ) as table:
        table.row([pdf_text(h) for h in grid.headers])
        for row in grid.rows:
            table.row([pdf_text(cell) for cell in row])
    pdf.ln(3)


def _records(pdf: FPDF, grid: Grid, language: Language) -> None:
    """A wide table as one small two-column table per record: label, then value."""
    bold = FontFace(emphasis="BOLD")
    pdf.set_font("Helvetica", size=TABLE_FONT_SIZE)
    for number, row in enumerate(grid.rows, start=1):
        with pdf.table(
            col_widths=(35, 65),
            text_align="LEFT",
            line_height=4.5,
            padding=CELL_PADDING,
            first_row_as_headings=True,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        ) as table:
            table.row([pdf_text(f"{say('record', language)} {number}"), ""])
            for header, cell in zip(grid.headers, row, strict=True):
                if not cell:
                    continue
                chunks = [cell[i : i + CHUNK] for i in range(0, len(cell), CHUNK)]
                for index, chunk in enumerate(chunks):
                    line = table.row()
                    line.cell(pdf_text(header) if index == 0 else "", style=bold)
                    line.cell(pdf_text(chunk))
        pdf.ln(2)
