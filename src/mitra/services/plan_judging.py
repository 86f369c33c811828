"""A dose logged while a plan is active, judged against the plan's step for its day.

Runs inside the logging transaction (``JournalService.log_dose``), after the safety engine,
so the dose, its judgement's alert and the engine's alerts commit together. The judgement is
pure (``plans.judge_dose``: per-dose, rolling 24-hour total, the count over the engine's own
counting window, minimum interval, on the HIGH end of each estimate, as the engine counts);
this module only gathers the doses around the new one and, when it is over, stores the
``plan-ceiling-exceeded`` alert made by the ruleset's own ``rule.alert`` (one per local day,
like the other dose rules).

Invariants: no plan, or a dose on a day before the plan starts, means no judgement (None);
the plan is never changed here (only the gating and an explicit step back change a plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Literal

from sqlalchemy import Connection

from mitra.domain.alerts import Alert, day_key
from mitra.domain.entries import DoseEntry, Kind
from mitra.domain.plans import PlanStep, TimedDose, judge_dose
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Ruleset
from mitra.services.context import AppContext
from mitra.services.plan_inputs import count_window
from mitra.storage.alert_store import AlertStore, StoredAlert
from mitra.storage.journal_store import JournalStore
from mitra.storage.plan_store import PlanStore, StoredPlan

RULE_ID = "plan-ceiling-exceeded"
ROLLING_DAY = timedelta(hours=24)


@dataclass(frozen=True)
class PlanJudgement:
    """A dose against the step in force on its day: ``verdict`` with the reasons."""

    plan_id: int
    kind: str
    step: PlanStep
    steps: int
    verdict: Literal["within", "over"]
    reasons: tuple[str, ...]


def judge_against_plan(
    conn: Connection, ctx: AppContext, dose: DoseEntry, profile: Profile
) -> tuple[PlanJudgement | None, list[StoredAlert]]:
    stored = PlanStore(conn).active()
    if stored is None:
        return None, []
    nearby = JournalStore(conn).list_entries(
        since=dose.at - ROLLING_DAY, until=dose.at + ROLLING_DAY, kinds=[Kind.DOSE]
    )
    doses = [e for e in nearby if isinstance(e, DoseEntry)]
    judgement, alert = ceiling_check(ctx.rules().ruleset, stored, dose, doses, profile.zone())
    if alert is None:
        return judgement, []
    return judgement, AlertStore(conn).add_new([alert], created_at=ctx.now())


def ceiling_check(
    ruleset: Ruleset,
    stored: StoredPlan,
    dose: DoseEntry,
    nearby: Sequence[DoseEntry],
    zone: tzinfo,
) -> tuple[PlanJudgement | None, Alert | None]:
    """The dose against the plan's step for its day, given the doses within a day of it (the
    dose itself may be among them): the judgement, and the alert when it is over (also used
    when the safety service re-judges plan days after a back-dated entry or a deletion)."""
    day = dose.at.astimezone(zone).date()
    step = stored.plan.step_on(day)
    if step is None:
        return None, None
    others = [
        TimedDose(e.at, e.estimate.mitragynine_mg.high)
        for e in nearby
        if e.id != dose.id and abs(e.at - dose.at) <= ROLLING_DAY
    ]
    result = judge_dose(
        stored.plan,
        step,
        others,
        TimedDose(dose.at, dose.estimate.mitragynine_mg.high),
        count_window=count_window(ruleset),
    )
    judgement = PlanJudgement(
        plan_id=stored.id,
        kind=stored.plan.kind,
        step=step,
        steps=len(stored.plan.steps),
        verdict=result.verdict,
        reasons=result.reasons,
    )
    if result.verdict == "within":
        return judgement, None
    rule = ruleset.rule(RULE_ID)
    alert = rule.alert(
        values={"step_number": str(step.index + 1), "reasons": result.reason},
        entry_ids=(dose.id,) if dose.id is not None else (),
        at=dose.at,
        key=day_key(rule.id, day),
    )
    return judgement, alert
