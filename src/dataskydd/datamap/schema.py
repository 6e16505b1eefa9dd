"""The data map format: one YAML file per system, saying where personal data sits.

A system names how to connect (an environment variable or a secrets file: never the URL
itself), and its tables and columns. A column says what it holds (a programme category),
whether it identifies the row's data subject, whether the person provided it, how it is
erased, and whether it dates a retention trigger. A column may reference another table's
column, in this system or another one; shared identities link systems too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme.text import LocalText
from dataskydd.programme.vocab import RetentionTrigger

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=80)]
# SQL identifiers as the database spells them; quoted by the connector, never interpolated.
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_$]*$", max_length=128)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SystemKind(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"
    MARIADB = "mariadb"
    MANUAL = "manual"  # cannot be queried: a person gets a task with a checklist


class Connection(Strict):
    """Where the connection URL comes from: exactly one of ``env`` and ``file``."""

    env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    file: str | None = None  # relative paths are relative to the data map file
    timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    pool_size: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def _one_source(self) -> Connection:
        if (self.env is None) == (self.file is None):
            raise ValueError(
                "give exactly one of 'env' (a variable name) or 'file' (a secrets file)"
            )
        return self


class ErasureStrategy(StrEnum):
    DELETE_ROW = "delete_row"
    SET_NULL = "set_null"
    REPLACE = "replace"  # with ``replacement``
    KEYED_HASH = "keyed_hash"  # HMAC of the normalised value: still joinable, no longer readable
    REDACT = "redact"  # free text: replace the person's identifiers where they occur
    KEEP = "keep"  # not personal data on its own (e.g. a technical key)


class Reference(Strict):
    """This column holds the value of ``table.column`` (in ``system``, default: this one)."""

    system: Key | None = None
    table: Identifier
    column: Identifier


class Column(Strict):
    name: Identifier
    category: str | None = None  # a programme category key; None for technical columns
    identity: IdentityKind | None = None
    # False when the identity names someone other than the row's subject (a co-signer, a
    # referee): such values never seed the resolution and are withheld by default.
    subject: bool = True
    provided: bool = False  # the person gave it to us (portability, Art. 20)
    internal_assessment: bool = False  # review before release (Art. 15(4))
    free_text: bool = False  # searched for the person's identifiers in every written form
    erasure: ErasureStrategy = ErasureStrategy.KEEP
    replacement: str | None = None
    retention_trigger: RetentionTrigger | None = None  # this column dates the trigger event
    references: Reference | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _replacement(self) -> Column:
        if self.erasure == ErasureStrategy.REPLACE and self.replacement is None:
            raise ValueError("erasure 'replace' needs 'replacement'")
        if self.erasure == ErasureStrategy.REDACT and not self.free_text:
            raise ValueError("erasure 'redact' is for free text: set 'free_text: true'")
        return self


class Table(Strict):
    name: Identifier
    schema_name: Identifier | None = Field(default=None, alias="schema")
    description: str | None = None
    purposes: list[Key] = Field(min_length=1)
    primary_key: list[Identifier] = Field(min_length=1)
    columns: list[Column] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.name}" if self.schema_name else self.name


class ManualTask(Strict):
    """For a system that cannot be queried: who looks, what they check, how soon."""

    assignee: str
    checklist: list[LocalText] = Field(min_length=1)
    due_days: int = Field(default=10, ge=1, le=30)


class System(Strict):
    key: Key
    name: str
    kind: SystemKind
    owner: str | None = None
    description: str | None = None
    connection: Connection | None = None  # required unless manual
    manual: ManualTask | None = None  # required when manual
    categories: list[str] = Field(default_factory=list)  # manual systems: what they hold

    @model_validator(mode="after")
    def _kind_fields(self) -> System:
        if self.kind == SystemKind.MANUAL and self.manual is None:
            raise ValueError("a manual system needs 'manual' (assignee, checklist)")
        if self.kind != SystemKind.MANUAL and self.connection is None:
            raise ValueError(f"a {self.kind} system needs 'connection' (env or file)")
        return self


class SystemMap(Strict):
    """One data map file: a system and its tables."""

    system: System
    tables: list[Table] = Field(default_factory=list)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


class DataMap(Strict):
    """Every system of the estate, by key."""

    systems: dict[str, SystemMap]

    def tables(self) -> list[tuple[SystemMap, Table]]:
        return [(s, t) for s in self.systems.values() for t in s.tables]
