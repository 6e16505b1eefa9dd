"""The right to data portability (Art. 20): what the person gave us, machine-readable.

Only the person's own rows, only the columns they provided, and only in tables whose
purposes rest on consent or on a contract with them; data processed for legal
obligations or legitimate interests is not portable (it is still in the access answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataskydd.datamap.schema import DataMap, Table
from dataskydd.programme.schema import Programme
from dataskydd.programme.vocab import LegalBasis
from dataskydd.rights.resolution import Found, Resolution

PORTABLE_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.EXPLICIT_CONSENT, LegalBasis.CONTRACT})


@dataclass
class PortableTable:
    system: str
    table: str
    columns: list[str]
    rows: list[dict[str, Any]]


def is_portable(table: Table, programme: Programme) -> bool:
    """Whether any of the table's purposes rests on consent or contract."""
    by_key = {p.key: p for p in programme.purposes}
    return any(set(by_key[p].legal_bases) & PORTABLE_BASES for p in table.purposes if p in by_key)


def portable_data(
    resolution: Resolution, datamap: DataMap, programme: Programme
) -> list[PortableTable]:
    """The person's portable data, one entry per table, in the data map's column order."""
    tables: list[PortableTable] = []
    for (system, name), rows in sorted(resolution.rows.items()):
        table = datamap.systems[system].table(name)
        columns = [c.name for c in table.columns if c.provided and c.subject]
        own = [r for r in rows.values() if r.found == Found.OWN]
        if not columns or not own or not is_portable(table, programme):
            continue
        tables.append(
            PortableTable(
                system, name, columns, [{c: r.values.get(c) for c in columns} for r in own]
            )
        )
    return tables
