"""The direct-marketing suppression list, and filtering a purchased contact list through it.

Whoever objects to direct marketing (Art. 21(3)) is suppressed by the keyed hash of each of
their identities: the list names nobody, yet a purchased list bought next year still loses
them, because each of its rows is hashed the same way and looked up.

Filtering streams the CSV in batches (one lookup per batch), so a list of a million rows
takes the memory of one batch. The report gives line numbers, columns and reasons, never a
value from the list.

Rows, decided one by one:

- a row with any suppressed identity is dropped;
- a malformed identity (an e-mail without a domain, a personnummer with a wrong check
  digit) is reported; its row is kept only if another identity on it is valid and not
  suppressed, and then the malformed cell is written out *empty*: we could not check that
  value against the list, so we do not hand it to marketing either;
- a row with no valid identity at all is dropped: there is nothing to check it by;
- a row the CSV reader cannot parse is dropped and reported; the filter goes on.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataskydd.audit import log as audit_log
from dataskydd.identity.given import redacted_reason
from dataskydd.identity.keyed import family, identity_hash
from dataskydd.identity.kinds import IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.store.instant import transaction_instant
from dataskydd.store.tables import SuppressionRecord

BATCH_ROWS = 500
DETAIL_LIMIT = 10_000  # line numbers kept in a report; the counts are always exact
# Rows per INSERT of new suppressions: four values each, well under every bind limit.
INSERT_ROWS = 1_000

# Header names, compared lower-cased with spaces and underscores as hyphens.
COLUMN_NAMES: dict[IdentityKind, frozenset[str]] = {
    IdentityKind.EMAIL: frozenset(
        {
            "email",
            "e-mail",
            "e-post",
            "epost",
            "mail",
            "e-postadress",
            "epostadress",
            "email-address",
            "e-mail-address",
        }
    ),
    IdentityKind.PHONE: frozenset(
        {
            "phone",
            "telefon",
            "mobil",
            "mobile",
            "telefonnummer",
            "mobilnummer",
            "phone-number",
            "mobile-phone",
            "mobiltelefon",
            "tel",
            "tfn",
        }
    ),
    IdentityKind.PERSONNUMMER: frozenset(
        {"personnummer", "personnr", "pnr", "personal-identity-number"}
    ),
}


class PurchasedListError(ValueError):
    """A list that cannot be filtered at all (no identity column, not a CSV, not UTF-8)."""


def suppress(
    session: Session | Connection,
    identity_hashes: Mapping[str, IdentityKind],
    *,
    reason: str,
    actor: str,
    subject_ref: str | None = None,
) -> int:
    """Add these hashes to the list (those already on it stay as they were); returns how many were new."""
    if not identity_hashes:
        return 0
    already = suppressed_among(session, identity_hashes)
    new = {d: k for d, k in identity_hashes.items() if d not in already}
    if not new:
        return 0
    now = transaction_instant(session)
    rows = [
        {"identity_hash": digest, "kind": str(family(kind)), "added_at": now, "reason": reason}
        for digest, kind in new.items()
    ]
    bind = session.get_bind() if isinstance(session, Session) else session
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    added = 0
    for start in range(0, len(rows), INSERT_ROWS):
        # ON CONFLICT DO NOTHING: two objections at once for one address both succeed. What
        # is counted as new is what this statement inserted (RETURNING), not what was missing
        # when we looked: the other transaction may have added it since.
        statement = (
            insert(SuppressionRecord)
            .values(rows[start : start + INSERT_ROWS])
            .on_conflict_do_nothing(index_elements=["identity_hash"])
            .returning(SuppressionRecord.identity_hash)
        )
        added += len(session.execute(statement).all())
    if added and isinstance(session, Session):
        audit_log.append(
            session,
            actor,
            "suppression.added",
            {"identities": added, "reason": reason},
            subject_ref=subject_ref,
        )
    return added


def is_suppressed(session: Session | Connection, identity_hashes: Iterable[str]) -> bool:
    """Whether any of these identities is on the list."""
    return bool(suppressed_among(session, identity_hashes))


def suppressed_among(session: Session | Connection, identity_hashes: Iterable[str]) -> set[str]:
    """The hashes among these that are on the list."""
    wanted = list(dict.fromkeys(identity_hashes))
    if not wanted:
        return set()
    return set(
        session.execute(
            select(SuppressionRecord.identity_hash).where(
                SuppressionRecord.identity_hash.in_(wanted)
            )
        ).scalars()
    )


# -- filtering a purchased list ------------------------------------------------------------


class DropReason(StrEnum):
    SUPPRESSED = "suppressed"  # an identity on the row is on the suppression list
    NO_VALID_IDENTITY = "no_valid_identity"  # nothing on the row to check it by
    UNREADABLE = "unreadable"  # the CSV reader could not parse the row


@dataclass(frozen=True, slots=True)
class DroppedRow:
    line: int
    reason: DropReason


@dataclass(frozen=True, slots=True)
class MalformedCell:
    line: int
    column: str  # the header as written
    reason: str  # why the value is not a valid identity; it never quotes the value


@dataclass
class ImportReport:
    """What filtering did; line numbers count from 1 (the header) and no value is kept."""

    identity_columns: dict[str, IdentityKind]  # header as written -> kind
    read: int = 0
    kept: int = 0
    dropped_count: dict[DropReason, int] = field(default_factory=dict)
    dropped: list[DroppedRow] = field(default_factory=list)  # at most DETAIL_LIMIT
    malformed_count: int = 0
    malformed: list[MalformedCell] = field(default_factory=list)  # at most DETAIL_LIMIT

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped_count.values())

    @property
    def truncated(self) -> bool:
        """Whether there were more dropped rows or malformed cells than the report lists."""
        return len(self.dropped) < self.dropped_total or len(self.malformed) < self.malformed_count

    def _drop(self, line: int, reason: DropReason) -> None:
        self.dropped_count[reason] = self.dropped_count.get(reason, 0) + 1
        if len(self.dropped) < DETAIL_LIMIT:
            self.dropped.append(DroppedRow(line, reason))

    def _malformed(self, line: int, column: str, reason: str) -> None:
        self.malformed_count += 1
        if len(self.malformed) < DETAIL_LIMIT:
            self.malformed.append(MalformedCell(line, column, reason))


@dataclass(slots=True)
class _Pending:
    line: int
    row: list[str]
    hashes: list[str]


def filter_purchased_list(
    session: Session | Connection,
    csv_path: Path,
    out_path: Path,
    *,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    """Write the rows of ``csv_path`` that may be marketed to into ``out_path`` (same header).

    The output is written next to ``out_path`` and moved into place at the end, so a failed
    run never leaves a half-filtered list that looks whole.
    """
    partial = out_path.with_name(out_path.name + ".part")
    try:
        with (
            csv_path.open(newline="", encoding="utf-8-sig") as source,
            partial.open("w", newline="", encoding="utf-8") as target,
        ):
            report = _filter(session, source, target, batch_rows)
        os.replace(partial, out_path)
    except UnicodeDecodeError as error:
        raise PurchasedListError(
            f"{csv_path.name} is not UTF-8 text (byte {error.start} of a read); "
            "save the list as UTF-8 CSV"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return report


def recognise_columns(header: list[str]) -> dict[int, IdentityKind]:
    """The identity columns of a header, by position."""
    found: dict[int, IdentityKind] = {}
    for index, name in enumerate(header):
        key = re.sub(r"[\s_]+", "-", name.strip().lower())
        for kind, names in COLUMN_NAMES.items():
            if key in names:
                found[index] = kind
    return found


def _filter(
    session: Session | Connection, source: TextIO, target: TextIO, batch_rows: int
) -> ImportReport:
    first = source.readline()
    if not first.strip():
        raise PurchasedListError("the list is empty: it needs a header row naming its columns")
    dialect = _dialect(first)
    header = next(csv.reader([first], dialect))
    columns = recognise_columns(header)
    if not columns:
        expected = ", ".join(sorted(n for names in COLUMN_NAMES.values() for n in names))
        raise PurchasedListError(
            "no identity column in the header; name at least one column by one of: " + expected
        )
    report = ImportReport({header[i]: kind for i, kind in columns.items()})
    writer = csv.writer(target, dialect)
    writer.writerow(header)
    write = writer.writerow
    pending: list[_Pending] = []
    for line, row in _rows(source, dialect, report):
        if not any(cell.strip() for cell in row):
            continue  # a blank line is no contact
        report.read += 1
        if len(row) > len(header):
            # More cells than the header names: a delimiter the reader did not see as quoted
            # has shifted them, so no column can be trusted to hold what its header says.
            report._drop(line, DropReason.UNREADABLE)
            continue
        digests: list[str] = []
        for index, kind in columns.items():
            text = row[index].strip() if index < len(row) else ""
            if not text:
                continue
            try:
                digests.append(identity_hash(kind, normalise(kind, text)))
            except IdentityError as error:
                report._malformed(line, header[index], redacted_reason(error))
                row[index] = ""  # unchecked, so not passed on (see the module docstring)
        if not digests:
            report._drop(line, DropReason.NO_VALID_IDENTITY)
            continue
        pending.append(_Pending(line, row, digests))
        if len(pending) >= batch_rows:
            _flush(session, pending, write, report)
    _flush(session, pending, write, report)
    return report


def _rows(
    source: TextIO, dialect: type[csv.Dialect], report: ImportReport
) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on; an unparseable row is reported and skipped."""
    reader = csv.reader(source, dialect)
    offset = 1  # the header was read before the reader started
    failures = 0
    while True:
        start = reader.line_num + offset + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            failures += 1
            report.read += 1
            report._drop(start, DropReason.UNREADABLE)
            if failures > DETAIL_LIMIT:
                raise PurchasedListError(
                    f"more than {DETAIL_LIMIT} rows cannot be read as CSV; is this a CSV file?"
                ) from None
            continue
        yield start, row


