"""Check-ins over HTTP: the instruments, recording a check-in, and scores over time.

Each route is one call to ``CheckinService``; its answer is shaped by the same views as the
CLI's ``--json``. A refused check-in stores nothing (the service checks and scores everything
before it writes). The service names an item's own id when an answer is wrong; over the API
that is reported against the request field that carried it (``answers``, ``pulse_bpm``), with
the service's message, which names the item and its allowed values.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from mitra.domain.errors import InputError
from mitra.domain.instruments import Instrument, get_instrument
from mitra.services.alert_views import alert_view
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.views import assessment_view, change_view, instrument_view, score_row_view
from mitra.web.api.checkin_models import (
    CheckinIn,
    CheckinOut,
    InstrumentOneOut,
    InstrumentsOut,
    ScoresOut,
)
from mitra.web.api.entry_routes import ERRORS
from mitra.web.app import context

router = APIRouter(prefix="/api/v1", tags=["check-ins"], responses=ERRORS)
Context = Annotated[AppContext, Depends(context)]
InstrumentId = Annotated[str, Path(max_length=200, description="cows, sows-gossop, phq2, ...")]

# The service's field names for parts of a check-in, and the request fields that carry them.
_REQUEST_FIELDS = {"bpm": "pulse_bpm", "answers": "answers", "at": "at", "rater": "rater"}


def instrument_detail(instrument: Instrument) -> dict[str, Any]:
    """``instrument_view`` with what a form needs: instructions, sources and every item."""
    view = instrument_view(instrument)
    view["instructions"] = instrument.instructions
    view["sources"] = list(instrument.sources)
    view["item_list"] = [
        {
            "id": item.id,
            "number": item.number,
            "label": item.name,
            "text": item.text,
            "answers": [{"score": a.score, "anchor": a.anchor} for a in item.answers],
            "allowed": item.allowed_text(),
            "step": item.step,
            "scale": item.scale,
            "bpm_ranges": (
                [
                    {"score": r.score, "min_bpm": r.min_bpm, "max_bpm": r.max_bpm}
                    for r in item.bpm_ranges
                ]
                if item.bpm_ranges
                else None
            ),
        }
        for item in instrument.items
    ]
    return view


@router.get("/instruments", response_model=InstrumentsOut)
def list_instruments(ctx: Context) -> dict[str, Any]:
    """Every instrument mitra offers: who rates it, how often it is offered, its bands."""
    return {"instruments": [instrument_view(i) for i in CheckinService(ctx).instruments()]}


@router.get("/instruments/{instrument_id}", response_model=InstrumentOneOut)
def show_instrument(instrument_id: InstrumentId) -> dict[str, Any]:
    """One instrument with its items, their anchored answers and allowed scores."""
    return {"instrument": instrument_detail(get_instrument(instrument_id))}


def _request_field(exc: InputError, instrument_id: str) -> str | None:
    """The request field a service error is about: an item's id is one of the ``answers``."""
    field = exc.field
    if field is None or field == "note":
        return field
    if field in _REQUEST_FIELDS:
        return _REQUEST_FIELDS[field]
    items = {item.id for item in get_instrument(instrument_id).items}
    return "answers" if field in items else field


@router.post("/checkins", status_code=201, response_model=CheckinOut)
def record_checkin(body: CheckinIn, ctx: Context) -> dict[str, Any]:
    """Score and store one check-in, with every item answer; answers its alerts and change."""
    try:
        result = CheckinService(ctx).record(
            body.instrument,
            # Handed over as given: the service refuses a number the item does not allow.
            body.answers,  # type: ignore[arg-type]
            at=body.at,
            rater=body.rater,
            pulse_bpm=body.pulse_bpm,
            note=body.note,
        )
    except InputError as exc:
        raise InputError(exc.message, field=_request_field(exc, body.instrument)) from None
    zone = result.profile.zone()
    assert result.trend is not None  # a stored check-in always has its row
    return {
        "assessment": assessment_view(
            result.assessment,
            zone,
            record_id=result.id,
            note=result.note,
            pulse_bpm=result.pulse_bpm,
        ),
        "alerts": [alert_view(a, zone) for a in result.alerts],
        "change": change_view(result.trend),
    }


@router.get("/scores", response_model=ScoresOut)
def list_scores(
    ctx: Context,
    instrument: Annotated[str | None, Query(max_length=200, description="Only this one")] = None,
    since: Annotated[str | None, Query(max_length=200, description="At or after")] = None,
) -> dict[str, Any]:
    """Scores in time order, each with its change from the previous score of its instrument
    and from the first (the baseline); times in the person's time zone."""
    service = CheckinService(ctx)
    try:
        rows = service.scores(instrument, since=since)
    except InputError as exc:
        # The only time read here is ``since``; the time reader calls every time "at".
        raise InputError(exc.message, field="since" if exc.field == "at" else exc.field) from None
    profile = service.profile()
    zone = profile.zone()
    return {"scores": [score_row_view(row, zone) for row in rows], "timezone": profile.timezone}
