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
* every standard code (LOINC, SNOMED CT, RxNorm, FHIR observation-category) comes from the
  reviewed table ``mitra/data/fhir_codes.toml``, where each code has its display, the code
  system version it was checked against and its source. A concept without a row there keeps
  its local code alone; a standard code is always added BESIDE the local one, so every
  bundle still defines all its concepts. The LOINC rows must agree with the instrument files
  (a test holds them equal).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from mitra.domain.instruments import FORBIDDEN_LOINC, load_instruments

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
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


@dataclass(frozen=True, slots=True)
class StandardCode:
    """One row of ``fhir_codes.toml``: a standard code for one or more mitra concepts."""

    concepts: tuple[str, ...]
    system: str
    code: str
    display: str
    version: str
    source: str

    def coding(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}


@functools.cache
def standard_codes() -> tuple[StandardCode, ...]:
    """Every row of the reviewed code table, in file order."""
    raw = resources.files("mitra.data").joinpath("fhir_codes.toml").read_text(encoding="utf-8")
    table = tomllib.loads(raw)
    return tuple(
        StandardCode(
            tuple(row["concepts"]),
            row["system"],
            row["code"],
            row["display"],
            row["version"],
            row["source"],
        )
        for row in table["codes"]
    )


@functools.cache
def declared_local_systems() -> frozenset[str]:
    raw = resources.files("mitra.data").joinpath("fhir_codes.toml").read_text(encoding="utf-8")
    return frozenset(row["uri"] for row in tomllib.loads(raw)["local_systems"])


@functools.cache
def _by_concept() -> dict[str, StandardCode]:
    found: dict[str, StandardCode] = {}
    for row in standard_codes():
        for concept in row.concepts:
            found.setdefault(concept, row)
    return found


def standard(concept: str) -> dict[str, str] | None:
    """The standard Coding of a mitra concept ("substance:methadone"), or None (local only)."""
    row = _by_concept().get(concept)
    return None if row is None else row.coding()


def require(concept: str) -> dict[str, str]:
    """The standard Coding of a concept the table must hold (a missing row is a bug)."""
    coding = standard(concept)
    if coding is None:
        raise KeyError(f"fhir_codes.toml has no row for {concept}")
    return coding


@functools.cache
def allowed_codes(system: str) -> frozenset[str]:
    """Codes of ``system`` the table holds."""
    return frozenset(row.code for row in standard_codes() if row.system == system)
