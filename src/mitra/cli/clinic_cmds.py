"""``mitra clinic``: the clinic server's accounts, shares and audit log, at the command line.

Every command needs the clinic's PostgreSQL database (``--db postgresql://...``, after the
subcommand or before ``clinic``, or ``MITRA_DATABASE_URL``); a SQLite path or URL is refused
with exit 2 before anything is opened or written: the local journal stays on SQLite.

Passwords are never arguments (they would be in the shell's history and the process list):
in a terminal they are asked twice without echo; otherwise they are read from stdin, one line,
or two identical lines (a confirmation); two different lines are refused (exit 2).
Clinicians and admins need TOTP: creating one prints the ``otpauth://`` URI for their
authenticator app (and ``--qr FILE`` writes it as an SVG QR code).

The commands act as the server's operator (``system`` in the audit log, source ``cli``).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mitra.cli.clinic_demo_cmd import demo as clinic_demo
from mitra.cli.clinic_serve_cmd import serve as clinic_serve
from mitra.cli.main import state

if TYPE_CHECKING:
    from collections.abc import Callable

    from mitra.services.clinic_accounts import NewAccount
    from mitra.storage.database import Database

NEEDS_POSTGRESQL = (
    "the clinic server needs PostgreSQL (postgresql://...); the local journal stays on SQLite"
)
POSTGRESQL_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")
SOURCE = "cli"


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        help="The clinic's PostgreSQL database (postgresql://...). Default: mitra's --db.",
    )(function)


def clinic_url(given: str | None) -> str:
    """The SQLAlchemy URL of the clinic database; SQLite or nothing is refused (exit 2)."""
    from mitra.domain.errors import InputError  # noqa: PLC0415

    chosen = given or state().db
    if not chosen:
        raise InputError("give the clinic database: --db postgresql://...", field="db")
    if not chosen.startswith(POSTGRESQL_PREFIXES):
        raise InputError(NEEDS_POSTGRESQL, field="db")
    if chosen.startswith("postgresql+psycopg://"):
        return chosen
    return "postgresql+psycopg://" + chosen.split("://", 1)[1]


def open_clinic(given: str | None) -> Database:
    from mitra.storage.database import open_database  # noqa: PLC0415

    return open_database(clinic_url(given))


def read_password() -> str:
    """The new password: asked twice in a terminal, else one or two identical stdin lines."""
    from mitra.domain.errors import InputError  # noqa: PLC0415

    if sys.stdin.isatty():
        import getpass  # noqa: PLC0415

        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise InputError("the two passwords differ; nothing was changed", field="password")
        return first
    lines = sys.stdin.read().splitlines()
    if not lines:
        raise InputError(
            "give the password on stdin (one line, or the same line twice)", field="password"
        )
    if len(lines) > 2:
        raise InputError(
            "give the password on one line, or the same line twice; got more lines",
            field="password",
        )
    if len(lines) == 2 and lines[0] != lines[1]:
        raise InputError("the two passwords differ; nothing was changed", field="password")
    return lines[0]


def show_account(account: NewAccount, qr: Path | None, force: bool, as_json: bool) -> None:
    written = _write_qr(account, qr, force)
    if as_json:
        from mitra.cli.output import emit_json  # noqa: PLC0415

        emit_json(
            {
                "account_id": account.account_id,
                "email": account.email,
                "role": account.role.value,
                "journal_id": account.journal_id,
                "totp_uri": account.totp_uri,
                "qr": None if written is None else str(written),
            }
        )
        return
    what = f"{account.role.value} {account.email} (account {account.account_id})"
    if account.journal_id is not None:
        what += f", journal {account.journal_id}"
    click.echo(f"Added {what}.")
    if account.totp_uri is None:
        return
    click.echo(
        "TOTP is required for this account: add this to an authenticator app now (it is "
        "shown only once):"
    )
    click.echo(account.totp_uri)
    if written is not None:
        click.echo(f"QR code written to {written}")


def say(as_json: bool, text: str, document: dict[str, Any]) -> None:
    """``text`` as a line, or ``document`` as the one JSON document of ``--json``."""
    if as_json:
        from mitra.cli.output import emit_json  # noqa: PLC0415

        emit_json(document)
    else:
        click.echo(text)


def _write_qr(account: NewAccount, qr: Path | None, force: bool) -> Path | None:
    if qr is None or account.totp_uri is None:
        return None
    from mitra.cli.out_files import target  # noqa: PLC0415
    from mitra.services.credentials import qr_svg  # noqa: PLC0415
    from mitra.storage.files import write_atomic  # noqa: PLC0415

    path = target(qr, force=force, option="--qr", field="qr")
    write_atomic(path, qr_svg(account.totp_uri).encode("utf-8"))
    return path


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of lines."
)
qr_option = click.option(
    "--qr",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the TOTP setup as an SVG QR code to this file (clinicians and admins).",
)
force_option = click.option("--force", is_flag=True, help="Replace the --qr file if it exists.")


@click.group(
    "clinic",
    help="""Run the clinic server's accounts, shares and audit log (PostgreSQL only).

\b
Examples:
  mitra clinic init --db postgresql://clinic@db/mitra --admin admin@clinic.org
  mitra clinic user add sam@example.org --role person --db postgresql://...
  mitra clinic share sam@example.org dr.lee@clinic.org --scope plan --db postgresql://...
  mitra clinic audit verify --db postgresql://...
""",
)
def clinic_group() -> None:
    pass


@clinic_group.command("init", help="Set up a new clinic database with its first admin.")
@db_option
@click.option("--admin", "admin_email", required=True, metavar="EMAIL", help="The admin's email.")
@qr_option
@force_option
@json_option
def init_cmd(
    db_url: str | None, admin_email: str, qr: Path | None, force: bool, as_json: bool
) -> None:
    from mitra.services import clinic_accounts  # noqa: PLC0415

    url = clinic_url(db_url)
    password = read_password()
    database = open_clinic(url)
    try:
        account = clinic_accounts.init(
            database, email=admin_email, password=password, at=state().now()
        )
    finally:
        database.dispose()
    show_account(account, qr, force, as_json)


@clinic_group.group("user", help="Clinic accounts: add, list, disable them, end a lockout.")
def user_group() -> None:
    pass


@user_group.command("add", help="Add an account (the password is read from stdin).")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["person", "clinician", "admin"]),
    required=True,
    help="person (their own journal), clinician (shared journals) or admin (accounts).",
)
@db_option
@qr_option
@force_option
@json_option
def user_add(
    email: str, role: str, db_url: str | None, qr: Path | None, force: bool, as_json: bool
) -> None:
    from mitra.services import clinic_accounts  # noqa: PLC0415

    url = clinic_url(db_url)
    chosen = clinic_accounts.parse_role(role)
    password = read_password()
    database = open_clinic(url)
    try:
        account = clinic_accounts.add_user(
            database, email=email, role=chosen, password=password, at=state().now()
        )
    finally:
        database.dispose()
    show_account(account, qr, force, as_json)


@user_group.command("list", help="List the accounts: email, role, journal, state.")
@db_option
@json_option
def user_list(db_url: str | None, as_json: bool) -> None:
    from mitra.services import clinic_accounts  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        accounts = clinic_accounts.list_users(database)
    finally:
        database.dispose()
    now = state().now()
    listed = []
    for account in accounts:
        status = "active"
        if account.disabled_at is not None:
            status = "disabled"
        elif account.locked_until is not None and account.locked_until > now:
            status = "locked"
        elif account.failed_sign_ins >= clinic_accounts.DEFAULTS.max_consecutive:
            status = "locked (ask an admin)"
        listed.append((account, status))
    if as_json:
        from mitra.cli.output import emit_json  # noqa: PLC0415

        emit_json(
            [
                {
                    "id": a.id,
                    "email": a.email,
                    "role": a.role,
                    "journal_id": a.journal_id,
                    "status": status,
                }
                for a, status in listed
            ]
        )
        return
    for account, status in listed:
        journal = "-" if account.journal_id is None else str(account.journal_id)
        click.echo(f"{account.id}\t{account.email}\t{account.role}\t{journal}\t{status}")
    if not accounts:
        click.echo("No accounts yet: run 'mitra clinic init'.")


@user_group.command("unlock", help="End an account's sign-in lockout.")
@click.argument("email")
@db_option
@json_option
def user_unlock(email: str, db_url: str | None, as_json: bool) -> None:
    from mitra.services import clinic_accounts  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        clinic_accounts.unlock(database, email, at=state().now())
    finally:
        database.dispose()
    email = email.strip().lower()
    say(as_json, f"{email} may sign in again.", {"email": email, "unlocked": True})


@user_group.command("disable", help="Disable an account: its sessions end, its tokens stop.")
@click.argument("email")
@click.option("--enable", is_flag=True, help="Enable a disabled account again instead.")
@db_option
@json_option
def user_disable(email: str, enable: bool, db_url: str | None, as_json: bool) -> None:
    from mitra.services import clinic_accounts  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        clinic_accounts.set_disabled(database, email, disabled=not enable, at=state().now())
    finally:
        database.dispose()
    email = email.strip().lower()
    state_word = "enabled" if enable else "disabled"
    say(as_json, f"{email} is {state_word}.", {"email": email, "state": state_word})


@clinic_group.group("token", help="API bearer tokens: create and revoke them.")
def token_group() -> None:
    pass


@token_group.command(
    "create", help="Create an API token for an account; the token alone is the last line."
)
@click.argument("email")
@db_option
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["read", "write", "plan", "admin"]),
    help="What the token may do (repeat for several). Default: all the role may.",
)
@click.option("--days", type=int, default=None, help="Days until it expires (default 90).")
@click.option("--label", default="", help="A name to tell the token apart.")
@json_option
def token_create(
    email: str,
    db_url: str | None,
    scopes: tuple[str, ...],
    days: int | None,
    label: str,
    as_json: bool,
) -> None:
    from mitra.services import clinic_accounts  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        token = clinic_accounts.create_token(
            database, email=email, scopes=scopes, days=days, label=label, at=state().now()
        )
    finally:
        database.dispose()
    if as_json:
        from mitra.cli.output import emit_json  # noqa: PLC0415

        emit_json(
            {
                "token_id": token.token_id,
                "email": email.strip().lower(),
                "scopes": list(token.scopes),
                "expires_at": token.expires_at.isoformat(),
                "token": token.text,
            }
        )
        return
    click.echo(
        f"Token {token.token_id} for {email.strip().lower()}, scopes {' '.join(token.scopes)}, "
        f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only once:"
    )
    click.echo(token.text)


@token_group.command("revoke", help="Revoke an API token now, by its number.")
@click.argument("token_id", type=click.IntRange(min=1))
@db_option
@json_option
def token_revoke(token_id: int, db_url: str | None, as_json: bool) -> None:
    from mitra.services import clinic_accounts  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        clinic_accounts.revoke_token(database, token_id, at=state().now())
    finally:
        database.dispose()
    say(as_json, f"Token {token_id} revoked.", {"token_id": token_id, "revoked": True})


@clinic_group.command("share", help="Share a person's journal with a clinician.")
@click.argument("person_email")
@click.argument("clinician_email")
@click.option(
    "--scope",
    type=click.Choice(["read", "plan"]),
    default="read",
    show_default=True,
    help="read, or read and plan (propose and change plans).",
)
@click.option("--days", type=click.IntRange(min=1), help="End the share after this many days.")
@db_option
@json_option
def share_cmd(
    person_email: str,
    clinician_email: str,
    scope: str,
    days: int | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    from mitra.services import clinic_sharing  # noqa: PLC0415

    database = open_clinic(db_url)
    now = state().now()
    try:
        share_id = clinic_sharing.share(
            database,
            person_email=person_email,
            clinician_email=clinician_email,
            scope=clinic_sharing.parse_scope(scope),
            ends=None if days is None else now + timedelta(days=days),
            at=now,
            source=SOURCE,
        )
    finally:
        database.dispose()
    until = "" if days is None else f" for {days} days"
    clinician = clinician_email.strip().lower()
    say(
        as_json,
        f"Shared (share {share_id}): {clinician} may {scope}{until}.",
        {"share_id": share_id, "clinician": clinician, "scope": scope, "days": days},
    )


@clinic_group.command(
    "invite",
    help="""Invite a person to join: the join link's path alone is the last line.

