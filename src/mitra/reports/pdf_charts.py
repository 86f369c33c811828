"""The web's SVG charts, placed in the PDF: the same chart functions draw both.

svglib turns the pygal SVG into reportlab vector shapes (text stays text). Two adjustments,
both for print only: the drawing is scaled to the frame width, and dashed guide lines, which
a browser fades through pygal's CSS that svglib does not apply, are drawn thin and light grey
so the data stays the darkest thing on the page.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.graphics.shapes import Drawing, Group
from reportlab.lib import colors

GUIDE = colors.HexColor("#d0d7de")


def _lighten_guides(node: Any) -> None:
    if isinstance(node, Group):
        for child in node.contents:
            _lighten_guides(child)
        return
    dashes = getattr(node, "strokeDashArray", None)
    if dashes:
        node.strokeColor = GUIDE
        node.strokeWidth = 0.5


def svg_flowable(svg: str, width: float) -> Drawing:
    """The SVG as a reportlab Drawing scaled to ``width`` points (aspect kept)."""
    from svglib.svglib import svg2rlg  # noqa: PLC0415  (heavy; only when drawing)

    drawing = svg2rlg(io.BytesIO(svg.encode("utf-8")))
    if drawing is None:
        raise ValueError("the chart SVG could not be read")
    _lighten_guides(drawing)
    scale = width / drawing.width
    drawing.width = drawing.width * scale
    drawing.height = drawing.height * scale
    drawing.scale(scale, scale)
    return drawing
