"""A PostgreSQL streaming replica for reads that may be a little behind, within a stated bound.

The clinic server may be given a hot standby (``--replica-url``). Clinicians' views of shared
journals read from it (``Database.on_replica``); every write, every audit row and every
person's own view stays on the primary, so a person always sees what they just wrote.

``Replica.usable`` decides, at most once per ``check_seconds``, whether the standby is close
enough: it is when it has replayed everything the primary has written (its replay position is
at or past the primary's current WAL position), or when its newest replayed transaction is at
most ``max_lag_seconds`` older than the primary's clock. The second test overstates the lag
after a quiet spell (the newest transaction is old although little is missing), which sends
reads to the primary for a moment: the safe side. A standby that cannot be reached, or is not
in recovery (promoted, or a wrong URL), is not used. Invariant: when ``usable`` says no, the
read goes to the primary; a replica never makes a read fail.

The check interval is a duration (``time.monotonic``), not a time of day: it is not the app's
clock.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

DEFAULT_MAX_LAG_SECONDS = 5.0
DEFAULT_CHECK_SECONDS = 1.0

# The insert position, not the write position: a commit still in the WAL buffers (as with
# synchronous_commit=off) is not yet on the standby, so the standby is behind it.
_PRIMARY_POSITION = text("SELECT pg_current_wal_insert_lsn()::text, now()")
_REPLICA_POSITION = text(
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, pg_last_xact_replay_timestamp()"
)
_BEHIND = text("SELECT CAST(:replayed AS pg_lsn) < CAST(:current AS pg_lsn)")


@dataclass
class Replica:
    engine: Engine
    primary: Engine
    max_lag_seconds: float = DEFAULT_MAX_LAG_SECONDS
    check_seconds: float = DEFAULT_CHECK_SECONDS
    _checked: float | None = field(default=None, repr=False)
    _usable: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def usable(self) -> bool:
        """Whether reads may go to the replica now (see the module docstring)."""
        with self._lock:
            moment = time.monotonic()
            if self._checked is None or moment - self._checked >= self.check_seconds:
                self._usable = self.lag_seconds() <= self.max_lag_seconds
                self._checked = moment
            return self._usable

    def lag_seconds(self) -> float:
        """How far behind the primary the replica is: 0 when caught up, ``inf`` when it
        cannot be used at all."""
        try:
            with self.primary.connect() as conn:
                current, primary_now = conn.execute(_PRIMARY_POSITION).one()
            with self.engine.connect() as conn:
                recovering, replayed, replayed_at = conn.execute(_REPLICA_POSITION).one()
                if not recovering or replayed is None:
                    return float("inf")
                behind = conn.execute(_BEHIND, {"replayed": replayed, "current": current})
                if not behind.scalar_one():
                    return 0.0
        except DBAPIError:
            return float("inf")
        if replayed_at is None:
            return float("inf")
        lag: float = (primary_now - replayed_at).total_seconds()
        return max(0.0, lag)

    def forget(self) -> None:
        """Check again before the next read (tests, and after a failover)."""
        with self._lock:
            self._checked = None
