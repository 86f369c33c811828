"""Symptoms in the person's own words: ``symptom_reports.said``.

Revision ID: 0005
Revises: 0004

Adds one nullable text column holding what the person typed when mitra read a symptom from
free text (and, for symptom id "other", the only record of what they said). Existing rows keep
NULL: they were logged by catalogue name. Batch mode so SQLite can drop the column again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("symptom_reports") as batch:
        batch.add_column(sa.Column("said", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("symptom_reports") as batch:
        batch.drop_column("said")
