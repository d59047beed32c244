"""What a visitor sees: a real screenshot with Chinese glyphs, the 适老化 switch, a phone screen."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from browsing import OVERFLOW_JS, Hosting, about_slug, projects, site_model, squash

from generator import urls

PHONE = {"width": 390, "height": 844}


def biggest_project():
    """The project with the most indicators: the longest and widest tables."""
    records = {
        (e.year, d.slug, p.slug): p for e in site_model().site.editions for d in e.departments for p in d.projects
    }

    def size(project) -> int:
        record = records[(project.year, project.department, project.slug)]
        return sum(len(group.indicators) for level1 in record.indicators for group in level1.groups)

    return max(projects(), key=size)


BIG = biggest_project()
BIG_PATH = urls.project(BIG.year, BIG.department, BIG.slug)


def distinct_colours(page, png: bytes) -> int:
    """Count the colours of a PNG (sampled) by drawing it on a canvas: no image library needed."""
    page.goto("about:blank")
    return page.evaluate(
        """async (src) => {
            const img = new Image(); img.src = src; await img.decode();
            const canvas = document.createElement('canvas');
            canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
            const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            const seen = new Set();
            for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
            return seen.size;
        }""",
        "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
    )


def platform_fonts(page, selector: str) -> list[str]:
    """The fonts Chromium really used to draw the text of the first element matching `selector`."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no element matches {selector}"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return [font["familyName"] for font in fonts]


def test_screenshot_of_a_project_page(page, site: Hosting, tmp_path: Path) -> None:
    """A full-page screenshot is a real page: tall, many colours, Chinese drawn with a CJK font."""
    page.goto(site.url(BIG_PATH))
    page.wait_for_load_state("load")
    fonts = platform_fonts(page, "h1")
    assert any("CJK" in name or "WenQuanYi" in name or "Hei" in name for name in fonts), (
        f"the heading is drawn with {fonts}: no CJK font, so Chinese would show as boxes"
    )
    shot = tmp_path / "project.png"
    png = page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size == len(png) > 50_000, f"screenshot is only {len(png)} bytes"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # PNG IHDR
    assert width == 1280 and height > 1500, f"screenshot is {width}×{height}: the page is nearly empty"
    colours = distinct_colours(page, png)
    assert colours > 30, f"screenshot has only {colours} colours: a blank or broken page"
    print(f"{shot}: {width}×{height}, {len(png)} bytes, {colours} colours, fonts {fonts}")


def test_the_senior_friendly_switch_is_remembered(page, hosting: Hosting) -> None:
    """大字 makes the text larger and 高对比 changes the colours; both survive a reload and another
    page, served or opened from disk."""
    site = hosting
    page.goto(site.url(BIG_PATH))
    switch = page.locator(".view-switch")
    assert switch.is_visible(), "the 适老化 switch is not shown"
    large = switch.locator("button[data-view=large]")
    contrast = switch.locator("button[data-view=contrast]")
    style = (
        "() => { const s = getComputedStyle(document.querySelector('main p, main td, main dd')); "
        "const b = getComputedStyle(document.body); return [parseFloat(s.fontSize), b.color, b.backgroundColor]; }"
    )
    size, colour, background = page.evaluate(style)
    assert large.get_attribute("aria-pressed") == "false" and contrast.get_attribute("aria-pressed") == "false"

    large.click()
    contrast.click()
    assert large.get_attribute("aria-pressed") == "true" and contrast.get_attribute("aria-pressed") == "true"
    on = page.evaluate(style)
    assert on[0] >= size * 1.15, f"大字 did not enlarge the text: {size}px → {on[0]}px"
    assert (on[1], on[2]) != (colour, background), "高对比 did not change the colours"

    page.reload()
    assert page.evaluate(style) == on, "the view was forgotten after a reload"
    assert large.get_attribute("aria-pressed") == "true" and contrast.get_attribute("aria-pressed") == "true"
    page.goto(site.url(urls.home()))
    assert page.locator(".view-switch button[data-view=large]").get_attribute("aria-pressed") == "true"

    page.locator(".view-switch button[data-view=large]").click()
    page.locator(".view-switch button[data-view=contrast]").click()
    page.goto(site.url(BIG_PATH))
    assert page.evaluate(style) == [size, colour, background], "switching both off did not restore the page"


def test_the_switch_is_hidden_without_javascript(open_page, site: Hosting) -> None:
    """Without JavaScript the buttons could do nothing, so they are not shown; the page still reads."""
    page = open_page(java_script_enabled=False)
    page.goto(site.url(BIG_PATH))
    assert not page.locator(".view-switch").is_visible()
    assert squash(BIG.name) in squash(page.locator("h1").inner_text())


PHONE_PAGES = {
    "home": lambda: urls.home(),
    "edition": lambda: urls.edition(BIG.year),
    "department": lambda: urls.department(BIG.year, BIG.department),
    "project": lambda: BIG_PATH,
    "project-2022": lambda: next(urls.project(p.year, p.department, p.slug) for p in projects() if p.year == 2022),
    "print-all": lambda: urls.print_all(BIG.year, BIG.department),
    "about": lambda: urls.page(about_slug()),
    "search": lambda: urls.search(),
}

@pytest.mark.parametrize("kind", list(PHONE_PAGES))
def test_no_sideways_scrolling_on_a_phone(open_page, site: Hosting, kind: str) -> None:
    """At 390×844 the page itself never scrolls sideways; a wide table scrolls inside its own box."""
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(site.url(PHONE_PAGES[kind]()))
    page.wait_for_load_state("load")
    state = page.evaluate(OVERFLOW_JS)
    assert state["page"] <= state["width"], (
        f"the {kind} page is {state['page']}px wide on a {state['width']}px screen; sticking out: {state['sticking']}"
    )
    for table in state["tables"]:
        if table["width"] > state["width"]:
            assert table["box"] is not None and table["boxRight"] <= state["width"] + 1, (
                f"table {table['id']} is {table['width']:.0f}px wide and not inside a box that scrolls: {table}"
            )
    if kind in {"project", "project-2022"}:
        wide = [t["id"] for t in state["tables"] if t["width"] > state["width"]]
        assert not wide, f"tables wider than a phone on the {kind} page (they should be stacked): {wide}"
