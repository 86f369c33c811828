"""Rows <-> clinic accounts and invitations (``clinic_tables``).

Invariants: emails are looked up and stored lower-case (the caller normalises; a CHECK holds
it); a row is never deleted (an account is disabled, an invitation used or left to expire);
the password hash is replaced only with another Argon2id hash of the same password or a new
one; sign-in counters change only through ``record_failure`` and ``record_success``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from mitra.storage import clinic_tables as c


@dataclass(frozen=True, slots=True)
class AccountRecord:
    id: int
    email: str
    role: str
    password_hash: str
    totp_secret: str | None
    totp_last_step: int | None
    journal_id: int | None
    created_at: datetime
    disabled_at: datetime | None
    failed_sign_ins: int
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class InvitationRecord:
    id: int
    email: str
    role: str
    invited_by: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


def _account(row: Row[Any]) -> AccountRecord:
    m = row._mapping
    return AccountRecord(
        id=int(m["id"]),
        email=str(m["email"]),
        role=str(m["role"]),
        password_hash=str(m["password_hash"]),
        totp_secret=m["totp_secret"],
        totp_last_step=None if m["totp_last_step"] is None else int(m["totp_last_step"]),
        journal_id=None if m["journal_id"] is None else int(m["journal_id"]),
        created_at=m["created_at"],
        disabled_at=m["disabled_at"],
        failed_sign_ins=int(m["failed_sign_ins"]),
        locked_until=m["locked_until"],
    )


def insert_account(
    conn: Connection,
    *,
    email: str,
    role: str,
    password_hash: str,
    totp_secret: str | None,
    journal_id: int | None,
    created_at: datetime,
) -> int:
    return int(
        conn.execute(
            insert(c.accounts)
            .values(
                email=email,
                role=role,
                password_hash=password_hash,
                totp_secret=totp_secret,
                journal_id=journal_id,
                created_at=created_at,
                failed_sign_ins=0,
            )
            .returning(c.accounts.c.id)
        ).scalar_one()
    )


def by_email(conn: Connection, email: str) -> AccountRecord | None:
    row = conn.execute(select(c.accounts).where(c.accounts.c.email == email)).first()
    return None if row is None else _account(row)


def by_id(conn: Connection, account_id: int) -> AccountRecord | None:
    row = conn.execute(select(c.accounts).where(c.accounts.c.id == account_id)).first()
    return None if row is None else _account(row)


def owner_of(conn: Connection, journal_id: int) -> AccountRecord | None:
    """The person whose journal this is (None for a journal no account owns)."""
    row = conn.execute(select(c.accounts).where(c.accounts.c.journal_id == journal_id)).first()
    return None if row is None else _account(row)


def all_accounts(conn: Connection) -> list[AccountRecord]:
    return [_account(r) for r in conn.execute(select(c.accounts).order_by(c.accounts.c.id))]


def count_accounts(conn: Connection, *, role: str | None = None) -> int:
    query = select(c.accounts.c.id)
    if role is not None:
        query = query.where(c.accounts.c.role == role)
    return len(conn.execute(query).all())


def record_failure(conn: Connection, account_id: int, *, locked_until: datetime | None) -> None:
    """One more consecutive failure; ``locked_until`` set when the caller decided to lock."""
    values: dict[str, Any] = {"failed_sign_ins": c.accounts.c.failed_sign_ins + 1}
    if locked_until is not None:
        values["locked_until"] = locked_until
    conn.execute(update(c.accounts).where(c.accounts.c.id == account_id).values(**values))


def record_success(conn: Connection, account_id: int, *, totp_step: int | None) -> None:
    """A successful sign-in: the counters start again; the TOTP step used is kept."""
    values: dict[str, Any] = {"failed_sign_ins": 0, "locked_until": None}
    if totp_step is not None:
        values["totp_last_step"] = totp_step
    conn.execute(update(c.accounts).where(c.accounts.c.id == account_id).values(**values))


def set_password_hash(conn: Connection, account_id: int, password_hash: str) -> None:
    conn.execute(
        update(c.accounts).where(c.accounts.c.id == account_id).values(password_hash=password_hash)
    )


def unlock(conn: Connection, account_id: int) -> None:
    conn.execute(
        update(c.accounts)
        .where(c.accounts.c.id == account_id)
        .values(failed_sign_ins=0, locked_until=None)
    )


def set_disabled(conn: Connection, account_id: int, at: datetime | None) -> None:
    conn.execute(update(c.accounts).where(c.accounts.c.id == account_id).values(disabled_at=at))


# Invitations


def insert_invitation(
    conn: Connection,
    *,
    token_hash: str,
    email: str,
    role: str,
    invited_by: int,
    created_at: datetime,
    expires_at: datetime,
) -> int:
    return int(
        conn.execute(
            insert(c.invitations)
            .values(
                token_hash=token_hash,
                email=email,
                role=role,
                invited_by=invited_by,
                created_at=created_at,
                expires_at=expires_at,
            )
            .returning(c.invitations.c.id)
        ).scalar_one()
    )


def invitation_by_hash(conn: Connection, token_hash: str) -> InvitationRecord | None:
    query = select(c.invitations).where(c.invitations.c.token_hash == token_hash)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()  # one invitation, one account, even when raced
    row = conn.execute(query).first()
    if row is None:
        return None
    m = row._mapping
    return InvitationRecord(
        id=int(m["id"]),
        email=str(m["email"]),
        role=str(m["role"]),
        invited_by=int(m["invited_by"]),
        created_at=m["created_at"],
        expires_at=m["expires_at"],
        used_at=m["used_at"],
    )


def mark_invitation_used(conn: Connection, invitation_id: int, at: datetime) -> None:
    conn.execute(
        update(c.invitations).where(c.invitations.c.id == invitation_id).values(used_at=at)
    )
