"""The clinician's roster page (``/clinic``) and a person's page as a clinician sees it
(``/clinic/people/{journal_id}``), with "I have seen this" for an open emergency or urgent
alert.

The roster is ``services.clinic_roster``'s page in words: the tier, the alerts, the latest
COWS or SOWS and its change, the last check-in, the plan, buprenorphine readiness when a
recent COWS makes it more than "not yet". A person's page is a read of their journal: the
sharing service lets the clinician in (and audits the look) before anything is read, and a
journal the clinician may not see is the same 404 as one that does not exist. Every POST is
CSRF-checked (the router's dependency).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from pydantic import BaseModel

from mitra.domain.errors import InputError, NotFoundError
from mitra.domain.roster import roster_order
from mitra.services import care_notes, clinic_sharing
from mitra.services.alert_views import alert_view
from mitra.services.catalogue import ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.clinic_roster import MAX_ACK_NOTE, RosterRow
from mitra.services.safety import SafetyService
from mitra.services.views import score_row_view
from mitra.web import csrf, roster_view
from mitra.web.clinic_pages import (
    MAX_PAGE,
    PEOPLE_SCOPE_WORDS,
    clinic_page,
    gate,
    signed_in,
    words_for,
    words_in,
)
from mitra.web.clinic_roles import ADMIN, CLINICIAN
from mitra.web.pages.common import see_other
from mitra.web.words import plain

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.require_token)])
PER_PAGE = 25
JournalId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOT_SHARED = "No journal {} is shared with you."
NOTES_SHOWN = 20
SEEN_NOTICES = {
    "alert": "Recorded: you have seen it. The alert stays open for the person.",
    "note": "Your note is saved.",
    "limits": "The limit is in force: their next entry and their plan are judged with it.",
    "taper": "The taper is set. The person's Plan page says you set it.",
    "step-back": "Stepped back. The person's Plan page says you did.",
}
TIER_LOOKS = {
    "emergency-unseen": "emergency",
    "emergency": "emergency",
    "urgent": "urgent",
    "withdrawal": "warning",
    "escalation": "warning",
    "plan": "warning",
    "no-checkin": "caution",
    "steady": "info",
}
READY_WORDS = {
    "likely-ready": "Buprenorphine: the latest COWS suggests a start could be discussed",
    "talk-low-or-high": (
        "Buprenorphine: recent fentanyl, so a low-dose or high-dose start may be safer"
    ),
    "not-yet": "Buprenorphine: not yet",
}


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _row(request: Request, row: RosterRow, lookback_days: int, words: Any) -> dict[str, Any]:
    s = row.signals
    at = gate(request).now()
    ready = row.readiness
    return {
        "journal_id": row.journal_id,
        "email": row.email,
        "tier": row.placed.tier,
        "look": TIER_LOOKS[row.placed.tier.id],
        "alerts": roster_view.alert_words(row.signals),
        "trends": [roster_view.trend_words(t) for t in s.trends],
        "checkin": roster_view.checkin_words(at, s.last_checkin, lookback_days),
        "plan": roster_view.PLAN_WORDS[roster_view.plan_state(s.plan_event)],
        "ready": None if ready is None else READY_WORDS[ready.answer],
        "scope": PEOPLE_SCOPE_WORDS.get(row.scope, row.scope),
        "until": words(row.ends),
    }


@router.get("/clinic", response_model=None)
def roster(
    request: Request,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    needs: Annotated[str, Query(max_length=20)] = "",
) -> Any:
    caller = signed_in(request, CLINICIAN, ADMIN)
    found = gate(request).roster(
        caller,
        needs if needs in roster_view.FILTERS else None,
        (page - 1) * PER_PAGE,
        PER_PAGE,
        source=_client(request),
        readiness_of=roster_view.readiness_reader(request.app.state.clinic.contexts),
    )
    lookback = found.order.checkin_lookback.days
    words = words_for(request, caller)
    context = {
        "rows": [_row(request, r, lookback, words) for r in found.rows],
        "tiers": found.order.tiers,
        "filters": [
            {"id": f.id, "words": f.words, "count": found.counts[f.id]} for f in found.order.filters
        ],
        "needs": needs if needs in roster_view.FILTERS else "",
        "everyone": found.everyone,
        "total": found.total,
        "page": page,
        "more": page * PER_PAGE < found.total,
        "looks": TIER_LOOKS,
    }
    return clinic_page(request, "clinic_roster.html", context)


@router.get("/clinic/people/{journal_id}", response_model=None)
def person(
    request: Request, journal_id: JournalId, seen: Annotated[str, Query(max_length=10)] = ""
) -> Any:
    caller = signed_in(request, CLINICIAN, ADMIN)
    if not gate(request).may_read(caller, journal_id, "summary", _client(request)):
        raise HTTPException(404, NOT_SHARED.format(journal_id))
    contexts = request.app.state.clinic.contexts
    row = gate(request).person_row(
        caller, journal_id, readiness_of=roster_view.readiness_reader(contexts)
    )
    if row is None:  # the share ended between the two reads
        raise HTTPException(404, NOT_SHARED.format(journal_id))
    ctx = contexts.for_reader(journal_id)
    # The person's zone, not the server's: their doses, scores and alerts are judged by their
    # local days, and "09:10" should be their 09:10 (the page names the zone).
    zone = ProfileService(ctx).show().zone()
    alerts = [
        alert_view(a, zone) for a in SafetyService(ctx).alert_page(per_page=20, offset=0).alerts
    ]
    serious = [a["id"] for a in alerts if a["severity"] in ("emergency", "urgent")]
    words = words_in(request, zone)
    acks = gate(request).acks_of(journal_id, serious)
    seen_by = {
        i: [
            {"email": a.clinician_email, "when": words(a.at), "note": a.note}
            for a in acks
            if a.alert_id == i
        ]
        for i in serious
    }
    order = roster_order()
    since = gate(request).now() - order.trend_window
    rows = CheckinService(ctx).scores(None, since=since.isoformat())
    scores = [
        {**score_row_view(r, zone), "when": words(r.assessment.at)} for r in reversed(rows[-30:])
    ]
    context = {
        "person": _row(request, row, order.checkin_lookback.days, words),
        "zone_name": zone.key.replace("_", " "),
        "alerts": alerts,
        "serious": set(serious),
        "seen_by": seen_by,
        "me": caller.email,
        "max_note": MAX_ACK_NOTE,
        "scores": scores,
        "window_days": order.trend_window.days,
        "notice": SEEN_NOTICES.get(seen),
        "notes": [
            {"author": n.author_email, "when": words(n.at), "text": n.text, "private": n.private}
            for n in gate(request).team_notes(journal_id, 0, NOTES_SHOWN).notes
        ],
        "may_write_notes": row.scope == "plan",
        "limits": _limit_rows(request, journal_id, words),
        "limit_options": _limit_options(request),
        "note_rule": care_notes.PERSON_RULE,
        "max_text": care_notes.MAX_NOTE,
    }
    return clinic_page(request, "clinic_person.html", context)


class SeenForm(BaseModel):
    note: str = ""


@router.post("/clinic/people/{journal_id}/alerts/{alert_id}/seen", response_model=None)
def mark_seen(
    request: Request,
    journal_id: JournalId,
    alert_id: AlertId,
    form: Annotated[SeenForm, Form()],
) -> Any:
    caller = signed_in(request, CLINICIAN, ADMIN)
    try:
        done = gate(request).mark_seen(caller, journal_id, alert_id, _client(request), form.note)
    except InputError as exc:
        raise HTTPException(422, f"{exc.message}. Go back and shorten the note.") from None
    if not done:
        raise HTTPException(
            404, "No open emergency or urgent alert by that number is shared with you."
        )
    return see_other(request, f"/clinic/people/{journal_id}", seen="alert")


@contextlib.contextmanager
def _acting(journal_id: int) -> Iterator[None]:
    """A clinician acting for a person: a journal shared to read only is 403, one not shared
    the same 404 as one that does not exist, and what was wrong with the form 422."""
    try:
        yield
    except clinic_sharing.NotAllowed as exc:
        if exc.shared:
            raise HTTPException(
                403, "This journal is shared with you to read, not to plan or act for them."
            ) from None
        raise HTTPException(404, NOT_SHARED.format(journal_id)) from None
    except (InputError, NotFoundError) as exc:
        said = plain(exc.message)  # the services' words, with no terminal command
        message = said[:1].upper() + said[1:]
        raise HTTPException(422, f"{message}. Go back to change it.") from None


class NoteForm(BaseModel):
    text: str = ""
    private: str = ""


@router.post("/clinic/people/{journal_id}/notes", response_model=None)
def write_note(request: Request, journal_id: JournalId, form: Annotated[NoteForm, Form()]) -> Any:
    caller = signed_in(request, CLINICIAN, ADMIN)
    with _acting(journal_id):
        gate(request).write_note(
            caller, journal_id, form.text, bool(form.private), _client(request)
        )
    return see_other(request, f"/clinic/people/{journal_id}", seen="note")


def _limit_rows(request: Request, journal_id: int, words: Any) -> dict[str, Any]:
    found = gate(request).limits_of(journal_id)
    return {
        "rows": [
            {"title": x.rule_title, "threshold": x.threshold, "value": f"{x.value:g} {x.unit}",
             "server": f"{x.server_value:g} {x.unit}"}
            for x in found.limits
        ],
        "by": found.set_by,
        "when": words(found.set_at),
    }  # fmt: skip


def _limit_options(request: Request) -> list[tuple[str, str]]:
    """Every threshold a clinician may make stricter, with the server's value."""
    ruleset = gate(request).base.rules().ruleset
    return [
        (f"{r.id}.{x.name}", f"{r.title}: {x.name.replace('_', ' ')} (now {x.value:g} {x.unit}, "
                             f"stricter is {x.tighter.value})")
        for r in ruleset.rules
        for x in r.thresholds
    ]  # fmt: skip


