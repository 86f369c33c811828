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

``BundleChecker`` makes the same checks one entry at a time, so a bundle can be checked while
it is streamed (``fhir_bundle.bundle_json``) and each resource dropped once it is encoded:
what only a later entry can settle (a forward reference, a local code that the CodeSystem at
the end defines) is kept as a small fact until ``finish``, never as the resource.

Pure: plain JSON data in, a list of messages out. Linear in the bundle: every lookup (the
fullUrls, the Questionnaire canonicals, the defined local codes) is filled as the entries
come and every resource is walked once; a path is spelled out only for a problem (a local
code not defined is reported once, at its first use).
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


class BundleChecker:
    """The checks, fed one entry at a time (``add``) and answered by ``finish``.

    What a later entry may settle (a reference to a fullUrl further on, a local code defined
    by a CodeSystem at the end, the Patient) is kept as small facts (strings, sets), never as
    the resource: a streamed bundle can drop each resource once it is encoded."""

    def __init__(self, head: dict[str, Any]) -> None:
        self.problems: list[str] = []
        if head.get("resourceType") != "Bundle" or head.get("type") != "collection":
            self.problems.append("not a Bundle of type collection")
        self.kinds: dict[str, str] = {}  # fullUrl -> resourceType
        self.patients: list[str] = []
        self.questionnaires: set[str] = set()
        self.defined: dict[str, set[str]] = {}
        self.loinc = codes.allowed_loinc()
        self.snomed = codes.allowed_codes(codes.SNOMED)
        self.rxnorm = codes.allowed_codes(codes.RXNORM)
        instruments = load_instruments().values()
        self.instruments = {codes.score_code(i.id): i for i in instruments}
        self.item_codes = {item.loinc for i in instruments for item in i.items if item.loinc}
        # Settled by ``finish``, kept only while unsettled: references not (yet) resolved,
        # subjects not pointing at the first Patient, canonicals, first use of a local code.
        self.references: list[tuple[Path, str]] = []
        self.subjects: list[tuple[int, str, str, str]] = []  # index, kind, key, reference
        self.responses: list[tuple[int, str]] = []  # index, canonical
        self.local_codes: dict[tuple[str, str], Path] = {}  # first place each is used
        self.derived: list[tuple[str, list[Any], str]] = []  # url, derivedFrom refs, message
        self.score_problems: list[str] = []  # reported last, as they are about whole scores

    def add(self, index: int, entry: dict[str, Any]) -> None:
        url = entry.get("fullUrl")
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType", "?")
        if not isinstance(url, str) or not _URN_UUID.fullmatch(url):
            self.problems.append(f"entry[{index}]: fullUrl {url!r} is not a urn:uuid")
        elif url in self.kinds:
            self.problems.append(f"entry[{index}]: fullUrl {url} is used twice")
        else:
            self.kinds[url] = kind
            self._facts(url, resource)
        self._resource(index, resource)

    def _facts(self, url: str, resource: dict[str, Any]) -> None:
        """What other resources are checked against: the Patient, the Questionnaire
        canonicals, the local codes each CodeSystem defines, each score's derivedFrom."""
        kind = resource.get("resourceType")
        if kind == "Patient":
            self.patients.append(url)
        elif kind == "Questionnaire":
            self.questionnaires.add(f"{resource.get('url')}|{resource.get('version')}")
        elif kind == "CodeSystem":
            concepts = resource.get("concept") or []
            self.defined[str(resource.get("url"))] = {str(c.get("code")) for c in concepts}
        elif kind == "Observation":
            self._score(url, resource)

    def _resource(self, index: int, resource: dict[str, Any]) -> None:
        kind = resource.get("resourceType", "?")
        root: Path = (None, f"entry[{index}].{kind}")
        for key in ("subject", "patient"):
            ref = (resource.get(key) or {}).get("reference")
            # The first Patient is the one (a second is a problem of its own), so a
            # reference to it is settled now; any other waits for ``finish``.
            if ref is not None and ref != (self.patients[0] if self.patients else None):
                self.subjects.append((index, kind, key, ref))
        if kind == "QuestionnaireResponse":
            self.responses.append((index, resource.get("questionnaire", "")))
        codings = kind != "CodeSystem"
        for path, node in _walk(resource, root):
            ref = node.get("reference")
            if isinstance(ref, str) and ref not in self.kinds:
                self.references.append((path, ref))  # maybe a fullUrl further on
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
        elif system in codes.LOCAL_SYSTEMS:
            self.local_codes.setdefault((system, code), path)

    def _score(self, url: str, resource: dict[str, Any]) -> None:
        codings = (resource.get("code") or {}).get("coding") or []
        local = [c for c in codings if c.get("system") == codes.INSTRUMENT_SCORE]
        loincs = {c.get("code") for c in codings if c.get("system") == codes.LOINC}
        if not local and not loincs:
            return
        derived = [d.get("reference") for d in resource.get("derivedFrom") or []]
        if not local and loincs <= self.item_codes:
            # One question with its own LOINC code (PHQ-9 item 9): it must still come from
            # a questionnaire response.
            message = f"{url}: an item score must be derivedFrom its QuestionnaireResponse"
            self.derived.append((url, derived, message))
            return
        if not local:
            self.score_problems.append(
                f"{url}: a score Observation needs mitra's instrument-score code"
            )
            return
        instrument = self.instruments.get(str(local[0].get("code")))
        if instrument is None:
            self.score_problems.append(f"{url}: unknown instrument score {local[0].get('code')}")
            return
        expected = {instrument.loinc} if instrument.loinc else set()
        if loincs != expected:
            self.score_problems.append(
                f"{url}: {instrument.short_name} total must carry LOINC "
                f"{', '.join(sorted(expected)) or 'none'}; it carries "
                f"{', '.join(sorted(str(c) for c in loincs)) or 'none'}"
            )
        message = f"{url}: a score must be derivedFrom its QuestionnaireResponse"
        self.derived.append((url, derived, message))

    def finish(self) -> list[str]:
        """Every broken invariant of the entries added (see the module docstring)."""
        problems = self.problems
        if len(self.patients) != 1:
            problems.append(
                f"the bundle must hold exactly one Patient; it holds {len(self.patients)}"
            )
        patient = self.patients[0] if self.patients else None
        for index, kind, key, ref in self.subjects:
            if patient is not None and ref != patient:
                problems.append(f"entry[{index}].{kind}.{key}: does not point at the Patient")
        for index, canonical in self.responses:
            if canonical not in self.questionnaires:
                problems.append(
                    f"entry[{index}].QuestionnaireResponse.questionnaire: {canonical} is not a "
                    "Questionnaire in the bundle"
                )
        for path, ref in self.references:
            if ref not in self.kinds:
                problems.append(
                    f"{_path_text(path)}: reference {ref} does not resolve inside the bundle"
                )
        for (system, code), path in self.local_codes.items():
            if code not in self.defined.get(system, set()):
                problems.append(
                    f"{_path_text(path)}: local code {code} is not defined in the bundle"
                )
        for _url, derived, message in self.derived:
            if not any(self.kinds.get(d) == "QuestionnaireResponse" for d in derived):
                self.score_problems.append(message)
        return problems + self.score_problems


def check_bundle(bundle: dict[str, Any]) -> list[str]:
    """Every broken invariant of ``bundle`` (see the module docstring); empty when sound."""
    checker = BundleChecker(bundle)
    for index, entry in enumerate(_entries(bundle)):
        checker.add(index, entry)
    return checker.finish()
