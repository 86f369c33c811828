"""Report downloads: the clinician PDF and the FHIR bundle, as ``mitra report pdf|fhir`` make
them, for a period the person chooses; and the whole journal as ``mitra export`` writes it.

The downloads are GET requests with no side effects: they only read the journal (the report
data service opens a read transaction; the plan section uses ``PlanService.show``, which
only reads), so they need no CSRF token, and a browser may fetch them again safely.

Invariants: one implementation of each document: the same ``ReportDataService.gather`` and
``render_pdf`` / ``build_bundle`` + ``validate_bundle`` as the CLI; notes are included only
when the box is ticked (left out by default: they are private); a period mitra cannot read
shows the form again with the message beside its field, and nothing is downloaded. The paper
defaults to the person's: US Letter for a zone where it is the usual paper, A4 elsewhere
(``domain.paper``); a chosen size always wins.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from mitra.domain.errors import InputError
from mitra.domain.paper import paper_for_zone
from mitra.domain.when import parse_when
from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.web.pages.common import PERSON_ERRORS, Context, FormState, blank
from mitra.web.render import renderer

router = APIRouter()

FIELDS = ("since", "until", "paper", "include_notes")
PAPERS = (("a4", "A4"), ("letter", "US Letter"))


def _page(request: Request, state: FormState, *, status_code: int = 200) -> HTMLResponse:
    return renderer(request).page(
        request, "report.html", {"form": state, "papers": PAPERS}, status_code=status_code
    )


def default_paper(ctx: AppContext) -> str:
    """The paper for the person's time zone: "letter" in the US, Canada, Mexico... else "a4"."""
    return paper_for_zone(ProfileService(ctx).show().timezone)


@router.get("/report", response_class=HTMLResponse)
def show(request: Request, ctx: Context) -> HTMLResponse:
    return _page(request, FormState({"since": "30 days ago", "paper": default_paper(ctx)}))


def _gather(ctx: AppContext, since: str, until: str, notes: bool, *, all_time: bool) -> Any:
    from mitra.services.report_data import ReportDataService  # noqa: PLC0415

    return ReportDataService(ctx).gather(
        since=blank(since), until=blank(until), include_notes=notes, all_time=all_time
    )


def _at_field(exc: InputError, ctx: AppContext, since: str, until: str) -> InputError:
    """The time reader names no field ("at"): find which of the two it could not read, so the
    message shows beside it."""
    if exc.field in FIELDS:
        return exc
    for name, value in (("since", since), ("until", until)):
        if value.strip():
            try:
                parse_when(value, now=ctx.now(), zone=ZoneInfo("UTC"), allow_future=True)
            except InputError:
                return InputError(exc.message, field=name)
    return exc


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # A private document: never kept by a cache along the way.
            "Cache-Control": "no-store",
        },
    )


@router.get("/report/pdf", response_model=None)
def pdf(
    request: Request,
    ctx: Context,
    since: Annotated[str, Query()] = "",
    until: Annotated[str, Query()] = "",
    paper: Annotated[str, Query()] = "",
    include_notes: Annotated[str, Query()] = "",
) -> Response:
    """The clinician PDF, the same document ``mitra report pdf`` writes; without a paper
    chosen, on the person's default paper."""
    from mitra.reports.pdf_document import render_pdf  # noqa: PLC0415

    if not paper.strip():
        paper = default_paper(ctx)
    values = {"since": since, "until": until, "paper": paper, "include_notes": include_notes}
    try:
        chosen = paper.strip().lower()
        if chosen not in dict(PAPERS):
            raise InputError("paper must be A4 or Letter", field="paper")
        data = _gather(ctx, since, until, bool(include_notes), all_time=False)
    except InputError as exc:
        found = _at_field(exc, ctx, since, until)
        return _page(request, FormState.failed(values, found, FIELDS), status_code=422)
    except PERSON_ERRORS as exc:
        return _page(request, FormState.failed(values, exc, FIELDS), status_code=422)
    body = render_pdf(data, paper=chosen)
    return _download(body, "application/pdf", f"mitra-report-{data.period.last_day}.pdf")


@router.get("/report/fhir", response_model=None)
def fhir(
    request: Request,
    ctx: Context,
    since: Annotated[str, Query()] = "",
    until: Annotated[str, Query()] = "",
    include_notes: Annotated[str, Query()] = "",
) -> Response:
    """The validated FHIR R4 bundle ``mitra report fhir`` writes; without a start, the whole
    journal (as the CLI does). The Patient holds nothing that identifies the person."""
    from mitra.reports.fhir_bundle import build_bundle, validate_bundle  # noqa: PLC0415

    values = {
        "since": since,
        "until": until,
        "paper": default_paper(ctx),
        "include_notes": include_notes,
    }
    try:
        data = _gather(ctx, since, until, bool(include_notes), all_time=not since.strip())
    except InputError as exc:
        found = _at_field(exc, ctx, since, until)
        return _page(request, FormState.failed(values, found, FIELDS), status_code=422)
    except PERSON_ERRORS as exc:
        return _page(request, FormState.failed(values, exc, FIELDS), status_code=422)
    bundle = build_bundle(data)
    validate_bundle(bundle)
    body = json.dumps(bundle, indent=1, ensure_ascii=False).encode("utf-8")
    return _download(body, "application/fhir+json", f"mitra-fhir-{data.period.last_day}.json")


@router.get("/report/export", response_model=None)
def export(ctx: Context) -> Response:
    """The whole journal as the JSON export ``mitra export`` writes (format "mitra-export",
    version 1): everything recorded, notes included, to keep or to import elsewhere."""
    from mitra.services.transfer import TransferService  # noqa: PLC0415

    document = TransferService(ctx).export_document()
    body = json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8")
    day = ctx.now().date().isoformat()
    return _download(body, "application/json", f"mitra-journal-{day}.json")
