"""The built site shows every record exactly: structure tests on parsed HTML.

Every expectation comes from the loaded model (the bundled content), never
from the templates' own helpers, and every check reads the page as a reader
pairs it: a cell under its column heading, beside its row heading.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from site_fixture import CONTENT, build_into, bundled_content, copy_content, grid, headed_cells, header_rows, soup, text

from generator import urls
from generator.build import build
from generator.charts import MAX_BARS, bar_chart
from generator.model import iter_indicators
from generator.money import Money, common_unit, format_amount, format_number
from generator.plan import plan_site
from generator.render import TEMPLATES, Renderer

SITE = bundled_content().site
PROJECTS = [(e, d, p) for e in SITE.editions for d in e.departments for p in d.projects]
DEPARTMENTS = [(e, d) for e in SITE.editions for d in e.departments]

# The headings of the indicator table when a record does not name them (the national layout's).
DEFAULT_LABELS = {
    "name": "三级指标", "operator": "指标性质", "value": "指标值", "unit": "度量单位", "kind": "指标属性",
    "scoring": "评（扣）分标准", "description": "指标内容", "basis": "指标值设定依据", "weight": "权重（分值）",
}


def fmt(value: Decimal | None) -> str:
    """A figure as a page writes it; a blank (not given) stays blank, never 0.00."""
    return "" if value is None else format_amount(value)


def same(a: str | None, b: str | None) -> bool:
    """Compare texts as a reader sees them: runs of whitespace are one space."""
    return " ".join((a or "").split()) == " ".join((b or "").split())


def as_labelled(label: str, value: str, unit: str | None) -> str:
    """A text field as a page shows it: a bare number under a label naming an amount (项目年度金额
    "104.540000") is a figure like any other, "104.54 万元", in the label's own unit when it names one."""
    if "金额" in label and re.fullmatch(r"-?[\d,]+(\.\d+)?", value.strip()):
        figure = fmt(Decimal(value.strip().replace(",", "")))
        return figure if unit is None or re.search(r"[（(](万元|元)[)）]", label) else f"{figure} {unit}"
    return value


def project_id(item: tuple) -> str:
    edition, department, project = item
    return f"{edition.year}/{department.slug}/{project.slug}"


# --- project pages ------------------------------------------------------------


def test_all_35_projects_have_a_page(built_site: Path) -> None:
    assert len(PROJECTS) == 35
    for edition, department, project in PROJECTS:
        assert (built_site / urls.project(edition.year, department.slug, project.slug)).is_file()


