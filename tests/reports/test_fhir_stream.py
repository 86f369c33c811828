"""The streamed FHIR bundle (``bundle_json``: each entry checked, sampled and encoded as it is
built, none kept) is byte for byte the bundle built whole and written by ``bundle_text``, on
the demo journal and on random journals, and it refuses what the whole-bundle checks refuse.
The checks settle forward references and late definitions, whatever the order of entries."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

import pytest

from mitra.domain.instruments import get_instrument
from mitra.reports import fhir_bundle
from mitra.reports import fhir_codes as codes
from mitra.reports.fhir_bundle import build_bundle, bundle_json, bundle_text, validate_bundle
from mitra.reports.fhir_checks import BundleError, check_bundle
from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.demo import build_demo
from mitra.services.journal import JournalService
from mitra.services.report_data import ReportData, ReportDataService
from mitra.services.safety import SafetyService

COWS = get_instrument("cows")
NAMESPACE = uuid.UUID("3c2d8a51-7e0b-4f4c-9a36-51d0c6e2b8a7")
SYMPTOMS = ("nausea", "craving", "anxiety", "yellow eyes", "trouble sleeping")
SUBSTANCES = (
    ("alcohol", "2 drinks"),
    ("xanax", "1mg"),
    ("oxycodone", "20mg"),
    ("fentanyl", "25 mcg/h"),
)


def random_journal(ctx: AppContext, seed: int) -> ReportData:
    """Sixty random entries over three weeks: doses, symptoms, other substances, check-ins,
    deletions, notes and acknowledged alerts, each through the services."""
    rng = random.Random(seed)
    ProfileService(ctx).set(timezone=rng.choice(["America/New_York", "Europe/Berlin", "UTC"]))
    ProductService(ctx).add("Leaf", "leaf", mitragynine_pct=1.6)
    ProductService(ctx).add("Caps", "capsule", mitragynine_mg_per_unit=8.0, unit_mass_g=0.5)
    journal, checkins = JournalService(ctx), CheckinService(ctx)
    now = ctx.now()
    for step in range(60):
        at = now - timedelta(days=21) + timedelta(hours=8 * step + rng.randint(0, 7))
        note = "a note" if rng.random() < 0.1 else None
        kind = rng.random()
        if kind < 0.45:
            amount = (
                rng.choice(["2 caps", "3 caps"]) if rng.random() < 0.3 else f"{rng.randint(1, 8)}g"
            )
            journal.log_dose(
                amount, product="Caps" if "caps" in amount else "Leaf", at=at, note=note
            )
        elif kind < 0.65:
            journal.log_symptom(rng.choice(SYMPTOMS), severity=rng.randint(0, 3), at=at)
        elif kind < 0.8:
            substance, amount = rng.choice(SUBSTANCES)
            journal.log_substance(substance, amount, at=at, note=note)
        elif kind < 0.9:
            answers = [rng.choice([a.score for a in item.answers]) for item in COWS.items]
            checkins.record("cows", answers, at=at)
        else:
            entry = journal.log_dose("4g", product="Leaf", at=at).entry
            assert entry.id is not None
            journal.delete(entry.id)
    safety = SafetyService(ctx)
    for alert in safety.alerts()[: rng.randint(0, 3)]:
        safety.acknowledge(alert.id, "seen")
    return ReportDataService(ctx).gather(all_time=True, include_notes=rng.random() < 0.5)


def assert_streamed_is_built(data: ReportData) -> None:
    whole = build_bundle(data, namespace=NAMESPACE)
    validate_bundle(whole)
    assert bundle_json(data, namespace=NAMESPACE) == bundle_text(whole)


def test_the_streamed_bundle_is_the_built_bundle_on_the_demo_journal(
    sqlite_ctx: AppContext,
) -> None:
    build_demo(sqlite_ctx)
    assert_streamed_is_built(ReportDataService(sqlite_ctx).gather(all_time=True))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_streamed_bundle_is_the_built_bundle_on_a_random_journal(
    sqlite_ctx: AppContext, seed: int
) -> None:
    assert_streamed_is_built(random_journal(sqlite_ctx, seed))


def test_the_bundle_is_the_same_whatever_the_order_of_a_set(report_data: ReportData) -> None:
    # The CodeSystems once followed the iteration order of a frozenset of their URIs, which
    # the process's hash seed decides; they are sorted now.
    systems = [
        e["resource"]["url"]
        for e in build_bundle(report_data, namespace=NAMESPACE)["entry"]
        if e["resource"]["resourceType"] == "CodeSystem"
    ]
    assert systems == sorted(systems)


def test_the_checks_settle_forward_references_in_any_order(report_data: ReportData) -> None:
    bundle = build_bundle(report_data, namespace=NAMESPACE)
    entries: list[dict[str, Any]] = bundle["entry"]
    shuffled = entries[:]
    random.Random(5).shuffle(shuffled)
    for order in (entries[::-1], shuffled):  # the Patient and the CodeSystems come late
        assert check_bundle({**bundle, "entry": order}) == []


def test_the_streamed_bundle_refuses_a_reference_that_resolves_nowhere(
    report_data: ReportData, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fhir_bundle._BundleBuilder._symptom

    def dangling(self: Any, entry: Any) -> dict[str, Any]:
        resource = real(self, entry)
        resource["derivedFrom"] = [{"reference": f"urn:uuid:{uuid.UUID(int=1)}"}]
        return resource

    monkeypatch.setattr(fhir_bundle._BundleBuilder, "_symptom", dangling)
    with pytest.raises(BundleError, match="does not resolve inside the bundle"):
        bundle_json(report_data, namespace=NAMESPACE)


def test_the_streamed_bundle_refuses_a_local_code_no_codesystem_defines(
    report_data: ReportData, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fhir_bundle._BundleBuilder.code_systems

    def forgetful(self: Any) -> None:
        self.local_concepts[codes.SYMPTOM].pop("nausea")
        real(self)

    monkeypatch.setattr(fhir_bundle._BundleBuilder, "code_systems", forgetful)
    with pytest.raises(BundleError, match="local code nausea is not defined"):
        bundle_json(report_data, namespace=NAMESPACE)
