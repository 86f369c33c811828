"""Where a connection holds what the last write's judging window kept (``judging_window``),
and the two moments that move it: a write transaction's BEGIN and its successful commit.

Its own small module so that ``storage.database`` (which calls both on every write) needs
none of the stores ``judging_window`` reads with.

The three slots of a DBAPI connection's ``info`` (the pool's per-connection dictionary):
``KEPT``, usable by the next write transaction on this connection; ``TAKEN``, set aside at
this transaction's BEGIN for its window alone; ``PENDING``, kept by this transaction's
window, usable only once the transaction has committed.
"""

from __future__ import annotations

from typing import Any

KEPT = "mitra_judging_window"
TAKEN = "mitra_judging_window_taken"
PENDING = "mitra_judging_window_pending"


def on_write_begin(info: dict[str, Any]) -> None:
    """A write transaction began: what the last write kept is set aside for this
    transaction's window alone, and dropped unless that window keeps it again."""
    info.pop(PENDING, None)
    info[TAKEN] = info.pop(KEPT, None)


def settle(info: dict[str, Any]) -> None:
    """The transaction committed: what its window kept is usable by the next write."""
    info.pop(TAKEN, None)
    pending = info.pop(PENDING, None)
    if pending is not None:
        info[KEPT] = pending
