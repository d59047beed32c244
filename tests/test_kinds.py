"""The record kinds beside a project: how they load, what the checker says, how the pages join them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from factory import PROJECT, make_content, run_cli
from site_fixture import build_into, soup, text

from generator import tables, validate, yamlio
from generator.load import load_content
from generator.model import Evaluation, FundingTable, NotGiven, Project
from generator.render import MARKDOWN

EVALUATION = """\
kind: evaluation
name: 测试项目
code: TEST-001
unit: 万元
execution:
  - name: 年度资金总额
    budget: 31.9
    executed: 30
    weight: 10
    score: 9
  - name: 其他资金
    budget: "—"
indicators:
  - level1: 产出指标
    groups:
      - level2: 数量指标
        indicators:
          - {name: 司法协理员数量, value: 24 人, actual: 23 人, weight: 10, score: 8, deviation: 一人离职，已补招}
total:
  weight: 20
  score: 17
  grade: 良
"""


def problems(tmp_path, record: str, name: str = "record.yaml") -> list[str]:
    make_content(tmp_path, record, name)
    return [str(p) for p in load_content(tmp_path / "content").report.problems]


def test_kind_chooses_the_model(tmp_path):
    make_content(tmp_path, PROJECT.replace("name: 测试项目", "code: TEST-001\nname: 测试项目"))
    (tmp_path / "content/2024/test-dept/ziping.yaml").write_text(EVALUATION, encoding="utf-8")
    department = load_content(tmp_path / "content").site.editions[0].departments[0]
    assert [type(p) for p in department.projects] == [Project] and [type(e) for e in department.evaluations] == [Evaluation]
    assert department.evaluation_of(department.projects[0]) is department.evaluations[0]
    assert department.target_of(department.evaluations[0]) is department.projects[0]


def test_unknown_kind_lists_the_kinds(tmp_path):
    found = problems(tmp_path, "kind: transfr\nname: x\n")
    assert len(found) == 1 and "kind（记录种类）" in found[0] and "transfer（转移支付区域绩效目标表）" in found[0]


def test_a_weight_is_not_money(tmp_path):
    record = PROJECT.replace("value: 24 人", "value: 24 人\n            weight: 10分")
    found = problems(tmp_path, record)
    assert len(found) == 1 and "weight（权重）" in found[0] and "应为分值" in found[0] and "金额" not in found[0]


def test_an_error_names_an_indicator_field_by_the_forms_own_heading(tmp_path):
    # 永德's form prints the weight column 分值: the message said 权重, a word the publisher's form does not have.
    record = EVALUATION.replace("weight: 10, score: 8", "weight: 10分, score: 8") + "indicator_labels: {weight: 分值}\n"
    (found,) = problems(tmp_path, record)
    assert "indicators[0].groups[0].indicators[0].weight（分值）：找到 “10分”（文字），应为分值" in found


def test_printed_wording_beside_an_amount_is_pointed_to_its_field(tmp_path):
    record = PROJECT + "funding:\n  - title: 资金情况\n    total: 854万(高标准农田建设400万元)\n"
    found = problems(tmp_path, record)
    assert len(found) == 1 and "total_printed" in found[0] and "“—”" in found[0]


def test_a_blank_info_cell_is_allowed(tmp_path):
    assert problems(tmp_path, PROJECT + "info:\n  联系电话:\n  项目负责人: 张三\n") == []


def test_did_you_mean_only_suggests_fields_of_that_place(tmp_path):
    make_content(tmp_path)
    (tmp_path / "content/2024/test-dept/department.yaml").write_text(
        "name: 部门\ngoals:\n  indicator_lable: {value: 目标值}\n", encoding="utf-8")
    found = [str(p) for p in load_content(tmp_path / "content").report.problems]
    assert len(found) == 1 and "“indicator_labels”" in found[0]


def test_a_field_of_another_kind_names_that_kind_not_a_lookalike(tmp_path):
    # A 自评表 or 转移支付表 written without `kind:` is read as a project: "execution" once got
    # "您是不是想写“sections”？", "total" got "goals" and "notice" got "notes".
    found = problems(tmp_path, EVALUATION.replace("kind: evaluation\n", "") + "notice: {issuer: 财政局}\n")
    said = {p.split("不认识的字段“")[1].split("”")[0]: p for p in found if "不认识的字段" in p}
    assert set(said) == {"execution", "total", "notice"}, found
    assert all("您是不是想写" not in p for p in said.values())
    assert "“execution”是项目支出绩效自评表的字段：这份记录若是项目支出绩效自评表，请在文件开头写 kind: evaluation" in said["execution"]
    assert "请在文件开头写 kind: evaluation" in said["total"] and "请在文件开头写 kind: transfer" in said["notice"]


DEPARTMENT_GOALS = """\
name: 测试部门
unit: 万元
funding:
  - {title: 年度预算安排, total_label: 资金总额, total: 10, sources: [{name: 项目支出, amount: 4}, {name: 基本支出, amount: 6}]}
