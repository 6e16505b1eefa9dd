"""The permission check: may purpose P process person X now? Allowed or denied, with reasons.

Other systems call this before they process anyone, so it is the hot path. One check is one
SQL statement: the person's subject_refs (from the keyed hashes of the identities given)
and every fact about them that bears on the purpose, in one round trip (a CTE and UNION
ALL, each branch on an index). One statement reads one snapshot, on SQLite and on
PostgreSQL's READ COMMITTED alike, so a check never mixes a committed change with the state
before it (a consent withdrawn and a restriction placed in one transaction are seen together
or not at all). Facts about people are never cached; what is cached is what cannot change
under a running process: the programme's purposes, turned into :class:`PurposeRule` once.

What denies (each is a :class:`Reason` with a code and sv/en text):

- a consent-based purpose without consent in force (never given, or withdrawn);
- an objection in force (Art. 21); an overridden one no longer denies, except for direct
  marketing, which no assessment overrides;
- a direct-marketing purpose and any identity on the suppression list;
- a restriction (Art. 18) whose categories meet the purpose's, unless Art. 18(2) allows the
  purpose anyway: it rests on legal claims, on vital interests (protecting another person's
  rights) or on public task (important public interest), or the person consented to it after
  the restriction was placed;
- a verified erasure that erased the purpose's data (unless the person consented anew since).

``storage`` is built in and always allowed (Art. 18(2)): keeping data is not processing it
for a purpose. It takes precedence over a programme purpose of that name.

``now`` reads the facts as of that instant: a restriction lifted after ``now`` was still in
force then, a consent given after ``now`` was not yet given.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Connection, String, bindparam, text
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.consent.records import CONSENT_BASES
from dataskydd.identity.keyed import identity_hash
from dataskydd.programme.schema import Programme, Purpose
from dataskydd.programme.text import LocalText
from dataskydd.programme.vocab import LEGAL_BASES, LegalBasis
from dataskydd.rights.restriction import REASON_TEXTS, RestrictionReason, overlaps
from dataskydd.rights.subjects import Canonical
from dataskydd.store.types import UTCDateTime

STORAGE = "storage"


class Code(StrEnum):
    """Machine codes of the reasons; stable, other systems branch on them."""

    STORAGE = "storage"
    LEGAL_BASIS = "legal_basis"
    CONSENT_GIVEN = "consent_given"
    NO_CONSENT = "no_consent"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    OBJECTION = "objection"
    OBJECTION_OVERRIDDEN = "objection_overridden"
    SUPPRESSED = "suppressed"
    RESTRICTED = "restricted"
    ALLOWED_WHILE_RESTRICTED = "allowed_while_restricted"
    ERASED = "erased"


@dataclass(frozen=True, slots=True)
class Reason:
    code: Code
    text: LocalText
    denies: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    purpose: str
    reasons: list[Reason]

    @property
    def codes(self) -> list[str]:
        return [str(r.code) for r in self.reasons]


class UnknownPurpose(ValueError):
    """The purpose is not one of the programme's (nor ``storage``)."""

    def __init__(self, purpose: str, known: Sequence[str]) -> None:
        self.purpose = purpose
        super().__init__(f"no purpose {purpose!r}; the purposes are: {', '.join(known)}")


def _text(sv: str, en: str) -> LocalText:
    return LocalText(sv=sv, en=en)


STORAGE_REASON = Reason(
    Code.STORAGE,
    _text(
        "Lagring av uppgifterna är alltid tillåten, även när behandlingen är begränsad (art. 18.2).",
        "Storing the data is always allowed, even while processing is restricted (Art. 18(2)).",
    ),
)

# What an erasure keeps, it keeps for these bases (an active contract, AML and bookkeeping
# law, legal claims): data restricted as retained after erasure still serves them.
KEEPING_BASES = frozenset(
    {LegalBasis.CONTRACT, LegalBasis.LEGAL_OBLIGATION, LegalBasis.LEGAL_CLAIMS}
)

