"""What a local journal has sent to each clinic server (``mitra share push``, issue 17).

Revision ID: 0013
Revises: 0012

One new table, ``push_marks`` (``storage/schema.py`` declares the same): per journal and
server, the last entry and action acknowledged. No existing row changes; downgrading drops it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_marks",
        sa.Column(
            "journal_id",
            sa.Integer,
            sa.ForeignKey("journals.id", name="fk_push_marks_journal"),
            primary_key=True,
        ),
        sa.Column("target", sa.String(300), primary_key=True),
        sa.Column("last_entry_id", sa.Integer, nullable=False),
        sa.Column("last_action_id", sa.Integer, nullable=False),
        sa.Column("pushed_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("push_marks")
