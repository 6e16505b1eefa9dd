"""The privacy programme format: one Pydantic model per section of the YAML files.

The schema checks each entry on its own (types, required fields, vocabulary); checks that
span entries (references, Art. 9 conditions, transfers, durations) live in ``rules.py`` so
that every error can be reported at once, not only the first.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from dataskydd.programme.duration import Duration
from dataskydd.programme.text import LocalText
from dataskydd.programme.vocab import (
    Derogation,
    ErasureException,
    LegalBasis,
    RetentionTrigger,
    Right,
    TransferMechanism,
)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=80)]
CategoryKey = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", max_length=160)
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Strict(BaseModel):
    """Base for every section: unknown fields are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Entry(Strict):
    """Anything other sections refer to by key."""

    key: Key


# -- who ----------------------------------------------------------------------------------


class PostalAddress(Strict):
    organisation: str
    attention: str | None = None
    street: str
    postcode: str
    city: str
    country: CountryCode = "SE"

    def lines(self) -> list[str]:
        head = [self.organisation] + ([self.attention] if self.attention else [])
        return [*head, self.street, f"{self.postcode} {self.city}"]


class ControllerRole(StrEnum):
    PARENT = "parent"
    SUBSIDIARY = "subsidiary"


class Controller(Entry):
    """A company of the group; each is the controller for the people it has a relationship with."""

    name: str
    role: ControllerRole
    parent: Key | None = None
    org_number: str | None = None
    description: LocalText | None = None


class Contact(Strict):
    email: Email
    postal_address: PostalAddress
    phone: str | None = None
    website: str | None = None


class Authority(Contact):
    key: Key
    name: LocalText


class Organisation(Strict):
    group_name: str
    controller_rule: LocalText  # how a person knows which company is their controller
    controllers: list[Controller] = Field(min_length=1)
    dpo: Contact
    authority: Authority


# -- whom and what ------------------------------------------------------------------------


class DataSubject(Entry):
    label: LocalText
    description: LocalText | None = None


