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

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import Connection

from mitra.domain.alerts import day_key
from mitra.domain.entries import DoseEntry, Kind
from mitra.domain.plans import PlanStep, TimedDose, judge_dose
from mitra.domain.profile import Profile
from mitra.services.context import AppContext
from mitra.services.plan_inputs import count_window
from mitra.storage.alert_store import AlertStore, StoredAlert
from mitra.storage.journal_store import JournalStore
from mitra.storage.plan_store import PlanStore

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
    day = dose.at.astimezone(profile.zone()).date()
    step = stored.plan.step_on(day)
    if step is None:
        return None, []
    nearby = JournalStore(conn).list_entries(
        since=dose.at - ROLLING_DAY, until=dose.at + ROLLING_DAY, kinds=[Kind.DOSE]
    )
    others = [
        TimedDose(e.at, e.estimate.mitragynine_mg.high)
        for e in nearby
        if isinstance(e, DoseEntry) and e.id != dose.id
    ]
    result = judge_dose(
        stored.plan,
        step,
        others,
        TimedDose(dose.at, dose.estimate.mitragynine_mg.high),
        count_window=count_window(ctx.rules().ruleset),
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
        return judgement, []
    rule = ctx.rules().ruleset.rule(RULE_ID)
    alert = rule.alert(
        values={"step_number": str(step.index + 1), "reasons": result.reason},
        entry_ids=(dose.id,) if dose.id is not None else (),
        at=dose.at,
        key=day_key(rule.id, day),
    )
    return judgement, AlertStore(conn).add_new([alert], created_at=ctx.now())
