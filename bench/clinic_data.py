"""A clinic's PostgreSQL database for the clinic benchmarks: 10,000 people with a year each
(``--quick``: 500 people, 3 months), about 15 million rows, built once and kept.

The cluster lives in ``bench/.cache/clinic-pg/`` (Debian's server binaries, as the tests'
``tests/support/pg_cluster.py`` finds them; run as ``postgres`` when this is root), started
when needed and stopped again by whoever started it. Its commits are durable (fsync and
synchronous_commit on, as a clinic would run it): only the build's own loading session turns
synchronous_commit off.

What is in it, and how it got there:
* The schema is mitra's own (``open_database``: a new database is made at head).
* The admin (``clinic_accounts.init``), 10 clinicians (``add_user``), every share
  (``clinic_sharing.share``: the "roster clinician" has 500 active shares, the others 120 each)
  and the API tokens (``create_token``: the roster clinician's, the "today person's", and
  2,048 other people's for the write load) go through the services, so they are audited.
* The people, their journals, products, profiles, entries, doses, symptoms, substance uses,
  actions, check-ins with their items and plans are loaded with COPY (psycopg's
  ``cursor.copy``), not row inserts. Their rows are copied from a TEMPLATE journal that this
  script first writes through mitra's services on SQLite (``template()``: 45 days of a person
  who takes 3-5 doses a day, checks in with COWS or SOWS-Gossop daily, logs symptoms, drinks
  now and then, has red-flag days, and starts a taper plan on day 30), so every row has
  exactly the shape mitra writes. Each person's year is a sequence of the template's days,
  moved to that date in wall-clock time, ids renumbered.
* Alerts are not copied: days put together from different template days imply other alerts
  (24-hour windows reach across days), and the engine relies on its stored alerts being what
  the journal implies. Once the rest is loaded, each journal is judged from scratch by mitra's
  own engine (``safety_rejudge.rejudge_all``, as ``mitra alerts rejudge``; two processes),
  which writes its alerts; then each is dated a few minutes after its moment and most older
  ones acknowledged, as people do (``_as_people_left_them``).
* Engagement varies, as in a real clinic: 5% of people (and the today person) log on 95% of
  days; the rest on a share of days drawn from Beta(1.1, 9) (about 11% on average), so that
  10,000 people x 1 year comes to about 15 million rows (everyone logging every day would be
  about 110 million). Red-flag days are rare (0.1% of days), plus 12 people with an emergency
  in the last 3 days. Alerts older than 14 days are mostly acknowledged (urgent and emergency
  ones after 2 days), so the open ones are the recent ones, of every severity. A third of the
  daily loggers (3% of the others) have an active taper plan started 10-60 days ago.
* Before loading, the loaded tables' secondary indexes, unique and foreign-key constraints are
  dropped; after, they are made again from their own definitions (``pg_get_indexdef``,
  ``pg_get_constraintdef``), the id sequences moved past the loaded ids, then VACUUM ANALYZE.
* Everything is dated relative to ``END`` (``journals.END``); the benchmarks run the server
  with ``MITRA_FIXED_NOW`` at ``END`` (``fixed_now_env``), so a cache of any age reads the same.
  The audit log holds only what the services wrote (not a year of per-write rows).

Passwords: one random password (kept in the cache, never printed) for every account; the
people's rows share one Argon2id hash of it (hashing 10,000 times would take minutes).

Cache: the database ``mitra_clinic_<people>x<days>`` with a ``bench_marker`` row holding this
file's and the migrations' hash; the tokens and the password in
``bench/.cache/<database>.json`` (mode 0600). Another hash, a missing marker or ``--rebuild``
rebuilds it (in ``<name>_building``, renamed when done, so a crash leaves no half database).

Usage: .venv/bin/python bench/clinic_data.py [--quick] [--rebuild] [--json PATH]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import journals
from table import Row, parser, quick, report

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "support"))

CLUSTER = journals.CACHE / "clinic-pg"
END = journals.END
ZONE = journals.ZONE
TZ = ZoneInfo(ZONE)
CLINICIANS = 10
ROSTER_SHARES = 500
OTHER_SHARES = 120
LOAD_PEOPLE = 2048  # people with a token for the write load (two pools of 16 x 64)
EMERGENCIES_NOW = 12
TEMPLATE_DAYS = 45
PLAN_DAY = 30
# The template's red-flag days (day -> what the person logs, severity 3).
RED_DAYS = {7: "seizure", 15: "yellow skin", 22: "trouble breathing", 26: "dark urine"}
EMERGENCY_DAYS = (7, 22)
BIG_DAYS = (5, 12, 19, 34, 41)
DRINK_DAYS = (9, 17, 25, 37)
EMAIL_DOMAIN = "people.bench.example.org"
ROSTER_EMAIL = "roster.clinician@bench.example.org"
CHUNK = 200  # people per COPY round
# Postgres settings for a 2-core, 24 GiB machine shared with other work.
SERVER_OPTIONS = (
    "-c shared_buffers=2GB -c max_connections=300 -c maintenance_work_mem=1GB "
    "-c max_wal_size=8GB -c checkpoint_timeout=30min -c work_mem=16MB"
)
LOADED = (
    "journals",
    "accounts",
    "products",
    "profile",
    "entries",
    "actions",
    "doses",
    "symptom_reports",
    "substance_uses",
    "assessments",
    "assessment_items",
    "alerts",
    "plans",
    "plan_steps",
    "plan_events",
)
COUNTED = (*LOADED[2:], "shares", "api_tokens", "audit_log")
# The loaded tables whose id is their own serial (the others are keyed by their parent's).
SERIAL = (
    "journals",
    "accounts",
    "products",
    "profile",
    "entries",
    "actions",
    "assessments",
    "alerts",
    "plans",
    "plan_events",
)


@dataclass(frozen=True)
class Size:
    people: int
    days: int

    @property
    def name(self) -> str:
        return f"mitra_clinic_{self.people}x{self.days}"


FULL = Size(10_000, 365)
QUICK = Size(500, 90)


def size_of(is_quick: bool) -> Size:
    return QUICK if is_quick else FULL


def fixed_now_env() -> dict[str, str]:
    return journals.fixed_now_env()


# -- the cluster ------------------------------------------------------------------------------
def postgres_available() -> str | None:
    """None when PostgreSQL's server binaries are here, else why not."""
    import pg_cluster

    try:
        pg_cluster._bin_dir()
    except RuntimeError as exc:
        return str(exc)
    return None


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*runner, *args], check=check, capture_output=True, text=True)