class LimitForm(BaseModel):
    threshold: str = ""
    value: str = ""


@router.post("/clinic/people/{journal_id}/limits", response_model=None)
def set_limit(request: Request, journal_id: JournalId, form: Annotated[LimitForm, Form()]) -> Any:
    caller = signed_in(request, CLINICIAN, ADMIN)
    rule_id, _, name = form.threshold.partition(".")
    try:
        value = float(form.value.strip())
    except ValueError:
        value = float("nan")  # refused below, after the access check, with the words
    limits: dict[str, dict[str, object]] = {
        r: dict(v) for r, v in gate(request).limits_in_force(journal_id).items()
    }
    limits.setdefault(rule_id, {})[name] = value
    with _acting(journal_id):
        gate(request).set_limits(caller, journal_id, limits, _client(request))
    return see_other(request, f"/clinic/people/{journal_id}", seen="limits")


class TaperForm(BaseModel):
    steps: str = ""
    step_days: str = ""
    current_mg: str = ""


class StepBackForm(BaseModel):
    reason: str = ""


def _plan_change(request: Request, journal_id: int, change: Any, done: str) -> Any:
    caller = signed_in(request, CLINICIAN, ADMIN)
    contexts = request.app.state.clinic.contexts
    with _acting(journal_id):
        gate(request).act_on_plan(
            caller, journal_id, lambda: contexts.for_journal(journal_id), change, _client(request)
        )
    return see_other(request, f"/clinic/people/{journal_id}", seen=done)


@router.post("/clinic/people/{journal_id}/plan/taper", response_model=None)
def set_taper(request: Request, journal_id: JournalId, form: Annotated[TaperForm, Form()]) -> Any:
    return _plan_change(
        request,
        journal_id,
        lambda plans: plans.new_taper(
            strategy="custom" if form.steps.strip() else None,
            steps=form.steps.strip() or None,
            step_days=form.step_days.strip() or None,
            current_mg=form.current_mg.strip() or None,
        ),
        "taper",
    )


@router.post("/clinic/people/{journal_id}/plan/step-back", response_model=None)
def step_back(
    request: Request, journal_id: JournalId, form: Annotated[StepBackForm, Form()]
) -> Any:
    return _plan_change(
        request, journal_id, lambda plans: plans.step_back(form.reason), "step-back"
    )
