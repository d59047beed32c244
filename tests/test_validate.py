"""Warnings for inconsistent figures: one test per rule (generator/validate.py)."""

from decimal import Decimal

from factory import PROJECT, make_content, run_cli

from generator import validate
from generator.load import load_content
from generator.model import Department, Edition, Project

TREE = [
    {"level1": "产出指标", "groups": [{"level2": "数量指标", "indicators": [{"name": "数量", "value": "24 人"}]}]},
    {"level1": "效益指标", "groups": [{"level2": "社会效益指标", "indicators": [{"name": "效益", "value": "提升"}]}]},
    {"level1": "满意度指标", "groups": [{"level2": "满意度", "indicators": [{"name": "满意", "value": "≥90%"}]}]},
]


def project(**fields) -> Project:
    base = {"name": "甲", "unit": "万元", "amount": Decimal("10"), "indicators": TREE}
    return Project.model_validate(base | fields)


def messages(rule, record) -> list[str]:
    return [message for _, message in rule(record)]


def test_clean_project_has_no_findings():
    assert validate.check_project(project()) == []


def test_cost_lines_not_adding_up_to_table_total():
    table = {"title": "项目概算", "total": Decimal("10"), "lines": [{"name": "a", "amount": Decimal("6")}, {"name": "b", "amount": Decimal("3")}]}
    found = messages(validate.cost_tables_add_up, project(cost_tables=[table]))
    assert any("明细合计 9 与所印合计 10 不一致" in m for m in found)


def test_cost_lines_not_adding_up_to_budget():
    table = {"title": "项目概算", "lines": [{"name": "a", "amount": Decimal("6")}]}
    found = messages(validate.cost_tables_add_up, project(cost_tables=[table]))
    assert found == ["“项目概算”合计 6 万元 与本年度预算 10 万元 不一致"]


def test_empty_cost_table_is_not_compared():
    assert messages(validate.cost_tables_add_up, project(cost_tables=[{"title": "对下项目测算表", "total": Decimal("0.00")}])) == []


def test_funding_sources_not_adding_up():
    table = {"title": "项目资金来源", "total": Decimal("10"), "sources": [{"name": "财政资金", "amount": Decimal("8")}, {"name": "其他资金"}]}
    found = messages(validate.funding_adds_up, project(funding=[table]))
    assert found == ["“项目资金来源”各来源之和 8 与合计 10 不一致"]


def test_annual_funding_total_differs_from_budget():
    table = {"title": "预算", "total": Decimal("12"), "sources": [{"name": "财政资金", "amount": Decimal("12")}]}
    assert messages(validate.funding_adds_up, project(funding=[table])) == ["“预算”合计 12 与本年度预算 10 不一致"]


def test_spending_plan_not_cumulative():
    steps = [{"label": "3月底", "percent": 30}, {"label": "6月底", "percent": 20}, {"label": "12月底", "percent": 100}]
    found = messages(validate.spending_plan_cumulative, project(spending_plan={"steps": steps}))
    assert found == ["支出进度应逐期累计，但“6月底”的 20% 小于上一期的 30%"]


def test_spending_plan_not_ending_at_100():
    steps = [{"label": "6月底", "percent": 50}, {"label": "12月底", "percent": 90}]
    assert messages(validate.spending_plan_cumulative, project(spending_plan={"steps": steps})) == [
        "支出计划应在最后一期达到 100%，实际为 90%"
    ]


def test_yearly_plan_not_adding_up_to_total():
    steps = [{"label": "2021", "amount": 5}, {"label": "2022", "amount": 10}]
    found = messages(validate.spending_plan_totals, project(total_amount=Decimal(20), spending_plan={"steps": steps}))
    assert found == ["分年度金额之和 15 与项目总金额 20 不一致"]


def test_missing_indicator_categories():
    found = messages(validate.indicator_categories, project(indicators=TREE[:1]))
    assert found == ["缺少效益、满意度指标"]


