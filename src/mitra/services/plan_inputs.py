"""What a plan is built from: the hard limits in force, and the person's current intake.

Invariants:

* ``limits_from`` reads the EFFECTIVE ruleset (the reviewed rules with the clinician's settings
  file applied), so a plan never allows what the safety engine would alert on; hard-limit
  rules can only have been tightened by that file (``ruleset.apply_settings``). The Limits are
  built once per use case and handed to the planners, which clamp every step's ceilings to
  them in one place (``plan_model.clamp_ceilings``);
* the current intake uses the HIGH end of every dose's estimate, the same figure the safety
  engine and the plan's ceilings use, so a "10% step" is 10% in the units doses are judged in
  (judging the high end against a ceiling built from typical values would make the first step
  a hidden cut of 20-30%: a rapid taper, which HHS 2019 advises against);
* it averages the days WITH a logged dose among the 7 whole local days before today (today is
  not over yet). A day with no dose logged is more often a missed log than a day without
  kratom, and underestimating the current amount would make the first step a sudden cut; the
  hard limits still cap whatever comes out. Fewer than 3 such days are refused: one or two
  days can be unusual, and a person (or clinician) can give the amount instead.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mitra.domain.entries import DoseEntry
from mitra.domain.errors import InputError
from mitra.domain.plans import Limits
from mitra.domain.ruleset import Ruleset

DOSE_LIMIT_RULE = "dose-mitragynine-hard-limit"
DAILY_LIMIT_RULE = "daily-mitragynine-high"
DOSES_PER_DAY_RULE = "doses-per-day-high"
INTERVAL_RULE = "dose-interval-short"
WINDOW_DAYS = 7
MIN_DAYS = 3


def limits_from(ruleset: Ruleset) -> Limits:
    """The plan's hard limits from the ruleset in force. The doses-a-day rule alerts ABOVE its
    number, so the limit is that number of doses, whole."""
    return Limits(
        dose_max_mg=ruleset.rule(DOSE_LIMIT_RULE).value("max_mg"),
        daily_max_mg=ruleset.rule(DAILY_LIMIT_RULE).value("max_mg_24h"),
        doses_per_day_max=math.floor(ruleset.rule(DOSES_PER_DAY_RULE).value("max_doses")),
        min_interval_h=ruleset.rule(INTERVAL_RULE).value("min_interval_hours"),
    )


def count_window(ruleset: Ruleset) -> timedelta:
    """The window the doses-per-day rule counts doses over, so a plan counts them the same way
    (a plan's "over" must never disagree with the safety engine's count)."""
    return timedelta(hours=ruleset.rule(DOSES_PER_DAY_RULE).value("count_window_hours"))


@dataclass(frozen=True, slots=True)
class Intake:
    """The current daily amount read from the log (mg mitragynine, high end of each estimate)."""

    daily_mg: float
    typical_daily_mg: float
    days: int
    window_days: int
    doses_per_day: int
    largest_dose_mg: float
    basis: str


def window_start(today: date, zone: ZoneInfo) -> datetime:
    """Local midnight starting the 7 whole days before ``today``."""
    return datetime.combine(today - timedelta(days=WINDOW_DAYS), time(0), tzinfo=zone)


def intake_from(doses: Sequence[DoseEntry], today: date, zone: ZoneInfo) -> Intake:
    """The intake of the 7 local days before ``today``; refused with what to do instead when
    fewer than ``MIN_DAYS`` of them have a dose logged."""
    first = today - timedelta(days=WINDOW_DAYS)
    by_day: dict[date, list[DoseEntry]] = defaultdict(list)
    for dose in doses:
        day = dose.at.astimezone(zone).date()
        if first <= day < today:
            by_day[day].append(dose)
    if len(by_day) < MIN_DAYS:
        raise InputError(
            f"mitra reads your current amount from the doses logged on the {WINDOW_DAYS} days "
            f"before today and needs at least {MIN_DAYS} days with doses (found {len(by_day)}); "
            "log your doses for a few days, or give your usual daily amount with --current-mg "
            "(mg mitragynine a day, e.g. from a clinician)",
            field="current_mg",
        )
    highs = [sum(d.estimate.mitragynine_mg.high for d in day) for day in by_day.values()]
    typicals = [sum(d.estimate.mitragynine_mg.typical for d in day) for day in by_day.values()]
    counts = [len(day) for day in by_day.values()]
    largest = [max(d.estimate.mitragynine_mg.high for d in day) for day in by_day.values()]
    daily = statistics.fmean(highs)
    basis = (
        f"Your current amount: the average of the {len(by_day)} days with doses logged in the "
        f"{WINDOW_DAYS} days before today, on the high end of each dose's estimate (the figure "
        "doses are judged by), about "
        f"{daily:.0f} mg mitragynine a day (typical estimate {statistics.fmean(typicals):.0f} mg)."
    )
    return Intake(
        daily_mg=daily,
        typical_daily_mg=statistics.fmean(typicals),
        days=len(by_day),
        window_days=WINDOW_DAYS,
        # Rounded up: a plan that allows one dose fewer than usual is a hidden extra cut.
        doses_per_day=math.ceil(statistics.median(counts)),
        largest_dose_mg=min(statistics.median(largest), daily),
        basis=basis,
    )
