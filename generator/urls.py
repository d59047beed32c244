"""Where every page lives in the output folder, and how one page links to another.

The URL scheme is stable: `/<year>/<department>/<project>/`, named after the
folders and files of `content/`. Output paths are POSIX paths relative to the
output folder and always name a file (`2024/pengyang-sfj/renmin-tiaojie/index.html`),
because a site opened from a disk (file://) does not turn a folder into its
index.html. Links are relative for the same reason, and so that the site works
at the root of a host and under a sub-path such as /ysgk/jxmb/ alike.

Slugs are `[a-z0-9-]`, so names with a dot or underscore (print.html,
assets/) can never collide with a department or project folder.
"""

from __future__ import annotations

import posixpath
import re

ASSETS = "assets"


def home() -> str:
    """Return the path of the home page."""
    return "index.html"


def edition(year: int) -> str:
    """Return the path of an edition's page."""
    return f"{year}/index.html"


def department(year: int, department: str) -> str:
    """Return the path of a department's page in an edition."""
    return f"{year}/{department}/index.html"


def project(year: int, department: str, project: str) -> str:
    """Return the path of a project's page."""
    return f"{year}/{department}/{project}/index.html"


def print_all(year: int, department: str) -> str:
    """Return the path of a department's printable attachment (all its tables)."""
    return f"{year}/{department}/print.html"


def corrections(year: int) -> str:
    """Return the path of an edition's 更正记录 page (a dotted name: no department can take it)."""
    return f"{year}/corrections.html"


def years(year: int, department: str) -> str:
    """Return the path of the plain page with a department's other years (outside the edition: never frozen)."""
    return f"years/{year}/{department}/index.html"


def years_data(year: int, department: str | None = None) -> str:
    """Return the path of the cross-year data an edition's (or a department's) pages load (never frozen)."""
    return f"years/{year}.js" if department is None else f"years/{year}/{department}.js"


def page(slug: str) -> str:
    """Return the path of a Markdown page such as the about page."""
    return f"{slug}/index.html"


def search() -> str:
    """Return the path of the search page."""
    return "search/index.html"


def asset(name: str) -> str:
    """Return the path of a stylesheet, script or other asset."""
    return f"{ASSETS}/{name}"


def not_found() -> str:
    """Return the path of the 404 page (a web server shows it at any depth)."""
    return "404.html"


def indicator_anchor(position: int) -> str:
    """Return the id of an indicator's row, from its 1-based position in the tree."""
    return f"zb-{position}"


def relative(target: str, here: str) -> str:
    """Return a link from the page at `here` to the output file `target` (as posixpath.relpath would)."""
    if not (PLAIN_PATH.fullmatch(target) and PLAIN_PATH.fullmatch(here)):
        return posixpath.relpath(target, posixpath.dirname(here) or ".")
    # Every link of every page comes here (~50 a page); relpath makes both paths absolute first.
    to, start = target.split("/"), here.split("/")[:-1]
    common = 0
    for a, b in zip(to, start, strict=False):  # up to the shorter
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + to[common:]) or "."


# An output path relpath would leave as it is: names without ".", ".." or empty parts, no leading "/".
PLAIN_PATH = re.compile(r"(?!\.\.?(?:/|$))[^/]+(?:/(?!\.\.?(?:/|$))[^/]+)*")


def directory_url(path: str) -> str:
    """Return the public URL form of an output path: `2024/x/index.html` → `2024/x/`."""
    return path.removesuffix("index.html")
