"""Reading plan options typed by a person: dates, speeds, yes/no, numbers, a clinician schedule.

Every refusal is an ``InputError`` naming the option and what is accepted, raised before any
transaction opens, so a bad option writes nothing. Numbers arrive as text (from the CLI or a
form) and are read here rather than by the interface, so every interface refuses them in the
same words; the planners then check the ranges (``data/tapering.toml``).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from mitra.domain.errors import InputError
from mitra.domain.plans import CustomStep

MAX_START_AHEAD_DAYS = 90
DEFAULT_CUSTOM_STEP_DAYS = 28  # the moderate speed's step: 4 weeks (CDC 2022, VA/DoD)
SPEED_WORDS = ("slow", "moderate", "fast")


def number(text: str | None, option: str) -> float | None:
    """A finite number, or None when the option was not given."""
    if text is None:
        return None
    try:
        value = float(text.strip().removesuffix("%").removesuffix("mg").strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"{option} must be a number; got {text!r}", field=option)
    return value


def whole(text: str | None, option: str) -> int | None:
    """A whole number, or None when the option was not given."""
    value = number(text, option)
    if value is None:
        return None
    if value != int(value):
        raise InputError(f"{option} must be a whole number; got {text!r}", field=option)
    return int(value)


def start_date(text: str | None, today: date) -> date:
    """``--start``: today (default), tomorrow, or an ISO date up to 90 days ahead; never past."""
    if text is None or text.strip().lower() == "today":
        return today
    if text.strip().lower() == "tomorrow":
        return today + timedelta(days=1)
    try:
        chosen = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"--start must be today, tomorrow or a date such as {today.isoformat()}; got {text!r}",
            field="start",
        ) from None
    if chosen < today:
        raise InputError(
            f"--start {chosen.isoformat()} is in the past; a plan starts today or later",
            field="start",
        )
    if chosen > today + timedelta(days=MAX_START_AHEAD_DAYS):
        raise InputError(
            f"--start may be at most {MAX_START_AHEAD_DAYS} days ahead; got {chosen.isoformat()}",
            field="start",
        )
    return chosen


def speed(text: str | None) -> str | float:
    """``--speed``: slow, moderate (default), fast, or a percent per step such as 7.5."""
    if text is None:
        return "moderate"
    word = text.strip().lower()
    if word in SPEED_WORDS:
        return word
    try:
        return float(word.removesuffix("%"))
    except ValueError:
        raise InputError(
            f"--speed must be {', '.join(SPEED_WORDS)} or a percent per step such as 7.5; "
            f"got {text!r}",
            field="speed",
        ) from None


def yes_no_unknown(text: str | None, option: str) -> bool | None:
    if text is None:
        return None
    word = text.strip().lower()
    if word in ("yes", "y", "true"):
        return True
    if word in ("no", "n", "false"):
        return False
    if word in ("unknown", "not sure", ""):
        return None
    raise InputError(f"{option} must be yes, no or unknown; got {text!r}", field=option)


def custom_steps(text: str, default_days: int) -> list[CustomStep]:
    """A clinician's schedule: items separated by commas or new lines, each ``MG`` (daily mg
    mitragynine), ``MG:DAYS`` or ``MG:DAYS:DOSE_MG``; ``#`` starts a comment. An item without
    days lasts ``default_days``. The planner checks the schedule itself (no rises, cuts within
    the accepted ranges, each step at least the settle time)."""
    items: list[str] = []
    for line in text.splitlines():
        items += [part.strip() for part in line.split("#", 1)[0].split(",") if part.strip()]
    if not items:
        raise InputError(
            'a custom taper needs its steps, e.g. --steps "120,108,96" or "120:28,108:28"',
            field="steps",
        )
    steps = []
    for position, item in enumerate(items, start=1):
        parts = [p.strip() for p in item.split(":")]
        if len(parts) > 3 or not all(parts):
            raise InputError(
                f"custom step {position} ({item!r}) must be MG, MG:DAYS or MG:DAYS:DOSE_MG",
                field="steps",
            )
        daily = number(parts[0], f"custom step {position} mg")
        days = whole(parts[1], f"custom step {position} days") if len(parts) > 1 else default_days
        dose = number(parts[2], f"custom step {position} dose mg") if len(parts) > 2 else None
        assert daily is not None and days is not None  # the parts are non-empty
        steps.append(CustomStep(daily_mg=daily, days=days, dose_max_mg=dose))
    return steps
