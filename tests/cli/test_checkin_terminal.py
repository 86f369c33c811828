"""The interactive check-in in a real pseudo-terminal: one keypress per item, a running total,
confirmation before saving, the COWS pulse typed in beats a minute, and ``q`` that cancels
with nothing stored."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from mitra.domain.instruments import get_instrument
from tests.support.cli import run

MITRA = str(Path(sys.executable).with_name("mitra"))
GOSSOP_KEYS = "1201122103"  # total 13


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "journal.sqlite3")


@pytest.fixture
def spawn(db: str) -> Iterator[object]:
    children: list[pexpect.spawn] = []

    def start(*args: str) -> pexpect.spawn:
        child = pexpect.spawn(
            MITRA, ["--db", db, *args], encoding="utf-8", timeout=20, dimensions=(50, 140)
        )
        child.delaybeforesend = 0.1
        children.append(child)
        return child

    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def answer_items(child: pexpect.spawn, instrument_id: str, keys: str, first: int = 1) -> None:
    """Send one key per item from item ``first``, each once its whole question is on screen.

    click.getchar() puts the terminal in raw mode only while it waits, and entering raw mode
    discards keys typed ahead, so each key is sent after the item's last answer is shown (and
    pexpect's small delay before sending)."""
    instrument = get_instrument(instrument_id)
    count = len(instrument.items)
    for number, key in enumerate(keys, start=first):
        item = instrument.items[number - 1]
        child.expect(f"{number}/{count}  ")
        child.expect(re.escape(item.answers[-1].anchor))
        child.send(key)
        child.expect("running total")


def stored(db: str) -> list[dict[str, object]]:
    result = run("scores", "--json", db=db)
    assert result.code == 0, result.err
    scores: list[dict[str, object]] = result.json()["scores"]
    return scores


def test_one_keypress_per_item_then_confirming_saves_the_check_in(spawn: object, db: str) -> None:
    child = spawn("check", "sows-gossop")  # type: ignore[operator]
    child.expect("Press the number of your answer")
    answer_items(child, "sows-gossop", GOSSOP_KEYS)
    child.expect(r"Save this SOWS-Gossop check-in \(total 13 of 30\)\? \[y/n\]")
    child.send("y")
    child.expect("Saved SOWS-Gossop #1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    rows = stored(db)
    assert [(r["instrument"], r["total"]) for r in rows] == [("sows-gossop", 13)]
    items = rows[0]["items"]
    assert isinstance(items, list)
    assert [i["score"] for i in items] == [int(k) for k in GOSSOP_KEYS]


def test_q_cancels_and_nothing_is_stored(spawn: object, db: str) -> None:
    child = spawn("check", "sows-gossop")  # type: ignore[operator]
    answer_items(child, "sows-gossop", "123")
    child.expect("4/10  ")
    child.send("q")
    child.expect("Cancelled: nothing was saved.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert stored(db) == []


def test_declining_at_the_confirmation_stores_nothing(spawn: object, db: str) -> None:
    child = spawn("check", "sows-gossop")  # type: ignore[operator]
    answer_items(child, "sows-gossop", GOSSOP_KEYS)
    child.expect(r"\[y/n\]")
    child.send("n")
    child.expect("Cancelled: nothing was saved.")
    child.expect(pexpect.EOF)
    assert stored(db) == []


def test_the_cows_pulse_is_typed_in_bpm_and_a_disallowed_key_is_not_taken(
    spawn: object, db: str
) -> None:
    child = spawn("check", "cows")  # type: ignore[operator]
    child.expect("1/11  ")
    child.expect("type the pulse in beats a minute instead")
    child.send("3")  # COWS pulse has no 3: ignored with a hint, never rounded
    child.expect(r"press 0, 1, 2 or 4 \(b: type beats a minute\); q cancels")
    child.send("b")
    child.expect("beats a minute")
    child.sendline("126")
    child.expect(r"-> 4 \(126 beats a minute\)")
    child.expect("running total 4 of 48")
    # Backspace goes back to the pulse; answering by key then replaces the bpm.
    child.expect("2/11  ")
    child.send("\x7f")
    child.expect("1/11  ")
    child.expect("instead")
    child.send("2")
    child.expect("running total 2 of 48")
    answer_items(child, "cows", "1312121213", first=2)
    child.expect(r"total 19 of 48, moderate\)\? \[y/n\]")
    child.send("y")
    child.expect(pexpect.EOF)
    rows = stored(db)
    assert [(r["instrument"], r["total"], r["band"]) for r in rows] == [("cows", 19, "moderate")]


def test_the_craving_line_is_typed_and_checked(spawn: object, db: str) -> None:
    child = spawn("check", "craving", "--json")  # type: ignore[operator]
    child.expect("your answer")
    child.sendline("150")
    child.expect("not allowed; allowed: whole numbers from 0 to 100")
    child.expect("your answer")
    child.sendline("65")
    child.expect(r"\[y/n\]")
    child.send("y")
    child.expect('"total": 65')
    child.expect(pexpect.EOF)
    assert [r["total"] for r in stored(db)] == [65]
