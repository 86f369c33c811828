"""The plan page: the active plan's steps, today's status with the gating decision, the history
of decisions, the alternatives, and forms to start a taper or a titration, to step back, and
to download calendar reminders.

A GET never writes: ``GET /plan`` (and the today page) show today's gating decision computed
in a read-only transaction (``PlanService.status(record=False)``), so a cross-site image or a
prefetch cannot change the journal. The decision is stored by a POST: the page's "save today's
decision" button (``POST /plan/decide``, the same decision ``mitra plan status`` records, a
same-day repeat stored once), or a step back, which takes today's decision first.

Invariants: every option goes to the plan service as typed (empty fields become None), which
checks it and refuses before anything is written; a refusal shows the page again with the
message beside its field (422). Plans come from the effective hard limits (the service's
rule). Every state of the page shows the buprenorphine/methadone alternative with the ASAM
timing, and the help lines; every POST passes the CSRF check (the pages router).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from mitra.domain.human_time import day_words, when_words
from mitra.domain.plan_units import in_product
from mitra.services import clinician_plans
from mitra.services.alert_views import support_view
from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.plan_views import alternatives_view
from mitra.services.plans import PlanService, PlanStatus
from mitra.web.pages.common import PERSON_ERRORS, Context, FormState, blank, see_other
from mitra.web.render import renderer

router = APIRouter()

TAPER_FIELDS = (
    "strategy",
    "speed",
    "step_days",
    "steps",
    "current_mg",
    "doses_per_day",
    "used_over_a_year",
    "start",
)
TITRATION_FIELDS = (
    "first_dose_mg",
    "step_mg",
    "settle_days",
    "doses_per_day",
    "target_dose_mg",
    "start",
)
STRATEGIES = (
    ("percent", "Percent: each cut a share of the current ceiling (smaller cuts as it falls)"),
    ("linear", "Linear: a fixed cut until 30% remains, then a percent (CDC 2022)"),
    ("custom", "Custom: a clinician's schedule (below)"),
)
SPEEDS = (
    ("moderate", "Moderate: 10% every 4 weeks"),
    ("slow", "Slow: 5% every 4 weeks"),
    ("fast", "Fast: 10% every 2 weeks (only after less than a year of use)"),
)
YES_NO = (("unknown", "Not sure"), ("yes", "Yes"), ("no", "No"))
VERDICT_WORDS = {
    "within": "within today's ceilings",
    "over": "over today's ceilings. Going over is not a failure; please do not make up for "
    "it by cutting more",
    "no-doses": "no doses logged today",
    "not-started": "the plan has not started yet",
}


# The plan's history in a person's words: what happened, and why ("hold (schedule)" is the
# record's shorthand, not something to show).
EVENT_WORDS = {
    "created": "Plan started",
    "advance": "Moved on to the next step",
    "hold": "Stayed on the same step",
    "step-back": "Went back one step",
    "ended": "Plan ended",
}
DECISION_WORDS = {
    "advance": "move on to the next step",
    "hold": "stay on this step",
    "step-back": "go back one step",
}
CAUSE_WORDS = {
    "not-started": "the plan had not begun yet",
    "schedule": "this step's days were not over yet",
    "missing-check-in": "no withdrawal check-in yet for this step",
    "symptoms": "withdrawal was rising",
    "settled": "withdrawal had settled",
    "complete": "the last step was done",
    "advance": "the check-in allowed it",
    "step-back": "a step back",
    "request": "you asked for it",
}


class TaperForm(BaseModel):
    strategy: str = "percent"
    speed: str = ""
    step_days: str = ""
    steps: str = ""
    current_mg: str = ""
    doses_per_day: str = ""
    used_over_a_year: str = "unknown"
    start: str = ""


class TitrationForm(BaseModel):
    first_dose_mg: str = ""
    step_mg: str = ""
    settle_days: str = ""
    doses_per_day: str = ""
    target_dose_mg: str = ""
    start: str = ""


class StepBackForm(BaseModel):
    reason: str = ""


def plan_today(ctx: AppContext) -> PlanStatus | None:
    """Today's status of the active plan, computed without storing anything (see above)."""
    return PlanService(ctx).status(record=False)


