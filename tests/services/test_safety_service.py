"""The safety engine on every write: alerts are stored once per pattern, judged as of the
entry's own time, acknowledged explicitly, and clinician settings only ever tighten limits."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mitra.domain.errors import ConflictError, NotFoundError
from mitra.services.catalogue import ProductService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService, effective_rules
from tests.conftest import FIXED_NOW


def rule_ids(result: object) -> set[str]:
    return {stored.alert.rule_id for stored in result.alerts}  # type: ignore[attr-defined]


def test_a_gram_of_45_percent_extract_raises_and_stores_the_hard_limit(ctx: AppContext) -> None:
    ProductService(ctx).add("Gold", "extract", mitragynine_pct=45)
    result = JournalService(ctx).log_dose("1g", product="Gold")
    assert "dose-mitragynine-hard-limit" in rule_ids(result)
    stored = SafetyService(ctx).alerts()
    assert "dose-mitragynine-hard-limit" in {s.alert.rule_id for s in stored}
    assert all(s.alert.evidence for s in stored)


def test_three_grams_of_generic_leaf_raise_no_dose_alert(ctx: AppContext) -> None:
    result = JournalService(ctx).log_dose("3g")
    assert not {r for r in rule_ids(result) if r.startswith("dose-")}


def test_the_same_pattern_is_stored_once_not_with_every_entry(ctx: AppContext) -> None:
    journal = JournalService(ctx)
    journal.log_substance("xanax", "1mg", at=FIXED_NOW - timedelta(hours=3))
    first = journal.log_dose("3g", at=FIXED_NOW - timedelta(hours=2))
    second = journal.log_dose("3g", at=FIXED_NOW - timedelta(hours=1))
    assert "combination-benzodiazepine" in rule_ids(first)
    assert "combination-benzodiazepine" not in rule_ids(second)
    keys = [s.alert.key for s in SafetyService(ctx).alerts()]
    assert len(keys) == len(set(keys))


def test_a_back_filled_dose_is_judged_as_of_when_it_happened(ctx: AppContext) -> None:
    journal = JournalService(ctx)
    journal.log_substance("xanax", "1mg", at=FIXED_NOW - timedelta(days=3))
    near = journal.log_dose("3g", at=FIXED_NOW - timedelta(days=3, hours=-2))
    assert "combination-benzodiazepine" in rule_ids(near)


def test_a_dose_days_away_from_a_benzodiazepine_is_not_a_combination(ctx: AppContext) -> None:
    journal = JournalService(ctx)
    journal.log_substance("xanax", "1mg", at=FIXED_NOW - timedelta(days=3))
    far = journal.log_dose("3g", at=FIXED_NOW)
    assert "combination-benzodiazepine" not in rule_ids(far)


def test_urgent_alerts_stay_open_until_acknowledged(ctx: AppContext) -> None:
    result = JournalService(ctx).log_symptom("jaundice", severity=1)
    urgent = [s for s in result.alerts if s.alert.severity.value == "urgent"]
    assert urgent
    safety = SafetyService(ctx)
    assert {s.id for s in safety.open_serious()} >= {urgent[0].id}
    safety.acknowledge(urgent[0].id, "called my doctor")
    assert urgent[0].id not in {s.id for s in safety.open_serious()}
    kept = {s.id: s for s in safety.alerts(include_acknowledged=True)}[urgent[0].id]
    assert kept.acknowledged_at is not None and kept.ack_note == "called my doctor"
    with pytest.raises(ConflictError):
        safety.acknowledge(urgent[0].id)
    with pytest.raises(NotFoundError):
        safety.acknowledge(9999)


def test_suicidal_thoughts_raise_an_emergency_with_988(ctx: AppContext) -> None:
    result = JournalService(ctx).log_symptom("suicidal thoughts", severity=1)
    emergency = [s.alert for s in result.alerts if s.alert.severity.value == "emergency"]
    assert emergency and "988" in emergency[0].advice + emergency[0].message


def test_a_settings_file_cannot_loosen_a_hard_limit(tmp_path: Path) -> None:
    settings = tmp_path / "safety.toml"
    settings.write_text("[dose-mitragynine-hard-limit]\nmax_mg = 5000\n")
    rules = effective_rules(settings)
    assert rules.ruleset.rule("dose-mitragynine-hard-limit").value("max_mg") == 250
    assert any("hard limit" in problem for problem in rules.refused)


def test_a_settings_file_can_tighten_a_limit_and_it_takes_effect(
    sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    settings = tmp_path / "safety.toml"
    settings.write_text("[dose-mitragynine-high]\nmax_mg = 40\n")
    ctx = AppContext(sqlite_ctx.database, clock=sqlite_ctx.clock, safety_settings=settings)
    assert ctx.rules().refused == ()
    result = JournalService(ctx).log_dose("3g")  # high end 58.5 mg: above the tightened 40
    assert "dose-mitragynine-high" in rule_ids(result)


def test_the_rules_are_loaded_once_and_again_when_the_settings_file_changes(
    sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    settings = tmp_path / "safety.toml"
    ctx = AppContext(sqlite_ctx.database, clock=sqlite_ctx.clock, safety_settings=settings)
    first = ctx.rules()
    assert ctx.rules() is first  # cached: a write does not parse the rules again
    assert first.ruleset.rule("dose-mitragynine-high").value("max_mg") != 40
    settings.write_text("[dose-mitragynine-high]\nmax_mg = 40\n")  # a live server sees it
    assert ctx.rules().ruleset.rule("dose-mitragynine-high").value("max_mg") == 40
    settings.unlink()
    assert ctx.rules().ruleset.rule("dose-mitragynine-high").value("max_mg") != 40


def test_a_missing_named_settings_file_keeps_the_reviewed_defaults(tmp_path: Path) -> None:
    rules = effective_rules(tmp_path / "nope.toml")
    assert rules.refused and rules.settings_path is None


def test_a_second_dose_past_the_hard_limit_the_same_day_raises_its_own_alert(
    ctx: AppContext,
) -> None:
    ProductService(ctx).add("Gold", "extract", mitragynine_pct=45)
    journal = JournalService(ctx)
    first = journal.log_dose("1g", product="Gold", at=FIXED_NOW - timedelta(hours=5))
    second = journal.log_dose("1g", product="Gold", at=FIXED_NOW - timedelta(hours=1))
    assert "dose-mitragynine-hard-limit" in rule_ids(first)
    assert "dose-mitragynine-hard-limit" in rule_ids(second)


def test_deleting_a_typo_closes_its_alert_with_a_note_and_undo_reopens_it(
    ctx: AppContext,
) -> None:
    journal = JournalService(ctx)
    typo = journal.log_dose("30g", at=FIXED_NOW - timedelta(hours=1))
    assert typo.entry.id is not None
    hard = next(s for s in typo.alerts if s.alert.rule_id == "dose-mitragynine-hard-limit")
    safety = SafetyService(ctx)
    journal.delete(typo.entry.id)
    closed = {s.id: s for s in safety.alerts(include_acknowledged=True)}[hard.id]
    assert closed.acknowledged_at is not None and "deleted" in (closed.ack_note or "")
    assert hard.id not in {s.id for s in safety.open_serious()}
    journal.undo()  # restores the entry, and with it the alert
    assert hard.id in {s.id for s in safety.open_serious()}


def test_deleting_an_entry_never_closes_an_emergency(ctx: AppContext) -> None:
    journal = JournalService(ctx)
    seizure = journal.log_symptom("seizure", severity=3)
    assert seizure.entry.id is not None
    journal.delete(seizure.entry.id)
    assert any(s.alert.severity.value == "emergency" for s in SafetyService(ctx).open_serious())
