"""The benchmarks' one table: figure | target | measured | met / NOT met.

Each benchmark script returns ``Row`` values; run alone it prints them as a table, and with
``--json PATH`` it also writes them there, so ``bench/run_all.py`` can gather every script's
rows (each measured in its own process) into the single table ``make bench`` prints.

Invariants: a row's verdict comes only from ``met`` (``None``: no target, shown as "-");
the checks ``at_most`` / ``at_least`` treat a missing measurement (``None``) as not met, so a
benchmark that could not measure never reads as a success. ``BENCH_QUICK=1`` (or
``--quick``) asks for fewer runs and shorter loads: a smoke run, not a figure to quote.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

MIB = 1024 * 1024


@dataclass(frozen=True)
class Row:
    figure: str
    target: str
    measured: str
    met: bool | None = None


def at_most(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit


def at_least(value: float | None, limit: float) -> bool:
    return value is not None and value >= limit


def verdict(met: bool | None) -> str:
    if met is None:
        return "-"
    return "met" if met else "NOT met"


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; infinite when the denominator is not positive."""
    return numerator / denominator if denominator > 0 else float("inf")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.99 for p99) of non-empty ``values``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def format_table(rows: Sequence[Row]) -> str:
    headers = ("figure", "target", "measured", "met")
    cells = [(r.figure, r.target, r.measured, verdict(r.met)) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(c) for c in cells)])


def summary(rows: Sequence[Row]) -> str:
    judged = [r for r in rows if r.met is not None]
    met = sum(1 for r in judged if r.met)
    return f"{met} of {len(judged)} targets met"


def quick(args: argparse.Namespace | None = None) -> bool:
    """A smoke run: ``--quick`` given, or ``BENCH_QUICK`` set to something other than 0."""
    flag = bool(getattr(args, "quick", False))
    return flag or os.environ.get("BENCH_QUICK", "0") not in ("", "0")


def parser(description: str) -> argparse.ArgumentParser:
    """The options every benchmark script takes."""
    made = argparse.ArgumentParser(description=description)
    made.add_argument("--quick", action="store_true", help="fewer runs (also BENCH_QUICK=1)")
    made.add_argument("--json", type=Path, help="also write the rows here (for run_all)")
    return made


def report(rows: Sequence[Row], args: argparse.Namespace) -> None:
    """Print ``rows`` as a table and, with ``--json``, write them for ``run_all``."""
    print(format_table(rows))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))


def load_rows(path: Path) -> list[Row]:
    return [Row(**fields) for fields in json.loads(path.read_text())]
