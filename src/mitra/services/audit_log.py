"""The audit log's use cases: append, show a person who looked, export, verify the chain.

Every read of a journal by someone other than its owner, and every write by anyone, is
appended (``append``) in the same transaction as what it records (``storage.audit_store``
serialises appends so the SHA-256 chain stays one line). A person sees the rows of their
journal made by others (``who_looked``), admins export the whole log (``export``), and
``verify`` walks the chain in order, streaming, and names the first row that does not hold.

Invariants: nothing here changes or deletes a row; times are passed in, never read.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import Connection

from mitra.domain.audit_chain import AuditBreak, AuditRow, utc_text
from mitra.domain.audit_chain import verify as verify_chain
from mitra.domain.errors import InputError
from mitra.storage import account_store, audit_store
from mitra.storage.audit_store import Event
from mitra.storage.database import Database

if TYPE_CHECKING:
    from mitra.services.clinic_accounts import Caller

__all__ = ["Event", "Look", "Verified", "append", "export", "record", "verify", "who_looked"]

PAGE_SIZE = 50
EXPORT_FORMATS = ("jsonl", "csv")
COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "journal_id",
    "action",
    "object_type",
    "object_id",
    "source_address",
    "reason",
    "prev_hash",
    "row_hash",
)
# Refused attempts are in the log too, but were not looks at the journal.
DENIED_PREFIX = "denied_"


@dataclass(frozen=True, slots=True)
class Look:
    """One row of "who looked at my journal": who (email and role), what, when, from where."""

    at: datetime
    actor_email: str | None
    actor_role: str
    action: str
    object_type: str
    object_id: str | None
    reason: str | None
    source_address: str | None


@dataclass(frozen=True, slots=True)
class Verified:
    rows: int
    broken: AuditBreak | None


def append(conn: Connection, event: Event) -> AuditRow:
    """Append ``event`` in ``conn``'s write transaction (the one doing what it records)."""
    return audit_store.append(conn, event)


def record(
    conn: Connection,
    actor: Caller | None,
    *,
    at: datetime,
    journal_id: int | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    source_address: str | None = None,
    reason: str | None = None,
) -> AuditRow:
    """``append`` what ``actor`` did; no actor is the operator at the command line, logged
    as "system"."""
    return append(
        conn,
        Event(
            at=at,
            actor_id=None if actor is None else actor.account_id,
            actor_role="system" if actor is None else actor.role.value,
            journal_id=journal_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            source_address=source_address,
            reason=reason,
        ),
    )


def who_looked(
    database: Database,
    journal_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> list[Look]:
    """Who else read or changed this journal in ``[since, until)``, newest first, one page."""
    if page < 1 or per_page < 1:
        raise InputError("page and page size count from 1", field="page")
    with database.read() as conn:
        owner = account_store.owner_of(conn, journal_id)
        rows = audit_store.of_journal(
            conn,
            journal_id,
            since=since,
            until=until,
            not_actor=None if owner is None else owner.id,
            limit=per_page,
            offset=(page - 1) * per_page,
            skip_prefix=DENIED_PREFIX,
        )
        emails: dict[int, str] = {}
        looks = []
        for row in rows:
            email = None
            if row.actor_id is not None:
                if row.actor_id not in emails:
                    account = account_store.by_id(conn, row.actor_id)
                    emails[row.actor_id] = "" if account is None else account.email
                email = emails[row.actor_id] or None
            looks.append(
                Look(
                    at=row.at,
                    actor_email=email,
                    actor_role=row.actor_role,
                    action=row.action,
                    object_type=row.object_type,
                    object_id=row.object_id,
                    reason=row.reason,
                    source_address=row.source_address,
                )
            )
    return looks


def verify(database: Database) -> Verified:
    """Walk the whole chain in seq order (streamed) and name the first broken row, if any."""
    counted = 0

    def counting(rows: Iterator[AuditRow]) -> Iterator[AuditRow]:
        nonlocal counted
        for row in rows:
            counted += 1
            yield row

    with database.read() as conn:
        broken = verify_chain(counting(audit_store.scan(conn)))
    return Verified(counted, broken)


def _as_dict(row: AuditRow) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(row, name) for name in COLUMNS}
    values["at"] = utc_text(row.at)
    return values


def export(database: Database, out: TextIO, *, format: str = "jsonl") -> int:
    """Write every row, in seq order, as JSON lines or CSV (with the hashes, so another tool
    can check the chain); the number of rows written."""
    if format not in EXPORT_FORMATS:
        raise InputError(
            f"unknown export format {format!r}; use one of {', '.join(EXPORT_FORMATS)}",
            field="format",
        )
    written = 0
    with database.read() as conn:
        if format == "csv":
            writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            for row in audit_store.scan(conn):
                writer.writerow(_as_dict(row))
                written += 1
        else:
            for row in audit_store.scan(conn):
                out.write(json.dumps(_as_dict(row), sort_keys=True, ensure_ascii=False) + "\n")
                written += 1
    return written