def _flush(
    session: Session | Connection,
    pending: list[_Pending],
    write: Callable[[list[str]], object],
    report: ImportReport,
) -> None:
    if not pending:
        return
    hit = suppressed_among(session, (d for item in pending for d in item.hashes))
    for item in pending:
        if hit.intersection(item.hashes):
            report._drop(item.line, DropReason.SUPPRESSED)
        else:
            write(item.row)
            report.kept += 1
    pending.clear()


def _dialect(header_line: str) -> type[csv.Dialect]:
    """Comma, semicolon (Swedish Excel) or tab, as the header uses; quoting as Excel quotes.

    The delimiter and whether a space follows it (``email, name``) are taken from the
    sniffer; the rest is Excel's. From a header without quotes the sniffer would also guess
    ``doublequote=False`` and misread a cell quoted the standard way (``""Annie""``).
    """
    try:
        sniffed = csv.Sniffer().sniff(header_line, delimiters=",;\t")
    except csv.Error:
        return csv.excel
    base = DIALECTS.get(sniffed.delimiter, csv.excel)
    if not sniffed.skipinitialspace:
        return base
    return type(f"{base.__name__}_spaced", (base,), {"skipinitialspace": True})


class _ExcelSemicolon(csv.excel):
    delimiter = ";"


DIALECTS: dict[str, type[csv.Dialect]] = {
    ",": csv.excel,
    ";": _ExcelSemicolon,
    "\t": csv.excel_tab,
}
