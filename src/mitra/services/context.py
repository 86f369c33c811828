"""What every use case needs: the database and a clock (injected so tests control "now").

Invariant: ``system_clock`` is the only code in mitra that reads the wall clock for app logic;
everything else takes ``now`` from ``AppContext.clock``. (Storage stamps a new file's local
journal with the moment it is made, before any context exists: ``local_journal_row``.)
``default_clock`` is the one place the ``MITRA_FIXED_NOW`` environment variable is read: set
to an ISO 8601 moment with an offset (``2026-12-01T17:47:00+00:00``), every command and the
web app see that moment as now, frozen.
It is a testing and demo aid (subprocess tests, screenshots), never needed in normal use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mitra.domain.judged_timelines import JudgedTimelines
from mitra.storage.database import Database

if TYPE_CHECKING:
    from mitra.services.safety import EffectiveRules

# (version, {rule_id: {threshold: value}}): None and {} when no limits are set.
LimitsSource = Callable[[], tuple[int | None, Mapping[str, Mapping[str, float]]]]


FIXED_NOW_VARIABLE = "MITRA_FIXED_NOW"


def system_clock() -> datetime:
    return datetime.now(UTC)  # wall clock ok: the one real clock


def fixed_clock(moment: datetime) -> Callable[[], datetime]:
    """A clock that always says ``moment`` (timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("a fixed clock needs a timezone-aware moment")
    return lambda: moment


def default_clock() -> Callable[[], datetime]:
    """The process's clock: the wall clock, or the moment in ``MITRA_FIXED_NOW`` when set."""
    text = os.environ.get(FIXED_NOW_VARIABLE, "").strip()
    if not text:
        return system_clock
    from mitra.domain.errors import InputError  # noqa: PLC0415

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InputError(
            f"{FIXED_NOW_VARIABLE}={text!r} is not an ISO 8601 moment with an offset, e.g. "
            "2026-12-01T17:47:00+00:00 (unset it to use the real clock)"
        )
    return fixed_clock(moment)


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
    clock: Callable[[], datetime] = field(default_factory=default_clock)
    default_timezone: str = field(default_factory=system_zone_name)
    safety_settings: Path | None = None
    # On the clinic server, the limits a person's care team set (``services.person_limits``):
    # their version and overrides, asked at each use so a change applies to the next write.
    limits_source: LimitsSource | None = None
    # Judgements kept between writes (``domain.judged_timelines``): shared by the contexts
    # made from this one with ``dataclasses.replace`` (the clinic's per-journal ones).
    judged: JudgedTimelines = field(default_factory=JudgedTimelines, repr=False)
    _rules: EffectiveRules | None = field(default=None, repr=False)
    _rules_stamp: tuple[object, ...] | None = field(default=None, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def rules(self) -> EffectiveRules:
        """The safety ruleset in force (reviewed defaults + the clinician's settings file).

        Loaded once per context (a server's whole life) and loaded again only when the
        settings file changes (its time and size, one ``stat`` a call), so a write does not
        parse rules while a changed file still applies without a restart."""
        from mitra.services.safety import effective_rules, settings_stamp  # noqa: PLC0415

        version, overrides = self.limits_source() if self.limits_source else (None, {})
        stamp = (*settings_stamp(self.safety_settings), version)
        if self._rules is None or stamp != self._rules_stamp:
            found = effective_rules(self.safety_settings)
            if overrides:
                from mitra.domain.ruleset import tighten_only  # noqa: PLC0415

                # Checked as stricter when set; checked again against what is in force now.
                tightened, refused = tighten_only(found.ruleset, overrides)
                found = replace(found, ruleset=tightened, refused=(*found.refused, *refused))
            self._rules = found
            self._rules_stamp = stamp
        return self._rules