class Category(Strict):
    """A data category; dotted keys form the hierarchy (``identification.national_id``)."""

    key: CategoryKey
    label: LocalText
    description: LocalText | None = None
    national_id: bool = False
    special: bool = False  # Art. 9 special category
    criminal: bool = False  # Art. 10 criminal convictions and offences
    dpv: str = Field(pattern=r"^[a-z-]+:[A-Za-z0-9]+$")
    fideslang: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)*$")

    @property
    def group(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def parent(self) -> str | None:
        return self.key.rsplit(".", 1)[0] if "." in self.key else None


class SourceKind(StrEnum):
    DATA_SUBJECT = "data_subject"
    CREDIT_BUREAU = "credit_bureau"
    PUBLIC_REGISTER = "public_register"
    SANCTIONS_LIST = "sanctions_list"
    COMMERCIAL_PROVIDER = "commercial_provider"
    GROUP_COMPANY = "group_company"
    PARTNER = "partner"
    PURCHASED_LIST = "purchased_list"
    REFERENCE = "reference"  # a person who gives a statement about someone, e.g. in recruitment
    PUBLIC_SOURCE = "public_source"  # openly published information that is not a register


class Source(Entry):
    label: LocalText
    kind: SourceKind
    description: LocalText | None = None
    categories: list[CategoryKey] = Field(default_factory=list)


# -- why ------------------------------------------------------------------------------------


class Purpose(Entry):
    title: LocalText
    description: LocalText
    legal_bases: list[LegalBasis] = Field(min_length=1)
    balancing_test: LocalText | None = None  # required with legitimate interest
    art10_authority: str | None = None  # the law that allows criminal-offence data (Art. 10)
    examples: list[LocalText] = Field(default_factory=list)
    profiling: bool = False
    # Direct marketing (Art. 21(2)-(3)): an objection to it always wins, and suppresses the
    # person on every purchased list after.
    direct_marketing: bool = False
    categories: list[CategoryKey] = Field(default_factory=list)
    data_subjects: list[Key] = Field(default_factory=list)
    dpv: str | None = Field(default=None, pattern=r"^[a-z-]+:[A-Za-z0-9]+$")
    fideslang: str | None = Field(default=None, pattern=r"^[a-z_]+(\.[a-z_]+)*$")


class AutomatedDecisions(Strict):
    used: bool
    statement: LocalText
    logic: LocalText | None = None  # Art. 13(2)(f): required when used


# -- to whom and where --------------------------------------------------------------------


class RecipientKind(StrEnum):
    AUTHORITY = "authority"
    GROUP_COMPANY = "group_company"
    PROCESSOR = "processor"
    CREDIT_BUREAU = "credit_bureau"
    BANK = "bank"
    EID_PROVIDER = "eid_provider"
    LENDER = "lender"
    RESEARCH = "research"


class Recipient(Entry):
    label: LocalText
    kind: RecipientKind
    description: LocalText | None = None
    dpa_reference: str | None = None  # the data processing agreement; required for processors
    country: CountryCode = "SE"
    anonymised_only: bool = False  # receives only anonymised aggregates, no personal data


class Transfer(Entry):
    """A transfer to a third country (outside the EEA) and the mechanism that makes it lawful."""

    label: LocalText
    recipient: Key
    countries: list[CountryCode] = Field(default_factory=list)  # empty: not yet known
    mechanism: TransferMechanism
    derogation: Derogation | None = None
    description: LocalText | None = None


class TransferPolicy(Strict):
    """The conditions the notice promises every transfer meets."""

    statement: LocalText
    allowed_mechanisms: list[TransferMechanism] = Field(min_length=1)


# -- how long --------------------------------------------------------------------------------


class Statute(Strict):
    name: LocalText
    reference: str  # e.g. "SFS 2017:630 5 kap. 3 §"


class RetentionAction(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"


class RetentionRule(Entry):
    """How long data is kept. A minimum is a legal duty to keep; a maximum a promise to delete."""

    covers: LocalText
    categories: list[CategoryKey] = Field(default_factory=list)
    purposes: list[Key] = Field(default_factory=list)
    trigger: RetentionTrigger
    minimum: Duration | None = None
    maximum: Duration | None = None
    action: RetentionAction = RetentionAction.DELETE
    # Set when the rule keeps data even against an erasure request, and on which ground;
    # unset, the rule is only a promise to delete (chat, marketing) and erasure goes first.
    erasure_exception: ErasureException | None = None
    condition: LocalText | None = None  # e.g. only for rejected applicants
    statute: Statute | None = None
    note: LocalText | None = None
    wording: LocalText | None = None  # the notice's own words for this rule, as published


# -- the register -----------------------------------------------------------------------------


class SecurityKind(StrEnum):
    ADMINISTRATIVE = "administrative"
    TECHNICAL = "technical"
    ORGANISATIONAL = "organisational"
    PHYSICAL = "physical"


class SecurityMeasure(Entry):
    label: LocalText
    kind: SecurityKind


class Activity(Entry):
    """A processing activity: one row of the Art. 30(1) register, fields (a) to (g)."""

    name: LocalText
    description: LocalText | None = None
    controllers: list[Key] = Field(min_length=1)  # (a)
    purposes: list[Key] = Field(min_length=1)  # (b)
    data_subjects: list[Key] = Field(min_length=1)  # (c)
    categories: list[CategoryKey] = Field(min_length=1)  # (c)
    sources: list[Key] = Field(default_factory=list)
    recipients: list[Key] = Field(default_factory=list)  # (d)
    transfers: list[Key] = Field(default_factory=list)  # (e)
    retention: list[Key] = Field(min_length=1)  # (f)
    security_measures: list[Key] = Field(min_length=1)  # (g)
    profiling: bool = False


# -- rights, cookies, notice -------------------------------------------------------------------


class Ground(Strict):
    key: Key
    text: LocalText


class RightEntry(Strict):
    key: Right
    title: LocalText
    text: LocalText
    grounds: list[Ground] = Field(default_factory=list)  # e.g. the erasure grounds of Art. 17(1)
    limitations: list[LocalText] = Field(default_factory=list)


class CookieCategory(Entry):
    label: LocalText
    description: LocalText
    necessary: bool = False  # necessary cookies need no consent


class Cookies(Strict):
    statement: LocalText
    categories: list[CookieCategory] = Field(min_length=1)
    more_info_url: str | None = None


NoticeInclude = Literal[
    "categories",
    "sources",
    "purposes",
    "automated_decisions",
    "recipients",
    "transfers",
    "security",
    "rights",
    "cookies",
    "retention",
    "contact",
]


class NoticeSection(Strict):
    key: Key
    title: LocalText
    body: LocalText | None = None  # Markdown
    include: list[NoticeInclude] = Field(default_factory=list)  # parts drawn from the programme
    purposes: list[Key] = Field(default_factory=list)  # with include purposes: which, in order
    after: LocalText | None = None  # Markdown shown after the included parts


class Notice(Strict):
    version: str = Field(min_length=1)
    effective_date: date
    significant_change: bool = False
    change_summary: LocalText | None = None
    title: LocalText
    introduction: LocalText
    sections: list[NoticeSection] = Field(min_length=1)


class ProgrammeInfo(Strict):
    key: Key
    name: LocalText


class Programme(Strict):
    """A whole privacy programme: everything the notice promises, as data."""

    programme: ProgrammeInfo
    organisation: Organisation
    data_subjects: list[DataSubject] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    automated_decisions: AutomatedDecisions
    recipients: list[Recipient] = Field(default_factory=list)
    transfer_policy: TransferPolicy | None = None
    transfers: list[Transfer] = Field(default_factory=list)
    retention: list[RetentionRule] = Field(min_length=1)
    security_measures: list[SecurityMeasure] = Field(min_length=1)
    activities: list[Activity] = Field(min_length=1)
    rights: list[RightEntry] = Field(min_length=1)
    cookies: Cookies | None = None
    notice: Notice

    # Lookups by key; each section's keys are unique once the rules have passed.
    def category(self, key: str) -> Category:
        return _by_key(self.categories, key)

    def purpose(self, key: str) -> Purpose:
        return _by_key(self.purposes, key)

    def data_subject(self, key: str) -> DataSubject:
        return _by_key(self.data_subjects, key)

    def source(self, key: str) -> Source:
        return _by_key(self.sources, key)

    def recipient(self, key: str) -> Recipient:
        return _by_key(self.recipients, key)

    def transfer(self, key: str) -> Transfer:
        return _by_key(self.transfers, key)

    def retention_rule(self, key: str) -> RetentionRule:
        return _by_key(self.retention, key)

    def security_measure(self, key: str) -> SecurityMeasure:
        return _by_key(self.security_measures, key)

    def controller(self, key: str) -> Controller:
        return _by_key(self.organisation.controllers, key)

    def right(self, key: Right | str) -> RightEntry:
        return next(r for r in self.rights if r.key == key)


_T = TypeVar("_T", bound=BaseModel)


def _by_key(items: list[_T], key: str) -> _T:
    for item in items:
        if getattr(item, "key", None) == key:
            return item
    raise KeyError(key)
