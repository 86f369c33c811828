"""Alerts grouped, counted and paged by the database say exactly what grouping every stored
alert in Python says (``group_repeats``, the reference): the same groups, counts, first times
and ids, in the same order; every group on exactly one page; the urgent banner counts what the
grouped list shows; and marking cautions read never acknowledges an urgent or emergency alert.

The alert sets are random: several rules and subjects, day, week, event and once keys, repeats
of one pattern with mixed severities, some acknowledged, some after "now"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from mitra.domain.alerts import (
    Alert,
    Evidence,
    Severity,
    day_key,
    event_key,
    key_parts,
    once_key,
    week_key,
)
from mitra.services.context import AppContext
from mitra.services.safety import SafetyService, group_repeats
from mitra.storage import schema as t
from mitra.storage.alert_store import AlertStore, StoredAlert, pattern_of
from mitra.storage.database import open_database
from tests.support.clock import FIXED_NOW

EVIDENCE = (Evidence("test-source", "A citation", "moderate", "a claim"),)
RULES = ("dose-high", "dose-interval-short", "interaction-medication")
SUBJECTS = (None, "leaf", "quetiapine")
HOUR = timedelta(hours=1)

keys = st.builds(
    lambda scope, rule, subject, hours: (scope, rule, subject, hours),
    st.sampled_from(["day", "week", "event", "once"]),
    st.sampled_from(RULES),
    st.sampled_from(SUBJECTS),
    st.integers(min_value=-24 * 40, max_value=30),  # hours from now: mostly past, a few ahead
)
alert_rows = st.lists(
    st.tuples(keys, st.sampled_from(list(Severity)), st.booleans()), min_size=0, max_size=40
)


def make_key(scope: str, rule: str, subject: str | None, at: datetime) -> str:
    if scope == "day":
        return day_key(rule, at.date(), subject)
    if scope == "week":
        return week_key(f"{rule}/{subject}" if subject else rule, at.date())
    if scope == "event":
        return event_key(rule, at, subject)
    return once_key(rule, subject or "any")


@pytest.fixture
def safety(tmp_path: Path) -> Iterator[SafetyService]:
    db = open_database(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    yield SafetyService(AppContext(db, clock=lambda: FIXED_NOW))
    db.dispose()


def store_alerts(
    safety: SafetyService, rows: list[tuple[tuple[str, str, str | None, int], Severity, bool]]
) -> None:
    """Replace every stored alert with ``rows`` (a key stored once, as the store keeps it)."""
    with safety.ctx.database.transaction() as conn:
        conn.execute(delete(t.alerts))
        store = AlertStore(conn)
        seen: set[str] = set()
        for (scope, rule, subject, hours), severity, acknowledged in rows:
            at = FIXED_NOW + hours * HOUR
            key = make_key(scope, rule, subject, at)
            if key in seen:
                continue
            seen.add(key)
            alert = Alert(rule, severity, "title", "message", "advice", EVIDENCE, (1,), at, key)
            stored = store.insert(alert, created_at=at)
            if acknowledged:
                store.acknowledge(stored.id, at=FIXED_NOW, note=None)


def every_stored(safety: SafetyService, *, include_acknowledged: bool) -> list[StoredAlert]:
    with safety.ctx.database.read() as conn:
        return AlertStore(conn).list(include_acknowledged=include_acknowledged)


def reference(safety: SafetyService, *, include_acknowledged: bool) -> list[StoredAlert]:
    """Python's grouping of every stored alert, open groups first (as pages show them)."""
    grouped = group_repeats(every_stored(safety, include_acknowledged=include_acknowledged))
    return sorted(grouped, key=lambda s: not s.is_open)  # stable: keeps group_repeats' order


def summary(shown: list[StoredAlert]) -> list[tuple[int, int, datetime | None, frozenset[int]]]:
    return [(s.id, s.count, s.first_at, frozenset(s.alert_ids)) for s in shown]


PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(rows=alert_rows, per_page=st.integers(min_value=1, max_value=7), everything=st.booleans())
def test_pages_show_every_group_once_in_the_order_and_counts_of_python_grouping(
    safety: SafetyService, rows: list, per_page: int, everything: bool
) -> None:
    store_alerts(safety, rows)
    expected = reference(safety, include_acknowledged=everything)
    paged: list[StoredAlert] = []
    page = 1
    while True:
        found = safety.alert_page(page=page, per_page=per_page, include_acknowledged=everything)
        assert found.total == len(expected)
        assert len(found.alerts) <= per_page
        paged += found.alerts
        if not found.has_next:
            break
        page += 1
    assert page == found.pages
    assert summary(paged) == summary(expected)


@PROPERTY
@given(rows=alert_rows)
def test_sql_counts_by_severity_equal_the_grouped_list(safety: SafetyService, rows: list) -> None:
    store_alerts(safety, rows)
    grouped = reference(safety, include_acknowledged=False)
    found = safety.alert_page(per_page=1)
    expected: dict[Severity, int] = {}
    for shown in grouped:
        expected[shown.alert.severity] = expected.get(shown.alert.severity, 0) + 1
    assert found.open_by_severity == expected
    assert found.total == sum(expected.values()) == len(grouped)


