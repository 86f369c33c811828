"""The database schema as SQLAlchemy Core tables, mirrored by the Alembic migrations.

Invariants: every personal table (all but ``journals``) carries ``journal_id``, the journal
(tenant) a row belongs to; its uniques are per journal and its indexes begin with
``journal_id`` (``storage.journal_scope``; migration 0011), so a store scoped to one journal
searches its own rows only, and a distributed database can keep a journal's rows together.
Every ``*_at`` column holds a UTC instant (``UTCDateTime`` refuses naive values and
always returns aware ones, on SQLite and PostgreSQL alike); nothing is ever deleted from
``entries`` by the application: a deletion is a ``deleted_at`` mark plus an ``actions`` row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator

from mitra.storage import postgresql_options

# Before any table is built: PostgreSQL's options checked without importing its dialect.
postgresql_options.declare()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage; times must be timezone-aware")
        utc = value.astimezone(UTC)
        # SQLite has no time zone type: keep naive UTC text there, aware values elsewhere.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

# The journals (tenants) the database holds; the local app's is journal 1 (migration 0011).
journals = Table(
    "journals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
)


def journal_column(table: str) -> Column[int]:
    """The ``journal_id`` a personal table's rows carry (its foreign key named per table)."""
    return Column(
        "journal_id",
        Integer,
        ForeignKey("journals.id", name=f"fk_{table}_journal"),
        nullable=False,
    )


products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    journal_column("products"),
    Column("name", String(80), nullable=False),
    Column("name_key", String(80), nullable=False),
    Column("form", String(16), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("mitragynine_typical", Float(53), nullable=False),
    Column("mitragynine_low", Float(53), nullable=False),
    Column("mitragynine_high", Float(53), nullable=False),
    Column("seven_oh_typical", Float(53), nullable=False),
    Column("seven_oh_low", Float(53), nullable=False),
    Column("seven_oh_high", Float(53), nullable=False),
    Column("potency_source", String(16), nullable=False),
    Column("potency_why", Text, nullable=False),
    Column("potency_sources", Text, nullable=False),
    Column("unit_mass_g", Float(53)),
    Column("scoop_g", Float(53)),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("journal_id", "name_key", name="uq_products_name_key"),
)

entries = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True),
    journal_column("entries"),
    # A stable id for sync and idempotency (migration 0011), given by the store on insert.
    Column("uuid", String(36), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("note", Text),
    Column("deleted_at", UTCDateTime),
    UniqueConstraint("journal_id", "uuid", name="uq_entries_uuid"),
    Index("ix_entries_at", "journal_id", "at"),
    # Lookups of window-bounded work (migration 0010): the newest of a kind before a moment,
    # the dose recorded last, and the few deleted entries (partial: only those rows).
    Index("ix_entries_kind_at", "journal_id", "kind", "at"),
    Index("ix_entries_recorded_at", "journal_id", "recorded_at"),
    Index(
        "ix_entries_deleted",
        "journal_id",
        "deleted_at",
        sqlite_where=text("deleted_at IS NOT NULL"),
        postgresql_where=text("deleted_at IS NOT NULL"),
    ),
)

doses = Table(
    "doses",
    metadata,
    Column("entry_id", Integer, ForeignKey("entries.id"), primary_key=True),
    journal_column("doses"),
    Column("product_id", Integer, ForeignKey("products.id")),
    Column("product_name", String(80), nullable=False),
    Column("form", String(16), nullable=False),
    Column("amount", Float(53), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("mitragynine_typical", Float(53), nullable=False),
    Column("mitragynine_low", Float(53), nullable=False),
    Column("mitragynine_high", Float(53), nullable=False),
    Column("seven_oh_typical", Float(53), nullable=False),
    Column("seven_oh_low", Float(53), nullable=False),
    Column("seven_oh_high", Float(53), nullable=False),
    Column("product_mass_g", Float(53)),
    Column("explanation", Text, nullable=False),
)

substance_uses = Table(
    "substance_uses",
    metadata,
    Column("entry_id", Integer, ForeignKey("entries.id"), primary_key=True),
    journal_column("substance_uses"),
    Column("substance_id", String(100), nullable=False),
    Column("name", String(80), nullable=False),
    Column("substance_class", String(20), nullable=False),
    Column("amount", Float(53), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("route", String(16)),
    Column("mme", Float(53)),
)

symptom_reports = Table(
    "symptom_reports",
    metadata,
    Column("entry_id", Integer, ForeignKey("entries.id"), primary_key=True),
    journal_column("symptom_reports"),
    Column("symptom_id", String(40), nullable=False),
    Column("severity", Integer, nullable=False),
    # What the person typed, when the symptom was read from their own words (migration 0005).
    Column("said", Text),
)

profile = Table(
    "profile",
    metadata,
    Column("id", Integer, primary_key=True),
    journal_column("profile"),
    Column("timezone", String(64), nullable=False),
    Column("pregnant", Boolean),
    Column("breastfeeding", Boolean),
    Column("medications", Text, nullable=False),
    Column("goals", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("naloxone", Boolean),
    Column("naloxone_expires", Date),
    UniqueConstraint("journal_id", name="uq_profile_journal"),  # one profile per journal
)

actions = Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True),
    journal_column("actions"),
    Column("at", UTCDateTime, nullable=False),
    Column("action", String(16), nullable=False),
    Column("entry_id", Integer, ForeignKey("entries.id"), nullable=False),
    Column("undone", Boolean, nullable=False, default=False),
)

# Withdrawal check-ins (issue 3). A score is kept with every item answer, so a report can show
# what drove it; the version of the instrument that scored it is kept beside the total.
assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True),
    journal_column("assessments"),
    Column("instrument_id", String(40), nullable=False),
    Column("instrument_version", String(16), nullable=False),
    Column("total", Integer, nullable=False),
    Column("band", String(40)),
    Column("rater", String(16), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("note", Text),
    Column("deleted_at", UTCDateTime),
    Column("pulse_bpm", Float(53)),
    CheckConstraint("rater IN ('self', 'clinician')", name="ck_assessments_rater"),
    Index("ix_assessments_instrument_at", "journal_id", "instrument_id", "at"),
    # The check-ins of a window whatever the instrument (re-judging; migration 0010).
    Index("ix_assessments_at", "journal_id", "at"),
)

