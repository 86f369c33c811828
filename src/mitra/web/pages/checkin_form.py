"""Read a posted check-in form into what ``CheckinService.record`` takes, keeping every
problem next to the field it belongs to.

The form has one field per item, named by the item's id (a radio group; the craving line is a
range input), ``bpm`` for a COWS pulse typed in beats a minute, and ``at``, ``rater``, ``note``.
Only presence and "is it a whole number" are checked here, as a type check; whether an item
allows that number, what a pulse scores and whether the time is acceptable are the service's
to judge, and its errors are placed at the field they name (``field_for``).

Invariants: a typed pulse replaces the pulse item's choice (the service scores it with the
instrument's own bpm ranges), so the pulse item's radio is not read then; every unanswered item
is reported at once, naming the item and what it allows, so nobody finds them one by one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from mitra.domain.errors import InputError
from mitra.domain.instruments import Instrument, Item
from mitra.services.checkins import parse_bpm, pulse_item
from mitra.web.pages.common import FORM_LEVEL

BPM = "bpm"
OTHER_FIELDS = ("at", "rater", "note")
_WHOLE = re.compile(r"[+-]?[0-9]+")


@dataclass
class ReadAnswers:
    """The answers in item order (the pulse item left out when the pulse came as bpm)."""

    answers: list[int] = field(default_factory=list)
    pulse_bpm: float | None = None
    errors: dict[str, str] = field(default_factory=dict)


def where(instrument: Instrument, item: Item) -> str:
    """How the service names an item in its messages: "COWS item 3 (restlessness)"."""
    return f"{instrument.short_name} item {item.number} ({item.name})"


def read_answers(instrument: Instrument, values: Mapping[str, str]) -> ReadAnswers:
    read = ReadAnswers()
    pulse = pulse_item(instrument)
    typed_bpm = values.get(BPM, "").strip() if pulse is not None else ""
    if typed_bpm:
        try:
            read.pulse_bpm = parse_bpm(typed_bpm, instrument)
        except InputError as exc:
            read.errors[BPM] = exc.message
    for item in instrument.items:
        if item is pulse and typed_bpm:
            continue
        raw = values.get(item.id, "").strip()
        if not raw:
            also = " or type the pulse in beats a minute" if item is pulse else ""
            read.errors[item.id] = (
                f"{where(instrument, item)}: not answered yet; choose one of "
                f"{item.allowed_text()}{also}"
            )
        elif not _WHOLE.fullmatch(raw):
            read.errors[item.id] = (
                f"{where(instrument, item)}: {raw!r} is not a whole number; "
                f"allowed: {item.allowed_text()}"
            )
        else:
            read.answers.append(int(raw))
    return read


def field_for(instrument: Instrument, error_field: str | None) -> str:
    """The form field a service error belongs to: an item, the pulse, at, rater or note."""
    if error_field is None:
        return FORM_LEVEL
    if error_field in OTHER_FIELDS:
        return error_field
    if error_field == BPM:
        return BPM if pulse_item(instrument) is not None else FORM_LEVEL
    if any(item.id == error_field for item in instrument.items):
        return error_field
    return FORM_LEVEL  # "answers" (how many) is about the whole form
