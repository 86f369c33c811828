"""Withdrawal check-ins: score an instrument, keep it with every item answer, show trends.

Invariants:

* everything a person gives (instrument, answers, pulse, time, rater, note) is checked and the
  answers are scored BEFORE the writing transaction opens, so a refused check-in stores
  nothing; the assessment and its item rows then commit together or not at all;
* answers are never clamped, rounded or guessed: a value the item does not allow is refused
  with the item's name and allowed values (the scoring engine's rule);
* a COWS resting pulse may be given in beats a minute; it is turned into the item score by the
  instrument's own bpm ranges, and then the other items' answers are given without it;
* a self-entered clinician-rated instrument (COWS, OOWS) is stored as rated by ``self``;
* trends compare a score only with earlier scores of the same instrument.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from mitra.domain.checkins import ScoreRow, StoredAssessment, score_rows
from mitra.domain.entries import check_note
from mitra.domain.errors import InputError
from mitra.domain.instruments import (
    RATERS,
    Assessment,
    Instrument,
    Item,
    Rater,
    get_instrument,
    load_instruments,
    parse_answers,
    pulse_to_score,
    score,
)
from mitra.domain.profile import Profile
from mitra.domain.when import parse_when
from mitra.services.context import AppContext
from mitra.services.safety import judge_assessment
from mitra.storage.alert_store import StoredAlert
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_store import JournalStore


@dataclass(frozen=True)
class CheckinResult:
    """A stored check-in with what the person should see alongside it: the alerts the safety
    engine raised for it, and ``trend``, its comparison with earlier scores."""

    assessment: Assessment
    profile: Profile
    alerts: Sequence[StoredAlert] = ()
    id: int | None = None
    note: str | None = None
    pulse_bpm: float | None = None
    trend: ScoreRow | None = None


@dataclass(frozen=True)
class Prepared:
    """Everything about a check-in except its answers, already checked."""

    instrument: Instrument
    at: datetime
    rater: Rater
    note: str | None
    profile: Profile


def pulse_item(instrument: Instrument) -> Item | None:
    """The item scored from beats a minute (COWS resting pulse), if the instrument has one."""
    return next((item for item in instrument.items if item.bpm_ranges), None)


def parse_bpm(text: str, instrument: Instrument) -> float:
    """A pulse typed as text, e.g. "104"; refused with the pulse item named."""
    item = pulse_item(instrument)
    where = f"{instrument.short_name} item {item.number} ({item.name})" if item else "pulse"
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(
            f"{where}: {text.strip()!r} is not a number of beats a minute; e.g. 96", field="bpm"
        )
    return value


def pulse_score(instrument: Instrument, bpm: float) -> int:
    """The pulse item's score for ``bpm``; refused for an instrument without a pulse item."""
    item = pulse_item(instrument)
    if item is None:
        raise InputError(
            f"{instrument.short_name} has no pulse item; a pulse in beats a minute is taken "
            "only for COWS",
            field="bpm",
        )
    try:
        return pulse_to_score(bpm)
    except InputError as exc:
        where = f"{instrument.short_name} item {item.number} ({item.name})"
        raise InputError(f"{where}: {exc.message}", field=exc.field) from None


def _with_pulse(
    instrument: Instrument, answers: Sequence[int] | str, pulse_bpm: float | None
) -> list[int]:
    """The full answer vector, with the pulse score put in its place when given as bpm."""
    if pulse_bpm is None:
        return parse_answers(answers, instrument) if isinstance(answers, str) else list(answers)
    item_score = pulse_score(instrument, pulse_bpm)
    item = pulse_item(instrument)
    assert item is not None  # pulse_score refuses an instrument without one
    given = answers.split(",") if isinstance(answers, str) else list(answers)
    others = len(instrument.items) - 1
    if len(given) != others:
        both = len(given) == len(instrument.items)
        raise InputError(
            f"with the pulse given in beats a minute, give the other {others} "
            f"{instrument.short_name} answers, leaving out item {item.number} ({item.name}); "
            f"got {len(given)}" + (" (the pulse twice?)" if both else ""),
            field="answers",
        )
    # Put the pulse back in its place before reading, so a bad answer is named by its own item.
    if isinstance(answers, str):
        tokens = answers.split(",")
        tokens.insert(item.number - 1, str(item_score))
        return parse_answers(",".join(tokens), instrument)
    full = list(answers)
    full.insert(item.number - 1, item_score)
    return full


def _check_count(instrument: Instrument, answers: Sequence[int]) -> None:
    """Name the first missing item, and what it allows, when too few answers are given."""
    expected = len(instrument.items)
    if len(answers) >= expected:
        return  # too many is reported by the scoring engine
    missing = instrument.items[len(answers)]
    where = f"{instrument.short_name} item {missing.number} ({missing.name})"
    rest = " and after" if missing.number < expected else ""
    raise InputError(
        f"{where}{rest} missing: {instrument.short_name} has {expected} items, got "
        f"{len(answers)} answer{'' if len(answers) == 1 else 's'}; item {missing.number} "
        f"allows: {missing.allowed_text()}",
        field=missing.id,
    )


