"""Benchmark: the web app while a 30,000-entry import runs into the same journal.

Builds a mitra export of ``--entries`` doses (one every two hours, back from now), starts
``mitra serve --port 0`` over a fresh SQLite journal (its own process), then runs ``mitra
import`` of that file into the same journal (a second process) and, until the import ends,
alternately asks for ``GET /today`` and logs a dose with ``POST /api/v1/entries/doses``, from
this process to 127.0.0.1 only. Bounded: the import, or ``--seconds`` at most.

The import writes in short batches (``Database.batches``) and pages read in deferred
transactions, so neither waits long for the other. Targets: every API write succeeds (201),
``/today`` p99 under 1 s, API write p99 under 1 s during the import.

Measured on the 2-core development machine (30,000 entries): the import took 23 s; during it
362 /today requests had median 35 ms, p99 117 ms, and 362 API writes were all 201, median
15 ms, p99 81 ms. (Before: /today took 19 s and API writes failed with 503 after 10 s.)

Usage: .venv/bin/python bench/import_contention.py [--entries N] [--seconds S]
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from serve_process import start_serve

HOST = "127.0.0.1"  # loopback only, always
TARGET_TODAY_S = 1.0
TARGET_WRITE_S = 1.0


def _mitra(*args: str, db: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    mitra = str(Path(sys.executable).with_name("mitra"))
    return subprocess.run(
        [mitra, "--db", str(db), *args], capture_output=True, text=True, env=env, check=True
    )


def build_export(folder: Path, entries: int, env: dict[str, str]) -> Path:
    """A valid export of ``entries`` doses, cloned from one real exported dose."""
    seed = folder / "seed.sqlite3"
    _mitra("profile", "set", "--timezone", "UTC", db=seed, env=env)
    _mitra("log", "dose", "3g", db=seed, env=env)
    document = json.loads(_mitra("export", db=seed, env=env).stdout)
    template = document["entries"][0]
    start = datetime.fromisoformat(template["at"])
    document["entries"] = []
    for number in range(entries):
        entry = copy.deepcopy(template)
        moment = (start - timedelta(hours=2 * (number + 1))).astimezone(UTC)
        entry["id"] = number + 1
        # Each its own entry: an import refuses two entries with one uuid (the export of
        # journals as tenants carries one per entry).
        entry["uuid"] = str(uuid.UUID(int=number + 1))
        entry["at"] = entry["recorded_at"] = moment.isoformat(timespec="microseconds")
        entry["dose"]["amount"] = 1.0 + (number % 5) * 0.5
        document["entries"].append(entry)
    document["actions"] = []
    document["alerts"] = []
    out = folder / "big.json"
    out.write_text(json.dumps(document))
    return out


def start_server(journal: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    return start_serve(journal, env, HOST)


def timed(
    conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None
) -> tuple[float, int]:
    headers = {"content-type": "application/json"} if body else {}
    began = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return time.perf_counter() - began, response.status


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=30_000)
    parser.add_argument("--seconds", type=float, default=300.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = {**os.environ, "XDG_DATA_HOME": str(folder / "data"), "HOME": str(folder)}
        export = build_export(folder, options.entries, env)
        journal = folder / "journal.sqlite3"
        server, port = start_server(journal, env)
        mitra = str(Path(sys.executable).with_name("mitra"))
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        today: list[float] = []
        writes: list[float] = []
        failed: list[int] = []
        try:
            timed(conn, "GET", "/today", None)  # warm up before the import starts
            importing = subprocess.Popen(
                [mitra, "--db", str(journal), "import", str(export)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            began = time.perf_counter()
            while importing.poll() is None and time.perf_counter() - began < options.seconds:
                seconds, status = timed(conn, "GET", "/today", None)
                today.append(seconds)
                seconds, status = timed(
                    conn, "POST", "/api/v1/entries/doses", json.dumps({"amount": "1g"}).encode()
                )
                writes.append(seconds)
                if status != 201:
                    failed.append(status)
            importing.wait(timeout=max(1.0, options.seconds - (time.perf_counter() - began)))
            took = time.perf_counter() - began
            out, err = importing.communicate()
        finally:
            conn.close()
            server.terminate()
            server.wait(timeout=10)
    print(f"import of {options.entries} entries: {took:.1f} s, exit {importing.returncode}")
    print(f"  {out.strip() or err.strip()}")
    for label, values, target in (
        ("GET /today", today, TARGET_TODAY_S),
        ("POST /api/v1/entries/doses", writes, TARGET_WRITE_S),
    ):
        print(
            f"{label} during the import: {len(values)} requests, median "
            f"{statistics.median(values) * 1000:.0f} ms, p99 {percentile(values, 0.99) * 1000:.0f}"
            f" ms, max {max(values) * 1000:.0f} ms (target p99 < {target * 1000:.0f} ms)"
        )
    print(f"API writes refused or failed: {len(failed)} {sorted(set(failed))}")
    ok = (
        importing.returncode == 0
        and not failed
        and percentile(today, 0.99) < TARGET_TODAY_S
        and percentile(writes, 0.99) < TARGET_WRITE_S
    )
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
