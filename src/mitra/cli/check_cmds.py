"""Check-in commands: ``check INSTRUMENT`` (scripted or interactive), ``check list``, ``scores``.

``check`` is one command whose INSTRUMENT argument may be the word ``list``: a click group
could not also take an instrument name as its argument without ambiguity, and one command keeps
``mitra check cows --answers ...`` and ``mitra check list`` equally short.

Heavy modules (the database, the services) are imported inside the commands, so ``mitra
--help`` stays fast.
"""

from __future__ import annotations

import sys
import textwrap
from typing import TYPE_CHECKING

import click

from mitra.cli.main import state
from mitra.cli.output import dim, emit_json, local_time, when_logged
from mitra.cli.words import support_line

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from mitra.domain.checkins import ScoreRow
    from mitra.services.checkins import CheckinResult, CheckinService

LIST_WORD = "list"
BASIS_WORDS = {"published": "a published figure", "judgement": "mitra's judgement"}
OFFER_WORDS = {"check-in": "each check-in", "weekly": "weekly"}
CANCELLED_EXIT = 130  # the same code as Ctrl-C: the person stopped, nothing was changed

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of text."
)


def _service() -> CheckinService:
    from mitra.services.checkins import CheckinService  # noqa: PLC0415

    return CheckinService(state().app())


@click.command(
    "check",
    help="""Record a withdrawal check-in: score one instrument and keep every answer.

INSTRUMENT is an instrument id (cows, sows, sows-gossop, oows, phq2, gad2, craving), or the
word 'list' to show them all. With --answers, give one score per item in item order. Without
--answers, mitra asks each item in the terminal: one keypress per answer, Backspace goes back,
q cancels and nothing is saved (exit code 130); at the COWS pulse press b to type the pulse in
beats a minute. Clinician-rated scales (COWS, OOWS) you enter yourself are stored as
self-rated unless you give --rater clinician.

\b
Examples:
  mitra check list
  mitra check sows-gossop                      (interactive, one key per item)
  mitra check sows-gossop --answers 1,2,0,1,1,2,2,1,0,3
  mitra check cows --answers 2,1,3,1,2,1,2,1,1,2,3 --rater clinician
  mitra check cows --pulse-bpm 104 --answers 1,3,1,2,1,2,1,1,2,3   (pulse item left out)
  mitra check craving --answers 65 --at "8:30pm" --json
""",
)
@click.argument("instrument", metavar="INSTRUMENT")
@click.option(
    "--answers", metavar="A,B,C", help="Scores in item order, separated by commas (scripted)."
)
@click.option(
    "--pulse-bpm",
    metavar="BPM",
    help="COWS only: resting pulse in beats a minute; then leave item 1 out of --answers.",
)
@click.option(
    "--at",
    metavar="WHEN",
    help="When it was rated: ISO 8601, 'now', '8:30pm', '2h ago'. Default: now.",
)
@click.option(
    "--rater",
    default="self",
    show_default=True,
    metavar="self|clinician",
    help="Who rated it.",
)
@click.option("--note", metavar="TEXT", help="A short note (at most 2000 chars).")
@json_option
def check(
    instrument: str,
    answers: str | None,
    pulse_bpm: str | None,
    at: str | None,
    rater: str,
    note: str | None,
    as_json: bool,
) -> None:
    from mitra.domain.errors import InputError  # noqa: PLC0415

    if instrument.strip().lower() == LIST_WORD:
        if answers is not None or pulse_bpm is not None or at or note or rater != "self":
            raise InputError("'mitra check list' takes only --json", field="instrument")
        _show_list(as_json)
        return
    service = _service()
    if answers is None:
        if pulse_bpm is not None:
            raise InputError(
                "--pulse-bpm goes with --answers; in an interactive check-in press b at the "
                "pulse item",
                field="bpm",
            )
        result = _interactive(service, instrument, at=at, rater=rater, note=note, err=as_json)
    else:
        from mitra.domain.instruments import get_instrument  # noqa: PLC0415
        from mitra.services.checkins import parse_bpm  # noqa: PLC0415

        bpm = None if pulse_bpm is None else parse_bpm(pulse_bpm, get_instrument(instrument))
        result = service.record(instrument, answers, at=at, rater=rater, pulse_bpm=bpm, note=note)
    _show_result(result, as_json)


