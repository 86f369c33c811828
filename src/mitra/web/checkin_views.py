"""Check-in scores as the pages show them: the latest per instrument, when it was, whether a
weekly screen is due, and each instrument's chart scale.

Pure functions over what ``CheckinService`` returns (score rows and instruments), shared by the
check-in, today and trends pages. Words about a change stay in the templates
(``checkin_macros.html``); this module only picks and orders.

Invariants: nothing here compares scores of different instruments; "due" is offered only for
weekly screens (PHQ-2, GAD-2: they ask about the past 2 weeks), never as a reminder to check in
more often; a chart scale carries only the bands and screening cut-off the instrument has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mitra import charts
from mitra.domain.checkins import ScoreRow
from mitra.domain.instruments import Instrument, load_instruments

WEEK = timedelta(days=7)

# The order pages list instruments in: withdrawal scales first (the short self-report one
# leading), then craving, then the weekly screens. Instruments not named here follow by id.
ORDER = ("sows-gossop", "cows", "sows", "oows", "craving", "phq2", "phq9", "gad2")

RATER_WORDS = {
    "self": "you",
    "clinician": "a clinician or trained helper",
}
OFFER_WORDS = {
    "check-in": "at any check-in",
    "weekly": "once a week",
}
BASIS_WORDS = {"published": "a published figure", "judgement": "mitra's judgement"}


def ordered(instruments: Iterable[Instrument]) -> list[Instrument]:
    def rank(instrument: Instrument) -> tuple[int, str]:
        known = instrument.id in ORDER
        return (ORDER.index(instrument.id) if known else len(ORDER), instrument.id)

    return sorted(instruments, key=rank)


def latest_rows(rows: Iterable[ScoreRow]) -> dict[str, ScoreRow]:
    """The last score of each instrument among ``rows`` (which come in time order)."""
    found: dict[str, ScoreRow] = {}
    for row in rows:
        found[row.assessment.instrument_id] = row
    return found


def rows_of(rows: Iterable[ScoreRow], instrument_id: str) -> list[ScoreRow]:
    return [row for row in rows if row.assessment.instrument_id == instrument_id]


def weekly_due(
    instrument: Instrument,
    last: ScoreRow | None,
    now: datetime,
    latest: Mapping[str, ScoreRow] | None = None,
) -> bool:
    """Whether a weekly screen is due: never done, or last done a week or more ago. A longer
    questionnaire that a positive screen leads to (the PHQ-9 after the PHQ-2) is due only
    after such a screen newer than its own last use."""
    if instrument.offer_every != "weekly":
        return False
    screens = [i for i in load_instruments().values() if i.positive_follow_up == instrument.id]
    if screens:
        rows = [(latest or {}).get(screen.id) for screen in screens]
        return any(
            row is not None
            and row.assessment.positive_screen is True
            and (last is None or row.assessment.at > last.assessment.at)
            for row in rows
        )
    return last is None or now - last.assessment.at >= WEEK


def next_weekly(last: ScoreRow) -> datetime:
    return last.assessment.at + WEEK


def score_scale(instrument: Instrument) -> charts.ScoreScale:
    """The chart scale of an instrument: its range, its own bands, its screening cut-off."""
    return charts.ScoreScale(
        name=instrument.short_name,
        min_total=instrument.min_total,
        max_total=instrument.max_total,
        bands=tuple(charts.ScoreBand(b.min, b.max, b.label) for b in instrument.bands),
        positive_at=instrument.positive_at,
    )


@dataclass(frozen=True, slots=True)
class ScoreChart:
    """One instrument's chart on a page: its scores in local time, drawn wide and narrow."""

    instrument: Instrument
    rows: list[ScoreRow]
    wide: str
    narrow: str


def local_naive(moment: datetime, zone: ZoneInfo) -> datetime:
    """Local wall-clock time without a zone, as the charts label it."""
    return moment.astimezone(zone).replace(tzinfo=None)


def score_charts(
    instruments: Sequence[Instrument],
    rows: Sequence[ScoreRow],
    zone: ZoneInfo,
    *,
    start: datetime,
    end: datetime,
) -> list[ScoreChart]:
    """A chart for each instrument with scores in ``rows``, over the period ``start``-``end``
    (aware times), in the colours of the page's scheme."""
    drawn = []
    first, last = local_naive(start, zone), local_naive(end, zone)
    for instrument in ordered(instruments):
        mine = rows_of(rows, instrument.id)
        if not mine:
            continue
        times = [local_naive(row.assessment.at, zone) for row in mine]
        totals = [row.assessment.total for row in mine]
        scale = score_scale(instrument)
        drawn.append(
            ScoreChart(
                instrument=instrument,
                rows=mine,
                wide=charts.instrument_scores_svg(
                    times, totals, scale, start=first, end=last, theme=charts.PAGE
                ),
                # A phone has no room for band names beside the axis; the caption names them.
                narrow=charts.instrument_scores_svg(
                    times,
                    totals,
                    scale,
                    start=first,
                    end=last,
                    line_labels=False,
                    theme=charts.PAGE,
                    size=charts.NARROW,
                ),
            )
        )
    return drawn
