"""What every use case needs: the database and a clock (injected so tests control "now")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mitra.storage.database import Database


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppContext:
    database: Database
    clock: Callable[[], datetime] = field(default=system_clock)

    def now(self) -> datetime:
        return self.clock()
