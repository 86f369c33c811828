"""Scenario tests for the safety rules: one group per rule, both sides of every threshold.

Each test is named after the property it protects, in the domain's own words. Entries are
built the way the journal builds them: a product (generic or defined from a label), an amount
parsed from text, and the estimate the product gives for it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mitra.domain import symptoms as symptom_catalogue
from mitra.domain.alerts import Alert, Evidence, Severity, support_text
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry, SymptomEntry
from mitra.domain.instrument_defs import Assessment
from mitra.domain.products import Form, Product, define_product, estimate_dose, generic_products
from mitra.domain.profile import Profile
from mitra.domain.quantities import parse_amount
from mitra.domain.ruleset import (
    Ruleset,
    apply_settings,
    citation,
    load_ruleset,
    parse_settings,
    ruleset_from_toml,
    source_table,
)
from mitra.domain.safety import evaluate, evaluate_assessment
from mitra.domain.scoring import get_instrument, score
from mitra.domain.substances import resolve

ZONE = ZoneInfo("America/New_York")
RULES = load_ruleset()
# 14:00 local on a Tuesday: far from midnight, so local days are unambiguous.
NOON = datetime(2025, 3, 4, 14, 0, tzinfo=ZONE)
GENERIC = {product.form: product for product in generic_products()}
LEAF = GENERIC[Form.LEAF]
EXTRACT = GENERIC[Form.EXTRACT]
SEVEN_OH = GENERIC[Form.SEVEN_OH]
EXTRACT_45 = define_product("Gold 45% extract", Form.EXTRACT, mitragynine_pct=45)
# Someone who has answered the pregnancy questions, so that note does not clutter scenarios.
PERSON = Profile(timezone="America/New_York", pregnant=False, breastfeeding=False)

_ids = itertools.count(1)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def dose(amount: str, at: datetime = NOON, *, product: Product = LEAF) -> DoseEntry:
    parsed = parse_amount(amount)
    return DoseEntry(
        at=at,
        product_name=product.name,
        form=product.form,
        amount=parsed.value,
        unit=parsed.unit,
        estimate=estimate_dose(product, parsed),
        id=next(_ids),
    )


def took(name: str, amount: str, at: datetime = NOON) -> SubstanceEntry:
    substance = resolve(name)
    parsed = parse_amount(amount, default_unit=substance.default_unit)
    return SubstanceEntry(
        at=at,
        substance_id=substance.id,
        name=substance.name,
        substance_class=substance.substance_class,
        amount=parsed.value,
        unit=parsed.unit,
        id=next(_ids),
    )


def felt(name: str, severity: int, at: datetime = NOON) -> SymptomEntry:
    symptom = symptom_catalogue.resolve(name)
    return SymptomEntry(at=at, symptom_id=symptom.id, severity=severity, id=next(_ids))


def judge(
    new: Entry,
    history: Sequence[Entry] = (),
    profile: Profile = PERSON,
    *,
    assessments: Sequence[Assessment] = (),
    ruleset: Ruleset = RULES,
) -> list[Alert]:
    return evaluate(history, new, profile, ruleset, assessments=assessments)


def fired(alerts: Sequence[Alert]) -> set[str]:
    return {alert.rule_id for alert in alerts}


def only(alerts: Sequence[Alert], rule_id: str) -> Alert:
    matching = [alert for alert in alerts if alert.rule_id == rule_id]
    assert len(matching) == 1, f"expected one {rule_id}, got {fired(alerts)}"
    return matching[0]


def sources(alert: Alert) -> set[str]:
    return {evidence.source_id for evidence in alert.evidence}


# ---------------------------------------------------------------------------------------------
# Per-dose mitragynine, judged on the high end of the estimate


def test_one_gram_of_45_percent_extract_raises_the_per_dose_warning() -> None:
    """At its most serious tier: the urgent hard limit, which supersedes the plain warning."""
    alerts = judge(dose("1g", product=EXTRACT_45))
    assert min(a.severity for a in alerts if a.rule_id.startswith("dose-")) >= Severity.WARNING
    alert = only(alerts, "dose-mitragynine-hard-limit")
    assert alert.severity is Severity.URGENT
    assert "562 mg" in alert.message  # 450 mg/g widened by the 25% label margin
    assert "dose-mitragynine-high" not in fired(alerts)  # superseded: one alert per finding
    assert "sharma-2025" in sources(alert)


def test_one_gram_of_generic_extract_raises_the_per_dose_hard_limit() -> None:
    alert = only(judge(dose("1g", product=EXTRACT)), "dose-mitragynine-hard-limit")
    assert "600 mg" in alert.message
    assert "uncertain" in alert.message  # 50-600 mg: the wide range is explained


def test_a_fifth_of_a_gram_of_45_percent_extract_raises_the_per_dose_warning() -> None:
    alerts = judge(dose("0.2g", product=EXTRACT_45))  # high end 112.5 mg
    assert only(alerts, "dose-mitragynine-high").severity is Severity.WARNING
    assert "dose-mitragynine-hard-limit" not in fired(alerts)


@pytest.mark.parametrize("amount", ["2g", "3g", "4g"])
def test_a_typical_dose_of_generic_leaf_raises_no_dose_alert(amount: str) -> None:
    alerts = judge(dose(amount))  # at most 4 x 19.5 = 78 mg on the high end
    assert not fired(alerts) & {"dose-mitragynine-high", "dose-mitragynine-hard-limit"}


def test_three_grams_of_generic_leaf_does_not() -> None:
    assert judge(dose("3g")) == []


def test_the_per_dose_warning_is_judged_on_the_high_end_not_the_typical_value() -> None:
    new = dose("5.5g")  # typical 82.5 mg (under 100), high end 107 mg (over)
    assert new.estimate.mitragynine_mg.typical < 100 < new.estimate.mitragynine_mg.high
    assert "dose-mitragynine-high" in fired(judge(new))


def test_five_capsules_of_unstated_fill_stay_under_the_per_dose_warning() -> None:
    # 5 capsules of up to 1 g of the strongest analysed leaf: 5 x 19.5 = 97.5 mg, under 100.
    assert "dose-mitragynine-high" not in fired(
        judge(dose("5 caps", product=GENERIC[Form.CAPSULE]))
    )


def test_the_hard_limit_is_a_hard_limit_in_the_data() -> None:
    assert RULES.rule("dose-mitragynine-hard-limit").hard_limit
    assert RULES.rule("dose-mitragynine-hard-limit").value("max_mg") == 250
    assert RULES.rule("dose-mitragynine-high").value("max_mg") == 100


# ---------------------------------------------------------------------------------------------
# The source article's own extract rule, kept and labelled


def test_more_than_three_grams_of_extract_raises_the_source_article_rule_labelled_as_such() -> None:
    alert = only(judge(dose("3.5g", product=EXTRACT)), "source-article-extract-3g")
    assert {e.strength for e in alert.evidence} >= {"source-article"}
    assert "source-article" in sources(alert)
    assert "article" in alert.message


def test_exactly_three_grams_of_extract_does_not_raise_the_source_article_rule() -> None:
    alerts = judge(dose("3g", product=EXTRACT))
    assert "source-article-extract-3g" not in fired(alerts)
    assert "dose-mitragynine-hard-limit" in fired(alerts)  # the evidence-based rule still does


def test_the_source_article_rule_is_about_extract_not_leaf() -> None:
    assert "source-article-extract-3g" not in fired(judge(dose("5g")))


# ---------------------------------------------------------------------------------------------
# 7-OH products


def test_any_dose_of_a_7oh_product_raises_a_warning() -> None:
    alert = only(judge(dose("0.1g", product=SEVEN_OH)), "seven-oh-product")
    assert alert.severity is Severity.WARNING
    assert "fda-2025-7oh" in sources(alert)


def test_leaf_does_not_raise_the_7oh_rule() -> None:
    assert "seven-oh-product" not in fired(judge(dose("4g")))


# ---------------------------------------------------------------------------------------------
# Rolling 24 hours: total, count and spacing


def test_sixteen_grams_of_leaf_in_24_hours_raises_the_daily_total_warning() -> None:
    history = [dose("4g", NOON - hours(h)) for h in (4, 9, 14)]
    alert = only(judge(dose("4g"), history), "daily-mitragynine-high")  # 4 x 78 = 312 mg
    assert alert.severity is Severity.WARNING
    assert len(alert.entry_ids) == 4


def test_twelve_grams_of_leaf_in_24_hours_does_not_raise_the_daily_total() -> None:
    history = [dose("4g", NOON - hours(h)) for h in (5, 10)]
    assert "daily-mitragynine-high" not in fired(judge(dose("4g"), history))


def test_doses_older_than_24_hours_do_not_count_toward_the_daily_total() -> None:
    history = [dose("4g", NOON - hours(h)) for h in (5, 10, 24.5)]
    assert "daily-mitragynine-high" not in fired(judge(dose("4g"), history))


def test_a_fourth_dose_in_24_hours_raises_the_frequency_caution() -> None:
    history = [dose("2g", NOON - hours(h)) for h in (4, 8, 12)]
    alert = only(judge(dose("2g"), history), "doses-per-day-high")
    assert alert.severity is Severity.CAUTION
    assert {"rogers-2024", "singh-2014"} <= sources(alert)


def test_three_doses_in_24_hours_do_not_raise_the_frequency_caution() -> None:
    history = [dose("2g", NOON - hours(h)) for h in (6, 12)]
    assert "doses-per-day-high" not in fired(judge(dose("2g"), history))


def test_a_steady_three_a_day_pattern_with_wobbling_times_is_not_counted_as_four() -> None:
    # Yesterday's evening dose came 40 minutes later than today's: inside a rolling 24 h.
    history = [dose("2g", NOON - hours(h)) for h in (23.3, 13, 7)]
    assert "doses-per-day-high" not in fired(judge(dose("2g"), history))


def test_four_doses_six_hours_apart_raise_the_frequency_caution() -> None:
    history = [dose("2g", NOON - hours(h)) for h in (6, 12, 18)]
    assert "doses-per-day-high" in fired(judge(dose("2g"), history))


def test_a_dose_ninety_minutes_after_the_last_raises_the_interval_caution() -> None:
    before = dose("2g", NOON - hours(1.5))
    alert = only(judge(dose("2g"), [before]), "dose-interval-short")
    assert "90 minutes" in alert.message
    assert set(alert.entry_ids) == {before.id, alert.entry_ids[-1]}


def test_a_dose_two_hours_after_the_last_does_not_raise_the_interval_caution() -> None:
    assert "dose-interval-short" not in fired(judge(dose("2g"), [dose("2g", NOON - hours(2))]))


def test_a_backfilled_dose_is_judged_as_of_when_it_happened() -> None:
    later = [dose("2g", NOON + hours(h)) for h in (1, 2, 3, 4)]
    alerts = judge(dose("2g"), later)  # logged after the fact; the later doses did not exist yet
    assert not fired(alerts) & {"doses-per-day-high", "dose-interval-short"}
    earlier = [dose("2g", NOON - hours(h)) for h in (1, 2, 3, 4)]
    assert {"doses-per-day-high", "dose-interval-short"} <= fired(judge(dose("2g"), earlier))


# ---------------------------------------------------------------------------------------------
# Escalation week on week


def weeks(last_per_day: int, prior_per_day: int, amount: str = "2g") -> list[DoseEntry]:
    """Doses every 3 hours from the new dose's time back, day by day, for two weeks."""
    history = []
    for day in range(14):
        per_day = last_per_day if day < 7 else prior_per_day
        for slot in range(per_day):
            if day == 0 and slot == 0:
                continue  # the new dose itself
            history.append(dose(amount, NOON - timedelta(days=day, hours=3 * slot)))
    return history


