"""The clinician report as a PDF: ``ReportData`` in, PDF bytes out, on A4 or US Letter.

Sections, in order: who and when, opening with the "at a glance" box (latest COWS/SOWS with
a trend arrow and words, open urgent and emergency alerts, opioids and sedatives alongside,
the plan step, naloxone); summary of the current pattern (doses per day, estimated
mitragynine per day with its range, products and forms, other substances with MME); kratom
per day (charts); scores over time with their bands (charts from ``mitra.charts``, the
web's own chart functions); symptoms and side effects; alerts with their evidence; plan and
adherence; the person's notes (only when they chose to include them); evidence-based options
and help lines; how to read the estimates; sources.

Invariants: every figure comes from ``ReportData`` (nothing is recomputed here except
formatting); a range is never printed without its ends; a section with nothing to show says
so in words rather than disappearing, so a reader can tell "none" from "not included"; no
heading ends a page (headings keep with what follows, blocks are kept together); no terminal
command is printed (``plain_words``); a severity is shown with its print symbol, word and
colour from ``mitra.domain.severity_looks`` (the embedded font lacks the screen symbols).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from reportlab.graphics.shapes import Drawing, Polygon, Rect
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from mitra import charts
from mitra.domain.alerts import Severity
from mitra.domain.human_time import when_words
from mitra.domain.instruments import Item, get_instrument
from mitra.domain.patterns import week_totals
from mitra.domain.products import Range
from mitra.domain.severity_looks import look
from mitra.domain.symptoms import SEVERITY_LABELS
from mitra.reports.pdf_charts import svg_flowable
from mitra.reports.pdf_style import (
    ACCENT,
    GLANCE,
    INK,
    MARGIN,
    MUTED,
    PAPERS,
    RULE,
    SHADE,
    page_decorator,
    severity_colour,
    styles,
    text,
)
from mitra.services.report_data import AtAGlance, GlanceScore, ReportData, ScoreSeries, band_words
from mitra.storage.alert_store import StoredAlert

TITLE = "Clinician report"
_TIGHT = (
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
)
WEEKLY_AFTER_DAYS = 92
CHART = charts.ChartSize(width=800, height=250, font_px=13, labels=8)
SECTION_TITLES = (
    "Summary: the current pattern",
    "Kratom per day",
    "Scores over time",
    "Symptoms and side effects",
    "Safety alerts",
    "Plan and adherence",
    "Notes",
    "Evidence-based options and help lines",
    "How to read the estimates",
    "Sources",
)


def _mg(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def mg_range(value: Range, unit: str = "mg") -> str:
    """ "48 mg (36-60)": the typical estimate always with its ends."""
    return f"{_mg(value.typical)} {unit} ({_mg(value.low)}–{_mg(value.high)})"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _short(value: date) -> str:
    return f"{value.day} {value:%b}"


def _anchor(item: Item, score: int) -> str:
    return next((a.anchor for a in item.answers if a.score == score), str(score))


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def _when(moment: datetime, data: ReportData) -> str:
    local = moment.astimezone(data.zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


# A terminal command quoted in rule or plan text ("'mitra plan step-back'", "(mitra check
# sows-gossop)"): a clinician's paper shows what to do, not what to type.
_QUOTED_COMMAND = re.compile(r"'mitra ([a-z][a-z -]*?)'")
_BRACKETED_COMMAND = re.compile(r"\s*\((?:see )?'?mitra [a-z][^)]*\)")
_SEE_COMMAND = re.compile(r"\s*See 'mitra [^']*'\.?")


def plain_words(value: str) -> str:
    """``value`` without terminal commands: a bracketed or "See ..." command is dropped and a
    quoted one becomes the action it names ("'mitra plan step-back'" -> "mitra's 'step back'")."""
    value = _SEE_COMMAND.sub("", value)
    value = _BRACKETED_COMMAND.sub("", value)
    return _QUOTED_COMMAND.sub(
        lambda m: f"mitra's '{m.group(1).split()[-1].replace('-', ' ')}'", value
    )


def _severity_word(severity: Severity) -> str:
    # The print symbol: the embedded Vera faces lack the screen's (‼ ▲ ●), and a symbol drawn
    # as a box would read worse than none.
    shown = look(severity)
    return f"{shown.print_symbol} {shown.word}"


def _severity_markup(severity: Severity) -> str:
    """The severity's word in bold, in its colour (paragraph markup)."""
    colour = severity_colour(severity.value).hexval()[2:]
    return f'<font color="#{colour}"><b>{text(_severity_word(severity))}</b></font>'