assessment_items = Table(
    "assessment_items",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id"), primary_key=True),
    journal_column("assessment_items"),
    Column("item_id", String(40), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("score", Integer, nullable=False),
    CheckConstraint("score >= 0", name="ck_assessment_items_score"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    journal_column("alerts"),
    Column("key", String(200), nullable=False),
    Column("rule_id", String(80), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("advice", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("entry_ids", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime),
    Column("ack_note", Text),
    # Re-judging (issue 11, migration 0007): the last change mitra made, 'mitra' when mitra
    # closed it, and every earlier version shown (JSON), so nothing shown is ever lost.
    Column("updated_at", UTCDateTime),
    Column("closed_by", String(16)),
    Column("history", Text),
    UniqueConstraint("journal_id", "key", name="uq_alerts_key"),
    Index("ix_alerts_at", "journal_id", "at"),
    # Open alerts only (migration 0009): counts, the urgent banner and the paged list read
    # this index, so their cost follows what is open, not the years of history.
    Index(
        "ix_alerts_open",
        "journal_id",
        "severity",
        "at",
        "key",
        "acknowledged_at",  # NULL in every row: it makes the index cover (alert_store)
        sqlite_where=text("acknowledged_at IS NULL"),
        postgresql_where=text("acknowledged_at IS NULL"),
    ),
)

# Plans (issue 5). A plan's schedule is kept per revision: a gating decision that changes it
# writes the whole new schedule as a new revision and leaves the older ones untouched, so the
# history can be audited. Only the plan's head (status, current revision and step) is updated.
# At most one plan is active at a time in a journal, enforced by a partial unique index on both
# backends.
plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    journal_column("plans"),
    Column("kind", String(16), nullable=False),
    Column("strategy", String(24), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("end_reason", Text),
    Column("settings", Text, nullable=False),
    Column("limit_dose_max_mg", Float(53), nullable=False),
    Column("limit_daily_max_mg", Float(53), nullable=False),
    Column("limit_doses_per_day_max", Integer, nullable=False),
    Column("limit_min_interval_h", Float(53), nullable=False),
    Column("settle_days", Integer, nullable=False),
    Column("alternatives", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("sources", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("current_step", Integer, nullable=False),
    CheckConstraint("kind IN ('titration', 'taper')", name="ck_plans_kind"),
    CheckConstraint("status IN ('active', 'ended')", name="ck_plans_status"),
    Index(
        "uq_plans_one_active",
        "journal_id",
        unique=True,
        sqlite_where=text("status = 'active'"),
        postgresql_where=text("status = 'active'"),
    ),
)

plan_steps = Table(
    "plan_steps",
    metadata,
    Column("plan_id", Integer, ForeignKey("plans.id"), primary_key=True),
    journal_column("plan_steps"),
    Column("revision", Integer, primary_key=True),
    Column("step_index", Integer, primary_key=True),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("dose_max_mg", Float(53), nullable=False),
    Column("daily_max_mg", Float(53), nullable=False),
    Column("doses_per_day_max", Integer, nullable=False),
    Column("min_interval_h", Float(53), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", Text, nullable=False),
)

# One row per event in a plan's life: created, each gating decision (advance, hold, step-back;
# a repeat of the same decision on the same day is not stored twice), an explicit step-back,
# and the end. ``revision`` is the schedule in force after the event.
plan_events = Table(
    "plan_events",
    metadata,
    Column("id", Integer, primary_key=True),
    journal_column("plan_events"),
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("day", Date, nullable=False),
    Column("event", String(16), nullable=False),
    Column("cause", String(24)),
    Column("reason", Text, nullable=False),
    Column("from_step", Integer),
    Column("to_step", Integer),
    Column("revision", Integer, nullable=False),
    Index("ix_plan_events_plan", "journal_id", "plan_id", "id"),
)

# Idempotency keys (issue 13): the key of a write request, its fingerprint, and the response
# given, so a retry is answered again instead of carried out twice (``storage.idempotency``).
# A key is the journal's: two journals' clients may send the same key.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column(
        "journal_id",
        Integer,
        ForeignKey("journals.id", name="fk_idempotency_keys_journal"),
        primary_key=True,
    ),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer),
    Column("response", Text),
    Column("content_type", String(100)),
    Column("location", Text),
    Column("created_at", UTCDateTime, nullable=False),
)

# What a local journal has sent to a clinic server (``mitra share push``, issue 17): for each
# server (its normalised address), the last entry and the last action of the journal's action
# log that the server acknowledged (``storage.push_store``). Device state, not journal
# content: never exported, never pushed.
push_marks = Table(
    "push_marks",
    metadata,
    Column(
        "journal_id",
        Integer,
        ForeignKey("journals.id", name="fk_push_marks_journal"),
        primary_key=True,
    ),
    Column("target", String(300), primary_key=True),
    Column("last_entry_id", Integer, nullable=False),
    Column("last_action_id", Integer, nullable=False),
    Column("pushed_at", UTCDateTime, nullable=False),
)
