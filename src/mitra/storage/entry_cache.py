"""Decoded entries kept between the writes of one process, so re-judging a window does not
decode the same few weeks of rows again on every write.

Every write re-judges the five weeks or so of journal around it (``services.safety_rejudge``),
and decoding those rows into entries was about a fifth of a write's CPU. What an entry holds
never changes once stored, except two things: ``deleted_at`` (a window read leaves deleted
entries out in SQL, so it is never read from here) and a dose's ``product_id`` (emptied when
its product is deleted). So a decoded entry is kept under its journal and row id, with the
row's ``uuid`` and ``product_id`` beside it, and is used again only when a fresh read of the
row's key finds both unchanged.

Invariants:

* an entry handed out is equal to decoding its row now: the row's uuid names one entry for
  good (every new entry gets a fresh one; an import refuses a uuid the journal holds), and a
  row id that SQLite gives again after a deletion or a rolled-back insert comes with another
  uuid, so it misses;
* only decoded rows go in (never the entry a write was handed), so an entry from here has
  exactly the values and time zones a read would give;
* one cache per engine (so per database and process), bounded: the oldest kept entries go
  first once ``LIMIT`` is reached. Safe to share between threads.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from mitra.domain.entries import Entry

# About a year of a heavy logger's window reads for one journal, or a clinic's few hundred
# busiest journals' current weeks; an entry is about 2 KB decoded.
LIMIT = 20_000

# A row's key as a window read sees it: (row id, uuid, product id or None).
RowKey = tuple[int, str, int | None]


class EntryCache:
    """Entries by (journal, row id), each with the uuid and product id it was decoded with."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._kept: dict[tuple[int, int], tuple[str, int | None, Entry]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get_many(self, journal: int, keys: Sequence[RowKey]) -> list[Entry | None]:
        """For each key, the entry decoded from a row with that id, uuid and product id, or
        None (never seen, or the row has changed since)."""
        kept = self._kept
        found: list[Entry | None] = []
        for row_id, row_uuid, product_id in keys:
            hit = kept.get((journal, row_id))
            if hit is not None and hit[0] == row_uuid and hit[1] == product_id:
                found.append(hit[2])
            else:
                found.append(None)
        return found

    def put_many(self, journal: int, decoded: Iterable[tuple[RowKey, Entry]]) -> None:
        """Keep entries just decoded from their rows (with those rows' keys)."""
        with self._lock:
            kept = self._kept
            for (row_id, row_uuid, product_id), entry in decoded:
                kept.pop((journal, row_id), None)  # re-inserted: it counts as new for eviction
                kept[(journal, row_id)] = (row_uuid, product_id, entry)
            overflow = len(kept) - self._limit
            if overflow > 0:
                for key in [k for k, _ in zip(kept, range(overflow), strict=False)]:
                    del kept[key]


# Shared state: one cache per engine, gone with the engine.
_BY_ENGINE: weakref.WeakKeyDictionary[Engine, EntryCache] = weakref.WeakKeyDictionary()
_MAKING = threading.Lock()


def for_engine(engine: Engine) -> EntryCache:
    """The cache of ``engine``'s entries (made on first use)."""
    cache = _BY_ENGINE.get(engine)
    if cache is None:
        with _MAKING:
            cache = _BY_ENGINE.setdefault(engine, EntryCache())
    return cache
