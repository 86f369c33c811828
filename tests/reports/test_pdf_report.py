"""The clinician PDF opens, has every section, and shows the numbers of the journal it came
from (text extracted with pypdf); paper size, page numbers and the privacy of notes hold."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from mitra import __version__
from mitra.reports.pdf_document import SECTION_TITLES, mg_range, render_pdf
from mitra.services.context import AppContext
from mitra.services.report_data import ReportData, ReportDataService
from tests.support.journal import NOTE, Built


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return reader, " ".join(text.split())


@pytest.fixture
def a4(report_data: ReportData) -> bytes:
    return render_pdf(report_data, paper="a4")


def test_the_pdf_opens_and_has_every_section_in_order(a4: bytes) -> None:
    reader, text = pdf_text(a4)
    assert len(reader.pages) >= 3
    at = 0
    for title in SECTION_TITLES:  # each found after the one before it
        at = text.find(title, at)
        assert at >= 0, title
    assert reader.metadata is not None and "Clinician report" in (reader.metadata.title or "")


def test_the_pdf_shows_the_numbers_of_its_journal(
    a4: bytes, report_data: ReportData, built: Built
) -> None:
    _, text = pdf_text(a4)
    whole = report_data.pattern
    assert f"{whole.doses_per_day:.1f}" in text
    assert mg_range(whole.mitragynine_mg_per_day) in text  # the range, not only the typical
    assert "Red Bali" in text and "Gold extract" in text
    assert "oxycodone" in text and "45 / 45" in text  # 30 mg oral: 45 MME (CDC 2022)
    for total in built.cows_totals:
        assert re.search(rf"\b{total}\b", text)
    assert "moderate" in text  # the band of the COWS 19
    assert "yellow" in text  # the red-flag symptom
    assert "1 entry and 0 check-ins" not in text  # two deletions (typo and undo)
    assert "2 entries and 0 check-ins" in text


def test_every_page_is_numbered_and_stamped(a4: bytes, report_data: ReportData) -> None:
    reader, _ = pdf_text(a4)
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join((page.extract_text() or "").split())
        assert f"page {number} of {total}" in text
        assert f"mitra {__version__}" in text
        assert "generated 20 Nov 2026" in text


def test_the_evidence_based_options_and_help_lines_are_always_there(a4: bytes) -> None:
    _, text = pdf_text(a4)
    for word in ("Buprenorphine", "methadone", "Naltrexone", "Lofexidine", "Naloxone"):
        assert word in text
    assert "988" in text and "1-800-662-4357" in text


def test_alerts_come_with_their_evidence_and_acknowledgement(
    a4: bytes, report_data: ReportData
) -> None:
    _, text = pdf_text(a4)
    assert "Evidence (" in text
    first = report_data.alerts[0].alert
    assert first.title in text


def test_a4_and_letter_have_their_page_sizes(report_data: ReportData, a4: bytes) -> None:
    letter = render_pdf(report_data, paper="letter")
    a4_box = PdfReader(io.BytesIO(a4)).pages[0].mediabox
    letter_box = PdfReader(io.BytesIO(letter)).pages[0].mediabox
    assert (round(float(a4_box.width)), round(float(a4_box.height))) == (595, 842)
    assert (round(float(letter_box.width)), round(float(letter_box.height))) == (612, 792)


def test_notes_are_private_unless_the_person_includes_them(
    sqlite_ctx: AppContext, built: Built, a4: bytes
) -> None:
    _, text = pdf_text(a4)
    assert NOTE not in text and "Notes are not included" in text
    with_notes = ReportDataService(sqlite_ctx).gather(all_time=True, include_notes=True)
    _, shared = pdf_text(render_pdf(with_notes))
    assert NOTE in shared and "talked to my doctor" in shared


def test_the_period_is_the_persons_choice(sqlite_ctx: AppContext, built: Built) -> None:
    narrow = ReportDataService(sqlite_ctx).gather(since="2026-11-18", until="2026-11-19")
    assert narrow.period.first_day.isoformat() == "2026-11-18"
    assert narrow.period.last_day.isoformat() == "2026-11-19"  # a date means through that day
    assert all(narrow.period.contains(e.at) for e in narrow.entries)
    _, text = pdf_text(render_pdf(narrow))
    assert "Oxycodone" not in text and "oxycodone" not in text  # logged on 15 Nov


def test_an_empty_period_still_gives_a_report_that_says_so(sqlite_ctx: AppContext) -> None:
    empty = ReportDataService(sqlite_ctx).gather()
    _, text = pdf_text(render_pdf(empty))
    assert "No kratom doses were recorded in this period" in text
    assert "No check-ins were scored" in text
    assert "1-800-662-4357" in text


def test_page_one_says_whether_a_buprenorphine_start_looks_timely(
    a4: bytes, report_data: ReportData
) -> None:
    reader = PdfReader(io.BytesIO(a4))
    first = " ".join((reader.pages[0].extract_text() or "").split())
    assert report_data.readiness is not None
    assert "Buprenorphine start" in first
    assert report_data.readiness.headline in first


def test_a_phq9_item_9_answer_is_on_page_one(sqlite_ctx: AppContext, built: Built) -> None:
    from mitra.services.checkins import CheckinService

    CheckinService(sqlite_ctx).record("phq9", [1, 1, 0, 0, 0, 0, 0, 0, 1])
    pdf = render_pdf(ReportDataService(sqlite_ctx).gather(all_time=True))
    reader = PdfReader(io.BytesIO(pdf))
    first = " ".join((reader.pages[0].extract_text() or "").split())
    assert "Thoughts of death or self-harm" in first
    assert "shown 988" in first


def test_the_latest_line_never_quotes_a_deleted_entry(a4: bytes, built: Built) -> None:
    _, text = pdf_text(a4)
    for latest in re.findall(r"Latest: (.{0,120})", text):
        assert "30 g" not in latest and "30 gram" not in latest
