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
from pydantic import BaseModel, Field

from mitra.domain.errors import NotFoundError
from mitra.services.clinic_roster import MAX_ACK_NOTE
from mitra.services.context import AppContext
from mitra.services.safety import MAX_PER_PAGE
from mitra.web import roster_view
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


class TrendOut(BaseModel):
    instrument: str
    latest: int
    previous: int | None
    change: int | None
    at: str


class ReadinessOut(BaseModel):
    answer: Literal["not-yet", "likely-ready", "talk-low-or-high"]
    headline: str


class RiskOut(BaseModel):
    tier: str  # a tier id of the documented order (``tiers`` in the answer)
    rank: int  # the tier's place in that order, 0 first
    signs: list[str]  # the filter ids this journal shows
    open_emergency: int
    unseen_emergency: int  # open emergencies no clinician has marked as seen
    open_urgent: int
    escalation: int
    last_checkin: str | None
    days_since_checkin: int | None  # None: no check-in in the look-back (see the order)
    trends: list[TrendOut]
    plan: Literal["none", "on-track", "holding", "stepped-back"]
    bup_readiness: ReadinessOut | None


class PersonOut(BaseModel):
    journal_id: int
    email: str
    scope: Literal["read", "plan", "break-glass"]
    ends: str | None  # ISO 8601 with offset; None while the share has no end
    risk: RiskOut


class TierOut(BaseModel):
    id: str
    words: str
    test: str
    why: str


class PeopleOut(BaseModel):
    people: list[PersonOut]
    total: int  # journals matching the filter
    everyone: int  # journals on your list
    counts: dict[str, int]  # filter id -> journals showing that sign
    tiers: list[TierOut]  # the risk order, first to last (data/roster.toml)
    offset: int
    limit: int


class SeenOut(BaseModel):
    journal_id: int
    alert_id: int
    seen: bool


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


Sort = Literal["risk", "email"]
Needs = Literal["alerts", "withdrawal", "escalation", "plan", "no-checkin"]


@router.get("", response_model=PeopleOut)
def list_people(
    request: Request,
    sort: Annotated[Sort, Query(description="risk: the documented order (tiers)")] = "risk",
    needs: Annotated[Needs | None, Query(description="Only journals showing this sign")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PEOPLE)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Journals shared with you now (and your open emergency accesses), most in need first:
    open emergencies not yet seen by a clinician, then seen ones, urgent alerts, withdrawal
    high or rising, use going up, a plan holding or stepped back, no recent check-in, the
    rest (``tiers`` says each test and why). Each journal listed is audited as a look."""
    caller = _clinician(request)
    client = request.client.host if request.client else None
    page = _gate(request).roster(
        caller,
        needs,
        offset,
        limit,
        source=client,
        sort_by_email=sort == "email",
        readiness_of=roster_view.readiness_reader(request.app.state.clinic.contexts),
    )
    return {
        "people": [roster_view.person(row, page.at) for row in page.rows],
        "total": page.total,
        "everyone": page.everyone,
        "counts": page.counts,
        "tiers": [
            {"id": t.id, "words": t.words, "test": t.test, "why": t.why} for t in page.order.tiers
        ],
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


class SeenIn(BaseModel):
    note: str | None = Field(
        default=None,
        max_length=MAX_ACK_NOTE,
        description="For the person: they see it with the alert",
        examples=["Seen. I will call you this afternoon."],
    )


@router.post("/{journal_id}/alerts/{alert_id}/seen", response_model=SeenOut)
def person_alert_seen(
    request: Request,
    journal_id: JournalId,
    alert_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: SeenIn | None = None,
) -> dict[str, Any]:
    """Acknowledge, as a clinician, an open emergency or urgent alert: stored apart from the
    person's own acknowledgement (the alert stays open for them), shown to them with your
    note, and recorded in the audit log; the roster then stops putting the journal above all
    others for it. Acknowledging again keeps the first."""
    caller = _clinician(request)
    client = request.client.host if request.client else None
    note = body.note if body else None
    if not _gate(request).mark_seen(caller, journal_id, alert_id, client, note):
        raise NotFoundError(
            f"no open emergency or urgent alert {alert_id} in a journal shared with you"
        )
    return {"journal_id": journal_id, "alert_id": alert_id, "seen": True}
