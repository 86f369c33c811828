"""Rows <-> safety alerts: stored once per deduplication key, acknowledged explicitly.

Invariants: an alert key is stored at most once (a unique index), so the same pattern never
piles up twenty rows; acknowledging records when (and an optional note) and never deletes.
Emergency and urgent alerts stay in ``open_alerts`` until acknowledged: there is no snooze.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from mitra.domain.alerts import Alert, Evidence, Severity
from mitra.storage import schema as t

# The note on alerts closed because what they were about was deleted (undo reopens them).
ENTRY_DELETED_NOTE = "closed by mitra: the entry it was about was deleted"


@dataclass(frozen=True, slots=True)
class StoredAlert:
    id: int
    alert: Alert
    created_at: datetime
    acknowledged_at: datetime | None
    ack_note: str | None


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
            alert_id = self.conn.execute(
                insert(t.alerts)
                .values(
                    key=alert.key,
                    rule_id=alert.rule_id,
                    severity=alert.severity.value,
                    title=alert.title,
                    message=alert.message,
                    advice=alert.advice,
                    evidence=json.dumps([_evidence_row(e) for e in alert.evidence]),
                    entry_ids=json.dumps(list(alert.entry_ids)),
                    at=alert.at,
                    created_at=created_at,
                )
                .returning(t.alerts.c.id)
            ).scalar_one()
            stored.append(StoredAlert(alert_id, alert, created_at, None, None))
        return stored

    def list(self, *, include_acknowledged: bool = False) -> list[StoredAlert]:
        query = select(t.alerts)
        if not include_acknowledged:
            query = query.where(t.alerts.c.acknowledged_at.is_(None))
        rows = self.conn.execute(query.order_by(t.alerts.c.at.desc(), t.alerts.c.id.desc()))
        return [_stored_of(row) for row in rows]

    def get(self, alert_id: int) -> StoredAlert | None:
        row = self.conn.execute(select(t.alerts).where(t.alerts.c.id == alert_id)).first()
        return None if row is None else _stored_of(row)

    def close_for_deleted(self, deleted_ids: set[int], *, at: datetime) -> int:
        """Acknowledge open alerts whose every triggering entry is deleted, with a note saying
        so; emergencies stay open (only a person closes those). Returns how many closed."""
        closed = 0
        for stored in self.list():
            ids = set(stored.alert.entry_ids)
            if ids and ids <= deleted_ids and stored.alert.severity is not Severity.EMERGENCY:
                self.acknowledge(stored.id, at=at, note=ENTRY_DELETED_NOTE)
                closed += 1
        return closed

    def reopen_for_restored(self, entry_id: int) -> int:
        """Reopen the alerts that were closed only because this entry was deleted."""
        reopened = 0
        for stored in self.list(include_acknowledged=True):
            if stored.ack_note == ENTRY_DELETED_NOTE and entry_id in stored.alert.entry_ids:
                self.conn.execute(
                    update(t.alerts)
                    .where(t.alerts.c.id == stored.id)
                    .values(acknowledged_at=None, ack_note=None)
                )
                reopened += 1
        return reopened

    def acknowledge(self, alert_id: int, *, at: datetime, note: str | None) -> None:
        self.conn.execute(
            update(t.alerts)
            .where(t.alerts.c.id == alert_id)
            .values(acknowledged_at=at, ack_note=note)
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
    return StoredAlert(m["id"], alert, m["created_at"], m["acknowledged_at"], m["ack_note"])
