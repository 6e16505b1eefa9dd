"""A starting data map from a live schema: every table and column, with proposals.

The proposals come from sampling each column (up to 200 values) and from its name: valid
personnummer in most samples propose ``identity: personnummer`` and the programme's
national-id category, and so on. Every proposed line carries a comment saying why, and
every table's purposes are ``TODO``, which ``datamap check`` refuses until a person decides.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import inspect

from dataskydd.connectors.base import ColumnInfo, Connector, TableRef
from dataskydd.connectors.sql import SqlConnector
from dataskydd.datamap.draft import Draft, Notes
from dataskydd.datamap.loader import TODO
from dataskydd.datamap.schema import (
    Column,
    Connection,
    ErasureStrategy,
    Reference,
    System,
    SystemKind,
    SystemMap,
    Table,
)
from dataskydd.identity.kinds import NATIONAL_ID_KINDS, IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise
from dataskydd.programme.schema import Programme
from dataskydd.programme.vocab import RetentionTrigger

SAMPLE_SIZE = 200
FREE_TEXT_AVERAGE = 40  # characters: longer written values are notes, not fields


# -- keys -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: TableRef
    referred_column: str


@runtime_checkable
class KeyInspector(Protocol):
    """Primary and foreign keys of a live schema (the Connector interface has neither)."""

    def primary_key(self, table: TableRef) -> list[str]: ...

    def foreign_keys(self, table: TableRef) -> list[ForeignKey]: ...


class SqlKeys:
    """Keys as SQLAlchemy reflects them, through a SQL connector's read-only connection."""

    def __init__(self, connector: SqlConnector) -> None:
        self.connector = connector

    def primary_key(self, table: TableRef) -> list[str]:
        with self.connector.read_only(table) as connection:
            found = inspect(connection).get_pk_constraint(table.name, schema=table.schema)
        return list(found.get("constrained_columns") or [])

    def foreign_keys(self, table: TableRef) -> list[ForeignKey]:
        with self.connector.read_only(table) as connection:
            found = inspect(connection).get_foreign_keys(table.name, schema=table.schema)
        return [
            ForeignKey(
                fk["constrained_columns"][0],
                TableRef(fk["referred_table"], fk.get("referred_schema")),
                fk["referred_columns"][0],
            )
            for fk in found
            # A key over several columns names no single column that another one holds.
            if len(fk["constrained_columns"]) == 1
        ]


# -- what a column's name suggests ------------------------------------------------------------

# (what, found anywhere in the name, found as a whole word between underscores)
_NAME_HINTS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("personnummer", ("personnummer", "personnr", "personal_number"), ("pnr", "ssn")),
    ("organisationsnummer", ("organisationsnummer", "orgnr", "org_nr"), ()),
    ("email", ("email", "epost", "e_post", "e_mail"), ("mail",)),
    ("phone", ("telefon", "phone", "mobil"), ("tel", "tfn")),
    ("name", ("namn", "first_name", "last_name", "full_name"), ("name",)),
    ("address", ("adress", "address", "postnummer", "postort", "zip_code"), ("city", "ort")),
    (
        "free_text",
        ("comment", "kommentar", "anteckning", "message", "meddelande", "notes"),
        ("note", "text", "body"),
    ),
]


def name_hint(column: str) -> str | None:
    """What a column's name suggests it holds (``email``, ``phone``, ``free_text``...), if anything."""
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", column).lower()
    words = set(re.split(r"[^a-z0-9]+", name))
    for what, anywhere, alone in _NAME_HINTS:
        if any(w in name for w in anywhere) or words & set(alone):
            return what
    return None


# -- what the samples show --------------------------------------------------------------------

_SAMPLED_KINDS = (
    IdentityKind.PERSONNUMMER,
    IdentityKind.ORGANISATIONSNUMMER,
    IdentityKind.EMAIL,
    IdentityKind.PHONE,
)
# The fideslang term that finds the programme's category for what a column holds.
_FIDESLANG = {
    "email": "user.contact.email",
    "phone": "user.contact.phone_number",
    "name": "user.name",
    "address": "user.contact.address",
}
# (also in the name, word in the name, trigger): the first that matches wins.
_TRIGGERS = [
    ("contract", "ended", RetentionTrigger.CONTRACT_ENDED),
    ("", "ended", RetentionTrigger.RELATIONSHIP_ENDED),
    ("", "lapsed", RetentionTrigger.OFFER_LAPSED),
    ("", "decided", RetentionTrigger.APPLICATION_DECIDED),
]
_TEXT_TYPES = ("CHAR", "TEXT", "CLOB", "STRING")
_DATE_TYPES = ("DATE", "TIME")


