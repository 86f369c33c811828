"""Charts as SVG text, drawn server-side from plain data (pygal; the exposure band by hand).

Functions take plain sequences (days and numbers) and return a complete ``<svg>`` document as
text, so the web pages inline them and the PDF report draws the same charts. This module sits
outside ``mitra.web`` and imports no web framework: the document layer (``mitra.reports``)
depends on it, not on the web package (a test checks that importing it loads no fastapi).
``theme`` chooses colours: ``LIGHT`` and ``DARK`` use fixed colours (for files and reports);
``PAGE`` uses CSS variables, so an inline chart follows the page's light or dark scheme.

Invariants: the SVG needs nothing from outside (pygal's tooltip script is switched off, no
fonts are linked); output depends only on the arguments, apart from pygal's unique element id
and its "generated" comment; the mitragynine chart always shows the estimate's range, never
the typical value alone; a score chart always spans the instrument's full range and draws only
the bands and screening cut-off the instrument itself has (``ScoreScale``), never invented ones;
the exposure chart always draws the low-to-high band with the typical line in it, never one
line alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

# pygal ships no type information; its objects are used as Any here.
import pygal  # type: ignore[import-untyped]
from pygal.style import Style  # type: ignore[import-untyped]


@dataclass(frozen=True, slots=True)
class ChartTheme:
    background: str
    foreground: str
    muted: str
    bar: str
    whisker: str
    font_family: str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


LIGHT = ChartTheme(
    background="#ffffff", foreground="#1b1f24", muted="#5b6673", bar="#0b5cad", whisker="#8a1f11"
)
DARK = ChartTheme(
    background="#121417", foreground="#e8eaed", muted="#9aa5b1", bar="#7fb8ff", whisker="#ffb4a8"
)
PAGE = ChartTheme(
    background="transparent",
    foreground="var(--chart-fg)",
    muted="var(--chart-grid)",
    bar="var(--chart-bar)",
    whisker="var(--chart-whisker)",
)


@dataclass(frozen=True, slots=True)
class ChartSize:
    width: int
    height: int
    font_px: int
    labels: int  # about how many day labels the x axis shows


WIDE = ChartSize(width=800, height=320, font_px=13, labels=10)
# Narrow charts are drawn about as wide as a phone shows them (a 360 px screen gives them
# about 330 px), so 14-unit text stays at least 12 px on screen.
NARROW = ChartSize(width=360, height=300, font_px=14, labels=5)
# The exposure band is a supporting picture on the today page: lower than the trends charts.
BAND_WIDE = ChartSize(width=800, height=260, font_px=13, labels=8)
# On the today page the band sits in a card (about 290 px wide at 360): drawn 320 wide.
BAND_NARROW = ChartSize(width=320, height=230, font_px=14, labels=4)


def _style(theme: ChartTheme, size: ChartSize) -> Any:
    return Style(
        background=theme.background,
        plot_background=theme.background,
        foreground=theme.foreground,
        foreground_strong=theme.foreground,
        foreground_subtle=theme.muted,
        colors=(theme.bar,),
        ci_colors=(theme.whisker,),
        font_family=theme.font_family,
        label_font_size=size.font_px,
        major_label_font_size=size.font_px,
        value_font_size=size.font_px,
        title_font_size=size.font_px + 2,
        legend_font_size=size.font_px,
        # pygal's default guides are black: invisible on a dark page, loud on a light one.
        guide_stroke_color=theme.muted,
        major_guide_stroke_color=theme.muted,
        opacity="1",
        opacity_hover="1",
        transition="0ms",
    )


# pygal always writes its settings as an inline script for its tooltips. The charts do not
# need it, and the pages' Content-Security-Policy refuses inline scripts.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)


def _render(chart: Any) -> str:
    return _SCRIPT.sub("", str(chart.render(is_unicode=True)))


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _chart(
    days: Sequence[date], y_max: float, theme: ChartTheme, size: ChartSize, y_title: str
) -> Any:
    chart = pygal.Bar(
        style=_style(theme, size),
        width=size.width,
        height=size.height,
        js=[],  # pygal's tooltip script would be fetched from the internet
        disable_xml_declaration=True,
        show_legend=False,
        show_minor_x_labels=False,
        x_label_rotation=0,
        y_title=y_title,
        range=(0, _nice_ceiling(y_max)),
        margin=8,
        margin_right=28,  # room for the last day's label, centred under the last bar
        spacing=4,
        print_values=False,
        truncate_label=-1,
    )
    labels = [_day_label(d) for d in days]
    chart.x_labels = labels
    step = max(1, math.ceil(len(days) / size.labels))
    # Label the most recent day and then every ``step`` days back from it.
    chart.x_labels_major = labels[::-1][::step]
    return chart


def _nice_ceiling(value: float) -> float:
    """A round upper bound for the y axis (at least 1), so ticks land on round numbers."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def doses_per_day_svg(
    days: Sequence[date],
    counts: Sequence[int],
    *,
    theme: ChartTheme = LIGHT,
    size: ChartSize = WIDE,
) -> str:
    """A bar per day: how many kratom doses were recorded that day."""
    if len(days) != len(counts):
        raise ValueError("days and counts must be the same length")
    chart = _chart(days, max(counts, default=0), theme, size, "doses")
    chart.add("Doses", list(counts))
    return _render(chart)


