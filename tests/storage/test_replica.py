"""The clinic's streaming replica, on a real primary and a real hot standby made with
pg_basebackup: clinicians' reads (``Database.on_replica``) are served by the standby while it
is within the stated lag, and by the primary when it falls further behind or cannot be
reached; writes always go to the primary; a person's own reads never leave the primary.

Waiting for replication uses short real pauses (durations on the monotonic timer): it is the
servers' time being measured, not the app's clock."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, insert, select, text

from mitra.domain.errors import InputError
from mitra.storage import schema as t
from mitra.storage.database import Database, open_database, resolve_url, with_replica
from mitra.storage.journal_scope import journal_of
from tests.support.pg_cluster import create_database, running_cluster, running_replica

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class Pair:
    primary: Database
    replica_url: str


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with running_cluster() as base:
        url = create_database(base, "clinic")
        database = open_database(resolve_url(url))
        with running_replica(base) as standby:
            yield Pair(database, f"{standby}/clinic")
        database.dispose()


def _in_recovery(database: Database) -> bool:
    with database.read() as conn:
        return bool(conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one())


def _caught_up(database: Database, seconds: float = 30) -> None:
    assert database.replica is not None
    deadline = time.monotonic() + seconds
    while database.replica.lag_seconds() > 0:
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.05)
    database.replica.forget()


def _note(database: Database, words: str) -> None:
    with database.transaction() as conn:
        assert not conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
        conn.execute(
            insert(t.entries).values(
                journal_id=journal_of(conn), uuid=str(uuid.uuid4()), kind="symptom", at=AT,
                recorded_at=AT, note=words,
            )
        )  # fmt: skip


def _notes(database: Database) -> set[str]:
    with database.read() as conn:
        return {str(n) for n in conn.execute(select(t.entries.c.note)).scalars()}


def test_clinician_reads_come_from_the_standby_and_writes_from_the_primary(pair: Pair) -> None:
    database = with_replica(pair.primary, pair.replica_url, max_lag_seconds=5)
    readers = database.on_replica()
    _note(readers, "written through the readers' copy")  # a write still goes to the primary
    _caught_up(database)
    assert _in_recovery(readers)  # served by the standby
    assert "written through the readers' copy" in _notes(readers)
    assert not _in_recovery(database)  # a person's own reads stay on the primary


def test_a_standby_further_behind_than_the_bound_is_passed_over_until_it_catches_up(
    pair: Pair,
) -> None:
    database = with_replica(pair.primary, pair.replica_url, max_lag_seconds=0.5)
    readers = database.on_replica()
    _caught_up(database)
    assert _in_recovery(readers)
    with database.replica.engine.connect() as standby:  # type: ignore[union-attr]
        standby.execute(text("SELECT pg_wal_replay_pause()"))
        standby.commit()
        try:
            _note(database, "while replay is paused")
            time.sleep(0.8)  # the standby's newest replayed write is now over 0.5 s old
            database.replica.forget()  # type: ignore[union-attr]
            assert not _in_recovery(readers)  # the primary answers instead
            assert "while replay is paused" in _notes(readers)  # nothing read is stale
        finally:
            standby.execute(text("SELECT pg_wal_replay_resume()"))
            standby.commit()
    _caught_up(database)
    assert _in_recovery(readers)


def test_an_unreachable_standby_never_fails_a_read(pair: Pair) -> None:
    database = with_replica(
        pair.primary, "postgresql://postgres@127.0.0.1:1/clinic", max_lag_seconds=5
    )
    readers = database.on_replica()
    assert not _in_recovery(readers)
    _note(database, "with the standby down")
    assert "with the standby down" in _notes(readers)


def test_the_primary_itself_is_never_taken_for_a_standby(pair: Pair) -> None:
    database = with_replica(pair.primary, pair.primary.url, max_lag_seconds=5)
    assert database.replica is not None and database.replica.lag_seconds() == float("inf")
    assert not _in_recovery(database.on_replica())


def test_only_statements_of_clinician_reads_reach_the_standby(pair: Pair) -> None:
    database = with_replica(pair.primary, pair.replica_url, max_lag_seconds=5)
    assert database.replica is not None
    _caught_up(database)
    seen: list[str] = []

    def capture(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(database.replica.engine, "before_cursor_execute", capture)
    try:
        _notes(database)
        _note(database, "a person's write")
        assert not any("entries" in s for s in seen)
        _notes(database.on_replica())
        assert any("entries" in s for s in seen)
    finally:
        event.remove(database.replica.engine, "before_cursor_execute", capture)


def test_a_replica_url_that_is_not_postgresql_is_refused(pair: Pair) -> None:
    with pytest.raises(InputError, match="PostgreSQL URL"):
        with_replica(pair.primary, "sqlite:///standby.sqlite3", max_lag_seconds=5)
