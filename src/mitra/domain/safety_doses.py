"""Safety rules for a new kratom dose: the dose itself, patterns over time, and the profile.

Every figure is the HIGH end of the dose's estimated mitragynine range, so a product of unknown
strength fails safe, with one exception for loudness: the per-dose HARD LIMIT of a product of
uncertain strength (an estimate range wider than ``WIDE_RANGE_RATIO``) is judged on the typical
estimate. When only that uncertain high end passes the limit, one "tell mitra the strength"
warning is raised per product instead of an urgent alert every dose; an amount whose typical
estimate is past the limit still raises the urgent alert. 7-OH is judged the same way, per dose
and over 24 hours, for every dose (any product can hold some). Windows run back from the new
dose's own time and include it. Called by ``mitra.domain.safety``; each function returns the
alerts of its rules (empty when none fire).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from mitra.domain.alerts import Alert, day_key, event_key, number_text, once_key, week_key
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Rule, Ruleset

if TYPE_CHECKING:
    from mitra.domain.safety import Timeline

DOSE_HIGH = "dose-mitragynine-high"
DOSE_HARD_LIMIT = "dose-mitragynine-hard-limit"
SOURCE_ARTICLE = "source-article-extract-3g"
SEVEN_OH = "seven-oh-product"
STRENGTH_UNKNOWN = "dose-strength-unknown"
SEVEN_OH_DOSE = "seven-oh-dose-high"
SEVEN_OH_DAILY = "seven-oh-daily-high"
PREGNANCY_OPIOID = "pregnancy-opioid"
DAILY_TOTAL = "daily-mitragynine-high"
DOSES_PER_DAY = "doses-per-day-high"
SHORT_INTERVAL = "dose-interval-short"
ESCALATION = "escalation-weekly"
PREGNANCY = "pregnancy"
BREASTFEEDING = "breastfeeding"
PREGNANCY_UNKNOWN = "pregnancy-status-unknown"

# A range whose high end is more than this many times its low end is called wide in the text.
WIDE_RANGE_RATIO = 2.0


def entry_ids(entries: Iterable[Entry]) -> tuple[int, ...]:
    """The ids of the entries that have one, sorted and without repeats."""
    return tuple(sorted({e.id for e in entries if e.id is not None}))


def high_mg(dose: DoseEntry) -> float:
    return dose.estimate.mitragynine_mg.high


def is_wide(low: float, high: float) -> bool:
    """A range too wide to trust its high end for an urgent alarm: the strength is uncertain."""
    return high > WIDE_RANGE_RATIO * low


def strength_uncertain(dose: DoseEntry) -> bool:
    mit = dose.estimate.mitragynine_mg
    return is_wide(mit.low, mit.high)


def hard_limit_mg(dose: DoseEntry) -> float:
    """The mitragynine figure the per-dose hard limit is judged on (typical when uncertain)."""
    mit = dose.estimate.mitragynine_mg
    return mit.typical if strength_uncertain(dose) else mit.high


def seven_oh_mg(dose: DoseEntry) -> float:
    """The 7-OH figure the 7-OH ceilings are judged on: the high end, or the typical estimate
    when the 7-OH range is wide (a product of uncertain strength)."""
    seven = dose.estimate.seven_oh_mg
    return seven.typical if is_wide(seven.low, seven.high) else seven.high


def product_subject(dose: DoseEntry) -> str:
    """A stable name for the product of a dose, for alerts shown once per product."""
    if dose.product_id is not None:
        return f"product-{dose.product_id}"
    return "product-" + "-".join(dose.product_name.lower().split())


def _dose(timeline: Timeline) -> DoseEntry:
    new = timeline.new
    if not isinstance(new, DoseEntry):
        raise TypeError("dose rules apply to dose entries only")
    return new


def _doses(entries: Iterable[Entry]) -> list[DoseEntry]:
    return [e for e in entries if isinstance(e, DoseEntry)]


def _dose_values(dose: DoseEntry) -> dict[str, str]:
    mit = dose.estimate.mitragynine_mg
    return {
        "product": dose.product_name,
        "amount": f"{dose.amount:g} {dose.unit}",
        "explanation": dose.estimate.explanation,
        "mitragynine_low_mg": number_text(mit.low),
        "mitragynine_typical_mg": number_text(mit.typical),
        "mitragynine_high_mg": number_text(mit.high),
        "seven_oh_high_mg": number_text(dose.estimate.seven_oh_mg.high),
    }


def _range_note(rule: Rule, dose: DoseEntry, values: dict[str, str]) -> str:
    note = rule.text("range_note", values)
    mit = dose.estimate.mitragynine_mg
    if mit.high > WIDE_RANGE_RATIO * mit.low:
        note += " " + rule.text("wide_range_note", values)
    return note


def dose_alerts(timeline: Timeline, ruleset: Ruleset) -> list[Alert]:
    """Per-dose mitragynine (two tiers), the source article's extract rule, and 7-OH products."""
    dose = _dose(timeline)
    day = timeline.day()
    base = _dose_values(dose)
    alerts: list[Alert] = []
    rule = ruleset.rule(DOSE_HIGH)
    limit = rule.value("max_mg")
    if high_mg(dose) > limit:
        values = {**base, "threshold_mg": number_text(limit)}
        values["range_note"] = _range_note(rule, dose, values)
        alerts.append(_alert(rule, values, dose, [dose], day))
    rule = ruleset.rule(DOSE_HARD_LIMIT)
    limit = rule.value("max_mg")
    values = {**base, "threshold_mg": number_text(limit)}
    if hard_limit_mg(dose) > limit:
        values["range_note"] = _range_note(rule, dose, values)
        # Every dose past the hard limit is its own finding: a second one the same day must
        # surface again, not merge into the first.
        key = event_key(rule.id, dose.at)
        alerts.append(rule.alert(values=values, entry_ids=entry_ids([dose]), at=dose.at, key=key))
    elif high_mg(dose) > limit:
        # Only the uncertain high end is past the limit: ask for the strength, once a product.
        unknown = ruleset.rule(STRENGTH_UNKNOWN)
        values["range_note"] = _range_note(unknown, dose, values)
        key = once_key(unknown.id, product_subject(dose))
        alerts.append(
            unknown.alert(values=values, entry_ids=entry_ids([dose]), at=dose.at, key=key)
        )
    rule = ruleset.rule(SOURCE_ARTICLE)
    mass = dose.estimate.product_mass_g
    limit = rule.value("max_extract_g")
    if dose.form.value in rule.match.forms and mass is not None and mass > limit:
        values = {**base, "extract_g": number_text(mass), "max_extract_g": number_text(limit)}
        alerts.append(_alert(rule, values, dose, [dose], day))
    rule = ruleset.rule(SEVEN_OH)
    if dose.form.value in rule.match.forms:
        alerts.append(_alert(rule, base, dose, [dose], day))
    alerts += _seven_oh_amounts(timeline, ruleset, dose)
    return alerts


