"""Patterns of use over a period: per-day kratom totals, products, other substances, symptoms.

Purpose: the figures a clinician report summarises ("what is this person's current pattern?"),
computed once from journal entries so the PDF, the FHIR export and later the web download all
show the same numbers.

Invariants:

* a day is a local calendar day in the zone given; every day from ``first`` to ``last`` is
  present, with zero when nothing was taken, so averages count the days without doses;
* a day's mitragynine range is the sum of its doses' ranges (typical, low and high added
  separately), which is what "at least" and "at most" mean for a day's intake; a mean over
  days keeps the three figures apart in the same way: a range is never collapsed to one number;
* deleted entries are never counted (the caller passes only live entries);
* MME figures are the CDC 2022 ones stored with each entry; a day's MME is their sum, and a
  use without an MME factor adds nothing (it is listed, not guessed).

Pure: no database, framework or clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from mitra.domain import symptoms as symptom_domain
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry, SymptomEntry
from mitra.domain.products import Range
from mitra.domain.quantities import Amount


@dataclass(frozen=True, slots=True)
class DayTotal:
    """Kratom taken on one local day: the number of doses and the summed estimates (mg)."""

    day: date
    doses: int
    mitragynine_mg: Range
    seven_oh_mg: Range


@dataclass(frozen=True, slots=True)
class DosePattern:
    """Averages over a run of days (days without doses count as zero)."""

    days: int
    dosing_days: int
    doses: int
    doses_per_day: float
    mitragynine_mg_per_day: Range
    seven_oh_mg_per_day: Range
    max_doses_in_a_day: int
    max_mitragynine_mg_in_a_day: Range


@dataclass(frozen=True, slots=True)
class ProductUse:
    """One product (by the name recorded with each dose) and how it was used."""

    name: str
    form: str
    doses: int
    amounts: str
    mitragynine_mg_per_dose: Range
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class SubstanceUse:
    """One other substance over the period; MME only for opioids with a CDC factor."""

    substance_id: str
    name: str
    substance_class: str
    uses: int
    days_used: int
    amounts: str
    max_daily_mme: float | None
    mean_daily_mme_on_days_used: float | None
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class SymptomSummary:
    """One symptom or side effect over the period."""

    symptom_id: str
    name: str
    kind: str
    reports: int
    days: int
    mean_severity: float
    max_severity: int
    red_flags: int
    last: date


def local_day(entry: Entry, zone: ZoneInfo) -> date:
    return entry.at.astimezone(zone).date()


def _sum(ranges: Iterable[Range]) -> Range:
    typical = low = high = 0.0
    for value in ranges:
        typical += value.typical
        low += value.low
        high += value.high
    return Range(typical, low, high)


def _scale(value: Range, factor: float) -> Range:
    return Range(value.typical * factor, value.low * factor, value.high * factor)


def day_totals(entries: Iterable[Entry], zone: ZoneInfo, first: date, last: date) -> list[DayTotal]:
    """One total per local day from ``first`` to ``last`` inclusive; other days are ignored."""
    if last < first:
        return []
    span = (last - first).days + 1
    by_day: list[list[DoseEntry]] = [[] for _ in range(span)]
    for entry in entries:
        if isinstance(entry, DoseEntry):
            index = (local_day(entry, zone) - first).days
            if 0 <= index < span:
                by_day[index].append(entry)
    return [
        DayTotal(
            day=first + timedelta(days=i),
            doses=len(doses),
            mitragynine_mg=_sum(d.estimate.mitragynine_mg for d in doses),
            seven_oh_mg=_sum(d.estimate.seven_oh_mg for d in doses),
        )
        for i, doses in enumerate(by_day)
    ]


@dataclass(frozen=True, slots=True)
class WeekTotal:
    """Seven days from ``start`` (fewer for the last): doses in all, mitragynine as the mean
    per day of those days (typical, low and high apart)."""

    start: date
    days: int
    doses: int
    mitragynine_mg_per_day: Range


def week_totals(totals: Sequence[DayTotal]) -> list[WeekTotal]:
    """``totals`` in runs of seven days from the first, for charts of long periods."""
    weeks = []
    for at in range(0, len(totals), 7):
        chunk = totals[at : at + 7]
        weeks.append(
            WeekTotal(
                start=chunk[0].day,
                days=len(chunk),
                doses=sum(t.doses for t in chunk),
                mitragynine_mg_per_day=_scale(
                    _sum(t.mitragynine_mg for t in chunk), 1 / len(chunk)
                ),
            )
        )
    return weeks


def dose_pattern(totals: Sequence[DayTotal]) -> DosePattern:
    """Averages over ``totals`` (every day counts, with or without doses)."""
    days = len(totals)
    if days == 0:
        zero = Range(0.0, 0.0, 0.0)
        return DosePattern(0, 0, 0, 0.0, zero, zero, 0, zero)
    doses = sum(t.doses for t in totals)
    busiest = max(totals, key=lambda t: (t.mitragynine_mg.typical, t.doses))
    return DosePattern(
        days=days,
        dosing_days=sum(1 for t in totals if t.doses),
        doses=doses,
        doses_per_day=doses / days,
        mitragynine_mg_per_day=_scale(_sum(t.mitragynine_mg for t in totals), 1 / days),
        seven_oh_mg_per_day=_scale(_sum(t.seven_oh_mg for t in totals), 1 / days),
        max_doses_in_a_day=max(t.doses for t in totals),
        max_mitragynine_mg_in_a_day=busiest.mitragynine_mg,
    )


def _amounts_text(pairs: Iterable[tuple[float, str]]) -> str:
    """Totals per unit, e.g. "84 g; 12 capsules" (units are never added across)."""
    per_unit: dict[str, float] = defaultdict(float)
    for amount, unit in pairs:
        per_unit[unit] += amount
    return "; ".join(
        Amount(round(total, 3), unit).display() for unit, total in sorted(per_unit.items())
    )


def product_uses(entries: Iterable[Entry], zone: ZoneInfo) -> list[ProductUse]:
    """Products by number of doses (most used first), each with its mean estimate per dose."""
    groups: dict[tuple[str, str], list[DoseEntry]] = defaultdict(list)
    for entry in entries:
        if isinstance(entry, DoseEntry):
            groups[(entry.product_name, entry.form.value)].append(entry)
    found = []
    for (name, form), doses in groups.items():
        days = [local_day(d, zone) for d in doses]
        found.append(
            ProductUse(
                name=name,
                form=form,
                doses=len(doses),
                amounts=_amounts_text((d.amount, d.unit) for d in doses),
                mitragynine_mg_per_dose=_scale(
                    _sum(d.estimate.mitragynine_mg for d in doses), 1 / len(doses)
                ),
                first=min(days),
                last=max(days),
            )
        )
    return sorted(found, key=lambda p: (-p.doses, p.name.lower()))


def substance_uses(entries: Iterable[Entry], zone: ZoneInfo) -> list[SubstanceUse]:
    """Other substances by class then name, with MME per day where a CDC factor exists."""
    groups: dict[str, list[SubstanceEntry]] = defaultdict(list)
    for entry in entries:
        if isinstance(entry, SubstanceEntry):
            groups[entry.substance_id].append(entry)
    found = []
    for substance_id, uses in groups.items():
        daily: dict[date, float] = defaultdict(float)
        with_mme = False
        for use in uses:
            if use.mme is not None:
                daily[local_day(use, zone)] += use.mme
                with_mme = True
        days = sorted({local_day(u, zone) for u in uses})
        found.append(
            SubstanceUse(
                substance_id=substance_id,
                name=uses[0].name,
                substance_class=uses[0].substance_class.value,
                uses=len(uses),
                days_used=len(days),
                amounts=_amounts_text((u.amount, u.unit) for u in uses),
                max_daily_mme=max(daily.values()) if with_mme else None,
                mean_daily_mme_on_days_used=(
                    sum(daily.values()) / len(daily) if with_mme and daily else None
                ),
                first=days[0],
                last=days[-1],
            )
        )
    return sorted(found, key=lambda s: (s.substance_class, s.name.lower()))


def symptom_summaries(entries: Iterable[Entry], zone: ZoneInfo) -> list[SymptomSummary]:
    """Symptoms and side effects, red flags first, then by how often they were reported."""
    groups: dict[str, list[SymptomEntry]] = defaultdict(list)
    for entry in entries:
        if isinstance(entry, SymptomEntry):
            groups[entry.symptom_id].append(entry)
    found = []
    for symptom_id, reports in groups.items():
        symptom = symptom_domain.resolve(symptom_id)
        severities = [r.severity for r in reports]
        found.append(
            SymptomSummary(
                symptom_id=symptom.id,
                name=symptom.name,
                kind=symptom.kind,
                reports=len(reports),
                days=len({local_day(r, zone) for r in reports}),
                mean_severity=sum(severities) / len(severities),
                max_severity=max(severities),
                red_flags=sum(
                    1 for r in reports if symptom_domain.is_red_flag(symptom, r.severity)
                ),
                last=max(local_day(r, zone) for r in reports),
            )
        )
    return sorted(found, key=lambda s: (-s.red_flags, -s.reports, s.name))
