"""The audit row of a write, stored in the very transaction that makes the write.

On the clinic server every state-changing request on a person's journal sets ``PENDING`` (a
context variable, seen by the threads the request's services run in) before the route runs.
Each write transaction of that request (``Database.transaction``, each batch of
``Database.batches``) calls ``record`` just before it commits:

- an object the transaction created (an entry, a check-in, a product, a plan: the stores
  call ``created``) gets one audit row naming its kind and id;
- the request's first write transaction that created nothing gets one row naming what the
  path names (``/api/v1/entries/12`` -> entry 12; else the path itself).

So an acknowledged write is never without its audit row, and a write that rolls back leaves
none: both are stored or neither. Later transactions of the same request that create nothing
add no row (the request is already on record). Outside the clinic server ``PENDING`` is unset
and all of this is one context-variable read per transaction.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Connection

from mitra.storage import audit_store
from mitra.storage.audit_store import Event

# The audit log's column widths (storage.clinic_tables): longer values are cut, never refused.
OBJECT_TYPE_CHARS = 40
OBJECT_ID_CHARS = 80


@dataclass
class PendingWrite:
    """A request's audit row in waiting: ``event`` names who, where from, when, and what the
    path names; ``created`` collects what the open transaction made."""

    event: Event
    created: list[tuple[str, int]] = field(default_factory=list)
    recorded: bool = False


PENDING: contextvars.ContextVar[PendingWrite | None] = contextvars.ContextVar(
    "mitra_write_audit", default=None
)


def created(kind: str, object_id: int) -> None:
    """A store made ``kind`` ``object_id`` in the current write transaction."""
    pending = PENDING.get()
    if pending is not None:
        pending.created.append((kind, object_id))


def record(conn: Connection) -> None:
    """Append the pending request's audit rows in ``conn``'s write transaction (see above)."""
    pending = PENDING.get()
    if pending is None:
        return
    made, pending.created = pending.created, []
    if made:
        for kind, object_id in made:
            audit_store.append(
                conn, replace(pending.event, object_type=kind, object_id=str(object_id))
            )
    elif not pending.recorded:
        audit_store.append(conn, pending.event)
    pending.recorded = True


def forget_created() -> None:
    """The open transaction rolled back: what it made was never stored."""
    pending = PENDING.get()
    if pending is not None:
        pending.created = []


def event(
    *,
    at: datetime,
    actor_id: int | None,
    actor_role: str,
    journal_id: int,
    action: str,
    object_type: str,
    object_id: str,
    source_address: str | None,
) -> Event:
    """An ``Event`` cut to the audit log's column widths."""
    return Event(
        at=at,
        actor_id=actor_id,
        actor_role=actor_role,
        journal_id=journal_id,
        action=action,
        object_type=object_type[:OBJECT_TYPE_CHARS],
        object_id=object_id[:OBJECT_ID_CHARS],
        source_address=(source_address or "")[:64] or None,
    )
