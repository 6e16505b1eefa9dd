"""Recruitment rows: applications, their outcome, and the documents behind the decision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from random import Random

from dataskydd.demo import pools, texts
from dataskydd.demo.context import Batch, Context
from dataskydd.demo.identifiers import phone_forms
from dataskydd.demo.people import Person

RECRUITMENT_START = datetime(2012, 1, 1)
PENDING_DAYS = 60  # applications younger than this are still being decided
HIRED_SHARE = 0.12


def application(
    ctx: Context, batch: Batch, rng: Random, person: Person, others: Sequence[Person]
) -> str:
    """One application with its documents; a referee is another person of the estate."""
    applied = ctx.moment(rng, RECRUITMENT_START)
    decided: datetime | None
    if applied > ctx.horizon - timedelta(days=PENDING_DAYS):
        outcome, decided = "pending", None
    else:
        outcome = "hired" if rng.random() < HIRED_SHARE else "rejected"
        decided = applied + timedelta(days=rng.randint(14, PENDING_DAYS))
    position = pools.pick(rng, pools.POSITIONS)
    number = applicant(ctx, batch, person, applied, position, outcome, decided)
    document(
        ctx, batch, number, "cv", texts.cv(rng, person.name, position, person.email, person.phone)
    )
    if rng.random() < 0.5:
        document(ctx, batch, number, "test_result", *texts.test_result(rng))
    if others and rng.random() < 0.3:
        referee = rng.choice(others)
        if referee.index != person.index:
            document(
                ctx,
                batch,
                number,
                "reference_statement",
                *texts.reference_statement(rng, person.first_name, referee.name, referee.phone),
            )
    if outcome == "hired" or rng.random() < 0.2:
        document(
            ctx,
            batch,
            number,
            "criminal_record_extract",
            texts.criminal_record_extract(person.name, person.personnummer),
        )
    return number


def applicant(
    ctx: Context,
    batch: Batch,
    person: Person,
    applied: datetime,
    position: str,
    outcome: str,
    decided: datetime | None,
) -> str:
    number = ctx.applicant_number()
    pnr = person.personnummer
    batch.add(
        "recruitment",
        "applicants",
        applicant_number=number,
        personnummer=f"{pnr[:8]}-{pnr[8:]}",  # this system writes the hyphen
        name=person.name,
        email=person.email,
        phone=phone_forms(person.phone)["compact_dash"],
        applied_at=applied,
        position=position,
        outcome=outcome,
        decided_at=decided,
    )
    return number


def document(
    ctx: Context,
    batch: Batch,
    number: str,
    kind: str,
    content: str,
    assessment: str | None = None,
) -> None:
    batch.add(
        "recruitment",
        "applicant_documents",
        id=ctx.ids("applicant_documents"),
        applicant_number=number,
        kind=kind,
        content=content,
        internal_assessment=assessment,
    )
