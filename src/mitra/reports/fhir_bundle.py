"""The journal as a FHIR R4 collection Bundle, built from ``ReportData`` and validated.

Resources (all ``subject`` references point at the one Patient):

* Patient: only what the person chose (``--name``, ``--birth-date``); by default nothing that
  identifies them, just an active Patient the other resources can point at.
* Questionnaire: one per instrument used (canonical ``https://mitra.invalid/fhir/Questionnaire/
  <id>``, the instrument's version), items with their anchored answers and ordinal scores.
* QuestionnaireResponse: one per check-in, every item answer.
* Observation (category survey): one per score, ``derivedFrom`` its QuestionnaireResponse,
  coded with mitra's local instrument-score system and LOINC where one exists (PHQ-2).
* MedicationStatement: each kratom dose and each use of another drug. Why not Observation:
  each record says "this person took this amount of this product at this time", which is the
  shape MedicationStatement exists for (patient-reported use, prescribed or not, with a
  dosage and an effective time), and it lands in the medication list a clinician reconciles.
  The estimated mitragynine (with its range) and any MME go in the dosage text.
* Observation (category social-history): alcohol. Why: a drink is not a medication, and
  alcohol use is recorded in FHIR practice as a social-history observation (here: standard
  drinks), not as a medication statement.
* Observation: each symptom or side effect, its severity as a coded value (0-3, with SNOMED CT
  mild/moderate/severe).
* DetectedIssue: each safety alert. Why not Flag: an alert is a finding about what was taken
  (a dose far above usual, kratom with a benzodiazepine), with a severity, the entries that
  triggered it (``implicated``), evidence and, once the person acknowledged it, a
  ``mitigation``: exactly DetectedIssue's shape; a Flag is a standing warning banner with none
  of those.
* CodeSystem: one per local code system used, defining every local code the bundle carries.

Invariants: every fullUrl is a unique ``urn:uuid``; every reference resolves inside the bundle;
the bundle passes ``fhir_checks.check_bundle`` and the R4B models (one resource of each
distinct shape, see ``validate_bundle``) before it is returned, so a broken bundle is never
written; the JSON is compact; every standard code comes from ``mitra/data/fhir_codes.toml``.
Deleted entries and check-ins are left out (they were taken back by the person; the mitra
export keeps them).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from mitra.domain import symptoms as symptom_domain
from mitra.domain.alerts import Severity
from mitra.domain.checkins import StoredAssessment
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry, SymptomEntry
from mitra.domain.instruments import Instrument, get_instrument
from mitra.domain.quantities import Amount
from mitra.domain.substances import SubstanceClass
from mitra.reports import fhir_codes as codes
from mitra.reports.fhir_checks import BundleChecker, BundleError, check_bundle
from mitra.services.report_data import ReportData
from mitra.storage.alert_store import StoredAlert

DetectedIssueSeverity = str
ALERT_SEVERITY: dict[Severity, DetectedIssueSeverity] = {
    Severity.EMERGENCY: "high",
    Severity.URGENT: "high",
    Severity.WARNING: "moderate",
    Severity.CAUTION: "low",
    Severity.INFO: "low",
}


@dataclass(frozen=True, slots=True)
class PatientChoice:
    """What the person chose to put in the Patient resource (nothing by default)."""

    name: str | None = None
    birth_date: date | None = None


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Ids:
    """urn:uuid fullUrls: random per export (so two people's bundles never share one), and
    stable within an export for the same record."""

    def __init__(self, namespace: uuid.UUID | None) -> None:
        self.namespace = namespace or uuid.uuid4()

    def url(self, kind: str, key: object) -> str:
        return f"urn:uuid:{uuid.uuid5(self.namespace, f'{kind}/{key}')}"


Sink = Callable[[dict[str, Any]], None]


class _BundleBuilder:
    """Makes the bundle's entries in order and hands each to ``sink`` (a list's append, or
    the stream that checks and encodes it); a resource is never changed once handed over."""

    def __init__(self, data: ReportData, patient: PatientChoice, ids: _Ids, sink: Sink) -> None:
        self.data = data
        self.ids = ids
        self.sink = sink
        self.patient_url = ids.url("Patient", "self")
        self.patient_ref = {"reference": self.patient_url}
        self.entry_urls: dict[int, str] = {}
        # Sorted: the CodeSystems come out in one order whatever the hash seed of the process.
        self.local_concepts: dict[str, dict[str, str]] = {
            s: {} for s in sorted(codes.LOCAL_SYSTEMS)
        }
        self._codings_made: dict[tuple[str, str, str], dict[str, str]] = {}
        self._answers_made: dict[tuple[str, str, int], dict[str, Any]] = {}
        self._patient(patient)

    def add(self, url: str, resource: dict[str, Any]) -> None:
        self.sink({"fullUrl": url, "resource": resource})

    def local(self, system: str, code: str, display: str) -> dict[str, str]:
        """A local Coding; the concept is recorded for the bundle's CodeSystem resource.
        One dict per (system, code, display), shared by every resource that uses it."""
        self.local_concepts[system].setdefault(code, display)
        key = (system, code, display)
        found = self._codings_made.get(key)
        if found is None:
            found = self._codings_made[key] = {"system": system, "code": code, "display": display}
        return found

    def _answer(self, instrument: Instrument, item_id: str, value: int) -> dict[str, Any]:
        """One QuestionnaireResponse item: the same answer to the same question is one shared
        dict (the bundle is written, never mutated; 5 years hold ~26,000 answers)."""
        key = (instrument.id, item_id, value)
        found = self._answers_made.get(key)
        if found is not None:
            return found
        item = instrument.item(item_id)
        if item.step is not None:
            answer: dict[str, Any] = {"valueInteger": value}
        else:
            # The answer names its option; the anchor and ordinal value live once, on the
            # Questionnaire's answerOption.
            answer = {"valueCoding": self.local(codes.ITEM_SCORE, str(value), f"score {value}")}
        found = self._answers_made[key] = {"linkId": item_id, "text": item.text, "answer": [answer]}
        return found

    @staticmethod
    def _codings(local: dict[str, str], concept: str) -> list[dict[str, str]]:
        """The local Coding, and beside it the standard one when the code table has it."""
        standard = codes.standard(concept)
        return [local] if standard is None else [local, standard]

    # -- Patient ---------------------------------------------------------------------------
    def _patient(self, choice: PatientChoice) -> None:
        resource: dict[str, Any] = {"resourceType": "Patient", "active": True}
        if choice.name:
            resource["name"] = [{"text": choice.name}]
        if choice.birth_date:
            resource["birthDate"] = choice.birth_date.isoformat()
        self.add(self.patient_url, resource)

    # -- check-ins ---------------------------------------------------------------------------
    def questionnaires(self, assessments: Iterable[StoredAssessment]) -> None:
        used = sorted({a.assessment.instrument_id for a in assessments})
        for instrument_id in used:
            instrument = get_instrument(instrument_id)
            self.add(self.ids.url("Questionnaire", instrument_id), self._questionnaire(instrument))

    def _questionnaire(self, instrument: Instrument) -> dict[str, Any]:
        items = []
        for item in instrument.items:
            shown: dict[str, Any] = {"linkId": item.id, "text": item.text, "required": True}
            if item.loinc:
                shown["code"] = [codes.require(f"item:{instrument.id}/{item.id}")]
            if item.step is not None:
                shown["type"] = "integer"
            else:
                shown["type"] = "choice"
                shown["answerOption"] = [
                    {"valueCoding": self._answer_coding(a.score, a.anchor)} for a in item.answers
                ]
            items.append(shown)
        resource: dict[str, Any] = {
            "resourceType": "Questionnaire",
            "url": codes.questionnaire_url(instrument.id),
            "version": instrument.version,
            "name": instrument.short_name.replace("-", ""),
            "title": instrument.name,
            "status": "active",
            "subjectType": ["Patient"],
            "description": instrument.instructions,
            "copyright": f"{instrument.citation} {instrument.licence_note}",
            "item": items,
        }
        if instrument.panel_loinc:
            resource["code"] = [codes.require(f"panel:{instrument.id}")]
        if instrument.id in codes.WITHDRAWAL_SCALES:
            # The questionnaire's topic: what the scale measures.
            resource["code"] = [codes.require("topic:opioid-withdrawal")]
        return resource

    def _answer_coding(self, score: int, anchor: str) -> dict[str, Any]:
        coding: dict[str, Any] = self.local(codes.ITEM_SCORE, str(score), f"score {score}")
        coding = {**coding, "display": anchor}
        coding["extension"] = [{"url": codes.ORDINAL_VALUE, "valueDecimal": score}]
        return coding

    def checkin(self, stored: StoredAssessment) -> None:
        assessment = stored.assessment
        instrument = get_instrument(assessment.instrument_id)
        response_url = self.ids.url("QuestionnaireResponse", stored.id)
        answers = [self._answer(instrument, item_id, value) for item_id, value in assessment.items]
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "questionnaire": f"{codes.questionnaire_url(instrument.id)}|"
            f"{assessment.instrument_version}",
            "status": "completed",
            "subject": self.patient_ref,
            "authored": _instant(assessment.at),
            "item": answers,
        }
        if assessment.rater == "self":
            response["author"] = self.patient_ref
        self.add(response_url, response)
        coding = [
            self.local(
                codes.INSTRUMENT_SCORE,
                codes.score_code(instrument.id),
                f"{instrument.short_name} total score",
            )
        ]
        if instrument.loinc:
            coding.append(codes.require(f"instrument:{instrument.id}"))
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [codes.require("category:survey")]}],
            "code": {"coding": coding, "text": f"{instrument.name} total"},
            "subject": self.patient_ref,
            "effectiveDateTime": _instant(assessment.at),
            "issued": _instant(stored.recorded_at),
            "valueInteger": assessment.total,
            "method": {
                "text": "rated by a clinician"
                if assessment.rater == "clinician"
                else "self-rated by the person"
            },
            "derivedFrom": [{"reference": response_url}],
            "note": [{"text": assessment.interpretation}],
        }
        if assessment.rater == "self":
            observation["performer"] = [self.patient_ref]
        if assessment.band:
            observation["interpretation"] = [{"text": assessment.band}]
        elif assessment.positive_screen is not None:
            observation["interpretation"] = [
                {"text": "positive screen" if assessment.positive_screen else "negative screen"}
            ]
        self.add(self.ids.url("Observation", f"score/{stored.id}"), observation)
        for item_id, value in assessment.items:
            item = instrument.item(item_id)
            if item.loinc is None:
                continue
            # A question with its own standard code (PHQ-9 item 9) is also its own Observation,
            # so a receiving record can find it without reading the questionnaire response.
            self.add(
                self.ids.url("Observation", f"item/{stored.id}/{item_id}"),
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "category": observation["category"],
                    "code": {
                        "coding": [codes.require(f"item:{instrument.id}/{item_id}")],
                        "text": item.text,
                    },
                    "subject": self.patient_ref,
                    "effectiveDateTime": _instant(assessment.at),
                    "valueInteger": value,
                    "derivedFrom": [{"reference": response_url}],
                },
            )

    # -- journal entries ---------------------------------------------------------------------
    def entry(self, entry: Entry) -> None:
        assert entry.id is not None  # stored entries always have an id
        url = self.ids.url("Entry", entry.id)
        if isinstance(entry, DoseEntry):
            resource = self._dose(entry)
        elif isinstance(entry, SubstanceEntry):
            resource = (
                self._alcohol(entry)
                if entry.substance_class is SubstanceClass.ALCOHOL
                else self._substance(entry)
            )
        else:
            resource = self._symptom(entry)
        if entry.note is not None and self.data.notes is not None:
            resource["note"] = [*resource.get("note", []), {"text": entry.note}]
        self.entry_urls[entry.id] = url
        self.add(url, resource)

    def _quantity(self, amount: float, unit: str) -> dict[str, Any]:
        quantity: dict[str, Any] = {"value": amount, "unit": unit.replace("_", " ")}
        ucum = codes.UCUM_UNITS.get(unit)
        if ucum is not None:
            quantity.update({"system": codes.UCUM, "code": ucum})
        return quantity

    def _statement(
        self, entry: DoseEntry | SubstanceEntry, medication: dict[str, Any], dosage_text: str
    ) -> dict[str, Any]:
        dosage: dict[str, Any] = {
            "text": dosage_text,
            "doseAndRate": [{"doseQuantity": self._quantity(entry.amount, entry.unit)}],
        }
        if isinstance(entry, SubstanceEntry) and entry.route is not None:
            dosage["route"] = {"text": entry.route.value}
        statement: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "status": "completed",
            "medicationCodeableConcept": medication,
            "subject": self.patient_ref,
            "effectiveDateTime": _instant(entry.at),
            "dosage": [dosage],
        }
        if entry.recorded_at is not None:
            statement["dateAsserted"] = _instant(entry.recorded_at)
        return statement

    def _dose(self, entry: DoseEntry) -> dict[str, Any]:
        est = entry.estimate
        m, s = est.mitragynine_mg, est.seven_oh_mg
        amount = Amount(entry.amount, entry.unit).display()
        text = (
            f"{amount} of {entry.product_name} ({entry.form.value}); estimated mitragynine "
            f"{m.typical:.1f} mg (range {m.low:.1f}-{m.high:.1f}), 7-OH {s.typical:.2f} mg "
            f"(range {s.low:.2f}-{s.high:.2f}). {est.explanation}"
        )
        medication = {
            "coding": [
                self.local(codes.SUBSTANCE, codes.KRATOM_CODE, "Kratom (Mitragyna speciosa)")
            ],
            "text": f"Kratom (Mitragyna speciosa), {entry.form.value}: {entry.product_name}",
        }
        return self._statement(entry, medication, text)

    def _substance(self, entry: SubstanceEntry) -> dict[str, Any]:
        amount = Amount(entry.amount, entry.unit).display()
        route = f" {entry.route.value}" if entry.route else ""
        mme = f"; {entry.mme:.1f} MME (CDC 2022 factors)" if entry.mme is not None else ""
        medication = {
            "coding": self._codings(
                self.local(codes.SUBSTANCE, entry.substance_id, entry.name),
                f"substance:{entry.substance_id}",
            ),
            "text": f"{entry.name} ({entry.substance_class.value})",
        }
        return self._statement(entry, medication, f"{amount}{route}{mme}")

    def _alcohol(self, entry: SubstanceEntry) -> dict[str, Any]:
        return {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [codes.require("category:social-history")]}],
            "code": {
                "coding": [self.local(codes.SUBSTANCE, entry.substance_id, entry.name)],
                "text": "Alcohol drinks (US standard drinks)",
            },
            "subject": self.patient_ref,
            "effectiveDateTime": _instant(entry.at),
            "valueQuantity": self._quantity(entry.amount, entry.unit),
        }

    def _symptom(self, entry: SymptomEntry) -> dict[str, Any]:
        symptom = symptom_domain.resolve(entry.symptom_id)
        label = symptom_domain.SEVERITY_LABELS[entry.severity]
        value = [self.local(codes.SYMPTOM_SEVERITY, str(entry.severity), label)]
        severity = codes.standard(f"severity:{entry.severity}")
        if severity is not None:
            value.append(severity)
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "code": {
                "coding": self._codings(
                    self.local(codes.SYMPTOM, symptom.id, symptom.name), f"symptom:{symptom.id}"
                ),
                "text": f"{symptom.name} ({symptom.kind})",
            },
            "subject": self.patient_ref,
            "effectiveDateTime": _instant(entry.at),
            "valueCodeableConcept": {"coding": value, "text": f"{label} ({entry.severity}/3)"},
        }
        if symptom_domain.is_red_flag(symptom, entry.severity):
            resource["interpretation"] = [{"text": "red flag: needs prompt medical attention"}]
        return resource

    # -- alerts ------------------------------------------------------------------------------
    def alert(self, stored: StoredAlert) -> None:
        alert = stored.alert
        implicated = [
            {"reference": self.entry_urls[i]} for i in alert.entry_ids if i in self.entry_urls
        ]
        resource: dict[str, Any] = {
            "resourceType": "DetectedIssue",
            "status": "final",
            "code": {
                "coding": [self.local(codes.SAFETY_RULE, alert.rule_id, alert.title)],
                "text": alert.title,
            },
            "severity": ALERT_SEVERITY[alert.severity],
            "patient": self.patient_ref,
            "identifiedDateTime": _instant(alert.at),
            "detail": f"[{alert.severity.value}] {alert.message} Advice given: {alert.advice}",
            "evidence": [
                {"code": [{"text": f"{e.claim} ({e.strength}) {e.citation}"}]}
                for e in alert.evidence
            ],
        }
        if implicated:
            resource["implicated"] = implicated
        if stored.acknowledged_at is not None:
            note = f": {stored.ack_note}" if stored.ack_note and self.data.notes is not None else ""
            resource["mitigation"] = [
                {
                    "action": {"text": f"acknowledged by the person{note}"},
                    # No author: FHIR allows only practitioners there, and the person did this.
                    "date": _instant(stored.acknowledged_at),
                }
            ]
        self.add(self.ids.url("DetectedIssue", stored.id), resource)

    # -- code systems ------------------------------------------------------------------------
    def code_systems(self) -> None:
        names = {
            codes.INSTRUMENT_SCORE: "mitra instrument total scores",
            codes.ITEM_SCORE: "mitra instrument item scores",
            codes.SYMPTOM: "mitra symptoms and side effects",
            codes.SYMPTOM_SEVERITY: "mitra symptom severity (0-3)",
            codes.SUBSTANCE: "mitra substances (kratom and others)",
            codes.SAFETY_RULE: "mitra safety rules",
        }
        for system, concepts in self.local_concepts.items():
            if not concepts:
                continue
            self.add(
                self.ids.url("CodeSystem", system),
                {
                    "resourceType": "CodeSystem",
                    "url": system,
                    "name": system.rsplit("/", 1)[-1].replace("-", "_"),
                    "title": names[system],
                    "status": "active",
                    "content": "fragment",
                    "caseSensitive": True,
                    "concept": [
                        {"code": code, "display": display}
                        for code, display in sorted(concepts.items())
                    ],
                },
            )


def _head(data: ReportData, ids: _Ids) -> dict[str, Any]:
    """The Bundle without its entries, its keys in the order they are written."""
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": ids.url("Bundle", "self")},
        "type": "collection",
        "timestamp": _instant(data.generated_at),
    }


def _build(data: ReportData, patient: PatientChoice | None, ids: _Ids, sink: Sink) -> None:
    """Every entry of the bundle, in order, handed to ``sink``."""
    builder = _BundleBuilder(data, patient or PatientChoice(), ids, sink)
    builder.questionnaires(data.assessments)
    for stored in data.assessments:
        builder.checkin(stored)
    for entry in data.entries:
        builder.entry(entry)
    for alert in data.alerts:
        builder.alert(alert)
    builder.code_systems()


def build_bundle(
    data: ReportData,
    *,
    patient: PatientChoice | None = None,
    namespace: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The bundle as plain JSON data, not yet validated (``bundle_json`` validates)."""
    ids = _Ids(namespace)
    entries: list[dict[str, Any]] = []
    _build(data, patient, ids, entries.append)
    return {**_head(data, ids), "entry": entries}