goals:
  indicator_labels: {description: 指标解释, value: 目标值}
  duties:
    columns: [部门职能, 年度目标任务]
    rows:
      - [编纂, 完成年鉴]
  indicators:
    - level1: 产出指标
      groups:
        - level2: 数量指标
          indicators:
            - {name: 书籍审稿率, description: 100%(计划标准), value: 100%}
"""


def department_problems(tmp_path, record: str) -> list[str]:
    """Load a content folder whose department.yaml is `record`; return load problems, else the checker's."""
    make_content(tmp_path)
    (tmp_path / "content/2024/test-dept/department.yaml").write_text(record, encoding="utf-8")
    loaded = load_content(tmp_path / "content")
    # site.yaml's empty 主办单位 / ICP warnings are not this record's problems.
    found = loaded.report.problems or [p for p in validate.check_site(loaded.site) if not p.file.endswith("site.yaml")]
    return [str(p) for p in found]


@pytest.mark.parametrize(("mistake", "said"), [
    ("value: ''", "指标“书籍审稿率”没有目标值（value）"),
    ("value: '%'", "指标“书籍审稿率”的目标值（value）“%”只有单位，缺少数字"),
    ("value: ≥0%", "指标“书籍审稿率”的目标值（value）“≥0%”没有约束力"),
    ("value: 提高, kind: 定量指标", "指标“书籍审稿率”标为定量指标，但目标值（value）“提高”不是数值"),
])
def test_department_indicator_values_are_checked_like_a_projects(tmp_path, mistake, said):
    found = department_problems(tmp_path, DEPARTMENT_GOALS.replace("value: 100%", mistake))
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path}/content/2024/test-dept/department.yaml:16: 警告：字段 goals.indicators[0]")
    assert said in found[0]


@pytest.mark.parametrize(("mistake", "said"), [
    ("value: 100%, weight: 10分", "goals.indicators[0].groups[0].indicators[0].weight（权重）：找到 “10分”（文字），应为分值"),
    ("value: 100%, core: ★", "core（核心指标）：找到 “★”（文字），应为 true 或 false（是否核心指标）；文件所印的标注（如“★”“★★★”）请写在 core_mark"),
])
def test_department_indicator_fields_say_what_fits_them(tmp_path, mistake, said):
    found = department_problems(tmp_path, DEPARTMENT_GOALS.replace("value: 100%", mistake))
    assert len(found) == 1 and ":16: 错误：字段 " in found[0] and said in found[0], found
    assert "金额" not in found[0]


def test_department_records_checked_clean_and_their_slips_named(tmp_path):
    assert department_problems(tmp_path / "a", DEPARTMENT_GOALS) == []
    no_unit = department_problems(tmp_path / "b", DEPARTMENT_GOALS.replace("unit: 万元\n", ""))
    assert len(no_unit) == 1 and "字段 funding：部门整体资金没有金额单位：请写 unit（金额单位）" in no_unit[0]
    short_row = department_problems(tmp_path / "c", DEPARTMENT_GOALS.replace("[编纂, 完成年鉴]", "[编纂, 完成年鉴, 11]"))
    assert len(short_row) == 1 and ":10: 警告：字段 goals.duties.rows[0]：“年度履职目标”第 1 行有 3 格" in short_row[0]
    misplaced = department_problems(tmp_path / "d", DEPARTMENT_GOALS.replace("goals:\n", "indicators: []\ngoals:\n"))
    assert len(misplaced) == 1 and "不认识的字段“indicators”。这一栏在本记录中写在 goals 下：goals.indicators" in misplaced[0]
    bad_label = department_problems(tmp_path / "e", DEPARTMENT_GOALS.replace("{description:", "{explain:"))
    assert len(bad_label) == 1 and "goals.indicator_labels.explain" in bad_label[0]
    assert "level1、level2、name" in bad_label[0] and " or " not in bad_label[0]


def test_not_given_marks_are_kept_and_not_summed():
    table = FundingTable.model_validate({"title": "资金", "total": "10", "sources": [
        {"name": "财政资金", "amount": 10}, {"name": "其他资金", "amount": "—"}, {"name": "自筹", "amount": "无"}]})
    assert table.sources[1].amount == "—" and isinstance(table.sources[1].amount, NotGiven)
    assert list(validate.funding_levels_add_up((table,))) == []


