"""On a phone (Debian's Chromium at 360x740 and 320 px): chart text is at least 12 px as drawn,
every table either fits or says it scrolls, the pages have no serious accessibility findings
in light and dark, and a product can be changed and deleted by tapping through.

The demo journey is written into the live server's journal, so every chart and table has
data to show.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.demo import build_demo
from tests.web.browser_support import axe_violations
from tests.web.conftest import LiveServer

PAGES = ("/trends", "/exposure", "/timeline", "/plan", "/history", "/products", "/profile",
         "/learn", "/report", "/checkin")  # fmt: skip

# The size each chart text is drawn at on screen: its font size times the SVG's scale.
DRAWN_TEXT = """() => Array.from(document.querySelectorAll('svg')).filter(svg => {
    const box = svg.getBoundingClientRect(); return box.width > 0 && box.height > 0;
}).flatMap(svg => {
    const units = svg.viewBox.baseVal.width || svg.width.baseVal.value;
    const scale = svg.getBoundingClientRect().width / units;
    return Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim())
        .map(t => ({text: t.textContent.trim(),
                    px: parseFloat(getComputedStyle(t).fontSize) * scale}));
})"""

# Each table: fits its box, or its box scrolls and the hint before it shows.
TABLES = """() => Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent)
  .map(t => {
    const wrap = t.closest('.table-wrap, .table-scroll');
    const fits = wrap ? wrap.scrollWidth <= wrap.clientWidth + 1
                      : t.getBoundingClientRect().right <= document.documentElement.clientWidth;
    const hint = wrap && wrap.previousElementSibling;
    const hinted = !!hint && hint.classList.contains('scroll-hint') && !hint.hidden
                   && hint.offsetParent !== null;
    return {caption: (t.caption && t.caption.textContent) || t.id, fits, hinted};
  })"""


@pytest.fixture
def demo_server(live_server: LiveServer) -> LiveServer:
    build_demo(live_server.ctx)
    ProfileService(live_server.ctx).set(timezone="America/New_York")
    return live_server


@pytest.fixture
def phone(browser: Any, demo_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=demo_server.url)
    page = context.new_page()
    yield page
    context.close()


def open_all(page: Any) -> None:
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(50)


def test_chart_text_is_at_least_12_px_on_a_phone(phone: Any) -> None:
    small = {}
    drawn = 0
    for path in ("/trends", "/exposure", "/today", "/checkin"):
        phone.goto(path)
        texts = phone.evaluate(DRAWN_TEXT)
        drawn += len(texts)
        tiny = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < 12]
        if tiny:
            small[path] = tiny[:5]
    assert drawn > 20
    assert small == {}


@pytest.mark.parametrize("width", [320, 360])
def test_tables_fit_or_say_they_scroll(browser: Any, demo_server: LiveServer, width: int) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 740}, base_url=demo_server.url
    )
    page = context.new_page()
    try:
        seen = 0
        unmarked = {}
        for path in ("/trends", "/timeline", "/plan", "/learn"):
            page.goto(path)
            open_all(page)
            tables = page.evaluate(TABLES)
            seen += len(tables)
            bad = [t["caption"] for t in tables if not (t["fits"] or t["hinted"])]
            if bad:
                unmarked[path] = bad
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, path
        assert seen >= 5
        assert unmarked == {}
        page.goto("/plan")
        hint = page.locator("#plan-steps .scroll-hint")
        assert hint.is_visible() and "Scroll sideways" in hint.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_polished_pages_have_no_serious_accessibility_findings(
    phone: Any, demo_server: LiveServer, scheme: str
) -> None:
    phone.emulate_media(color_scheme=scheme)
    own, _ = ProductService(demo_server.ctx).list()
    problems = {}
    for path in (*PAGES, f"/products/{own[0].id}/edit", "/products/999/edit"):
        phone.goto(path)
        found = axe_violations(phone)
        if found:
            problems[path] = found
    assert problems == {}


def test_a_product_is_changed_and_deleted_by_tapping(phone: Any, demo_server: LiveServer) -> None:
    service = ProductService(demo_server.ctx)
    product = service.add("Tap test", "leaf", mitragynine_pct=1.2)
    phone.goto("/products")
    phone.click(f"#edit-product-{product.id}")
    phone.fill("#field-name", "Tap test renamed")
    phone.click("#save-product")
    phone.wait_for_url("**/products?added=*")
    assert "Tap test renamed" in phone.locator("#products-notice").inner_text()
    phone.click(f"#edit-product-{product.id}")
    phone.click("#delete-product")
    phone.wait_for_url("**/products?added=*")
    assert "Deleted" in phone.locator("#products-notice").inner_text()
    assert all(p.id != product.id for p in service.list()[0])


def test_the_time_zone_picker_saves_a_chosen_zone(phone: Any, demo_server: LiveServer) -> None:
    phone.goto("/profile")
    phone.select_option("#field-timezone", "Europe/Lisbon")
    phone.click("button[type=submit] >> text=Save")
    phone.wait_for_url("**/profile?saved=1")
    assert ProfileService(demo_server.ctx).show().timezone == "Europe/Lisbon"
    selected = phone.locator("#field-timezone option:checked").inner_text()
    assert selected == "Lisbon"
