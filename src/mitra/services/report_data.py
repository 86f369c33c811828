"""Gather what a clinician report holds, as plain records: one snapshot shared by every format.

The PDF (``mitra.reports.pdf_document``), the FHIR bundle (``mitra.reports.fhir_bundle``) and,
later, the web download all render the same ``ReportData``, so they cannot disagree about a
number. This module decides WHAT is reported; the output layers decide only how it looks.

Invariants:

* one read transaction: every figure comes from the same state of the journal;
* bounded reads: every query for a period is bounded on both ends (entries, check-ins and
  alerts of the period), plus only what they cite: the first score of each instrument ever
  and the one just before the period (for the changes), and whether an entry an alert cites
  outside the period was deleted. The cost follows the period, not the years of history;
* the period is the person's choice (``since``/``until``, in their time zone); a date-only
  ``until`` means the end of that day; entries, check-ins and alerts are those whose own time
  falls inside it; score trends still compare with the first score ever (the baseline), as
  ``mitra scores`` does;
* deleted entries and check-ins are never reported as facts (only counted, so a reader knows);
* notes are included only when the person asks (``include_notes``): ``notes`` is then a
  tuple, possibly empty; otherwise it is None and no note text is gathered at all;
* the evidence-based options and crisis lines always come with the report (from the reviewed
  ``[support]`` table), with their sources;
* the plan section comes from the plan service's public API (``PlanService.show``, which
  only reads); adherence is judged on the high end of each estimate, as plans judge doses;
* services never import an output layer: this module knows nothing of PDF or FHIR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mitra import __version__
from mitra.domain import catalogue_data
from mitra.domain.alerts import Severity, Support
from mitra.domain.bup_readiness import Readiness
from mitra.domain.checkins import ScoreRow, StoredAssessment, score_rows
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.errors import InputError
from mitra.domain.instruments import Instrument, get_instrument
from mitra.domain.patterns import (
    DayTotal,
    DosePattern,
    ProductUse,
    SubstanceUse,
    SymptomSummary,
    day_totals,
    dose_pattern,
    product_uses,
    substance_uses,
    symptom_summaries,
)
from mitra.domain.plan_units import in_product
from mitra.domain.profile import Profile
from mitra.domain.substances import SubstanceClass
from mitra.domain.when import parse_when
from mitra.services.bup_readiness import ReadinessService
from mitra.services.context import AppContext
from mitra.services.plans import PlanService
from mitra.storage.alert_store import AlertStore, StoredAlert
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_store import JournalStore

DEFAULT_DAYS = 30
RECENT_DAYS = 7
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")

ESTIMATE_CAVEATS = (
    "Kratom amounts are what the person recorded. Mitragynine and 7-OH figures are estimates "
    "from the product's label, lab certificate or its form's typical potency, shown as a range; "
    "real contents vary widely between products and batches, and no figure here is a "
    "measured blood level.",
    "A day's range adds up the low and the high ends of that day's doses; an average per day "
    "counts days without doses as zero.",
    "MME (morphine milligram equivalents) uses the CDC 2022 conversion factors as a measure of "
    "opioid dose only; it is not a way to convert one opioid into another.",
    "Everything here is self-reported unless marked as rated by a clinician. COWS and OOWS are "
    "observer scales: a self-entered score is not the same as an observed one.",
    "SOWS, SOWS-Gossop, OOWS and the craving scale have no validated severity bands: read their "
    "numbers and trend, not a label.",
)


@dataclass(frozen=True, slots=True)
class Period:
    """The reported period: [since, until] as instants, and the local days it touches."""

    since: datetime
    until: datetime
    zone: ZoneInfo

    @property
    def first_day(self) -> date:
        return self.since.astimezone(self.zone).date()

    @property
    def last_day(self) -> date:
        return self.until.astimezone(self.zone).date()

    def contains(self, moment: datetime) -> bool:
        return self.since <= moment <= self.until


@dataclass(frozen=True, slots=True)
class ScoreSeries:
    """One instrument's scores in the period, each with its change (from all earlier scores)."""

    instrument: Instrument
    rows: tuple[ScoreRow, ...]


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """A note the person wrote, and what it was attached to."""

    at: datetime
    attached_to: str
    text: str


