"""Check loaded content for inconsistencies the sources really contain.

A disclosure publishes what was approved, so these are warnings, never fixes:
the figures stay as printed and the publisher decides. Each rule is a small
function from a record to findings `(field path, message)`; `check_site`
locates each finding's line in its file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from .kept import NOTHING, Kept, kept_as_is
from .model import (
    Department,
    DepartmentGoals,
    Edition,
    Evaluation,
    FundingSource,
    FundingTable,
    Indicator,
    Project,
    Site,
    Transfer,
    given,
)
from .money import format_number
from .problems import Problem, field_path, locate
from .tables import INDICATOR_LABELS, LEVELS, indicators_of

Finding = tuple[list[str | int], str]
ProjectRule = Callable[[Project], Iterator[Finding]]


fmt = format_number  # short name: a message quotes the digits as the publisher typed them


def cost_tables_add_up(project: Project) -> Iterator[Finding]:
    """Warn when cost lines do not add up to their table's total or to the budget."""
    for t, table in enumerate(project.cost_tables):
        amounts = [line.amount for line in table.lines if line.amount is not None]
        if not amounts:
            continue
        lines_sum = sum(amounts, Decimal(0))
        if table.total is not None and lines_sum != table.total:
            yield (["cost_tables", t, "total"],
                   f"“{table.title}”明细合计 {fmt(lines_sum)} 与所印合计 {fmt(table.total)} 不一致")
        printed = table.total if table.total is not None else lines_sum
        if printed != project.amount:
            yield (["cost_tables", t, "lines"],
                   f"“{table.title}”合计 {fmt(printed)} {project.unit} 与本年度预算 {fmt(project.amount)} {project.unit} 不一致")


def funding_adds_up(project: Project | Transfer) -> Iterator[Finding]:
    """Warn when funding sources do not add up to their total, or an annual total differs from the budget."""
    yield from funding_levels_add_up(project.funding)
    for f, table in enumerate(project.funding):
        printed = given(table.total)
        if table.period == "annual" and printed is not None and printed != project.amount:
            yield (["funding", f, "total"],
                   f"“{table.title}”{table.total_label} {fmt(printed)} 与本年度预算 {fmt(project.amount)} 不一致")


def funding_levels_add_up(tables: tuple[FundingTable, ...]) -> Iterator[Finding]:
    """Warn when the lines of one level do not add up to the line above them (a 小计 to its children, too)."""
    for f, table in enumerate(tables):
        numbers = [a for a in map(given, (s.amount for s in table.sources)) if a is not None]
        printed = given(table.total)
        if printed is not None and numbers and sum(numbers, Decimal(0)) != printed:
            yield (["funding", f, "total"],
                   f"“{table.title}”各来源之和 {fmt(sum(numbers, Decimal(0)))} 与{table.total_label} {fmt(printed)} 不一致")
        yield from children_add_up(["funding", f, "sources"], table.title, table.sources)


def children_add_up(loc: list[str | int], title: str, lines: tuple[FundingSource, ...]) -> Iterator[Finding]:
    """Compare each line that has lines of its own with their sum, level by level."""
    for i, line in enumerate(lines):
        numbers = [a for a in map(given, (c.amount for c in line.children)) if a is not None]
        printed = given(line.amount)
        if printed is not None and numbers and sum(numbers, Decimal(0)) != printed:
            yield ([*loc, i, "amount"],
                   f"“{title}”中“{line.name}”的下一级各项之和 {fmt(sum(numbers, Decimal(0)))} 与其金额 {fmt(printed)} 不一致")
        yield from children_add_up([*loc, i, "children"], title, line.children)


def spending_plan_cumulative(project: Project) -> Iterator[Finding]:
    """Warn when a percentage plan goes down or does not end at 100 %."""
    plan = project.spending_plan
    if plan is None or not plan.cumulative:
        return
    percents = [(i, s.percent) for i, s in enumerate(plan.steps) if s.percent is not None]
    for (_, before), (i, after) in pairwise(percents):
        if after < before:
            yield (["spending_plan", "steps", i, "percent"],
                   f"支出进度应逐期累计，但“{plan.steps[i].label}”的 {fmt(after)}% 小于上一期的 {fmt(before)}%")
    last_index, last = percents[-1]
    if last != 100:
        yield (["spending_plan", "steps", last_index, "percent"], f"支出计划应在最后一期达到 100%，实际为 {fmt(last)}%")


