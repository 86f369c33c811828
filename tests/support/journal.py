"""A small but complete journal built through the services, for report and transfer tests:
products, doses, other substances (an opioid with MME, alcohol), symptoms (one red flag),
check-ins with bands, alerts (one acknowledged), a deletion and an undo, notes, a profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService

COWS_ANSWERS = (2, 1, 3, 1, 2, 1, 2, 1, 1, 2, 3)  # total 19, moderate
NOTE = "felt shaky after the second dose"


@dataclass(frozen=True)
class Built:
    doses: int
    cows_totals: tuple[int, ...]
    deleted_id: int


def build_journal(ctx: AppContext) -> Built:
    ProfileService(ctx).set(
        timezone="America/New_York", pregnant="no", medications="sertraline", goals="track"
    )
    ProductService(ctx).add("Red Bali", "leaf", mitragynine_pct=1.6)
    ProductService(ctx).add("Gold extract", "extract", mitragynine_pct=45.0, source="coa")
    journal = JournalService(ctx)
    checkins = CheckinService(ctx)
    now = ctx.now()
    doses = 0
    for day in range(6, 0, -1):
        base = now - timedelta(days=day)
        for hour in (0, 6, 12):
            journal.log_dose("3g", product="Red Bali", at=base + timedelta(hours=hour))
            doses += 1
        journal.log_symptom("nausea", severity=1 + day % 3, at=base + timedelta(hours=2))
    journal.log_dose("1g", product="Gold extract", at=now - timedelta(days=2, hours=3), note=NOTE)
    doses += 1
    journal.log_substance("oxycodone", "30mg", route="oral", at=now - timedelta(days=5))
    journal.log_substance("alcohol", "3 drinks", at=now - timedelta(days=4))
    journal.log_symptom("yellow eyes", severity=2, at=now - timedelta(days=1))
    typo = journal.log_dose("30g", product="Red Bali", at=now - timedelta(hours=5)).entry
    assert typo.id is not None
    journal.delete(typo.id)
    journal.log_symptom("craving", severity=1, at=now - timedelta(hours=4))
    journal.undo()  # takes the craving back: a deletion mark by undo
    cows = []
    for day, answers in ((5, COWS_ANSWERS), (3, (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0))):
        result = checkins.record(
            "cows", answers, at=now - timedelta(days=day), note="before the morning dose"
        )
        cows.append(result.assessment.total)
    checkins.record("sows-gossop", [1, 1, 0, 2, 1, 1, 2, 1, 0, 3], at=now - timedelta(days=4))
    checkins.record("phq2", [2, 2], at=now - timedelta(days=3))
    safety = SafetyService(ctx)
    first = safety.alerts()[-1]
    safety.acknowledge(first.id, "talked to my doctor")
    return Built(doses=doses, cows_totals=tuple(cows), deleted_id=typo.id)
