"""The profile page: time zone, pregnancy and breastfeeding, medications, goals, naloxone.

The onboarding page posts the same form (``ProfileForm``) through ``save_profile``.
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

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


@functools.cache
def time_zones() -> tuple[str, ...]:
    """IANA zone names for the time zone field's suggestions (the service checks the value)."""
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


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
        "zones": time_zones(),
        "goals": GOALS,
        "chosen_goals": set(filter(None, state.value("goals").split(","))),
    }


def save_profile(service: ProfileService, form: ProfileForm) -> Profile:
    return service.set(
        timezone=form.timezone,
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
