"""Today: doses so far with the day's estimated mitragynine, the latest check-in scores, the
latest entries, and one tap to log the usual dose again (the last product and amount).

Reads are bounded so the page stays fast with years of history: one query covers today and
the last two days; only when that holds no dose does the page look further back for the
last one (30 days, then everything). The one exception is check-in scores: the service reads
every score to compare each with its baseline (about 40 ms for a year of three check-ins a
day), until it offers a bounded "latest per instrument" read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from mitra.domain.entries import DoseEntry, Entry
from mitra.services.alert_views import alert_view
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService, LogResult
from mitra.services.views import amount_text, entry_view
from mitra.web import checkin_views
from mitra.web.daily import day_totals, local_midnight
from mitra.web.pages.common import Context, entry_row, flash_store, never_set_up, see_other
from mitra.web.render import renderer
from mitra.web.words import ESTIMATE_CAVEAT

router = APIRouter()

LATEST = 8
RECENT = timedelta(days=2)
# Scores older than this are history, not "latest": the trends page has them.
SCORES_SHOWN = timedelta(days=14)


def _last_dose_in(entries: list[Entry]) -> DoseEntry | None:
    return next((e for e in reversed(entries) if isinstance(e, DoseEntry)), None)


def _last_dose(journal: JournalService, recent: list[Entry], now: datetime) -> DoseEntry | None:
    found = _last_dose_in(recent)
    for since in (now - timedelta(days=30), None):
        if found is not None:
            break
        older, _, _ = journal.history(since=since.isoformat() if since else None)
        found = _last_dose_in(older)
    return found


def latest_scores(ctx: AppContext, now: datetime) -> dict[str, Any]:
    """The last score of each instrument in the past two weeks, and the weekly screens due."""
    service = CheckinService(ctx)
    zone = service.profile().zone()
    rows = service.scores()
    latest = checkin_views.latest_rows(rows)
    shown = []
    due = []
    for instrument in checkin_views.ordered(service.instruments()):
        row = latest.get(instrument.id)
        if checkin_views.weekly_due(instrument, row, now) and rows:
            due.append(instrument)
        if row is None or now - row.assessment.at > SCORES_SHOWN:
            continue
        shown.append(
            {
                "instrument": instrument,
                "row": row,
                "when": checkin_views.when_words(row.assessment.at, now, zone),
            }
        )
    return {"scores": shown, "any_scores": bool(rows), "weekly_due": due}


@router.get("/today", response_class=HTMLResponse)
def today(
    request: Request, ctx: Context, logged: str | None = None, welcome: str | None = None
) -> HTMLResponse:
    journal = JournalService(ctx)
    profile = journal.profile()
    zone = profile.zone()
    now = ctx.now()
    day = now.astimezone(zone).date()
    start = min(local_midnight(day, zone), now - RECENT)
    entries, _, _ = journal.history(since=start.isoformat())
    total = day_totals(entries, zone, day, day)[0]
    usual = _last_dose(journal, entries, now)
    latest = [entry_row(e, zone) for e in reversed(entries[-LATEST:])]
    context: dict[str, Any] = {
        "day_label": f"{day:%A} {day.day} {day:%B}",
        "total": total,
        "usual": usual,
        "usual_text": (
            f"{amount_text(usual.amount, usual.unit)} {usual.product_name}" if usual else None
        ),
        "usual_amount": f"{usual.amount:g} {usual.unit}" if usual else None,
        "latest": latest,
        "timezone": profile.timezone,
        "notice": flash_store(request).get(logged),
        "welcome": welcome is not None,
        "set_up": not never_set_up(ctx, profile),
        "caveat": ESTIMATE_CAVEAT,
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


@router.post("/log/usual", response_model=None)
def log_usual(
    request: Request, ctx: Context, form: Annotated[UsualForm, Form()]
) -> RedirectResponse:
    """One tap: the last product and amount, now. An error (the amount was tampered with) goes
    to the error page, which says what was wrong; nothing is written."""
    result = JournalService(ctx).log_dose(form.amount, product=form.product or None)
    return logged_redirect(request, result)