@pytest.mark.parametrize("item", PROJECTS, ids=project_id)
def test_project_page_shows_its_record(built_site: Path, item: tuple) -> None:
    edition, department, project = item
    page = soup(built_site, urls.project(edition.year, department.slug, project.slug))
    sheet = page.find("article", class_="sheet")
    assert text(sheet.find("h1")) == project.name
    facts = {text(d.find("dt")): text(d.find("dd")) for d in sheet.find("dl", class_="facts").find_all("div")}
    assert facts["本年度预算"] == f"{fmt(project.amount)} {project.unit}"
    # The department as the forms print it: its code, when it has one, then its name.
    assert facts["主管部门"] == (f"{department.code} {department.name}" if department.code else department.name)
    assert facts["年度"] == f"{edition.year}年"
    if project.code:
        assert facts["项目代码"] == project.code
    if project.total_amount is not None:
        assert facts["项目总金额"] == f"{fmt(project.total_amount)} {project.unit}"
    if project.period:
        assert facts["项目期限"] == project.period

    if project.info:
        rows = page.find("table", class_="info").find("tbody").find_all("tr")
        shown = [(text(row.find("th")), text(row.find("td"))) for row in rows]
        assert len(shown) == len(project.info)
        for (label, value), (want_label, want_value) in zip(shown, project.info.items(), strict=True):
            assert same(label, want_label) and same(value, as_labelled(want_label, want_value, project.unit))

    headings = [text(h) for h in sheet.find_all("h2")]
    for section in project.sections:
        assert section.title in headings

    funding = {}
    for table in sheet.find_all("table", class_="funding"):
        funding.update(headed_cells(table))
    for table in project.funding:
        assert funding[(table.total_label, table.title)] == fmt(table.total)
        for source in table.sources:
            assert funding[(source.name, table.title)] == fmt(source.amount)

    if project.spending_plan:
        plan = headed_cells(sheet.find("table", class_="plan"))
        for step in project.spending_plan.steps:
            if step.percent is not None:
                assert plan[("累计支出进度（%）", step.label)] == fmt(step.percent)
            if step.amount is not None:
                assert plan[("金额", step.label)] == fmt(step.amount)
            for label, value in step.extra.items():
                unit = project.unit if project.spending_plan.cumulative else None
                assert plan[(label, step.label)] == as_labelled(label, value, unit)

    goals = {text(row.find("th")): text(row.find("td")) for row in sheet.find("table", class_="goals").find_all("tr")} if project.goals else {}
    for goal in project.goals:
        assert goal.label in goals if goal.label else goals

    cost_tables = sheet.find_all("table", class_="cost")
    assert [text(t.find("caption")).split(" 单位")[0] for t in cost_tables] == [t.title for t in project.cost_tables]
    for shown, table in zip(cost_tables, project.cost_tables, strict=True):
        cells = headed_cells(shown)
        for line in table.lines:
            if line.amount is not None:
                assert fmt(line.amount) in (cells.get((line.name, "金额")), cells.get(("金额", line.name)))
            if line.purpose:
                assert same(cells.get((line.name, "用途")) or cells.get(("用途", line.name)), line.purpose)
        if table.total is not None:
            assert fmt(table.total) in {v for (row, _), v in cells.items() if row == "合计"}

    if project.prior_year:
        prior = project.prior_year
        row = sheet.find("table", class_="prior-year").find("tbody").find("tr")
        assert [text(td) for td in row.find_all("td")] == [
            fmt(prior.budget), fmt(prior.spent), fmt(prior.balance), fmt(prior.usage_rate), fmt(prior.progress)]


@pytest.mark.parametrize("item", PROJECTS, ids=project_id)
def test_project_page_shows_every_indicator_exactly(built_site: Path, item: tuple) -> None:
    edition, department, project = item
    page = soup(built_site, urls.project(edition.year, department.slug, project.slug))
    table = page.find("table", class_="indicators")
    indicators = list(iter_indicators(project.indicators))
    if not indicators:
        assert table is None or not table.find(id=re.compile(r"^zb-"))
        return
    head = grid(header_rows(table))
    last = max(r for r, _ in head)
    labels = {c: text(cell) for (r, c), cell in head.items() if r == last}
    rows = table.find("tbody").find_all("tr")
    body = grid(rows)
    wanted_labels = {key: project.indicator_labels.get(key) or label for key, label in DEFAULT_LABELS.items()}
    assert text(head[(0, 0)]) == project.indicator_labels.get("level1", "一级指标")
    assert text(head[(0, 1)]) == project.indicator_labels.get("level2", "二级指标")

    assert len(table.find_all(id=re.compile(r"^zb-\d+$"))) == len(indicators)
    for position, (level1, level2, indicator) in enumerate(indicators, start=1):
        anchor = urls.indicator_anchor(position)
        element = table.find(id=anchor)
        row = element if element.name == "tr" else element.find_parent("tr")
        r = rows.index(row)
        name_cell = element if element.name == "th" else row.find("th", scope="row")
        c = next(col for (rr, col), cell in body.items() if rr == r and cell is name_cell)
        assert text(body[(r, 0)]) == level1.level1
        assert text(body[(r, 1)]) == level2.level2
        assert same(text(name_cell), indicator.name)
        assert labels[c] == wanted_labels["name"]
        # The cells after the name, up to the next indicator (a paired row) or the row's end.
        shown = {}
        for col in range(c + 1, c + 1 + len(DEFAULT_LABELS)):
            cell = body.get((r, col))
            if cell is None or cell.name == "th":
                break
            shown[labels[col]] = text(cell)
        for key, label in wanted_labels.items():
            if key == "name":
                continue
            # A weight is a score, written as printed (10, 2.5); amounts take the money format.
            weight = "" if indicator.weight is None else format_number(indicator.weight)
            want = weight if key == "weight" else (getattr(indicator, key) or "")
            if want or label in shown:
                assert same(shown.get(label), want), (indicator.name, key, shown)


