"""Withdrawal timelines: what to expect after the last use of an opioid, and when.

Purpose: tell a person where they probably are in withdrawal (before onset, onset, peak, easing,
protracted) for the kind of opioid they last used, with the typical windows, how certain those
are, and the sources; and, for each kind, the published timing of a buprenorphine start, which
mitra always offers as an alternative path with a clinician.

Invariants:

* windows, certainty and sources come only from ``data/timelines.toml``; lay-source timelines
  (buprenorphine, kratom) are labelled low certainty;
* "before-onset" is shown only before the EARLIEST onset any source gives, and never for
  fentanyl, whose onset the sources call variable: mitra does not tell someone withdrawal
  "has not started" when a source says it may have;
* an opioid the catalogue does not place maps to "long-acting" (later onset, longer buprenorphine
  wait: the cautious reading); non-opioids map to None;
* pure: ``now`` is injected; no framework or database.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast, get_args

from mitra.domain import catalogue_data, substances
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.errors import InputError
from mitra.domain.substances import SubstanceClass

OpioidType = Literal[
    "short-acting", "long-acting", "methadone", "buprenorphine", "fentanyl", "kratom"
]
Phase = Literal["before-onset", "onset", "peak", "easing", "protracted"]
Certainty = Literal["moderate", "low"]
WindowName = Literal["onset", "peak", "acute"]

OPIOID_TYPES: tuple[OpioidType, ...] = get_args(OpioidType)
PHASES: tuple[Phase, ...] = get_args(Phase)
# A last use a few minutes "in the future" is a clock difference between devices, not an error.
CLOCK_ALLOWANCE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Window:
    """One window in hours since last use; ``None`` where the sources give no figure."""

    name: WindowName
    low_h: float | None
    high_h: float | None
    published: str
    other_low_h: float | None = None
    other_high_h: float | None = None
    other_published: str | None = None

    @property
    def earliest_h(self) -> float | None:
        """The earliest low any source gives (the cautious start of the window)."""
        lows = [v for v in (self.low_h, self.other_low_h) if v is not None]
        return min(lows) if lows else None

    def describe(self) -> str:
        text = f"{self.name}: {self.published}"
        return f"{text} ({self.other_published})" if self.other_published else text


@dataclass(frozen=True, slots=True)
class TimelineSpec:
    """A kind of opioid's typical timeline, as the data file gives it."""

    opioid_type: OpioidType
    label: str
    certainty: Certainty
    sources: tuple[str, ...]
    onset: Window
    peak: Window
    acute: Window
    buprenorphine_start: str
    buprenorphine_sources: tuple[str, ...]
    note: str

    @property
    def windows(self) -> tuple[Window, ...]:
        return (self.onset, self.peak, self.acute)


@dataclass(frozen=True, slots=True)
class Timeline:
    """Where a person probably is, ``hours_since_last_use`` after their last use."""

    opioid_type: OpioidType
    label: str
    phase: Phase
    hours_since_last_use: float
    windows: tuple[Window, ...]
    certainty: Certainty
    sources: tuple[str, ...]
    note: str
    buprenorphine_start: str


def _number(value: object) -> float | None:
    return None if value is None else float(cast(float, value))


def _window(name: WindowName, row: dict[str, Any]) -> Window:
    return Window(
        name=name,
        low_h=_number(row.get("low_h")),
        high_h=_number(row.get("high_h")),
        published=str(row["published"]),
        other_low_h=_number(row.get("other_low_h")),
        other_high_h=_number(row.get("other_high_h")),
        other_published=row.get("other_published"),
    )


@functools.cache
def specs() -> dict[OpioidType, TimelineSpec]:
    """Every timeline of ``data/timelines.toml``, checked: a broken file raises ValueError."""
    data = catalogue_data.load("timelines")
    found: dict[OpioidType, TimelineSpec] = {}
    for key, row in data["types"].items():
        if key not in OPIOID_TYPES:
            raise ValueError(f"timelines.toml: unknown opioid type {key!r}")
        if row["certainty"] not in get_args(Certainty):
            raise ValueError(f"timelines.toml: {key}: certainty must be moderate or low")
        opioid_type = cast(OpioidType, key)
        spec = TimelineSpec(
            opioid_type=opioid_type,
            label=row["label"],
            certainty=cast(Certainty, row["certainty"]),
            sources=tuple(row["sources"]),
            onset=_window("onset", row["onset"]),
            peak=_window("peak", row["peak"]),
            acute=_window("acute", row["acute"]),
            buprenorphine_start=row["buprenorphine_start"],
            buprenorphine_sources=tuple(row["buprenorphine_sources"]),
            note=row["note"],
        )
        _check_spec(spec)
        found[opioid_type] = spec
    missing = set(OPIOID_TYPES) - set(found)
    if missing:
        raise ValueError(f"timelines.toml: no timeline for {sorted(missing)}")
    return found


