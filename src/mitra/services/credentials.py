"""Secrets of the clinic server's accounts: password hashes, API tokens, TOTP and session ids.

Library code for the sign-in and account use cases; it touches no database and never reads
the clock (every moment is passed in).

- Passwords are NFKC-normalised (``mitra.domain.passwords.normalise_password``) and hashed
  with Argon2id. The parameters are RFC 9106's second recommended option (t=3 passes,
  64 MiB, 4 lanes, 16-byte salt, 32-byte tag), which is also argon2-cffi's default profile
  and stronger on every axis than the OWASP Password Storage Cheat Sheet's minimum for
  Argon2id (19 MiB, t=2, p=1). About 0.3 s a hash on a shared 2-core machine. The hash string
  carries its own parameters, so ``needs_rehash`` tells when a stored hash should be
  replaced at the next successful sign-in.
- API tokens are ``mitra_`` + 32 random bytes (URL-safe base64, 256 bits) and only their
  SHA-256 is stored. A fast hash is right here, unlike for passwords: a slow hash protects
  low-entropy secrets against guessing, but nobody can enumerate 2^256 tokens at any speed,
  and a fast unsalted hash lets the server find a token's row by an index on its hash on
  every request. The prefix lets secret scanners and people recognise a leaked token.
- Session ids are 32 random bytes (256 bits; OWASP asks for at least 64 bits of entropy,
  the brief for 128) and are stored as SHA-256 too, so a copy of the database holds no live
  session.
- TOTP follows RFC 6238 (30-second steps, 6 digits, SHA-1, the form every authenticator app
  reads; 160-bit secrets per RFC 4226 §4). ``verify_totp`` accepts the current step and one
  step either side (clock drift and typing time) and returns the step it matched, which the
  caller stores: a step at or before the last one used is refused, so a code is never
  accepted twice (RFC 6238 §5.2).

Comparisons of secrets and of their hashes use ``hmac.compare_digest`` (constant time).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from mitra.domain.passwords import normalise_password

# RFC 9106 §4, second recommended option (argon2-cffi's RFC_9106_LOW_MEMORY profile), spelled
# out so that a library upgrade that changes its defaults cannot silently change ours.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 4
ARGON2_HASH_LEN = 32
ARGON2_SALT_LEN = 16

# OWASP Password Storage Cheat Sheet, Argon2id minimum: the floor the parameters above clear.
OWASP_MIN_MEMORY_KIB = 19 * 1024
OWASP_MIN_TIME_COST = 2

PASSWORD_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=ARGON2_HASH_LEN,
    salt_len=ARGON2_SALT_LEN,
    type=Type.ID,
)

TOKEN_PREFIX = "mitra_"
TOKEN_BYTES = 32
SESSION_BYTES = 32

TOTP_DIGITS = 6
TOTP_STEP_SECONDS = 30
# One step either side of the current one: RFC 6238 §5.2 recommends at most one step of
# network delay; the step ahead covers a phone whose clock runs a little fast.
TOTP_WINDOW = 1
TOTP_ISSUER = "mitra"


# Passwords


def hash_password(password: str, *, hasher: PasswordHasher = PASSWORD_HASHER) -> str:
    """The Argon2id hash (PHC string, with salt and parameters) of the normalised password.

    ``hasher`` is for tests that need a cheaper one; the application always uses the default.
    """
    return hasher.hash(normalise_password(password))


def verify_password(
    stored_hash: str, password: str, *, hasher: PasswordHasher = PASSWORD_HASHER
) -> bool:
    """Whether ``password`` matches ``stored_hash``; False for a wrong password or a hash that
    is not an Argon2 hash at all (a damaged row must not sign anyone in)."""
    try:
        return hasher.verify(stored_hash, normalise_password(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str, *, hasher: PasswordHasher = PASSWORD_HASHER) -> bool:
    """Whether the hash was made with other parameters than ``hasher``'s (then hash again
    at the next successful sign-in, while the password is at hand)."""
    try:
        return hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


# API bearer tokens


def new_token() -> tuple[str, str]:
    """A new API token and its hash: show the token once, store only the hash."""
    text = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    return text, token_hash(text)


def token_hash(text: str) -> str:
    """SHA-256 (hex) of the token as presented, prefix included."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def token_matches(text: str, stored_hash: str) -> bool:
    """Whether a presented token is the one whose hash is stored (constant-time compare)."""
    return hmac.compare_digest(token_hash(text), stored_hash)


def looks_like_token(text: str) -> bool:
    """Whether ``text`` has a mitra token's form (a cheap check before any lookup)."""
    body = text.removeprefix(TOKEN_PREFIX)
    return (
        text.startswith(TOKEN_PREFIX)
        and len(body) >= TOKEN_BYTES
        and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in body)
    )


# Session ids


def new_session_id() -> str:
    """A new session id for the cookie (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(SESSION_BYTES)


def session_hash(session_id: str) -> str:
    """SHA-256 (hex) of a session id: what the server stores and looks up."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


# TOTP


def new_totp_secret() -> str:
    """A new TOTP secret: 32 base32 characters, 160 bits (RFC 4226 §4 recommends 160)."""
    return pyotp.random_base32(length=32)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS)


def totp_uri(secret: str, email: str, issuer: str = TOTP_ISSUER) -> str:
    """The ``otpauth://totp/...`` URI that authenticator apps read (shown as a QR code)."""
    return _totp(secret).provisioning_uri(name=email, issuer_name=issuer)


def totp_step(at: datetime) -> int:
    """The RFC 6238 time step that holds the aware moment ``at``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be an aware datetime")
    return int(at.timestamp()) // TOTP_STEP_SECONDS


def totp_code(secret: str, step: int) -> str:
    """The code of one time step (for tests and for showing a setup check)."""
    return _totp(secret).generate_otp(step)


def verify_totp(secret: str, code: str, at: datetime, *, last_used_step: int | None) -> int | None:
    """The time step ``code`` belongs to, or None when it is wrong, outside the window or
    already used.

    Accepted: the step of ``at`` and one either side, but only steps after
    ``last_used_step``; the caller stores the returned step as the new ``last_used_step``.
    Spaces in the code are ignored ("123 456" as some apps show it); anything but six digits
    is refused without computing a code.
    """
    typed = code.replace(" ", "")
    if len(typed) != TOTP_DIGITS or not (typed.isascii() and typed.isdigit()):
        return None
    current = totp_step(at)
    totp = _totp(secret)
    matched: int | None = None
    # Every candidate is compared (no early exit), and the latest matching step wins, so
    # an accepted code moves last_used_step as far as it can.
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if step < 0 or (last_used_step is not None and step <= last_used_step):
            continue
        if hmac.compare_digest(totp.generate_otp(step), typed):
            matched = step
    return matched


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no XML declaration), for the TOTP setup page.

    Error correction M (15 %) and the standard 4-module quiet zone, so phone cameras read
    it off a screen; the title gives screen readers a name for the picture.
    """
    qr = segno.make(uri, error="m", micro=False)
    return qr.svg_inline(scale=4, border=4, title="QR code for your authenticator app")
