"""Helpers for the browser tests: where the site is hosted, what it should contain, axe-core."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"

# WCAG 2.1 level A and AA rules of axe-core.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

HOSTINGS = ("root", "subpath", "file")
SUBPATH = "/ysgk/jxmb/"


@cache
def site_model():
    """The bundled content as the data model sees it: the source of every expectation."""
    from generator.load import load_content

    content = load_content(CONTENT)
    assert content.site is not None, f"the bundled content does not load: {content.report.problems}"
    return content


@dataclass(frozen=True)
class Expected:
    """One project as the tests expect to find it."""

    year: int
    department: str
    department_name: str
    slug: str
    name: str


def projects() -> list[Expected]:
    """Every project of the bundled content, in content order."""
    return [
        Expected(edition.year, dept.slug, dept.name, project.slug, project.name)
        for edition in site_model().site.editions
        for dept in edition.departments
        for project in dept.projects
    ]


def departments() -> list[tuple[int, str, str, int]]:
    """(year, department slug, department name, project count) for every department of every edition."""
    return [
        (edition.year, dept.slug, dept.name, len(dept.projects))
        for edition in site_model().site.editions
        for dept in edition.departments
    ]


def about_slug() -> str:
    """The slug of the about page (the first Markdown page of content/pages)."""
    pages = site_model().pages
    assert pages, "content/pages/ holds no Markdown page: the site needs an about page"
    named = [p for p in pages if p.slug == "about"]
    return (named or list(pages))[0].slug


@dataclass(frozen=True)
class Hosting:
    """The built site as a visitor reaches it: served at the root, under a sub-path, or from disk."""

    kind: str
    base: str  # ends with "/"
    root: Path

    def url(self, path: str = "index.html") -> str:
        """The URL of an output file (`2024/x/index.html`); folders in their served form over HTTP."""
        if self.kind != "file" and (path == "index.html" or path.endswith("/index.html")):
            path = path.removesuffix("index.html")
        return self.base + path

    def same(self, url: str, path: str) -> bool:
        """Whether `url` shows the output file `path` (over HTTP `x/` and `x/index.html` are the same)."""
        url = url.split("#")[0].split("?")[0]
        candidates = {self.base + path}
        if self.kind != "file" and path.endswith("index.html"):
            candidates.add(self.base + path.removesuffix("index.html"))
        return url in candidates


def squash(text: str) -> str:
    """Text without any white space: PDF extraction and line wrapping break text anywhere."""
    return re.sub(r"\s+", "", text)


def pdf_text(text: str) -> str:
    """Text extracted from a PDF, made comparable: NFKC (which also turns Kangxi radicals
    such as ⽬ into 目), no white space."""
    return squash(unicodedata.normalize("NFKC", text))


# Chromium's PDFs map some glyphs back to CJK Radicals Supplement code points (⺠ for 民,
# ⻚ for 页) that NFKC leaves alone: a CJK character of the DOM matches either itself or one
# of those radicals in the PDF text.
_RADICAL = "[\u2e80-\u2eff]"


@cache
def _pattern(needle: str) -> re.Pattern[str]:
    parts = []
    for char in pdf_text(needle):
        parts.append(f"(?:{re.escape(char)}|{_RADICAL})" if "\u3400" <= char <= "\u9fff" else re.escape(char))
    return re.compile("".join(parts))


def pdf_contains(text: str, needle: str) -> bool:
    """Whether PDF page text (already through `pdf_text`) contains the DOM text `needle`."""
    return _pattern(needle).search(text) is not None


@cache
def axe_source() -> str:
    """axe-core as shipped inside the axe-playwright-python package (no CDN, no npm needed)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page; return the violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async (tags) => (await axe.run(document, {
               runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})).violations""",
        AXE_TAGS,
    )


def describe_violations(violations: list[dict], where: str) -> str:
    """A readable account of axe violations, one block per rule, each offending node listed."""
    lines = [f"{len(violations)} WCAG 2.1 AA violation(s) on {where}:"]
    for v in violations:
        lines.append(f"\n[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"  at {' '.join(map(str, node['target']))}")
            lines.append(f"     {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n     ")
            if summary:
                lines.append(f"     {summary}")
        if len(v["nodes"]) > 10:
            lines.append(f"  … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


# On a phone: the page's own width against the screen's, each table's width and the box that
# scrolls it (a wide table must sit in one), and the first elements that stick out unscrolled.
OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const page = document.documentElement.scrollWidth;
    const scroller = (el) => {
        for (let p = el.parentElement; p; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX;
            if (o === 'auto' || o === 'scroll') return p;
        }
        return null;
    };
    const tables = [...document.querySelectorAll('table')].map(t => {
        const box = scroller(t);
        return {id: t.id, width: t.getBoundingClientRect().width,
                box: box ? box.getBoundingClientRect().width : null,
                boxRight: box ? box.getBoundingClientRect().right : null};
    });
    const sticking = [...document.querySelectorAll('body *')].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > width + 1 && !scroller(el);
    }).slice(0, 5).map(el => el.outerHTML.slice(0, 100));
    return {width, page, tables, sticking};
}"""
