"""The safety engine, pure part: judge one new entry (or check-in) against a person's record.

``evaluate(history, new, profile, ruleset)`` returns the alerts that the NEW entry raises, as
of the new entry's own time (``mitra.domain.safety_journal`` runs it for every entry of a
journal, so the stored alerts are what the finished journal implies, whatever the order of
logging): a dose logged today for last Tuesday is judged against what had
happened by last Tuesday. Only history entries at or before ``new.at`` count, except for
combination rules, which look at entries on either side of the new one within their window
(a benzodiazepine logged after a dose is still a combination). Thresholds, words and evidence
all come from the ruleset (``data/rules.toml``); nothing here holds a clinical number.

Fail safe: doses are judged on the HIGH end of their estimated mitragynine range; unknown
pregnancy status is asked about, not assumed; a medication mitra does not know is reported as
unchecked; a red-flag symptom without a specific rule still raises the catch-all rule of its
level.

Invariants:

* deterministic: the same input gives the same alerts in the same order, whatever the order
  of ``history`` (the window is sorted on a total key and every figure is order-free);
* every alert has at least one piece of evidence, and its ``entry_ids`` are ids of entries in
  the input (``new`` or ``history``); entries without an id are judged but not listed;
* when a rule fires, the rules it ``supersedes`` are dropped for that evaluation (one alert per
  finding, the most serious tier), and alerts sharing a key are merged into one;
* no database, web, CLI or clock: time comes only from the entries.

Speed: one linear pass keeps only the history inside the widest window any rule uses (two
weeks for escalation), then sorts that small slice once and answers window queries by bisect;
a year of history evaluates in well under 5 ms (see ``bench/safety_eval.py``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from mitra.domain import safety_combinations, safety_doses, safety_overdose, safety_symptoms
from mitra.domain.alerts import Alert, day_key, event_key, number_text, sorted_alerts
from mitra.domain.entries import DoseEntry, Entry, Kind, SubstanceEntry, SymptomEntry
from mitra.domain.instrument_defs import Assessment
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Rule, Ruleset

__all__ = ["Family", "Timeline", "entry_alerts", "evaluate", "evaluate_assessment", "history_span"]

RATER_WORDS = {"self": "yourself", "clinician": "a clinician"}


@dataclass(frozen=True, slots=True)
class Timeline:
    """The part of the history a rule may look at, sorted by time, around the new entry.

    ``past`` holds entries at or before ``new.at`` (``new`` itself excluded), ``future`` those
    after it, each no further away than the widest window of the ruleset. ``journal_start`` is
    the time of the journal's first entry (None when unknown): escalation needs a whole
    baseline week inside the journal.
    """

    new: Entry
    zone: tzinfo
    past: tuple[Entry, ...]
    past_times: tuple[datetime, ...]
    future: tuple[Entry, ...]
    future_times: tuple[datetime, ...]
    journal_start: datetime | None = None
    # Local days already worked out, by moment: one judgement asks for the day of the same
    # entries many times (escalation counts dosing days over two weeks for every dose), and a
    # time-zone conversion costs more than a lookup. ``safety_journal.judge`` shares one
    # between the timelines of a judgement (same zone); a day depends only on the moment.
    days: dict[datetime, date] = field(default_factory=dict, compare=False, repr=False)

    def since(self, start: datetime) -> tuple[Entry, ...]:
        """Past entries after ``start`` (exclusive) up to the new entry (inclusive)."""
        return self.past[bisect_right(self.past_times, start) :]

    def between(self, start: datetime, end: datetime) -> tuple[Entry, ...]:
        """Past entries with start < at <= end."""
        return self.past[bisect_right(self.past_times, start) : bisect_right(self.past_times, end)]

    def around(self, span: timedelta) -> tuple[Entry, ...]:
        """Entries within ``span`` of the new entry, on either side (bounds included)."""
        before = self.past[bisect_left(self.past_times, self.new.at - span) :]
        after = self.future[: bisect_right(self.future_times, self.new.at + span)]
        return before + after

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def day(self, moment: datetime | None = None) -> date:
        """The person's local calendar day of ``moment`` (default: the new entry's)."""
        at = self.new.at if moment is None else moment
        found = self.days.get(at)
        if found is None:
            found = self.days[at] = at.astimezone(self.zone).date()
        return found


class Family(StrEnum):
    """Rules judged together. ESCALATION looks two weeks back, the CORE rules a day or so:
    re-judging after a change runs each family only over the span it can reach.

    ESCALATION looks only back: an entry judged for it alone is given a timeline without a
    future (``safety_journal.judge``), so an entry logged later never changes that judgement
    (and the judgements kept between writes, ``judged_timelines``, stay valid)."""

    CORE = "core"
    ESCALATION = "escalation"


ALL_FAMILIES = frozenset(Family)
# The families whose rules read entries after the new one (combinations look both ways).
LOOKS_AHEAD = frozenset({Family.CORE})
# The kinds of entry after the new one that its rules read, by the new entry's kind. Only the
# combination and logged-interaction rules look ahead (``Timeline.around``, in
# ``safety_combinations``): a dose's read the substances around it; a substance's read the
# doses around it, and the substances too (a daily milligram threshold, loperamide's); no
# symptom rule looks ahead. A timeline's future holds only these (``safety_journal``), so a
# dose logged after another dose changes nothing that dose was judged from, and its kept
# judgement (``judged_timelines``) stands. tests/domain/test_safety_fast_path.py holds the
# answers equal to judging each entry with its whole future (``build_timeline``).
READ_AHEAD: dict[Kind, frozenset[Kind]] = {
    Kind.DOSE: frozenset({Kind.SUBSTANCE}),
    Kind.SUBSTANCE: frozenset({Kind.DOSE, Kind.SUBSTANCE}),
    Kind.SYMPTOM: frozenset(),
}


def entry_order(entry: Entry) -> tuple[datetime, str, int]:
    """A total order on entries: time, then kind, then id."""
    return (entry.at, entry.kind.value, entry.id if entry.id is not None else -1)


# Thresholds that reach back from the new entry; combination windows reach both ways.
LOOKBACK_THRESHOLDS = frozenset({"lookback_hours", "opioid_lookback_hours"})
BOTH_WAYS_THRESHOLD = "window_hours"


def history_span(ruleset: Ruleset) -> tuple[timedelta, timedelta]:
    """How far before and after the new entry any rule of this ruleset looks."""
    before, after = core_span(ruleset)
    return max(before, escalation_span(ruleset)), after


def escalation_span(ruleset: Ruleset) -> timedelta:
    """How far back week-on-week escalation looks: two weeks."""
    return timedelta(days=2 * ruleset.windows.week_days)


def core_span(ruleset: Ruleset) -> tuple[timedelta, timedelta]:
    """How far before and after the new entry the CORE rules (all but escalation) look
    (worked out once per ruleset: every write asks several times)."""
    return ruleset.derived("core_span", _core_span)


def _core_span(ruleset: Ruleset) -> tuple[timedelta, timedelta]:
    windows = ruleset.windows
    before = timedelta(hours=windows.rolling_day_hours)
    after = timedelta(0)
    for rule in ruleset.rules:
        for threshold in rule.thresholds:
            span = timedelta(hours=threshold.value)
            if threshold.name in LOOKBACK_THRESHOLDS:
                before = max(before, span)
            elif threshold.name == BOTH_WAYS_THRESHOLD:
                before, after = max(before, span), max(after, span)
    return before, after


def build_timeline(
    history: Iterable[Entry],
    new: Entry,
    ruleset: Ruleset,
    zone: tzinfo,
    journal_start: datetime | None = None,
) -> Timeline:
    """One pass over the history; only the slice inside the widest window is kept and sorted."""
    before, after = history_span(ruleset)
    start, end, at = new.at - before, new.at + after, new.at
    past: list[Entry] = []
    future: list[Entry] = []
    for entry in history:
        if entry is new or (new.id is not None and entry.id == new.id):
            continue
        moment = entry.at
        if moment <= at:
            if moment >= start:
                past.append(entry)
        elif moment <= end:
            future.append(entry)
    past.sort(key=entry_order)
    future.sort(key=entry_order)
    return Timeline(
        new=new,
        zone=zone,
        past=tuple(past),
        past_times=tuple(e.at for e in past),
        future=tuple(future),
        future_times=tuple(e.at for e in future),
        journal_start=journal_start,
    )


def evaluate(
    history: Sequence[Entry],
    new: Entry,
    profile: Profile,
    ruleset: Ruleset,
    *,
    assessments: Sequence[Assessment] = (),
    zone: tzinfo | None = None,
    journal_start: datetime | None = None,
) -> list[Alert]:
    """The alerts raised by ``new``, judged as of ``new.at`` against the history before it.

    ``assessments`` are the person's check-ins: one made in the
    ``windows.assessment_lookback_hours`` before ``new.at`` is judged again, under the same key
    as when it was made, so a severe withdrawal score stays visible that day without repeating.
    ``zone`` (default: the profile's) decides local days and evening hours. ``journal_start``
    (default: the earliest entry given) is when the journal begins.
    """
    tz = zone if zone is not None else profile.zone()
    if journal_start is None:
        journal_start = min((e.at for e in (*history, new)), default=None)
    timeline = build_timeline(history, new, ruleset, tz, journal_start)
    alerts = entry_alerts(timeline, profile, ruleset)
    lookback = timedelta(hours=ruleset.windows.assessment_lookback_hours)
    for assessment in assessments:
        if new.at - lookback < assessment.at <= new.at:
            alerts += _assessment_alerts(assessment, ruleset, tz)
    return finish(alerts, ruleset)


def entry_alerts(
    timeline: Timeline,
    profile: Profile,
    ruleset: Ruleset,
    families: frozenset[Family] = ALL_FAMILIES,
) -> list[Alert]:
    """The alerts of the chosen rule families for ``timeline.new`` (not yet ``finish``ed)."""
    new = timeline.new
    alerts: list[Alert] = []
    core = Family.CORE in families
    if isinstance(new, DoseEntry):
        if core:
            alerts += safety_doses.dose_alerts(timeline, ruleset)
            alerts += safety_doses.pattern_alerts(timeline, ruleset)
        if Family.ESCALATION in families:
            alerts += safety_doses.escalation_alerts(timeline, ruleset)
        if core:
            alerts += safety_doses.profile_alerts(timeline, profile, ruleset)
            alerts += safety_combinations.combination_alerts(timeline, ruleset)
            alerts += safety_combinations.medication_alerts(timeline, profile, ruleset)
            alerts += safety_overdose.overdose_risk_alerts(timeline, profile, ruleset)
    elif isinstance(new, SubstanceEntry) and core:
        alerts += safety_combinations.combination_alerts(timeline, ruleset)
        alerts += safety_doses.substance_profile_alerts(timeline, profile, ruleset)
        alerts += safety_overdose.overdose_risk_alerts(timeline, profile, ruleset)
    elif isinstance(new, SymptomEntry) and core:
        alerts += safety_symptoms.symptom_alerts(timeline, ruleset)
    return alerts


def evaluate_assessment(
    new: Assessment,
    profile: Profile,
    ruleset: Ruleset,
    *,
    zone: tzinfo | None = None,
) -> list[Alert]:
    """The alerts raised by a new check-in (COWS, SOWS, SOWS-Gossop, OOWS, craving, PHQ-2,
    GAD-2 and any other in the ruleset). The resting pulse rule reads ``new.pulse_bpm``, the
    beats a minute given with the check-in and stored with it, so a re-judged day keeps it."""
    tz = zone if zone is not None else profile.zone()
    return finish(_assessment_alerts(new, ruleset, tz), ruleset)


def _assessment_alerts(assessment: Assessment, ruleset: Ruleset, zone: tzinfo) -> list[Alert]:
    pulse_bpm = assessment.pulse_bpm
    alerts: list[Alert] = []
    day = assessment.at.astimezone(zone).date()
    for rule in ruleset.group("assessment"):
        if rule.match.instrument != assessment.instrument_id:
            continue
        if rule.match.item is not None:
            alerts += _item_alert(assessment, rule)
            continue
        if rule.has_threshold("min_pulse_bpm"):
            fastest = rule.value("min_pulse_bpm")
            if pulse_bpm is not None and pulse_bpm >= fastest:
                values = {
                    "pulse_bpm": number_text(pulse_bpm),
                    "min_pulse_bpm": number_text(fastest),
                }
                key = day_key(rule.id, day)
                alerts.append(rule.alert(values=values, entry_ids=(), at=assessment.at, key=key))
            continue
        minimum = rule.value("min_total")
        if assessment.total < minimum:
            continue
        values = {
            "instrument": assessment.instrument_id,
            "total": str(assessment.total),
            "band": assessment.band or "no band",
            "rater": RATER_WORDS.get(assessment.rater, assessment.rater),
            "min_total": number_text(minimum),
        }
        alerts.append(
            rule.alert(values=values, entry_ids=(), at=assessment.at, key=day_key(rule.id, day))
        )
    return alerts


def _item_alert(assessment: Assessment, rule: Rule) -> list[Alert]:
    """One question judged alone (PHQ-9 item 9): raised for every check-in that answers it at
    or above the rule's score, whatever the total, so no such answer is ever merged away."""
    score = dict(assessment.items).get(rule.match.item or "")
    minimum = rule.value("min_item_score")
    if score is None or score < minimum:
        return []
    values = {"item_score": str(score), "min_total": number_text(minimum)}
    key = event_key(rule.id, assessment.at)
    return [rule.alert(values=values, entry_ids=(), at=assessment.at, key=key)]


def finish(alerts: Iterable[Alert], ruleset: Ruleset) -> list[Alert]:
    """Drop superseded tiers, merge alerts sharing a key, and sort most serious first."""
    collected = list(alerts)
    superseded = {other for alert in collected for other in ruleset.rule(alert.rule_id).supersedes}
    by_key: dict[str, Alert] = {}
    for alert in collected:
        if alert.rule_id in superseded:
            continue
        current = by_key.get(alert.key)
        # Two findings with one key (e.g. two check-ins the same day): keep the latest, with
        # the message as a tie-break so the choice never depends on input order.
        if current is None or (alert.at, alert.message) > (current.at, current.message):
            by_key[alert.key] = alert
    return sorted_alerts(by_key.values())