def mitragynine_per_day_svg(
    days: Sequence[date],
    typical: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    *,
    theme: ChartTheme = LIGHT,
    size: ChartSize = WIDE,
) -> str:
    """A bar per day at the typical estimate, with a whisker from the low to the high end."""
    if not len(days) == len(typical) == len(low) == len(high):
        raise ValueError("days, typical, low and high must be the same length")
    chart = _chart(days, max(high, default=0.0), theme, size, "mg mitragynine")
    chart.add(
        "Mitragynine",
        [
            {"value": round(t, 1), "ci": {"low": round(lo, 1), "high": round(hi, 1)}}
            if t > 0
            else 0
            for t, lo, hi in zip(typical, low, high, strict=True)
        ],
    )
    return _render(chart)


@dataclass(frozen=True, slots=True)
class ScoreBand:
    """A named range of an instrument's total (inclusive), drawn as a labelled guide line."""

    min: int
    max: int
    label: str


def scores_over_time_svg(
    times: Sequence[datetime],
    totals: Sequence[int],
    *,
    y_title: str,
    min_total: int,
    max_total: int,
    bands: Sequence[ScoreBand] = (),
    theme: ChartTheme = LIGHT,
    size: ChartSize = WIDE,
) -> str:
    """A line of one instrument's totals over time, its full range on the y axis.

    ``times`` are shown as given (pass local times). Where the instrument has severity bands,
    each band's lower edge is a labelled guide ("13 moderate"), so a reader sees which band a
    score fell in without the chart inventing bands the instrument does not have.
    """
    if len(times) != len(totals):
        raise ValueError("times and totals must be the same length")
    chart = pygal.DateTimeLine(
        style=_style(theme, size),
        width=size.width,
        height=size.height,
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        x_label_rotation=0,
        y_title=y_title,
        range=(min_total, max_total),
        margin=8,
        margin_right=28,
        dots_size=3,
        print_values=False,
        truncate_label=-1,
        x_value_formatter=lambda moment: f"{moment.day} {moment:%b}",
    )
    edges = {min_total: str(min_total), max_total: str(max_total)}
    if not bands:
        # Plain round ticks where there are no bands to label.
        step = _nice_ceiling((max_total - min_total) / 5)
        tick = min_total + step
        while tick < max_total - step / 2:
            edges[round(tick)] = str(round(tick))
            tick += step
    for band in bands:
        edges[band.min] = f"{band.min} {band.label}"
    chart.y_labels = [{"value": value, "label": label} for value, label in sorted(edges.items())]
    if times:
        span = (max(times) - min(times)).total_seconds()
        step = max(span / max(size.labels - 1, 1), 1.0)
        first = min(times)
        chart.x_labels = [
            first + timedelta(seconds=step * i) for i in range(size.labels) if span or i == 0
        ]
    chart.add(y_title, [(moment, total) for moment, total in zip(times, totals, strict=True)])
    return _render(chart)


@dataclass(frozen=True, slots=True)
class ScoreScale:
    """What a score chart knows about its instrument, as plain data: its name, its full range,
    its own severity bands (none where the instrument has none) and its screening cut-off."""

    name: str
    min_total: int
    max_total: int
    bands: tuple[ScoreBand, ...] = ()
    positive_at: int | None = None


# With one score (or all at one moment) the time axis still needs a width: half a day each
# side keeps the dot in the middle of a readable axis.
_LONE_PADDING = timedelta(hours=12)
_DAY = timedelta(days=1)
# Beyond this many scores a chart draws the line without a dot per score: on a year's page
# the dots merge into the line anyway, and drawing them took most of the page's time.
DOTS_UP_TO = 120


