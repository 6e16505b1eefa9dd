"""The recruitment system: applications and the documents behind each decision."""

from __future__ import annotations

import sqlalchemy as sa

from dataskydd.demo.columns import (
    APPLICANT,
    DELETE,
    EMAIL,
    PHONE,
    PNR,
    REDACT,
    col,
    metadata,
    table,
    when,
)
from dataskydd.programme.vocab import RetentionTrigger

recruitment = metadata()

table(
    recruitment,
    "applicants",
    ["recruitment", "recruitment-legal-claims"],
    "Job applications and their outcome.",
    col(
        "applicant_number",
        sa.String(10),
        primary_key=True,
        category="recruitment",
        identity=APPLICANT,
        erasure=DELETE,
        description="R and seven digits",
    ),
    col(
        "personnummer",
        sa.String(13),
        nullable=False,
        category="identification.national_id",
        identity=PNR,
        provided=True,
        erasure=DELETE,
        description="YYYYMMDD-NNNN",
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
        description="070-1234567",
    ),
    col(
        "applied_at", when(), nullable=False, category="recruitment", provided=True, erasure=DELETE
    ),
    col(
        "position",
        sa.String(100),
        nullable=False,
        category="recruitment",
        provided=True,
        erasure=DELETE,
    ),
    col(
        "outcome",
        sa.String(10),
        nullable=False,
        category="recruitment",
        erasure=DELETE,
        description="rejected, hired or pending",
    ),
    col(
        "decided_at",
        when(),
        category="recruitment",
        erasure=DELETE,
        retention_trigger=RetentionTrigger.APPLICATION_DECIDED,
    ),
)

table(
    recruitment,
    "applicant_documents",
    ["recruitment", "recruitment-legal-claims"],
    "CVs, test results, referees' statements and criminal record extracts.",
    col("id", sa.Integer(), primary_key=True, erasure=DELETE),
    col(
        "applicant_number",
        sa.String(10),
        sa.ForeignKey("applicants.applicant_number"),
        nullable=False,
        category="recruitment",
        identity=APPLICANT,
        erasure=DELETE,
    ),
    col(
        "kind",
        sa.String(30),
        nullable=False,
        category="recruitment",
        erasure=DELETE,
        description="cv, test_result, reference_statement or criminal_record_extract",
    ),
    col(
        "content",
        sa.Text(),
        nullable=False,
        category="recruitment",
        provided=True,
        free_text=True,
        erasure=REDACT,
        description="the document's text; a referee's statement names the referee",
    ),
    col(
        "internal_assessment",
        sa.Text(),
        category="recruitment.test_results",
        internal_assessment=True,
        free_text=True,
        erasure=REDACT,
        description="the recruiter's assessment of a test result or a referee's statement",
    ),
)
