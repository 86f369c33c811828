"""Idempotency keys, claimed inside the very transaction that writes what a request asked for.

A web request that carries a key sets ``PENDING`` (a context variable) before the service
runs. The first WRITE transaction of that request (``Database.transaction``) claims the key
in the same transaction as the write (``claim``): either both are stored or neither, so a
crash between the commit and the answer leaves a claimed key, and the retry is not carried
out again. A claim that finds the key already taken (a concurrent retry) raises
``ConflictError``: that transaction rolls back and writes nothing. Once the response is known
it is kept with the key (``remember``), and a retry is answered with it (``lookup``).

Invariant: one key, at most one stored write; read-only transactions never claim. A key
belongs to the journal of the transaction that claims it (``journal_of``): two journals'
clients may use the same key, and every statement here names the journal.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Insert, and_, select, update

from mitra.domain.errors import ConflictError
from mitra.storage import schema as t
from mitra.storage.journal_scope import journal_of


@dataclass
class Pending:
    key: str
    fingerprint: str
    at: datetime
    claimed: bool = False


@dataclass(frozen=True, slots=True)
class Stored:
    fingerprint: str
    status: int | None
    response: str | None
    content_type: str | None
    location: str | None


PENDING: contextvars.ContextVar[Pending | None] = contextvars.ContextVar(
    "mitra_idempotency", default=None
)


def claim(conn: Connection, pending: Pending | None = None) -> None:
    """Claim the pending key (the request's, unless one is given) in ``conn``'s write
    transaction, once per request."""
    pending = pending or PENDING.get()
    if pending is None or pending.claimed:
        return
    # Each dialect's own INSERT ... ON CONFLICT, imported only for the database in use (the
    # PostgreSQL dialect is slow to import and never needed on SQLite).
    values = {
        "journal_id": journal_of(conn),
        "key": pending.key,
        "fingerprint": pending.fingerprint,
        "created_at": pending.at,
    }
    statement: Insert
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # noqa: PLC0415

        statement = postgresql.insert(t.idempotency_keys).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects import sqlite  # noqa: PLC0415

        statement = sqlite.insert(t.idempotency_keys).values(**values).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg reports -1 for a skipped ON CONFLICT insert.
    inserted = conn.execute(statement.returning(t.idempotency_keys.c.key)).first()
    if inserted is None:
        raise ConflictError(
            "a request with this Idempotency-Key is already being carried out; wait for its "
            "answer instead of sending it again",
            field="Idempotency-Key",
        )
    pending.claimed = True


def lookup(conn: Connection, key: str) -> Stored | None:
    row = conn.execute(select(t.idempotency_keys).where(_this_key(conn, key))).first()
    if row is None:
        return None
    m = row._mapping
    return Stored(m["fingerprint"], m["status"], m["response"], m["content_type"], m["location"])


def remember(
    conn: Connection,
    pending: Pending,
    *,
    status: int,
    response: str,
    content_type: str | None,
    location: str | None,
) -> None:
    """Keep the response given for a claimed key (or claim it now, with its response, when
    the request wrote nothing of its own)."""
    values = {
        "status": status,
        "response": response,
        "content_type": content_type,
        "location": location,
    }
    if pending.claimed:
        conn.execute(
            update(t.idempotency_keys).where(_this_key(conn, pending.key)).values(**values)
        )
        return
    claim(conn, pending)
    conn.execute(update(t.idempotency_keys).where(_this_key(conn, pending.key)).values(**values))


def _this_key(conn: Connection, key: str) -> ColumnElement[bool]:
    c = t.idempotency_keys.c
    return and_(c.journal_id == journal_of(conn), c.key == key)
