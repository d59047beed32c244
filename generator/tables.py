"""Lay out record parts as the tables a 绩效目标表 prints.

Templates should only loop; deciding which columns a table has, which cells
merge over several rows and which side of a mid-term / annual pair an
indicator belongs to happens here, in plain functions that tests can call.
Every figure still comes from the model: these layouts only point at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import count

from .model import (
    ColumnGroup,
    CostLine,
    CostTable,
    DepartmentGoals,
    Evaluation,
    FundingSource,
    FundingTable,
    Indicator,
    Level1,
    Level2,
    Project,
    SpendingPlan,
    Transfer,
    iter_indicators,
)
from .urls import indicator_anchor

# --- the indicator table ----------------------------------------------------

# Headings used when a record does not name a column the way its document did.
INDICATOR_LABELS: dict[str, str] = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "operator": "指标性质",
    "value": "指标值",
    "unit": "度量单位",
    "kind": "指标属性",
    "scoring": "评（扣）分标准",
    "description": "指标内容",
    "basis": "指标值设定依据",
    "weight": "权重（分值）",
    "actual": "实际完成值",
    "score": "得分",
    "deviation": "偏差原因分析及改进措施",
}
# The columns after 三级指标, in the order the national layout prints them; a
# self-evaluation adds the actual value, 分值, 得分 and the reason for a deviation.
DETAIL_COLUMNS = ("operator", "value", "unit", "kind", "scoring", "description", "basis", "actual", "weight", "score", "deviation")
# What a self-evaluation adds to a target's row when the project page shows both.
RESULT_FIELDS = ("actual", "score", "deviation")
PERIOD_LABELS = {"midterm": "中期指标", "annual": "年度指标"}
GOAL_LABELS = {"overall": "总体目标", "midterm": "中期目标", "annual": "年度目标"}

# A 基本信息 list longer than this is folded on screen (open in print), so the targets come first.
FOLD_INFO_ROWS = 8

# Beyond this many columns a table is printed on a landscape page.
PORTRAIT_COLUMNS = 6


@dataclass(frozen=True)
class Column:
    """One column of a printed table: the field it shows and its heading."""

    key: str
    label: str


# One heading of a printed column: an identity that merges equal neighbours ("group", 0), its label, a level column's.
Heading = tuple[tuple[object, ...], str, bool]


@dataclass(frozen=True)
class HeaderCell:
    """One heading cell of a table's head: a column's own heading, or one printed over several columns."""

    label: str
    colspan: int = 1
    rowspan: int = 1
    level: bool = False  # a 一级 / 二级 column, styled as the level cells below it

    @property
    def scope(self) -> str:
        """Return the cell's scope: a heading over several columns heads a column group."""
        return "colgroup" if self.colspan > 1 else "col"


@dataclass(frozen=True)
class IndicatorCell:
    """One indicator in a row, with the id a search hit links to."""

    indicator: Indicator
    anchor: str


Side = tuple[IndicatorCell | None, ...]


@dataclass(frozen=True)
class IndicatorRow:
    """One printed row; its 一级 / 二级 cells are printed on the first row they span."""

    level1: Level1
    level2: Level2 | None  # None under a 一级 heading that has no 二级 at all
    first_of_level1: bool
    level1_rows: int
    first_of_level2: bool
    level2_rows: int
    cells: Side  # one per period; None leaves that side blank

    @cached_property  # read two or three times a row by the table macro
    def anchor(self) -> str | None:
        """Return the row's id: its first indicator's anchor (a paired second one goes on its own cell)."""
        for cell in self.cells:
            if cell:
                return cell.anchor
        return None


