"""The person's standing: identities as keyed hashes, restriction, objection, consent,
suppression, erasure runs (their persons and batches), legal holds, the audit log, API tokens.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "scopes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_ref", sa.String(length=36), nullable=True),
        sa.Column(
            "details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_events_subject_ref"), ["subject_ref"], unique=False
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_ref", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consents_subject_ref_purpose"), ["subject_ref", "purpose"], unique=False
        )

    op.create_table(
        "erasure_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_ref", sa.String(length=36), nullable=True),
        sa.Column("ground", sa.String(length=80), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("plan", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column(
            "summary", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('planned', 'running', 'verified', 'failed')",
            name=op.f("ck_erasure_runs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_runs")),
    )
    with op.batch_alter_table("erasure_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasure_runs_subject_ref"), ["subject_ref"], unique=False
        )

    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_ref", sa.String(length=36), nullable=False),
        sa.Column("case_ref", sa.String(length=200), nullable=False),
        sa.Column(
            "systems", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_by", sa.Text(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.Text(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_holds_subject_ref_released_at"),
            ["subject_ref", "released_at"],
            unique=False,
        )

    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_ref", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("direct_marketing", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("override_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("override_by", sa.Text(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objections_subject_ref_purpose"),
            ["subject_ref", "purpose"],
            unique=False,
        )

    op.create_table(
        "restrictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_ref", sa.String(length=36), nullable=False),
        sa.Column(
            "categories", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.Text(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restrictions")),
    )
    with op.batch_alter_table("restrictions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_restrictions_subject_ref_lifted_at"),
            ["subject_ref", "lifted_at"],
            unique=False,
        )

    op.create_table(
        "subject_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_ref", sa.String(length=36), nullable=False),
        sa.Column("identity_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_identities")),
        sa.UniqueConstraint(
            "subject_ref",
            "identity_hash",
            name=op.f("uq_subject_identities_subject_ref_identity_hash"),
        ),
    )
    with op.batch_alter_table("subject_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_identities_identity_hash"), ["identity_hash"], unique=False
        )

    op.create_table(
        "suppression",
        sa.Column("identity_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("identity_hash", name=op.f("pk_suppression")),
    )
    op.create_table(
        "erasure_batches",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("system_key", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["erasure_runs.id"],
            name=op.f("fk_erasure_batches_run_id_erasure_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "system_key", "seq", name=op.f("pk_erasure_batches")),
    )
    op.create_table(
        "erasure_subjects",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("subject_ref", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["erasure_runs.id"],
            name=op.f("fk_erasure_subjects_run_id_erasure_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "subject_ref", name=op.f("pk_erasure_subjects")),
    )
    with op.batch_alter_table("erasure_subjects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasure_subjects_subject_ref"), ["subject_ref"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("erasure_subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_subjects_subject_ref"))

    op.drop_table("erasure_subjects")
    op.drop_table("erasure_batches")
    op.drop_table("suppression")
    with op.batch_alter_table("subject_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_identities_identity_hash"))

    op.drop_table("subject_identities")
    with op.batch_alter_table("restrictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_restrictions_subject_ref_lifted_at"))

    op.drop_table("restrictions")
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_subject_ref_purpose"))

    op.drop_table("objections")
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_holds_subject_ref_released_at"))

    op.drop_table("legal_holds")
    with op.batch_alter_table("erasure_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_runs_subject_ref"))

    op.drop_table("erasure_runs")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_subject_ref_purpose"))

    op.drop_table("consents")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_subject_ref"))

    op.drop_table("audit_events")
    op.drop_table("api_tokens")
