"""First run: what mitra is, safety information, time zone, goals and profile; or the demo.

``/`` sends a person whose profile was never saved to ``/welcome`` and everyone else to
``/today``. The demo journey is a made-up person's four weeks in a separate database, opened
at ``/demo/`` (built on first use): looking at it never touches the person's own journal.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.demo import build_demo
from mitra.web.pages.common import PERSON_ERRORS, Context, never_set_up, see_other
from mitra.web.pages.profile import (
    ProfileForm,
    failed_state,
    form_context,
    profile_state,
    save_profile,
)
from mitra.web.render import renderer

router = APIRouter()


@router.get("/", response_model=None)
def home(request: Request, ctx: Context) -> RedirectResponse:
    first_run = never_set_up(ctx)
    return see_other(request, "/welcome" if first_run else "/today")


@router.get("/welcome", response_class=HTMLResponse)
def welcome(request: Request, ctx: Context) -> HTMLResponse:
    profile = ProfileService(ctx).show()
    state = profile_state(profile)
    return renderer(request).page(
        request, "welcome.html", {**form_context(state), "first_run": never_set_up(ctx)}
    )


@router.post("/welcome", response_model=None)
def save(
    request: Request, ctx: Context, form: Annotated[ProfileForm, Form()]
) -> HTMLResponse | RedirectResponse:
    try:
        save_profile(ProfileService(ctx), form)
    except PERSON_ERRORS as exc:
        return renderer(request).page(
            request,
            "welcome.html",
            {**form_context(failed_state(form, exc)), "first_run": True},
            status_code=422,
        )
    return see_other(request, "/today", welcome=1)


@router.post("/demo-journey", response_model=None)
def open_demo(request: Request) -> RedirectResponse:
    source = request.app.state.demo_source
    if source is None:
        raise HTTPException(404, "the demo journey is not available from this page")
    demo = source()
    with request.app.state.demo_lock:
        own, _ = ProductService(demo).list()
        if not own:  # an empty demo database: build the journey once
            build_demo(demo)
    return see_other(request, "/demo/today")
