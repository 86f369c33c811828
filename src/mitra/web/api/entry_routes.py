"""Journal entries over HTTP: log doses, substances and symptoms; list, delete, undo.

Each route is one service call. Logging answers ``201`` with ``{"entry", "alerts"}`` like the
CLI's ``--json``; errors are mapped in ``mitra.web.errors``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from mitra.services.alert_views import alert_view
from mitra.services.context import AppContext
from mitra.services.journal import JournalService, LogResult
from mitra.services.views import entry_view
from mitra.web.api.models import (
    ChangeOut,
    DoseIn,
    EntriesOut,
    ErrorOut,
    LoggedOut,
    SubstanceIn,
    SymptomIn,
    SymptomsLoggedOut,
)
from mitra.web.app import context

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorOut,
        "description": "Malformed request: a body that is not JSON, or a host name this "
        "server does not answer to",
    },
    404: {"model": ErrorOut, "description": "Not found"},
    409: {"model": ErrorOut, "description": "Clashes with what is stored"},
    422: {"model": ErrorOut, "description": "Input mitra cannot use; nothing was written"},
}

router = APIRouter(prefix="/api/v1", tags=["journal"], responses=ERRORS)
Context = Annotated[AppContext, Depends(context)]
Kind = Literal["dose", "substance", "symptom"]
# Ids are SQL INTEGER columns (32 bits on PostgreSQL): a larger number names no entry.
EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def logged(result: LogResult) -> dict[str, Any]:
    """The view of a logged entry and its alerts, as the CLI's ``--json`` prints it."""
    zone = result.profile.zone()
    view = entry_view(result.entry, zone)
    if result.entry.kind.value == "substance":
        view["daily_mme"] = None if result.daily_mme is None else round(result.daily_mme, 2)
    return {"entry": view, "alerts": [alert_view(a, zone) for a in result.alerts]}


@router.post("/entries/doses", status_code=201, response_model=LoggedOut)
def log_dose(body: DoseIn, ctx: Context) -> dict[str, Any]:
    """Record a kratom dose; the entry carries its estimated mitragynine and 7-OH ranges."""
    result = JournalService(ctx).log_dose(
        body.amount, product=body.product, at=body.at, note=body.note
    )
    return logged(result)


@router.post("/entries/substances", status_code=201, response_model=LoggedOut)
def log_substance(body: SubstanceIn, ctx: Context) -> dict[str, Any]:
    """Record another substance (opioids show their MME and the day's total)."""
    result = JournalService(ctx).log_substance(
        body.name, body.amount, route=body.route, at=body.at, note=body.note
    )
    return logged(result)


@router.post("/entries/symptoms", status_code=201, response_model=SymptomsLoggedOut)
def log_symptom(body: SymptomIn, ctx: Context) -> dict[str, Any]:
    """Record how you feel, in any words: one entry per symptom understood, never refused.

    Words mitra does not recognise are kept as "other" in your own words; warning signs in
    any wording (including curly apostrophes and typos) raise their guidance at once.
    """
    result = JournalService(ctx).log_symptom(
        body.name, severity=body.severity, at=body.at, note=body.note
    )
    zone = result.profile.zone()
    return {
        **logged(result),
        "entries": [entry_view(e, zone) for e in result.entries],
        "understood": result.understood,
        "severity_note": result.severity_note,
    }


@router.get("/entries", response_model=EntriesOut)
def list_entries(
    ctx: Context,
    since: Annotated[str | None, Query(max_length=200, description="At or after")] = None,
    until: Annotated[str | None, Query(max_length=200, description="At or before")] = None,
    kind: Annotated[list[Kind] | None, Query(description="Only these kinds")] = None,
    include_deleted: bool = False,
) -> dict[str, Any]:
    """Entries in time order, in the person's time zone."""
    found, deleted, profile = JournalService(ctx).history(
        since=since, until=until, include_deleted=include_deleted
    )
    zone = profile.zone()
    wanted = set(kind) if kind else None
    return {
        "entries": [
            entry_view(e, zone, deleted=e.id in deleted)
            for e in found
            if wanted is None or e.kind.value in wanted
        ],
        "timezone": profile.timezone,
    }


@router.delete("/entries/{entry_id}", response_model=ChangeOut)
def delete_entry(entry_id: EntryId, ctx: Context) -> dict[str, Any]:
    """Delete an entry: it stays on record, marked deleted, and ``undo`` restores it."""
    service = JournalService(ctx)
    entry = service.delete(entry_id)
    return {"action": "deleted", "entry": entry_view(entry, service.profile().zone())}


@router.post("/undo", response_model=ChangeOut)
def undo(ctx: Context) -> dict[str, Any]:
    """Take back the last logged entry, or restore the last deleted one."""
    service = JournalService(ctx)
    result = service.undo()
    return {"action": result.action, "entry": entry_view(result.entry, service.profile().zone())}
