"""Benchmark: the log-dose API under load, against the default SQLite journal.

Starts ``mitra serve --port 0`` over a fresh SQLite file (a separate process, as a person
runs it), then sends ``POST /api/v1/entries/doses`` from this process over keep-alive
connections to 127.0.0.1 only. Bounded: at most ``--requests`` requests and ``--seconds``
seconds, then everything stops. Every response must be 201.

Each dose carries its own time, six hours after the previous one, so the journal grows as a
person's would (about four doses a day; here years of them) and the safety engine judges each
write against a realistic fortnight. ``--same-moment`` instead logs every dose "now": one day
with thousands of doses, where the engine's work grows with each one (a stress case, not a
person's day).

Targets: >= 300 requests/s sustained, p99 latency <= 100 ms.

Usage: .venv/bin/python bench/web_load.py [--requests N] [--concurrency C] [--seconds S]
       [--same-moment]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from serve_process import start_serve

HOST = "127.0.0.1"  # loopback only, always
TARGET_RPS = 300.0
TARGET_P99_MS = 100.0
SPACING = timedelta(hours=6)
WARM_UP = 50


def start_server(folder: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "XDG_DATA_HOME": str(folder / "data")}
    return start_serve(folder / "load.sqlite3", env, HOST)


def request_bytes(port: int, at: datetime | None) -> bytes:
    fields = {"amount": "3g"} if at is None else {"amount": "3g", "at": at.isoformat()}
    body = json.dumps(fields).encode()
    head = (
        f"POST /api/v1/entries/doses HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    await reader.readexactly(length)
    return status


@dataclass
class Plan:
    """Which requests to send: at most ``requests``, until ``deadline``, doses from ``first``."""

    port: int
    requests: int
    deadline: float
    first: datetime | None  # the first dose's time; None: every dose "now"
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def next_request(self) -> bytes | None:
        if self.sent >= self.requests or time.perf_counter() >= self.deadline:
            return None
        at = None if self.first is None else self.first + SPACING * self.sent
        self.sent += 1
        return request_bytes(self.port, at)


async def worker(plan: Plan) -> None:
    reader, writer = await asyncio.open_connection(HOST, plan.port)
    try:
        while (payload := plan.next_request()) is not None:
            started = time.perf_counter()
            writer.write(payload)
            await writer.drain()
            plan.statuses.append(await read_response(reader))
            plan.latencies.append((time.perf_counter() - started) * 1000)
    finally:
        writer.close()


async def load(plan: Plan, concurrency: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(worker(plan) for _ in range(concurrency)))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--same-moment", action="store_true", help="log every dose 'now'")
    args = parser.parse_args()
    # Early enough that the last dose is still in the past (times ahead of now are refused).
    total = WARM_UP + args.requests
    from mitra.services.context import system_clock

    first = None if args.same_moment else system_clock() - SPACING * (total + 4)
    with tempfile.TemporaryDirectory() as folder:
        process, port = start_server(Path(folder))
        try:
            # Warm up (imports, first queries, the pool) with the journal's first doses.
            warm = Plan(port, WARM_UP, time.perf_counter() + 30, first)
            asyncio.run(load(warm, 2))
            after_warm = None if first is None else first + SPACING * warm.sent
            plan = Plan(port, args.requests, time.perf_counter() + args.seconds, after_warm)
            elapsed = asyncio.run(load(plan, args.concurrency))
        finally:
            process.terminate()
            process.wait(timeout=10)
    latencies = plan.latencies
    others = Counter(s for s in plan.statuses if s != 201)
    p99 = sorted(latencies)[max(0, int(len(latencies) * 0.99) - 1)]
    rps = len(latencies) / elapsed
    mode = "every dose 'now'" if first is None else "doses 6 h apart"
    print(
        f"{len(latencies)} log-dose requests ({mode}) in {elapsed:.1f} s over "
        f"{args.concurrency} connections: {rps:.0f} requests/s; latency median "
        f"{statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms; "
        f"other statuses: {dict(others) or 'none'}"
    )
    met = rps >= TARGET_RPS and p99 <= TARGET_P99_MS and not others
    print(
        f"target >= {TARGET_RPS:.0f} requests/s and p99 <= {TARGET_P99_MS:.0f} ms: "
        f"{'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