# Art. 18(2): what may still be done with restricted data, by the legal basis that says so.
RESTRICTION_EXEMPT: dict[LegalBasis, LocalText] = {
    LegalBasis.LEGAL_CLAIMS: _text(
        "för att fastställa, göra gällande eller försvara rättsliga anspråk",
        "to establish, exercise or defend legal claims",
    ),
    LegalBasis.VITAL_INTEREST: _text(
        "för att skydda någon annan fysisk eller juridisk persons rättigheter",
        "to protect the rights of another natural or legal person",
    ),
    LegalBasis.PUBLIC_TASK: _text(
        "av skäl som rör ett viktigt allmänintresse", "for reasons of important public interest"
    ),
}


@dataclass(frozen=True, slots=True)
class PurposeRule:
    """What the check needs to know of one purpose, worked out once per programme."""

    key: str
    categories: tuple[str, ...]
    consent_based: bool
    direct_marketing: bool
    exempt: Reason | None  # set when Art. 18(2) lets the purpose go on despite a restriction
    keeps: Reason | None  # set when the purpose is one a retention rule keeps data for
    basis: Reason
    consent_given: Reason
    no_consent: Reason
    consent_withdrawn: Reason
    objection: Reason
    objection_overridden: Reason
    suppressed: Reason
    erased: Reason
    consent_despite_restriction: Reason
    restricted: dict[str, Reason]  # by restriction reason

    @classmethod
    def of(cls, purpose: Purpose) -> PurposeRule:
        bases = purpose.legal_bases
        labels_sv = ", ".join(
            f"{LEGAL_BASES[b].label.sv} ({LEGAL_BASES[b].article})" for b in bases
        )
        labels_en = ", ".join(
            f"{LEGAL_BASES[b].label.en} ({LEGAL_BASES[b].article})" for b in bases
        )
        exempt_basis = next((b for b in RESTRICTION_EXEMPT if b in bases), None)
        exempt = None
        if exempt_basis is not None:
            why = RESTRICTION_EXEMPT[exempt_basis]
            exempt = Reason(
                Code.ALLOWED_WHILE_RESTRICTED,
                _text(
                    f"Behandlingen av dina uppgifter är begränsad, men den får fortsätta {why.sv} "
                    "(art. 18.2).",
                    f"Processing of your data is restricted, but it may go on {why.en} "
                    "(Art. 18(2)).",
                ),
            )
        keeps = None
        if KEEPING_BASES.intersection(bases):
            keeps = Reason(
                Code.ALLOWED_WHILE_RESTRICTED,
                _text(
                    "Uppgifterna sparas efter en radering för att lag eller avtal kräver det, "
                    "och får användas för just det ändamålet (art. 17.3).",
                    "The data was kept after an erasure because the law or a contract requires "
                    "it, and may be used for that purpose only (Art. 17(3)).",
                ),
            )
        dm = purpose.direct_marketing
        return cls(
            key=purpose.key,
            categories=tuple(purpose.categories),
            consent_based=bool(CONSENT_BASES.intersection(bases)),
            direct_marketing=dm,
            exempt=exempt,
            keeps=keeps,
            basis=Reason(
                Code.LEGAL_BASIS,
                _text(
                    f"Ändamålet ”{purpose.title.sv}” grundas på: {labels_sv}.",
                    f"The purpose “{purpose.title.en}” rests on: {labels_en}.",
                ),
            ),
            consent_given=Reason(
                Code.CONSENT_GIVEN,
                _text("Du har samtyckt till ändamålet.", "You have consented to this purpose."),
            ),
            no_consent=Reason(
                Code.NO_CONSENT,
                _text(
                    "Ändamålet kräver ditt samtycke, och något samtycke finns inte.",
                    "The purpose needs your consent, and there is none.",
                ),
                denies=True,
            ),
            consent_withdrawn=Reason(
                Code.CONSENT_WITHDRAWN,
                _text(
                    "Du har återkallat ditt samtycke till ändamålet (art. 7.3).",
                    "You have withdrawn your consent to this purpose (Art. 7(3)).",
                ),
                denies=True,
            ),
            objection=Reason(
                Code.OBJECTION,
                _text(
                    "Du har invänt mot direktmarknadsföring, och den upphör alltid (art. 21.3)."
                    if dm
                    else "Du har invänt mot behandlingen för ändamålet (art. 21.1).",
                    "You have objected to direct marketing, and it always stops (Art. 21(3))."
                    if dm
                    else "You have objected to processing for this purpose (Art. 21(1)).",
                ),
                denies=True,
            ),
            objection_overridden=Reason(
                Code.OBJECTION_OVERRIDDEN,
                _text(
                    "Du har invänt, men en dokumenterad bedömning visar tvingande berättigade "
                    "skäl som väger tyngre än dina intressen (art. 21.1).",
                    "You objected, but a recorded assessment found compelling legitimate "
                    "grounds that override your interests (Art. 21(1)).",
                ),
            ),
            suppressed=Reason(
                Code.SUPPRESSED,
                _text(
                    "Du har invänt mot direktmarknadsföring och finns på vår spärrlista: ingen "
                    "direktmarknadsföring riktas till dig (art. 21.3).",
                    "You have objected to direct marketing and are on our suppression list: no "
                    "direct marketing is addressed to you (Art. 21(3)).",
                ),
                denies=True,
            ),
            erased=Reason(
                Code.ERASED,
                _text(
                    "Dina uppgifter för ändamålet har raderats (art. 17).",
                    "Your data for this purpose has been erased (Art. 17).",
                ),
                denies=True,
            ),
            consent_despite_restriction=Reason(
                Code.ALLOWED_WHILE_RESTRICTED,
                _text(
                    "Behandlingen av dina uppgifter är begränsad, men du har samtyckt till "
                    "ändamålet efter att begränsningen infördes (art. 18.2).",
                    "Processing of your data is restricted, but you consented to this purpose "
                    "after the restriction was placed (Art. 18(2)).",
                ),
            ),
            restricted={
                str(reason): Reason(
                    Code.RESTRICTED,
                    _text(
                        f"Behandlingen av dina uppgifter är begränsad ({article.replace('Art.', 'art.')}): "
                        f"{why.sv}.",
                        f"Processing of your data is restricted ({article}): {why.en}.",
                    ),
                    denies=True,
                )
                for reason, (article, why) in REASON_TEXTS.items()
            },
        )