@dataclass(frozen=True)
class ColumnProposal:
    column: Column
    notes: dict[str, str] = field(default_factory=dict)  # field -> the comment on its line


def propose_column(
    info: ColumnInfo, samples: Sequence[Any], programme: Programme
) -> ColumnProposal:
    """The column as it should probably be mapped, and why."""
    fields: dict[str, Any] = {"name": info.name}
    notes: dict[str, str] = {}
    hint = name_hint(info.name)
    identity, why = _identity(samples, hint)
    if identity is not None:
        fields["identity"], notes["identity"] = identity, why
        fields["category"], notes["category"] = _identity_category(identity, programme)
    elif hint in _FIDESLANG:
        category = category_for_fideslang(programme, _FIDESLANG[hint])
        fields["category"] = category or TODO
        notes["category"] = (
            f"proposed: the name '{info.name}' suggests {hint}"
            if category
            else f"TODO: the name suggests {hint}; the programme has no category for {_FIDESLANG[hint]}"
        )
    trigger = _trigger(info, samples)
    if trigger is not None:
        fields["retention_trigger"] = trigger
        notes["retention_trigger"] = f"proposed: a date named '{info.name}' may date this trigger"
    if identity is None and _is_text(info, samples):
        free, why = _free_text(info.name, hint, samples)
        if free:
            fields.update(free_text=True, erasure=ErasureStrategy.REDACT)
            notes["free_text"] = why
            if "category" not in fields:
                fields["category"] = TODO
                notes["category"] = "TODO: what do people write here? choose a category"
    return ColumnProposal(Column.model_validate(fields), notes)


def _identity(samples: Sequence[Any], hint: str | None) -> tuple[IdentityKind | None, str]:
    texts = [str(v).strip() for v in samples if not isinstance(v, dt.date | float | bool)]
    if not texts:
        if hint in {k.value for k in _SAMPLED_KINDS}:
            return IdentityKind(
                str(hint)
            ), f"proposed: the name suggests {hint} (no samples to confirm)"
        return None, ""
    for kind in _SAMPLED_KINDS:
        valid = sum(_valid(kind, t) for t in texts)
        if valid * 2 <= len(texts):
            continue  # "most samples": a few valid values are chance, not a kind
        if kind == IdentityKind.PHONE and not _phone_like(samples, hint):
            continue
        return kind, f"proposed: {valid} of {len(texts)} samples are valid {kind}"
    return None, ""


def _valid(kind: IdentityKind, value: str) -> bool:
    try:
        normalise(kind, value)
    except IdentityError:
        return False
    return True


def _phone_like(samples: Sequence[Any], hint: str | None) -> bool:
    """Many plain numbers parse as phone numbers; phone numbers are written with 0 or +."""
    if hint == "phone":
        return True
    written = [v for v in samples if isinstance(v, str)]
    return bool(written) and sum(v.lstrip()[:1] in ("0", "+") for v in written) * 2 > len(samples)


def _identity_category(identity: IdentityKind, programme: Programme) -> tuple[str, str]:
    if identity in NATIONAL_ID_KINDS:
        national_id = national_id_category(programme)
        if national_id is not None:
            return national_id, "proposed: the programme's national-id category"
        return TODO, "TODO: the programme has no category with 'national_id: true'"
    term = _FIDESLANG.get(identity.value)
    category = category_for_fideslang(programme, term) if term else None
    if category is not None:
        return category, f"proposed: the programme's category for {term}"
    if identity == IdentityKind.ORGANISATIONSNUMMER:
        return TODO, "TODO: a company number is personal data for a sole trader: choose a category"
    return TODO, f"TODO: no programme category for {identity}: choose one"


def category_for_fideslang(programme: Programme, term: str) -> str | None:
    """The programme category with exactly this fideslang term (the most general if several)."""
    matches = [c.key for c in programme.categories if c.fideslang == term]
    return min(matches, key=lambda k: (k.count("."), k)) if matches else None


