"""Alerts re-judged when the journal changes: when one was updated, who closed it, and what it
showed before.

Revision ID: 0007
Revises: 0006

Adds to ``alerts``: ``updated_at`` (the last time mitra changed what it shows), ``closed_by``
('mitra' when mitra closed it because the record no longer shows it; NULL when open or closed
by the person) and ``history`` (JSON: every earlier version shown, with when and why it
changed). Alerts that mitra closed for a deleted entry before this revision are marked as
closed by mitra, so an undo can reopen them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DELETED_NOTE = "closed by mitra: the entry it was about was deleted"


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("updated_at", UTCDateTime))
        batch.add_column(sa.Column("closed_by", sa.String(16)))
        batch.add_column(sa.Column("history", sa.Text))
    alerts = sa.table("alerts", sa.column("ack_note", sa.Text), sa.column("closed_by", sa.String))
    op.execute(alerts.update().where(alerts.c.ack_note == DELETED_NOTE).values(closed_by="mitra"))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("history")
        batch.drop_column("closed_by")
        batch.drop_column("updated_at")
