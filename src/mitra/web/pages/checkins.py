"""Check-ins: the instruments, a form per instrument, and the result of a saved check-in.

``/checkin`` lists the instruments: who rates each, how often it is offered (PHQ-2 and GAD-2
weekly, with when the last one was done) and its latest score. ``/checkin/{id}`` is the form:
one tap per item (radio groups drawn as large buttons), the COWS pulse also as beats a minute,
the craving line as a 0-100 slider; ``static/checkin.js`` adds a running total, and the form
works without it. Saving redirects to ``/checkin/{id}/result``, which shows any alerts first,
then the total, band, reading, source and the change from the previous and first scores.

Invariants: the service checks and stores; a refused form stores nothing and comes back with
what was chosen and each problem at its item (status 422). The result is carried across the
redirect as a one-time notice (``flash.py``); if that notice is gone (a restart), the page
shows the instrument's latest stored score instead, and alerts stay on the alerts page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from mitra.domain.human_time import when_words
from mitra.domain.instruments import Instrument, get_instrument
from mitra.services.alert_views import alert_view, support_view
from mitra.services.checkins import CheckinService, pulse_item
from mitra.services.context import AppContext
from mitra.services.views import assessment_view, change_view, score_row_view
from mitra.web import checkin_views as views
from mitra.web.csrf import FIELD as CSRF_FIELD
from mitra.web.pages.checkin_form import BPM, field_for, read_answers
from mitra.web.pages.common import PERSON_ERRORS, Context, FormState, blank, flash_store, see_other
from mitra.web.render import renderer

router = APIRouter()

InstrumentId = Annotated[str, Path(max_length=100)]


async def posted(request: Request) -> dict[str, str]:
    """The form as text fields (its item fields are named by the instrument, so no fixed
    model can list them); the CSRF token is not part of a check-in."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


Posted = Annotated[dict[str, str], Depends(posted)]


@router.get("/checkin", response_class=HTMLResponse)
def list_instruments(request: Request, ctx: Context) -> HTMLResponse:
    service = CheckinService(ctx)
    zone = service.profile().zone()
    now = ctx.now()
    latest = views.latest_rows(service.scores())
    shown = []
    for instrument in views.ordered(service.instruments()):
        last = latest.get(instrument.id)
        shown.append(
            {
                "instrument": instrument,
                "last": last,
                "last_when": when_words(last.assessment.at, now, zone) if last else None,
                "due": views.weekly_due(instrument, last, now, latest),
                "next": (
                    when_words(views.next_weekly(last), now, zone)
                    if last and instrument.offer_every == "weekly"
                    else None
                ),
            }
        )
    return renderer(request).page(
        request,
        "checkins.html",
        {
            "rows": shown,
            "rater_words": views.RATER_WORDS,
            "offer_words": views.OFFER_WORDS,
        },
    )


def _form_page(
    request: Request, instrument: Instrument, state: FormState, status: int = 200
) -> HTMLResponse:
    return renderer(request).page(
        request,
        "checkin_form.html",
        {
            "instrument": instrument,
            "form": state,
            "pulse": pulse_item(instrument),
            "bpm_field": BPM,
        },
        status_code=status,
    )


@router.get("/checkin/{instrument_id}", response_class=HTMLResponse)
def show_form(request: Request, instrument_id: InstrumentId) -> HTMLResponse:
    instrument = get_instrument(instrument_id)
    return _form_page(request, instrument, FormState({"rater": "self"}))


@router.post("/checkin/{instrument_id}", response_model=None)
def save(
    request: Request, ctx: Context, instrument_id: InstrumentId, values: Posted
) -> HTMLResponse | RedirectResponse:
    instrument = get_instrument(instrument_id)
    state = FormState(dict(values))
    service = CheckinService(ctx)
    at = blank(values.get("at", ""))
    rater = values.get("rater", "self")
    note = blank(values.get("note", ""))
    try:
        # Time, rater and note first, so their problems show together with unanswered items.
        service.prepare(instrument.id, at=at, rater=rater, note=note)
    except PERSON_ERRORS as exc:
        state.errors[field_for(instrument, exc.field)] = exc.message
    read = read_answers(instrument, values)
    state.errors.update(read.errors)
    if state.errors:
        return _form_page(request, instrument, state, 422)
    try:
        result = service.record(
            instrument.id, read.answers, at=at, rater=rater, pulse_bpm=read.pulse_bpm, note=note
        )
    except PERSON_ERRORS as exc:
        state.errors[field_for(instrument, exc.field)] = exc.message
        return _form_page(request, instrument, state, 422)
    zone = result.profile.zone()
    assert result.trend is not None  # a stored check-in always has its row
    payload = {
        "instrument": instrument.id,
        "when": when_words(result.assessment.at, ctx.now(), zone),
        "assessment": assessment_view(
            result.assessment, zone, record_id=result.id, note=result.note, pulse_bpm=read.pulse_bpm
        ),
        "change": change_view(result.trend),
        "alerts": [alert_view(a, zone) for a in result.alerts],
    }
    token = flash_store(request).put(payload)
    return see_other(request, f"/checkin/{instrument.id}/result", saved=token)


def _stored_result(ctx: AppContext, instrument: Instrument) -> dict[str, Any] | None:
    """The latest stored score of the instrument, shaped like a fresh result (no alerts)."""
    service = CheckinService(ctx)
    rows = service.scores(instrument.id)
    if not rows:
        return None
    zone = service.profile().zone()
    view = score_row_view(rows[-1], zone)
    when = when_words(rows[-1].assessment.at, ctx.now(), zone)
    return {
        "instrument": instrument.id,
        "when": when,
        "assessment": view,
        "change": view,
        "alerts": None,
    }


@router.get("/checkin/{instrument_id}/result", response_class=HTMLResponse)
def result(
    request: Request, ctx: Context, instrument_id: InstrumentId, saved: str | None = None
) -> HTMLResponse:
    instrument = get_instrument(instrument_id)
    found = flash_store(request).get(saved)
    fresh = found is not None and found.get("instrument") == instrument.id
    shown = found if fresh else _stored_result(ctx, instrument)
    answered = () if shown is None else shown["assessment"]["items"]
    follow = instrument.positive_follow_up
    return renderer(request).page(
        request,
        "checkin_result.html",
        {
            "instrument": instrument,
            "result": shown,
            "fresh": fresh,
            "support": support_view(ctx.rules().ruleset.support),
            "basis_words": views.BASIS_WORDS,
            # A crisis answer (PHQ-9 item 9) shows 988 first, before anything else.
            "crisis": instrument.crisis_items(tuple((i["id"], i["score"]) for i in answered)),
            "follow_up_name": get_instrument(follow).short_name if follow else None,
        },
    )
