"""The learn page's evidence labels are the strengths written in the source files.

One source of truth: each reference on the page names its source ids (``data-sources``) and
shows "Evidence: ..." read from those ids' ``strength``. These tests read the source files
themselves (not mitra's loader) and compare every label the page shows, so a label typed into
the page, or a strength changed in a file without the page following, fails here.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources

from fastapi.testclient import TestClient

from mitra.services.evidence_labels import REFERENCES

REFERENCE = re.compile(
    r'<li id="ref-(\d+)" data-sources="([^"]+)">.*?'
    r'<span class="strength">Evidence: ([^<]*)\.</span></li>',
    re.S,
)
WORDS = {
    "case-report": "case report",
    "very-low": "very low",
    "validated-instrument": "validated instrument",
}


def file_strengths() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in ("sources", "sources_rules", "timelines"):
        text = resources.files("mitra.data").joinpath(f"{name}.toml").read_text(encoding="utf-8")
        for source_id, row in tomllib.loads(text).get("sources", {}).items():
            found.setdefault(source_id, row["strength"])
    return found


def shown_references(client: TestClient) -> list[tuple[int, list[str], str]]:
    html = client.get("/learn").text
    return [(int(n), ids.split(), shown) for n, ids, shown in REFERENCE.findall(html)]


def test_every_evidence_label_on_the_learn_page_equals_its_source_files_strength(
    client: TestClient,
) -> None:
    strengths = file_strengths()
    shown = shown_references(client)
    assert len(shown) == len(REFERENCES) == 32
    for number, ids, label in shown:
        expected = ", ".join(dict.fromkeys(WORDS.get(strengths[i], strengths[i]) for i in ids))
        assert label == expected, f"reference {number}: shows {label!r}, files say {expected!r}"


def test_the_sources_the_review_found_mislabelled_show_low(client: TestClient) -> None:
    labels = {ids[0]: label for _, ids, label in shown_references(client)}
    for source_id in ("hemby-2019", "smith-2022", "huhn-2020", "varshneya-2022"):
        assert labels[source_id] == "low"


def test_every_citation_mark_on_the_learn_page_points_at_a_listed_reference(
    client: TestClient,
) -> None:
    html = client.get("/learn").text
    cited = {int(n) for n in re.findall(r'href="#ref-(\d+)"', html)}
    assert cited == set(REFERENCES)


def test_the_learn_page_gives_the_corrected_facts(client: TestClient) -> None:
    html = client.get("/learn").text
    assert "23 to 68 hours" in html
    assert "about a day to two days" not in html
    assert "4.7 to 12.8 times" in html
    assert "rescue breaths" in html and "recovery position" in html
    # The Salmonella outbreak is credited to the CDC, not to the product analysis.
    outbreak = re.search(r"Salmonella outbreak[^.]*\{?[^<]*<sup><a href=\"#ref-(\d+)\"", html)
    assert outbreak is not None and REFERENCES[int(outbreak.group(1))] == ("cdc-2018-salmonella",)
