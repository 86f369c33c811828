"""Lost tolerance and naloxone: an opioid or 7-OH product after 3 days without one warns about
overdose (2 days does not); the first use after a finished taper does too; naloxone not at
hand, or expired, is a reminder (once a day)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from mitra.domain.alerts import Alert
from mitra.domain.entries import Entry
from mitra.domain.products import Form, define_product
from mitra.domain.profile import Profile
from mitra.domain.safety import evaluate
from tests.domain.test_safety_rules import (
    NOON,
    PERSON,
    RULES,
    dose,
    fired,
    hours,
    only,
    took,
)

SEVEN_OH = define_product("Blue 7-OH tablets", Form.SEVEN_OH, seven_oh_mg_per_unit=15)
KIT = replace(PERSON, naloxone=True, naloxone_expires=date(2026, 1, 31))
AFTER_BREAK = "opioid-after-break"
NALOXONE = "naloxone-not-at-hand"


def judge(
    new: Entry,
    history: list[Entry],
    profile: Profile = KIT,
    journal_start: datetime | None = None,
) -> list[Alert]:
    start = journal_start or NOON - hours(24 * 30)
    return evaluate(history, new, profile, RULES, journal_start=start)


def test_an_opioid_after_3_days_without_one_warns_about_lost_tolerance() -> None:
    last = took("oxycodone", "10mg", NOON - hours(72))
    alert = only(judge(took("oxycodone", "10mg"), [last]), AFTER_BREAK)
    assert alert.severity.value == "warning"
    assert "1-800-484-3731" in alert.advice and "naloxone" in alert.advice
    assert "test strips" in alert.advice


def test_an_opioid_after_2_days_raises_no_tolerance_warning() -> None:
    last = took("oxycodone", "10mg", NOON - hours(48))
    assert AFTER_BREAK not in fired(judge(took("oxycodone", "10mg"), [last]))


def test_a_7oh_product_counts_both_as_the_new_use_and_as_recent_use() -> None:
    tablet = dose("1 tablet", product=SEVEN_OH)
    assert AFTER_BREAK in fired(judge(tablet, []))
    recent = dose("1 tablet", NOON - hours(30), product=SEVEN_OH)
    assert AFTER_BREAK not in fired(judge(took("heroin", "50mg"), [recent]))


def test_the_first_use_after_a_finished_kratom_taper_warns() -> None:
    # A taper of leaf that ended (its last step: stop) four days ago; leaf is not an opioid
    # use, so the next opioid comes after a break.
    taper = [dose("1g", NOON - hours(24 * d)) for d in range(4, 20)]
    assert AFTER_BREAK in fired(judge(took("oxycodone", "10mg"), taper))


def test_a_journal_too_new_to_show_a_break_raises_no_tolerance_warning() -> None:
    new = took("oxycodone", "10mg")
    assert AFTER_BREAK not in fired(judge(new, [], journal_start=NOON - hours(10)))


def test_buprenorphine_and_loperamide_are_not_the_new_use() -> None:
    for name, amount in (("buprenorphine", "8mg"), ("loperamide", "2mg")):
        assert not {AFTER_BREAK, NALOXONE} & fired(judge(took(name, amount), []))


def test_no_naloxone_in_the_profile_is_a_weekly_reminder() -> None:
    last = took("oxycodone", "10mg", NOON - hours(5))
    alert = only(judge(took("oxycodone", "10mg"), [last], profile=PERSON), NALOXONE)
    assert alert.severity.value == "caution"
    assert "does not say you have naloxone" in alert.message
    assert alert.key.startswith(f"{NALOXONE}/day:")


def test_expired_naloxone_says_so_and_current_naloxone_raises_nothing() -> None:
    last = took("oxycodone", "10mg", NOON - hours(5))
    expired = replace(KIT, naloxone_expires=date(2025, 2, 28))
    alert = only(judge(took("oxycodone", "10mg"), [last], profile=expired), NALOXONE)
    assert "expired on 28 Feb 2025" in alert.message
    assert NALOXONE not in fired(judge(took("oxycodone", "10mg"), [last], profile=KIT))


def test_naloxone_with_no_expiry_date_counts_as_at_hand() -> None:
    undated = replace(PERSON, naloxone=True)
    assert undated.has_naloxone_on(date(2030, 1, 1))
    assert not replace(PERSON, naloxone=None).has_naloxone_on(date(2025, 1, 1))
