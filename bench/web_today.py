"""Benchmark: server-side time of ``/today`` on the cached judged journals of 1 month, 1 year
and 5 years (built through the services, every entry judged, cautions left open: see
``journals.py``), in one process, the spans taking turns request by request.

Each journal is a private copy opened by the web app in-process (``TestClient``) with the
clock at the journals' end; the figure is the app's own ``Server-Timing`` header (the time
from the request reaching the app to the response starting), p50 after warm-up requests.

Targets (issue 14): p50 on 5 years <= 50 ms; 5-year / 1-month <= 1.3.

Usage: .venv/bin/python bench/web_today.py [--runs N] [--quick] [--json PATH]
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import journals
from table import Row, at_most, parser, quick, report
from window_costs import app_context, page, ratio_row, taking_turns

TARGET_MS = 50.0
SPANS = ("1m", "1y", "5y")


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--runs", type=int, default=None)
    args = args_parser.parse_args()
    runs = args.runs or (10 if quick(args) else 40)
    from fastapi.testclient import TestClient

    from mitra.web.app import create_app

    with tempfile.TemporaryDirectory() as name, contextlib.ExitStack() as stack:
        contexts = {s: app_context(journals.copy_of(s, Path(name))) for s in SPANS}
        clients = {
            s: stack.enter_context(TestClient(create_app(ctx), base_url="http://127.0.0.1"))
            for s, ctx in contexts.items()
        }
        today = taking_turns({s: page(clients[s], "/today") for s in SPANS}, runs)
        stack.close()
        for ctx in contexts.values():
            ctx.database.dispose()
    print("/today p50 server side: " + ", ".join(f"{s} {ms:.1f} ms" for s, ms in today.items()))
    report(
        [
            Row(
                "/today on 5 years, server side p50",
                f"<= {TARGET_MS:.0f} ms",
                f"{today['5y']:.0f} ms (1m {today['1m']:.0f}, 1y {today['1y']:.0f})",
                at_most(today["5y"], TARGET_MS),
            ),
            ratio_row("/today", today),
        ],
        args,
    )


if __name__ == "__main__":
    main()
