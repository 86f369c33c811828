"""Bundle invariants that the fhir.resources models do not check, checked before writing.

``check_bundle`` returns every problem it finds (an empty list means the bundle is sound):

* every entry has a fullUrl that is a ``urn:uuid:`` with a valid UUID, and no two are equal;
* every ``reference`` anywhere in any resource resolves to a fullUrl in the bundle, and every
  resource that has a subject or patient points at the bundle's one Patient;
* every QuestionnaireResponse's canonical ``questionnaire`` (url|version) names a
  Questionnaire in the bundle;
* every Coding's system is one mitra expects (LOINC, SNOMED CT, FHIR's observation-category,
  or a mitra local system); LOINC codes are only those the instrument files name, and never
  72514-3; SNOMED CT codes only the few mitra uses; every local code is defined by the
  bundle's CodeSystem for that system; Quantities with a system use UCUM;
* an item Observation (a question with its own LOINC code, PHQ-9 item 9) comes from a
  QuestionnaireResponse;
* every score Observation carries mitra's instrument-score code, LOINC exactly when the
  instrument has one, and ``derivedFrom`` a QuestionnaireResponse in the bundle.

Pure: plain JSON data in, a list of messages out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mitra.domain.errors import MitraError
from mitra.domain.instruments import FORBIDDEN_LOINC, load_instruments
from mitra.reports import fhir_codes as codes

_URN_UUID = re.compile(
    r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)
_CODING_SYSTEMS = frozenset({codes.LOINC, codes.SNOMED, codes.OBSERVATION_CATEGORY}) | (
    codes.LOCAL_SYSTEMS
)


class BundleError(MitraError):
    """The bundle breaks an invariant; nothing is written. ``problems`` lists them all."""

    def __init__(self, problems: list[str]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"the FHIR bundle was refused: {problems[0]}{more}")
        self.problems = problems


def _walk(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object under ``node`` with its path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def _entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    found = bundle.get("entry", [])
    return found if isinstance(found, list) else []


def _full_urls(bundle: dict[str, Any], problems: list[str]) -> dict[str, dict[str, Any]]:
    urls: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(_entries(bundle)):
        url = entry.get("fullUrl")
        resource = entry.get("resource") or {}
        if not isinstance(url, str) or not _URN_UUID.fullmatch(url):
            problems.append(f"entry[{index}]: fullUrl {url!r} is not a urn:uuid")
            continue
        if url in urls:
            problems.append(f"entry[{index}]: fullUrl {url} is used twice")
            continue
        urls[url] = resource
    return urls


def _check_references(
    bundle: dict[str, Any], urls: dict[str, dict[str, Any]], problems: list[str]
) -> None:
    patients = [u for u, r in urls.items() if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        problems.append(f"the bundle must hold exactly one Patient; it holds {len(patients)}")
    for index, entry in enumerate(_entries(bundle)):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType", "?")
        for path, node in _walk(resource, f"entry[{index}].{kind}"):
            ref = node.get("reference")
            if isinstance(ref, str) and ref not in urls:
                problems.append(f"{path}: reference {ref} does not resolve inside the bundle")
        for key in ("subject", "patient"):
            ref = (resource.get(key) or {}).get("reference")
            if ref is not None and patients and ref != patients[0]:
                problems.append(f"entry[{index}].{kind}.{key}: does not point at the Patient")
        if kind == "QuestionnaireResponse":
            canonical = resource.get("questionnaire", "")
            known = {
                f"{r.get('url')}|{r.get('version')}"
                for r in urls.values()
                if r.get("resourceType") == "Questionnaire"
            }
            if canonical not in known:
                problems.append(
                    f"entry[{index}].QuestionnaireResponse.questionnaire: {canonical} is not a "
                    "Questionnaire in the bundle"
                )


def _defined_local_codes(urls: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    defined: dict[str, set[str]] = {}
    for resource in urls.values():
        if resource.get("resourceType") == "CodeSystem":
            concepts = resource.get("concept") or []
            defined[str(resource.get("url"))] = {str(c.get("code")) for c in concepts}
    return defined


def _check_codings(
    bundle: dict[str, Any], urls: dict[str, dict[str, Any]], problems: list[str]
) -> None:
    defined = _defined_local_codes(urls)
    loinc = codes.allowed_loinc()
    for index, entry in enumerate(_entries(bundle)):
        resource = entry.get("resource") or {}
        if resource.get("resourceType") == "CodeSystem":
            continue
        for path, node in _walk(resource, f"entry[{index}].{resource.get('resourceType')}"):
            system, code = node.get("system"), node.get("code")
            if system is None or code is None or not isinstance(code, str):
                continue
            if "value" in node:  # a Quantity
                if system != codes.UCUM:
                    problems.append(f"{path}: quantity system {system} is not UCUM")
                continue
            if system not in _CODING_SYSTEMS:
                problems.append(f"{path}: code system {system} is not one mitra uses")
            elif system == codes.LOINC and (code in FORBIDDEN_LOINC or code not in loinc):
                problems.append(f"{path}: LOINC {code} is not a code for any mitra instrument")
            elif system == codes.SNOMED and code not in codes.SNOMED_ALLOWED:
                problems.append(f"{path}: SNOMED CT {code} is not a code mitra uses")
            elif system in codes.LOCAL_SYSTEMS and code not in defined.get(system, set()):
                problems.append(f"{path}: local code {code} is not defined in the bundle")


def _check_scores(urls: dict[str, dict[str, Any]], problems: list[str]) -> None:
    instruments = {codes.score_code(i.id): i for i in load_instruments().values()}
    item_codes = {item.loinc for i in load_instruments().values() for item in i.items if item.loinc}
    for url, resource in urls.items():
        if resource.get("resourceType") != "Observation":
            continue
        codings = (resource.get("code") or {}).get("coding") or []
        local = [c for c in codings if c.get("system") == codes.INSTRUMENT_SCORE]
        loincs = {c.get("code") for c in codings if c.get("system") == codes.LOINC}
        if not local and not loincs:
            continue
        if not local and loincs <= item_codes:
            # One question with its own LOINC code (PHQ-9 item 9): it must still come from
            # a questionnaire response.
            derived = [d.get("reference") for d in resource.get("derivedFrom") or []]
            if not any(
                urls.get(d, {}).get("resourceType") == "QuestionnaireResponse" for d in derived
            ):
                problems.append(
                    f"{url}: an item score must be derivedFrom its QuestionnaireResponse"
                )
            continue
        if not local:
            problems.append(f"{url}: a score Observation needs mitra's instrument-score code")
            continue
        instrument = instruments.get(str(local[0].get("code")))
        if instrument is None:
            problems.append(f"{url}: unknown instrument score {local[0].get('code')}")
            continue
        expected = {instrument.loinc} if instrument.loinc else set()
        if loincs != expected:
            problems.append(
                f"{url}: {instrument.short_name} total must carry LOINC "
                f"{', '.join(sorted(expected)) or 'none'}; it carries "
                f"{', '.join(sorted(str(c) for c in loincs)) or 'none'}"
            )
        derived = [d.get("reference") for d in resource.get("derivedFrom") or []]
        if not any(urls.get(d, {}).get("resourceType") == "QuestionnaireResponse" for d in derived):
            problems.append(f"{url}: a score must be derivedFrom its QuestionnaireResponse")


def check_bundle(bundle: dict[str, Any]) -> list[str]:
    """Every broken invariant of ``bundle`` (see the module docstring); empty when sound."""
    problems: list[str] = []
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "collection":
        problems.append("not a Bundle of type collection")
    urls = _full_urls(bundle, problems)
    _check_references(bundle, urls, problems)
    _check_codings(bundle, urls, problems)
    _check_scores(urls, problems)
    return problems
