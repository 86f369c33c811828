"""Safety commands (``alerts``, ``alerts ack``, ``alerts rejudge``, ``rules``) and the
printing of alerts that every other command uses: a logged entry shows the alerts it raised,
and every screen ends with a reminder of open urgent and emergency alerts until they are
acknowledged. Every severity has its own word and symbol (``mitra.domain.severity_looks``, the
same as the web's and the PDF's), so the five stay apart without colour too; colour is added
only when standard output is a terminal and NO_COLOR is not set.

``mitra alerts`` lists one page of grouped alerts (``--page``, ``--limit``), read a page at a
time by the database; ``mitra alerts ack --cautions`` marks every caution and information
alert read at once and never an urgent or emergency one."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from mitra.cli.main import state
from mitra.cli.output import dim, emit_json, local_time

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from mitra.storage.alert_store import StoredAlert

WHITE = (255, 255, 255)


def use_colour() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def severity_label(level: str) -> str:
    """The symbol and word of a severity ('! Urgent'), as a badge in its colour on a terminal:
    white on the light-page colour, which keeps AA contrast on light and dark terminals."""
    from mitra.domain.severity_looks import look  # noqa: PLC0415

    seen = look(level)
    text = f"{seen.symbol} {seen.word}"
    if not use_colour():
        return text
    return click.style(f" {text} ", fg=WHITE, bg=_rgb(seen.light), bold=True)


def strong(text: str) -> str:
    return click.style(text, bold=True) if use_colour() else text


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of text."
)


def print_alerts(
    alerts: Sequence[StoredAlert],
    zone: ZoneInfo,
    *,
    full_support: bool = False,
    evidence_lines: int = 2,
) -> None:
    """Each alert as a short block, most serious first, then the support options once (in
    one line after a logged entry; in full where alerts are reviewed)."""
    from mitra.domain.alerts import support_text  # noqa: PLC0415

    for stored in alerts:
        alert = stored.alert
        head = severity_label(alert.severity.value) + strong(f": {alert.title}")
        ack = (
            f"  acknowledged {local_time(stored.acknowledged_at, zone)}"
            if stored.acknowledged_at
            else ""
        )
        click.echo(f"\n{head}  {dim(f'[alert #{stored.id}, {alert.rule_id}]')}{ack}")
        if stored.count > 1:
            first = local_time(stored.first_at or alert.at, zone)
            click.echo(
                f"  {stored.count} times since {first}, latest {local_time(alert.at, zone)}:"
            )
        click.echo(f"  {alert.message}")
        if stored.history:
            last = stored.history[-1]
            click.echo(
                dim(
                    f"  {last.change.capitalize()} by mitra "
                    f"{local_time(last.changed_at, zone)} after the journal changed; "
                    f"it said before: {last.message}"
                )
            )
        click.echo(f"  What you can do: {alert.advice}")
        for evidence in alert.evidence[:evidence_lines]:
            click.echo(
                dim(f"  Evidence ({evidence.strength}): {evidence.claim} ({evidence.citation})")
            )
        more = len(alert.evidence) - evidence_lines
        if more > 0:
            click.echo(dim(f"  ...and {more} more sources: mitra alerts --json"))
    if not alerts:
        return
    support = state().app().rules().ruleset.support
    click.echo()
    if full_support:
        click.echo(dim(support_text(support)))
        return
    options = "; ".join(option.name for option in support.options)
    lines = " · ".join(f"{line.name} {line.contact}" for line in support.crisis)
    click.echo(dim(f"Help that works: {options} (see 'mitra alerts'). {lines}."))


def remind_open_serious() -> None:
    """One line per screen while urgent or emergency alerts are open (no snooze exists)."""
    from mitra.services.safety import SafetyService  # noqa: PLC0415

    serious = SafetyService(state().app()).open_serious()
    if not serious:
        return
    worst = max(serious, key=lambda s: s.alert.severity.rank).alert.severity.value
    noun = "alert is" if len(serious) == 1 else "alerts are"
    click.echo(
        f"\n{severity_label(worst)} "
        + strong(
            f"{len(serious)} urgent or emergency {noun} open: "
            "see 'mitra alerts', acknowledge with 'mitra alerts ack ID'."
        )
    )


@click.group(
    "alerts",
    invoke_without_command=True,
    help="""Safety alerts raised by what you
logged, each with its evidence. The same thing on other days is shown once, with how many
times; open and most serious first, then newest, a page at a time. Emergency and urgent alerts
stay until acknowledged, each on its own.

