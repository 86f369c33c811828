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

import functools
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from mitra.domain.alerts import Scope, Severity, key_parts
from mitra.domain.entries import Entry, check_note
from mitra.domain.errors import ConflictError, NotFoundError
from mitra.domain.instruments import Assessment
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Ruleset, apply_settings, load_ruleset, parse_settings
from mitra.services.context import AppContext
from mitra.storage.alert_store import AlertStore, Occurrence, StoredAlert

if TYPE_CHECKING:
    from mitra.services.safety_rejudge import RejudgeReport
    from mitra.storage.judging_window import Window

SETTINGS_ENV = "MITRA_SAFETY_SETTINGS"


@dataclass(frozen=True)
class EffectiveRules:
    """The ruleset in force, where its settings came from, and the settings refused."""

    ruleset: Ruleset
    settings_path: Path | None
    refused: tuple[str, ...] = field(default_factory=tuple)


# What platformdirs reads to find the user config folder, on any system.
_CONFIG_ENV = ("XDG_CONFIG_HOME", "HOME", "APPDATA", "LOCALAPPDATA", "USERPROFILE")


def default_settings_path() -> Path:
    """``safety.toml`` in the user config folder. Asked before every write (the settings
    stamp), so worked out once for each value of the variables that decide the folder."""
    return _default_settings_path(tuple(os.environ.get(name) for name in _CONFIG_ENV))


@functools.lru_cache(maxsize=8)
def _default_settings_path(_env: tuple[str | None, ...]) -> Path:
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
    conn: Connection,
    ctx: AppContext,
    entry: Entry,
    profile: Profile,
    *,
    plan_active: bool | None = None,
    window: Window | None = None,
) -> list[StoredAlert]:
    """Re-judge the windows a just-stored entry falls in; return the alerts it opened
    (``plan_active``: whether a plan is active, if the caller has looked already;
    ``window``: the reads the last write kept, ``storage.judging_window``)."""
    from mitra.services.safety_rejudge import rejudge_around  # noqa: PLC0415

    return rejudge_around(conn, ctx, profile, changed=entry, plan_active=plan_active, window=window)


def judge_assessment(
    conn: Connection,
    ctx: AppContext,
    assessment: Assessment,
    profile: Profile,
) -> list[StoredAlert]:
    """Re-judge the day of a just-stored check-in; return the alerts it opened."""
    from mitra.services.safety_rejudge import rejudge_around  # noqa: PLC0415

    return rejudge_around(conn, ctx, profile, checkin_at=assessment.at)


PER_PAGE = 20
MAX_PAGE = 1_000_000
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class AlertPage:
    """One page of grouped alerts, with how many groups there are in all and how many open
    groups there are of each severity (the latest occurrence's)."""

    alerts: list[StoredAlert]
    offset: int
    per_page: int
    total: int
    open_by_severity: dict[Severity, int]

    @property
    def page(self) -> int:
        return self.offset // self.per_page + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + self.per_page < self.total


def _by_pattern(members: Sequence[Occurrence]) -> dict[str, list[Occurrence]]:
    """Open occurrences by pattern, each list oldest first (they come so from the store)."""
    groups: dict[str, list[Occurrence]] = {}
    for m in members:
        groups.setdefault(m.pattern, []).append(m)
    for group in groups.values():
        group.sort(key=lambda m: (m.at, m.id))
    return groups


def _grouped(latest: StoredAlert, group: Sequence[Occurrence]) -> StoredAlert:
    return replace(
        latest,
        count=len(group),
        first_at=group[0].at,
        alert_ids=tuple(m.id for m in group),
    )


