"""Code systems and codes used in mitra's FHIR bundle, and which codes each system may carry.

Invariants:

* LOINC only where the instrument's reviewed data file names a code (PHQ-2 55758-7; PHQ-9
  44249-1 panel, 44261-6 total, 44260-8 item 9); never
  72514-3 (a 0-10 pain score that one public repository mislabels "COWS total");
* COWS, SOWS, SOWS-Gossop, OOWS, GAD-2 and craving totals, symptoms, substances and safety
  rules use mitra's local code systems. Their URIs are stable and live under
  ``https://mitra.invalid/fhir/``: ``.invalid`` is reserved (RFC 2606), so these URIs can never
  collide with, or be mistaken for, a published terminology. Every local code used in a bundle
  is defined by a CodeSystem resource inside that bundle, so a receiver can read its meaning;
* SNOMED CT only for codes taken from published FHIR value sets or the project's reference
  notes: 87132004 (opioid withdrawal) and the condition-severity codes for mild, moderate and
  severe.
"""

from __future__ import annotations

from mitra.domain.instruments import FORBIDDEN_LOINC, load_instruments

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

LOCAL_BASE = "https://mitra.invalid/fhir"
INSTRUMENT_SCORE = f"{LOCAL_BASE}/CodeSystem/instrument-score"
ITEM_SCORE = f"{LOCAL_BASE}/CodeSystem/item-score"
SYMPTOM = f"{LOCAL_BASE}/CodeSystem/symptom"
SYMPTOM_SEVERITY = f"{LOCAL_BASE}/CodeSystem/symptom-severity"
SUBSTANCE = f"{LOCAL_BASE}/CodeSystem/substance"
SAFETY_RULE = f"{LOCAL_BASE}/CodeSystem/safety-rule"
QUESTIONNAIRE_BASE = f"{LOCAL_BASE}/Questionnaire/"
LOCAL_SYSTEMS = frozenset(
    {INSTRUMENT_SCORE, ITEM_SCORE, SYMPTOM, SYMPTOM_SEVERITY, SUBSTANCE, SAFETY_RULE}
)

SNOMED_OPIOID_WITHDRAWAL = ("87132004", "Opioid withdrawal")
# FHIR's condition-severity value set (SNOMED CT), for symptom severities 1-3.
SNOMED_SEVERITY = {
    1: ("255604002", "Mild"),
    2: ("6736007", "Moderate"),
    3: ("24484000", "Severe"),
}
SNOMED_ALLOWED = frozenset({SNOMED_OPIOID_WITHDRAWAL[0], *(c for c, _ in SNOMED_SEVERITY.values())})
WITHDRAWAL_SCALES = frozenset({"cows", "sows", "sows-gossop", "oows"})
# UCUM codes for the units mitra stores (pint's names); counts and drinks have none.
UCUM_UNITS = {
    "gram": "g",
    "milligram": "mg",
    "microgram": "ug",
    "kilogram": "kg",
    "milliliter": "mL",
    "liter": "L",
    "microgram / hour": "ug/h",
}
KRATOM_CODE = "kratom"


def score_code(instrument_id: str) -> str:
    """The local code of an instrument's total, e.g. "cows-total"."""
    return f"{instrument_id}-total"


def allowed_loinc() -> frozenset[str]:
    """LOINC codes the bundle may carry: those the reviewed instrument files name."""
    codes = {
        code
        for i in load_instruments().values()
        for code in (i.loinc, i.panel_loinc, *(item.loinc for item in i.items))
        if code is not None
    }
    return frozenset(codes - FORBIDDEN_LOINC)


def questionnaire_url(instrument_id: str) -> str:
    return QUESTIONNAIRE_BASE + instrument_id
