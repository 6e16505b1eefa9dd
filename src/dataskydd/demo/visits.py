"""Website rows: chats and contact forms, from the last three years.

The notice keeps both for twelve months; the estate holds three years of them, so a
retention sweep has something to find.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from random import Random

from dataskydd.demo import texts
from dataskydd.demo.context import Batch, Context
from dataskydd.demo.people import Person

WEBSITE_YEARS = 3
EMAIL_SHARE = 0.4  # visitors who leave an e-mail address when the chat opens


def chat_session(
    ctx: Context,
    batch: Batch,
    rng: Random,
    person: Person,
    *,
    started: datetime | None = None,
    leaves_email: bool | None = None,
    messages: Sequence[tuple[str, str]] | None = None,
) -> int:
    """A chat; ``leaves_email`` None lets chance decide whether the visitor gave one."""
    started = started or ctx.moment(rng, ctx.years_ago(WEBSITE_YEARS))
    if leaves_email is None:
        leaves_email = rng.random() < EMAIL_SHARE
    email = person.email if leaves_email else None
    session_id = ctx.ids("chat_sessions")
    batch.add(
        "website",
        "chat_sessions",
        id=session_id,
        started_at=started,
        email=email,
        visitor_id=f"v-{rng.getrandbits(64):016x}",
    )
    sent = started
    for sender, message in messages or texts.chat(
        rng, person.personnummer, person.email, person.phone
    ):
        sent += timedelta(seconds=rng.randint(15, 240))
        batch.add(
            "website",
            "chat_messages",
            id=ctx.ids("chat_messages"),
            session_id=session_id,
            sent_at=sent,
            sender=sender,
            message=message,
        )
    return session_id


def contact_form(ctx: Context, batch: Batch, rng: Random, person: Person) -> None:
    phone = texts.phone_as_written(rng, person.phone) if rng.random() < 0.6 else None
    batch.add(
        "website",
        "contact_forms",
        id=ctx.ids("contact_forms"),
        submitted_at=ctx.moment(rng, ctx.years_ago(WEBSITE_YEARS)),
        name=person.name,
        email=person.email,
        phone=phone,
        message=texts.contact_form(rng, person.personnummer),
    )