def _time_axis(
    times: Sequence[datetime], start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime] | None:
    """The first and last moment the x axis shows: ``start``/``end`` where given (a page's
    period), else the scores' own span, widened when it has no width."""
    first = start if start is not None else min(times, default=None)
    last = end if end is not None else max(times, default=None)
    if first is None or last is None:
        return None
    if last <= first:
        first, last = first - _LONE_PADDING, last + _LONE_PADDING
    return first, last


def _time_ticks(first: datetime, last: datetime, count: int) -> list[datetime]:
    """At most ``count`` labelled moments: midnights a whole number of days apart, so labels
    read as days and never repeat; within a short span, whole hours instead."""
    days = (last - first) / _DAY
    if days >= 2:
        step = _DAY * math.ceil(days / count)
        midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
        tick = midnight if midnight >= first else midnight + _DAY
    else:
        hours = next(
            h for h in (1, 2, 3, 6, 12, 24) if (last - first) / timedelta(hours=h) <= count
        )
        step = timedelta(hours=hours)
        tick = first.replace(minute=0, second=0, microsecond=0)
        if tick < first:
            tick += timedelta(hours=1)
        while tick.hour % hours:
            tick += timedelta(hours=1)
    ticks = []
    while tick <= last:
        ticks.append(tick)
        tick += step
    return ticks


def _tick_label(moment: datetime) -> str:
    if moment.hour == moment.minute == 0:
        return f"{moment.day} {moment:%b}"
    return f"{moment:%H:%M}"


def instrument_scores_svg(
    times: Sequence[datetime],
    totals: Sequence[int],
    scale: ScoreScale,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    line_labels: bool = True,
    theme: ChartTheme = LIGHT,
    size: ChartSize = WIDE,
) -> str:
    """One instrument's totals over time, over its full range, with its reference lines drawn.

    Each band's lower edge is a line across the chart, so a score on or above it falls in
    that band; a screening instrument gets its cut-off as a line in the alert colour. With
    ``line_labels`` the y axis names them ("13 moderate", "3 positive screen"); without, it
    shows only their numbers (for narrow charts, whose caption names them). Reference lines
    are drawn before the scores, so the scores stay on top. ``times`` are shown as given (pass
    local times without a zone); ``start`` and ``end`` fix the time axis to a period.
    """
    if len(times) != len(totals):
        raise ValueError("times and totals must be the same length")
    edges = {scale.min_total: str(scale.min_total), scale.max_total: str(scale.max_total)}
    lines = [(band.min, band.label, theme.muted) for band in scale.bands]
    if scale.positive_at is not None:
        lines.append((scale.positive_at, "positive screen", theme.whisker))
    for value, label, _ in lines:
        edges[value] = f"{value} {label}" if line_labels else str(value)
    if not lines:  # nothing to mark: plain round ticks
        step = _nice_ceiling((scale.max_total - scale.min_total) / 5)
        tick = scale.min_total + step
        while tick < scale.max_total - step / 2:
            edges[round(tick)] = str(round(tick))
            tick += step
    # A band starting at the bottom of the range would be a line on the axis itself.
    drawn = [line for line in lines if line[0] > scale.min_total]
    style = _style(theme, size)
    style.colors = (*(colour for _, _, colour in drawn), theme.bar)
    style.stroke_width = "2.5"  # pygal's 1 px lines are faint on a phone
    style.stroke_opacity = "1"
    axis = _time_axis(times, start, end)
    chart = pygal.DateTimeLine(
        style=style,
        width=size.width,
        height=size.height,
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        x_label_rotation=0,
        y_title=f"{scale.name} total",
        range=(scale.min_total, scale.max_total),
        xrange=axis,
        margin=8,
        margin_right=28,
        dots_size=4,
        print_values=False,
        truncate_label=-1,
        x_value_formatter=_tick_label,
    )
    chart.y_labels = [{"value": value, "label": label} for value, label in sorted(edges.items())]
    if axis is not None:
        first, last = axis
        chart.x_labels = _time_ticks(first, last, size.labels)
        for value, label, _ in drawn:
            chart.add(label, [(first, value), (last, value)], show_dots=False)
    chart.add(
        scale.name,
        [(moment, total) for moment, total in zip(times, totals, strict=True)],
        show_dots=len(times) <= DOTS_UP_TO,
    )
    return _render(chart)


