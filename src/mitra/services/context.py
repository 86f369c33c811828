"""What every use case needs: the database and a clock (injected so tests control "now")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mitra.storage.database import Database

if TYPE_CHECKING:
    from mitra.services.safety import EffectiveRules


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
    safety_settings: Path | None = None
    _rules: EffectiveRules | None = field(default=None, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def rules(self) -> EffectiveRules:
        """The safety ruleset in force (reviewed defaults + the clinician's settings file)."""
        if self._rules is None:
            from mitra.services.safety import effective_rules  # noqa: PLC0415

            self._rules = effective_rules(self.safety_settings)
        return self._rules
