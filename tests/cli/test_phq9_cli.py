"""PHQ-9 from the command line: 988 first on a crisis answer; PHQ-2 points to the PHQ-9."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run


def test_an_item_9_answer_prints_988_before_the_score(tmp_path: Path) -> None:
    db = str(tmp_path / "j.sqlite3")
    result = run("check", "phq9", "--answers", "0,0,0,0,0,0,0,0,1", db=db)
    assert result.code == 0
    assert result.out.index("988") < result.out.index("Saved PHQ-9")


def test_item_9_at_zero_prints_no_crisis_block(tmp_path: Path) -> None:
    db = str(tmp_path / "j.sqlite3")
    result = run("check", "phq9", "--answers", "1,1,1,1,0,0,0,0,0", db=db)
    assert "You are not alone" not in result.out


def test_a_positive_phq2_points_to_the_phq9(tmp_path: Path) -> None:
    db = str(tmp_path / "j.sqlite3")
    assert "mitra check phq9" in run("check", "phq2", "--answers", "2,2", db=db).out