@dataclass(frozen=True, slots=True)
class PlanSection:
    """The plan and adherence section: a heading, lines of text and a table (may be empty)."""

    title: str
    lines: tuple[str, ...]
    table_header: tuple[str, ...] = ()
    table_rows: tuple[tuple[str, ...], ...] = ()
    current: str | None = None  # the step in force, in words (None: no active plan)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One cited source: a stable id (a source id, or the instrument id) and its citation."""

    id: str
    citation: str


GLANCE_SCALES = ("cows", "sows", "sows-gossop")
# Classes that add to opioid sedation and breathing risk when taken with kratom or opioids.
ALONGSIDE_CLASSES = frozenset(
    {
        SubstanceClass.OPIOID,
        SubstanceClass.BENZODIAZEPINE,
        SubstanceClass.ALCOHOL,
        SubstanceClass.GABAPENTINOID,
        SubstanceClass.SEDATIVE,
    }
)


def band_words(instrument: Instrument, total: int, band: str | None) -> str:
    """A score's band in words: its band; "below <lowest band>" under the lowest band of a
    banded scale (COWS 0-4 is "below mild", per the scale's ``bands_source``); "no bands"
    for a scale without validated bands."""
    if band:
        return band
    if instrument.bands:
        lowest = min(instrument.bands, key=lambda b: b.min)
        if total < lowest.min:
            return f"below {lowest.label}"
    if instrument.positive_at is not None:
        return "positive screen" if total >= instrument.positive_at else "negative screen"
    return "no validated bands"


@dataclass(frozen=True, slots=True)
class GlanceScore:
    """The latest score of a withdrawal scale in the period, and its move from the one before."""

    short_name: str
    total: int
    band: str
    at: datetime
    change: int | None  # from the previous score of the same scale (None: first ever)
    meaningful: bool

    @property
    def trend(self) -> str:
        """ "up", "down" or "steady" (a change smaller than the scale's meaningful change), or
        "first score"."""
        if self.change is None:
            return "first score"
        if not self.meaningful:
            return "steady"
        return "up" if self.change > 0 else "down"


@dataclass(frozen=True, slots=True)
class AtAGlance:
    """Page 1's box: what a clinician must see in 30 seconds."""

    scores: tuple[GlanceScore, ...]
    serious_open: tuple[StoredAlert, ...]  # urgent and emergency alerts of the period, open
    alongside: tuple[SubstanceUse, ...]  # opioids and sedatives used in the period
    plan_step: str | None  # the step in force, in words; None without an active plan
    naloxone: str  # "yes, expires 3 Mar 2027" / "expired on ..." / "no" / "not stated"


def _naloxone(profile: Profile, today: date) -> str:
    if profile.naloxone is None:
        return "not stated"
    if profile.naloxone is False:
        return "no naloxone at hand"
    expires = profile.naloxone_expires
    if expires is None:
        return "at hand (expiry not stated)"
    when = f"{expires.day} {expires:%b %Y}"
    return f"at hand, expires {when}" if profile.has_naloxone_on(today) else f"EXPIRED on {when}"


def _glance(
    series: tuple[ScoreSeries, ...],
    alerts: tuple[StoredAlert, ...],
    substances: tuple[SubstanceUse, ...],
    plan: PlanSection,
    profile: Profile,
    today: date,
) -> AtAGlance:
    scores = []
    for one in series:
        if one.instrument.id not in GLANCE_SCALES:
            continue
        last = one.rows[-1]
        scores.append(
            GlanceScore(
                one.instrument.short_name,
                last.assessment.total,
                band_words(one.instrument, last.assessment.total, last.assessment.band),
                last.assessment.at,
                last.change_from_previous,
                last.meaningful,
            )
        )
    serious = tuple(
        a
        for a in reversed(alerts)
        if a.acknowledged_at is None and a.alert.severity in (Severity.URGENT, Severity.EMERGENCY)
    )
    alongside = tuple(
        s for s in substances if SubstanceClass(s.substance_class) in ALONGSIDE_CLASSES
    )
    return AtAGlance(tuple(scores), serious, alongside, plan.current, _naloxone(profile, today))


