"""Every internal link and anchor of the built site resolves, and nothing is loaded from elsewhere.

Links must work from file:// (where a folder does not open its index.html) and
under any sub-path, so an internal link is relative and names a file.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_fixture import bundled_content, soup

from generator import urls

# Attributes that make the browser fetch something (a resource), and those that only link.
RESOURCES = {"link": "href", "script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src",
             "audio": "src", "embed": "src", "object": "data", "image": "href", "use": "href"}
LINKS = {"a": "href", "form": "action", "area": "href"}
# ARIA and form references: each names ids on the same page.
REFERENCES = ("for", "aria-labelledby", "aria-describedby", "aria-controls", "headers")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def ids_of(site: Path, page: str, cache: dict[str, set[str]]) -> set[str]:
    if page not in cache:
        cache[page] = {el["id"] for el in soup(site, page).find_all(id=True)}
    return cache[page]


def broken_links(site: Path) -> list[str]:
    """Return every broken internal link or anchor, and every resource from outside the site."""
    problems: list[str] = []
    ids: dict[str, set[str]] = {}
    for page in html_pages(site):
        if page == urls.not_found():
            continue  # its links are written for a server's root; checked in test_404_links_from_the_root
        document = soup(site, page)
        page_ids = ids_of(site, page, ids)
        duplicates = [i for i, n in Counter(el["id"] for el in document.find_all(id=True)).items() if n > 1]
        problems += [f"{page}: duplicate id {i}" for i in duplicates]
        for element in document.find_all(True):
            for name in REFERENCES:
                for ref in (element.get(name) or "").split():
                    if ref not in page_ids:
                        problems.append(f"{page}: {element.name}[{name}] names missing id {ref}")
            if element.name in RESOURCES and element.get(RESOURCES[element.name]):
                # <link rel=canonical> and the like only point somewhere; stylesheets and icons are loaded.
                loaded = element.name != "link" or bool({"stylesheet", "icon", "preload", "manifest"} & set(element.get("rel", [])))
                problems += check_link(site, page, element.name, element[RESOURCES[element.name]], loaded, ids)
            if element.name in LINKS and element.get(LINKS[element.name]):
                problems += check_link(site, page, element.name, element[LINKS[element.name]], False, ids)
    return problems


def check_link(site: Path, page: str, tag: str, target: str, is_resource: bool, ids: dict[str, set[str]]) -> list[str]:
    """Check one link from a page: external resources are forbidden, internal links must resolve."""
    where = f"{page}: <{tag}> {target}"
    if EXTERNAL.match(target):
        if is_resource:
            return [f"{where}: loads a resource from outside the site"]
        return [] if target.startswith(("http://", "https://", "mailto:", "tel:")) else [f"{where}: unexpected scheme"]
    if target.startswith("/"):
        return [f"{where}: root-relative link breaks under a sub-path and on file://"]
    parts = urlsplit(target)
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
    if resolved.startswith("../"):
        return [f"{where}: leaves the site"]
    if not (site / resolved).is_file():
        return [f"{where}: {resolved} is not a file" + (" (a folder link does not open index.html on file://)" if (site / resolved).is_dir() else "")]
    if fragment and resolved.endswith(".html") and fragment not in ids_of(site, resolved, ids):
        return [f"{where}: no id {fragment} in {resolved}"]
    return []


def test_no_broken_links_or_anchors(built_site: Path) -> None:
    assert html_pages(built_site), "the build wrote no pages"
    problems = broken_links(built_site)
    assert problems == [], "\n".join(problems[:50])


def test_every_project_is_reachable_from_the_home_page(built_site: Path) -> None:
    seen, todo = set(), [urls.home()]
    while todo:
        page = todo.pop()
        if page in seen or not page.endswith(".html"):
            continue
        seen.add(page)
        for a in soup(built_site, page).find_all("a", href=True):
            if not EXTERNAL.match(a["href"]) and urlsplit(a["href"]).path:
                todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(page), urlsplit(a["href"]).path)))
    site = bundled_content().site
    for edition in site.editions:
        for department in edition.departments:
            assert urls.print_all(edition.year, department.slug) in seen
            for project in department.projects:
                assert urls.project(edition.year, department.slug, project.slug) in seen
    unreachable = set(html_pages(built_site)) - seen - {urls.not_found()}
    assert unreachable == set()


def test_404_links_from_the_root(built_site: Path) -> None:
    """Without a site address, the 404 page's links are root-relative: right at a domain's root, at any depth."""
    page = soup(built_site, urls.not_found())
    assert page.find("link", rel="stylesheet") is None  # its styles are inline: it is shown at any depth
    assert page.find("script", src=True) is None  # and so is its script (the 大字 / 高对比 switch)
    links = [a["href"] for a in page.find_all("a", href=True) if not EXTERNAL.match(a["href"]) and a["href"][0] != "#"]
    assert {"/", "/search/"} <= set(links)
    for href in links:
        target = urlsplit(href)
        assert target.path.startswith("/"), f"{href} is not root-relative"
        path = unquote(target.path).lstrip("/")
        assert (built_site / path / "index.html" if not path or path.endswith("/") else built_site / path).is_file(), href


def test_the_checker_finds_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<a href="../b/index.html">gone</a><a href="index.html#nowhere">anchor</a><a href="../a/">folder</a>'
        '<a href="/a/index.html">root</a><script src="https://cdn.example.com/x.js"></script>'
        '<label for="q">q</label><p id="x"></p><p id="x"></p>', encoding="utf-8")
    problems = broken_links(tmp_path)
    assert len(problems) == 7, problems
