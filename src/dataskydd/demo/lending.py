"""Core lending rows: customers, their companies and roles, loans and what follows a loan.

A customer relationship starts between 2010 and today; three in ten have ended, many of
them more than six years ago, which is what retention rules are tested against. Every
loan has a payout and repayments in the bookkeeping; most are secured, some by another
person's guarantee; every customer has been through customer due diligence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random

from dataskydd.demo import pools, texts
from dataskydd.demo.context import HISTORY_START, Batch, Context
from dataskydd.demo.identifiers import phone_forms
from dataskydd.demo.people import Person

ENDED_SHARE = 0.3
CORE = "core"


def relationship(ctx: Context, rng: Random) -> tuple[datetime, datetime | None]:
    started = ctx.moment(rng, HISTORY_START, ctx.horizon - timedelta(days=60))
    earliest_end = started + timedelta(days=365)
    if rng.random() < ENDED_SHARE and earliest_end < ctx.horizon:
        return started, ctx.moment(rng, earliest_end)
    return started, None


def private_customer(
    ctx: Context, batch: Batch, rng: Random, person: Person, others: Sequence[Person]
) -> str:
    """A private person or sole trader with loans; returns the customer number."""
    number = ctx.customer_number()
    started, ended = relationship(ctx, rng)
    batch.add(
        CORE,
        "customers",
        customer_number=number,
        kind="person",
        personnummer=person.personnummer,
        orgnr=None,
        name=person.name,
        email=person.email,
        phone=phone_forms(person.phone)["e164"],
        street=person.street,
        postcode=person.postcode,
        city=person.city,
        relationship_started_at=started,
        relationship_ended_at=ended,
    )
    follow_relationship(ctx, batch, rng, number, person, started, ended, others, company=False)
    return number


def company_customer(
    ctx: Context, batch: Batch, rng: Random, founder: Person, others: Sequence[Person]
) -> tuple[str, str]:
    """A company customer run by ``founder``, with others on its board; (number, orgnr)."""
    number = ctx.customer_number()
    company = ctx.ids("company")
    orgnr = ctx.company_orgnr(company)
    name = pools.company_name(rng, founder.last_name)
    city, postcode = pools.town(rng)
    started, ended = relationship(ctx, rng)
    batch.add(
        CORE,
        "customers",
        customer_number=number,
        kind="company",
        personnummer=None,
        orgnr=orgnr,
        name=name,
        email=f"{pools.pick(rng, ('info', 'kontakt', 'ekonomi'))}@{pools.ascii_slug(name)}.se",
        phone=phone_forms(ctx.landline(rng, company))["e164"],
        street=pools.street_address(rng),
        postcode=postcode,
        city=city,
        relationship_started_at=started,
        relationship_ended_at=ended,
    )
    batch.add(CORE, "companies", orgnr=orgnr, name=name, customer_number=number)
    board_roles(ctx, batch, rng, orgnr, founder, others)
    follow_relationship(ctx, batch, rng, number, founder, started, ended, others, company=True)
    return number, orgnr


def board_roles(
    ctx: Context, batch: Batch, rng: Random, orgnr: str, founder: Person, others: Sequence[Person]
) -> None:
    share = Decimal(rng.choice((25, 40, 50, 51, 60, 75, 100)))
    role(ctx, batch, orgnr, founder, "beneficial_owner", share)
    if rng.random() < 0.6:
        role(ctx, batch, orgnr, founder, "chair", None)
    if rng.random() < 0.5:
        role(ctx, batch, orgnr, founder, "authorised_representative", None)
    # Drawn with replacement and deduplicated: sampling the whole chunk per company is slow.
    drawn = [rng.choice(others) for _ in range(rng.choice((0, 1, 1, 2)))] if others else []
    members = {p.index: p for p in drawn if p.index != founder.index}
    for member in members.values():
        if share <= 50 and rng.random() < 0.5:
            role(ctx, batch, orgnr, member, "beneficial_owner", Decimal(100) - share)
        else:
            role(ctx, batch, orgnr, member, "board_member", None)


def role(
    ctx: Context, batch: Batch, orgnr: str, person: Person, kind: str, share: Decimal | None
) -> None:
    batch.add(
        CORE,
        "company_roles",
        id=ctx.ids("company_roles"),
        orgnr=orgnr,
        personnummer=person.personnummer,
        name=person.name,
        role=kind,
        share_percent=share,
    )


def follow_relationship(
    ctx: Context,
    batch: Batch,
    rng: Random,
    number: str,
    person: Person,
    started: datetime,
    ended: datetime | None,
    others: Sequence[Person],
    *,
    company: bool,
) -> None:
    """The loans, offers and KYC checks of one customer relationship."""
    count = 1 + (rng.random() < 0.4) + (rng.random() < 0.1)
    for first in [True] + [False] * (count - 1):
        loan(ctx, batch, rng, number, person, started, ended, others, company=company, first=first)
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
        offered = ctx.moment(rng, started - timedelta(days=60), ended)
        lapses = offered + timedelta(days=30)
        batch.add(
            CORE,
            "loan_offers",
            id=ctx.ids("loan_offers"),
            customer_number=number,
            amount_sek=rng.randint(10, 500) * 10_000,
            offered_at=offered,
            lapsed_at=lapses if lapses < ctx.horizon else None,
        )
    kyc(ctx, batch, rng, number, person, started, ended)


def loan(
    ctx: Context,
    batch: Batch,
    rng: Random,
    number: str,
    borrower: Person,
    started: datetime,
    ended: datetime | None,
    others: Sequence[Person],
    *,
    company: bool,
    first: bool,
) -> None:
    signed = ctx.moment(rng, started, ended)
    end: datetime | None
    if ended is not None:
        end, status = (
            ctx.moment(rng, signed, ended),
            "defaulted" if rng.random() < 0.08 else "repaid",
        )
    elif first or rng.random() < 0.5:
        end, status = None, "active"  # a current customer has at least one active loan
    else:
        end, status = ctx.moment(rng, signed), "repaid"
    loan_id = ctx.ids("loans")
    amount = rng.randint(10, 1000 if company else 200) * 10_000
    batch.add(
        CORE,
        "loans",
        loan_id=loan_id,
        customer_number=number,
        amount_sek=amount,
        interest_rate=Decimal(rng.randint(300, 950)) / 100,
        status=status,
        signed_at=signed,
        ended_at=end,
    )
    bookkeeping(ctx, batch, rng, loan_id, amount, signed, end, status)
    if rng.random() < 0.6:
        drawn = rng.choice(others) if others else borrower
        # One's own guarantee secures nothing: no guarantor this time.
        guarantor = drawn if drawn.index != borrower.index else None
        collateral(ctx, batch, rng, loan_id, amount, guarantor, company=company)


def bookkeeping(
    ctx: Context,
    batch: Batch,
    rng: Random,
    loan_id: int,
    amount: int,
    signed: datetime,
    end: datetime | None,
    status: str,
) -> None:
    def book(at: datetime, sek: int, kind: str) -> None:
        batch.add(
            CORE,
            "transactions",
            id=ctx.ids("transactions"),
            loan_id=loan_id,
            booked_at=at,
            amount_sek=sek,
            kind=kind,
        )

    book(signed, -amount, "payout")
    paid = 0
    for at in sorted(ctx.moment(rng, signed, end) for _ in range(rng.randint(1, 6))):
        if rng.random() < 0.5:
            book(at, amount * rng.randint(1, 4) // 100, "interest")
        else:
            part = amount * rng.randint(5, 15) // 100
            paid += part
            book(at, part, "amortisation")
    if status == "repaid" and end is not None:
        book(end, max(0, amount - paid), "repayment")


COLLATERAL_KINDS = {
    False: (("property_mortgage", 55), ("personal_guarantee", 35), ("share_pledge", 10)),
    True: (
        ("business_mortgage", 40),
        ("property_mortgage", 25),
        ("personal_guarantee", 30),
        ("share_pledge", 5),
    ),
}


def collateral(
    ctx: Context,
    batch: Batch,
    rng: Random,
    loan_id: int,
    amount: int,
    candidate: Person | None,
    *,
    company: bool,
) -> None:
    """One security for a loan; a personal guarantee is by ``candidate``, another person."""
    kinds = COLLATERAL_KINDS[company]
    kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
    guarantor = candidate if kind == "personal_guarantee" else None
    if guarantor is not None:
        description = "Personlig borgen"
    elif kind == "property_mortgage":
        city, _ = pools.town(rng)
        stem = pools.pick(rng, pools.STREET_STEMS)
        description = (
            f"Pantbrev i fastigheten {city} {stem} {rng.randint(1, 40)}:{rng.randint(1, 300)}"
        )
    elif kind == "business_mortgage":
        description = "Företagsinteckning"
    else:
        kind, description = "share_pledge", "Pantsatta aktier"
    batch.add(
        CORE,
        "collateral",
        id=ctx.ids("collateral"),
        loan_id=loan_id,
        kind=kind,
        value_sek=amount * rng.randint(50, 150) // 100,
        description=description,
        guarantor_personnummer=guarantor.personnummer if guarantor else None,
        guarantor_name=guarantor.name if guarantor else None,
    )


def kyc(
    ctx: Context,
    batch: Batch,
    rng: Random,
    number: str,
    person: Person,
    started: datetime,
    ended: datetime | None,
) -> None:
    """A check when the relationship starts, then every three years while it lasts."""
    checked = started
    last = ended or ctx.horizon
    while checked <= last:
        risk = rng.choices(("low", "medium", "high"), (75, 20, 5))[0]
        batch.add(
            CORE,
            "kyc_checks",
            id=ctx.ids("kyc_checks"),
            customer_number=number,
            personnummer=person.personnummer,
            checked_at=checked,
            pep=rng.random() < 0.015,
            sanctions_hit=rng.random() < 0.002,
            risk_class=risk,
            assessment=texts.kyc_assessment(rng, risk, person.personnummer),
        )
        checked += timedelta(days=3 * 365 + rng.randint(0, 60))
