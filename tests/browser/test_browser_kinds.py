"""The pages of the record kinds beside a project, in real Chromium: examples/ built and served.

宁德's department page (its own 资金总额 and 年度履职目标), 忠县's transfer table (titled as printed,
with its authorities) and 永德's self-evaluation (target and actual side by side, score, grade) are
read as a visitor sees them on a desktop and a phone screen, printed to PDF, and checked by axe-core.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import OVERFLOW_JS, Hosting, describe_violations, pdf_contains, pdf_text, run_axe, squash
from site_fixture import build_into

from generator import urls

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PHONE = {"width": 390, "height": 844}

NINGDE = urls.department(2019, "ningde-dsfzb")
ZHONGXIAN = urls.project(2022, "zhongxian-nyw", "shengzhu-diaochu-dax-jiangli")
YONGDE = urls.project(2022, "yongde-mlzx", "yingyang-gaishan-ziping")
PAGES = {
    "department": NINGDE,
    "transfer": ZHONGXIAN,
    "evaluation": YONGDE,
    "print-department": urls.print_all(2019, "ningde-dsfzb"),
    "print-transfer": urls.print_all(2022, "zhongxian-nyw"),
    "print-evaluation": urls.print_all(2022, "yongde-mlzx"),
}
# What each page must print, as the document prints it.
PRINTED = {
    "department": ["资金总额", "171.41", "项目支出", "60.8", "基本支出", "110.61", "年度履职目标", "部门职能",
                   "地情、市志编纂与年鉴出版经费", "49.8", "指标解释", "目标值", "100%(历史标准)"],
    "transfer": ["生猪(牛羊)调出大县奖励资金区域绩效目标表", "中央主管部门", "财政部、农业农村部", "区县主管部门",
                 "忠县农业农村委员会", "农业农村(21301)", "猪肉产量稳定率", "≥95%"],
    "evaluation": ["2022年度项目支出绩效自评表", "年度指标值", "实际完成值", "偏差原因分析及改进措施", "资金到位及时率",
                   "总分", "96", "优"],
}

# A stacked (phone) table hides empty cells, so a column no row fills has no name there: 永德 leaves every
# 偏差原因分析及改进措施 cell blank. The desktop head and the print still name it.
UNFILLED = {"evaluation": ("偏差原因分析及改进措施",)}


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory, http_server) -> Hosting:
    """examples/ built once for this module and served at the root of 127.0.0.1."""
    built = build_into(EXAMPLES, tmp_path_factory.mktemp("examples") / "public")
    return Hosting("root", http_server(built, "/"), built)


def visit(page, site: Hosting, path: str):
    page.goto(site.url(path))
    page.wait_for_load_state("load")
    return page


# The column names a stacked (phone) table shows above its cells: each cell's ::before, from the table's --cN.
STACKED_LABELS_JS = """() => [...document.querySelectorAll('main table.stack tbody th, main table.stack tbody td')]
    .filter(c => c.innerText.trim()).map(c => getComputedStyle(c, '::before').content)
    .filter(b => b && b !== 'none' && b !== 'normal')"""


def cell_texts(row) -> list[str]:
    return [squash(t) for t in row.locator("th, td").all_inner_texts()]


def test_department_page_shows_its_own_money_and_duties(page, examples: Hosting) -> None:
    visit(page, examples, NINGDE)
    funding = page.locator("table").filter(has_text="资金总额").first
    assert funding.is_visible()
    rows = [cell_texts(funding.locator("tbody tr").nth(i)) for i in range(funding.locator("tbody tr").count())]
    # One money formatter for the column (60.80 beside 171.41), the printed figure kept in the title.
    assert rows == [["资金总额", "171.41"], ["项目支出", "60.80"], ["基本支出", "110.61"]]
    assert funding.locator("data[title='原文：60.8']").count() == 1
    duties = page.locator("table").filter(has=page.locator("caption", has_text="年度履职目标"))
    assert duties.is_visible()
    assert cell_texts(duties.locator("thead tr")) == ["部门职能", "年度目标任务", "支出项目名称", "预算金额(万元)"]
    assert duties.locator("tbody tr").count() == 3
    assert cell_texts(duties.locator("tbody tr").last) == ["确保日常工作正常运行", "按时发放2019年人员工资待遇", "基本支出", "171.41"]
    # The form's own column headings, in its order: 指标解释 before 目标值.
    indicators = page.locator("table#department-indicators")
    assert cell_texts(indicators.locator("thead tr")) == ["一级指标", "二级指标", "三级指标", "指标解释", "目标值"]
    body = squash(page.locator("main").inner_text())
    assert "|部门职能|" not in body and "共0个项目" not in body
    # The edition's total is the department's own 资金总额, and says so.
    visit(page, examples, urls.edition(2019))
    total = squash(page.locator("main table tr.total").inner_text())
    assert "171.41" in total and "单位：万元" in squash(page.locator("main table#departments caption").inner_text())
    assert "部门整体" in page.locator("main").inner_text()


def test_transfer_page_is_titled_as_printed_with_its_authorities(page, examples: Hosting) -> None:
    visit(page, examples, ZHONGXIAN)
    assert squash(page.locator("h1").inner_text()) == "生猪(牛羊)调出大县奖励资金区域绩效目标表"
    assert "生猪(牛羊)调出大县奖励资金区域绩效目标表" in page.title()
    assert "项目支出绩效目标表" not in page.locator("body").inner_text() + page.title()
    authorities = page.locator("table").filter(has=page.locator("caption", has_text="各级主管部门"))
    rows = [cell_texts(authorities.locator("tr").nth(i)) for i in range(authorities.locator("tr").count())]
    assert rows == [["中央主管部门", "财政部、农业农村部"], ["省级财政部门", "重庆市财政局"], ["省级主管部门", "重庆市农业农村委员会"],
                    ["区县财政部门", "忠县财政局"], ["区县主管部门", "忠县农业农村委员会"]]
    # Listed with the department that receives it, by its own title.
    visit(page, examples, urls.department(2022, "zhongxian-nyw"))
    listed = page.locator("main table").filter(has_text="转移支付区域绩效目标表")
    assert "生猪(牛羊)调出大县奖励资金区域绩效目标表" in squash(listed.inner_text())


def boxes(locator) -> list[dict]:
    return [locator.nth(i).bounding_box() for i in range(locator.count())]


def test_evaluation_page_sets_target_and_actual_side_by_side(page, examples: Hosting) -> None:
    visit(page, examples, YONGDE)
    table = page.locator("table#indicators")
    head = table.locator("thead tr")
    assert head.count() == 2, "the form's two-row head (绩效指标 / 年度指标值 over their columns) is not printed"
    assert cell_texts(head.first) == ["绩效指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    assert cell_texts(head.last) == ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"]
    # 年度指标值 stands over exactly its three columns on screen.
    over = head.first.locator("th", has_text="年度指标值").bounding_box()
    under = boxes(head.last.locator("th"))[3:6]
    assert abs(over["x"] - under[0]["x"]) < 1 and abs(over["x"] + over["width"] - under[2]["x"] - under[2]["width"]) < 1
    row = table.locator("tbody tr", has_text="资金到位及时率")
    cells = cell_texts(row)
    assert cells[-7:] == ["≧", "100", "%", "100%", "10", "7", ""], cells
    target, actual = boxes(row.locator("td"))[1], boxes(row.locator("td"))[3]
    assert abs(target["y"] - actual["y"]) < 1 and target["x"] < actual["x"], "target and actual are not side by side"
    assert table.locator("td.result").first.is_visible()
    total = page.locator("table").filter(has=page.locator("caption", has_text="总分"))
    assert cell_texts(total.locator("tbody tr").last) == ["100", "96", "优"]
    summary = squash(page.locator("main dl").first.inner_text())
    assert "96/100" in summary and "优" in summary


@pytest.mark.parametrize("kind", ["department", "transfer", "evaluation"])
def test_readable_on_a_phone_without_sideways_scrolling(open_page, examples: Hosting, kind: str) -> None:
    page = visit(open_page(viewport=PHONE, is_mobile=True, has_touch=True), examples, PAGES[kind])
    state = page.evaluate(OVERFLOW_JS)
    assert state["page"] <= state["width"], f"the {kind} page is {state['page']}px wide: {state['sticking']}"
    for table in state["tables"]:
        if table["width"] > state["width"]:
            assert table["box"] is not None and table["boxRight"] <= state["width"] + 1, table
    smallest = page.evaluate("() => Math.min(...[...document.querySelectorAll('main td, main th, main p')]"
                             ".filter(e => e.innerText.trim()).map(e => parseFloat(getComputedStyle(e).fontSize)))")
    assert smallest >= 12, f"text of {smallest}px on the {kind} page is too small to read on a phone"
    body = squash(page.locator("main").inner_text() + "|".join(page.evaluate(STACKED_LABELS_JS)))
    missing = [fact for fact in PRINTED[kind] if squash(fact) not in body and fact not in UNFILLED.get(kind, ())]
    assert not missing, f"not shown on a phone: {missing}"


@pytest.mark.parametrize("kind", ["department", "transfer", "evaluation"])
def test_printed_to_pdf_with_every_fact(page, examples: Hosting, tmp_path: Path, kind: str) -> None:
    from pypdf import PdfReader

    visit(page, examples, PAGES["print-" + kind])
    page.emulate_media(media="print")
    chrome = page.evaluate("() => [...document.querySelectorAll('nav, form[role=search], .view-switch')]"
                           ".filter(e => e.getClientRects().length).length")
    assert chrome == 0, "the site's navigation is printed"
    pdf = tmp_path / f"{kind}.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    texts = [pdf_text(p.extract_text() or "") for p in PdfReader(pdf).pages]
    missing = [fact for fact in PRINTED[kind] if not any(pdf_contains(text, fact) for text in texts)]
    assert not missing, f"{pdf.name} ({len(texts)} pages) does not print {missing}"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_violation(open_page, examples: Hosting, kind: str, phone: bool) -> None:
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {}
    page = visit(open_page(**options), examples, PAGES[kind])
    violations = run_axe(page)
    assert not violations, describe_violations(violations, f"{kind} page {page.url}")
