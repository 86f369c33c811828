"""Rows <-> a clinician's limits for one person (``clinic_tables.journal_limits``).

Invariants: append-only (setting limits adds a row; the newest row of a journal is in force,
so the history of who set what stays whole); every query names the journal; the overrides are
stored as JSON ``{rule_id: {threshold: value}}`` of values already checked as stricter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from mitra.storage import clinic_tables as c

Overrides = dict[str, dict[str, float]]


@dataclass(frozen=True, slots=True)
class Limits:
    version: int  # the row's id: changes whenever the limits do
    overrides: Overrides
    set_by_email: str
    set_at: datetime


def insert_limits(
    conn: Connection, journal_id: int, overrides: Overrides, *, set_by: int, at: datetime
) -> int:
    return int(
        conn.execute(
            insert(c.journal_limits)
            .values(
                journal_id=journal_id,
                overrides=json.dumps(overrides, sort_keys=True),
                set_by=set_by,
                set_at=at,
            )
            .returning(c.journal_limits.c.id)
        ).scalar_one()
    )


def in_force(conn: Connection, journal_id: int) -> Limits | None:
    """The journal's newest limits (None: the server's own are in force)."""
    j = c.journal_limits.c
    row = conn.execute(
        select(c.journal_limits, c.accounts.c.email)
        .join(c.accounts, c.accounts.c.id == j.set_by)
        .where(j.journal_id == journal_id)
        .order_by(j.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Limits(int(row.id), json.loads(row.overrides), str(row.email), row.set_at)
