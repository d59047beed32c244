"""The preview in real Chromium: the open tab reloads itself, and shows errors until they are fixed."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
from previewing import copy_content, free_port, start_serve, tree_digest

RECORD = Path("2024/pengyang-sfj/sifa-xieli-jiceng-fuwu.yaml")
PAGE = "2024/pengyang-sfj/sifa-xieli-jiceng-fuwu/"


@pytest.fixture
def preview(tmp_path: Path):
    """`disclose serve` on a copy of the bundled 2020 and 2024 editions, beside a published public/."""
    copy_content(tmp_path / "content", ("2020", "2024"))
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.html").write_text("已发布的网站", encoding="utf-8")
    before = tree_digest(tmp_path / "public")
    running = start_serve(tmp_path / "content", "--port", str(free_port()))
    yield running, tmp_path / "content" / RECORD
    assert running.stop() == 0
    assert tree_digest(tmp_path / "public") == before, "the preview changed public/"


def overlay(page) -> object:
    return page.locator("#disclose-overlay")


def wait_for_main_text(page, text: str) -> None:
    """Wait until the page's main content shows text, through the reloads a rebuild causes."""
    # The check also runs on a reloading document still parsed only up to its <head>: no <main> yet is
    # "not yet", not an error.
    page.wait_for_function("t => document.querySelector('main')?.innerText.includes(t)", arg=text, timeout=30_000)


def test_the_open_page_reloads_itself_after_an_edit(preview, page):
    running, record = preview
    page.goto(running.url + PAGE)
    page.wait_for_selector("#disclose-overlay")  # the bundled content has warnings: the folded panel
    assert overlay(page).locator("details.disclose-warnings").count() == 1
    assert not overlay(page).locator("details.disclose-warnings").evaluate("d => d.open")
    amount_before = page.locator("main").inner_text()
    assert "司法协理员人数" not in amount_before
    record.write_text(record.read_text(encoding="utf-8").replace("司法协理员数量", "司法协理员人数"), encoding="utf-8")
    wait_for_main_text(page, "司法协理员人数")


@pytest.mark.parametrize(("breakage", "line_offset", "says"), [
    ("syntax", 2, "YAML 格式错误"),
    ("schema", None, "amount"),
])
def test_an_error_shows_the_overlay_until_it_is_fixed(preview, page, breakage, line_offset, says):
    running, record = preview
    good = record.read_text(encoding="utf-8")
    page.goto(running.url + PAGE)
    page.wait_for_selector("#disclose-overlay details")
    if breakage == "syntax":
        record.write_text(good + "broken: [\n", encoding="utf-8")
        line = good.count("\n") + line_offset
    else:
        bad = good.replace("司法协理员数量", "司法协理员人数")
        lines = bad.splitlines()
        index = next(i for i, text in enumerate(lines) if text.lstrip().startswith("amount:"))
        lines[index] = lines[index].split("amount:")[0] + "amount: 一百万"
        record.write_text("\n".join(lines) + "\n", encoding="utf-8")
        line = index + 1
    alert = page.locator("#disclose-overlay[role=alert]")
    alert.wait_for(timeout=30_000)
    text = alert.inner_text()
    assert f"{RECORD}:{line}" in text, text
    assert says in text
    assert "本页显示的是上次成功生成的旧版本" in text  # the broken record's own page is stale, and says so
    assert "司法协理员人数" not in page.locator("main").inner_text()
    # Another page is not this record's: it says the preview is the last good version, without claiming more.
    page.goto(running.url)
    page.locator("#disclose-overlay[role=alert]").wait_for()
    assert "预览中的页面是上次成功生成的版本" in overlay(page).inner_text()
    page.goto(running.url + PAGE)
    page.locator("#disclose-overlay[role=alert]").wait_for()
    fixed = good.replace("司法协理员数量", "司法协理员人数")
    record.write_text(fixed, encoding="utf-8")
    wait_for_main_text(page, "司法协理员人数")
    page.wait_for_selector("#disclose-overlay[role=alert]", state="detached")
    # The overlay is drawn from the preview's status after the page loads: wait for it, then count.
    page.wait_for_selector("#disclose-overlay details.disclose-warnings")
    assert page.locator("#disclose-overlay details.disclose-warnings").count() == 1


def test_a_page_served_just_before_a_rebuild_reloads_when_it_missed_the_message(preview, page):
    # The race of a save in the first second after a page opens: the rebuild's reload message goes out
    # before the page listens, and the overlay's first look at the status already finds the new build.
    running, record = preview
    stale = {}

    def serve_the_page_as_it_was(route) -> None:
        if not stale:  # the page as served before the save, with the build it was served at
            response = route.fetch()
            stale["html"] = response.text()
            stale["build"] = json.loads(urllib.request.urlopen(running.url + "__disclose/status.json").read())["build"]
            record.write_text(record.read_text(encoding="utf-8").replace("司法协理员数量", "司法协理员人数"),
                              encoding="utf-8")
            deadline = time.monotonic() + 30
            while json.loads(urllib.request.urlopen(running.url + "__disclose/status.json").read())["build"] == stale["build"]:
                assert time.monotonic() < deadline, "the save was not rebuilt"
                time.sleep(0.05)
            route.fulfill(response=response, body=stale["html"])
        else:
            route.continue_()

    page.route(f"**/{PAGE}", serve_the_page_as_it_was)
    page.goto(running.url + PAGE)
    assert f'data-build="{stale["build"]}"' in stale["html"] and "司法协理员人数" not in stale["html"]
    wait_for_main_text(page, "司法协理员人数")
