"""Safety alerts over HTTP: list them a page at a time (``limit``/``offset``, with ``total``),
acknowledge one, or mark every caution and information alert read in one call (never urgent or
emergency ones). Thin over ``SafetyService``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from mitra.services.alert_views import alert_view
from mitra.services.clinic_roster import acks_by_alert
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import MAX_PER_PAGE, SafetyService
from mitra.services.views import iso
from mitra.web.api.entry_routes import ERRORS
from mitra.web.api.models import AcknowledgeIn, AlertOneOut, AlertsOut, MarkedReadOut
from mitra.web.app import context

router = APIRouter(prefix="/api/v1", tags=["alerts"], responses=ERRORS)
Context = Annotated[AppContext, Depends(context)]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/alerts", response_model=AlertsOut)
def list_alerts(
    ctx: Context,
    include_acknowledged: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> dict[str, Any]:
    """Alerts open first, most serious first, then newest; acknowledged ones only when asked
    for. Repeats of a pattern are one alert with a count; page with ``limit`` and ``offset``.
    On a clinic server each alert lists who of your care team has seen it
    (``seen_by_care_team``); that is theirs, and the alert stays open for you."""
    zone = JournalService(ctx).profile().zone()
    found = SafetyService(ctx).alert_page(
        per_page=limit, offset=offset, include_acknowledged=include_acknowledged
    )
    views = [alert_view(a, zone) for a in found.alerts]
    # What the care team said of them (a clinic server; none on a local journal).
    seen = acks_by_alert(ctx.database, ctx.database.journal_id, [v["alert_ids"] for v in views])
    for view, acks in zip(views, seen, strict=True):
        view["seen_by_care_team"] = [
            {"clinician": a.clinician_email, "at": iso(a.at, zone), "note": a.note} for a in acks
        ]
    return {
        "alerts": views,
        "total": found.total,
        "offset": offset,
        "limit": limit,
    }


@router.post("/alerts/mark-read", response_model=MarkedReadOut)
def mark_minor_read(ctx: Context, body: AcknowledgeIn | None = None) -> dict[str, Any]:
    """Mark every open caution and information alert read, in one transaction. Urgent and
    emergency alerts (and warnings) stay open: each needs its own acknowledgement."""
    return {"acknowledged": SafetyService(ctx).mark_minor_read(body.note if body else None)}


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOneOut)
def acknowledge(alert_id: AlertId, body: AcknowledgeIn, ctx: Context) -> dict[str, Any]:
    """Mark an alert as read (it stays on record, with when and the note)."""
    stored = SafetyService(ctx).acknowledge(alert_id, body.note)
    return {"alert": alert_view(stored, JournalService(ctx).profile().zone())}