@dataclass(frozen=True)
class IndicatorTable:
    """The indicator tree laid out with merged 一级 / 二级 cells."""

    level_labels: tuple[str, str]
    columns: tuple[Column, ...]  # the indicator's own columns, repeated per period
    periods: tuple[str, ...]  # ("annual",) or ("midterm", "annual")
    rows: tuple[IndicatorRow, ...]
    groups: tuple[ColumnGroup, ...] = ()  # headings the form prints over neighbouring columns

    @property
    def width(self) -> int:
        """Return the number of printed columns."""
        return 2 + len(self.columns) * len(self.periods)

    @property
    def wide(self) -> bool:
        """Return whether the table needs a landscape page."""
        return self.width > PORTRAIT_COLUMNS

    @property
    def paired(self) -> bool:
        """Return whether mid-term and annual indicators stand side by side."""
        return len(self.periods) > 1

    @property
    def header(self) -> tuple[tuple[HeaderCell, ...], ...]:
        """Return the rows of the table's head: headings over several columns (periods, the form's groups) above their columns'."""
        return header_rows(self.stacks())

    @property
    def stacked(self) -> tuple[list[str], str | None, tuple[str, str]]:
        """Return the column names the stacked (phone) layout shows, each with the headings printed over it.

        As render.stack_labels takes them: each <td> column's headings from the top down ("中期指标 · 指标值",
        "年度指标值 · 指标性质"), the indicator name's (without its period: a paired name cell names its own),
        and the 一级 / 二级 columns'.
        """
        def joined(stack: tuple[Heading, ...], periods: bool = True) -> str:
            return " · ".join(label for ident, label, _ in stack if periods or ident[0] != "period")

        columns = self.stacks()
        keys = [stack[-1][0][1] for stack in columns]
        cells = [joined(stack) for stack, key in zip(columns[2:], keys[2:], strict=True) if key != "name"]
        row = next((joined(stack, periods=False) for stack, key in zip(columns, keys, strict=True) if key == "name"), None)
        return cells, row, (joined(columns[0]), joined(columns[1]))

    def stacks(self) -> list[tuple[Heading, ...]]:
        """Return, per printed column, its headings from the top down, each with an identity that merges equal neighbours."""
        group_of = {key: (g, group.label) for g, group in enumerate(self.groups) for key in group.columns}

        def grouped(key: str) -> tuple[Heading, ...]:
            return (((("group", group_of[key][0]), group_of[key][1], False),) if key in group_of else ())

        stacks = [(*grouped(key), (("col", key), label, True)) for key, label in zip(LEVELS, self.level_labels, strict=True)]
        for period in self.periods:
            above = (((("period", period), PERIOD_LABELS[period], False),) if self.paired else ())
            stacks += [(*above, *grouped(c.key), (("col", c.key, period), c.label, False)) for c in self.columns]
        return stacks


LEVELS = ("level1", "level2")


def header_rows(stacks: list[tuple[Heading, ...]]) -> tuple[tuple[HeaderCell, ...], ...]:
    """Lay out column heading stacks as head rows: equal neighbours merge across, a column's own heading reaches down."""
    depth = max(len(stack) for stack in stacks)
    rows: list[tuple[HeaderCell, ...]] = []
    for r in range(depth):
        row: list[HeaderCell] = []
        i = 0
        while i < len(stacks):
            stack = stacks[i]
            if len(stack) <= r:
                i += 1
                continue
            ident, label, level = stack[r]
            if r == len(stack) - 1:
                row.append(HeaderCell(label, 1, depth - r, level))
                i += 1
                continue
            j = i + 1
            while j < len(stacks) and len(stacks[j]) > r + 1 and stacks[j][: r + 1] == stack[: r + 1]:
                j += 1
            row.append(HeaderCell(label, j - i, 1, level))
            i = j
        rows.append(tuple(row))
    return tuple(rows)


def indicators_of(record: Project | Transfer | Evaluation | DepartmentGoals) -> IndicatorTable:
    """Lay out a record's own indicator tree with the headings its form prints."""
    return indicator_table(record.indicators, record.indicator_labels, record.indicator_groups)


def indicator_table(tree: tuple[Level1, ...], labels: dict[str, str] | None = None,
                    groups: tuple[ColumnGroup, ...] = ()) -> IndicatorTable:
    """Lay out an indicator tree with the columns its indicators actually fill."""
    labels = labels or {}
    indicators = [ind for level1 in tree for level2 in level1.groups for ind in level2.indicators]
    present = {ind.period for ind in indicators}
    periods = tuple(p for p in ("midterm", "annual") if p in present) or ("annual",)
    columns = tuple(Column(key, labels.get(key) or INDICATOR_LABELS[key]) for key in indicator_columns(indicators, labels))
    # Anchors number indicators in tree order, the order search indexes them in.
    position = count(1)
    rows: list[IndicatorRow] = []
    for level1 in tree:
        block = [layout_group(level2, periods, position) for level2 in level1.groups]
        block = block or [[(None, (None,) * len(periods))]]  # a 一级 heading without 二级 is still printed
        level1_rows = sum(len(group) for group in block)
        for g, group in enumerate(block):
            for r, (level2, cells) in enumerate(group):
                rows.append(IndicatorRow(level1, level2, g == 0 and r == 0, level1_rows, r == 0, len(group), cells))
    level_labels = (labels.get("level1") or INDICATOR_LABELS["level1"], labels.get("level2") or INDICATOR_LABELS["level2"])
    return IndicatorTable(level_labels, columns, periods, tuple(rows), groups)