def test_indicator_table_keeps_empty_second_level_rows() -> None:
    edition, department, project = next(i for i in PROJECTS if i[2].slug == "sifa-xieli-jiceng-fuwu")
    empty = [l2.level2 for l1 in project.indicators for l2 in l1.groups if not l2.indicators]
    assert empty == ["21-经济效益", "23-生态效益"]


def test_empty_second_level_rows_are_printed(built_site: Path) -> None:
    page = soup(built_site, urls.project(2024, "pengyang-sfj", "sifa-xieli-jiceng-fuwu"))
    rows = page.find("table", class_="indicators").find("tbody").find_all("tr")
    body = grid(rows)
    level2 = [text(body[(r, 1)]) for r in range(len(rows))]
    assert level2 == ["11-数量指标", "12-质量指标", "13-时效指标", "14-成本指标",
                      "21-经济效益", "22-社会效益", "23-生态效益", "24-可持续影响", "31-服务对象满意度"]
    economic = rows[level2.index("21-经济效益")]
    assert [text(td) for td in economic.find_all("td")] == [""]
    assert economic.get("id") is None
    first = rows[0].find("th", class_="level")
    assert text(first) == "1-产出指标" and first["rowspan"] == "4"


def test_midterm_and_annual_indicators_stand_side_by_side(built_site: Path) -> None:
    page = soup(built_site, urls.project(2020, "chenggong-sfj", "shequ-jiaozheng-gongzuo-jingfei"))
    table = page.find("table", class_="indicators")
    periods = [text(th) for th in table.find("thead").find_all("th", scope="colgroup")]
    assert periods == ["中期指标", "年度指标"]
    first = table.find("tbody").find("tr")
    assert [text(c) for c in first.find_all(["th", "td"])][-4:] == ["社区矫正工作人员培训", "每年2次以上", "社区矫正工作人员培训", "2次以上"]


def test_indicator_columns_follow_the_document(built_site: Path) -> None:
    page = soup(built_site, urls.project(2022, "chenggong-sfj", "530121210000000001706"))
    head = header_rows(page.find("table", class_="indicators"))
    assert [text(th) for row in head for th in row.find_all("th")] == [
        "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "指标属性",
        "评（扣）分标准", "指标内容", "绩效指标值设定依据及数据来源"]


def test_money_tables_carry_their_unit(built_site: Path) -> None:
    jiangyin = soup(built_site, urls.project(2020, "jiangyin-sfj", "falv-yuanzhu"))
    assert text(jiangyin.find("table", class_="funding").find("caption").find(class_="unit")) == "单位：万元"
    chenggong = soup(built_site, urls.project(2022, "chenggong-sfj", "530121210000000001706"))
    assert {text(c.find(class_="unit")) for c in chenggong.select("table.cost caption")} == {"单位：元"}


# A figure written the one way: no zero past the second decimal, thousands separated.
LOOSE_FIGURE = re.compile(r"\d\.\d{2,}0(?!\d)|(?<![\d,.])\d{4,}\.\d")


