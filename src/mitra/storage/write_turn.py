"""One writer at a time on a SQLite database, within this process, waiting promptly.

SQLite takes one writer at a time (mitra's write transactions begin IMMEDIATE). Two threads of
one process that both want to write would otherwise meet in SQLite's busy handler, whose
back-off sleeps (up to 100 ms at a time) make the slowest writes under load hundreds of
milliseconds slower. So ``Database.transaction`` and each batch of ``Database.batches`` take
this turn first, for the transaction only: from its BEGIN to its COMMIT or ROLLBACK, not the
request around it (a web request's parsing, validation and response happen outside it, while
another request writes). Another process (the CLI beside the web app) still waits in SQLite's
busy handler, as before.

Invariants: one turn per engine (so per database file and process), re-entrant in the thread
that holds it; PostgreSQL takes none (it has row locks and many writers).
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

# Shared state: a turn per engine, gone with the engine.
_TURNS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_MAKING = threading.Lock()


def of(engine: Engine) -> threading.RLock:
    """The write turn of ``engine`` (made on first use)."""
    turn = _TURNS.get(engine)
    if turn is None:
        with _MAKING:
            turn = _TURNS.setdefault(engine, threading.RLock())
    return turn