def _arrow(trend: str) -> Drawing:
    """A small arrow for a score's trend (up, down, steady); a dot for a first score."""
    size = 9
    drawing = Drawing(size, size)
    if trend == "up":
        shape: Polygon | Rect = Polygon([0, 1, size, 1, size / 2, size], fillColor=INK)
    elif trend == "down":
        shape = Polygon([0, size - 1, size, size - 1, size / 2, 0], fillColor=INK)
    elif trend == "steady":
        shape = Polygon([1, 0, 1, size, size, size / 2], fillColor=INK)
    else:
        shape = Rect(size / 2 - 2, size / 2 - 2, 4, 4)
    shape.fillColor = INK
    shape.strokeColor = None
    drawing.add(shape)
    return drawing


def _class_words(name: str, substance_class: str) -> str:
    return "" if name == substance_class else f" ({substance_class})"


def _trend_words(score: GlanceScore) -> str:
    if score.change is None:
        return "first score ever"
    if score.trend == "steady":
        return f"steady ({score.change:+d} from the previous, less than a meaningful change)"
    word = "up" if score.trend == "up" else "down"
    return f"{word} {abs(score.change)} from the previous"


class _Builder:
    def __init__(self, data: ReportData, width: float) -> None:
        self.data = data
        self.width = width
        self.s = styles()
        self.story: list[Flowable] = []

    # -- building blocks -----------------------------------------------------------------
    def p(self, value: str, style: str = "body", *, markup: bool = False) -> None:
        self.story.append(Paragraph(value if markup else text(value), self.s[style]))

    def h1(self, title: str) -> None:
        self.story.append(Paragraph(text(title), self.s["h1"]))

    def h2(self, title: str) -> None:
        self.story.append(Paragraph(text(title), self.s["h2"]))

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        styles_extra: Sequence[tuple[Any, ...]] = (),
        markup_columns: frozenset[int] = frozenset(),
    ) -> None:
        """A table; cells of ``markup_columns`` are paragraph markup the caller escaped."""
        cells = [[Paragraph(text(h), self.s["cell_head"]) for h in header]]
        cells += [
            [
                Paragraph(c if i in markup_columns else text(c), self.s["cell"])
                for i, c in enumerate(row)
            ]
            for row in rows
        ]
        total = sum(widths)
        table = Table(
            cells,
            colWidths=[self.width * w / total for w in widths],
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    *styles_extra,
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 4))

    def chart(self, svg: str, caption: str, *, heading: Flowable | None = None) -> None:
        """A chart with its caption, kept on one page with the heading that introduces it."""
        parts: list[Flowable] = [] if heading is None else [heading]
        parts += [
            svg_flowable(svg, self.width),
            Paragraph(text(caption), self.s["muted"]),
            Spacer(1, 6),
        ]
        self.story.append(KeepTogether(parts))

    # -- sections ------------------------------------------------------------------------
    def glance(self) -> None:
        """Page 1's box: latest withdrawal scores with their trend, open urgent and emergency
        alerts, opioids and sedatives used alongside, the plan step and naloxone."""
        d = self.data
        g: AtAGlance | None = d.glance
        if g is None:
            return
        now, zone = d.generated_at, d.zone
        cell, head = self.s["cell"], self.s["cell_head"]
        rows: list[list[Any]] = []
        if g.scores:
            for score in g.scores:
                words = (
                    f"<b>{score.total}</b> ({text(score.band)}), {text(_trend_words(score))}; "
                    f"{text(when_words(score.at, now, zone))}"
                )
                inner = Table(
                    [[_arrow(score.trend), Paragraph(words, cell)]],
                    colWidths=[12, self.width * 0.74 - 12],
                    hAlign="LEFT",
                )
                inner.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *_TIGHT]))
                rows.append([Paragraph(text(f"Latest {score.short_name}"), head), inner])
        else:
            rows.append(
                [
                    Paragraph("Withdrawal scores", head),
                    Paragraph("No COWS or SOWS check-in in this period.", cell),
                ]
            )
        if g.serious_open:
            shown = []
            for stored in g.serious_open[:4]:
                colour = severity_colour(stored.alert.severity.value).hexval()[2:]
                shown.append(
                    f'<font color="#{colour}"><b>{text(_severity_word(stored.alert.severity))}'
                    f"</b></font> {text(stored.alert.title)} "
                    f"({text(when_words(stored.alert.at, now, zone))})"
                )
            more = len(g.serious_open) - len(shown)
            if more:
                shown.append(text(f"and {more} more (see Safety alerts)"))
            alerts = "<br/>".join(shown)
        else:
            alerts = "None open in this period."
        rows.append([Paragraph("Open urgent and emergency alerts", head), Paragraph(alerts, cell)])
        alongside = (
            "; ".join(
                f"{s.name}{_class_words(s.name, s.substance_class)}: "
                f"{_count(s.uses, 'use', 'uses')} on {_count(s.days_used, 'day', 'days')}, "
                f"last {_short(s.last)}"
                for s in g.alongside
            )
            if g.alongside
            else "None recorded in this period."
        )
        rows.append(
            [
                Paragraph("Opioids and sedatives used alongside", head),
                Paragraph(text(alongside), cell),
            ]
        )
        rows.append(
            [
                Paragraph("Plan step now", head),
                Paragraph(text(g.plan_step or "No active taper or titration plan."), cell),
            ]
        )
        rows.append([Paragraph("Naloxone", head), Paragraph(text(g.naloxone), cell)])
        box = Table(rows, colWidths=[self.width * 0.24, self.width * 0.76], hAlign="LEFT")
        box.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), GLANCE),
                    ("BOX", (0, 0), (-1, -1), 1.2, ACCENT),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        title = Paragraph("At a glance", self.s["h2"])
        self.story += [KeepTogether([title, box]), Spacer(1, 8)]

    def heading(self) -> None:
        d = self.data
        period = f"{_day(d.period.first_day)} to {_day(d.period.last_day)}"
        self.p(TITLE, "title")
        self.p(f"Kratom and opioid withdrawal journal · {period}", "subtitle")
        self.glance()
        profile = d.profile
        yes_no = {True: "yes", False: "no", None: "not stated"}
        facts = [
            ("Person", "not named in this report (the person chose what to include)"),
            ("Period", f"{_when(d.period.since, d)} to {_when(d.period.until, d)}"),
            ("Time zone", profile.timezone),
            (
                "Pregnant / breastfeeding",
                f"{yes_no[profile.pregnant]} / {yes_no[profile.breastfeeding]}",
            ),
            ("Medications listed", ", ".join(profile.medications) or "none listed"),
            ("Generated", f"{_when(d.generated_at, d)} by mitra {d.mitra_version}"),
        ]
        crisis = [
            (stored.assessment, item)
            for stored in d.assessments
            for item in get_instrument(stored.assessment.instrument_id).crisis_items(
                stored.assessment.items
            )
        ]
        if crisis:
            # A crisis answer goes on page 1: the clinician must not have to find it.
            latest, item = max(crisis, key=lambda pair: pair[0].at)
            facts.insert(
                0,
                (
                    "Thoughts of death or self-harm",
                    f"Answered above 'not at all' {_count(len(crisis), 'time', 'times')} in this "
                    f"period ({get_instrument(latest.instrument_id).short_name}, '{item.label}'); "
                    f"latest {_when(latest.at, d)}: "
                    f"'{_anchor(item, dict(latest.items)[item.id])}'. "
                    "The person was shown 988 at once.",
                ),
            )
        if d.readiness is not None:
            # The first reason is the one that decided the answer (fentanyl, the COWS, a wait).
            facts.append(
                (
                    "Buprenorphine start (when generated)",
                    plain_words(f"{d.readiness.headline}. {d.readiness.reasons[0]}"),
                )
            )
        if d.deleted_entries or d.deleted_assessments:
            facts.append(
                (
                    "Not counted",
                    f"{_count(d.deleted_entries, 'entry', 'entries')} and "
                    f"{_count(d.deleted_assessments, 'check-in', 'check-ins')} in this period "
                    "that the person deleted (kept on record, not reported)",
                )
            )
        table = Table(
            [
                [Paragraph(text(k), self.s["cell_head"]), Paragraph(text(v), self.s["cell"])]
                for k, v in facts
            ],
            colWidths=[self.width * 0.27, self.width * 0.73],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        self.story.append(table)
        lines = " · ".join(f"{text(c.name)}: <b>{text(c.contact)}</b>" for c in d.support.crisis)
        box = Table(
            [
                [
                    Paragraph(
                        "<b>Help is always there.</b> Buprenorphine or methadone with a "
                        f"clinician are the treatments with the strongest evidence. {lines}.",
                        self.s["body"],
                    )
                ]
            ],
            colWidths=[self.width],
        )
        box.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                    ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LEFTPADDING", (0, 0), (-1, -1), 7),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                ]
            )
        )
        self.story += [Spacer(1, 8), box, Spacer(1, 4)]

    def summary(self) -> None:
        d = self.data
        self.h1(SECTION_TITLES[0])
        recent, whole = d.recent_pattern, d.pattern
        header = ("", f"last {d.recent_days} days", f"whole period ({whole.days} days)")
        rows = [
            ("Kratom doses per day", f"{recent.doses_per_day:.1f}", f"{whole.doses_per_day:.1f}"),
            (
                "Estimated mitragynine per day",
                mg_range(recent.mitragynine_mg_per_day),
                mg_range(whole.mitragynine_mg_per_day),
            ),
            (
                "Estimated 7-OH per day",
                mg_range(recent.seven_oh_mg_per_day),
                mg_range(whole.seven_oh_mg_per_day),
            ),
            (
                "Days with kratom",
                f"{recent.dosing_days} of {recent.days}",
                f"{whole.dosing_days} of {whole.days}",
            ),
            ("Most doses in a day", str(recent.max_doses_in_a_day), str(whole.max_doses_in_a_day)),
            (
                "Highest day (mitragynine)",
                mg_range(recent.max_mitragynine_mg_in_a_day),
                mg_range(whole.max_mitragynine_mg_in_a_day),
            ),
        ]
        self.table(header, rows, (3, 2.5, 2.5))
        self.h2("Kratom products and forms")
        if d.products:
            self.table(
                ("product", "form", "doses", "total taken", "mitragynine per dose", "used"),
                [
                    (
                        p.name,
                        p.form,
                        str(p.doses),
                        p.amounts,
                        mg_range(p.mitragynine_mg_per_dose),
                        f"{_short(p.first)} – {_short(p.last)} {p.last:%Y}",
                    )
                    for p in d.products
                ],
                (2.6, 1.1, 0.9, 1.6, 2.2, 2.1),
            )
        else:
            self.p("No kratom doses were recorded in this period.")
        self.h2("Other substances")
        if d.substances:
            self.table(
                ("substance", "class", "uses", "days", "total", "MME per day (max / mean)"),
                [
                    (
                        s.name,
                        s.substance_class,
                        str(s.uses),
                        str(s.days_used),
                        s.amounts,
                        (
                            f"{_mg(s.max_daily_mme)} / {_mg(s.mean_daily_mme_on_days_used or 0)}"
                            if s.max_daily_mme is not None
                            else "no MME factor"
                        ),
                    )
                    for s in d.substances
                ],
                (2.2, 1.6, 0.8, 0.8, 1.8, 2.4),
            )
            self.p(
                "MME per day: on days the substance was used (CDC 2022 factors), a measure "
                "of dose, never a conversion between opioids.",
                "muted",
            )
        else:
            self.p("No other substances were recorded in this period.")

    def per_day(self) -> None:
        d = self.data
        heading = Paragraph(text(SECTION_TITLES[1]), self.s["h1"])
        if not any(t.doses for t in d.day_totals):
            self.story.append(heading)
            self.p("No kratom doses were recorded in this period.")
            return
        if len(d.day_totals) > WEEKLY_AFTER_DAYS:
            # A bar a day stops being readable (and fast to draw) beyond a few months.
            weeks = week_totals(d.day_totals)
            starts = [w.start for w in weeks]
            per_day = [w.mitragynine_mg_per_day for w in weeks]
            counts = [w.doses for w in weeks]
            count_caption = (
                "Kratom doses recorded per week (bars labelled by the week's first day; the "
                "last bar may be a shorter week)."
            )
            mg_caption = (
                "Estimated mitragynine per day, the mean of each week: bar at the typical "
                "estimate, whisker from the low to the high end."
            )
        else:
            starts = [t.day for t in d.day_totals]
            per_day = [t.mitragynine_mg for t in d.day_totals]
            counts = [t.doses for t in d.day_totals]
            count_caption = "Kratom doses recorded per day."
            mg_caption = (
                "Estimated mitragynine per day: bar at the typical estimate, whisker from the "
                "low to the high end of the day's range."
            )
        self.chart(
            charts.doses_per_day_svg(starts, counts, size=CHART),
            count_caption,
            heading=heading,
        )
        self.chart(
            charts.mitragynine_per_day_svg(
                starts,
                [r.typical for r in per_day],
                [r.low for r in per_day],
                [r.high for r in per_day],
                size=CHART,
            ),
            mg_caption,
        )

    def scores(self) -> None:
        d = self.data
        self.h1(SECTION_TITLES[2])
        if not d.scores:
            self.p("No check-ins were scored in this period.")
            return
        rows = [self._score_summary(series) for series in d.scores]
        self.table(
            ("instrument", "scores", "first", "latest", "range", "latest band", "change"),
            rows,
            (1.5, 0.9, 1.4, 1.6, 1.0, 1.8, 2.0),
        )
        self.p(
            "Baseline: the person's first score of that instrument ever. * marks a change at "
            "least as big as the instrument's meaningful change. Each chart shows the "
            "instrument's full range.",
            "muted",
        )
        for series in d.scores:
            instrument = series.instrument
            times = [r.assessment.at.astimezone(d.zone).replace(tzinfo=None) for r in series.rows]
            totals = [r.assessment.total for r in series.rows]
            bands = [charts.ScoreBand(b.min, b.max, b.label) for b in instrument.bands]
            if instrument.positive_at is not None:
                bands.append(
                    charts.ScoreBand(instrument.positive_at, instrument.max_total, "positive")
                )
            heading = Paragraph(text(f"{instrument.name} ({instrument.short_name})"), self.s["h2"])
            svg = charts.scores_over_time_svg(
                times,
                totals,
                y_title=f"{instrument.short_name} total",
                min_total=instrument.min_total,
                max_total=instrument.max_total,
                bands=bands,
                size=CHART,
            )
            if instrument.bands:
                band_words = (
                    "Bands: "
                    + "; ".join(f"{b.min}-{b.max} {b.label}" for b in instrument.bands)
                    + "."
                )
            elif instrument.positive_at is not None:
                band_words = f"A screen is positive at {instrument.positive_at} or more."
            else:
                band_words = (
                    "This instrument has no validated severity bands: read the number and "
                    "its trend."
                )
            raters = {r.assessment.rater for r in series.rows}
            rated = " and ".join(sorted(raters))
            self.chart(
                svg,
                f"{band_words} Rated by: {rated}. Meaningful change: "
                f"{instrument.meaningful_change} points ({instrument.meaningful_change_basis}). "
                f"{instrument.citation}",
                heading=heading,
            )

    def _score_summary(self, series: ScoreSeries) -> tuple[str, ...]:
        rows = series.rows
        first, last = rows[0], rows[-1]
        totals = [r.assessment.total for r in rows]
        change = last.change_from_baseline
        baseline = " (baseline)" if first.is_baseline else ""
        change_text = (
            "baseline only"
            if change is None
            else f"{change:+d} from baseline{' *' if last.meaningful_from_baseline else ''}"
        )
        latest = self.data.zone
        if last.assessment.band:
            band = last.assessment.band
        elif last.assessment.positive_screen is not None:
            band = "positive screen" if last.assessment.positive_screen else "negative screen"
        else:
            band = band_words(series.instrument, last.assessment.total, None)
        return (
            series.instrument.short_name,
            str(len(rows)),
            f"{first.assessment.total}{baseline}",
            f"{last.assessment.total} on {_short(last.assessment.at.astimezone(latest).date())}",
            f"{min(totals)}–{max(totals)}",
            band,
            change_text,
        )

    def symptoms(self) -> None:
        d = self.data
        self.h1(SECTION_TITLES[3])
        if not d.symptoms:
            self.p("No symptoms or side effects were recorded in this period.")
            return
        # A red-flag symptom's name and count in the urgent colour (paragraph cells take their
        # colour from markup, not from the table style).
        red = severity_colour("urgent").hexval()[2:]

        def flagged(value: str, flags: int) -> str:
            return f'<font color="#{red}"><b>{text(value)}</b></font>' if flags else text(value)

        self.table(
            ("symptom", "kind", "reports", "days", "mean severity", "worst", "red flags", "last"),
            [
                (
                    flagged(s.name, s.red_flags),
                    s.kind,
                    str(s.reports),
                    str(s.days),
                    f"{s.mean_severity:.1f} / 3",
                    SEVERITY_LABELS[s.max_severity],
                    flagged(str(s.red_flags), s.red_flags) if s.red_flags else "",
                    _short(s.last),
                )
                for s in d.symptoms
            ],
            (2.6, 1.4, 0.9, 0.8, 1.2, 1.1, 1.0, 1.0),
            markup_columns=frozenset({0, 6}),
        )
        self.p("Severity: 0 none, 1 mild, 2 moderate, 3 severe, as the person rated it.", "muted")

    def alerts(self) -> None:
        d = self.data
        self.h1(SECTION_TITLES[4])
        if not d.alerts:
            self.p("No safety alerts were raised in this period.")
            return
        # One block per rule (the same pattern can fire on many days): the latest wording,
        # every date, and the evidence once.
        groups: dict[str, list[StoredAlert]] = {}
        for stored in d.alerts:
            groups.setdefault(stored.alert.rule_id, []).append(stored)
        ordered = sorted(
            groups.values(), key=lambda g: (-max(a.alert.severity.rank for a in g), -len(g))
        )
        self.p(
            f"{_count(len(d.alerts), 'alert', 'alerts')} from "
            f"{_count(len(groups), 'rule', 'rules')}. Each was raised by a reviewed rule when "
            "the person logged; acknowledged means the person marked it as seen."
        )
        self.table(
            ("alert", "severity", "times", "first", "last", "not acknowledged"),
            [
                (
                    g[-1].alert.title,
                    _severity_markup(g[-1].alert.severity),
                    str(len(g)),
                    _short(g[0].alert.at.astimezone(d.zone).date()),
                    _short(g[-1].alert.at.astimezone(d.zone).date()),
                    str(sum(1 for a in g if a.acknowledged_at is None)),
                )
                for g in ordered
            ],
            (4.2, 1.3, 0.8, 1.0, 1.0, 1.5),
            markup_columns=frozenset({1}),
        )
        for group in ordered:
            self.story.append(KeepTogether(self._alert_block(group)))

    def _alert_block(self, group: list[StoredAlert]) -> list[Flowable]:
        d = self.data
        # "Latest" quotes the newest occurrence that still stands: one that rested on an entry
        # the person later deleted (a typo) is listed under "When", never quoted as the latest.
        standing = [a for a in group if not set(a.alert.entry_ids) & d.deleted_entry_ids]
        latest = (standing or group)[-1]
        alert = latest.alert
        colour = severity_colour(alert.severity.value).hexval()[2:]
        when = ", ".join(
            _short(a.alert.at.astimezone(d.zone).date())
            + ("" if a.acknowledged_at else " (open)")
            + (" (entry later deleted)" if set(a.alert.entry_ids) & d.deleted_entry_ids else "")
            for a in group
        )
        block: list[Flowable] = [
            Paragraph(
                f'<font color="#{colour}"><b>{text(_severity_word(alert.severity))}</b></font> '
                f"<b>{text(alert.title)}</b> · {text(_count(len(group), 'time', 'times'))}",
                self.s["body"],
            ),
            Paragraph(text(f"When: {when}."), self.s["small"]),
            Paragraph(
                ("<b>Latest:</b> " if standing else "<b>Latest (its entry was deleted):</b> ")
                + text(plain_words(alert.message)),
                self.s["small"],
            ),
            Paragraph("<b>Advice given:</b> " + text(plain_words(alert.advice)), self.s["small"]),
        ]
        block += [
            Paragraph(
                f"Evidence ({text(e.strength)}): {text(e.claim)} <i>{text(e.citation)}</i>",
                self.s["muted"],
            )
            for e in alert.evidence
        ]
        block.append(Spacer(1, 6))
        return block

    def plan(self) -> None:
        d = self.data
        self.h1(SECTION_TITLES[5])
        self.h2(d.plan.title)
        for line in d.plan.lines:
            self.p(plain_words(line), "para")
        if d.plan.table_rows:
            self.p(
                "Adherence in this period, step by step (days judged on the high end of "
                "each dose's estimate):",
                "small",
            )
            self.table(d.plan.table_header, d.plan.table_rows, (0.6, 1.8, 1.8, 1.1, 1.1, 1.0))

    def notes(self) -> None:
        d = self.data
        self.h1(SECTION_TITLES[6])
        if d.notes is None:
            self.p(
                "Notes are not included: they stay private unless the person chooses to include "
                "them when making the report."
            )
            return
        if not d.notes:
            self.p("The person chose to include notes; there are none in this period.")
            return
        self.table(
            ("when", "with", "note"),
            [(_when(n.at, d), n.attached_to, n.text) for n in d.notes],
            (1.9, 1.4, 5.7),
        )

    def support(self) -> None:
        d = self.data
        self.h1(SECTION_TITLES[7])
        self.p(d.support.intro)
        for option in d.support.options:
            self.p(f"<b>{text(option.name)}.</b> {text(option.text)}", "para", markup=True)
        self.story.append(Spacer(1, 4))
        for line in d.support.crisis:
            self.p(
                f"<b>{text(line.name)}: {text(line.contact)}.</b> {text(line.text)}",
                "para",
                markup=True,
            )

    def caveats(self) -> None:
        self.h1(SECTION_TITLES[8])
        for caveat in self.data.caveats:
            self.p("• " + caveat, "para")

    def sources(self) -> None:
        self.h1(SECTION_TITLES[9])
        for number, source in enumerate(self.data.sources, start=1):
            self.p(f"{number}. {source.citation}", "small")


def render_pdf(data: ReportData, *, paper: str = "a4") -> bytes:
    """The report as PDF bytes on ``paper`` ("a4" or "letter")."""
    size = PAPERS[paper]
    buffer = io.BytesIO()
    period = f"{data.period.first_day:%d %b %Y} – {data.period.last_day:%d %b %Y}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{TITLE}, {period}",
        author="mitra",
        subject="Kratom and opioid withdrawal journal",
        creator=f"mitra {data.mitra_version}",
    )
    builder = _Builder(data, document.width)
    builder.heading()
    builder.summary()
    builder.per_day()
    builder.scores()
    builder.symptoms()
    builder.alerts()
    builder.plan()
    builder.notes()
    builder.support()
    builder.caveats()
    builder.sources()
    canvas = page_decorator(
        title=TITLE,
        generated=data.generated_at.astimezone(data.zone),
        version=data.mitra_version,
        period=period,
    )
    document.build(builder.story, canvasmaker=canvas)
    return buffer.getvalue()


__all__ = ["SECTION_TITLES", "mg_range", "render_pdf"]
