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
from itertools import count

from .model import CostLine, CostTable, FundingTable, Indicator, Level1, Level2, SpendingPlan
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
}
# The columns after 三级指标, in the order the national layout prints them.
DETAIL_COLUMNS = ("operator", "value", "unit", "kind", "scoring", "description", "basis", "weight")
PERIOD_LABELS = {"midterm": "中期指标", "annual": "年度指标"}
GOAL_LABELS = {"overall": "总体目标", "midterm": "中期目标", "annual": "年度目标"}

# Beyond this many columns a table is printed on a landscape page.
PORTRAIT_COLUMNS = 6


@dataclass(frozen=True)
class Column:
    """One column of a printed table: the field it shows and its heading."""

    key: str
    label: str


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

    @property
    def anchor(self) -> str | None:
        """Return the row's id: its first indicator's anchor (a paired second one goes on its own cell)."""
        return next((cell.anchor for cell in self.cells if cell), None)


@dataclass(frozen=True)
class IndicatorTable:
    """The indicator tree laid out with merged 一级 / 二级 cells."""

    level_labels: tuple[str, str]
    columns: tuple[Column, ...]  # the indicator's own columns, repeated per period
    periods: tuple[str, ...]  # ("annual",) or ("midterm", "annual")
    rows: tuple[IndicatorRow, ...]

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


def indicator_table(tree: tuple[Level1, ...], labels: dict[str, str] | None = None) -> IndicatorTable:
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
    return IndicatorTable(level_labels, columns, periods, tuple(rows))


def layout_group(level2: Level2, periods: tuple[str, ...], position: Iterator[int]) -> list[tuple[Level2, Side]]:
    """Return the rows of one 二级 heading: its k-th indicator of each period side by side."""
    cells = [IndicatorCell(ind, indicator_anchor(next(position))) for ind in level2.indicators]
    sides = [[c for c in cells if c.indicator.period == period or len(periods) == 1] for period in periods]
    height = max(len(side) for side in sides) or 1  # an empty 二级 heading is still printed
    return [(level2, tuple(side[k] if k < len(side) else None for side in sides)) for k in range(height)]


def indicator_columns(indicators: list[Indicator], labels: dict[str, str]) -> list[str]:
    """Return the indicator's own columns: name, value, and every column filled or named by the record."""
    shown = [key for key in DETAIL_COLUMNS
             if key == "value" or key in labels or any(getattr(ind, key) not in (None, "") for ind in indicators)]
    # A record that names every column it shows gives their printed order too.
    named = [key for key in labels if key in shown]
    return ["name", *(named if len(named) == len(shown) else shown)]


# --- funding, spending plan, cost breakdown ---------------------------------


@dataclass(frozen=True)
class FundingGroup:
    """Funding tables that share their rows, printed as one table with a column each."""

    tables: tuple[FundingTable, ...]

    @property
    def total_label(self) -> str:
        return self.tables[0].total_label

    @property
    def source_names(self) -> tuple[str, ...]:
        return tuple(source.name for source in self.tables[0].sources)

    def rows(self) -> list[tuple[str, list[Decimal | None]]]:
        """Return (row heading, one amount per table): the total first, then each source."""
        rows = [(self.total_label, [table.total for table in self.tables])]
        for i, name in enumerate(self.source_names):
            rows.append((name, [table.sources[i].amount for table in self.tables]))
        return rows


def funding_groups(tables: tuple[FundingTable, ...]) -> list[FundingGroup]:
    """Group consecutive funding tables with the same rows (中期 and 年度 资金来源, for example)."""
    groups: list[list[FundingTable]] = []
    for table in tables:
        if groups and shape(groups[-1][0]) == shape(table):
            groups[-1].append(table)
        else:
            groups.append([table])
    return [FundingGroup(tuple(group)) for group in groups]


def shape(table: FundingTable) -> tuple[str, ...]:
    """Return what decides a funding table's rows: its total's label and its sources' names."""
    return (table.total_label, *(source.name for source in table.sources))


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