def _shape(node: Any) -> Hashable:
    """What the R4B models can tell apart in ``node``: its keys, the shapes below them and
    the type of each leaf (an empty string is its own type: FHIR refuses it)."""
    if isinstance(node, dict):
        return tuple(sorted((key, _shape(value)) for key, value in node.items()))
    if isinstance(node, list):
        return ("[]", frozenset(_shape(value) for value in node))
    if isinstance(node, str):
        return "str" if node.strip() else "empty str"
    return type(node).__name__


def model_sample(bundle: dict[str, Any]) -> dict[str, Any]:
    """The bundle cut down to one entry per distinct resource shape (see ``validate_bundle``)."""
    seen: dict[Hashable, dict[str, Any]] = {}
    for entry in bundle.get("entry") or []:
        seen.setdefault(_shape(entry), entry)
    return {**bundle, "entry": list(seen.values())}


def validate_bundle(bundle: dict[str, Any], *, every_resource: bool = False) -> None:
    """Refuse a bundle that the R4B models reject or that breaks mitra's own invariants.

    mitra's own invariants are checked on every resource. The R4B models check structure and
    types; building a pydantic model per resource cost most of a 5-year export's time and
    memory, so by default they validate one resource of each distinct shape (same keys, same
    nesting, same leaf types, empty strings apart). Resources of one shape differ only in
    values the builder formats itself (instants, codes from tables, numbers), which the models
    do not constrain further. ``every_resource`` validates them all (the tests do).
    """
    _refuse(check_bundle(bundle), bundle if every_resource else model_sample(bundle))