# -- the one statement ----------------------------------------------------------------------
#
# Columns: fact (r restriction, o objection, c consent, e erasure, s suppression), key,
# doc (JSON as text), t1, t2, t3 (instants), flag. ``refs`` is the person: every subject_ref
# any given identity links to (an identity recorded twice under two refs finds both).

_REFS = (
    "WITH refs AS (SELECT DISTINCT subject_ref FROM subject_identities "
    "WHERE identity_hash IN :hashes) "
)
_BRANCHES = (
    "SELECT 'r' AS fact, r.reason AS key, CAST(r.categories AS TEXT) AS doc, "
    "r.created_at AS t1, r.lifted_at AS t2, NULL AS t3, NULL AS flag "
    "FROM restrictions r WHERE r.subject_ref IN (SELECT subject_ref FROM refs) "
    "AND (r.lifted_at IS NULL OR r.lifted_at > :now) "
    "UNION ALL "
    "SELECT 'o', NULL, NULL, o.created_at, o.withdrawn_at, o.override_at, o.direct_marketing "
    "FROM objections o WHERE o.subject_ref IN (SELECT subject_ref FROM refs) "
    "AND o.purpose = :purpose "
    "UNION ALL "
    "SELECT 'c', NULL, NULL, c.given_at, c.withdrawn_at, NULL, NULL "
    "FROM consents c WHERE c.subject_ref IN (SELECT subject_ref FROM refs) "
    "AND c.purpose = :purpose "
    "UNION ALL "
    "SELECT 'e', NULL, CAST(e.summary AS TEXT), e.decided_at, e.finished_at, NULL, NULL "
    "FROM erasure_runs e WHERE e.status = 'verified' AND (e.subject_ref IN "
    "(SELECT subject_ref FROM refs) OR e.id IN (SELECT es.run_id FROM erasure_subjects es "
    "WHERE es.subject_ref IN (SELECT subject_ref FROM refs)))"
)
_SUPPRESSION = (
    " UNION ALL SELECT 's', NULL, NULL, s.added_at, NULL, NULL, NULL "
    "FROM suppression s WHERE s.identity_hash IN :hashes"
)


def _statement(sql: str) -> Any:
    return (
        text(sql)
        .bindparams(
            bindparam("hashes", expanding=True),
            bindparam("now", type_=UTCDateTime()),
            bindparam("purpose", type_=String()),
        )
        .columns(
            fact=String(),
            key=String(),
            doc=String(),
            t1=UTCDateTime(),
            t2=UTCDateTime(),
            t3=UTCDateTime(),
            flag=Boolean(),
        )
    )


