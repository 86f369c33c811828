"""The new safety checks through the services, on real SQLite files: the COWS resting pulse in
beats a minute reaches the pulse rule, and two emergencies logged in the same second are stored
as two alerts, each with its own guidance."""

from __future__ import annotations

from mitra.services.catalogue import ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from tests.conftest import FIXED_NOW

COWS_WITHOUT_PULSE = "0,0,0,0,0,0,0,0,0,0"


def test_a_cows_pulse_of_130_bpm_raises_the_urgent_pulse_alert(sqlite_ctx: AppContext) -> None:
    ProfileService(sqlite_ctx).set(timezone="UTC")
    result = CheckinService(sqlite_ctx).record("cows", COWS_WITHOUT_PULSE, pulse_bpm=130)
    assert [s.alert.rule_id for s in result.alerts] == ["pulse-resting-fast"]
    assert "130 beats a minute" in result.alerts[0].alert.message


def test_a_cows_pulse_of_129_bpm_raises_no_pulse_alert(sqlite_ctx: AppContext) -> None:
    ProfileService(sqlite_ctx).set(timezone="UTC")
    result = CheckinService(sqlite_ctx).record("cows", COWS_WITHOUT_PULSE, pulse_bpm=129)
    assert "pulse-resting-fast" not in {s.alert.rule_id for s in result.alerts}


def test_two_emergencies_logged_in_the_same_second_are_two_open_alerts(
    sqlite_ctx: AppContext,
) -> None:
    ProfileService(sqlite_ctx).set(timezone="UTC")
    journal = JournalService(sqlite_ctx)
    moment = FIXED_NOW.isoformat()
    journal.log_symptom("seizure", severity=3, at=moment)
    journal.log_symptom("trouble breathing", severity=3, at=moment)
    emergencies = [
        s.alert
        for s in SafetyService(sqlite_ctx).alerts()
        if s.alert.rule_id == "symptom-emergency"
    ]
    assert len(emergencies) == 2
    assert len({a.key for a in emergencies}) == 2
    messages = " ".join(a.message.lower() for a in emergencies)
    assert "seizure" in messages and "trouble breathing" in messages
    assert all("rescue breaths" in a.advice for a in emergencies)
