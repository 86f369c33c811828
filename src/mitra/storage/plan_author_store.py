"""Rows <-> who of the care team made or stepped back a person's plan (``plan_authors``).

Invariants: written in the plan's own transaction (never after it); every query names the
journal; a plan with no row here was made by the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from mitra.storage import clinic_tables as c


@dataclass(frozen=True, slots=True)
class PlanAuthor:
    plan_id: int
    action: str  # created | step-back
    email: str
    at: datetime


def insert_author(
    conn: Connection, journal_id: int, plan_id: int, *, action: str, author_id: int, at: datetime
) -> None:
    conn.execute(
        insert(c.plan_authors).values(
            journal_id=journal_id, plan_id=plan_id, action=action, author_id=author_id, at=at
        )
    )


def of_plan(conn: Connection, journal_id: int, plan_id: int) -> list[PlanAuthor]:
    a = c.plan_authors.c
    rows = conn.execute(
        select(c.plan_authors, c.accounts.c.email)
        .join(c.accounts, c.accounts.c.id == a.author_id)
        .where(a.journal_id == journal_id, a.plan_id == plan_id)
        .order_by(a.at, a.id)
    )
    return [
        PlanAuthor(
            int(r.plan_id),
            str(r.action),
            str(r.email),
            r.at,
        )
        for r in rows
    ]
