"""Substance and symptom catalogues: names people use map to stable ids and classes."""

from __future__ import annotations

import pytest

from mitra.domain import substances, symptoms
from mitra.domain.catalogue_data import source_ids
from mitra.domain.entries import SubstanceEntry, daily_mme
from mitra.domain.errors import InputError
from mitra.domain.quantities import parse_amount
from mitra.domain.substances import Route, SubstanceClass


@pytest.mark.parametrize(
    ("name", "substance_id", "cls"),
    [
        ("alprazolam", "alprazolam", SubstanceClass.BENZODIAZEPINE),
        ("Xanax", "alprazolam", SubstanceClass.BENZODIAZEPINE),
        ("oxy", "oxycodone", SubstanceClass.OPIOID),
        ("fent", "fentanyl", SubstanceClass.OPIOID),
        ("heroin", "heroin", SubstanceClass.OPIOID),
        ("dope", "heroin", SubstanceClass.OPIOID),
        ("methadone", "methadone", SubstanceClass.OPIOID),
        ("Suboxone", "buprenorphine", SubstanceClass.OPIOID),
        ("gabapentin", "gabapentin", SubstanceClass.GABAPENTINOID),
        ("lyrica", "pregabalin", SubstanceClass.GABAPENTINOID),
        ("coke", "cocaine", SubstanceClass.STIMULANT),
        ("meth", "methamphetamine", SubstanceClass.STIMULANT),
        ("beer", "alcohol", SubstanceClass.ALCOHOL),
        ("narcan", "naloxone", SubstanceClass.MEDICATION),
        ("OxyContin", "oxycodone-er", SubstanceClass.OPIOID),
        ("ms contin", "morphine-er", SubstanceClass.OPIOID),
    ],
)
def test_generic_brand_and_street_names_map_to_one_substance_and_class(
    name: str, substance_id: str, cls: SubstanceClass
) -> None:
    found = substances.resolve(name)
    assert (found.id, found.substance_class) == (substance_id, cls)


def test_an_unknown_substance_is_kept_as_other_not_refused() -> None:
    found = substances.resolve("Mystery Pill")
    assert found.substance_class is SubstanceClass.OTHER
    assert found.name == "Mystery Pill"


@pytest.mark.parametrize(
    ("name", "amount", "route", "mme"),
    [
        ("oxycodone", "30mg", None, 45.0),
        ("oxycodone", "30mg", "oral", 45.0),
        ("hydromorphone", "4mg", None, 20.0),
        ("methadone", "10mg", None, 47.0),
        ("tramadol", "50mg", None, 10.0),
        ("codeine", "30mg", None, 4.5),
        ("fentanyl", "25 mcg/h", "transdermal", 60.0),
        ("fentanyl", "100 mcg", "smoked", None),
        ("heroin", "100mg", "injected", None),
        ("buprenorphine", "8mg", "sublingual", None),
        ("oxycodone", "30mg", "intranasal", None),
        ("oxycodone", "2 tablets", None, None),
    ],
)
def test_mme_uses_cdc_2022_factors_only_where_they_apply(
    name: str, amount: str, route: str | None, mme: float | None
) -> None:
    substance = substances.resolve(name)
    value = substances.entry_mme(substance, parse_amount(amount), substances.parse_route(route))
    assert value == (pytest.approx(mme) if mme is not None else None)


def test_daily_mme_sums_the_days_opioid_uses() -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 1, 1, tzinfo=UTC)
    uses = [
        SubstanceEntry(
            at, "oxycodone", "oxycodone", SubstanceClass.OPIOID, 30, "milligram", Route.ORAL, 45.0
        ),
        SubstanceEntry(at, "heroin", "heroin", SubstanceClass.OPIOID, 1, "capsule", None, None),
        SubstanceEntry(
            at, "oxycodone", "oxycodone", SubstanceClass.OPIOID, 10, "milligram", None, 15.0
        ),
    ]
    assert daily_mme(uses) == pytest.approx(60.0)
    assert daily_mme(uses[1:2]) is None


