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
    }


def support_view(support: Support) -> dict[str, Any]:
    return {
        "intro": support.intro,
        "options": [
            {"name": o.name, "text": o.text, "sources": list(o.sources)} for o in support.options
        ],
        "crisis": [{"name": c.name, "contact": c.contact, "text": c.text} for c in support.crisis],
    }
