"""Rows <-> plans: a plan, its schedule kept per revision, and the events of its life.

Invariants:

* nothing is deleted and no step row is ever updated: a changed schedule is written whole as
  the next revision, and the plan's head (``revision``, ``current_step``, ``status``) points
  at it; every change comes with a ``plan_events`` row saying what, why and when;
* at most one plan is active (a partial unique index); ``add`` refuses a second one, and the
  service ends the previous plan, recorded, before adding a new one;
* a repeat of the last event (same day, event, cause and reason, schedule unchanged) is not
  stored again, so asking for today's status twice does not pile up rows;
* plans read back are rebuilt through ``Plan``, which re-checks every invariant of the domain
  (ceilings within the stored hard limits, no unrecorded rise in a taper).

Every method works inside the caller's transaction; nothing here commits. The store works on
the journal its connection is scoped to (``journal_of``): every statement names that
``journal_id`` and every row written (plan, steps, events) carries it; "one active plan" is
per journal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, cast

from sqlalchemy import Connection, Row, insert, select, update

from mitra.domain.plans import Limits, Plan, PlanKind, PlanStep, StepKind, Strategy
from mitra.storage import schema as t
from mitra.storage import write_audit
from mitra.storage.journal_scope import journal_of

EventKind = Literal["created", "advance", "hold", "step-back", "ended"]
Status = Literal["active", "ended"]


@dataclass(frozen=True, slots=True)
class StoredPlan:
    id: int
    plan: Plan
    status: Status
    revision: int
    ended_at: datetime | None = None
    end_reason: str | None = None


@dataclass(frozen=True, slots=True)
class PlanEvent:
    id: int
    plan_id: int
    at: datetime
    day: date
    event: EventKind
    cause: str | None
    reason: str
    from_step: int | None
    to_step: int | None
    revision: int


class PlanStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.journal_id = journal_of(conn)
        self.mine = t.plans.c.journal_id == self.journal_id

    # -- writing -----------------------------------------------------------------------------
    def add(self, plan: Plan, *, at: datetime, day: date, reason: str) -> StoredPlan:
        """Store a new active plan (revision 0) and its "created" event."""
        if self.active() is not None:
            raise ValueError("a plan is already active; end it before adding another")
        plan_id = self.conn.execute(
            insert(t.plans)
            .values(
                journal_id=self.journal_id,
                kind=plan.kind,
                strategy=plan.strategy,
                status="active",
                created_at=plan.created_at,
                settings=json.dumps(dict(plan.settings), sort_keys=True),
                limit_dose_max_mg=plan.limits.dose_max_mg,
                limit_daily_max_mg=plan.limits.daily_max_mg,
                limit_doses_per_day_max=plan.limits.doses_per_day_max,
                limit_min_interval_h=plan.limits.min_interval_h,
                settle_days=plan.settle_days,
                alternatives=plan.alternatives,
                notes=json.dumps(list(plan.notes)),
                sources=json.dumps(list(plan.sources)),
                revision=0,
                current_step=plan.current,
            )
            .returning(t.plans.c.id)
        ).scalar_one()
        write_audit.created("plan", plan_id)
        self._write_steps(plan_id, 0, plan.steps)
        self._event(plan_id, at, day, "created", None, reason, None, plan.current, 0)
        return StoredPlan(plan_id, plan, "active", 0)

    def record(
        self,
        stored: StoredPlan,
        new: Plan,
        *,
        event: EventKind,
        cause: str | None,
        reason: str,
        at: datetime,
        day: date,
    ) -> tuple[StoredPlan, bool]:
        """Record a decision about ``stored`` whose outcome is ``new``. Returns the plan as now
        stored and whether anything was written (a same-day repeat writes nothing)."""
        changed = new.steps != stored.plan.steps or new.current != stored.plan.current
        revision = stored.revision
        if not changed:
            last = self.last_event(stored.id)
            if last is not None and (last.day, last.event, last.cause, last.reason) == (
                day,
                event,
                cause,
                reason,
            ):
                return stored, False
        else:
            revision += 1
            self._write_steps(stored.id, revision, new.steps)
            self.conn.execute(
                update(t.plans)
                .where(self.mine, t.plans.c.id == stored.id)
                .values(revision=revision, current_step=new.current)
            )
        self._event(
            stored.id, at, day, event, cause, reason, stored.plan.current, new.current, revision
        )
        return StoredPlan(stored.id, new, stored.status, revision), True

    def end(self, stored: StoredPlan, *, at: datetime, day: date, reason: str) -> None:
        """End a plan, recorded; its rows stay."""
        self.conn.execute(
            update(t.plans)
            .where(self.mine, t.plans.c.id == stored.id)
            .values(status="ended", ended_at=at, end_reason=reason)
        )
        current = stored.plan.current
        self._event(stored.id, at, day, "ended", None, reason, current, None, stored.revision)

    def _write_steps(self, plan_id: int, revision: int, steps: tuple[PlanStep, ...]) -> None:
        self.conn.execute(
            insert(t.plan_steps),
            [
                {
                    "plan_id": plan_id,
                    "journal_id": self.journal_id,
                    "revision": revision,
                    "step_index": s.index,
                    "start": s.start,
                    "end": s.end,
                    "dose_max_mg": s.dose_max_mg,
                    "daily_max_mg": s.daily_max_mg,
                    "doses_per_day_max": s.doses_per_day_max,
                    "min_interval_h": s.min_interval_h,
                    "kind": s.kind,
                    "reason": s.reason,
                }
                for s in steps
            ],
        )

    def _event(
        self,
        plan_id: int,
        at: datetime,
        day: date,
        event: EventKind,
        cause: str | None,
        reason: str,
        from_step: int | None,
        to_step: int | None,
        revision: int,
    ) -> None:
        self.conn.execute(
            insert(t.plan_events).values(
                journal_id=self.journal_id,
                plan_id=plan_id,
                at=at,
                day=day,
                event=event,
                cause=cause,
                reason=reason,
                from_step=from_step,
                to_step=to_step,
                revision=revision,
            )
        )

    # -- reading -----------------------------------------------------------------------------
    def active(self) -> StoredPlan | None:
        row = self.conn.execute(
            select(t.plans).where(self.mine, t.plans.c.status == "active")
        ).first()
        return None if row is None else self._plan_of(row)

    def get(self, plan_id: int) -> StoredPlan | None:
        row = self.conn.execute(select(t.plans).where(self.mine, t.plans.c.id == plan_id)).first()
        return None if row is None else self._plan_of(row)

    def list_plans(self) -> list[StoredPlan]:
        rows = self.conn.execute(select(t.plans).where(self.mine).order_by(t.plans.c.id))
        return [self._plan_of(row) for row in rows]

    def steps(self, plan_id: int, revision: int) -> tuple[PlanStep, ...]:
        rows = self.conn.execute(
            select(t.plan_steps)
            .where(
                t.plan_steps.c.journal_id == self.journal_id,
                t.plan_steps.c.plan_id == plan_id,
                t.plan_steps.c.revision == revision,
            )
            .order_by(t.plan_steps.c.step_index)
        )
        return tuple(_step_of(row) for row in rows)

    def events(self, plan_id: int) -> list[PlanEvent]:
        rows = self.conn.execute(
            select(t.plan_events)
            .where(
                t.plan_events.c.journal_id == self.journal_id, t.plan_events.c.plan_id == plan_id
            )
            .order_by(t.plan_events.c.id)
        )
        return [_event_of(row) for row in rows]

    def last_event(self, plan_id: int) -> PlanEvent | None:
        row = self.conn.execute(
            select(t.plan_events)
            .where(
                t.plan_events.c.journal_id == self.journal_id, t.plan_events.c.plan_id == plan_id
            )
            .order_by(t.plan_events.c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _event_of(row)

    def _plan_of(self, row: Row[Any]) -> StoredPlan:
        m = row._mapping
        plan = Plan(
            kind=cast(PlanKind, m["kind"]),
            strategy=cast(Strategy, m["strategy"]),
            steps=self.steps(m["id"], m["revision"]),
            created_at=m["created_at"],
            settings=json.loads(m["settings"]),
            alternatives=m["alternatives"],
            limits=Limits(
                dose_max_mg=m["limit_dose_max_mg"],
                daily_max_mg=m["limit_daily_max_mg"],
                doses_per_day_max=m["limit_doses_per_day_max"],
                min_interval_h=m["limit_min_interval_h"],
            ),
            settle_days=m["settle_days"],
            notes=tuple(json.loads(m["notes"])),
            sources=tuple(json.loads(m["sources"])),
            current=m["current_step"],
        )
        return StoredPlan(
            id=m["id"],
            plan=plan,
            status=cast(Status, m["status"]),
            revision=m["revision"],
            ended_at=m["ended_at"],
            end_reason=m["end_reason"],
        )


def _step_of(row: Row[Any]) -> PlanStep:
    m = row._mapping
    return PlanStep(
        index=m["step_index"],
        start=m["start"],
        end=m["end"],
        dose_max_mg=m["dose_max_mg"],
        daily_max_mg=m["daily_max_mg"],
        doses_per_day_max=m["doses_per_day_max"],
        min_interval_h=m["min_interval_h"],
        reason=m["reason"],
        kind=cast(StepKind, m["kind"]),
    )


def _event_of(row: Row[Any]) -> PlanEvent:
    m = row._mapping
    return PlanEvent(
        id=m["id"],
        plan_id=m["plan_id"],
        at=m["at"],
        day=m["day"],
        event=cast(EventKind, m["event"]),
        cause=m["cause"],
        reason=m["reason"],
        from_step=m["from_step"],
        to_step=m["to_step"],
        revision=m["revision"],
    )
