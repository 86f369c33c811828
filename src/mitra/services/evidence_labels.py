"""The learn page's references and their evidence labels, read from the source files.

One source of truth: the strength of a source ("low", "moderate", "case-report", ...) is
written once, in ``sources.toml``, ``sources_rules.toml`` or ``timelines.toml``'s own
``[sources]`` table, and the learn page shows it from there instead of repeating it. This
module says which source ids each numbered reference of the page rests on; the page's words
about a study stay in its template.

Invariants: every reference names at least one source id, every id resolves in one of the
source tables (a missing id is a KeyError when the page is built, so a typo cannot ship), and a
label lists the strengths of its sources in order without repeats.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from mitra.domain import catalogue_data
from mitra.domain.ruleset import source_table

# Reference number on the learn page -> the source ids it cites, in the order it names them.
REFERENCES: Mapping[int, tuple[str, ...]] = MappingProxyType(
    {
        1: ("prozialeck-2020",),
        2: ("sharma-2025",),
        3: ("brown-2025",),
        4: ("fda-2025-7oh",),
        5: ("kruegel-2016",),
        6: ("kruegel-2019",),
        7: ("hemby-2019",),
        8: ("trakulsrichai-2015",),
        9: ("tanna-2022",),
        10: ("huestis-2024",),
        11: ("garcia-romeu-2020",),
        12: ("smith-2022",),
        13: ("singh-2014",),
        14: ("rogers-2024",),
        15: ("olsen-2019-mmwr",),
        16: ("post-2019",),
        17: ("tanna-2023",),
        18: ("ahmad-2021", "schimmel-dart-2020"),
        19: ("eldridge-2018",),
        20: ("palungwachira-2022",),
        21: ("elsevier-opioid-withdrawal", "nadcp-moud"),
        22: ("huhn-2020",),
        23: ("samhsa-2010-protracted",),
        24: ("varshneya-2022",),
        25: ("hhs-2019-tapering",),
        26: ("cdc-2022-tapering",),
        27: ("sordo-2017",),
        28: ("asam-2020", "fda-2018-lofexidine"),
        29: ("cdc-2018-salmonella",),
        30: ("kamble-2019",),
        31: ("leong-abdullah-2021",),
        32: ("samhsa-2018-overdose-toolkit",),
    }
)

# How a strength id is said in a sentence.
STRENGTH_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "case-report": "case report",
        "very-low": "very low",
        "validated-instrument": "validated instrument",
        "source-article": "source article",
    }
)


@functools.cache
def strengths() -> Mapping[str, str]:
    """Every source id's strength, from the shared source files and the timelines' own table."""
    merged = {source_id: row["strength"] for source_id, row in source_table().items()}
    for source_id, row in catalogue_data.load("timelines").get("sources", {}).items():
        merged.setdefault(source_id, row["strength"])
    return MappingProxyType(merged)


def label(source_ids: tuple[str, ...]) -> str:
    """The evidence label of a reference: its sources' strengths, in order, without repeats."""
    known = strengths()
    words = [STRENGTH_WORDS.get(known[s], known[s]) for s in source_ids]
    return ", ".join(dict.fromkeys(words))


def reference_labels() -> dict[int, str]:
    """Reference number -> the evidence label the learn page shows for it."""
    return {number: label(ids) for number, ids in REFERENCES.items()}