def test_nested_funding_sums_per_level():
    table = FundingTable.model_validate({"title": "资金来源", "total": 1800, "sources": [
        {"name": "小计", "amount": 1800, "children": [{"name": "市本级", "amount": 800}, {"name": "中央及自治区补助", "amount": 1000}]},
    ]})
    assert list(validate.funding_levels_add_up((table,))) == []
    wrong = table.model_copy(update={"sources": (table.sources[0].model_copy(update={"children": (
        table.sources[0].children[0], table.sources[0].children[1].model_copy(update={"amount": Decimal(900)}))}),)})
    found = [m for _, m in validate.funding_levels_add_up((wrong,))]
    assert found == ["“资金来源”中“小计”的下一级各项之和 1,700 与其金额 1,800 不一致"]


def test_scores_beyond_weight_and_totals_that_do_not_add_up():
    good = Evaluation.model_validate(yamlio.parse(EVALUATION))
    assert list(validate.scores_add_up(good)) == []
    data = yamlio.parse(EVALUATION)
    data["indicators"][0]["groups"][0]["indicators"][0]["score"] = 12
    data["total"]["score"] = 20
    found = [m for _, m in validate.scores_add_up(Evaluation.model_validate(data))]
    assert found == ["指标“司法协理员数量”得分 12 超过分值 10", "各项得分之和 21 与总分得分 20 不一致"]


def test_project_page_shows_target_and_actual_side_by_side(tmp_path):
    make_content(tmp_path, PROJECT.replace("name: 测试项目", "code: TEST-001\nname: 测试项目"))
    (tmp_path / "content/2024/test-dept/ziping.yaml").write_text(EVALUATION, encoding="utf-8")
    site = build_into(tmp_path / "content", tmp_path / "public")
    page = soup(site, "2024/test-dept/test-project/index.html")
    table = page.find("table", id="indicators")
    heads = [text(th) for th in table.find("thead").find_all("th")]
    assert heads[2:] == ["三级指标", "指标值", "实际完成值", "权重（分值）", "得分", "偏差原因分析及改进措施"]
    row = next(tr for tr in table.find_all("tr") if "司法协理员数量" in text(tr))
    assert text(row).endswith("司法协理员数量 24 人 23 人 10 8 一人离职，已补招")
    assert page.find("a", href="../ziping/index.html") is not None
    evaluation = soup(site, "2024/test-dept/ziping/index.html")
    assert evaluation.find("a", href="../test-project/index.html") is not None
    assert "已自评" in text(soup(site, "2024/test-dept/index.html").find("table", id="projects"))


def test_core_indicators_carry_their_printed_star_and_weight(tmp_path):
    record = PROJECT.replace("value: 24 人", "value: 24 人\n            core: true\n            core_mark: ★★★\n            weight: 10")
    record = record.replace('value: ">90%"', 'value: ">90%"\n            core: true')
    site = build_into(make_content(tmp_path, record).parents[2], tmp_path / "public")
    table = soup(site, "2024/test-dept/test-project/index.html").find("table", id="indicators")
    assert [text(th) for th in table.find("thead").find_all("th")][-1] == "权重（分值）"
    marks = {text(abbr.parent).split()[0]: (text(abbr), abbr["title"]) for abbr in table.select("abbr.core")}
    assert marks == {"司法协理员数量": ("★★★", "核心指标"), "群众满意度": ("★", "核心指标")}  # no mark printed: ★
    row = next(tr for tr in table.find_all("tr") if "司法协理员数量" in text(tr))
    assert text(row).endswith("司法协理员数量 ★★★ 24 人 10")


def test_markdown_tables_render_without_raw_html():
    html = MARKDOWN.render("| 部门职能 | 目标 |\n| --- | --- |\n| 编纂 | <b>x</b> |\n")
    assert "<table>" in html and "<th>部门职能</th>" in html and "&lt;b&gt;" in html and "<b>" not in html


@pytest.mark.parametrize("kind", ["transfer", "evaluation"])
def test_new_skeleton_fails_until_filled_then_passes(tmp_path, kind):
    make_content(tmp_path)
    content = tmp_path / "content"
    assert run_cli("new", kind, f"2024/test-dept/new-{kind}", "--content", content).returncode == 0
    path = content / "2024" / "test-dept" / f"new-{kind}.yaml"
    assert path.read_text(encoding="utf-8").startswith(f"# yaml-language-server: $schema=../../../docs/schema/{kind}.schema.json")
    assert run_cli("check", "--content", content).returncode == 1
    path.write_text(path.read_text(encoding="utf-8").replace("请填写", "已填写"), encoding="utf-8")
    result = run_cli("check", "--content", content)
    assert result.returncode == 0, result.stderr


def head(table) -> list[list[tuple[str, int, int]]]:
    return [[(c.label, c.colspan, c.rowspan) for c in row] for row in table.header]


