"""Reports follow the period, not the years: the FHIR checks walk each node once with lookups
built once, the JSON is compact, a period's report reads only bounded queries; every code in
the bundle comes from the reviewed code table; PDF page 1 carries the "at a glance" box."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from mitra.domain.alerts import Severity
from mitra.domain.instruments import get_instrument
from mitra.domain.severity_looks import look
from mitra.reports import fhir_checks
from mitra.reports import fhir_codes as codes
from mitra.reports.fhir_bundle import build_bundle, bundle_json, model_sample, validate_bundle
from mitra.reports.pdf_document import SECTION_TITLES, plain_words, render_pdf
from mitra.services.catalogue import ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.report_data import ReportData, ReportDataService, band_words
from mitra.storage.alert_store import AlertStore
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_store import JournalStore
from tests.support.journal import Built

NAMESPACE = uuid.UUID("0b7f3c52-2f0e-4a8e-9d61-3f1e2a4b5c6d")
STANDARD = {codes.LOINC, codes.SNOMED, codes.RXNORM, codes.OBSERVATION_CATEGORY}


def _dicts(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)


@pytest.fixture
def rich(sqlite_ctx: AppContext, built: Built) -> ReportData:
    """The shared journal plus naloxone, a benzodiazepine and a latest COWS of 2."""
    now = sqlite_ctx.now()
    expires = (now + timedelta(days=120)).date().isoformat()
    ProfileService(sqlite_ctx).set(naloxone="yes", naloxone_expires=expires)
    JournalService(sqlite_ctx).log_substance("alprazolam", "1mg", at=now - timedelta(days=2))
    CheckinService(sqlite_ctx).record(
        "cows", (0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0), at=now - timedelta(hours=3)
    )
    return ReportDataService(sqlite_ctx).gather(all_time=True)


# -- FHIR: linear checks, compact JSON ----------------------------------------------------------


def test_the_reference_lookups_are_built_once_per_check_not_per_resource(
    rich: ReportData, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = build_bundle(rich, namespace=NAMESPACE)
    responses = sum(
        1 for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"
    )
    assert responses >= 4
    calls: list[int] = []
    real = codes.allowed_loinc

    def counting() -> frozenset[str]:
        calls.append(1)
        return real()

    monkeypatch.setattr(codes, "allowed_loinc", counting)
    assert fhir_checks.check_bundle(bundle) == []
    assert len(calls) == 1


def test_the_checks_visit_each_json_object_of_the_bundle_once(
    rich: ReportData, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = build_bundle(rich, namespace=NAMESPACE)
    visits = 0
    real = fhir_checks._walk

    def counting(node: Any, path: Any) -> Iterator[Any]:
        nonlocal visits
        for found in real(node, path):
            visits += 1
            yield found

    monkeypatch.setattr(fhir_checks, "_walk", counting)
    assert fhir_checks.check_bundle(bundle) == []
    # Every object under every resource, once: the work grows with the bundle, no faster.
    assert visits == sum(sum(1 for _ in _dicts(e["resource"])) for e in bundle["entry"])


def test_the_bundle_json_is_compact_and_the_same_bundle(rich: ReportData) -> None:
    text = bundle_json(rich, namespace=NAMESPACE)
    assert "\n" not in text
    bundle = build_bundle(rich, namespace=NAMESPACE)
    assert text == json.dumps(bundle, separators=(",", ":"), ensure_ascii=False)
    assert json.loads(text) == bundle


def test_every_resource_validates_and_the_model_sample_covers_every_kind(
    rich: ReportData,
) -> None:
    bundle = build_bundle(rich, namespace=NAMESPACE)
    validate_bundle(bundle, every_resource=True)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    sample = model_sample(bundle)
    assert {e["resource"]["resourceType"] for e in sample["entry"]} == kinds
    assert len(sample["entry"]) < len(bundle["entry"])


# -- codes ----------------------------------------------------------------------------------


def test_every_coding_in_the_bundle_comes_from_the_code_table(rich: ReportData) -> None:
    bundle = build_bundle(rich, namespace=NAMESPACE)
    table = {(row.system, row.code): row for row in codes.standard_codes()}
    defined = {
        r["url"]: {c["code"] for c in r["concept"]}
        for r in (e["resource"] for e in bundle["entry"])
        if r["resourceType"] == "CodeSystem"
    }
    seen_systems = set()
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "CodeSystem":
            continue
        for node in _dicts(entry["resource"]):
            if "system" not in node or "code" not in node or "value" in node:
                continue
            system, code = node["system"], node["code"]
            seen_systems.add(system)
            if system in STANDARD:
                row = table.get((system, code))
                assert row is not None, (system, code)
                assert node.get("display", row.display) == row.display
            else:
                assert system in codes.declared_local_systems(), system
                assert code in defined[system], (system, code)
    assert {codes.RXNORM, codes.SNOMED, codes.LOINC} <= seen_systems
    medications = [
        e["resource"]["medicationCodeableConcept"]["coding"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationStatement"
    ]
    assert [c for coding in medications for c in coding if c["system"] == codes.RXNORM] == [
        {"system": codes.RXNORM, "code": "7804", "display": "oxycodone"}
    ]


def test_the_code_table_rows_are_sourced_and_agree_with_the_instrument_files() -> None:
    rows = codes.standard_codes()
    assert all(r.version.strip() and r.source.strip() and r.display.strip() for r in rows)
    assert len({(r.system, r.code) for r in rows}) == len(rows)
    assert codes.allowed_codes(codes.LOINC) == codes.allowed_loinc()
    assert codes.declared_local_systems() == codes.LOCAL_SYSTEMS
    # Kratom has no standard code known to mitra: local only.
    assert codes.standard("substance:kratom") is None


# -- period bounding ------------------------------------------------------------------------


def test_a_period_report_reads_only_bounded_queries_and_holds_only_the_period(
    sqlite_ctx: AppContext, built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = sqlite_ctx.now()
    old = now - timedelta(days=400)
    JournalService(sqlite_ctx).log_dose("3g", product="Red Bali", at=old)
    CheckinService(sqlite_ctx).record("cows", (1,) * 10 + (0,), at=old)
    bounds: list[tuple[str, Any, Any]] = []
    for store, name in (
        (JournalStore, "list_entries"),
        (AssessmentStore, "list_assessments"),
        (AlertStore, "in_span"),
    ):
        real = getattr(store, name)

        def spy(self: Any, *args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            since = kw.get("since", args[0] if args else None)
            until = kw.get("until", args[1] if len(args) > 1 else None)
            bounds.append((_name, since, until))
            return _real(self, *args, **kw)

        monkeypatch.setattr(store, name, spy)

    def unbounded(*_: Any, **__: Any) -> Any:
        raise AssertionError("a period report read every alert")

    monkeypatch.setattr(AlertStore, "list", unbounded)
    monkeypatch.setattr(JournalStore, "deleted_ids", unbounded)
    data = ReportDataService(sqlite_ctx).gather(since="7 days ago")
    mine = [b for b in bounds if b[0] in ("list_entries", "list_assessments", "in_span")]
    # The gather's own reads (the readiness check reads its own short window, also bounded).
    assert mine and all(isinstance(s, datetime) and isinstance(u, datetime) for _, s, u in mine)
    inside = data.period.contains
    assert all(inside(e.at) for e in data.entries)
    assert all(inside(a.assessment.at) for a in data.assessments)
    assert all(inside(a.alert.at) for a in data.alerts)
    # What the period cites: the changes still compare with the first COWS ever (the old one).
    cows = next(s for s in data.scores if s.instrument.id == "cows")
    assert cows.rows[0].change_from_baseline == cows.rows[0].assessment.total - 10


# -- PDF ------------------------------------------------------------------------------------


def test_a_cows_under_five_reads_below_mild_as_its_data_says() -> None:
    cows = get_instrument("cows")
    assert cows.bands_source is not None and "below the mild range" in cows.bands_source
    assert [band_words(cows, total, None) for total in (0, 2, 4)] == ["below mild"] * 3
    assert band_words(cows, 19, "moderate") == "moderate"
    assert band_words(get_instrument("sows-gossop"), 12, None) == "no validated bands"


def test_the_glance_holds_scores_with_trends_serious_alerts_drugs_alongside_and_naloxone(
    rich: ReportData,
) -> None:
    glance = rich.glance
    assert glance is not None
    cows = next(s for s in glance.scores if s.short_name == "COWS")
    assert (cows.total, cows.band, cows.trend) == (2, "below mild", "down")
    assert {s.short_name for s in glance.scores} == {"COWS", "SOWS-Gossop"}
    assert glance.serious_open
    assert all(a.acknowledged_at is None for a in glance.serious_open)
    assert {s.substance_id for s in glance.alongside} == {"oxycodone", "alprazolam", "alcohol"}
    assert glance.plan_step is None
    assert glance.naloxone.startswith("at hand, expires ")


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(__import__("io").BytesIO(pdf)).pages]


def test_page_one_has_the_glance_box_in_plain_words(rich: ReportData) -> None:
    pages = _pages(render_pdf(rich))
    first = " ".join(pages[0].split())
    for words in ("At a glance", "Latest COWS", "below mild", "down", "Urgent", "alprazolam"):
        assert words in first, words
    assert "Naloxone at hand, expires" in first
    everything = " ".join(" ".join(p.split()) for p in pages)
    assert "no band" not in everything
    assert not re.search(
        r"'mitra |--[a-z]|mitra (report|check|plan|symptoms|undo|log)\b", everything
    )


def test_no_page_ends_with_a_heading(rich: ReportData) -> None:
    headings = {*SECTION_TITLES, "At a glance"}
    for number, page in enumerate(_pages(render_pdf(rich)), start=1):
        lines = [
            line.strip()
            for line in page.splitlines()
            if line.strip() and "page " not in line and "generated" not in line
        ]
        assert lines and lines[-1] not in headings, (number, lines[-1:])


def test_plain_words_turn_commands_into_actions() -> None:
    advice = "a check-in (mitra check sows-gossop) helps; 'mitra plan step-back' goes back."
    assert plain_words(advice) == "a check-in helps; mitra's 'step back' goes back."
    assert plain_words("Log it. See 'mitra symptoms'.") == "Log it."


def test_each_severity_in_print_has_its_symbol_beside_its_word(rich: ReportData) -> None:
    everything = " ".join(" ".join(p.split()) for p in _pages(render_pdf(rich)))
    shown = {s for s in Severity if f"{look(s).print_symbol} {look(s).word}" in everything}
    assert Severity.URGENT in shown  # the rich journal has an open urgent alert
    assert "! Urgent" in " ".join(_pages(render_pdf(rich))[0].split())  # on page 1's glance
