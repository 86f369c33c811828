"""``mitra demo``: build the demo journey in its own database and show it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mitra.cli.main import state
from mitra.cli.output import dim, emit_json
from mitra.cli.words import ESTIMATE_CAVEAT, support_line

if TYPE_CHECKING:
    from mitra.services.context import AppContext


@click.command(
    "demo",
    help="""Build a realistic four-week sample journey in a separate demo
database (replacing any earlier demo), then show its last days. Your own journal is not
touched. Look around afterwards with --demo on any command.

\b
Examples:
  mitra demo
  mitra --demo history --since "5 days ago"
  mitra --demo product list
  mitra --demo scores --instrument cows
""",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
def demo(as_json: bool) -> None:
    from mitra.cli.journal_cmds import _print_history  # noqa: PLC0415
    from mitra.services.context import AppContext  # noqa: PLC0415
    from mitra.services.demo import build_demo  # noqa: PLC0415
    from mitra.services.journal import JournalService  # noqa: PLC0415
    from mitra.storage.database import open_database, resolve_url  # noqa: PLC0415
    from mitra.storage.reset import remove_sqlite_file  # noqa: PLC0415

    cli_state = state()
    url = resolve_url(cli_state.db, demo=True)
    if not url.startswith("sqlite:///"):
        from mitra.domain.errors import InputError  # noqa: PLC0415

        raise InputError(
            "the demo is built in its own SQLite file; give --db a file path "
            "(or leave it out) when running 'mitra demo'",
            field="db",
        )
    remove_sqlite_file(url)
    ctx = AppContext(open_database(url), clock=cli_state.clock)
    summary = build_demo(ctx)
    found, deleted, profile = JournalService(ctx).history(since="5 days ago", include_deleted=True)
    if as_json:
        emit_json(
            {
                "database": ctx.database.display(),
                "entries": summary.entries,
                "products": summary.products,
                "checkins": summary.checkins,
                "first": summary.first.isoformat(),
                "last": summary.last.isoformat(),
            }
        )
        return
    click.echo(
        click.style("The demo journey", bold=True)
        + f": {summary.entries} entries and {summary.checkins} check-ins over four weeks, "
        f"{summary.products} products, in {ctx.database.display()}"
    )
    click.echo(
        "Someone steps off prescribed oxycodone, eases withdrawal with kratom leaf, has "
        "a night with a friend's Xanax,\ntakes a gram of a 45% extract once because an "
        "article called it a normal start, then tapers slowly.\n"
    )
    click.echo(click.style("The last five days:", bold=True))
    _print_history(found, deleted, profile.zone())
    click.echo()
    click.echo(
        "Check-ins (COWS, SOWS-Gossop, SOWS, craving daily or so; PHQ-2 and GAD-2 weekly) "
        "follow the withdrawal:\nCOWS rises to moderate a day after the last oxycodone and "
        "eases over the first week."
    )
    _print_alert_summary(ctx)
    _print_readiness(ctx)
    _print_guarded_import(ctx)
    click.echo("See everything: mitra --demo history    products: mitra --demo product list")
    click.echo("Check-in scores and their changes: mitra --demo scores --instrument cows")
    click.echo("The taper plan, which held when withdrawal rose: mitra --demo plan status")
    click.echo("Build-up in the body: mitra --demo exposure    timeline: mitra --demo timeline")
    click.echo("Starting buprenorphine with a clinician, as of now: mitra --demo bup-readiness")
    click.echo("Clinician report: mitra --demo report pdf --out demo-report.pdf")
    click.echo(
        "A clinic with this journey in it, on PostgreSQL: mitra clinic demo --db postgresql://..."
    )
    click.echo(dim(ESTIMATE_CAVEAT))
    click.echo(dim(support_line()))


def _print_guarded_import(ctx: AppContext) -> None:
    """A tampered copy of the demo's export, refused record by record (nothing written)."""
    from mitra.services.demo_hardening import tampered_import_refusals  # noqa: PLC0415

    refusals = tampered_import_refusals(ctx)
    click.echo(click.style("Safety of your data:", bold=True))
    click.echo("A tampered copy of this journal's export is refused before anything is written:")
    for refusal in refusals[:3]:
        click.echo(f"  refused: {refusal}")
    click.echo(
        "No command writes over the journal, or over a file without --force: "
        "mitra --demo export --out FILE\n"
    )


def _print_alert_summary(ctx: AppContext) -> None:
    """What the safety engine noticed along the way, most serious first, one line per rule."""
    from collections import Counter  # noqa: PLC0415

    from mitra.cli.safety_cmds import severity_label  # noqa: PLC0415
    from mitra.services.safety import SafetyService  # noqa: PLC0415

    stored = SafetyService(ctx).alerts(include_acknowledged=True)
    counts = Counter((s.alert.severity, s.alert.title) for s in stored)
    click.echo(click.style(f"\nWhat the safety engine noticed ({len(stored)} alerts):", bold=True))
    for (severity, title), n in sorted(counts.items(), key=lambda kv: (-kv[0][0].rank, kv[0][1])):
        times = f" (x{n})" if n > 1 else ""
        click.echo(f"  {severity_label(severity.value):<13} {title}{times}")
    click.echo("Each with its evidence: mitra --demo alerts --all    the rules: mitra rules\n")


def _print_readiness(ctx: AppContext) -> None:
    """The buprenorphine-readiness answer at the demo's worst COWS, with its deciding reason."""
    from mitra.cli.output import local_time  # noqa: PLC0415
    from mitra.services.demo_pathways import readiness_at_worst_cows  # noqa: PLC0415

    report = readiness_at_worst_cows(ctx)
    if report is None:
        return
    found = report.readiness
    click.echo(
        click.style("At the worst COWS", bold=True)
        + f" ({local_time(report.now, report.zone)}), asked whether buprenorphine could start:"
    )
    click.echo(f"  {found.headline}. " + " ".join(found.reasons))
    click.echo(dim(f"  {found.framing}\n"))
