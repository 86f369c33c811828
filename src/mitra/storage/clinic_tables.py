"""The clinic server's tables: accounts, invitations, sessions, API tokens, shares,
break-glass grants, the audit log and failed sign-ins (issue 16), mirrored by migration 0012.

They share ``schema.metadata`` so that Alembic's comparison and every walk over the schema see
one complete database. ``mitra.storage`` (the package's ``__init__``) imports this module, so
the metadata is complete whichever storage module is imported first; this module imports
``schema`` and nothing imports it back from there (no import circle).

Invariants: an email is stored lower-case (a CHECK holds it) and names one account; only
hashes of secrets are stored (passwords: Argon2id; API tokens, session ids, invitation
tokens: SHA-256); nothing is deleted: a session, token or share ends by ``revoked_at``; the
audit log's ``seq`` counts from 1 without gaps and each row holds the previous row's hash
(``domain.audit_chain``); every ``*_at`` is a UTC instant (``UTCDateTime``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from mitra.storage.schema import UTCDateTime, metadata

ROLES_CHECK = "role IN ('person', 'clinician', 'admin')"

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", String(64)),
    # The RFC 6238 time step of the last code accepted: a code is never accepted twice.
    Column("totp_last_step", BigInteger),
    # A person's own journal; clinicians and admins have none.
    Column("journal_id", Integer, ForeignKey("journals.id", name="fk_accounts_journal")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime),
    # Consecutive failed sign-ins (reset by a successful one); NIST SP 800-63B's cap.
    Column("failed_sign_ins", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", UTCDateTime),
    CheckConstraint(ROLES_CHECK, name="ck_accounts_role"),
    CheckConstraint("email = lower(email)", name="ck_accounts_email_lower"),
)

invitations = Table(
    "invitations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("email", String(254), nullable=False),
    Column("role", String(16), nullable=False),
    Column(
        "invited_by",
        Integer,
        ForeignKey("accounts.id", name="fk_invitations_invited_by"),
        nullable=False,
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    CheckConstraint(ROLES_CHECK, name="ck_invitations_role"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column(
        "account_id", Integer, ForeignKey("accounts.id", name="fk_sessions_account"), nullable=False
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    # The absolute end; the idle end is last_seen_at + the idle timeout.
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("source_address", String(64)),
    Index("ix_sessions_account", "account_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", name="fk_api_tokens_account"),
        nullable=False,
    ),
    Column("token_hash", String(64), nullable=False, unique=True),
    # Space-separated scope names (domain.access.Action values).
    Column("scopes", Text, nullable=False),
    Column("label", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
    Index("ix_api_tokens_account", "account_id"),
)

shares = Table(
    "shares",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "journal_id", Integer, ForeignKey("journals.id", name="fk_shares_journal"), nullable=False
    ),
    Column(
        "clinician_id",
        Integer,
        ForeignKey("accounts.id", name="fk_shares_clinician"),
        nullable=False,
    ),
    Column("scope", String(8), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("scope IN ('read', 'plan')", name="ck_shares_scope"),
    Index("ix_shares_clinician", "clinician_id"),
    Index("ix_shares_journal", "journal_id"),
)

break_glass = Table(
    "break_glass",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "journal_id",
        Integer,
        ForeignKey("journals.id", name="fk_break_glass_journal"),
        nullable=False,
    ),
    Column(
        "clinician_id",
        Integer,
        ForeignKey("accounts.id", name="fk_break_glass_clinician"),
        nullable=False,
    ),
    Column("reason", Text, nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_break_glass_journal", "journal_id"),
    Index("ix_break_glass_created", "created_at"),
)

# No foreign keys: the log must be able to name what it recorded whatever happens to it later.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_id", Integer),
    Column("actor_role", String(16), nullable=False),
    Column("journal_id", Integer),
    Column("action", String(40), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_id", String(80)),
    Column("source_address", String(64)),
    Column("reason", Text),
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
    Index("ix_audit_log_journal_at", "journal_id", "at"),
)

# A clinician's acknowledgement of an alert: "I have seen this" (issue 17, migration 0014),
# kept apart from the person's own (``alerts.acknowledged_at``): it never closes the alert.
# One per clinician and alert; the audit log holds the same act as a ``seen`` row.
clinician_acks = Table(
    "clinician_acks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "journal_id",
        Integer,
        ForeignKey("journals.id", name="fk_clinician_acks_journal"),
        nullable=False,
    ),
    Column(
        "alert_id", Integer, ForeignKey("alerts.id", name="fk_clinician_acks_alert"), nullable=False
    ),
    Column(
        "clinician_id",
        Integer,
        ForeignKey("accounts.id", name="fk_clinician_acks_clinician"),
        nullable=False,
    ),
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text),
    UniqueConstraint("journal_id", "alert_id", "clinician_id", name="uq_clinician_acks"),
)

# One row per failed sign-in and per key (a hashed email, a hashed source address): the
# sliding window of the rate limit counts them.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_sign_in_failures_key_at", "key", "at"),
)

# A clinician's note in a person's journal (issue 17, migration 0015): shown to the person
# unless marked private to the care team. Never edited or deleted: a correction is a new note.
care_notes = Table(
    "care_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "journal_id",
        Integer,
        ForeignKey("journals.id", name="fk_care_notes_journal"),
        nullable=False,
    ),
    Column(
        "author_id", Integer, ForeignKey("accounts.id", name="fk_care_notes_author"), nullable=False
    ),
    Column("at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Column("private", Boolean, nullable=False),
    Index("ix_care_notes_journal_at", "journal_id", "at"),
)

# A clinician's limits for one person (issue 17, migration 0015): safety-rule thresholds made
# stricter than the server's, as JSON ``{rule_id: {threshold: value}}``. Append-only: the
# newest row of a journal is in force, the older ones are its history.
journal_limits = Table(
    "journal_limits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "journal_id",
        Integer,
        ForeignKey("journals.id", name="fk_journal_limits_journal"),
        nullable=False,
    ),
    Column("overrides", Text, nullable=False),
    Column(
        "set_by",
        Integer,
        ForeignKey("accounts.id", name="fk_journal_limits_set_by"),
        nullable=False,
    ),
    Column("set_at", UTCDateTime, nullable=False),
    Index("ix_journal_limits_journal", "journal_id", "id"),
)

# Who of the care team made or changed a person's plan (issue 17, migration 0015): written in
# the plan's own transaction, so a clinician's plan is never shown as the person's own.
plan_authors = Table(
    "plan_authors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "journal_id",
        Integer,
        ForeignKey("journals.id", name="fk_plan_authors_journal"),
        nullable=False,
    ),
    Column("plan_id", Integer, ForeignKey("plans.id", name="fk_plan_authors_plan"), nullable=False),
    Column("action", String(16), nullable=False),
    Column(
        "author_id",
        Integer,
        ForeignKey("accounts.id", name="fk_plan_authors_author"),
        nullable=False,
    ),
    Column("at", UTCDateTime, nullable=False),
    CheckConstraint("action IN ('created', 'step-back')", name="ck_plan_authors_action"),
    Index("ix_plan_authors_plan", "journal_id", "plan_id"),
)

CLINIC_TABLES = (
    accounts,
    invitations,
    sessions,
    api_tokens,
    shares,
    break_glass,
    audit_log,
    sign_in_failures,
    clinician_acks,
    care_notes,
    journal_limits,
    plan_authors,
)
