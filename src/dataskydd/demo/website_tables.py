"""The website: chats and contact forms from almi.se."""

from __future__ import annotations

import sqlalchemy as sa

from dataskydd.demo.columns import DELETE, EMAIL, PHONE, REDACT, col, metadata, table, when
from dataskydd.programme.vocab import RetentionTrigger

website = metadata()

table(
    website,
    "chat_sessions",
    ["enquiries"],
    "Chats on almi.se; the visitor may leave an e-mail address.",
    col("id", sa.Integer(), primary_key=True, erasure=DELETE),
    col(
        "started_at",
        when(),
        nullable=False,
        category="communication.chat",
        erasure=DELETE,
        retention_trigger=RetentionTrigger.COLLECTED,
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
        "visitor_id",
        sa.String(40),
        nullable=False,
        category="online.cookie_id",
        erasure=DELETE,
        description="the chat widget's cookie",
    ),
)

table(
    website,
    "chat_messages",
    ["enquiries"],
    "What the visitor and Almi's agent wrote in a chat.",
    col("id", sa.Integer(), primary_key=True, erasure=DELETE),
    col(
        "session_id",
        sa.Integer(),
        sa.ForeignKey("chat_sessions.id"),
        nullable=False,
        erasure=DELETE,
    ),
    col(
        "sent_at",
        when(),
        nullable=False,
        category="communication.chat",
        erasure=DELETE,
        retention_trigger=RetentionTrigger.COLLECTED,
    ),
    col(
        "sender",
        sa.String(10),
        nullable=False,
        category="communication.chat",
        erasure=DELETE,
        description="visitor or agent",
    ),
    col(
        "message",
        sa.Text(),
        nullable=False,
        category="communication.chat",
        provided=True,
        free_text=True,
        erasure=REDACT,
        description="as typed: personnummer, e-mail and phone in any written form",
    ),
)

table(
    website,
    "contact_forms",
    ["enquiries"],
    "Messages sent through the contact form on almi.se.",
    col("id", sa.Integer(), primary_key=True, erasure=DELETE),
    col(
        "submitted_at",
        when(),
        nullable=False,
        category="communication.contact_form",
        erasure=DELETE,
        retention_trigger=RetentionTrigger.COLLECTED,
    ),
    col(
        "name",
        sa.String(200),
        nullable=False,
        category="identification.name",
        provided=True,
        erasure=DELETE,
    ),
    col(
        "email",
        sa.String(254),
        nullable=False,
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
        description="as typed",
    ),
    col(
        "message",
        sa.Text(),
        nullable=False,
        category="communication.contact_form",
        provided=True,
        free_text=True,
        erasure=REDACT,
    ),
)