@PROPERTY
@given(rows=alert_rows)
def test_the_urgent_banner_shows_exactly_the_grouped_urgent_and_emergency_alerts(
    safety: SafetyService, rows: list
) -> None:
    store_alerts(safety, rows)
    grouped = reference(safety, include_acknowledged=False)
    expected = [s for s in grouped if s.alert.severity >= Severity.URGENT]
    assert summary(safety.open_serious()) == summary(expected)


@PROPERTY
@given(rows=alert_rows)
def test_marking_cautions_read_leaves_every_urgent_emergency_and_warning_open(
    safety: SafetyService, rows: list
) -> None:
    store_alerts(safety, rows)
    before = {s.id: s for s in every_stored(safety, include_acknowledged=True)}
    done = safety.mark_minor_read("seen them")
    after = {s.id: s for s in every_stored(safety, include_acknowledged=True)}
    changed = [i for i in after if before[i].acknowledged_at != after[i].acknowledged_at]
    assert len(changed) == done
    for alert_id in changed:
        assert after[alert_id].alert.severity in (Severity.CAUTION, Severity.INFO)
        assert after[alert_id].alert.at <= FIXED_NOW and after[alert_id].ack_note == "seen them"
    for alert_id, stored in after.items():
        if stored.alert.severity >= Severity.WARNING:
            assert stored.acknowledged_at == before[alert_id].acknowledged_at
        elif before[alert_id].is_open and stored.alert.at <= FIXED_NOW:
            assert not stored.is_open  # every caution and information alert so far is read


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=keys)
def test_the_sql_pattern_of_a_key_is_the_domain_pattern(safety: SafetyService, key: tuple) -> None:
    scope, rule, subject, hours = key
    made = make_key(scope, rule, subject, FIXED_NOW + hours * HOUR)
    with safety.ctx.database.read() as conn:
        from sqlalchemy import literal

        found = conn.execute(select(pattern_of(literal(made)))).scalar_one()
    assert found == key_parts(made).pattern


def test_an_urgent_alert_is_on_page_one_before_hundreds_of_newer_cautions(
    safety: SafetyService,
) -> None:
    rows = [(("event", "dose-high", "leaf", -24 * 30), Severity.URGENT, False)]
    rows += [
        (("event", "dose-interval-short", None, -h), Severity.CAUTION, False) for h in range(1, 300)
    ]
    store_alerts(safety, rows)
    first = safety.alert_page(page=1)
    assert first.alerts[0].alert.severity is Severity.URGENT
    assert first.total == 300 and first.pages == 15 and len(first.alerts) == 20
    assert safety.mark_minor_read() == 299
    assert [s.alert.severity for s in safety.alert_page().alerts] == [Severity.URGENT]


def test_the_not_found_message_names_no_terminal_command(safety: SafetyService) -> None:
    from mitra.domain.errors import NotFoundError

    with pytest.raises(NotFoundError) as raised:
        safety.acknowledge(12345)
    assert "mitra" not in str(raised.value) and "12345" in str(raised.value)


def test_a_page_number_past_the_end_is_an_empty_page_not_an_error(safety: SafetyService) -> None:
    store_alerts(safety, [(("day", "dose-high", None, -2), Severity.CAUTION, False)])
    found = safety.alert_page(page=9)
    assert found.alerts == [] and found.total == 1 and found.has_previous and not found.has_next


MIXED = [
    (("day", "dose-high", None, -50), Severity.URGENT, False),
    (("day", "dose-high", None, -26), Severity.CAUTION, False),  # latest of its pattern
    (("day", "dose-high", None, -2), Severity.CAUTION, True),
    (("week", "dose-interval-short", "leaf", -24 * 9), Severity.INFO, False),
    (("week", "dose-interval-short", "leaf", -24 * 2), Severity.INFO, False),
    (("event", "interaction-medication", "quetiapine", -5), Severity.EMERGENCY, False),
    (("once", "interaction-medication", "quetiapine", -7), Severity.WARNING, False),
    (("day", "interaction-medication", "quetiapine", -30), Severity.URGENT, False),
    (("day", "interaction-medication", "quetiapine", -3), Severity.URGENT, False),
]


def test_grouping_paging_and_mark_read_agree_on_sqlite_and_postgresql(ctx: AppContext) -> None:
    safety = SafetyService(ctx)
    store_alerts(safety, MIXED)
    for everything in (False, True):
        expected = reference(safety, include_acknowledged=everything)
        paged = [
            shown
            for page in (1, 2, 3)
            for shown in safety.alert_page(
                page=page, per_page=3, include_acknowledged=everything
            ).alerts
        ]
        assert summary(paged) == summary(expected)
    serious = [
        s
        for s in reference(safety, include_acknowledged=False)
        if s.alert.severity >= Severity.URGENT
    ]
    assert summary(safety.open_serious()) == summary(serious) and len(serious) == 2
    assert safety.mark_minor_read() == 3  # two info, one caution; never the urgent ones
    still = every_stored(safety, include_acknowledged=False)
    assert {s.alert.severity for s in still} == {
        Severity.URGENT,
        Severity.EMERGENCY,
        Severity.WARNING,
    }
