"""Judge a journal from scratch: every alert the finished record implies, whatever the order
in which its entries were logged.

``judge(entries, profile, ruleset)`` runs the engine (``mitra.domain.safety``) for EVERY entry
and check-in against the whole record around it, and keeps one alert per deduplication key.
A dose logged late is thereby added to the 24-hour totals of the doses after it, and a
deleted entry simply is not there. ``affected_spans`` says which entries a change at one
moment can reach, per rule family, so that a service re-judges a bounded window instead of
the whole journal; ``judge(..., spans=...)`` then judges only the entries in those spans.

Invariants:

* deterministic and order-free: the result depends on the set of entries, never their order;
* one alert per key. For a day or week key, the LATEST occurrence (its figures are the state
  of that day or week as it ended); for a once-only key, the EARLIEST (the first time it was
  true, which later entries do not move); event keys have one occurrence by construction.
  Ties are broken on the message, so the choice never depends on input order;
* spans are aligned to the buckets of the keys they produce (local days for entry rules,
  ISO weeks for symptom rules, whose insomnia rule is weekly, and for escalation), so every
  day or week key in a span is judged from all of its occurrences;
* pure: no clock, no database; time comes from the entries.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import partial

from mitra.domain.alerts import Alert, Scope, key_parts
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry, SymptomEntry
from mitra.domain.instrument_defs import Assessment
from mitra.domain.judged_timelines import JudgedTimelines
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Ruleset
from mitra.domain.safety import (
    ALL_FAMILIES,
    LOOKS_AHEAD,
    READ_AHEAD,
    Family,
    Timeline,
    core_span,
    entry_alerts,
    entry_order,
    escalation_span,
    evaluate_assessment,
    finish,
    history_span,
)
from mitra.domain.safety_doses import ESCALATION

SYMPTOM_GROUPS = frozenset({"red-flag", "side-effect"})
ASSESSMENT_GROUP = "assessment"


@dataclass(frozen=True, slots=True)
class Span:
    """The moments ``start <= t < end``."""

    start: datetime
    end: datetime

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end


def merged_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """The spans sorted, overlapping or touching ones joined."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    out: list[Span] = []
    for span in ordered:
        if out and span.start <= out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, span.end))
        else:
            out.append(span)
    return tuple(out)


def _inside(moment: datetime, spans: Sequence[Span]) -> bool:
    return any(moment in span for span in spans)


def local_midnight(moment: datetime, zone: tzinfo, *, days: int = 0) -> datetime:
    """Midnight (local) starting the day of ``moment``, moved by ``days`` whole days."""
    day = moment.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, time(0), tzinfo=zone)


def day_aligned(start: datetime, end: datetime, zone: tzinfo) -> Span:
    """The whole local days from the one holding ``start`` to the one holding ``end``."""
    return Span(local_midnight(start, zone), local_midnight(end, zone, days=1))


def week_aligned(start: datetime, end: datetime, zone: tzinfo) -> Span:
    """The whole ISO weeks (Monday to Sunday, local) holding ``start`` to ``end``."""
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    monday = first - timedelta(days=first.weekday())
    next_monday = last + timedelta(days=7 - last.weekday())
    return Span(
        datetime.combine(monday, time(0), tzinfo=zone),
        datetime.combine(next_monday, time(0), tzinfo=zone),
    )


@dataclass(frozen=True, slots=True)
class Spans:
    """Which triggers to judge: kratom doses and other substances with the CORE rules
    (``core``, whole local days), symptoms (``symptoms``, whole weeks), doses with the
    escalation rule (``escalation``, whole weeks), and check-ins (``core``)."""

    core: tuple[Span, ...] = ()
    symptoms: tuple[Span, ...] = ()
    escalation: tuple[Span, ...] = ()

    def union(self, other: Spans) -> Spans:
        return Spans(
            merged_spans((*self.core, *other.core)),
            merged_spans((*self.symptoms, *other.symptoms)),
            merged_spans((*self.escalation, *other.escalation)),
        )

    def families_for(self, entry: Entry) -> frozenset[Family]:
        """The rule families to run for this entry (empty: not judged)."""
        if isinstance(entry, SymptomEntry):
            return ALL_FAMILIES if _inside(entry.at, self.symptoms) else frozenset()
        families = set()
        if isinstance(entry, (DoseEntry, SubstanceEntry)) and _inside(entry.at, self.core):
            families.add(Family.CORE)
        if isinstance(entry, DoseEntry) and _inside(entry.at, self.escalation):
            families.add(Family.ESCALATION)
        return frozenset(families)

    def covers_assessment(self, at: datetime) -> bool:
        return _inside(at, self.core)

    def covers_alert(self, alert: Alert, ruleset: Ruleset) -> bool:
        """Whether a stored alert with a day, week or event key was judged afresh here (its
        rule's family judged the span holding its time). Once-only keys never are: they are
        about the journal as a whole (see ``judge``)."""
        if key_parts(alert.key).scope is Scope.ONCE:
            return False
        if alert.rule_id == ESCALATION:
            return _inside(alert.at, self.escalation)
        group = _group(ruleset, alert.rule_id)
        if group in SYMPTOM_GROUPS:
            return _inside(alert.at, self.symptoms)
        if group == "plan":
            return False  # judged by the plan service, over its own span
        return _inside(alert.at, self.core)

    def history(self, ruleset: Ruleset) -> tuple[Span, ...]:
        """The stretches of the journal these triggers may look at."""
        before, after = core_span(ruleset)
        back = escalation_span(ruleset)
        needed = [Span(s.start - before, s.end + after) for s in (*self.core, *self.symptoms)]
        needed += [Span(s.start - back, s.end) for s in self.escalation]
        return merged_spans(needed)


