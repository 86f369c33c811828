"""What every use case needs: the database and a clock (injected so tests control "now")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mitra.storage.database import Database


def system_clock() -> datetime:
    return datetime.now(UTC)


def system_zone_name() -> str:
    """This computer's IANA time zone, the default until the person sets one; UTC if unknown."""
    try:
        import tzlocal  # noqa: PLC0415

        name = tzlocal.get_localzone_name()
    except Exception:  # an odd /etc/localtime must not stop the journal from opening
        return "UTC"
    return name or "UTC"


@dataclass
class AppContext:
    database: Database
    clock: Callable[[], datetime] = field(default=system_clock)
    default_timezone: str = field(default_factory=system_zone_name)

    def now(self) -> datetime:
        return self.clock()
