"""Run the ``mitra`` CLI in-process, as the entry point does, capturing output and exit code."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mitra.cli.main import main
from tests.support.clock import fixed_now


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(*args: str, db: str | None = None, clock: Callable[[], datetime] = fixed_now) -> Run:
    """Run ``mitra *args`` at the moment ``clock`` gives (the tests' fixed now by default)."""
    argv = (["--db", db] if db else []) + list(args)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv, clock=clock)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())
