"""Property tests (Hypothesis) for the safety engine over arbitrary journals.

The engine must be a pure function of what it is given: the same record gives the same
alerts, whatever order the history arrives in; every alert cites evidence and points only at
entries that exist; and a back-filled entry is judged as of its own time, so entries made
after it can only add combinations (the one kind of rule that looks both ways).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain import symptoms as symptom_catalogue
from mitra.domain.alerts import Alert
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry, SymptomEntry
from mitra.domain.instrument_defs import Assessment
from mitra.domain.products import Form, define_product, estimate_dose, generic_products
from mitra.domain.profile import Profile
from mitra.domain.quantities import parse_amount
from mitra.domain.ruleset import load_ruleset
from mitra.domain.safety import evaluate
from mitra.domain.safety_journal import affected_spans, judge
from mitra.domain.scoring import get_instrument, score
from mitra.domain.substances import resolve

RULES = load_ruleset()
BASE = datetime(2025, 6, 10, 15, 0, tzinfo=ZoneInfo("UTC"))
ZONES = [ZoneInfo("UTC"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kuala_Lumpur")]


def _dose_templates() -> list[DoseEntry]:
    amounts = {
        Form.LEAF: ["1g", "3g", "6g", "12g"],
        Form.CAPSULE: ["2 caps", "8 caps"],
        Form.LIQUID: ["30ml", "250ml"],
        Form.EXTRACT: ["0.2g", "1g", "3.5g"],
        Form.SEVEN_OH: ["0.05g", "0.3g"],
        Form.OTHER: ["1g", "4g"],
    }
    products = [*generic_products(), define_product("Gold 45", Form.EXTRACT, mitragynine_pct=45)]
    templates = []
    for product in products:
        for text in amounts[product.form]:
            amount = parse_amount(text)
            templates.append(
                DoseEntry(
                    at=BASE,
                    product_name=product.name,
                    form=product.form,
                    amount=amount.value,
                    unit=amount.unit,
                    estimate=estimate_dose(product, amount),
                )
            )
    return templates


USES = [
    ("xanax", "1mg"),
    ("fentanyl", "1 pill"),
    ("heroin", "0.1g"),
    ("oxy", "30mg"),
    ("suboxone", "8mg"),
    ("beer", "3 drinks"),
    ("gabapentin", "300mg"),
    ("seroquel", "50mg"),
    ("cocaine", "0.1g"),
    ("ibuprofen", "400mg"),
    ("some unknown pill", "1 pill"),
]


def substance_templates(uses: Sequence[tuple[str, str]] = USES) -> list[SubstanceEntry]:
    """A substance entry at ``BASE`` for each (name, amount) in ``uses``."""
    templates = []
    for name, text in uses:
        substance = resolve(name)
        amount = parse_amount(text, default_unit=substance.default_unit)
        templates.append(
            SubstanceEntry(
                at=BASE,
                substance_id=substance.id,
                name=substance.name,
                substance_class=substance.substance_class,
                amount=amount.value,
                unit=amount.unit,
            )
        )
    return templates


DOSES = _dose_templates()
SUBSTANCES = substance_templates()
SYMPTOM_IDS = [symptom.id for symptom in symptom_catalogue.catalogue()]
COWS = get_instrument("cows")

# Offsets in minutes from BASE: three weeks back (escalation looks two), a day and a half ahead.
offsets = st.integers(min_value=-21 * 24 * 60, max_value=36 * 60)


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    at = BASE + timedelta(minutes=draw(offsets))
    kind = draw(st.sampled_from(["dose", "dose", "substance", "symptom"]))
    if kind == "dose":
        return dataclasses.replace(draw(st.sampled_from(DOSES)), at=at)
    if kind == "substance":
        return dataclasses.replace(draw(st.sampled_from(SUBSTANCES)), at=at)
    return SymptomEntry(
        at=at, symptom_id=draw(st.sampled_from(SYMPTOM_IDS)), severity=draw(st.integers(0, 3))
    )


@st.composite
def journals(draw: st.DrawFn) -> tuple[list[Entry], Entry]:
    """A history and a new entry, every one with its own id."""
    drawn = draw(st.lists(entries(), max_size=40))
    new = draw(entries())
    history = [dataclasses.replace(e, id=i) for i, e in enumerate(drawn, start=1)]
    return history, dataclasses.replace(new, id=len(history) + 1)


profiles = st.builds(
    Profile,
    timezone=st.sampled_from(["UTC", "America/New_York", "Asia/Kuala_Lumpur"]),
    pregnant=st.sampled_from([None, True, False]),
    breastfeeding=st.sampled_from([None, True, False]),
    medications=st.lists(
        st.sampled_from(["Seroquel 100mg", "sertraline", "ibuprofen", "vitamin d", "xanax"]),
        max_size=3,
    ).map(tuple),
)


@st.composite
def check_ins(draw: st.DrawFn) -> list[Assessment]:
    answers = [item.allowed for item in COWS.items]
    found = []
    for _ in range(draw(st.integers(0, 2))):
        chosen = [draw(st.sampled_from(allowed)) for allowed in answers]
        at = BASE + timedelta(minutes=draw(st.integers(-36 * 60, 60)))
        found.append(score(COWS, chosen, rater="self", at=at))
    return found


def _ids(history: Sequence[Entry], new: Entry) -> set[int]:
    return {e.id for e in (*history, new) if e.id is not None}


@settings(max_examples=150, deadline=None)
@given(journal=journals(), profile=profiles, assessments=check_ins())
def test_evaluating_the_same_history_twice_gives_the_same_alerts(
    journal: tuple[list[Entry], Entry], profile: Profile, assessments: list[Assessment]
) -> None:
    history, new = journal
    first = evaluate(history, new, profile, RULES, assessments=assessments)
    second = evaluate(history, new, profile, RULES, assessments=assessments)
    assert first == second


@settings(max_examples=150, deadline=None)
@given(journal=journals(), profile=profiles, data=st.data())
def test_the_order_of_the_history_does_not_change_the_alerts(
    journal: tuple[list[Entry], Entry], profile: Profile, data: st.DataObject
) -> None:
    history, new = journal
    shuffled = data.draw(st.permutations(history))
    zone = data.draw(st.sampled_from(ZONES))
    assert evaluate(history, new, profile, RULES, zone=zone) == evaluate(
        shuffled, new, profile, RULES, zone=zone
    )


@settings(max_examples=150, deadline=None)
@given(journal=journals(), profile=profiles, assessments=check_ins())
def test_no_alert_lacks_evidence_and_every_entry_id_is_in_the_input(
    journal: tuple[list[Entry], Entry], profile: Profile, assessments: list[Assessment]
) -> None:
    history, new = journal
    alerts = evaluate(history, new, profile, RULES, assessments=assessments)
    known = _ids(history, new)
    for alert in alerts:
        assert alert.evidence, alert.rule_id
        assert all(e.citation and e.strength and e.claim for e in alert.evidence)
        assert set(alert.entry_ids) <= known, alert.rule_id
        assert alert.title and alert.message and alert.advice
        assert "{" not in alert.message + alert.title + alert.advice  # every placeholder filled
    assert len({alert.key for alert in alerts}) == len(alerts)  # one alert per key
    ranks = [alert.severity.rank for alert in alerts]
    assert ranks == sorted(ranks, reverse=True)  # most serious first


@settings(max_examples=150, deadline=None)
@given(journal=journals(), profile=profiles)
def test_entries_made_after_the_new_one_can_only_add_combinations(
    journal: tuple[list[Entry], Entry], profile: Profile
) -> None:
    history, new = journal
    before = [e for e in history if e.at <= new.at]
    as_of_then = evaluate(before, new, profile, RULES)
    with_later = evaluate(history, new, profile, RULES)

    def not_combinations(alerts: list[Alert]) -> list[Alert]:
        return [a for a in alerts if not a.rule_id.startswith("combination-")]

    assert not_combinations(as_of_then) == not_combinations(with_later)


# ---------------------------------------------------------------------------------------------
# Judging a whole journal from scratch (safety_journal)


@settings(max_examples=150, deadline=None)
@given(journal=journals(), profile=profiles, data=st.data())
def test_judging_a_journal_from_scratch_does_not_depend_on_the_order_of_its_entries(
    journal: tuple[list[Entry], Entry], profile: Profile, data: st.DataObject
) -> None:
    history, new = journal
    entries = [*history, new]
    shuffled = data.draw(st.permutations(entries))
    assert judge(entries, profile, RULES) == judge(shuffled, profile, RULES)


@settings(max_examples=150, deadline=None)
@given(journal=journals(), profile=profiles, zone=st.sampled_from(ZONES))
def test_judging_only_what_a_change_reaches_agrees_with_judging_everything(
    journal: tuple[list[Entry], Entry], profile: Profile, zone: ZoneInfo
) -> None:
    history, new = journal
    entries = [*history, new]
    spans = affected_spans(new.at, RULES, zone)
    everything = judge(entries, profile, RULES, zone=zone)
    window = judge(entries, profile, RULES, zone=zone, spans=spans)

    def covered(found: dict[str, Alert]) -> dict[str, Alert]:
        return {k: a for k, a in found.items() if spans.covers_alert(a, RULES)}

    assert covered(window) == covered(everything)
    # Every alert the new entry raises on its own is part of the journal's judgement (by key).
    assert {a.key for a in evaluate(history, new, profile, RULES, zone=zone)} <= set(everything)
