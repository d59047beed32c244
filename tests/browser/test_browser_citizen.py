"""What a citizen sees (issue 9): tables on a phone and in 大字, charts, the page's own contents
list, the 404 page at a domain root, and printouts that say where they came from."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from browsing import Hosting, departments, pdf_contains, pdf_text, projects, site_model

from generator import urls

PROJECT_PATHS = [urls.project(p.year, p.department, p.slug) for p in projects()]
LARGE = "localStorage.setItem('disclose-view', JSON.stringify({large: true}))"

# Every cell of every data table with text in it: where it lies, how it is laid out, and the column name
# the stacked layout shows above it (its ::before, from the table's --cN or the cell's data-label).
CELLS_JS = """() => [...document.querySelectorAll('main table.stack')].flatMap(table =>
    [...table.querySelectorAll('tbody th, tbody td')].filter(c => c.innerText.trim()).map(c => {
        const r = c.getBoundingClientRect();
        return {table: table.id, kind: table.className, text: c.innerText.trim().slice(0, 30),
                label: (b => b === 'none' || b === 'normal' ? '' : b)(getComputedStyle(c, '::before').content), left: r.left, right: r.right, width: r.width,
                display: getComputedStyle(c).display, size: parseFloat(getComputedStyle(c).fontSize)};
    }))"""


@pytest.mark.parametrize("large", [False, True], ids=["normal", "大字"])
@pytest.mark.parametrize("width", [320, 390, 768])
def test_every_indicator_reads_without_sideways_scrolling(open_page, site: Hosting, width: int, large: bool) -> None:
    """On every project page, each indicator's names and target (and every cost, funding and
    spending figure) lie inside the screen: the tables are stacked, each cell under its column's name."""
    page = open_page(viewport={"width": width, "height": 800}, is_mobile=width < 700, has_touch=True)
    if large:
        page.add_init_script(LARGE)
    checked = 0
    for path in PROJECT_PATHS:
        page.goto(site.url(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways at {width}px"
        cells = page.evaluate(CELLS_JS)
        outside = [c for c in cells if c["left"] < -0.5 or c["right"] > width + 0.5 or c["width"] <= 0]
        assert not outside, f"{path} at {width}px{' 大字' if large else ''}: cells outside the screen: {outside[:3]}"
        indicators = [c for c in cells if c["kind"].startswith("indicators")]
        assert all(c["display"] == "block" for c in cells), f"{path}: a table is not stacked at {width}px"
        assert all(c["label"] for c in indicators), f"{path}: an indicator cell has no column name"
        if large:
            assert min(c["size"] for c in cells) >= 16 * 1.15, f"{path}: 大字 did not enlarge the tables"
        checked += len(indicators)
    assert checked > 500, f"only {checked} indicator cells were checked"


def test_desktop_and_print_keep_the_form_grid(page, site: Hosting) -> None:
    """At 1280 px and on paper the indicator table is the form's grid, not a stack."""
    path = urls.project(2020, "chenggong-sfj", "shequ-jiaozheng-gongzuo-jingfei")  # mid-term and annual side by side
    page.goto(site.url(path))
    display = "() => getComputedStyle(document.querySelector('table.indicators tbody td')).display"
    assert page.evaluate(display) == "table-cell"
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate(display) == "block"
    page.emulate_media(media="print")
    assert page.evaluate(display) == "table-cell", "a phone prints the grid, not the stacked cards"


def test_a_table_that_must_scroll_says_so(page, site: Hosting) -> None:
    """Where a wide table does not fit (between the stacked and the full layout), a note says it scrolls."""
    page.set_viewport_size({"width": 860, "height": 800})
    page.goto(site.url(urls.project(2020, "chenggong-sfj", "shequ-jiaozheng-gongzuo-jingfei")))
    box = page.locator(".table-box").filter(has=page.locator("table.paired"))
    assert box.evaluate("el => el.scrollWidth > el.clientWidth"), "the paired table fits: nothing to test"
    hint = box.evaluate("el => el.previousElementSibling && el.previousElementSibling.innerText")
    assert hint and "左右滑动" in hint
    box.evaluate("el => el.scrollLeft = 10000")
    assert box.evaluate("el => el.scrollLeft") > 0, "the wide table's box does not scroll"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_function("() => !document.querySelector('.scroll-hint')")


def test_a_project_page_leads_with_its_targets(open_page, site: Hosting) -> None:
    """The 2022 呈贡 project (31 rows of 基本信息) opens with its facts and goals, a contents list
    links to each table, and 基本信息 is folded: its indicators come much sooner than 8.4 screens."""
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(site.url(urls.project(2022, "chenggong-sfj", "530121210000000001706")))
    top = "(s) => document.querySelector(s).getBoundingClientRect().top / innerHeight"
    assert page.evaluate(top, ".contents") < 1.5 and page.evaluate(top, "table.goals") < 2
    assert page.locator("details.fold").evaluate("d => !d.open")
    assert not page.locator("table.info").is_visible()
    screens = page.evaluate(top, "table.indicators")
    print(f"the indicator table starts {screens:.1f} phone screens down")
    assert screens < 3, f"the indicator table starts {screens:.1f} screens down"
    links = page.locator(".contents a")
    assert links.count() >= 4
    page.locator(".contents a", has_text="绩效指标").click()
    # scrolled to the top, below the room kept for the header (scroll-margin-top)
    page.wait_for_function("() => { const t = document.querySelector('#indicators').getBoundingClientRect().top; return t >= 0 && t < 100; }")
    page.locator("details.fold > summary").click()
    assert page.locator("table.info").is_visible()


@pytest.mark.parametrize("large", [False, True], ids=["normal", "大字"])
def test_charts_are_readable_on_a_phone(open_page, site: Hosting, large: bool) -> None:
    """Bar labels are real text at the page's size (larger in 大字), distinct, and on the screen."""
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    if large:
        page.add_init_script(LARGE)
    charted = 0
    for year, department, _name, count in departments():
        page.goto(site.url(urls.department(year, department)))
        labels = page.evaluate("""() => [...document.querySelectorAll('.bar-label')].map(l => {
            const r = l.getBoundingClientRect();
            return {text: l.innerText, size: parseFloat(getComputedStyle(l).fontSize), left: r.left, right: r.right};
        })""")
        if count < 2:
            assert not labels, f"{department}: a chart of one bar"
            continue
        charted += 1
        assert len(labels) == count and len({label["text"] for label in labels}) == count
        assert min(label["size"] for label in labels) >= (18 if large else 14)
        assert all(label["left"] >= 0 and label["right"] <= 390 for label in labels)
    assert charted >= 3


def test_the_404_page_works_at_a_domain_root(page, site: Hosting, guard) -> None:
    """Without base_url, the 404 page's links are root-relative: from a missing address deep in the
    site, 返回首页 reaches the home page; its 大字 switch works too."""
    for missing in ("2024/no-such-department/no-such-project/", "2020/x/y/z.html"):
        guard.allow_missing(site.url(missing))
    response = page.goto(site.url("2024/no-such-department/no-such-project/"))
    assert response is not None and response.status == 404
    large = page.locator(".view-switch button[data-view=large]")
    assert large.is_visible()
    large.click()
    assert page.evaluate("document.documentElement.classList.contains('view-large')")
    page.locator("main a", has_text="返回首页").click()
    page.wait_for_load_state("load")
    assert site.same(page.url, urls.home())
    assert page.locator("h1").inner_text() == site_model().site.name
    page.goto(site.url("2020/x/y/z.html"))
    page.locator("main a", has_text="搜索").click()
    page.wait_for_load_state("load")
    assert site.same(page.url, urls.search())


def today() -> str:
    now = datetime.date.today()
    return f"{now.year}年{now.month}月{now.day}日"


def printed(page, tmp_path: Path, name: str) -> list[str]:
    """Print the open page to an A4 PDF as Chromium does and return each page's text."""
    from pypdf import PdfReader

    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # page.pdf() does not fire it
    pdf = tmp_path / f"{name}.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    return [pdf_text(p.extract_text() or "") for p in PdfReader(pdf).pages]


@pytest.mark.parametrize(("year", "department", "name", "count"), departments(),
                         ids=[f"{y}-{d}" for y, d, _n, _c in departments()])
def test_a_printout_can_be_traced(page, site: Hosting, tmp_path: Path, year: int, department: str, name: str, count: int) -> None:
    """The print-all PDF opens with a contents list of its tables; every page carries the page's
    URL, the edition and the print date; no sheet ends on a page that holds only its last small table."""
    page.goto(site.url(urls.print_all(year, department)))
    names = page.evaluate("() => [...document.querySelectorAll('.print-contents li a')].map(a => a.innerText)")
    endings = page.evaluate("""() => [...document.querySelectorAll('article.sheet')].map(sheet => {
        const last = sheet.lastElementChild;
        if (!last.classList.contains('table-box')) return {title: '', last: [], before: null, keep: false};
        const rows = [...last.querySelectorAll('tbody tr')].map(r => (r.querySelector('th') || r).innerText.replace(/\\s+/g, ''));
        const lines = last.previousElementSibling.innerText.trim().split('\\n').map(l => l.replace(/\\s+/g, '')).filter(l => l.length >= 6);
        return {title: sheet.querySelector('h2').innerText, last: rows, before: lines.length ? lines[lines.length - 1].slice(-12) : null,
                keep: last.querySelector('table').classList.contains('keep')};
    })""")
    texts = printed(page, tmp_path, f"{year}-{department}")
    report = f"{year}-{department}.pdf ({len(texts)} pages)"
    # One entry per table on the page, in its order: the department's own table first when it has one.
    links = page.evaluate("() => [...document.querySelectorAll('.print-contents li a')].map(a => a.getAttribute('href'))")
    tables = page.evaluate("() => [...document.querySelectorAll('#department-goals-title, article.sheet')].map(e => '#' + e.id)")
    assert links == tables and page.locator("article.sheet:not(.transfer):not(.evaluation)").count() == count
    assert pdf_contains(texts[0], "目录") and all(pdf_contains(texts[0], n) for n in names), f"{report}: page 1 is no contents list"
    url = page.url.split("#")[0]
    for number, text in enumerate(texts, 1):
        assert pdf_contains(text, url), f"{report}: page {number} does not carry its URL {url}"
        assert pdf_contains(text, f"打印日期：{today()}"), f"{report}: page {number} does not carry the print date"
        assert pdf_contains(text, f"{year}年") and pdf_contains(text, name), f"{report}: page {number} does not name the edition"
    for sheet in endings:
        if not (sheet["keep"] and sheet["before"] and sheet["last"]):
            continue
        last_row = sheet["last"][-1]
        pages = [i for i, text in enumerate(texts) if pdf_contains(text, last_row) and pdf_contains(text, sheet["before"])]
        assert pages or not any(pdf_contains(t, sheet["before"]) for t in texts), (
            f"{report}: the last table of {sheet['title']!r} stands alone on a page, without the rest of the sheet")


@pytest.mark.parametrize("path", [urls.project(2022, "chenggong-sfj", "530121210000000001706"),
                                  urls.project(2024, "pengyang-sfj", "renmin-tiaojie")], ids=["2022-chenggong", "2024-pengyang"])
def test_a_printed_project_page_is_traced_and_unfolded(page, site: Hosting, tmp_path: Path, path: str) -> None:
    """A project page prints with its URL and date on every page, its table starting on the first sheet
    (not after a page holding only the edition bar or a correction), and its folded 基本信息 printed open."""
    page.goto(site.url(path))
    rows = page.evaluate("() => [...document.querySelectorAll('table.info tbody th')].map(th => th.textContent.trim())")
    title = page.locator("#title").inner_text().strip()
    folded = page.locator("details.fold table.info").count() == 1
    texts = printed(page, tmp_path, "project")
    assert rows and (folded or "2022" not in path), "the 2022 呈贡 project's 31 rows of 基本信息 should be folded"
    assert pdf_contains(texts[0], title) and pdf_contains(texts[0], "本年度预算"), (
        f"page 1 of {len(texts)} does not begin the table {title!r}: {texts[0][:300]}")
    everything = "".join(texts)
    missing = [row for row in rows if not pdf_contains(everything, row)]
    assert not missing, f"folded 基本信息 rows are not printed: {missing[:5]}"
    assert all(pdf_contains(t, f"打印日期：{today()}") and pdf_contains(t, page.url.split('#')[0]) for t in texts)
