"""Indexes for the lookups of window-bounded work (issue 14), so their cost follows the
window, not the years of history.

Revision ID: 0010
Revises: 0009

* ``ix_entries_kind_at``: the newest entry of a kind before a moment (``last_entry``) and a
  window of one kind (``list_entries(kinds=...)``);
* ``ix_entries_recorded_at``: the product of the dose recorded last (``last_dose_product``);
* ``ix_entries_deleted``: the few deleted entries (``deleted_ids``), partial so it holds only
  them;
* ``ix_assessments_at``: the check-ins of a window, whatever the instrument (re-judging);

Only indexes: nothing is rewritten, and downgrading drops them again. The same ``Index``
objects are declared in ``storage/schema.py``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entries_kind_at", "entries", ["kind", "at"])
    op.create_index("ix_entries_recorded_at", "entries", ["recorded_at"])
    op.create_index(
        "ix_entries_deleted",
        "entries",
        ["deleted_at"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.create_index("ix_assessments_at", "assessments", ["at"])


def downgrade() -> None:
    op.drop_index("ix_assessments_at", table_name="assessments")
    op.drop_index("ix_entries_deleted", table_name="entries")
    op.drop_index("ix_entries_recorded_at", table_name="entries")
    op.drop_index("ix_entries_kind_at", table_name="entries")
