"""Titration and taper plans: the one import point for the rest of mitra.

Purpose: plan a kratom taper (or, if a person chooses to use kratom, a "start low, go slow"
titration) in dated steps whose ceilings never exceed the caller's hard limits, hold each step
for at least the exposure model's settle time, gate each step on withdrawal check-ins, and judge
doses against the step in force. Every plan offers buprenorphine or methadone with a clinician
as the alternative path. Records live in ``plan_model``, planners in ``planners``,
gating, explicit step-backs and dose judging in ``plan_gating``; settings and their sources in
``data/tapering.toml``.

Invariants (see each module): ceilings within hard limits (checked whenever a ``Plan`` is
built); taper ceilings rise only by a recorded step-back; every planned step lasts at least the
settle time; missing or stale check-ins hold a plan; settings outside the accepted ranges are
refused with an ``InputError`` naming what is accepted. Pure: dates injected, no framework.
"""

from __future__ import annotations

from mitra.domain.plan_gating import (
    Decision,
    DoseJudgement,
    Reading,
    TimedDose,
    gate,
    judge_dose,
    step_back,
)
from mitra.domain.plan_model import (
    Ceilings,
    CustomStep,
    InstrumentGate,
    Limits,
    Plan,
    PlanKind,
    PlanStep,
    StepKind,
    Strategy,
    clamp_ceilings,
)
from mitra.domain.planners import taper_plan, titration_plan

__all__ = [
    "Ceilings",
    "CustomStep",
    "Decision",
    "DoseJudgement",
    "InstrumentGate",
    "Limits",
    "Plan",
    "PlanKind",
    "PlanStep",
    "Reading",
    "StepKind",
    "Strategy",
    "TimedDose",
    "clamp_ceilings",
    "gate",
    "judge_dose",
    "step_back",
    "taper_plan",
    "titration_plan",
]
