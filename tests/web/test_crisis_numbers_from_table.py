"""Crisis numbers are written in one place: the reviewed support table of data/rules.toml
(each line with its sources). No page template, and no text a page or command shows, writes
911, 988 or the SAMHSA Helpline's number itself: each names its line by id
(``crisis_line.lifeline`` in a template, ``default_support().line("lifeline")`` in code), so a
reviewer who changes the table changes every sentence that says the number.

Comments and docstrings (read by developers, never shown) may name the numbers. The pages that
say a line in a sentence still show the table's number and its tel: link.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mitra.domain.alerts import default_support

SRC = Path(__file__).resolve().parents[2] / "src" / "mitra"
NUMBER = re.compile(r"\b(911|988)\b|662-?4357|6624357")


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def shown_strings(path: Path) -> list[str]:
    """The string constants of a module that are not docstrings (what it may show)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def test_no_template_writes_a_crisis_number() -> None:
    written = [
        f"{path.name}:{number}: {line.strip()[:120]}"
        for path in sorted((SRC / "web" / "templates").glob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if NUMBER.search(line)
    ]
    assert not written, "crisis numbers written into templates:\n" + "\n".join(written)


@pytest.mark.parametrize("folder", ["web", "cli", "services"])
def test_no_text_a_page_or_command_shows_writes_a_crisis_number(folder: str) -> None:
    written = [
        f"{path.relative_to(SRC)}: {text[:120]!r}"
        for path in sorted((SRC / folder).rglob("*.py"))
        for text in shown_strings(path)
        if NUMBER.search(text)
    ]
    assert not written, "crisis numbers written into code:\n" + "\n".join(written)


def test_the_check_is_not_blind() -> None:
    assert NUMBER.search("call or text 988 now") and NUMBER.search("1-800-662-4357")
    assert NUMBER.search('<a href="tel:18006624357">') and NUMBER.search("Call 911")
    assert not NUMBER.search("page 9880 of 19110")


def test_the_pages_that_say_a_line_show_the_tables_number_and_link(client: TestClient) -> None:
    support = default_support()
    for path, ids in (
        ("/learn", ("emergency", "lifeline", "helpline")),
        ("/log/symptom", ("emergency", "lifeline")),
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        for line_id in ids:
            line = support.line(line_id)
            assert f'href="tel:{line.tel}"' in page.text, (path, line_id)
            assert line.number in page.text, (path, line_id)


def test_an_unknown_line_is_refused_with_the_ids_the_table_has() -> None:
    with pytest.raises(KeyError, match="lifeline"):
        default_support().line("hotline")
