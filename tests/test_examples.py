"""The examples/ content: five more real documents, one of each kind of table, built and read back.

Each document's test samples what it prints (figures, headings, every indicator's name and target,
for the self-evaluation the actual value and score) on the built pages, the way test_content.py
samples the seeds. Figures count as shown when the page prints them (with or without thousands
separators) or carries their exact digits in a <data value>.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from site_fixture import build_into, grid, soup, text

from generator.load import load_content
from generator.model import iter_indicators
from generator.money import format_amount
from generator.validate import SITE_FACTS, check_site

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def content():
    loaded = load_content(EXAMPLES)
    assert not loaded.report.problems, "\n".join(map(str, loaded.report.problems))
    return loaded.site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_into(EXAMPLES, tmp_path_factory.mktemp("examples") / "public")


def main_text(site: Path, path: str) -> str:
    return text(soup(site, path).find("main"))


def shows_figure(site: Path, path: str, printed: str) -> bool:
    """Return whether a page shows a figure as printed: its digits in a <data value>, or as text."""
    page = soup(site, path)
    if page.find("data", attrs={"value": printed}) is not None:
        return True
    body = text(page.find("main"))
    return printed in body or format_amount(Decimal(printed)) in body


def headings(table) -> list[str]:
    return [text(th) for th in table.find("thead").find_all("th")]


def assert_indicators_shown(body: str, tree, *fields: str) -> None:
    for level1, level2, indicator in iter_indicators(tree):
        for heading in (level1.level1, level2.level2, indicator.name):
            assert heading in body, heading
        for field in ("value", *fields):
            value = getattr(indicator, field)
            if value not in (None, ""):
                assert str(value) in body, (indicator.name, field, value)


def test_examples_check_clean_and_name_their_schema(content):
    # A demonstration has no 主办单位, 网站标识码, ICP or address of its own: those warnings are right.
    # 宁德's page stops in the middle of its indicator table: the last indicator has no printed value, and
    # the checker says so, naming the column as that form prints it.
    found = check_site(content)
    assert {p.field for p in found if p.file.endswith("site.yaml")} == set(SITE_FACTS)
    assert [(p.file, p.line, p.message) for p in found if not p.file.endswith("site.yaml")] == [
        ("examples/2019/ningde-dsfzb/department.yaml", 89, "指标“基本支出”没有目标值（value）")]
    for path in EXAMPLES.rglob("*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        kind = {"site.yaml": "site", "edition.yaml": "edition", "department.yaml": "department"}.get(path.name)
        if kind is None:
            declared = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("kind:")), "project")
            kind = declared
        assert lines[0].endswith(f"docs/schema/{kind}.schema.json"), path
        assert (path.parent / lines[0].split("=", 1)[1]).resolve().is_file(), path


def test_ningde_department_table(content, built):
    page = "2019/ningde-dsfzb/index.html"
    body = main_text(built, page)
    for printed in ("中共宁德市委党史和地方志研究室", "901001033", "部门整体支出绩效目标表", "年度总体目标",
                    "目标1:确保本室各人员工资及福利的发放;", "目标4:保障志鉴地情相关工作开展所需资金,确保完成2019年度任务。",
                    "资金总额", "项目支出", "基本支出", "年度履职目标"):
        assert printed in body, printed
    for figure in ("171.41", "60.8", "110.61"):
        assert shows_figure(built, page, figure), figure
    assert "共 0 个项目" not in body and "合计 0" not in body
    # 年度履职目标: its own columns and rows, as printed.
    duties = soup(built, page).find("table", id="department-duties")
    assert headings(duties) == ["部门职能", "年度目标任务", "支出项目名称", "预算金额(万元)"]
    rows = duties.find("tbody").find_all("tr")
    assert [text(cell) for cell in rows[0].find_all(["th", "td"])] == [
        "组织、指导、编纂、督促和检查地方志、年鉴、地情工作", "保障志鉴地情相关工作开展所需资金,确保完成2019年度任务",
        "地情、市志编纂与年鉴出版经费", "49.8",
    ]
    # The indicator table's own headings, in the form's order: 指标解释 before 目标值.
    indicators = soup(built, page).find("table", id="department-indicators")
    assert headings(indicators) == ["一级指标", "二级指标", "三级指标", "指标解释", "目标值"]
    cells = grid(indicators.find("tbody").find_all("tr"))
    assert [text(cells[(0, c)]) for c in range(5)] == ["产出指标", "数量指标", "志鉴地情相关工作开展所需资金的供应时效", "100%(历史标准)", "100%"]
    assert_indicators_shown(body, content.editions[-1].departments[0].goals.indicators, "description")
    # The edition and home pages total the department by its own 资金总额, and say so.
    edition = main_text(built, "2019/index.html")
    assert "171.41" in edition and "单位：万元" in edition and "部门整体" in edition
    home_row = next(tr for tr in soup(built, "index.html").find("table", id="editions").find_all("tr") if "2019" in text(tr))
    home = soup(built, "index.html").find("table", id="editions")
    assert "171.41" in text(home_row) and "万元" in text(home.find("caption")) and "含部门整体" in text(home_row)
    assert "171.41" in main_text(built, "2019/ningde-dsfzb/print.html")


def test_yueyang_form_shape(content, built):
    page = "2022/yueyang-nyncj/gaobiaozhun-nongtian/index.html"
    body = main_text(built, page)
    for printed in ("绩效目标申报表(基础设施建设类)", "岳阳县2022年高标准农田建设项目", "彭兵", "农田建设服务中心",
                    "年度资金总额", "其中:财政拨款", "其他资金", "总体目标", "年度目标", "完成项目主体工程70%", "绩效指标"):
        assert printed in body, printed
    # The amount keeps its printed wording beside its number, once, not twice.
    wording = "854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)"
    funding = soup(built, page).find("table", class_="funding")
    assert [d["value"] for d in funding.find_all("data")] == ["854", "854"]
    assert text(funding).count(wording) == 2 and "854 万元 854万" not in text(funding)
    project = content.editions[0].departments[1].projects[0]
    assert_indicators_shown(body, project.indicators)
    # The footnote printed after the indicator table stays after it.
    sheet = soup(built, page).find("article")
    order = [el for el in sheet.find_all(["table", "section"]) if el.name == "table" or "note-after" in el.get("class", [])]
    after = order[order.index(sheet.find("table", class_="indicators")) + 1]
    assert after.name == "section" and text(after).startswith("注:各地请根据实际情况")


def test_qingshan_headings_and_breakdown(content, built):
    page = "2020/qingshan-jyj/bomo-xuexiao-gaizao/index.html"
    body = main_text(built, page)
    for printed in ("绩效目标表(2020年度)", "农村义务教育薄弱学校改造补助资金", "青山区教育局", "化工区学校",
                    "年度资金总额", "其中:上级资金", "总体目标", "年度目标",
                    "全面改善农村义务教育薄弱学校办学条件,扩大基础教育资源,进一步提高义务教育均衡发展水平。"):
        assert printed in body, printed
    assert shows_figure(built, page, "16")
    table = soup(built, page).find("table", id="indicators")
    assert headings(table) == ["一级指标", "二级指标", "指标内容", "指标值"]
    assert_indicators_shown(body, content.editions[1].departments[0].projects[0].indicators)
    # Goals keep both headings the form prints: 总体目标 over 年度目标.
    goals = soup(built, page).find("table", id="goals")
    assert text(goals.find("caption")) == "总体目标" and text(goals.find("tbody").find("th")) == "年度目标"


def test_zhongxian_transfer_table(content, built):
    page = "2022/zhongxian-nyw/shengzhu-diaochu-dax-jiangli/index.html"
    body = main_text(built, page)
    title = soup(built, page).find("title").get_text()
    assert "生猪(牛羊)调出大县奖励资金区域绩效目标表" in title and "项目支出绩效目标表" not in body + title
    for printed in ("县农业农村委", "渝财农〔2021〕111号", "财预〔2015〕153号", "财建〔2015〕778号", "忠县财政局",
                    "2022年1月18日", "农业农村(21301)", "01中央直达资金", "资金名称", "生猪(牛羊)调出大县奖励资金",
                    "中央主管部门", "财政部、农业农村部", "省级财政部门", "重庆市财政局", "省级主管部门",
                    "重庆市农业农村委员会", "区县财政部门", "区县主管部门", "忠县农业农村委员会",
                    "年度金额(万元)", "其中:中央补助(万元)", "地方资金(万元)", "年度目标",
                    "到2022年底,生猪生产稳定有序发展,能繁母猪保有量、规模养殖场保有量完成市政府既定目标,推进畜牧业高质量发展。"):
        assert printed in body, printed
    assert shows_figure(built, page, "397")
    table = soup(built, page).find("table", id="indicators")
    assert headings(table) == ["一级指标", "二级指标", "三级指标", "单位", "指标值"]
    transfer = content.editions[0].departments[2].transfers[0]
    assert_indicators_shown(body, transfer.indicators, "unit")
    # Listed with the department that receives it, under its own kind.
    listing = soup(built, "2022/zhongxian-nyw/index.html").find("table", id="transfers")
    assert "转移支付区域绩效目标表" in text(listing.find("caption"))
    assert [text(a) for a in listing.find_all("a")] == ["生猪(牛羊)调出大县奖励资金区域绩效目标表"]
    assert "项目支出绩效目标表" not in text(soup(built, "2022/zhongxian-nyw/index.html").find("main"))


def test_yongde_self_evaluation(content, built):
    page = "2022/yongde-mlzx/yingyang-gaishan-ziping/index.html"
    body = main_text(built, page)
    for printed in ("2022年度项目支出绩效自评表", "永德县明朗中学", "义务教育营养改善计划专项资金", "永德县教育体育局",
                    "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "年度资金总额",
                    "其中:当年财政拨款", "上年结转资金", "其他资金", "年度总体目标", "预期目标", "实际完成情况",
                    "确保每一个学生都能享受到国家政策福利,改善学生体质", "实际完成值", "偏差原因分析及改进措施",
                    "指标性质", "度量单位", "其他需要说明事项", "总分", "优"):
        assert printed in body, printed
    assert shows_figure(built, page, "387664.62")
    # "—" cells are kept as printed, marked as not given.
    execution = soup(built, page).find("table", id="execution")
    assert len(execution.select("span.not-given")) >= 6 and all(text(s) == "—" for s in execution.select("span.not-given"))
    evaluation = content.editions[0].departments[0].evaluations[0]
    assert_indicators_shown(body, evaluation.indicators, "operator", "unit", "actual", "weight", "score")
    table = soup(built, page).find("table", id="indicators")
    # The form's two head rows: 绩效指标 and 年度指标值 over their columns, the other headings down both rows.
    head = [[(text(th), th.get("colspan", "1"), th.get("rowspan", "1")) for th in tr.find_all("th")]
            for tr in table.find("thead").find_all("tr")]
    assert head == [
        [("绩效指标", "3", "1"), ("年度指标值", "3", "1"), ("实际完成值", "1", "2"), ("分值", "1", "2"), ("得分", "1", "2"),
         ("偏差原因分析及改进措施", "1", "2")],
        [(name, "1", "1") for name in ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位")],
    ]
    row = next(tr for tr in table.find("tbody").find_all("tr") if "资金到位及时率" in text(tr))
    assert re.search(r"资金到位及时率 ≧ 100 % 100% 10 7$", text(row))
    total = soup(built, page).find("table", id="total")
    assert [text(td) for td in total.find("tbody").find_all("td")] == ["100", "96", "优"]
    listing = soup(built, "2022/yongde-mlzx/index.html").find("table", id="evaluations")
    assert "项目支出绩效自评表" in text(listing.find("caption")) and "96" in text(listing)


@pytest.mark.parametrize(("department", "held"), [
    ("2019/ningde-dsfzb", "部门整体支出绩效目标表"),
    ("2020/qingshan-jyj", "项目支出绩效目标表"),
    ("2022/zhongxian-nyw", "转移支付区域绩效目标表"),
    ("2022/yongde-mlzx", "项目支出绩效自评表"),
])
def test_print_all_margin_names_the_tables_it_holds(built, department, held):
    # Every printed sheet's top margin (@page @top-left) once said 项目支出绩效目标表, whatever the department held.
    style = soup(built, f"{department}/print.html").find("style", string=re.compile("@top-left")).string
    assert re.search(r'@top-left\{content:"([^"]*)"', style)[1].endswith(" · " + held), style


@pytest.mark.parametrize(("q", "kind", "url"), [
    ("渝财农〔2021〕111号", "transfer", "2022/zhongxian-nyw/shengzhu-diaochu-dax-jiangli/index.html"),
    ("重庆市农业农村委员会", "transfer", "2022/zhongxian-nyw/shengzhu-diaochu-dax-jiangli/index.html"),
    ("资金到位及时率", "evaluation", "2022/yongde-mlzx/yingyang-gaishan-ziping/index.html"),
    ("98%", "evaluation", "2022/yongde-mlzx/yingyang-gaishan-ziping/index.html"),
    ("按时发放2019年人员福利", "department", "2019/ningde-dsfzb/index.html"),
])
def test_search_finds_every_kind(built, q, kind, url):
    from generator.search import query

    hits = {hit.url: hit for hit in query(built / "search" / "all", q, limit=None).hits}
    assert url in hits and hits[url].kind == kind, (q, list(hits))


def test_search_page_names_each_kind():
    script = (ROOT / "site_templates" / "assets" / "search.js").read_text(encoding="utf-8")
    assert 'transfer: "转移支付区域绩效目标表"' in script and 'evaluation: "绩效自评表"' in script


@pytest.mark.parametrize("page", ["2022/yueyang-nyncj/gaobiaozhun-nongtian/index.html",
                                  "2020/qingshan-jyj/bomo-xuexiao-gaizao/index.html"])
def test_a_project_page_keeps_the_forms_order(built, page):
    """Both forms print 基本信息, then 资金, then the goals, then the indicators: so does the page (and its contents list)."""
    sheet = soup(built, page).find("article")
    order = [t["id"].split("-")[0] for t in sheet.find_all("table") if t.get("id")]
    assert order == ["info", "funding", "goals", "indicators"], order
    listed = [a["href"].split("#")[1].split("-")[0] for a in sheet.select("nav.contents a")]
    assert listed == ["info", "funding", "goals", "indicators"], listed
