"""Today: doses so far with the day's estimated mitragynine, the active plan's ceilings against
today's doses, the exposure band of the last 7 days, the withdrawal timeline's phase, the
latest check-in scores, the latest entries, and one tap to log the usual dose again.

The usual dose is the most frequent (product, amount) of the last 14 days, not the last dose
(``services.usual_dose``); one above the per-dose warning threshold is not offered as one tap
but through the log form, with a calm note.

Reads are bounded so the page stays fast with years of history: entries of today and the last
two days, doses of the last 14 (usual) and 30 days (exposure), and the latest score of each
instrument with its baseline (``CheckinService.latest_scores``). The plan status is the one
the plan page shows, computed without storing it: a GET never writes (see ``pages.plan``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from mitra.domain.alerts import Severity
from mitra.domain.emergency_steps import EmergencyGuide, emergency_guide
from mitra.domain.entries import DoseEntry, Entry
from mitra.domain.human_time import day_words, when_words
from mitra.domain.patterns import day_totals
from mitra.services.alert_views import alert_view
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService, LogResult, SymptomLogResult
from mitra.services.usual_dose import usual_dose
from mitra.services.views import amount_text, entry_view
from mitra.web import checkin_views
from mitra.web.daily import local_midnight
from mitra.web.pages.common import (
    Context,
    by_day,
    entry_row,
    flash_store,
    never_set_up,
    see_other,
)
from mitra.web.pages.plan import VERDICT_WORDS, plan_today
from mitra.web.pages.readiness import readiness_card
from mitra.web.pages.science import band_figure, exposure_report, timeline_brief, timeline_report
from mitra.web.render import renderer
from mitra.web.words import ESTIMATE_CAVEAT

router = APIRouter()

LATEST = 8
RECENT = timedelta(days=2)
CHART_SPAN = timedelta(days=7)
CHART_MIN_DAYS = 2
# Scores older than this are history, not "latest": the trends page has them.
SCORES_SHOWN = timedelta(days=14)


def latest_scores(ctx: AppContext, now: datetime) -> dict[str, Any]:
    """The last score of each instrument in the past two weeks, and the weekly screens due."""
    service = CheckinService(ctx)
    zone = service.profile().zone()
    rows = service.latest_scores()
    latest = checkin_views.latest_rows(rows)
    shown = []
    due = []
    for instrument in checkin_views.ordered(service.instruments()):
        row = latest.get(instrument.id)
        if checkin_views.weekly_due(instrument, row, now, latest) and rows:
            due.append(instrument)
        if row is None or now - row.assessment.at > SCORES_SHOWN:
            continue
        shown.append(
            {
                "instrument": instrument,
                "row": row,
                "when": when_words(row.assessment.at, now, zone),
            }
        )
    return {"scores": shown, "any_scores": bool(rows), "weekly_due": due}


def latest_by_day(entries: list[Entry], zone: ZoneInfo, today: date) -> list[dict[str, Any]]:
    """The latest entries, newest first, under day headings ("Today", "Yesterday", ...)."""
    groups = by_day(entry_row(e, zone) for e in reversed(entries))
    return [{"label": day_words(g.day, today), "rows": g.rows} for g in groups]


def buildup_words(report: Any) -> dict[str, str] | None:
    """The build-up card in words a person can use: the load now as a multiple of one usual
    dose, and how long a change takes to settle; the mg figures go behind a tap, with the
    caveat that they are relative."""
    times = report.times_one_dose
    days_low = max(1, round(report.settle_hours.low / 24))
    days_high = max(days_low, round(report.settle_hours.high / 24))
    settle = (
        f"A change of dose or rhythm takes about {days_low} to {days_high} days to settle."
        if days_high > days_low
        else f"A change of dose or rhythm takes about {days_low} days to settle."
    )
    if times is None:
        return {"now": "", "settle": settle}
    if times.typical < NEAR_NOTHING:
        now = "Close to nothing yet: in this model a dose just taken has not been absorbed yet."
    else:
        now = (
            f"Now about {times_words(times.typical)} what one usual dose gives on its own "
            f"(the range is {times.low:.1f} to {times.high:.1f} times)."
        )
    return {"now": now, "settle": settle}


# Below a tenth of one dose's peak the multiple means nothing to a person.
NEAR_NOTHING = 0.1


def times_words(factor: float) -> str:
    """1.0 -> "once", 0.5 -> "half", 8.2 -> "8 times"."""
    if factor < 0.75:
        return "half" if factor >= 0.35 else "a small part of"
    if factor < 1.5:
        return "the same as"
    return f"{factor:.0f} times"


def usual_context(ctx: AppContext) -> dict[str, Any]:
    usual = usual_dose(ctx)
    if usual is None:
        return {"usual": None}
    entry = usual.entry
    return {
        "usual": usual,
        "usual_text": f"{amount_text(entry.amount, entry.unit)} {entry.product_name}",
        "usual_amount": f"{entry.amount:g} {entry.unit}",
    }


def emergency_for(notice: dict[str, Any] | None) -> EmergencyGuide | None:
    """The emergency view, when the entry just logged raised an emergency alert."""
    if not notice or notice.get("action") != "logged":
        return None
    serious = any(a.get("severity") == Severity.EMERGENCY.value for a in notice["alerts"])
    return emergency_guide() if serious else None


@router.get("/today", response_class=HTMLResponse)
def today(
    request: Request, ctx: Context, logged: str | None = None, welcome: str | None = None
) -> HTMLResponse:
    journal = JournalService(ctx)
    profile = journal.profile()
    zone = profile.zone()
    now = ctx.now()
    day = now.astimezone(zone).date()
    start = min(local_midnight(day, zone), now - CHART_SPAN)
    week, _, _ = journal.history(since=start.isoformat())
    entries = [e for e in week if e.at >= min(local_midnight(day, zone), now - RECENT)]
    total = day_totals(entries, zone, day, day)[0]
    latest = latest_by_day(entries[-LATEST:], zone, day)
    dose_days = {e.at.astimezone(zone).date() for e in week if isinstance(e, DoseEntry)}
    exposure = exposure_report(ctx)
    notice = flash_store(request).get(logged)
    context: dict[str, Any] = {
        "day_label": f"{day:%A} {day.day} {day:%B}",
        "total": total,
        "latest": latest,
        "timezone": profile.timezone,
        "notice": notice,
        "emergency": emergency_for(notice),
        "welcome": welcome is not None,
        "set_up": not never_set_up(ctx),
        "caveat": ESTIMATE_CAVEAT,
        "plan_status": plan_today(ctx),
        "verdict_words": VERDICT_WORDS,
        # A chart of one day is one spike: shown from two days of doses on.
        "band": band_figure(exposure) if len(dose_days) >= CHART_MIN_DAYS else None,
        "buildup": buildup_words(exposure) if len(dose_days) >= CHART_MIN_DAYS else None,
        "phase": timeline_brief(timeline_report(ctx)),
        "bup": readiness_card(ctx),
        **usual_context(ctx),
        **latest_scores(ctx, now),
    }
    return renderer(request).page(request, "today.html", context)


class UsualForm(BaseModel):
    amount: str = ""
    product: str = ""


def logged_redirect(request: Request, result: LogResult) -> RedirectResponse:
    """Redirect to today, carrying what was logged and its alerts for one notice."""
    zone = result.profile.zone()
    payload = {
        "action": "logged",
        "entry": entry_row(result.entry, zone),
        "view": entry_view(result.entry, zone),
        "product_assumed": result.product_assumed,
        "daily_mme": result.daily_mme,
        "alerts": [alert_view(a, zone) for a in result.alerts],
    }
    return see_other(request, "/today", logged=flash_store(request).put(payload))


def symptoms_logged_redirect(request: Request, result: SymptomLogResult) -> RedirectResponse:
    """Redirect to today with every entry one line of symptoms became, and what was understood."""
    zone = result.profile.zone()
    payload = {
        "action": "logged",
        "entry": entry_row(result.entry, zone),
        "view": entry_view(result.entry, zone),
        "more": [entry_row(e, zone) for e in result.entries[1:]],
        "understood": result.understood,
        "severity_note": result.severity_note,
        "product_assumed": False,
        "daily_mme": None,
        "alerts": [alert_view(a, zone) for a in result.alerts],
    }
    return see_other(request, "/today", logged=flash_store(request).put(payload))


@router.post("/log/usual", response_model=None)
def log_usual(
    request: Request, ctx: Context, form: Annotated[UsualForm, Form()]
) -> RedirectResponse:
    """One tap: the usual product and amount, now. An error (the amount was tampered with) goes
    to the error page, which says what was wrong; nothing is written."""
    result = JournalService(ctx).log_dose(form.amount, product=form.product or None)
    return logged_redirect(request, result)