def test_older_layout_categories_count():
    tree = [
        {"level1": "产出目标", "groups": [{"level2": "数量", "indicators": [{"name": "a", "value": "1"}]}]},
        {"level1": "效果目标", "groups": [{"level2": "满意度", "indicators": [{"name": "b", "value": "95%"}]}]},
    ]
    assert messages(validate.indicator_categories, project(indicators=tree)) == []


def test_quantitative_kind_without_number():
    tree = [{"level1": "产出指标", "groups": [{"level2": "质量", "indicators": [{"name": "提升", "value": "提升质量", "kind": "定量指标"}]}]}]
    assert messages(validate.quantitative_values, project(indicators=tree)) == ["指标“提升”标为定量指标，但指标值（value）“提升质量”不是数值"]


def test_value_with_only_a_unit():
    tree = [{"level1": "满意度指标", "groups": [{"level2": "满意度", "indicators": [{"name": "满意", "value": "%"}]}]}]
    assert messages(validate.quantitative_values, project(indicators=tree)) == ["指标“满意”的指标值（value）“%”只有单位，缺少数字"]


def test_vacuous_floor():
    tree = [{"level1": "产出指标", "groups": [{"level2": "数量", "indicators": [{"name": "宣传", "value": "≥0%"}]}]}]
    assert "没有约束力" in messages(validate.quantitative_values, project(indicators=tree))[0]


def test_empty_value():
    tree = [{"level1": "产出指标", "groups": [{"level2": "数量", "indicators": [{"name": "空", "value": ""}]}]}]
    assert messages(validate.quantitative_values, project(indicators=tree)) == ["指标“空”没有指标值（value）"]


def test_lower_is_better_rate_with_high_ceiling():
    tree = [{"level1": "产出指标", "groups": [{"level2": "质量", "indicators": [{"name": "系统故障率", "value": "≤95%"}]}]}]
    assert "偏高" in messages(validate.negative_rate_targets, project(indicators=tree))[0]
    tree[0]["groups"][0]["indicators"][0]["value"] = "≤5%"
    assert messages(validate.negative_rate_targets, project(indicators=tree)) == []


def test_prior_year_balance_inconsistent():
    prior = {"budget": Decimal("150.00"), "spent": Decimal("150.00"), "balance": Decimal("150.00")}
    found = messages(validate.prior_year_balance, project(prior_year=prior))
    assert found == ["上年度结余 150.00 不等于预算 150.00 减实际使用 150.00（应为 0.00）"]


def test_prior_year_usage_rate_inconsistent():
    prior = {"budget": Decimal("65"), "spent": Decimal("62.21"), "balance": Decimal("2.79"), "usage_rate": Decimal("90")}
    assert "资金使用率" in messages(validate.prior_year_balance, project(prior_year=prior))[0]
    prior["usage_rate"] = Decimal("95.7")
    assert messages(validate.prior_year_balance, project(prior_year=prior)) == []


def test_total_smaller_than_budget():
    assert messages(validate.amounts_ordered, project(total_amount=Decimal(5))) == ["项目总金额 5 小于本年度预算 10"]


def test_negative_balance_is_a_warning():
    prior = {"budget": Decimal("10"), "spent": Decimal("12"), "balance": Decimal("-2")}
    assert messages(validate.negative_balance, project(prior_year=prior)) == ["上年度结余为负数（-2），即超支，请核对"]
    prior["balance"] = Decimal("0")
    assert messages(validate.negative_balance, project(prior_year=prior)) == []


def test_duplicate_codes_in_an_edition():
    first = project(code="315-0405").model_copy(update={"path": "a.yaml"})
    second = project(code="315-0405").model_copy(update={"path": "b.yaml"})
    department = Department(name="部门").model_copy(update={"projects": (first, second)})
    edition = Edition(year=2024).model_copy(update={"departments": (department,)})
    found = list(validate.duplicate_codes(edition))
    assert len(found) == 1 and found[0].file == "b.yaml" and "a.yaml" in found[0].message