def spending_plan_totals(project: Project) -> Iterator[Finding]:
    """Warn when yearly amounts of a plan do not add up to the project total."""
    plan = project.spending_plan
    if plan is None or plan.cumulative or project.total_amount is None:
        return
    amounts = [s.amount for s in plan.steps if s.amount is not None]
    if amounts and sum(amounts, Decimal(0)) != project.total_amount:
        yield (["spending_plan", "steps"],
               f"分年度金额之和 {fmt(sum(amounts, Decimal(0)))} 与项目总金额 {fmt(project.total_amount)} 不一致")


def indicator_categories(project: Project) -> Iterator[Finding]:
    """Warn when a project lacks 产出, 效益 or 满意度 indicators."""
    titles = [level1.title for level1 in project.indicators]
    titles += [level2.title for level1 in project.indicators for level2 in level1.groups if level2.indicators]
    wanted = {"产出": ("产出",), "效益": ("效益", "效果"), "满意度": ("满意",)}
    missing = [name for name, marks in wanted.items() if not any(m in t for t in titles for m in marks)]
    if missing:
        yield (["indicators"], f"缺少{'、'.join(missing)}指标")


def indicator_values(record: Project | Transfer | Evaluation | DepartmentGoals) -> Iterator[tuple[list[str | int], Indicator]]:
    """Yield each indicator with the field path of its value."""
    for a, level1 in enumerate(record.indicators):
        for b, level2 in enumerate(level1.groups):
            for c, indicator in enumerate(level2.indicators):
                yield ["indicators", a, "groups", b, "indicators", c, "value"], indicator


def value_label(record: Project | Transfer | Evaluation | DepartmentGoals) -> str:
    """Return the heading the record's form prints over its values (目标值, 指标值…), to name the field as printed."""
    return record.indicator_labels.get("value") or "指标值"


def quantitative_values(record: Project | Transfer | Evaluation | DepartmentGoals) -> Iterator[Finding]:
    """Warn when an indicator marked 定量 has no number, or a value is empty."""
    label = value_label(record)
    for loc, ind in indicator_values(record):
        if not ind.value.strip():
            yield loc, f"指标“{ind.name}”没有{label}（value）"
        elif not any(ch.isdigit() for ch in ind.value) and ind.value.strip(" ≥≤=<>＞＜≧≦") in UNITS:
            yield loc, f"指标“{ind.name}”的{label}（value）“{ind.value}”只有单位，缺少数字"
        elif ind.comparison in ("≥", ">") and ind.number == 0 and ind.measure in ("%", "％"):
            yield loc, f"指标“{ind.name}”的{label}（value）“{ind.value}”没有约束力（任何结果都满足），请核对"
        elif ind.kind and "定量" in ind.kind and not ind.quantitative:
            yield loc, f"指标“{ind.name}”标为{ind.kind}，但{label}（value）“{ind.value}”不是数值"


def column_groups_fit(record: Project | Transfer | Evaluation | DepartmentGoals) -> Iterator[Finding]:
    """Warn when a heading printed over several columns names a column the table lacks, or columns apart."""
    table = indicators_of(record)
    printed = [*LEVELS, *(c.key for c in table.columns)]
    owner: dict[str, str] = {}
    for g, group in enumerate(record.indicator_groups):
        loc: list[str | int] = ["indicator_groups", g, "columns"]
        missing = [key for key in group.columns if key not in printed]
        if missing:
            names = "、".join(f"{key}（{record.indicator_labels.get(key) or INDICATOR_LABELS[key]}）" for key in missing)
            yield loc, (f"跨栏标题“{group.label}”所跨的 {names} 不是本表的栏目："
                        "没有指标填写这一栏，indicator_labels 也没有它")
        places = sorted(printed.index(key) for key in group.columns if key in printed)
        if places and places != list(range(places[0], places[0] + len(places))):
            order = "、".join(printed[places[0]:places[-1] + 1])
            yield loc, f"跨栏标题“{group.label}”所跨的各栏在表中不相邻（表中这一段的栏目依次是 {order}），请只写相邻的栏"
        for key in group.columns:
            if key in owner:
                yield loc, f"“{key}”已在跨栏标题“{owner[key]}”之下，一栏只能在一个跨栏标题之下"
            owner.setdefault(key, group.label)


