"""Plan use cases: create a titration or taper plan, show it, today's status with the gating
decision, an explicit step back, and calendar reminders.

Invariants:

* a plan's hard limits come from the EFFECTIVE safety ruleset (``plan_inputs.limits_from``),
  so no step exceeds what the safety engine allows, whatever a clinician's settings file says;
* options are read and checked before a transaction opens; a plan the planners refuse raises
  before anything is written; a new plan ends the active one in the same transaction, recorded;
* today's status runs the symptom gating over the stored COWS and SOWS-Gossop check-ins (from
  the plan's start, plus the last one before it, the baseline of a first step) and records the
  decision with its reason (a same-day repeat is not stored twice); a plan never moves on dates
  alone and never on no check-in;
* a step back is explicit, recorded, one step, and only where the domain allows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from mitra.domain.entries import DoseEntry, Kind
from mitra.domain.errors import InputError, NotFoundError
from mitra.domain.instrument_defs import Assessment
from mitra.domain.plan_model import MAX_CURRENT_DAILY_MG, instrument_gates
from mitra.domain.plan_units import ProductMeasure
from mitra.domain.planners import MAX_PLAN_DOSES_PER_DAY
from mitra.domain.plans import (
    Decision,
    DoseJudgement,
    Limits,
    Plan,
    PlanStep,
    TimedDose,
    gate,
    judge_dose,
    step_back,
    taper_plan,
    titration_plan,
)
from mitra.domain.profile import Profile
from mitra.services import plan_options as opt
from mitra.services.context import AppContext
from mitra.services.plan_inputs import (
    Intake,
    count_window,
    intake_from,
    limits_from,
    window_start,
)
from mitra.services.plan_units import measure_in
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_store import JournalStore
from mitra.storage.plan_store import EventKind, PlanEvent, PlanStore, StoredPlan

ROLLING_DAY = timedelta(hours=24)


@dataclass(frozen=True)
class PlanCreated:
    stored: StoredPlan
    replaced: StoredPlan | None
    intake: Intake | None
    limits: Limits
    refused_settings: tuple[str, ...]
    zone: ZoneInfo
    # The person's usual product, to show each step in it (None: no dose in 14 days).
    measure: ProductMeasure | None = None


@dataclass(frozen=True)
class PlanOverview:
    stored: StoredPlan
    events: tuple[PlanEvent, ...]
    today: date
    zone: ZoneInfo
    measure: ProductMeasure | None = None


@dataclass(frozen=True)
class DoseToday:
    entry: DoseEntry
    judgement: DoseJudgement


@dataclass(frozen=True)
class PlanStatus:
    stored: StoredPlan
    today: date
    decision: Decision
    recorded: bool
    step: PlanStep | None
    next_step: PlanStep | None
    doses: tuple[DoseToday, ...]
    total_mg: float
    verdict: Literal["within", "over", "no-doses", "not-started"]
    last_checkins: tuple[Assessment, ...]
    zone: ZoneInfo


@dataclass(frozen=True)
class StepBackResult:
    stored: StoredPlan
    decision: Decision
    zone: ZoneInfo


def _no_plan() -> NotFoundError:
    return NotFoundError(
        "no active plan; start one with 'mitra plan new taper' or 'mitra plan new titration'",
        field="plan",
    )


class PlanService:
    def __init__(self, ctx: AppContext, *, author_id: int | None = None) -> None:
        """``author_id``: a clinician acting for the person (clinic server); their plan or
        step-back is recorded as theirs in the same transaction (``plan_authors``)."""
        self.ctx = ctx
        self.author_id = author_id

    def _authored(self, conn: Connection, plan_id: int, action: str) -> None:
        if self.author_id is None:
            return
        from mitra.storage import plan_author_store  # noqa: PLC0415

        plan_author_store.insert_author(
            conn,
            self.ctx.database.journal_id,
            plan_id,
            action=action,
            author_id=self.author_id,
            at=self.ctx.now(),
        )

    # -- shared --------------------------------------------------------------------------------
    def limits(self) -> Limits:
        return limits_from(self.ctx.rules().ruleset)

    def _profile(self, conn: Connection) -> tuple[Profile, ZoneInfo, date]:
        profile = JournalStore(conn).get_profile(self.ctx.default_timezone)
        zone = profile.zone()
        return profile, zone, self.ctx.now().astimezone(zone).date()

    def _replace_active(
        self, conn: Connection, plan: Plan, today: date, zone: ZoneInfo
    ) -> PlanCreated:
        """End the active plan (recorded) and store ``plan`` as the active one."""
        store = PlanStore(conn)
        now = self.ctx.now()
        previous = store.active()
        if previous is not None:
            store.end(previous, at=now, day=today, reason=f"Replaced by a new {plan.kind} plan.")
        created = store.add(plan, at=now, day=today, reason=f"A new {plan.kind} plan.")
        self._authored(conn, created.id, "created")
        return PlanCreated(
            created,
            previous,
            None,
            plan.limits,
            self.ctx.rules().refused,
            zone,
            measure_in(conn, now),
        )

    # -- creating ------------------------------------------------------------------------------
    def new_titration(
        self,
        *,
        start: str | None = None,
        first_dose_mg: str | None = None,
        step_mg: str | None = None,
        settle_days: str | None = None,
        doses_per_day: str | None = None,
        target_dose_mg: str | None = None,
    ) -> PlanCreated:
        first = opt.number(first_dose_mg, "--first-dose-mg")
        step = opt.number(step_mg, "--step-mg")
        hold = opt.whole(settle_days, "--settle-days")
        per_day = opt.whole(doses_per_day, "--doses-per-day")
        target = opt.number(target_dose_mg, "--target-dose-mg")
        limits = self.limits()
        with self.ctx.database.transaction() as conn:
            _, zone, today = self._profile(conn)
            plan = titration_plan(
                opt.start_date(start, today),
                limits,
                created_at=self.ctx.now(),
                first_dose_mg=first,
                step_mg=step,
                settle_days=hold,
                doses_per_day=per_day,
                target_dose_mg=target,
            )
            return self._replace_active(conn, plan, today, zone)

    def new_taper(
        self,
        *,
        strategy: str | None = None,
        speed: str | None = None,
        step_days: str | None = None,
        steps: str | None = None,
        current_mg: str | None = None,
        doses_per_day: str | None = None,
        used_over_a_year: str | None = None,
        start: str | None = None,
    ) -> PlanCreated:
        """A taper from the current amount: ``current_mg`` if given, else read from the log
        (``plan_inputs.intake_from``). ``steps`` (a clinician's schedule) implies the custom
        strategy; its items without days last ``step_days`` (default 28)."""
        chosen = (strategy or ("custom" if steps is not None else "percent")).strip().lower()
        days = opt.whole(step_days, "--step-days")
        custom = None
        if steps is not None or chosen == "custom":
            if steps is None or chosen != "custom":
                raise InputError(
                    "--steps go with --strategy custom (a clinician's schedule), and a custom "
                    'taper needs --steps, e.g. --steps "120,108,96"',
                    field="steps",
                )
            custom = opt.custom_steps(steps, days or opt.DEFAULT_CUSTOM_STEP_DAYS)
            days = None
        pace = opt.speed(speed)
        given_current = opt.number(current_mg, "--current-mg")
        per_day = opt.whole(doses_per_day, "--doses-per-day")
        long_use = opt.yes_no_unknown(used_over_a_year, "--used-over-a-year")
        limits = self.limits()
        with self.ctx.database.transaction() as conn:
            _, zone, today = self._profile(conn)
            first = opt.start_date(start, today)
            intake = self._intake(conn, zone, today, required=given_current is None)
            current = given_current if given_current is not None else _daily(intake)
            if per_day is None and intake is not None:
                per_day = min(intake.doses_per_day, MAX_PLAN_DOSES_PER_DAY)
            usual_dose = None
            if given_current is None and intake is not None:
                usual_dose = intake.largest_dose_mg
            plan = taper_plan(
                first,
                current,
                limits,
                created_at=self.ctx.now(),
                strategy=chosen,
                speed=pace,
                step_days=days,
                custom_steps=custom,
                doses_per_day=per_day,
                current_dose_mg=usual_dose,
                used_over_a_year=long_use,
            )
            created = self._replace_active(conn, plan, today, zone)
        return PlanCreated(
            created.stored,
            created.replaced,
            intake,
            created.limits,
            created.refused_settings,
            created.zone,
            created.measure,
        )

    def _intake(
        self, conn: Connection, zone: ZoneInfo, today: date, *, required: bool
    ) -> Intake | None:
        doses = [
            e
            for e in JournalStore(conn).list_entries(
                # The 7 days before today and nothing from today on (``intake_from``'s window).
                since=window_start(today, zone),
                until=datetime.combine(today, time(0), tzinfo=zone) - timedelta(microseconds=1),
                kinds=[Kind.DOSE],
            )
            if isinstance(e, DoseEntry)
        ]
        try:
            return intake_from(doses, today, zone)
        except InputError:
            if required:
                raise
            return None

    # -- reading -------------------------------------------------------------------------------
    def show(self) -> PlanOverview | None:
        with self.ctx.database.read() as conn:
            _, zone, today = self._profile(conn)
            store = PlanStore(conn)
            stored = store.active()
            if stored is None:
                return None
            return PlanOverview(
                stored,
                tuple(store.events(stored.id)),
                today,
                zone,
                measure_in(conn, self.ctx.now()),
            )

    def status(self, *, record: bool = True) -> PlanStatus | None:
        """Today's decision, the step in force, and today's doses judged against it.

        With ``record`` (the CLI's ``plan status``, the web's "take today's decision" button)
        the decision is stored, a same-day repeat once; without it (every web GET) the same
        decision is computed in a read-only transaction and nothing is written."""
        reader = self.ctx.database.transaction if record else self.ctx.database.read
        with reader() as conn:
            _, zone, today = self._profile(conn)
            store = PlanStore(conn)
            stored = store.active()
            if stored is None:
                return None
            assessments = self._gating_assessments(conn, stored.plan, zone)
            decision = gate(stored.plan, today, assessments, zone=zone)
            if record:
                stored, recorded = self._record(store, stored, decision, today)
                plan = stored.plan
            else:
                recorded, plan = False, decision.plan
            step = plan.step_on(today)
            following = plan.steps[plan.current + 1] if plan.current + 1 < len(plan.steps) else None
            doses = self._doses_today(conn, plan, step, today, zone)
        total = sum(d.entry.estimate.mitragynine_mg.high for d in doses)
        verdict: Literal["within", "over", "no-doses", "not-started"]
        if step is None:
            verdict = "not-started"
        elif not doses:
            verdict = "no-doses"
        else:
            over = any(d.judgement.verdict == "over" for d in doses)
            verdict = "over" if over else "within"
        latest = _latest_per_instrument(assessments)
        return PlanStatus(
            stored, today, decision, recorded, step, following, doses, total, verdict, latest, zone
        )

    def _record(
        self, store: PlanStore, stored: StoredPlan, decision: Decision, today: date
    ) -> tuple[StoredPlan, bool]:
        return store.record(
            stored,
            decision.plan,
            event=_event(decision),
            cause=decision.cause,
            reason=decision.reason,
            at=self.ctx.now(),
            day=today,
        )

    def _gating_assessments(self, conn: Connection, plan: Plan, zone: ZoneInfo) -> list[Assessment]:
        """Check-ins of the gating instruments since the plan's first day, plus the last one
        before it: the gating compares with the last score before the current run of ceilings
        began, which for a first step lies before the plan."""
        since = datetime.combine(plan.steps[0].start, time(0), tzinfo=zone)
        store = AssessmentStore(conn)
        found: list[Assessment] = []
        for instrument_id in instrument_gates():
            earlier = store.latest_before(instrument_id, since)
            if earlier is not None:
                found.append(earlier.assessment)
            found += [
                s.assessment
                for s in store.list_assessments(instrument_id=instrument_id, since=since)
            ]
        return found

    def _doses_today(
        self, conn: Connection, plan: Plan, step: PlanStep | None, today: date, zone: ZoneInfo
    ) -> tuple[DoseToday, ...]:
        if step is None:
            return ()
        start = datetime.combine(today, time(0), tzinfo=zone)
        nearby = [
            e
            for e in JournalStore(conn).list_entries(
                since=start - ROLLING_DAY, until=start + 2 * ROLLING_DAY, kinds=[Kind.DOSE]
            )
            if isinstance(e, DoseEntry)
        ]
        window = count_window(self.ctx.rules().ruleset)
        judged = []
        for dose in nearby:
            if dose.at.astimezone(zone).date() != today:
                continue
            others = [
                TimedDose(d.at, d.estimate.mitragynine_mg.high)
                for d in nearby
                if d is not dose and abs(d.at - dose.at) <= ROLLING_DAY
            ]
            new = TimedDose(dose.at, dose.estimate.mitragynine_mg.high)
            verdict = judge_dose(plan, step, others, new, count_window=window)
            judged.append(DoseToday(dose, verdict))
        return tuple(judged)

    # -- changing ------------------------------------------------------------------------------
    def step_back(self, reason: str) -> StepBackResult:
        """An explicit step back of the active taper, recorded with its reason."""
        with self.ctx.database.transaction() as conn:
            _, zone, today = self._profile(conn)
            store = PlanStore(conn)
            stored = store.active()
            if stored is None:
                raise _no_plan()
            # Today's decision first (the web shows it without storing it): a step back goes
            # back from the step in force today, as the page showed it.
            assessments = self._gating_assessments(conn, stored.plan, zone)
            stored, _ = self._record(
                store, stored, gate(stored.plan, today, assessments, zone=zone), today
            )
            decision = step_back(stored.plan, today, reason)
            stored, _ = store.record(
                stored,
                decision.plan,
                event="step-back",
                cause="request",
                reason=decision.reason,
                at=self.ctx.now(),
                day=today,
            )
            self._authored(conn, stored.id, "step-back")
        return StepBackResult(stored, decision, zone)

    # -- calendar ------------------------------------------------------------------------------
    def export_ics(self, path: str, *, details: bool = True) -> tuple[Path, int, int]:
        """Write calendar reminders for the active plan's steps and check-ins to ``path``;
        returns the path and how many step and check-in events it holds."""
        from mitra.services.plan_calendar import write_calendar  # noqa: PLC0415

        target = Path(path).expanduser()
        overview = self.show()
        if overview is None:
            raise _no_plan()
        return write_calendar(target, overview, now=self.ctx.now(), details=details)

    def calendar(self, *, details: bool = True) -> bytes:
        """The same calendar as ``export_ics`` writes, as bytes (for a download)."""
        from mitra.services.plan_calendar import calendar_bytes  # noqa: PLC0415

        overview = self.show()
        if overview is None:
            raise _no_plan()
        content, _, _ = calendar_bytes(overview, now=self.ctx.now(), details=details)
        return content


def _daily(intake: Intake | None) -> float:
    assert intake is not None  # required when no amount was given
    return min(intake.daily_mg, MAX_CURRENT_DAILY_MG)


def _event(decision: Decision) -> EventKind:
    return decision.action


def _latest_per_instrument(assessments: Sequence[Assessment]) -> tuple[Assessment, ...]:
    latest: dict[str, Assessment] = {}
    for a in sorted(assessments, key=lambda a: a.at):
        latest[a.instrument_id] = a
    return tuple(sorted(latest.values(), key=lambda a: a.instrument_id))
