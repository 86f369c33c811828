"""What the clinic's web pages ask beyond the core clinic services: a clinician's people a
page at a time with their latest activity, a person's journal by email (for break-glass), and
an invitation's email before it is accepted (the join page greets the person by it).

Read-only; every answer comes from the accounts, shares and audit log (a journal's latest
activity is its newest audit row: nothing of the journal itself is read, so listing people is
not a look at anyone's journal). Times are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mitra.domain.access import Role
from mitra.domain.errors import NotFoundError
from mitra.services import credentials
from mitra.services.clinic_accounts import Caller, normalise_email
from mitra.storage import account_store, audit_store, share_store
from mitra.storage.database import Database


@dataclass(frozen=True, slots=True)
class Person:
    journal_id: int
    email: str
    scope: str
    ends: datetime | None
    last_activity: datetime | None


def people_page(
    database: Database, clinician: Caller, *, at: datetime, offset: int, limit: int
) -> tuple[list[Person], int]:
    """The journals shared with ``clinician`` now, newest activity first (never active
    last), one page, and how many there are in all."""
    with database.read() as conn:
        shared = share_store.active_for_clinician(conn, clinician.account_id, at)
        newest = audit_store.newest_of_journals(conn, [s.journal_id for s in shared])
    people = [
        Person(s.journal_id, s.email, s.scope.value, s.ends, newest.get(s.journal_id))
        for s in shared
    ]
    people.sort(key=lambda p: (p.last_activity is not None, p.last_activity), reverse=True)
    return people[offset : offset + limit], len(people)


def journal_of_person(database: Database, email: str) -> int:
    """The journal of the person with this email (``NotFoundError`` for anyone else)."""
    address = normalise_email(email)
    with database.read() as conn:
        account = account_store.by_email(conn, address)
    if account is None or account.role != Role.PERSON.value or account.journal_id is None:
        raise NotFoundError(f"no person signs in here as {address}", field="email")
    return account.journal_id


def invitation_email(database: Database, token: str, *, at: datetime) -> str | None:
    """The email an unused, unexpired invitation was made for; None for any other token."""
    if not credentials.looks_like_token(token):
        return None
    # A write transaction: the store locks the invitation row (FOR UPDATE) on PostgreSQL.
    with database.transaction() as conn:
        found = account_store.invitation_by_hash(conn, credentials.token_hash(token))
    if found is None or found.used_at is not None or at >= found.expires_at:
        return None
    return found.email
