"""``POST /api/v1/sync/entries``: a batch of a local journal's entries, pushed by
``mitra share push`` into the caller's own journal on the clinic server.

A personal route (``clinic_auth`` gives it the caller's journal, and needs a token with the
``write`` scope); the service (``services.share_receive``) matches entries by uuid, judges
what is new with the same engine, and stores each added entry's audit row with it. The
request body is an export document holding entries only (``mitra export``'s format).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel

from mitra.services.share_receive import MAX_BATCH, receive
from mitra.web.api.entry_routes import ERRORS, Context

router = APIRouter(prefix="/api/v1/sync", tags=["sync"], responses=ERRORS)

EXAMPLE = {
    "format": "mitra-export",
    "version": 1,
    "exported_at": "2026-11-20T15:00:00+00:00",
    "mitra_version": "0.1.0",
    "schema_revision": "0013",
    "profile": None,
    "products": [],
    "entries": [
        {
            "id": 1,
            "uuid": "5ce5fe8b-1f0d-4e1a-be28-7f5d92a20ada",
            "kind": "symptom",
            "at": "2026-11-20T15:00:00+00:00",
            "recorded_at": "2026-11-20T15:00:00+00:00",
            "note": None,
            "deleted_at": None,
            "symptom": {"symptom_id": "nausea", "severity": 2, "said": None},
        }
    ],
    "actions": [],
    "assessments": [],
    "alerts": [],
    "plans": [],
}


class ReceivedOut(BaseModel):
    added: int
    deleted: int
    restored: int
    unchanged: int


@router.post("/entries", response_model=ReceivedOut)
def push_entries(
    ctx: Context,
    document: Annotated[
        dict[str, Any],
        Body(
            description=f"An export document holding 1 to {MAX_BATCH} entries and nothing else",
            examples=[EXAMPLE],
        ),
    ],
) -> dict[str, int]:
    """Entries from a local journal, matched by uuid: new ones added and judged, deletions
    and restores carried over, the rest unchanged. Sending a batch again changes nothing."""
    done = receive(ctx, document)
    return {
        "added": done.added,
        "deleted": done.deleted,
        "restored": done.restored,
        "unchanged": done.unchanged,
    }
