"""The emergency view's content: whom to call and the numbered steps while help comes.

Read from the reviewed ``data/emergency.toml``. Invariants: there is at least one call and
one step, every call has a tel: number of digits only, and every call and step has source
ids, each resolving in the reviewed source files (one without is refused: a step is a
clinical claim, and a number's purpose is a claim too).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from mitra.domain.catalogue_data import load, source_ids


@dataclass(frozen=True, slots=True)
class EmergencyCall:
    label: str  # "Call 911"
    number: str  # as shown: "1-800-222-1222"
    tel: str  # digits for the tel: link
    purpose: str  # "Suicide & Crisis Lifeline"
    sources: tuple[str, ...]  # what says the number reaches that service


@dataclass(frozen=True, slots=True)
class EmergencyStep:
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EmergencyGuide:
    title: str
    lead: str
    calls: tuple[EmergencyCall, ...]
    steps: tuple[EmergencyStep, ...]


@functools.cache
def emergency_guide() -> EmergencyGuide:
    data = load("emergency")
    known = source_ids()
    calls = tuple(
        EmergencyCall(c["label"], c["number"], c["tel"], c["for"], tuple(c["sources"]))
        for c in data["calls"]
    )
    steps = tuple(EmergencyStep(s["text"], tuple(s["sources"])) for s in data["steps"])
    if not calls or not steps:
        raise ValueError("emergency.toml needs at least one call and one step")
    for call in calls:
        if not call.tel.isdigit():
            raise ValueError(f"emergency.toml: tel {call.tel!r} must be digits only")
        if not call.sources or not set(call.sources) <= known:
            raise ValueError(f"emergency.toml: call {call.label!r} needs known source ids")
    for step in steps:
        if not step.sources or not set(step.sources) <= known:
            raise ValueError(f"emergency.toml: step {step.text!r} needs known source ids")
    return EmergencyGuide(data["title"], data["lead"], calls, steps)
