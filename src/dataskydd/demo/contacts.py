"""CRM and marketing rows: contacts, what was said with them, consents, bought lists."""

from __future__ import annotations

from datetime import datetime
from random import Random

from dataskydd.demo import pools, texts
from dataskydd.demo.context import HISTORY_START, Batch, Context
from dataskydd.demo.identifiers import phone_forms
from dataskydd.demo.people import Person

CHANNELS = ("phone", "phone", "email", "email", "meeting", "event", "chat")
CONSENT_PURPOSES = ("newsletter", "events", "offers")
LIST_THEMES = (
    "Tillväxtföretag",
    "Nystartade aktiebolag",
    "Exportföretag",
    "Tillverkande industri",
    "Kvinnliga företagare",
    "Företag 10-49 anställda",
    "Lantbruksföretag",
    "Techbolag",
)
LIST_REGIONS = ("Stockholm", "Västra Götaland", "Skåne", "Norrland", "Mälardalen", "Småland")
MARKETING_HISTORY_START = datetime(2016, 1, 1)


def crm_contact(
    ctx: Context,
    batch: Batch,
    rng: Random,
    person: Person,
    *,
    customer_number: str | None = None,
    company_orgnr: str | None = None,
    title: str | None = None,
) -> int:
    """A contact with a few interactions and perhaps a marketing consent; its id."""
    contact_id = ctx.ids("contacts")
    batch.add(
        "crm",
        "contacts",
        contact_id=contact_id,
        customer_number=customer_number,
        email=person.email,
        phone=phone_forms(person.phone)["dashed"],
        name=person.name,
        title=title or pools.pick(rng, pools.TITLES),
        company_orgnr=company_orgnr,
    )
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4, 5))):
        interaction(
            ctx,
            batch,
            contact_id,
            ctx.moment(rng, HISTORY_START),
            pools.pick(rng, CHANNELS),
            texts.interaction_note(rng, person.personnummer, person.phone),
        )
    if rng.random() < 0.5:
        consent(ctx, batch, rng, person.email)
    return contact_id


def interaction(
    ctx: Context, batch: Batch, contact_id: int, at: datetime, channel: str, notes: str
) -> None:
    batch.add(
        "crm",
        "interactions",
        id=ctx.ids("interactions"),
        contact_id=contact_id,
        occurred_at=at,
        channel=channel,
        notes=notes,
    )


def consent(
    ctx: Context,
    batch: Batch,
    rng: Random,
    email: str,
    *,
    given: datetime | None = None,
    withdrawn: datetime | None = None,
) -> None:
    given = given or ctx.moment(rng, MARKETING_HISTORY_START)
    if withdrawn is None and rng.random() < 0.25:
        withdrawn = ctx.moment(rng, given)
    batch.add(
        "crm",
        "marketing_consents",
        id=ctx.ids("marketing_consents"),
        email=email,
        purpose=pools.pick(rng, CONSENT_PURPOSES),
        given_at=given,
        withdrawn_at=withdrawn,
    )


def purchased_contact(
    ctx: Context, batch: Batch, rng: Random, person: Person, company: str, title: str
) -> None:
    """A row of a bought list: the work address often, the private one sometimes."""
    purchased = ctx.moment(rng, MARKETING_HISTORY_START)
    if rng.random() < 0.3:
        first, last = pools.ascii_slug(person.first_name), pools.ascii_slug(person.last_name)
        email = f"{first}.{last}{person.index}@{pools.ascii_slug(company)}.se"
    else:
        email = person.email
    name = f"{pools.pick(rng, LIST_THEMES)} {pools.pick(rng, LIST_REGIONS)} {purchased.year}"
    batch.add(
        "marketing",
        "purchased_contacts",
        id=ctx.ids("purchased_contacts"),
        list_name=name,
        purchased_at=purchased,
        name=person.name,
        email=email,
        phone=person.phone if rng.random() < 0.7 else None,
        company_name=company,
        title=title,
    )