def test_every_figure_on_every_page_is_written_one_way(built_site: Path) -> None:
    """Home, editions, departments, projects, print-all, years and search pages: no amount shows trailing
    zeros past two decimals ("104.540000") or a long figure without separators ("150000.00" under
    "150,000.00"). Archived versions (index.v1.html) stay as they were published; <code> quotes a record."""
    checked, loose = 0, []
    for path in sorted(built_site.rglob("*.html")):
        if re.search(r"\.v\d+\.html$", path.name):
            continue
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for node in (page.find("main") or page).find_all(string=True):
            if node.parent.name in ("script", "style", "code") or not re.search(r"\d\.\d", node):
                continue
            checked += 1
            loose += [(str(path.relative_to(built_site)), m[0]) for m in LOOSE_FIGURE.finditer(node)]
    assert checked > 500 and not loose, f"{len(loose)} figures written another way: {loose[:10]}"


def test_project_pages_stay_under_40_kb(built_site: Path) -> None:
    for edition, department, project in PROJECTS:
        path = urls.project(edition.year, department.slug, project.slug)
        page = soup(built_site, path)
        linked = [el.get("href") for el in page.find_all("link", rel="stylesheet")]
        linked += [el.get("src") for el in page.find_all("script", src=True)]
        size = (built_site / path).stat().st_size
        size += sum((built_site / path).parent.joinpath(link).stat().st_size for link in linked)
        assert size < 40 * 1024, f"{path}: {size} bytes with its CSS and JS"


# --- department, edition, home, print-all ----------------------------------------


def column_names(table: Tag) -> dict[str, str]:
    """Return the column names a stacked table sets once (style="--c1:'…'"), by custom property."""
    return {name: label for name, label in re.findall(r'(--[a-z]\d+):"([^"]*)"', table.get("style", ""))}


def labelled(row: Tag) -> dict[str, str]:
    """Return a table row's cells by the column name the stacked layout shows above each: the n-th <td>
    under the table's --cn, a cell's own data-label first."""
    names = column_names(row.find_parent("table"))
    cells = {}
    for n, cell in enumerate(row.find_all("td", recursive=False), 1):
        label = cell.get("data-label") or names.get(f"--c{n}")
        if label:
            cells[label] = text(cell)
    return cells


def assert_chart_repeats_table(page: BeautifulSoup, figures: list[str], unit: str, names: list[str]) -> None:
    """A list's chart shows the table's figures, in the table's unit, labelled 1. name, 2. name …; none for one bar."""
    chart = page.find(class_="chart", role="img")
    if len(figures) < 2:
        assert chart is None, "a chart of one bar"
        return
    assert chart is not None and f"（单位：{unit}）" in chart["aria-label"]
    bars = chart.find_all(class_="bar-row")
    assert [text(b.find(class_="bar-value")) for b in bars] == figures
    assert [text(b.find(class_="bar-label")) for b in bars] == [f"{n}. {name}" for n, name in enumerate(names, 1)]
    assert [b["title"] for b in bars] == names


def assert_no_empty_column(table: Tag) -> None:
    """Every column a list prints holds something on at least one row."""
    filled: dict[str, bool] = {}
    for row in table.find("tbody").find_all("tr"):
        for label, value in labelled(row).items():
            filled[label] = filled.get(label, False) or bool(value)
    assert all(filled.values()), f"empty columns: {[k for k, v in filled.items() if not v]}"


@pytest.mark.parametrize("item", DEPARTMENTS, ids=lambda i: f"{i[0].year}/{i[1].slug}")
def test_department_page_lists_its_projects_and_total(built_site: Path, item: tuple) -> None:
    edition, department = item
    path = urls.department(edition.year, department.slug)
    page = soup(built_site, path)
    table = page.find("table", class_="projects")
    rows = table.find("tbody").find_all("tr")
    unit = common_unit([p.budget for p in department.projects])
    assert text(table.find("caption").find(class_="unit")).startswith(f"单位：{unit}")
    assert len(rows) == len(department.projects) + 1
    figures = []
    for row, project in zip(rows, department.projects, strict=False):
        link = row.find("th").find("a")
        assert text(link) == project.name
        assert (built_site / path).parent.joinpath(link["href"]).resolve() == \
            (built_site / urls.project(edition.year, department.slug, project.slug)).resolve()
        shown = project.budget.to(unit).amount
        assert labelled(row)[f"预算金额（{unit}）"] == fmt(shown)
        assert row.find("data")["value"] == format(shown, "f")  # the exact figure, for machines
        figures.append(fmt(shown))
    assert labelled(rows[-1])[f"预算金额（{unit}）"] == fmt(department.total.to(unit).amount)
    assert_no_empty_column(table)
    assert_chart_repeats_table(page, figures, unit, [p.name for p in department.projects])