def _context(
    ctx: AppContext,
    *,
    taper: FormState | None = None,
    titration: FormState | None = None,
    step_back: FormState | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    service = PlanService(ctx)
    zone = ProfileService(ctx).show().zone()
    status = plan_today(ctx)
    overview = service.show() if status is not None else None
    measure = overview.measure if overview else None
    return {
        "status": status,
        "overview": overview,
        # Each step in the person's own product (by step index), when a usual product is known.
        "in_product": {}
        if overview is None or measure is None
        else {s.index: in_product(s, measure) for s in overview.stored.plan.steps},
        "plan": overview.stored.plan if overview else None,
        "limits": service.limits(),
        "verdict_words": VERDICT_WORDS,
        "event_words": EVENT_WORDS,
        "cause_words": CAUSE_WORDS,
        "decision_words": DECISION_WORDS,
        "today": ctx.now().astimezone(ProfileService(ctx).show().zone()).date(),
        "day_words": day_words,
        "taper": taper or FormState({"strategy": "percent", "used_over_a_year": "unknown"}),
        "titration": titration or FormState(),
        "step_back": step_back or FormState(),
        "strategies": STRATEGIES,
        "speeds": SPEEDS,
        "yes_no": YES_NO,
        "notice": notice,
        "alternatives": alternatives_view(),
        "support": support_view(ctx.rules().ruleset.support),
        # Who of the care team set or stepped back this plan (clinic server; none locally).
        "authors": []
        if overview is None
        else [
            {"action": a.action, "email": a.email, "when": when_words(a.at, ctx.now(), zone)}
            for a in clinician_plans.authors(
                ctx.database, ctx.database.journal_id, overview.stored.id
            )
        ],
    }


NOTICES = {
    "taper": "Your taper plan is saved. It moves on only when a check-in allows it.",
    "titration": "Your titration plan is saved. It moves on only when a check-in allows it.",
    "step-back": "Stepped back one step; your reason is kept with the plan.",
    "decided": "Today's decision is saved in the plan's history.",
}


@router.get("/plan", response_class=HTMLResponse)
def show(request: Request, ctx: Context, done: str | None = None) -> HTMLResponse:
    context = _context(ctx, notice=NOTICES.get(done or ""))
    return renderer(request).page(request, "plan.html", context)


def _refused(
    request: Request,
    ctx: AppContext,
    *,
    taper: FormState | None = None,
    titration: FormState | None = None,
    step_back: FormState | None = None,
) -> HTMLResponse:
    """The page again with the refused form's values and its errors (422, nothing written)."""
    context = _context(ctx, taper=taper, titration=titration, step_back=step_back)
    return renderer(request).page(request, "plan.html", context, status_code=422)


@router.post("/plan/taper", response_model=None)
def new_taper(
    request: Request, ctx: Context, form: Annotated[TaperForm, Form()]
) -> HTMLResponse | RedirectResponse:
    values = form.model_dump()
    try:
        PlanService(ctx).new_taper(**{name: blank(values[name]) for name in TAPER_FIELDS})
    except PERSON_ERRORS as exc:
        return _refused(request, ctx, taper=FormState.failed(values, exc, TAPER_FIELDS))
    return see_other(request, "/plan", done="taper")


@router.post("/plan/titration", response_model=None)
def new_titration(
    request: Request, ctx: Context, form: Annotated[TitrationForm, Form()]
) -> HTMLResponse | RedirectResponse:
    values = form.model_dump()
    try:
        PlanService(ctx).new_titration(**{name: blank(values[name]) for name in TITRATION_FIELDS})
    except PERSON_ERRORS as exc:
        state = FormState.failed(values, exc, TITRATION_FIELDS)
        return _refused(request, ctx, titration=state)
    return see_other(request, "/plan", done="titration")


@router.post("/plan/decide", response_model=None)
def decide(request: Request, ctx: Context) -> RedirectResponse:
    """Store today's gating decision (once a day for the same decision)."""
    if PlanService(ctx).status(record=True) is None:
        return see_other(request, "/plan")
    return see_other(request, "/plan", done="decided")


@router.post("/plan/step-back", response_model=None)
def step_back(
    request: Request, ctx: Context, form: Annotated[StepBackForm, Form()]
) -> HTMLResponse | RedirectResponse:
    values = form.model_dump()
    try:
        PlanService(ctx).step_back(form.reason)
    except PERSON_ERRORS as exc:
        # Every refusal of a step back is about the step back itself: show it at the reason.
        state = FormState(values, {"reason": exc.message})
        return _refused(request, ctx, step_back=state)
    return see_other(request, "/plan", done="step-back")


@router.get("/plan/calendar.ics", response_model=None)
def calendar(ctx: Context, details: bool = True) -> Response:
    """The active plan's reminders as an .ics download: the calendar ``mitra plan export
    --ics`` writes (``details=false`` leaves amounts and substances out)."""
    return Response(
        PlanService(ctx).calendar(details=details),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mitra-plan.ics"'},
    )
