"""Time the clinician PDF and the FHIR bundle for a year of history.

A year: 3-4 kratom doses a day (leaf and capsules), a symptom or two a day, a COWS or
SOWS-Gossop check-in every day and PHQ-2/GAD-2 weekly, a few other substances, each entry
judged by the safety engine as the app does. The journal is built once in a temporary SQLite
file (through the stores, in one transaction, to keep set-up short); each document is then
made three times from a fresh read, and the best and the median are printed.
Target: at most 2 s each on 2 cores.

    .venv/bin/python bench/reports.py
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mitra.domain.entries import DoseEntry, SubstanceEntry, SymptomEntry
from mitra.domain.instruments import get_instrument, score
from mitra.domain.products import define_product, estimate_dose, parse_form
from mitra.domain.quantities import parse_amount
from mitra.domain.substances import SubstanceClass
from mitra.domain.symptoms import resolve
from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.report_data import ReportDataService
from mitra.services.safety import judge_assessment, judge_entry
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.database import open_database
from mitra.storage.journal_store import JournalStore

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
DAYS = 365


def build(ctx: AppContext) -> dict[str, int]:
    rng = random.Random(11)
    ProfileService(ctx).set(timezone="America/New_York", pregnant="no", medications="sertraline")
    counts = {"doses": 0, "symptoms": 0, "substances": 0, "checkins": 0}
    with ctx.database.transaction() as conn:
        store = JournalStore(conn)
        profile = store.get_profile()
        leaf = store.add_product(
            define_product("Red Bali", parse_form("leaf"), mitragynine_pct=1.6), created_at=NOW
        )
        caps = store.add_product(
            define_product(
                "Green caps", parse_form("capsule"), mitragynine_mg_per_unit=8, unit_mass_g=0.5
            ),
            created_at=NOW,
        )
        assessments = AssessmentStore(conn)
        start = NOW - timedelta(days=DAYS)
        for day in range(DAYS):
            base = start + timedelta(days=day)
            for hour in sorted(rng.sample([7, 11, 15, 19, 22], rng.choice([3, 4]))):
                product = leaf if rng.random() < 0.8 else caps
                amount = parse_amount("3g" if product is leaf else "4 caps")
                entry = DoseEntry(
                    at=base + timedelta(hours=hour, minutes=rng.randint(0, 50)),
                    product_name=product.name,
                    form=product.form,
                    amount=amount.value,
                    unit=amount.unit,
                    estimate=estimate_dose(product, amount),
                    product_id=product.id,
                )
                judge_entry(conn, ctx, store.add_entry(entry, recorded_at=entry.at), profile)
                counts["doses"] += 1
            for name in rng.sample(
                ["nausea", "insomnia", "craving", "anxiety"], rng.choice([1, 2])
            ):
                symptom = SymptomEntry(
                    at=base + timedelta(hours=rng.randint(8, 21)),
                    symptom_id=resolve(name).id,
                    severity=rng.randint(0, 3),
                )
                judge_entry(conn, ctx, store.add_entry(symptom, recorded_at=symptom.at), profile)
                counts["symptoms"] += 1
            if day % 9 == 0:
                use = SubstanceEntry(
                    at=base + timedelta(hours=20),
                    substance_id="alprazolam",
                    name="alprazolam",
                    substance_class=SubstanceClass.BENZODIAZEPINE,
                    amount=1.0,
                    unit="milligram",
                )
                judge_entry(conn, ctx, store.add_entry(use, recorded_at=use.at), profile)
                counts["substances"] += 1
            plans = ["cows" if day % 2 else "sows-gossop"] + (
                ["phq2", "gad2"] if day % 7 == 0 else []
            )
            for instrument_id in plans:
                instrument = get_instrument(instrument_id)
                answers = [rng.choice(item.allowed[:3]) for item in instrument.items]
                at = base + timedelta(hours=9)
                assessment = score(instrument, answers, rater="self", at=at)
                assessments.add(assessment, recorded_at=at)
                judge_assessment(conn, ctx, assessment, profile)
                counts["checkins"] += 1
    return counts


def timed(label: str, make: Callable[[], int]) -> None:
    runs = []
    size = 0
    for _ in range(3):
        began = time.perf_counter()
        size = make()
        runs.append(time.perf_counter() - began)
    print(
        f"{label}: best {min(runs):.2f} s, median {statistics.median(runs):.2f} s "
        f"({size / 1024:.0f} KB)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'year.sqlite3'}")
        ctx = AppContext(database, clock=lambda: NOW)
        began = time.perf_counter()
        counts = build(ctx)
        print(f"built a year in {time.perf_counter() - began:.1f} s: {counts}")
        # Import once outside the timings, as a long-running app would have them loaded.
        from mitra.reports.fhir_bundle import bundle_json
        from mitra.reports.pdf_document import render_pdf

        def pdf() -> int:
            data = ReportDataService(ctx).gather(since=(NOW - timedelta(days=DAYS)).isoformat())
            return len(render_pdf(data))

        def fhir() -> int:
            data = ReportDataService(ctx).gather(all_time=True)
            return len(bundle_json(data))

        timed("PDF, a year", pdf)
        timed("FHIR bundle, a year (validated)", fhir)
        database.dispose()


if __name__ == "__main__":
    main()
