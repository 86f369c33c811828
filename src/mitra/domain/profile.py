"""The person's profile: time zone, pregnancy or breastfeeding, medications, goals, and
whether naloxone is at hand (and when it expires).

Everything is optional except the time zone, which defaults to UTC until the person sets it;
times are stored in UTC and shown in this zone. Unknown pregnancy status is ``None``, not
``False``: the safety engine treats unknown as "ask", never as "no". Naloxone likewise: only a
stated "yes" with an expiry date not yet passed counts as having it (``has_naloxone_on``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mitra.domain.errors import InputError

GOALS = {
    "ease-opioid-withdrawal": "ease withdrawal from other opioids",
    "taper-kratom": "cut down or stop kratom",
    "stabilise": "keep kratom use steady and safe",
    "track": "just keep a record",
}


@dataclass(frozen=True, slots=True)
class Profile:
    timezone: str = "UTC"
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    medications: tuple[str, ...] = ()
    goals: tuple[str, ...] = field(default_factory=tuple)
    naloxone: bool | None = None
    naloxone_expires: date | None = None

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def has_naloxone_on(self, day: date) -> bool:
        """Naloxone at hand on ``day``: said yes, and not past its stated expiry (fail safe:
        unknown is not yes; a yes with no expiry date counts until one is given)."""
        if self.naloxone is not True:
            return False
        return self.naloxone_expires is None or day <= self.naloxone_expires


def check_timezone(name: str) -> str:
    clean = name.strip()
    try:
        ZoneInfo(clean)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone '{name}'; give an IANA name such as "
            "America/New_York, Europe/London or UTC",
            field="timezone",
        ) from None
    return clean


def parse_yes_no_unknown(text: str, field_name: str) -> bool | None:
    word = text.strip().lower()
    if word in {"yes", "y", "true", "1"}:
        return True
    if word in {"no", "n", "false", "0"}:
        return False
    if word in {"unknown", "unset", "", "prefer-not-to-say"}:
        return None
    raise InputError(f"{field_name} takes yes, no or unknown (got '{text}')", field=field_name)


def parse_list(text: str) -> tuple[str, ...]:
    items = tuple(" ".join(part.split()) for part in text.split(",") if part.strip())
    for item in items:
        if len(item) > 80:
            raise InputError("each list item must be at most 80 characters", field="list")
    return items


def check_goals(goals: tuple[str, ...]) -> tuple[str, ...]:
    for goal in goals:
        if goal not in GOALS:
            accepted = ", ".join(GOALS)
            raise InputError(f"unknown goal '{goal}'; accepted: {accepted}", field="goals")
    return goals


def parse_expiry(text: str) -> date | None:
    """An expiry date as printed on the box: YYYY-MM-DD, or YYYY-MM (the end of that month);
    an empty text clears it."""
    import calendar  # noqa: PLC0415

    clean = text.strip()
    if not clean:
        return None
    try:
        if len(clean) == 7:
            year, month = (int(part) for part in clean.split("-"))
            return date(year, month, calendar.monthrange(year, month)[1])
        return date.fromisoformat(clean)
    except ValueError:
        raise InputError(
            f"'{text}' is not an expiry date; give it as on the box, e.g. 2027-06 or 2027-06-30",
            field="naloxone_expires",
        ) from None


def updated(profile: Profile, **changes: object) -> Profile:
    return replace(profile, **changes)  # type: ignore[arg-type]
