"""Naloxone at hand: ``profile.naloxone`` and ``profile.naloxone_expires``.

Revision ID: 0008
Revises: 0007

Two nullable columns: whether the person has naloxone (NULL: not said, which the safety engine
treats as "no") and its expiry date. Existing profiles keep NULL. Batch mode so SQLite can drop
the columns again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("profile") as batch:
        batch.add_column(sa.Column("naloxone", sa.Boolean, nullable=True))
        batch.add_column(sa.Column("naloxone_expires", sa.Date, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profile") as batch:
        batch.drop_column("naloxone_expires")
        batch.drop_column("naloxone")
