"""Rows <-> sign-in sessions, API tokens and failed sign-ins (``clinic_tables``).

Invariants: only SHA-256 hashes of session ids and tokens are stored or looked up (the
services hash before calling); a session or token ends by ``revoked_at`` (never deleted), so
what was live when stays visible; failed sign-ins are counted by key inside a time window
(the key is already a hash: no email or address is stored in the clear here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, text, update

from mitra.storage import clinic_tables as c


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id_hash: str
    account_id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    source_address: str | None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: int
    account_id: int
    scopes: tuple[str, ...]
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


# Sessions


def insert_session(
    conn: Connection,
    *,
    id_hash: str,
    account_id: int,
    at: datetime,
    expires_at: datetime,
    source_address: str | None,
) -> None:
    conn.execute(
        insert(c.sessions).values(
            id_hash=id_hash,
            account_id=account_id,
            created_at=at,
            last_seen_at=at,
            expires_at=expires_at,
            source_address=source_address,
        )
    )


def session_by_hash(conn: Connection, id_hash: str) -> SessionRecord | None:
    row = conn.execute(select(c.sessions).where(c.sessions.c.id_hash == id_hash)).first()
    if row is None:
        return None
    m = row._mapping
    return SessionRecord(
        id_hash=str(m["id_hash"]),
        account_id=int(m["account_id"]),
        created_at=m["created_at"],
        last_seen_at=m["last_seen_at"],
        expires_at=m["expires_at"],
        revoked_at=m["revoked_at"],
        source_address=m["source_address"],
    )


def touch_session(conn: Connection, id_hash: str, at: datetime) -> None:
    conn.execute(update(c.sessions).where(c.sessions.c.id_hash == id_hash).values(last_seen_at=at))


def revoke_session(conn: Connection, id_hash: str, at: datetime) -> None:
    conn.execute(
        update(c.sessions)
        .where(c.sessions.c.id_hash == id_hash, c.sessions.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def revoke_sessions_of(conn: Connection, account_id: int, at: datetime) -> int:
    result = conn.execute(
        update(c.sessions)
        .where(c.sessions.c.account_id == account_id, c.sessions.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return int(result.rowcount)


# API tokens


def insert_token(
    conn: Connection,
    *,
    account_id: int,
    token_hash: str,
    scopes: tuple[str, ...],
    label: str,
    created_at: datetime,
    expires_at: datetime,
) -> int:
    return int(
        conn.execute(
            insert(c.api_tokens)
            .values(
                account_id=account_id,
                token_hash=token_hash,
                scopes=" ".join(scopes),
                label=label,
                created_at=created_at,
                expires_at=expires_at,
            )
            .returning(c.api_tokens.c.id)
        ).scalar_one()
    )


def _token(row: Row[Any]) -> TokenRecord:
    mapping = row._mapping
    return TokenRecord(
        id=int(mapping["id"]),
        account_id=int(mapping["account_id"]),
        scopes=tuple(str(mapping["scopes"]).split()),
        label=str(mapping["label"]),
        created_at=mapping["created_at"],
        expires_at=mapping["expires_at"],
        revoked_at=mapping["revoked_at"],
        last_used_at=mapping["last_used_at"],
    )


def token_by_hash(conn: Connection, token_hash: str) -> TokenRecord | None:
    row = conn.execute(select(c.api_tokens).where(c.api_tokens.c.token_hash == token_hash)).first()
    return None if row is None else _token(row)


def token_by_id(conn: Connection, token_id: int) -> TokenRecord | None:
    row = conn.execute(select(c.api_tokens).where(c.api_tokens.c.id == token_id)).first()
    return None if row is None else _token(row)


def tokens_of(conn: Connection, account_id: int) -> list[TokenRecord]:
    rows = conn.execute(
        select(c.api_tokens)
        .where(c.api_tokens.c.account_id == account_id)
        .order_by(c.api_tokens.c.id)
    )
    return [_token(r) for r in rows]


def touch_token(conn: Connection, token_id: int, at: datetime) -> None:
    conn.execute(update(c.api_tokens).where(c.api_tokens.c.id == token_id).values(last_used_at=at))


def revoke_token(conn: Connection, token_id: int, at: datetime) -> bool:
    result = conn.execute(
        update(c.api_tokens)
        .where(c.api_tokens.c.id == token_id, c.api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return bool(result.rowcount)


# Failed sign-ins


def serialise(conn: Connection, key: str) -> None:
    """Hold ``key`` (a hex hash) until this transaction ends, on PostgreSQL (an advisory lock
    on its first 60 bits), so two sign-ins of one email count both failures; SQLite's
    write transactions are serial already. Taken alike for known and unknown emails."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(key[:15], 16)})


def add_failure(conn: Connection, key: str, at: datetime) -> None:
    conn.execute(insert(c.sign_in_failures).values(key=key, at=at))


def failures_since(conn: Connection, key: str, since: datetime) -> int:
    """Failures under ``key`` at or after ``since`` (the sliding window)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(c.sign_in_failures)
            .where(c.sign_in_failures.c.key == key, c.sign_in_failures.c.at >= since)
        ).scalar_one()
    )


def latest_failures(conn: Connection, key: str, since: datetime, limit: int) -> list[datetime]:
    """The newest ``limit`` failure times under ``key`` since ``since``, newest first."""
    rows = conn.execute(
        select(c.sign_in_failures.c.at)
        .where(c.sign_in_failures.c.key == key, c.sign_in_failures.c.at >= since)
        .order_by(c.sign_in_failures.c.at.desc())
        .limit(limit)
    )
    return [r[0] for r in rows]


def forget_failures(conn: Connection, key: str, before: datetime) -> int:
    """Drop ``key``'s failures older than any window looks at (they say nothing any more);
    an index search on (key, at), so the table holds only recent failures."""
    result = conn.execute(
        delete(c.sign_in_failures).where(
            c.sign_in_failures.c.key == key, c.sign_in_failures.c.at < before
        )
    )
    return int(result.rowcount)
