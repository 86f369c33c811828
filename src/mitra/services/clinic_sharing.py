"""Consent and access: a person shares their journal with a clinician, revokes it, and every
access to a journal is decided by ``domain.access.may`` and audited.

- ``share``: a person (or an admin, or the operator at the command line) shares a journal
  with a clinician, to ``read`` or to ``plan``, from now, with an optional end. Sharing again
  with the same clinician replaces the live share (the old one is revoked at that moment).
- ``revoke``: ends every live share of that pair AT ONCE: ``access_for`` reads the shares in
  the transaction of each request, so the next request is refused (no cache to expire).
- ``break_glass``: a clinician's emergency read access to a journal not shared with them:
  a reason is required, it lasts at most ``domain.access.MAX_BREAK_GLASS``, it is recorded in
  the audit log with its reason (so the person sees it in "who looked"), and it is listed for
  admins (``break_glass_flags``).
- ``access_for``: the one gate for journal access. It decides with ``may``; it appends an
  audit row for every read by someone other than the owner and for every write, plan or
  other change by anyone (the owner's own reads are not logged), and for refused attempts
  by others (as ``denied_<action>``, which "who looked" leaves out). Pass ``conn`` to record
  in the transaction doing the action (a write); without it, a transaction of its own.

Invariants: every change here is audited in its own transaction; times are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection

from mitra.domain.access import (
    MAX_BREAK_GLASS,
    READ_ONLY_WHY,
    Action,
    BreakGlass,
    Decision,
    Role,
    Scope,
    Share,
    may,
)
from mitra.domain.errors import InputError, NotFoundError
from mitra.services.audit_log import DENIED_PREFIX, Event, append, record
from mitra.services.clinic_accounts import Caller, find_account
from mitra.storage import account_store, share_store
from mitra.storage.account_store import AccountRecord
from mitra.storage.database import Database
from mitra.storage.share_store import SharedJournal

T = TypeVar("T")

__all__ = [
    "BreakGlassFlag",
    "ShareView",
    "SharedJournal",
    "access_for",
    "break_glass",
    "break_glass_flag_page",
    "break_glass_flags",
    "break_glass_of_person",
    "parse_scope",
    "people_for",
    "revoke",
    "share",
    "shares_of_person",
]


@dataclass(frozen=True, slots=True)
class ShareView:
    """One share as the person sees it."""

    share_id: int
    clinician_email: str
    scope: Scope
    starts: datetime
    ends: datetime | None
    revoked_at: datetime | None
    active: bool


@dataclass(frozen=True, slots=True)
class BreakGlassFlag:
    """An emergency access for admins to review."""

    grant: BreakGlass
    clinician_email: str
    person_email: str | None


class NotAllowed(Exception):
    """A clinician may not act for a person in this journal (``reason`` says why; ``shared``:
    the journal is shared with them, to read only)."""

    def __init__(self, reason: str, *, shared: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.shared = shared


def parse_scope(value: str) -> Scope:
    try:
        return Scope(value)
    except ValueError:
        raise InputError(f"unknown scope {value!r}; use read or plan", field="scope") from None


def _person_and_clinician(
    conn: Connection, person_email: str, clinician_email: str
) -> tuple[AccountRecord, AccountRecord, int]:
    person = find_account(conn, person_email)
    clinician = find_account(conn, clinician_email)
    if person.role != Role.PERSON.value or person.journal_id is None:
        raise InputError(f"{person.email} is a {person.role}, not a person with a journal")
    if clinician.role == Role.PERSON.value:
        raise InputError(f"{clinician.email} is a person; journals are shared with clinicians")
    return person, clinician, person.journal_id


def _may_manage(actor: Caller | None, journal_id: int) -> None:
    """Consent is the person's: they (or an admin, or the operator) share and revoke."""
    if actor is None or actor.role is Role.ADMIN:
        return
    if actor.role is not Role.PERSON or actor.journal_id != journal_id:
        raise InputError("only the person whose journal it is shares or revokes it")


