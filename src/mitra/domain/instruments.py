"""Withdrawal and screening instruments: the one import point for the rest of mitra.

Purpose: COWS, SOWS (Handelsman), SOWS-Gossop, OOWS, PHQ-2, GAD-2 and a 0-100 craving VAS are
kept as reviewed TOML data (``mitra/data/instruments/``), not as code, and scored by one small
pure engine. Records and loading live in ``instrument_defs``; scoring in ``scoring``.

Invariants:

* every instrument definition is checked when loaded (totals equal the sums of item extremes,
  bands contiguous and inside the total range, ids unique); a broken file raises ValueError
  naming the file, so a bad edit cannot reach a person;
* scoring refuses, with an ``InputError`` naming the item and its allowed values, any answer the
  instrument does not allow; it never clamps or rounds an answer;
* a band is reported only where the instrument's own table has one (SOWS, SOWS-Gossop, OOWS and
  the craving VAS have none; COWS 0-4 has none);
* nothing here imports a framework or a database.
"""

from __future__ import annotations

from mitra.domain.instrument_defs import (
    FORBIDDEN_LOINC,
    RATERS,
    Answer,
    Assessment,
    Band,
    BpmRange,
    Instrument,
    Interpretation,
    Item,
    Rater,
    instrument_from_toml,
    load_instruments,
)
from mitra.domain.scoring import (
    band_for,
    get_instrument,
    interpretation_for,
    parse_answers,
    pulse_to_score,
    score,
)

__all__ = [
    "FORBIDDEN_LOINC",
    "RATERS",
    "Answer",
    "Assessment",
    "Band",
    "BpmRange",
    "Instrument",
    "Interpretation",
    "Item",
    "Rater",
    "band_for",
    "get_instrument",
    "instrument_from_toml",
    "interpretation_for",
    "load_instruments",
    "parse_answers",
    "pulse_to_score",
    "score",
]
