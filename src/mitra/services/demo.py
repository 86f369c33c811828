"""The demo journey: four believable weeks of one person's journal, built through the same
use cases a person uses, in a separate database.

The person stops prescribed oxycodone, eases the withdrawal with kratom leaf, has a night with
a friend's Xanax, once takes a gram of a 45% extract because an article called it a normal
start, stabilises, and begins a slow taper with a clinician's plan that holds when withdrawal
rises (``demo_plan``). The moments are there so every feature (and later
every safety rule) has something real to show. Randomness is seeded: the same ``now`` gives
the same journey.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.context import AppContext
from mitra.services.demo_checkins import add_demo_checkins
from mitra.services.demo_plan import add_demo_plan
from mitra.services.journal import JournalService

DEMO_ZONE = "America/New_York"
DAYS = 28


@dataclass(frozen=True)
class DemoSummary:
    entries: int
    products: int
    first: datetime
    last: datetime
    checkins: int = 0
    plan_looks: int = 0


def build_demo(ctx: AppContext, *, seed: int = 7) -> DemoSummary:
    rng = random.Random(seed)
    zone = ZoneInfo(DEMO_ZONE)
    ProfileService(ctx).set(
        timezone=DEMO_ZONE,
        pregnant="no",
        medications="sertraline",
        goals="ease-opioid-withdrawal,taper-kratom",
    )
    products = ProductService(ctx)
    products.add("Red Bali leaf", "leaf", mitragynine_pct=1.6)
    products.add("Green caps", "capsule", mitragynine_mg_per_unit=8.0, unit_mass_g=0.5)
    products.add("Gold extract 45%", "extract", mitragynine_pct=45.0, source="coa")
    journal = JournalService(ctx)
    today = ctx.now().astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=DAYS - 1)
    count = 0

    def at(day: int, hour: float) -> datetime:
        jitter = rng.uniform(-0.4, 0.4)
        return start + timedelta(days=day, hours=hour + jitter)

    def ok(moment: datetime) -> bool:
        return moment <= ctx.now()

    def dose(day: int, hour: float, amount: str, product: str, note: str | None = None) -> None:
        nonlocal count
        moment = at(day, hour)
        if ok(moment):
            journal.log_dose(amount, product=product, at=moment, note=note)
            count += 1

    def substance(day: int, hour: float, name: str, amount: str, **kw: str) -> None:
        nonlocal count
        moment = at(day, hour)
        if ok(moment):
            journal.log_substance(name, amount, at=moment, **kw)
            count += 1

    def symptom(day: int, hour: float, name: str, severity: int, note: str | None = None) -> None:
        nonlocal count
        moment = at(day, hour)
        if ok(moment) and severity > 0:
            journal.log_symptom(name, severity=severity, at=moment, note=note)
            count += 1

    # Days 0-2: stepping off prescribed oxycodone.
    for hour in (8, 14, 20):
        substance(0, hour, "oxycodone", "30mg", route="oral")
    for hour in (9, 21):
        substance(1, hour, "oxycodone", "20mg", route="oral")
    substance(2, 9, "oxycodone", "10mg", route="oral", note="last one, I hope")

    # Days 2-17: kratom leaf three times a day; withdrawal easing over the first week.
    for day in range(2, 18):
        for hour in (8, 14, 21):
            if day == 2 and hour < 14:
                continue
            dose(day, hour, "3g", "Red Bali leaf")
        easing = max(0, 3 - (day - 2) // 2)
        for name in ("muscle aches", "runny nose", "anxiety", "trouble sleeping", "craving"):
            symptom(day, 10, name, min(3, max(0, easing - rng.randint(0, 1))))
        if day in (3, 4):
            symptom(day, 12, "diarrhea", 2)
    # Typed the way people write it: "1,000 mg" is stored as a thousand milligrams, not 1 mg.
    substance(3, 11, "acetaminophen", "1,000 mg", note="for the aches")
    substance(5, 22.5, "xanax", "1mg", note="a friend's, to sleep")
    dose(8, 15, "1g", "Gold extract 45%", note="an article said 1-3 g of extract is a normal start")
    symptom(8, 16, "nausea", 3, note="felt very sick and dizzy")
    substance(12, 20, "alcohol", "3 drinks")
    symptom(11, 9, "constipation", 1)
    symptom(14, 9, "hair loss", 1, note="more hair in the brush?")

    # Days 18-27: a slow taper, leaf in the morning and capsules later.
    for day in range(18, DAYS):
        morning = "2.5g" if day < 23 else "2g"
        dose(day, 8, morning, "Red Bali leaf")
        dose(day, 14, "4 caps", "Green caps")
        dose(day, 21, morning, "Red Bali leaf")
        symptom(day, 9, "trouble sleeping", 1 if day % 3 else 2)
        symptom(day, 18, "craving", rng.choice([1, 1, 2]))
    substance(20, 21, "gabapentin", "300mg", note="prescribed for sleep")

    # A typo, deleted: the deletion stays on record.
    moment = at(DAYS - 2, 12)
    if ok(moment):
        typo = journal.log_dose("30g", product="Red Bali leaf", at=moment, note="typo, meant 3g")
        assert typo.entry.id is not None
        journal.delete(typo.entry.id)
        count += 1
    checkins = add_demo_checkins(ctx, start, rng)
    looks = add_demo_plan(ctx, start)
    return DemoSummary(
        entries=count,
        products=3,
        first=start,
        last=ctx.now(),
        checkins=checkins,
        plan_looks=looks,
    )