def test_duplicate_numbers_in_a_department():
    first = project(number=1).model_copy(update={"path": "a.yaml"})
    second = project(number=1).model_copy(update={"path": "b.yaml"})
    department = Department(name="部门").model_copy(update={"projects": (first, second)})
    assert [p.file for p in validate.duplicate_numbers(department)] == ["b.yaml"]


def test_column_group_over_a_missing_or_separated_column():
    fits = [{"label": "绩效指标", "columns": ["level1", "level2", "name"]}, {"label": "年度指标值", "columns": ["value"]}]
    assert messages(validate.column_groups_fit, project(indicator_groups=fits)) == []
    apart = [{"label": "x", "columns": ["level1", "value"]}, {"label": "y", "columns": ["unit"]}, {"label": "z", "columns": ["value"]}]
    assert messages(validate.column_groups_fit, project(indicator_groups=apart)) == [
        "跨栏标题“x”所跨的各栏在表中不相邻（表中这一段的栏目依次是 level1、level2、name、value），请只写相邻的栏",
        "跨栏标题“y”所跨的 unit（度量单位） 不是本表的栏目：没有指标填写这一栏，indicator_labels 也没有它",
        "“value”已在跨栏标题“x”之下，一栏只能在一个跨栏标题之下",
    ]


RULE_TESTS = {
    validate.cost_tables_add_up: [test_cost_lines_not_adding_up_to_table_total, test_cost_lines_not_adding_up_to_budget],
    validate.funding_adds_up: [test_funding_sources_not_adding_up, test_annual_funding_total_differs_from_budget],
    validate.spending_plan_cumulative: [test_spending_plan_not_cumulative, test_spending_plan_not_ending_at_100],
    validate.spending_plan_totals: [test_yearly_plan_not_adding_up_to_total],
    validate.indicator_categories: [test_missing_indicator_categories],
    validate.quantitative_values: [test_quantitative_kind_without_number, test_value_with_only_a_unit, test_vacuous_floor],
    validate.negative_rate_targets: [test_lower_is_better_rate_with_high_ceiling],
    validate.prior_year_balance: [test_prior_year_balance_inconsistent, test_prior_year_usage_rate_inconsistent],
    validate.amounts_ordered: [test_total_smaller_than_budget],
    validate.negative_balance: [test_negative_balance_is_a_warning],
    validate.column_groups_fit: [test_column_group_over_a_missing_or_separated_column],
}


def test_every_rule_has_a_test():
    assert set(RULE_TESTS) == set(validate.PROJECT_RULES)


def test_warning_is_located_and_strict_fails(tmp_path):
    make_content(tmp_path, PROJECT.replace('value: ">90%"', 'value: "%"'))
    site = load_content(tmp_path / "content").site
    (warning,) = [w for w in validate.check_site(site) if w.file.endswith("test-project.yaml")]
    assert warning.line == 22 and warning.field == "indicators[2].groups[0].indicators[0].value"
    assert run_cli("check", "--content", tmp_path / "content").returncode == 0
    strict = run_cli("check", "--content", tmp_path / "content", "--strict")
    assert strict.returncode == 1 and "test-project.yaml:22: 警告" in strict.stderr


def test_empty_site_facts_are_warned_about(tmp_path):
    """主办单位, 网站标识码 and ICP belong in every page's footer; base_url decides the 404 page's links."""
    make_content(tmp_path)
    (tmp_path / "content" / "site.yaml").write_text("name: 测试站点\norganizer: 测试县财政局\nicp: \"  \"\n", encoding="utf-8")
    site = load_content(tmp_path / "content").site
    facts = {w.field: w for w in validate.check_site(site) if w.file.endswith("site.yaml")}
    assert set(facts) == {"site_code", "icp", "base_url"}
    assert facts["icp"].line == 3 and "ICP 备案号" in facts["icp"].message
    assert "docs/hosting.md" in facts["base_url"].message
    result = run_cli("check", "--content", tmp_path / "content")
    assert result.returncode == 0 and "site.yaml:3: 警告：字段 icp" in result.stderr
