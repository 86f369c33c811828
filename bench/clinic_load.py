"""Benchmark: the clinic server (``mitra clinic serve``) on PostgreSQL over the clinic
database of ``clinic_data.py`` (10,000 people x 1 year, about 15 million rows; ``--quick``:
500 x 3 months), measured from this process over keep-alive loopback HTTP.

Every run works on a fresh copy of the cached database (``CREATE DATABASE ... TEMPLATE``,
dropped afterwards), so the writes of one run never change the next one's data. The server
runs with ``MITRA_FIXED_NOW`` at the data's end (``clinic_data.END``), as if it were now.

1. Roster: ``GET /api/v1/people?sort=risk&limit=50`` with the roster clinician's token (500
   journals shared with them), ``--reads`` requests one after another; p95 of the whole
   request as this client sees it. The row says whether the API has a ``sort`` parameter at
   all (read from its OpenAPI description): when it does not, the request is answered in
   its own order (newest activity first) and the figure is of that.
2. The today page: the today person (a daily logger with a taper plan) signs in through
   ``/sign-in`` (persons sign in with a password alone; the CSRF field is read from the
   form), then ``GET /today`` with that session, one after another; p95 of the app's own
   ``Server-Timing`` (the server side, sign-in check included), the loopback p95 beside it.
3. Log-dose API: ``POST /api/v1/entries/doses`` (``{"amount": "3g", "product": "Red Bali
   leaf"}``, at "now") from ``--clients`` connections for ``--seconds``, each client cycling
   over its own people's tokens (64 each at full size), so writes spread over 1,024 journals:
   first with ``--workers`` worker processes, then, on a server with 1 worker and another
   1,024 people, the same load (printed beside it with the ratio, no target).
Every response's status is checked (200, or 201 for a dose); one that is not is counted as
failed and makes its row NOT met. The load average (1, 5, 15 min) is shown before and after:
the machine has 2 cores, shared with whatever else runs, and this client shares them too.

Targets (issue 17): roster p95 <= 100 ms; today p95 <= 50 ms (server side); dose API with 4
workers and 16 clients >= 600 requests/s with p99 <= 100 ms.

Usage: .venv/bin/python bench/clinic_load.py [--workers N] [--clients C] [--seconds S]
       [--reads N] [--quick] [--json PATH]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import clinic_data
from serve_process import start_clinic_serve
from table import Row, at_least, at_most, median, parser, percentile, quick, ratio, report
from web_load import read_response

HOST = "127.0.0.1"  # loopback only, always
ROSTER_PATH = "/api/v1/people?sort=risk&limit=50"
TARGET_ROSTER_MS = 100.0
TARGET_TODAY_MS = 50.0
TARGET_RPS = 600.0
TARGET_P99_MS = 100.0
WARM_UP = 20
DOSE_BODY = json.dumps({"amount": "3g", "product": "Red Bali leaf"}).encode()
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


# -- the server and its database --------------------------------------------------------------
@contextlib.contextmanager
def run_copy(base_url: str, name: str) -> Iterator[str]:
    """A fresh copy of the database ``name`` for one run, dropped afterwards."""
    copy = f"{name}_run"
    with clinic_data.admin_connection(base_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}" STRATEGY FILE_COPY')
    try:
        yield f"{base_url}/{copy}"
    finally:
        with clinic_data.admin_connection(base_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


@contextlib.contextmanager
def serving(url: str, workers: int) -> Iterator[int]:
    env = {**os.environ, **clinic_data.fixed_now_env()}
    process, port = start_clinic_serve(url, workers, env)
    try:
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own group (start_new_session)
            process.wait(timeout=10)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


# -- sequential reads -------------------------------------------------------------------------
@dataclass
class Reads:
    latencies: list[float] = field(default_factory=list)  # ms, as this client saw them
    server: list[float] = field(default_factory=list)  # ms, the app's Server-Timing
    failed: int = 0

    def p95(self) -> float:
        return percentile(self.latencies, 0.95)

    def server_p95(self) -> float:
        return percentile(self.server, 0.95)


def server_ms(headers: Any) -> float:
    timing = str(headers.get("server-timing", ""))
    found = re.search(r"dur=([0-9.]+)", timing)
    return float(found.group(1)) if found else float("nan")


def sequential(client: Any, path: str, runs: int, check: Any) -> Reads:
    """``runs`` GETs of ``path`` one after another (after ``WARM_UP`` unmeasured ones)."""
    done = Reads()
    for n in range(WARM_UP + runs):
        started = time.perf_counter()
        reply = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if n < WARM_UP:
            continue
        done.latencies.append(elapsed)
        done.server.append(server_ms(reply.headers))
        if not check(reply):
            done.failed += 1
    return done


def has_sort(client: Any) -> bool:
    """Whether the API describes a ``sort`` parameter of ``GET /api/v1/people``."""
    document = client.get("/api/v1/openapi.json").json()
    parameters = document["paths"]["/api/v1/people"]["get"].get("parameters", [])
    return any(p.get("name") == "sort" for p in parameters)


def sign_in(client: Any, email: str, password: str) -> None:
    form = client.get("/sign-in")
    found = CSRF_FIELD.search(form.text)
    if form.status_code != 200 or found is None:
        raise RuntimeError(f"the sign-in page did not come (status {form.status_code})")
    reply = client.post(
        "/sign-in",
        data={"email": email, "password": password, "code": "", "next": "/today",
              "csrf_token": found.group(1)},
    )  # fmt: skip
    if reply.status_code != 303 or "mitra_session" not in client.cookies:
        raise RuntimeError(f"signing in as the today person failed (status {reply.status_code})")


# -- the write load ---------------------------------------------------------------------------
def dose_request(port: int, token: str) -> bytes:
    head = (
        f"POST /api/v1/entries/doses HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(DOSE_BODY)}\r\n\r\n"
    )
    return head.encode() + DOSE_BODY


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    @property
    def failed(self) -> int:
        return self.errors + sum(1 for s in self.statuses if s != 201)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


async def _client(port: int, tokens: list[str], deadline: float, most: int, load: Load) -> None:
    requests = [dose_request(port, t) for t in tokens]
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        for n in range(most):
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            writer.write(requests[n % len(requests)])
            await writer.drain()
            load.statuses.append(await read_response(reader))
            load.latencies.append((time.perf_counter() - started) * 1000)
    except (OSError, asyncio.IncompleteReadError):
        load.errors += 1
    finally:
        writer.close()


def dose_load(port: int, pools: list[list[str]], seconds: float, most: int) -> Load:
    """Each pool's client sends doses with its tokens in turn for ``seconds`` (at most
    ``most`` each, a bound on a run that would not stop)."""

    async def together() -> Load:
        load = Load()
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(_client(port, pool, deadline, most, load) for pool in pools))
        load.elapsed = time.perf_counter() - started
        return load

    return asyncio.run(together())


def pools_of(people: list[dict[str, str]], clients: int) -> list[list[str]]:
    return [[p["token"] for p in people[n::clients]] for n in range(clients)]


def warm(port: int, pools: list[list[str]]) -> None:
    """A few doses on every connection first (each worker's first requests load its rules
    and fill its pool); not measured, their statuses checked all the same."""
    done = dose_load(port, pools, 30.0, 3)
    if done.failed:
        raise RuntimeError(f"warm-up doses failed: {done.failed} of {len(done.statuses)}")


# -- the run ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measured:
    sort_param: bool
    roster: Reads
    roster_size: int
    today: Reads
    many: Load
    one: Load
    people_per_client: int
    load_before: str
    load_after: str


def measure(url: str, built: clinic_data.Built, args: Any) -> Measured:
    import httpx

    stored = built.secrets
    people = stored["load_people"]
    half = len(people) // 2
    first, second = pools_of(people[:half], args.clients), pools_of(people[half:], args.clients)
    most = int(args.seconds * 2000)
    before = load_average()
    with serving(url, args.workers) as port:
        base = f"http://{HOST}:{port}"
        roster_token = stored["roster_clinician"]["token"]
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {roster_token}"}, timeout=60
        ) as client:
            sort_param = has_sort(client)
            total = client.get(ROSTER_PATH).json()["total"]

            def roster_ok(reply: Any) -> bool:
                return reply.status_code == 200 and reply.json()["total"] == total

            roster = sequential(client, ROSTER_PATH, args.reads, roster_ok)
        with httpx.Client(base_url=base, timeout=60) as client:
            sign_in(client, stored["today_person"]["email"], stored["password"])

            def today_ok(reply: Any) -> bool:
                return reply.status_code == 200 and "<main" in reply.text

            today = sequential(client, "/today", args.reads, today_ok)
        warm(port, first)
        many = dose_load(port, first, args.seconds, most)
    with serving(url, 1) as port:
        warm(port, second)
        one = dose_load(port, second, args.seconds, most)
    return Measured(
        sort_param, roster, total, today, many, one, len(first[0]), before, load_average()
    )


def rows(m: Measured, args: Any, size: clinic_data.Size) -> list[Row]:
    order = "sorted by risk" if m.sort_param else "no sort=risk in the API: its own order"
    clients = f"{args.clients} clients x {m.people_per_client} people, {args.seconds:.0f} s"

    def load_text(load: Load) -> str:
        return (
            f"{load.rps:.0f} req/s, p50 {median(load.latencies):.0f} ms, "
            f"p99 {percentile(load.latencies, 0.99):.0f} ms ({load.failed} failed)"
        )

    return [
        Row(
            f"roster GET {ROSTER_PATH} ({m.roster_size} shared; {order}), p95",
            f"<= {TARGET_ROSTER_MS:.0f} ms",
            f"{m.roster.p95():.0f} ms (p50 {median(m.roster.latencies):.0f}, server p95 "
            f"{m.roster.server_p95():.0f}; {m.roster.failed} failed)",
            at_most(m.roster.p95(), TARGET_ROSTER_MS) and m.roster.failed == 0,
        ),
        Row(
            "a daily logger's GET /today (signed in), server side p95",
            f"<= {TARGET_TODAY_MS:.0f} ms",
            f"{m.today.server_p95():.0f} ms (p50 {median(m.today.server):.0f}, loopback p95 "
            f"{m.today.p95():.0f}; {m.today.failed} failed)",
            at_most(m.today.server_p95(), TARGET_TODAY_MS) and m.today.failed == 0,
        ),
        Row(
            f"dose API, {args.workers} workers, {clients}: throughput",
            f">= {TARGET_RPS:.0f} req/s",
            f"{m.many.rps:.0f} req/s ({m.many.failed} failed)",
            at_least(m.many.rps, TARGET_RPS) and m.many.failed == 0,
        ),
        Row(
            f"dose API, {args.workers} workers, {clients}: p99",
            f"<= {TARGET_P99_MS:.0f} ms",
            f"{percentile(m.many.latencies, 0.99):.0f} ms (p50 {median(m.many.latencies):.0f})",
            at_most(percentile(m.many.latencies, 0.99), TARGET_P99_MS),
        ),
        Row(
            f"dose API, 1 worker, {clients} (other people)",
            "-",
            f"{load_text(m.one)}; {args.workers} workers / 1: {ratio(m.many.rps, m.one.rps):.2f}x",
            None if m.one.failed == 0 else False,
        ),
        Row(
            f"load average 1/5/15 min (2 cores; {size.people} people x {size.days} days)",
            "-",
            f"before {m.load_before}, after {m.load_after}",
            None,
        ),
    ]


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--workers", type=int, default=4)
    args_parser.add_argument("--clients", type=int, default=16)
    args_parser.add_argument("--seconds", type=float, default=None)
    args_parser.add_argument("--reads", type=int, default=None, help="sequential reads each")
    args = args_parser.parse_args()
    args.seconds = args.seconds or (5.0 if quick(args) else 20.0)
    args.reads = args.reads or (50 if quick(args) else 200)
    size = clinic_data.size_of(quick(args))
    with clinic_data.running_cluster() as base:
        built = clinic_data.ensure(base, size)
        with run_copy(base, size.name) as url:
            measured = measure(url, built, args)
    for label, load in (("many", measured.many), ("one", measured.one)):
        print(
            f"dose API ({label} workers): {len(load.latencies)} requests in "
            f"{load.elapsed:.1f} s, {load.rps:.0f} req/s, failed {load.failed}"
        )
    report(rows(measured, args, size), args)


if __name__ == "__main__":
    main()
