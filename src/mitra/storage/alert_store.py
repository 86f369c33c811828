"""Rows <-> safety alerts: stored once per deduplication key, acknowledged explicitly.

Invariants: an alert key is stored at most once (a unique index), so the same pattern never
piles up twenty rows; acknowledging records when (and an optional note) and never deletes.
Emergency and urgent alerts stay open until acknowledged: there is no snooze. When re-judging
changes an alert (``replace``, ``close``, ``reopen``), what it showed before is appended to its
``history``: nothing that was shown is lost. Only mitra's own closures (``closed_by`` =
'mitra') are ever reopened; a person's acknowledgement stands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, not_, select, update

from mitra.domain.alerts import Alert, Evidence, Severity
from mitra.storage import schema as t

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


class AlertStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def existing_keys(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        rows = self.conn.execute(select(t.alerts.c.key).where(t.alerts.c.key.in_(keys)))
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
        c = t.alerts.c
        rows = self.conn.execute(
            select(t.alerts).where(c.at >= start, c.at < end).order_by(c.at, c.id)
        )
        return [_stored_of(row) for row in rows]

    def once_only(self) -> list[StoredAlert]:
        """Every stored alert whose key has no day, week or event part (once-only keys)."""
        key = t.alerts.c.key
        buckets = [key.like(f"%/{kind}:%") for kind in ("day", "week", "at")]
        rows = self.conn.execute(select(t.alerts).where(and_(*(not_(b) for b in buckets))))
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
            update(t.alerts)
            .where(t.alerts.c.id == stored.id)
            .values(updated_at=at, history=json.dumps(history), **values)
        )

    def list(self, *, include_acknowledged: bool = False) -> list[StoredAlert]:
        query = select(t.alerts)
        if not include_acknowledged:
            query = query.where(t.alerts.c.acknowledged_at.is_(None))
        rows = self.conn.execute(query.order_by(t.alerts.c.at.desc(), t.alerts.c.id.desc()))
        return [_stored_of(row) for row in rows]

    def get(self, alert_id: int) -> StoredAlert | None:
        row = self.conn.execute(select(t.alerts).where(t.alerts.c.id == alert_id)).first()
        return None if row is None else _stored_of(row)

    def acknowledge(self, alert_id: int, *, at: datetime, note: str | None) -> None:
        self.conn.execute(
            update(t.alerts)
            .where(t.alerts.c.id == alert_id)
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


def _evidence_row(evidence: Evidence) -> dict[str, str]:
    return {
        "source_id": evidence.source_id,
        "citation": evidence.citation,
        "strength": evidence.strength,
        "claim": evidence.claim,
    }


def _stored_of(row: Row[Any]) -> StoredAlert:
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