def layout_group(level2: Level2, periods: tuple[str, ...], position: Iterator[int]) -> list[tuple[Level2, Side]]:
    """Return the rows of one 二级 heading: its k-th indicator of each period side by side."""
    cells = [IndicatorCell(ind, indicator_anchor(next(position))) for ind in level2.indicators]
    sides = [[c for c in cells if c.indicator.period == period or len(periods) == 1] for period in periods]
    height = max(len(side) for side in sides) or 1  # an empty 二级 heading is still printed
    return [(level2, tuple(side[k] if k < len(side) else None for side in sides)) for k in range(height)]


def project_indicators(project: Project, evaluation: Evaluation | None = None) -> IndicatorTable:
    """Lay out a project's indicators, with its self-evaluation's results beside the targets when there is one."""
    if evaluation is None:
        return indicators_of(project)
    labels = {**evaluation.indicator_labels, **project.indicator_labels}
    # The target table's shape decides the head: its groups, not the self-evaluation's.
    return indicator_table(with_results(project.indicators, evaluation.indicators), labels, project.indicator_groups)


def with_results(targets: tuple[Level1, ...], results: tuple[Level1, ...]) -> tuple[Level1, ...]:
    """Return the target tree with each indicator's self-evaluated actual value and score beside its target.

    An indicator is matched by its 三级 name under the same 一级 / 二级 titles, or by its name alone
    when the self-evaluation regrouped it; a weight the target did not print is taken from the result.
    """
    by_place = {(a.title, b.title, i.name): i for a, b, i in iter_indicators(results)}
    by_name = {i.name: i for _, _, i in iter_indicators(results)}

    def merged(level1: Level1, level2: Level2, indicator: Indicator) -> Indicator:
        result = by_place.get((level1.title, level2.title, indicator.name)) or by_name.get(indicator.name)
        if result is None:
            return indicator
        update = {key: getattr(result, key) for key in RESULT_FIELDS}
        if indicator.weight is None:
            update["weight"] = result.weight
        return indicator.model_copy(update=update)

    return tuple(
        level1.model_copy(update={"groups": tuple(
            level2.model_copy(update={"indicators": tuple(merged(level1, level2, i) for i in level2.indicators)})
            for level2 in level1.groups
        )})
        for level1 in targets
    )


def indicator_columns(indicators: list[Indicator], labels: dict[str, str]) -> list[str]:
    """Return the indicator's own columns: name, value, and every column filled or named by the record."""
    shown = [key for key in DETAIL_COLUMNS
             if key == "value" or key in labels or any(getattr(ind, key) not in (None, "") for ind in indicators)]
    shown = [key for key in shown if key != "core"]  # ★ is printed beside the name, not in a column
    # A record that names every column it shows gives their printed order too.
    named = [key for key in labels if key in shown]
    return ["name", *(named if len(named) == len(shown) else shown)]


# --- funding, spending plan, cost breakdown ---------------------------------


@dataclass(frozen=True)
class FundingCell:
    """One amount of a funding row: the number (or "—" as printed) and any wording printed beside it."""

    amount: Decimal | str | None
    printed: str | None = None


@dataclass(frozen=True)
class FundingRow:
    """One printed line of funding: its heading, its depth under the total, one cell per table."""

    name: str
    depth: int  # 0 the total, 1 a source, 2 a source's own line …
    cells: tuple[FundingCell, ...]


@dataclass(frozen=True)
class FundingGroup:
    """Funding tables that share their rows, printed as one table with a column each."""

    tables: tuple[FundingTable, ...]

    @property
    def total_label(self) -> str:
        return self.tables[0].total_label

    def rows(self) -> list[FundingRow]:
        """Return the printed lines: the total first, then each source and its own lines, depth first."""
        rows = [FundingRow(self.total_label, 0, tuple(FundingCell(t.total, t.total_printed) for t in self.tables))]
        rows.extend(source_rows([t.sources for t in self.tables], 1))
        return rows


