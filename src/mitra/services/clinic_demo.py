"""The clinic demo: a small clinic of one clinician and four people, built in an empty
PostgreSQL database through the same use cases the clinic's own people use, so that the
clinician's workspace (the roster by risk, a person's page, acting for a person) has something
real to show.

Who is in it, as of ``now``:
* Sam (``sam@demo.clinic``) has the four weeks of the local demo (``services.demo``): off
  oxycodone, kratom leaf, an emergency on day 8, a taper plan. Shared with the clinician to
  plan. The clinician has seen Sam's emergencies (with a note Sam reads), tightened Sam's
  daily limit, written a note for Sam and one private to the care team, and stepped the taper
  back a step with the reason.
* Jo (``jo@demo.clinic``) stopped oxycodone two days ago and eases it with kratom leaf; COWS has
  risen to moderate, and Jo has just logged chest pain: an emergency no clinician has seen
  yet, so Jo is at the top of the roster. Shared to plan.
* Ana (``ana@demo.clinic``) takes kratom capsules daily and logged itching all over and yellow
  eyes (urgent: possible liver injury), and has not checked in for five days or more. Shared
  to read.
* Kim (``kim@demo.clinic``) keeps a journal and shares it with nobody: the roster never shows it.

Invariants: it is built only in a database with no accounts (``ConflictError`` otherwise,
nothing written), so it can never write over a clinic; every row is written by the services
(accounts, shares, judged entries, check-ins, notes, limits, the plan change, the
acknowledgements), so the audit log holds what they audit; the passwords are random, returned
once to be shown, and stored only as Argon2id hashes. Randomness is seeded except the
passwords: the same ``now`` gives the same journals.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mitra.domain.access import Role, Scope
from mitra.domain.alerts import Severity
from mitra.domain.errors import ConflictError, InputError
from mitra.services import (
    care_notes,
    clinic_accounts,
    clinic_roster,
    clinic_sharing,
    clinician_plans,
    person_limits,
)
from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.clinic_accounts import Caller, ClinicSettings, NewAccount
from mitra.services.context import AppContext
from mitra.services.demo import DEMO_ZONE, build_demo
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from mitra.storage import account_store

DOMAIN = "demo.clinic"
ADMIN = f"admin@{DOMAIN}"
CLINICIAN = f"lee@{DOMAIN}"
SAM, JO, ANA, KIM = (f"{name}@{DOMAIN}" for name in ("sam", "jo", "ana", "kim"))
SHARES = ((SAM, Scope.PLAN), (JO, Scope.PLAN), (ANA, Scope.READ))
# What the clinician did for Sam (the web's person page shows each, and the audit log).
SEEN_NOTE = "Called Sam that evening: breathing was fine again. Naloxone is at home now."
NOTE_FOR_SAM = (
    "Good to talk today. Keep the morning dose where it is this week; if sleep stays bad, "
    "message me before the next step. Buprenorphine is still an option whenever you want it."
)
PRIVATE_NOTE = "Discuss buprenorphine again at the next visit; ask about the friend's Xanax."
SAM_LIMITS = {"daily-mitragynine-high": {"max_mg_24h": 200.0}}
STEP_BACK_REASON = "Sleep and craving worse since the last step; hold a step longer."


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    role: Role
    password: str
    journal_id: int | None
    totp_uri: str | None  # clinicians and admins sign in with a second factor
    shared: str | None  # the scope shared with the clinician, for a person


@dataclass(frozen=True, slots=True)
class ClinicDemo:
    accounts: list[DemoAccount]
    clinician_token: str  # a bearer token for the clinician's API (read and plan)
    person_token: str  # Sam's, for the personal API
    roster: clinic_roster.RosterPage  # the clinician's roster as it stands now


def build_clinic_demo(
    base: AppContext,
    *,
    settings: ClinicSettings = clinic_accounts.DEFAULTS,
) -> ClinicDemo:
    """Build the clinic demo (module docstring) in ``base.database``, at ``base.now()``;
    ``ConflictError`` when the database has any account (nothing is written)."""
    database = base.database
    with database.read() as conn:
        existing = account_store.count_accounts(conn)
    if existing:
        raise ConflictError(
            f"this database already has {existing} account{'s' if existing > 1 else ''}: the "
            "clinic demo is built only in an empty database, so nothing was changed"
        )
    at = base.now()
    admin_password = _password()
    made: list[tuple[NewAccount, str]] = [
        (
            clinic_accounts.init(
                database, email=ADMIN, password=admin_password, at=at, settings=settings
            ),
            admin_password,
        )
    ]
    for email, role in (
        (CLINICIAN, Role.CLINICIAN),
        (SAM, Role.PERSON),
        (JO, Role.PERSON),
        (ANA, Role.PERSON),
        (KIM, Role.PERSON),
    ):
        chosen = _password()
        account = clinic_accounts.add_user(
            database, email=email, role=role, password=chosen, at=at, settings=settings
        )
        made.append((account, chosen))
    journal = {a.email: a.journal_id for a, _ in made if a.journal_id is not None}

    base.rules()  # loaded once: every journal's copy carries them (as the server's contexts)

    def context(email: str) -> AppContext:
        journal_id = journal[email]
        return dataclasses.replace(
            base,
            database=database.for_journal(journal_id),
            limits_source=person_limits.source_for(database, journal_id),
        )

    build_demo(context(SAM))
    _jo(context(JO))
    _ana(context(ANA))
    _kim(context(KIM))
    for email, scope in SHARES:
        clinic_sharing.share(
            database, person_email=email, clinician_email=CLINICIAN, scope=scope, at=at
        )
    with database.read() as conn:
        clinician = clinic_accounts.caller_of(
            clinic_accounts.find_account(conn, CLINICIAN), via="session"
        )
    _care_for_sam(base, context, clinician, journal[SAM])
    clinician_token = clinic_accounts.create_token(
        database, email=CLINICIAN, at=at, days=30, label="clinic demo", settings=settings
    )
    person_token = clinic_accounts.create_token(
        database, email=SAM, at=at, days=30, label="clinic demo", settings=settings
    )
    shared = {email: scope.value for email, scope in SHARES}
    accounts = [
        DemoAccount(a.email, a.role, chosen, a.journal_id, a.totp_uri, shared.get(a.email))
        for a, chosen in made
    ]
    page = clinic_roster.roster_page(
        database, clinician, at=at, only=None, offset=0, limit=50, source="cli"
    )
    return ClinicDemo(accounts, clinician_token.text, person_token.text, page)


def _password() -> str:
    """A random password that the clinic's own rules accept (checked again when stored)."""
    while True:
        chosen = secrets.token_urlsafe(15)
        try:
            clinic_accounts.check_new_password(chosen, email=ADMIN, role=Role.ADMIN)
        except InputError:
            continue  # a rare draw with a repeat or a sequence in it
        return chosen


