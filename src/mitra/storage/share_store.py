"""Rows <-> shares of journals with clinicians, and break-glass grants (``clinic_tables``).

Invariants: a share or grant is never deleted or edited after the fact except to end it:
revoking sets ``revoked_at`` (immediately effective: ``domain.access`` treats a share as
inactive from that moment), so the history of who could see a journal when stays whole.
Rows come back as ``domain.access`` records, which decide access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, or_, select, update

from mitra.domain.access import BreakGlass, Scope, Share
from mitra.storage import clinic_tables as c


@dataclass(frozen=True, slots=True)
class SharedJournal:
    """One active share as a clinician's list shows it."""

    journal_id: int
    email: str
    scope: Scope
    ends: datetime | None


def _share(row: Row[Any]) -> Share:
    m = row._mapping
    return Share(
        journal_id=int(m["journal_id"]),
        clinician_id=int(m["clinician_id"]),
        scope=Scope(m["scope"]),
        starts=m["starts_at"],
        ends=m["ends_at"],
        revoked_at=m["revoked_at"],
        share_id=int(m["id"]),
    )


def _grant(row: Row[Any]) -> BreakGlass:
    m = row._mapping
    return BreakGlass(
        clinician_id=int(m["clinician_id"]),
        journal_id=int(m["journal_id"]),
        reason=str(m["reason"]),
        starts=m["starts_at"],
        ends=m["ends_at"],
        grant_id=int(m["id"]),
    )


def insert_share(conn: Connection, share: Share, *, created_at: datetime) -> int:
    return int(
        conn.execute(
            insert(c.shares)
            .values(
                journal_id=share.journal_id,
                clinician_id=share.clinician_id,
                scope=share.scope.value,
                starts_at=share.starts,
                ends_at=share.ends,
                created_at=created_at,
            )
            .returning(c.shares.c.id)
        ).scalar_one()
    )


def _live(at: datetime) -> Any:
    """Shares not revoked and not ended by ``at`` (they may start later)."""
    s = c.shares.c
    return (s.revoked_at.is_(None) | (s.revoked_at > at)) & or_(s.ends_at.is_(None), s.ends_at > at)


def live_between(conn: Connection, journal_id: int, clinician_id: int, at: datetime) -> list[Share]:
    s = c.shares.c
    rows = conn.execute(
        select(c.shares).where(
            s.journal_id == journal_id, s.clinician_id == clinician_id, _live(at)
        )
    )
    return [_share(r) for r in rows]


def revoke(conn: Connection, share_ids: list[int], at: datetime) -> None:
    if share_ids:
        conn.execute(update(c.shares).where(c.shares.c.id.in_(share_ids)).values(revoked_at=at))


def of_journal(conn: Connection, journal_id: int) -> list[tuple[Share, str]]:
    """Every share of a journal ever made, newest first, with the clinician's email."""
    rows = conn.execute(
        select(c.shares, c.accounts.c.email.label("clinician_email"))
        .join(c.accounts, c.accounts.c.id == c.shares.c.clinician_id)
        .where(c.shares.c.journal_id == journal_id)
        .order_by(c.shares.c.id.desc())
    )
    return [(_share(r), str(r._mapping["clinician_email"])) for r in rows]


def shares_for(conn: Connection, clinician_id: int, journal_id: int) -> list[Share]:
    s = c.shares.c
    rows = conn.execute(
        select(c.shares).where(s.clinician_id == clinician_id, s.journal_id == journal_id)
    )
    return [_share(r) for r in rows]


def active_for_clinician(conn: Connection, clinician_id: int, at: datetime) -> list[SharedJournal]:
    s = c.shares.c
    rows = conn.execute(
        select(c.shares, c.accounts.c.email.label("person_email"))
        .join(c.accounts, c.accounts.c.journal_id == s.journal_id)
        .where(s.clinician_id == clinician_id, s.starts_at <= at, _live(at))
        .order_by(c.accounts.c.email, s.id)
    )
    found: dict[int, SharedJournal] = {}
    for row in rows:
        share = _share(row)
        seen = found.get(share.journal_id)
        # Two live shares of one journal: the wider scope shows.
        if seen is None or share.scope is Scope.PLAN:
            found[share.journal_id] = SharedJournal(
                share.journal_id, str(row._mapping["person_email"]), share.scope, share.ends
            )
    return list(found.values())


def insert_grant(conn: Connection, grant: BreakGlass, *, created_at: datetime) -> int:
    return int(
        conn.execute(
            insert(c.break_glass)
            .values(
                journal_id=grant.journal_id,
                clinician_id=grant.clinician_id,
                reason=grant.reason,
                starts_at=grant.starts,
                ends_at=grant.ends,
                created_at=created_at,
            )
            .returning(c.break_glass.c.id)
        ).scalar_one()
    )


def grants_for(conn: Connection, clinician_id: int, journal_id: int) -> list[BreakGlass]:
    g = c.break_glass.c
    rows = conn.execute(
        select(c.break_glass).where(g.clinician_id == clinician_id, g.journal_id == journal_id)
    )
    return [_grant(r) for r in rows]


def grants_of_journal(conn: Connection, journal_id: int) -> list[BreakGlass]:
    g = c.break_glass.c
    rows = conn.execute(
        select(c.break_glass).where(g.journal_id == journal_id).order_by(g.id.desc())
    )
    return [_grant(r) for r in rows]


def flagged_grants(
    conn: Connection, since: datetime | None, *, offset: int = 0, limit: int | None = None
) -> tuple[list[tuple[BreakGlass, str, str | None]], int]:
    """Emergency accesses (since ``since``) newest first, each with the clinician's email and
    the journal owner's (None for a journal no account owns): one page, in one query, and how
    many there are in all."""
    g = c.break_glass.c
    clinician = c.accounts.alias("clinician")
    owner = c.accounts.alias("owner")
    query = (
        select(c.break_glass, clinician.c.email.label("clinician_email"),
               owner.c.email.label("owner_email"))
        .join(clinician, clinician.c.id == g.clinician_id)
        .outerjoin(owner, owner.c.journal_id == g.journal_id)
    )  # fmt: skip
    counted = select(func.count()).select_from(c.break_glass)
    if since is not None:
        query = query.where(g.created_at >= since)
        counted = counted.where(g.created_at >= since)
    query = query.order_by(g.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    found = [
        (_grant(r), str(r._mapping["clinician_email"]), r._mapping["owner_email"])
        for r in conn.execute(query)
    ]
    return found, int(conn.execute(counted).scalar_one())


def live_grants_of_clinician(
    conn: Connection, clinician_id: int, at: datetime
) -> list[tuple[BreakGlass, str]]:
    """The clinician's emergency accesses open at ``at``, each with the journal owner's email
    (the roster lists them beside the shares)."""
    g = c.break_glass.c
    rows = conn.execute(
        select(c.break_glass, c.accounts.c.email.label("owner_email"))
        .join(c.accounts, c.accounts.c.journal_id == g.journal_id)
        .where(g.clinician_id == clinician_id, g.starts_at <= at, g.ends_at > at)
        .order_by(g.id)
    )
    return [(_grant(r), str(r._mapping["owner_email"])) for r in rows]
