"""Search in real Chromium: type 调解, see the expected projects, filter, sort, follow a result;
served at the root, under a sub-path and from disk; the header's search box; no JavaScript.

The expectations come from the built pages themselves (a brute-force scan of each project
page's text), never from the search index, so the browser's answers are checked independently.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browsing import Hosting, site_model

from generator import urls

QUERY = "调解"

HITS_JS = """() => [...document.querySelectorAll('#ds-results li')].map(li => {
    const a = li.querySelector('a');
    return {href: a ? a.href : null, title: a ? a.innerText : '',
            meta: (li.querySelector('.ds-hit-meta') || {innerText: ''}).innerText,
            marks: [...li.querySelectorAll('mark')].map(m => m.innerText)};
})"""


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


@cache
def page_texts(root: Path) -> dict[str, str]:
    """Normalised text of the <main> of every project page, by output path."""
    from bs4 import BeautifulSoup

    texts = {}
    for edition in site_model().site.editions:
        for department in edition.departments:
            for project in department.projects:
                path = urls.project(edition.year, department.slug, project.slug)
                soup = BeautifulSoup((root / path).read_text(encoding="utf-8"), "html.parser")
                texts[path] = normalize(soup.find("main").get_text(" "))
    return texts


def expected_projects(root: Path, query: str, year: int | None = None) -> set[str]:
    """Project pages whose text contains every word of the query."""
    words = normalize(query).split(" ")
    return {
        path
        for path, text in page_texts(root).items()
        if all(w in text for w in words) and (year is None or path.startswith(f"{year}/"))
    }


def budgets_in_yuan() -> dict[str, Decimal]:
    return {
        urls.project(e.year, d.slug, p.slug): p.budget.to("元").amount
        for e in site_model().site.editions
        for d in e.departments
        for p in d.projects
    }


def output_path(hosting: Hosting, href: str) -> str:
    """The output file a result links to (`2024/x/y/index.html`), whatever the hosting."""
    url = href.split("#")[0].split("?")[0]
    assert url.startswith(hosting.base), f"result link {href} leaves the site {hosting.base}"
    path = unquote(url[len(hosting.base) :])
    return path + "index.html" if path == "" or path.endswith("/") else path


def search(page, query: str) -> None:
    """Type the query as a person does, and wait for the results to settle."""
    box = page.locator("#ds-q")
    box.click()
    box.press_sequentially(query, delay=30)
    settle(page)


def settle(page) -> None:
    page.wait_for_function(
        """() => { const l = document.getElementById('ds-results');
                   return l && !l.hasAttribute('aria-busy') && document.getElementById('ds-status').textContent.trim() !== ''; }"""
    )
    page.wait_for_timeout(300)  # a later keystroke may still replace the list
    page.wait_for_function("() => !document.getElementById('ds-results').hasAttribute('aria-busy')")


def all_hits(page) -> list[dict]:
    """Every result, pressing 显示更多结果 until there are no more."""
    for _ in range(50):
        more = page.locator("#ds-more")
        if not more.is_visible():
            break
        count = page.locator("#ds-results li").count()
        more.click()
        page.wait_for_function(f"() => document.querySelectorAll('#ds-results li').length > {count}")
        settle(page)
    return page.evaluate(HITS_JS)


def project_hits(hosting: Hosting, hits: list[dict]) -> dict[str, dict]:
    out = {}
    for hit in hits:
        assert hit["href"], f"a result has no link: {hit}"
        path = output_path(hosting, hit["href"])
        if re.fullmatch(r"\d{4}/[a-z0-9-]+/[a-z0-9-]+/index\.html", path):
            out[path] = hit
    return out


def check_results(hosting: Hosting, hits: list[dict], expected: set[str], query: str) -> None:
    found = project_hits(hosting, hits)
    texts = page_texts(hosting.root)
    assert set(found) == expected, (
        f"search for {query!r}: missing {sorted(expected - set(found))}, unexpected {sorted(set(found) - expected)}"
    )
    for path, hit in found.items():
        assert normalize(query) in texts[path], f"{path} is shown for {query!r} but does not contain it"
        assert hit["marks"] and all(
            normalize(query) in normalize(m) or normalize(m) in normalize(query) for m in hit["marks"]
        ), f"result {path} does not highlight {query!r}: marks {hit['marks']}"
    for hit in hits:  # department and Markdown pages too: each contains what was asked
        path = output_path(hosting, hit["href"])
        target = (hosting.root / path).read_text(encoding="utf-8")
        assert normalize(query) in normalize(re.sub(r"<[^>]+>", " ", target)), (
            f"{path} is shown but does not contain {query!r}"
        )


def test_type_filter_sort_and_follow(page, hosting: Hosting) -> None:
    """调解 on the search page: all the projects containing it; a filter by edition; sorting by
    amount; a click on a result opens its page at the row of the hit."""
    page.goto(hosting.url(urls.search()))
    page.wait_for_load_state("load")
    assert page.locator("#ds-form").is_visible(), "the search form is not shown with JavaScript on"
    search(page, QUERY)

    expected = expected_projects(hosting.root, QUERY)
    assert len(expected) >= 10, f"the bundled site should have many pages with {QUERY}: {expected}"
    names = {
        urls.project(e.year, d.slug, p.slug)
        for e in site_model().site.editions
        for d in e.departments
        for p in d.projects
        if QUERY in p.name
    }
    hits = all_hits(page)
    check_results(hosting, hits, expected, QUERY)
    # Ranking: projects named after the query come before those that only mention it.
    order = [path for path in project_hits(hosting, hits)]
    first = order[: len(names)]
    assert set(first) == names, f"projects named with {QUERY} should rank first: {first} vs {sorted(names)}"
    status = page.locator("#ds-status").inner_text()
    assert str(len(hits)) in status, f"the status line {status!r} does not give the {len(hits)} results"

    # Filter: one edition.
    page.select_option("#ds-edition", "2024")
    settle(page)
    hits = all_hits(page)
    check_results(hosting, hits, expected_projects(hosting.root, QUERY, 2024), QUERY)
    assert all("2024" in hit["meta"] for hit in hits), [hit["meta"] for hit in hits]

    # Filter: one department (of every edition), then one 一级 indicator.
    page.select_option("#ds-edition", "")
    department = next(
        d for e in site_model().site.editions for d in e.departments if e.year == 2020 and len(d.projects) > 1
    )
    page.select_option("#ds-department", department.name)
    settle(page)
    hits = all_hits(page)
    in_department = {
        urls.project(e.year, d.slug, p.slug)
        for e in site_model().site.editions
        for d in e.departments
        for p in d.projects
        if d.name == department.name
    }
    check_results(hosting, hits, expected & in_department, QUERY)
    page.select_option("#ds-department", "")
    level1 = page.locator("#ds-level1 option").nth(1).get_attribute("value")
    page.select_option("#ds-level1", level1)
    settle(page)
    found = project_hits(hosting, all_hits(page))
    assert found and set(found) <= expected, f"filter {level1}: {sorted(found)}"
    for path in found:
        assert normalize(level1) in page_texts(hosting.root)[path], (
            f"{path} is shown for 一级指标 {level1} but has none"
        )
    page.select_option("#ds-level1", "")
    page.select_option("#ds-edition", "2024")
    settle(page)

    # Sort by amount: largest budget first, whatever unit each document used.
    page.select_option("#ds-sort", "amount")
    settle(page)
    budgets = budgets_in_yuan()
    amounts = [budgets[path] for path in project_hits(hosting, all_hits(page))]
    assert amounts == sorted(amounts, reverse=True), f"not sorted by amount: {amounts}"

    # Follow a result whose hit is in an indicator row: it opens at that row.
    page.select_option("#ds-sort", "relevance")
    settle(page)
    hits = page.evaluate(HITS_JS)
    anchored = [hit for hit in hits if "#" in hit["href"]] or hits
    target = anchored[0]
    page.locator("#ds-results li a", has_text=target["title"]).first.click()
    page.wait_for_url(lambda url: url.split("#")[0] == target["href"].split("#")[0])
    page.wait_for_load_state("load")
    assert page.locator("h1").first.inner_text().strip() == target["title"].strip()
    fragment = urlsplit(page.url).fragment
    assert fragment, f"{QUERY} is in indicator rows, but the result {target['href']} does not lead to one"
    row = page.locator(f"[id='{fragment}']")
    assert row.count() == 1, f"the result links to #{fragment}, which is not on {page.url}"
    assert normalize(QUERY) in normalize(row.inner_text()), f"row #{fragment} does not contain {QUERY}"
    # The landing row is marked (:target) and in view, not hidden under the top of the window.
    landing = row.evaluate("""r => {
        const cell = r.matches('tr') ? r.firstElementChild : r, box = r.getBoundingClientRect();
        return {background: getComputedStyle(cell).backgroundColor, outline: getComputedStyle(r).outlineStyle,
                top: box.top, bottom: box.bottom, height: innerHeight};
    }""")
    assert landing["outline"] == "solid" and landing["background"] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), landing
    assert landing["top"] >= 0 and landing["bottom"] <= landing["height"], f"the landing row is not in view: {landing}"


def test_search_box_on_every_page(page, hosting: Hosting) -> None:
    """The header's search box on a project page leads to the search page with the results."""
    edition = site_model().site.editions[0]
    department = edition.departments[0]
    page.goto(hosting.url(urls.project(edition.year, department.slug, department.projects[0].slug)))
    page.locator("#site-search-q").fill(QUERY)
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url(lambda url: urls.search().removesuffix("index.html") in url and "q=" in url)
    page.wait_for_load_state("load")
    assert page.locator("#ds-q").input_value() == QUERY
    settle(page)
    check_results(hosting, all_hits(page), expected_projects(hosting.root, QUERY), QUERY)


