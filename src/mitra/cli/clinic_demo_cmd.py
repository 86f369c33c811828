"""``mitra clinic demo``: a small clinic (one clinician, four people) built in an empty
PostgreSQL database (``services.clinic_demo``), then the clinician's roster and how to sign in.

A database with any account is refused (exit 2, nothing written): the demo never writes over a
clinic. The passwords are random and shown once, here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from mitra.cli.output import dim
from mitra.cli.words import support_line

if TYPE_CHECKING:
    from mitra.services.clinic_demo import ClinicDemo
    from mitra.services.clinic_roster import RosterRow


@click.command(
    "demo",
    help="""Build a small sample clinic in an empty PostgreSQL database: a clinician
(lee@demo.clinic), three people who share their journals with them and one who does not.
Then show the clinician's list, most in need first, and how to sign in. The passwords are
random and shown only here. A database that already has accounts is refused.

\b
Examples:
  createdb mitra_clinic_demo
  mitra clinic demo --db postgresql:///mitra_clinic_demo
  mitra clinic serve --db postgresql:///mitra_clinic_demo
""",
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="An empty PostgreSQL database (postgresql://...). Default: mitra's --db.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
def demo(db_url: str | None, as_json: bool) -> None:
    from mitra.cli.clinic_cmds import open_clinic  # noqa: PLC0415  (its group adds this)
    from mitra.cli.main import state  # noqa: PLC0415
    from mitra.services.clinic_demo import build_clinic_demo  # noqa: PLC0415
    from mitra.services.context import AppContext  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        built = build_clinic_demo(AppContext(database, clock=state().clock))
    finally:
        database.dispose()
    if as_json:
        from mitra.cli.output import emit_json  # noqa: PLC0415

        emit_json(_document(built))
        return
    _show(built, database.display())


def _document(built: ClinicDemo) -> dict[str, Any]:
    return {
        "accounts": [
            {
                "email": a.email,
                "role": a.role.value,
                "password": a.password,
                "journal_id": a.journal_id,
                "totp_uri": a.totp_uri,
                "shared_with_clinician": a.shared,
            }
            for a in built.accounts
        ],
        "clinician_token": built.clinician_token,
        "person_token": built.person_token,
        "roster": [
            {
                "journal_id": r.journal_id,
                "email": r.email,
                "tier": r.placed.tier.id,
                "open_emergency": r.signals.open_emergency,
                "unseen_emergency": r.signals.unseen_emergency,
                "open_urgent": r.signals.open_urgent,
                "scope": r.scope,
            }
            for r in built.roster.rows
        ],
    }


def _roster_line(row: RosterRow) -> str:
    """A roster row in the clinician's page's own words (``web.roster_view``)."""
    from mitra.web import roster_view  # noqa: PLC0415

    s = row.signals
    parts = [row.placed.tier.words, roster_view.alert_words(s)]
    parts += [roster_view.trend_words(t) for t in s.trends]
    if s.plan_event is not None:
        parts.append(roster_view.PLAN_WORDS[roster_view.plan_state(s.plan_event)])
    return f"  {row.email:<20} " + "; ".join(p for p in parts if p)


def _show(built: ClinicDemo, where: str) -> None:
    click.echo(click.style("The clinic demo", bold=True) + f" is in {where}.")
    click.echo(
        "Sam (four weeks off oxycodone, a taper, an emergency the clinician has seen), Jo (two "
        "days in, chest pain just\nnow, not yet seen), Ana (kratom capsules, signs of liver "
        "trouble, no recent check-in) share with\nLee; Kim shares with nobody.\n"
    )
    click.echo(click.style("Lee's list, most in need first:", bold=True))
    for row in built.roster.rows:
        click.echo(_roster_line(row))
    click.echo()
    click.echo(click.style("Sign in (these passwords are shown only now):", bold=True))
    for account in built.accounts:
        shared = f", shares to {account.shared}" if account.shared else ""
        click.echo(f"  {account.role.value:<9} {account.email:<20} {account.password}{shared}")
        if account.totp_uri is not None:
            click.echo(dim(f"            authenticator app: {account.totp_uri}"))
    click.echo()
    click.echo("Serve it: mitra clinic serve --db URL, then open http://127.0.0.1:8000/sign-in")
    click.echo("Lee's roster from the API (a token for 30 days):")
    click.echo(
        f"  curl -H 'Authorization: Bearer {built.clinician_token}' "
        "'http://127.0.0.1:8000/api/v1/people?sort=risk'"
    )
    click.echo("Sam's own alerts, with what the care team has seen:")
    click.echo(
        f"  curl -H 'Authorization: Bearer {built.person_token}' "
        "http://127.0.0.1:8000/api/v1/alerts"
    )
    click.echo(dim(support_line()))
