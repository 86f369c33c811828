"""Benchmark: server-side time of the today page for a person with a year of history.

Builds 365 days of 3-4 kratom doses, 1-3 symptoms and 3 SOWS-Gossop check-ins a day straight
through the storage layer (one transaction, seconds), with the taper goal and an active taper
plan (so the page shows the plan's ceilings, the exposure band and the timeline, and the
timeline counts kratom), then requests ``/today`` in-process and reads the app's own
``Server-Timing`` header (the time from the request reaching the app to the response
starting). Target: median <= 50 ms.

Usage: .venv/bin/python bench/web_today.py [--runs N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

TARGET_MS = 50.0


def build_year(url: str, now: datetime) -> int:
    from mitra.domain import products
    from mitra.domain.entries import DoseEntry, SymptomEntry
    from mitra.domain.instruments import get_instrument, score
    from mitra.domain.profile import Profile
    from mitra.domain.quantities import parse_amount
    from mitra.storage.assessment_store import AssessmentStore
    from mitra.storage.database import open_database
    from mitra.storage.journal_store import JournalStore

    rng = random.Random(6)
    leaf = products.generic_for(products.Form.LEAF)
    amounts = {text: parse_amount(text) for text in ("2g", "2.5g", "3g", "4g")}
    estimates = {text: products.estimate_dose(leaf, a) for text, a in amounts.items()}
    symptoms = ("craving", "insomnia", "anxiety", "muscle-aches", "nausea")
    database = open_database(url)
    count = 0
    with database.transaction() as conn:
        store = JournalStore(conn)
        store.save_profile(Profile(timezone="America/New_York", goals=("taper-kratom",)), at=now)
        checkins = AssessmentStore(conn)
        sows = get_instrument("sows-gossop")
        start = now - timedelta(days=365)
        for day in range(366):
            base = start + timedelta(days=day)
            for slot in range(rng.choice((3, 4))):
                at = base + timedelta(hours=7 + slot * 4.5, minutes=rng.randint(-30, 30))
                if at > now:
                    continue
                text = rng.choice(tuple(amounts))
                amount = amounts[text]
                store.add_entry(
                    DoseEntry(
                        at=at,
                        product_name=leaf.name,
                        form=leaf.form,
                        amount=amount.value,
                        unit=amount.unit,
                        estimate=estimates[text],
                    ),
                    recorded_at=at,
                )
                count += 1
            for _ in range(rng.randint(1, 3)):
                at = base + timedelta(hours=rng.uniform(8, 22))
                if at <= now:
                    store.add_entry(
                        SymptomEntry(
                            at=at, symptom_id=rng.choice(symptoms), severity=rng.randint(1, 3)
                        ),
                        recorded_at=at,
                    )
                    count += 1
            for hour in (8, 14, 21):
                at = base + timedelta(hours=hour)
                if at <= now:
                    answers = [rng.randint(0, 2) for _ in sows.items]
                    checkins.add(score(sows, answers, rater="self", at=at), recorded_at=at)
                    count += 1
    database.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from mitra.services.context import AppContext, system_clock
    from mitra.services.plans import PlanService
    from mitra.storage.database import open_database
    from mitra.web.app import create_app

    now = system_clock()  # a benchmark measures real time: the app's one real clock
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'year.sqlite3'}"
        started = time.perf_counter()
        entries = build_year(url, now)
        built = time.perf_counter() - started
        ctx = AppContext(open_database(url))
        PlanService(ctx).new_taper()
        with TestClient(create_app(ctx), base_url="http://127.0.0.1") as client:
            for _ in range(5):  # warm up: imports, template compilation, connection pool
                client.get("/today")
            server_ms, round_trip_ms = [], []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                response = client.get("/today")
                round_trip_ms.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.status_code
                timing = response.headers["server-timing"]
                server_ms.append(float(timing.split("dur=")[1]))
        ctx.database.dispose()
    median = statistics.median(server_ms)
    p90 = sorted(server_ms)[int(len(server_ms) * 0.9) - 1]
    print(f"history: {entries} entries and check-ins over a year (built in {built:.1f} s)")
    print(
        f"/today server-side: median {median:.1f} ms, p90 {p90:.1f} ms, n={len(server_ms)}; "
        f"in-process round trip median {statistics.median(round_trip_ms):.1f} ms"
    )
    print(f"target median <= {TARGET_MS:.0f} ms: {'met' if median <= TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
