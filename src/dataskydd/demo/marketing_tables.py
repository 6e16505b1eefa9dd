"""The marketing system: contact lists bought for direct marketing."""

from __future__ import annotations

import sqlalchemy as sa

from dataskydd.demo.columns import DELETE, EMAIL, PHONE, col, metadata, table, when
from dataskydd.programme.vocab import RetentionTrigger

marketing = metadata()

table(
    marketing,
    "purchased_contacts",
    ["marketing-analysis"],
    "Contact lists bought for marketing: people in the businesses Almi serves.",
    col("id", sa.Integer(), primary_key=True, erasure=DELETE),
    col("list_name", sa.String(100), nullable=False, erasure=DELETE),
    col(
        "purchased_at",
        when(),
        nullable=False,
        erasure=DELETE,
        retention_trigger=RetentionTrigger.LAST_CONTACT,
    ),
    col("name", sa.String(200), nullable=False, category="identification.name", erasure=DELETE),
    col("email", sa.String(254), category="contact.email", identity=EMAIL, erasure=DELETE),
    col(
        "phone",
        sa.String(20),
        category="contact.phone",
        identity=PHONE,
        erasure=DELETE,
        description="0701234567",
    ),
    col("company_name", sa.String(200), category="financial.company_connections", erasure=DELETE),
    col("title", sa.String(100), category="profile.occupation", erasure=DELETE),
)
