"""A department's "print all" page printed to an A4 PDF by Chromium, read back with pypdf."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import Hosting, departments, pdf_contains, pdf_text

from generator import urls

A4 = sorted((595, 842))  # points, either orientation
PAGE_HEIGHT_PX = (297 - 33) / 25.4 * 96  # A4 less the stylesheet's vertical margins, in CSS px

# What the DOM says the printout must hold. For each table: the labels of its header and the
# keys of its body rows, a key being the text of a row's header cell when that text occurs
# only once in the page, so that finding it on a PDF page proves the row is printed there.
LAYOUT_JS = """() => {
    const text = document.body.innerText;
    const once = (s) => text.split(s).length === 2;
    const tables = [...document.querySelectorAll('table')].map(table => {
        const head = table.tHead ? [...table.tHead.querySelectorAll('th')].map(th => th.innerText.trim()).filter(Boolean) : [];
        const keys = [];
        for (const body of table.tBodies) for (const row of body.rows) {
            const cell = row.querySelector('th[scope=row]');
            const key = cell ? cell.innerText.trim() : '';
            if (key.length >= 4 && once(key)) keys.push(key);
        }
        return {id: table.id, head, keys, height: table.getBoundingClientRect().height};
    });
    const sheets = [...document.querySelectorAll('article.sheet')].map(sheet => ({
        id: sheet.id,
        title: sheet.querySelector('h2, h1').innerText.trim(),
        head: (sheet.querySelector('.running-head') || {innerText: ''}).innerText.trim(),
        wide: sheet.classList.contains('sheet-wide'),
        breakBefore: getComputedStyle(sheet).breakBefore,
    }));
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const chrome = [...document.querySelectorAll('nav, form[role=search], .skip-link, .view-switch, .site-header')]
        .filter(shown).map(el => el.outerHTML.slice(0, 120));
    return {tables, sheets, chrome};
}"""

DEPARTMENTS = departments()


@pytest.mark.parametrize(
    ("year", "department", "name", "count"), DEPARTMENTS, ids=[f"{y}-{d}" for y, d, _n, _c in DEPARTMENTS]
)
def test_print_all_to_pdf(
    page, site: Hosting, tmp_path: Path, year: int, department: str, name: str, count: int
) -> None:
    from pypdf import PdfReader

    page.goto(site.url(urls.print_all(year, department)))
    page.wait_for_load_state("load")
    page.emulate_media(media="print")
    layout = page.evaluate(LAYOUT_JS)
    pdf = tmp_path / f"{year}-{department}.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    reader = PdfReader(pdf)
    texts = [pdf_text(p.extract_text() or "") for p in reader.pages]
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    report = f"{pdf.name} ({len(texts)} pages)"

    # No site navigation on paper.
    assert not layout["chrome"], f"navigation is printed: {layout['chrome']}"

    # Every page A4, one sheet per project, each sheet starting a new page.
    for number, (width, height) in enumerate(sizes, 1):
        assert sorted((round(width), round(height))) == A4, (
            f"{report}: page {number} is {width:.0f}×{height:.0f} pt, not A4"
        )
    sheets = layout["sheets"]
    assert len(sheets) == count, f"the print-all page holds {len(sheets)} project sheets, expected {count}"
    assert len(texts) >= count, f"{report}: fewer pages than the {count} projects"
    unbroken = [sheet["title"] for sheet in sheets if sheet["breakBefore"] != "page"]
    assert not unbroken, f"these project sheets do not start a new page in print: {unbroken}"
    start = -1
    for sheet in sheets:
        heading = sheet["head"] + sheet["title"]  # adjacent in the sheet, so unique to its first page
        later = [i for i in range(start + 1, len(texts)) if pdf_contains(texts[i], heading)]
        assert later, f"{report}: project {sheet['title']!r} does not start on a page after the previous project"
        start = later[0]
        if sheet["wide"]:
            width, height = sizes[start]
            assert width > height, f"{report}: wide sheet {sheet['title']!r} is printed portrait on page {start + 1}"

    # The edition and the department on every page.
    for number, text in enumerate(texts, 1):
        assert pdf_contains(text, name) and str(year) in text, f"{report}: page {number} does not name {year} {name}"

    # Rows are printed whole, and a table that continues on another page repeats its header there.
    continued, spans = [], {}
    for table in layout["tables"]:
        if not table["head"] or not table["keys"]:
            continue
        pages = []
        for key in table["keys"]:
            found = [i for i, text in enumerate(texts) if pdf_contains(text, key)]
            assert found, f"{report}: row {key!r} of table {table['id']} is not printed whole on any page"
            pages.append(found[0])
        spans[table["id"]] = sorted(set(pages))
        for i in sorted(set(pages))[1:]:
            missing = [label for label in table["head"] if not pdf_contains(texts[i], label)]
            assert not missing, f"{report}: table {table['id']} continues on page {i + 1} without its header {missing}"
            continued.append((table["id"], i + 1))
    print(f"{report}: {count} projects; tables continued with their header on: {continued}")
    # A table taller than a page (measured on screen, where the column is wider than on paper)
    # must have continued, or the header check above did not really run.
    for table in layout["tables"]:
        if table["height"] > PAGE_HEIGHT_PX and table["id"] in spans:
            assert len(spans[table["id"]]) > 1, (
                f"{report}: table {table['id']} is taller than a page yet seems to fit on one"
            )