class CheckinService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def instruments(self) -> list[Instrument]:
        """Every instrument mitra offers, in a stable order (by id)."""
        return list(load_instruments().values())

    def profile(self) -> Profile:
        with self.ctx.database.read() as conn:
            return JournalStore(conn).get_profile(self.ctx.default_timezone)

    def prepare(
        self,
        instrument_id: str,
        *,
        at: str | datetime | None = None,
        rater: str = "self",
        note: str | None = None,
    ) -> Prepared:
        """Check everything but the answers; an interactive check-in calls this before asking
        the first question, so nobody answers sixteen items to be told the time was wrong."""
        instrument = get_instrument(instrument_id)
        if rater not in RATERS:
            raise InputError(f"rater must be 'self' or 'clinician'; got {rater!r}", field="rater")
        clean_note = check_note(note)
        profile = self.profile()
        now = self.ctx.now()
        if isinstance(at, datetime):
            if at.tzinfo is None or at.utcoffset() is None:
                raise InputError("times must carry a time zone", field="at")
            moment = parse_when(at.isoformat(), now=now, zone=profile.zone())
        else:
            moment = parse_when(at, now=now, zone=profile.zone())
        checked: Rater = "clinician" if rater == "clinician" else "self"
        return Prepared(instrument, moment, checked, clean_note, profile)

    def record(
        self,
        instrument_id: str,
        answers: Sequence[int] | str,
        *,
        at: str | datetime | None = None,
        rater: str = "self",
        pulse_bpm: float | None = None,
        note: str | None = None,
    ) -> CheckinResult:
        """Score and store one check-in. ``answers`` are in item order, as numbers or as text
        such as "0,1,2"; with ``pulse_bpm`` they leave out the pulse item."""
        prepared = self.prepare(instrument_id, at=at, rater=rater, note=note)
        instrument = prepared.instrument
        full = _with_pulse(instrument, answers, pulse_bpm)
        _check_count(instrument, full)
        assessment = replace(
            score(instrument, full, rater=prepared.rater, at=prepared.at), pulse_bpm=pulse_bpm
        )
        # Only now, with every input accepted, does anything get written.
        with self.ctx.database.transaction() as conn:
            store = AssessmentStore(conn)
            stored = store.add(assessment, recorded_at=self.ctx.now(), note=prepared.note)
            # Its trend needs only the baseline and the score just before it (the new row has
            # the highest id, so "before" is at or before its time): two rows by index.
            earlier = store.baseline_and_previous(
                instrument.id, assessment.at, inclusive=True, excluding=stored.id
            )
            rows = score_rows([*earlier, stored])
            alerts = judge_assessment(conn, self.ctx, assessment, prepared.profile)
        trend = next(row for row in rows if row.record.id == stored.id)
        return CheckinResult(
            assessment=assessment,
            profile=prepared.profile,
            alerts=alerts,
            id=stored.id,
            note=stored.note,
            pulse_bpm=pulse_bpm,
            trend=trend,
        )

    def scores(
        self,
        instrument_id: str | None = None,
        since: str | None = None,
        *,
        until: datetime | None = None,
    ) -> list[ScoreRow]:
        """Scores in time order, each with its change from the previous score of the same
        instrument and from the first one (the baseline); only those from ``since`` (and up
        to ``until``, included) if given.

        A window is read as its own scores plus, per instrument in it, the baseline and the
        last score before it, so the cost follows the window, not the years before it."""
        chosen = get_instrument(instrument_id).id if instrument_id is not None else None
        with self.ctx.database.read() as conn:
            profile = JournalStore(conn).get_profile(self.ctx.default_timezone)
            start = parse_when(since, now=self.ctx.now(), zone=profile.zone()) if since else None
            store = AssessmentStore(conn)
            records: list[StoredAssessment] = store.list_assessments(
                instrument_id=chosen, since=start, until=until
            )
            if start is not None:
                for instrument in sorted({r.assessment.instrument_id for r in records}):
                    records += store.baseline_and_previous(instrument, start, inclusive=False)
        # The baseline is the first score ever: inside the window it is read twice.
        records = list({r.id: r for r in records}.values())
        rows = score_rows(records)
        if start is not None:
            rows = [row for row in rows if row.assessment.at >= start]
        return rows

    def latest_scores(self, instrument_id: str | None = None) -> list[ScoreRow]:
        """The latest score of each instrument (or of one), in time order, with the same
        changes ``scores()`` gives it: from the previous score and from the baseline.

        A bounded read for pages that show only the latest: per instrument the first score
        and the last two, so its cost does not grow with years of check-ins (``scores()``
        reads every score)."""
        chosen = (
            [get_instrument(instrument_id).id]
            if instrument_id is not None
            else [i.id for i in self.instruments()]
        )
        with self.ctx.database.read() as conn:
            records = AssessmentStore(conn).latest_with_baseline(chosen)
        latest: dict[str, ScoreRow] = {}
        # With only the baseline, the previous and the latest given, the latest row's changes
        # are exactly those it has among all scores (score_rows compares with the previous
        # and the first it is given, per instrument).
        for row in score_rows(records):
            latest[row.assessment.instrument_id] = row
        return sorted(latest.values(), key=lambda r: (r.assessment.at, r.record.id))