def _start_of_day(ctx: AppContext, days_ago: int) -> datetime:
    local = ctx.now().astimezone(ZoneInfo(DEMO_ZONE))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=days_ago)


def _jo(ctx: AppContext) -> None:
    """Off oxycodone since about 44 hours ago, easing it with kratom leaf; COWS risen from mild
    to moderate; chest pain 45 minutes ago (an emergency). Placed in hours before now, so the
    story is the same at any time of day."""
    ProfileService(ctx).set(timezone=DEMO_ZONE, pregnant="no", goals="ease-opioid-withdrawal")
    ProductService(ctx).add("Red Bali leaf", "leaf", mitragynine_pct=1.6)
    journal = JournalService(ctx)
    now = ctx.now()

    def ago(hours: float) -> datetime:
        return now - timedelta(hours=hours)

    for hours in (56.0, 44.0):
        journal.log_substance("oxycodone", "20mg", route="oral", at=ago(hours))
    journal.log_dose("2g", product="Red Bali leaf", at=ago(43.5), note="first time, a friend's tip")
    for hours in (36.0, 30.0, 24.0, 12.0, 4.0):
        journal.log_dose("3g", product="Red Bali leaf", at=ago(hours))
    # COWS: the pulse, then sweating, restlessness, pupils, aches, nose/eyes, GI upset, tremor,
    # yawning, anxiety, gooseflesh (9, mild; then 17, moderate).
    checkins = CheckinService(ctx)
    checkins.record("cows", [1, 1, 1, 1, 1, 1, 0, 1, 1, 0], at=ago(26.0), pulse_bpm=90.0)
    checkins.record("cows", [1, 3, 1, 2, 2, 2, 1, 1, 2, 0], at=ago(1.0), pulse_bpm=106.0)
    journal.log_symptom(
        "chest pain", severity=2, at=ago(0.75), note="tight when I got up, heart racing"
    )


