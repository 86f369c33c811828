"""The command table stands in for the command modules: it names every command they define,
and ``mitra --help`` lists each exactly as the loaded command would, at every width."""

from __future__ import annotations

import importlib

import click
import pytest

from mitra.cli.command_table import BY_NAME, ENTRIES, Entry
from mitra.cli.main import cli
from tests.support.cli import run


def test_the_table_names_every_command_the_modules_define() -> None:
    for entry in ENTRIES:
        assert entry.load().name == entry.name
    for module in {entry.module for entry in ENTRIES}:
        defined = getattr(importlib.import_module(f"mitra.cli.{module}"), "COMMANDS", ())
        listed = {e.name for e in ENTRIES if e.module == module}
        assert {command.name for command in defined} <= listed, module
    assert len(BY_NAME) == len(ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_a_summary_lists_as_the_commands_own_help_at_every_width(entry: Entry) -> None:
    real, stand_in = entry.load(), entry.stand_in()
    assert (stand_in.hidden, stand_in.deprecated) == (real.hidden, real.deprecated)
    for limit in range(1, 400):
        assert stand_in.get_short_help_str(limit) == real.get_short_help_str(limit), limit


def test_main_help_reads_the_same_before_and_after_the_commands_are_loaded() -> None:
    lazy = run("--help")
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        cli.get_command(ctx, name)
    loaded = run("--help")
    assert lazy.code == loaded.code == 0
    assert lazy.out == loaded.out
    assert "log            Record a kratom dose, another substance, or a symptom." in lazy.out


def test_an_unknown_command_is_still_refused_as_click_refuses_it() -> None:
    result = run("lgo", "dose", "3g")
    assert result.code == 2
    assert "No such command 'lgo'" in result.err