def test_a_fifty_percent_weekly_rise_raises_the_escalation_caution() -> None:
    alert = only(judge(dose("2g"), weeks(3, 2)), "escalation-weekly")
    assert alert.severity is Severity.CAUTION
    assert "50%" in alert.message


def test_a_steady_week_does_not_raise_the_escalation_caution() -> None:
    assert "escalation-weekly" not in fired(judge(dose("2g"), weeks(3, 3)))


def test_a_twenty_percent_rise_is_below_the_escalation_threshold() -> None:
    history = weeks(6, 5)  # 6 vs 5 doses a day: a 20% rise
    assert "escalation-weekly" not in fired(judge(dose("2g"), history))


def test_escalation_needs_doses_in_both_weeks() -> None:
    assert "escalation-weekly" not in fired(judge(dose("2g"), weeks(3, 0)))


# ---------------------------------------------------------------------------------------------
# Combinations within a window on either side


def test_alprazolam_two_hours_before_kratom_raises_a_combination_warning() -> None:
    xanax = took("xanax", "1mg", NOON - hours(2))
    alert = only(judge(dose("3g"), [xanax]), "combination-benzodiazepine")
    assert alert.severity is Severity.WARNING
    assert "alprazolam" in alert.message
    assert xanax.id in alert.entry_ids
    assert "post-2019" in sources(alert)