# Words that make a rate "lower is better": a target for such a rate should be a
# low ceiling, so "故障率 ≤95%" or "再犯罪率 ≥90%" is almost certainly a slip.
NEGATIVE_WORDS = ("故障", "差错", "投诉", "犯罪", "违法", "脱管", "事故", "失误", "漏管")
NEGATIONS = ("无", "零", "未", "不", "减少", "降低", "控制")


def is_negative_rate(name: str) -> bool:
    """Return whether an indicator names a rate where lower is better (故障率, 再犯罪率)."""
    return name.endswith("率") and any(w in name for w in NEGATIVE_WORDS) and not any(n in name for n in NEGATIONS)


def negative_rate_targets(record: Project | Transfer | Evaluation | DepartmentGoals) -> Iterator[Finding]:
    """Warn when a lower-is-better rate has a floor, or a ceiling of 50 % or more."""
    label = value_label(record)
    for loc, ind in indicator_values(record):
        if not is_negative_rate(ind.name) or ind.number is None or ind.measure not in ("%", "％"):
            continue
        if ind.comparison in ("≥", ">"):
            yield loc, f"“{ind.name}”是越低越好的比率，{label}（value）却是下限“{ind.value}”，请核对"
        elif ind.number >= 50:
            yield loc, f"“{ind.name}”是越低越好的比率，{label}（value）“{ind.value}”偏高，请核对"


UNITS = frozenset({"", "%", "％", "元", "万元", "人", "件", "个", "次", "天", "户", "人次"})


def prior_year_balance(project: Project) -> Iterator[Finding]:
    """Warn when last year's balance is not budget minus spending, or the rate is off."""
    prior = project.prior_year
    if prior is None or prior.budget is None or prior.spent is None:
        return
    if prior.balance is not None and prior.budget - prior.spent != prior.balance:
        yield (["prior_year", "balance"],
               f"上年度结余 {fmt(prior.balance)} 不等于预算 {fmt(prior.budget)} 减实际使用 {fmt(prior.spent)}"
               f"（应为 {fmt(prior.budget - prior.spent)}）")
    if prior.usage_rate is not None and prior.budget:
        exact = prior.spent / prior.budget * 100
        places = max(-prior.usage_rate.as_tuple().exponent, 0)  # type: ignore[operator]
        if abs(exact - prior.usage_rate) > Decimal(1).scaleb(-places) / 2 + Decimal("0.05"):
            yield (["prior_year", "usage_rate"],
                   f"资金使用率 {fmt(prior.usage_rate)}% 与实际使用 / 预算（{exact:.2f}%）不一致")


def amounts_ordered(project: Project) -> Iterator[Finding]:
    """Warn when the multi-year total is smaller than this year's budget."""
    if project.total_amount is not None and project.total_amount < project.amount:
        yield ["total_amount"], f"项目总金额 {fmt(project.total_amount)} 小于本年度预算 {fmt(project.amount)}"


def negative_balance(project: Project) -> Iterator[Finding]:
    """Warn about a negative balance: the one amount a form may print below zero (bounds.py refuses the rest)."""
    prior = project.prior_year
    if prior is not None and prior.balance is not None and prior.balance < 0:
        yield ["prior_year", "balance"], f"上年度结余为负数（{fmt(prior.balance)}），即超支，请核对"


