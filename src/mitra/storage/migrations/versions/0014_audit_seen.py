"""An index for "has a clinician seen this alert?" (the roster, issue 17).

Revision ID: 0014
Revises: 0013

A clinician marking an alert as seen appends an audit row (action ``seen``, the alert's id as
object id). The roster asks, for every open emergency of every journal on a clinician's list,
whether such a row exists: this partial index answers it by index, whatever the log's length.
No row changes; downgrading drops the index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_log_seen",
        "audit_log",
        ["journal_id", "object_id"],
        sqlite_where=sa.text("action = 'seen'"),
        postgresql_where=sa.text("action = 'seen'"),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_seen", table_name="audit_log")
