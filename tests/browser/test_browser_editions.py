"""Editions in Chromium: an older edition points to the newest and to the department's other years,
a project shows its table by year, and a bundled edition works unzipped from disk, search included."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

from test_years import two_years

from generator import urls
from generator.build import build
from generator.editions import bundle
from generator.money import format_amount

REPO = Path(__file__).resolve().parents[2]


def test_an_older_edition_points_to_the_newest_and_to_its_other_years(page, built_site):
    page.goto((built_site / urls.department(2020, "chenggong-sfj")).resolve().as_uri())
    notice = page.locator(".newest-notice")
    notice.wait_for()
    assert "2024" in notice.inner_text()
    assert notice.locator("a").get_attribute("href")
    page.locator(".department-years a", has_text="2022年").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/2022/chenggong-sfj/index.html")
    page.locator(".department-years a", has_text="2020年").wait_for()
    page.locator(".newest-notice a").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/2024/index.html")
    # The newest edition has no notice, and nothing else to link.
    assert page.locator(".newest-notice").count() == 0 and page.locator(".years-notice").is_hidden()


def test_a_project_shows_its_table_by_year(page, tmp_path):
    content = two_years(tmp_path, "X-1", "X-1")
    out = tmp_path / "public"
    assert build(content, out, progress=False) == 0
    page.goto((out / urls.project(2023, "test-dept", "test-project")).resolve().as_uri())
    table = page.locator("table.by-year")
    table.wait_for()
    rows = table.locator("tbody tr").all_inner_texts()
    assert len(rows) == 2 and rows[0].startswith("2024年") and f"{format_amount(Decimal('31.9'))} 万元" in rows[0]
    assert "本页" in rows[1] and f"{format_amount(Decimal('28.50'))} 万元" in rows[1]
    table.locator("a", has_text="2024年").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/2024/test-dept/test-project/index.html")


def test_a_bundled_edition_works_unzipped_from_disk_search_included(page, tmp_path):
    target = tmp_path / "disclose-2020.zip"
    assert bundle(REPO / "content", 2020, target) == 0
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert all(name.startswith("disclose-2020/") for name in names)
        assert not any(name.startswith(("disclose-2020/2022/", "disclose-2020/2024/")) for name in names)
        archive.extractall(tmp_path / "unzipped")
    root = tmp_path / "unzipped" / "disclose-2020"
    assert (root / "2020" / "jiangyin-sfj" / "data.xlsx").is_file()
    page.goto((root / "index.html").as_uri())
    page.locator("a", has_text="2020").first.click()
    page.wait_for_load_state("load")
    page.locator("#site-search-q").fill("调解")
    page.locator("#site-search-q").press("Enter")
    page.wait_for_load_state("load")
    hits = page.locator("#ds-results li a")
    hits.first.wait_for()
    hrefs = [hits.nth(i).get_attribute("href") for i in range(hits.count())]
    assert hrefs and all("/2020/" in (page.evaluate("h => new URL(h, location.href).href", h)) for h in hrefs)
    hits.first.click()
    page.wait_for_load_state("load")
    assert page.url.startswith(root.as_uri()) and "调解" in page.locator("main").inner_text()
