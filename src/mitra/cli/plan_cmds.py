"""Plan, exposure and timeline commands: ``plan new titration|taper``, ``plan show``,
``plan status``, ``plan step-back``, ``plan export --ics``, ``exposure`` and ``timeline``.

Every screen ends with the alternatives (buprenorphine or methadone with a clinician, with the
ASAM timing) and the support line. Services are imported inside the commands: the exposure
model needs numpy, and ``mitra --help`` must stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mitra.cli.main import state
from mitra.cli.output import dim, emit_json, local_time
from mitra.cli.plan_text import (
    band_chart,
    print_alternatives,
    print_limits,
    print_steps,
    print_support,
    step_line,
    timeline_chart,
    wrap,
)

if TYPE_CHECKING:
    from mitra.domain.alerts import Support
    from mitra.services.plans import PlanCreated, PlanService

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of text."
)
start_option = click.option(
    "--start", metavar="DATE", help="First day: today (default), tomorrow or YYYY-MM-DD."
)


def _service() -> PlanService:
    from mitra.services.plans import PlanService  # noqa: PLC0415

    return PlanService(state().app())


def _support() -> Support:
    return state().app().rules().ruleset.support


@click.group("plan", help="Titration and taper plans inside the hard limits, gated on check-ins.")
def plan_group() -> None:
    pass


@plan_group.group(
    "new",
    help="""Start a plan; a new plan ends the active one (recorded).

mitra does not recommend kratom. A taper plans a slow step-down; a titration only keeps use
within limits for someone who has chosen to use it. Buprenorphine or methadone with a
clinician are always offered as the other path.
""",
)
def plan_new() -> None:
    pass


@plan_new.command(
    "titration",
    help="""Start low, go slow: a small first dose, increases of at most one
small step, each held until it settles (12 days), and only while check-ins show withdrawal
is still high. Amounts are mg of mitragynine (the high end of each dose's estimate).

\b
Examples:
  mitra plan new titration
  mitra plan new titration --first-dose-mg 6.65 --doses-per-day 2
  mitra plan new titration --target-dose-mg 26.6 --start tomorrow --json
""",
)
@click.option(
    "--first-dose-mg", metavar="MG", help="First dose ceiling (default 6.65, at most 13.3)."
)
@click.option("--step-mg", metavar="MG", help="Increase per step (default and at most 6.65).")
@click.option("--settle-days", metavar="DAYS", help="Days per step (12 to 56; default 12).")
@click.option("--doses-per-day", metavar="N", help="Doses a day (default 2).")
@click.option("--target-dose-mg", metavar="MG", help="Stop increasing at this dose.")
@start_option
@json_option
def plan_new_titration(
    first_dose_mg: str | None,
    step_mg: str | None,
    settle_days: str | None,
    doses_per_day: str | None,
    target_dose_mg: str | None,
    start: str | None,
    as_json: bool,
) -> None:
    created = _service().new_titration(
        start=start,
        first_dose_mg=first_dose_mg,
        step_mg=step_mg,
        settle_days=settle_days,
        doses_per_day=doses_per_day,
        target_dose_mg=target_dose_mg,
    )
    _show_created(created, as_json)


@plan_new.command(
    "taper",
    help="""A taper off kratom from your current amount, read from the doses
you logged in the 7 days before today (high end of each estimate, averaged over the days
with doses) unless you give --current-mg.

\b
Strategies:
  percent  each cut a percent of the current ceiling: smaller cuts as the dose falls (default)
  linear   a fixed cut of the starting amount until 30% remains, then a percent (CDC 2022)
  custom   a clinician's schedule: --steps "120,108,96" (each MG, MG:DAYS or MG:DAYS:DOSE_MG;
           days default to --step-days or 28) or --steps-file FILE (one step a line)
Speeds: slow (5% every 4 weeks), moderate (10% every 4 weeks, default), fast (10% every 2
weeks, only with --used-over-a-year no), or a percent per step (2-10) with --step-days.

