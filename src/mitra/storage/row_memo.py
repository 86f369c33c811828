"""Values decoded from rows, kept under the rows' exact values, so a row read again unchanged
is not decoded again.

Re-judging reads the same few stored alerts of a window on every write, and decoding one
(its evidence, entry ids and every earlier version, all JSON) cost more than reading it. A
row's values are the whole input of its decoding, so the decoded value is kept under the tuple
of those values and handed out again only for a row equal to it in every column: a row that
changed in any way (acknowledged, closed, updated, its history grown) is a new key and is
decoded afresh. Nothing needs invalidating.

Invariants:

* what ``decode`` returns for a row is equal to decoding that row now: ``decode`` must be a
  pure function of the row's values and return an immutable value (frozen dataclasses of
  tuples, strings, numbers and datetimes), since one value is handed to every caller;
* equal keys mean equal rows: a key is the row's column names and its values, each column
  holds one type, and stored datetimes are always UTC (``schema.UTCDateTime``), so two rows
  of any two queries have one key only when every column has the same value;
* bounded: the oldest kept values go first once ``limit`` is reached; safe to share between
  threads (a value decoded twice by two threads at once is the same value either way).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar


class NamedRow(Protocol):
    """A row as a query gives it (SQLAlchemy's ``Row``): its column names and its values."""

    @property
    def _fields(self) -> tuple[str, ...]: ...

    def __iter__(self) -> Iterator[Any]: ...


R = TypeVar("R", bound=NamedRow)
T = TypeVar("T")


class RowMemo(Generic[R, T]):
    """``decode(row)``, kept by the row's names and values for the next equal row."""

    def __init__(self, decode: Callable[[R], T], limit: int) -> None:
        self._decode = decode
        self._limit = limit
        self._kept: dict[tuple[tuple[str, ...], tuple[Any, ...]], T] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def __call__(self, row: R) -> T:
        key = (row._fields, tuple(row))
        found = self._kept.get(key)
        if found is not None:
            return found
        value = self._decode(row)
        with self._lock:
            kept = self._kept
            kept[key] = value
            overflow = len(kept) - self._limit
            if overflow > 0:
                for old in [k for k, _ in zip(kept, range(overflow), strict=False)]:
                    del kept[old]
        return value
