"""The ``mitra`` command: global options, the one place errors become messages and exit codes.

Exit codes: 0 done; 2 bad input (what was wrong and what is accepted, nothing written);
1 the database or the machine failed. Tracebacks only with ``--debug``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from mitra import __version__
from mitra.cli.command_table import LazyGroup
from mitra.cli.words import MAIN_HELP

if TYPE_CHECKING:
    from datetime import datetime

    from mitra.services.context import AppContext


@dataclass
class CliState:
    db: str | None
    demo: bool
    debug: bool
    # The clock every command uses: injected by main(clock=...) in tests, else the default
    # (the wall clock, or MITRA_FIXED_NOW), chosen on first use.
    injected_clock: Callable[[], datetime] | None = None
    _app: AppContext | None = None

    @property
    def clock(self) -> Callable[[], datetime]:
        if self.injected_clock is None:
            from mitra.services.context import default_clock  # noqa: PLC0415

            self.injected_clock = default_clock()
        return self.injected_clock

    def now(self) -> datetime:
        return self.clock()

    def app(self) -> AppContext:
        if self._app is None:
            from mitra.services.context import AppContext  # noqa: PLC0415
            from mitra.storage.database import open_database, resolve_url  # noqa: PLC0415

            database = open_database(resolve_url(self.db, demo=self.demo))
            self._app = AppContext(database, clock=self.clock)
        return self._app

    def close(self) -> None:
        """Close the journal's connections when the command ends. A process exits anyway;
        run in-process (tests), an open connection would outlive the command, and SQLite
        shares an open file between the connections of one process, so a later command
        could write through it to a file that has since become read-only."""
        if self._app is not None:
            self._app.database.dispose()
            self._app = None


def state() -> CliState:
    return click.get_current_context().find_object(CliState)  # type: ignore[return-value]


# Commands come from command_table, each module imported only when its command runs.
@click.group(
    cls=LazyGroup,
    help=MAIN_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    metavar="PATH_OR_URL",
    envvar="MITRA_DATABASE_URL",
    help="Journal database: a SQLite file path or a postgresql:// URL. "
    "Default: a file in your user data folder. Env: MITRA_DATABASE_URL.",
)
@click.option("--demo", is_flag=True, help="Use the demo database that 'mitra demo' builds.")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(__version__, prog_name="mitra")
@click.pass_context
def cli(ctx: click.Context, db: str | None, demo: bool, debug: bool) -> None:
    injected = ctx.obj.get("clock") if isinstance(ctx.obj, dict) else None
    ctx.obj = CliState(db=db, demo=demo, debug=debug, injected_clock=injected)
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None, *, clock: Callable[[], datetime] | None = None) -> None:
    """Entry point: run the CLI and turn mitra's errors into one line and an exit code.

    ``clock`` replaces the process's clock for this run (tests pass a fixed one)."""
    args = list(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in args
    injected: dict[str, Any] = {"clock": clock}
    try:
        _refuse_negative_numbers(args)
        code = cli.main(args=args, prog_name="mitra", standalone_mode=False, obj=injected)
    except click.exceptions.Abort:
        click.echo("mitra: stopped.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:
        sys.exit(_report(exc, debug))
    # click returns an exit code (e.g. 0 after --help) and commands return None.
    sys.exit(code if isinstance(code, int) else 0)


def _refuse_negative_numbers(args: list[str]) -> None:
    """Say plainly that "-3g" is not an amount; click would call it an unknown option."""
    from mitra.domain.errors import InputError  # noqa: PLC0415

    for arg in args:
        if len(arg) > 1 and arg[0] == "-" and (arg[1].isdigit() or arg[1] == "."):
            raise InputError(
                f"negative numbers are not accepted (got {arg}): amounts must be more than "
                "zero, e.g. 3g; answers, severities and ids are 0 or more"
            )


def _report(exc: BaseException, debug: bool) -> int:
    from mitra.domain.errors import MitraError  # noqa: PLC0415

    if debug:
        import traceback  # noqa: PLC0415

        traceback.print_exception(exc)
    if isinstance(exc, MitraError):
        from mitra.storage.database import DatabaseError  # noqa: PLC0415

        click.echo(f"mitra: {exc.message}", err=True)
        return 1 if isinstance(exc, DatabaseError) else 2
    click.echo(
        f"mitra: unexpected error: {exc.__class__.__name__}: {exc} "
        "(run again with --debug for details; nothing was changed if no entry was shown)",
        err=True,
    )
    return 1