\b
Examples:
  mitra plan new taper
  mitra plan new taper --strategy linear --speed slow
  mitra plan new taper --speed 7.5 --step-days 21 --used-over-a-year no
  mitra plan new taper --strategy custom --steps "120:28,108:28,96:28" --current-mg 120
  mitra plan new taper --steps-file schedule.txt --json
""",
)
@click.option("--strategy", metavar="percent|linear|custom", help="How the steps fall.")
@click.option("--speed", metavar="slow|moderate|fast|PERCENT", help="How fast (default moderate).")
@click.option("--step-days", metavar="DAYS", help="Days per step with a percent speed (12-56).")
@click.option("--steps", metavar="LIST", help="A clinician's schedule (implies custom).")
@click.option("--steps-file", metavar="FILE", help="The schedule from a file (implies custom).")
@click.option("--current-mg", metavar="MG", help="Your usual daily mg mitragynine (else: log).")
@click.option("--doses-per-day", metavar="N", help="Doses a day the ceilings are split into.")
@click.option("--used-over-a-year", metavar="yes|no|unknown", help="Kratom use for a year or more?")
@start_option
@json_option
def plan_new_taper(
    strategy: str | None,
    speed: str | None,
    step_days: str | None,
    steps: str | None,
    steps_file: str | None,
    current_mg: str | None,
    doses_per_day: str | None,
    used_over_a_year: str | None,
    start: str | None,
    as_json: bool,
) -> None:
    from mitra.domain.errors import InputError  # noqa: PLC0415

    if steps_file is not None:
        if steps is not None:
            raise InputError("give --steps or --steps-file, not both", field="steps")
        from pathlib import Path  # noqa: PLC0415

        try:
            steps = Path(steps_file).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "not a text file"
            raise InputError(
                f"cannot read --steps-file {steps_file}: {why}", field="steps"
            ) from None
    created = _service().new_taper(
        strategy=strategy,
        speed=speed,
        step_days=step_days,
        steps=steps,
        current_mg=current_mg,
        doses_per_day=doses_per_day,
        used_over_a_year=used_over_a_year,
        start=start,
    )
    _show_created(created, as_json)


def _show_created(created: PlanCreated, as_json: bool) -> None:
    from mitra.services.plan_views import created_view  # noqa: PLC0415

    if as_json:
        emit_json(created_view(created, _support()))
        return
    plan = created.stored.plan
    if created.replaced is not None:
        click.echo(f"Plan #{created.replaced.id} ended (replaced; kept on record).")
    click.echo(
        click.style(f"Plan #{created.stored.id}: {plan.kind} ({plan.strategy})", bold=True)
        + f", {len(plan.steps)} steps from {plan.steps[0].start:%a %d %b %Y}"
    )
    if created.intake is not None:
        click.echo(wrap(created.intake.basis))
    print_steps(plan, limit=6, measure=created.measure)
    click.echo(wrap(plan.steps[0].reason))
    for note in plan.notes:
        click.echo(wrap(note))
    print_limits(plan)
    for problem in created.refused_settings:
        click.echo(click.style(f"Setting refused: {problem}", fg="yellow"), err=True)
    click.echo("Each day: mitra plan status (today's ceilings and the decision).")
    print_alternatives(plan.alternatives)
    print_support()


@plan_group.command(
    "show",
    help="""The active plan: every step with its ceilings and reason, and every
decision so far (holds, advances, step-backs) with its reason.

\b
Examples:
  mitra plan show
  mitra plan show --json
