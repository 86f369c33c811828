"""Understand a line of free text about how someone feels: which catalogue symptoms it names.

The lay lexicon (``mitra/data/symptom_lexicon.toml``, phrase -> symptom id, with sources) and
the catalogue's own names and synonyms are compared with the text after ``symptom_text``
normalisation. Three passes, in this order:

1. exact phrases, longest first, over the text's core words (fillers dropped);
2. typos: what is left is compared with rapidfuzz's normalised Indel ratio against every
   phrase, at the thresholds in the lexicon's ``[matching]`` table (chosen from the measured
   table in docs/symptom-matching.md); red-flag phrases need the stricter threshold, so a typo
   rarely turns an ordinary phrase into an emergency;
3. red flags again, exactly, anywhere in the text, overlapping allowed: no red flag that is
   written out is ever lost because a longer phrase swallowed it.

A clause (split at punctuation and at words like "and", "with") that matches nothing is kept
as ``leftover`` words: the service saves it as an "other" entry in the person's own words.
Negations ("no chest pain") are not interpreted: a written red flag is always raised, which is
the safe mistake.

Invariants: pure; ``understand`` accepts any string and never raises; results are in text
order without repeats.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from mitra.domain import catalogue_data
from mitra.domain import symptoms as symptom_catalogue
from mitra.domain.symptom_text import CONNECTORS, SEP, core, key, words

OTHER = "other"


@dataclass(frozen=True, slots=True)
class Match:
    symptom_id: str
    phrase: str  # the lexicon phrase (core form) that matched
    how: str  # "exact", "typo" or "red-flag scan"
    score: float = 100.0


@dataclass(frozen=True, slots=True)
class Understanding:
    matches: tuple[Match, ...]
    leftover: tuple[str, ...]  # clauses that matched nothing, as normalised words

    @property
    def symptom_ids(self) -> tuple[str, ...]:
        return tuple(m.symptom_id for m in self.matches)


@dataclass(frozen=True, slots=True)
class MatchingSettings:
    fuzzy_threshold: float
    red_flag_fuzzy_threshold: float
    min_fuzzy_chars: int
    not_symptoms: tuple[tuple[str, ...], ...]  # everyday expressions, as typed words


@dataclass(frozen=True, slots=True)
class Lexicon:
    phrases: dict[tuple[str, ...], str]  # core words -> symptom id
    red_flag_ids: frozenset[str]
    longest: int

    def is_red_flag_id(self, symptom_id: str) -> bool:
        return symptom_id in self.red_flag_ids


def _data() -> dict[str, Any]:
    return catalogue_data.load("symptom_lexicon")


@functools.cache
def settings() -> MatchingSettings:
    table = _data()["matching"]
    return MatchingSettings(
        fuzzy_threshold=float(table["fuzzy_threshold"]),
        red_flag_fuzzy_threshold=float(table["red_flag_fuzzy_threshold"]),
        min_fuzzy_chars=int(table["min_fuzzy_chars"]),
        not_symptoms=tuple(words(p) for p in table.get("not_symptoms", ())),
    )


def lexicon_groups() -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = _data()["groups"]
    return groups


@functools.cache
def lexicon() -> Lexicon:
    """Every phrase by its core words: the lexicon's groups, then the catalogue's own words."""
    phrases: dict[tuple[str, ...], str] = {}
    for group in lexicon_groups():
        for phrase in group["phrases"]:
            words_of = tuple(key(phrase).split())
            if words_of:
                phrases.setdefault(words_of, group["symptom"])
    for symptom in symptom_catalogue.catalogue():
        if symptom.id == OTHER:
            continue
        for word in (symptom.id, symptom.name, *symptom.names):
            words_of = tuple(key(word).split())
            if words_of:
                phrases.setdefault(words_of, symptom.id)
    red = frozenset(
        s.id
        for s in symptom_catalogue.catalogue()
        if s.kind == "red-flag" and s.red_flag_at is not None
    )
    return Lexicon(phrases=phrases, red_flag_ids=red, longest=max(len(p) for p in phrases))


@functools.cache
def _choices(red_only: bool, width: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Phrases long enough to compare for typos, and their symptom ids (same order).

    Only phrases of ``width`` words, so "all night" is never read as a typo of "up all
    night"; a one-word fragment is compared with every phrase ("cantsleep").
    """
    lex = lexicon()
    limit = settings().min_fuzzy_chars
    texts: list[str] = []
    ids: list[str] = []
    for phrase, symptom_id in lex.phrases.items():
        text = " ".join(phrase)
        wanted = width == 1 or len(phrase) == width
        if wanted and len(text) >= limit and (not red_only or lex.is_red_flag_id(symptom_id)):
            texts.append(text)
            ids.append(symptom_id)
    return tuple(texts), tuple(ids)


def best_typo_match(
    text: str,
    *,
    threshold: float | None = None,
    red_threshold: float | None = None,
    red_only: bool = False,
) -> Match | None:
    """The phrase a typo'd fragment most likely means, or None below the thresholds.

    A red-flag phrase must clear ``red_threshold`` and an ordinary one ``threshold``; the
    best-scoring phrase that clears its own threshold is taken.
    """
    from rapidfuzz import fuzz, process  # noqa: PLC0415 (kept off the CLI start-up path)

    conf = settings()
    low = conf.fuzzy_threshold if threshold is None else threshold
    high = conf.red_flag_fuzzy_threshold if red_threshold is None else red_threshold
    if len(text) < conf.min_fuzzy_chars:
        return None
    texts, ids = _choices(red_only, len(text.split()))
    lex = lexicon()
    ranked = process.extract(text, texts, scorer=fuzz.ratio, score_cutoff=min(low, high), limit=8)
    for phrase, score, index in ranked:
        symptom_id = ids[index]
        if score < (high if lex.is_red_flag_id(symptom_id) else low):
            continue
        return Match(symptom_id=symptom_id, phrase=phrase, how="typo", score=float(score))
    return None


