"""axe-core's WCAG 2.1 A and AA rules on each kind of page: 0 violations.

axe-core comes from the axe-playwright-python package (its bundled axe.min.js), never a CDN.
Each page is checked as it first appears, with the 适老化 views on where the page has the
switch, and on a phone screen.
"""

from __future__ import annotations

import pytest
from browsing import Hosting, about_slug, describe_violations, projects, run_axe

from generator import urls

FIRST = projects()[0]
WIDE = next(p for p in projects() if p.year == 2022)  # the 2022 form: paired mid-term and annual columns

PAGES = {
    "home": urls.home(),
    "edition": urls.edition(FIRST.year),
    "department": urls.department(FIRST.year, FIRST.department),
    "project": urls.project(FIRST.year, FIRST.department, FIRST.slug),
    "project-2022": urls.project(WIDE.year, WIDE.department, WIDE.slug),
    "print-all": urls.print_all(FIRST.year, FIRST.department),
    "about": None,  # content/pages decides the slug
    "search": urls.search(),
    "search-results": urls.search() + "?q=调解",  # results, highlights and filters shown
}


def path_of(kind: str) -> str:
    return urls.page(about_slug()) if kind == "about" else PAGES[kind]


def visit(page, site: Hosting, kind: str) -> str:
    """Open the page of this kind and wait until it is complete; return its URL."""
    url = site.url(path_of(kind))
    page.goto(url)
    page.wait_for_load_state("load")
    if kind == "search-results":
        page.locator("#ds-results li mark").first.wait_for()
    return url


def check(page, where: str) -> None:
    violations = run_axe(page)
    assert not violations, describe_violations(violations, where)


@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_page(page, site: Hosting, kind: str) -> None:
    url = visit(page, site, kind)
    check(page, f"{kind} page {url}")


def test_axe_not_found_page(page, site: Hosting, guard) -> None:
    """The 404 page as a web server shows it: for a missing address, at some depth."""
    url = site.url("2024/no-such-department/no-such-project/")
    guard.allow_missing(url)
    response = page.goto(url)
    assert response.status == 404
    page.wait_for_load_state("load")
    check(page, f"404 page {url}")


@pytest.mark.parametrize("view", ["large", "contrast"])
@pytest.mark.parametrize("kind", ["home", "project", "search-results"])
def test_axe_with_the_senior_friendly_view(page, site: Hosting, kind: str, view: str) -> None:
    """With 适老化 大字 or 高对比 switched on, contrast and layout still pass."""
    url = visit(page, site, kind)
    button = page.locator(f".view-switch button[data-view={view}]")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    check(page, f"{kind} page with view {view} on {url}")


@pytest.mark.parametrize("kind", ["project", "project-2022", "department", "search-results"])
def test_axe_on_a_phone(open_page, site: Hosting, kind: str) -> None:
    """On a 390×844 screen wide tables scroll inside boxes, which must be reachable by keyboard."""
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    url = visit(page, site, kind)
    check(page, f"{kind} page on a phone {url}")
