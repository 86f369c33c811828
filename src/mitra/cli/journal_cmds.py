"""Journal commands: ``log dose|substance|symptom``, ``history``, ``delete``, ``undo``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mitra.cli.main import state
from mitra.cli.output import dim, emit_json, mg, when_logged
from mitra.cli.words import support_line

if TYPE_CHECKING:
    from collections.abc import Sequence
    from zoneinfo import ZoneInfo

    from mitra.domain.entries import Entry
    from mitra.services.journal import JournalService, LogResult, SymptomLogResult
    from mitra.storage.alert_store import StoredAlert

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of text."
)
at_option = click.option(
    "--at",
    "at",
    metavar="WHEN",
    help="When it happened: ISO 8601, 'now', '8:30pm', 'yesterday 21:00', '2h ago'. Default: now.",
)
note_option = click.option("--note", metavar="TEXT", help="A short note (at most 2000 chars).")


def _service() -> JournalService:
    from mitra.services.journal import JournalService  # noqa: PLC0415

    return JournalService(state().app())


def describe(entry: Entry) -> str:
    """One line of what an entry holds, for history and confirmations."""
    from mitra.domain import symptoms  # noqa: PLC0415
    from mitra.domain.entries import DoseEntry, SubstanceEntry  # noqa: PLC0415
    from mitra.services.views import amount_text  # noqa: PLC0415

    if isinstance(entry, DoseEntry):
        est = entry.estimate.mitragynine_mg
        return (
            f"{amount_text(entry.amount, entry.unit)} {entry.product_name} "
            f"~{mg(est.typical)} mg mitragynine ({mg(est.low)}-{mg(est.high)})"
        )
    if isinstance(entry, SubstanceEntry):
        route = f" {entry.route.value}" if entry.route else ""
        mme = f", {mg(entry.mme)} MME" if entry.mme is not None else ""
        return (
            f"{entry.name} {amount_text(entry.amount, entry.unit)}{route} "
            f"({entry.substance_class.value}{mme})"
        )
    symptom = symptoms.resolve(entry.symptom_id)
    flag = "  RED FLAG" if symptoms.is_red_flag(symptom, entry.severity) else ""
    label = symptoms.SEVERITY_LABELS[entry.severity]
    if entry.symptom_id == "other" and entry.said:
        return f'in your words: "{entry.said}": {label} ({entry.severity}/3)'
    said = f'  (you wrote: "{entry.said}")' if entry.said else ""
    return f"{symptom.name}: {label} ({entry.severity}/3){flag}{said}"


def _show_logged(result: LogResult, as_json: bool) -> None:
    from mitra.domain.entries import DoseEntry  # noqa: PLC0415
    from mitra.services.views import entry_view  # noqa: PLC0415

    zone = result.profile.zone()
    entry = result.entry
    view = entry_view(entry, zone)
    if result.daily_mme is not None or entry.kind.value == "substance":
        view["daily_mme"] = None if result.daily_mme is None else round(result.daily_mme, 2)
    if as_json:
        from mitra.services.alert_views import alert_view  # noqa: PLC0415

        document = {"entry": view, "alerts": [alert_view(a, zone) for a in result.alerts]}
        if result.plan_judgement is not None:
            from mitra.services.plan_views import judgement_view  # noqa: PLC0415

            document["plan_judgement"] = judgement_view(result.plan_judgement)
        emit_json(document)
        return
    click.echo(
        f"Logged {entry.kind.value} #{entry.id} at {when_logged(entry.at, zone)} "
        f"({result.profile.timezone})"
    )
    click.echo(f"  {describe(entry)}")
    if isinstance(entry, DoseEntry):
        seven = entry.estimate.seven_oh_mg
        click.echo(f"  7-OH ~{mg(seven.typical)} mg ({mg(seven.low)}-{mg(seven.high)})")
        click.echo(dim(f"  how: {entry.estimate.explanation}"))
        if result.product_assumed:
            click.echo(dim(f"  no --product given: used {entry.product_name}"))
    if result.daily_mme is not None:
        click.echo(f"  opioids today: {mg(result.daily_mme)} MME (CDC 2022 factors)")
    judged = result.plan_judgement
    if judged is not None:
        colour = "yellow" if judged.verdict == "over" else None
        click.echo(
            f"  Plan step {judged.step.index + 1} of {judged.steps} ({judged.kind}): "
            + click.style(judged.verdict, fg=colour)
            + (f": {'; '.join(judged.reasons)}" if judged.verdict == "over" else "")
        )
    finish_with_alerts(result.alerts, zone)


def finish_with_alerts(alerts: Sequence[StoredAlert], zone: ZoneInfo) -> None:
    """The alerts a write raised, then the reminder of any open serious ones."""
    from mitra.cli.safety_cmds import print_alerts, remind_open_serious  # noqa: PLC0415

    print_alerts(alerts, zone)
    remind_open_serious()


@click.group("log", help="Record a kratom dose, another substance, or a symptom.")
def log_group() -> None:
    pass


@log_group.command(
    "dose",
    help="""Record a kratom dose.