def _refuse(problems: list[str], models_see: dict[str, Any]) -> None:
    """Raise BundleError for mitra's ``problems`` or for what the R4B models reject in
    ``models_see`` (the bundle, or its sample of one entry per shape)."""
    from fhir.resources.R4B.bundle import Bundle  # noqa: PLC0415  (slow import)
    from pydantic import ValidationError  # noqa: PLC0415

    if problems:
        raise BundleError(problems)
    try:
        Bundle.model_validate(models_see)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BundleError([f"FHIR R4B validation: {where}: {first['msg']}"]) from exc


class _Stream:
    """The sink of ``bundle_json``: each entry is checked (``BundleChecker``), kept for the
    models if it is the first of its shape, and encoded; the entry itself is not kept, so
    the resources of a 5-year journal never exist all at once, only their text."""

    def __init__(self, head: dict[str, Any]) -> None:
        self.checker = BundleChecker(head)
        self.shapes: dict[Hashable, dict[str, Any]] = {}
        self.parts: list[str] = []

    def __call__(self, entry: dict[str, Any]) -> None:
        self.checker.add(len(self.parts), entry)
        self.shapes.setdefault(_shape(entry), entry)
        self.parts.append(_ENCODE(entry))


def bundle_json(
    data: ReportData,
    *,
    patient: PatientChoice | None = None,
    namespace: uuid.UUID | None = None,
) -> str:
    """The validated bundle as JSON text: the same text as ``bundle_text(build_bundle(...))``
    after ``validate_bundle``, made one entry at a time (checked, sampled for the models and
    encoded as it is built), so only the text of the whole bundle is ever held."""
    ids = _Ids(namespace)
    head = _head(data, ids)
    stream = _Stream(head)
    _build(data, patient, ids, stream)
    _refuse(stream.checker.finish(), {**head, "entry": list(stream.shapes.values())})
    return _joined(head, stream.parts)


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def bundle_text(bundle: dict[str, Any], *, consume: bool = False) -> str:
    """The bundle as compact JSON text: a 5-year bundle is tens of MB, and indentation made
    up a third of it and of the time to write it.

    Encoded entry by entry, so the encoder's small pieces never exist for the whole bundle at
    once (they cost more than the text). With ``consume`` each entry is dropped from the
    bundle once encoded, so the bundle and its text are never both whole in memory; the
    caller must not use the bundle's entries afterwards."""
    entries = bundle.get("entry") or []
    if not entries:
        return _ENCODE(bundle)
    head = {key: value for key, value in bundle.items() if key != "entry"}
    parts: list[str] = []
    for index, entry in enumerate(entries):
        parts.append(_ENCODE(entry))
        if consume:
            entries[index] = None
    if consume:
        bundle["entry"] = []
    return _joined(head, parts)


def _joined(head: dict[str, Any], parts: list[str]) -> str:
    """The bundle's text from its head and its encoded entries (at least one), with one join
    (one copy of the text): the head and the tail go into the first and last parts."""
    parts[0] = _ENCODE(head)[:-1] + ',"entry":[' + parts[0]
    parts[-1] += "]}"
    return ",".join(parts)
