"""When repeated failed sign-ins pause signing in: the sliding-window rule, pure.

A key (a hashed email, or a hashed source address) is paused while its newest failure
completed a burst: at least ``limit`` failures within ``window`` of one another ending at
that newest failure, and less than ``lock_for`` has passed since it. The defaults the clinic
uses (5 failures in 15 minutes pause 15 minutes) follow the OWASP Authentication Cheat
Sheet; the caller does not count attempts refused during a pause, so a pause always ends
``lock_for`` after the failure that started it.

Invariants: pure (times are passed in); looks only at the newest ``limit`` failures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def horizon(at: datetime, *, window: timedelta, lock_for: timedelta) -> datetime:
    """The oldest failure that can still matter at ``at``."""
    return at - window - lock_for


def paused(
    newest_first: Sequence[datetime],
    *,
    at: datetime,
    limit: int,
    window: timedelta,
    lock_for: timedelta,
) -> bool:
    """Whether the key is paused at ``at``, given its newest failures (newest first, at
    least ``limit`` of them when there are that many)."""
    if limit < 1 or len(newest_first) < limit:
        return False
    newest, burst_start = newest_first[0], newest_first[limit - 1]
    return newest - burst_start <= window and at < newest + lock_for