""",
)
@json_option
def plan_show(as_json: bool) -> None:
    from mitra.services.plan_views import overview_view  # noqa: PLC0415

    overview = _service().show()
    if as_json:
        emit_json(overview_view(overview, _support()))
        return
    if overview is None:
        _no_plan_text()
        return
    plan = overview.stored.plan
    click.echo(
        click.style(f"Plan #{overview.stored.id}: {plan.kind} ({plan.strategy})", bold=True)
        + f", created {local_time(plan.created_at, overview.zone)}"
    )
    print_steps(plan, reasons=True, measure=overview.measure)
    for note in plan.notes:
        click.echo(wrap(note))
    print_limits(plan)
    click.echo(click.style("\nHistory", bold=True))
    for event in overview.events:
        cause = f" ({event.cause})" if event.cause else ""
        click.echo(f"  {event.day:%d %b %Y}  {event.event}{cause}")
        click.echo(dim(wrap(event.reason, "      ")))
    print_alternatives(plan.alternatives)
    print_support()


def _no_plan_text() -> None:
    from mitra.domain.plan_model import alternatives  # noqa: PLC0415

    click.echo("No active plan. Start one: mitra plan new taper (or titration).")
    print_alternatives(alternatives()[0])
    print_support()


@plan_group.command(
    "status",
    help="""Today: the step in force and its ceilings, whether today's doses are
within them, the gating decision with its reason (recorded), and the next step. The plan
moves only when a COWS or SOWS-Gossop check-in from the last 3 days allows it.

\b
Examples:
  mitra plan status
  mitra plan status --json
""",
)
@json_option
def plan_status(as_json: bool) -> None:
    from mitra.cli.journal_cmds import describe  # noqa: PLC0415
    from mitra.services.plan_views import status_view  # noqa: PLC0415

    status = _service().status()
    if as_json:
        emit_json(status_view(status, _support()))
        return
    if status is None:
        _no_plan_text()
        return
    plan, zone = status.stored.plan, status.zone
    click.echo(
        click.style(f"Plan #{status.stored.id}: {plan.kind} ({plan.strategy})", bold=True)
        + f", today {status.today:%a %d %b %Y}"
    )
    if status.step is None:
        click.echo(f"  The plan starts on {plan.steps[0].start:%a %d %b %Y}.")
    else:
        click.echo(step_line(status.step, current=True))
        from mitra.services.plan_units import (  # noqa: PLC0415
            product_measure,
            step_in_product_text,
        )

        shown = step_in_product_text(status.step, product_measure(state().app()))
        if shown is not None:
            click.echo(f"        In your usual product: {shown}")
        for dose in status.doses:
            local = dose.entry.at.astimezone(zone)
            high = dose.entry.estimate.mitragynine_mg.high
            verdict = dose.judgement.verdict
            colour = "yellow" if verdict == "over" else None
            click.echo(
                f"    {local:%H:%M}  {describe(dose.entry)}  up to {high:g} mg: "
                + click.style(verdict, fg=colour)
            )
            if verdict == "over":
                click.echo(dim(wrap(dose.judgement.reason, "           ")))
        words = {
            "within": "within today's ceilings",
            "over": "over today's ceilings (no blame: see the advice below)",
            "no-doses": "no doses logged today",
            "not-started": "",
        }
        click.echo(
            f"  Today so far: {len(status.doses)} doses, up to {status.total_mg:g} mg "
            f"(high end): {words[status.verdict]}."
        )
    decision = status.decision
    head = click.style(f"Decision today: {decision.action.upper()}", bold=True)
    click.echo(f"\n{head} ({decision.cause})")
    click.echo(wrap(decision.reason))
    if status.next_step is not None:
        click.echo("Next step (only after a check-in allows it):")
        click.echo(step_line(status.next_step))
    if status.last_checkins:
        shown = ", ".join(
            f"{a.instrument_id.upper().replace('SOWS-GOSSOP', 'SOWS-Gossop')} {a.total} "
            f"({local_time(a.at, zone)})"
            for a in status.last_checkins
        )
        click.echo(dim(f"Last check-ins: {shown}"))
    click.echo(dim("Check in: mitra check sows-gossop   History: mitra plan show"))
    if status.verdict == "over":
        click.echo(
            wrap(
                "Going over is not a failure; do not make up for it by cutting more. If it "
                "keeps happening the pace may be too fast: a check-in lets the plan hold, "
                "'mitra plan step-back' goes back one step, and a clinician can help."
            )
        )
    print_alternatives(plan.alternatives)
    print_support()


@plan_group.command(
    "step-back",
    help="""Go back one step of a taper, on purpose, recorded with your reason.