def test_headings_printed_over_several_columns_make_a_second_head_row():
    data = yamlio.parse(EVALUATION)
    data["indicator_groups"] = [{"label": "绩效指标", "columns": ["level1", "level2", "name"]},
                                {"label": "年度指标值", "columns": ["value"]}]
    table = tables.indicators_of(Evaluation.model_validate(data))
    assert head(table) == [
        [("绩效指标", 3, 1), ("年度指标值", 1, 1), ("实际完成值", 1, 2), ("权重（分值）", 1, 2), ("得分", 1, 2),
         ("偏差原因分析及改进措施", 1, 2)],
        [("一级指标", 1, 1), ("二级指标", 1, 1), ("三级指标", 1, 1), ("指标值", 1, 1)],
    ]
    assert [c.scope for c in table.header[0][:2]] == ["colgroup", "col"]
    assert table.stacked == (["年度指标值 · 指标值", "实际完成值", "权重（分值）", "得分",
                              "偏差原因分析及改进措施"], "绩效指标 · 三级指标", ("绩效指标 · 一级指标", "绩效指标 · 二级指标"))
    assert sum(c.colspan for c in table.header[0]) == table.width


def test_paired_periods_and_groups_stack_in_three_rows():
    tree = [{"level1": "产出指标", "groups": [{"level2": "数量指标", "indicators": [
        {"name": "甲", "value": "1", "unit": "个", "period": "midterm"}, {"name": "乙", "value": "2", "unit": "个"}]}]}]
    project = Project.model_validate({"name": "x", "unit": "万元", "amount": 1, "indicators": tree,
                                      "indicator_groups": [{"label": "指标值", "columns": ["value", "unit"]}]})
    assert head(tables.indicators_of(project)) == [
        [("一级指标", 1, 3), ("二级指标", 1, 3), ("中期指标", 3, 1), ("年度指标", 3, 1)],
        [("三级指标", 1, 2), ("指标值", 2, 1), ("三级指标", 1, 2), ("指标值", 2, 1)],
        [("指标值", 1, 1), ("度量单位", 1, 1), ("指标值", 1, 1), ("度量单位", 1, 1)],
    ]
    plain = head(tables.indicators_of(project.model_copy(update={"indicator_groups": ()})))
    assert plain == [[("一级指标", 1, 2), ("二级指标", 1, 2), ("中期指标", 3, 1), ("年度指标", 3, 1)],
                     [("三级指标", 1, 1), ("指标值", 1, 1), ("度量单位", 1, 1)] * 2]
    # On a phone each cell is named with every heading over it; the name cell names its own period.
    cells, row, levels = tables.indicators_of(project).stacked
    assert cells == ["中期指标 · 指标值 · 指标值", "中期指标 · 指标值 · 度量单位", "年度指标 · 指标值 · 指标值",
                     "年度指标 · 指标值 · 度量单位"]
    assert (row, levels) == ("三级指标", ("一级指标", "二级指标"))
    plain_cells, _, _ = tables.indicators_of(project.model_copy(update={"indicator_groups": ()})).stacked
    assert plain_cells == ["中期指标 · 指标值", "中期指标 · 度量单位", "年度指标 · 指标值", "年度指标 · 度量单位"]


@pytest.mark.parametrize(("columns", "said"), [
    (["value", "basis"], "跨栏标题“年度指标值”所跨的 basis（指标值设定依据） 不是本表的栏目"),
    (["name", "actual"], "跨栏标题“年度指标值”所跨的各栏在表中不相邻（表中这一段的栏目依次是 name、value、actual），请只写相邻的栏"),
])
def test_a_heading_over_columns_that_do_not_stand_together_is_named(tmp_path, columns, said):
    record = EVALUATION + f"indicator_groups:\n  - label: 年度指标值\n    columns: {columns}\n".replace("'", "")
    make_content(tmp_path, record, "ziping.yaml")
    found = [str(p) for p in validate.check_site(load_content(tmp_path / "content").site) if not p.file.endswith("site.yaml")]
    assert len(found) == 1 and "ziping.yaml:25: 警告：字段 indicator_groups[0].columns：" in found[0] and said in found[0], found


@pytest.mark.parametrize(("key", "meant"), [("年度指标值", "value"), ("分值", "weight"), ("实际完成值", "actual")])
def test_a_column_heading_written_as_a_key_is_pointed_to_its_field(tmp_path, key, meant):
    record = EVALUATION.replace("actual: 23 人", f"{key}: 23 人" if meant == "actual" else f"actual: 23 人, {key}: 1")
    found = problems(tmp_path, record, "ziping.yaml")
    assert any(f"不认识的字段“{key}”，您是不是想写“{meant}”？" in f for f in found), found