# -- the exposure band -------------------------------------------------------------------------
# Drawn by hand rather than with pygal: pygal fills a line down to zero, not between two lines,
# and a hand-written SVG of a few hundred points costs well under a millisecond on the today
# page, which has a time budget.


@dataclass(frozen=True, slots=True)
class BandBox:
    """Where the plot sits inside the chart, in SVG units."""

    left: float = 58
    right: float = 14
    top: float = 12
    bottom: float = 34


def _points(xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def exposure_band_svg(
    hours: Sequence[float],
    low: Sequence[float],
    typical: Sequence[float],
    high: Sequence[float],
    *,
    ticks: Sequence[tuple[float, str]] = (),
    y_title: str = "mg (relative)",
    theme: ChartTheme = LIGHT,
    size: ChartSize = WIDE,
) -> str:
    """A relative body load as a BAND: the area between ``low`` and ``high`` filled, with the
    ``typical`` line drawn inside it, over ``hours`` (e.g. -168 .. 0, hours before now).

    ``ticks`` are (hour, label) pairs for the x axis (e.g. local midnights), chosen by the
    caller, who knows the time zone. The band is always drawn whole: never the typical line
    alone, so the chart cannot look more precise than the model is.
    """
    if not len(hours) == len(low) == len(typical) == len(high):
        raise ValueError("hours, low, typical and high must be the same length")
    if not hours:
        raise ValueError("a band needs at least one point")
    box = BandBox()
    width, height = size.width, size.height
    plot_w = width - box.left - box.right
    plot_h = height - box.top - box.bottom
    first, last = min(hours), max(hours)
    span = (last - first) or 1.0
    top_value = _nice_ceiling(max(high))

    def x_of(hour: float) -> float:
        return box.left + (hour - first) / span * plot_w

    def y_of(value: float) -> float:
        return box.top + plot_h - max(value, 0.0) / top_value * plot_h

    xs = [x_of(h) for h in hours]
    font = f"font-family:{theme.font_family};font-size:{size.font_px}px;fill:{theme.foreground}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="band-chart">',
        f'<rect width="{width}" height="{height}" style="fill:{theme.background}"/>',
    ]
    for i in range(5):
        value = top_value * i / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{box.left}" x2="{width - box.right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'style="stroke:{theme.muted};stroke-width:1;stroke-opacity:0.5"/>'
        )
        label = f"{value:g}" if value < 10 else f"{value:.0f}"
        parts.append(
            f'<text x="{box.left - 6}" y="{y + size.font_px / 3:.1f}" text-anchor="end" '
            f'style="{font}">{label}</text>'
        )
    for hour, label in ticks:
        if first <= hour <= last:
            x = x_of(hour)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{box.top}" y2="{box.top + plot_h}" '
                f'style="stroke:{theme.muted};stroke-width:1;stroke-opacity:0.3"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{height - box.bottom + size.font_px + 6}" '
                f'text-anchor="middle" style="{font}">{_escape(label)}</text>'
            )
    parts.append(
        f'<text transform="translate({size.font_px + 2},{box.top + plot_h / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" style="{font}">{_escape(y_title)}</text>'
    )
    outline = (
        _points(xs, [y_of(v) for v in high]) + " " + _points(xs[::-1], [y_of(v) for v in low[::-1]])
    )
    parts += [
        f'<polygon class="band" points="{outline}" '
        f'style="fill:{theme.bar};fill-opacity:0.28;stroke:none"/>',
        f'<polyline class="band-edge" points="{_points(xs, [y_of(v) for v in high])}" '
        f'style="fill:none;stroke:{theme.bar};stroke-width:1;stroke-opacity:0.8"/>',
        f'<polyline class="band-edge" points="{_points(xs, [y_of(v) for v in low])}" '
        f'style="fill:none;stroke:{theme.bar};stroke-width:1;stroke-opacity:0.8"/>',
        f'<polyline class="typical" points="{_points(xs, [y_of(v) for v in typical])}" '
        f'style="fill:none;stroke:{theme.foreground};stroke-width:2.5"/>',
        f'<line x1="{box.left}" x2="{box.left}" y1="{box.top}" y2="{box.top + plot_h}" '
        f'style="stroke:{theme.muted};stroke-width:1"/>',
        f'<line x1="{box.left}" x2="{width - box.right}" y1="{box.top + plot_h}" '
        f'y2="{box.top + plot_h}" style="stroke:{theme.muted};stroke-width:1"/>',
        "</svg>",
    ]
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
