"""The SQLite write turn (``storage.write_turn``) is held by one transaction at a time and
only for it: a writer of this process waits for it before it begins, writers never overlap, a
transaction that fails gives the turn back, and each batch of a long write gives it back at
its commit or roll-back, so another thread's write goes in between. Reads take no turn."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mitra.storage import write_turn
from mitra.storage.database import Database, open_database

# Long enough for a thread to be scheduled on a loaded 2-core machine, far under a test timeout.
PATIENCE = 10.0


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    return open_database(f"sqlite:///{tmp_path / 'turn.sqlite3'}")


def _write_in_thread(db: Database) -> threading.Thread:
    def write() -> None:
        with db.transaction() as conn:
            conn.exec_driver_sql("SELECT 1")

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_writers_of_one_process_never_overlap(sqlite_db: Database) -> None:
    inside = 0
    most = 0
    guard = threading.Lock()

    def write(_: int) -> None:
        nonlocal inside, most
        with sqlite_db.transaction() as conn:
            with guard:
                inside += 1
                most = max(most, inside)
            conn.exec_driver_sql("SELECT 1")
            time.sleep(0.002)  # a write's work, while the others wait their turn
            with guard:
                inside -= 1

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(60)))
    assert most == 1


def test_a_failed_transaction_gives_the_turn_back(sqlite_db: Database) -> None:
    with pytest.raises(RuntimeError), sqlite_db.transaction():
        raise RuntimeError("the write went wrong")
    thread = _write_in_thread(sqlite_db)
    thread.join(PATIENCE)
    assert not thread.is_alive()


def test_a_long_write_lets_another_writer_in_between_its_batches(sqlite_db: Database) -> None:
    with sqlite_db.batches() as batches:
        batches.begin().exec_driver_sql("SELECT 1")
        waiting = _write_in_thread(sqlite_db)
        waiting.join(0.2)
        assert waiting.is_alive()  # the open batch holds the turn
        batches.pause()
        waiting.join(PATIENCE)
        assert not waiting.is_alive()  # in between two batches


def test_an_abandoned_long_write_gives_the_turn_back(sqlite_db: Database) -> None:
    with pytest.raises(RuntimeError), sqlite_db.batches() as batches:
        batches.begin().exec_driver_sql("SELECT 1")
        raise RuntimeError("the import went wrong")
    thread = _write_in_thread(sqlite_db)
    thread.join(PATIENCE)
    assert not thread.is_alive()


def test_a_read_takes_no_turn(sqlite_db: Database) -> None:
    read_done = threading.Event()

    def read() -> None:
        with sqlite_db.read() as conn:
            conn.exec_driver_sql("SELECT 1")
        read_done.set()

    with sqlite_db.transaction():
        threading.Thread(target=read).start()
        assert read_done.wait(PATIENCE)


def test_a_writer_waits_for_the_turn_before_it_begins_in_sqlite(sqlite_db: Database) -> None:
    # Held here without any SQLite transaction: only the turn can stop the other writer.
    turn = write_turn.of(sqlite_db.engine)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with turn:
            held.set()
            release.wait(PATIENCE)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(PATIENCE)
    waiting = _write_in_thread(sqlite_db)
    waiting.join(0.2)
    assert waiting.is_alive()
    release.set()
    waiting.join(PATIENCE)
    holder.join(PATIENCE)
    assert not waiting.is_alive()
