"""Benchmark: `mitra log dose 3g` as a whole process, against `python -c pass`.

Target (issue 2): median <= 250 ms on a 2-core machine. Runs against a fresh SQLite file in a
temporary folder; the first run (which creates and migrates the database) is excluded.

Usage: .venv/bin/python bench/cli_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    mitra = str(Path(sys.executable).with_name("mitra"))
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "MITRA_DATABASE_URL": str(Path(folder) / "bench.sqlite3")}
        subprocess.run([mitra, "log", "dose", "3g"], env=env, check=True, stdout=subprocess.DEVNULL)
        baseline = timed([sys.executable, "-c", "pass"], env, args.runs)
        dose = timed([mitra, "log", "dose", "3g"], env, args.runs)
        helptext = timed([mitra, "--help"], env, args.runs)
    for name, values in (
        ("python -c pass", baseline),
        ("mitra --help", helptext),
        ("mitra log dose 3g", dose),
    ):
        print(
            f"{name:<20} median {statistics.median(values):7.1f} ms   "
            f"p90 {sorted(values)[int(len(values) * 0.9) - 1]:7.1f} ms   n={len(values)}"
        )
    over = statistics.median(dose) - statistics.median(baseline)
    print(
        f"log dose over interpreter start: {over:.1f} ms; target median <= 250 ms: "
        f"{'met' if statistics.median(dose) <= 250 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