def _seven_oh_amounts(timeline: Timeline, ruleset: Ruleset, dose: DoseEntry) -> list[Alert]:
    """7-OH in this dose and in the 24 hours up to it, judged for every dose of any product."""
    alerts: list[Alert] = []
    day = timeline.day()
    rule = ruleset.rule(SEVEN_OH_DOSE)
    limit = rule.value("max_mg")
    amount = seven_oh_mg(dose)
    if amount > limit:
        seven = dose.estimate.seven_oh_mg
        judged = "typical" if is_wide(seven.low, seven.high) else "high_end"
        values = {
            **_dose_values(dose),
            "seven_oh_mg": number_text(amount),
            "judged_on": rule.text(judged),
            "threshold_mg": number_text(limit),
        }
        alerts.append(_alert(rule, values, dose, [dose], day))
    rule = ruleset.rule(SEVEN_OH_DAILY)
    limit = rule.value("max_mg_24h")
    span = timedelta(hours=ruleset.windows.rolling_day_hours)
    recent = [*_doses(timeline.since(dose.at - span)), dose]
    total = sum(seven_oh_mg(d) for d in recent)
    if len(recent) > 1 and total > limit:
        values = {
            "dose_count": f"{len(recent)} doses",
            "seven_oh_total_24h_mg": number_text(total),
            "threshold_mg": number_text(limit),
        }
        alerts.append(_alert(rule, values, dose, recent, day))
    return alerts


def pattern_alerts(timeline: Timeline, ruleset: Ruleset) -> list[Alert]:
    """The rolling 24-hour total and count, and the interval since the last dose."""
    dose = _dose(timeline)
    day = timeline.day()
    span = timedelta(hours=ruleset.windows.rolling_day_hours)
    recent = [*_doses(timeline.since(dose.at - span)), dose]
    alerts: list[Alert] = []

    rule = ruleset.rule(DAILY_TOTAL)
    total = sum(high_mg(d) for d in recent)
    if len(recent) > 1 and total > rule.value("max_mg_24h"):
        values = {
            "dose_count": f"{len(recent)} doses",
            "total_24h_mg": number_text(total),
            "threshold_mg": number_text(rule.value("max_mg_24h")),
        }
        alerts.append(_alert(rule, values, dose, recent, day))

    rule = ruleset.rule(DOSES_PER_DAY)
    # A slightly shorter window than 24 h, so a steady three-a-day pattern whose times wobble
    # by an hour is not counted as four (see count_window_hours in rules.toml).
    counting = timedelta(hours=rule.value("count_window_hours"))
    counted = [d for d in recent if d.at > dose.at - counting]
    if len(counted) > rule.value("max_doses"):
        values = {
            "dose_number": str(len(counted)),
            "max_doses": number_text(rule.value("max_doses")),
        }
        alerts.append(_alert(rule, values, dose, counted, day))

    rule = ruleset.rule(SHORT_INTERVAL)
    previous = next((e for e in reversed(timeline.past) if isinstance(e, DoseEntry)), None)
    minimum = timedelta(hours=rule.value("min_interval_hours"))
    if previous is not None and dose.at - previous.at < minimum:
        values = {
            "interval_minutes": number_text((dose.at - previous.at).total_seconds() / 60),
            "min_interval_minutes": number_text(minimum.total_seconds() / 60),
        }
        alerts.append(_alert(rule, values, dose, [dose, previous], day))

    return alerts


