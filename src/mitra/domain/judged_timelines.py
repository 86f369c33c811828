"""Each entry's judgement, kept for as long as nothing it looked at has changed.

A write re-judges every entry whose rules could reach it (``safety_journal.affected_spans``):
about two weeks of doses for escalation, a day or two for the rest. Most of those entries see
exactly what they saw at the previous write (a new dose at the end of the day is in no
earlier dose's look-back), so judging them again gives the same alerts. ``JudgedTimelines``
keeps the ``finish``ed alerts of one entry under what they were judged from: the rules, the
profile, the zone, the journal's start, the rule families, and the very entry objects of its
timeline (the new entry, those before and those after it), by identity.

Identity is what makes a hit cheap and exact: the storage layer hands out the same object for
an unchanged row (``storage.entry_cache``), and a changed, new or deleted row is another
object or none, so any change to what an entry looked at changes its key. Each kept
judgement holds the objects its key names, so no id in a key is reused while it is kept.

Invariants: ``judge(..., memo=m)`` returns what ``judge(...)`` returns (``entry_alerts`` is a
pure function of exactly the parts in the key); the memo is bounded (the oldest judgements go
first) and safe to share between threads. Pure: no clock, database or files.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Hashable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mitra.domain.alerts import Alert
    from mitra.domain.entries import Entry
    from mitra.domain.profile import Profile
    from mitra.domain.ruleset import Ruleset
    from mitra.domain.safety import Family, Timeline

# A few weeks of a busy journal's judgements, or a clinic's busiest journals' current weeks.
LIMIT = 20_000
CONTEXT_LIMIT = 1_000

_Kept = tuple[tuple[object, ...], tuple["Alert", ...]]


class JudgedTimelines:
    """Alerts of judged timelines, by the identity of everything each was judged from."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._contexts: dict[Hashable, tuple[int, Ruleset]] = {}
        # Never reset: a number names one context for the memo's whole life, so a judgement
        # still running while the contexts are cleared cannot keep alerts under another's.
        self._numbers = itertools.count(1)
        self._kept: dict[Hashable, _Kept] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def context(
        self, ruleset: Ruleset, profile: Profile, zone: tzinfo, journal_start: datetime | None
    ) -> int:
        """A number naming what every timeline of one judgement shares (asked once a
        judgement; the ruleset is kept with it, so its id is not reused while named)."""
        key = (id(ruleset), profile, zone, journal_start)
        found = self._contexts.get(key)
        if found is not None and found[1] is ruleset:
            return found[0]
        with self._lock:
            if len(self._contexts) >= CONTEXT_LIMIT:
                self._contexts.clear()
                self._kept.clear()
            number = next(self._numbers)
            self._contexts[key] = (number, ruleset)
        return number

    def alerts(
        self,
        context: int,
        families: frozenset[Family],
        timeline: Timeline,
        judge: Callable[[], list[Alert]],
    ) -> tuple[Alert, ...]:
        """The alerts ``judge()`` gives for ``timeline``: kept from an earlier judgement of the
        same entries under the same ``context`` and ``families``, else judged now and kept."""
        key = (
            context,
            families,
            id(timeline.new),
            tuple(map(id, timeline.past)),
            tuple(map(id, timeline.future)),
        )
        found = self._kept.get(key)
        if found is not None:
            return found[1]
        alerts = tuple(judge())
        holds: tuple[Entry | tuple[Entry, ...], ...] = (
            timeline.new,
            timeline.past,
            timeline.future,
        )
        with self._lock:
            kept = self._kept
            kept[key] = (holds, alerts)
            overflow = len(kept) - self._limit
            if overflow > 0:
                for old in [k for k, _ in zip(kept, range(overflow), strict=False)]:
                    del kept[old]
        return alerts