def source_rows(levels: list[tuple[FundingSource, ...]], depth: int) -> Iterator[FundingRow]:
    """Yield the rows of one level of sources (one tuple per table, all of the same shape) and their children."""
    for i, first in enumerate(levels[0]):
        lines = [level[i] for level in levels]
        yield FundingRow(first.name, depth, tuple(FundingCell(line.amount, line.printed) for line in lines))
        if first.children:
            yield from source_rows([line.children for line in lines], depth + 1)


def funding_groups(tables: tuple[FundingTable, ...]) -> list[FundingGroup]:
    """Group consecutive funding tables with the same rows (中期 and 年度 资金来源, for example)."""
    groups: list[list[FundingTable]] = []
    for table in tables:
        if groups and shape(groups[-1][0]) == shape(table):
            groups[-1].append(table)
        else:
            groups.append([table])
    return [FundingGroup(tuple(group)) for group in groups]


def shape(table: FundingTable) -> tuple[object, ...]:
    """Return what decides a funding table's rows: its total's label and its sources' names, nested."""
    return (table.total_label, sources_shape(table.sources))


def sources_shape(sources: tuple[FundingSource, ...]) -> tuple[object, ...]:
    """Return the names of a level of sources with the shape of each one's children."""
    return tuple((source.name, sources_shape(source.children)) for source in sources)


def spending_rows(plan: SpendingPlan) -> list[tuple[str, list[str | Decimal | None]]]:
    """Return the rows of a spending plan (one column per step): percentages, amounts, then extra columns."""
    rows: list[tuple[str, list[str | Decimal | None]]] = []
    if any(step.percent is not None for step in plan.steps):
        rows.append(("累计支出进度（%）", [step.percent for step in plan.steps]))
    if any(step.amount is not None for step in plan.steps):
        rows.append(("金额", [step.amount for step in plan.steps]))
    extra_labels = dict.fromkeys(label for step in plan.steps for label in step.extra)
    rows.extend((label, [step.extra.get(label) for step in plan.steps]) for label in extra_labels)
    return rows


COST_LABELS: dict[str, str] = {
    "name": "明细名称",
    "amount": "金额",
    "purpose": "用途",
    "unit_price": "单价",
    "quantity": "数量",
    "measure": "计量单位",
    "basis": "测算依据及说明",
}
MONEY_COLUMNS = frozenset({"amount", "unit_price"})
# Beyond this many columns, a short cost table is printed turned: one column per line.
COST_COLUMNS_ACROSS = 8


@dataclass(frozen=True)
class CostLayout:
    """A cost table's columns: the fields its lines fill, then their extra attributes."""

    table: CostTable
    columns: tuple[Column, ...]

    @property
    def turned(self) -> bool:
        """Return whether to print fields as rows and lines as columns (few lines, many fields)."""
        return len(self.columns) > COST_COLUMNS_ACROSS and len(self.table.lines) <= 3

    @property
    def wide(self) -> bool:
        """Return whether the table needs a landscape page."""
        return not self.turned and len(self.columns) > PORTRAIT_COLUMNS


def cost_layout(table: CostTable) -> CostLayout:
    """Choose the columns of a cost table from what its lines fill."""
    fields = [key for key in COST_LABELS
              if key in ("name", "amount") or any(getattr(line, key) not in (None, "") for line in table.lines)]
    attributes = dict.fromkeys(label for line in table.lines for label in line.attributes)
    columns = [Column(key, COST_LABELS[key]) for key in fields]
    columns += [Column(f"attributes.{label}", label) for label in attributes]
    return CostLayout(table, tuple(columns))


def cost_cell(line: CostLine, key: str) -> str | Decimal | None:
    """Return the value of a cost line in a column chosen by `cost_layout`."""
    if key.startswith("attributes."):
        return line.attributes.get(key.removeprefix("attributes."))
    return getattr(line, key)


def landscape(indicators: IndicatorTable, cost_tables: tuple[CostTable, ...]) -> bool:
    """Return whether a project's tables need landscape pages when printed."""
    return indicators.wide or any(cost_layout(table).wide for table in cost_tables)
