"""The clinician report's look: fonts, paragraph styles, colours and the page frame.

Invariants: the fonts are the Bitstream Vera faces shipped inside reportlab, embedded in every
PDF, so a report looks the same on every machine and any text a person typed is drawn with
real glyphs (a character the font lacks is shown as "?", never dropped silently); every page
carries "page N of M", the generation time and the mitra version.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from mitra.domain.severity_looks import look

PAPERS = {"a4": A4, "letter": LETTER}
MARGIN = 18 * mm

INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#5b6673")
ACCENT = colors.HexColor("#0b5cad")
RULE = colors.HexColor("#c9d1d9")
SHADE = colors.HexColor("#f2f5f8")
GLANCE = colors.HexColor("#eef4fb")


def severity_colour(severity: str) -> colors.Color:
    """The severity's colour from the one shared table (``mitra.domain.severity_looks``)."""
    return colors.HexColor(look(severity).light)


SANS = "MitraSans"
SANS_BOLD = "MitraSans-Bold"
SANS_ITALIC = "MitraSans-Italic"


@functools.cache
def register_fonts() -> frozenset[int]:
    """Register the embedded faces once; return the code points the regular face can draw."""
    folder = Path(reportlab.__file__).parent / "fonts"
    faces = {
        SANS: "Vera.ttf",
        SANS_BOLD: "VeraBd.ttf",
        SANS_ITALIC: "VeraIt.ttf",
        "MitraSans-BoldItalic": "VeraBI.ttf",
    }
    regular: TTFont | None = None
    for name, file in faces.items():
        font = TTFont(name, str(folder / file))
        pdfmetrics.registerFont(font)
        if name == SANS:
            regular = font
    pdfmetrics.registerFontFamily(
        SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_ITALIC, boldItalic="MitraSans-BoldItalic"
    )
    assert regular is not None
    return frozenset(regular.face.charToGlyph)


def text(value: object) -> str:
    """Any value as paragraph markup: escaped, and with glyphs the font lacks shown as "?"."""
    drawable = register_fonts()
    raw = str(value)
    clean = "".join(ch if ord(ch) in drawable or ch in "\n\t" else "?" for ch in raw)
    return escape(clean).replace("\n", "<br/>")


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=SANS, fontSize=9.5, leading=13, textColor=INK, alignment=TA_LEFT
    )
    return {
        "body": body,
        "para": ParagraphStyle("para", parent=body, spaceAfter=4),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10.5),
        "muted": ParagraphStyle("muted", parent=body, fontSize=8, leading=10.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "cell_head": ParagraphStyle(
            "cell_head", parent=body, fontName=SANS_BOLD, fontSize=8, leading=10
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=SANS_BOLD, fontSize=20, leading=25, spaceAfter=2
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=11, leading=15, textColor=MUTED, spaceAfter=8
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=SANS_BOLD,
            fontSize=13.5,
            leading=17,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=5,
            keepWithNext=True,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=SANS_BOLD,
            fontSize=10.5,
            leading=14,
            spaceBefore=8,
            spaceAfter=3,
            keepWithNext=True,
        ),
    }


def page_decorator(*, title: str, generated: datetime, version: str, period: str) -> type[Canvas]:
    """A canvas class that, once every page is known, stamps "page N of M" and the footer."""

    class FramedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._width = float(kwargs.get("pagesize", A4)[0])

        def showPage(self) -> None:
            # Hold each page until the total is known; draw the frame in save().
            self._pages.append(dict(self.__dict__))
            # reportlab's own reset for a new page (its documented "page N of M" recipe).
            self._startPage()  # type: ignore[attr-defined]

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._frame(total)
                super().showPage()
            super().save()

        def _frame(self, total: int) -> None:
            width = self._width
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, MARGIN - 5 * mm, width - MARGIN, MARGIN - 5 * mm)
            self.setFont(SANS, 7.5)
            self.setFillColor(MUTED)
            stamp = generated.strftime("%d %b %Y %H:%M %Z").strip()
            self.drawString(
                MARGIN, MARGIN - 9 * mm, f"{title} · {period} · generated {stamp} · mitra {version}"
            )
            self.drawRightString(
                width - MARGIN, MARGIN - 9 * mm, f"page {self.getPageNumber()} of {total}"
            )
            self.restoreState()

    return FramedCanvas
