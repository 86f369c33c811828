"""Measure the typo threshold of the symptom matcher: precision and recall at several values.

For each threshold (the ordinary one; red-flag phrases use the same value here, and the
chosen red-flag threshold is reported separately) it runs the matcher over:

- TYPOS (tests/support/symptom_phrases.py): typo'd phrases with the id they mean. Recall is
  the share understood as that id; precision is the share of all typo matches (on both sets)
  that were right.
- ORDINARY: everyday lines. "ordinary typo hits" is the share where a typo match fired at all
  (an ordinary line read as a symptom it does not name); "ordinary red flags" the share where
  a red flag came from a typo match.

Prints a Markdown table (copied into docs/symptom-matching.md). The chosen values live in
src/mitra/data/symptom_lexicon.toml ([matching]).

Run: .venv/bin/python bench/symptom_fuzz.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.symptom_measure import measure
from tests.support.symptom_phrases import ORDINARY, TYPOS

from mitra.domain.symptom_matching import settings

THRESHOLDS = (60, 70, 75, 80, 82, 85, 88, 90, 92, 95)


def table() -> str:
    chosen = settings()
    lines = [
        f"Typo'd phrases: {len(TYPOS)}; ordinary lines: {len(ORDINARY)}.",
        "",
        "| threshold | typo recall | red-flag typo recall | typo precision "
        "| ordinary lines with a typo match | ordinary lines with a red flag by typo |",
        "|---|---|---|---|---|---|",
    ]
    for threshold in THRESHOLDS:
        m = measure(threshold, threshold)
        lines.append(
            f"| {threshold} | {m.recall:.0%} | {m.red_recall:.0%} | {m.precision:.0%} "
            f"| {m.ordinary_hits:.1%} | {m.ordinary_red:.1%} |"
        )
    m = measure(chosen.fuzzy_threshold, chosen.red_flag_fuzzy_threshold)
    lines += [
        "",
        f"Chosen: {chosen.fuzzy_threshold:g} (red flags {chosen.red_flag_fuzzy_threshold:g}): "
        f"typo recall {m.recall:.0%}, red-flag typo recall {m.red_recall:.0%}, "
        f"precision {m.precision:.0%}, ordinary lines with a typo match "
        f"{m.ordinary_hits:.1%}, with a red flag by typo {m.ordinary_red:.1%}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