PROJECT_RULES: tuple[ProjectRule, ...] = (
    cost_tables_add_up,
    funding_adds_up,
    spending_plan_cumulative,
    spending_plan_totals,
    indicator_categories,
    quantitative_values,
    column_groups_fit,
    negative_rate_targets,
    prior_year_balance,
    amounts_ordered,
    negative_balance,
)


def scores_add_up(evaluation: Evaluation) -> Iterator[Finding]:
    """Warn when a score exceeds its weight, or the scores or weights do not add up to the printed total."""
    scored: list[tuple[list[str | int], str, Decimal | None, Decimal | None]] = [
        (["execution", i], f"“{line.name}”", given(line.weight), given(line.score)) for i, line in enumerate(evaluation.execution)
    ]
    scored += [(loc[:-1], f"指标“{ind.name}”", ind.weight, ind.score) for loc, ind in indicator_values(evaluation)]
    for loc, what, weight, score in scored:
        if weight is not None and score is not None and score > weight:
            yield [*loc, "score"], f"{what}得分 {fmt(score)} 超过分值 {fmt(weight)}"
    total = evaluation.total
    if total is None:
        return
    for field, name, printed in (("score", "得分", total.score), ("weight", "分值", total.weight)):
        parts = [item[2 if field == "weight" else 3] for item in scored]
        numbers = [p for p in parts if p is not None]
        if printed is not None and numbers and sum(numbers, Decimal(0)) != printed:
            yield (["total", field],
                   f"各项{name}之和 {fmt(sum(numbers, Decimal(0)))} 与{total.label}{'' if field == 'weight' else '得分'} {fmt(printed)} 不一致")


def evaluation_linked(department: Department) -> Iterator[Problem]:
    """Warn when a self-evaluation names a project record that is not in its department."""
    slugs = {p.slug for p in department.projects}
    for evaluation in department.evaluations:
        if evaluation.target and evaluation.target not in slugs:
            yield problem(evaluation.path, ["target"],
                          f"对应的项目记录“{evaluation.target}”不在本部门文件夹中（可用：{'、'.join(sorted(slugs)) or '无'}）")


def department_funding(department: Department) -> Iterator[Problem]:
    """Warn when a department's own funding lines do not add up, or have no unit to be totalled in."""
    path = f"{department.path}/department.yaml"
    for loc, message in funding_levels_add_up(department.funding):
        yield problem(path, loc, message)
    if department.funding and department.unit is None:
        yield problem(path, ["funding"],
                      "部门整体资金没有金额单位：请写 unit（金额单位）: 元 或 万元，否则资金总额不计入年度合计")


def department_goals(department: Department) -> Iterator[Problem]:
    """Check a department's own indicators as a project's are checked, and its 年度履职目标 rows against its columns."""
    goals = department.goals
    if goals is None:
        return
    path = f"{department.path}/department.yaml"
    for rule in GOAL_RULES:
        for loc, message in rule(goals):
            yield problem(path, ["goals", *loc], message)
    duties = goals.duties
    for r, row in enumerate(duties.rows if duties else ()):
        if len(row) != len(duties.columns):
            yield problem(path, ["goals", "duties", "rows", r],
                          f"“{duties.title}”第 {r + 1} 行有 {len(row)} 格，而 columns（各栏标题）有 {len(duties.columns)} 栏；"
                          "空白格请写 \"\"，跨栏的格请在每栏照录")


# Rules that read only funding and indicators apply to transfer tables too; self-evaluations add their scores.
TRANSFER_RULES = (funding_adds_up, quantitative_values, negative_rate_targets, column_groups_fit)
EVALUATION_RULES = (quantitative_values, scores_add_up, column_groups_fit)
# A department's own indicator tree gets the value checks every indicator gets.
GOAL_RULES = (quantitative_values, negative_rate_targets, column_groups_fit)


