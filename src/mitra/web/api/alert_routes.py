"""Safety alerts over HTTP: list them, acknowledge one. Thin over ``SafetyService``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from mitra.services.alert_views import alert_view
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from mitra.web.api.entry_routes import ERRORS
from mitra.web.api.models import AcknowledgeIn, AlertOneOut, AlertsOut
from mitra.web.app import context

router = APIRouter(prefix="/api/v1", tags=["alerts"], responses=ERRORS)
Context = Annotated[AppContext, Depends(context)]
AlertId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/alerts", response_model=AlertsOut)
def list_alerts(ctx: Context, include_acknowledged: bool = False) -> dict[str, Any]:
    """Alerts most serious first; acknowledged ones only when asked for."""
    zone = JournalService(ctx).profile().zone()
    found = SafetyService(ctx).alerts(include_acknowledged=include_acknowledged)
    return {"alerts": [alert_view(a, zone) for a in found]}


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOneOut)
def acknowledge(alert_id: AlertId, body: AcknowledgeIn, ctx: Context) -> dict[str, Any]:
    """Mark an alert as read (it stays on record, with when and the note)."""
    stored = SafetyService(ctx).acknowledge(alert_id, body.note)
    return {"alert": alert_view(stored, JournalService(ctx).profile().zone())}