AMOUNT is a number and a unit: 3g, 0.5 g, 2 caps, 15ml, 1 tablet, 2 scoops (scoops need a
product with --scoop-g). Without --product, your last product is used (at first: generic leaf
powder). mitra estimates the mitragynine and 7-OH it holds, as a range.

\b
Examples:
  mitra log dose 3g
  mitra log dose 2 caps --product "generic capsules" --at "8:30pm"
  mitra log dose 0.5g --product "Gold extract" --note "split in two" --json
""",
)
@click.argument("amount", nargs=-1, required=True)
@click.option("--product", "-p", metavar="NAME", help="Product name (see 'mitra product list').")
@at_option
@note_option
@json_option
def log_dose(
    amount: tuple[str, ...], product: str | None, at: str | None, note: str | None, as_json: bool
) -> None:
    result = _service().log_dose(" ".join(amount), product=product, at=at, note=note)
    _show_logged(result, as_json)


@log_group.command(
    "substance",
    help="""Record another substance: opioids, benzodiazepines,
alcohol, gabapentinoids, stimulants, medications.

NAME may be a generic, brand or street name (oxy, xanax, fent, gabapentin); AMOUNT is e.g.
30mg, 2 tablets, 25 mcg/h (patches) or 3 drinks (alcohol: US standard drinks). Opioids with a
CDC factor show their daily MME.

\b
Examples:
  mitra log substance oxycodone 30mg --route oral
  mitra log substance xanax 1mg --at "yesterday 21:00"
  mitra log substance alcohol 3 --at "2h ago"      (3 standard drinks)
""",
)
@click.argument("name")
@click.argument("amount", nargs=-1, required=True)
@click.option(
    "--route",
    metavar="ROUTE",
    help="oral, sublingual, intranasal, smoked, injected, transdermal, rectal, other.",
)
@at_option
@note_option
@json_option
def log_substance(
    name: str,
    amount: tuple[str, ...],
    route: str | None,
    at: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    result = _service().log_substance(name, " ".join(amount), route=route, at=at, note=note)
    _show_logged(result, as_json)


@log_group.command(
    "symptom",
    help="""Record how you feel, in your own words.

