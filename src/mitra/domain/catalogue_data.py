"""Read the package's reviewed TOML data files.

Invariant: this is the only module in the domain that reads files, and it reads only the
package's own data (``mitra/data``), never user files. Results are cached: the files do not
change while a process runs.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any


@functools.cache
def load(name: str) -> dict[str, Any]:
    """Parse ``mitra/data/<name>.toml``; a broken file is a programming error, not user input."""
    text = resources.files("mitra.data").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


# Citations live in two reviewed files: the journal's and the safety rules' own.
SOURCE_FILES = ("sources", "sources_rules")


def _sources() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for name in SOURCE_FILES:
        merged.update(load(name)["sources"])
    return merged


def source_citation(source_id: str) -> str:
    """The full citation of a source id from the reviewed source files."""
    return _sources()[source_id]["citation"]


def source_ids() -> frozenset[str]:
    return frozenset(_sources())
