"""A column and what it means, declared in one place.

Each demo column is a SQLAlchemy column that carries its data map annotation (category,
identity, erasure...) in ``info``, so the schema the estate creates and the data map it
writes can never drift apart. Identity and reference columns get an index, as in any real
system that looks people up by them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.schema import SchemaItem

from dataskydd.datamap import schema as dm
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme.vocab import RetentionTrigger

NOTE = "dataskydd.datamap"

# Short names for the table modules, which read like a data dictionary.
KEEP = dm.ErasureStrategy.KEEP
DELETE = dm.ErasureStrategy.DELETE_ROW
NULL = dm.ErasureStrategy.SET_NULL
HASH = dm.ErasureStrategy.KEYED_HASH
REDACT = dm.ErasureStrategy.REDACT
REPLACE = dm.ErasureStrategy.REPLACE
PNR = IdentityKind.PERSONNUMMER
ORGNR = IdentityKind.ORGANISATIONSNUMMER
EMAIL = IdentityKind.EMAIL
PHONE = IdentityKind.PHONE
CUSTOMER = IdentityKind.CUSTOMER_NUMBER
APPLICANT = IdentityKind.APPLICANT_NUMBER
ERASED_NAME = "(raderad)"

# Names that are the same on every database and after every rebuild.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}
# MariaDB: utf8mb4 for Swedish letters and anything a visitor types into the chat.
TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_engine": "InnoDB"}


def metadata() -> sa.MetaData:
    """One system's tables."""
    return sa.MetaData(naming_convention=NAMING)


def table(
    metadata: sa.MetaData, name: str, purposes: list[str], description: str, *columns: Any
) -> sa.Table:
    """A table with the purposes it serves (programme purpose keys) and what it is."""
    return sa.Table(
        name, metadata, *columns, info={"purposes": purposes}, comment=description, **TABLE_OPTIONS
    )


def when() -> sa.DateTime:
    # Naive UTC, the lowest common denominator of SQLite, PostgreSQL and MariaDB.
    return sa.DateTime()


def col(
    name: str,
    type_: sa.types.TypeEngine[Any],
    *args: SchemaItem,
    primary_key: bool = False,
    nullable: bool = True,
    category: str | None = None,
    identity: IdentityKind | None = None,
    subject: bool = True,
    provided: bool = False,
    internal_assessment: bool = False,
    free_text: bool = False,
    erasure: dm.ErasureStrategy = KEEP,
    replacement: str | None = None,
    retention_trigger: RetentionTrigger | None = None,
    references: dm.Reference | None = None,
    description: str | None = None,
) -> sa.Column[Any]:
    """A column with its annotation; ``references`` is for links to another system."""
    note = dm.Column(
        name=name,
        category=category,
        identity=identity,
        subject=subject,
        provided=provided,
        internal_assessment=internal_assessment,
        free_text=free_text,
        erasure=erasure,
        replacement=replacement,
        retention_trigger=retention_trigger,
        references=references,
        description=description,
    )
    foreign = any(isinstance(arg, sa.ForeignKey) for arg in args)
    looked_up = identity is not None or references is not None or foreign
    return sa.Column(
        name,
        type_,
        *args,
        primary_key=primary_key,
        nullable=nullable and not primary_key,
        index=looked_up and not primary_key,
        info={NOTE: note},
    )


def annotation(column: sa.Column[Any]) -> dm.Column:
    """The column's data map entry, with its foreign key as a reference."""
    note = column.info.get(NOTE)
    if not isinstance(note, dm.Column):
        raise LookupError(f"column {column.table.name}.{column.name} has no annotation")
    if note.references is None and column.foreign_keys:
        target = next(iter(column.foreign_keys)).column
        reference = dm.Reference(table=target.table.name, column=target.name)
        return note.model_copy(update={"references": reference})
    return note
