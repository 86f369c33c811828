"""The demo's check-ins follow a believable withdrawal course after the last oxycodone on
demo day 2: COWS rises to moderate, eases over the first week, and the other scales are kept
at their own rhythm (daily, a few times, weekly)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.demo import build_demo
from mitra.services.demo_checkins import spread
from mitra.storage.database import open_database
from tests.support.cli import run

NOW = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


def test_the_demo_checkins_follow_a_withdrawal_course(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    ctx = AppContext(db, clock=lambda: NOW)
    summary = build_demo(ctx)
    rows = CheckinService(ctx).scores()
    db.dispose()
    assert summary.checkins == len(rows) > 60
    counts = Counter(row.assessment.instrument_id for row in rows)
    assert counts["sows-gossop"] >= 25 and counts["craving"] >= 25
    assert 3 <= counts["sows"] <= 6
    assert counts["phq2"] == counts["gad2"] == 4  # weekly over four weeks

    start = summary.first

    def day(at: datetime) -> int:
        return (at - start).days

    cows = [row for row in rows if row.assessment.instrument_id == "cows"]
    peak = max(cows, key=lambda r: r.assessment.total)
    # The last oxycodone is on demo day 2; the peak comes a day or two after it, at moderate.
    assert day(peak.assessment.at) in (3, 4)
    assert peak.assessment.band == "moderate"
    assert cows[0].assessment.band is None  # before stopping: below the mild range
    assert cows[-1].assessment.total < 5  # eased by the end of the first week
    assert any(r.meaningful and (r.change_from_previous or 0) < 0 for r in cows)
    assert any(r.assessment.rater == "clinician" for r in cows)
    gossop = [r.assessment.total for r in rows if r.assessment.instrument_id == "sows-gossop"]
    assert max(gossop) == gossop[2] and gossop[-1] < gossop[2] / 2
    assert all(row.assessment.at <= NOW for row in rows)
    assert rows[-1].assessment.at - rows[0].assessment.at > timedelta(days=20)


@pytest.mark.parametrize("total", [0, 7, 30])
def test_spreading_a_total_gives_valid_item_scores(total: int) -> None:
    scores = spread(total, [3] * 10, [1] * 10, random.Random(1))
    assert sum(scores) == total and all(0 <= s <= 3 for s in scores)


def test_mitra_demo_mentions_the_checkins() -> None:
    shown = run("demo")
    assert shown.code == 0, shown.err
    assert "check-ins" in shown.out and "mitra --demo scores" in shown.out
    assert run("demo", "--json").json()["checkins"] > 60
    assert run("--demo", "scores", "--instrument", "cows", "--json").json()["scores"]


def test_the_demo_follows_its_positive_phq2_with_a_phq9_that_raises_the_item_9_alert(
    tmp_path: Path,
) -> None:
    from mitra.services.safety import SafetyService

    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    ctx = AppContext(db, clock=lambda: NOW)
    build_demo(ctx)
    phq9 = CheckinService(ctx).scores("phq9")
    alerts = SafetyService(ctx).alerts(include_acknowledged=True)
    db.dispose()
    assert [row.assessment.total for row in phq9] == [11, 6]
    item9 = [a for a in alerts if a.alert.rule_id == "screen-phq9-item9"]
    assert len(item9) == 1 and item9[0].alert.severity.value == "urgent"
