"""Published programme versions.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programme_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_key", sa.String(length=80), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("significant_change", sa.Boolean(), nullable=False),
        sa.Column("change_summary_sv", sa.Text(), nullable=True),
        sa.Column("change_summary_en", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Text(), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("notice_sv", sa.Text(), nullable=False),
        sa.Column("notice_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_versions")),
        sa.UniqueConstraint(
            "programme_key", "version", name=op.f("uq_programme_versions_programme_key_version")
        ),
    )
    op.create_index(
        op.f("ix_programme_versions_programme_key_effective_date"),
        "programme_versions",
        ["programme_key", "effective_date"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_programme_versions_programme_key_effective_date"),
        table_name="programme_versions",
    )
    op.drop_table("programme_versions")
