"""Time the safety engine on a year of history, in memory (no database, no pytest).

Builds 365 days of a heavy but realistic journal: 3-4 kratom doses a day from a mix of leaf,
capsules and a labelled extract, a symptom or two most days, another substance now and then,
and a COWS check-in every other day, every entry with an id. Then times ``evaluate`` for one
new dose (and one new symptom) at the end of that year: the median of RUNS runs, measured with
time.perf_counter. Target: median <= 5 ms for the new dose.

Run: .venv/bin/python bench/safety_eval.py
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry, SymptomEntry
from mitra.domain.instrument_defs import Assessment
from mitra.domain.products import Form, Product, define_product, estimate_dose, generic_for
from mitra.domain.profile import Profile
from mitra.domain.quantities import parse_amount
from mitra.domain.ruleset import load_ruleset
from mitra.domain.safety import evaluate
from mitra.domain.scoring import get_instrument, score
from mitra.domain.substances import resolve

RUNS = 200
TARGET_MS = 5.0
ZONE = ZoneInfo("America/New_York")
START = datetime(2025, 1, 1, 7, 0, tzinfo=ZONE)
SYMPTOMS = ["nausea", "insomnia", "muscle-aches", "anxiety", "constipation", "craving", "sweating"]
OTHER = [("gabapentin", "300mg"), ("beer", "2 drinks"), ("ibuprofen", "400mg"), ("xanax", "1mg")]


def _dose(product: Product, text: str, at: datetime, entry_id: int) -> DoseEntry:
    amount = parse_amount(text)
    return DoseEntry(
        at=at,
        product_name=product.name,
        form=product.form,
        amount=amount.value,
        unit=amount.unit,
        estimate=estimate_dose(product, amount),
        id=entry_id,
    )


def build_year(seed: int = 7) -> tuple[list[Entry], list[Assessment]]:
    rng = random.Random(seed)
    leaf = generic_for(Form.LEAF)
    capsules = generic_for(Form.CAPSULE)
    extract = define_product("Gold 45", Form.EXTRACT, mitragynine_pct=45)
    menu = [(leaf, "3g"), (leaf, "4g"), (capsules, "6 caps"), (extract, "0.1g")]
    cows = get_instrument("cows")
    history: list[Entry] = []
    assessments: list[Assessment] = []
    next_id = 1
    for day in range(365):
        morning = START + timedelta(days=day)
        for slot in range(rng.choice((3, 4))):
            at = morning + timedelta(hours=4 * slot, minutes=rng.randint(0, 50))
            product, text = rng.choice(menu)
            history.append(_dose(product, text, at, next_id))
            next_id += 1
        for _ in range(rng.choice((0, 1, 2))):
            at = morning + timedelta(hours=rng.randint(0, 15))
            history.append(SymptomEntry(at, rng.choice(SYMPTOMS), rng.randint(1, 3), id=next_id))
            next_id += 1
        if rng.random() < 0.2:
            name, text = rng.choice(OTHER)
            substance = resolve(name)
            amount = parse_amount(text, default_unit=substance.default_unit)
            at = morning + timedelta(hours=rng.randint(2, 14))
            history.append(
                SubstanceEntry(
                    at,
                    substance.id,
                    substance.name,
                    substance.substance_class,
                    amount.value,
                    amount.unit,
                    id=next_id,
                )
            )
            next_id += 1
        if day % 2 == 0:
            answers = [rng.choice(item.allowed[:3]) for item in cows.items]
            assessments.append(score(cows, answers, rater="self", at=morning))
    return history, assessments


def time_runs(call: Callable[[], object], runs: int = RUNS) -> list[float]:
    call()  # warm caches (ruleset, catalogues)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def report(label: str, timings: list[float]) -> float:
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"{label:<28} median {median:6.3f} ms   p95 {p95:6.3f} ms   "
        f"min {min(timings):6.3f} ms   max {max(timings):6.3f} ms   ({len(timings)} runs)"
    )
    return median


def main() -> None:
    history, assessments = build_year()
    ruleset = load_ruleset()
    profile = Profile(
        timezone="America/New_York",
        pregnant=False,
        breastfeeding=False,
        medications=("Seroquel 100mg", "sertraline"),
    )
    end = max(entry.at for entry in history)
    new_dose = _dose(generic_for(Form.LEAF), "4g", end + timedelta(hours=2), len(history) + 1)
    new_symptom = SymptomEntry(end + timedelta(hours=3), "insomnia", 2, id=len(history) + 2)
    doses = sum(isinstance(e, DoseEntry) for e in history)
    print(
        f"history: {len(history)} entries over 365 days ({doses} doses), "
        f"{len(assessments)} check-ins; rules: {len(ruleset.rules)}"
    )
    alerts = evaluate(history, new_dose, profile, ruleset, assessments=assessments)
    print(f"alerts for the new dose: {', '.join(a.rule_id for a in alerts) or 'none'}")
    median = report(
        "evaluate(new dose)",
        time_runs(lambda: evaluate(history, new_dose, profile, ruleset, assessments=assessments)),
    )
    report(
        "evaluate(new symptom)",
        time_runs(
            lambda: evaluate(history, new_symptom, profile, ruleset, assessments=assessments)
        ),
    )
    verdict = "OK" if median <= TARGET_MS else "SLOWER THAN TARGET"
    print(f"target: median <= {TARGET_MS:g} ms for a new dose: {verdict}")


if __name__ == "__main__":
    main()