Only one step at a time, never twice in a row (HHS 2019: slow or pause rather than
reverse), never above a ceiling the plan already had and never above the hard limits.

\b
Examples:
  mitra plan step-back --reason "could not sleep for three nights"
  mitra plan step-back --reason "clinician advised" --json
""",
)
@click.option("--reason", required=True, metavar="TEXT", help="Why (kept with the plan).")
@json_option
def plan_step_back(reason: str, as_json: bool) -> None:
    from mitra.services.plan_views import step_back_view  # noqa: PLC0415

    result = _service().step_back(reason)
    if as_json:
        emit_json(step_back_view(result, _support()))
        return
    click.echo(click.style("Stepped back one step (recorded).", bold=True))
    click.echo(step_line(result.decision.step, current=True))
    click.echo(wrap(result.decision.reason))
    print_alternatives(result.stored.plan.alternatives)
    print_support()


@plan_group.command(
    "export",
    help="""Calendar reminders (an .ics file) for the coming steps and check-ins.
A step begins only when a check-in allows it, so the calendar is a reminder, not the plan.
With --no-details, events name no substance or amount (for synced or shared calendars).

\b
Examples:
  mitra plan export --ics plan.ics
  mitra plan export --ics ~/plan.ics --no-details --json
""",
)
@click.option("--ics", "ics", required=True, metavar="FILE", help="The .ics file to write.")
@click.option("--no-details", is_flag=True, help="Leave amounts and substances out.")
@click.option("--force", is_flag=True, help="Replace the file if it already exists.")
@json_option
def plan_export(ics: str, no_details: bool, force: bool, as_json: bool) -> None:
    from pathlib import Path  # noqa: PLC0415

    from mitra.cli.out_files import target  # noqa: PLC0415

    target(Path(ics), force=force, option="--ics", field="ics")
    path, steps, checkins = _service().export_ics(ics, details=not no_details)
    if as_json:
        from mitra.services.alert_views import support_view  # noqa: PLC0415

        emit_json(
            {
                "file": str(path),
                "step_events": steps,
                "checkin_events": checkins,
                "support": support_view(_support()),
            }
        )
        return
    click.echo(f"Wrote {path}: {steps} step reminders and {checkins} check-in reminders.")
    print_support()


# ---------------------------------------------------------------------------------------------
# Exposure and timeline


@click.command(
    "exposure",
    help="""How much mitragynine has built up in your body from the doses you
logged: a band over the published half-lives (23-68 h), never one precise line; how many times
one dose your dosing pattern builds up to; and how long a change takes to settle. A relative
model, not a blood level: its sources and limits are printed with it.

\b
Examples:
  mitra exposure
  mitra exposure --at "yesterday 21:00"
  mitra exposure --json
