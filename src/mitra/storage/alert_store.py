"""Rows <-> safety alerts: stored once per deduplication key, acknowledged explicitly.

Invariants: an alert key is stored at most once (a unique index), so the same pattern never
piles up twenty rows; acknowledging records when (and an optional note) and never deletes.
Emergency and urgent alerts stay open until acknowledged: there is no snooze. When re-judging
changes an alert (``replace``, ``close``, ``reopen``), what it showed before is appended to its
``history``: nothing that was shown is lost. Only mitra's own closures (``closed_by`` =
'mitra') are ever reopened; a person's acknowledgement stands.

Grouped reads (issue 14). A key's ``pattern`` (``mitra.domain.alerts.key_parts``) is computed in
SQL by ``pattern_of`` (a key made by ``day_key`` or ``week_key`` ends in a bucket of fixed
length), so the repeats of a pattern are grouped, counted and paged by the database: showing
twenty groups decodes twenty rows, not every open alert. The open alerts are read through the
partial index ``ix_alerts_open`` (``acknowledged_at IS NULL``), which also answers "is an urgent
or emergency alert open?" with an index search. It ends with ``acknowledged_at`` (NULL in every
row it holds) so that it covers these queries: SQLite, which has no statistics, counts an
equality on ``journal_id`` (the first column of every alerts index) as selective in any index,
and picks the open index over ``ix_alerts_at`` only when it covers the query.

Scope: the store works on the journal its connection is scoped to (``journal_of``); every
statement names that ``journal_id`` (the first column of every alerts index) and every alert
written carries it. Keys are unique within a journal.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    literal_column,
    not_,
    select,
    update,
)

from mitra.domain.alerts import Alert, Evidence, Severity
from mitra.storage import schema as t
from mitra.storage.journal_scope import journal_of
from mitra.storage.row_memo import RowMemo

# The notes on alerts mitra closes because the record no longer shows them (undo, or a later
# entry that makes them true again, reopens them).
ENTRY_DELETED_NOTE = "closed by mitra: the entry it was about was deleted"
NO_LONGER_NOTE = "closed by mitra: judged again, the journal no longer shows this"
CLOSED_BY_MITRA = "mitra"


@dataclass(frozen=True, slots=True)
class Revision:
    """One earlier version of an alert: what it said, and when and why it changed."""

    changed_at: datetime
    change: str  # "updated", "closed", "reopened"
    title: str
    message: str
    entry_ids: tuple[int, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """A stored alert. ``count`` and ``alert_ids`` describe the repeats it stands for when
    the service groups one pattern's occurrences into one alert (``count`` 1 otherwise)."""

    id: int
    alert: Alert
    created_at: datetime
    acknowledged_at: datetime | None
    ack_note: str | None
    updated_at: datetime | None = None
    closed_by: str | None = None
    history: tuple[Revision, ...] = ()
    count: int = 1
    first_at: datetime | None = None
    alert_ids: tuple[int, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


@dataclass(frozen=True, slots=True)
class GroupSize:
    """A group's occurrences, counted by the database: how many, since when, and their ids
    (in id order)."""

    count: int
    first_at: datetime
    ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One stored occurrence of a pattern, without its text: enough to group and count."""

    id: int
    pattern: str
    at: datetime
    severity: Severity
    is_open: bool


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group of repeats: its latest occurrence's id, its pattern, whether the group is
    open, and its latest occurrence's severity (its count and first time come from
    ``occurrences``)."""

    latest_id: int
    pattern: str
    is_open: bool
    severity: Severity


# The bucket a day or week key ends in has a fixed length ("/day:2026-11-20", "/week:2026-W47"),
# which is what lets SQL strip it without string splitting (see ``pattern_of``).
_DAY_TAIL = len("/day:2026-11-20")
_WEEK_TAIL = len("/week:2026-W47")
SERIOUS = ("urgent", "emergency")
MINOR = ("caution", "info")


def pattern_of(key: ColumnElement[str]) -> ColumnElement[str]:
    """The SQL for ``key_parts(key).pattern``: the key without its day or week bucket (event
    and once keys are their own pattern). Portable: substr and length on SQLite and PostgreSQL."""
    # Constants inline (not bound parameters): the same text each time, so the database sees
    # one expression and caches one statement.
    day_tail: ColumnElement[int] = literal_column(str(_DAY_TAIL))
    week_tail: ColumnElement[int] = literal_column(str(_WEEK_TAIL))
    one: ColumnElement[int] = literal_column("1")
    length = func.length(key)
    day = and_(length > day_tail, func.substr(key, length - day_tail + one).like("/day:%"))
    week = and_(length > week_tail, func.substr(key, length - week_tail + one).like("/week:%"))
    return case(
        (day, func.substr(key, one, length - day_tail)),
        (week, func.substr(key, one, length - week_tail)),
        else_=key,
    )


def _rank(severity: ColumnElement[str]) -> ColumnElement[int]:
    return case({s.value: s.rank for s in Severity}, value=severity, else_=literal(0))


class AlertStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.journal_id = journal_of(conn)

    @functools.cached_property
    def mine(self) -> ColumnElement[bool]:
        """The condition "this journal's alerts", part of every statement built per call
        below (those of the write path are built once, with the journal as a bound value)."""
        return t.alerts.c.journal_id == self.journal_id

    def existing_keys(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        rows = self.conn.execute(select(t.alerts.c.key).where(self.mine, t.alerts.c.key.in_(keys)))
        return {row[0] for row in rows}

    def add_new(self, alerts: list[Alert], *, created_at: datetime) -> list[StoredAlert]:
        """Store the alerts whose keys are not stored yet; return what was stored."""
        known = self.existing_keys([a.key for a in alerts])
        stored = []
        for alert in alerts:
            if alert.key in known:
                continue
            known.add(alert.key)
            stored.append(self.insert(alert, created_at=created_at))
        return stored

    def insert(self, alert: Alert, *, created_at: datetime) -> StoredAlert:
        """Store a new alert (its key must not be stored yet)."""
        alert_id = self.conn.execute(
            insert(t.alerts)
            .values(
                journal_id=self.journal_id,
                key=alert.key,
                created_at=created_at,
                evidence=json.dumps([_evidence_row(e) for e in alert.evidence]),
                **_content(alert),
            )
            .returning(t.alerts.c.id)
        ).scalar_one()
        return StoredAlert(alert_id, alert, created_at, None, None)

    def in_span(self, start: datetime, end: datetime) -> list[StoredAlert]:
        """Every stored alert (open or not) with ``start <= at < end``."""
        rows = self.conn.execute(
            _in_span(), {"journal": self.journal_id, "start": start, "end": end}
        )
        return [_stored_of(row) for row in rows]

    def once_only(self) -> list[StoredAlert]:
        """Every stored alert whose key has no day, week or event part (once-only keys)."""
        key = t.alerts.c.key
        buckets = [key.like(f"%/{kind}:%") for kind in ("day", "week", "at")]
        rows = self.conn.execute(
            select(t.alerts).where(self.mine, and_(*(not_(b) for b in buckets)))
        )
        return [_stored_of(row) for row in rows]

    def replace(self, stored: StoredAlert, alert: Alert, *, at: datetime) -> None:
        """Show corrected figures; the earlier version goes to the history."""
        self._change(stored, "updated", at, _content(alert))

    def close(self, stored: StoredAlert, *, at: datetime, note: str) -> None:
        """Close an alert the record no longer shows, as mitra (undo may reopen it)."""
        values = {"acknowledged_at": at, "ack_note": note, "closed_by": CLOSED_BY_MITRA}
        self._change(stored, "closed", at, values)

    def reopen(self, stored: StoredAlert, alert: Alert, *, at: datetime) -> None:
        """Reopen an alert mitra closed, now that the record shows it again."""
        values = {"acknowledged_at": None, "ack_note": None, "closed_by": None}
        self._change(stored, "reopened", at, {**values, **_content(alert)})

    def _change(
        self, stored: StoredAlert, change: str, at: datetime, values: dict[str, Any]
    ) -> None:
        old = stored.alert
        history = [
            *(_revision_row(r) for r in stored.history),
            _revision_row(Revision(at, change, old.title, old.message, old.entry_ids, old.at)),
        ]
        self.conn.execute(
            _update_one(),
            {
                "journal": self.journal_id,
                "alert": stored.id,
                "updated_at": at,
                "history": json.dumps(history),
                **values,
            },
        )

    def open_serious(self) -> list[StoredAlert]:
        """Open urgent and emergency occurrences, latest first: an index search, usually empty."""
        c = t.alerts.c
        # Sorted here, not in SQL: an ORDER BY at would let SQLite, which has no statistics,
        # prefer ix_alerts_at (journal_id, at), i.e. every alert of the journal, to the few
        # rows of the open index it needs.
        rows = self.conn.execute(
            select(t.alerts).where(self.mine, c.acknowledged_at.is_(None), c.severity.in_(SERIOUS))
        )
        found = [_stored_of(row) for row in rows]
        return sorted(found, key=lambda s: (s.alert.at, s.id), reverse=True)

    def occurrences(
        self, patterns: Collection[str], *, include_acknowledged: bool = False
    ) -> list[Occurrence]:
        """The occurrences of these patterns (open ones unless asked), oldest first."""
        if not patterns:
            return []
        c = t.alerts.c
        pattern = pattern_of(c.key)
        # Open only: nothing outside ix_alerts_open is read (its rows are all open), so the
        # database answers from the index alone. Sorted here, not in SQL, for the same reason.
        state = c.acknowledged_at.is_(None) if include_acknowledged else literal(True)
        query = select(c.id, pattern, c.at, c.severity, state).where(
            self.mine, pattern.in_(sorted(patterns))
        )
        if not include_acknowledged:
            query = query.where(c.acknowledged_at.is_(None))
        found = [
            Occurrence(row[0], row[1], row[2], Severity(row[3]), bool(row[4]))
            for row in self.conn.execute(query)
        ]
        return sorted(found, key=lambda o: (o.at, o.id))

    def group_sizes(
        self, patterns: Collection[str], *, include_acknowledged: bool = False
    ) -> dict[tuple[str, bool], GroupSize]:
        """Each group of these patterns (a pattern and whether it is open; open ones only
        unless asked): its size, first moment and ids, one row per group. A pattern repeated
        daily for years is one row here, where ``occurrences`` decodes each repeat; the ids
        come as one list the database joins (``group_concat``, ``string_agg``)."""
        if not patterns:
            return {}
        c = t.alerts.c
        state = c.acknowledged_at.is_(None) if include_acknowledged else literal(True)
        rows = select(
            c.id.label("id"), pattern_of(c.key).label("pattern"), state.label("is_open"), c.at
        ).where(self.mine, pattern_of(c.key).in_(sorted(patterns)))
        if not include_acknowledged:
            rows = rows.where(c.acknowledged_at.is_(None))
        o = rows.subquery("occurrence")
        ids = (
            func.string_agg(cast(o.c.id, String), literal_column("','"))
            if self.conn.dialect.name == "postgresql"
            else func.group_concat(o.c.id)
        )
        found = self.conn.execute(
            select(o.c.pattern, o.c.is_open, func.count(), func.min(o.c.at), ids).group_by(
                o.c.pattern, o.c.is_open
            )
        )
        return {
            (row[0], bool(row[1])): GroupSize(
                row[2], row[3], tuple(sorted(int(i) for i in str(row[4]).split(",")))
            )
            for row in found
        }

    def _latest_of_groups(self, include_acknowledged: bool) -> Any:
        """Each occurrence with its rank in its group, latest first (a subquery): rank 1 is the
        group's latest. A group is a pattern and, when acknowledged ones are included, its
        state."""
        c = t.alerts.c
        is_open = c.acknowledged_at.is_(None)
        # The pattern is computed once per row in an inner query, so the window below
        # partitions by a plain column (one sort for all three window functions).
        rows = select(
            c.id.label("id"),
            pattern_of(c.key).label("pattern"),
            (case((is_open, 1), else_=0) if include_acknowledged else literal_column("1")).label(
                "is_open"
            ),
            c.severity.label("severity"),
            c.at.label("at"),
        ).where(self.mine)
        if not include_acknowledged:
            rows = rows.where(is_open)
        o = rows.subquery("occurrence")
        partition = [o.c.pattern, o.c.is_open] if include_acknowledged else [o.c.pattern]
        # Only the rank within the group: a count or min over the whole partition costs the
        # database several times more, and only the groups on a page need them.
        nth = func.row_number().over(
            partition_by=partition, order_by=[o.c.at.desc(), o.c.id.desc()]
        )
        return select(
            o.c.id, o.c.pattern, o.c.is_open, o.c.severity, o.c.at, nth.label("nth")
        ).subquery("grouped")

    def group_heads(self, *, include_acknowledged: bool = False) -> list[GroupRow]:
        """Every group, in page order: open ones first, the most serious first, then the latest
        first (the order of ``services.safety.group_repeats``). One statement: the window over
        the occurrences is evaluated once, and the caller counts and pages the groups (there
        are far fewer groups than occurrences)."""
        g = self._latest_of_groups(include_acknowledged)
        rows = self.conn.execute(
            select(g.c.id, g.c.pattern, g.c.is_open, g.c.severity)
            .where(g.c.nth == 1)
            .order_by(g.c.is_open.desc(), _rank(g.c.severity).desc(), g.c.at.desc(), g.c.id.desc())
        )
        return [GroupRow(row[0], row[1], bool(row[2]), Severity(row[3])) for row in rows]

    def with_keys(self, keys: Iterable[str]) -> list[StoredAlert]:
        """The stored alerts with these keys (through the unique key index), in no order."""
        wanted = sorted(keys)
        if not wanted:
            return []
        rows = self.conn.execute(_by_keys(), {"journal": self.journal_id, "keys": wanted})
        return [_stored_of(row) for row in rows]

    def get_many(self, alert_ids: Collection[int]) -> dict[int, StoredAlert]:
        if not alert_ids:
            return {}
        rows = self.conn.execute(_by_ids(), {"journal": self.journal_id, "ids": sorted(alert_ids)})
        return {row._mapping["id"]: _stored_of(row) for row in rows}

    def acknowledge_minor(self, *, at: datetime, note: str | None) -> int:
        """Acknowledge every open caution and information alert up to ``at`` in one statement;
        urgent, emergency (and warning) alerts are never touched. Returns how many."""
        c = t.alerts.c
        result = self.conn.execute(
            update(t.alerts)
            .where(self.mine, c.acknowledged_at.is_(None), c.severity.in_(MINOR), c.at <= at)
            .values(acknowledged_at=at, ack_note=note)
        )
        return int(result.rowcount)

    def list(self, *, include_acknowledged: bool = False) -> list[StoredAlert]:
        query = select(t.alerts).where(self.mine)
        if not include_acknowledged:
            query = query.where(t.alerts.c.acknowledged_at.is_(None))
        rows = self.conn.execute(query.order_by(t.alerts.c.at.desc(), t.alerts.c.id.desc()))
        return [_stored_of(row) for row in rows]

    def get(self, alert_id: int) -> StoredAlert | None:
        row = self.conn.execute(
            select(t.alerts).where(self.mine, t.alerts.c.id == alert_id)
        ).first()
        return None if row is None else _stored_of(row)

    def acknowledge(self, alert_id: int, *, at: datetime, note: str | None) -> None:
        self.conn.execute(
            update(t.alerts)
            .where(self.mine, t.alerts.c.id == alert_id)
            .values(acknowledged_at=at, ack_note=note)
        )


def _content(alert: Alert) -> dict[str, Any]:
    return {
        "rule_id": alert.rule_id,
        "severity": alert.severity.value,
        "title": alert.title,
        "message": alert.message,
        "advice": alert.advice,
        "entry_ids": json.dumps(list(alert.entry_ids)),
        "at": alert.at,
    }


def _revision_row(revision: Revision) -> dict[str, Any]:
    return {
        "changed_at": revision.changed_at.isoformat(),
        "change": revision.change,
        "title": revision.title,
        "message": revision.message,
        "entry_ids": list(revision.entry_ids),
        "at": revision.at.isoformat(),
    }


def _revision_of(row: dict[str, Any]) -> Revision:
    return Revision(
        changed_at=datetime.fromisoformat(row["changed_at"]),
        change=row["change"],
        title=row["title"],
        message=row["message"],
        entry_ids=tuple(row["entry_ids"]),
        at=datetime.fromisoformat(row["at"]),
    )


# The write path's statements, built once per process (building one cost more than running
# it); values are bound by name, never a column's name (an UPDATE takes those as its SET).
@functools.cache
def _in_span() -> Any:
    c = t.alerts.c
    return (
        select(t.alerts)
        .where(c.journal_id == bindparam("journal"), c.at >= bindparam("start"))
        .where(c.at < bindparam("end"))
        .order_by(c.at, c.id)
    )


@functools.cache
def _by_ids() -> Any:
    c = t.alerts.c
    return select(t.alerts).where(
        c.journal_id == bindparam("journal"), c.id.in_(bindparam("ids", expanding=True))
    )


@functools.cache
def _by_keys() -> Any:
    c = t.alerts.c
    return select(t.alerts).where(
        c.journal_id == bindparam("journal"), c.key.in_(bindparam("keys", expanding=True))
    )


@functools.cache
def _update_one() -> Any:
    c = t.alerts.c
    return update(t.alerts).where(c.journal_id == bindparam("journal"), c.id == bindparam("alert"))


def _evidence_row(evidence: Evidence) -> dict[str, str]:
    return {
        "source_id": evidence.source_id,
        "citation": evidence.citation,
        "strength": evidence.strength,
        "claim": evidence.claim,
    }


def _decode(row: Row[Any]) -> StoredAlert:
    m = row._mapping
    alert = Alert(
        rule_id=m["rule_id"],
        severity=Severity(m["severity"]),
        title=m["title"],
        message=m["message"],
        advice=m["advice"],
        evidence=tuple(Evidence(**e) for e in json.loads(m["evidence"])),
        entry_ids=tuple(json.loads(m["entry_ids"])),
        at=m["at"],
        key=m["key"],
    )
    history = tuple(_revision_of(r) for r in json.loads(m["history"] or "[]"))
    return StoredAlert(
        m["id"],
        alert,
        m["created_at"],
        m["acknowledged_at"],
        m["ack_note"],
        updated_at=m["updated_at"],
        closed_by=m["closed_by"],
        history=history,
    )


# Re-judging reads the same few alerts of a window on every write (``row_memo``); a few
# thousand decoded alerts, history included, are a few megabytes.
_stored_of = RowMemo(_decode, limit=4_000)
