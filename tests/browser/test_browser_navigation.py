"""A visitor clicks from the home page down to a project: served at the root, under a
sub-path, and opened from disk; and from disk, without JavaScript, reaches every project."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browsing import Hosting, departments, projects, site_model, squash

from generator import urls


def one_project_per_edition() -> list:
    """The first project of each edition's last department: three editions, three departments."""
    chosen = {}
    for project in projects():
        chosen.setdefault((project.year, project.department), project)
    by_year = {year: project for (year, _department), project in chosen.items()}  # the last department wins
    return list(by_year.values())


def check_page(page, hosting: Hosting, path: str, heading: str) -> None:
    """The page at `path` is shown, in Chinese, with `heading` in its h1, and its links stay on the site."""
    assert hosting.same(page.url, path), f"expected {hosting.url(path)}, the browser shows {page.url}"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    h1 = page.locator("h1").first.inner_text()
    assert squash(heading) in squash(h1), f"h1 of {path} is {h1!r}, expected it to name {heading!r}"
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
        check_link(hosting, path, href)


def check_link(hosting: Hosting, here: str, href: str) -> None:
    """An internal link must stay inside the site's base; from disk it must name an existing file."""
    scheme = urlsplit(href).scheme
    if scheme in {"mailto", "tel", "javascript"}:
        assert scheme != "javascript", f"{here}: javascript: link {href}"
        return
    if hosting.kind == "file":
        if scheme != "file":
            return  # a link to another site (the chrome's 找错 link, for instance)
        assert href.startswith(hosting.base), f"{here}: link {href} leaves the site folder"
        target = Path(unquote(urlsplit(href).path))
        assert target.is_file(), (
            f"{here}: link {href} does not name a file (from disk a folder does not open its index.html)"
        )
    elif urlsplit(href).hostname == "127.0.0.1":
        assert href.startswith(hosting.base), f"{here}: link {href} leaves {hosting.base} (absolute path?)"


def follow(page, hosting: Hosting, target: str, text: str) -> None:
    """Click the link in <main> that names `text` and leads to the output file `target`."""
    links = page.locator("main a").filter(has_text=text)
    hrefs = links.evaluate_all("links => links.map(a => a.href)")
    matching = [i for i, href in enumerate(hrefs) if hosting.same(href, target)]
    assert matching, f"no link in <main> of {page.url} names {text!r} and leads to {target}; links naming it: {hrefs}"
    links.nth(matching[0]).click()
    page.wait_for_url(lambda url: hosting.same(url, target))
    page.wait_for_load_state("load")


@pytest.mark.parametrize("project", one_project_per_edition(), ids=lambda p: f"{p.year}-{p.department}-{p.slug}")
def test_click_from_home_to_a_project(page, hosting: Hosting, project) -> None:
    page.goto(hosting.url(urls.home()))
    check_page(page, hosting, urls.home(), site_model().site.name)

    follow(page, hosting, urls.edition(project.year), str(project.year))
    check_page(page, hosting, urls.edition(project.year), str(project.year))

    follow(page, hosting, urls.department(project.year, project.department), project.department_name)
    check_page(page, hosting, urls.department(project.year, project.department), project.department_name)

    follow(page, hosting, urls.project(project.year, project.department, project.slug), project.name)
    check_page(page, hosting, urls.project(project.year, project.department, project.slug), project.name)


def test_every_project_is_reachable_from_disk_without_javascript(open_page, built_site: Path) -> None:
    """Open public/index.html from disk with JavaScript off and follow links: all 35 projects are reached."""
    page = open_page(java_script_enabled=False)
    root = built_site.resolve()
    start = (root / urls.home()).as_uri()
    seen, queue, pages = {start}, deque([start]), {}
    while queue:
        url = queue.popleft()
        page.goto(url, wait_until="domcontentloaded")
        path = Path(unquote(urlsplit(url).path)).relative_to(root).as_posix()
        pages[path] = page.locator("h1").first.inner_text() if page.locator("h1").count() else ""
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = href.split("#")[0]
            if not href.startswith(root.as_uri() + "/") or not href.endswith(".html") or href in seen:
                continue
            seen.add(href)
            queue.append(href)

    expected = {urls.project(p.year, p.department, p.slug): p for p in projects()}
    assert len(expected) == 35
    missing = sorted(set(expected) - set(pages))
    assert not missing, f"not reachable by links from index.html: {missing}"
    for path, project in expected.items():
        assert squash(project.name) in squash(pages[path]), f"{path}: h1 {pages[path]!r} does not name {project.name!r}"
    for year, department, _name, _count in departments():
        assert urls.print_all(year, department) in pages, f"no link leads to the print-all page of {year}/{department}"