\b
Examples:
  mitra alerts              (open alerts, first page)
  mitra alerts --page 2     (the next page)
  mitra alerts --all        (also acknowledged ones)
  mitra alerts ack 3 --note "talked to my doctor"
  mitra alerts ack --cautions   (every caution and information alert read)
  mitra alerts --json
""",
)
@click.option("--all", "show_all", is_flag=True, help="Include acknowledged alerts.")
@click.option(
    "--page", type=click.IntRange(1, 1_000_000), default=1, show_default=True, help="Which page."
)
@click.option(
    "--limit",
    type=click.IntRange(1, 200),
    default=20,
    show_default=True,
    help="Alerts (grouped) per page.",
)
@json_option
@click.pass_context
def alerts_group(ctx: click.Context, show_all: bool, page: int, limit: int, as_json: bool) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from mitra.services.alert_views import alert_view, support_view  # noqa: PLC0415
    from mitra.services.journal import JournalService  # noqa: PLC0415
    from mitra.services.safety import SafetyService  # noqa: PLC0415

    app = state().app()
    found = SafetyService(app).alert_page(page=page, per_page=limit, include_acknowledged=show_all)
    zone = JournalService(app).profile().zone()
    if as_json:
        emit_json(
            {
                "alerts": [alert_view(s, zone) for s in found.alerts],
                "total": found.total,
                "page": found.page,
                "pages": found.pages,
                "limit": limit,
                "support": support_view(app.rules().ruleset.support),
            }
        )
        return
    if not found.alerts:
        if page > 1 and found.total:
            click.echo(f"There is no page {page}: {found.pages} pages of {limit}.")
        else:
            click.echo("No open alerts." if not show_all else "No alerts yet.")
        return
    print_alerts(found.alerts, zone, full_support=True)
    if found.pages > 1:
        more = f"; next: mitra alerts --page {page + 1}" if found.has_next else ""
        click.echo(f"\nPage {found.page} of {found.pages} ({found.total} alerts){more}")


@alerts_group.command(
    "ack",
    help="""Acknowledge an alert: you have seen it. It stays on
record (mitra alerts --all) and is never deleted. With --cautions, every open caution and
information alert is acknowledged at once; urgent and emergency alerts never are (each needs
its own acknowledgement).

\b
Examples:
  mitra alerts ack 3 --note "called the clinic"
  mitra alerts ack --cautions
""",
)
@click.argument("alert_id", type=click.IntRange(1, 2**63 - 1), metavar="[ID]", required=False)
@click.option(
    "--cautions",
    is_flag=True,
    help="Acknowledge every caution and information alert (never urgent or emergency).",
)
@click.option("--note", metavar="TEXT", help="What you did about it (optional).")
@json_option
def alerts_ack(alert_id: int | None, cautions: bool, note: str | None, as_json: bool) -> None:
    from mitra.domain.errors import NotFoundError  # noqa: PLC0415
    from mitra.services.alert_views import alert_view  # noqa: PLC0415
    from mitra.services.journal import JournalService  # noqa: PLC0415
    from mitra.services.safety import SafetyService  # noqa: PLC0415

    if (alert_id is None) == (not cautions):
        raise click.UsageError("give either an alert ID or --cautions (not both)")
    app = state().app()
    if cautions:
        done = SafetyService(app).mark_minor_read(note)
        if as_json:
            emit_json({"acknowledged": done})
            return
        noun = "alert" if done == 1 else "alerts"
        click.echo(
            f"Acknowledged {done} caution and information {noun}."
            if done
            else "No open caution or information alerts."
        )
        remind_open_serious()
        return
    assert alert_id is not None  # checked above; for the type checker
    try:
        stored = SafetyService(app).acknowledge(alert_id, note)
    except NotFoundError as exc:
        raise NotFoundError(f"{exc}; see 'mitra alerts --all'", field=exc.field) from exc
    zone = JournalService(app).profile().zone()
    if as_json:
        emit_json({"alert": alert_view(stored, zone)})
        return
    click.echo(f"Acknowledged alert #{stored.id}: {stored.alert.title}")


@alerts_group.command(
    "rejudge",
    help="""Judge the whole journal again from scratch and show what
changes: alerts it would open, update (corrected figures; what was shown stays on record)
or close (with a note). Emergencies stay open until you close them; alerts you acknowledged
stay acknowledged. Without --dry-run the changes are applied.

\b
Examples:
  mitra alerts rejudge --dry-run
  mitra alerts rejudge
