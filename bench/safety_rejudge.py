"""Time judging one back-dated entry on a 5-year journal against judging one entry at "now".

A change re-judges only the windows it can reach (``mitra.services.safety_rejudge``), so
back-dating a dose two and a half years into a five-year journal should cost about what a
dose at the end of it costs. The journal: five years of 3 kratom doses a day (leaf and
capsules), trouble sleeping every few days, a drink or a benzodiazepine now and then, every
entry stored and judged through the safety service (``judge_entry``) as the app does. It is
built once and cached (``$XDG_CACHE_HOME/mitra-bench`` or ``~/.cache/mitra-bench``); each run
works on a fresh copy. Then, RUNS times each, a dose is logged (``JournalService.log_dose``,
which stores it and re-judges its windows) at "now" and 2.5 years back, and deleted again
(not timed). Target: the back-dated median at most 2x the "now" median.

    .venv/bin/python bench/safety_rejudge.py
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry, SymptomEntry
from mitra.domain.products import define_product, estimate_dose, parse_form
from mitra.domain.quantities import parse_amount
from mitra.domain.substances import resolve
from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import judge_entry
from mitra.storage.database import open_database
from mitra.storage.journal_store import JournalStore

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
YEARS = 5
RUNS = 15
TARGET_RATIO = 2.0
VERSION = 1  # bump when the journal built here changes


def cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mitra-bench" / f"rejudge-{YEARS}y-v{VERSION}.sqlite3"


def build(path: Path) -> int:
    """Five years of entries, each stored and judged through the safety service."""
    db = open_database(f"sqlite:///{path}")
    ctx = AppContext(db, clock=lambda: NOW)
    ProfileService(ctx).set(timezone="America/New_York", pregnant="no", medications="sertraline")
    rng = random.Random(5)
    start = NOW - timedelta(days=365 * YEARS)
    count = 0
    with ctx.database.transaction() as conn:
        store = JournalStore(conn)
        leaf = store.add_product(
            define_product("Red Bali", parse_form("leaf"), mitragynine_pct=1.6), created_at=NOW
        )
        caps = store.add_product(
            define_product(
                "Green caps", parse_form("capsule"), mitragynine_mg_per_unit=8, unit_mass_g=0.5
            ),
            created_at=NOW,
        )
    menu = [(leaf, "3g"), (leaf, "4g"), (caps, "4 caps")]
    others = [(resolve("xanax"), "1mg"), (resolve("beer"), "2 drinks")]
    for day in range(365 * YEARS):
        morning = start + timedelta(days=day, hours=12)  # 07:00 in New York
        entries: list[Entry] = []
        for slot in range(3):
            product, text = rng.choice(menu)
            amount = parse_amount(text)
            entries.append(
                DoseEntry(
                    at=morning + timedelta(hours=6 * slot, minutes=rng.randint(0, 40)),
                    product_name=product.name,
                    form=product.form,
                    amount=amount.value,
                    unit=amount.unit,
                    estimate=estimate_dose(product, amount),
                    product_id=product.id,
                )
            )
        if day % 3 == 0:
            entries.append(SymptomEntry(morning + timedelta(hours=1), "insomnia", 1))
        if rng.random() < 0.05:
            substance, text = rng.choice(others)
            amount = parse_amount(text, default_unit=substance.default_unit)
            entries.append(
                SubstanceEntry(
                    morning + timedelta(hours=13),
                    substance.id,
                    substance.name,
                    substance.substance_class,
                    amount.value,
                    amount.unit,
                )
            )
        with ctx.database.transaction() as conn:
            store = JournalStore(conn)
            profile = store.get_profile()
            for entry in entries:
                stored = store.add_entry(entry, recorded_at=NOW)
                judge_entry(conn, ctx, stored, profile)
                count += 1
    db.dispose()
    return count


def timed_log(journal: JournalService, at: datetime) -> float:
    began = time.perf_counter()
    result = journal.log_dose("3g", product="Red Bali", at=at)
    took = (time.perf_counter() - began) * 1000
    assert result.entry.id is not None
    journal.delete(result.entry.id)
    return took


def main() -> None:
    cached = cache_file()
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        partial = cached.with_suffix(".building")
        partial.unlink(missing_ok=True)
        count = build(partial)
        partial.rename(cached)
        print(f"built {count} entries over {YEARS} years in {time.perf_counter() - began:.0f} s")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "journal.sqlite3"
        shutil.copyfile(cached, copy)
        db = open_database(f"sqlite:///{copy}")
        journal = JournalService(AppContext(db, clock=lambda: NOW))
        back = NOW - timedelta(days=365 * YEARS // 2, hours=3)
        timed_log(journal, NOW)  # warm caches (ruleset, catalogues, SQLite pages)
        timed_log(journal, back)
        now_runs = [timed_log(journal, NOW) for _ in range(RUNS)]
        back_runs = [timed_log(journal, back) for _ in range(RUNS)]
        db.dispose()
    now_median, back_median = statistics.median(now_runs), statistics.median(back_runs)
    print(f"journal: {cached} ({YEARS} years)")
    print(f"log + judge a dose at now          median {now_median:7.1f} ms  ({RUNS} runs)")
    print(f"log + judge a dose 2.5 years back  median {back_median:7.1f} ms  ({RUNS} runs)")
    ratio = back_median / now_median
    verdict = "OK" if ratio <= TARGET_RATIO else "SLOWER THAN TARGET"
    print(f"ratio {ratio:.2f}x; target: at most {TARGET_RATIO:g}x: {verdict}")


if __name__ == "__main__":
    main()