def _check_spec(spec: TimelineSpec) -> None:
    where = f"timelines.toml: {spec.opioid_type}"
    for window in spec.windows:
        pairs = ((window.low_h, window.high_h), (window.other_low_h, window.other_high_h))
        for low, high in pairs:
            if low is not None and high is not None and not 0 <= low <= high:
                raise ValueError(f"{where}: {window.name} window must have 0 <= low <= high")
    if spec.acute.high_h is None:
        raise ValueError(f"{where}: the acute window needs an upper end")
    if spec.peak.low_h is not None and (spec.peak.high_h is None or spec.onset.earliest_h is None):
        raise ValueError(f"{where}: a peak needs both ends and an onset")


def _phase(spec: TimelineSpec, hours: float) -> Phase:
    onset = spec.onset.earliest_h
    acute_end = spec.acute.high_h
    assert acute_end is not None  # checked on load
    if onset is not None and hours < onset:
        return "before-onset"
    peak_low, peak_high = spec.peak.low_h, spec.peak.high_h
    if peak_low is None or peak_high is None:
        # No published peak (fentanyl): withdrawal may be starting or under way all through.
        return "onset" if hours <= acute_end else "protracted"
    if hours < peak_low:
        return "onset"
    if hours <= peak_high:
        return "peak"
    if hours <= max(acute_end, peak_high):
        return "easing"
    return "protracted"


PHASE_TEXT: dict[Phase, str] = {
    "before-onset": "Withdrawal does not usually start this early.",
    "onset": "Withdrawal typically starts around now.",
    "peak": "This is when withdrawal is typically at its worst.",
    "easing": "Withdrawal typically eases from here.",
    "protracted": "The acute phase is typically over by now.",
}
FENTANYL_ONSET_TEXT = "Withdrawal may be starting or under way; after fentanyl its timing varies."


def timeline_for(last_use_at: datetime, opioid_type: str, now: datetime) -> Timeline:
    """The typical timeline of ``opioid_type`` and the phase ``now``, ``last_use_at`` being the
    last use of it."""
    for moment, name in ((last_use_at, "last_use_at"), (now, "now")):
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise InputError(f"{name} must be a date and time with a time zone", field=name)
    if opioid_type not in OPIOID_TYPES:
        accepted = ", ".join(OPIOID_TYPES)
        raise InputError(
            f"unknown opioid type {opioid_type!r}; accepted: {accepted}", field="opioid_type"
        )
    if last_use_at > now + CLOCK_ALLOWANCE:
        raise InputError("the last use is in the future; check the time", field="last_use_at")
    spec = specs()[opioid_type]
    hours = max((now - last_use_at).total_seconds() / 3600, 0.0)
    phase = _phase(spec, hours)
    protracted: dict[str, Any] = catalogue_data.load("timelines")["protracted"]
    phase_text = (
        FENTANYL_ONSET_TEXT if phase == "onset" and spec.peak.low_h is None else PHASE_TEXT[phase]
    )
    # The windows are in hours, so hours stay; past two days the days come first.
    since = f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days ({hours:.0f} hours)"
    parts = [f"{since} since the last use. {phase_text}", spec.note]
    sources = [*spec.sources]
    if phase == "protracted":
        parts.append(protracted["text"])
        sources.extend(protracted["sources"])
    if spec.buprenorphine_start:
        parts.append(spec.buprenorphine_start)
        sources.extend(spec.buprenorphine_sources)
    return Timeline(
        opioid_type=spec.opioid_type,
        label=spec.label,
        phase=phase,
        hours_since_last_use=hours,
        windows=spec.windows,
        certainty=spec.certainty,
        sources=tuple(dict.fromkeys(sources)),
        note=" ".join(parts),
        buprenorphine_start=spec.buprenorphine_start,
    )


def opioid_type_of(entry: Entry) -> OpioidType | None:
    """The timeline kind for a journal entry: kratom doses are "kratom"; an opioid substance maps
    through the catalogue's ``release`` field; anything else (and symptoms) is None."""
    if isinstance(entry, DoseEntry):
        return "kratom"
    if not isinstance(entry, SubstanceEntry) or entry.substance_class is not SubstanceClass.OPIOID:
        return None
    table: dict[str, str] = catalogue_data.load("timelines")["release_to_type"]
    substance = substances.lookup(entry.substance_id)
    release = substance.release if substance is not None and substance.release else "unknown"
    mapped = table.get(release, table["unknown"])
    if mapped not in OPIOID_TYPES:
        raise ValueError(f"timelines.toml: release_to_type maps to unknown type {mapped!r}")
    return mapped


def citation(source_id: str) -> str:
    """The citation of a source id used by the timelines (this file's table, then sources.toml)."""
    local: dict[str, dict[str, str]] = catalogue_data.load("timelines").get("sources", {})
    if source_id in local:
        return local[source_id]["citation"]
    return catalogue_data.source_citation(source_id)
