"""Rows <-> the audit log: appended in a chain, streamed in order, never changed.

``append`` is serialised so that the chain stays one line under any concurrency: on
PostgreSQL it first takes the transaction-level advisory lock ``AUDIT_LOCK`` (held until the
writing transaction commits or rolls back), then reads the last row's seq and hash and inserts
seq + 1. Under READ COMMITTED (PostgreSQL's default, which mitra uses) each statement sees
what was committed before it began, so the read after the lock sees the previous appender's
row. On SQLite every write transaction already holds the database's one write lock
(``BEGIN IMMEDIATE``). The row goes into the caller's transaction: it is stored exactly when
the action it records is.

``scan`` streams rows in seq order (``yield_per``: a server-side cursor on PostgreSQL), so
verifying or exporting a log of any length holds one batch in memory, never the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, text

from mitra.domain.audit_chain import GENESIS, AuditFields, AuditRow, seal
from mitra.storage import clinic_tables as c
from mitra.storage import schema as t

# pg_advisory_xact_lock's key for the audit chain: any constant no other mitra lock uses
# (the ASCII of "mitraAUD" as a 64-bit integer).
AUDIT_LOCK = int.from_bytes(b"mitraAUD", "big") & 0x7FFF_FFFF_FFFF_FFFF
SCAN_BATCH = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """What to record (the store gives it its seq and hashes)."""

    at: datetime
    actor_id: int | None
    actor_role: str
    journal_id: int | None
    action: str
    object_type: str
    object_id: str | None = None
    source_address: str | None = None
    reason: str | None = None


def _row(row: Row[Any]) -> AuditRow:
    m = row._mapping
    return AuditRow(
        seq=int(m["seq"]),
        at=m["at"],
        actor_id=None if m["actor_id"] is None else int(m["actor_id"]),
        actor_role=str(m["actor_role"]),
        journal_id=None if m["journal_id"] is None else int(m["journal_id"]),
        action=str(m["action"]),
        object_type=str(m["object_type"]),
        object_id=m["object_id"],
        source_address=m["source_address"],
        reason=m["reason"],
        prev_hash=str(m["prev_hash"]),
        row_hash=str(m["row_hash"]),
    )


def append(conn: Connection, event: Event) -> AuditRow:
    """Chain ``event`` after the last row, in ``conn``'s (write) transaction."""
    return append_many(conn, [event])[0]


def append_many(conn: Connection, events: list[Event]) -> list[AuditRow]:
    """Chain ``events`` in their order after the last row, in one write transaction: the lock
    is taken and the last row read once, and the rows go in one statement."""
    if not events:
        return []
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    last = conn.execute(
        select(c.audit_log.c.seq, c.audit_log.c.row_hash)
        .order_by(c.audit_log.c.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
    rows = []
    for event in events:
        seq += 1
        row = seal(_fields(seq, event), prev_hash)
        prev_hash = row.row_hash
        rows.append(row)
    conn.execute(insert(c.audit_log), [_values(row) for row in rows])
    return rows


def _fields(seq: int, event: Event) -> AuditFields:
    return AuditFields(
        seq=seq,
        at=event.at,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        journal_id=event.journal_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        source_address=event.source_address,
        reason=event.reason,
    )


def _values(row: AuditRow) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "at": row.at,
        "actor_id": row.actor_id,
        "actor_role": row.actor_role,
        "journal_id": row.journal_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "source_address": row.source_address,
        "reason": row.reason,
        "prev_hash": row.prev_hash,
        "row_hash": row.row_hash,
    }


def newest_of_journals(conn: Connection, journal_ids: list[int]) -> dict[int, datetime]:
    """Each journal's newest audit row time (journals with none are left out): one statement,
    an index probe per journal (``ix_audit_log_journal_at``)."""
    if not journal_ids:
        return {}
    log = c.audit_log.c
    newest = (
        select(func.max(log.at))
        .where(log.journal_id == t.journals.c.id)
        .correlate(t.journals)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(t.journals.c.id, newest.label("newest")).where(
            t.journals.c.id.in_(sorted(journal_ids))
        )
    )
    return {int(r[0]): r[1] for r in rows if r[1] is not None}


def scan(conn: Connection, *, after_seq: int = 0) -> Iterator[AuditRow]:
    """Every row after ``after_seq`` in seq order, streamed in batches."""
    result = conn.execution_options(yield_per=SCAN_BATCH).execute(
        select(c.audit_log).where(c.audit_log.c.seq > after_seq).order_by(c.audit_log.c.seq)
    )
    try:
        for row in result:
            yield _row(row)
    finally:
        result.close()


def of_journal(
    conn: Connection,
    journal_id: int,
    *,
    since: datetime | None,
    until: datetime | None,
    not_actor: int | None,
    limit: int,
    offset: int,
    skip_prefix: str | None = None,
) -> list[AuditRow]:
    """A journal's rows in a period, newest first, without the owner's own (``not_actor``)
    and without actions starting with ``skip_prefix``."""
    log = c.audit_log
    query = select(log).where(log.c.journal_id == journal_id)
    if skip_prefix is not None:
        query = query.where(~log.c.action.startswith(skip_prefix, autoescape=True))
    if since is not None:
        query = query.where(log.c.at >= since)
    if until is not None:
        query = query.where(log.c.at < until)
    if not_actor is not None:
        query = query.where((log.c.actor_id.is_(None)) | (log.c.actor_id != not_actor))
    query = query.order_by(log.c.at.desc(), log.c.seq.desc()).limit(limit).offset(offset)
    return [_row(r) for r in conn.execute(query)]


def by_action(conn: Connection, action: str, *, since: datetime | None = None) -> list[AuditRow]:
    log = c.audit_log
    query = select(log).where(log.c.action == action)
    if since is not None:
        query = query.where(log.c.at >= since)
    return [_row(r) for r in conn.execute(query.order_by(log.c.seq.desc()))]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(c.audit_log)).scalar_one())