def _interactive(
    service: CheckinService,
    instrument_id: str,
    *,
    at: str | None,
    rater: str,
    note: str | None,
    err: bool,
) -> CheckinResult:
    from mitra.cli.checkin_prompt import Cancelled, collect  # noqa: PLC0415
    from mitra.domain.errors import InputError  # noqa: PLC0415

    # Check the time, rater and note first, so nobody answers every item to be refused.
    prepared = service.prepare(instrument_id, at=at, rater=rater, note=note)
    if not sys.stdin.isatty():
        raise InputError(
            "no --answers given and this is not a terminal; give the scores, e.g. "
            f"mitra check {prepared.instrument.id} --answers 0,1,2,...",
            field="answers",
        )
    try:
        collected = collect(prepared.instrument, rater=prepared.rater, err=err)
    except Cancelled:
        click.echo("Cancelled: nothing was saved.", err=err)
        if err:
            emit_json({"cancelled": True, "assessment": None, "alerts": []})
        raise click.exceptions.Exit(CANCELLED_EXIT) from None
    return service.record(
        prepared.instrument.id,
        collected.others(),
        at=prepared.at,
        rater=prepared.rater,
        pulse_bpm=collected.pulse_bpm,
        note=prepared.note,
    )


def _show_list(as_json: bool) -> None:
    from mitra.domain.instruments import load_instruments  # noqa: PLC0415
    from mitra.services.views import instrument_view  # noqa: PLC0415

    instruments = list(load_instruments().values())
    if as_json:
        emit_json({"instruments": [instrument_view(i) for i in instruments]})
        return
    click.echo(click.style("Check-ins you can record (mitra check ID):", bold=True))
    for inst in instruments:
        rated = "clinician-rated" if inst.rater == "clinician" else "self-rated"
        click.echo(
            f"  {inst.id:<12} {inst.short_name:<12} {len(inst.items):>2} items  "
            f"{rated:<16} {OFFER_WORDS[inst.offer_every]:<14} {inst.name}"
        )
    click.echo(
        dim(
            "Clinician-rated scales are made for an observer; one you enter yourself is "
            "stored as self-rated.\nPHQ-2 and GAD-2 ask about the past 2 weeks, so they are "
            "offered weekly."
        )
    )


def _change_text(row: ScoreRow, short_name: str) -> str:
    if row.change_from_previous is None:
        return f"this is your first {short_name}, the baseline later ones are compared with"
    basis = BASIS_WORDS[row.threshold_basis]
    text = f"{row.change_from_previous:+d} since the last {short_name}"
    if row.meaningful:
        text += f" (a meaningful change: {row.threshold} or more, {basis})"
    return text + f"; {row.change_from_baseline:+d} since your first"


def _wrapped(text: str, hang: str = "  ") -> str:
    return textwrap.fill(text, 96, initial_indent="  ", subsequent_indent=hang)


