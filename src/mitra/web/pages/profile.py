"""The profile page: time zone, pregnancy and breastfeeding, medications, goals, naloxone.

The onboarding page posts the same form (``ProfileForm``) through ``save_profile``.

The time zone is a choice from a list, never free text: the zones people pick most come first,
then every IANA zone grouped by region. ``save_profile`` accepts only a zone the list offers
(or the one already saved, so an old alias such as ``US/Eastern`` is kept as it is); anything
else is refused with nothing written.
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from mitra.domain.errors import InputError
from mitra.domain.profile import GOALS, Profile
from mitra.services.catalogue import ProfileService
from mitra.web.pages.common import PERSON_ERRORS, Context, FormState, see_other
from mitra.web.render import renderer

router = APIRouter()

FIELDS = (
    "timezone", "pregnant", "breastfeeding", "medications", "goals", "naloxone",
    "naloxone_expires",
)  # fmt: skip


class ProfileForm(BaseModel):
    timezone: str = ""
    pregnant: str = "unknown"
    breastfeeding: str = "unknown"
    medications: str = ""
    goals: list[str] = []
    naloxone: str = "unknown"
    naloxone_expires: str = ""


REGIONS = (
    "America", "Europe", "Asia", "Africa", "Australia", "Pacific", "Atlantic", "Indian",
    "Antarctica", "Arctic",
)  # fmt: skip

# The zones offered first: where most people using mitra are (it is US-centred: 911, 988).
COMMON_ZONES = (
    ("America/New_York", "US Eastern (New York)"),
    ("America/Chicago", "US Central (Chicago)"),
    ("America/Denver", "US Mountain (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix)"),
    ("America/Los_Angeles", "US Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Puerto Rico"),
    ("America/Toronto", "Canada Eastern (Toronto)"),
    ("America/Vancouver", "Canada Pacific (Vancouver)"),
    ("Europe/London", "UK (London)"),
    ("Australia/Sydney", "Australia Eastern (Sydney)"),
    ("UTC", "UTC (no local time)"),
)


@functools.cache
def time_zones() -> tuple[str, ...]:
    """The IANA zones the picker offers: every zone of a region, and UTC."""
    return tuple(
        sorted(
            z for z in zoneinfo.available_timezones() if z == "UTC" or z.split("/", 1)[0] in REGIONS
        )
    )


def _place(zone: str) -> str:
    return zone.split("/", 1)[1].replace("_", " ").replace("/", " / ")


def zone_groups(current: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's option groups: common zones first, then each region's zones by name. A
    saved zone the list lacks (an old alias) is offered first, so it is never lost."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if current and current not in time_zones():
        groups.append(("Saved", [(current, current)]))
    groups.append(("Common", list(COMMON_ZONES)))
    for region in REGIONS:
        zones = [(z, _place(z)) for z in time_zones() if z.startswith(region + "/")]
        groups.append((region, sorted(zones, key=lambda pair: pair[1])))
    return groups


def check_offered(zone: str, current: str) -> str:
    """The chosen zone if the picker offers it (or it is the saved one); else refused."""
    chosen = zone.strip()
    if chosen in time_zones() or (chosen and chosen == current):
        return chosen
    raise InputError(
        "choose your time zone from the list (for example US Eastern, New York)",
        field="timezone",
    )


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def profile_state(profile: Profile) -> FormState:
    return FormState(
        {
            "timezone": profile.timezone,
            "pregnant": _yes_no(profile.pregnant),
            "breastfeeding": _yes_no(profile.breastfeeding),
            "medications": ", ".join(profile.medications),
            "goals": ",".join(profile.goals),
            "naloxone": _yes_no(profile.naloxone),
            "naloxone_expires": profile.naloxone_expires.isoformat()
            if profile.naloxone_expires
            else "",
        }
    )


def form_context(state: FormState) -> dict[str, object]:
    return {
        "form": state,
        "zone_groups": zone_groups(state.value("timezone")),
        "goals": GOALS,
        "chosen_goals": set(filter(None, state.value("goals").split(","))),
    }


def save_profile(service: ProfileService, form: ProfileForm) -> Profile:
    timezone = check_offered(form.timezone, service.show().timezone)
    return service.set(
        timezone=timezone,
        pregnant=form.pregnant,
        breastfeeding=form.breastfeeding,
        medications=form.medications,
        goals=",".join(form.goals),
        naloxone=form.naloxone,
        naloxone_expires=form.naloxone_expires,
    )


def failed_state(form: ProfileForm, exc: Exception) -> FormState:
    assert isinstance(exc, PERSON_ERRORS)
    values = form.model_dump()
    values["goals"] = ",".join(form.goals)
    return FormState.failed(values, exc, FIELDS)


@router.get("/profile", response_class=HTMLResponse)
def show(request: Request, ctx: Context, saved: str | None = None) -> HTMLResponse:
    state = profile_state(ProfileService(ctx).show())
    return renderer(request).page(
        request, "profile.html", {**form_context(state), "saved": saved is not None}
    )


@router.post("/profile", response_model=None)
def update(
    request: Request, ctx: Context, form: Annotated[ProfileForm, Form()]
) -> HTMLResponse | RedirectResponse:
    try:
        save_profile(ProfileService(ctx), form)
    except PERSON_ERRORS as exc:
        return renderer(request).page(
            request,
            "profile.html",
            {**form_context(failed_state(form, exc)), "saved": False},
            status_code=422,
        )
    return see_other(request, "/profile", saved=1)