def test_alprazolam_logged_after_kratom_raises_the_same_warning() -> None:
    kratom = dose("3g", NOON - hours(3))
    assert "combination-benzodiazepine" in fired(judge(took("alprazolam", "1mg"), [kratom]))
    # and a dose judged with a benzodiazepine taken later that evening
    later = took("alprazolam", "1mg", NOON + hours(5))
    assert "combination-benzodiazepine" in fired(judge(dose("3g"), [later]))


def test_alprazolam_thirteen_hours_away_is_outside_the_combination_window() -> None:
    far = took("alprazolam", "1mg", NOON - hours(13))
    assert "combination-benzodiazepine" not in fired(judge(dose("3g"), [far]))


def test_fentanyl_with_kratom_is_urgent_even_twenty_hours_apart() -> None:
    alert = only(
        judge(dose("3g"), [took("fent", "1 pill", NOON - hours(20))]), "combination-fentanyl"
    )
    assert alert.severity is Severity.URGENT
    assert "naloxone" in alert.advice.lower()


def test_fentanyl_more_than_a_day_away_does_not_raise_the_fentanyl_rule() -> None:
    far = took("fentanyl", "1 pill", NOON - hours(25))
    assert "combination-fentanyl" not in fired(judge(dose("3g"), [far]))


def test_heroin_is_judged_with_fentanyl_because_it_often_contains_it() -> None:
    alerts = judge(dose("3g"), [took("heroin", "0.1g", NOON - hours(1))])
    assert "combination-fentanyl" in fired(alerts)
    assert "combination-opioid" not in fired(alerts)


