"""The CRM: contacts, what was said with them, and their marketing consents."""

from __future__ import annotations

import sqlalchemy as sa

from dataskydd.datamap.schema import Reference
from dataskydd.demo.columns import (
    DELETE,
    EMAIL,
    HASH,
    ORGNR,
    PHONE,
    REDACT,
    col,
    metadata,
    table,
    when,
)
from dataskydd.programme.vocab import RetentionTrigger

crm = metadata()

table(
    crm,
    "contacts",
    ["contract", "marketing-analysis", "consent"],
    "People Almi talks to: customers' contacts and prospects.",
    col("contact_id", sa.Integer(), primary_key=True, erasure=DELETE),
    col(
        # The customer this contact is about, often a company the person works for: a
        # reference, not the person's own identity (contacts are found by e-mail and phone).
        "customer_number",
        sa.String(10),
        category="identification",
        erasure=DELETE,
        references=Reference(system="core", table="customers", column="customer_number"),
    ),
    col(
        "email",
        sa.String(254),
        category="contact.email",
        identity=EMAIL,
        provided=True,
        erasure=DELETE,
    ),
    col(
        "phone",
        sa.String(20),
        category="contact.phone",
        identity=PHONE,
        provided=True,
        erasure=DELETE,
        description="070-123 45 67",
    ),
    col(
        "name",
        sa.String(200),
        nullable=False,
        category="identification.name",
        provided=True,
        erasure=DELETE,
    ),
    col("title", sa.String(100), category="profile.occupation", provided=True, erasure=DELETE),
    col(
        "company_orgnr",
        sa.String(11),
        category="financial.company_connections",
        identity=ORGNR,
        subject=False,
        erasure=DELETE,
        description="the company the contact works for, NNNNNN-NNNN",
    ),
)

table(
    crm,
    "interactions",
    ["contract", "marketing-analysis"],
    "Calls, meetings and e-mails with a contact, with the adviser's notes.",
    col("id", sa.Integer(), primary_key=True, erasure=DELETE),
    col(
        "contact_id",
        sa.Integer(),
        sa.ForeignKey("contacts.contact_id"),
        nullable=False,
        erasure=DELETE,
    ),
    col(
        "occurred_at",
        when(),
        nullable=False,
        category="relationship.interactions",
        erasure=DELETE,
        retention_trigger=RetentionTrigger.LAST_CONTACT,
    ),
    col(
        "channel",
        sa.String(20),
        nullable=False,
        category="relationship.interactions",
        erasure=DELETE,
        description="phone, email, meeting, event or chat",
    ),
    col(
        "notes",
        sa.Text(),
        category="relationship.interactions",
        free_text=True,
        erasure=REDACT,
        description="the adviser's notes; sometimes a personnummer or phone number",
    ),
)

table(
    crm,
    "marketing_consents",
    ["consent"],
    "Consents to marketing by e-mail, and their withdrawal.",
    col("id", sa.Integer(), primary_key=True),
    col(
        "email",
        sa.String(254),
        nullable=False,
        category="contact.email",
        identity=EMAIL,
        provided=True,
        erasure=HASH,
        description="hashed on erasure, so a withdrawal still suppresses the address",
    ),
    col(
        "purpose",
        sa.String(40),
        nullable=False,
        provided=True,
        description="newsletter, events or offers",
    ),
    col("given_at", when(), nullable=False),
    col("withdrawn_at", when(), retention_trigger=RetentionTrigger.CONSENT_WITHDRAWN),
)