""",
)
@click.option("--at", "at", metavar="WHEN", help="As of when (default now): ISO 8601, '2h ago'.")
@json_option
def exposure_cmd(at: str | None, as_json: bool) -> None:
    from mitra.services.exposure import ExposureService  # noqa: PLC0415
    from mitra.services.science_views import exposure_view  # noqa: PLC0415

    report = ExposureService(state().app()).exposure(at)
    if as_json:
        emit_json(exposure_view(report, _support()))
        return
    click.echo(
        click.style("Relative body load of mitragynine, last 7 days", bold=True)
        + " (a band, not a precise line)"
    )
    rows = {"high": report.high, "typical": report.typical, "low": report.low}
    for line in band_chart(report.hours, rows, report.at, report.zone):
        click.echo(line)
    if report.doses == 0:
        click.echo("  No kratom doses logged in the 30 days before this moment.")
    now = report.now
    click.echo(
        f"\nAt {local_time(report.at, report.zone)}: between {now.low:.0f} and {now.high:.0f} "
        f"(typical {now.typical:.0f}) mg as if fully absorbed."
    )
    times = report.times_one_dose
    if times is not None and report.usual_dose_mg is not None:
        click.echo(
            f"  That is {times.low:.1f}-{times.high:.1f} times (typical {times.typical:.1f}) the "
            f"peak of one usual dose alone ({report.usual_dose_mg:.0f} mg)."
        )
    accumulation = report.accumulation
    if accumulation is None:
        click.echo("  Build-up: too few doses in the last 7 days to measure your pattern.")
    else:
        f = accumulation.factor
        click.echo(
            wrap(
                f"Build-up of your pattern: a dose about every {accumulation.interval_h:.1f} h "
                f"builds up to {f.low:.1f}-{f.high:.1f} times (typical {f.typical:.1f}) the "
                "level of one dose, once steady."
            )
        )
    s = report.settle_hours
    click.echo(
        f"  A change of dose takes {s.low / 24:.1f}-{s.high / 24:.1f} days to settle; plans "
        f"hold each step at least {report.settle_days} days."
    )
    click.echo(dim(wrap(report.basis)))
    click.echo(dim("Limits of this model:"))
    for text in report.limits:
        click.echo(dim(wrap("- " + text, "  ")))
    click.echo(dim("Sources:"))
    for source in report.sources:
        click.echo(dim(wrap("- " + source, "  ")))
    click.echo(dim("The model in full: mitra exposure --json (field 'model')."))
    print_support()


@click.command(
    "timeline",
    help="""Where you probably are in withdrawal since your last opioid use
(kratom counts while you taper it), with the typical windows, how certain they are, and your
own check-in scores by hours since that use.

\b
Examples:
  mitra timeline
  mitra timeline --json
""",
)
@json_option
def timeline_cmd(as_json: bool) -> None:
    from mitra.services.science_views import describe_use, timeline_view  # noqa: PLC0415
    from mitra.services.timeline import TimelineService  # noqa: PLC0415

    report = TimelineService(state().app()).timeline()
    if as_json:
        emit_json(timeline_view(report, _support()))
        return
    primary = report.primary
    if primary is None:
        click.echo(wrap(report.message, ""))
        print_alternatives(report.alternatives)
        print_support()
        return
    timeline = primary.timeline
    certainty = timeline.certainty.upper()
    if timeline.certainty == "low":
        certainty += " (lay sources or one small study: a rough guide)"
    click.echo(click.style(f"Withdrawal timeline: {timeline.label}", bold=True))
    click.echo(f"  Certainty: {certainty}")
    click.echo(
        f"  Last use: {local_time(primary.entry.at, report.zone)}, "
        f"{describe_use(primary.entry)}, {timeline.hours_since_last_use:.0f} hours ago."
    )
    phase = click.style(timeline.phase.upper().replace("-", " "), bold=True)
    click.echo(f"  Where you probably are: {phase}")
    for line in timeline_chart(timeline.windows, timeline.hours_since_last_use):
        click.echo(line)
    if report.scores:
        click.echo("Your scores since then (hours since last use, phase then):")
        for point in report.scores:
            a = point.assessment
            name = a.instrument_id.upper().replace("SOWS-GOSSOP", "SOWS-Gossop")
            band = f" ({a.band})" if a.band else ""
            click.echo(
                f"  {point.hours_since_last_use:>6.0f} h  {name} {a.total}{band}  [{point.phase}]"
            )
    else:
        click.echo("No withdrawal check-ins since then: mitra check sows-gossop")
    click.echo(wrap(timeline.note))
    for other in report.others:
        o = other.timeline
        text = (
            f"Also: {describe_use(other.entry)}, last {o.hours_since_last_use / 24:.1f} days "
            f"ago: {o.phase} ({o.label}; certainty {o.certainty})."
        )
        click.echo(dim(wrap(text, "")))
    from mitra.domain import timeline as tl  # noqa: PLC0415

    click.echo(dim("Sources:"))
    for source in timeline.sources:
        click.echo(dim(wrap("- " + tl.citation(source), "  ")))
    print_alternatives(report.alternatives)
    print_support()


COMMANDS = (plan_group, exposure_cmd, timeline_cmd)
