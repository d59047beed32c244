"""Read the budget systems' own printed forms (项目支出绩效目标表 as exported to Excel).

These sheets print a form, not a table: a title, a "单位：万元" line,
label/value pairs (项目名称 | … | 主管部门 | …), the goals, then the indicator
table with its 一级 / 二级 headings merged down the rows. One sheet may hold
several projects, each starting at its own 项目名称 row. The reader is led by
the printed labels, so it also takes the many local variants: coded headings
(11-数量指标), mid-term and annual value columns side by side, "空" for
empty cells. Label/value pairs are kept in `info` in their printed order;
the ones the model knows (name, code, period, amounts) also fill their fields.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ..model import IndicatorColumn
from .cells import Cell, Sheet, WorkbookError
from .reading import NOT_GIVEN, Reading, Unplaced

INDICATOR_COLUMNS = frozenset(typing.get_args(IndicatorColumn))
EMPTY_MARKS = frozenset({"空"})  # the extraction's word for a blank cell; "—" is printed and kept


def norm(text: str) -> str:
    """Return a label without spaces and a trailing colon, for matching."""
    return re.sub(r"\s+", "", text).rstrip(":：")


NAME_LABELS = {"项目名称"}
CODE_LABELS = {"项目代码", "项目编码", "项目编号"}
PERIOD_LABELS = {"项目期限", "项目期", "实施期限", "项目实施期限"}
AMOUNT_LABELS = ("项目年度金额", "本年度预算金额", "年度预算金额", "本年度预算", "年度资金总额", "年度金额",
                 "预算数", "本年预算数", "项目资金总额", "资金总额", "申请金额", "项目金额")
TOTAL_LABELS = ("项目总金额", "项目总额", "中期资金总额", "项目总投资")
KNOWN_LABELS = NAME_LABELS | CODE_LABELS | PERIOD_LABELS | set(AMOUNT_LABELS) | set(TOTAL_LABELS) | {
    "主管部门", "主管部门及代码", "实施单位", "项目属性", "项目主管处室", "项目类别", "项目类型", "项目负责人",
    "联系人", "联系电话", "项目单位", "预算单位", "单位名称", "其中：财政拨款", "其中：财政资金", "财政拨款",
    "其他资金", "资金来源", "项目状态", "项目性质", "项目分类",
}
GOAL_LABEL = re.compile(r"^(?:项目)?(?:年度|中期|总体|长期)?(?:总体)?(?:绩效)?目标(?:[(（].*[)）])?$")
UNIT_LINE = re.compile(r"(?:金额)?单位[:：]\s*(万元|元)")
UNIT_IN_LABEL = re.compile(r"[(（](万元|元)[)）]")

# Indicator table headers, most specific first.
HEADERS: list[tuple[str, re.Pattern[str]]] = [
    ("level1", re.compile(r"一级(?:指标|目标)")),
    ("level2", re.compile(r"二级(?:指标|目标)")),
    ("name", re.compile(r"三级指标|指标名称|^绩效指标$")),
    ("operator", re.compile(r"指标性质|^运算符")),
    ("unit", re.compile(r"度量单位|计量单位|^单位$")),
    ("kind", re.compile(r"指标属性")),
    ("basis", re.compile(r"依据|目标值来源|数据来源")),
    ("description", re.compile(r"指标内容|指标描述|指标解释")),
    ("scoring", re.compile(r"评.*分标准")),
    ("actual", re.compile(r"实际完成值|实际值")),
    ("score", re.compile(r"^(?:自评)?得分$")),
    ("deviation", re.compile(r"偏差|改进措施")),
    ("weight", re.compile(r"权重|分值")),
    ("core", re.compile(r"^★$|核心指标")),
    ("value", re.compile(r"指标值|绩效值|目标值|^中期|^年度")),
]
LEVEL_WORDS = re.compile(r"指标|目标|产出|效益|效果|满意|成本|投入|影响|管理|^\d+\s*[-－—]")


def read_projects(sheet: Sheet) -> list[Reading]:
    """Read every project printed in a sheet, in order."""
    starts = label_rows(sheet, NAME_LABELS)
    if not starts:
        return []
    bounds = [1, *(prelude(sheet, s, previous) for previous, s in zip(starts, starts[1:], strict=False))]
    ends = [*bounds[1:], len(sheet.rows) + 1]
    sheet_unit = find_unit(sheet, 1, starts[0])
    return [FormReader(sheet, first, start, end, sheet_unit).read() for first, start, end in zip(bounds, starts, ends, strict=True)]


def label_rows(sheet: Sheet, labels: set[str]) -> list[int]:
    """Return the rows that print one of the labels."""
    return [r for r in range(1, len(sheet.rows) + 1) if any(norm(c.text) in labels for c in tokens(sheet, r))]


def goal_period(key: str) -> str:
    """Return the period a goal's printed heading names: 中期, 总体 / 长期, or the year's."""
    return "midterm" if "中期" in key else "overall" if ("总体" in key or "长期" in key) and "年度" not in key else "annual"


def tokens(sheet: Sheet, r: int) -> list[Cell]:
    """Return a row's non-empty cells, each merged range once, "空" as empty."""
    if r > len(sheet.rows):
        return []
    return [c for c in sheet.rows[r - 1] if not c.merged and c.text.strip() and c.text.strip() not in EMPTY_MARKS]


