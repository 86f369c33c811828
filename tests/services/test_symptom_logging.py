"""Symptoms logged in people's own words, end to end through the journal service: every red
flag of the table raises its guidance (recall 100%), ordinary lines rarely alarm, free text is
kept, several symptoms become several entries (issue 10, part 1)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from mitra.domain import symptoms as symptom_catalogue
from mitra.domain.alerts import Severity
from mitra.domain.entries import SymptomEntry
from mitra.domain.safety_symptoms import red_flag_rule
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.storage.journal_store import JournalStore
from tests.conftest import FIXED_NOW
from tests.support.symptom_phrases import ORDINARY, RED_FLAGS, SEVERE_RED_FLAGS

# The share of ordinary lines that may raise a warning-sign alert. Measured: 0 of 106.
FALSE_ALARM_BOUND = 0.01
SERIOUS = {Severity.URGENT, Severity.EMERGENCY}


def test_every_red_flag_of_the_table_raises_its_guidance(sqlite_ctx: AppContext) -> None:
    journal = JournalService(sqlite_ctx)
    ruleset = sqlite_ctx.rules().ruleset
    by_id = {s.id: s for s in symptom_catalogue.catalogue()}
    missed: list[str] = []
    for day, (text, symptom_id) in enumerate([*RED_FLAGS, *SEVERE_RED_FLAGS]):
        # One report a day: non-emergency red flags raise once per rule and local day.
        result = journal.log_symptom(text, at=FIXED_NOW - timedelta(days=day, minutes=1))
        wanted = red_flag_rule(ruleset, by_id[symptom_id]).id
        if wanted not in {a.alert.rule_id for a in result.alerts}:
            missed.append(f"{text!r} -> {[a.alert.rule_id for a in result.alerts]}")
    total = len(RED_FLAGS) + len(SEVERE_RED_FLAGS)
    print(f"\nred-flag recall: {total - len(missed)}/{total}")
    assert missed == []


def test_ordinary_lines_rarely_raise_a_warning_sign(sqlite_ctx: AppContext) -> None:
    journal = JournalService(sqlite_ctx)
    alarms = []
    for minutes, text in enumerate(ORDINARY):
        result = journal.log_symptom(text, at=FIXED_NOW - timedelta(minutes=minutes + 1))
        if any(a.alert.severity in SERIOUS for a in result.alerts):
            alarms.append(text)
    rate = len(alarms) / len(ORDINARY)
    print(f"\nfalse-alarm rate on {len(ORDINARY)} ordinary lines: {rate:.1%} {alarms}")
    assert rate < FALSE_ALARM_BOUND


def test_suicidal_thoughts_in_any_wording_surface_988_at_once(sqlite_ctx: AppContext) -> None:
    result = JournalService(sqlite_ctx).log_symptom("i just want to end it all tonight")
    crisis = [a.alert for a in result.alerts if a.alert.rule_id == "symptom-suicidal-thoughts"]
    assert crisis and crisis[0].severity is Severity.EMERGENCY
    assert "988" in crisis[0].title + crisis[0].advice
    assert result.alerts[0].alert is crisis[0]  # most serious first


def test_a_curly_apostrophe_red_flag_raises_the_emergency_alert(sqlite_ctx: AppContext) -> None:
    result = JournalService(sqlite_ctx).log_symptom("I can’t breathe")
    assert [a.alert.rule_id for a in result.alerts] == ["symptom-emergency"]
    assert "911" in result.alerts[0].alert.title


def test_free_text_is_kept_in_the_persons_words_and_read_back(sqlite_ctx: AppContext) -> None:
    result = JournalService(sqlite_ctx).log_symptom("my knees feel weird", severity=1)
    assert isinstance(result.entry, SymptomEntry)
    assert (result.entry.symptom_id, result.entry.said) == ("other", "my knees feel weird")
    assert result.alerts == ()
    with sqlite_ctx.database.transaction() as conn:
        found = JournalStore(conn).get_entry(result.entry.id or 0)
    assert found is not None
    stored, _ = found
    assert isinstance(stored, SymptomEntry) and stored.said == "my knees feel weird"


def test_a_red_flag_in_free_text_keeps_the_words_and_raises_like_a_catalogued_one(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    typed = journal.log_symptom("his lips are going blue", at=FIXED_NOW - timedelta(hours=1))
    picked = journal.log_symptom("overdose-signs", severity=1)
    assert typed.entry.said == "his lips are going blue"
    assert [a.alert.rule_id for a in typed.alerts] == [a.alert.rule_id for a in picked.alerts]


def test_several_symptoms_in_one_line_become_entries_in_one_go(sqlite_ctx: AppContext) -> None:
    result = JournalService(sqlite_ctx).log_symptom("sweating and shaking, can’t sleep")
    assert [e.symptom_id for e in result.entries] == ["sweating", "tremor", "insomnia"]
    assert result.understood == "Understood: sweating, tremor, trouble sleeping"
    assert len({e.id for e in result.entries}) == 3
    assert result.severity_note is not None and "no severity given" in result.severity_note
    found, _, _ = JournalService(sqlite_ctx).history()
    assert len(found) == 3


def test_a_catalogue_word_typed_as_is_keeps_no_extra_words(sqlite_ctx: AppContext) -> None:
    result = JournalService(sqlite_ctx).log_symptom("nausea", severity=1)
    assert isinstance(result.entry, SymptomEntry) and result.entry.said is None


@pytest.mark.parametrize("severity", [-1, 4, 2.5])
def test_a_bad_severity_is_still_refused_and_writes_nothing(
    sqlite_ctx: AppContext, severity: float
) -> None:
    from mitra.domain.errors import InputError

    with pytest.raises(InputError, match="severity"):
        JournalService(sqlite_ctx).log_symptom("cramps and the runs", severity=severity)
    found, _, _ = JournalService(sqlite_ctx).history()
    assert found == []


def test_the_persons_words_survive_export_and_import(
    sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    from mitra.services.transfer import TransferService
    from mitra.storage.database import open_database

    JournalService(sqlite_ctx).log_symptom("my toe feels odd", severity=1)
    document = json.loads(json.dumps(TransferService(sqlite_ctx).export_document()))
    assert document["entries"][0]["symptom"]["said"] == "my toe feels odd"
    target = AppContext(
        open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}"), clock=lambda: FIXED_NOW
    )
    TransferService(target).import_document(document)
    found, _, _ = JournalService(target).history()
    assert isinstance(found[0], SymptomEntry) and found[0].said == "my toe feels odd"
    target.database.dispose()


def test_an_export_made_before_words_were_kept_still_imports(
    sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    from mitra.services.transfer import TransferService
    from mitra.storage.database import open_database

    JournalService(sqlite_ctx).log_symptom("nausea", severity=1)
    document = json.loads(json.dumps(TransferService(sqlite_ctx).export_document()))
    del document["entries"][0]["symptom"]["said"]  # as an older mitra wrote it
    target = AppContext(
        open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}"), clock=lambda: FIXED_NOW
    )
    report = TransferService(target).import_document(document)
    assert report.added >= 1
    found, _, _ = JournalService(target).history()
    assert isinstance(found[0], SymptomEntry) and found[0].said is None
    target.database.dispose()
