"""Passphrase encryption of exports and backups: a small versioned file format.

Layout of an encrypted file (all integers big-endian)::

    magic      9 bytes   b"MITRAENC1"   (format version 1)
    kdf        1 byte    1 = scrypt
    log2_n     1 byte    scrypt cost (N = 2**log2_n)
    r          1 byte    scrypt block size
    p          1 byte    scrypt parallelism
    salt      16 bytes   random, new for every file
    check     16 bytes   HMAC-SHA256(check key, header so far), first 16 bytes
    nonce     12 bytes   random
    body       rest      AES-256-GCM ciphertext + 16-byte tag; the header is the associated data

scrypt derives 64 bytes from the passphrase and salt: the first 32 are the AES key, the last
32 the check key. The check value lets mitra say "wrong passphrase" rather than "damaged"
(it reveals nothing a guesser could not learn from the GCM tag anyway); GCM authenticates the
body and the whole header, so any changed byte is detected.

Invariants: nothing is ever decrypted without authentication; a wrong passphrase and a damaged
file raise ``SealedError`` with one plain sentence; the ``cryptography`` package is imported
only when a file is actually sealed or opened.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass

from mitra.domain.errors import InputError

MAGIC = b"MITRAENC1"
KDF_SCRYPT = 1
SCRYPT_LOG2_N = 15  # N = 32768: ~0.1 s and 32 MiB on a laptop; raise in a later version
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
CHECK_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = len(MAGIC) + 4 + SALT_BYTES
MIN_SIZE = _HEADER + CHECK_BYTES + NONCE_BYTES + TAG_BYTES


class SealedError(InputError):
    """A sealed file cannot be opened: wrong passphrase, damaged, or not sealed by mitra."""


@dataclass(frozen=True, slots=True)
class _Keys:
    aes: bytes
    check: bytes


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> _Keys:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt  # noqa: PLC0415

    if not passphrase:
        raise InputError("the passphrase is empty", field="passphrase")
    raw = Scrypt(salt=salt, length=64, n=2**log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return _Keys(raw[:32], raw[32:])


def _check_value(keys: _Keys, header: bytes) -> bytes:
    return hmac.new(keys.check, header, "sha256").digest()[:CHECK_BYTES]


def seal(data: bytes, passphrase: str) -> bytes:
    """``data`` encrypted under ``passphrase`` in the MITRAENC1 format."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    salt = os.urandom(SALT_BYTES)
    header = MAGIC + bytes([KDF_SCRYPT, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P]) + salt
    keys = _derive(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    header += _check_value(keys, header)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(keys.aes).encrypt(nonce, data, header)


def unseal(data: bytes, passphrase: str, *, what: str = "the file") -> bytes:
    """The plaintext of a MITRAENC1 file; ``SealedError`` for a wrong passphrase or damage."""
    from cryptography.exceptions import InvalidTag  # noqa: PLC0415
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    if not is_sealed(data):
        raise SealedError(f"{what} is not encrypted by mitra (no MITRAENC1 header)")
    if len(data) < MIN_SIZE:
        raise SealedError(f"{what} is damaged: it is too short to be an encrypted mitra file")
    kdf, log2_n, r, p = data[len(MAGIC) : len(MAGIC) + 4]
    if kdf != KDF_SCRYPT or not 10 <= log2_n <= 22 or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise SealedError(f"{what} is damaged: its key settings are not ones mitra writes")
    header = data[:_HEADER]
    check = data[_HEADER : _HEADER + CHECK_BYTES]
    nonce_at = _HEADER + CHECK_BYTES
    nonce = data[nonce_at : nonce_at + NONCE_BYTES]
    keys = _derive(passphrase, header[-SALT_BYTES:], log2_n, r, p)
    if not hmac.compare_digest(check, _check_value(keys, header)):
        raise SealedError(f"wrong passphrase for {what} (or its header is damaged)")
    try:
        return AESGCM(keys.aes).decrypt(nonce, data[nonce_at + NONCE_BYTES :], header + check)
    except InvalidTag:
        raise SealedError(
            f"{what} is damaged: the passphrase is right but the contents fail their "
            "authentication check"
        ) from None
