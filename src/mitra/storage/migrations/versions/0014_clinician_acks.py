"""A clinician's acknowledgement of an alert, kept apart from the person's own (issue 17).

Revision ID: 0014
Revises: 0013

One new table, ``clinician_acks`` (``storage/clinic_tables.py`` declares the same): who of the
care team marked which alert of which journal as seen, when, and their note for the person.
Its unique key (journal, alert, clinician) leads with the journal, so "has a clinician seen
this alert?" is one index probe. No existing row changes; downgrading drops the table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinician_acks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "journal_id",
            sa.Integer,
            sa.ForeignKey("journals.id", name="fk_clinician_acks_journal"),
            nullable=False,
        ),
        sa.Column(
            "alert_id",
            sa.Integer,
            sa.ForeignKey("alerts.id", name="fk_clinician_acks_alert"),
            nullable=False,
        ),
        sa.Column(
            "clinician_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_clinician_acks_clinician"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("journal_id", "alert_id", "clinician_id", name="uq_clinician_acks"),
    )


def downgrade() -> None:
    op.drop_table("clinician_acks")
