"""``mitra share push`` and ``mitra share status``: send this journal's entries to your account
on a clinic server, and see what is waiting to be sent (``services.share_push``)."""

from __future__ import annotations

import click

from mitra.cli.main import state
from mitra.cli.output import emit_json, local_time
from mitra.cli.safety_cmds import json_option


@click.group(
    "share",
    help="""Share this journal with your clinic: send its entries to your account on the
clinic's mitra server.

\b
Examples:
  mitra share push --to https://mitra.example-clinic.org --token "$TOKEN"
  mitra share status
""",
)
def share_group() -> None:
    pass


@share_group.command(
    "push",
    help="""Send what changed since the last push: new entries, and entries deleted or
restored since. Only entries travel (not your profile, products, check-ins or notes kept
elsewhere); the server judges them with the same safety rules. Sending again never doubles
an entry, and an interrupted push is simply run again.

\b
Examples:
  mitra share push --to https://mitra.example-clinic.org --token "$TOKEN"
  mitra share push --to http://127.0.0.1:8800 --token "$TOKEN"     # a server on this computer
  mitra share push --to https://clinic.test --token "$TOKEN" --ca-file test-ca.pem
""",
)
@click.option(
    "--to", "target", required=True, metavar="URL", help="The clinic server (https://...)."
)
@click.option(
    "--token",
    required=True,
    envvar="MITRA_SHARE_TOKEN",
    metavar="TOKEN",
    help="Your token from the clinic, with the write scope (or MITRA_SHARE_TOKEN).",
)
@click.option(
    "--ca-file",
    metavar="PEM",
    help="Trust this certificate authority too (a clinic's own or a test CA).",
)
@json_option
def push(target: str, token: str, ca_file: str | None, as_json: bool) -> None:
    from mitra.services import share_push  # noqa: PLC0415

    report = share_push.push(state().app(), target, token, ca_file=ca_file)
    if as_json:
        emit_json(
            {
                "to": report.target,
                "sent": report.sent,
                "added": report.added,
                "deleted": report.deleted,
                "restored": report.restored,
                "unchanged": report.unchanged,
            }
        )
        return
    if report.sent == 0:
        click.echo(f"Nothing new to send to {report.target}.")
        return
    click.echo(
        f"Sent {report.sent} entr{'y' if report.sent == 1 else 'ies'} to {report.target}: "
        f"{report.added} added, {report.deleted} deleted, {report.restored} restored, "
        f"{report.unchanged} already there."
    )


@share_group.command(
    "status",
    help="""What is waiting to be sent to each clinic server this journal was pushed to.

\b
Examples:
  mitra share status
  mitra share status --to https://mitra.example-clinic.org --json
""",
)
@click.option("--to", "target", metavar="URL", help="One server only (pushed to or not).")
@json_option
def status(target: str | None, as_json: bool) -> None:
    from mitra.services import share_push  # noqa: PLC0415

    ctx = state().app()
    views = share_push.status(ctx, target)
    if as_json:
        emit_json(
            {
                "servers": [
                    {
                        "to": v.target,
                        "pending": v.pending,
                        "pushed_at": v.pushed_at.isoformat() if v.pushed_at else None,
                    }
                    for v in views
                ]
            }
        )
        return
    if not views:
        click.echo("This journal was never pushed to a clinic server (see 'mitra share push').")
        return
    from mitra.services.catalogue import ProfileService  # noqa: PLC0415

    zone = ProfileService(ctx).show().zone()
    for v in views:
        when = "never" if v.pushed_at is None else local_time(v.pushed_at, zone)
        click.echo(f"{v.target}: {v.pending} entr{'y' if v.pending == 1 else 'ies'} waiting; "
                   f"last push {when}.")  # fmt: skip


COMMANDS = (share_group,)