@pytest.mark.parametrize(
    "query",
    ["满意度", "群众满意度", "司法协理员", "呈贡", "枫桥经验", "315-0405-JXN-C1UG", "31.9", "人民 调解"],
)
def test_other_queries_from_disk(page, built_site: Path, query: str) -> None:
    """The issue's queries, from file://: each finds exactly the project pages containing it."""
    hosting = Hosting("file", built_site.resolve().as_uri() + "/", built_site)
    page.goto(hosting.url(urls.search()) + "?q=" + query)
    page.wait_for_load_state("load")
    settle(page)
    check_results_words(hosting, all_hits(page), query)


def check_results_words(hosting: Hosting, hits: list[dict], query: str) -> None:
    """Like check_results, for multi-word queries (every word must occur)."""
    expected = expected_projects(hosting.root, query)
    found = project_hits(hosting, hits)
    assert set(found) == expected, (
        f"search for {query!r}: missing {sorted(expected - set(found))}, unexpected {sorted(set(found) - expected)}"
    )


def test_without_javascript_the_page_says_so(open_page, site: Hosting) -> None:
    page = open_page(java_script_enabled=False)
    page.goto(site.url(urls.search()))
    assert not page.locator("#ds-form").is_visible()
    notice = page.locator(".ds-noscript")
    assert notice.is_visible() and "JavaScript" in notice.inner_text()
    links = notice.locator("a").evaluate_all("links => links.map(a => a.href)")
    for edition in site_model().site.editions:
        assert any(site.same(href, urls.edition(edition.year)) for href in links), f"no link to {edition.year}: {links}"


