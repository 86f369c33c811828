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

import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.context import AppContext
from mitra.services.demo_checkins import add_demo_checkins
from mitra.services.demo_plan import add_demo_plan
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService

DEMO_ZONE = "America/New_York"
DAYS = 28
# The evening the taper first steps down (demo_plan's day-18 look), the person reads their
# alerts and acknowledges them; urgent and emergency ones they leave open for their clinician.
REVIEW_DAY = 18
REVIEW_HOUR = 21.75
REVIEW_NOTE = "read it; talking it through with my clinician"


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
    # Two tabs: the same dose saved twice (phone and laptop), a symptom in between; "Undo
    # this" on the first tab takes back that dose by its id and the symptom stays.
    moment = at(DAYS - 2, 13)
    if ok(moment):
        twice = journal.log_dose("3g", product="Red Bali leaf", at=moment, note="saved twice")
        journal.log_dose("3g", product="Red Bali leaf", at=moment, note="saved twice")
        journal.log_symptom("yawning", severity=1, at=moment + timedelta(minutes=2))
        assert twice.entry.id is not None
        journal.take_back(twice.entry.id)
        count += 3
    count += add_demo_free_text(ctx, start)
    count += add_demo_lost_tolerance(ctx, start)
    checkins = add_demo_checkins(ctx, start, rng)
    looks = add_demo_plan(ctx, start)
    # The demo dates its plan back to day 8, after the doses were written: judge the whole
    # journey once, as if the plan had been there, so what it stores is what judging the
    # finished journal gives (`alerts rejudge --dry-run` then finds nothing to change).
    SafetyService(ctx).rejudge(dry_run=False)
    review_demo_alerts(ctx, start)
    return DemoSummary(
        entries=count,
        products=3,
        first=start,
        last=ctx.now(),
        checkins=checkins,
        plan_looks=looks,
    )


def add_demo_free_text(ctx: AppContext, start: datetime) -> int:
    """Symptoms typed as a phone types them (issue 10): a line of several in the person's own
    words, words mitra does not know (kept as they are), and a warning sign with a curly
    apostrophe, which raises the emergency alert (left open: an emergency is the person's to
    close, with a clinician).
    Fixed moments (no randomness), so the rest of the journey is unchanged. Returns the number
    of entries written."""

    journal = JournalService(ctx)
    written = 0
    lines = (
        (3, 23.0, "the sweats and cold turkey chills, can\u2019t sleep"),
        (4, 11.0, "my knees feel weird"),
        (8, 17.5, "chest feels tight and I can\u2019t breathe"),
    )
    for day, hour, text in lines:
        moment = start + timedelta(days=day, hours=hour)
        if moment > ctx.now():
            continue
        result = journal.log_symptom(text, at=moment)
        written += len(result.entries)
    return written


def add_demo_lost_tolerance(ctx: AppContext, start: datetime) -> int:
    """On a bad evening of day 20 the person takes a leftover oxycodone, 18 days after the last
    one: mitra warns that tolerance has fallen (never use alone, naloxone, test strips) and
    reminds them that their profile does not say they have naloxone. They then get some and
    note it in the profile, with an expiry a year and a half ahead, so the reminders stop.
    Returns the number of entries written."""
    moment = start + timedelta(days=20, hours=19.5)
    if moment > ctx.now():
        return 0
    JournalService(ctx).log_substance(
        "oxycodone", "10mg", at=moment, note="a leftover pill after a bad day"
    )
    expires = (ctx.now() + timedelta(days=550)).date()
    ProfileService(ctx).set(naloxone="yes", naloxone_expires=f"{expires:%Y-%m}")
    return 1


def review_demo_alerts(ctx: AppContext, start: datetime) -> int:
    """The person acknowledges what mitra raised up to the review evening, except urgent and
    emergency alerts; returns how many alerts (patterns) they acknowledged. Alerts raised
    after that evening stay open, as they would for someone who has not looked since."""
    from mitra.domain.alerts import Severity  # noqa: PLC0415

    moment = start + timedelta(days=REVIEW_DAY, hours=REVIEW_HOUR)
    if moment > ctx.now():
        return 0
    safety = SafetyService(dataclasses.replace(ctx, clock=lambda: moment))

    # Cautions and information in one action, as the alerts page offers; warnings one by one.
    def minor_open() -> int:
        counts = safety.alert_page(per_page=1).open_by_severity
        return counts.get(Severity.CAUTION, 0) + counts.get(Severity.INFO, 0)

    before = minor_open()
    safety.mark_minor_read(REVIEW_NOTE)
    reviewed = before - minor_open()
    seen: set[int] = set()
    for shown in safety.alerts():
        if shown.alert.severity != Severity.WARNING or shown.id in seen:
            continue
        with ctx.database.transaction() as conn:
            from mitra.storage.alert_store import AlertStore  # noqa: PLC0415

            members = [AlertStore(conn).get(i) for i in shown.alert_ids]
        earlier = [m for m in members if m is not None and m.alert.at <= moment]
        if earlier:
            done = safety.acknowledge(earlier[0].id, REVIEW_NOTE)
            seen.update(done.alert_ids)
            reviewed += 1
    return reviewed