def test_department_goals_are_shown(built_site: Path) -> None:
    department = next(d for e, d in DEPARTMENTS if d.goals)
    page = soup(built_site, urls.department(2020, department.slug))
    section = page.find("section", class_="department-goals")
    assert text(section.find("h2")) == department.goals.title
    assert [text(h) for h in section.find_all("h3")] == [s.title for s in department.goals.sections]


@pytest.mark.parametrize("edition", SITE.editions, ids=lambda e: str(e.year))
def test_edition_page_lists_departments_with_counts_and_totals(built_site: Path, edition: object) -> None:
    page = soup(built_site, urls.edition(edition.year))
    table = page.find("table")
    rows = table.find("tbody").find_all("tr")
    unit = common_unit([d.total for d in edition.departments])
    assert [text(r.find("th")) for r in rows] == [d.name for d in edition.departments] + ["合计"]
    figures = []
    for row, department in zip(rows, edition.departments, strict=False):
        cells = labelled(row)
        assert cells["项目数"] == str(len(department.projects))
        figures.append(fmt(department.total.to(unit).amount))
        assert cells[f"预算金额（{unit}）"] == figures[-1]
    assert labelled(rows[-1])[f"预算金额（{unit}）"] == fmt(edition.total.to(unit).amount)
    assert_no_empty_column(table)
    assert_chart_repeats_table(page, figures, unit, [d.name for d in edition.departments])


def test_a_list_mixing_units_converts_them_into_one_and_says_so(built_site: Path) -> None:
    edition = next(e for e in SITE.editions if len({d.total.unit for d in e.departments}) > 1)
    page = soup(built_site, urls.edition(edition.year))
    caption = text(page.find("table").find("caption").find(class_="unit"))
    assert caption.startswith("单位：万元") and "已换算为万元" in caption, caption
    assert "元" not in "".join(text(td) for td in page.find("table").find_all("td"))


def test_home_lists_editions_newest_first(built_site: Path) -> None:
    page = soup(built_site, urls.home())
    rows = page.find("table").find("tbody").find_all("tr")
    unit = common_unit([e.total for e in SITE.editions])
    assert [int(re.match(r"\d{4}", text(r.find("th")))[0]) for r in rows] == [2024, 2022, 2020]
    for row, edition in zip(rows, SITE.editions, strict=True):
        cells = labelled(row)
        assert cells["部门数"] == str(len(edition.departments))
        assert cells["项目数"] == str(len(edition.projects))
        assert cells[f"预算金额合计（{unit}）"] == fmt(edition.total.to(unit).amount)


@pytest.mark.parametrize("item", DEPARTMENTS, ids=lambda i: f"{i[0].year}/{i[1].slug}")
def test_print_all_holds_every_project_in_order(built_site: Path, item: tuple) -> None:
    edition, department = item
    page = soup(built_site, urls.print_all(edition.year, department.slug))
    sheets = page.find_all("article", class_="sheet")
    assert [text(s.find("h2")) for s in sheets] == [p.name for p in department.projects]
    assert all(f"{edition.year}年" in text(s.find(class_="running-head")) and department.name in text(s.find(class_="running-head"))
               for s in sheets)
    style = " ".join(s.get_text() for s in page.find_all("style"))
    assert "@top-left" in style


def test_about_page_is_rendered_from_markdown(built_site: Path) -> None:
    page = soup(built_site, urls.page("about"))
    assert text(page.find("main").find("h1")) == "如何阅读绩效目标表"
    home = soup(built_site, urls.home())
    assert "如何阅读绩效目标表" in [text(a) for a in home.find("nav", class_="site-nav").find_all("a")]


