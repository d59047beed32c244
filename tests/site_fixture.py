"""Build sites for the structure tests, and read what they wrote.

`build_bundled_site` is what the shared `built_site` fixture (tests/conftest.py)
calls, so the bundled site is built once per test session for every test
module. The other helpers build variants of the content (a filled site.yaml,
a hostile record) into a test's own temporary folder.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build
from generator.load import Content, load_content

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"


def build_bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundled content into a temporary folder; return the output folder."""
    output = tmp_path_factory.mktemp("bundled") / "public"
    status = build(CONTENT, output, progress=False)
    assert status == 0, f"building the bundled content failed with exit status {status}"
    return output


@cache
def bundled_content() -> Content:
    """Load the bundled content: the model every expectation is taken from."""
    content = load_content(CONTENT)
    assert content.site is not None and not content.report.errors, content.report.errors
    return content


def copy_content(tmp_path: Path) -> Path:
    """Copy the bundled content into a test's folder, to change it there."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def build_into(content: Path, output: Path) -> Path:
    """Build a content folder, asserting success; return the output folder."""
    status = build(content, output, progress=False)
    assert status == 0, f"the build failed with exit status {status}"
    return output


def soup(site: Path, path: str) -> BeautifulSoup:
    """Parse one page of a built site."""
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def text(element: object) -> str:
    """Return an element's text with whitespace trimmed, as a reader sees it."""
    return " ".join(element.get_text(" ", strip=True).split()) if element is not None else ""  # type: ignore[attr-defined]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file of a folder (hidden ones too) with its bytes."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def grid(rows: list) -> dict[tuple[int, int], object]:
    """Lay table rows out as the browser does: (row, column) → cell, rowspan and colspan expanded."""
    cells: dict[tuple[int, int], object] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row.find_all(["th", "td"], recursive=False):
            while (r, c) in cells:
                c += 1
            height, width = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            for dr in range(height):
                for dc in range(width):
                    cells[(r + dr, c + dc)] = cell
            c += width
    return cells


def header_rows(table: object) -> list:
    """Return a table's header rows, without the row that repeats its caption on printed pages."""
    thead = table.find("thead")  # type: ignore[attr-defined]
    return [row for row in thead.find_all("tr") if "print-caption" not in row.get("class", [])] if thead else []


def headed_cells(table: object) -> dict[tuple[str, str], str]:
    """Return a table's cells keyed by (row heading, column heading) texts, as a reader pairs them."""
    head = grid(header_rows(table))
    last = max((r for r, _ in head), default=0)
    columns = {c: text(cell) for (r, c), cell in head.items() if r == last}
    body = grid(table.find("tbody").find_all("tr"))  # type: ignore[attr-defined]
    return {(text(body[(r, 0)]), columns.get(c, "")): text(cell) for (r, c), cell in body.items() if c > 0}