# How the issue wrote its numbers, beside the form a page prints them in (issue 9): each finds the same pages.
NUMBER_FORMS = {"494.56": ["494.560000", "494.56 万元"], "31.9": ["31.9万元", "31.9 万元", "３１．９", "31.90"]}


@pytest.mark.parametrize(("plain", "forms"), NUMBER_FORMS.items(), ids=list(NUMBER_FORMS))
def test_numbers_match_however_they_are_written(page, built_site: Path, plain: str, forms: list[str]) -> None:
    """In Chromium, "494.560000" finds what "494.56" finds (a total as printed), "31.9万元" and "３１．９"
    what "31.9" finds; each result's page shows the figure."""
    hosting = Hosting("file", built_site.resolve().as_uri() + "/", built_site)

    def results(query: str) -> set[str]:
        page.goto(hosting.url(urls.search()) + "?q=" + query)
        page.wait_for_load_state("load")
        settle(page)
        return {output_path(hosting, hit["href"]) for hit in all_hits(page)}

    found = results(plain)
    assert found, f"{plain!r} finds nothing"
    for path in found:
        shown = normalize(re.sub(r"<[^>]+>", " ", (built_site / path).read_text(encoding="utf-8"))).replace(",", "")
        assert plain in shown, f"{path} is shown for {plain!r} but does not show it"
    for form in forms:
        assert results(form) == found, f"{form!r} does not find what {plain!r} finds"


EXCERPTS_JS = """() => [...document.querySelectorAll('#ds-results li')].map(li => ({
    href: li.querySelector('a').href, excerpt: li.querySelector('.ds-hit-excerpt').innerText}))"""


def test_an_indicator_hit_shows_its_path_and_target(page, site: Hosting) -> None:
    """满意度: every project hit's excerpt is its matched indicator, "一级 › 二级 › 三级 target", and the
    row it links to holds that indicator and target; the 一级 filter offers the canonical categories, and
    产出 keeps every project (older layouts' 产出目标 included)."""
    page.goto(site.url(urls.search()) + "?q=满意度")
    page.wait_for_load_state("load")
    settle(page)
    all_hits(page)
    hits = [h for h in page.evaluate(EXCERPTS_JS) if re.search(r"/\d{4}/[a-z0-9-]+/[a-z0-9-]+/", h["href"])]
    assert len(hits) == len(expected_projects(site.root, "满意度"))
    from bs4 import BeautifulSoup

    for hit in hits:
        levels = hit["excerpt"].split(" › ")
        assert len(levels) == 3 and "满意" in hit["excerpt"], f"{hit['href']}: the excerpt is not an indicator: {hit['excerpt']!r}"
        path, fragment = output_path(site, hit["href"]), urlsplit(hit["href"]).fragment
        assert fragment.startswith("zb-"), f"{hit['href']} does not lead to the indicator's row"
        row = BeautifulSoup((site.root / path).read_text(encoding="utf-8"), "html.parser").find(id=fragment)
        shown = re.sub(r"\s+", "", normalize(row.get_text(" ")))
        assert all(re.sub(r"\s+", "", normalize(part)) in shown for part in levels[2].split(" ")), (
            f"row #{fragment} of {path} does not hold {levels[2]!r}: {shown[:120]}")
    options = page.evaluate("() => [...document.querySelectorAll('#ds-level1 option')].map(o => o.value).filter(Boolean)")
    from generator.search.docs import CATEGORIES

    assert options and options == [c for c in CATEGORIES if c in options], f"not the canonical categories: {options}"
    page.goto(site.url(urls.search()) + "?q=" + QUERY)
    settle(page)
    page.select_option("#ds-level1", "产出")
    settle(page)
    check_results(site, all_hits(page), expected_projects(site.root, QUERY), QUERY)
