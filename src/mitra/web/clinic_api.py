"""``/api/v1/people``: the journals shared with a clinician (or an admin), and their entries,
alerts and scores, read with the same routes, services and views as a person's own API.

Each journal read asks the sharing service first (``ClinicGate.may_read``: an active share or
break-glass grant, at this moment), which appends the audit row of the read in the same step.
A journal the caller may not see is answered 404 with exactly the body of a journal that does
not exist, so the answer never tells whether a journal exists. A person (who has only their
own journal, at ``/api/v1/entries``) is answered 403.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from mitra.domain.errors import NotFoundError
from mitra.services.context import AppContext
from mitra.services.safety import MAX_PER_PAGE
from mitra.web.api import alert_routes, checkin_routes, entry_routes
from mitra.web.api.checkin_models import ScoresOut
from mitra.web.api.entry_routes import ERRORS, Kind
from mitra.web.api.models import AlertsOut, EntriesOut, ErrorOut
from mitra.web.clinic_auth import caller_of
from mitra.web.clinic_gate import Caller, ClinicGate
from mitra.web.clinic_roles import PERSON, role_of

router = APIRouter(
    prefix="/api/v1/people",
    tags=["people"],
    responses={
        **ERRORS,
        401: {"model": ErrorOut, "description": "No valid token"},
        403: {"model": ErrorOut, "description": "Not a clinician's or an admin's account"},
    },
)
JournalId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]
Offset = Annotated[int, Query(ge=0, le=2**31)]
Text = Annotated[str | None, Query(max_length=200)]
MAX_PEOPLE = 200


class PersonOut(BaseModel):
    journal_id: int
    email: str
    scope: Literal["read", "plan", "break-glass"]
    ends: str | None  # ISO 8601 with offset; None while the share has no end


class PeopleOut(BaseModel):
    people: list[PersonOut]
    total: int
    offset: int
    limit: int


class PagedEntriesOut(EntriesOut):
    total: int
    offset: int
    limit: int


def _gate(request: Request) -> ClinicGate:
    found: ClinicGate = request.app.state.clinic.gate
    return found


def _clinician(request: Request) -> Caller:
    caller = caller_of(request)
    if caller is None or role_of(caller) == PERSON:
        from fastapi import HTTPException  # noqa: PLC0415

        raise HTTPException(403, "only a clinician's or an admin's account lists people")
    return caller


def not_found(journal_id: int) -> NotFoundError:
    """The one answer for a journal not shared with the caller and one that does not exist."""
    return NotFoundError(f"no journal {journal_id} is shared with you")


def _journal(request: Request, journal_id: int, what: str) -> AppContext:
    """The journal's context, once the caller may read it now (the read is audited)."""
    caller = _clinician(request)
    client = request.client.host if request.client else None
    if not _gate(request).may_read(caller, journal_id, what, client):
        raise not_found(journal_id)
    ctx: AppContext = request.app.state.clinic.contexts.for_reader(journal_id)
    return ctx


@router.get("", response_model=PeopleOut)
def list_people(request: Request, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """Journals shared with you now (and open emergency access), newest activity first."""
    caller = _clinician(request)
    found, total = _gate(request).people_page(caller, offset, limit)
    return {
        "people": [
            {
                "journal_id": p.journal_id,
                "email": p.email,
                "scope": p.scope,
                "ends": p.ends.isoformat() if p.ends else None,
            }
            for p in found
        ],
        "total": total,
        "offset": offset,
        "limit": limit,
    }


@router.get("/{journal_id}/entries", response_model=PagedEntriesOut)
def person_entries(
    request: Request,
    journal_id: JournalId,
    since: Text = None,
    until: Text = None,
    kind: Annotated[list[Kind] | None, Query(description="Only these kinds")] = None,
    include_deleted: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A shared journal's entries in time order, a page at a time, in the person's zone."""
    ctx = _journal(request, journal_id, "entries")
    found = entry_routes.list_entries(ctx, since, until, kind, include_deleted)
    entries = found["entries"]
    return {
        **found,
        "entries": entries[offset : offset + limit],
        "total": len(entries),
        "offset": offset,
        "limit": limit,
    }


@router.get("/{journal_id}/alerts", response_model=AlertsOut)
def person_alerts(
    request: Request,
    journal_id: JournalId,
    include_acknowledged: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A shared journal's alerts, open and most serious first, a page at a time."""
    ctx = _journal(request, journal_id, "alerts")
    return alert_routes.list_alerts(ctx, include_acknowledged, limit, offset)


@router.get("/{journal_id}/scores", response_model=ScoresOut)
def person_scores(
    request: Request,
    journal_id: JournalId,
    instrument: Text = None,
    since: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A shared journal's check-in scores in time order, with their changes, a page at a
    time (the changes are from the whole history, not the page)."""
    ctx = _journal(request, journal_id, "scores")
    found = checkin_routes.list_scores(ctx, instrument, since)
    return {**found, "scores": found["scores"][offset : offset + limit]}