def _group(ruleset: Ruleset, rule_id: str) -> str:
    """The rule's group; '' for a rule no longer in the ruleset (judged as a core rule, so a
    from-scratch judgement closes what a retired rule raised)."""
    try:
        return ruleset.rule(rule_id).group
    except KeyError:
        return ""


def affected_spans(moment: datetime, ruleset: Ruleset, zone: tzinfo) -> Spans:
    """Every trigger whose judgement a change at ``moment`` can alter.

    An entry at ``t`` looks back ``before`` and ahead ``after`` (combinations look both ways),
    so a change at ``moment`` reaches the entries from ``moment - after`` to
    ``moment + before``; escalation looks two weeks back, so it reaches two weeks ahead.
    """
    before, after = core_span(ruleset)
    start, end = moment - after, moment + before
    return Spans(
        core=(day_aligned(start, end, zone),),
        symptoms=(week_aligned(start, end, zone),),
        escalation=(week_aligned(moment, moment + escalation_span(ruleset), zone),),
    )


def whole_span(span: Span, zone: tzinfo) -> Spans:
    """Every trigger and family inside ``span`` (which should be week-aligned)."""
    aligned = week_aligned(span.start, span.end - timedelta(microseconds=1), zone)
    return Spans((aligned,), (aligned,), (aligned,))


def _timeline(
    ordered: tuple[Entry, ...],
    times: tuple[datetime, ...],
    index: int,
    reach: tuple[timedelta, timedelta],
    zone: tzinfo,
    journal_start: datetime | None,
    days: dict[datetime, date],
    *,
    ahead: bool = True,
) -> Timeline:
    """The timeline ``safety.build_timeline`` makes, cut from one sorted list by bisect, with
    only the entries after ``new`` that its rules read (``READ_AHEAD``), and none of them
    when ``ahead`` is false. ``new`` is ``ordered[index]``; the past is the slices either side
    of it (``days``: the local days worked out so far in this judgement, shared)."""
    new = ordered[index]
    before, after = reach
    low = bisect_left(times, new.at - before)
    middle = bisect_right(times, new.at)
    past = ordered[low:index] + ordered[index + 1 : middle]
    past_times = times[low:index] + times[index + 1 : middle]
    read = READ_AHEAD[new.kind] if ahead else frozenset()
    future: tuple[Entry, ...] = ()
    if read:
        high = bisect_right(times, new.at + after)
        future = tuple(e for e in ordered[middle:high] if e.kind in read)
    return Timeline(
        new=new,
        zone=zone,
        past=past,
        past_times=past_times,
        future=future,
        future_times=tuple(e.at for e in future),
        journal_start=journal_start,
        days=days,
    )


def merge(found: dict[str, Alert], alert: Alert) -> None:
    """Keep one alert per key: latest for day and week keys, earliest for once-only keys."""
    current = found.get(alert.key)
    if current is None:
        found[alert.key] = alert
        return
    mine, theirs = (alert.at, alert.message), (current.at, current.message)
    if key_parts(alert.key).scope is Scope.ONCE:
        if mine < theirs:
            found[alert.key] = alert
    elif mine > theirs:
        found[alert.key] = alert


def _inside_any(times: Sequence[datetime], spans: Spans) -> list[int]:
    """The positions in ``times`` (sorted) of the moments inside any of ``spans``, in order:
    found by bisect, so the weeks of history around them are not each asked."""
    found: set[int] = set()
    for span in (*spans.core, *spans.symptoms, *spans.escalation):
        found.update(range(bisect_left(times, span.start), bisect_left(times, span.end)))
    return sorted(found)


def _entry_alerts(
    timeline: Timeline, profile: Profile, ruleset: Ruleset, families: frozenset[Family]
) -> list[Alert]:
    return finish(entry_alerts(timeline, profile, ruleset, families), ruleset)


def judge(
    entries: Iterable[Entry],
    profile: Profile,
    ruleset: Ruleset,
    *,
    assessments: Iterable[Assessment] = (),
    zone: tzinfo | None = None,
    journal_start: datetime | None = None,
    spans: Spans | None = None,
    memo: JudgedTimelines | None = None,
) -> dict[str, Alert]:
    """The alerts the journal implies, by key (sorted), for the triggers in ``spans``
    (default: all). ``entries`` must hold every entry the triggers may look at
    (``Spans.history``); ``journal_start`` defaults to the earliest of them. ``memo``: the
    judgements of earlier calls, used again for the entries whose timeline is unchanged
    (the same result, see ``judged_timelines``)."""
    tz = zone if zone is not None else profile.zone()
    ordered = tuple(sorted(entries, key=entry_order))
    times = tuple(e.at for e in ordered)
    start = journal_start if journal_start is not None else (times[0] if times else None)
    reach = history_span(ruleset)
    found: dict[str, Alert] = {}
    days: dict[datetime, date] = {}
    context = memo.context(ruleset, profile, tz, start) if memo is not None else 0
    for index in range(len(ordered)) if spans is None else _inside_any(times, spans):
        entry = ordered[index]
        families = ALL_FAMILIES if spans is None else spans.families_for(entry)
        if not families:
            continue
        ahead = not LOOKS_AHEAD.isdisjoint(families)
        timeline = _timeline(ordered, times, index, reach, tz, start, days, ahead=ahead)
        judged = partial(_entry_alerts, timeline, profile, ruleset, families)
        alerts = judged() if memo is None else memo.alerts(context, families, timeline, judged)
        for alert in alerts:
            merge(found, alert)
    for assessment in assessments:
        if spans is None or spans.covers_assessment(assessment.at):
            for alert in evaluate_assessment(assessment, profile, ruleset, zone=tz):
                merge(found, alert)
    return dict(sorted(found.items()))
