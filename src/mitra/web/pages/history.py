"""History: entries by day with filters (from, until, kind, deleted), delete and undo.

Deleting is never silent: the entry stays on record, marked deleted, shown with "show
deleted", and undo brings it back. The filters live in the URL, so a filtered view can be
bookmarked, and delete and undo return to the same view.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from mitra.domain.errors import ConflictError, InputError, NotFoundError
from mitra.domain.human_time import day_words, when_words
from mitra.domain.when import parse_when
from mitra.services.journal import JournalService
from mitra.web.pages.common import (
    PERSON_ERRORS,
    Context,
    DayGroup,
    FormState,
    by_day,
    entry_row,
    flash_store,
    form_field,
)
from mitra.web.render import renderer

router = APIRouter()

KINDS = ("dose", "substance", "symptom")
DEFAULT_SINCE = "14 days ago"
FILTERS = ("since", "until", "kind", "deleted")


class Filters(BaseModel):
    since: str = DEFAULT_SINCE
    until: str = ""
    kind: Literal["", "dose", "substance", "symptom"] = ""
    deleted: bool = False


def _query(filters: Filters) -> str:
    return urlencode(
        {
            "since": filters.since,
            "until": filters.until,
            "kind": filters.kind,
            "deleted": "1" if filters.deleted else "",
        }
    )


@router.get("/history", response_class=HTMLResponse)
def history(
    request: Request,
    ctx: Context,
    since: str = DEFAULT_SINCE,
    until: str = "",
    kind: Literal["", "dose", "substance", "symptom"] = "",
    deleted: str = "",
    done: str | None = None,
) -> HTMLResponse:
    filters = Filters(since=since, until=until, kind=kind, deleted=bool(deleted))
    journal = JournalService(ctx)
    state = FormState(
        {"since": since, "until": until, "kind": kind, "deleted": "1" if deleted else ""}
    )
    groups: list[DayGroup] = []
    status = 200
    try:
        _check_times(journal, since, until)
        found, gone, profile = journal.history(
            since=since or None, until=until or None, include_deleted=filters.deleted
        )
        zone = profile.zone()
        rows = [
            entry_row(e, zone, deleted=e.id in gone)
            for e in found
            if not kind or e.kind.value == kind
        ]
        # Newest day first, and newest first within a day: what a person looks for is recent.
        # Day headers in words ("Today", "Yesterday", "Friday 20 November").
        today = journal.ctx.now().astimezone(zone).date()
        groups = [DayGroup(g.day, day_words(g.day, today), g.rows) for g in by_day(reversed(rows))]
    except PERSON_ERRORS as exc:
        state.errors[form_field(exc.field, FILTERS)] = exc.message
        status = 422
    return renderer(request).page(
        request,
        "history.html",
        {
            "form": state,
            "groups": groups,
            "kinds": KINDS,
            "query": _query(filters),
            "summary": _summary(since, until, kind, filters.deleted),
            "filtered": (since, until, kind, filters.deleted) != (DEFAULT_SINCE, "", "", False),
            "notice": flash_store(request).get(done),
            "pending": _pending(journal),
        },
        status_code=status,
    )


def _pending(journal: JournalService) -> dict[str, object] | None:
    """The undo button's words: which entry it would take back or restore, and when."""
    pending = journal.next_undo()
    if pending is None:
        return None
    zone = journal.profile().zone()
    row = entry_row(pending.entry, zone)
    when = when_words(pending.entry.at, journal.ctx.now(), zone)
    return {"action": pending.action_id, "outcome": pending.outcome, "entry": row, "when": when}


KIND_WORDS = {
    "": "all entries",
    "dose": "kratom doses",
    "substance": "other substances",
    "symptom": "symptoms",
}


def _summary(since: str, until: str, kind: str, deleted: bool) -> str:
    """The filters in words, for the collapsed filter box: "all entries from 14 days ago"."""
    words = KIND_WORDS[kind]
    if since:
        words += f" from {since}"
    if until:
        words += f" until {until}"
    return words + (", with deleted ones" if deleted else "")


def _check_times(journal: JournalService, since: str, until: str) -> None:
    """Read each time on its own first, so an error names the field it belongs to."""
    profile = journal.profile()
    now = journal.ctx.now()
    for name, text, future in (("since", since, False), ("until", until, True)):
        if text.strip():
            try:
                parse_when(text, now=now, zone=profile.zone(), allow_future=future)
            except InputError as exc:
                raise InputError(exc.message, field=name) from None


class ReturnTo(BaseModel):
    back: str = ""  # the history view's query string, to return to it


def _back_to_history(request: Request, back: str, **notice: str) -> RedirectResponse:
    # Rebuild the query from known filter names only: a posted value can never redirect
    # anywhere but this app's history page.
    kept = {k: v for k, v in parse_qsl(back) if k in FILTERS}
    kept.update(notice)
    base = str(request.scope.get("root_path", ""))
    return RedirectResponse(f"{base}/history?{urlencode(kept)}", status_code=303)


EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/entries/{entry_id}/delete", response_model=None)
def delete(
    request: Request, ctx: Context, entry_id: EntryId, form: Annotated[ReturnTo, Form()]
) -> RedirectResponse:
    journal = JournalService(ctx)
    entry = journal.delete(entry_id)
    row = entry_row(entry, journal.profile().zone())
    token = flash_store(request).put({"action": "deleted", "entry": row})
    return _back_to_history(request, form.back, done=token)


class UndoForm(ReturnTo):
    action: int | None = None  # the action the page named; absent from an old page


@router.post("/undo", response_model=None)
def undo(request: Request, ctx: Context, form: Annotated[UndoForm, Form()]) -> RedirectResponse:
    journal = JournalService(ctx)
    try:
        result = journal.undo(expect_action=form.action)
    except (NotFoundError, ConflictError) as exc:  # nothing, or a stale page: say so
        token = flash_store(request).put({"action": "nothing", "message": exc.message})
        return _back_to_history(request, form.back, done=token)
    row = entry_row(result.entry, journal.profile().zone())
    action = "restored" if result.action == "restored" else "taken back"
    token = flash_store(request).put({"action": action, "entry": row})
    return _back_to_history(request, form.back, done=token)
