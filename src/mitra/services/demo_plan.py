"""The demo journey's plan: a clinician's taper schedule that starts by stabilising, steps
down, and holds when withdrawal rises.

The demo person stabilises on kratom leaf (three 3 g doses a day, up to 180 mg mitragynine a
day on the high end of each estimate) after the last oxycodone on demo day 2. On day 6, with a
clinician, they start a custom taper: hold at 180 mg a day for 12 days (the time a change
takes to settle), then about 8% less every 12 days (within the 20%-per-4-weeks accepted for a
clinician's schedule). They look at the plan every few days. The plan advances on day 18,
once the check-ins allow it; when their SOWS-Gossop score has risen since the step began
(day 26), the plan holds and says so, and the schedule moves back by the hold. Each look is a
real ``PlanService`` call with the clock set to that moment, so every decision is stored with
its reason exactly as a person's own would be.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from mitra.services.context import AppContext
from mitra.services.plans import PlanService

CREATED_DAY = 6
LOOK_DAYS = (12, 18, 21, 26)
LOOK_HOUR = 21.5  # after the evening check-ins (SOWS-Gossop at 19:00, craving at 20:30)
# A clinician's schedule: daily mg mitragynine and days. The first step keeps the current
# amount while it settles; the cuts are about 8% each (8% x 28 / 12 days = 19% every 4 weeks).
SCHEDULE = "180:12, 166:12, 153:12, 141:12, 130:12, 120:12, 111:12, 102:12"


def add_demo_plan(ctx: AppContext, start: datetime) -> int:
    """Create and run the demo plan from demo day 0 (``start``, local midnight); returns how
    many plan decisions were looked at. Moments later than now are left out."""

    def at(day: int) -> AppContext | None:
        moment = start + timedelta(days=day, hours=LOOK_HOUR)
        return dataclasses.replace(ctx, clock=lambda: moment) if moment <= ctx.now() else None

    created = at(CREATED_DAY)
    if created is None:
        return 0
    PlanService(created).new_taper(
        strategy="custom",
        steps=SCHEDULE,
        current_mg="180",
        doses_per_day="3",
        used_over_a_year="no",
    )
    looks = 0
    for day in LOOK_DAYS:
        then = at(day)
        if then is not None:
            PlanService(then).status()
            looks += 1
    return looks
