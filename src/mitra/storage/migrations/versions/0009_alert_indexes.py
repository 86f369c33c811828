"""The partial index on open alerts (issue 14): counts, "is an urgent alert open?" and the
grouped, paged alerts list read only the open alerts, through this index, never the table.

Revision ID: 0009
Revises: 0008

``ix_alerts_open`` holds (severity, at, key) of the alerts not yet acknowledged, on SQLite
and PostgreSQL alike (a partial index on both). An acknowledged alert leaves the index, so
its size follows what is open, not the years of history. No data changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OPEN = sa.text("acknowledged_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_alerts_open",
        "alerts",
        ["severity", "at", "key"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_alerts_open", table_name="alerts")
