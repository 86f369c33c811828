"""Fixtures: real SQLite files, a private PostgreSQL cluster, a fixed clock.

No test reads the wall clock: contexts get ``FIXED_NOW``, and the autouse fixture sets
``MITRA_FIXED_NOW`` so CLI runs, web apps and subprocesses without an explicit clock see the
same moment.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from mitra.services.context import FIXED_NOW_VARIABLE, AppContext
from mitra.storage.database import Database, open_database
from tests.support.browser import browser
from tests.support.clock import FIXED_NOW
from tests.support.pg_cluster import create_database, running_cluster

__all__ = ["FIXED_NOW", "browser"]  # browser: the one Chromium of the session
_db_counter = itertools.count()

# Tests that start PostgreSQL or Chromium: left out of the runs under libfaketime (the
# server and the browser are not part of what those runs check: mitra's own reading of time).
OUTSIDE_FAKETIME = {"pg_base_url", "browser"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-run",
        action="store_true",
        help="the run under libfaketime (make test-clock): leave out the tests that start "
        "PostgreSQL or Chromium",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--clock-run"):
        return
    kept, left = [], []
    for item in items:
        needs = set(getattr(item, "fixturenames", ())) & OUTSIDE_FAKETIME
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database") == "postgresql"
        (left if needs or on_postgres else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the real user data folder, environment and clock."""
    monkeypatch.setenv(FIXED_NOW_VARIABLE, FIXED_NOW.isoformat())
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.delenv("MITRA_DATABASE_URL", raising=False)


@pytest.fixture(scope="session")
def pg_base_url() -> Iterator[str]:
    with running_cluster() as url:
        yield url


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    return str(tmp_path / "journal.sqlite3")


@pytest.fixture
def pg_url(pg_base_url: str) -> str:
    return create_database(pg_base_url, f"mitra_test_{next(_db_counter)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An open database at the latest schema, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url").replace("postgresql://", "postgresql+psycopg://")
    db = open_database(url)
    yield db
    db.dispose()


@pytest.fixture
def ctx(database: Database) -> AppContext:
    return AppContext(database, clock=lambda: FIXED_NOW)


@pytest.fixture
def sqlite_ctx(tmp_path: Path) -> Iterator[AppContext]:
    db = open_database(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    yield AppContext(db, clock=lambda: FIXED_NOW)
    db.dispose()
