"""Clinical pathway commands: ``mitra bup-readiness``.

Read-only. Every answer is worded as information for a conversation with a prescriber, with
the treatment locator and the helpline; never an instruction to start alone.
"""

from __future__ import annotations

import textwrap

import click

from mitra.cli.main import state
from mitra.cli.output import dim, emit_json, local_time
from mitra.cli.plan_text import WIDTH, print_support, wrap

ANSWER_STYLE = {"not-yet": "yellow", "likely-ready": "green", "talk-low-or-high": "red"}


@click.command(
    "bup-readiness",
    help="""Is withdrawal far enough along, long enough after your last opioid, to start
buprenorphine with your clinician? Uses your latest COWS check-in (from the last 6 hours) and
the hours since your last use of each kind of opioid (short-acting, extended-release,
methadone, fentanyl) and of kratom or 7-OH. Information for a conversation with your
prescriber, never an instruction to start on your own.

\b
Examples:
  mitra check cows --pulse-bpm 96 --answers 1,1,1,1,1,1,0,1,1,0
  mitra bup-readiness
  mitra bup-readiness --json
""",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
def bup_readiness(as_json: bool) -> None:
    from mitra.services.bup_readiness import ReadinessService, readiness_view  # noqa: PLC0415

    report = ReadinessService(state().app()).readiness()
    if as_json:
        emit_json(readiness_view(report))
        return
    found = report.readiness
    click.echo(click.style("Starting buprenorphine with a clinician", bold=True))
    click.echo(wrap(found.framing, "  "))
    headline = click.style(found.headline.upper(), bold=True, fg=ANSWER_STYLE[found.answer])
    click.echo(f"\n  {headline}")
    for reason in found.reasons:
        click.echo(
            textwrap.fill(reason, width=WIDTH, initial_indent="  - ", subsequent_indent="    ")
        )
    if found.cows is not None:
        click.echo(dim(f"  Latest COWS: {local_time(found.cows.at, report.zone)}"))
    for use in found.last_uses:
        click.echo(dim(f"  Last {use.kind}: {local_time(use.entry.at, report.zone)}"))
    click.echo()
    click.echo(wrap(found.locator, ""))
    click.echo(dim("Sources: " + "; ".join(found.sources)))
    print_support()


COMMANDS = (bup_readiness,)
