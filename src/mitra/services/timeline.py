"""The withdrawal-timeline use case: where a person probably is since their last opioid use,
overlaid with their own withdrawal scores.

Which last use counts: the latest opioid in the journal, typed by the substance catalogue's
``release`` field (``timeline.opioid_type_of``); while the person is tapering kratom (an active
taper plan, or the "taper-kratom" goal in the profile) a kratom dose counts as an opioid use
too, with kratom's own timeline, and the latest of all wins. The other kind's last use, when
there is one, is shown beside it (e.g. the oxycodone a month ago while tapering kratom).

Invariants: every window keeps its certainty and sources (lay-source timelines say "low");
scores are listed only from the last use on, each with the hours since that use and the phase
it fell in, so a person can set their own course against the typical one; the alternatives
(buprenorphine or methadone with a clinician, with the ASAM timing) always come with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from mitra.domain import timeline as tl
from mitra.domain.entries import DoseEntry, Entry, Kind
from mitra.domain.instrument_defs import Assessment
from mitra.domain.plan_model import alternatives
from mitra.domain.substances import SubstanceClass
from mitra.domain.timeline import OpioidType, Phase, Timeline
from mitra.services.context import AppContext
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_store import JournalStore
from mitra.storage.plan_store import PlanStore

WITHDRAWAL_SCALES = ("cows", "sows-gossop", "sows", "oows")
TAPER_GOAL = "taper-kratom"


@dataclass(frozen=True)
class ScorePoint:
    """One of the person's scores on the timeline."""

    assessment: Assessment
    hours_since_last_use: float
    phase: Phase


@dataclass(frozen=True)
class LastUse:
    entry: Entry
    opioid_type: OpioidType
    timeline: Timeline


@dataclass(frozen=True)
class TimelineReport:
    now: datetime
    zone: ZoneInfo
    tapering: bool
    primary: LastUse | None
    others: tuple[LastUse, ...]
    scores: tuple[ScorePoint, ...]
    alternatives: str
    message: str


class TimelineService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def timeline(self) -> TimelineReport:
        now = self.ctx.now()
        with self.ctx.database.read() as conn:
            journal = JournalStore(conn)
            profile = journal.get_profile(self.ctx.default_timezone)
            active = PlanStore(conn).active()
            tapering = (active is not None and active.plan.kind == "taper") or (
                TAPER_GOAL in profile.goals
            )
            # The newest opioid substance, and while tapering the newest kratom dose: one row
            # each, so the page that shows the phase does not read years of doses.
            candidates = [
                journal.last_entry(
                    Kind.SUBSTANCE, until=now, substance_class=SubstanceClass.OPIOID.value
                )
            ]
            if tapering:
                candidates.append(journal.last_entry(Kind.DOSE, until=now))
            last = {
                ("kratom" if isinstance(entry, DoseEntry) else "opioid"): entry
                for entry in candidates
                if entry is not None and tl.opioid_type_of(entry) is not None
            }
            uses = sorted(last.values(), key=lambda e: e.at, reverse=True)
            scores: list[Assessment] = []
            if uses:
                store = AssessmentStore(conn)
                for scale in WITHDRAWAL_SCALES:
                    scores += [
                        s.assessment
                        for s in store.list_assessments(
                            instrument_id=scale, since=uses[0].at, until=now
                        )
                    ]
        text, _ = alternatives()
        found = [_last_use(entry, now) for entry in uses]
        if not found:
            message = (
                "No opioid use is logged yet (log one with 'mitra log substance NAME AMOUNT'). "
                "Kratom counts when you are tapering it: 'mitra plan new taper'."
            )
            return TimelineReport(now, profile.zone(), tapering, None, (), (), text, message)
        primary = found[0]
        points = [
            ScorePoint(
                a,
                (a.at - primary.entry.at).total_seconds() / 3600,
                tl.timeline_for(primary.entry.at, primary.opioid_type, a.at).phase,
            )
            for a in sorted(scores, key=lambda a: a.at)
        ]
        return TimelineReport(
            now,
            profile.zone(),
            tapering,
            primary,
            tuple(found[1:]),
            tuple(points),
            text,
            _phase_text(primary.timeline),
        )


def _phase_text(timeline: Timeline) -> str:
    """What the phase means; after fentanyl, whose sources name no peak, "onset" means that
    withdrawal may be starting or under way, not that it typically starts now."""
    no_peak = timeline.windows[1].low_h is None
    if timeline.phase == "onset" and no_peak:
        return tl.FENTANYL_ONSET_TEXT
    return tl.PHASE_TEXT[timeline.phase]


def _last_use(entry: Entry, now: datetime) -> LastUse:
    opioid_type = tl.opioid_type_of(entry)
    assert opioid_type is not None  # only opioid uses are collected
    return LastUse(entry, opioid_type, tl.timeline_for(entry.at, opioid_type, now))