def test_every_page_has_the_search_box_and_skip_link(built_site: Path) -> None:
    for path in built_site.rglob("*.html"):
        page = soup(built_site, path.relative_to(built_site).as_posix())
        assert page.find("html")["lang"] == "zh-CN"
        form = page.find("form", role="search")
        assert form is not None and form["method"] == "get" and form.find("input", attrs={"name": "q"})
        assert page.find("a", class_="skip-link")["href"] == "#main" and page.find(id="main")


# --- chrome from site.yaml ----------------------------------------------------------


def test_empty_chrome_items_are_left_out(built_site: Path) -> None:
    footer = soup(built_site, urls.home()).find("footer")
    assert footer.find(class_="chrome") is None
    assert "主办单位" not in text(footer) and "备案" not in text(footer)
    assert not (built_site / "sitemap.xml").exists()  # no base_url: a sitemap needs full URLs


FILLED = """\
name: 测试预算公开
organizer: 测试县财政局
contact: 0000-1234567
site_code: "1234000001"
icp: 测ICP备12345678号
police_record: 测公网安备 12345678901234号
police_record_url: https://www.beian.gov.cn/portal/registerSystemInfo?recordcode=12345678901234
dzjg_url: https://bszs.conac.cn/sitename?method=show&id=1
error_report_url: https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=1234000001
base_url: https://www.example.gov.cn/ysgk/jxmb
"""


@pytest.fixture(scope="module")
def filled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("filled")
    content = copy_content(tmp)
    (content / "site.yaml").write_text(FILLED, encoding="utf-8")
    return build_into(content, tmp / "public")


def test_chrome_items_appear_when_set(filled_site: Path) -> None:
    footer = soup(filled_site, urls.project(2024, "pengyang-sfj", "renmin-tiaojie")).find("footer")
    items = {li["class"][0]: li for li in footer.find(class_="chrome").find_all("li")}
    assert text(items["chrome-organizer"]) == "主办单位：测试县财政局"
    assert text(items["chrome-contact"]) == "联系方式：0000-1234567"
    assert text(items["chrome-site-code"]) == "网站标识码：1234000001"
    assert text(items["chrome-icp"]) == "测ICP备12345678号"
    assert items["chrome-icp"].find("a")["href"] == "https://beian.miit.gov.cn/"
    assert items["chrome-police-record"].find("a")["href"].endswith("recordcode=12345678901234")
    assert items["chrome-dzjg"].find("a")["href"] == "https://bszs.conac.cn/sitename?method=show&id=1"
    assert items["chrome-error-report"].find("a")["href"].startswith("https://zfwzgl.www.gov.cn/")
    assert text(soup(filled_site, urls.home()).find("title")) == "测试预算公开"


