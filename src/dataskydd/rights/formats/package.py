"""The access answer as one zip: a CSV per table, the JSON, the letter in HTML and PDF, a README.

CSV files are UTF-8 with a byte order mark, so Excel opens them with å, ä and ö intact.
A text that a spreadsheet would run as a formula (``=HYPERLINK(...)`` in a chat message
someone else wrote) gets a leading apostrophe in the CSV; the JSON keeps every value exact.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime

from dataskydd.clock import LOCAL_ZONE
from dataskydd.datamap.schema import DataMap
from dataskydd.programme.text import Language
from dataskydd.rights.access import AccessAnswer
from dataskydd.rights.formats.answer_json import to_json
from dataskydd.rights.formats.html import to_html
from dataskydd.rights.formats.pdf import to_pdf
from dataskydd.rights.formats.tables import DataTable, data_tables, text_value
from dataskydd.rights.letter_texts import FOUND_AS, README, say

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_OR_PHONE = re.compile(r"[+-]?[\d\s().,-]+")


def to_zip(answer: AccessAnswer, language: Language, *, datamap: DataMap | None = None) -> bytes:
    """Everything the person receives, in one zip file."""
    files: list[tuple[str, str | bytes]] = [
        ("README.txt", README.get(language)),
        ("letter.pdf", to_pdf(answer, language, datamap=datamap)),
        ("letter.html", to_html(answer, language, datamap=datamap)),
        ("answer.json", to_json(answer, language, datamap=datamap)),
    ]
    files += [
        (f"{t.system}/{t.table}.csv", table_csv(t, language))
        for t in data_tables(answer.released())
    ]
    return zip_files(files, answer.generated_at)


def zip_files(files: list[tuple[str, str | bytes]], made: datetime) -> bytes:
    """A zip of ``files``; every entry dated ``made``, so the same answer gives the same bytes."""
    stamp = made.astimezone(LOCAL_ZONE).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = content.encode("utf-8") if isinstance(content, str) else content
            archive.writestr(info, data)
    return buffer.getvalue()


def table_csv(table: DataTable, language: Language) -> str:
    """One table as CSV text (starting with a BOM), headed "Label (column)"."""
    out = io.StringIO()
    writer = csv.writer(out)
    headers = table.headers(language)
    if table.mixed:
        headers = [say("found_as", language), *headers]
    writer.writerow(headers)
    for item in table.items:
        row = [safe_cell(text_value(v, language)) for v in table.values(item)]
        if table.mixed:
            row = [FOUND_AS[item.found].get(language), *row]
        writer.writerow(row)
    return BOM + out.getvalue()


def safe_cell(text: str) -> str:
    """``text``, made inert if a spreadsheet would read it as a formula."""
    if text.startswith(_FORMULA_START) and not _NUMBER_OR_PHONE.fullmatch(text):
        return "'" + text
    return text
