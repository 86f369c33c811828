"""STAND-IN for the tenant work: the ``journals`` table only.

Revision ID: 0011
Revises: 0010

The real 0011 (branch ``tenant``) also puts ``journal_id`` on every personal table and creates
journal 1; this stand-in creates the table alone so the clinic work can build on it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("journals")
