"""Alerts: what the safety engine found, grouped by pattern (a rule and its subject) with how
many times it happened, open and most serious first, then newest, twenty groups a page; urgent
and emergency ones stay open (and announced on every page) until acknowledged here, each on
its own. Cautions and information can be marked read together in one action.

The page is built from one page of groups read by the database (``SafetyService.alert_page``),
so its size and cost follow the twenty groups shown, not the years of history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from mitra.domain.alerts import Severity
from mitra.domain.human_time import when_words
from mitra.services.alert_views import alert_view
from mitra.services.clinic_roster import acks_by_alert
from mitra.services.journal import JournalService
from mitra.services.safety import MAX_PAGE, SafetyService
from mitra.web.pages.common import Context, see_other
from mitra.web.render import renderer

router = APIRouter()

AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
MINOR_WORDS = {Severity.CAUTION: "caution", Severity.INFO: "information alert"}


@router.get("/alerts", response_class=HTMLResponse)
def alerts(
    request: Request,
    ctx: Context,
    everything: Annotated[str, Query(alias="all")] = "",
    page: PageNumber = 1,
    read: Annotated[int, Query(ge=0, le=2**31)] | None = None,
) -> HTMLResponse:
    zone = JournalService(ctx).profile().zone()
    now = ctx.now()
    found = SafetyService(ctx).alert_page(page=page, include_acknowledged=bool(everything))
    shown = []
    for stored in found.alerts:
        view = alert_view(stored, zone)
        view["when"] = when_words(stored.alert.at, now, zone)
        view["first_when"] = when_words(stored.first_at or stored.alert.at, now, zone)
        view["read_when"] = (
            when_words(stored.acknowledged_at, now, zone) if stored.acknowledged_at else ""
        )
        shown.append(view)
    # What the care team said of these alerts (a clinic server; none on a local journal).
    acks = acks_by_alert(ctx.database, ctx.database.journal_id, [v["alert_ids"] for v in shown])
    for view, seen in zip(shown, acks, strict=True):
        view["care_team"] = [
            {"email": a.clinician_email, "when": when_words(a.at, now, zone), "note": a.note}
            for a in seen
        ]
    minor_open = sum(found.open_by_severity.get(s, 0) for s in MINOR_WORDS)
    query = "all=1&" if everything else ""
    return renderer(request).page(
        request,
        "alerts.html",
        {
            "alerts": shown,
            "showing_all": bool(everything),
            "page": found,
            "previous_url": f"/alerts?{query}page={page - 1}" if found.has_previous else "",
            "next_url": f"/alerts?{query}page={page + 1}" if found.has_next else "",
            "open_counts": [
                (s.value, found.open_by_severity[s])
                for s in sorted(found.open_by_severity, key=lambda s: -s.rank)
            ],
            "minor_open": minor_open,
            "marked_read": read,
        },
    )


class AcknowledgeForm(BaseModel):
    note: str = ""


@router.post("/alerts/mark-read", response_model=None)
def mark_minor_read(request: Request, ctx: Context) -> RedirectResponse:
    """Cautions and information alerts read in one transaction; never urgent or emergency."""
    done = SafetyService(ctx).mark_minor_read()
    return see_other(request, "/alerts", read=done)


@router.post("/alerts/{alert_id}/acknowledge", response_model=None)
def acknowledge(
    request: Request, ctx: Context, alert_id: AlertId, form: Annotated[AcknowledgeForm, Form()]
) -> RedirectResponse:
    SafetyService(ctx).acknowledge(alert_id, form.note or None)
    return see_other(request, "/alerts")
