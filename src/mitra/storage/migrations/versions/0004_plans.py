"""Titration and taper plans: the plan, its schedule per revision, and every event.

Revision ID: 0004
Revises: 0003

Adds ``plans`` (one row per plan; at most one active, by a partial unique index that SQLite and
PostgreSQL both support), ``plan_steps`` (the whole schedule, kept per revision so a rewritten
schedule never replaces the old one) and ``plan_events`` (created, each gating decision, each
step-back, the end; with its reason and time). Existing tables are untouched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("strategy", sa.String(24), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime),
        sa.Column("end_reason", sa.Text),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("limit_dose_max_mg", sa.Float(53), nullable=False),
        sa.Column("limit_daily_max_mg", sa.Float(53), nullable=False),
        sa.Column("limit_doses_per_day_max", sa.Integer, nullable=False),
        sa.Column("limit_min_interval_h", sa.Float(53), nullable=False),
        sa.Column("settle_days", sa.Integer, nullable=False),
        sa.Column("alternatives", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("current_step", sa.Integer, nullable=False),
        sa.CheckConstraint("kind IN ('titration', 'taper')", name="ck_plans_kind"),
        sa.CheckConstraint("status IN ('active', 'ended')", name="ck_plans_status"),
    )
    op.create_index(
        "uq_plans_one_active",
        "plans",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "plan_steps",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("step_index", sa.Integer, primary_key=True),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("dose_max_mg", sa.Float(53), nullable=False),
        sa.Column("daily_max_mg", sa.Float(53), nullable=False),
        sa.Column("doses_per_day_max", sa.Integer, nullable=False),
        sa.Column("min_interval_h", sa.Float(53), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "plan_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("cause", sa.String(24)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("from_step", sa.Integer),
        sa.Column("to_step", sa.Integer),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.create_index("ix_plan_events_plan", "plan_events", ["plan_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_plan_events_plan", table_name="plan_events")
    op.drop_table("plan_events")
    op.drop_table("plan_steps")
    op.drop_index("uq_plans_one_active", table_name="plans")
    op.drop_table("plans")
