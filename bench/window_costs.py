"""Benchmark: what window-bounded work costs on 5 years of history against 1 month, in one
process and one run, on copies of the cached judged journals (``/today``: ``web_today.py``).

Measured warm (imports done, a couple of unmeasured runs first), the spans taking turns run by
run so a busy machine slows both alike:
* ``log dose 3g``, ``check sows-gossop --answers ...`` and ``history --since "7 days ago"``:
  the CLI's own ``main`` in-process (everything the command does, except starting Python);
* ``/trends`` (30 days) and ``/alerts``: the web app in-process (``TestClient``),
  the app's own ``Server-Timing`` figure (request in to response start);
* the 90-day clinician PDF: ``ReportDataService.gather`` and ``render_pdf``, as the CLI does.
The clock is fixed at the journals' end (``journals.END``).

Targets (issue 14): log dose, check-in, history 7 days, /trends 30 days and the 90-day PDF
each 5-year / 1-month <= 1.3; ``/alerts`` on 5 years <= 50 ms and a page under 200 KB.

Usage: .venv/bin/python bench/window_costs.py [--runs N] [--quick] [--json PATH]
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import journals
from table import Row, at_most, median, parser, quick, ratio, report

TARGET_RATIO = 1.3
TARGET_ALERTS_MS = 50.0
TARGET_ALERTS_KB = 200.0
SPANS = ("1m", "5y")
WARM = 2


def cli(db: Path, *argv: str) -> Callable[[], float]:
    """A run of ``mitra --db db argv`` in-process at the journals' end; returns its ms."""
    from mitra.cli.main import main
    from mitra.services.context import fixed_clock

    clock = fixed_clock(journals.END)

    def run() -> float:
        err = io.StringIO()
        code: int | str | None = 0
        began = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                main(["--db", str(db), *argv], clock=clock)
            except SystemExit as exc:
                code = exc.code
        elapsed = (time.perf_counter() - began) * 1000
        if code not in (0, None):
            raise RuntimeError(f"mitra {' '.join(argv)} exited {code}: {err.getvalue()[:300]}")
        return elapsed

    return run


def page(client: Any, path: str, sizes: list[int] | None = None) -> Callable[[], float]:
    """A GET of ``path``; returns the app's Server-Timing ms (and notes the body size)."""

    def run() -> float:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        if sizes is not None:
            sizes.append(len(response.content))
        return float(response.headers["server-timing"].split("dur=")[1])

    return run


def pdf(ctx: Any) -> Callable[[], float]:
    from mitra.reports.pdf_document import render_pdf
    from mitra.services.report_data import ReportDataService

    def run() -> float:
        began = time.perf_counter()
        data = ReportDataService(ctx).gather(since=(journals.END - timedelta(days=90)))
        render_pdf(data)
        return (time.perf_counter() - began) * 1000

    return run


def app_context(path: Path) -> Any:
    """An ``AppContext`` over the journal at ``path`` with the clock at the journals' end."""
    from mitra.services.context import AppContext, fixed_clock
    from mitra.storage.database import open_database

    return AppContext(
        open_database(f"sqlite:///{path}"),
        clock=fixed_clock(journals.END),
        default_timezone=journals.ZONE,
    )


def taking_turns(jobs: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """The median ms of each job, the jobs taking turns run by run after ``WARM`` warm-ups."""
    for job in jobs.values():
        for _ in range(WARM):
            job()
    times: dict[str, list[float]] = {span: [] for span in jobs}
    for _ in range(runs):
        for span, job in jobs.items():
            times[span].append(job())
    return {span: median(values) for span, values in times.items()}


def ratio_row(figure: str, medians: dict[str, float]) -> Row:
    value = ratio(medians["5y"], medians["1m"])
    return Row(
        f"{figure}: 5y / 1m",
        f"<= {TARGET_RATIO}",
        f"{value:.2f} ({medians['1m']:.0f} -> {medians['5y']:.0f} ms)",
        at_most(value, TARGET_RATIO),
    )


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--runs", type=int, default=None)
    args = args_parser.parse_args()
    runs = args.runs or (5 if quick(args) else 15)
    pdf_runs = max(2, runs // 3)

    from fastapi.testclient import TestClient

    from mitra.web.app import create_app

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as name, contextlib.ExitStack() as stack:
        folder = Path(name)
        paths = {span: journals.copy_of(span, folder) for span in SPANS}
        contexts = {span: app_context(path) for span, path in paths.items()}
        clients = {
            span: stack.enter_context(TestClient(create_app(ctx), base_url="http://127.0.0.1"))
            for span, ctx in contexts.items()
        }
        pair = SPANS
        for figure, jobs, count in (
            ("log dose (warm CLI)", {s: cli(paths[s], "log", "dose", "3g") for s in pair}, runs),
            (
                "check-in (warm CLI)",
                {
                    s: cli(paths[s], "check", "sows-gossop", "--answers", "1,1,0,2,1,1,2,1,0,3")
                    for s in pair
                },
                runs,
            ),
            (
                "history 7 days (warm CLI)",
                {s: cli(paths[s], "history", "--since", "7 days ago") for s in pair},
                runs,
            ),
            ("/trends 30 days", {s: page(clients[s], "/trends?days=30") for s in pair}, runs),
            ("90-day PDF", {s: pdf(contexts[s]) for s in pair}, pdf_runs),
        ):
            medians = taking_turns(jobs, count)
            print(f"{figure}: {medians}")
            rows.append(ratio_row(figure, medians))
        sizes: list[int] = []
        alerts = taking_turns({"5y": page(clients["5y"], "/alerts", sizes)}, runs)["5y"]
        kilobytes = max(sizes) / 1024
        rows.append(
            Row(
                "/alerts on 5 years, server side p50",
                f"<= {TARGET_ALERTS_MS:.0f} ms",
                f"{alerts:.0f} ms",
                at_most(alerts, TARGET_ALERTS_MS),
            )
        )
        rows.append(
            Row(
                "/alerts on 5 years, page size",
                f"< {TARGET_ALERTS_KB:.0f} KB",
                f"{kilobytes:.0f} KB",
                kilobytes < TARGET_ALERTS_KB,
            )
        )
        for ctx in contexts.values():
            ctx.database.dispose()
    report(rows, args)


if __name__ == "__main__":
    main()