TEXT is anything about how you feel: a symptom (nausea, aches, can't sleep, yellow eyes),
several at once ("sweating and shaking, can't sleep": one entry each), or words mitra does
not know, which are kept as you wrote them. Nothing is refused; warning signs in any wording
raise their guidance at once. See 'mitra symptoms' for the list and examples.

Severity: 0 none, 1 mild, 2 moderate, 3 severe. Without --severity it is read from your words
(mild, severe, really bad), else 2 (moderate), and the confirmation says so.

\b
Examples:
  mitra log symptom nausea --severity 1
  mitra log symptom "muscle aches" --severity 3 --at "6am"
  mitra log symptom "the sweats and cold turkey chills, can't sleep"
  mitra log symptom "my knees feel wobbly"
""",
)
@click.argument("name", nargs=-1, required=True, metavar="TEXT...")
@click.option(
    "--severity",
    "-s",
    default=None,
    metavar="0-3",
    help="0 none, 1 mild, 2 moderate, 3 severe. Default: from your words, else 2.",
)
@at_option
@note_option
@json_option
def log_symptom(
    name: tuple[str, ...], severity: str | None, at: str | None, note: str | None, as_json: bool
) -> None:
    from mitra.domain.errors import InputError  # noqa: PLC0415

    level: float | None = None
    if severity is not None:
        try:
            level = float(severity)
        except ValueError:
            raise InputError(
                f"severity '{severity}' is not a number; accepted: 0 none, 1 mild, "
                "2 moderate, 3 severe",
                field="severity",
            ) from None
    result = _service().log_symptom(" ".join(name), severity=level, at=at, note=note)
    _show_symptoms_logged(result, as_json)


def _show_symptoms_logged(result: SymptomLogResult, as_json: bool) -> None:
    """Every entry one line became, what was understood, then the alerts (most serious first)."""
    from mitra.services.views import entry_view  # noqa: PLC0415

    zone = result.profile.zone()
    if as_json:
        from mitra.services.alert_views import alert_view  # noqa: PLC0415

        emit_json(
            {
                "entry": entry_view(result.entry, zone),
                "entries": [entry_view(e, zone) for e in result.entries],
                "understood": result.understood,
                "severity_note": result.severity_note,
                "alerts": [alert_view(a, zone) for a in result.alerts],
            }
        )
        return
    click.echo(result.understood)
    if result.severity_note:
        click.echo(dim(f"  {result.severity_note}"))
    for entry in result.entries:
        click.echo(
            f"Logged symptom #{entry.id} at {when_logged(entry.at, zone)} "
            f"({result.profile.timezone})"
        )
        click.echo(f"  {describe(entry)}")
    finish_with_alerts(result.alerts, zone)


@click.command(
    "history",
    help="""List journal entries in time order, in your time zone.

\b
Examples:
  mitra history
  mitra history --since "7 days ago"
  mitra history --since 2026-11-01 --until 2026-11-08 --json
  mitra history --deleted          (also show deleted entries, marked)
""",
)
@click.option("--since", metavar="WHEN", help="Only entries at or after WHEN.")
@click.option("--until", metavar="WHEN", help="Only entries at or before WHEN.")
@click.option("--deleted", "include_deleted", is_flag=True, help="Include deleted entries.")
@json_option
def history(since: str | None, until: str | None, include_deleted: bool, as_json: bool) -> None:
    from mitra.services.views import entry_view  # noqa: PLC0415

    found, deleted, profile = _service().history(
        since=since, until=until, include_deleted=include_deleted
    )
    zone = profile.zone()
    if as_json:
        emit_json(
            {
                "entries": [entry_view(e, zone, deleted=e.id in deleted) for e in found],
                "timezone": profile.timezone,
            }
        )
        return
    if not found:
        click.echo("No entries yet. Start with: mitra log dose 3g   (or try: mitra demo)")
        return
    _print_history(found, deleted, zone)
    click.echo(dim(support_line()))
    from mitra.cli.safety_cmds import remind_open_serious  # noqa: PLC0415

    remind_open_serious()


def _print_history(found: list[Entry], deleted: set[int], zone: ZoneInfo) -> None:
    day = None
    for entry in found:
        local = entry.at.astimezone(zone)
        if local.date() != day:
            day = local.date()
            click.echo(click.style(local.strftime("%A %d %B %Y"), bold=True))
        mark = " [deleted]" if entry.id in deleted else ""
        line = f"  {local:%H:%M}  #{entry.id:<5} {entry.kind.value:<9} {describe(entry)}{mark}"
        click.echo(dim(line) if mark else line)


@click.command(
    "delete",
    help="""Delete an entry by id (see 'mitra history').

Deleting is recorded, never silent: the entry stays in the database marked deleted,
'mitra history --deleted' shows it and 'mitra undo' restores it.

\b
Example:
  mitra delete 42
""",
)
@click.argument("entry_id", type=int, metavar="ID")
@json_option
def delete(entry_id: int, as_json: bool) -> None:
    entry = _service().delete(entry_id)
    _show_change("deleted", entry, as_json)


@click.command(
    "undo",
    help="""Undo the last change: take back the last logged entry, or
restore the last deleted one. Undo is recorded too, and can be repeated.

\b
Example:
  mitra undo
""",
)
@json_option
def undo(as_json: bool) -> None:
    result = _service().undo()
    _show_change(result.action, result.entry, as_json)


def _show_change(action: str, entry: Entry, as_json: bool) -> None:
    from mitra.services.views import entry_view  # noqa: PLC0415

    profile = _service().profile()
    zone = profile.zone()
    if as_json:
        emit_json({"action": action, "entry": entry_view(entry, zone)})
        return
    click.echo(
        f"{action.capitalize()} #{entry.id} ({when_logged(entry.at, zone)}): {describe(entry)}"
    )
    if action == "deleted":
        click.echo(dim("  'mitra undo' brings it back."))


COMMANDS = (log_group, history, delete, undo)
