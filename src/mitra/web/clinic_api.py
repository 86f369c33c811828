"""``/api/v1/people``: the journals shared with a clinician (or an admin), and their entries,
alerts and scores, read with the same routes, services and views as a person's own API.

Each journal read asks the sharing service first (``ClinicGate.may_read``: an active share or
break-glass grant, at this moment), which appends the audit row of the read in the same step.
A journal the caller may not see is answered 404 with exactly the body of a journal that does
not exist, so the answer never tells whether a journal exists. A person (who has only their
own journal, at ``/api/v1/entries``) is answered 403.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from mitra.domain.errors import NotFoundError
from mitra.services import care_notes, person_limits
from mitra.services.clinic_roster import MAX_ACK_NOTE
from mitra.services.clinic_sharing import NotAllowed
from mitra.services.context import AppContext
from mitra.services.safety import MAX_PER_PAGE
from mitra.storage.plan_store import StoredPlan
from mitra.web import roster_view
from mitra.web.api import alert_routes, checkin_routes, entry_routes
from mitra.web.api.checkin_models import ScoresOut
from mitra.web.api.entry_routes import ERRORS, Context, Kind
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


@contextlib.contextmanager
def acting(journal_id: int) -> Iterator[None]:
    """A clinician acting for a person: 403 with the reason for a journal shared to read
    only; for one not shared, the same 404 as for one that does not exist."""
    try:
        yield
    except NotAllowed as exc:
        if exc.shared:
            raise HTTPException(403, exc.reason) from None
        raise not_found(journal_id) from None


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


class NoteIn(BaseModel):
    text: str = Field(default="", max_length=care_notes.MAX_NOTE * 2, examples=["Call Thursday."])
    private: bool = Field(
        default=False, description="Private to the care team: the person does not see its text"
    )


class NoteOut(BaseModel):
    id: int
    author: str
    at: str
    text: str
    private: bool


class NotesOut(BaseModel):
    notes: list[NoteOut]
    total: int
    private_hidden: int  # the care team's private notes left out (a person's own list)
    rule: str  # what the person is told of who sees which note
    offset: int
    limit: int


def note_view(note: care_notes.CareNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "author": note.author_email,
        "at": note.at.isoformat(),
        "text": note.text,
        "private": note.private,
    }


def notes_view(found: care_notes.NotesPage, offset: int, limit: int) -> dict[str, Any]:
    return {
        "notes": [note_view(n) for n in found.notes],
        "total": found.total,
        "private_hidden": found.private_hidden,
        "rule": care_notes.PERSON_RULE,
        "offset": offset,
        "limit": limit,
    }


@router.get("/{journal_id}/notes", response_model=NotesOut)
def person_notes(
    request: Request, journal_id: JournalId, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    """The care team's notes in a shared journal, newest first, private ones included."""
    _journal(request, journal_id, "notes")
    return notes_view(_gate(request).team_notes(journal_id, offset, limit), offset, limit)


@router.post("/{journal_id}/notes", response_model=NoteOut, status_code=201)
def write_note(request: Request, journal_id: JournalId, body: NoteIn) -> dict[str, Any]:
    """Write a note in a journal shared with you to plan. The person sees it unless it is
    private to the care team (they are told how many private notes there are)."""
    caller = _clinician(request)
    client = request.client.host if request.client else None
    at = _gate(request).now()
    with acting(journal_id):
        made = _gate(request).write_note(caller, journal_id, body.text, body.private, client)
    return {
        "id": made,
        "author": caller.email,
        "at": at.isoformat(),
        "text": body.text.strip(),
        "private": body.private,
    }


class LimitOut(BaseModel):
    rule_id: str
    rule_title: str
    threshold: str
    unit: str
    value: float
    server_value: float  # the server's own value: the person's is never looser
    why: str  # why the rule's threshold is where it is (rules.toml)


class LimitsOut(BaseModel):
    limits: list[LimitOut]
    set_by: str | None
    set_at: str | None


class LimitsIn(BaseModel):
    limits: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="rule id -> threshold -> value, each at least as strict as the server's; "
        "replaces the limits before (an empty object returns to the server's)",
        examples=[{"daily-mitragynine-high": {"max_mg": 60}}],
    )


def limits_view(found: person_limits.LimitsView) -> dict[str, Any]:
    return {
        "limits": [
            {
                "rule_id": x.rule_id,
                "rule_title": x.rule_title,
                "threshold": x.threshold,
                "unit": x.unit,
                "value": x.value,
                "server_value": x.server_value,
                "why": x.why,
            }
            for x in found.limits
        ],
        "set_by": found.set_by,
        "set_at": found.set_at.isoformat() if found.set_at else None,
    }


