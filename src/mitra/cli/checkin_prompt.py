"""The interactive check-in: one item at a time, one keypress per answer, in a terminal.

Invariants:

* only a value the item allows is ever taken: keys that are not an allowed score are ignored
  with a hint, never rounded to the nearest allowed score (COWS pulse has no 3);
* nothing is stored here: this module only collects answers; cancelling (``q``, Ctrl-C,
  Ctrl-D, or "n" at the confirmation) raises ``Cancelled`` before the service is called;
* items whose allowed scores are all single digits take one keypress; any other item (the
  0-100 craving line) reads a typed line; the COWS pulse may be typed as beats a minute (``b``).

With ``err=True`` every prompt goes to stderr, so ``--json`` keeps stdout for the document.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from mitra.domain.instruments import Instrument, Item, Rater

CANCEL_KEYS = {"q", "Q"}
BACK_KEYS = {"\x7f", "\x08"}  # Backspace as terminals send it
YES_KEYS = {"y", "Y", "\r", "\n"}
NO_KEYS = {"n", "N", "q", "Q"}
BPM_KEY = "b"
COMPACT_WIDTH = 72
WIDTH = 96


class Cancelled(Exception):
    """The person stopped the check-in; nothing is to be stored."""


@dataclass
class Collected:
    """Answers in item order. With ``pulse_bpm`` the pulse item's score came from beats a
    minute; ``others()`` gives the answers without it, as the service takes them then."""

    answers: list[int] = field(default_factory=list)
    pulse_bpm: float | None = None
    pulse_position: int | None = None

    def others(self) -> list[int]:
        if self.pulse_bpm is None or self.pulse_position is None:
            return list(self.answers)
        return [a for n, a in enumerate(self.answers) if n != self.pulse_position]


def single_key(item: Item) -> bool:
    """Whether every allowed score of the item is one digit (so one keypress answers it)."""
    return item.step is None and all(0 <= value <= 9 for value in item.allowed)


class Session:
    def __init__(self, instrument: Instrument, *, rater: Rater, err: bool) -> None:
        self.instrument = instrument
        self.rater = rater
        self.err = err
        self.collected = Collected()

    def say(self, text: str = "", *, nl: bool = True, **style: bool) -> None:
        click.echo(click.style(text, **style) if style else text, err=self.err, nl=nl)

    def key(self) -> str:
        try:
            return click.getchar()
        except (KeyboardInterrupt, EOFError):
            raise Cancelled from None

    def run(self) -> Collected:
        self._introduce()
        position = 0
        items = self.instrument.items
        while position < len(items):
            item = items[position]
            self._show_item(item)
            chosen = self._answer(item, position)
            if chosen is None:  # went back
                position = max(0, position - 1)
                del self.collected.answers[position:]
                if self.collected.pulse_position is not None and (
                    self.collected.pulse_position >= position
                ):
                    self.collected.pulse_bpm = self.collected.pulse_position = None
                continue
            self.collected.answers.append(chosen)
            self._show_chosen(item, chosen)
            position += 1
        self._confirm()
        return self.collected

    # -- showing ---------------------------------------------------------------------------
    def _introduce(self) -> None:
        inst = self.instrument
        count = len(inst.items)
        self.say(f"{inst.short_name}: {inst.name}", bold=True)
        about = (
            f"{count} item{'' if count == 1 else 's'}, about: {inst.recall}. {inst.instructions}"
        )
        self.say(textwrap.fill(about, WIDTH))
        if inst.rater == "clinician" and self.rater == "self":
            self.say(textwrap.fill(inst.rater_note or "", WIDTH), dim=True)
        how = (
            "Press the number of your answer."
            if all(single_key(item) for item in inst.items)
            else "Type your answer and press Enter."
        )
        back = " Backspace goes back;" if count > 1 else ""
        self.say(f"{how}{back} q cancels (nothing is saved).", dim=True)

    def _show_item(self, item: Item) -> None:
        self.say()
        self.say(f"{item.number}/{len(self.instrument.items)}  {item.text}", bold=True)
        if single_key(item):
            compact = "   ".join(f"{a.score} {a.anchor}" for a in item.answers)
            # Short anchors (none/mild/moderate/severe) fit on one line; long ones get a line each.
            if len(compact) <= COMPACT_WIDTH:
                self.say(f"    {compact}")
            else:
                for answer in item.answers:
                    self.say(f"    {answer.score}  {answer.anchor}")
        else:
            ends = " ... ".join(f"{a.score} {a.anchor}" for a in item.answers)
            self.say(f"    {ends}")
        if item.bpm_ranges:
            self.say(f"    {BPM_KEY}  type the pulse in beats a minute instead")

    def _show_chosen(self, item: Item, chosen: int) -> None:
        anchor = next((a.anchor for a in item.answers if a.score == chosen), "")
        bpm = ""
        if item.bpm_ranges and self.collected.pulse_bpm is not None:
            bpm = f" ({self.collected.pulse_bpm:g} beats a minute)"
        total = sum(self.collected.answers)
        self.say(
            f"  -> {chosen}{bpm}  {anchor}".rstrip()
            + click.style(f"    running total {total} of {self.instrument.max_total}", dim=True)
        )

    # -- reading ---------------------------------------------------------------------------
    def _answer(self, item: Item, position: int) -> int | None:
        """The chosen score, or None to go back one item."""
        if not single_key(item):
            return self._typed(item)
        *first, last = [str(v) for v in item.allowed]
        hint = f"  press {', '.join(first)} or {last}"
        hint += f" ({BPM_KEY}: type beats a minute)" if item.bpm_ranges else ""
        hint += "; Backspace goes back" if position else ""
        hint += "; q cancels"
        while True:
            ch = self.key()
            if ch in CANCEL_KEYS:
                raise Cancelled
            if ch in BACK_KEYS and position > 0:
                return None
            if ch == BPM_KEY and item.bpm_ranges:
                chosen = self._bpm(position)
                if chosen is not None:
                    return chosen
                continue
            if len(ch) == 1 and ch.isdigit() and item.accepts(int(ch)):
                return int(ch)
            self.say(click.style(hint, dim=True))

    def _line(self, text: str) -> str:
        try:
            return str(click.prompt(text, prompt_suffix=": ", err=self.err)).strip()
        except click.exceptions.Abort:
            raise Cancelled from None

    def _typed(self, item: Item) -> int:
        while True:
            raw = self._line(f"  your answer ({item.allowed_text()}; q cancels)")
            if raw in CANCEL_KEYS:
                raise Cancelled
            if raw.isdigit() and item.accepts(int(raw)):
                return int(raw)
            self.say(f"  {raw!r} is not allowed; allowed: {item.allowed_text()}")

    def _bpm(self, position: int) -> int | None:
        from mitra.domain.errors import InputError  # noqa: PLC0415
        from mitra.services.checkins import parse_bpm, pulse_score  # noqa: PLC0415

        raw = self._line("  beats a minute (Enter on its own to press a key instead)")
        if not raw:
            return None
        if raw in CANCEL_KEYS:
            raise Cancelled
        try:
            bpm = parse_bpm(raw, self.instrument)
            chosen = pulse_score(self.instrument, bpm)
        except InputError as exc:
            self.say(f"  {exc.message}")
            return None
        self.collected.pulse_bpm, self.collected.pulse_position = bpm, position
        return chosen

    def _confirm(self) -> None:
        from mitra.domain.instruments import band_for  # noqa: PLC0415

        total = sum(self.collected.answers)
        band = band_for(self.instrument, total)
        shown = f"{total} of {self.instrument.max_total}" + (f", {band.label}" if band else "")
        self.say()
        self.say(
            f"Save this {self.instrument.short_name} check-in (total {shown})? [y/n] ", nl=False
        )
        while True:
            ch = self.key()
            if ch in YES_KEYS:
                self.say("yes")
                return
            if ch in NO_KEYS:
                self.say("no")
                raise Cancelled
            self.say(click.style("\n  press y to save or n to cancel", dim=True), nl=False)


def collect(instrument: Instrument, *, rater: Rater, err: bool = False) -> Collected:
    """Ask every item of ``instrument`` in the terminal; raise ``Cancelled`` if stopped."""
    return Session(instrument, rater=rater, err=err).run()
