"""The journal: products, entries (doses, substance uses, symptoms), profile, actions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _range(prefix: str) -> list[sa.Column[float]]:
    return [
        sa.Column(f"{prefix}_{part}", sa.Float(53), nullable=False)
        for part in ("typical", "low", "high")
    ]


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(80), nullable=False, unique=True),
        sa.Column("form", sa.String(16), nullable=False),
        sa.Column("basis", sa.String(16), nullable=False),
        *_range("mitragynine"),
        *_range("seven_oh"),
        sa.Column("potency_source", sa.String(16), nullable=False),
        sa.Column("potency_why", sa.Text, nullable=False),
        sa.Column("potency_sources", sa.Text, nullable=False),
        sa.Column("unit_mass_g", sa.Float(53)),
        sa.Column("scoop_g", sa.Float(53)),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("deleted_at", UTCDateTime),
    )
    op.create_index("ix_entries_at", "entries", ["at"])
    op.create_table(
        "doses",
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id"), primary_key=True),
        sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id")),
        sa.Column("product_name", sa.String(80), nullable=False),
        sa.Column("form", sa.String(16), nullable=False),
        sa.Column("amount", sa.Float(53), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        *_range("mitragynine"),
        *_range("seven_oh"),
        sa.Column("product_mass_g", sa.Float(53)),
        sa.Column("explanation", sa.Text, nullable=False),
    )
    op.create_table(
        "substance_uses",
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id"), primary_key=True),
        sa.Column("substance_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("substance_class", sa.String(20), nullable=False),
        sa.Column("amount", sa.Float(53), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("route", sa.String(16)),
        sa.Column("mme", sa.Float(53)),
    )
    op.create_table(
        "symptom_reports",
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id"), primary_key=True),
        sa.Column("symptom_id", sa.String(40), nullable=False),
        sa.Column("severity", sa.Integer, nullable=False),
    )
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("pregnant", sa.Boolean),
        sa.Column("breastfeeding", sa.Boolean),
        sa.Column("medications", sa.Text, nullable=False),
        sa.Column("goals", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id"), nullable=False),
        sa.Column("undone", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "actions",
        "profile",
        "symptom_reports",
        "substance_uses",
        "doses",
        "entries",
        "products",
    ):
        op.drop_table(table)