@dataclass(frozen=True, slots=True)
class ReportData:
    generated_at: datetime
    mitra_version: str
    period: Period
    profile: Profile
    entries: tuple[Entry, ...]
    deleted_entries: int
    deleted_entry_ids: frozenset[int]
    day_totals: tuple[DayTotal, ...]
    pattern: DosePattern
    recent_pattern: DosePattern
    recent_days: int
    products: tuple[ProductUse, ...]
    substances: tuple[SubstanceUse, ...]
    symptoms: tuple[SymptomSummary, ...]
    assessments: tuple[StoredAssessment, ...]
    deleted_assessments: int
    scores: tuple[ScoreSeries, ...]
    alerts: tuple[StoredAlert, ...]
    plan: PlanSection
    notes: tuple[NoteRecord, ...] | None
    support: Support
    sources: tuple[SourceRef, ...]
    caveats: tuple[str, ...]
    # Buprenorphine start readiness as of when the report was made (None: not assessed).
    readiness: Readiness | None = None
    glance: AtAGlance | None = None

    @property
    def zone(self) -> ZoneInfo:
        return self.period.zone


def _period(
    since: str | datetime | None, until: str | datetime | None, now: datetime, zone: ZoneInfo
) -> Period:
    if isinstance(until, datetime):
        end = until
    elif until is None or not until.strip():
        end = now
    elif _DATE_ONLY.fullmatch(until.strip()):
        # "until 2026-11-15" means through that day, not up to its first second.
        day = datetime.fromisoformat(until.strip()).date()
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone) - timedelta(
            microseconds=1
        )
    else:
        end = parse_when(until, now=now, zone=zone, allow_future=True)
    if isinstance(since, datetime):
        start = since
    elif since is None or not since.strip():
        today = end.astimezone(zone).date()
        start = datetime.combine(today - timedelta(days=DEFAULT_DAYS - 1), time(0), tzinfo=zone)
    else:
        start = parse_when(since, now=now, zone=zone)
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError("times must carry a time zone", field="since")
    if start > end:
        raise InputError("--since is later than --until", field="since")
    return Period(start, end, zone)


def _sources(
    entries: tuple[Entry, ...],
    series: tuple[ScoreSeries, ...],
    alerts: tuple[StoredAlert, ...],
    support: Support,
    products: dict[str, tuple[str, ...]],
) -> tuple[SourceRef, ...]:
    """Every source the report leans on, once each, in the order a reader meets them."""
    found: dict[str, str] = {}

    def add(source_id: str) -> None:
        if source_id not in found and source_id in catalogue_data.source_ids():
            found[source_id] = catalogue_data.source_citation(source_id)

    def cite(source_id: str, citation: str) -> None:
        found.setdefault(source_id, citation)

    for source_ids in products.values():
        for source_id in source_ids:
            add(source_id)
    if any(isinstance(e, SubstanceEntry) and e.mme is not None for e in entries):
        add("cdc-2022-mme")
    for one in series:
        cite(one.instrument.id, one.instrument.citation)
    for stored in alerts:
        for evidence in stored.alert.evidence:
            cite(evidence.source_id, evidence.citation)
    for option in support.options:
        for source_id in option.sources:
            add(source_id)
    # The same paper can be known by two ids (an instrument's and a rule's): cite it once.
    unique: dict[str, SourceRef] = {}
    for key, citation in found.items():
        unique.setdefault(" ".join(citation.split()).lower(), SourceRef(key, citation))
    return tuple(unique.values())