@router.get("/{journal_id}/limits", response_model=LimitsOut)
def person_limits_in_force(request: Request, journal_id: JournalId) -> dict[str, Any]:
    """The safety limits set for this person by their care team (stricter than the server's)."""
    _journal(request, journal_id, "limits")
    return limits_view(_gate(request).limits_of(journal_id))


@router.put("/{journal_id}/limits", response_model=LimitsOut)
def set_person_limits(request: Request, journal_id: JournalId, body: LimitsIn) -> dict[str, Any]:
    """Set this person's safety limits (a share to plan): each threshold only ever stricter
    than the server's; a looser or unknown one refuses the whole request and stores nothing.
    The next write in their journal, and their plans, are judged with them."""
    caller = _clinician(request)
    client = request.client.host if request.client else None
    with acting(journal_id):
        _gate(request).set_limits(caller, journal_id, body.limits, client)
    return limits_view(_gate(request).limits_of(journal_id))


class TaperIn(BaseModel):
    steps: str = Field(
        default="",
        max_length=400,
        description="Your schedule: daily mg of mitragynine per step, each step lasting "
        "step_days (e.g. '120,108,96'). Empty: a percent taper from the amount logged.",
        examples=["120,108,96,84"],
    )
    step_days: int | None = Field(default=None, ge=1, le=90)
    current_mg: float | None = Field(default=None, gt=0, le=5000)
    start: str | None = Field(default=None, max_length=40, examples=["2026-12-07"])


class StepBackIn(BaseModel):
    reason: str = Field(default="", max_length=500)


class PlanStepOut(BaseModel):
    start: str
    end: str
    daily_max_mg: float
    dose_max_mg: float


class PlanOut(BaseModel):
    plan_id: int
    kind: str
    strategy: str
    steps: list[PlanStepOut]
    set_by: str


def _plan_out(stored: StoredPlan, caller_email: str) -> dict[str, Any]:
    plan = stored.plan
    return {
        "plan_id": stored.id,
        "kind": plan.kind,
        "strategy": plan.strategy,
        "steps": [
            {
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "daily_max_mg": s.daily_max_mg,
                "dose_max_mg": s.dose_max_mg,
            }
            for s in plan.steps
        ],
        "set_by": caller_email,
    }


def _for_plan(request: Request, journal_id: int, change: Any) -> Any:
    caller = _clinician(request)
    client = request.client.host if request.client else None
    contexts = request.app.state.clinic.contexts
    with acting(journal_id):
        return caller, _gate(request).act_on_plan(
            caller, journal_id, lambda: contexts.for_journal(journal_id), change, client
        )


@router.post("/{journal_id}/plan/taper", response_model=PlanOut, status_code=201)
def person_new_taper(request: Request, journal_id: JournalId, body: TaperIn) -> dict[str, Any]:
    """Set a taper for the person (a share to plan): your schedule, or a percent taper from
    what they logged. Their limits bound it, it replaces their active plan, and their Plan
    page says you set it."""
    caller, created = _for_plan(
        request,
        journal_id,
        lambda plans: plans.new_taper(
            strategy="custom" if body.steps.strip() else None,
            steps=body.steps.strip() or None,
            step_days=None if body.step_days is None else str(body.step_days),
            current_mg=None if body.current_mg is None else f"{body.current_mg:g}",
            start=body.start,
        ),
    )
    return _plan_out(created.stored, caller.email)


@router.post("/{journal_id}/plan/step-back", response_model=PlanOut)
def person_step_back(request: Request, journal_id: JournalId, body: StepBackIn) -> dict[str, Any]:
    """Step the person's active taper back (a share to plan), with your reason; their Plan
    page says you did."""
    caller, done = _for_plan(request, journal_id, lambda plans: plans.step_back(body.reason))
    return _plan_out(done.stored, caller.email)


# A person's own view of what their care team did: their notes and limits.
own_router = APIRouter(
    prefix="/api/v1",
    tags=["care team"],
    responses={401: {"model": ErrorOut, "description": "No valid token"}},
)


@own_router.get("/notes", response_model=NotesOut)
def own_notes(ctx: Context, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """Your care team's notes in your journal, newest first (private ones counted, not shown)."""
    journal_id = ctx.database.journal_id
    found = care_notes.for_person(ctx.database, journal_id, offset=offset, limit=limit)
    return notes_view(found, offset, limit)


@own_router.get("/limits", response_model=LimitsOut)
def own_limits(request: Request, ctx: Context) -> dict[str, Any]:
    """The safety limits your care team set for you (stricter than the server's)."""
    return limits_view(_gate(request).limits_of(ctx.database.journal_id))
