"""Withdrawal check-ins: scored assessments and their item answers.

Revision ID: 0002
Revises: 0001

Adds ``assessments`` (one row per scored check-in) and ``assessment_items`` (one row per item
answer, keyed by assessment and item id). Existing journal tables are untouched, so a journal
at 0001 keeps every entry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("instrument_id", sa.String(40), nullable=False),
        sa.Column("instrument_version", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("band", sa.String(40)),
        sa.Column("rater", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("deleted_at", UTCDateTime),
        sa.CheckConstraint("rater IN ('self', 'clinician')", name="ck_assessments_rater"),
    )
    op.create_index("ix_assessments_instrument_at", "assessments", ["instrument_id", "at"])
    op.create_table(
        "assessment_items",
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("assessments.id"), primary_key=True),
        sa.Column("item_id", sa.String(40), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.CheckConstraint("score >= 0", name="ck_assessment_items_score"),
    )


def downgrade() -> None:
    op.drop_table("assessment_items")
    op.drop_index("ix_assessments_instrument_at", table_name="assessments")
    op.drop_table("assessments")
