"""The benchmarks' instrument, without timing anything: the one table's layout and its
met / NOT met logic on fixed numbers, and the journal builder writing a judged journal
(alerts raised, left open) through the services for a few days."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module", autouse=True)
def bench_on_path() -> None:
    # The bench scripts import each other as top-level modules (they run as scripts).
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))


def test_the_table_shows_figure_target_measured_and_verdict_in_aligned_columns() -> None:
    from table import Row, format_table

    rows = [
        Row("/today on 5 years, server side p50", "<= 50 ms", "159 ms", False),
        Row("FHIR bundle, 1 year", "<= 2 s", "1.67 s", True),
        Row("symptom_fuzz.py", "-", "exit 0", None),
    ]
    lines = format_table(rows).splitlines()
    assert lines[0].split("|")[1:-1] == [
        " figure                             ",
        " target   ",
        " measured ",
        " met     ",
    ]
    assert set(lines[1]) == {"|", "-"}
    assert [line.split("|")[4].strip() for line in lines[2:]] == ["NOT met", "met", "-"]
    assert len({len(line) for line in lines}) == 1


def test_a_missing_measurement_never_meets_a_target() -> None:
    from table import at_least, at_most, ratio

    assert at_most(250.0, 250.0) and not at_most(250.1, 250.0)
    assert at_least(300.0, 300.0) and not at_least(299.9, 300.0)
    assert not at_most(None, 1.0) and not at_least(None, 1.0)
    assert ratio(3.0, 0.0) == float("inf") and not at_most(ratio(3.0, 0.0), 1.3)
    assert ratio(159.0, 36.0) == pytest.approx(4.4167, abs=1e-3)


def test_percentile_and_summary_on_fixed_numbers() -> None:
    from table import Row, percentile, summary

    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([7.0], 0.99) == 7.0
    rows = [Row("a", "t", "m", True), Row("b", "t", "m", False), Row("c", "-", "m", None)]
    assert summary(rows) == "1 of 2 targets met"


def test_an_older_benchmark_is_met_only_when_it_succeeds_and_misses_nothing() -> None:
    from run_all import other_row

    assert other_row("x.py", 0, "target: median <= 5 ms: met", 1.0, True).met is True
    assert other_row("x.py", 0, "target <= 20 ms: NOT met", 1.0, True).met is False
    assert other_row("x.py", 0, "TARGET MISSED", 1.0, True).met is False
    assert (
        other_row("x.py", 0, "ratio 2.5x; target: at most 2x: SLOWER THAN TARGET", 1.0, True).met
        is False
    )
    assert other_row("x.py", 0, "median 30 ms (target <= 20 ms) SLOW", 1.0, True).met is False
    assert other_row("x.py", 0, "median 1.1 ms (target <= 20 ms) OK", 1.0, True).met is True
    assert other_row("x.py", 1, "met", 1.0, True).met is False
    assert other_row("x.py", 0, "a table", 1.0, False).met is None


def test_the_builder_writes_a_judged_journal_with_open_alerts(tmp_path: Path) -> None:
    import journals

    from mitra.services.context import AppContext, fixed_clock
    from mitra.services.safety import SafetyService
    from mitra.storage.database import open_database

    built = journals.build(tmp_path / "three-days.sqlite3", 3, progress=False)
    assert built.entries >= 9 and built.checkins >= 1
    ctx = AppContext(open_database(f"sqlite:///{built.path}"), clock=fixed_clock(journals.END))
    try:
        found = SafetyService(ctx).alerts()
        assert found, "a judged journal of heavy kratom days raises alerts"
        assert all(alert.acknowledged_at is None for alert in found)
    finally:
        ctx.database.dispose()


def test_the_cache_key_follows_the_builder_and_the_schema() -> None:
    import journals

    key = journals.cache_key()
    assert len(key) == 12 and journals.cached_path("1m").name == f"1m-{key}.sqlite3"
    assert journals.cache_key() == key