def plan_section(
    ctx: AppContext, period: Period, entries: tuple[Entry, ...], totals: tuple[DayTotal, ...]
) -> PlanSection:
    """The plan in force (through ``PlanService``'s public API) and how the period's days sat
    against its steps. Adherence is judged as the plan judges doses: on the HIGH end of each
    estimate; a day is within its step when every dose, the day's total and the number of
    doses are within the step's ceilings."""
    overview = PlanService(ctx).show()
    if overview is None:
        return PlanSection(
            "No active plan",
            ("The person has no active taper or titration plan in mitra.",),
        )
    stored = overview.stored
    plan = stored.plan
    zone = period.zone
    step_now = plan.current_step
    lines = [
        f"{plan.kind.capitalize()} plan ({plan.strategy}), created "
        f"{plan.created_at.astimezone(zone):%d %b %Y}; step {step_now.index + 1} of "
        f"{len(plan.steps)} in force since {step_now.start:%d %b %Y}: at most "
        f"{step_now.dose_max_mg:g} mg mitragynine a dose, {step_now.daily_max_mg:g} mg a day, "
        f"{step_now.doses_per_day_max} doses a day, {step_now.min_interval_h:g} h apart.",
        "A step moves on only after check-ins (COWS, SOWS-Gossop) allow it, never on dates "
        f"alone; each step is held at least {plan.settle_days} days to settle.",
        plan.alternatives,
    ]
    if overview.measure is not None:
        lines.insert(
            1, f"In the person's usual product: {in_product(step_now, overview.measure).text()}."
        )
    events = [e for e in overview.events if period.contains(e.at)]
    lines += [
        f"{e.day:%d %b}: {e.event}" + (f" ({e.cause})" if e.cause else "") + f". {e.reason}"
        for e in events
    ]
    doses_by_day: dict[date, list[DoseEntry]] = {}
    for entry in entries:
        if isinstance(entry, DoseEntry):
            doses_by_day.setdefault(entry.at.astimezone(zone).date(), []).append(entry)
    rows: dict[int, list[int]] = {}
    for total in totals:
        step = plan.step_on(total.day)
        if step is None:
            continue
        doses = doses_by_day.get(total.day, [])
        within = (
            total.mitragynine_mg.high <= step.daily_max_mg
            and total.doses <= step.doses_per_day_max
            and all(d.estimate.mitragynine_mg.high <= step.dose_max_mg for d in doses)
        )
        counts = rows.setdefault(step.index, [0, 0])
        counts[0 if within else 1] += 1
    table = tuple(
        (
            str(index + 1),
            f"{plan.steps[index].start:%d %b} – {plan.steps[index].end:%d %b}",
            f"{plan.steps[index].dose_max_mg:g} / {plan.steps[index].daily_max_mg:g} mg",
            str(plan.steps[index].doses_per_day_max),
            str(ok),
            str(over),
        )
        for index, (ok, over) in sorted(rows.items())
    )
    return PlanSection(
        f"{plan.kind.capitalize()} plan",
        tuple(lines),
        ("step", "dates", "ceilings (dose / day)", "doses a day", "days within", "days over"),
        table,
        current=(
            f"{plan.kind} step {step_now.index + 1} of {len(plan.steps)} since "
            f"{step_now.start.day} {step_now.start:%b}: at most {step_now.dose_max_mg:g} mg "
            f"mitragynine a dose, {step_now.daily_max_mg:g} mg a day"
        ),
    )


