"""Benchmark: ``mitra log dose 3g`` as a whole process, beside ``jrnl`` writing an entry and
``sqlite-utils insert`` of one row, all measured in this run (median wall time of N runs and
the peak resident memory of each process, from ``wait4``).

mitra writes into a copy of the cached judged 1-month journal (a person in their first month)
with its clock fixed at the journal's end; jrnl and sqlite-utils (from their own environment,
``.venv/peers``: see ``peer-requirements.txt``) write into their own files in a temporary
folder, jrnl with its own config there (``XDG_CONFIG_HOME``, ``HOME``), so neither touches
the user's files and jrnl never prompts. The first run of each tool (creating files,
upgrading jrnl's config) is left out. ``python -c pass`` is printed as the floor, and
``python -c "import sqlalchemy"`` beside it: mitra's storage is built on SQLAlchemy, so that
import alone is a floor under any ``log dose`` that goes through it (a row without target).

Every tool runs with its bytecode cached, as an installed program does: pip compiled the peers'
on install, and mitra's (an editable install, compiled on first import) is written by that
first, unmeasured run. ``PYTHONDONTWRITEBYTECODE`` is taken out of the tools' environment for
this: where it is set (some sandboxes set it), every mitra run would otherwise compile its
whole source again, about 80 ms that no installed copy pays.

Targets (issue 14): median <= 250 ms and <= 1.0x jrnl; peak memory <= 1.5x jrnl.

Usage: .venv/bin/python bench/cli_startup.py [--runs N] [--quick] [--json PATH]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import journals
from table import Row, at_most, median, parser, quick, ratio, report

TARGET_MS = 250.0
TARGET_JRNL_RATIO = 1.0
TARGET_MEMORY_RATIO = 1.5

JRNL_CONFIG = """\
colors: {{body: none, date: none, tags: none, title: none}}
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: false
indent_character: '|'
journals:
  default:
    journal: {journal}
linewrap: 79
tagsymbols: '#@'
template: false
timeformat: '%F %r'
version: v4.6
"""


def peer_tool(name: str) -> str:
    """A peer's command: from ``.venv/peers`` (``make bench`` makes it), else from PATH."""
    local = Path(sys.executable).parent.parent / "peers" / "bin" / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is missing: `make bench` installs it into .venv/peers")
    return found


# Runs one command and prints its wall milliseconds and peak RSS (KiB). A child's peak RSS
# counts from the moment it was forked, when it still had its parent's pages: forked from this
# benchmark (which has imported mitra to build the journals, about 39 MiB) every tool would
# read at least that. Forked from this small process instead, the floor is a bare Python's.
MEASURE_ONE = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
elapsed = (time.perf_counter() - started) * 1000
print(elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_once(cmd: list[str], env: dict[str, str], stdin: str | None) -> tuple[float, float]:
    """Wall milliseconds and peak RSS in MiB of one run of ``cmd`` (which must succeed)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE_ONE, *cmd],
        env=env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed, peak_kib, code = done.stdout.split()[-3:]
    if int(code) != 0:
        raise RuntimeError(f"{cmd[0]} failed with exit code {code}")
    return float(elapsed), int(peak_kib) / 1024  # ru_maxrss is in KiB on Linux


def measure(
    cmd: list[str], env: dict[str, str], runs: int, stdin: str | None = None
) -> tuple[float, float]:
    """Median wall ms and the largest peak RSS (MiB) over ``runs``, after one unmeasured run."""
    run_once(cmd, env, stdin)
    times, memory = [], []
    for _ in range(runs):
        elapsed, rss = run_once(cmd, env, stdin)
        times.append(elapsed)
        memory.append(rss)
    return median(times), max(memory)


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--runs", type=int, default=None)
    args = args_parser.parse_args()
    runs = args.runs or (5 if quick(args) else 21)
    tools = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        journal = journals.copy_of("1m", folder)
        left_out = ("MITRA_DATABASE_URL", "PYTHONDONTWRITEBYTECODE")
        base = {k: v for k, v in os.environ.items() if k not in left_out}
        mitra_env = {**base, **journals.fixed_now_env(), "XDG_DATA_HOME": str(folder / "data")}
        (folder / "cfg" / "jrnl").mkdir(parents=True)
        (folder / "cfg" / "jrnl" / "jrnl.yaml").write_text(
            JRNL_CONFIG.format(journal=folder / "journal.txt")
        )
        peer_env = {
            **base,
            "HOME": str(folder),
            "XDG_CONFIG_HOME": str(folder / "cfg"),
            "XDG_DATA_HOME": str(folder / "data"),
        }
        row = json.dumps({"at": "2026-11-20T15:00:00+00:00", "amount": "3g"})
        floor = measure([sys.executable, "-c", "pass"], base, runs)
        storage_floor = measure([sys.executable, "-c", "import sqlalchemy"], base, runs)
        mitra = measure(
            [str(tools / "mitra"), "--db", str(journal), "log", "dose", "3g"], mitra_env, runs
        )
        jrnl = measure([peer_tool("jrnl"), "Took 3g of kratom leaf."], peer_env, runs)
        sqlite_utils = measure(
            [peer_tool("sqlite-utils"), "insert", str(folder / "peer.db"), "doses", "-"],
            peer_env,
            runs,
            stdin=row,
        )
    for label, (ms, mib) in (
        ("python -c pass", floor),
        ("import sqlalchemy", storage_floor),
        ("mitra log dose 3g", mitra),
        ("jrnl (write an entry)", jrnl),
        ("sqlite-utils insert", sqlite_utils),
    ):
        print(f"{label:<24} median {ms:7.1f} ms   peak {mib:6.1f} MiB   n={runs}")
    speed = ratio(mitra[0], jrnl[0])
    memory = ratio(mitra[1], jrnl[1])
    report(
        [
            Row(
                "log dose, whole process: median",
                f"<= {TARGET_MS:.0f} ms",
                f"{mitra[0]:.0f} ms (sqlite-utils {sqlite_utils[0]:.0f} ms)",
                at_most(mitra[0], TARGET_MS),
            ),
            Row(
                "log dose / jrnl, time",
                f"<= {TARGET_JRNL_RATIO:.1f}x",
                f"{speed:.2f}x (jrnl {jrnl[0]:.0f} ms)",
                at_most(speed, TARGET_JRNL_RATIO),
            ),
            Row(
                "log dose / jrnl, peak memory",
                f"<= {TARGET_MEMORY_RATIO:.1f}x",
                f"{memory:.2f}x ({mitra[1]:.0f} / {jrnl[1]:.0f} MiB)",
                at_most(memory, TARGET_MEMORY_RATIO),
            ),
            Row(
                "import sqlalchemy alone / jrnl (peer)",
                "-",
                f"{ratio(storage_floor[0], jrnl[0]):.2f}x time ({storage_floor[0]:.0f} ms), "
                f"{ratio(storage_floor[1], jrnl[1]):.2f}x memory ({storage_floor[1]:.0f} MiB)",
            ),
        ],
        args,
    )


if __name__ == "__main__":
    main()