def test_oxycodone_with_kratom_raises_the_opioid_warning_not_the_fentanyl_one() -> None:
    alerts = judge(dose("3g"), [took("oxy", "30mg", NOON - hours(1))])
    assert only(alerts, "combination-opioid").severity is Severity.WARNING
    assert "combination-fentanyl" not in fired(alerts)


def test_buprenorphine_with_kratom_advises_telling_the_prescriber_not_stopping() -> None:
    alert = only(
        judge(dose("3g"), [took("suboxone", "8mg", NOON - hours(1))]), "combination-opioid"
    )
    assert "do not stop it" in alert.advice


@pytest.mark.parametrize(
    ("name", "amount", "rule_id", "severity"),
    [
        ("beer", "3 drinks", "combination-alcohol", Severity.WARNING),
        ("gabapentin", "300mg", "combination-gabapentinoid", Severity.WARNING),
        ("seroquel", "50mg", "combination-sedative", Severity.WARNING),
        ("ambien", "10mg", "combination-sedative", Severity.WARNING),
        ("cocaine", "0.1g", "combination-stimulant", Severity.CAUTION),
    ],
)
def test_each_class_combined_with_kratom_raises_its_rule_inside_the_window_only(
    name: str, amount: str, rule_id: str, severity: Severity
) -> None:
    inside = judge(dose("3g"), [took(name, amount, NOON - hours(11))])
    assert only(inside, rule_id).severity is severity
    outside = judge(dose("3g"), [took(name, amount, NOON - hours(12.5))])
    assert rule_id not in fired(outside)


def test_a_medication_without_a_combination_rule_raises_none() -> None:
    alerts = judge(dose("3g"), [took("ibuprofen", "400mg", NOON - hours(1))])
    assert not any(rule_id.startswith("combination-") for rule_id in fired(alerts))


# ---------------------------------------------------------------------------------------------
# The person's listed medications


def test_listed_quetiapine_raises_an_interaction_warning_citing_tanna_and_the_fatal_case() -> None:
    alerts = judge(
        dose("2g"),
        profile=Profile(pregnant=False, breastfeeding=False, medications=("Seroquel 100mg",)),
    )
    alert = only(alerts, "interaction-medication")
    assert alert.severity is Severity.WARNING
    assert "quetiapine" in alert.message and "CYP3A4" in alert.message
    assert {"tanna-2023", "hughes-2019"} <= sources(alert)


def test_listed_fluoxetine_mentions_that_the_cyp2d6_effect_is_uncertain() -> None:
    profile = Profile(pregnant=False, breastfeeding=False, medications=("fluoxetine",))
    alert = only(judge(dose("2g"), profile=profile), "interaction-medication")
    assert "CYP2D6" in alert.message and "uncertain" in alert.message