def test_alcohol_is_logged_in_standard_drinks() -> None:
    alcohol = substances.resolve("alcohol")
    with pytest.raises(InputError, match="standard drinks"):
        substances.check_amount(alcohol, parse_amount("500 ml"))
    substances.check_amount(alcohol, parse_amount("3 drinks"))


REQUIRED_SYMPTOMS = [
    "nausea",
    "vomiting",
    "diarrhea",
    "muscle-aches",
    "anxiety",
    "depression",
    "insomnia",
    "craving",
    "hair-loss",
    "allergic-reaction",
    "constipation",
    "sweating",
    "runny-nose",
    "yawning",
    "restlessness",
    "tremor",
    "jaundice",
    "dark-urine",
    "pale-stool",
    "itching",
    "abdominal-pain",
    "seizure",
    "trouble-breathing",
    "chest-pain",
    "fainting",
    "confusion",
    "suicidal-thoughts",
    "severe-dehydration",
]


def test_the_symptom_catalogue_covers_the_source_article_and_the_red_flags() -> None:
    ids = {s.id for s in symptoms.catalogue()}
    assert set(REQUIRED_SYMPTOMS) <= ids
    assert len(ids) == len(symptoms.catalogue())  # ids are unique


@pytest.mark.parametrize(
    ("symptom_id", "level"),
    [
        ("seizure", "emergency"),
        ("trouble-breathing", "emergency"),
        ("chest-pain", "emergency"),
        ("fainting", "emergency"),
        ("confusion", "emergency"),
        ("suicidal-thoughts", "emergency"),
        ("jaundice", "urgent"),
        ("dark-urine", "urgent"),
        ("pale-stool", "urgent"),
        ("itching", "urgent"),
        ("abdominal-pain", "urgent"),
        ("severe-dehydration", "urgent"),
    ],
)
def test_red_flag_symptoms_carry_their_level(symptom_id: str, level: str) -> None:
    symptom = symptoms.resolve(symptom_id)
    assert symptom.red_flag_level == level
    assert symptoms.is_red_flag(symptom, 1)


def test_a_severe_allergic_reaction_is_a_red_flag_but_a_mild_one_is_not() -> None:
    allergy = symptoms.resolve("allergic-reaction")
    assert symptoms.is_red_flag(allergy, 3)
    assert not symptoms.is_red_flag(allergy, 1)


@pytest.mark.parametrize(
    ("word", "symptom_id"),
    [
        ("yellow eyes", "jaundice"),
        ("can't sleep", "insomnia"),
        ("Muscle Aches", "muscle-aches"),
        ("muscle aches", "muscle-aches"),
        ("the runs", "diarrhea"),
    ],
)
def test_symptoms_are_found_by_the_words_people_use(word: str, symptom_id: str) -> None:
    assert symptoms.resolve(word).id == symptom_id


def test_an_unknown_symptom_id_is_refused_without_terminal_commands() -> None:
    # resolve() looks up ids and catalogue words; free text goes through symptom_reports.
    with pytest.raises(InputError, match="unknown symptom") as raised:
        symptoms.resolve("wobbly knees")
    assert "mitra " not in raised.value.message


@pytest.mark.parametrize("bad", [-1, 4, 1.5, float("nan")])
def test_severity_outside_0_to_3_is_refused(bad: float) -> None:
    with pytest.raises(InputError, match="severity"):
        symptoms.check_severity(bad)


def test_every_cited_source_in_the_product_data_exists() -> None:
    from mitra.domain.products import generic_products

    known = source_ids()
    for product in generic_products():
        assert set(product.potency.sources) <= known


@pytest.mark.parametrize("word", ["stomach pain", "belly pain", "dehydrated", "thirsty"])
def test_everyday_complaints_do_not_map_to_red_flags(word: str) -> None:
    symptom = symptoms.resolve(word)
    assert symptom.red_flag_level is None, symptom.id


def test_symptom_ids_may_be_written_with_underscores() -> None:
    assert symptoms.resolve("hair_loss").id == "hair-loss"
