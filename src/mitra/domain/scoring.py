"""Scoring withdrawal and screening instruments: pure functions over the reviewed definitions.

Invariants:

* a score is only ever made from a complete answer vector, one allowed value per item, in item
  order; anything else raises ``InputError`` naming the item and what it allows, and nothing is
  clamped, rounded or guessed (COWS pulse has no 3: a 3 is refused, not read as 2 or 4);
* the total is the plain sum of the item scores and always lies in [min_total, max_total];
* a band comes only from the instrument's own table (COWS 0-4 has none), never from a formula;
* every assessment carries a timezone-aware time, who rated it, the instrument version and the
  citation, so a stored score can always be traced back to what produced it.

No database, web or CLI code; no clock (the caller passes ``at``).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from datetime import datetime

from mitra.domain.errors import InputError, NotFoundError
from mitra.domain.instrument_defs import (
    RATERS,
    Assessment,
    Band,
    Instrument,
    Item,
    Rater,
    load_instruments,
)

MAX_PULSE_BPM = 250
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def get_instrument(instrument_id: str) -> Instrument:
    """The instrument with this id; an unknown id names the accepted ones."""
    instruments = load_instruments()
    key = instrument_id.strip().lower() if isinstance(instrument_id, str) else instrument_id
    if not isinstance(key, str) or key not in instruments:
        accepted = ", ".join(instruments)
        raise NotFoundError(
            f"no instrument called {instrument_id!r}; accepted: {accepted}", field="instrument"
        )
    return instruments[key]


def _item_where(instrument: Instrument, item: Item) -> str:
    return f"{instrument.short_name} item {item.number} ({item.name})"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _check_total(instrument: Instrument, total: int) -> None:
    if not isinstance(total, int) or isinstance(total, bool):
        raise InputError(
            f"a {instrument.short_name} total must be a whole number; got {total!r}", field="total"
        )
    if not instrument.min_total <= total <= instrument.max_total:
        raise InputError(
            f"a {instrument.short_name} total must be from {instrument.min_total} to "
            f"{instrument.max_total}; got {total}",
            field="total",
        )


def band_for(instrument: Instrument, total: int) -> Band | None:
    """The band holding ``total``, or None where the table has none (e.g. COWS 0-4)."""
    _check_total(instrument, total)
    for band in instrument.bands:
        if band.contains(total):
            return band
    return None


def interpretation_for(instrument: Instrument, total: int) -> str:
    """The plain-words reading of ``total`` from the instrument's data file."""
    _check_total(instrument, total)
    for interpretation in instrument.interpretations:
        if interpretation.min <= total <= interpretation.max:
            return interpretation.text
    raise AssertionError("interpretations are checked to cover every total on load")


def _checked_answer(instrument: Instrument, item: Item, value: object) -> int:
    where = _item_where(instrument, item)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(
            f"{where}: {value!r} is not a whole number; allowed: {item.allowed_text()}",
            field=item.id,
        )
    score = int(value)
    if not item.accepts(score):
        raise InputError(
            f"{where}: {score} is not allowed; allowed: {item.allowed_text()}", field=item.id
        )
    return score


def score(
    instrument: Instrument, answers: Sequence[int], *, rater: Rater, at: datetime
) -> Assessment:
    """Score one complete set of answers, given in item order."""
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise InputError(
            f"{instrument.short_name} answers must be a list of whole numbers, one per item "
            "(use parse_answers for text such as '0,1,2')",
            field="answers",
        )
    expected = len(instrument.items)
    if len(answers) != expected:
        raise InputError(
            f"{instrument.short_name} has {_count(expected, 'item')}; "
            f"got {_count(len(answers), 'answer')}",
            field="answers",
        )
    if rater not in RATERS:
        raise InputError(f"rater must be 'self' or 'clinician'; got {rater!r}", field="rater")
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InputError(
            f"the time of an assessment must be a date and time with a time zone; got {at!r}",
            field="at",
        )
    scores = tuple(
        _checked_answer(instrument, item, value)
        for item, value in zip(instrument.items, answers, strict=True)
    )
    total = sum(scores)
    band = band_for(instrument, total)
    return Assessment(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        total=total,
        band=band.label if band else None,
        band_meaning=band.meaning if band else None,
        items=tuple((item.id, s) for item, s in zip(instrument.items, scores, strict=True)),
        rater=rater,
        at=at,
        interpretation=interpretation_for(instrument, total),
        source=instrument.citation,
        positive_screen=None if instrument.positive_at is None else total >= instrument.positive_at,
    )


def parse_answers(text: str, instrument: Instrument | None = None) -> list[int]:
    """Read answers typed as "a,b,c" (spaces allowed around each). With ``instrument``, a
    value that is not a whole number is reported against the item it was meant for."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(
            "no answers given; type the scores separated by commas, e.g. 0,1,2", field="answers"
        )
    values: list[int] = []
    for position, part in enumerate(text.split(","), start=1):
        token = part.strip()
        if _WHOLE_NUMBER.fullmatch(token):
            values.append(int(token))
            continue
        if instrument is not None and position <= len(instrument.items):
            item = instrument.items[position - 1]
            where = _item_where(instrument, item)
            allowed = f"; allowed: {item.allowed_text()}"
        else:
            where, allowed = f"answer {position}", ""
        shown = repr(token) if token else "nothing"
        raise InputError(f"{where}: {shown} is not a whole number{allowed}", field="answers")
    return values


def pulse_to_score(bpm: float) -> int:
    """COWS item 1 score for a resting pulse in beats a minute.

    A fractional reading is first rounded to the nearest whole beat (half up), since the COWS
    ranges are whole beats: 80.4 counts as 80 (score 0), 80.5 as 81 (score 1).
    """
    given: object = bpm  # callers outside the type checker may pass anything
    if isinstance(given, bool) or not isinstance(given, numbers.Real):
        raise InputError(f"a pulse must be a number of beats a minute; got {given!r}", field="bpm")
    value = float(given)
    if math.isnan(value) or value <= 0 or value > MAX_PULSE_BPM:
        raise InputError(
            f"a resting pulse must be above 0 and at most {MAX_PULSE_BPM} beats a minute; "
            f"got {bpm}",
            field="bpm",
        )
    whole = math.floor(value + 0.5)
    pulse_item = next(item for item in get_instrument("cows").items if item.bpm_ranges)
    for bpm_range in pulse_item.bpm_ranges or ():
        if bpm_range.max_bpm is None or whole <= bpm_range.max_bpm:
            return bpm_range.score
    raise AssertionError("the COWS pulse ranges are checked to be open-ended on load")
