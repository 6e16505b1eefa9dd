"""The estate's rows, chunk by chunk: each person placed in the systems that know them.

A chunk is 10,000 persons with its own seeded random stream, so memory stays flat at any
size and the same seed gives the same rows. The planted people open the first chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from random import Random

from dataskydd.demo import applications, contacts, lending, pools, visits
from dataskydd.demo.context import Batch, Context
from dataskydd.demo.people import People, Person, Role
from dataskydd.demo.planted import PLANTED_PEOPLE, Planted, plant

CHUNK_PERSONS = 10_000
MIN_PERSONS = 10
MAX_PERSONS = 5_000_000  # the company and phone number spaces hold this many comfortably
COMPANY_TITLES = ("VD", "Ägare", "Grundare", "Ekonomichef")


class World:
    def __init__(self, persons: int, seed: int, today: date, chunk: int = CHUNK_PERSONS) -> None:
        if not MIN_PERSONS <= persons <= MAX_PERSONS:
            raise ValueError(
                f"an estate has {MIN_PERSONS:,} to {MAX_PERSONS:,} persons, not {persons:,}"
            )
        self.persons = persons
        self.seed = seed
        self.chunk = chunk
        self.ctx = Context(seed, today, persons)
        self.people = People(seed)
        self.generated = persons - PLANTED_PEOPLE
        self.planted: tuple[Planted, ...] = ()

    def batches(self) -> Iterator[Batch]:
        """Each chunk's rows in turn; ``planted`` is set once the first one is out."""
        for start in range(0, self.generated, self.chunk):
            rng = Random(f"dataskydd-demo:{self.seed}:chunk:{start // self.chunk}")
            batch = Batch()
            if start == 0:
                self.planted = plant(self.ctx, batch)
            stop = min(start + self.chunk, self.generated)
            persons = [self.people.person(index, rng) for index in range(start, stop)]
            for person in persons:
                self.place(batch, rng, person, persons)
            yield batch

    def place(self, batch: Batch, rng: Random, person: Person, others: Sequence[Person]) -> None:
        ctx = self.ctx
        if person.role is Role.PROSPECT:
            orgnr, company = ctx.employer(rng)
            title = pools.pick(rng, pools.TITLES)
            in_crm = rng.random() < 0.7
            if in_crm:
                contacts.crm_contact(ctx, batch, rng, person, company_orgnr=orgnr, title=title)
            if not in_crm or rng.random() < 0.5:
                contacts.purchased_contact(ctx, batch, rng, person, company, title)
            if rng.random() < 0.02:
                applications.application(ctx, batch, rng, person, others)
            if rng.random() < 0.03:
                visits.chat_session(ctx, batch, rng, person)
        elif person.role is Role.PRIVATE_CUSTOMER:
            number = lending.private_customer(ctx, batch, rng, person, others)
            if rng.random() < 0.4:
                contacts.crm_contact(ctx, batch, rng, person, customer_number=number)
            if rng.random() < 0.05:
                visits.chat_session(ctx, batch, rng, person)
        elif person.role is Role.COMPANY_CUSTOMER:
            number, orgnr = lending.company_customer(ctx, batch, rng, person, others)
            if rng.random() < 0.6:
                contacts.crm_contact(
                    ctx,
                    batch,
                    rng,
                    person,
                    customer_number=number,
                    company_orgnr=orgnr,
                    title=pools.pick(rng, COMPANY_TITLES),
                )
            if rng.random() < 0.05:
                visits.chat_session(ctx, batch, rng, person)
        elif person.role is Role.APPLICANT:
            applications.application(ctx, batch, rng, person, others)
            if rng.random() < 0.1:
                visits.chat_session(ctx, batch, rng, person)
        else:
            chats = rng.random() < 0.7
            if chats:
                visits.chat_session(ctx, batch, rng, person)
            if not chats or rng.random() < 0.4:
                visits.contact_form(ctx, batch, rng, person)
