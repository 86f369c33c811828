"""Plan rows on SQLite and PostgreSQL: a plan reads back as it was stored, one plan at most is
active (the database itself refuses a second), and old schedules stay on record."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from mitra.domain.plans import Limits, taper_plan
from mitra.storage import schema as t
from mitra.storage.database import Database
from mitra.storage.plan_store import PlanStore

AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
DAY = date(2026, 11, 20)
LIMITS = Limits(dose_max_mg=250, daily_max_mg=300, doses_per_day_max=3, min_interval_h=2)


def test_a_plan_reads_back_as_stored(database: Database) -> None:
    original = taper_plan(DAY, 120.0, LIMITS, created_at=AT, strategy="linear", doses_per_day=3)
    with database.transaction() as conn:
        stored = PlanStore(conn).add(original, at=AT, day=DAY, reason="new")
    with database.transaction() as conn:
        found = PlanStore(conn).get(stored.id)
    assert found is not None and found.plan == original and found.status == "active"


def test_the_database_refuses_a_second_active_plan(database: Database) -> None:
    original = taper_plan(DAY, 120.0, LIMITS, created_at=AT)
    with database.transaction() as conn:
        store = PlanStore(conn)
        first = store.add(original, at=AT, day=DAY, reason="new")
        with pytest.raises(ValueError, match="already active"):
            store.add(original, at=AT, day=DAY, reason="again")
        store.end(first, at=AT, day=DAY, reason="replaced")
        store.add(original, at=AT, day=DAY, reason="again")
    with pytest.raises(IntegrityError), database.transaction() as conn:
        conn.execute(update(t.plans).where(t.plans.c.id == first.id).values(status="active"))


def test_a_rewritten_schedule_keeps_the_old_revision(database: Database) -> None:
    original = taper_plan(DAY, 120.0, LIMITS, created_at=AT)
    shorter = dataclasses.replace(original, steps=original.steps[:-1] + original.steps[-1:])
    moved = dataclasses.replace(
        original,
        steps=(dataclasses.replace(original.steps[0], reason="held"), *original.steps[1:]),
    )
    with database.transaction() as conn:
        store = PlanStore(conn)
        stored = store.add(original, at=AT, day=DAY, reason="new")
        same, written = store.record(
            stored, shorter, event="hold", cause="schedule", reason="r", at=AT, day=DAY
        )
        assert written and same.revision == 0
        _, again = store.record(
            same, shorter, event="hold", cause="schedule", reason="r", at=AT, day=DAY
        )
        assert not again  # a same-day repeat is not stored twice
        changed, _ = store.record(
            same, moved, event="hold", cause="symptoms", reason="s", at=AT, day=DAY
        )
        assert changed.revision == 1
        assert store.steps(stored.id, 0) == original.steps
        assert store.steps(stored.id, 1) == moved.steps
        assert [e.event for e in store.events(stored.id)] == ["created", "hold", "hold"]
