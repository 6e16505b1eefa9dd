"""The access answer (Art. 15) as files: JSON, CSV in a zip, a letter in HTML and in PDF.

Given a programme (``load_programme(dir)`` or ``load_template()``) and a data map
(``load_datamap(dir, programme)``), three lines give the zip a person receives::

    from dataskydd.identity.kinds import IdentityKind
    from dataskydd.rights.answer_formats import to_zip
    from dataskydd.rights.service import access, open_estate

    with open_estate(datamap) as estate:
        answer = access(programme, estate, [(IdentityKind.PERSONNUMMER, "19780412-2385")])
    Path("svar.zip").write_bytes(to_zip(answer, "sv", datamap=datamap))

``to_pdf``, ``to_html`` and ``to_json`` take the same arguments. Staff may first withhold
items: ``answer.withhold(ref, WithholdReason.OTHER_PERSON, "why", by="login")``.

Every format holds the released items only (``answer.released()``); a withheld item's
values are in no file, and of it the person is told only that something was withheld and
why in general terms (Art. 15(4)). ``to_json(answer, lang, staff=True)`` is the staff's
record: it adds each withholding's ref, reason, note, operator and time, still no values.

``datamap`` is optional everywhere: with it the files name the systems that failed or are
checked by hand as people know them and give the date each manual check is due.
"""

from __future__ import annotations

from dataskydd.rights.formats.answer_json import answer_document, to_json
from dataskydd.rights.formats.html import to_html
from dataskydd.rights.formats.letter import Letter, compose_letter
from dataskydd.rights.formats.package import table_csv, to_zip
from dataskydd.rights.formats.pdf import to_pdf

__all__ = [
    "Letter",
    "answer_document",
    "compose_letter",
    "table_csv",
    "to_html",
    "to_json",
    "to_pdf",
    "to_zip",
]
