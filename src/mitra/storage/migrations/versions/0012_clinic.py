"""The clinic server's tables (issue 16): accounts, invitations, sessions, API tokens, shares,
break-glass grants, the audit log and failed sign-ins.

Revision ID: 0012
Revises: 0011

New tables only (``storage/clinic_tables.py`` declares the same); no existing row changes.
They are created on SQLite too, harmlessly and empty, so every journal file has one schema
revision line; the ``mitra clinic`` commands refuse SQLite. Downgrading drops them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mitra.storage.schema import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ROLES_CHECK = "role IN ('person', 'clinician', 'admin')"


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("totp_last_step", sa.BigInteger),
        sa.Column(
            "journal_id", sa.Integer, sa.ForeignKey("journals.id", name="fk_accounts_journal")
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("disabled_at", UTCDateTime),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("locked_until", UTCDateTime),
        sa.CheckConstraint(ROLES_CHECK, name="ck_accounts_role"),
        sa.CheckConstraint("email = lower(email)", name="ck_accounts_email_lower"),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column(
            "invited_by",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_invitations_invited_by"),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime),
        sa.CheckConstraint(ROLES_CHECK, name="ck_invitations_role"),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_sessions_account"),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("source_address", sa.String(64)),
    )
    op.create_index("ix_sessions_account", "sessions", ["account_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_api_tokens_account"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("last_used_at", UTCDateTime),
    )
    op.create_index("ix_api_tokens_account", "api_tokens", ["account_id"])
    op.create_table(
        "shares",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "journal_id",
            sa.Integer,
            sa.ForeignKey("journals.id", name="fk_shares_journal"),
            nullable=False,
        ),
        sa.Column(
            "clinician_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_shares_clinician"),
            nullable=False,
        ),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("scope IN ('read', 'plan')", name="ck_shares_scope"),
    )
    op.create_index("ix_shares_clinician", "shares", ["clinician_id"])
    op.create_index("ix_shares_journal", "shares", ["journal_id"])
    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "journal_id",
            sa.Integer,
            sa.ForeignKey("journals.id", name="fk_break_glass_journal"),
            nullable=False,
        ),
        sa.Column(
            "clinician_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_break_glass_clinician"),
            nullable=False,
        ),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_break_glass_journal", "break_glass", ["journal_id"])
    op.create_index("ix_break_glass_created", "break_glass", ["created_at"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor_id", sa.Integer),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("journal_id", sa.Integer),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(80)),
        sa.Column("source_address", sa.String(64)),
        sa.Column("reason", sa.Text),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_journal_at", "audit_log", ["journal_id", "at"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_sign_in_failures_key_at", "sign_in_failures", ["key", "at"])


def downgrade() -> None:
    for table in (
        "sign_in_failures",
        "audit_log",
        "break_glass",
        "shares",
        "api_tokens",
        "sessions",
        "invitations",
        "accounts",
    ):
        op.drop_table(table)
