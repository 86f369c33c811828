"""Account secrets: Argon2id password hashes (normalised, rehash when parameters change),
API tokens and session ids stored only as SHA-256, and TOTP codes accepted once, within one
step either side, at a moment that is always passed in."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from argon2 import PasswordHasher, Type
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.services import credentials
from mitra.services.credentials import (
    OWASP_MIN_MEMORY_KIB,
    OWASP_MIN_TIME_COST,
    PASSWORD_HASHER,
    TOKEN_PREFIX,
    hash_password,
    looks_like_token,
    needs_rehash,
    new_session_id,
    new_token,
    new_totp_secret,
    qr_svg,
    session_hash,
    token_hash,
    token_matches,
    totp_code,
    totp_step,
    totp_uri,
    verify_password,
    verify_totp,
)
from tests.support.clock import FIXED_NOW

# Cheap parameters keep the suite fast; one test below uses the real ones.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
PASSWORD = "violet kettle harbour lantern"


def test_the_real_parameters_are_argon2id_and_at_least_owasps_minimum() -> None:
    stored = hash_password(PASSWORD)
    match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+", stored)
    assert match is not None
    memory, time_cost, _lanes = map(int, match.groups())
    assert memory >= OWASP_MIN_MEMORY_KIB and time_cost >= OWASP_MIN_TIME_COST
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert not needs_rehash(stored)
    assert PASSWORD_HASHER.type is Type.ID


def test_a_password_verifies_and_a_wrong_one_does_not() -> None:
    stored = hash_password(PASSWORD, hasher=CHEAP)
    assert verify_password(stored, PASSWORD, hasher=CHEAP)
    assert not verify_password(stored, "violet kettle harbour lanterns", hasher=CHEAP)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password(PASSWORD, hasher=CHEAP) != hash_password(PASSWORD, hasher=CHEAP)


def test_passwords_are_normalised_before_hashing_so_either_form_signs_in() -> None:
    composed = "caf\u00e9 au lait sur la terrasse"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    stored = hash_password(decomposed, hasher=CHEAP)
    assert verify_password(stored, composed, hasher=CHEAP)


@pytest.mark.parametrize("damaged", ["", "not a hash", "$argon2id$v=19$m=8,t=1,p=1$abc"])
def test_a_damaged_stored_hash_signs_nobody_in_and_asks_for_a_rehash(damaged: str) -> None:
    assert not verify_password(damaged, PASSWORD, hasher=CHEAP)
    assert needs_rehash(damaged, hasher=CHEAP)


def test_a_hash_with_weaker_parameters_needs_a_rehash() -> None:
    stored = hash_password(PASSWORD, hasher=CHEAP)
    assert not needs_rehash(stored, hasher=CHEAP)
    assert needs_rehash(stored)


def test_a_token_has_the_prefix_256_random_bits_and_only_its_sha256_is_kept() -> None:
    text, digest = new_token()
    assert text.startswith(TOKEN_PREFIX) and looks_like_token(text)
    assert len(text) == len(TOKEN_PREFIX) + 43  # 32 bytes in unpadded URL-safe base64
    assert digest == hashlib.sha256(text.encode()).hexdigest() == token_hash(text)
    assert token_matches(text, digest)
    assert not token_matches(text + "x", digest)
    assert new_token()[0] != text


@pytest.mark.parametrize(
    "text", ["", "mitra_", "mitra_short", "other_" + "a" * 43, "mitra_" + "é" * 43]
)
def test_a_value_without_a_tokens_form_is_told_apart(text: str) -> None:
    assert not looks_like_token(text)


def test_session_ids_carry_at_least_128_bits_and_are_stored_hashed() -> None:
    ids = {new_session_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) * 6 >= 128 for i in ids)  # base64: six bits a character
    one = next(iter(ids))
    assert session_hash(one) == hashlib.sha256(one.encode()).hexdigest() != one


# TOTP

AT = FIXED_NOW
FIXED_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_a_new_secret_is_160_bits_of_base32() -> None:
    secret = new_totp_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert new_totp_secret() != secret


def test_the_uri_names_the_issuer_and_the_account_for_authenticator_apps() -> None:
    secret = new_totp_secret()
    uri = totp_uri(secret, "jane@example.org")
    assert uri.startswith("otpauth://totp/mitra:jane%40example.org?")
    assert f"secret={secret}" in uri and "issuer=mitra" in uri
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.TOTP) and parsed.secret == secret


def test_the_code_of_now_is_accepted_and_the_step_returned() -> None:
    secret = new_totp_secret()
    step = totp_step(AT)
    assert step == int(AT.timestamp()) // 30
    assert totp_code(secret, step) == pyotp.TOTP(secret).at(AT)
    assert verify_totp(secret, totp_code(secret, step), AT, last_used_step=None) == step


def test_one_step_either_side_is_accepted_and_two_are_not() -> None:
    step = totp_step(AT)
    # A fixed secret whose five codes around AT all differ, so each case is unambiguous.
    assert len({totp_code(FIXED_SECRET, step + k) for k in range(-2, 3)}) == 5
    for offset in (-1, 1):
        code = totp_code(FIXED_SECRET, step + offset)
        assert verify_totp(FIXED_SECRET, code, AT, last_used_step=None) == step + offset
    for offset in (-2, 2):
        code = totp_code(FIXED_SECRET, step + offset)
        assert verify_totp(FIXED_SECRET, code, AT, last_used_step=None) is None


def test_a_code_is_never_accepted_twice() -> None:
    secret = new_totp_secret()
    code = totp_code(secret, totp_step(AT))
    used = verify_totp(secret, code, AT, last_used_step=None)
    assert used is not None
    assert verify_totp(secret, code, AT, last_used_step=used) is None
    assert verify_totp(secret, code, AT + timedelta(seconds=20), last_used_step=used) is None


def test_an_earlier_step_than_the_last_used_is_refused() -> None:
    secret = new_totp_secret()
    step = totp_step(AT)
    assert verify_totp(secret, totp_code(secret, step - 1), AT, last_used_step=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5"])
def test_anything_but_six_digits_is_refused(code: str) -> None:
    assert verify_totp(new_totp_secret(), code, AT, last_used_step=None) is None


def test_spaces_in_a_code_are_ignored() -> None:
    secret = new_totp_secret()
    code = totp_code(secret, totp_step(AT))
    spaced = f"{code[:3]} {code[3:]}"
    assert verify_totp(secret, spaced, AT, last_used_step=None) == totp_step(AT)


def test_the_moment_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        verify_totp(new_totp_secret(), "123456", datetime(2026, 11, 20, 15, 0), last_used_step=None)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=29))
def test_any_moment_accepts_its_own_code_once(minutes: int, second: int) -> None:
    at = AT + timedelta(minutes=minutes, seconds=second)
    code = totp_code(FIXED_SECRET, totp_step(at))
    used = verify_totp(FIXED_SECRET, code, at, last_used_step=None)
    assert used is not None and abs(used - totp_step(at)) <= 1
    assert verify_totp(FIXED_SECRET, code, at, last_used_step=used) is None


def test_the_qr_code_is_an_inline_svg_with_a_title() -> None:
    svg = qr_svg(totp_uri(new_totp_secret(), "jane@example.org"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<?xml" not in svg
    assert "<title>QR code for your authenticator app</title>" in svg


def test_the_module_never_reads_the_clock() -> None:
    text = Path(credentials.__file__).read_text(encoding="utf-8")
    assert ".now(" not in text and "time.time" not in text and "utcnow" not in text
