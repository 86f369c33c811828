"""The buprenorphine-readiness use case: read the latest COWS and the recent opioid and kratom
uses, and let the pure domain judge them.

Cost follows the window: one indexed read of the latest COWS and the uses of the fentanyl
window (14 days), however long the journal is. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mitra.domain import bup_readiness as readiness
from mitra.domain.entries import Kind, SubstanceEntry
from mitra.domain.substances import SubstanceClass
from mitra.services.context import AppContext
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_store import JournalStore


@dataclass(frozen=True)
class ReadinessReport:
    readiness: readiness.Readiness
    now: datetime
    zone: ZoneInfo


class ReadinessService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def readiness(self) -> ReadinessReport:
        now = self.ctx.now()
        window = timedelta(hours=float(readiness.data()["fentanyl"]["window_hours"]))
        with self.ctx.database.read() as conn:
            journal = JournalStore(conn)
            zone = journal.get_profile(self.ctx.default_timezone).zone()
            entries = journal.list_entries(
                since=now - window, until=now, kinds=(Kind.DOSE, Kind.SUBSTANCE)
            )
            # "Strictly before" a moment just past now: a COWS scored this second counts.
            latest = AssessmentStore(conn).latest_before("cows", now + timedelta(seconds=1))
        uses = [
            entry
            for entry in entries
            if not isinstance(entry, SubstanceEntry)
            or entry.substance_class is SubstanceClass.OPIOID
        ]
        found = readiness.assess(
            now=now,
            latest_cows=None if latest is None else latest.assessment,
            recent_uses=uses,
        )
        return ReadinessReport(found, now, zone)


def readiness_view(report: ReadinessReport) -> dict[str, Any]:
    """The JSON document of ``mitra bup-readiness --json`` and the API: every figure named."""
    found = report.readiness
    cows = found.cows
    return {
        "answer": found.answer,
        "headline": found.headline,
        "reasons": list(found.reasons),
        "cows": None
        if cows is None
        else {
            "total": cows.total,
            "at": cows.at.isoformat(),
            "hours_ago": None if found.cows_age_hours is None else round(found.cows_age_hours, 1),
            "rater": cows.rater,
            "objective_signs": list(found.objective_signs),
        },
        "last_uses": [
            {
                "kind": use.kind,
                "at": use.entry.at.isoformat(),
                "hours_since": round(use.hours_since, 1),
                "usual_wait_hours": use.wait_hours,
                "usual_wait": use.wait_text,
                "waited": use.waited,
            }
            for use in found.last_uses
        ],
        "framing": found.framing,
        "locator": found.locator,
        "sources": [
            {"id": source, "citation": readiness.citation(source)} for source in found.sources
        ],
    }