def share(
    database: Database,
    *,
    person_email: str,
    clinician_email: str,
    scope: Scope = Scope.READ,
    ends: datetime | None = None,
    at: datetime,
    actor: Caller | None = None,
    source: str | None = None,
) -> int:
    """Share the person's journal with the clinician from ``at``; the new share's id."""
    if ends is not None and ends <= at:
        raise InputError("a share must end in the future", field="ends")
    with database.transaction() as conn:
        _, clinician, journal_id = _person_and_clinician(conn, person_email, clinician_email)
        _may_manage(actor, journal_id)
        live = share_store.live_between(conn, journal_id, clinician.id, at)
        share_store.revoke(conn, [s.share_id for s in live if s.share_id is not None], at)
        new = Share(
            journal_id=journal_id, clinician_id=clinician.id, scope=scope, starts=at, ends=ends
        )
        share_id = share_store.insert_share(conn, new, created_at=at)
        record(
            conn,
            actor,
            at=at,
            journal_id=journal_id,
            action="share",
            object_type="share",
            object_id=str(share_id),
            source_address=source,
            reason=f"{scope.value} with {clinician.email}",
        )
    return share_id


def revoke(
    database: Database,
    *,
    person_email: str,
    clinician_email: str,
    at: datetime,
    actor: Caller | None = None,
    source: str | None = None,
) -> int:
    """End every live share of the pair now; how many were ended (none: ``NotFoundError``)."""
    with database.transaction() as conn:
        _, clinician, journal_id = _person_and_clinician(conn, person_email, clinician_email)
        _may_manage(actor, journal_id)
        live = [
            s.share_id
            for s in share_store.live_between(conn, journal_id, clinician.id, at)
            if s.share_id is not None
        ]
        if not live:
            raise NotFoundError(
                f"the journal is not shared with {clinician.email}; nothing to revoke"
            )
        share_store.revoke(conn, live, at)
        for share_id in live:
            record(
                conn,
                actor,
                at=at,
                journal_id=journal_id,
                action="revoke",
                object_type="share",
                object_id=str(share_id),
                source_address=source,
                reason=f"with {clinician.email}",
            )
    return len(live)


def shares_of_person(database: Database, journal_id: int, *, at: datetime) -> list[ShareView]:
    """Every share of the journal ever made, live or not, newest first."""
    with database.read() as conn:
        found = share_store.of_journal(conn, journal_id)
    return [
        ShareView(
            share_id=s.share_id or 0,
            clinician_email=email,
            scope=s.scope,
            starts=s.starts,
            ends=s.ends,
            revoked_at=s.revoked_at,
            active=s.active_at(at),
        )
        for s, email in found
    ]


def people_for(database: Database, clinician: Caller, *, at: datetime) -> list[SharedJournal]:
    """The journals shared with this clinician now: (journal id, person's email, scope)."""
    with database.read() as conn:
        return share_store.active_for_clinician(conn, clinician.account_id, at)