def understand(
    text: str, *, threshold: float | None = None, red_threshold: float | None = None
) -> Understanding:
    """The catalogue symptoms a line of text names, and the clauses it did not understand.

    The thresholds default to the lexicon's; the measurement (bench/symptom_fuzz.py) varies
    them.
    """
    tokens = core(_without_everyday(words(text)))
    lex = lexicon()
    covered = [False] * len(tokens)
    found: list[tuple[int, Match]] = []

    # 1. exact phrases, longest first
    index = 0
    while index < len(tokens):
        hit = _exact_at(tokens, index, lex)
        if hit is None:
            index += 1
            continue
        length, symptom_id = hit
        found.append((index, Match(symptom_id, " ".join(tokens[index : index + length]), "exact")))
        for i in range(index, index + length):
            covered[i] = True
        index += length

    # 2. typos, clause by clause, in what is left
    leftover: list[str] = []
    for clause in _clauses(tokens):
        rest = [i for i in clause if not covered[i]]
        typo_hits = _typos(tokens, rest, covered, threshold, red_threshold)
        found += typo_hits
        remaining = [tokens[i] for i in clause if not covered[i]]
        clause_matched = any(covered[i] for i in clause)
        if remaining and not clause_matched:
            leftover.append(" ".join(remaining))

    # 2b. typo'd red flags over every word of each clause, matched or not ("blue lipps":
    # "blue" alone already read as low mood must not hide the overdose sign)
    for clause in _clauses(tokens):
        found += _red_typos(tokens, clause, covered, threshold, red_threshold)

    # 3. red flags, exactly, anywhere (also inside longer phrases)
    for start in range(len(tokens)):
        for length in range(1, lex.longest + 1):
            phrase = tokens[start : start + length]
            if len(phrase) < length or SEP in phrase:
                break
            flagged = lex.phrases.get(phrase)
            if flagged is not None and lex.is_red_flag_id(flagged):
                found.append((start, Match(flagged, " ".join(phrase), "red-flag scan")))

    found.sort(key=lambda pair: pair[0])
    seen: set[str] = set()
    matches: list[Match] = []
    for _, match in found:
        if match.symptom_id not in seen:
            seen.add(match.symptom_id)
            matches.append(match)
    return Understanding(matches=tuple(matches), leftover=tuple(leftover))


def _without_everyday(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The typed words without everyday expressions that only look like symptoms ("keep fit")."""
    kept = list(tokens)
    for phrase in settings().not_symptoms:
        width = len(phrase)
        for start in range(len(kept) - width + 1):
            if tuple(kept[start : start + width]) == phrase:
                kept[start : start + width] = [""] * width
    return tuple(t for t in kept if t)


def _exact_at(tokens: tuple[str, ...], start: int, lex: Lexicon) -> tuple[int, str] | None:
    for length in range(min(lex.longest, len(tokens) - start), 0, -1):
        phrase = tokens[start : start + length]
        if SEP in phrase:
            continue
        symptom_id = lex.phrases.get(phrase)
        if symptom_id is not None:
            return length, symptom_id
    return None


def _clauses(tokens: tuple[str, ...]) -> list[list[int]]:
    """Token positions grouped into clauses, split at breaks and joining words."""
    clauses: list[list[int]] = [[]]
    for index, token in enumerate(tokens):
        if token == SEP or token in CONNECTORS:
            clauses.append([])
        else:
            clauses[-1].append(index)
    return [c for c in clauses if c]


def _typos(
    tokens: tuple[str, ...],
    positions: list[int],
    covered: list[bool],
    threshold: float | None,
    red_threshold: float | None,
) -> list[tuple[int, Match]]:
    """Typo matches over runs of adjacent uncovered positions, widest windows first."""
    hits: list[tuple[int, Match]] = []
    for run in _runs(positions):
        for width in range(len(run), 0, -1):
            for offset in range(len(run) - width + 1):
                window = run[offset : offset + width]
                if width > lexicon().longest + 1:
                    continue
                if any(covered[i] for i in window):
                    continue
                match = best_typo_match(
                    " ".join(tokens[i] for i in window),
                    threshold=threshold,
                    red_threshold=red_threshold,
                )
                if match is None:
                    continue
                hits.append((window[0], match))
                for i in window:
                    covered[i] = True
    return hits


def _red_typos(
    tokens: tuple[str, ...],
    clause: list[int],
    covered: list[bool],
    threshold: float | None,
    red_threshold: float | None,
) -> list[tuple[int, Match]]:
    """Windows with at least one word not read exactly, against red-flag phrases only.

    Words all read exactly ("head hurts") were written correctly: they are not typos of a
    warning sign ("heart hurts").
    """
    hits: list[tuple[int, Match]] = []
    longest = lexicon().longest
    for width in range(1, min(len(clause), longest + 1) + 1):
        for offset in range(len(clause) - width + 1):
            window = clause[offset : offset + width]
            if all(covered[i] for i in window):
                continue
            match = best_typo_match(
                " ".join(tokens[i] for i in window),
                threshold=threshold,
                red_threshold=red_threshold,
                red_only=True,
            )
            if match is not None:
                hits.append((window[0], match))
    return hits


def _runs(positions: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for position in positions:
        if runs and runs[-1][-1] == position - 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs
