"""Benchmark: the FHIR bundle (all time, validated) for 1 year and for 5 years of the cached
judged journals, each made in a fresh subprocess so its peak memory is its own.

The child imports everything first (as a long-running app has it loaded), then times
``ReportDataService.gather(all_time=True)`` and ``bundle_json`` once; its peak resident memory
(``wait4``) covers the imports too, as a person's process would. The 90-day PDF, a
window-bounded job, is measured against 1 month in ``window_costs.py``.

Targets (issue 14): a year <= 2 s; 5 years / 1 year <= 6; peak memory <= 150 MiB.

Usage: .venv/bin/python bench/reports.py [--quick] [--json PATH]
       .venv/bin/python bench/reports.py --child JOURNAL_FILE   (one measurement, JSON out)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import journals
from table import Row, at_most, parser, ratio, report

TARGET_YEAR_S = 2.0
TARGET_RATIO = 6.0
TARGET_MIB = 150.0


def child(path: Path) -> None:
    from mitra.reports.fhir_bundle import bundle_json
    from mitra.services.context import AppContext, fixed_clock
    from mitra.services.report_data import ReportDataService
    from mitra.storage.database import open_database

    ctx = AppContext(open_database(f"sqlite:///{path}"), clock=fixed_clock(journals.END))
    began = time.perf_counter()
    size = len(bundle_json(ReportDataService(ctx).gather(all_time=True)))
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "bytes": size}))


def measure(path: Path) -> tuple[float, float, int]:
    """Seconds, peak RSS (MiB) and size (bytes) of the bundle for the journal at ``path``."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the FHIR child failed ({process.returncode})")
    found = json.loads(out)
    return found["seconds"], usage.ru_maxrss / 1024, found["bytes"]


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--child", type=Path)
    args = args_parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as name:
        year = measure(journals.copy_of("1y", Path(name)))
        five = measure(journals.copy_of("5y", Path(name)))
    for label, (seconds, mib, size) in (("1 year", year), ("5 years", five)):
        print(f"FHIR {label}: {seconds:.2f} s, peak {mib:.0f} MiB, {size / 1024:.0f} KB")
    growth = ratio(five[0], year[0])
    report(
        [
            Row(
                "FHIR bundle, 1 year",
                f"<= {TARGET_YEAR_S:.0f} s",
                f"{year[0]:.2f} s (peak {year[1]:.0f} MiB)",
                at_most(year[0], TARGET_YEAR_S),
            ),
            Row(
                "FHIR bundle, 5 years / 1 year",
                f"<= {TARGET_RATIO:.0f}",
                f"{growth:.1f} ({five[0]:.1f} s)",
                at_most(growth, TARGET_RATIO),
            ),
            Row(
                "FHIR bundle, 5 years: peak memory",
                f"<= {TARGET_MIB:.0f} MiB",
                f"{five[1]:.0f} MiB",
                at_most(five[1], TARGET_MIB),
            ),
        ],
        args,
    )


if __name__ == "__main__":
    main()
