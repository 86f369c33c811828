"""Report and data commands: ``report pdf|fhir``, ``export``, ``import``, ``backup``, ``restore``.

Heavy libraries (reportlab, svglib, fhir.resources, cryptography) are imported inside the
commands that need them, so every other command starts as fast as before. Every file is
written atomically. Passphrases come from ``MITRA_PASSPHRASE`` or a hidden prompt (with
confirmation when encrypting); without either on a non-interactive terminal the command stops
with a plain message instead of waiting. Progress bars go to stderr, only when it is a
terminal, so redirected output stays clean.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mitra.cli.main import state
from mitra.cli.out_files import force_option, target
from mitra.cli.output import dim, emit_json

if TYPE_CHECKING:
    from mitra.services.transfer import ImportReport

PASSPHRASE_ENV = "MITRA_PASSPHRASE"
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON summary of what was done."
)
encrypt_option = click.option(
    "--encrypt",
    is_flag=True,
    help=f"Encrypt with a passphrase (asked twice, or ${PASSPHRASE_ENV}). "
    "scrypt + AES-256-GCM; without the passphrase the file cannot be read.",
)
since_option = click.option(
    "--since", metavar="WHEN", help="Start of the period: a date, '30 days ago', ISO 8601."
)
until_option = click.option(
    "--until",
    metavar="WHEN",
    help="End of the period (a date means through that day). Default: now.",
)
notes_option = click.option(
    "--include-notes",
    is_flag=True,
    help="Include the notes you wrote (left out by default: they are private).",
)


def _passphrase(*, confirm: bool) -> str:
    from mitra.domain.errors import InputError  # noqa: PLC0415

    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise InputError(
            f"a passphrase is needed: set {PASSPHRASE_ENV} or run this in a terminal",
            field="passphrase",
        )
    value: str = click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm, err=True)
    if not value:
        raise InputError("the passphrase is empty", field="passphrase")
    return value


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress callback: a bar on stderr when it is a terminal, else nothing at all."""
    if total < 200 or not sys.stderr.isatty():
        yield lambda _n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def _out_path(out: str | None, default: str, *, force: bool) -> Path:
    """The guarded output file: ``--out`` or the default name in the current folder."""
    return target(Path(out) if out else Path(default), force=force)


def _write(path: Path, data: bytes) -> None:
    from mitra.storage.files import write_atomic  # noqa: PLC0415

    write_atomic(path, data)


@click.group(
    "report",
    help="""Documents for a clinician: a PDF report or a FHIR bundle.

\b
Examples:
  mitra report pdf --since "30 days ago" --out report.pdf
  mitra report fhir --out mitra-fhir.json
""",
)
def report_group() -> None:
    pass


@report_group.command(
    "pdf",
    help="""A clinician report as a PDF: the current pattern (doses and
estimated mitragynine per day, with ranges; products; other substances with MME), scores
over time with their bands, symptoms and side effects, safety alerts with their evidence,
evidence-based options and help lines, and sources. Your notes only with --include-notes.

The period defaults to the last 30 days.

\b
Examples:
  mitra report pdf --out report.pdf
  mitra report pdf --since 2026-10-01 --until 2026-10-31 --paper letter
  mitra report pdf --since "90 days ago" --include-notes --json
""",
)
@since_option
@until_option
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"], case_sensitive=False),
    default=None,
    help="Paper size. Default: from the profile's time zone (Letter in the US, Canada, "
    "Mexico, the Philippines and other Letter countries, else A4).",
)
@click.option("--out", metavar="FILE", help="Where to write it. Default: mitra-report-DATE.pdf.")
@force_option
@notes_option
@json_option
def report_pdf(
    since: str | None,
    until: str | None,
    paper: str | None,
    out: str | None,
    force: bool,
    include_notes: bool,
    as_json: bool,
) -> None:
    from mitra.domain.paper import paper_for_zone  # noqa: PLC0415
    from mitra.reports.pdf_document import render_pdf  # noqa: PLC0415
    from mitra.services.report_data import ReportDataService  # noqa: PLC0415

    if out:
        _out_path(out, "", force=force)  # refuse a bad --out before anything is opened
    app = state().app()
    data = ReportDataService(app).gather(since=since, until=until, include_notes=include_notes)
    paper = (paper or paper_for_zone(data.zone.key)).lower()
    pdf = render_pdf(data, paper=paper)
    path = _out_path(out, f"mitra-report-{data.period.last_day.isoformat()}.pdf", force=force)
    _write(path, pdf)
    summary = {
        "written": str(path),
        "format": "pdf",
        "paper": paper.lower(),
        "bytes": len(pdf),
        "since": data.period.since.astimezone(data.zone).isoformat(timespec="seconds"),
        "until": data.period.until.astimezone(data.zone).isoformat(timespec="seconds"),
        "entries": len(data.entries),
        "checkins": len(data.assessments),
        "alerts": len(data.alerts),
        "notes_included": data.notes is not None,
    }
    if as_json:
        emit_json(summary)
        return
    click.echo(
        f"Wrote {path} ({len(pdf) // 1024} KB, {paper.upper()}): {summary['entries']} entries, "
        f"{summary['checkins']} check-ins, {summary['alerts']} alerts from "
        f"{data.period.first_day} to {data.period.last_day}."
    )
    if data.notes is None:
        click.echo(dim("Your notes were left out; add --include-notes to share them."))


@report_group.command(
    "fhir",
    help="""A FHIR R4 bundle (type collection) for a clinician's system:
check-ins as Questionnaire + QuestionnaireResponse, scores as Observations, kratom and other
drugs as MedicationStatements, alcohol and symptoms as Observations, alerts as
DetectedIssues. It is validated before it is written.

The Patient holds nothing that identifies you unless you add --name or --birth-date.
The period defaults to your whole journal.

\b
Examples:
  mitra report fhir --out mitra-fhir.json
  mitra report fhir --since "90 days ago" --name "Sam Doe" --birth-date 1990-04-02 --json
""",
)
@since_option
@until_option
@click.option("--out", metavar="FILE", help="Where to write it. Default: mitra-fhir-DATE.json.")
@force_option
@click.option("--name", metavar="TEXT", help="Put this name in the Patient resource.")
@click.option(
    "--birth-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Put this birth date in the Patient resource.",
)
@notes_option
@json_option
def report_fhir(
    since: str | None,
    until: str | None,
    out: str | None,
    force: bool,
    name: str | None,
    birth_date: Any,
    include_notes: bool,
    as_json: bool,
) -> None:
    from mitra.reports.fhir_bundle import (  # noqa: PLC0415
        PatientChoice,
        build_bundle,
        bundle_text,
        validate_bundle,
    )
    from mitra.services.report_data import ReportDataService  # noqa: PLC0415

    if out:
        _out_path(out, "", force=force)  # refuse a bad --out before anything is opened
    app = state().app()
    data = ReportDataService(app).gather(
        since=since, until=until, include_notes=include_notes, all_time=since is None
    )
    chosen = PatientChoice(
        name=name.strip() if name and name.strip() else None,
        birth_date=birth_date.date() if birth_date is not None else None,
    )
    bundle = build_bundle(data, patient=chosen)
    validate_bundle(bundle)
    counts: dict[str, int] = {}
    for entry in bundle["entry"]:
        kind = entry["resource"]["resourceType"]
        counts[kind] = counts.get(kind, 0) + 1
    text = bundle_text(bundle, consume=True).encode("utf-8")
    path = _out_path(out, f"mitra-fhir-{data.period.last_day.isoformat()}.json", force=force)
    _write(path, text)
    if as_json:
        emit_json(
            {
                "written": str(path),
                "format": "fhir-r4-bundle",
                "bytes": len(text),
                "resources": counts,
                "patient_identified": bool(chosen.name or chosen.birth_date),
            }
        )
        return
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    click.echo(f"Wrote {path} ({sum(counts.values())} resources: {listed}); validated.")