@contextlib.contextmanager
def running_cluster() -> Iterator[str]:
    """The kept cluster's base URL (``postgresql://postgres@127.0.0.1:PORT``): made on first
    use, started if it is not running, and stopped at the end if this call started it."""
    import pg_cluster

    bin_dir = pg_cluster._bin_dir()
    data, sockets, port_file = CLUSTER / "data", CLUSTER / "sock", CLUSTER / "port"
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(CLUSTER, ignore_errors=True)
        sockets.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(CLUSTER, "postgres")
            shutil.chown(sockets, "postgres")
        _run(
            str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8",
        )  # fmt: skip
    started = False
    running = _run(str(bin_dir / "pg_ctl"), "-D", str(data), "status", check=False)
    if running.returncode != 0 or not port_file.exists():
        port = pg_cluster._free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={sockets} "
            + SERVER_OPTIONS
        )
        _run(
            str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
            str(CLUSTER / "log"), "-w", "-t", "120", "start",
        )  # fmt: skip
        port_file.write_text(str(port))
        started = True
    try:
        yield f"postgresql://postgres@127.0.0.1:{port_file.read_text().strip()}"
    finally:
        if started:
            _run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop", check=False)
            port_file.unlink(missing_ok=True)


def admin_connection(base_url: str) -> Any:
    import psycopg

    return psycopg.connect(f"{base_url}/postgres", autocommit=True)


