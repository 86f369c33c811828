"""Run every benchmark, each in its own process, then print ONE table: figure | target |
measured | met / NOT met (``make bench``).

First the judged journals are made ready (built once, then cached: ``journals.py``). The
issue-14 benchmarks write their rows as JSON (``--json``); the older benchmarks print their own
figures and verdict lines, and get one row each here: "met" when the script succeeded and none
of its lines says a target was missed (``MISSED_WORDS``), "-" for a script with no
target. A script that fails gets a NOT met row and the run goes on. Last, the CLINIC group
(``clinic_data.py`` builds or reuses the clinic's PostgreSQL database, ``clinic_load.py``
measures the clinic server on it), one "-" row each when PostgreSQL is not installed.
``--quick`` (or ``BENCH_QUICK=1``) is passed on as ``BENCH_QUICK=1``: fewer runs, shorter loads.

Usage: .venv/bin/python bench/run_all.py [--quick] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import clinic_data
import journals
from table import Row, format_table, load_rows, quick, summary

HERE = Path(__file__).resolve().parent
# (script, extra arguments): the issue-14 figures, in the order of its targets table.
TABLED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cli_startup.py", ()),
    ("web_today.py", ()),
    ("window_costs.py", ()),
    ("web_load.py", ()),
    ("reports.py", ()),
)
# (script, extra arguments, quick arguments, has a target): benchmarks with their own output.
OTHERS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], bool], ...] = (
    ("safety_eval.py", (), (), True),
    ("safety_rejudge.py", (), (), True),
    ("exposure.py", (), ("--runs", "5"), True),
    ("symptom_fuzz.py", (), (), False),
    # 15,000 entries (not its default 30,000) and at most 200 s keep `make bench` near 12 minutes
    # on a busy 2-core machine; an import that overruns is a NOT met row, not a hang.
    (
        "import_contention.py",
        ("--entries", "15000", "--seconds", "200"),
        ("--entries", "5000", "--seconds", "60"),
        True,
    ),
)
# The clinic benchmarks (issue 17), run after the others: the PostgreSQL database is built once
# (or found in the cache), then the server is measured on a copy of it. Skipped, with a "-"
# row each, where PostgreSQL's server binaries are missing.
CLINIC: tuple[str, ...] = ("clinic_data.py", "clinic_load.py")
# How the older scripts say a target was missed (each prints its own verdict words).
MISSED_WORDS = ("NOT met", "MISSED", "SLOWER THAN TARGET", ") SLOW")


def run(script: str, args: list[str], env: dict[str, str]) -> tuple[int, str, float]:
    """Exit code, stdout and seconds of one benchmark script; its output is also shown."""
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    print(done.stdout, end="", flush=True)
    return done.returncode, done.stdout, time.perf_counter() - began


def other_row(script: str, code: int, out: str, seconds: float, has_target: bool) -> Row:
    missed = code != 0 or any(word in out for word in MISSED_WORDS)
    measured = f"exit {code}, {seconds:.0f} s (figures in its output)"
    if not has_target:
        return Row(script, "-", measured, None)
    return Row(script, "its own", measured, not missed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (also BENCH_QUICK=1)")
    parser.add_argument("--only", nargs="*", help="run only these scripts (e.g. web_load.py)")
    args = parser.parse_args()
    env = {**os.environ}
    if quick(args):
        env["BENCH_QUICK"] = "1"
    chosen = set(args.only or [])
    began = time.perf_counter()
    for span in ("1m", "1y", "5y"):
        journals.journal(span)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as name:
        for script, extra in TABLED:
            if chosen and script not in chosen:
                continue
            rows_file = Path(name) / f"{script}.json"
            code, _, _ = run(script, [*extra, "--json", str(rows_file)], env)
            if code == 0 and rows_file.exists():
                rows += load_rows(rows_file)
            else:
                rows.append(Row(script, "runs", f"failed (exit {code})", False))
    for script, always, quick_extra, has_target in OTHERS:
        if chosen and script not in chosen:
            continue
        arguments = [*always, *(quick_extra if quick(args) else ())]
        code, out, seconds = run(script, arguments, env)
        rows.append(other_row(script, code, out, seconds, has_target))
    clinic = [s for s in CLINIC if not chosen or s in chosen]
    missing = clinic_data.postgres_available() if clinic else None
    with tempfile.TemporaryDirectory() as name:
        for script in clinic:
            if missing is not None:
                print(f"\n=== {script}: skipped, {missing}")
                rows.append(Row(script, "-", "skipped: no PostgreSQL server binaries", None))
                continue
            rows_file = Path(name) / f"{script}.json"
            code, _, _ = run(script, ["--json", str(rows_file)], env)
            if code == 0 and rows_file.exists():
                rows += load_rows(rows_file)
            else:
                rows.append(Row(script, "runs", f"failed (exit {code})", False))
    mode = "quick (smoke run, fewer runs)" if quick(args) else "full"
    print(f"\n=== make bench: {mode}, {time.perf_counter() - began:.0f} s\n")
    print(format_table(rows))
    print(summary(rows))


if __name__ == "__main__":
    main()
