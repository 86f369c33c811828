"""Order does not matter: the stored alerts are what the finished journal implies.

A dose logged late is added to the totals of the doses after it; entries entered newest first
raise what they would in time order; a deletion re-judges the alerts that rested on it
(closed with a note, or updated with corrected figures, the earlier version kept), and an
undo judges again. The Hypothesis property: for any set of entries, the open alerts (rule,
key, severity) are the same whatever order they were logged in, and the same as judging the
finished journal from scratch (``safety_journal.judge``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.domain.alerts import Scope, Severity, key_parts
from mitra.domain.safety_journal import judge
from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from mitra.storage.alert_store import ENTRY_DELETED_NOTE, AlertStore, StoredAlert
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.database import open_database
from tests.conftest import FIXED_NOW

Found = set[tuple[str, str, str]]


def _open_rows(ctx: AppContext) -> list[StoredAlert]:
    with ctx.database.transaction() as conn:
        return AlertStore(conn).list()


def _open(ctx: AppContext, *, once: bool = True) -> Found:
    return {
        (s.alert.rule_id, s.alert.key, s.alert.severity.value)
        for s in _open_rows(ctx)
        if once or key_parts(s.alert.key).scope is not Scope.ONCE
    }


def _from_scratch(ctx: AppContext) -> Found:
    entries, _, profile = JournalService(ctx).history()
    with ctx.database.transaction() as conn:
        checkins = [s.assessment for s in AssessmentStore(conn).list_assessments()]
    judged = judge(entries, profile, ctx.rules().ruleset, assessments=checkins)
    return {(a.rule_id, a.key, a.severity.value) for a in judged.values()}


@contextmanager
def fresh_ctx() -> Iterator[AppContext]:
    """A new SQLite journal per Hypothesis example (fixtures are per test, not per example)."""
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{Path(folder) / 'journal.sqlite3'}")
        try:
            ctx = AppContext(db, clock=lambda: FIXED_NOW)
            ProductService(ctx).add("Strong", "extract", mitragynine_pct=16)
            yield ctx
        finally:
            db.dispose()


# One entry: (kind, minutes before FIXED_NOW, what). Three weeks back reaches escalation.
DOSES = [("3g", None), ("2g", None), ("1g", "Strong"), ("6 caps", "capsule"), ("1g", "extract")]
SUBSTANCES = [("xanax", "1mg"), ("alcohol", "3 drinks"), ("oxycodone", "10mg")]
SYMPTOMS = [("trouble sleeping", 1), ("nausea", 2), ("yellow eyes", 1), ("seizure", 3)]
entry = st.tuples(
    st.sampled_from(["dose", "dose", "dose", "substance", "symptom"]),
    st.integers(min_value=0, max_value=21 * 24 * 60),
    st.integers(min_value=0, max_value=100),
)


def _log(ctx: AppContext, item: tuple[str, int, int]) -> None:
    kind, minutes, pick = item
    at = FIXED_NOW - timedelta(minutes=minutes)
    journal = JournalService(ctx)
    if kind == "dose":
        amount, product = DOSES[pick % len(DOSES)]
        journal.log_dose(amount, product=product or "leaf", at=at)
    elif kind == "substance":
        name, amount = SUBSTANCES[pick % len(SUBSTANCES)]
        journal.log_substance(name, amount, at=at)
    else:
        name, severity = SYMPTOMS[pick % len(SYMPTOMS)]
        journal.log_symptom(name, severity=severity, at=at)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=st.lists(entry, min_size=1, max_size=10), data=st.data())
def test_the_open_alerts_are_the_same_whatever_order_the_entries_were_logged_in(
    items: list[tuple[str, int, int]], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(items))
    found = []
    for order in (sorted(items, key=lambda i: -i[1]), shuffled):  # time order, then any order
        with fresh_ctx() as ctx:
            for item in order:
                _log(ctx, item)
            opened = _open(ctx)
            assert opened == _from_scratch(ctx)
            found.append(opened)
    assert found[0] == found[1]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=st.lists(entry, min_size=2, max_size=9), data=st.data())
def test_after_deletions_the_open_alerts_are_those_of_the_remaining_journal(
    items: list[tuple[str, int, int]], data: st.DataObject
) -> None:
    with fresh_ctx() as ctx:
        for item in items:
            _log(ctx, item)
        emergencies_before = {
            (s.alert.rule_id, s.alert.key, s.alert.severity.value)
            for s in _open_rows(ctx)
            if s.alert.severity is Severity.EMERGENCY
        }
        entries, _, _ = JournalService(ctx).history()
        ids = [e.id for e in entries if e.id is not None]
        for entry_id in data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))):
            JournalService(ctx).delete(entry_id)
        scratch = _from_scratch(ctx)
        # Emergencies stay open until the person closes them; once-only notes about the whole
        # journal are closed by a whole-journal rejudge, not by a deletion.
        kept = _open(ctx, once=False) - emergencies_before
        assert kept == {f for f in scratch if key_parts(f[1]).scope is not Scope.ONCE} - (
            emergencies_before
        )
        assert emergencies_before <= _open(ctx)
        SafetyService(ctx).rejudge(dry_run=False)
        assert _open(ctx) - emergencies_before == scratch - emergencies_before


def _keys(ctx: AppContext, rule_id: str) -> list[StoredAlert]:
    return [s for s in _open_rows(ctx) if s.alert.rule_id == rule_id]


def test_a_dose_logged_three_hours_late_counts_in_the_24_hour_total_in_either_order(
    sqlite_ctx: AppContext,
) -> None:
    ProductService(sqlite_ctx).add("Strong", "extract", mitragynine_pct=16)
    journal = JournalService(sqlite_ctx)
    journal.log_dose("1g", product="Strong")  # now
    late = journal.log_dose("1g", product="Strong", at="3h ago")  # entered second
    # The late dose opens the alert (shown as it is logged), judged as of the later dose,
    # whose 24 hours hold both.
    assert "daily-mitragynine-high" in {s.alert.rule_id for s in late.alerts}
    stored = _keys(sqlite_ctx, "daily-mitragynine-high")
    assert len(stored) == 1 and "2 doses" in stored[0].alert.message
    assert stored[0].alert.at == FIXED_NOW


def test_two_doses_in_time_order_raise_the_same_24_hour_total(sqlite_ctx: AppContext) -> None:
    ProductService(sqlite_ctx).add("Strong", "extract", mitragynine_pct=16)
    journal = JournalService(sqlite_ctx)
    journal.log_dose("1g", product="Strong", at="3h ago")
    second = journal.log_dose("1g", product="Strong")
    assert "daily-mitragynine-high" in {s.alert.rule_id for s in second.alerts}
    assert len(_keys(sqlite_ctx, "daily-mitragynine-high")) == 1


def test_four_doses_entered_newest_first_raise_the_dose_count_caution(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    for hours in (0, 4, 8, 12):  # newest first
        journal.log_dose("2g", at=FIXED_NOW - timedelta(hours=hours))
    count = _keys(sqlite_ctx, "doses-per-day-high")
    assert len(count) == 1 and "number 4" in count[0].alert.message


def test_three_doses_entered_newest_first_raise_no_dose_count_caution(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    for hours in (0, 4, 8):
        journal.log_dose("2g", at=FIXED_NOW - timedelta(hours=hours))
    assert not _keys(sqlite_ctx, "doses-per-day-high")


def test_deleting_a_typo_closes_the_24_hour_total_that_rested_on_it(ctx: AppContext) -> None:
    journal = JournalService(ctx)
    for hours, amount in ((12, "2g"), (8, "2g"), (4, "2g")):
        journal.log_dose(amount, at=FIXED_NOW - timedelta(hours=hours))
    typo = journal.log_dose("30g", at=FIXED_NOW - timedelta(hours=1))
    assert typo.entry.id is not None
    total = _keys(ctx, "daily-mitragynine-high")
    assert len(total) == 1 and typo.entry.id in total[0].alert.entry_ids
    journal.delete(typo.entry.id)
    assert not _keys(ctx, "daily-mitragynine-high")
    with ctx.database.transaction() as conn:
        closed = AlertStore(conn).get(total[0].id)
    assert closed is not None and closed.ack_note == ENTRY_DELETED_NOTE
    assert closed.history and closed.history[-1].message == total[0].alert.message
    journal.undo()  # the entry is back, and so is the alert it raised
    assert [s.id for s in _keys(ctx, "daily-mitragynine-high")] == [total[0].id]


def test_deleting_one_dose_of_a_heavy_day_updates_the_total_and_keeps_what_it_said(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    logged = [journal.log_dose("9g", at=FIXED_NOW - timedelta(hours=h)) for h in (9, 6, 3)]
    before = _keys(sqlite_ctx, "daily-mitragynine-high")
    assert len(before) == 1 and "3 doses" in before[0].alert.message
    last = logged[-1].entry.id
    assert last is not None
    journal.delete(last)
    after = _keys(sqlite_ctx, "daily-mitragynine-high")
    assert [s.id for s in after] == [before[0].id]  # same alert, corrected figures
    assert "2 doses" in after[0].alert.message and last not in after[0].alert.entry_ids
    assert after[0].history[-1].message == before[0].alert.message


def test_an_acknowledged_alert_stays_acknowledged_when_its_figures_change(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    for hours in (9, 6):
        journal.log_dose("9g", at=FIXED_NOW - timedelta(hours=hours))
    (total,) = _keys(sqlite_ctx, "daily-mitragynine-high")
    SafetyService(sqlite_ctx).acknowledge(total.id, "seen")
    journal.log_dose("9g", at=FIXED_NOW - timedelta(hours=3))
    with sqlite_ctx.database.transaction() as conn:
        kept = AlertStore(conn).get(total.id)
    assert kept is not None and kept.ack_note == "seen" and kept.closed_by is None
    assert "3 doses" in kept.alert.message


def test_a_substance_logged_before_a_later_dose_is_a_combination_whichever_comes_first(
    sqlite_ctx: AppContext,
) -> None:
    # One local day for both (combinations are keyed per day): say the zone, so the
    # machine's zone cannot put midnight between them.
    ProfileService(sqlite_ctx).set(timezone="UTC")
    journal = JournalService(sqlite_ctx)
    journal.log_dose("3g", at=FIXED_NOW - timedelta(hours=1))
    journal.log_substance("xanax", "1mg", at=FIXED_NOW - timedelta(hours=3))
    assert len(_keys(sqlite_ctx, "combination-benzodiazepine")) == 1


def _steady_days(journal: JournalService, days: range, amount: str) -> None:
    for day in days:
        for hour in (8, 14, 20):
            at = FIXED_NOW - timedelta(days=day, hours=-hour + 15)
            if at <= FIXED_NOW:
                journal.log_dose(amount, at=at)


def test_escalation_needs_a_full_baseline_week_not_a_journals_first_days(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    _steady_days(journal, range(8, -1, -1), "3g")  # nine days of the same use from day one
    assert not _keys(sqlite_ctx, "escalation-weekly")


def test_escalation_after_a_full_baseline_week_is_raised_even_when_logged_last(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    _steady_days(journal, range(6, -1, -1), "6g")  # the higher week, entered first
    _steady_days(journal, range(15, 6, -1), "3g")  # then the baseline, back-dated
    found = _keys(sqlite_ctx, "escalation-weekly")
    assert found and all("rise of" in s.alert.message for s in found)
    assert _open(sqlite_ctx) == _from_scratch(sqlite_ctx)


def test_repeats_of_one_pattern_show_as_one_alert_with_a_count_and_the_latest(
    sqlite_ctx: AppContext,
) -> None:
    # Evenings are judged in the person's zone: say it, so the machine's zone does not matter.
    ProfileService(sqlite_ctx).set(timezone="UTC")
    journal = JournalService(sqlite_ctx)
    weeks = range(4, -1, -1)
    for week in weeks:  # an evening dose, then trouble sleeping, in five different weeks
        evening = FIXED_NOW - timedelta(weeks=week, hours=-6)
        if evening > FIXED_NOW:
            evening -= timedelta(days=1)
        journal.log_dose("3g", at=evening)
        journal.log_symptom("trouble sleeping", severity=1, at=evening + timedelta(hours=3))
    shown = [s for s in SafetyService(sqlite_ctx).alerts() if s.alert.rule_id.startswith("insom")]
    assert len(shown) == 1
    (insomnia,) = shown
    assert insomnia.count == len(weeks) == len(insomnia.alert_ids)
    assert insomnia.alert.at == max(s.alert.at for s in _keys(sqlite_ctx, insomnia.alert.rule_id))
    SafetyService(sqlite_ctx).acknowledge(insomnia.id, "moving doses earlier")
    assert not _keys(sqlite_ctx, insomnia.alert.rule_id)  # every repeat it stood for is seen


def test_every_dose_past_the_hard_limit_stays_its_own_alert(sqlite_ctx: AppContext) -> None:
    ProductService(sqlite_ctx).add("Gold", "extract", mitragynine_pct=45)
    journal = JournalService(sqlite_ctx)
    for days in (3, 1):
        journal.log_dose("1g", product="Gold", at=FIXED_NOW - timedelta(days=days))
    hard = [
        s
        for s in SafetyService(sqlite_ctx).alerts()
        if s.alert.rule_id == "dose-mitragynine-hard-limit"
    ]
    assert len(hard) == 2 and all(s.count == 1 for s in hard)


def test_rejudge_dry_run_shows_the_difference_and_changes_nothing(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    for hours in (9, 6, 3):
        journal.log_dose("9g", at=FIXED_NOW - timedelta(hours=hours))
    with sqlite_ctx.database.transaction() as conn:  # as an older mitra left it: no total
        store = AlertStore(conn)
        (total,) = [s for s in store.list() if s.alert.rule_id == "daily-mitragynine-high"]
        store.close(total, at=FIXED_NOW, note="closed by an older version")
    safety = SafetyService(sqlite_ctx)
    dry = safety.rejudge(dry_run=True)
    assert dry.count("reopen") == 1 and not dry.applied
    assert not _keys(sqlite_ctx, "daily-mitragynine-high")
    applied = safety.rejudge(dry_run=False)
    assert applied.count("reopen") == 1 and _keys(sqlite_ctx, "daily-mitragynine-high")
    again = safety.rejudge(dry_run=True)
    assert again.changes == ()


def test_deleting_a_dose_re_judges_the_plan_day_it_was_on(sqlite_ctx: AppContext) -> None:
    from mitra.services.plans import PlanService

    PlanService(sqlite_ctx).new_taper(current_mg="100", doses_per_day="3")
    journal = JournalService(sqlite_ctx)
    for hours in (1, 4, 7):  # three small doses: within the step's three a day
        journal.log_dose("1g", at=FIXED_NOW - timedelta(hours=hours))
    assert not _keys(sqlite_ctx, "plan-ceiling-exceeded")
    earlier = journal.log_dose("1g", at=FIXED_NOW - timedelta(hours=10))  # a fourth, late
    (over,) = _keys(sqlite_ctx, "plan-ceiling-exceeded")
    assert earlier.entry.id is not None
    journal.delete(earlier.entry.id)
    assert not _keys(sqlite_ctx, "plan-ceiling-exceeded")
    with sqlite_ctx.database.transaction() as conn:
        closed = AlertStore(conn).get(over.id)
    assert closed is not None and closed.ack_note == ENTRY_DELETED_NOTE