def test_sertraline_is_not_said_to_be_broken_down_by_cyp2d6() -> None:
    # Sertraline is broken down mainly by CYP2B6 and CYP2C19; it slows CYP2D6 rather than
    # depending on it, so the CYP2D6 reason must not be given for it.
    profile = Profile(pregnant=False, breastfeeding=False, medications=("sertraline",))
    assert "interaction-medication" not in fired(judge(dose("2g"), profile=profile))


def test_listed_ibuprofen_raises_no_interaction() -> None:
    profile = Profile(pregnant=False, breastfeeding=False, medications=("ibuprofen",))
    assert judge(dose("2g"), profile=profile) == []


def test_a_listed_medication_mitra_does_not_know_is_reported_as_unchecked() -> None:
    profile = Profile(pregnant=False, breastfeeding=False, medications=("zzz-unknown-pill",))
    alert = only(judge(dose("2g"), profile=profile), "interaction-medication-unknown")
    assert alert.severity is Severity.INFO
    assert alert.key == "interaction-medication-unknown/zzz-unknown-pill"  # shown once, ever


# ---------------------------------------------------------------------------------------------
# Pregnancy and breastfeeding


def test_kratom_in_pregnancy_raises_a_warning_citing_neonatal_withdrawal() -> None:
    alert = only(judge(dose("2g"), profile=Profile(pregnant=True)), "pregnancy")
    assert alert.severity is Severity.WARNING
    assert "eldridge-2018" in sources(alert)


def test_not_pregnant_raises_no_pregnancy_warning() -> None:
    assert "pregnancy" not in fired(judge(dose("2g")))


def test_kratom_while_breastfeeding_raises_a_warning_that_says_evidence_is_lacking() -> None:
    alert = only(
        judge(dose("2g"), profile=Profile(pregnant=False, breastfeeding=True)), "breastfeeding"
    )
    assert "not been studied" in alert.message


def test_unknown_pregnancy_status_is_asked_about_once_not_assumed_no() -> None:
    alert = only(judge(dose("2g"), profile=Profile()), "pregnancy-status-unknown")
    assert alert.severity is Severity.INFO
    assert alert.key == "pregnancy-status-unknown/profile"


# ---------------------------------------------------------------------------------------------
# Red-flag symptoms


@pytest.mark.parametrize(
    "name", ["jaundice", "dark urine", "pale stool", "itching", "abdominal pain"]
)
def test_signs_of_liver_injury_are_urgent(name: str) -> None:
    alert = only(judge(felt(name, 1)), "symptom-liver-injury")
    assert alert.severity is Severity.URGENT
    assert "today" in alert.advice and "Stop kratom" in alert.advice
    assert {"ahmad-2021", "schimmel-dart-2020"} <= sources(alert)


def test_jaundice_is_urgent() -> None:
    assert only(judge(felt("yellow eyes", 2)), "symptom-liver-injury").severity is Severity.URGENT


def test_a_symptom_reported_at_severity_zero_is_not_a_red_flag() -> None:
    assert judge(felt("jaundice", 0)) == []


def test_suicidal_thoughts_are_an_emergency_with_988() -> None:
    alert = only(judge(felt("suicidal", 1)), "symptom-suicidal-thoughts")
    assert alert.severity is Severity.EMERGENCY
    assert "988" in alert.title and "988" in alert.advice and "911" in alert.advice


@pytest.mark.parametrize(
    "name", ["seizure", "trouble breathing", "chest pain", "fainting", "confusion"]
)
def test_emergency_symptoms_say_call_911(name: str) -> None:
    alert = only(judge(felt(name, 1)), "symptom-emergency")
    assert alert.severity is Severity.EMERGENCY
    assert "911" in alert.title + alert.advice
    assert "naloxone" in alert.advice


def test_a_severe_allergic_reaction_is_an_emergency_but_a_mild_one_is_not() -> None:
    assert only(judge(felt("allergic reaction", 3)), "symptom-emergency")
    assert judge(felt("allergic reaction", 2)) == []


def test_naloxone_is_named_when_an_opioid_was_logged_in_the_last_day() -> None:
    history = [took("fentanyl", "1 pill", NOON - hours(6))]
    alert = only(judge(felt("trouble breathing", 2), history), "symptom-emergency")
    assert "You logged fentanyl" in alert.message and "naloxone" in alert.message
    assert history[0].id in alert.entry_ids


