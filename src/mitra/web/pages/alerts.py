"""Alerts: what the safety engine found, most serious first, each with its evidence; urgent
and emergency ones stay open (and announced on every page) until acknowledged here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from mitra.services.alert_views import alert_view
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from mitra.web.pages.common import Context, see_other
from mitra.web.render import renderer

router = APIRouter()

AlertId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/alerts", response_class=HTMLResponse)
def alerts(
    request: Request, ctx: Context, everything: Annotated[str, Query(alias="all")] = ""
) -> HTMLResponse:
    zone = JournalService(ctx).profile().zone()
    found = SafetyService(ctx).alerts(include_acknowledged=bool(everything))
    # Unread first, then the most serious, then the newest.
    found.sort(
        key=lambda s: (
            s.acknowledged_at is not None,
            -s.alert.severity.rank,
            -s.alert.at.timestamp(),
        )
    )
    return renderer(request).page(
        request,
        "alerts.html",
        {"alerts": [alert_view(a, zone) for a in found], "showing_all": bool(everything)},
    )


class AcknowledgeForm(BaseModel):
    note: str = ""


@router.post("/alerts/{alert_id}/acknowledge", response_model=None)
def acknowledge(
    request: Request, ctx: Context, alert_id: AlertId, form: Annotated[AcknowledgeForm, Form()]
) -> RedirectResponse:
    SafetyService(ctx).acknowledge(alert_id, form.note or None)
    return see_other(request, "/alerts")
