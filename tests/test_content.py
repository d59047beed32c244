"""The bundled content: the five source documents, completely and exactly."""

from decimal import Decimal
from pathlib import Path

import pytest

from generator.load import load_content
from generator.model import iter_indicators
from generator.validate import check_site

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site():
    content = load_content(ROOT / "content")
    assert not content.report.errors, "\n".join(map(str, content.report.errors))
    return content.site


def find(site, year: int, department: str, slug: str):
    edition = next(e for e in site.editions if e.year == year)
    dept = next(d for d in edition.departments if d.slug == department)
    return next(p for p in dept.projects if p.slug == slug)


def indicator(project, name: str, period: str = "annual"):
    return next(i for _, _, i in iter_indicators(project.indicators) if i.name == name and i.period == period)


def test_counts(site):
    assert [e.year for e in site.editions] == [2024, 2022, 2020]
    assert sum(len(e.projects) for e in site.editions) == 35
    assert len({d.name for e in site.editions for d in e.departments}) == 4
    per_department = {(e.year, d.slug): len(d.projects) for e in site.editions for d in e.departments}
    assert per_department == {
        (2024, "pengyang-sfj"): 12, (2022, "chenggong-sfj"): 1,
        (2020, "315002"): 12, (2020, "chenggong-sfj"): 1, (2020, "jiangyin-sfj"): 9,
    }


def test_document_000_chenggong_2022(site):
    p = find(site, 2022, "chenggong-sfj", "530121210000000001706")
    assert (p.code, p.unit, str(p.amount), str(p.total_amount)) == ("530121210000000001706", "元", "100000.00", "550000.00")
    assert [(s.label, str(s.amount)) for s in p.spending_plan.steps] == [
        ("2021", "150000.00"), ("2022", "100000.00"), ("2023", "300000.00")
    ]
    ind = indicator(p, "设备配备")
    assert (ind.operator, ind.value, ind.unit, ind.kind) == ("=", "100%", "%", "定量指标")
    assert [g.period for g in p.goals] == ["midterm", "annual"] and p.goals[0].label == "总体目标(2022年-2024年)"
    table = p.cost_tables[0]
    assert table.title == "本级项目测算表" and table.total == Decimal("100000.00")
    assert table.lines[0].attributes["支出功能分类科目"] == "2040604 基层司法业务"


def test_document_001_jiangyin_2020(site):
    p = find(site, 2020, "jiangyin-sfj", "gonggong-falv-fuwu-renmin-canyu")
    assert (p.unit, str(p.amount)) == ("万元", "148.00")
    assert p.info["项目负责人"] == "高峰" and list(p.info)[:3] == ["项目名称", "项目属性", "项目类型"]
    assert (str(p.prior_year.budget), str(p.prior_year.spent), str(p.prior_year.balance)) == ("149.7", "149.7", "0.00")
    assert [level1.title for level1 in p.indicators] == ["投入与目标管理", "产出目标", "效果目标", "影响力目标"]
    assert indicator(p, "调解员人均调解案件数").value == "≥16件"
    assert indicator(p, "人民调解工作满意度").basis.startswith("省厅关于构建“四个全覆盖”")
    assert [(line.name, str(line.amount)) for line in p.cost_tables[0].lines][:2] == [
        ("调解员培训费", "6"), ("基层法律服务管理工作经费", "8")
    ]
    assert p.funding[0].total == Decimal("148") and len(p.funding[0].sources) == 10


def test_document_002_shunping_2020(site):
    p = find(site, 2020, "315002", "315-0405-jxn-c1ug")
    assert (p.code, p.name, str(p.amount), p.unit) == ("315-0405-JXN-C1UG", "法律援助经费", "12300.00", "元")
    assert [(s.label, str(s.percent)) for s in p.spending_plan.steps] == [
        ("3月底", "30.00"), ("6月底", "60.00"), ("10月底", "85.00"), ("12月底", "100.00")
    ]
    assert indicator(p, "为困难群众提供无偿法律服务").description == "实现“法律面前人人平等”原则，使困难群众享受法律服务"
    assert p.funding[0].sources[1].name == "其他资金" and p.funding[0].sources[1].amount is None
    department = next(d for d in site.editions[2].departments if d.slug == "315002")
    assert [s.title for s in department.goals.sections] == ["总体绩效目标", "分项绩效目标", "工作保障措施"]
    assert "枫桥经验" in department.goals.sections[1].body


def test_document_003_pengyang_2024(site):
    p = find(site, 2024, "pengyang-sfj", "sifa-xieli-jiceng-fuwu")
    assert (p.name, str(p.amount), p.unit) == ("2024 年“司法协理”基层服务专项计划资金", "31.900000", "万元")
    cost = indicator(p, "司法协理员工资社保费")
    assert (cost.value, cost.comparison, cost.number, cost.measure) == ("≤31.9 万元", "≤", Decimal("31.9"), "万元")
    assert indicator(p, "司法协理员数量").value == "24 人"
    benefit = p.indicators[1]
    assert [(g.code, g.title, len(g.indicators)) for g in benefit.groups][:1] == [("21", "经济效益", 0)]


def test_document_004_chenggong_2020(site):
    p = find(site, 2020, "chenggong-sfj", "shequ-jiaozheng-gongzuo-jingfei")
    assert (str(p.amount), str(p.total_amount)) == ("300000.00", "900000.00")
    midterm, annual = p.funding
    assert (midterm.period, str(midterm.total), annual.period, str(annual.total)) == ("midterm", "900000.00", "annual", "300000.00")
    assert [s.amount for s in midterm.sources] == [None, None, None, Decimal("900000.00"), None]
    assert indicator(p, "社区矫正工作人员培训", "midterm").value == "每年2次以上"
    assert indicator(p, "社区矫正工作人员培训", "annual").value == "2次以上"


def test_department_totals_are_exact(site):
    pengyang = site.editions[0].departments[0]
    assert str(pengyang.total) == "494.560000 万元"
    shunping = next(d for d in site.editions[2].departments if d.slug == "315002")
    assert shunping.total.amount == Decimal("1126240.00")


def test_check_reports_the_real_inconsistencies(site):
    found = {(Path(w.file).name, w.field) for w in check_site(site)}
    assert found >= {
        ("falv-yuanzhu.yaml", "prior_year.balance"),  # a balance that equals the budget
        ("yingji-zhihui-yinshipin-tongxun.yaml", "indicators[1].groups[1].indicators[0].value"),  # 故障率 ≤95%
        ("530121210000000001706.yaml", "indicators[1].groups[0].indicators[0].value"),  # text marked 定量
        ("315-0403-jxn-2d5f.yaml", "indicators[2].groups[0].indicators[0].value"),  # "%" alone
    }


def test_every_content_file_names_its_schema():
    for path in (ROOT / "content").rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        kind = {"site.yaml": "site", "edition.yaml": "edition", "department.yaml": "department"}.get(path.name, "project")
        assert first.startswith("# yaml-language-server: $schema=") and first.endswith(f"docs/schema/{kind}.schema.json"), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file(), path