def duplicate_codes(edition: Edition, kept: Kept = NOTHING) -> Iterator[Problem]:
    """Warn about project codes used twice in one edition.

    Each department's codes are kept with it, so a build does not read every project's table to
    compare them; locating a warning's line parses its file: each is located once, and kept too.
    """
    seen: dict[str, list[tuple[str, Department]]] = defaultdict(list)
    for department in edition.departments:
        for code, path in codes_of(edition, department, kept):
            seen[code].append((path, department))
    for code, found in seen.items():
        for path, department in found[1:]:
            message = f"项目代码 {code} 在 {edition.year} 年度重复（{found[0][0]} 也使用了它）"
            yield kept.get(("code", path), department, lambda p=path, m=message: problem(p, ["code"], m),
                           message, lasting=kept_as_is)


def codes_of(edition: Edition, department: Department, kept: Kept = NOTHING) -> tuple[tuple[str, str], ...]:
    """Return a department's project codes, each with its file (kept with the department)."""
    return kept.get(("codes", edition.year, department.slug), department,
                    lambda: tuple((p.code, p.path) for p in department.projects if p.code), lasting=kept_as_is)


def duplicate_numbers(department: Department) -> Iterator[Problem]:
    """Warn about two projects of a department claiming the same position."""
    seen: dict[int, Project] = {}
    for project in department.projects:
        if project.number is None:
            continue
        if project.number in seen:
            yield problem(project.path, ["number"], f"序号 {project.number} 与 {seen[project.number].path} 重复")
        seen[project.number] = project


def problem(path: str, loc: list[str | int], message: str) -> Problem:
    """Make a located warning for a field of a record file."""
    return Problem("warning", path, message, locate(Path(path), loc), field_path(loc))


def check_project(project: Project) -> list[Problem]:
    """Run every project rule on one project."""
    return [problem(project.path, loc, message) for rule in PROJECT_RULES for loc, message in rule(project)]


# What a government website must show (政府网站发展指引) or needs to be hosted right, and why.
SITE_FACTS: dict[str, str] = {
    "organizer": "未填写主办单位：政府网站须在每页底部注明主办单位",
    "site_code": "未填写网站标识码：政府网站须在每页底部注明网站标识码",
    "icp": "未填写 ICP 备案号：网站须在每页底部注明 ICP 备案号",
    "base_url": "未填写网站正式地址：不生成 sitemap.xml；404 页面的链接按网站位于域名根目录写出，"
                "网站放在子目录下时这些链接会失效（见 docs/hosting.md）",
}


def site_facts(site: Site) -> Iterator[Problem]:
    """Warn about site.yaml settings left empty that every page's footer or the 404 page needs."""
    for name, message in SITE_FACTS.items():
        value = getattr(site, name)
        if value is None or not str(value).strip():
            yield problem(site.path or "site.yaml", [name], message)


def check_site(site: Site, check: Callable[[Project], list[Problem]] = check_project,
               kept: Kept = NOTHING) -> list[Problem]:
    """Run every rule on the whole site; `check` runs the project rules (the build passes a cached one).

    A running preview passes what it kept: an unchanged department's findings are not sought again.
    """
    found: list[Problem] = list(site_facts(site))
    for edition in site.editions:
        found.extend(duplicate_codes(edition, kept))
        for department in edition.departments:
            found.extend(problems_of(edition, department, check, kept))
    return found


def problems_of(edition: Edition, department: Department, check: Callable[[Project], list[Problem]] = check_project,
                kept: Kept = NOTHING) -> list[Problem]:
    """Return what the rules find in one department (kept with it)."""
    return kept.get(("check", edition.year, department.slug), department, lambda: check_department(department, check),
                    lasting=kept_as_is)


def check_department(department: Department, check: Callable[[Project], list[Problem]]) -> list[Problem]:
    """Run the rules of one department and of each of its tables."""
    found = [*duplicate_numbers(department), *department_funding(department), *department_goals(department),
             *evaluation_linked(department)]
    for project in department.projects:
        found.extend(check(project))
    for transfer in department.transfers:
        found.extend(problem(transfer.path, loc, message) for rule in TRANSFER_RULES for loc, message in rule(transfer))
    for evaluation in department.evaluations:
        found.extend(problem(evaluation.path, loc, message) for rule in EVALUATION_RULES for loc, message in rule(evaluation))
    return found
