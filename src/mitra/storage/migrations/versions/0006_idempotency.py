"""Idempotency keys: a retried API write (or a double-submitted form) is stored once.

Revision ID: 0006
Revises: 0005

Adds ``idempotency_keys``: the key a client sent, a fingerprint of the request it came with,
and (once known) the response that was given, so a retry is answered with the same response
instead of being carried out again. Existing tables are untouched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("response", sa.Text),
        sa.Column("content_type", sa.String(100)),
        sa.Column("location", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
