"""Safety use cases: judge every write, keep alerts, acknowledge them, show the rules.

``judge_entry`` and ``judge_assessment`` run inside the caller's transaction, so an entry and
the alerts it raises commit together. They re-judge every window the entry falls in
(``safety_rejudge``): a dose logged late is added to the totals of the doses after it, and
the stored alerts become what the finished journal implies, whatever the order of logging.
The ruleset is the reviewed one with the clinician's settings file applied; a setting that
would loosen a hard limit is refused and reported, never applied.

Repeats. ``alerts`` shows the repeats of one pattern (the same rule and subject on other days
or weeks) as ONE alert with a count and the latest occurrence; acknowledging it acknowledges
every occurrence it stands for. Doses past the per-dose hard limit and emergencies are raised
every time and each stays visible on its own (their keys are per event).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from mitra.domain.alerts import key_parts
from mitra.domain.entries import Entry, check_note
from mitra.domain.errors import ConflictError, NotFoundError
from mitra.domain.instruments import Assessment
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Ruleset, apply_settings, load_ruleset, parse_settings
from mitra.services.context import AppContext
from mitra.storage.alert_store import AlertStore, StoredAlert

if TYPE_CHECKING:
    from mitra.services.safety_rejudge import RejudgeReport

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


def _settings_file(settings_path: Path | None) -> tuple[Path | None, Path]:
    """The settings file named (``settings_path`` or ``$MITRA_SAFETY_SETTINGS``), if any, and
    the one read: the named one, else the default."""
    named = settings_path or (
        Path(os.environ[SETTINGS_ENV]) if os.environ.get(SETTINGS_ENV) else None
    )
    return named, named or default_settings_path()


SettingsStamp = tuple[str, int | None, int | None]


def settings_stamp(settings_path: Path | None = None) -> SettingsStamp:
    """Which settings file ``effective_rules`` would read and when it last changed (None: no
    such file). One ``stat``: cheap enough for a long-running server to look before every
    write, so a clinician's changed settings apply without a restart."""
    _, path = _settings_file(settings_path)
    try:
        found = path.stat()
    except OSError:
        return (str(path), None, None)
    return (str(path), found.st_mtime_ns, found.st_size)


def effective_rules(settings_path: Path | None = None) -> EffectiveRules:
    """The reviewed ruleset with a clinician's settings file applied, if there is one.

    The file is ``settings_path``, else ``$MITRA_SAFETY_SETTINGS``, else ``safety.toml`` in the
    user config folder. A missing default file is normal; a named file that is missing or
    unreadable is reported as refused, and the reviewed defaults stay in force (fail safe).
    """
    base = load_ruleset()
    named, path = _settings_file(settings_path)
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
    """Re-judge the windows a just-stored entry falls in; return the alerts it opened."""
    from mitra.services.safety_rejudge import rejudge_around  # noqa: PLC0415

    return rejudge_around(conn, ctx, profile, changed=entry)


def judge_assessment(
    conn: Connection,
    ctx: AppContext,
    assessment: Assessment,
    profile: Profile,
) -> list[StoredAlert]:
    """Re-judge the day of a just-stored check-in; return the alerts it opened."""
    from mitra.services.safety_rejudge import rejudge_around  # noqa: PLC0415

    return rejudge_around(conn, ctx, profile, checkin_at=assessment.at)


def group_repeats(found: Sequence[StoredAlert]) -> list[StoredAlert]:
    """One alert per pattern and state (open or not): the latest occurrence, with ``count``,
    ``first_at`` and every id it stands for. Event keys (hard limits, emergencies) are their
    own pattern, so each stays visible. Most serious first, then latest first."""
    groups: dict[tuple[str, bool], list[StoredAlert]] = {}
    for stored in found:
        groups.setdefault((key_parts(stored.alert.key).pattern, stored.is_open), []).append(stored)
    shown = []
    for members in groups.values():
        members.sort(key=lambda s: (s.alert.at, s.id))
        latest = members[-1]
        shown.append(
            replace(
                latest,
                count=len(members),
                first_at=members[0].alert.at,
                alert_ids=tuple(s.id for s in members),
            )
        )
    shown.sort(key=lambda s: (s.alert.at, s.id), reverse=True)
    shown.sort(key=lambda s: -s.alert.severity.rank)
    return shown


class SafetyService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def alerts(self, *, include_acknowledged: bool = False) -> list[StoredAlert]:
        """Open alerts (and acknowledged ones when asked), repeats of a pattern grouped."""
        with self.ctx.database.read() as conn:
            found = AlertStore(conn).list(include_acknowledged=include_acknowledged)
        return group_repeats(found)

    def rejudge(self, *, dry_run: bool) -> RejudgeReport:
        """Judge the whole journal from scratch; apply the difference unless ``dry_run``."""
        from mitra.services.safety_rejudge import rejudge_all  # noqa: PLC0415

        return rejudge_all(self.ctx, dry_run=dry_run)

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
            # The alert stands for every open repeat of its pattern so far: all are seen
            # together (a repeat after this moment is new, and shows again).
            pattern = key_parts(found.alert.key).pattern
            same = [
                s
                for s in store.list()
                if key_parts(s.alert.key).pattern == pattern
                and (s.alert.at <= now or s.id == found.id)
            ]
            for stored in same or [found]:
                store.acknowledge(stored.id, at=now, note=clean)
        return replace(
            found,
            acknowledged_at=now,
            ack_note=clean,
            count=max(1, len(same)),
            alert_ids=tuple(s.id for s in same),
        )