def prelude(sheet: Sheet, start: int, previous: int) -> int:
    """Return the first row of a project: its 项目名称 row, or the title lines just above it."""
    first = start
    while first - 1 > previous:
        row = tokens(sheet, first - 1)
        if len(row) == 1 and (("表" in row[0].text and len(row[0].text) < 80) or UNIT_LINE.search(row[0].text)) or not row:
            first -= 1
        else:
            break
    while first < start and not tokens(sheet, first):
        first += 1
    return first


def find_unit(sheet: Sheet, first: int, end: int) -> str | None:
    """Return the money unit stated in a "单位：" line between two rows."""
    for r in range(first, end):
        for cell in tokens(sheet, r):
            match = UNIT_LINE.search(cell.text)
            if match:
                return match.group(1)
    return None


class FormReader:
    """Read one printed project form from a block of rows.

    The other kinds' printed forms (printed.py) are read by subclasses: they add their own blocks in
    `special` and say in `finish` which fields the labels fill.
    """

    info_skips: frozenset[str] = frozenset(NAME_LABELS)  # labels kept only in their own field, not in `info`

    def __init__(self, sheet: Sheet, first: int, start: int, end: int, sheet_unit: str | None):
        self.sheet, self.first, self.start, self.end = sheet, first, start, end
        self.unit = find_unit(sheet, first, end) or sheet_unit
        self.reading = Reading({}, sheet.name)
        self.info: dict[str, str] = {}
        self.info_cells: dict[str, Cell] = {}
        self.goals: list[dict[str, Any]] = []
        self.tree: list[dict[str, Any]] = []
        self.labels: dict[str, str] = {}
        self.groups: list[dict[str, Any]] = []
        self.title: str | None = None
        self.title_cell: Cell | None = None

    def read(self) -> Reading:
        r = self.first
        while r < self.end:
            row = tokens(self.sheet, r)
            if self.is_indicator_header(row):
                r = self.read_indicators(r)
                continue
            if self.is_group_head(row, r):
                r = self.read_indicators(r + 1, above=r)
                continue
            special = self.special(row, r)
            if special is not None:
                r = special
                continue
            if r < self.start and len(row) == 1:
                self.title_line(row[0])
            elif self.goal_columns(row, r):
                r += 2
                continue
            else:
                self.pairs(row)
            r += 1
        return self.finish()

    def special(self, row: list[Cell], r: int) -> int | None:
        """Read a block of rows only one kind of form prints; return the row after it, or None when `r` starts none."""
        return None

    def title_line(self, cell: Cell) -> None:
        """Take a line above the form as its title: the first that names a 表, or a later one that names a 绩效…表."""
        if UNIT_LINE.search(cell.text):
            return
        if "表" in cell.text and (self.title is None or ("绩效" in cell.text and "绩效" not in self.title)):
            if self.title_cell is not None:
                self.unplace(self.title_cell)
            self.title, self.title_cell = cell.text.strip(), cell
        else:
            self.unplace(cell)

    def unplace(self, cell: Cell) -> None:
        self.reading.unplaced.append(Unplaced(self.sheet.name, cell.ref, cell.text))

    def pairs(self, row: list[Cell]) -> None:
        """Read label | value pairs; a known label in a value's place starts a new pair."""
        i = 0
        while i < len(row):
            label = row[i]
            key = norm(label.text)
            if UNIT_LINE.fullmatch(label.text.strip()):
                i += 1
                continue
            value = row[i + 1] if i + 1 < len(row) and norm(row[i + 1].text) not in KNOWN_LABELS else None
            if GOAL_LABEL.match(key):
                self.goal(label, value)
            elif value is None and key not in KNOWN_LABELS:
                self.unplace(label)
            else:
                text = value.text.strip() if value else ""
                if key not in self.info_skips:
                    self.info[label.text.strip().rstrip(":：")] = text
                self.info_cells[key] = value or label
                self.reading.mark(("info", label.text.strip()), self.sheet, value or label)
            i += 2 if value is not None else 1

    def goal(self, label: Cell, value: Cell | None) -> None:
        period = goal_period(norm(label.text))
        if value is None:
            self.unplace(label)
            return
        self.reading.mark(("goals", len(self.goals)), self.sheet, value)
        self.goals.append({"period": period, "label": label.text.strip(), "text": value.text.strip()})

    def goal_columns(self, row: list[Cell], r: int) -> bool:
        """Read goals printed as columns: a row of goal headings over a row of texts."""
        heads = [c for c in row if GOAL_LABEL.match(norm(c.text))]
        if len(heads) < 2 or len(heads) < len(row) - 1:
            return False
        below = {c.col: c for c in tokens(self.sheet, r + 1)}
        for head in heads:
            if head.col in below:
                self.goal(head, below.pop(head.col))
        for cell in [c for c in row if c not in heads] + list(below.values()):
            if not GOAL_LABEL.match(norm(cell.text)):
                self.unplace(cell)
        return True

    def is_indicator_header(self, row: list[Cell]) -> bool:
        texts = [norm(c.text) for c in row]
        return any(re.search(r"一级(?:指标|目标)", t) for t in texts) and \
            any(re.search(r"二级|三级|指标名称", t) for t in texts)

    def is_group_head(self, row: list[Cell], r: int) -> bool:
        """Return whether a row prints headings over the indicator header below it (年度指标值 over 指标性质 / 指标值 / 度量单位).

        Each of its cells is a short heading that either reaches down past the row (a column's own heading,
        such as 实际完成值) or is merged over headings of the row below; a row of label | value pairs is neither.
        """
        below = tokens(self.sheet, r + 1)
        if not row or r + 1 >= self.end or not self.is_indicator_header(below):
            return False
        spans = {c.col: self.sheet.span(c.row, c.col) for c in row}
        over = [c for c in row if spans[c.col][0] == 1]
        headings = all(c.kind == "text" and len(norm(c.text)) <= 20 and not GOAL_LABEL.match(norm(c.text)) for c in row)
        return bool(over) and headings and all(
            spans[c.col][1] > 1 and any(c.col <= b.col < c.col + spans[c.col][1] for b in below) for c in over)

    def read_indicators(self, r: int, above: int | None = None) -> int:
        """Read the indicator table from its header row (below a row of headings over several columns); return the row after it."""
        columns: dict[int, str] = {}
        header = tokens(self.sheet, r)
        over: list[Cell] = []
        for cell in tokens(self.sheet, above) if above is not None else ():
            (header if self.sheet.span(cell.row, cell.col)[0] > 1 else over).append(cell)
        level1 = min((c.col for c in header if classify(c.text) == "level1"), default=0)
        for cell in sorted(header, key=lambda c: c.col):
            field = classify(cell.text)
            if cell.col < level1 and self.sheet.span(cell.row, cell.col)[0] > 1:
                self.unplace(cell)  # a side heading down the whole table (绩效指标), not a column
            elif field:
                columns[cell.col] = field
                self.labels.setdefault(field, cell.text.strip())
            else:
                self.unplace(cell)
        for cell in over:
            keys = [columns[c] for c in range(cell.col, cell.col + self.sheet.span(cell.row, cell.col)[1])
                    if columns.get(c) in INDICATOR_COLUMNS]
            if keys:
                self.reading.mark(("indicator_groups", len(self.groups)), self.sheet, cell)
                self.groups.append({"label": cell.text.strip(), "columns": list(dict.fromkeys(keys))})
            else:
                self.unplace(cell)
        r += 1
        sub = tokens(self.sheet, r)
        if sub and all(re.search(r"^(?:中期|年度)|(?:中期|年度)(?:指标值|目标值|值)$", norm(c.text)) for c in sub):
            for cell in sub:
                columns[cell.col] = "midterm" if "中期" in cell.text else "annual"
            r += 1
        else:
            for col, field in list(columns.items()):
                if field == "value" and "中期" in norm(self.sheet.cell(r - 1, col).text):
                    columns[col] = "midterm"
                elif field == "value" and re.match(r"^年度", norm(self.sheet.cell(r - 1, col).text)):
                    columns[col] = "annual"
        level2: dict[str, Any] | None = None
        while r < self.end:
            row = {c.col: c for c in tokens(self.sheet, r)}
            if not row:
                r += 1
                continue
            by_field: dict[str, Cell] = {}
            for col, cell in row.items():
                if col in columns:
                    by_field.setdefault(columns[col], cell)
                else:
                    self.unplace(cell)
            heading1 = by_field.get("level1")
            if heading1 is not None and not LEVEL_WORDS.search(heading1.text):
                return r  # the table has ended: this row is a label, read it as such
            if heading1 is not None and (not self.tree or heading1.text.strip() != self.tree[-1]["level1"]):
                self.tree.append({"level1": heading1.text.strip(), "groups": []})
                self.reading.mark(("indicators", len(self.tree) - 1), self.sheet, heading1)
                level2 = None
            heading2 = by_field.get("level2")
            if heading2 is not None and self.tree and (level2 is None or heading2.text.strip() != level2["level2"]):
                level2 = {"level2": heading2.text.strip(), "indicators": []}
                self.tree[-1]["groups"].append(level2)
            elif heading2 is not None and not self.tree:
                self.unplace(heading2)
            self.indicator_row(by_field, level2)
            r += 1
        return r

    def indicator_row(self, by_field: dict[str, Cell], level2: dict[str, Any] | None) -> None:
        """Add a row's indicator (or its mid-term and annual pair) to the current group."""
        name = by_field.get("name")
        rest = [c for f, c in by_field.items() if f not in {"level1", "level2", "name"}]
        if name is None:
            for cell in rest:
                self.unplace(cell)
            return
        if level2 is None:
            self.unplace(name)
            return
        shared: dict[str, Any] = {"name": name.text.strip()}
        for field in ("operator", "unit", "kind", "description", "basis", "scoring", "actual", "deviation"):
            if field in by_field:
                shared[field] = by_field[field].text.strip()
        for field in ("weight", "score"):
            if field in by_field:
                found = number(by_field[field].text)
                if found is None:
                    self.unplace(by_field[field])
                else:
                    shared[field] = found
        if "core" in by_field:
            shared["core"] = True
            if by_field["core"].text.strip() != "★":
                shared["core_mark"] = by_field["core"].text.strip()
        values = [(p, by_field[p]) for p in ("midterm", "annual") if p in by_field]
        if not values:
            values = [("annual", by_field["value"])] if "value" in by_field else [("annual", None)]
        for period, cell in values:
            indicator = {"name": shared["name"], "value": cell.text.strip() if cell else "",
                         **{k: v for k, v in shared.items() if k != "name"}}
            if period != "annual":
                indicator["period"] = period
            level2["indicators"].append(indicator)
            loc = ("indicators", len(self.tree) - 1, "groups", len(self.tree[-1]["groups"]) - 1, "indicators",
                   len(level2["indicators"]) - 1)
            self.reading.mark(loc, self.sheet, name)

    def finish(self) -> Reading:
        """Fill the record's fields from the printed labels."""
        data: dict[str, Any] = {"name": self.record_name(NAME_LABELS)}
        code = self.field(CODE_LABELS)
        if code:
            data["code"] = code
        unit = self.unit or next((m.group(1) for k in self.info if (m := UNIT_IN_LABEL.search(k))), None)
        if unit is None:
            raise WorkbookError("找不到金额单位：表头上方应有一行“单位：万元”或“单位：元”（或在金额栏名中注明）",
                                self.sheet.name, f"A{self.first}")
        data["unit"] = unit
        amount, cell = self.money(AMOUNT_LABELS)
        if amount is None:
            raise WorkbookError("找不到本年度预算金额：应有“项目年度金额”“年度资金总额”“预算数”等一栏，且为数字",
                                self.sheet.name, cell.ref if cell else f"A{self.start}")
        data["amount"] = amount
        self.reading.mark(("amount",), self.sheet, cell)
        total, _ = self.money(TOTAL_LABELS)
        if total is not None:
            data["total_amount"] = total
        period = self.field(PERIOD_LABELS)
        if period:
            data["period"] = period
        if self.title:
            data["form_title"] = self.title
        if self.info:
            data["info"] = self.info
        if self.goals:
            data["goals"] = self.goals
        data.update(self.indicator_parts())
        self.reading.data = data
        return self.reading

    def indicator_parts(self) -> dict[str, Any]:
        """Return the indicator table's fields: its printed headings, the headings over several columns, the tree."""
        parts: dict[str, Any] = {}
        if self.labels:
            parts["indicator_labels"] = {k: v for k, v in self.labels.items() if k in INDICATOR_COLUMNS and k != "core"}
        if self.groups:
            parts["indicator_groups"] = self.groups
        if self.tree:
            parts["indicators"] = self.tree
        return parts

    def record_name(self, labels: set[str], shown: str = "项目名称") -> str:
        """Return the name printed right of the first of the labels the form prints, or say that it is blank."""
        key, cell = next(((k, c) for k, c in self.info_cells.items() if k in labels), ("", None))
        name = cell.text.strip() if cell is not None and norm(cell.text) != key else ""
        if not name:
            raise WorkbookError(f"“{key or shown}”右边的单元格是空的", self.sheet.name, cell.ref if cell else None)
        self.reading.mark(("name",), self.sheet, cell)
        return name

    def field(self, labels: set[str]) -> str | None:
        for key, cell in self.info_cells.items():
            if key in labels and norm(cell.text) != key and cell.text.strip() not in NOT_GIVEN:
                return cell.text.strip()
        return None

    def money(self, labels: Sequence[str]) -> tuple[Decimal | None, Cell | None]:
        """Return the first amount found under one of the labels, in their order of preference."""
        found = None
        for wanted in labels:
            for key, cell in self.info_cells.items():
                if re.sub(r"[(（].*?[)）]", "", key) == wanted:
                    found = found or cell
                    value = number(cell.text)
                    if value is not None:
                        return value, cell
        return None, found


def classify(header: str) -> str | None:
    """Return the indicator field a printed column header stands for."""
    text = norm(header)
    for field, pattern in HEADERS:
        if pattern.search(text):
            return field
    return None


def number(text: str) -> Decimal | None:
    """Return the exact number a cell prints ("31.900000", "1,234.00", "35 万元"), or None."""
    cleaned = text.strip().replace(",", "").replace("，", "")
    cleaned = re.sub(r"\s*(万元|元)$", "", cleaned)
    if not re.fullmatch(r"[-+]?\d+(?:\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover
        return None