def escalation_alerts(timeline: Timeline, ruleset: Ruleset) -> list[Alert]:
    """Week-on-week escalation: the last 7 days against a FULL baseline week before them.

    Kept apart from ``pattern_alerts`` because it is the one rule that looks two weeks back:
    re-judging after a change runs it over a wider span than the 24-hour rules.
    """
    dose = _dose(timeline)
    rule = ruleset.rule(ESCALATION)
    week_days = ruleset.windows.week_days
    week = timedelta(days=week_days)
    # A baseline week that began before the journal did is not a week of use: eight days of
    # unchanged use from a journal's first day would otherwise read as a rise of 600%. The
    # journal must reach back to the baseline week's first day (a day's grace, because that
    # day's first entry may come later in the day than the window's start).
    start = timeline.journal_start
    if start is None or start > dose.at - 2 * week + timedelta(days=1):
        return []
    last = [*_doses(timeline.since(dose.at - week)), dose]
    prior = _doses(timeline.between(dose.at - 2 * week, dose.at - week))
    # Three conditions, each a plain "no alert" when it fails, so their order cannot change
    # the answer: the averages first (two sums), the dosing days (a local day per dose) only
    # for a rise that would count.
    last_avg = sum(high_mg(d) for d in last) / week_days
    prior_avg = sum(high_mg(d) for d in prior) / week_days
    if prior_avg <= 0:
        return []
    rise = (last_avg - prior_avg) / prior_avg * 100
    if rise < rule.value("min_rise_pct"):
        return []
    needed = rule.value("min_days_with_doses")
    if min(_days_with_doses(timeline, last), _days_with_doses(timeline, prior)) < needed:
        return []
    values = {
        "last_week_mg_per_day": number_text(last_avg),
        "prior_week_mg_per_day": number_text(prior_avg),
        "rise_pct": f"{rise:.0f}",
        "min_rise_pct": number_text(rule.value("min_rise_pct")),
    }
    # Weekly averages change slowly: one reminder per calendar week, not one per dose day.
    key = week_key(rule.id, timeline.day())
    return [rule.alert(values=values, entry_ids=entry_ids([*last, *prior]), at=dose.at, key=key)]


def _days_with_doses(timeline: Timeline, doses: Sequence[DoseEntry]) -> int:
    return len({timeline.day(d.at) for d in doses})


def profile_alerts(timeline: Timeline, profile: Profile, ruleset: Ruleset) -> list[Alert]:
    """Pregnancy and breastfeeding; unknown status is asked about once, never taken as 'no'."""
    dose = _dose(timeline)
    day = timeline.day()
    alerts: list[Alert] = []
    if profile.pregnant is True:
        alerts.append(_alert(ruleset.rule(PREGNANCY), {}, dose, [dose], day))
    if profile.breastfeeding is True:
        alerts.append(_alert(ruleset.rule(BREASTFEEDING), {}, dose, [dose], day))
    known_yes = profile.pregnant is True or profile.breastfeeding is True
    if not known_yes and (profile.pregnant is None or profile.breastfeeding is None):
        rule = ruleset.rule(PREGNANCY_UNKNOWN)
        alerts.append(
            rule.alert(
                values={},
                entry_ids=entry_ids([dose]),
                at=dose.at,
                key=once_key(rule.id, "profile"),
            )
        )
    return alerts


def substance_profile_alerts(timeline: Timeline, profile: Profile, ruleset: Ruleset) -> list[Alert]:
    """Pregnancy with an opioid logged on its own (a kratom dose has its own pregnancy rule)."""
    new = timeline.new
    rule = ruleset.rule(PREGNANCY_OPIOID)
    if (
        profile.pregnant is not True
        or not isinstance(new, SubstanceEntry)
        or not rule.match.covers_substance(new.substance_id, new.substance_class.value)
    ):
        return []
    return [
        rule.alert(
            values={"substances": new.name},
            entry_ids=entry_ids([new]),
            at=new.at,
            key=day_key(rule.id, timeline.day()),
        )
    ]


def _alert(
    rule: Rule, values: dict[str, str], dose: DoseEntry, entries: Iterable[Entry], day: date
) -> Alert:
    """An alert of ``rule`` at the dose's time, keyed once per local day."""
    return rule.alert(
        values=values, entry_ids=entry_ids(entries), at=dose.at, key=day_key(rule.id, day)
    )
