"""The right to erasure (Art. 17): its grounds, and the plan that says what goes and what stays.

Every record found for the person gets a decision: **delete** the row, **mask** some of its
columns (null, a replacement, a keyed hash, the person's identifiers redacted from free
text), **keep** it with the rule, statute and date that keep it, or leave it **unchanged**
when the data map says nothing in it is personal data. The plan is a readable dry-run: it
changes nothing until a person has decided and :mod:`rights.erasure_run` executes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from dataskydd.identity.kinds import NATIONAL_ID_KINDS
from dataskydd.identity.personnummer import parse_personnummer
from dataskydd.programme.schema import Programme
from dataskydd.programme.vocab import LegalBasis, Right
from dataskydd.retention.holds import Hold
from dataskydd.rights.resolution import Found, Identity


class Ground(StrEnum):
    """The grounds of Art. 17(1) that notice section 7 c lists."""

    CONSENT_WITHDRAWN = "consent_withdrawn"  # (b)
    OBJECTION = "objection"  # (c), Art. 21(1)
    DIRECT_MARKETING_OBJECTION = "direct_marketing_objection"  # (c), Art. 21(2)
    UNLAWFUL = "unlawful"  # (d)
    MINOR = "minor"  # (f), with Art. 8(1)
    INFORMATION_SOCIETY_SERVICE = "information_society_service"  # (f)


GROUND_ARTICLES = {
    Ground.CONSENT_WITHDRAWN: "Art. 17(1)(b)",
    Ground.OBJECTION: "Art. 17(1)(c)",
    Ground.DIRECT_MARKETING_OBJECTION: "Art. 17(1)(c)",
    Ground.UNLAWFUL: "Art. 17(1)(d)",
    Ground.MINOR: "Art. 17(1)(f)",
    Ground.INFORMATION_SOCIETY_SERVICE: "Art. 17(1)(f)",
}
# Grounds that reach every purpose: unlawful processing has no basis to fall back on.
ALL_PURPOSES = frozenset({Ground.UNLAWFUL, Ground.MINOR, Ground.INFORMATION_SOCIETY_SERVICE})
CONSENT_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.EXPLICIT_CONSENT})
# Bases a person's request alone can end; the others (contract, legal obligation, legal
# claims) end when the holds on a record do.
ENDABLE_BASES = CONSENT_BASES | {LegalBasis.LEGITIMATE_INTEREST}
ADULT_AGE = 18


class GroundError(ValueError):
    """A ground that is unknown to the programme, or that does not apply to this person."""


class Action(StrEnum):
    DELETE = "delete"
    MASK = "mask"
    KEEP = "keep"
    UNCHANGED = "unchanged"  # nothing in the record is personal data, per the data map


@dataclass
class RowDecision:
    """What happens to one record found for the person."""

    system: str
    table: str
    key: tuple[Any, ...]
    found: Found
    action: Action
    categories: list[str]
    purposes: list[str]
    values: dict[str, Any] = field(default_factory=dict)  # MASK: column -> new value
    holds: list[Hold] = field(default_factory=list)  # KEEP: why
    # KEEP without a hold: the purposes still processing it on a basis the grounds do not end.
    still_processed_for: list[str] = field(default_factory=list)
    note: str | None = None  # e.g. masked, not deleted, because kept records refer to it
    # In memory only, never stored: the free text before redaction and the person's
    # redactor, so that a bulk run can take several persons out of one text.
    originals: dict[str, Any] = field(default_factory=dict, repr=False)
    redactor: Callable[[str], str] | None = field(default=None, repr=False)

    @property
    def ref(self) -> str:
        return f"{self.system}/{self.table}/{'/'.join(str(k) for k in self.key)}"

    @property
    def erased(self) -> bool:
        return self.action in (Action.DELETE, Action.MASK)


@dataclass
class ErasurePlan:
    """Every decision for one person; nothing has changed yet."""

    grounds: list[Ground]
    identities: set[Identity]
    decisions: list[RowDecision]
    created_at: datetime
    today: date
    failed_systems: list[tuple[str, str]] = field(default_factory=list)
    manual_systems: list[str] = field(default_factory=list)
    birth_date: date | None = None

    @property
    def complete(self) -> bool:
        return not self.failed_systems

    def by_action(self, action: Action) -> list[RowDecision]:
        return [d for d in self.decisions if d.action is action]

    def counts(self) -> dict[str, int]:
        counted = Counter(str(d.action) for d in self.decisions)
        return {str(a): counted.get(str(a), 0) for a in Action}

    def erased_purposes(self) -> list[str]:
        """Purposes whose data about the person is erased and none kept (they end for them).

        A purpose that keeps some data (a loan's contract, AML) goes on with what is kept, so
        the permission check must not deny it for the erasure.
        """
        kept = {p for d in self.by_action(Action.KEEP) for p in d.purposes}
        return sorted({p for d in self.decisions if d.erased for p in d.purposes} - kept)

    def kept_categories(self) -> list[str]:
        return sorted({c for d in self.by_action(Action.KEEP) for c in d.categories})


def check_grounds(
    programme: Programme, grounds: list[Ground], identities: set[Identity], today: date
) -> date | None:
    """Validate the grounds; returns the person's birth date when a personnummer gives it.

    ``minor`` needs a personnummer: the age is derived from it, and the ground applies only
    to a person under 18 or one who was under 18 when the data was collected (the planner
    checks the collection dates).
    """
    if not grounds:
        raise GroundError("give at least one ground for erasure (Art. 17(1))")
    erasure = next((r for r in programme.rights if r.key == Right.ERASURE), None)
    offered = {g.key for g in erasure.grounds} if erasure else set()
    for ground in grounds:
        if ground not in offered:
            listed = ", ".join(sorted(offered)) or "none"
            raise GroundError(
                f"the programme does not offer erasure on the ground '{ground}' (it offers: {listed})"
            )
    national = sorted(i.value for i in identities if i.kind in NATIONAL_ID_KINDS)
    birth = parse_personnummer(national[0], today=today).birth_date if national else None
    if Ground.MINOR in grounds and birth is None:
        raise GroundError(
            "the ground 'minor' needs a personnummer or samordningsnummer: the age is derived from it"
        )
    return birth


def adult_on(birth: date) -> date:
    """The 18th birthday (29 February counts from 1 March in a common year)."""
    try:
        return birth.replace(year=birth.year + ADULT_AGE)
    except ValueError:
        return date(birth.year + ADULT_AGE, 3, 1)


def purposes_ended(programme: Programme, grounds: list[Ground]) -> set[str]:
    """Purposes whose processing the grounds end (the others need their holds to lapse)."""
    if ALL_PURPOSES.intersection(grounds):
        return {p.key for p in programme.purposes}
    ended: set[str] = set()
    for purpose in programme.purposes:
        bases = set(purpose.legal_bases)
        if Ground.CONSENT_WITHDRAWN in grounds and bases & CONSENT_BASES:
            ended.add(purpose.key)
        if Ground.OBJECTION in grounds and LegalBasis.LEGITIMATE_INTEREST in bases:
            ended.add(purpose.key)
        if Ground.DIRECT_MARKETING_OBJECTION in grounds and purpose.direct_marketing:
            ended.add(purpose.key)
    return ended