def _show_result(result: CheckinResult, as_json: bool) -> None:
    from mitra.domain.instruments import get_instrument  # noqa: PLC0415
    from mitra.services.views import assessment_view, change_view  # noqa: PLC0415

    zone = result.profile.zone()
    a = result.assessment
    view = assessment_view(
        a, zone, record_id=result.id, note=result.note, pulse_bpm=result.pulse_bpm
    )
    if as_json:
        from mitra.services.alert_views import alert_view  # noqa: PLC0415

        document = {"assessment": view, "alerts": [alert_view(s, zone) for s in result.alerts]}
        if result.trend is not None:
            document["change"] = change_view(result.trend)
        emit_json(document)
        return
    instrument = get_instrument(a.instrument_id)
    if instrument.crisis_items(a.items):
        # First, before the score: a crisis answer (PHQ-9 item 9) is answered with people.
        click.echo(click.style("You are not alone: talk to someone now.", bold=True, fg="red"))
        from mitra.domain.alerts import default_support  # noqa: PLC0415 (read when printed)

        support = default_support()
        lifeline, emergency = support.line("lifeline"), support.line("emergency")
        click.echo(
            _wrapped(
                "You answered that you have had thoughts of being better off dead or of hurting "
                f"yourself. {lifeline.contact.capitalize()} ({lifeline.name}, "
                f"{lifeline.short.lower()}) now; call {emergency.number} if you might act on "
                "these thoughts. If you can, tell someone you trust and stay with them."
            )
        )
        click.echo()
    click.echo(
        f"Saved {instrument.short_name} #{result.id} at {when_logged(a.at, zone)} "
        f"({result.profile.timezone}), {a.rater}-rated"
    )
    band = f": {a.band}" if a.band else ""
    screen = ""
    if a.positive_screen is not None:
        screen = "  positive screen" if a.positive_screen else "  below the screening threshold"
    click.echo(f"  total {a.total} of {instrument.max_total}{band}{screen}")
    click.echo(_wrapped(a.interpretation))
    if a.positive_screen and instrument.positive_follow_up:
        follow = get_instrument(instrument.positive_follow_up)
        click.echo(
            _wrapped(
                f"Next: the longer {follow.short_name} helps you and a clinician see more: "
                f"mitra check {follow.id}"
            )
        )
    parts = []
    for item in view["items"]:
        bpm = f" ({item['bpm']:g} bpm)" if "bpm" in item else ""
        parts.append(f"{item['label']} {item['score']}{bpm}")
    click.echo(_wrapped("items: " + ", ".join(parts), hang="    "))
    if result.trend is not None:
        change = f"change: {_change_text(result.trend, instrument.short_name)}"
        click.echo(_wrapped(change))
    if result.note:
        click.echo(f"  note: {result.note}")
    if view["rater_note"]:
        click.echo(dim(_wrapped(view["rater_note"])))
    click.echo(dim(_wrapped(f"source: {a.source}")))
    from mitra.cli.journal_cmds import finish_with_alerts  # noqa: PLC0415

    finish_with_alerts(result.alerts, zone)


@click.command(
    "scores",
    help="""List check-in scores in time order, each with its change from the previous
score of the same instrument and from your first one (your baseline). A change at least as big
as the instrument's meaningful change is marked with *; whether that size is a published
figure or mitra's judgement is shown with it.

\b
Examples:
  mitra scores
  mitra scores --instrument cows
  mitra scores --since "7 days ago" --json
""",
)
@click.option("--instrument", metavar="ID", help="Only this instrument (see 'mitra check list').")
@click.option("--since", metavar="WHEN", help="Only scores at or after WHEN.")
@json_option
def scores(instrument: str | None, since: str | None, as_json: bool) -> None:
    from mitra.services.views import score_row_view  # noqa: PLC0415

    service = _service()
    rows = service.scores(instrument, since=since)
    profile = service.profile()
    zone = profile.zone()
    if as_json:
        emit_json(
            {"scores": [score_row_view(row, zone) for row in rows], "timezone": profile.timezone}
        )
        return
    if not rows:
        click.echo(
            "No check-ins yet. Start with: mitra check sows-gossop   (see: mitra check list)"
        )
        return
    _print_scores(rows, zone)
    click.echo(dim(support_line()))


def _print_scores(rows: list[ScoreRow], zone: ZoneInfo) -> None:
    from mitra.domain.instruments import get_instrument  # noqa: PLC0415

    order: list[str] = []
    for row in rows:
        if row.assessment.instrument_id not in order:
            order.append(row.assessment.instrument_id)
    for instrument_id in order:
        inst = get_instrument(instrument_id)
        basis = BASIS_WORDS[inst.meaningful_change_basis]
        click.echo(click.style(f"{inst.short_name}: {inst.name}", bold=True))
        click.echo(dim(f"  * a change of {inst.meaningful_change} or more ({basis})"))
        for row in rows:
            a = row.assessment
            if a.instrument_id != instrument_id:
                continue
            total = f"{a.total}/{inst.max_total}"
            label = a.band or ("positive screen" if a.positive_screen else "")
            if row.change_from_previous is None:
                change = "baseline"
            else:
                mark = "*" if row.meaningful else " "
                from_first = f"{row.change_from_baseline:+4d} from baseline"
                change = f"{row.change_from_previous:+4d}{mark}  {from_first}"
            rater = "  clinician" if a.rater == "clinician" else ""
            click.echo(
                f"  {local_time(a.at, zone)}  #{row.record.id:<5} {total:>6}  {label:<17} "
                f"{change}{rater}"
            )


COMMANDS = (check, scores)
