"""All page routes, behind one router whose dependency checks the CSRF token on every POST."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from mitra.web.csrf import require_token
from mitra.web.pages import (
    alerts,
    checkins,
    history,
    learn,
    log_forms,
    onboarding,
    plan,
    products,
    profile,
    report,
    science,
    today,
    trends,
    undo,
)

AREAS = (
    onboarding,
    today,
    log_forms,
    checkins,
    plan,
    science,
    history,
    alerts,
    trends,
    products,
    learn,
    report,
    profile,
    undo,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_token)])
for area in AREAS:
    router.include_router(area.router)
