"""Plain-data views of alerts and of the support shown with them (CLI ``--json``, web API)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from mitra.domain.alerts import Support
from mitra.services.views import iso
from mitra.storage.alert_store import StoredAlert


def alert_view(stored: StoredAlert, zone: ZoneInfo) -> dict[str, Any]:
    alert = stored.alert
    return {
        "id": stored.id,
        "rule_id": alert.rule_id,
        "severity": alert.severity.value,
        "title": alert.title,
        "message": alert.message,
        "advice": alert.advice,
        "evidence": [
            {
                "source": e.source_id,
                "citation": e.citation,
                "strength": e.strength,
                "claim": e.claim,
            }
            for e in alert.evidence
        ],
        "entry_ids": list(alert.entry_ids),
        "at": iso(alert.at, zone),
        "key": alert.key,
        "acknowledged_at": (iso(stored.acknowledged_at, zone) if stored.acknowledged_at else None),
        "acknowledgement_note": stored.ack_note,
        # Repeats of one pattern shown as one alert: how many, since when, which stored ids.
        "count": stored.count,
        "first_at": iso(stored.first_at or alert.at, zone),
        "alert_ids": list(stored.alert_ids or (stored.id,)),
        "closed_by": stored.closed_by,
        "updated_at": iso(stored.updated_at, zone) if stored.updated_at else None,
        "history": [
            {
                "changed_at": iso(r.changed_at, zone),
                "change": r.change,
                "title": r.title,
                "message": r.message,
                "entry_ids": list(r.entry_ids),
                "at": iso(r.at, zone),
            }
            for r in stored.history
        ],
    }


def support_view(support: Support) -> dict[str, Any]:
    return {
        "intro": support.intro,
        "options": [
            {"name": o.name, "text": o.text, "sources": list(o.sources)} for o in support.options
        ],
        "crisis": [
            {
                "name": c.name,
                "contact": c.contact,
                "text": c.text,
                "number": c.number,
                "tel": c.tel,
                "sources": list(c.sources),
            }
            for c in support.crisis
        ],
    }
