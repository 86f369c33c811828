"""``mitra bup-readiness`` from the command line, and the demo's readiness moment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mitra.services.context import AppContext
from mitra.services.demo import build_demo
from mitra.services.demo_pathways import readiness_at_worst_cows
from mitra.storage.database import open_database
from tests.support.cli import run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "journal.sqlite3")


def test_readiness_json_names_the_answer_the_cows_and_each_last_use(db: str) -> None:
    assert run("log", "substance", "oxycodone", "10mg", "--at", "14h ago", db=db).code == 0
    assert run("check", "cows", "--answers", "1,1,1,1,1,1,0,1,1,0,0", db=db).code == 0
    doc = run("bup-readiness", "--json", db=db).json()
    assert doc["answer"] == "likely-ready"
    assert doc["cows"]["total"] == 8
    assert [use["kind"] for use in doc["last_uses"]] == ["short-acting"]
    assert "findtreatment.gov" in doc["locator"]


def test_readiness_text_is_framed_for_a_prescriber(db: str) -> None:
    assert run("log", "substance", "fentanyl", "1mg", "--at", "2h ago", db=db).code == 0
    result = run("bup-readiness", db=db)
    assert result.code == 0
    assert "LOW-DOSE OR HIGH-DOSE START" in result.out
    assert "not an instruction to start" in result.out
    assert "1-800-662-4357" in result.out


def test_readiness_on_an_empty_journal_is_not_yet(db: str) -> None:
    doc = run("bup-readiness", "--json", db=db).json()
    assert doc["answer"] == "not-yet"
    assert doc["cows"] is None and doc["last_uses"] == []


def test_the_demo_asks_about_buprenorphine_at_its_worst_cows(tmp_path: Path) -> None:
    now = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    ctx = AppContext(db, clock=lambda: now)
    build_demo(ctx)
    report = readiness_at_worst_cows(ctx)
    db.dispose()
    assert report is not None
    assert report.readiness.cows is not None and report.readiness.cows.total >= 13
    # The demo person took kratom the evening before: the answer waits for it.
    assert report.readiness.answer == "not-yet"
    assert any("kratom" in reason for reason in report.readiness.reasons)
