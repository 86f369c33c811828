"""The tamper-evident audit log: each row carries the hash of the row before it.

A row's hash is ``chain_hash(prev_hash, fields)`` = SHA-256 (hex) of the previous row's hash
(64 ASCII hex digits) followed by the row's canonical bytes; the first row's ``prev_hash`` is
``GENESIS`` (64 zeros). Changing, removing, inserting or reordering any row therefore breaks
the chain at that row, and ``verify`` names the first broken row and why.

The canonical serialisation (``canonical``), version 1, stable and documented so that any
other tool can recompute a hash:

- a JSON object of the row's content fields, ``seq``, ``at``, ``actor_id``, ``actor_role``,
  ``journal_id``, ``action``, ``object_type``, ``object_id``, ``source_address``, ``reason``,
  plus ``"v": 1`` (the format's version); ``prev_hash`` and ``row_hash`` are not in it;
- keys sorted, no whitespace (separators ``,`` and ``:``), non-ASCII characters escaped as
  ``\\uXXXX`` (so the bytes are plain ASCII), absent values as ``null``;
- ``at`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six fractional digits);
- encoded as UTF-8 (which, being ASCII, is the same bytes).

What the chain cannot show by itself: rows cut off at the end. Keep the newest ``row_hash``
somewhere else as well (a daily note, a backup) and pass it as ``expected_head``.

Invariants: pure (no clock, no files, no database); ``verify`` streams, holding only the
previous row's seq and hash, so it checks a log of any length in constant memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

GENESIS = "0" * 64
CANONICAL_VERSION = 1
ROLES = frozenset({"person", "clinician", "admin", "system"})

_HASH = re.compile(r"[0-9a-f]{64}")

BreakKind = Literal["seq-gap", "prev-hash-mismatch", "hash-mismatch", "head-mismatch"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFields:
    """What happened: the content of one audit row, before it is chained.

    ``seq`` counts from 1 without gaps; ``at`` is an aware moment (kept in UTC);
    ``actor_id`` is None only for an actor not signed in (a failed sign-in), then
    ``actor_role`` is "system"; ``journal_id`` is None for actions on no journal (accounts,
    settings); ``reason`` is the stated reason where one is required (break-glass access).
    """

    seq: int
    at: datetime
    actor_id: int | None
    actor_role: str
    journal_id: int | None
    action: str
    object_type: str
    object_id: str | None
    source_address: str | None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.seq < 1:
            raise ValueError(f"seq counts from 1, not {self.seq}")
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("at must be an aware datetime")
        object.__setattr__(self, "at", self.at.astimezone(UTC))
        if self.actor_role not in ROLES:
            raise ValueError(f"actor_role must be one of {sorted(ROLES)}, not {self.actor_role!r}")
        if not self.action or not self.object_type:
            raise ValueError("action and object_type must not be empty")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRow(AuditFields):
    """One stored audit row: its content, the previous row's hash and its own hash."""

    prev_hash: str
    row_hash: str

    def __post_init__(self) -> None:
        AuditFields.__post_init__(self)
        for name in ("prev_hash", "row_hash"):
            if not _HASH.fullmatch(getattr(self, name)):
                raise ValueError(f"{name} must be 64 lowercase hex digits")


@dataclass(frozen=True, slots=True)
class AuditBreak:
    """The first row at which the chain does not hold, and why, in plain words.

    ``seq`` is the broken row's stored seq; ``after_seq`` is the last row that still holds
    (0 when none does), so rows up to ``after_seq`` can be trusted.
    """

    seq: int
    after_seq: int
    kind: BreakKind
    message: str


CONTENT_NAMES = tuple(f.name for f in dataclasses.fields(AuditFields))


def utc_text(at: datetime) -> str:
    """``at`` as the canonical form writes it: UTC, microseconds, a ``Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: AuditFields) -> bytes:
    """The row's content fields in the canonical serialisation (see the module docstring)."""
    content: dict[str, Any] = {name: getattr(row, name) for name in CONTENT_NAMES}
    content["at"] = utc_text(row.at)
    content["v"] = CANONICAL_VERSION
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.encode("utf-8")


def chain_hash(prev_hash: str, fields: AuditFields) -> str:
    """SHA-256 (hex) over the previous row's hash and this row's canonical content."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


def seal(fields: AuditFields, prev_hash: str = GENESIS) -> AuditRow:
    """The stored row for ``fields``, chained after the row whose hash is ``prev_hash``."""
    content = {name: getattr(fields, name) for name in CONTENT_NAMES}
    return AuditRow(**content, prev_hash=prev_hash, row_hash=chain_hash(prev_hash, fields))


def verify(
    rows: Iterable[AuditRow],
    *,
    start_seq: int = 0,
    start_hash: str = GENESIS,
    expected_head: str | None = None,
) -> AuditBreak | None:
    """The first break in ``rows`` (in seq order), or None when the whole chain holds.

    By default the rows must start at seq 1 after ``GENESIS``; to check only the newer part
    of a long log, pass a trusted row's seq and hash as ``start_seq`` and ``start_hash``.
    With ``expected_head`` the last row's hash must also equal it (catches cut-off rows).
    """
    seq, last_hash = start_seq, start_hash
    for row in rows:
        if row.seq != seq + 1:
            return AuditBreak(
                row.seq,
                seq,
                "seq-gap",
                f"row {row.seq} follows row {seq}: rows are missing, repeated or out of order",
            )
        if row.prev_hash != last_hash:
            return AuditBreak(
                row.seq,
                seq,
                "prev-hash-mismatch",
                f"row {row.seq} does not name row {seq}'s hash as the one before it",
            )
        if chain_hash(row.prev_hash, row) != row.row_hash:
            return AuditBreak(
                row.seq,
                seq,
                "hash-mismatch",
                f"row {row.seq}'s content does not match its hash: it was changed",
            )
        seq, last_hash = row.seq, row.row_hash
    if expected_head is not None and last_hash != expected_head:
        return AuditBreak(
            seq,
            seq,
            "head-mismatch",
            f"the log ends at row {seq}, whose hash is not the newest one kept elsewhere: "
            "rows after it were removed, or the kept hash is of another log",
        )
    return None