def test_a_7oh_product_counts_as_an_opioid_for_the_naloxone_note() -> None:
    history = [dose("0.1g", NOON - hours(2), product=SEVEN_OH)]
    alert = only(judge(felt("fainting", 1), history), "symptom-emergency")
    assert "7-OH" in alert.message


def test_no_opioid_note_when_the_opioid_was_more_than_a_day_ago() -> None:
    history = [took("fentanyl", "1 pill", NOON - hours(30))]
    alert = only(judge(felt("seizure", 1), history), "symptom-emergency")
    assert "You logged" not in alert.message


def test_each_emergency_report_is_its_own_alert() -> None:
    first = only(judge(felt("seizure", 1)), "symptom-emergency")
    second = only(judge(felt("seizure", 1, NOON + hours(1))), "symptom-emergency")
    assert first.key != second.key


def test_severe_dehydration_is_urgent() -> None:
    alert = only(judge(felt("severe dehydration", 1)), "symptom-dehydration")
    assert alert.severity is Severity.URGENT


def test_an_ordinary_withdrawal_symptom_raises_nothing() -> None:
    assert judge(felt("yawning", 3)) == []


# ---------------------------------------------------------------------------------------------
# Side effects in context


def test_hair_loss_gets_information_that_no_evidence_links_it_to_kratom() -> None:
    alert = only(judge(felt("hair loss", 1)), "side-effect-hair-loss")
    assert alert.severity is Severity.INFO
    assert "no peer-reviewed" in alert.message
    assert "thyroid" in alert.advice


def test_insomnia_after_a_nine_pm_dose_raises_a_caution() -> None:
    evening = dose("3g", NOON.replace(hour=21) - timedelta(days=1))
    morning_report = felt("insomnia", 2, NOON.replace(hour=7))
    alert = only(judge(morning_report, [evening]), "insomnia-evening-dose")
    assert alert.severity is Severity.CAUTION
    assert "21:00" in alert.message and "18:00" in alert.message
    assert evening.id in alert.entry_ids


def test_insomnia_after_a_dose_past_midnight_raises_the_caution() -> None:
    late = dose("3g", NOON.replace(hour=1, minute=30))
    assert "insomnia-evening-dose" in fired(
        judge(felt("insomnia", 1, NOON.replace(hour=8)), [late])
    )


def test_insomnia_after_only_daytime_doses_raises_nothing() -> None:
    doses = [dose("3g", NOON.replace(hour=h) - timedelta(days=1)) for h in (8, 13, 17)]
    assert judge(felt("insomnia", 2, NOON.replace(hour=7)), doses) == []


def test_evening_is_judged_in_the_persons_own_time_zone() -> None:
    # 21:30 UTC is evening in London but 16:30 in New York, where this person lives.
    utc_evening = dose("3g", datetime(2025, 3, 4, 21, 30, tzinfo=ZoneInfo("UTC")))
    report = felt("insomnia", 2, NOON.replace(hour=23))
    assert judge(report, [utc_evening]) == []


# ---------------------------------------------------------------------------------------------
# Check-ins


def cows(answers: list[int], at: datetime = NOON) -> Assessment:
    return score(get_instrument("cows"), answers, rater="self", at=at)


SEVERE_COWS = [4, 4, 5, 5, 4, 0, 3, 0, 0, 0, 0]  # 25: moderately severe
MODERATE_COWS = [4, 4, 5, 5, 4, 0, 2, 0, 0, 0, 0]  # 24: moderate
MILD_COWS = [4, 4, 3, 1, 0, 0, 0, 0, 0, 0, 0]  # 12: mild


def test_a_cows_of_25_raises_a_warning_to_contact_a_clinician_about_buprenorphine() -> None:
    alerts = evaluate_assessment(cows(SEVERE_COWS), PERSON, RULES)
    alert = only(alerts, "withdrawal-cows-severe")
    assert alert.severity is Severity.WARNING
    assert "buprenorphine or methadone" in alert.advice
    assert {"wesson-ling-2003", "ca-bridge", "elsevier-opioid-withdrawal"} <= sources(alert)
    assert "withdrawal-cows-moderate" not in fired(alerts)  # superseded


def test_a_cows_of_24_is_moderate_information_not_the_warning() -> None:
    alerts = evaluate_assessment(cows(MODERATE_COWS), PERSON, RULES)
    assert fired(alerts) == {"withdrawal-cows-moderate"}
    assert alerts[0].severity is Severity.INFO


