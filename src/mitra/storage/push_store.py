"""Rows for ``mitra share push``: what changed since the last push to a server, the entries to
send, the push marks, and, on the server, the state of pushed entries by uuid.

A journal's entries change only by being logged (a new id) or by a deletion, an undo or a
restore (a new row in the action log). So "changed since the last push" is: entries with an id
above the mark's ``last_entry_id``, and entries with an action above its ``last_action_id``.
Both cursors are read in one snapshot with the pending ids (``pending``); what changes during
a push has higher ids and is sent next time. Every statement is scoped to the connection's
journal (``journal_of``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, union

from mitra.storage import schema as t
from mitra.storage.journal_dump import read_table
from mitra.storage.journal_scope import journal_of

# The parts of an entry, by table: what an export document holds beside its entries row.
PART_TABLES = (t.doses, t.substance_uses, t.symptom_reports)


@dataclass(frozen=True, slots=True)
class Mark:
    target: str
    last_entry_id: int
    last_action_id: int
    pushed_at: datetime


@dataclass(frozen=True, slots=True)
class Pending:
    entry_ids: list[int]  # ascending
    top_entry_id: int  # the cursors to store once every pending entry is acknowledged
    top_action_id: int


def mark(conn: Connection, target: str) -> Mark | None:
    m = t.push_marks.c
    row = conn.execute(
        select(t.push_marks).where(m.journal_id == journal_of(conn), m.target == target)
    ).first()
    if row is None:
        return None
    values = row._mapping
    return Mark(target, int(values["last_entry_id"]), int(values["last_action_id"]),
                values["pushed_at"])  # fmt: skip


def marks(conn: Connection) -> list[Mark]:
    m = t.push_marks.c
    rows = conn.execute(
        select(t.push_marks.c.target).where(m.journal_id == journal_of(conn)).order_by(m.target)
    ).scalars()
    found = [mark(conn, str(target)) for target in rows]
    return [f for f in found if f is not None]


def set_mark(
    conn: Connection, target: str, *, last_entry_id: int, last_action_id: int, at: datetime
) -> None:
    """Store the cursors of a completed push (replacing the previous ones)."""
    journal_id = journal_of(conn)
    m = t.push_marks.c
    conn.execute(delete(t.push_marks).where(m.journal_id == journal_id, m.target == target))
    conn.execute(
        insert(t.push_marks).values(
            journal_id=journal_id, target=target, last_entry_id=last_entry_id,
            last_action_id=last_action_id, pushed_at=at,
        )
    )  # fmt: skip


def pending(conn: Connection, after: Mark | None) -> Pending:
    """The entries changed since ``after`` (every entry when there is no mark yet)."""
    journal_id = journal_of(conn)
    e, a = t.entries.c, t.actions.c
    top_entry = conn.execute(
        select(func.coalesce(func.max(e.id), 0)).where(e.journal_id == journal_id)
    ).scalar_one()
    top_action = conn.execute(
        select(func.coalesce(func.max(a.id), 0)).where(a.journal_id == journal_id)
    ).scalar_one()
    entry_from = after.last_entry_id if after else 0
    action_from = after.last_action_id if after else 0
    changed = union(
        select(e.id.label("id")).where(
            e.journal_id == journal_id, e.id > entry_from, e.id <= top_entry
        ),
        select(a.entry_id.label("id")).where(
            a.journal_id == journal_id, a.id > action_from, a.id <= top_action
        ),
    ).subquery()
    ids = [int(i) for i in conn.execute(select(changed.c.id).order_by(changed.c.id)).scalars()]
    return Pending(ids, int(top_entry), int(top_action))


def entry_tables(conn: Connection, entry_ids: Iterable[int]) -> dict[str, list[dict[str, Any]]]:
    """The rows of these entries and their parts, as ``journal_dump`` reads them (the input of
    ``export_format.document_from_tables``); every other table empty."""
    wanted = list(entry_ids)
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in (t.profile, t.products, t.actions, t.assessments, t.assessment_items,
                  t.alerts, t.plans, t.plan_steps, t.plan_events):  # fmt: skip
        tables[table.name] = []
    tables["entries"] = read_table(conn, t.entries, where=t.entries.c.id.in_(wanted))
    for part in PART_TABLES:
        tables[part.name] = read_table(conn, part, where=part.c.entry_id.in_(wanted))
    return tables


def states_by_uuid(conn: Connection, uuids: Iterable[str]) -> dict[str, tuple[int, bool]]:
    """The journal's entries with these uuids: id and whether each is deleted."""
    e = t.entries.c
    rows = conn.execute(
        select(e.uuid, e.id, e.deleted_at).where(
            e.journal_id == journal_of(conn), e.uuid.in_(list(uuids))
        )
    )
    return {str(r[0]): (int(r[1]), r[2] is not None) for r in rows}
