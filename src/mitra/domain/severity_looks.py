"""How each alert severity is shown, the same on every medium (web, CLI, PDF).

Each of the five severities has its own word and its own symbol, so no two look alike even
without colour (a phone in night mode, a black-and-white print, a screen reader reading the
word). The colours are the web's and the PDF's; each pair (light, dark) keeps white text on
the badge colour at WCAG AA contrast for the light pair, and dark text for the dark pair.

Invariant: every ``Severity`` has exactly one look, and no two looks share a word or symbol.
"""

from __future__ import annotations

from dataclasses import dataclass

from mitra.domain.alerts import Severity


@dataclass(frozen=True)
class SeverityLook:
    word: str
    symbol: str
    light: str  # badge and border colour on a light page (white text on it)
    dark: str  # badge and border colour on a dark page (dark text on it)
    # The symbol in print: the PDF's embedded Vera faces have no glyph for some of the screen
    # symbols (‼ ▲ ●), so print uses shapes those faces hold, still one of its own per severity.
    print_symbol: str


LOOKS: dict[Severity, SeverityLook] = {
    Severity.EMERGENCY: SeverityLook("Emergency", "‼", "#8b0000", "#ff8a80", "!!"),
    Severity.URGENT: SeverityLook("Urgent", "!", "#b3261e", "#ffaba3", "!"),
    Severity.WARNING: SeverityLook("Warning", "▲", "#9a4f00", "#f0a64a", "∆"),
    Severity.CAUTION: SeverityLook("Caution", "●", "#6f5800", "#e6d36b", "•"),
    Severity.INFO: SeverityLook("Information", "i", "#0b5cad", "#8cc2ff", "i"),
}


def look(severity: str | Severity) -> SeverityLook:
    """The look of ``severity``; an unknown value is shown as information, never hidden."""
    try:
        return LOOKS[Severity(severity)]
    except ValueError:
        return LOOKS[Severity.INFO]