def test_a_mild_cows_raises_nothing() -> None:
    assert evaluate_assessment(cows(MILD_COWS), PERSON, RULES) == []


def test_a_positive_phq2_raises_a_caution_with_988() -> None:
    phq2 = score(get_instrument("phq2"), [2, 1], rater="self", at=NOON)
    alert = only(evaluate_assessment(phq2, PERSON, RULES), "screen-phq2-positive")
    assert "988" in alert.advice
    negative = score(get_instrument("phq2"), [1, 1], rater="self", at=NOON)
    assert evaluate_assessment(negative, PERSON, RULES) == []


def test_a_positive_gad2_raises_information() -> None:
    gad2 = score(get_instrument("gad2"), [2, 2], rater="self", at=NOON)
    assert only(evaluate_assessment(gad2, PERSON, RULES), "screen-gad2-positive")


def test_a_recent_severe_check_in_is_shown_again_under_the_same_key_with_a_new_entry() -> None:
    check_in = cows(SEVERE_COWS, NOON - hours(3))
    first = only(evaluate_assessment(check_in, PERSON, RULES), "withdrawal-cows-severe")
    again = only(judge(dose("2g"), assessments=[check_in]), "withdrawal-cows-severe")
    assert again.key == first.key
    stale = cows(SEVERE_COWS, NOON - hours(30))
    assert "withdrawal-cows-severe" not in fired(judge(dose("2g"), assessments=[stale]))


# ---------------------------------------------------------------------------------------------
# Clinician settings


def test_hard_limit_cannot_be_loosened_by_settings() -> None:
    changed, errors = apply_settings(RULES, {"dose-mitragynine-hard-limit": {"max_mg": 400}})
    assert changed.rule("dose-mitragynine-hard-limit").value("max_mg") == 250
    assert len(errors) == 1 and "hard limit" in errors[0] and "lowered" in errors[0]


def test_a_combination_window_may_only_be_widened() -> None:
    changed, errors = apply_settings(RULES, {"combination-opioid": {"window_hours": 6}})
    assert changed.rule("combination-opioid").value("window_hours") == 12
    assert errors and "raised" in errors[0]
    wider, errors = apply_settings(RULES, {"combination-opioid": {"window_hours": 24}})
    assert errors == [] and wider.rule("combination-opioid").value("window_hours") == 24


def test_a_widened_combination_window_reaches_further_back_and_ahead() -> None:
    wider, errors = apply_settings(RULES, {"combination-benzodiazepine": {"window_hours": 48}})
    assert errors == []
    before, after = took("xanax", "1mg", NOON - hours(40)), took("xanax", "1mg", NOON + hours(40))
    for other in (before, after):
        assert "combination-benzodiazepine" in fired(judge(dose("3g"), [other], ruleset=wider))
        assert "combination-benzodiazepine" not in fired(judge(dose("3g"), [other]))


def test_tightening_a_threshold_is_accepted() -> None:
    tighter, errors = apply_settings(RULES, {"dose-mitragynine-high": {"max_mg": 50}})
    assert errors == []
    assert "dose-mitragynine-high" in fired(judge(dose("3g"), ruleset=tighter))  # 58.5 > 50
    assert "dose-mitragynine-high" not in fired(judge(dose("3g")))
    assert RULES.rule("dose-mitragynine-high").value("max_mg") == 100  # the original is untouched


def test_tightening_a_hard_limit_is_accepted() -> None:
    tighter, errors = apply_settings(RULES, {"dose-mitragynine-hard-limit": {"max_mg": 150}})
    assert errors == []
    assert "dose-mitragynine-hard-limit" in fired(
        judge(dose("0.3g", product=EXTRACT_45), ruleset=tighter)
    )


def test_a_threshold_of_a_rule_that_is_not_a_hard_limit_may_be_loosened() -> None:
    looser, errors = apply_settings(RULES, {"doses-per-day-high": {"max_doses": 5}})
    assert errors == [] and looser.rule("doses-per-day-high").value("max_doses") == 5