_FACTS = _statement(_REFS + _BRANCHES)
_FACTS_AND_SUPPRESSION = _statement(_REFS + _BRANCHES + _SUPPRESSION)

# fact, key, doc, t1, t2, t3, flag (see the statement above)
Fact = tuple[Any, Any, Any, Any, Any, Any, Any]


def _facts(
    session: Session | Connection, rule: PurposeRule, digests: list[str], now: datetime
) -> Iterable[Fact]:
    """The statement's rows: through SQLAlchemy, or on SQLite straight from the driver."""
    if isinstance(session, Session):
        session.flush()  # what the session holds unflushed counts, as session.execute would
        connection = session.connection()
    else:
        connection = session
    if connection.dialect.name == "sqlite":
        return _sqlite_facts(connection, rule.direct_marketing, digests, now, rule.key)
    statement = _FACTS_AND_SUPPRESSION if rule.direct_marketing else _FACTS
    found = connection.execute(statement, {"hashes": digests, "now": now, "purpose": rule.key})
    return found  # rows unpack as tuples


# -- SQLite without SQLAlchemy's statement machinery ------------------------------------------
#
# The check is the API's hot path. Through SQLAlchemy its statement cost 250-300 µs, the SQL
# itself in SQLite about 45 µs. As the token lookup does (auth/tokens.py), the driver is
# asked directly, with the values written as SQLAlchemy writes them on SQLite: instants as
# naive UTC text with microseconds (store/types.py), booleans as 0 and 1.

_SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%f"
_sqlite_sql: dict[tuple[bool, int], str] = {}


def _sqlite_statement(direct_marketing: bool, count: int) -> str:
    """The statement for ``count`` hashes, with the driver's named placeholders."""
    found = _sqlite_sql.get((direct_marketing, count))
    if found is None:
        sql = _REFS + _BRANCHES + (_SUPPRESSION if direct_marketing else "")
        hashes = "(" + ", ".join(f":h{i}" for i in range(count)) + ")"
        found = sql.replace(":hashes", hashes)
        _sqlite_sql[(direct_marketing, count)] = found
    return found


def _sqlite_text(instant: datetime) -> str:
    """``instant`` as SQLAlchemy writes it on SQLite (``_SQLITE_INSTANT``), quicker than strftime."""
    if instant.tzinfo is None:  # as store/types.py refuses one
        raise ValueError(f"naive datetime {instant!r}: the check needs a timezone-aware instant")
    naive = instant.astimezone(UTC).replace(tzinfo=None)
    # isoformat leaves out a zero microsecond, which the text comparison in SQL would notice.
    return naive.isoformat(" ", "microseconds")


def _sqlite_instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def _sqlite_facts(
    connection: Connection, direct_marketing: bool, digests: list[str], now: datetime, purpose: str
) -> list[Fact]:
    params: dict[str, Any] = {f"h{i}": digest for i, digest in enumerate(digests)}
    params["now"] = _sqlite_text(now)
    params["purpose"] = purpose
    # The store's SQLite connections run each statement in a transaction of its own unless
    # one is open (store/engine.py), so this reads the latest commit, in one snapshot.
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_sqlite_statement(direct_marketing, len(digests)), params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return [
        (
            fact,
            key,
            doc,
            _sqlite_instant(t1),
            _sqlite_instant(t2),
            _sqlite_instant(t3),
            None if flag is None else bool(flag),
        )
        for fact, key, doc, t1, t2, t3, flag in rows
    ]


def _after(instant: datetime | None, now: datetime) -> bool:
    """Whether an optional instant (a lifting, a withdrawal) lies after ``now``, or never came."""
    return instant is None or instant > now


