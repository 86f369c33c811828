"""Acting for a person (issue 17): clinicians' notes, limits for one person, plan authors.

Revision ID: 0015
Revises: 0014

Three new tables (``storage/clinic_tables.py`` declares the same): ``care_notes`` (the author,
when, the text, and whether it is private to the care team: the person sees every other
note) and ``journal_limits`` (safety thresholds a clinician made stricter for one person,
append-only, the newest in force) and ``plan_authors`` (who of the care team made or
stepped back a plan). No existing row changes; downgrading drops the three.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "journal_id",
            sa.Integer,
            sa.ForeignKey("journals.id", name="fk_care_notes_journal"),
            nullable=False,
        ),
        sa.Column(
            "author_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_care_notes_author"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("private", sa.Boolean, nullable=False),
    )
    op.create_index("ix_care_notes_journal_at", "care_notes", ["journal_id", "at"])
    op.create_table(
        "journal_limits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "journal_id",
            sa.Integer,
            sa.ForeignKey("journals.id", name="fk_journal_limits_journal"),
            nullable=False,
        ),
        sa.Column("overrides", sa.Text, nullable=False),
        sa.Column(
            "set_by",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_journal_limits_set_by"),
            nullable=False,
        ),
        sa.Column("set_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_journal_limits_journal", "journal_limits", ["journal_id", "id"])

    op.create_table(
        "plan_authors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "journal_id",
            sa.Integer,
            sa.ForeignKey("journals.id", name="fk_plan_authors_journal"),
            nullable=False,
        ),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("plans.id", name="fk_plan_authors_plan"),
            nullable=False,
        ),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column(
            "author_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_plan_authors_author"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.CheckConstraint("action IN ('created', 'step-back')", name="ck_plan_authors_action"),
    )
    op.create_index("ix_plan_authors_plan", "plan_authors", ["journal_id", "plan_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_authors_plan", table_name="plan_authors")
    op.drop_table("plan_authors")
    op.drop_index("ix_journal_limits_journal", table_name="journal_limits")
    op.drop_table("journal_limits")
    op.drop_index("ix_care_notes_journal_at", table_name="care_notes")
    op.drop_table("care_notes")
