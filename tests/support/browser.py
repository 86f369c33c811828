"""One headless Chromium for the whole test session, shared by tests/web and tests/clinic_web.

Playwright's sync API runs one instance per thread at a time: when each folder started its
own, the suite passed only in the order that stopped the first before the second began
(``pytest tests/web tests/clinic_web`` failed with "Sync API inside the asyncio loop"). With
one session fixture, any order and any selection works. Registered in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"the browser tests need Debian's Chromium at {CHROMIUM}: run 'make system-deps' "
            "(apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()
