"""The one fixed moment the tests live at (a Friday afternoon in November 2026, UTC).

Every test sees this moment as now: in-process through ``AppContext(clock=...)`` or
``main(argv, clock=...)``, and in subprocesses (``mitra serve``, pexpect) through the
``MITRA_FIXED_NOW`` variable the autouse fixture in ``tests/conftest.py`` sets. So no result
depends on the day the suite runs (``make test-clock`` checks that under libfaketime).
"""

from __future__ import annotations

from datetime import UTC, datetime

FIXED_NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def fixed_now() -> datetime:
    return FIXED_NOW