class PermissionChecker:
    """The check for one programme; build it once and share it between threads."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.rules: dict[str, PurposeRule] = {p.key: PurposeRule.of(p) for p in programme.purposes}
        self.known = [STORAGE, *(k for k in self.rules if k != STORAGE)]

    def rule(self, purpose: str) -> PurposeRule | None:
        """The purpose's rule; ``None`` for the built-in storage; :class:`UnknownPurpose` else."""
        if purpose == STORAGE:
            return None
        found = self.rules.get(purpose)
        if found is None:
            raise UnknownPurpose(purpose, self.known)
        return found

    def check(
        self,
        session: Session | Connection,
        purpose: str,
        identities: Iterable[Canonical],
        *,
        now: datetime | None = None,
    ) -> Decision:
        """May ``purpose`` process the person with these (canonical) identities at ``now``?"""
        rule = self.rule(purpose)
        digests = list(dict.fromkeys(identity_hash(kind, value) for kind, value in identities))
        if not digests:
            raise ValueError("a permission check needs at least one identity")
        if rule is None:
            return Decision(True, purpose, [STORAGE_REASON])
        return self.decide(session, rule, digests, now or clock.now())

    def decide(
        self, session: Session | Connection, rule: PurposeRule, digests: list[str], now: datetime
    ) -> Decision:
        """The decision for identities already hashed (:meth:`check` without the parsing)."""
        rows = _facts(session, rule, digests, now)
        restrictions: list[tuple[str, list[str], datetime]] = []
        objected = overridden = suppressed = False
        in_force: datetime | None = None  # the newest consent in force
        withdrawn = False
        erased_at: datetime | None = None  # the last verified erasure of this purpose
        for fact, key, doc, t1, t2, t3, flag in rows:
            if t1 is not None and t1 > now:
                continue  # recorded after the instant asked about
            if fact == "r":
                restrictions.append((key, json.loads(doc), t1))
            elif fact == "o":
                if not _after(t2, now):
                    continue  # withdrawn
                if _after(t3, now) or flag or rule.direct_marketing:
                    objected = True
                else:
                    overridden = True
            elif fact == "c":
                if _after(t2, now):
                    in_force = t1 if in_force is None else max(in_force, t1)
                else:
                    withdrawn = True
            elif fact == "e":
                finished = t2 or t1
                if finished <= now and rule.key in json.loads(doc).get("purposes", ()):
                    erased_at = finished if erased_at is None else max(erased_at, finished)
            elif fact == "s":
                suppressed = True

        reasons = [rule.basis]
        if suppressed:
            reasons.append(rule.suppressed)
        if objected:
            reasons.append(rule.objection)
        elif overridden:
            reasons.append(rule.objection_overridden)
        if rule.consent_based:
            if in_force is not None:
                reasons.append(rule.consent_given)
            else:
                reasons.append(rule.consent_withdrawn if withdrawn else rule.no_consent)
        if erased_at is not None and not (
            rule.consent_based and in_force is not None and in_force > erased_at
        ):
            reasons.append(rule.erased)
        seen: set[str] = set()
        for reason, categories, placed_at in restrictions:
            if not overlaps(categories, rule.categories):
                continue
            if rule.exempt is not None:
                found = rule.exempt
            elif rule.keeps is not None and reason == RestrictionReason.RETAINED_AFTER_ERASURE:
                found = rule.keeps
            elif rule.consent_based and in_force is not None and in_force > placed_at:
                found = rule.consent_despite_restriction
            else:
                found = rule.restricted.get(
                    reason, rule.restricted[RestrictionReason.ACCURACY_CONTESTED]
                )
            if found.text.en not in seen:
                seen.add(found.text.en)
                reasons.append(found)
        return Decision(not any(r.denies for r in reasons), rule.key, reasons)


_checkers: dict[int, tuple[Programme, PermissionChecker]] = {}
_lock = threading.Lock()


def checker_for(programme: Programme) -> PermissionChecker:
    """The shared checker of ``programme`` (a programme is immutable once loaded)."""
    held = _checkers.get(id(programme))
    if held is not None and held[0] is programme:
        return held[1]
    with _lock:
        if len(_checkers) >= 16:  # a long-lived process that reloads now and then
            _checkers.clear()
        checker = PermissionChecker(programme)
        # The programme is held with its checker, so its id is not reused while cached.
        _checkers[id(programme)] = (programme, checker)
        return checker


def check(
    session: Session | Connection,
    programme: Programme,
    purpose: str,
    identities: Iterable[Canonical],
    *,
    now: datetime | None = None,
) -> Decision:
    """May ``purpose`` process the person with these identities? See the module docstring."""
    return checker_for(programme).check(session, purpose, identities, now=now)
