"""The typo-threshold measure of the symptom matcher, shared by bench/symptom_fuzz.py and the
test that checks the chosen threshold keeps its measured properties."""

from __future__ import annotations

from dataclasses import dataclass

from mitra.domain.symptom_matching import lexicon, understand
from tests.support.symptom_phrases import ORDINARY, TYPOS


@dataclass(frozen=True)
class Measure:
    recall: float  # typo'd phrases understood as the symptom they mean
    red_recall: float  # the same, over typo'd red flags only
    precision: float  # typo matches (on both sets) that were right
    ordinary_hits: float  # ordinary lines where a typo match fired
    ordinary_red: float  # ordinary lines where a typo match raised a red flag


def measure(threshold: float, red_threshold: float) -> Measure:
    red = lexicon().red_flag_ids
    right = red_right = typo_matches = typo_right = 0
    red_typos = [t for t in TYPOS if t[1] in red]
    for text, expected in TYPOS:
        found = understand(text, threshold=threshold, red_threshold=red_threshold).matches
        ids = [m.symptom_id for m in found]
        right += expected in ids
        red_right += expected in red and expected in ids
        for match in found:
            if match.how == "typo":
                typo_matches += 1
                typo_right += match.symptom_id == expected
    ordinary_hits = ordinary_red = 0
    for text in ORDINARY:
        found = understand(text, threshold=threshold, red_threshold=red_threshold).matches
        typos = [m for m in found if m.how == "typo"]
        typo_matches += len(typos)  # a typo match on an ordinary line is always wrong
        ordinary_hits += bool(typos)
        ordinary_red += any(m.symptom_id in red for m in typos)
    return Measure(
        recall=right / len(TYPOS),
        red_recall=red_right / len(red_typos),
        precision=typo_right / typo_matches if typo_matches else 1.0,
        ordinary_hits=ordinary_hits / len(ORDINARY),
        ordinary_red=ordinary_red / len(ORDINARY),
    )