@click.command(
    "export",
    help="""Export everything: entries (deleted ones marked), products, check-ins
with every answer, alerts with acknowledgements, the action log and your profile.

JSON (format "mitra-export", version 1) is the file to keep and to import again: a round
trip changes nothing. CSV writes one file per table into a folder, for spreadsheets.
Without --out, JSON goes to standard output.

\b
Examples:
  mitra export --out journal.json
  mitra export --out journal.json.enc --encrypt
  mitra export --format csv --out journal-csv/
  mitra export > journal.json
""",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"], case_sensitive=False),
    default="json",
    show_default=True,
    help="json (complete, importable) or csv (a folder of tables).",
)
@click.option("--out", metavar="FILE|DIR", help="File (json) or folder (csv) to write.")
@force_option
@encrypt_option
@json_option
def export(fmt: str, out: str | None, force: bool, encrypt: bool, as_json: bool) -> None:
    from mitra.domain.errors import InputError  # noqa: PLC0415
    from mitra.services.transfer import TransferService  # noqa: PLC0415

    fmt = fmt.lower()
    if out and fmt == "json":
        target(Path(out), force=force)  # refuse a bad --out before anything is opened
    service = TransferService(state().app())
    if fmt == "csv":
        if encrypt:
            raise InputError(
                "CSV exports are meant for spreadsheets and cannot be encrypted; use "
                "--format json --encrypt",
                field="encrypt",
            )
        if not out:
            raise InputError("a CSV export needs --out FOLDER", field="out")
        folder = _csv_folder(Path(out), force=force)
        with _progress(10_000, "Exporting") as advance:
            files = service.export_csv(progress=advance)
        folder.mkdir(exist_ok=True)  # its parent exists: checked above
        for name, content in files.items():
            _write(folder / name, content.encode("utf-8"))
        if as_json:
            emit_json({"written": str(folder), "format": "csv", "files": sorted(files)})
        else:
            click.echo(f"Wrote {len(files)} CSV files to {folder}.")
        return
    path = target(Path(out), force=force) if out else None
    document = service.export_document()
    data = json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8")
    if encrypt:
        from mitra.storage.sealed import seal  # noqa: PLC0415

        if not out:
            raise InputError("an encrypted export needs --out FILE", field="out")
        data = seal(data, _passphrase(confirm=True))
    counts = {
        "profile": 1 if document["profile"] else 0,
        **{
            k: len(document[k]) for k in ("products", "entries", "actions", "assessments", "alerts")
        },
    }
    if path is None:
        if as_json:
            raise InputError("--json prints a summary of a written file: add --out FILE")
        click.echo(data.decode("utf-8"))
        return
    _write(path, data)
    if as_json:
        emit_json(
            {
                "written": str(path),
                "format": "mitra-export",
                "version": document["version"],
                "encrypted": encrypt,
                "bytes": len(data),
                "records": counts,
            }
        )
        return
    listed = ", ".join(f"{n} {k}" for k, n in counts.items())
    click.echo(f"Wrote {path}{' (encrypted)' if encrypt else ''}: {listed}.")


def _csv_folder(out: Path, *, force: bool) -> Path:
    """The folder of a CSV export: new in an existing folder, or existing; every table file in
    it passes the output guard (so --force is needed to replace an earlier export)."""
    from mitra.domain.errors import InputError  # noqa: PLC0415
    from mitra.storage import journal_dump  # noqa: PLC0415

    folder = out.expanduser()
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out {out} is a file; give a folder for a CSV export", field="out")
    if not folder.exists():
        target(folder, force=False)  # its parent must exist; never the journal
        return folder
    for table in journal_dump.TABLES:
        target(folder / f"{table.name}.csv", force=force)
    return folder


def _read_export(path: Path) -> Any:
    from mitra.domain.errors import InputError  # noqa: PLC0415
    from mitra.storage import sealed  # noqa: PLC0415

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="file") from exc
    if sealed.is_sealed(raw):
        raw = sealed.unseal(raw, _passphrase(confirm=False), what=str(path))
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path} is not a mitra export (not JSON: {exc}); CSV exports cannot be imported",
            field="file",
        ) from None


def _report_lines(report: ImportReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "refused": report.refusals,
        "kept_ids": report.kept_ids,
        "added": report.added,
        "skipped": report.skipped,
        "conflicts": report.conflicts,
        "kinds": {
            name: {"added": k.added, "skipped": k.skipped, "conflicts": k.conflicts}
            for name, k in report.kinds.items()
        },
    }


