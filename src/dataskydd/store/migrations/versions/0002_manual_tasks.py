"""Manual tasks: a person looks through a system that cannot be queried.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "manual_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_key", sa.String(length=80), nullable=False),
        sa.Column("request_ref", sa.String(length=100), nullable=False),
        sa.Column("identities_ref", sa.Text(), nullable=False),
        sa.Column(
            "checklist",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("assignee", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f("ck_manual_tasks_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_tasks")),
        sa.UniqueConstraint(
            "system_key", "request_ref", name=op.f("uq_manual_tasks_system_key_request_ref")
        ),
    )
    op.create_index(op.f("ix_manual_tasks_status_due_date"), "manual_tasks", ["status", "due_date"])


def downgrade() -> None:
    op.drop_index(op.f("ix_manual_tasks_status_due_date"), table_name="manual_tasks")
    op.drop_table("manual_tasks")
