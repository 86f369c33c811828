"""Buprenorphine start readiness: is withdrawal far enough along, long enough after the last
full agonist, for a standard start with a clinician?

Purpose: put together what a prescriber asks before a first dose (the latest COWS and when it
was scored, the hours since the last use of each kind of full agonist) and give one plain
answer with its reasons and sources:

* ``not-yet``: no COWS in the last few hours, a COWS below the start threshold or with no
  objective sign, or a full agonist used more recently than its usual wait;
* ``likely-ready``: a recent COWS at or above the threshold with an objective sign, and every
  usual wait has passed;
* ``talk-low-or-high``: fentanyl (or an analogue) was used within its window; standard starts
  then carry a real risk of precipitated withdrawal, and clinicians often choose a low-dose or
  high-dose start. This answer wins over the others: it is the one that prevents harm.

Invariants: every threshold comes from ``data/bup_readiness.toml`` with its basis (published or
mitra's judgement) and sources; every answer carries the framing that this is information for
a conversation with a prescriber, never an instruction to self-start, and the treatment
locator; missing data never reads as ready (fail safe). Pure: ``now`` and the journal facts
are passed in.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from mitra.domain import catalogue_data
from mitra.domain import timeline as tl
from mitra.domain.entries import DoseEntry, Entry
from mitra.domain.instrument_defs import Assessment, load_instruments

Answer = Literal["not-yet", "likely-ready", "talk-low-or-high"]
# The kinds of full agonist whose last use is shown, in the order a prescriber asks about them.
AGONIST_KINDS = ("short-acting", "long-acting", "methadone", "fentanyl", "kratom")
ANSWER_WORDS: Mapping[Answer, str] = {
    "not-yet": "Not yet",
    "likely-ready": "Likely ready to start with your clinician",
    "talk-low-or-high": "Talk to your clinician about a low-dose or high-dose start",
}


@dataclass(frozen=True, slots=True)
class LastAgonist:
    """The newest use of one kind of full agonist, and the usual wait after it."""

    kind: str
    entry: Entry
    hours_since: float
    # For fentanyl no wait makes a standard start safe: its "wait" is the window in which a
    # use still decides the answer (a low-dose or high-dose start).
    wait_hours: float
    wait_text: str

    @property
    def waited(self) -> bool:
        return (
            self.hours_since > self.wait_hours
            if self.kind == "fentanyl"
            else (self.hours_since >= self.wait_hours)
        )


@dataclass(frozen=True, slots=True)
class Readiness:
    answer: Answer
    reasons: tuple[str, ...]
    cows: Assessment | None
    cows_age_hours: float | None
    objective_signs: tuple[str, ...]
    last_uses: tuple[LastAgonist, ...]
    sources: tuple[str, ...]
    framing: str
    locator: str

    @property
    def headline(self) -> str:
        return ANSWER_WORDS[self.answer]


@functools.cache
def data() -> Mapping[str, Any]:
    return catalogue_data.load("bup_readiness")


def kind_of(entry: Entry) -> str | None:
    """The readiness kind of an entry: the timeline's opioid type, with kratom doses (leaf,
    extract or 7-OH product) as "kratom"; buprenorphine is a partial agonist, not counted."""
    if isinstance(entry, DoseEntry):
        return "kratom"
    opioid_type = tl.opioid_type_of(entry)
    return opioid_type if opioid_type in AGONIST_KINDS else None


def assess(
    *, now: datetime, latest_cows: Assessment | None, recent_uses: Sequence[Entry]
) -> Readiness:
    """Judge readiness from the latest COWS and the journal's recent opioid and kratom uses.

    ``recent_uses`` needs to hold only the uses of the fentanyl window (the longest wait that
    matters); older uses have long passed every wait.
    """
    spec = data()
    cows_spec, fentanyl = spec["cows"], spec["fentanyl"]
    last = _last_by_kind(recent_uses, now)
    reasons: list[str] = []
    sources: list[str] = list(cows_spec["min_total_sources"])

    age = None if latest_cows is None else (now - latest_cows.at).total_seconds() / 3600
    signs = _objective_signs(latest_cows)
    cows_ok = False
    if latest_cows is None or age is None:
        reasons.append(
            "No COWS check-in is recorded yet: a COWS shows how far withdrawal has gone."
        )
    elif age > cows_spec["max_age_hours"]:
        reasons.append(
            f"The latest COWS was {_hours(age)} ago; withdrawal changes within hours, so score "
            f"it again now (mitra uses a COWS from the last {cows_spec['max_age_hours']} hours)."
        )
    elif latest_cows.total < cows_spec["min_total"]:
        reasons.append(
            f"The latest COWS is {latest_cows.total}, below {cows_spec['min_total']}: "
            f"{cows_spec['min_total_why']}"
        )
    elif not signs:
        reasons.append(
            f"The latest COWS is {latest_cows.total}, but none of its signs a clinician can see "
            "(pulse, sweating, pupils, runny nose, tremor, yawning, gooseflesh...) scored."
        )
    else:
        cows_ok = True
        reasons.append(
            f"The latest COWS is {latest_cows.total} ({_ago(age)}), at or above "
            f"{cows_spec['min_total']}, with observed signs: {', '.join(signs)}."
        )

    recent_fentanyl = [use for use in last if use.kind == "fentanyl" and not use.waited]
    for use in last:
        if use.kind == "fentanyl":
            continue
        sources += spec["wait"][use.kind]["sources"]
        if use.waited:
            reasons.append(
                f"Last {_kind_words(use.kind)} {_hours(use.hours_since)} ago: past the usual "
                f"wait ({use.wait_text})."
            )
        else:
            reasons.append(
                f"Last {_kind_words(use.kind)} {_hours(use.hours_since)} ago: the usual wait is "
                f"{use.wait_text}; about {_hours(use.wait_hours - use.hours_since)} to go."
            )

    if not last:
        reasons.append(
            f"No opioid or kratom use is logged in the last {round(fentanyl['window_hours'] / 24)} "
            "days; tell your clinician what you last used and when."
        )
    if recent_fentanyl:
        use = recent_fentanyl[0]
        sources += [*fentanyl["sources"], *fentanyl["window_sources"]]
        reasons.insert(0, f"Fentanyl {_hours(use.hours_since)} ago. {fentanyl['why']}")
        answer: Answer = "talk-low-or-high"
    elif cows_ok and all(use.waited for use in last):
        answer = "likely-ready"
    else:
        answer = "not-yet"
    words = spec["words"]
    return Readiness(
        answer=answer,
        reasons=tuple(reasons),
        cows=latest_cows,
        cows_age_hours=age,
        objective_signs=signs,
        last_uses=tuple(last),
        sources=tuple(dict.fromkeys([*sources, *words["locator_sources"]])),
        framing=words["framing"],
        locator=words["locator"],
    )


def citation(source_id: str) -> str:
    """The citation of a source this module uses (the shared files, then the timelines')."""
    return tl.citation(source_id)


def _last_by_kind(uses: Sequence[Entry], now: datetime) -> list[LastAgonist]:
    newest: dict[str, Entry] = {}
    for entry in uses:
        kind = kind_of(entry)
        if kind is None or entry.at > now:
            continue
        current = newest.get(kind)
        if current is None or (entry.at, entry.id or 0) > (current.at, current.id or 0):
            newest[kind] = entry
    found: list[LastAgonist] = []
    for kind in AGONIST_KINDS:
        last = newest.get(kind)
        if last is None:
            continue
        hours = (now - last.at).total_seconds() / 3600
        if kind == "fentanyl":
            window = float(data()["fentanyl"]["window_hours"])
            found.append(LastAgonist(kind, last, hours, window, "no standard wait"))
        else:
            wait = data()["wait"][kind]
            found.append(LastAgonist(kind, last, hours, float(wait["hours"]), wait["published"]))
    return found


def _objective_signs(cows: Assessment | None) -> tuple[str, ...]:
    if cows is None:
        return ()
    objective = set(data()["cows"]["objective_items"])
    cows_def = load_instruments()["cows"]
    return tuple(
        cows_def.item(item_id).label
        for item_id, score in cows.items
        if item_id in objective and score
    )


def _kind_words(kind: str) -> str:
    return {
        "short-acting": "short-acting opioid",
        "long-acting": "extended-release opioid",
        "methadone": "methadone",
        "fentanyl": "fentanyl",
        "kratom": "kratom or 7-OH",
    }[kind]


def _ago(hours: float) -> str:
    return "just now" if hours < 1 / 60 else f"{_hours(hours)} ago"


def _hours(hours: float) -> str:
    """Hours in words a person reads at a glance: "40 minutes", "5 hours", "3 days"."""
    if hours < 1 / 60:
        return "under a minute"
    if hours < 1:
        minutes = max(1, round(hours * 60))
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    if hours < 48:
        whole = round(hours)
        return f"{whole} hour{'' if whole == 1 else 's'}"
    return f"{round(hours / 24)} days"
