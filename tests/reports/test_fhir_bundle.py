"""The FHIR bundle is valid R4 (R4B models) AND keeps mitra's own invariants; a bundle that
breaks one is refused before it is written."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from mitra.reports import fhir_codes as codes
from mitra.reports.fhir_bundle import PatientChoice, build_bundle, bundle_json, validate_bundle
from mitra.reports.fhir_checks import BundleError, check_bundle
from mitra.services.context import AppContext
from mitra.services.report_data import ReportData, ReportDataService
from tests.support.journal import Built

NAMESPACE = uuid.UUID("6f1c1d7e-8f5a-4a55-9d0e-1d2b3c4d5e6f")


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def bundle(report_data: ReportData) -> dict[str, Any]:
    return build_bundle(report_data, namespace=NAMESPACE)


def test_the_bundle_validates_against_the_r4b_models_and_mitras_invariants(
    bundle: dict[str, Any],
) -> None:
    assert check_bundle(bundle) == []
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    validate_bundle(bundle)  # both together, as before writing


def test_every_live_record_becomes_the_resource_that_fits_it(
    bundle: dict[str, Any], report_data: ReportData, built: Built
) -> None:
    statements = resources(bundle, "MedicationStatement")
    kratom = [
        s for s in statements if s["medicationCodeableConcept"]["coding"][0]["code"] == "kratom"
    ]
    assert len(kratom) == built.doses  # the deleted 30 g typo is not reported
    oxy = next(s for s in statements if "oxycodone" in s["medicationCodeableConcept"]["text"])
    assert "45.0 MME" in oxy["dosage"][0]["text"]
    observations = resources(bundle, "Observation")
    alcohol = [o for o in observations if "social-history" in json.dumps(o.get("category"))]
    assert alcohol[0]["valueQuantity"]["value"] == 3
    responses = resources(bundle, "QuestionnaireResponse")
    assert len(responses) == len(report_data.assessments) == 4
    assert {q["url"] for q in resources(bundle, "Questionnaire")} == {
        codes.questionnaire_url(i) for i in ("cows", "sows-gossop", "phq2")
    }
    assert len(resources(bundle, "DetectedIssue")) == len(report_data.alerts)
    assert any("mitigation" in d for d in resources(bundle, "DetectedIssue"))


def test_scores_are_coded_locally_with_loinc_only_where_it_exists(bundle: dict[str, Any]) -> None:
    scores = [
        o
        for o in resources(bundle, "Observation")
        if any(c["system"] == codes.INSTRUMENT_SCORE for c in o["code"]["coding"])
    ]
    by_code = {o["code"]["coding"][0]["code"]: o for o in scores}
    cows = by_code["cows-total"]
    assert cows["valueInteger"] == 19 or cows["valueInteger"] == 10
    assert all(c["system"] != codes.LOINC for c in cows["code"]["coding"])
    phq2 = by_code["phq2-total"]
    assert {"system": codes.LOINC, "code": "55758-7"}.items() <= phq2["code"]["coding"][1].items()
    assert "72514-3" not in json.dumps(bundle)
    urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    for score in scores:
        (derived,) = score["derivedFrom"]
        assert urls[derived["reference"]]["resourceType"] == "QuestionnaireResponse"


def test_the_patient_holds_nothing_identifying_unless_chosen(
    report_data: ReportData, bundle: dict[str, Any]
) -> None:
    (patient,) = resources(bundle, "Patient")
    assert patient == {"resourceType": "Patient", "active": True}
    chosen = build_bundle(
        report_data, patient=PatientChoice("Sam Doe", date(1990, 4, 2)), namespace=NAMESPACE
    )
    (named,) = resources(chosen, "Patient")
    assert named["name"] == [{"text": "Sam Doe"}] and named["birthDate"] == "1990-04-02"


def test_notes_stay_out_of_the_bundle_unless_included(
    sqlite_ctx: AppContext, built: Built, bundle: dict[str, Any]
) -> None:
    assert "felt shaky" not in json.dumps(bundle)
    with_notes = ReportDataService(sqlite_ctx).gather(all_time=True, include_notes=True)
    assert "felt shaky" in bundle_json(with_notes, namespace=NAMESPACE)


def test_full_urls_are_fresh_per_export_and_stable_within_one(report_data: ReportData) -> None:
    one = build_bundle(report_data)
    two = build_bundle(report_data)
    assert {e["fullUrl"] for e in one["entry"]}.isdisjoint({e["fullUrl"] for e in two["entry"]})
    again = build_bundle(report_data, namespace=NAMESPACE)
    assert again == build_bundle(report_data, namespace=NAMESPACE)


# -- broken bundles are refused ---------------------------------------------------------------


def broken(bundle: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(bundle)


def test_a_dangling_reference_is_refused(bundle: dict[str, Any]) -> None:
    bad = broken(bundle)
    score = next(r for r in resources(bad, "Observation") if "derivedFrom" in r)
    score["derivedFrom"][0]["reference"] = f"urn:uuid:{uuid.uuid4()}"
    with pytest.raises(BundleError, match="does not resolve inside the bundle"):
        validate_bundle(bad)


def test_a_duplicate_full_url_is_refused(bundle: dict[str, Any]) -> None:
    bad = broken(bundle)
    bad["entry"][2]["fullUrl"] = bad["entry"][1]["fullUrl"]
    with pytest.raises(BundleError, match="used twice"):
        validate_bundle(bad)


def test_a_full_url_that_is_not_a_urn_uuid_is_refused(bundle: dict[str, Any]) -> None:
    bad = broken(bundle)
    bad["entry"][1]["fullUrl"] = "Observation/1"
    assert any("not a urn:uuid" in p for p in check_bundle(bad))


@pytest.mark.parametrize(
    ("system", "code", "message"),
    [
        ("http://example.org/not-mitra", "cows-total", "not one mitra uses"),
        (codes.LOINC, "72514-3", "LOINC 72514-3"),
        (codes.SNOMED, "22253000", "SNOMED CT 22253000"),
        (codes.INSTRUMENT_SCORE, "made-up-total", "not defined in the bundle"),
    ],
)
def test_a_wrong_code_system_or_code_is_refused(
    bundle: dict[str, Any], system: str, code: str, message: str
) -> None:
    bad = broken(bundle)
    symptom = next(
        r
        for r in resources(bad, "Observation")
        if r["code"]["coding"][0]["system"] == codes.SYMPTOM
    )
    symptom["code"]["coding"].append({"system": system, "code": code})
    with pytest.raises(BundleError, match=message):
        validate_bundle(bad)


def test_a_cows_score_wearing_the_pain_score_loinc_is_refused(bundle: dict[str, Any]) -> None:
    bad = broken(bundle)
    cows = next(
        r
        for r in resources(bad, "Observation")
        if r["code"]["coding"][0].get("code") == "cows-total"
    )
    cows["code"]["coding"].append({"system": codes.LOINC, "code": "72514-3"})
    problems = check_bundle(bad)
    assert any("72514-3" in p for p in problems)
    assert any("must carry LOINC none" in p for p in problems)


def test_a_response_to_a_questionnaire_not_in_the_bundle_is_refused(
    bundle: dict[str, Any],
) -> None:
    bad = broken(bundle)
    resources(bad, "QuestionnaireResponse")[0]["questionnaire"] = (
        codes.questionnaire_url("oows") + "|1"
    )
    assert any("is not a Questionnaire in the bundle" in p for p in check_bundle(bad))


def test_what_the_r4b_models_reject_is_refused_too(bundle: dict[str, Any]) -> None:
    bad = broken(bundle)
    resources(bad, "Observation")[0]["effectiveDateTime"] = "yesterday evening"
    assert check_bundle(bad) == []  # not mitra's invariant, but FHIR's
    with pytest.raises(BundleError, match="FHIR R4B validation"):
        validate_bundle(bad)


def test_a_phq9_carries_its_loinc_panel_total_and_item_9_codes(sqlite_ctx: AppContext) -> None:
    from mitra.services.checkins import CheckinService

    CheckinService(sqlite_ctx).record("phq9", [1, 2, 1, 1, 0, 1, 1, 0, 1])
    bundle = build_bundle(ReportDataService(sqlite_ctx).gather(all_time=True), namespace=NAMESPACE)
    validate_bundle(bundle)
    questionnaire = resources(bundle, "Questionnaire")[0]
    assert questionnaire["code"][0]["code"] == "44249-1"
    observations = resources(bundle, "Observation")
    loinc = {
        c["code"] for o in observations for c in o["code"]["coding"] if c["system"] == codes.LOINC
    }
    assert loinc == {"44261-6", "44260-8"}
    item9 = next(o for o in observations if o["code"]["coding"][0]["code"] == "44260-8")
    assert item9["valueInteger"] == 1
