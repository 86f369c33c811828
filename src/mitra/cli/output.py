"""Printing helpers: one JSON document for ``--json``, short aligned lines otherwise."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click


def emit_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=str))


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %Y %H:%M")


def when_logged(moment: datetime, zone: ZoneInfo) -> str:
    """A confirmation's time, relative to the command's now: "today 21:00", "yesterday 21:00",
    "Sun 30 Nov 20:30" (the date always shows when it is not today)."""
    from mitra.cli.main import state  # noqa: PLC0415  (output helpers load before commands)
    from mitra.domain.when import describe_moment  # noqa: PLC0415

    return describe_moment(moment, now=state().now(), zone=zone)


def mg(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def dim(text: str) -> str:
    return click.style(text, dim=True)