def test_sitemap_and_404_use_the_site_address(filled_site: Path) -> None:
    sitemap = (filled_site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>(.*?)</loc>", sitemap)
    base = "https://www.example.gov.cn/ysgk/jxmb/"
    assert base in locations
    for edition, department, project in PROJECTS:
        assert f"{base}{edition.year}/{department.slug}/{project.slug}/" in locations
    assert f"Sitemap: {base}sitemap.xml" in (filled_site / "robots.txt").read_text(encoding="utf-8")
    page = soup(filled_site, "404.html")
    assert {a["href"] for a in page.find("main").find_all("a")} == {base, f"{base}search/"}
    assert page.find("link", rel="stylesheet") is None and page.find("style")  # styles inline: any depth


def test_partly_filled_chrome_shows_only_what_is_set(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    (content / "site.yaml").write_text('name: 测试\norganizer: 测试县财政局\ncontact: "   "\nicp: ""\n', encoding="utf-8")
    site = build_into(content, tmp_path / "public")
    items = soup(site, urls.home()).find("footer").find(class_="chrome").find_all("li")
    assert [li["class"][0] for li in items] == ["chrome-organizer"]


# --- safety -------------------------------------------------------------------------


HOSTILE = """\
name: "<script>alert('name')</script>恶意项目"
code: "X-1<script>"
unit: 万元
amount: 1.5
info:
  "<b>栏目</b>": "<script>alert('info')</script>"
sections:
  - title: "<i>说明</i>"
    body: |
      <script>alert('section')</script>

      <b>加粗</b> <img src=x onerror="alert(1)"> [链接](javascript:alert(1))

      ![远程图片](https://example.com/x.png)
goals:
  - period: annual
    text: "<iframe src=https://example.com></iframe>"
indicators:
  - level1: "<script>一级</script>"
    groups:
      - level2: 数量指标
        indicators:
          - name: "<script>alert('indicator')</script>"
            value: "<script>≥90%</script>"
            basis: "</td></tr></table><script>alert(2)</script>"
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    content = copy_content(tmp)
    (content / "2024" / "pengyang-sfj" / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    (content / "site.yaml").write_text('name: "<script>alert(\'site\')</script>站点"\n', encoding="utf-8")
    return build_into(content, tmp / "public")


@pytest.mark.parametrize("path", [urls.project(2024, "pengyang-sfj", "hostile"), urls.department(2024, "pengyang-sfj"),
                                  urls.print_all(2024, "pengyang-sfj"), urls.home(), urls.search()])
def test_a_script_typed_into_a_field_shows_as_text(hostile_site: Path, path: str) -> None:
    page = soup(hostile_site, path)
    scripts = page.find_all("script")
    assert scripts and all(re.fullmatch(r"(\.\./)*(assets/(a11y|search|years)|years/\d{4}(/[a-z0-9-]+)?)\.js", s.get("src", "")) and not s.string for s in scripts)
    for tag in ("iframe", "img", "b", "i"):
        assert page.find_all(tag) == [], tag
    assert "<script>alert('site')</script>站点" in text(page.find("footer"))
    assert not page.find_all(href=re.compile("^javascript:", re.I))


def test_hostile_fields_are_shown_verbatim(hostile_site: Path) -> None:
    page = soup(hostile_site, urls.project(2024, "pengyang-sfj", "hostile"))
    assert text(page.find("h1")) == "<script>alert('name')</script>恶意项目"
    narrative = page.find("section", class_="narrative")
    assert text(narrative.find("h2")) == "<i>说明</i>"
    assert "<script>alert('section')</script>" in text(narrative)
    assert "<b>加粗</b>" in text(narrative)
    row = page.find(id="zb-1")
    assert [text(c) for c in row.find_all(["th", "td"])][-3:] == [
        "<script>alert('indicator')</script>", "<script>≥90%</script>", "</td></tr></table><script>alert(2)</script>"]
    # The @page header is a CSS string: quotes and angle brackets are escaped there, too.
    assert "</style>" not in " ".join(s.get_text() for s in page.find_all("style"))


# --- the plan: pages as small, self-contained specs ------------------------------------


def test_each_page_records_what_it_is_made_from() -> None:
    content = bundled_content()
    renderer = Renderer()
    specs = {spec.output: spec for spec in plan_site(content.site, content.pages, renderer.uses)}
    spec = specs[urls.project(2024, "pengyang-sfj", "renmin-tiaojie")]
    assert spec.templates == ("project-2024-pengyang-sfj-renmin-tiaojie.html", "project-2024-pengyang-sfj.html",
                              "project-2024.html", "project.html")
    assert spec.records == ("site.yaml", "pages/about.md", "2024/edition.yaml", "2024/pengyang-sfj/department.yaml",
                            "2024/pengyang-sfj/renmin-tiaojie.yaml")
    assert {"project.html", "base.html", "partials/project_sheet.html", "partials/macros.html"} <= set(spec.template_files)
    # A project page holds its project and the heads of its department and edition, never the edition's other records.
    assert spec.context["edition"].departments == ()
    assert spec.context["department"].projects == ()
    for path in spec.records:
        assert (CONTENT / path).is_file()
    department = specs[urls.department(2024, "pengyang-sfj")]
    assert len(department.records) == 2 + 2 + 12


def test_a_more_specific_template_overrides(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "project-2024.html").write_text(
        '{% extends "project.html" %}{% block head %}<meta name="layout" content="2024">{% endblock %}', encoding="utf-8")
    assert build(CONTENT, tmp_path / "public", progress=False, templates=templates) == 0
    assert soup(tmp_path / "public", urls.project(2024, "pengyang-sfj", "renmin-tiaojie")).find("meta", attrs={"name": "layout"})
    assert not soup(tmp_path / "public", urls.project(2020, "jiangyin-sfj", "falv-yuanzhu")).find("meta", attrs={"name": "layout"})


def test_templates_reached_through_symbolic_links_are_dependencies(tmp_path: Path) -> None:
    """An override that is a link, including a file in a linked folder: found, and an edit to it rebuilds the page."""
    templates, shared = tmp_path / "templates", tmp_path / "shared"
    shutil.copytree(TEMPLATES, templates)
    (shared / "parts").mkdir(parents=True)
    (shared / "parts" / "mark.html").write_text('<meta name="layout" content="one">', encoding="utf-8")
    (shared / "override.html").write_text(
        '{% extends "project.html" %}{% block head %}{% include "linked/mark.html" %}{% endblock %}', encoding="utf-8")
    (templates / "project-2024.html").symlink_to(shared / "override.html")
    (templates / "linked").symlink_to(shared / "parts", target_is_directory=True)
    (templates / "linked" / "loop").symlink_to(templates, target_is_directory=True)  # a cycle is walked once
    page = urls.project(2024, "pengyang-sfj", "renmin-tiaojie")
    cache = tmp_path / "cache"
    assert build(CONTENT, tmp_path / "public", progress=False, templates=templates, cache=cache) == 0
    assert soup(tmp_path / "public", page).find("meta", attrs={"name": "layout"})["content"] == "one"
    (shared / "parts" / "mark.html").write_text('<meta name="layout" content="two">', encoding="utf-8")
    assert build(CONTENT, tmp_path / "public", progress=False, templates=templates, cache=cache) == 0
    assert soup(tmp_path / "public", page).find("meta", attrs={"name": "layout"})["content"] == "two"


def test_a_page_named_like_a_year_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = copy_content(tmp_path)
    (content / "pages" / "2024.md").write_text("# 重名\n", encoding="utf-8")
    assert build(content, tmp_path / "public", progress=False) == 1
    err = capsys.readouterr().err
    assert "pages/2024.md" in err and "说明页不能叫“2024”" in err
    assert not (tmp_path / "public").exists()


def test_charts_are_accessible_images_with_a_cap() -> None:
    values = [Money(Decimal(n), "万元") for n in range(1, MAX_BARS + 6)]
    chart = BeautifulSoup(bar_chart("c", "<script>标题", [f"项目{n}" for n in range(len(values))], values), "html.parser").find("div")
    assert chart["role"] == "img" and chart["aria-label"].startswith("<script>标题（单位：万元）")
    assert len(chart.find_all(class_="bar")) == MAX_BARS
    assert "项目0" not in text(chart) and "完整数字见上表" in text(chart)
    # Labels keep the table's 序号: the 30 largest of 35 are numbered 6 … 35.
    assert text(chart.find(class_="bar-label")) == "6. 项目5"


def test_a_chart_converts_exactly_into_the_unit_of_its_table() -> None:
    values = [Money(Decimal("1126240.00"), "元"), Money(Decimal("726.17"), "万元")]
    chart = BeautifulSoup(bar_chart("c", "图", ["甲", "乙"], values, "万元"), "html.parser")
    assert [text(v) for v in chart.find_all(class_="bar-value")] == ["112.624", "726.17"]
    assert bar_chart("c", "图", ["甲"], values[:1]) == ""  # one bar compares nothing