@click.command(
    "import",
    help="""Import a mitra JSON export (encrypted ones too) into this journal,
empty or not. A record already here is skipped; one that differs from yours is reported as a
conflict and yours is kept: nothing is overwritten. Every record is checked first, as logging
checks an entry (amounts, estimates recomputed from the product, check-in answers, notes,
dates): if one is refused nothing is written, and --dry-run lists every refused record (exit
code 2). The writing runs in short steps, so mitra stays usable meanwhile; an interrupted
import can be run again (what is already here is skipped).

\b
Examples:
  mitra import journal.json --dry-run
  mitra import journal.json
  MITRA_PASSPHRASE=... mitra import journal.json.enc --json
""",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
@json_option
def import_cmd(file: Path, dry_run: bool, as_json: bool) -> None:
    from mitra.services.transfer import TransferService  # noqa: PLC0415

    document = _read_export(file)
    service = TransferService(state().app())
    total = service.record_count(document) if isinstance(document, dict) else 0
    with _progress(total, "Importing") as advance:
        report = service.import_document(document, dry_run=dry_run, progress=advance)
    summary = _report_lines(report)
    if report.refusals:  # a dry run of a file that would be refused
        if as_json:
            emit_json({"file": str(file), **summary})
        else:
            click.echo(
                f"Would refuse {file}: {len(report.refusals)} records cannot be imported "
                "(dry run: nothing changed)."
            )
            for refusal in report.refusals:
                click.echo(click.style(f"  refused: {refusal}", fg="red"))
        raise click.exceptions.Exit(2)
    if as_json:
        emit_json({"file": str(file), **summary})
        return
    verb = "Would add" if dry_run else "Added"
    click.echo(
        f"{verb} {report.added}, skipped {report.skipped} already here, "
        f"{report.conflicts} conflicts{' (dry run: nothing changed)' if dry_run else ''}."
    )
    for name, kind in report.kinds.items():
        if kind.added or kind.skipped or kind.conflicts:
            click.echo(
                f"  {name}: {kind.added} added, {kind.skipped} skipped, "
                f"{len(kind.conflicts)} conflicts"
            )
        for conflict in kind.conflicts[:20]:
            click.echo(click.style(f"    conflict: {conflict}", fg="yellow"))
        if len(kind.conflicts) > 20:
            click.echo(f"    ...and {len(kind.conflicts) - 20} more (see --json)")


@click.command(
    "backup",
    help="""Back up the SQLite journal to FILE (default: a time-stamped file in a
'backups' folder beside the journal). Safe while mitra runs: SQLite's online backup API
takes a consistent snapshot, which is checked before it is kept. For a PostgreSQL journal
use pg_dump.

\b
Examples:
  mitra backup
  mitra backup ~/journal-backup.sqlite3
  mitra backup ~/journal-backup.enc --encrypt --json
""",
)
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@force_option
@encrypt_option
@json_option
def backup_cmd(file: Path | None, force: bool, encrypt: bool, as_json: bool) -> None:
    from mitra.services.backups import backup, journal_path  # noqa: PLC0415
    from mitra.storage.database import resolve_url  # noqa: PLC0415

    cli_state = state()
    url = resolve_url(cli_state.db, demo=cli_state.demo)
    journal_path(url)  # PostgreSQL is refused before any passphrase is asked
    if file is not None:
        target(file, force=force, option="the backup file", field="file")
    passphrase = _passphrase(confirm=True) if encrypt else None
    app = cli_state.app()  # brings the journal to the current schema first
    result = backup(url, file, now=app.now(), passphrase=passphrase, force=force)
    if as_json:
        emit_json(
            {
                "written": str(result.path),
                "format": "sqlite",
                "encrypted": result.encrypted,
                "bytes": result.bytes,
                "schema_revision": result.revision,
                "rows": result.counts,
            }
        )
        return
    click.echo(
        f"Backed up to {result.path} ({result.bytes // 1024} KB"
        f"{', encrypted' if result.encrypted else ''}): {result.counts.get('entries', 0)} "
        f"entries, {result.counts.get('assessments', 0)} check-ins; integrity checked."
    )


@click.command(
    "restore",
    help="""Restore the SQLite journal from a backup FILE (encrypted ones too).
The file is checked first (SQLite integrity check, a mitra schema this version knows, every
table readable); only then is the current journal kept as JOURNAL.bak-TIME and replaced.
A wrong passphrase or a damaged file changes nothing.

\b
Examples:
  mitra restore ~/journal-backup.sqlite3
  MITRA_PASSPHRASE=... mitra restore ~/journal-backup.enc --json
""",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def restore_cmd(file: Path, as_json: bool) -> None:
    from mitra.services.backups import journal_path, needs_passphrase, restore  # noqa: PLC0415
    from mitra.storage.database import resolve_url  # noqa: PLC0415

    cli_state = state()
    url = resolve_url(cli_state.db, demo=cli_state.demo)
    journal_path(url)
    passphrase = _passphrase(confirm=False) if needs_passphrase(file) else None
    # The journal is not opened first: it may be the damaged file being replaced.
    result = restore(url, file, now=cli_state.now(), passphrase=passphrase)
    if as_json:
        emit_json(
            {
                "restored": str(result.journal),
                "from": str(result.source),
                "previous_kept_as": str(result.kept_as) if result.kept_as else None,
                "encrypted": result.encrypted,
                "schema_revision": result.revision,
                "rows": result.counts,
            }
        )
        return
    click.echo(
        f"Restored {result.journal} from {result.source}: "
        f"{result.counts.get('entries', 0)} entries, "
        f"{result.counts.get('assessments', 0)} check-ins."
    )
    if result.kept_as:
        click.echo(f"The previous journal is kept as {result.kept_as}.")


COMMANDS = (report_group, export, import_cmd, backup_cmd, restore_cmd)