# -- the template journal ---------------------------------------------------------------------
def _escape(value: Any) -> str:
    """One field of COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _tail(row: dict[str, Any], columns: tuple[str, ...]) -> str:
    return "\t".join(_escape(row[c]) for c in columns)


@dataclass
class DayBlock:
    """One template day as offsets from its start and pre-escaped constant columns."""

    day: int
    entries: list[tuple[int, float, float, str, str, str]] = field(default_factory=list)
    # (template id, at offset s, recorded offset s, kind, note, detail table)
    details: dict[int, str] = field(default_factory=dict)  # template entry id -> detail tail
    assessments: list[tuple[float, float, str, list[str]]] = field(default_factory=list)


@dataclass
class Template:
    blocks: dict[int, DayBlock]
    products: list[str]  # tails after id, journal_id (template ids 1, 2 in order)
    profile: str
    plan: str  # the plan row's tail after id, journal_id, kind... (see _plan_columns)
    plan_created: float  # offset of the plan's creation in its day, seconds
    steps: list[tuple[int, int, date, date, str, str]]  # revision, index, start, end, tails
    events: list[tuple[float, date, str]]


DOSE_COLUMNS = (
    "product_name", "form", "amount", "unit", "mitragynine_typical", "mitragynine_low",
    "mitragynine_high", "seven_oh_typical", "seven_oh_low", "seven_oh_high", "product_mass_g",
    "explanation",
)  # fmt: skip
SYMPTOM_COLUMNS = ("symptom_id", "severity", "said")
SUBSTANCE_COLUMNS = ("substance_id", "name", "substance_class", "amount", "unit", "route", "mme")
ASSESSMENT_COLUMNS = ("instrument_id", "instrument_version", "total", "band", "rater", "note")
ITEM_COLUMNS = ("item_id", "position", "score")
PRODUCT_COLUMNS = (
    "name", "name_key", "form", "basis", "mitragynine_typical", "mitragynine_low",
    "mitragynine_high", "seven_oh_typical", "seven_oh_low", "seven_oh_high", "potency_source",
    "potency_why", "potency_sources", "unit_mass_g", "scoop_g",
)  # fmt: skip
PROFILE_COLUMNS = (
    "timezone", "pregnant", "breastfeeding", "medications", "goals", "naloxone",
    "naloxone_expires",
)  # fmt: skip
PLAN_COLUMNS = (
    "kind", "strategy", "status", "ended_at", "end_reason", "settings", "limit_dose_max_mg",
    "limit_daily_max_mg", "limit_doses_per_day_max", "limit_min_interval_h", "settle_days",
    "alternatives", "notes", "sources", "revision", "current_step",
)  # fmt: skip
STEP_COLUMNS = (
    "dose_max_mg", "daily_max_mg", "doses_per_day_max", "min_interval_h", "kind", "reason",
)  # fmt: skip
EVENT_COLUMNS = ("event", "cause", "reason", "from_step", "to_step", "revision")


def template() -> Template:
    """Write the template journal through mitra's services (SQLite, in a temporary folder),
    then read it back as day blocks."""
    from mitra.services.catalogue import ProductService, ProfileService
    from mitra.services.checkins import CheckinService
    from mitra.services.context import AppContext
    from mitra.services.journal import JournalService
    from mitra.services.plans import PlanService
    from mitra.storage.database import open_database

    rng = random.Random(17)
    start = END - timedelta(days=TEMPLATE_DAYS)
    clock = journals.MovableClock(start)
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{folder}/template.sqlite3")
        ctx = AppContext(database, clock=clock, default_timezone=ZONE)
        ProfileService(ctx).set(
            timezone=ZONE, pregnant="no", medications="sertraline", goals="taper-kratom"
        )
        ProductService(ctx).add(journals.LEAF, "leaf", mitragynine_pct=1.6)
        ProductService(ctx).add(
            journals.CAPS, "capsule", mitragynine_mg_per_unit=8.0, unit_mass_g=0.5
        )
        journal, checkins, plans = JournalService(ctx), CheckinService(ctx), PlanService(ctx)
        for day in range(TEMPLATE_DAYS):
            base = start + timedelta(days=day)
            events: list[tuple[datetime, str]] = []
            for slot in range(rng.choice((3, 4, 4, 5))):
                hours = 7 + slot * 3.6 + rng.uniform(-0.7, 0.7)
                events.append((base + timedelta(hours=hours), "dose"))
            events.append((base + timedelta(hours=9 + rng.uniform(-1, 2)), "checkin"))
            for _ in range(rng.choice((0, 1, 1, 2))):
                events.append((base + timedelta(hours=rng.uniform(8, 22)), "symptom"))
            if day in BIG_DAYS:
                events.append((base + timedelta(hours=20.2), "big"))
            if day in DRINK_DAYS:
                events.append((base + timedelta(hours=21), "drinks"))
            if day in RED_DAYS:
                events.append((base + timedelta(hours=rng.uniform(12, 20)), "red"))
            if day == PLAN_DAY:
                events.append((base + timedelta(hours=21.5), "plan"))
            for moment, what in sorted(events):
                clock.moment = moment + timedelta(minutes=rng.randint(1, 20))
                if what == "dose":
                    caps = rng.random() < 0.2
                    grams = rng.choice((2, 2.5, 3, 3.5, 4))
                    amount = rng.choice(("3 caps", "4 caps")) if caps else f"{grams}g"
                    product = journals.CAPS if caps else journals.LEAF
                    journal.log_dose(amount, product=product, at=moment)
                elif what == "big":
                    journal.log_dose("12g", product=journals.LEAF, at=moment)
                elif what == "checkin":
                    chosen = rng.choice(journals.INSTRUMENTS)
                    answers = [rng.choice(allowed[:3]) for allowed in journals._items(chosen)]
                    checkins.record(chosen, answers, at=moment)
                elif what == "symptom":
                    name = rng.choice(journals.SYMPTOMS)
                    journal.log_symptom(name, severity=rng.randint(1, 3), at=moment)
                elif what == "drinks":
                    journal.log_substance("alcohol", f"{rng.randint(2, 5)} drinks", at=moment)
                elif what == "red":
                    journal.log_symptom(RED_DAYS[day], severity=3, at=moment)
                else:
                    plans.new_taper(speed="slow")
        found = _read_template(database, start)
        database.dispose()
    return found


def _rows(conn: Any, table: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from mitra.storage import schema

    chosen = schema.metadata.tables[table]
    return [dict(r._mapping) for r in conn.execute(select(chosen).order_by(*chosen.primary_key))]


def wall(moment: datetime) -> datetime:
    """The wall-clock time (naive) of ``moment`` in the template's zone: days are moved in
    wall-clock time, so a dose at 00:30 stays at 00:30 across a change of summer time (the
    engine's day keys follow the local day)."""
    return moment.astimezone(TZ).replace(tzinfo=None)


def _read_template(database: Any, start_moment: datetime) -> Template:
    start = wall(start_moment)

    def day_of(moment: datetime) -> tuple[int, float]:
        seconds = (wall(moment) - start).total_seconds()
        day = int(seconds // 86400)
        return day, seconds - day * 86400

    with database.read() as conn:
        tables = {name: _rows(conn, name) for name in LOADED[2:]}
    blocks = {d: DayBlock(d) for d in range(TEMPLATE_DAYS)}
    entry_day: dict[int, int] = {}
    for entry in tables["entries"]:
        day, offset = day_of(entry["at"])
        recorded = (wall(entry["recorded_at"]) - start).total_seconds() - day * 86400
        table = {"dose": "doses", "symptom": "symptom_reports", "substance": "substance_uses"}
        blocks[day].entries.append(
            (entry["id"], offset, recorded, entry["kind"], _escape(entry["note"]),
             table[entry["kind"]])
        )  # fmt: skip
        entry_day[entry["id"]] = day
    for name, columns in (
        ("doses", DOSE_COLUMNS),
        ("symptom_reports", SYMPTOM_COLUMNS),
        ("substance_uses", SUBSTANCE_COLUMNS),
    ):
        for row in tables[name]:
            # product_id comes first: the template's 1 or 2, renumbered per journal.
            product = row.get("product_id")
            tail = _tail(row, columns)
            blocks[entry_day[row["entry_id"]]].details[row["entry_id"]] = (
                f"{product}\t{tail}" if name == "doses" else tail
            )
    items: dict[int, list[str]] = {}
    for row in tables["assessment_items"]:
        items.setdefault(row["assessment_id"], []).append(_tail(row, ITEM_COLUMNS))
    for row in tables["assessments"]:
        day, offset = day_of(row["at"])
        recorded = (wall(row["recorded_at"]) - start).total_seconds() - day * 86400
        tail = _tail(row, ASSESSMENT_COLUMNS) + "\t" + _escape(row["pulse_bpm"])
        blocks[day].assessments.append((offset, recorded, tail, items[row["id"]]))
    plan = tables["plans"][0]
    plan_day, plan_offset = day_of(plan["created_at"])
    assert plan_day == PLAN_DAY, plan_day
    steps = [
        (r["revision"], r["step_index"], r["start"], r["end"], _tail(r, STEP_COLUMNS), "")
        for r in tables["plan_steps"]
    ]
    events = [
        (
            (wall(r["at"]) - start).total_seconds() - PLAN_DAY * 86400,
            r["day"],
            _tail(r, EVENT_COLUMNS),
        )
        for r in tables["plan_events"]
    ]
    return Template(
        blocks=blocks,
        products=[_tail(r, PRODUCT_COLUMNS) for r in tables["products"]],
        profile=_tail(tables["profile"][0], PROFILE_COLUMNS),
        plan=_tail(plan, PLAN_COLUMNS),
        plan_created=plan_offset,
        steps=steps,
        events=events,
    )


# -- people -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    index: int  # 0-based; journal id index + 2, account email person<index>
    rate: float  # the share of days with entries
    plan_day: int | None  # the day (0-based from the start) their taper began
    emergency_day: int | None  # a recent emergency (kept open)

    @property
    def journal_id(self) -> int:
        return self.index + 2  # journal 1 is the database's local journal

    @property
    def email(self) -> str:
        return f"person{self.index}@{EMAIL_DOMAIN}"


def people(size: Size, rng: random.Random) -> list[Person]:
    found = []
    emergencies = set(rng.sample(range(1, size.people), min(EMERGENCIES_NOW, size.people - 1)))
    for index in range(size.people):
        daily = index == 0 or rng.random() < 0.05
        rate = 0.95 if daily else min(0.95, rng.betavariate(1.1, 9))
        plan = (index == 0) or rng.random() < (0.33 if daily else 0.03)
        plan_day = size.days - rng.randint(10, min(60, size.days - 1)) if plan else None
        if index == 0:
            plan_day = size.days - 24
        emergency = size.days - rng.randint(1, 3) if index in emergencies else None
        found.append(Person(index, rate, plan_day, emergency))
    return found


NORMAL = [d for d in range(1, PLAN_DAY) if d not in RED_DAYS]
ON_PLAN = list(range(PLAN_DAY + 1, TEMPLATE_DAYS))


class Writer:
    """Rows for one chunk of people, as COPY text per table, with the ids handed out."""

    def __init__(self, tpl: Template, size: Size, rng: random.Random, ids: dict[str, int]) -> None:
        self.tpl, self.size, self.rng, self.ids = tpl, size, rng, ids
        self.start = END - timedelta(days=size.days)
        self.wall_start = wall(self.start)
        self.out: dict[str, list[str]] = {name: [] for name in COPY_COLUMNS}

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def shift(self, day: int, template_day: int) -> timedelta:
        """From a template day's date to the date of the person's ``day``."""
        return timedelta(days=day - template_day + TEMPLATE_DAYS - self.size.days)

    def person(self, p: Person) -> None:
        rng, out, jid = self.rng, self.out, p.journal_id
        products = (2 * p.index + 1, 2 * p.index + 2)
        for pid, tail in zip(products, self.tpl.products, strict=True):
            out["products"].append(f"{pid}\t{jid}\t{tail}\t{self.start.isoformat()}\n")
        updated = (self.start + timedelta(minutes=5)).isoformat()
        out["profile"].append(f"{p.index + 1}\t{jid}\t{self.tpl.profile}\t{updated}\n")
        for day in range(self.size.days + 1):
            on_plan = p.plan_day is not None and day > p.plan_day
            if day == p.emergency_day:
                chosen = rng.choice(EMERGENCY_DAYS)
            elif day == p.plan_day:
                chosen = PLAN_DAY
            elif day >= self.size.days - 13 and p.index == 0:
                chosen = rng.choice(ON_PLAN)  # the today person logs every recent day
            elif rng.random() >= p.rate:
                continue
            elif rng.random() < 0.001:
                chosen = rng.choice(tuple(RED_DAYS))
            else:
                chosen = rng.choice(ON_PLAN if on_plan else NORMAL)
            self.day(p, day, self.tpl.blocks[chosen])
        if p.plan_day is not None:
            self.plan(p)

    def day(self, p: Person, day: int, block: DayBlock) -> None:
        out, jid = self.out, p.journal_id
        base = self.wall_start + timedelta(days=day)
        limit = END - timedelta(minutes=2)
        products = (2 * p.index + 1, 2 * p.index + 2)
        for old, offset, recorded, kind, note, table in block.entries:
            at = on_wall(base, offset)
            rec = on_wall(base, recorded)
            if rec > limit:
                continue
            eid = self.next_id("entries")
            out["entries"].append(
                f"{eid}\t{jid}\t{uuid.UUID(int=self.rng.getrandbits(128), version=4)}\t{kind}"
                f"\t{at.isoformat()}\t{rec.isoformat()}\t{note}\t\\N\n"
            )
            out["actions"].append(f"{eid}\t{jid}\t{rec.isoformat()}\tlog\t{eid}\tf\n")
            detail = block.details[old]
            if table == "doses":
                product, rest = detail.split("\t", 1)
                pid = products[int(product) - 1] if product != "None" else "\\N"
                out["doses"].append(f"{eid}\t{jid}\t{pid}\t{rest}\n")
            else:
                out[table].append(f"{eid}\t{jid}\t{detail}\n")
        for offset, recorded, tail, items in block.assessments:
            at = on_wall(base, offset)
            rec = on_wall(base, recorded)
            if rec > limit:
                continue
            aid = self.next_id("assessments")
            instrument, version, total, band, rater, note, pulse = tail.split("\t")
            out["assessments"].append(
                f"{aid}\t{jid}\t{instrument}\t{version}\t{total}\t{band}\t{rater}"
                f"\t{at.isoformat()}\t{rec.isoformat()}\t{note}\t\\N\t{pulse}\n"
            )
            out["assessment_items"].extend(f"{aid}\t{jid}\t{item}\n" for item in items)

    def plan(self, p: Person) -> None:
        assert p.plan_day is not None
        out, jid, tpl = self.out, p.journal_id, self.tpl
        base = self.wall_start + timedelta(days=p.plan_day)
        created = on_wall(base, tpl.plan_created)
        shift = self.shift(p.plan_day, PLAN_DAY)
        plan_id = self.next_id("plans")
        kind, strategy, status, rest = tpl.plan.split("\t", 3)
        out["plans"].append(
            f"{plan_id}\t{jid}\t{kind}\t{strategy}\t{status}\t{created.isoformat()}\t{rest}\n"
        )
        for revision, index, start, end, tail, _ in tpl.steps:
            out["plan_steps"].append(
                f"{plan_id}\t{jid}\t{revision}\t{index}\t{start + shift}\t{end + shift}\t{tail}\n"
            )
        for offset, day, tail in tpl.events:
            at = on_wall(base, offset)
            out["plan_events"].append(
                f"{self.next_id('plan_events')}\t{jid}\t{plan_id}\t{at.isoformat()}"
                f"\t{day + shift}\t{tail}\n"
            )


def on_wall(base: datetime, seconds: float) -> datetime:
    """The aware moment ``seconds`` of wall-clock time after the wall-clock ``base``."""
    return (base + timedelta(seconds=seconds)).replace(tzinfo=TZ)


# Columns in the order the Writer writes them.
COPY_COLUMNS = {
    "products": ("id", "journal_id", *PRODUCT_COLUMNS, "created_at"),
    "profile": ("id", "journal_id", *PROFILE_COLUMNS, "updated_at"),
    "entries": ("id", "journal_id", "uuid", "kind", "at", "recorded_at", "note", "deleted_at"),
    "actions": ("id", "journal_id", "at", "action", "entry_id", "undone"),
    "doses": ("entry_id", "journal_id", "product_id", *DOSE_COLUMNS),
    "symptom_reports": ("entry_id", "journal_id", *SYMPTOM_COLUMNS),
    "substance_uses": ("entry_id", "journal_id", *SUBSTANCE_COLUMNS),
    "assessments": (
        "id",
        "journal_id",
        *ASSESSMENT_COLUMNS[:5],
        "at",
        "recorded_at",
        "note",
        "deleted_at",
        "pulse_bpm",
    ),
    "assessment_items": ("assessment_id", "journal_id", *ITEM_COLUMNS),
    "plans": ("id", "journal_id", "kind", "strategy", "status", "created_at", *PLAN_COLUMNS[3:]),
    "plan_steps": (
        "plan_id",
        "journal_id",
        "revision",
        "step_index",
        "start",
        "end",
        *STEP_COLUMNS,
    ),
    "plan_events": ("id", "journal_id", "plan_id", "at", "day", *EVENT_COLUMNS),
}


def _copy(cur: Any, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    if not lines:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    with cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for start in range(0, len(lines), 20_000):
            copy.write("".join(lines[start : start + 20_000]))
    lines.clear()


# -- the build --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Built:
    url: str  # postgresql://... of the database
    size: Size
    rows: dict[str, int]
    seconds: float  # the build's time (0 when the cache was used)
    secrets: dict[str, Any]  # tokens, emails, the password


def version() -> str:
    import mitra.storage

    digest = hashlib.sha256(Path(__file__).read_bytes())
    versions = Path(mitra.storage.__file__).parent / "migrations" / "versions"
    for script in sorted(versions.glob("*.py")):
        digest.update(script.name.encode())
        digest.update(script.read_bytes())
    return digest.hexdigest()[:12]


def secrets_path(size: Size) -> Path:
    return journals.CACHE / f"{size.name}.json"


def _marker(base_url: str, size: Size) -> dict[str, Any] | None:
    import psycopg

    with admin_connection(base_url) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (size.name,))
        if exists.fetchone() is None:
            return None
    try:
        with psycopg.connect(f"{base_url}/{size.name}") as conn:
            row = conn.execute("SELECT version, rows, seconds FROM bench_marker").fetchone()
    except psycopg.Error:
        return None
    if row is None or row[0] != version() or not secrets_path(size).exists():
        return None
    return {"rows": json.loads(row[1]), "seconds": float(row[2])}


def ensure(base_url: str, size: Size, *, rebuild: bool = False, progress: bool = True) -> Built:
    """The cached database of ``size`` in the cluster at ``base_url``, built when missing."""
    found = None if rebuild else _marker(base_url, size)
    if found is not None:
        stored = json.loads(secrets_path(size).read_text())
        return Built(f"{base_url}/{size.name}", size, found["rows"], 0.0, stored)
    return build(base_url, size, progress=progress)


def _say(progress: bool, began: float, text: str) -> None:
    if progress:
        print(f"  [{time.perf_counter() - began:6.0f} s] {text}", file=sys.stderr, flush=True)


def build(base_url: str, size: Size, *, progress: bool = True) -> Built:
    import psycopg

    began = time.perf_counter()
    building = f"{size.name}_building"
    with admin_connection(base_url) as admin:
        for name in (building, size.name):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{building}"')
    url = f"{base_url}/{building}"
    tpl = template()
    _say(progress, began, "template journal written through the services")
    from mitra.services import clinic_accounts, credentials
    from mitra.storage.database import open_database, resolve_url

    database = open_database(resolve_url(url))
    password = secrets.token_urlsafe(18)
    made = END - timedelta(days=size.days + 1)
    clinic_accounts.init(database, email="admin@bench.example.org", password=password, at=made)
    from mitra.domain.access import Role

    clinicians = [ROSTER_EMAIL] + [f"clinician{n}@bench.example.org" for n in range(1, CLINICIANS)]
    for email in clinicians:
        clinic_accounts.add_user(
            database, email=email, role=Role.CLINICIAN, password=password, at=made
        )
    person_hash = credentials.hash_password(password)
    rng = random.Random(2027)
    crowd = people(size, rng)
    _say(progress, began, f"{len(crowd)} people planned; loading with COPY")
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        dropped = _drop_constraints(conn)
        with conn.cursor() as cur:
            first_account = int(conn.execute("SELECT max(id) FROM accounts").fetchone()[0])
            start = END - timedelta(days=size.days)
            _copy(cur, "journals", ("id", "uuid", "created_at"), [
                f"{p.journal_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}"
                f"\t{start.isoformat()}\n" for p in crowd
            ])  # fmt: skip
            hashed = _escape(person_hash)
            _copy(cur, "accounts", (
                "id", "email", "role", "password_hash", "journal_id", "created_at",
                "failed_sign_ins",
            ), [
                f"{first_account + 1 + p.index}\t{p.email}\tperson\t{hashed}\t{p.journal_id}"
                f"\t{start.isoformat()}\t0\n" for p in crowd
            ])  # fmt: skip
            ids = dict.fromkeys(LOADED, 0)
            for first in range(0, len(crowd), CHUNK):
                writer = Writer(tpl, size, rng, ids)
                for p in crowd[first : first + CHUNK]:
                    writer.person(p)
                for table, lines in writer.out.items():
                    _copy(cur, table, COPY_COLUMNS[table], lines)
                conn.commit()
                if (first // CHUNK) % 10 == 9 or first + CHUNK >= len(crowd):
                    _say(
                        progress, began,
                        f"{min(first + CHUNK, len(crowd))} people, {ids['entries']} entries",
                    )  # fmt: skip
        _restore_constraints(conn, dropped)
        conn.commit()
        _say(progress, began, "indexes and constraints made again")
        for table in SERIAL:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
        conn.commit()
    database.dispose()  # no pooled connection is handed down to the judging processes
    _judge(url, [p.journal_id for p in crowd], progress, began)
    with psycopg.connect(url) as conn:
        _as_people_left_them(conn)
    _say(progress, began, "services: shares and tokens")
    stored = _services(database, size, crowd, clinicians, password)
    database.dispose()
    with psycopg.connect(url, autocommit=True) as conn:
        _say(progress, began, "VACUUM ANALYZE")
        conn.execute("VACUUM (ANALYZE)")
        rows = {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in COUNTED}
        seconds = time.perf_counter() - began
        conn.execute(
            "CREATE TABLE bench_marker (version text NOT NULL, people integer NOT NULL, "
            "days integer NOT NULL, rows text NOT NULL, seconds double precision NOT NULL)"
        )
        conn.execute(
            "INSERT INTO bench_marker VALUES (%s, %s, %s, %s, %s)",
            (version(), size.people, size.days, json.dumps(rows), seconds),
        )
    with admin_connection(base_url) as admin:
        admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{size.name}"')
    path = secrets_path(size)
    path.write_text(json.dumps(stored, indent=1))
    path.chmod(0o600)
    return Built(f"{base_url}/{size.name}", size, rows, seconds, stored)


JUDGES = 2  # processes judging journals (the machine has 2 cores)
_JUDGE_DATABASE: list[Any] = []  # each judging process's own Database


def _judge_journals(task: tuple[str, list[int]]) -> int:
    """Judge each journal from scratch (``rejudge_all``, as ``mitra alerts rejudge``)."""
    from mitra.services.context import AppContext, fixed_clock
    from mitra.services.safety_rejudge import rejudge_all
    from mitra.storage.database import open_database, resolve_url

    url, journal_ids = task
    if not _JUDGE_DATABASE:
        _JUDGE_DATABASE.append(open_database(resolve_url(url)))
    database = _JUDGE_DATABASE[0]
    for journal_id in journal_ids:
        ctx = AppContext(
            database.for_journal(journal_id), clock=fixed_clock(END), default_timezone=ZONE
        )
        rejudge_all(ctx, dry_run=False)
    return len(journal_ids)


def _judge(url: str, journal_ids: list[int], progress: bool, began: float) -> None:
    """Every journal's alerts, made by mitra's own engine over the loaded entries and
    check-ins, so that they are exactly what the journal implies (what each write would have
    left: see ``services.safety_rejudge``), in ``JUDGES`` processes."""
    import multiprocessing

    tasks = [(url, journal_ids[n : n + 50]) for n in range(0, len(journal_ids), 50)]
    done = 0
    with multiprocessing.get_context("fork").Pool(JUDGES) as pool:
        for count in pool.imap_unordered(_judge_journals, tasks):
            done += count
            if done % 1000 < 50 or done == len(journal_ids):
                _say(progress, began, f"{done} journals judged (alerts)")


def _as_people_left_them(conn: Any) -> None:
    """The engine stamps every alert it makes with the judging moment (``END``): date each a
    few minutes after its moment, as when it was raised, and acknowledge most older ones, as
    people do (urgent and emergency ones after 2 days, 98%; the rest after 14 days, 85%)."""
    end = END.isoformat()
    conn.execute("SELECT setseed(0.27)")
    conn.execute(
        "UPDATE alerts SET created_at = LEAST(at + (1 + floor(random() * 20)) "
        "* interval '1 minute', %s::timestamptz)",
        (end,),
    )
    conn.execute(
        "UPDATE alerts SET acknowledged_at = LEAST(created_at + (1 + random() * 71) "
        "* interval '1 hour', %s::timestamptz - interval '1 minute') WHERE CASE "
        "WHEN severity IN ('urgent', 'emergency') THEN at < %s::timestamptz - interval '2 days' "
        "AND random() < 0.98 ELSE at < %s::timestamptz - interval '14 days' "
        "AND random() < 0.85 END",
        (end, end, end),
    )
    conn.commit()


def _drop_constraints(conn: Any) -> list[str]:
    """Drop the loaded tables' secondary indexes, unique and foreign-key constraints (not
    their primary keys); the statements that make them again, in order."""
    tables = list(LOADED)
    constraints = conn.execute(
        "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid), contype "
        "FROM pg_constraint WHERE contype IN ('f', 'u') "
        "AND conrelid::regclass::text = ANY(%s) ORDER BY contype DESC",
        (tables + [f'"{t}"' for t in tables],),
    ).fetchall()
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        (tables + [f'"{t}"' for t in tables],),
    ).fetchall()
    again = []
    # Foreign keys first (they may lean on a unique constraint), then the uniques.
    for name, table, _definition, _kind in sorted(constraints, key=lambda c: c[3] != "f"):
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, table, definition, _kind in sorted(constraints, key=lambda c: c[3] == "f"):
        again.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        conn.execute(f"DROP INDEX {name}")
        again.insert(0, definition)
    conn.commit()
    return again


def _restore_constraints(conn: Any, statements: list[str]) -> None:
    for statement in statements:
        conn.execute(statement)
        conn.commit()


def _services(
    database: Any, size: Size, crowd: list[Person], clinicians: list[str], password: str
) -> dict[str, Any]:
    """Shares and tokens through mitra's services (audited as any would be)."""
    from mitra.domain.access import Scope
    from mitra.services import clinic_accounts, clinic_sharing

    rng = random.Random(99)
    at = END - timedelta(days=30)
    everyone = [p for p in crowd if p.index != 0]
    roster = [crowd[0], *rng.sample(everyone, min(ROSTER_SHARES, len(crowd)) - 1)]
    for p in roster:
        scope = Scope.PLAN if rng.random() < 0.3 else Scope.READ
        clinic_sharing.share(
            database, person_email=p.email, clinician_email=ROSTER_EMAIL, scope=scope,
            at=at - timedelta(minutes=rng.randint(0, 60 * 24 * 200)),
        )  # fmt: skip
    for clinician in clinicians[1:]:
        for p in rng.sample(everyone, min(OTHER_SHARES, len(everyone))):
            clinic_sharing.share(
                database, person_email=p.email, clinician_email=clinician,
                at=at - timedelta(minutes=rng.randint(0, 60 * 24 * 200)),
            )  # fmt: skip
    made = END - timedelta(days=1)

    def token(email: str) -> str:
        return clinic_accounts.create_token(
            database, email=email, at=made, days=clinic_accounts.MAX_TOKEN_DAYS, label="bench"
        ).text

    load = rng.sample(everyone, min(LOAD_PEOPLE, len(everyone)))
    return {
        "password": password,
        "roster_clinician": {"email": ROSTER_EMAIL, "token": token(ROSTER_EMAIL)},
        "today_person": {"email": crowd[0].email, "token": token(crowd[0].email)},
        "roster_size": len(roster),
        "load_people": [{"email": p.email, "token": token(p.email)} for p in load],
    }


def describe(built: Built) -> list[Row]:
    total = sum(built.rows.values())
    size = built.size
    how = f"built in {built.seconds / 60:.1f} min" if built.seconds else "reused (cache)"
    return [
        Row(
            f"clinic database: {size.people} people x {size.days} days",
            "-",
            f"{total / 1e6:.1f} M rows, {how}",
            None,
        )
    ]


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--rebuild", action="store_true", help="build it again")
    args = args_parser.parse_args()
    size = size_of(quick(args))
    with running_cluster() as base:
        built = ensure(base, size, rebuild=args.rebuild)
    width = max(len(t) for t in built.rows)
    for table, count in built.rows.items():
        print(f"  {table.ljust(width)} {count:>12,}")
    print(f"  {'total'.ljust(width)} {sum(built.rows.values()):>12,}")
    if built.seconds:
        print(f"built {size.name} in {built.seconds:.0f} s")
    else:
        print(f"{size.name}: reused from the cache")
    report(describe(built), args)


if __name__ == "__main__":
    main()
