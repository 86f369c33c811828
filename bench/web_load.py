"""Benchmark: the log-dose API under load on a real server, beside a bare FastAPI route on the
same server process, measured in the same run.

Starts ``bench/peer_server.py`` over a fresh SQLite journal (mitra's app as ``mitra serve``
makes it, plus ``GET /bench-peer`` returning a constant: see that module for why the peer is
on the same app), then from this process, over keep-alive connections to 127.0.0.1 only:
1. ``POST /api/v1/entries/doses`` from ``--concurrency`` clients for ``--seconds``;
2. ``GET /bench-peer`` the same way, for the same time;
3. ``POST /bench-peer/write`` the same way: the same bodies, each stored as one row and
   acknowledged after its commit, without judging (the floor under any durable write here;
   no target, shown for what it says about the others).
Every dose and write response must be 201 and every bare response 200.

Each dose carries its own time, six hours after the previous one, so the journal grows as a
person's would and the safety engine judges each write against a realistic fortnight.
``--same-moment`` instead logs every dose "now" (a stress case, not a person's day).

Targets (issue 14), 4 clients for 20 s: >= 300 requests/s, p99 <= 100 ms, and >= 20% of the
bare route's requests/s.

Usage: .venv/bin/python bench/web_load.py [--concurrency C] [--seconds S] [--same-moment]
       [--quick] [--json PATH]
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from serve_process import start_peer_serve
from table import Row, at_least, at_most, median, parser, percentile, quick, ratio, report

HOST = "127.0.0.1"  # loopback only, always
TARGET_RPS = 300.0
TARGET_P99_MS = 100.0
TARGET_SHARE = 0.20
SPACING = timedelta(hours=6)
WARM_UP = 50
MOST_PER_SECOND = 600  # a bound on requests, so the first dose's time can be chosen up front


def dose_request(port: int, at: datetime | None, path: str = "/api/v1/entries/doses") -> bytes:
    fields = {"amount": "3g"} if at is None else {"amount": "3g", "at": at.isoformat()}
    body = json.dumps(fields).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def peer_request(port: int) -> bytes:
    return f"GET /bench-peer HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()


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
class Load:
    """Requests made by ``make(n)`` for the n-th request, until ``deadline`` or ``most``."""

    port: int
    make: Callable[[int], bytes]
    deadline: float
    most: int
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def next_request(self) -> bytes | None:
        if self.sent >= self.most or time.perf_counter() >= self.deadline:
            return None
        self.sent += 1
        return self.make(self.sent - 1)


async def worker(load: Load) -> None:
    reader, writer = await asyncio.open_connection(HOST, load.port)
    try:
        while (payload := load.next_request()) is not None:
            started = time.perf_counter()
            writer.write(payload)
            await writer.drain()
            load.statuses.append(await read_response(reader))
            load.latencies.append((time.perf_counter() - started) * 1000)
    finally:
        writer.close()


def run_load(load: Load, concurrency: int) -> float:
    async def together() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(worker(load) for _ in range(concurrency)))
        return time.perf_counter() - started

    return asyncio.run(together())


@dataclass(frozen=True)
class Figures:
    requests: int
    rps: float
    p50: float
    p99: float
    failed: int


def figures(load: Load, elapsed: float, ok: int) -> Figures:
    return Figures(
        len(load.latencies),
        len(load.latencies) / elapsed,
        median(load.latencies),
        percentile(load.latencies, 0.99),
        sum(1 for s in load.statuses if s != ok),
    )


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--concurrency", type=int, default=4)
    args_parser.add_argument("--seconds", type=float, default=None)
    args_parser.add_argument("--same-moment", action="store_true", help="log every dose 'now'")
    args = args_parser.parse_args()
    seconds = args.seconds or (5.0 if quick(args) else 20.0)
    most = WARM_UP + int(seconds * MOST_PER_SECOND)
    from mitra.services.context import system_clock

    # A real server on the real clock: early enough that the last dose is still in the past.
    first = None if args.same_moment else system_clock() - SPACING * (most + 4)

    def dose(n: int) -> bytes:
        return dose_request(port, None if first is None else first + SPACING * n)

    def write(n: int) -> bytes:
        at = None if first is None else first + SPACING * n
        return dose_request(port, at, "/bench-peer/write")

    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "XDG_DATA_HOME": str(Path(folder) / "data")}
        env.pop("MITRA_FIXED_NOW", None)
        process, port = start_peer_serve(Path(folder) / "load.sqlite3", env)
        try:
            run_load(Load(port, dose, time.perf_counter() + 30, WARM_UP), 2)
            doses = Load(port, lambda n: dose(WARM_UP + n), time.perf_counter() + seconds, most)
            mitra = figures(doses, run_load(doses, args.concurrency), 201)
            run_load(Load(port, lambda _: peer_request(port), time.perf_counter() + 30, 200), 2)
            bare = Load(port, lambda _: peer_request(port), time.perf_counter() + seconds, 10**9)
            peer = figures(bare, run_load(bare, args.concurrency), 200)
            run_load(Load(port, write, time.perf_counter() + 30, WARM_UP), 2)
            rows = Load(port, lambda n: write(WARM_UP + n), time.perf_counter() + seconds, most)
            durable = figures(rows, run_load(rows, args.concurrency), 201)
        finally:
            process.terminate()
            process.wait(timeout=10)
    mode = "every dose 'now'" if first is None else "doses 6 h apart"
    measured = (
        ("dose API (" + mode + ")", mitra),
        ("bare route /bench-peer", peer),
        ("durable one-row write /bench-peer/write", durable),
    )
    for label, f in measured:
        print(
            f"{label}: {f.requests} requests in {seconds:.0f} s over {args.concurrency} "
            f"connections: {f.rps:.0f} req/s, median {f.p50:.1f} ms, p99 {f.p99:.1f} ms, "
            f"failed {f.failed}"
        )
    share = ratio(mitra.rps, peer.rps)
    clients = f"{args.concurrency} clients, {seconds:.0f} s"
    report(
        [
            Row(
                f"dose API, {clients}: throughput",
                f">= {TARGET_RPS:.0f} req/s",
                f"{mitra.rps:.0f} req/s ({mitra.failed} failed)",
                at_least(mitra.rps, TARGET_RPS) and mitra.failed == 0,
            ),
            Row(
                f"dose API, {clients}: p99",
                f"<= {TARGET_P99_MS:.0f} ms",
                f"{mitra.p99:.0f} ms (p50 {mitra.p50:.0f})",
                at_most(mitra.p99, TARGET_P99_MS),
            ),
            Row(
                "dose API / bare route on the same server",
                f">= {TARGET_SHARE:.0%}",
                f"{share:.1%} (bare {peer.rps:.0f} req/s)",
                at_least(share, TARGET_SHARE),
            ),
            Row(
                "dose API / durable one-row write route (peer)",
                "-",
                f"{ratio(mitra.rps, durable.rps):.1%} (one-row write {durable.rps:.0f} req/s, "
                f"p99 {durable.p99:.0f} ms, {durable.failed} failed)",
            ),
        ],
        args,
    )


if __name__ == "__main__":
    main()
