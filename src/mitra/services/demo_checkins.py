"""The demo journey's check-ins: scores that follow a believable withdrawal course.

The demo person takes the last oxycodone (short-acting) on demo day 2 at about 9:00 and starts
kratom leaf that afternoon. Withdrawal after a short-acting opioid typically begins within
6-12 hours and peaks at 24-48 hours (reference notes, Elsevier / NADCP), so COWS rises from
below the mild range to moderate on days 3-4, drops after a kratom dose, and eases over the
first week. SOWS-Gossop and a 0-100 craving line are kept daily, SOWS a few times, PHQ-2 and
GAD-2 weekly (they ask about the past two weeks; the first positive PHQ-2 leads to a PHQ-9).
When the taper's morning dose drops on day 23, symptoms and craving rise a little, so the trend
view has a meaningful change to show.

Everything goes through ``CheckinService.record``, as a person's own check-ins do. The COWS
vectors are written out item by item so a reviewer can read them; the longer self-rated
scales are spread from a day's total over that scale's items with the seeded random source.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from mitra.domain.instruments import get_instrument
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext

# (day, hour, resting pulse in bpm, the other ten COWS items in order: sweating, restlessness,
# pupils, aches, nose/eyes, GI upset, tremor, yawning, anxiety, gooseflesh), rater, note.
COWS_COURSE: tuple[tuple[int, float, float, tuple[int, ...], str, str | None], ...] = (
    (1, 8.5, 78, (0, 1, 0, 1, 0, 0, 0, 1, 1, 0), "self", "still on a smaller oxy dose"),
    (2, 8.5, 88, (1, 1, 1, 1, 1, 0, 0, 1, 1, 0), "self", None),
    (2, 20.0, 96, (1, 3, 1, 2, 2, 1, 1, 1, 2, 0), "self", "it is starting"),
    (3, 7.5, 108, (2, 3, 1, 2, 2, 3, 1, 2, 2, 3), "self", "worst night so far"),
    (3, 10.0, 94, (1, 1, 1, 2, 1, 2, 1, 1, 1, 0), "self", "two hours after kratom"),
    (4, 9.5, 98, (1, 3, 1, 2, 2, 3, 1, 1, 2, 0), "clinician", "checked at the clinic"),
    (5, 7.5, 92, (1, 1, 1, 1, 1, 1, 0, 1, 1, 0), "self", None),
    (6, 7.5, 86, (0, 1, 0, 1, 1, 0, 0, 1, 1, 0), "self", None),
    (7, 7.5, 78, (0, 1, 0, 1, 0, 0, 0, 1, 1, 0), "self", None),
    (8, 7.5, 76, (0, 1, 0, 1, 0, 0, 0, 0, 1, 0), "self", None),
    (9, 7.5, 74, (0, 0, 0, 1, 0, 0, 0, 0, 1, 0), "self", None),
)

# Daily SOWS-Gossop totals (0-30), from the day before the last oxycodone to the end.
GOSSOP_TOTALS = (
    5, 12, 20, 18, 13, 10, 8, 10, 6, 5, 5, 4, 4, 3, 3, 4, 3, 4, 4, 5, 4, 4, 7, 8, 6, 5, 5,
)  # fmt: skip
# Relative weight of each SOWS-Gossop symptom in this person's withdrawal (sick, cramps,
# spasms, cold, heart pounding, tension, aches, yawning, runny eyes, sleep).
GOSSOP_WEIGHTS = (3, 3, 2, 2, 1, 2, 4, 2, 2, 4)
SOWS_DAYS = {3: 38, 5: 24, 10: 12, 17: 8, 24: 11}
# Daily craving on the 0-100 line, before a little seeded noise.
CRAVING = (
    45, 70, 85, 80, 75, 60, 55, 62, 50, 45, 40, 50, 40, 36, 35, 35, 34,
    40, 40, 38, 38, 36, 52, 50, 44, 40, 40,
)  # fmt: skip
PHQ2 = {3: (2, 2), 10: (1, 2), 17: (1, 1), 24: (1, 0)}
GAD2 = {3: (3, 2), 10: (2, 1), 17: (1, 1), 24: (1, 1)}
# The positive PHQ-2 of day 3 leads to a PHQ-9 the same day: moderate (11), and "several days"
# on item 9, so the demo shows the 988 guidance and the urgent alert it raises; a week later,
# after talking to a clinician, 6 with item 9 at zero.
PHQ9 = {3: (2, 2, 2, 1, 1, 2, 0, 0, 1), 10: (1, 1, 1, 1, 1, 1, 0, 0, 0)}


def spread(
    total: int, maxima: Sequence[int], weights: Sequence[int], rng: random.Random
) -> list[int]:
    """Item scores summing to ``total``, each within its maximum, favouring heavy items."""
    if not 0 <= total <= sum(maxima):
        raise ValueError(f"cannot spread {total} over items whose maxima sum to {sum(maxima)}")
    scores = [0] * len(maxima)
    for _ in range(total):
        open_items = [i for i, top in enumerate(maxima) if scores[i] < top]
        pick = rng.choices(open_items, weights=[weights[i] for i in open_items])[0]
        scores[pick] += 1
    return scores


def add_demo_checkins(ctx: AppContext, start: datetime, rng: random.Random) -> int:
    """Record the demo's check-ins from demo day 0 (``start``, local midnight); returns how
    many were stored. Moments later than now are left out, as the journal's are."""
    service = CheckinService(ctx)
    count = 0

    def record(
        day: int,
        hour: float,
        instrument: str,
        answers: Sequence[int],
        *,
        pulse_bpm: float | None = None,
        rater: str = "self",
        note: str | None = None,
    ) -> None:
        nonlocal count
        moment = start + timedelta(days=day, hours=hour + rng.uniform(-0.25, 0.25))
        if moment <= ctx.now():
            service.record(
                instrument, list(answers), at=moment, pulse_bpm=pulse_bpm, rater=rater, note=note
            )
            count += 1

    for day, hour, bpm, others, rater, note in COWS_COURSE:
        record(day, hour, "cows", others, pulse_bpm=bpm, rater=rater, note=note)

    gossop = get_instrument("sows-gossop")
    gossop_maxima = [item.maximum for item in gossop.items]
    for day, total in enumerate(GOSSOP_TOTALS, start=1):
        record(day, 19, gossop.id, spread(total, gossop_maxima, GOSSOP_WEIGHTS, rng))

    sows = get_instrument("sows")
    for day, total in SOWS_DAYS.items():
        # Craving (item 16) weighs as much as the aches: this person's hardest symptoms.
        weights = [2, 2, 1, 1, 2, 1, 1, 1, 1, 3, 3, 2, 1, 1, 2, 3]
        record(day, 12, sows.id, spread(total, [i.maximum for i in sows.items], weights, rng))

    for day, level in enumerate(CRAVING, start=1):
        record(day, 20.5, "craving", [max(0, min(100, level + rng.randint(-4, 4)))])

    for day, answers in PHQ2.items():
        record(day, 12.5, "phq2", answers)
    for day, answers in GAD2.items():
        record(day, 12.6, "gad2", answers)
    for day, phq9 in PHQ9.items():
        note = "talked to my doctor" if day > 3 else None
        record(day, 12.8, "phq9", phq9, note=note)
    return count
