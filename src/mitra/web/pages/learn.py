"""Learn: the evidence library, written for people, with citations.

What kratom is, how it works, what the source advice gets wrong and why, withdrawal
timelines, evidence-based treatment and crisis lines. The text is in ``templates/learn.html``
and rests on ``docs/evidence.md`` and the project's reference facts; every claim cites a
source listed at the end of the page, with how strong the evidence is. That strength is read
from the source files (``mitra.services.evidence_labels``), never typed into the page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mitra.services.evidence_labels import REFERENCES, reference_labels
from mitra.web.render import renderer

router = APIRouter()


@router.get("/learn", response_class=HTMLResponse)
def learn(request: Request) -> HTMLResponse:
    context = {"evidence": reference_labels(), "reference_sources": REFERENCES}
    return renderer(request).page(request, "learn.html", context)