def national_id_category(programme: Programme) -> str | None:
    return next((c.key for c in programme.categories if c.national_id), None)


def _trigger(info: ColumnInfo, samples: Sequence[Any]) -> RetentionTrigger | None:
    is_date = any(t in info.type.upper() for t in _DATE_TYPES) or (
        bool(samples) and all(isinstance(v, dt.date) for v in samples)
    )
    if not is_date:
        return None
    name = info.name.lower()
    return next((t for also, word, t in _TRIGGERS if word in name and also in name), None)


def _is_text(info: ColumnInfo, samples: Sequence[Any]) -> bool:
    if any(t in info.type.upper() for t in _TEXT_TYPES):
        return True
    return bool(samples) and all(isinstance(v, str) for v in samples)


def _free_text(name: str, hint: str | None, samples: Sequence[Any]) -> tuple[bool, str]:
    texts = [v for v in samples if isinstance(v, str)]
    average = sum(len(t) for t in texts) / len(texts) if texts else 0.0
    # Long values without spaces are tokens or hashes, not something a person wrote.
    worded = sum(" " in t.strip() for t in texts) * 2 > len(texts)
    if hint == "free_text":
        return True, f"proposed: the name '{name}' suggests written notes"
    if average > FREE_TEXT_AVERAGE and worded:
        return True, (
            f"proposed: written text, {average:.0f} characters on average in {len(texts)} samples"
        )
    return False, ""


# -- the whole system -------------------------------------------------------------------------


def introspect(
    system_key: str,
    kind: SystemKind,
    connection: Connection,
    connector: Connector,
    programme: Programme,
    keys: KeyInspector | None = None,
) -> Draft:
    """A draft map of every table and column ``connector`` describes, with proposals.

    ``keys`` gives primary and foreign keys; a SQL connector's own are used by default.
    """
    if keys is None and isinstance(connector, KeyInspector):
        keys = connector
    elif keys is None and isinstance(connector, SqlConnector):
        keys = SqlKeys(connector)
    system = System(key=system_key, name=system_key, kind=kind, connection=connection)
    notes: Notes = {}
    tables: list[Table] = []
    for t, (qualified, infos) in enumerate(sorted(connector.describe().items())):
        ref = table_ref(qualified)
        columns: list[Column] = []
        for c, info in enumerate(infos):
            proposal = propose_column(
                info, connector.sample(ref, info.name, SAMPLE_SIZE), programme
            )
            columns.append(proposal.column)
            notes.update(
                (("tables", t, "columns", c, name), why) for name, why in proposal.notes.items()
            )
        columns = _with_references(columns, ref, keys, notes, t)
        primary_key = keys.primary_key(ref) if keys is not None else []
        if not primary_key:
            primary_key = [TODO]
            notes[("tables", t, "primary_key")] = (
                "TODO: no primary key found; name the columns that identify a row"
            )
        notes[("tables", t, "purposes")] = (
            "TODO: which of the programme's purposes does this table serve?"
        )
        tables.append(
            Table.model_construct(
                name=ref.name,
                schema_name=ref.schema,
                purposes=[TODO],
                primary_key=primary_key,
                columns=columns,
            )
        )
    header = (
        f"Proposed by `dataskydd datamap introspect` from the live schema of '{system_key}'.\n"
        "Review every line marked 'proposed', replace each TODO, then run `dataskydd datamap check`."
    )
    return Draft(SystemMap.model_construct(system=system, tables=tables), notes, header)


def table_ref(qualified: str) -> TableRef:
    """``schema.table`` (as ``describe`` names it) as a TableRef."""
    schema, _, name = qualified.rpartition(".")
    return TableRef(name=name, schema=schema or None)


def _with_references(
    columns: list[Column], table: TableRef, keys: KeyInspector | None, notes: Notes, t: int
) -> list[Column]:
    """Foreign keys become ``references`` (in this system: a database knows no other)."""
    if keys is None:
        return columns
    by_column = {fk.column: fk for fk in keys.foreign_keys(table)}
    out: list[Column] = []
    for c, column in enumerate(columns):
        fk = by_column.get(column.name)
        if fk is not None:
            reference = Reference(table=fk.table.name, column=fk.referred_column)
            column = column.model_copy(update={"references": reference})
            notes[("tables", t, "columns", c, "references")] = "proposed: a foreign key"
        out.append(column)
    return out
