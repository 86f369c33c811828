"""Plain-data views of plans for JSON output (CLI ``--json``, later the web API).

Names say what the numbers are: every step has ``start``, ``end``, ``dose_max_mg``,
``daily_max_mg``, ``doses_per_day_max``, ``min_interval_h`` and its ``reason``. Every view of a
plan carries ``alternatives`` (buprenorphine or methadone with a clinician, with the ASAM
timing facts per kind of opioid) and ``support`` (the options and crisis lines).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from mitra.domain import timeline as tl
from mitra.domain.alerts import Support
from mitra.domain.plan_model import alternatives, citation
from mitra.domain.plan_units import ProductMeasure
from mitra.domain.plans import Decision, Limits, Plan, PlanStep
from mitra.services.alert_views import support_view
from mitra.services.plan_inputs import Intake
from mitra.services.plan_judging import PlanJudgement
from mitra.services.plan_units import step_in_product_view
from mitra.services.plans import PlanCreated, PlanOverview, PlanStatus, StepBackResult
from mitra.services.views import entry_view, iso
from mitra.storage.plan_store import PlanEvent, StoredPlan

# The kinds of opioid whose buprenorphine start timing ASAM 2020 (and, for fentanyl, the
# precipitated-withdrawal studies) give: shown with every plan.
TIMING_TYPES: tuple[tl.OpioidType, ...] = (
    "short-acting",
    "long-acting",
    "methadone",
    "fentanyl",
    "kratom",
)


def limits_view(limits: Limits) -> dict[str, Any]:
    return {
        "dose_max_mg": limits.dose_max_mg,
        "daily_max_mg": limits.daily_max_mg,
        "doses_per_day_max": limits.doses_per_day_max,
        "min_interval_h": limits.min_interval_h,
    }


def step_view(step: PlanStep, *, current: bool = False) -> dict[str, Any]:
    return {
        "index": step.index,
        "number": step.index + 1,
        "kind": step.kind,
        "start": step.start.isoformat(),
        "end": step.end.isoformat(),
        "days": step.days,
        "dose_max_mg": step.dose_max_mg,
        "daily_max_mg": step.daily_max_mg,
        "doses_per_day_max": step.doses_per_day_max,
        "min_interval_h": step.min_interval_h,
        "reason": step.reason,
        "current": current,
    }


def alternatives_view() -> dict[str, Any]:
    text, sources = alternatives()
    specs = tl.specs()
    return {
        "text": text,
        "buprenorphine_timing": [
            {
                "after": kind,
                "label": specs[kind].label,
                "text": specs[kind].buprenorphine_start,
                "sources": list(specs[kind].buprenorphine_sources),
            }
            for kind in TIMING_TYPES
        ],
        "sources": [{"id": s, "citation": citation(s)} for s in sources],
    }


def plan_view(
    stored: StoredPlan, zone: ZoneInfo, measure: ProductMeasure | None = None
) -> dict[str, Any]:
    """The plan's JSON; with ``measure``, every step also in the person's own product."""
    plan: Plan = stored.plan
    steps = []
    for s in plan.steps:
        view = step_view(s, current=s.index == plan.current)
        view["in_product"] = step_in_product_view(s, measure)
        steps.append(view)
    return {
        "id": stored.id,
        "kind": plan.kind,
        "strategy": plan.strategy,
        "status": stored.status,
        "created_at": iso(plan.created_at, zone),
        "ended_at": iso(stored.ended_at, zone) if stored.ended_at else None,
        "end_reason": stored.end_reason,
        "start": plan.steps[0].start.isoformat(),
        "end": plan.steps[-1].end.isoformat(),
        "settings": dict(plan.settings),
        "limits": limits_view(plan.limits),
        "settle_days": plan.settle_days,
        "current_step": plan.current,
        "revision": stored.revision,
        "steps": steps,
        "notes": list(plan.notes),
        "sources": [{"id": s, "citation": citation(s)} for s in plan.sources],
    }


def event_view(event: PlanEvent, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": iso(event.at, zone),
        "day": event.day.isoformat(),
        "event": event.event,
        "cause": event.cause,
        "reason": event.reason,
        "from_step": event.from_step,
        "to_step": event.to_step,
        "revision": event.revision,
    }


def decision_view(decision: Decision) -> dict[str, Any]:
    return {
        "action": decision.action,
        "cause": decision.cause,
        "reason": decision.reason,
        "step": step_view(decision.step, current=True),
    }


def judgement_view(judgement: PlanJudgement) -> dict[str, Any]:
    """A logged dose against the plan's step for its day."""
    return {
        "plan_id": judgement.plan_id,
        "kind": judgement.kind,
        "verdict": judgement.verdict,
        "reasons": list(judgement.reasons),
        "step": step_view(judgement.step),
    }


def intake_view(intake: Intake | None) -> dict[str, Any] | None:
    if intake is None:
        return None
    return {
        "daily_mg": round(intake.daily_mg, 1),
        "typical_daily_mg": round(intake.typical_daily_mg, 1),
        "days": intake.days,
        "window_days": intake.window_days,
        "doses_per_day": intake.doses_per_day,
        "largest_dose_mg": round(intake.largest_dose_mg, 1),
        "basis": intake.basis,
    }


def _common(support: Support) -> dict[str, Any]:
    return {"alternatives": alternatives_view(), "support": support_view(support)}


def created_view(created: PlanCreated, support: Support) -> dict[str, Any]:
    return {
        "plan": plan_view(created.stored, created.zone, created.measure),
        "replaced_plan_id": created.replaced.id if created.replaced else None,
        "current_intake": intake_view(created.intake),
        "refused_settings": list(created.refused_settings),
        **_common(support),
    }


def overview_view(overview: PlanOverview | None, support: Support) -> dict[str, Any]:
    if overview is None:
        return {"plan": None, "events": [], **_common(support)}
    return {
        "plan": plan_view(overview.stored, overview.zone, overview.measure),
        "events": [event_view(e, overview.zone) for e in overview.events],
        **_common(support),
    }


def status_view(status: PlanStatus | None, support: Support) -> dict[str, Any]:
    if status is None:
        return {"plan": None, **_common(support)}
    zone = status.zone
    return {
        "plan": {
            "id": status.stored.id,
            "kind": status.stored.plan.kind,
            "strategy": status.stored.plan.strategy,
        },
        "today": status.today.isoformat(),
        "step": step_view(status.step, current=True) if status.step else None,
        "next_step": step_view(status.next_step) if status.next_step else None,
        "decision": decision_view(status.decision),
        "decision_recorded": status.recorded,
        "today_doses": [
            {
                **entry_view(d.entry, zone),
                "verdict": d.judgement.verdict,
                "reasons": list(d.judgement.reasons),
            }
            for d in status.doses
        ],
        "today_total_mg": round(status.total_mg, 1),
        "today_verdict": status.verdict,
        "last_checkins": [
            {"instrument": a.instrument_id, "total": a.total, "at": iso(a.at, zone)}
            for a in status.last_checkins
        ],
        **_common(support),
    }


def step_back_view(result: StepBackResult, support: Support) -> dict[str, Any]:
    return {
        "plan": plan_view(result.stored, result.zone),
        "decision": decision_view(result.decision),
        **_common(support),
    }
