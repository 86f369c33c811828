"""Safety use cases: judge every write, keep alerts, acknowledge them, show the rules.

``judge_entry`` and ``judge_assessment`` run inside the caller's transaction, so an entry and
the alerts it raises commit together. The history handed to the pure engine is read from the
database around the new entry's OWN time (a back-filled dose is judged as of when it
happened). The ruleset is the reviewed one with the clinician's settings file applied; a
setting that would loosen a hard limit is refused and reported, never applied.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Connection

from mitra.domain.entries import Entry, check_note
from mitra.domain.errors import ConflictError, NotFoundError
from mitra.domain.instruments import Assessment
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Ruleset, apply_settings, load_ruleset, parse_settings
from mitra.domain.safety import evaluate, evaluate_assessment, history_span
from mitra.services.context import AppContext
from mitra.storage.alert_store import AlertStore, StoredAlert
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_store import JournalStore

SETTINGS_ENV = "MITRA_SAFETY_SETTINGS"


@dataclass(frozen=True)
class EffectiveRules:
    """The ruleset in force, where its settings came from, and the settings refused."""

    ruleset: Ruleset
    settings_path: Path | None
    refused: tuple[str, ...] = field(default_factory=tuple)


def default_settings_path() -> Path:
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_config_dir("mitra", appauthor=False)) / "safety.toml"


def effective_rules(settings_path: Path | None = None) -> EffectiveRules:
    """The reviewed ruleset with a clinician's settings file applied, if there is one.

    The file is ``settings_path``, else ``$MITRA_SAFETY_SETTINGS``, else ``safety.toml`` in the
    user config folder. A missing default file is normal; a named file that is missing or
    unreadable is reported as refused, and the reviewed defaults stay in force (fail safe).
    """
    base = load_ruleset()
    named = settings_path or (
        Path(os.environ[SETTINGS_ENV]) if os.environ.get(SETTINGS_ENV) else None
    )
    path = named or default_settings_path()
    if not path.exists():
        missing = f"safety settings file {path} does not exist; using the reviewed defaults"
        return EffectiveRules(base, None, (missing,) if named else ())
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return EffectiveRules(base, path, (f"cannot read {path}: {exc.strerror}",))
    overrides, problems = parse_settings(text)
    ruleset, refused = apply_settings(base, overrides)
    return EffectiveRules(ruleset, path, (*problems, *refused))


def judge_entry(
    conn: Connection, ctx: AppContext, entry: Entry, profile: Profile
) -> list[StoredAlert]:
    """Evaluate a just-stored entry against the record around it; store and return new alerts."""
    ruleset = ctx.rules().ruleset
    before, after = history_span(ruleset)
    history = JournalStore(conn).list_entries(since=entry.at - before, until=entry.at + after)
    lookback = timedelta(hours=ruleset.windows.assessment_lookback_hours)
    assessments = [
        s.assessment
        for s in AssessmentStore(conn).list_assessments(since=entry.at - lookback)
        if s.assessment.at <= entry.at
    ]
    alerts = evaluate(history, entry, profile, ruleset, assessments=assessments)
    return AlertStore(conn).add_new(alerts, created_at=ctx.now())


def judge_assessment(
    conn: Connection, ctx: AppContext, assessment: Assessment, profile: Profile
) -> list[StoredAlert]:
    alerts = evaluate_assessment(assessment, profile, ctx.rules().ruleset)
    return AlertStore(conn).add_new(alerts, created_at=ctx.now())


class SafetyService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def alerts(self, *, include_acknowledged: bool = False) -> list[StoredAlert]:
        with self.ctx.database.read() as conn:
            return AlertStore(conn).list(include_acknowledged=include_acknowledged)

    def open_serious(self) -> list[StoredAlert]:
        """Unacknowledged urgent and emergency alerts, shown on every screen until acknowledged."""
        return [s for s in self.alerts() if s.alert.severity.rank >= 3]

    def acknowledge(self, alert_id: int, note: str | None = None) -> StoredAlert:
        clean = check_note(note)
        with self.ctx.database.transaction() as conn:
            store = AlertStore(conn)
            found = store.get(alert_id)
            if found is None:
                raise NotFoundError(
                    f"no alert with id {alert_id}; see 'mitra alerts --all'", field="id"
                )
            if found.acknowledged_at is not None:
                raise ConflictError(f"alert {alert_id} was already acknowledged", field="id")
            now = self.ctx.now()
            store.acknowledge(alert_id, at=now, note=clean)
        return StoredAlert(found.id, found.alert, found.created_at, now, clean)