def _most_serious_first(shown: list[StoredAlert]) -> list[StoredAlert]:
    shown.sort(key=lambda s: (s.alert.at, s.id), reverse=True)
    shown.sort(key=lambda s: -s.alert.severity.rank)
    return shown


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
    return _most_serious_first(shown)


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
        """Unacknowledged urgent and emergency alerts, shown on every screen until acknowledged.

        The same groups ``alerts()`` shows with an urgent or emergency latest occurrence, read
        with an index search (usually empty); only when some are open are their patterns'
        other open occurrences read (without their text) to group them."""
        with self.ctx.database.read() as conn:
            store = AlertStore(conn)
            serious = {s.id: s for s in store.open_serious()}
            if not serious:
                return []
            # An event key is its own pattern and keys are unique: its group is itself, so
            # only day, week and once patterns need their other occurrences read.
            parts = [key_parts(s.alert.key) for s in serious.values()]
            members = [
                Occurrence(s.id, s.alert.key, s.alert.at, s.alert.severity, True)
                for s in serious.values()
                if key_parts(s.alert.key).scope is Scope.EVENT
            ]
            members += store.occurrences({p.pattern for p in parts if p.scope is not Scope.EVENT})
        shown = []
        for group in _by_pattern(members).values():
            latest = group[-1]
            if latest.severity.rank >= Severity.URGENT.rank and latest.id in serious:
                shown.append(_grouped(serious[latest.id], group))
        return _most_serious_first(shown)

    def alert_page(
        self,
        *,
        page: int = 1,
        per_page: int = PER_PAGE,
        offset: int | None = None,
        include_acknowledged: bool = False,
    ) -> AlertPage:
        """One page of ``alerts()`` (the same groups in the same order): the groups' heads in
        one statement (counted and paged here), then only the page's alerts decoded. Open
        urgent and emergency alerts come first, so page 1 always shows them. ``offset`` (in groups)
        overrides ``page`` for callers that page by offset (the API)."""
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE or (offset is not None and offset < 0):
            raise ValueError(f"page must be 1 or more and per_page 1 to {MAX_PER_PAGE}")
        start = (page - 1) * per_page if offset is None else offset
        with self.ctx.database.read() as conn:
            store = AlertStore(conn)
            heads = store.group_heads(include_acknowledged=include_acknowledged)
            rows = heads[start : start + per_page]
            full = store.get_many([r.latest_id for r in rows])
            sizes = store.group_sizes(
                {r.pattern for r in rows}, include_acknowledged=include_acknowledged
            )
        shown = [
            replace(
                full[r.latest_id],
                count=(size := sizes[(r.pattern, r.is_open)]).count,
                first_at=size.first_at,
                alert_ids=size.ids,
            )
            for r in rows
        ]
        open_counts = Counter(h.severity for h in heads if h.is_open)
        return AlertPage(
            alerts=shown,
            offset=start,
            per_page=per_page,
            total=len(heads),
            open_by_severity=dict(open_counts),
        )

    def mark_minor_read(self, note: str | None = None) -> int:
        """Acknowledge every open caution and information alert so far, in one transaction.
        Urgent and emergency alerts (and warnings) are never touched: each needs its own
        acknowledgement. Returns how many stored occurrences were acknowledged."""
        clean = check_note(note)
        with self.ctx.database.transaction() as conn:
            return AlertStore(conn).acknowledge_minor(at=self.ctx.now(), note=clean)

    def acknowledge(self, alert_id: int, note: str | None = None) -> StoredAlert:
        clean = check_note(note)
        with self.ctx.database.transaction() as conn:
            store = AlertStore(conn)
            found = store.get(alert_id)
            if found is None:
                # Plain words: pages show this too; the CLI adds its own hint.
                raise NotFoundError(f"there is no alert with id {alert_id}", field="id")
            if found.acknowledged_at is not None:
                raise ConflictError(f"alert {alert_id} was already acknowledged", field="id")
            now = self.ctx.now()
            # The alert stands for every open repeat of its pattern so far: all are seen
            # together (a repeat after this moment is new, and shows again).
            pattern = key_parts(found.alert.key).pattern
            same = [s.id for s in store.occurrences({pattern}) if s.at <= now or s.id == found.id]
            for same_id in same or [found.id]:
                store.acknowledge(same_id, at=now, note=clean)
        return replace(
            found,
            acknowledged_at=now,
            ack_note=clean,
            count=max(1, len(same)),
            alert_ids=tuple(same),
        )
