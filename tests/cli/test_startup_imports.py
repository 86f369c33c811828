"""``mitra log dose`` and ``mitra --help`` start without the heavy modules: no pint or numpy
(common amounts are read without them), no PostgreSQL dialect on a SQLite journal, no Alembic
when the journal is at the latest schema, no web, PDF or FHIR stack, and only the command
module that runs. Each check runs in a clean interpreter, as a person's command does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run

HEAVY = (
    "pint",
    "numpy",
    "sqlalchemy.dialects.postgresql",
    "alembic",
    "fastapi",
    "starlette",
    "jinja2",
    "pydantic",
    "reportlab",
    "matplotlib",
    "fhir",
    "psycopg",
    "uvicorn",
)
OTHER_COMMANDS = (
    "mitra.cli.setup_cmds",
    "mitra.cli.check_cmds",
    "mitra.cli.plan_cmds",
    "mitra.cli.pathway_cmds",
    "mitra.cli.report_cmds",
    "mitra.cli.demo_cmd",
    "mitra.cli.serve_cmd",
)

# Runs mitra in-process as the entry point does, then prints what was imported.
PROBE = """
import json, sys
from mitra.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported_by(*args: str) -> tuple[str, set[str]]:
    """What ``mitra *args`` printed and every module it imported, in a clean interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    *said, last = done.stderr.strip().splitlines()
    report = json.loads(last)
    assert report["code"] in (0, None), said
    return done.stdout, set(report["modules"])


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.fixture
def journal(tmp_path: Path) -> str:
    """A journal at the latest schema with a dose in it (creating it runs the migrations)."""
    path = str(tmp_path / "journal.sqlite3")
    assert run("log", "dose", "3g", db=path).code == 0
    return path


@pytest.mark.parametrize(
    "amount",
    [("3g",), ("2.5", "grams"), ("2", "caps", "--product", "generic capsules"), ("half", "a", "g")],
)
def test_logging_a_dose_imports_no_heavy_module(journal: str, amount: tuple[str, ...]) -> None:
    out, modules = imported_by("--db", journal, "log", "dose", *amount)
    assert "Logged dose" in out
    assert loaded(modules, HEAVY) == []
    assert loaded(modules, OTHER_COMMANDS) == []


def test_the_help_imports_no_command_module_and_no_heavy_module() -> None:
    out, modules = imported_by("--help")
    assert "log            Record a kratom dose" in out
    assert loaded(modules, HEAVY) == []
    assert loaded(modules, (*OTHER_COMMANDS, "mitra.cli.journal_cmds", "sqlalchemy")) == []


def test_an_uncommon_unit_still_goes_to_pint(journal: str) -> None:
    # The probe is honest: the same path with a unit outside the fast table loads pint.
    out, modules = imported_by("--db", journal, "log", "dose", "3", "g.")
    assert "3 g generic leaf powder" in out
    assert "pint" in modules