def _ana(ctx: AppContext) -> None:
    """Three weeks of kratom capsules twice a day ending five days ago, weekly COWS below the
    mild range, then itching all over and yellow eyes (urgent: possible liver injury)."""
    ProfileService(ctx).set(timezone=DEMO_ZONE, pregnant="no", goals="taper-kratom")
    ProductService(ctx).add("Green caps", "capsule", mitragynine_mg_per_unit=8.0, unit_mass_g=0.5)
    journal = JournalService(ctx)
    checkins = CheckinService(ctx)
    rng = random.Random(11)
    start = _start_of_day(ctx, 26)
    for day in range(21):
        for hour in (9.0, 19.0):
            moment = start + timedelta(days=day, hours=hour + rng.uniform(-0.5, 0.5))
            journal.log_dose("5 caps", product="Green caps", at=moment)
    for day in (0, 7, 14, 20):
        moment = start + timedelta(days=day, hours=8.5)
        items = [0, rng.randint(0, 1), 0, 1, 0, 0, 0, rng.randint(0, 1), 1, 0]
        checkins.record("cows", items, at=moment, pulse_bpm=72.0 + day / 7)
    journal.log_symptom("itching all over", severity=2, at=start + timedelta(days=19, hours=22))
    journal.log_symptom(
        "yellow eyes", severity=1, at=start + timedelta(days=20, hours=8), note="in the mirror"
    )


def _kim(ctx: AppContext) -> None:
    """A journal shared with nobody: two doses today."""
    ProfileService(ctx).set(timezone=DEMO_ZONE)
    ProductService(ctx).add("Red Bali leaf", "leaf", mitragynine_pct=1.6)
    journal = JournalService(ctx)
    for hours_ago in (9.0, 3.0):
        journal.log_dose("2g", product="Red Bali leaf", at=ctx.now() - timedelta(hours=hours_ago))


def _care_for_sam(
    base: AppContext,
    context: Callable[[str], AppContext],
    clinician: Caller,
    journal_id: int,
) -> None:
    """What the clinician did for Sam, each through the clinic's own use case (audited)."""
    database = base.database
    at = base.now()
    safety = SafetyService(context(SAM))
    for shown in safety.alerts():
        if shown.alert.severity is Severity.EMERGENCY:
            for alert_id in shown.alert_ids or (shown.id,):
                clinic_roster.mark_seen(
                    database, clinician, journal_id, alert_id, at=at, source="cli", note=SEEN_NOTE
                )
    person_limits.set_limits(
        database,
        clinician,
        journal_id,
        SAM_LIMITS,
        server=base.rules().ruleset,
        at=at,
        source="cli",
    )
    care_notes.write(
        database, clinician, journal_id, text=NOTE_FOR_SAM, private=False, at=at, source="cli"
    )
    care_notes.write(
        database, clinician, journal_id, text=PRIVATE_NOTE, private=True, at=at, source="cli"
    )
    clinician_plans.act(
        database,
        lambda: context(SAM),
        clinician,
        journal_id,
        lambda plans: plans.step_back(STEP_BACK_REASON),
        at=at,
        source="cli",
    )
