"""Scenario tests for the rules added or moved by issue 11, both sides of every threshold.

Unknown-strength products ask for the strength once per product and alarm only when even the
typical estimate is past the hard limit; capsules of unstated fill count 0.5-1 g; 7-OH has
per-dose and 24-hour ceilings; high SOWS, SOWS-Gossop, OOWS and craving scores and a fast
resting pulse lead to treatment options; CYP3A inhibitors and inducers, QT-prolonging
medicines and high-dose loperamide are checked; pregnancy with an opioid alone is warned
about; emergencies each get their guidance. Helpers come from ``test_safety_rules``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mitra.domain.alerts import Severity
from mitra.domain.products import Form, define_product
from mitra.domain.profile import Profile
from mitra.domain.safety import evaluate_assessment
from mitra.domain.scoring import get_instrument, score
from tests.domain.test_safety_rules import (
    GENERIC,
    NOON,
    PERSON,
    RULES,
    ZONE,
    dose,
    felt,
    fired,
    hours,
    judge,
    only,
    sources,
    took,
)

OTHER = GENERIC[Form.OTHER]
CAPSULES = GENERIC[Form.CAPSULE]
TABLETS_15 = define_product("Blue 7-OH tablets", Form.SEVEN_OH, seven_oh_mg_per_unit=15)

# ---------------------------------------------------------------------------------------------
# Products of unknown strength


def test_one_gram_of_an_other_product_asks_for_the_strength_instead_of_an_urgent_alarm() -> None:
    alerts = judge(dose("1g", product=OTHER))  # 3.9-600 mg, typical 15 mg
    alert = only(alerts, "dose-strength-unknown")
    assert alert.severity is Severity.WARNING
    assert "600" in alert.message and "3.9" in alert.message
    assert "dose-mitragynine-hard-limit" not in fired(alerts)
    assert "dose-mitragynine-high" not in fired(alerts)  # superseded: one clear message
    assert max(a.severity for a in alerts) < Severity.URGENT


def test_a_dangerous_amount_of_an_other_product_still_raises_the_urgent_hard_limit() -> None:
    alerts = judge(dose("50g", product=OTHER))  # typical 750 mg, past 250 mg
    assert only(alerts, "dose-mitragynine-hard-limit").severity is Severity.URGENT
    assert "dose-strength-unknown" not in fired(alerts)


@pytest.mark.parametrize(("grams", "urgent"), [("16.6g", False), ("16.7g", True)])
def test_the_hard_limit_of_an_unknown_strength_product_is_judged_on_its_typical_estimate(
    grams: str, urgent: bool
) -> None:
    # Typical 15 mg/g: 16.6 g is 249 mg, 16.7 g is 250.5 mg, either side of the 250 mg limit.
    alerts = judge(dose(grams, product=OTHER))
    assert ("dose-mitragynine-hard-limit" in fired(alerts)) is urgent
    assert ("dose-strength-unknown" in fired(alerts)) is not urgent


def test_the_strength_request_is_keyed_once_per_product() -> None:
    first = only(judge(dose("1g", product=OTHER)), "dose-strength-unknown")
    next_week = only(judge(dose("1g", NOON + timedelta(days=7), product=OTHER)), first.rule_id)
    assert first.key == next_week.key
    mystery = define_product("Mystery powder", Form.OTHER)
    other_product = only(judge(dose("1g", product=mystery)), first.rule_id)
    assert other_product.key != first.key


@given(grams=st.floats(min_value=0.05, max_value=50.0, allow_nan=False))
def test_an_unknown_strength_dose_past_the_limit_gets_exactly_one_per_dose_finding(
    grams: float,
) -> None:
    new = dose(f"{grams:.2f}g", product=OTHER)
    mit = new.estimate.mitragynine_mg
    rules = fired(judge(new)) & {
        "dose-mitragynine-hard-limit",
        "dose-strength-unknown",
        "dose-mitragynine-high",
    }
    if mit.typical > 250:
        assert rules == {"dose-mitragynine-hard-limit"}
    elif mit.high > 250:
        assert rules == {"dose-strength-unknown"}
    elif mit.high > 100:
        assert rules == {"dose-mitragynine-high"}
    else:
        assert rules == set()


def test_a_labelled_product_is_still_judged_on_the_high_end() -> None:
    # A 45% label is narrow (25% margin): 0.5 g is 169-281 mg, judged on 281 mg.
    extract = define_product("Gold 45% extract", Form.EXTRACT, mitragynine_pct=45)
    alerts = judge(dose("0.5g", product=extract))
    assert "dose-mitragynine-hard-limit" in fired(alerts)
    assert "dose-strength-unknown" not in fired(alerts)


# ---------------------------------------------------------------------------------------------
# Capsules whose fill is not stated


def test_ten_capsules_of_unstated_fill_reach_the_per_dose_warning() -> None:
    new = dose("10 caps", product=CAPSULES)  # 5-10 g of leaf: up to 195 mg
    assert new.estimate.mitragynine_mg.high == pytest.approx(195.0)
    assert only(judge(new), "dose-mitragynine-high").severity is Severity.WARNING


def test_capsules_of_unstated_fill_are_counted_at_half_a_gram_to_a_gram() -> None:
    new = dose("2 caps", product=CAPSULES)
    mit = new.estimate.mitragynine_mg
    assert (mit.low, mit.typical, mit.high) == pytest.approx((13.3, 15.0, 39.0))
    assert "0.5-1 g each" in new.estimate.explanation


def test_capsules_with_a_stated_fill_use_it() -> None:
    stated = define_product("Red caps", Form.CAPSULE, unit_mass_g=0.5)
    assert dose("10 caps", product=stated).estimate.mitragynine_mg.high == pytest.approx(97.5)


# ---------------------------------------------------------------------------------------------
# 7-OH: per dose and over 24 hours


def test_one_15_mg_tablet_stays_under_the_7oh_per_dose_ceiling() -> None:
    alerts = judge(dose("1 tablet", product=TABLETS_15))  # 11.25-18.75 mg 7-OH
    assert "seven-oh-dose-high" not in fired(alerts)
    assert "seven-oh-product" in fired(alerts)


def test_two_15_mg_tablets_pass_the_7oh_per_dose_ceiling() -> None:
    alerts = judge(dose("2 tablets", product=TABLETS_15))  # up to 37.5 mg 7-OH
    alert = only(alerts, "seven-oh-dose-high")
    assert "38 mg" in alert.message and "30 mg" in alert.message  # 37.5 mg, rounded
    assert {"brown-2025", "fda-2025-7oh"} <= sources(alert)
    assert "seven-oh-product" not in fired(alerts)  # superseded by the amount


def test_two_15_mg_tablets_four_times_in_9_hours_raise_the_24_hour_7oh_alert() -> None:
    times = [NOON - hours(9), NOON - hours(6), NOON - hours(3), NOON]
    doses = [dose("2 tablets", at, product=TABLETS_15) for at in times]
    alerts = judge(doses[-1], doses[:-1])
    daily = only(alerts, "seven-oh-daily-high")
    assert daily.severity is Severity.URGENT
    assert "4 doses" in daily.message and "150 mg" in daily.message  # 120 mg labelled, +25%
    assert "seven-oh-dose-high" in fired(alerts)


def test_the_24_hour_7oh_ceiling_both_sides() -> None:
    # One tablet (up to 18.75 mg) three times: 56.25 mg, under 60; four times: 75 mg, over.
    times = [NOON - hours(h) for h in (9, 6, 3, 0)]
    doses = [dose("1 tablet", at, product=TABLETS_15) for at in times]
    assert "seven-oh-daily-high" not in fired(judge(doses[2], doses[:2]))
    assert "seven-oh-daily-high" in fired(judge(doses[3], doses[:3]))


def test_the_7oh_ceilings_are_judged_for_every_dose_not_once_a_day() -> None:
    morning = dose("2 tablets", NOON - hours(4), product=TABLETS_15)
    later = dose("2 tablets", NOON, product=TABLETS_15)
    assert "seven-oh-dose-high" in fired(judge(morning))
    assert {"seven-oh-dose-high", "seven-oh-daily-high"} <= fired(judge(later, [morning]))


def test_ordinary_leaf_raises_no_7oh_alert() -> None:
    assert not fired(judge(dose("4g"))) & {"seven-oh-dose-high", "seven-oh-daily-high"}


# ---------------------------------------------------------------------------------------------
# Check-ins: SOWS, SOWS-Gossop, OOWS, craving; the resting pulse


def check(instrument_id: str, total: int, *, pulse_bpm: float | None = None) -> set[str]:
    instrument = get_instrument(instrument_id)
    answers = _answers(instrument_id, total, len(instrument.items))
    assessment = replace(score(instrument, answers, rater="self", at=NOON), pulse_bpm=pulse_bpm)
    assert assessment.total == total
    return fired(evaluate_assessment(assessment, PERSON, RULES, zone=ZONE))


def _answers(instrument_id: str, total: int, count: int) -> list[int]:
    top = {"sows": 4, "sows-gossop": 3, "oows": 1, "craving": 100}[instrument_id]
    answers = []
    left = total
    for _ in range(count):
        answers.append(min(top, left))
        left -= answers[-1]
    return answers


@pytest.mark.parametrize(
    ("instrument_id", "rule_id", "just_below", "at_threshold", "maximum"),
    [
        ("sows", "withdrawal-sows-high", 31, 32, 64),
        ("sows-gossop", "withdrawal-sows-gossop-high", 19, 20, 30),
        ("oows", "withdrawal-oows-high", 6, 7, 13),
        ("craving", "craving-high", 69, 70, 100),
    ],
)
def test_a_high_withdrawal_or_craving_score_leads_to_treatment_options(
    instrument_id: str, rule_id: str, just_below: int, at_threshold: int, maximum: int
) -> None:
    assert rule_id not in check(instrument_id, just_below)
    assert rule_id in check(instrument_id, at_threshold)
    assert rule_id in check(instrument_id, maximum)
    advice = RULES.rule(rule_id).advice
    assert "buprenorphine" in advice.lower() and "1-800-662-4357" in advice


def test_the_new_check_in_thresholds_say_they_are_judgement() -> None:
    for rule_id in ("withdrawal-sows-high", "withdrawal-sows-gossop-high", "withdrawal-oows-high"):
        assert "judgement" in RULES.rule(rule_id).threshold("min_total").why
    assert "judgement" in RULES.rule("craving-high").threshold("min_total").why


@pytest.mark.parametrize(("bpm", "urgent"), [(129, False), (130, True), (180, True)])
def test_a_resting_pulse_of_130_or_more_is_urgent(bpm: float, urgent: bool) -> None:
    assert ("pulse-resting-fast" in check_cows_with_pulse(bpm)) is urgent


def check_cows_with_pulse(bpm: float) -> set[str]:
    instrument = get_instrument("cows")
    assessment = score(instrument, [4] + [0] * (len(instrument.items) - 1), rater="self", at=NOON)
    alerts = evaluate_assessment(replace(assessment, pulse_bpm=bpm), PERSON, RULES, zone=ZONE)
    for alert in alerts:
        if alert.rule_id == "pulse-resting-fast":
            assert alert.severity is Severity.URGENT
            assert f"{bpm:g} beats a minute" in alert.message
    return fired(alerts)


def test_a_cows_check_in_without_a_pulse_in_bpm_raises_no_pulse_alert() -> None:
    instrument = get_instrument("cows")
    assessment = score(instrument, [4] + [0] * (len(instrument.items) - 1), rater="self", at=NOON)
    assert "pulse-resting-fast" not in fired(evaluate_assessment(assessment, PERSON, RULES))


# ---------------------------------------------------------------------------------------------
# CYP3A inhibitors and inducers, QT-prolonging medicines, high-dose loperamide


def on(*medications: str) -> Profile:
    return Profile(
        timezone="America/New_York", pregnant=False, breastfeeding=False, medications=medications
    )


@pytest.mark.parametrize(
    "medication",
    ["clarithromycin", "ketoconazole", "itraconazole", "ritonavir", "grapefruit juice"],
)
def test_each_listed_cyp3a_inhibitor_raises_its_interaction(medication: str) -> None:
    alert = only(judge(dose("2g"), profile=on(medication)), "interaction-cyp3a-inhibitor")
    assert alert.severity is Severity.WARNING
    assert "CYP3A4" in alert.message
    assert "kamble-2019" in sources(alert)


@pytest.mark.parametrize("medication", ["rifampin", "carbamazepine", "St John's wort"])
def test_each_listed_cyp3a_inducer_raises_its_interaction(medication: str) -> None:
    alert = only(judge(dose("2g"), profile=on(medication)), "interaction-cyp3a-inducer")
    assert alert.severity is Severity.CAUTION
    assert "speeds up CYP3A4" in alert.message


def test_brand_and_other_names_find_the_cyp3a_medicines() -> None:
    for text, rule_id in (
        ("Paxlovid", "interaction-cyp3a-inhibitor"),
        ("Biaxin 500mg", "interaction-cyp3a-inhibitor"),
        ("rifampicin", "interaction-cyp3a-inducer"),
        ("Tegretol", "interaction-cyp3a-inducer"),
    ):
        assert rule_id in fired(judge(dose("2g"), profile=on(text))), text


def test_an_unrelated_medication_raises_no_cyp3a_or_qt_alert() -> None:
    assert judge(dose("2g"), profile=on("ibuprofen")) == []


@pytest.mark.parametrize(
    "medication",
    ["methadone", "citalopram", "escitalopram", "ondansetron", "haloperidol", "clarithromycin"],
)
def test_each_qt_prolonging_medicine_with_kratom_raises_the_qt_alert(medication: str) -> None:
    alert = only(judge(dose("2g"), profile=on(medication)), "interaction-qt-prolonging")
    assert "QT" in alert.message
    assert {e.strength for e in alert.evidence if e.source_id == "leong-abdullah-2021"} == {"low"}


def test_a_logged_methadone_dose_near_kratom_raises_the_qt_alert_once() -> None:
    methadone = took("methadone", "60mg", NOON - hours(3))
    first = only(judge(dose("2g"), [methadone]), "interaction-qt-prolonging")
    # Logged the other way round (methadone after the dose) it is the same finding.
    kratom = dose("2g", NOON - hours(3))
    after = only(judge(took("methadone", "60mg"), [kratom]), "interaction-qt-prolonging")
    assert first.key == after.key == "interaction-qt-prolonging/methadone"


def test_qt_medicine_logged_more_than_a_day_from_kratom_raises_no_qt_alert() -> None:
    methadone = took("methadone", "60mg", NOON - hours(25))
    assert "interaction-qt-prolonging" not in fired(judge(dose("2g"), [methadone]))


@pytest.mark.parametrize(
    ("amount", "fires"), [("16mg", False), ("18mg", True), ("9 tablets", True)]
)
def test_high_dose_loperamide_with_kratom_is_urgent_above_16_mg_a_day(
    amount: str, fires: bool
) -> None:
    loperamide = took("loperamide", amount, NOON - hours(2))
    alerts = judge(dose("2g"), [loperamide])
    assert ("combination-loperamide-high-dose" in fired(alerts)) is fires
    if fires:
        alert = only(alerts, "combination-loperamide-high-dose")
        assert alert.severity is Severity.URGENT
        assert "fda-2016-loperamide" in sources(alert)


def test_loperamide_doses_add_up_over_24_hours() -> None:
    earlier = [took("loperamide", "8mg", NOON - hours(h)) for h in (20, 10)]
    assert "combination-loperamide-high-dose" not in fired(judge(dose("2g"), earlier))
    more = [*earlier, took("loperamide", "4mg", NOON - hours(1))]  # 20 mg in 20 hours
    assert "combination-loperamide-high-dose" in fired(judge(dose("2g"), more))


# ---------------------------------------------------------------------------------------------
# Pregnancy with an opioid alone


PREGNANT = Profile(timezone="America/New_York", pregnant=True, breastfeeding=False)


def test_an_opioid_logged_alone_while_pregnant_raises_the_pregnancy_opioid_warning() -> None:
    alert = only(judge(took("oxycodone", "10mg"), profile=PREGNANT), "pregnancy-opioid")
    assert alert.severity is Severity.WARNING
    assert "oxycodone" in alert.message
    assert "acog-2017-opioids-pregnancy" in sources(alert)
    assert "do not stop it on your own" in alert.advice  # a prescription is not to be stopped


def test_an_opioid_while_not_pregnant_or_a_non_opioid_while_pregnant_raises_none() -> None:
    assert "pregnancy-opioid" not in fired(judge(took("oxycodone", "10mg")))
    assert "pregnancy-opioid" not in fired(judge(took("ibuprofen", "400mg"), profile=PREGNANT))


@pytest.mark.parametrize(("name", "amount"), [("buprenorphine", "8mg"), ("methadone", "60mg")])
def test_the_recommended_treatments_in_pregnancy_raise_no_pregnancy_opioid_warning(
    name: str, amount: str
) -> None:
    assert "pregnancy-opioid" not in fired(judge(took(name, amount), profile=PREGNANT))


# ---------------------------------------------------------------------------------------------
# Emergencies and the overdose guidance


def test_two_emergencies_in_the_same_second_each_get_their_guidance() -> None:
    seizure = felt("seizure", 3)
    chest = felt("chest pain", 3)
    first = judge(seizure)
    second = judge(chest, [seizure])
    a = only(first, "symptom-emergency")
    b = only(second, "symptom-emergency")
    assert a.at == b.at and a.key != b.key
    assert "seizure" in a.message.lower() and "chest pain" in b.message.lower()


def test_the_emergency_guidance_gives_the_overdose_steps() -> None:
    advice = only(judge(felt("trouble breathing", 3)), "symptom-emergency").advice
    for step in ("Call 911", "naloxone", "rescue breaths", "recovery position", "until help"):
        assert step in advice
    assert "samhsa-2018-overdose-toolkit" in {
        e.source_id for e in RULES.rule("symptom-emergency").evidence
    }