def test_unknown_rules_thresholds_and_values_are_refused_with_messages() -> None:
    overrides = {
        "no-such-rule": {"max_mg": 1},
        "dose-mitragynine-high": {"max_grams": 1, "max_mg": "a lot"},
        "doses-per-day-high": {"max_doses": 500},
    }
    changed, errors = apply_settings(RULES, overrides)  # type: ignore[arg-type]
    assert changed == RULES
    assert len(errors) == 4
    assert any("unknown rule 'no-such-rule'" in e for e in errors)
    assert any("no threshold 'max_grams'" in e for e in errors)
    assert any("must be a number" in e for e in errors)
    assert any("outside the accepted range" in e for e in errors)


def test_a_settings_file_is_read_as_one_table_per_rule() -> None:
    overrides, errors = parse_settings("[dose-mitragynine-high]\nmax_mg = 80\n")
    assert errors == [] and overrides == {"dose-mitragynine-high": {"max_mg": 80}}
    assert parse_settings("not = [toml")[1]


# ---------------------------------------------------------------------------------------------
# The ruleset as reviewed data


def test_every_rule_cites_a_known_source_with_an_honest_strength() -> None:
    for rule in RULES.rules:
        assert rule.evidence, rule.id
        for evidence in rule.evidence:
            assert evidence.citation == citation(evidence.source_id)
            assert evidence.strength and evidence.claim


def test_every_threshold_says_why_and_which_way_is_tighter() -> None:
    for rule in RULES.rules:
        assert rule.why.strip(), rule.id
        for threshold in rule.thresholds:
            assert threshold.why.strip() and threshold.unit and threshold.tighter


def test_sources_resolve_in_either_source_file_and_no_id_is_in_both() -> None:
    table = source_table()
    assert "sharma-2025" in table and "tanna-2023" in table


def test_severity_is_ordered_by_seriousness_not_alphabetically() -> None:
    assert (
        Severity.INFO < Severity.CAUTION < Severity.WARNING < Severity.URGENT < Severity.EMERGENCY
    )
    assert max(Severity) is Severity.EMERGENCY and Severity.EMERGENCY.rank == 4
    assert Severity.INFO < "caution"  # a severity's name compares by rank, not alphabetically
    with pytest.raises(TypeError):
        assert Severity.INFO < "loud"


def test_support_offers_every_evidence_based_option_and_crisis_line() -> None:
    text = support_text()
    for needle in (
        "Buprenorphine",
        "methadone",
        "Naltrexone",
        "Lofexidine",
        "Naloxone",
        "988",
        "1-800-662-4357",
        "911",
    ):
        assert needle in text
    alert = judge(felt("seizure", 1))[0]
    assert text in alert.text()


def test_an_alert_without_evidence_cannot_exist() -> None:
    with pytest.raises(ValueError, match="no evidence"):
        Alert("x", Severity.INFO, "t", "m", "a", (), (), NOON, "k")
    assert Evidence("a", "b", "c", "d")


def rules_text() -> str:
    from importlib import resources

    return resources.files("mitra.data").joinpath("rules.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('source = "sharma-2025"', 'source = "nobody-2099"', "not in sources.toml"),
        ("{mitragynine_high_mg} mg of mitragynine, more", "{made_up} mg, more", "placeholder"),
        ('severity = "warning"', 'severity = "scary"', "severity"),
        ('id = "escalation-weekly"', 'id = "escalation-monthly"', "missing"),
    ],
)
def test_a_broken_ruleset_is_refused_naming_the_problem(old: str, new: str, problem: str) -> None:
    text = rules_text()
    assert old in text
    with pytest.raises(ValueError, match=problem):
        ruleset_from_toml(text.replace(old, new, 1))


def test_a_listed_medication_interaction_is_raised_once_not_every_day() -> None:
    person = Profile(
        timezone="America/New_York",
        pregnant=False,
        breastfeeding=False,
        medications=("quetiapine",),
    )
    first = [a for a in judge(dose("2g"), profile=person) if a.rule_id == "interaction-medication"]
    later = [
        a
        for a in judge(dose("2g", NOON + timedelta(days=3)), profile=person)
        if a.rule_id == "interaction-medication"
    ]
    assert first and later and first[0].key == later[0].key


def test_insomnia_after_evening_doses_is_raised_once_a_week() -> None:
    monday = datetime(2025, 3, 3, 8, 0, tzinfo=ZONE)
    keys = set()
    for day in range(3):
        evening = dose("2g", monday + timedelta(days=day, hours=13))
        report = felt("insomnia", 2, monday + timedelta(days=day + 1))
        keys |= {a.key for a in judge(report, [evening]) if a.rule_id == "insomnia-evening-dose"}
    assert len(keys) == 1
