"""Undo by id: "Undo this" beside a just-logged entry takes back that entry and no other.

The form names the entry in its URL, so two tabs can never undo each other's entries: the
journal's ``take_back`` deletes only that entry (re-judging its alerts as a delete does). A
stale page, whose entry was already taken back or deleted, is told so plainly on today and
nothing is changed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse

from mitra.domain.errors import ConflictError, NotFoundError
from mitra.services.journal import JournalService
from mitra.web.pages.common import Context, entry_row, flash_store, see_other

router = APIRouter()

EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]

STALE = (
    "That entry was already taken back or deleted, so nothing was changed. "
    "The latest entries below are up to date."
)


@router.post("/entries/{entry_id}/undo", response_model=None)
def take_back(request: Request, ctx: Context, entry_id: EntryId) -> RedirectResponse:
    journal = JournalService(ctx)
    try:
        entry = journal.take_back(entry_id)
    except (ConflictError, NotFoundError):
        token = flash_store(request).put({"action": "stale", "message": STALE})
        return see_other(request, "/today", logged=token)
    row = entry_row(entry, journal.profile().zone())
    token = flash_store(request).put({"action": "taken back", "entry": row})
    return see_other(request, "/today", logged=token)
