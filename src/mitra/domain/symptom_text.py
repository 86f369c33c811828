"""What a person typed about how they feel, reduced to comparable words.

``words`` turns any text into lower-case ASCII-ish tokens: Unicode NFKC first (so full-width
letters and ligatures compare equal), then the curly quotes and dashes every phone keyboard
types become their plain forms, apostrophes vanish ("can’t", "can't" and "cant" are one word),
case is folded and other punctuation ends a clause (``SEP``). ``core`` drops the filler words
("I have", "feeling", "my", "really", "so", "bad", ...) that say nothing about which symptom
it is. ``severity_hint`` reads intensity words ("mild", "severe", "really bad").

Invariants: pure and deterministic; every function accepts any string (never raises); the same
normalisation is applied to the lexicon's phrases and to what a person types, so the two meet.
"""

from __future__ import annotations

import re
import unicodedata

SEP = ","  # a clause boundary: a phrase never matches across it

# Curly and typographic quote marks, primes and dashes, mapped to plain ASCII.
_APOSTROPHES = "'\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u02bc"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_CLAUSE_BREAKS = re.compile(r"[,;.!?/+&:()\[\]{}\n\r\t|\"\u201c\u201d\u201e\u201f\u00ab\u00bb]+")
_NOT_WORD = re.compile(r"[^0-9a-z, ]+")
# "OD'd" must stay an overdose once the apostrophe goes (else it reads "odd").
_OD_D = re.compile(r"\bod'd\b")

# Words that do not tell one symptom from another. Intensity words ("really", "so", "bad")
# are read by ``severity_hint`` before they are dropped here.
_FILLER_WORDS = """
    i im ive id my we our he hes she shes they their his her him
    have has had having got gotten getting get gets
    feel feeling feelings feels felt
    am is are was were be been being
    the a an this that these those some any
    really so very bad badly real pretty quite super kinda kind sort of bit little lot lots
    just like too much still also now today tonight currently right
    been kinda literally totally absolutely
    think guess maybe please help
"""
FILLERS = frozenset(_FILLER_WORDS.split())

# Words that join two complaints ("sweating and shaking"): a clause boundary for grouping.
CONNECTORS = frozenset({"and", "n", "plus", "also", "with", "but", "then", "or", "as", "well"})

_MILD = frozenset({"mild", "mildly", "slight", "slightly", "somewhat", "little", "bit"})
_MODERATE = frozenset({"moderate", "moderately"})
_SEVERE = frozenset(
    {
        "severe",
        "severely",
        "terrible",
        "terribly",
        "awful",
        "extreme",
        "extremely",
        "unbearable",
        "worst",
        "horrible",
        "agony",
        "excruciating",
        "intense",
    }
)
_INTENSIFIERS = frozenset({"really", "very", "so", "super"})


def plain(text: str) -> str:
    """NFKC, plain quotes and dashes, case folded; punctuation kept (for display and hashing)."""
    text = unicodedata.normalize("NFKC", text)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "'")
    for mark in _DASHES:
        text = text.replace(mark, "-")
    return text.casefold()


def words(text: str) -> tuple[str, ...]:
    """Tokens of the text with ``SEP`` at clause breaks; apostrophes removed inside words."""
    text = _OD_D.sub("overdosed", plain(text))
    text = text.replace("'", "")
    text = _CLAUSE_BREAKS.sub(f" {SEP} ", text)
    text = text.replace("-", " ").replace("_", " ")
    # Anything else (emoji, symbols, accents NFKC kept) separates words.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _NOT_WORD.sub(" ", ascii_text)
    tokens: list[str] = []
    for token in text.split():
        if token == SEP and (not tokens or tokens[-1] == SEP):
            continue
        tokens.append(token)
    while tokens and tokens[-1] == SEP:
        tokens.pop()
    return tuple(tokens)


def core(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens without filler words (clause breaks kept)."""
    return tuple(t for t in tokens if t not in FILLERS)


def key(text: str) -> str:
    """One comparable string for a phrase: its core words, clause breaks dropped."""
    return " ".join(t for t in core(words(text)) if t != SEP)


def severity_hint(text: str) -> int | None:
    """The severity the words imply (1 mild, 2 moderate, 3 severe), or None when they say none.

    "really bad", "so bad", "very bad" read as severe; the strongest word wins.
    """
    tokens = words(text)
    found: int | None = None
    for index, token in enumerate(tokens):
        level: int | None = None
        intensified = index > 0 and tokens[index - 1] in _INTENSIFIERS
        if token in _SEVERE or (token in {"bad", "badly"} and intensified):
            level = 3
        elif token in _MODERATE:
            level = 2
        elif token in _MILD:
            level = 1
        if level is not None:
            found = level if found is None else max(found, level)
    return found