class ReportDataService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def gather(
        self,
        *,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        include_notes: bool = False,
        all_time: bool = False,
    ) -> ReportData:
        """The report's data for the period (default: the last 30 days up to now; with
        ``all_time``, from the first record on)."""
        now = self.ctx.now()
        with self.ctx.database.read() as conn:
            journal = JournalStore(conn)
            profile = journal.get_profile(self.ctx.default_timezone)
            zone = profile.zone()
            assessment_store = AssessmentStore(conn)
            whole = all_time and since is None
            # With ``all_time`` the period starts at the first record: read up to its end,
            # then the start is the first time found (the period is then the whole journal).
            period = _period(None if whole else since, until, now, zone)
            if whole:
                period = Period(period.until, period.until, zone)
            read_since = None if whole else period.since
            every_entry = journal.list_entries(
                since=read_since, until=period.until, include_deleted=True
            )
            deleted = journal.deleted_ids_between(read_since, period.until)
            every_assessment = assessment_store.list_assessments(
                since=read_since, until=period.until, include_deleted=True
            )
            if whole:
                firsts = [e.at for e in every_entry[:1]]
                firsts += [a.assessment.at for a in every_assessment[:1]]
                period = Period(min([*firsts, period.until]), period.until, zone)
            entries = tuple(e for e in every_entry if e.id not in deleted)
            live_ids = {e.id for e in entries}
            live_assessments = [a for a in every_assessment if a.deleted_at is None]
            assessments = tuple(live_assessments)
            # ``in_span`` is half-open; the period's end is included.
            alerts = tuple(
                AlertStore(conn).in_span(period.since, period.until + timedelta(microseconds=1))
            )
            # What the period's alerts cite outside it: only whether those entries were deleted.
            cited = {i for a in alerts for i in a.alert.entry_ids} - live_ids - deleted
            for entry_id in sorted(cited):
                found = journal.get_entry(entry_id)
                if found is not None and found[1] is not None:
                    deleted.add(entry_id)
            # Score changes compare with the first score ever and the one just before.
            context: list[StoredAssessment] = []
            for instrument_id in sorted({a.assessment.instrument_id for a in assessments}):
                for earlier in (
                    assessment_store.first_of(instrument_id),
                    assessment_store.latest_before(instrument_id, period.since),
                ):
                    if earlier is not None and not period.contains(earlier.assessment.at):
                        context.append(earlier)
            used_products = {
                e.product_name for e in entries if isinstance(e, DoseEntry) and e.product_id
            }
            product_sources = {
                p.name: p.potency.sources
                for p in journal.list_products()
                if p.name in used_products
            }
        support = self.ctx.rules().ruleset.support
        totals = tuple(day_totals(entries, zone, period.first_day, period.last_day))
        recent = totals[-RECENT_DAYS:]
        series = _score_series([*context, *live_assessments], period)
        notes = _notes(entries, assessments, alerts) if include_notes else None
        substances = tuple(substance_uses(entries, zone))
        plan = plan_section(self.ctx, period, entries, totals)
        return ReportData(
            generated_at=now,
            mitra_version=__version__,
            period=period,
            profile=profile,
            entries=entries,
            deleted_entries=len(every_entry) - len(entries),
            deleted_entry_ids=frozenset(deleted),
            day_totals=totals,
            pattern=dose_pattern(totals),
            recent_pattern=dose_pattern(recent),
            recent_days=len(recent),
            products=tuple(product_uses(entries, zone)),
            substances=substances,
            symptoms=tuple(symptom_summaries(entries, zone)),
            assessments=assessments,
            deleted_assessments=len(every_assessment) - len(live_assessments),
            scores=series,
            alerts=alerts,
            plan=plan,
            notes=notes,
            support=support,
            sources=_sources(entries, series, alerts, support, product_sources),
            caveats=ESTIMATE_CAVEATS,
            readiness=ReadinessService(self.ctx).readiness().readiness,
            glance=_glance(series, alerts, substances, plan, profile, now.astimezone(zone).date()),
        )


def _score_series(live: list[StoredAssessment], period: Period) -> tuple[ScoreSeries, ...]:
    rows = score_rows(live)  # compared with every earlier score, then windowed
    by_instrument: dict[str, list[ScoreRow]] = {}
    for row in rows:
        if period.contains(row.assessment.at):
            by_instrument.setdefault(row.assessment.instrument_id, []).append(row)
    return tuple(
        ScoreSeries(get_instrument(key), tuple(found))
        for key, found in sorted(by_instrument.items())
    )


def _notes(
    entries: tuple[Entry, ...],
    assessments: tuple[StoredAssessment, ...],
    alerts: tuple[StoredAlert, ...],
) -> tuple[NoteRecord, ...]:
    found = [
        NoteRecord(e.at, f"{e.kind.value} #{e.id}", e.note) for e in entries if e.note is not None
    ]
    found += [
        NoteRecord(
            a.assessment.at,
            f"{get_instrument(a.assessment.instrument_id).short_name} #{a.id}",
            a.note,
        )
        for a in assessments
        if a.note is not None
    ]
    found += [
        NoteRecord(a.acknowledged_at, f"alert #{a.id} acknowledged", a.ack_note)
        for a in alerts
        if a.ack_note is not None and a.acknowledged_at is not None
    ]
    return tuple(sorted(found, key=lambda n: n.at))
