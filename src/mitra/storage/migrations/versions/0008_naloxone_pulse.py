"""Naloxone at hand (``profile.naloxone``, ``profile.naloxone_expires``) and the resting pulse
given with a check-in (``assessments.pulse_bpm``).

Revision ID: 0008
Revises: 0007

Nullable columns: whether the person has naloxone (NULL: not said, which the safety engine
treats as "no") and its expiry date; the beats a minute a COWS pulse was scored from (the item
score stops at "over 120", the fast-pulse rule needs the number, and a re-judged day must find
it). Existing rows keep NULL. Batch mode so SQLite can drop the columns again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("profile") as batch:
        batch.add_column(sa.Column("naloxone", sa.Boolean, nullable=True))
        batch.add_column(sa.Column("naloxone_expires", sa.Date, nullable=True))
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("pulse_bpm", sa.Float(53), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("pulse_bpm")
    with op.batch_alter_table("profile") as batch:
        batch.drop_column("naloxone_expires")
        batch.drop_column("naloxone")
