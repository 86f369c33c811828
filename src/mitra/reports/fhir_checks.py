"""Bundle invariants that the fhir.resources models do not check, checked before writing.

``check_bundle`` returns every problem it finds (an empty list means the bundle is sound):

* every entry has a fullUrl that is a ``urn:uuid:`` with a valid UUID, and no two are equal;
* every ``reference`` anywhere in any resource resolves to a fullUrl in the bundle, and every
  resource that has a subject or patient points at the bundle's one Patient;
* every QuestionnaireResponse's canonical ``questionnaire`` (url|version) names a
  Questionnaire in the bundle;
* every Coding's system is one mitra expects (LOINC, SNOMED CT, FHIR's observation-category,
  or a mitra local system); LOINC codes are only those the instrument files name, and never
  72514-3; SNOMED CT and RxNorm codes only those of mitra's reviewed code table; every local
  code is defined by the bundle's CodeSystem for that system; Quantities with a system use UCUM;
* an item Observation (a question with its own LOINC code, PHQ-9 item 9) comes from a
  QuestionnaireResponse;
* every score Observation carries mitra's instrument-score code, LOINC exactly when the
  instrument has one, and ``derivedFrom`` a QuestionnaireResponse in the bundle.

Pure: plain JSON data in, a list of messages out. Linear in the bundle: every lookup (the
fullUrls, the Questionnaire canonicals, the defined local codes) is built once per check and
every resource is walked once; a path is spelled out only for a problem.
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
_CODING_SYSTEMS = frozenset(
    {codes.LOINC, codes.SNOMED, codes.RXNORM, codes.OBSERVATION_CATEGORY}
) | (codes.LOCAL_SYSTEMS)


class BundleError(MitraError):
    """The bundle breaks an invariant; nothing is written. ``problems`` lists them all."""

    def __init__(self, problems: list[str]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"the FHIR bundle was refused: {problems[0]}{more}")
        self.problems = problems


# (parent, key): a path built only when a problem needs it.
Path = tuple["Path", str | int] | None


def _path_text(path: Path) -> str:
    parts: list[str] = []
    while path is not None:
        path, key = path
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).lstrip(".")


def _walk(node: Any, path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every JSON object under ``node`` with its (lazily spelled) path; each node once."""
    stack: list[tuple[Any, Path]] = [(node, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            yield where, current
            for key, value in current.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, (where, key)))
        elif isinstance(current, list):
            for index, value in enumerate(current):
                if isinstance(value, (dict, list)):
                    stack.append((value, (where, index)))


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


def known_questionnaires(urls: dict[str, dict[str, Any]]) -> frozenset[str]:
    """The canonical ``url|version`` of every Questionnaire in the bundle, built once per
    check (not once per response: a year holds thousands of responses)."""
    return frozenset(
        f"{r.get('url')}|{r.get('version')}"
        for r in urls.values()
        if r.get("resourceType") == "Questionnaire"
    )


def _defined_local_codes(urls: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    defined: dict[str, set[str]] = {}
    for resource in urls.values():
        if resource.get("resourceType") == "CodeSystem":
            concepts = resource.get("concept") or []
            defined[str(resource.get("url"))] = {str(c.get("code")) for c in concepts}
    return defined


class _Checker:
    """One pass over every resource: references and codings, against lookups built once."""

    def __init__(self, urls: dict[str, dict[str, Any]], problems: list[str]) -> None:
        self.urls = urls
        self.problems = problems
        patients = [u for u, r in urls.items() if r.get("resourceType") == "Patient"]
        if len(patients) != 1:
            problems.append(f"the bundle must hold exactly one Patient; it holds {len(patients)}")
        self.patient = patients[0] if patients else None
        self.questionnaires = known_questionnaires(urls)
        self.defined = _defined_local_codes(urls)
        self.loinc = codes.allowed_loinc()
        self.snomed = codes.allowed_codes(codes.SNOMED)
        self.rxnorm = codes.allowed_codes(codes.RXNORM)

    def resource(self, index: int, resource: dict[str, Any]) -> None:
        kind = resource.get("resourceType", "?")
        root: Path = (None, f"entry[{index}].{kind}")
        for key in ("subject", "patient"):
            ref = (resource.get(key) or {}).get("reference")
            if ref is not None and self.patient is not None and ref != self.patient:
                self.problems.append(f"entry[{index}].{kind}.{key}: does not point at the Patient")
        if kind == "QuestionnaireResponse":
            canonical = resource.get("questionnaire", "")
            if canonical not in self.questionnaires:
                self.problems.append(
                    f"entry[{index}].QuestionnaireResponse.questionnaire: {canonical} is not a "
                    "Questionnaire in the bundle"
                )
        codings = kind != "CodeSystem"
        for path, node in _walk(resource, root):
            ref = node.get("reference")
            if isinstance(ref, str) and ref not in self.urls:
                self.problems.append(
                    f"{_path_text(path)}: reference {ref} does not resolve inside the bundle"
                )
            if codings:
                self._coding(path, node)

    def _coding(self, path: Path, node: dict[str, Any]) -> None:
        system, code = node.get("system"), node.get("code")
        if system is None or code is None or not isinstance(code, str):
            return
        if "value" in node:  # a Quantity
            if system != codes.UCUM:
                self.problems.append(f"{_path_text(path)}: quantity system {system} is not UCUM")
            return
        if system not in _CODING_SYSTEMS:
            self.problems.append(f"{_path_text(path)}: code system {system} is not one mitra uses")
        elif system == codes.LOINC and (code in FORBIDDEN_LOINC or code not in self.loinc):
            self.problems.append(
                f"{_path_text(path)}: LOINC {code} is not a code for any mitra instrument"
            )
        elif system == codes.SNOMED and code not in self.snomed:
            self.problems.append(f"{_path_text(path)}: SNOMED CT {code} is not a code mitra uses")
        elif system == codes.RXNORM and code not in self.rxnorm:
            self.problems.append(f"{_path_text(path)}: RxNorm {code} is not a code mitra uses")
        elif system in codes.LOCAL_SYSTEMS and code not in self.defined.get(system, set()):
            self.problems.append(
                f"{_path_text(path)}: local code {code} is not defined in the bundle"
            )


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
    checker = _Checker(urls, problems)
    for index, entry in enumerate(_entries(bundle)):
        checker.resource(index, entry.get("resource") or {})
    _check_scores(urls, problems)
    return problems
