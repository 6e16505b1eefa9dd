"""The portable data (Art. 20) as JSON, and as a zip of one CSV per table plus that JSON.

"Structured, commonly used and machine-readable": the JSON keeps each value's type
(dates in ISO 8601) and names each column as the system does; the CSV files are for
spreadsheets, so they start with a byte order mark like the access answer's.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from dataskydd import clock
from dataskydd.rights.formats.package import BOM, safe_cell, zip_files
from dataskydd.rights.formats.tables import json_value, text_value
from dataskydd.rights.portability import PortableTable

FORMAT = "dataskydd-portability/1"


def portability_document(tables: list[PortableTable]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "generated_at": clock.now().isoformat(),
        "tables": [
            {
                "system": t.system,
                "table": t.table,
                "columns": list(t.columns),
                "rows": [{c: json_value(row.get(c)) for c in t.columns} for row in t.rows],
            }
            for t in tables
        ],
    }


def portability_json(tables: list[PortableTable]) -> str:
    """The portable data as indented UTF-8 JSON text."""
    return json.dumps(portability_document(tables), ensure_ascii=False, indent=2) + "\n"


def portability_csv(table: PortableTable) -> str:
    """One table as CSV text (BOM first), headed by the column names."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        # Machine-readable: booleans stay true/false rather than a language's yes/no.
        writer.writerow(
            [
                str(v).lower() if isinstance(v, bool) else safe_cell(text_value(v, "en"))
                for v in (row.get(c) for c in table.columns)
            ]
        )
    return BOM + out.getvalue()


def portability_zip(tables: list[PortableTable]) -> bytes:
    """``portability.json`` and ``<system>/<table>.csv`` for each table, in one zip."""
    files: list[tuple[str, str | bytes]] = [("portability.json", portability_json(tables))]
    files += [(f"{t.system}/{t.table}.csv", portability_csv(t)) for t in tables]
    return zip_files(files, clock.now())
