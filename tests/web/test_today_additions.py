"""The today page's additions in-process: the plan's ceilings against today's doses, the
exposure band chart (a filled band, never one line), the timeline phase, and the usual dose
that is the most frequent of 14 days (never a large one as one tap)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mitra import charts
from mitra.domain.entries import DoseEntry
from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.plans import PlanService
from mitra.services.usual_dose import most_usual, usual_dose


def _set_up(ctx: AppContext) -> JournalService:
    ProfileService(ctx).set(timezone="America/New_York", goals="taper-kratom")
    return JournalService(ctx)


def test_today_shows_the_exposure_band_chart_as_a_filled_band(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    journal = _set_up(sqlite_ctx)
    for hours in (70, 50, 30, 10, 2):
        journal.log_dose("3g", at=f"{hours}h ago")
    text = client.get("/today").text
    assert 'id="exposure-today"' in text
    section = text.split('id="exposure-today"')[1].split("</section>")[0]
    assert '<polygon class="band"' in section and "fill-opacity" in section
    assert 'class="typical"' in section
    assert "not a blood level" in section
    assert 'href="/exposure"' in section


def test_the_band_chart_always_draws_the_band_around_the_typical_line() -> None:
    svg = charts.exposure_band_svg(
        [-2.0, -1.0, 0.0],
        [1.0, 2.0, 1.5],
        [2.0, 3.0, 2.5],
        [3.0, 5.0, 4.0],
        ticks=[(-1.0, "1 Jan")],
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    band = svg.split('<polygon class="band" points="')[1].split('"')[0].split()
    assert len(band) == 6  # the high side forward and the low side back
    assert "1 Jan" in svg


def test_today_shows_the_plan_ceilings_and_the_doses_so_far(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    journal = _set_up(sqlite_ctx)
    for hours in (60, 40, 20, 1):
        journal.log_dose("3g", at=f"{hours}h ago")
    assert 'id="plan-today"' not in client.get("/today").text
    created = PlanService(sqlite_ctx).new_taper()
    text = client.get("/today").text
    step = created.stored.plan.steps[0]
    section = text.split('id="plan-today"')[1].split("</section>")[0]
    assert 'id="plan-daily-max"' in section and 'id="plan-so-far"' in section
    assert f"{step.daily_max_mg:.0f} mg" in section
    assert "Today&#39;s decision" in section or "Today's decision" in section
    assert 'href="/plan"' in section and "methadone" in section


def test_a_day_over_the_plan_says_which_ceiling_was_passed(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    journal = _set_up(sqlite_ctx)
    for hours in (60, 40, 20, 3):
        journal.log_dose("3g", at=f"{hours}h ago")
    PlanService(sqlite_ctx).new_taper(current_mg="60", doses_per_day="2")
    journal.log_dose("4g", at="1h ago")  # high end 78 mg: above any 60 mg/day plan's dose
    section = client.get("/today").text.split('id="plan-today"')[1].split("</section>")[0]
    assert "over today" in section
    reasons = section.split('id="plan-over-reasons"')[1].split("</ul>")[0]
    assert "<li>" in reasons


def test_today_shows_the_timeline_phase_with_its_certainty(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    journal = _set_up(sqlite_ctx)
    journal.log_dose("3g", at="30h ago")
    section = client.get("/today").text.split('id="phase-today"')[1].split("</section>")[0]
    assert "30 hours since the last use" in section
    assert "low certainty" in section
    assert 'href="/timeline"' in section


def test_the_usual_dose_is_the_most_frequent_of_14_days_not_the_last(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    journal = _set_up(sqlite_ctx)
    for hours in (80, 60, 40):
        journal.log_dose("3g", at=f"{hours}h ago")
    journal.log_dose("4g", at="20h ago")
    journal.log_dose("4g", at="10h ago")
    journal.log_dose("2g", at="1h ago")  # the last dose, taken once
    usual = usual_dose(sqlite_ctx)
    assert usual is not None and usual.entry.amount == 3 and usual.times == 3 and usual.one_tap
    button = client.get("/today").text.split('id="log-usual"')[1].split("</button>")[0]
    assert "3 g" in button


def test_a_tie_goes_to_the_most_recent_usual_dose(sqlite_ctx: AppContext) -> None:
    journal = _set_up(sqlite_ctx)
    for amount, hours in (("3g", 50), ("4g", 40), ("3g", 30), ("4g", 20), ("2g", 2)):
        journal.log_dose(amount, at=f"{hours}h ago")
    usual = usual_dose(sqlite_ctx)
    assert usual is not None and usual.entry.amount == 4 and usual.times == 2
    assert most_usual([]) is None


def test_no_dose_in_14_days_means_no_usual_dose(sqlite_ctx: AppContext) -> None:
    journal = _set_up(sqlite_ctx)
    journal.log_dose("3g", at="15 days ago")
    assert usual_dose(sqlite_ctx) is None


def test_a_usual_dose_above_the_warning_threshold_is_not_one_tap(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    journal = _set_up(sqlite_ctx)
    ProductService(sqlite_ctx).add("Gold extract", "extract", mitragynine_pct=45)
    for hours in (30, 20, 10):
        journal.log_dose("0.5g", product="Gold extract", at=f"{hours}h ago")
    usual = usual_dose(sqlite_ctx)
    warning = sqlite_ctx.rules().ruleset.rule("dose-mitragynine-high").value("max_mg")
    assert usual is not None and usual.high_mg > warning and not usual.one_tap
    text = client.get("/today").text
    assert 'id="log-usual"' not in text
    note = text.split('id="usual-not-one-tap"')[1].split("</p>")[0]
    assert "not offered as one tap" in note and 'href="/log/dose"' in note


def test_a_usual_dose_at_or_below_the_threshold_stays_one_tap(sqlite_ctx: AppContext) -> None:
    journal = _set_up(sqlite_ctx)
    journal.log_dose("3g", at="2h ago")
    usual = usual_dose(sqlite_ctx)
    assert usual is not None and usual.one_tap
    assert isinstance(usual.entry, DoseEntry)
