"""Withdrawal and screening instruments: the records, and loading them from reviewed data.

Each instrument (COWS, SOWS, SOWS-Gossop, OOWS, PHQ-2, GAD-2, craving VAS) is one TOML file in
``mitra/data/instruments/``, written so that a clinician can review it without reading Python.
This module turns those files into frozen records and refuses a broken file outright.

Invariants checked on every load (a broken file raises ``ValueError`` naming the file):

* the instrument id equals the file name, ids and item ids are unique, items are numbered 1..n;
* every item lists its allowed scores in increasing order (a continuous scale such as the
  craving VAS lists its two anchored ends plus a ``step``);
* ``min_total`` and ``max_total`` equal the sums of the item minima and maxima;
* bands are contiguous, non-overlapping and inside [min_total, max_total] (they need not cover
  it: COWS 0-4 has no band), and each band has its own interpretation text;
* interpretation ranges cover [min_total, max_total] exactly, so every total has plain words;
* a clinician-rated instrument explains self-entry in ``rater_note``; the COWS pulse item maps
  beats a minute to its scores; LOINC 72514-3 (a pain score, not COWS) is never accepted.

Pure apart from reading the package's own data files; no database, web or CLI code.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal, NoReturn, TypeVar, cast

Rater = Literal["self", "clinician"]
OfferEvery = Literal["check-in", "weekly"]
ChangeBasis = Literal["published", "judgement"]

RATERS: tuple[Rater, ...] = ("self", "clinician")
OFFER_EVERY: tuple[OfferEvery, ...] = ("check-in", "weekly")
CHANGE_BASES: tuple[ChangeBasis, ...] = ("published", "judgement")
# LOINC 72514-3 is a 0-10 pain score that one public repository mislabels "COWS total".
FORBIDDEN_LOINC = frozenset({"72514-3"})

_T = TypeVar("_T", bound=str)
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LOINC = re.compile(r"[0-9]{1,7}-[0-9]")


@dataclass(frozen=True, slots=True)
class Answer:
    """One allowed score of an item and the words that anchor it."""

    score: int
    anchor: str


@dataclass(frozen=True, slots=True)
class BpmRange:
    """Beats a minute (inclusive; ``None`` means open-ended) that give one pulse score."""

    score: int
    min_bpm: int | None
    max_bpm: int | None


@dataclass(frozen=True, slots=True)
class Item:
    """One question or observed sign. ``label`` is the short name used in messages."""

    id: str
    number: int
    text: str
    answers: tuple[Answer, ...]
    bpm_ranges: tuple[BpmRange, ...] | None = None
    label: str = ""
    scale: str | None = None
    step: int | None = None
    loinc: str | None = None  # a standard code for this one question, where one exists
    # An answer at or above this score is a crisis signal shown at once (PHQ-9 item 9: any
    # answer above "not at all"), whatever the total.
    crisis_at: int | None = None

    @property
    def name(self) -> str:
        return self.label or self.text

    @property
    def minimum(self) -> int:
        return self.answers[0].score

    @property
    def maximum(self) -> int:
        return self.answers[-1].score

    @property
    def allowed(self) -> tuple[int, ...]:
        """Every score this item accepts, lowest first."""
        if self.step is None:
            return tuple(answer.score for answer in self.answers)
        return tuple(range(self.minimum, self.maximum + 1, self.step))

    def accepts(self, value: int) -> bool:
        if self.step is None:
            return any(answer.score == value for answer in self.answers)
        return self.minimum <= value <= self.maximum and (value - self.minimum) % self.step == 0

    def allowed_text(self) -> str:
        """The allowed scores as a person would read them: "0, 1, 2, 4"."""
        if self.step is None:
            return ", ".join(str(answer.score) for answer in self.answers)
        if self.step == 1:
            return f"whole numbers from {self.minimum} to {self.maximum}"
        return f"{self.minimum} to {self.maximum} in steps of {self.step}"


@dataclass(frozen=True, slots=True)
class Band:
    """A named severity range of the total, inclusive at both ends."""

    min: int
    max: int
    label: str
    meaning: str

    def contains(self, total: int) -> bool:
        return self.min <= total <= self.max


@dataclass(frozen=True, slots=True)
class Interpretation:
    """Plain, calm words for the totals from ``min`` to ``max`` inclusive."""

    min: int
    max: int
    text: str


@dataclass(frozen=True, slots=True)
class Instrument:
    """One instrument as its reviewed data file defines it."""

    id: str
    version: str
    name: str
    short_name: str
    rater: Rater
    rater_note: str | None
    recall: str
    offer_every: OfferEvery
    instructions: str
    citation: str
    sources: tuple[str, ...]
    licence_note: str
    min_total: int
    max_total: int
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    bands_source: str | None
    meaningful_change: int
    meaningful_change_basis: ChangeBasis
    meaningful_change_source: str
    meaningful_change_note: str
    interpretations: tuple[Interpretation, ...]
    loinc: str | None = None
    positive_at: int | None = None
    panel_loinc: str | None = None  # the questionnaire as a whole (PHQ-9: 44249-1)
    # The longer instrument a positive screen leads to (PHQ-2 -> PHQ-9).
    positive_follow_up: str | None = None

    def crisis_items(self, items: tuple[tuple[str, int], ...]) -> tuple[Item, ...]:
        """The items of a scored check-in whose answers are crisis signals."""
        found = []
        for item_id, score in items:
            item = self.item(item_id)
            if item.crisis_at is not None and score >= item.crisis_at:
                found.append(item)
        return tuple(found)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


@dataclass(frozen=True, slots=True)
class Assessment:
    """One scored use of an instrument. ``items`` pairs item ids with scores in item order;
    ``source`` is the citation of the instrument; ``positive_screen`` is None when the
    instrument has no screening threshold."""

    instrument_id: str
    instrument_version: str
    total: int
    band: str | None
    band_meaning: str | None
    items: tuple[tuple[str, int], ...]
    rater: Rater
    at: datetime
    interpretation: str
    source: str
    positive_screen: bool | None
    # The resting pulse in beats a minute when one was given (COWS): the item score stops at
    # "over 120", and the safety rule on a fast resting pulse needs the number itself.
    pulse_bpm: float | None = None


# ---------------------------------------------------------------------------------------------
# Reading one file


def _fail(where: str, message: str) -> NoReturn:
    raise ValueError(f"{where}: {message}")


def _keys(table: Mapping[str, Any], where: str, required: set[str], optional: set[str]) -> None:
    missing = sorted(required - table.keys())
    if missing:
        _fail(where, f"missing {', '.join(missing)}")
    unknown = sorted(table.keys() - required - optional)
    if unknown:
        _fail(where, f"unknown key(s) {', '.join(unknown)}")


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        _fail(where, f"{key} must be non-empty text")
    return value


def _opt_text(table: Mapping[str, Any], key: str, where: str) -> str | None:
    return _text(table, key, where) if key in table else None


def _int(table: Mapping[str, Any], key: str, where: str) -> int:
    value = table[key]
    if not isinstance(value, int) or isinstance(value, bool):
        _fail(where, f"{key} must be a whole number")
    return value


def _opt_int(table: Mapping[str, Any], key: str, where: str) -> int | None:
    return _int(table, key, where) if key in table else None


def _tables(table: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        _fail(where, f"{key} must be an array of tables")
    return cast("list[Mapping[str, Any]]", value)


def _choice(table: Mapping[str, Any], key: str, where: str, choices: tuple[_T, ...]) -> _T:
    value = table[key]
    if value not in choices:
        _fail(where, f"{key} must be one of {', '.join(choices)}; got {value!r}")
    return cast("_T", value)


def _answer(row: Mapping[str, Any], where: str) -> Answer:
    _keys(row, where, {"score", "anchor"}, set())
    score = _int(row, "score", where)
    if score < 0:
        _fail(where, f"score {score} is negative")
    return Answer(score, _text(row, "anchor", where))


def _bpm_range(row: Mapping[str, Any], where: str) -> BpmRange:
    _keys(row, where, {"score"}, {"min_bpm", "max_bpm"})
    return BpmRange(
        _int(row, "score", where), _opt_int(row, "min_bpm", where), _opt_int(row, "max_bpm", where)
    )


def _check_bpm(ranges: tuple[BpmRange, ...], item: Item, where: str) -> None:
    if [r.score for r in ranges] != list(item.allowed):
        _fail(where, "bpm_ranges must give one range per allowed score, in order")
    if ranges[0].min_bpm is not None or ranges[-1].max_bpm is not None:
        _fail(where, "bpm_ranges must be open-ended at both ends")
    for low, high in itertools.pairwise(ranges):
        if low.max_bpm is None or high.min_bpm != low.max_bpm + 1:
            _fail(where, "bpm_ranges must be contiguous")
        if high.max_bpm is not None and high.max_bpm < high.min_bpm:
            _fail(where, "a bpm range ends before it starts")


def _item(row: Mapping[str, Any], where: str) -> Item:
    _keys(
        row,
        where,
        {"id", "number", "label", "text", "answers"},
        {"bpm_ranges", "scale", "step", "loinc", "crisis_at"},
    )
    answers = tuple(
        _answer(a, f"{where}.answers[{i}]") for i, a in enumerate(_tables(row, "answers", where))
    )
    if len(answers) < 2:
        _fail(where, "an item needs at least two answers")
    scores = [a.score for a in answers]
    if scores != sorted(set(scores)):
        _fail(where, "answer scores must be unique and in increasing order")
    step = _opt_int(row, "step", where)
    if step is not None and (step <= 0 or any((s - scores[0]) % step for s in scores)):
        _fail(where, "step must be positive and every anchored score must lie on a step")
    ranges = tuple(
        _bpm_range(r, f"{where}.bpm_ranges[{i}]")
        for i, r in enumerate(_tables(row, "bpm_ranges", where))
    )
    item = Item(
        id=_text(row, "id", where),
        number=_int(row, "number", where),
        text=_text(row, "text", where),
        answers=answers,
        bpm_ranges=ranges or None,
        label=_text(row, "label", where),
        scale=_opt_text(row, "scale", where),
        step=step,
        loinc=_opt_text(row, "loinc", where),
        crisis_at=_opt_int(row, "crisis_at", where),
    )
    if not _SLUG.fullmatch(item.id):
        _fail(where, f"item id {item.id!r} must be a lower-case slug such as 'resting-pulse'")
    if ranges:
        _check_bpm(ranges, item, where)
    if item.crisis_at is not None and item.crisis_at not in scores[1:]:
        _fail(where, "crisis_at must be one of the item's scores above its lowest")
    return item


def _ranges_check(ranges: list[tuple[int, int]], where: str, what: str) -> None:
    for low, high in ranges:
        if low > high:
            _fail(where, f"{what} {low}-{high} ends before it starts")
    for (_, prev_max), (next_min, _) in itertools.pairwise(ranges):
        if next_min != prev_max + 1:
            _fail(where, f"{what}s must be contiguous, in order and not overlap")


def _check_instrument(inst: Instrument, where: str) -> None:
    if not _SLUG.fullmatch(inst.id):
        _fail(where, f"id {inst.id!r} must be a lower-case slug")
    if [item.number for item in inst.items] != list(range(1, len(inst.items) + 1)):
        _fail(where, "items must be numbered 1, 2, 3 ... in order")
    ids = [item.id for item in inst.items]
    if len(set(ids)) != len(ids):
        _fail(where, "item ids must be unique")
    if inst.min_total != sum(item.minimum for item in inst.items):
        _fail(where, "min_total is not the sum of the item minima")
    if inst.max_total != sum(item.maximum for item in inst.items):
        _fail(where, "max_total is not the sum of the item maxima")
    bands = [(b.min, b.max) for b in inst.bands]
    _ranges_check(bands, where, "band")
    if bands and (bands[0][0] < inst.min_total or bands[-1][1] > inst.max_total):
        _fail(where, f"bands must lie inside {inst.min_total}-{inst.max_total}")
    if len({b.label for b in inst.bands}) != len(bands):
        _fail(where, "band labels must be unique")
    if bool(bands) != (inst.bands_source is not None):
        _fail(where, "bands_source is required with bands, and only with bands")
    spans = [(i.min, i.max) for i in inst.interpretations]
    _ranges_check(spans, where, "interpretation")
    if not spans or spans[0][0] != inst.min_total or spans[-1][1] != inst.max_total:
        _fail(where, f"interpretations must cover {inst.min_total}-{inst.max_total} exactly")
    if not set(bands) <= set(spans):
        _fail(where, "every band needs an interpretation with exactly its range")
    if inst.positive_at is not None and not inst.min_total < inst.positive_at <= inst.max_total:
        _fail(where, "positive_at must lie inside the total range")
    if not 0 < inst.meaningful_change <= inst.max_total - inst.min_total:
        _fail(where, "meaningful_change must be positive and inside the total range")
    for code in (inst.loinc, inst.panel_loinc, *(item.loinc for item in inst.items)):
        if code is not None and (not _LOINC.fullmatch(code) or code in FORBIDDEN_LOINC):
            _fail(where, f"loinc {code!r} is not an acceptable LOINC code for this instrument")
    if inst.rater == "clinician" and inst.rater_note is None:
        _fail(where, "a clinician-rated instrument needs a rater_note about self-entry")


_TOP_REQUIRED = {
    "id", "version", "name", "short_name", "rater", "recall", "offer_every", "instructions",
    "citation", "sources", "licence_note", "min_total", "max_total", "items",
    "meaningful_change", "meaningful_change_basis", "meaningful_change_source",
    "meaningful_change_note", "interpretations",
}  # fmt: skip
_TOP_OPTIONAL = {
    "rater_note", "bands", "bands_source", "loinc", "positive_at", "panel_loinc",
    "positive_follow_up",
}  # fmt: skip


def instrument_from_toml(text: str, *, file: str) -> Instrument:
    """Parse and check one instrument definition; ``file`` names it in every error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{file}: not valid TOML ({exc})") from exc
    _keys(data, file, _TOP_REQUIRED, _TOP_OPTIONAL)
    sources = data["sources"]
    if not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
        _fail(file, "sources must be a list of non-empty texts")
    items = tuple(
        _item(row, f"{file} items[{i}]") for i, row in enumerate(_tables(data, "items", file))
    )
    if not items:
        _fail(file, "an instrument needs at least one item")
    bands = []
    for i, row in enumerate(_tables(data, "bands", file)):
        where = f"{file} bands[{i}]"
        _keys(row, where, {"min", "max", "label", "meaning"}, set())
        bands.append(
            Band(_int(row, "min", where), _int(row, "max", where),
                 _text(row, "label", where), _text(row, "meaning", where))
        )  # fmt: skip
    interpretations = []
    for i, row in enumerate(_tables(data, "interpretations", file)):
        where = f"{file} interpretations[{i}]"
        _keys(row, where, {"min", "max", "text"}, set())
        interpretations.append(
            Interpretation(
                _int(row, "min", where), _int(row, "max", where), _text(row, "text", where)
            )
        )
    instrument = Instrument(
        id=_text(data, "id", file),
        version=_text(data, "version", file),
        name=_text(data, "name", file),
        short_name=_text(data, "short_name", file),
        rater=_choice(data, "rater", file, RATERS),
        rater_note=_opt_text(data, "rater_note", file),
        recall=_text(data, "recall", file),
        offer_every=_choice(data, "offer_every", file, OFFER_EVERY),
        instructions=_text(data, "instructions", file),
        citation=_text(data, "citation", file),
        sources=tuple(sources),
        licence_note=_text(data, "licence_note", file),
        min_total=_int(data, "min_total", file),
        max_total=_int(data, "max_total", file),
        items=items,
        bands=tuple(bands),
        bands_source=_opt_text(data, "bands_source", file),
        meaningful_change=_int(data, "meaningful_change", file),
        meaningful_change_basis=_choice(data, "meaningful_change_basis", file, CHANGE_BASES),
        meaningful_change_source=_text(data, "meaningful_change_source", file),
        meaningful_change_note=_text(data, "meaningful_change_note", file),
        interpretations=tuple(interpretations),
        loinc=_opt_text(data, "loinc", file),
        positive_at=_opt_int(data, "positive_at", file),
        panel_loinc=_opt_text(data, "panel_loinc", file),
        positive_follow_up=_opt_text(data, "positive_follow_up", file),
    )
    _check_instrument(instrument, file)
    return instrument


@functools.cache
def load_instruments() -> Mapping[str, Instrument]:
    """Every instrument in ``mitra/data/instruments``, keyed by id (read once, then cached)."""
    folder = resources.files("mitra.data") / "instruments"
    found: dict[str, Instrument] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        instrument = instrument_from_toml(entry.read_text(encoding="utf-8"), file=entry.name)
        if instrument.id != entry.name.removesuffix(".toml"):
            _fail(entry.name, f"id {instrument.id!r} does not match the file name")
        if instrument.id in found:
            _fail(entry.name, f"id {instrument.id!r} is used by another file")
        found[instrument.id] = instrument
    if not found:
        raise ValueError("no instrument files found in mitra/data/instruments")
    for instrument in found.values():
        follow = instrument.positive_follow_up
        if follow is not None and (follow not in found or instrument.positive_at is None):
            _fail(instrument.id, f"positive_follow_up {follow!r} needs a screen and a known id")
    return MappingProxyType(found)