\b
The person opens it on the clinic server (https://YOUR-CLINIC/join/...), chooses a password
and gets a journal of their own. The link is shown once and expires.

\b
Examples:
  mitra clinic invite sam@example.org --by dr.lee@clinic.org --db postgresql://...
""",
)
@click.argument("email")
@click.option(
    "--by", "inviter", required=True, metavar="EMAIL", help="The clinician or admin inviting."
)
@click.option(
    "--role",
    type=click.Choice(["person", "clinician", "admin"]),
    default="person",
    show_default=True,
    help="The new account's role (only an admin invites clinicians and admins).",
)
@db_option
@json_option
def invite_cmd(email: str, inviter: str, role: str, db_url: str | None, as_json: bool) -> None:
    from mitra.domain.access import Role  # noqa: PLC0415
    from mitra.services import clinic_accounts  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        token = clinic_accounts.invite_by_email(
            database, inviter_email=inviter, email=email, role=Role(role), at=state().now()
        )
    finally:
        database.dispose()
    invited = email.strip().lower()
    if as_json:
        from mitra.cli.output import emit_json  # noqa: PLC0415

        emit_json({"email": invited, "role": role, "join_path": f"/join/{token}"})
        return
    click.echo(f"Invited {invited} ({role}). Give them this link on the clinic server, once:")
    click.echo(f"/join/{token}")


@clinic_group.command("revoke", help="Revoke a person's shares with a clinician, at once.")
@click.argument("person_email")
@click.argument("clinician_email")
@db_option
@json_option
def revoke_cmd(person_email: str, clinician_email: str, db_url: str | None, as_json: bool) -> None:
    from mitra.services import clinic_sharing  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        count = clinic_sharing.revoke(
            database,
            person_email=person_email,
            clinician_email=clinician_email,
            at=state().now(),
            source=SOURCE,
        )
    finally:
        database.dispose()
    clinician = clinician_email.strip().lower()
    say(
        as_json,
        f"Revoked {count} share(s): {clinician} sees nothing now.",
        {"revoked": count, "clinician": clinician},
    )


@clinic_group.group("audit", help="The audit log: verify its hash chain, export it.")
def audit_group() -> None:
    pass


@audit_group.command("verify", help="Check the audit log's hash chain (exit 1 when broken).")
@db_option
@json_option
@click.pass_context
def audit_verify(ctx: click.Context, db_url: str | None, as_json: bool) -> None:
    from mitra.services import audit_log  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        result = audit_log.verify(database)
    finally:
        database.dispose()
    broken = result.broken
    if as_json:
        from mitra.cli.output import emit_json  # noqa: PLC0415

        emit_json(
            {
                "rows": result.rows,
                "holds": broken is None,
                "broken_seq": None if broken is None else broken.seq,
                "problem": None if broken is None else broken.message,
            }
        )
    elif broken is None:
        click.echo(f"The audit log holds: {result.rows} rows, every hash in its chain.")
    if broken is None:
        return
    click.echo(
        f"mitra: the audit log is broken at row {broken.seq}: {broken.message} "
        f"(rows 1 to {broken.after_seq} hold)",
        err=True,
    )
    ctx.exit(1)


@audit_group.command(
    "break-glass", help="List every emergency (break-glass) access, newest first, for review."
)
@db_option
@json_option
def audit_break_glass(db_url: str | None, as_json: bool) -> None:
    from mitra.services import clinic_sharing  # noqa: PLC0415

    database = open_clinic(db_url)
    try:
        flags = clinic_sharing.break_glass_flags(database)
    finally:
        database.dispose()
    if as_json:
        from mitra.cli.output import emit_json  # noqa: PLC0415

        emit_json(
            [
                {
                    "clinician": f.clinician_email,
                    "person": f.person_email,
                    "journal_id": f.grant.journal_id,
                    "starts": f.grant.starts.isoformat(),
                    "ends": f.grant.ends.isoformat(),
                    "reason": f.grant.reason,
                }
                for f in flags
            ]
        )
        return
    for flag in flags:
        grant = flag.grant
        click.echo(
            f"{grant.starts:%Y-%m-%d %H:%M} to {grant.ends:%Y-%m-%d %H:%M} UTC\t"
            f"{flag.clinician_email}\t"
            f"{flag.person_email or '-'} (journal {grant.journal_id})\t{grant.reason}"
        )
    if not flags:
        click.echo("No emergency access so far.")


@audit_group.command("export", help="Write the audit log as JSON lines or CSV.")
@db_option
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default=None,
    help="Default: csv for a .csv file, else JSON lines.",
)
@force_option
@json_option
def audit_export(
    db_url: str | None, out: Path | None, fmt: str | None, force: bool, as_json: bool
) -> None:
    """--json: JSON lines on stdout; with --out, a JSON summary of what was written."""
    from mitra.services import audit_log  # noqa: PLC0415

    chosen = fmt or ("csv" if out is not None and out.suffix.lower() == ".csv" else "jsonl")
    if as_json and out is None:
        chosen = "jsonl"
    database = open_clinic(db_url)
    try:
        if out is None:
            audit_log.export(database, sys.stdout, format=chosen)
            return
        from mitra.cli.out_files import target  # noqa: PLC0415
        from mitra.storage.files import replace_atomic, temporary_sibling  # noqa: PLC0415

        path = target(out, force=force)
        # Streamed into a temporary file beside the target, then moved over it in one step.
        with temporary_sibling(path) as temp:
            with temp.open("w", encoding="utf-8", newline="") as handle:
                count = audit_log.export(database, handle, format=chosen)
            replace_atomic(temp, path)
    finally:
        database.dispose()
    if as_json:
        from mitra.cli.output import emit_json  # noqa: PLC0415

        emit_json({"rows": count, "out": str(path), "format": chosen})
    else:
        click.echo(f"{count} audit rows written to {path}.", err=True)


clinic_group.add_command(clinic_serve)  # the web side's command (cli/clinic_serve_cmd.py)
clinic_group.add_command(clinic_demo)  # the sample clinic (cli/clinic_demo_cmd.py)
COMMANDS = (clinic_group,)
