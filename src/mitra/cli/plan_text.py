"""Text output for plans, the exposure band and the withdrawal timeline: tables, a sparkline
band and a timeline bar. Pure formatting of plain numbers (no numpy, no database), so the
commands stay short and these shapes can be tested on their own.

Invariants: the exposure chart always shows the band (high, typical and low rows on one
scale), never a single line; every plan screen ends with the alternatives and the support
line (``print_support``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click

from mitra.cli.main import state
from mitra.cli.output import dim

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from mitra.domain.plan_units import ProductMeasure
    from mitra.domain.plans import Plan, PlanStep
    from mitra.domain.timeline import Window

BARS = " ▁▂▃▄▅▆▇█"
WIDTH = 96
TIMELINE_COLUMNS = 48


def wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=WIDTH, initial_indent=indent, subsequent_indent=indent)


def mg_text(value: float) -> str:
    return f"{value:g}"


def step_line(step: PlanStep, *, current: bool = False) -> str:
    mark = "▶" if current else " "
    return (
        f"{mark} {step.index + 1:>3}  {step.start:%d %b %Y} - {step.end:%d %b %Y}  "
        f"{step.kind:<10} {mg_text(step.daily_max_mg):>7} mg/day  "
        f"{mg_text(step.dose_max_mg):>6} mg/dose  {step.doses_per_day_max} doses, "
        f"{step.min_interval_h:g} h apart"
    )


def print_steps(
    plan: Plan,
    *,
    reasons: bool = False,
    limit: int | None = None,
    measure: ProductMeasure | None = None,
) -> None:
    """Each step's ceilings in mg, and under it in the person's own product when known."""
    shown = plan.steps if limit is None else plan.steps[: plan.current + limit]
    for step in shown:
        click.echo(step_line(step, current=step.index == plan.current))
        if measure is not None:
            from mitra.domain.plan_units import in_product  # noqa: PLC0415

            click.echo(f"        {in_product(step, measure).text()}")
        if reasons:
            click.echo(dim(wrap(step.reason, "        ")))
    hidden = len(plan.steps) - len(shown)
    if hidden > 0:
        click.echo(dim(f"  ... and {hidden} more steps: mitra plan show"))


def print_limits(plan: Plan) -> None:
    limits = plan.limits
    text = (
        f"Hard limits in force (safety rules, after any clinician settings): at most "
        f"{limits.dose_max_mg:g} mg a dose, {limits.daily_max_mg:g} mg in 24 hours, "
        f"{limits.doses_per_day_max} doses in 24 hours, {limits.min_interval_h:g} h apart. "
        "No step of a plan can exceed them."
    )
    click.echo(dim(wrap(text, "")))


def print_alternatives(text: str) -> None:
    click.echo()
    click.echo(click.style("Another path, with a clinician", bold=True))
    body = text.removeprefix("Another path, with a clinician: ")
    click.echo(wrap(body[:1].upper() + body[1:]))


def print_support() -> None:
    """The evidence-based options and crisis lines, on every plan, exposure and timeline
    screen, in the short form alerts use after a logged entry."""
    support = state().app().rules().ruleset.support
    options = "; ".join(option.name for option in support.options)
    lines = " · ".join(f"{line.name} {line.contact}" for line in support.crisis)
    click.echo(dim(f"\nHelp that works: {options} (see 'mitra alerts'). {lines}."))


# ---------------------------------------------------------------------------------------------
# The exposure band as a sparkline


def bins(values: Sequence[float], size: int) -> list[float]:
    """Means of consecutive groups of ``size`` values (the last group may be shorter)."""
    return [
        sum(values[i : i + size]) / len(values[i : i + size]) for i in range(0, len(values), size)
    ]


def spark(values: Sequence[float], top: float) -> str:
    """One character per value on a shared scale from 0 to ``top``; blank is zero."""
    if top <= 0:
        return " " * len(values)
    steps = len(BARS) - 1
    return "".join(BARS[min(steps, max(0, round(v / top * steps)))] for v in values)


def band_chart(
    hours: Sequence[float],
    rows: Mapping[str, Sequence[float]],
    at: datetime,
    zone: ZoneInfo,
    *,
    per_column: int = 6,
) -> list[str]:
    """Rows of a band (e.g. high, typical, low) as sparklines on one scale, with day labels."""
    binned = {name: bins(values, per_column) for name, values in rows.items()}
    top = max((max(v, default=0.0) for v in binned.values()), default=0.0)
    lines = [f"  {name:<8}{spark(values, top)}" for name, values in binned.items()]
    columns = len(next(iter(binned.values()), []))
    label = [" "] * (columns + 4)
    previous = None
    for column in range(columns):
        moment = (at + timedelta(hours=hours[column * per_column])).astimezone(zone)
        if previous is not None and moment.date() != previous:
            text = moment.strftime("%a")
            if all(c == " " for c in label[column : column + len(text) + 1]):
                label[column : column + len(text)] = list(text)
        previous = moment.date()
    lines.append("  " + " " * 8 + "".join(label).rstrip())
    lines.append(f"  {'':<8}(one column = {per_column} hours; full height = {top:.0f})")
    return lines


# ---------------------------------------------------------------------------------------------
# The withdrawal timeline as bars


def timeline_chart(windows: Sequence[Window], hours_now: float) -> list[str]:
    """Each window as a bar over hours since last use, and a marker for now. Windows the
    sources give no hours for are named, not drawn."""
    ends = [w.high_h for w in windows if w.high_h is not None]
    span = max([*ends, 24.0])
    scale = TIMELINE_COLUMNS / span

    def column(hours: float) -> int:
        return min(TIMELINE_COLUMNS - 1, max(0, int(hours * scale)))

    lines = []
    for window in windows:
        low = window.earliest_h
        if low is None or window.high_h is None:
            lines.append(f"  {window.name:<7}{dim('(no hours given: ' + window.published + ')')}")
            continue
        cells = [
            "█" if column(low) <= i <= column(window.high_h) else "·"
            for i in range(TIMELINE_COLUMNS)
        ]
        lines.append(f"  {window.name:<7}{''.join(cells)}  {window.describe()}")
    marker = [" "] * TIMELINE_COLUMNS
    beyond = hours_now > span
    marker[column(hours_now)] = "▲"
    note = f"now, {hours_now:.0f} h" + (" (beyond the chart)" if beyond else "")
    lines.append(f"  {'':<7}{''.join(marker)}  {note}")
    lines.append(f"  {'':<7}0 h{' ' * (TIMELINE_COLUMNS - 8)}{span:.0f} h")
    return lines
