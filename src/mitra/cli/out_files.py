"""The ``--force`` option and the output guard as the commands that write files use them.

Every command that writes a file (``report pdf``, ``report fhir``, ``export``, ``plan export
--ics``, ``backup``) passes its target through ``target``, which asks
``storage.files.check_output`` with the journal this command runs on, so no command can write
over the journal, its SQLite companions or its backups, replace a file without ``--force``, or
create folders on the way.
"""

from __future__ import annotations

from pathlib import Path

import click

from mitra.cli.main import state

force_option = click.option("--force", is_flag=True, help="Replace the file if it already exists.")


def journal_file() -> Path | None:
    """The SQLite file of the journal this command uses (None for PostgreSQL)."""
    from mitra.storage.database import resolve_url  # noqa: PLC0415

    cli_state = state()
    url = resolve_url(cli_state.db, demo=cli_state.demo)
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def target(path: Path, *, force: bool, option: str = "--out", field: str = "out") -> Path:
    """``path`` after the output guard (see the module docstring)."""
    from mitra.storage.files import check_output  # noqa: PLC0415

    return check_output(path, journal=journal_file(), force=force, option=option, field=field)