def break_glass(
    database: Database,
    *,
    clinician: Caller,
    journal_id: int,
    reason: str,
    minutes: int,
    at: datetime,
    source: str | None = None,
) -> BreakGlass:
    """Emergency read access for ``minutes`` (at most ``MAX_BREAK_GLASS``), with a reason."""
    if clinician.role is not Role.CLINICIAN:
        raise InputError("only a clinician may use emergency access", field="role")
    limit = int(MAX_BREAK_GLASS.total_seconds() // 60)
    if not 1 <= minutes <= limit:
        raise InputError(
            f"emergency access lasts 1 to {limit} minutes, not {minutes}", field="minutes"
        )
    grant = BreakGlass(
        clinician_id=clinician.account_id,
        journal_id=journal_id,
        reason=reason,
        starts=at,
        ends=at + timedelta(minutes=minutes),
    )
    with database.transaction() as conn:
        if account_store.owner_of(conn, journal_id) is None:
            raise NotFoundError(f"no person's journal {journal_id}", field="journal")
        grant_id = share_store.insert_grant(conn, grant, created_at=at)
        append(
            conn,
            Event(
                at=at,
                actor_id=clinician.account_id,
                actor_role=clinician.role.value,
                journal_id=journal_id,
                action="break_glass",
                object_type="break_glass",
                object_id=str(grant_id),
                source_address=source,
                reason=grant.reason,
            ),
        )
    return BreakGlass(
        clinician_id=grant.clinician_id,
        journal_id=grant.journal_id,
        reason=grant.reason,
        starts=grant.starts,
        ends=grant.ends,
        grant_id=grant_id,
    )


def break_glass_of_person(database: Database, journal_id: int) -> list[BreakGlass]:
    """Every emergency access to this journal, newest first (shown to the person)."""
    with database.read() as conn:
        return share_store.grants_of_journal(conn, journal_id)


def break_glass_flags(
    database: Database,
    *,
    since: datetime | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[BreakGlassFlag]:
    """Emergency accesses (since ``since``), newest first, for admins to review."""
    return break_glass_flag_page(database, since=since, offset=offset, limit=limit)[0]


def break_glass_flag_page(
    database: Database,
    *,
    since: datetime | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[BreakGlassFlag], int]:
    """One page of ``break_glass_flags`` and how many there are in all (one query each)."""
    with database.read() as conn:
        found, total = share_store.flagged_grants(conn, since, offset=offset, limit=limit)
    return [BreakGlassFlag(grant, clinician, person) for grant, clinician, person in found], total


def access_for(
    database: Database,
    caller: Caller,
    journal_id: int,
    action: Action,
    *,
    at: datetime,
    source: str | None = None,
    object_type: str = "journal",
    object_id: str | None = None,
    conn: Connection | None = None,
) -> Decision:
    """Whether ``caller`` may take ``action`` on the journal now, audited (module docstring).
    With ``conn`` (a write transaction), the audit row goes into it."""
    if conn is not None:
        return _decide(conn, caller, journal_id, action, at, source, object_type, object_id)
    with database.transaction() as own:
        return _decide(own, caller, journal_id, action, at, source, object_type, object_id)


def _decide(
    conn: Connection,
    caller: Caller,
    journal_id: int,
    action: Action,
    at: datetime,
    source: str | None,
    object_type: str,
    object_id: str | None,
) -> Decision:
    owner = caller.role is Role.PERSON and caller.journal_id == journal_id
    if action.value not in caller.scopes:
        decision = Decision(False, f"this {caller.via}'s scopes do not include {action.value}")
    elif caller.role is Role.PERSON:
        decision = may(caller.actor(), action, journal_id, shares=(), grants=(), at=at)
    else:
        decision = may(
            caller.actor(),
            action,
            journal_id,
            shares=share_store.shares_for(conn, caller.account_id, journal_id),
            grants=share_store.grants_for(conn, caller.account_id, journal_id),
            at=at,
        )
    if owner and action is Action.READ:
        return decision  # a person reading their own journal is not logged
    if owner and not decision.allowed:
        return decision
    via = decision.via
    append(
        conn,
        Event(
            at=at,
            actor_id=caller.account_id,
            actor_role=caller.role.value,
            journal_id=journal_id,
            action=action.value if decision.allowed else DENIED_PREFIX + action.value,
            object_type=object_type,
            object_id=object_id,
            source_address=source,
            reason=via.reason if isinstance(via, BreakGlass) else None,
        ),
    )
    return decision


def act_for(
    database: Database,
    caller: Caller,
    journal_id: int,
    do: Callable[[Connection], T],
    *,
    at: datetime,
    source: str | None,
    object_type: str,
) -> T:
    """Run ``do`` in one write transaction with the ``plan`` access check and its audit row,
    when the caller may act for the person now; else ``NotAllowed``, raised after the
    refusal's audit row is committed. What ``do`` raises rolls everything back."""
    refused: NotAllowed | None = None
    with database.transaction() as conn:
        decision = access_for(
            database,
            caller,
            journal_id,
            Action.PLAN,
            at=at,
            source=source,
            object_type=object_type,
            conn=conn,
        )
        if decision.allowed:
            return do(conn)
        refused = NotAllowed(decision.why, shared=decision.why == READ_ONLY_WHY)
    raise refused