""",
)
@click.option("--dry-run", is_flag=True, help="Show the changes without applying them.")
@json_option
def alerts_rejudge(dry_run: bool, as_json: bool) -> None:
    from mitra.services.journal import JournalService  # noqa: PLC0415
    from mitra.services.safety import SafetyService  # noqa: PLC0415
    from mitra.services.views import iso  # noqa: PLC0415

    app = state().app()
    safety = SafetyService(app)
    groups_before = safety.alert_page(per_page=1).total
    report = safety.rejudge(dry_run=dry_run)
    zone = JournalService(app).profile().zone()
    if as_json:
        emit_json(
            {
                "applied": report.applied,
                "open_before": report.open_before,
                "open_after": report.open_after,
                "would_open" if dry_run else "opened": report.count("open")
                + report.count("reopen"),
                "would_update" if dry_run else "updated": report.count("update"),
                "would_close" if dry_run else "closed": report.count("close"),
                "changes": [
                    {
                        "change": c.kind,
                        "rule_id": c.alert.rule_id,
                        "key": c.alert.key,
                        "severity": c.alert.severity.value,
                        "at": iso(c.alert.at, zone),
                        "message": c.alert.message,
                        "alert_id": c.stored.id if c.stored else None,
                        "note": c.note,
                    }
                    for c in report.changes
                ],
            }
        )
        return
    past = {"open": "opened", "reopen": "reopened", "update": "updated", "close": "closed"}
    for change in report.changes:
        verb = change.kind if dry_run else past[change.kind]
        when = local_time(change.alert.at, zone)
        ident = f"#{change.stored.id} " if change.stored else ""
        click.echo(
            f"{'would ' if dry_run else ''}{verb:<8} {severity_label(change.alert.severity.value)}"
            f" {ident}{change.alert.title} ({when})"
        )
        click.echo(dim(f"    {change.alert.message}"))
    opened = report.count("open") + report.count("reopen")
    summary = (
        f"{opened} to open, {report.count('update')} to update, {report.count('close')} to close"
        if dry_run
        else f"{opened} opened, {report.count('update')} updated, {report.count('close')} closed"
    )
    click.echo(f"\nJudged the whole journal from scratch: {summary}.")
    after = groups_before if dry_run else safety.alert_page(per_page=1).total
    click.echo(
        f"Open alerts (stored occurrences): {report.open_before} before, "
        f"{report.open_after} {'would be ' if dry_run else ''}after; "
        f"shown as {groups_before} alerts before" + ("." if dry_run else f", {after} after.")
    )
    if dry_run and report.changes:
        click.echo("Apply with: mitra alerts rejudge")


@click.command(
    "rules",
    help="""List the safety rules in force: what each checks, its
thresholds (after any clinician settings), severity and sources.

Clinicians may tighten thresholds in a settings file: $MITRA_SAFETY_SETTINGS, or safety.toml
in the user config folder (~/.config/mitra/safety.toml on Linux). Hard limits can only be
made stricter; a loosening setting is refused and listed here.

\b
Example settings file:
  [dose-mitragynine-high]
  max_mg = 80

\b
Examples:
  mitra rules
  mitra rules --json
""",
)
@json_option
def rules_list(as_json: bool) -> None:
    effective = state().app().rules()
    rules = effective.ruleset.rules
    if as_json:
        emit_json(
            {
                "version": effective.ruleset.version,
                "settings_file": str(effective.settings_path) if effective.settings_path else None,
                "refused_settings": list(effective.refused),
                "rules": [
                    {
                        "id": r.id,
                        "group": r.group,
                        "checks": r.checks,
                        "severity": r.severity.value,
                        "hard_limit": r.hard_limit,
                        "why": r.why,
                        "thresholds": [
                            {
                                "name": t.name,
                                "value": t.value,
                                "unit": t.unit,
                                "tighter": t.tighter.value,
                                "why": t.why,
                            }
                            for t in r.thresholds
                        ],
                        "evidence": [
                            {
                                "source": e.source_id,
                                "strength": e.strength,
                                "claim": e.claim,
                                "citation": e.citation,
                            }
                            for e in r.evidence
                        ],
                    }
                    for r in rules
                ],
            }
        )
        return
    for rule in rules:
        limit = "  [hard limit]" if rule.hard_limit else ""
        click.echo(click.style(f"{rule.id}", bold=True) + f"  ({rule.severity.value}){limit}")
        click.echo(f"  {rule.checks}")
        for threshold in rule.thresholds:
            click.echo(f"  {threshold.name} = {threshold.value:g} {threshold.unit}")
        sources = ", ".join(f"{e.source_id} ({e.strength})" for e in rule.evidence)
        click.echo(dim(f"  sources: {sources}"))
    if effective.settings_path:
        click.echo(f"\nSettings file in force: {effective.settings_path}")
    for problem in effective.refused:
        click.echo(click.style(f"Setting refused: {problem}", fg="yellow"), err=True)


COMMANDS = (alerts_group, rules_list)
