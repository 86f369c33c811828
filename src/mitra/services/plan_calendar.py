"""Calendar reminders (iCalendar, RFC 5545) for a plan's steps and check-ins.

Invariants:

* events cover the current step and the steps after it (past steps are history, shown by
  ``mitra plan show``); check-in reminders fall on days 1-3 after each step begins (withdrawal
  after a change can peak within 24-72 hours), then every ``checkin_max_age_days`` (3) so the
  gating always has a current check-in, and on each step's last day, when the next decision
  is due;
* every event says that a step moves only after a check-in allows it (dates alone never move
  a plan: the calendar is a reminder, not the plan) and carries the alternatives and the
  crisis lines (from the reviewed support table); its words name no command, since the file
  is read in a calendar app, whether it came from the CLI or the web page;
* with ``details=False`` no summary or description names a substance or an amount, for
  calendars that are synced to other services or seen by others;
* the file is written whole or not at all: a temporary file beside it, then a rename.

``icalendar`` is imported here only, when a calendar is written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from mitra.domain.alerts import default_support
from mitra.domain.errors import InputError
from mitra.domain.plan_model import data as tapering_data
from mitra.domain.plan_units import ProductMeasure, in_product
from mitra.domain.plans import Plan, PlanStep
from mitra.services.plans import PlanOverview

CHECKIN_HOUR = 9
CHECKIN_MINUTES = 15


def helplines() -> str:
    """The crisis lines of the reviewed support table (with their sources there), in a line."""
    return "Help, free and 24/7: " + default_support().crisis_brief()


def checkin_days(step: PlanStep, every: int) -> list[date]:
    """The days of a step on which a check-in is asked for."""
    days = {step.start + timedelta(days=n) for n in (1, 2, 3)}
    days |= {step.start + timedelta(days=n) for n in range(every, step.days, every)}
    days.add(step.end)
    return sorted(d for d in days if step.start <= d <= step.end)


def _step_text(
    plan: Plan, step: PlanStep, details: bool, measure: ProductMeasure | None = None
) -> tuple[str, str]:
    number = f"step {step.index + 1} of {len(plan.steps)}"
    move = (
        "A step begins only after a check-in allows it: if withdrawal is rising, or no check-in "
        "is recorded, the plan holds. Open mitra's plan on the day to see whether it moves."
    )
    if not details:
        return f"mitra: plan {number}", f"{move}\n{helplines()}"
    summary = (
        f"mitra: plan {number}, at most {step.daily_max_mg:g} mg a day, "
        f"{step.dose_max_mg:g} mg a dose, {step.doses_per_day_max} doses"
    )
    reason = step.reason
    if measure is not None:
        reason = f"In your usual product: {in_product(step, measure).text()}.\n{reason}"
    return summary, f"{reason}\n\n{move}\n\n{plan.alternatives}\n\n{helplines()}"


def _checkin_text(details: bool) -> tuple[str, str]:
    max_age = int(tapering_data()["gating"]["checkin_max_age_days"])
    text = (
        f"A check-in keeps the plan informed: it moves only on a check-in from the last {max_age} "
        "days, and holds without one."
    )
    if details:
        text += (
            "\nCheck in with mitra: the SOWS-Gossop (10 questions, by yourself) or the COWS "
            "(best rated by a clinician or helper)."
        )
    return "mitra: check-in", f"{text}\n{helplines()}"


def calendar_bytes(
    overview: PlanOverview, *, now: datetime, details: bool = True
) -> tuple[bytes, int, int]:
    """The calendar as bytes, and the number of step and check-in events in it."""
    from icalendar import Alarm, Calendar, Event  # noqa: PLC0415

    plan, plan_id, zone = overview.stored.plan, overview.stored.id, overview.zone
    every = int(tapering_data()["gating"]["checkin_max_age_days"])
    calendar = Calendar()
    calendar.add("prodid", "-//mitra//plan reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "mitra plan")
    steps = checkins = 0
    for step in plan.steps[plan.current :]:
        event = Event()
        summary, description = _step_text(plan, step, details, overview.measure)
        event.add("uid", f"mitra-plan-{plan_id}-step-{step.index}@mitra.local")
        event.add("dtstamp", now)
        event.add("dtstart", step.start)
        event.add("dtend", step.start + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", description)
        event.add("categories", ["mitra", "plan step"])
        calendar.add_component(event)
        steps += 1
        for day in checkin_days(step, every):
            if day < overview.today:
                continue
            reminder = Event()
            summary, description = _checkin_text(details)
            start = datetime.combine(day, time(CHECKIN_HOUR), tzinfo=zone)
            reminder.add("uid", f"mitra-plan-{plan_id}-checkin-{day.isoformat()}@mitra.local")
            reminder.add("dtstamp", now)
            reminder.add("dtstart", start)
            reminder.add("duration", timedelta(minutes=CHECKIN_MINUTES))
            reminder.add("summary", summary)
            reminder.add("description", description)
            reminder.add("categories", ["mitra", "check-in"])
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", timedelta(0))
            reminder.add_component(alarm)
            calendar.add_component(reminder)
            checkins += 1
    calendar.add_missing_timezones()
    return calendar.to_ical(), steps, checkins


def write_calendar(
    target: Path, overview: PlanOverview, *, now: datetime, details: bool = True
) -> tuple[Path, int, int]:
    """Write the calendar to ``target`` whole or not at all."""
    if target.is_dir():
        raise InputError(f"--ics {target} is a folder; give a file such as {target}/plan.ics")
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"--ics {target}: the folder {folder} does not exist", field="ics")
    content, steps, checkins = calendar_bytes(overview, now=now, details=details)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".mitra-", suffix=".ics")
    except OSError as exc:
        raise InputError(f"cannot write to {folder}: {exc.strerror}", field="ics") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        Path(temporary).replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise InputError(f"cannot write {target}: {exc.strerror}", field="ics") from None
    return target, steps, checkins
