"""Read the other kinds' printed forms: 项目支出绩效自评表, 区域绩效目标表, 部门整体支出绩效目标表.

As a budget system exports them to Excel, each sheet prints one form: its title, label | value pairs,
blocks of rows under a label merged down them (项目资金, 资金情况, 年度预算安排, 年度履职目标), the
goals and the indicator table (forms.py reads it, two-row heads included), and, on a self-evaluation,
其他需要说明事项 and 总分 below it. The readers share the project form's reading (forms.FormReader) and
add their own blocks; a cell none of them takes is reported, as for a project. A sheet is read as one of
these kinds when it says so (its title, or labels only that kind prints); any other sheet is read for
projects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .cells import Cell, Sheet, WorkbookError
from .forms import (
    CODE_LABELS,
    GOAL_LABEL,
    UNIT_IN_LABEL,
    FormReader,
    goal_period,
    label_rows,
    norm,
    number,
    read_projects,
    tokens,
)
from .reading import Reading, cell_amount

EXECUTION_HEADS = {"年初预算数": "initial", "全年预算数": "budget", "全年执行数": "executed", "分值": "weight",
                   "权重": "weight", "执行率": "rate", "得分": "score"}
RESULT_HEADS = {"预期目标": "text", "年度目标": "text", "实际完成情况": "result", "完成情况": "result"}
NOTE_LABEL = re.compile(r"说明事项|^备注$|^说明$")
TOTAL_LABEL = re.compile(r"^总分$|^合计得分$|^总得分$")
AUTHORITY = re.compile(r"^(?:中央|省级|省|市级|地市|市|区县|县级|县)(?:主管|财政)部门$")
FUNDING_LABEL = re.compile(r"资金情况|预算安排|资金安排")
DUTY_LABEL = re.compile(r"履职目标")
DEPARTMENT_NAMES = {"部门(单位)名称", "部门（单位）名称", "部门名称", "单位名称"}
DEPARTMENT_CODES = {"部门预算编码", "部门编码", "单位编码", "单位代码", "部门代码"}


def read_printed(sheets: Sequence[Sheet]) -> list[Reading]:
    """Read every record printed in a workbook's sheets, in order: one per sheet of these kinds, projects otherwise."""
    readings: list[Reading] = []
    for sheet in sheets:
        kind = sheet_kind(sheet)
        readings += [READERS[kind].of(sheet).read()] if kind else read_projects(sheet)
    return readings


def sheet_kind(sheet: Sheet) -> str | None:
    """Return the kind of form a sheet prints, when it is not a project's."""
    texts = {norm(c.text) for r in range(1, len(sheet.rows) + 1) for c in tokens(sheet, r) if len(c.text) < 60}
    titled = [t for t in texts if t.endswith("表") or "表(" in t or "表（" in t]
    if any("自评表" in t for t in titled) or {"年初预算数", "全年执行数"} <= texts:
        return "evaluation"
    if any("区域绩效目标表" in t for t in titled) or ("资金名称" in texts and any(AUTHORITY.search(t) for t in texts)):
        return "transfer"
    if any("部门整体" in t for t in titled) or (texts & DEPARTMENT_NAMES and texts & DEPARTMENT_CODES):
        return "department"
    return None


def paragraphs(text: str) -> str:
    """Return a cell's printed lines as Markdown paragraphs, so that each line stays a line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n\n".join(lines) + "\n" if lines else ""


class PrintedReader(FormReader):
    """One form of another kind on a sheet: it starts at its name label and fills the whole sheet."""

    kind = ""
    name_labels: frozenset[str] = frozenset()
    info_skips: frozenset[str] = frozenset()  # these forms' records keep every printed pair in `info`

    @classmethod
    def of(cls, sheet: Sheet) -> PrintedReader:
        starts = label_rows(sheet, set(cls.name_labels))
        if not starts:
            names = "”或“".join(sorted(cls.name_labels))
            raise WorkbookError(f"这张表像是{KIND_TITLES[cls.kind]}，但找不到“{names}”一栏", sheet.name, "A1")
        return cls(sheet, 1, starts[0], len(sheet.rows) + 1, None)

    def __init__(self, sheet: Sheet, first: int, start: int, end: int, sheet_unit: str | None):
        super().__init__(sheet, first, start, end, sheet_unit)
        self.reading.kind = self.kind
        self.funding: list[dict[str, Any]] = []

    def is_funding(self, row: list[Cell]) -> bool:
        """Return whether a row starts a money block: 资金情况 / 年度预算安排 with a name beside it or merged down."""
        return bool(row) and bool(FUNDING_LABEL.search(norm(row[0].text))) and (
            len(row) >= 2 or self.sheet.span(row[0].row, row[0].col)[0] > 1)

    def span_end(self, cell: Cell) -> int:
        """Return the row after the rows a label is merged down (the next row when it is not merged)."""
        return cell.row + self.sheet.span(cell.row, cell.col)[0]

    def read_funding(self, row: list[Cell], r: int) -> int:
        """Read a money block: a label merged down its rows, then per row a name and its amount, the total first."""
        label = row[0]
        table: dict[str, Any] = {"title": label.text.strip(), "sources": []}
        self.reading.mark(("funding", len(self.funding)), self.sheet, label)
        end = self.span_end(label)
        for at in range(r, end):
            cells = [c for c in tokens(self.sheet, at) if c.col != label.col]
            if not cells:
                continue
            name, amount = cells[0], (cell_amount(self.sheet, cells[1], cells[0].text.strip()) if len(cells) > 1 else None)
            for extra in cells[2:]:
                self.unplace(extra)
            if "total_label" not in table:
                table["total_label"] = name.text.strip().rstrip(":：")
                if amount is not None:
                    table["total"] = amount
            else:
                table["sources"].append({"name": name.text.strip(), **({"amount": amount} if amount is not None else {})})
        self.funding.append({k: table[k] for k in ("title", "total", "total_label", "sources") if table.get(k) not in (None, [])})
        return end

    def money_unit(self, *labels: str) -> str | None:
        """Return the unit of a "单位：" line, or the first "（万元）" printed in one of the labels."""
        return self.unit or next((m.group(1) for k in (*labels, *self.info) if (m := UNIT_IN_LABEL.search(k))), None)

    def unit_or_error(self, *labels: str) -> str:
        unit = self.money_unit(*labels)
        if unit is None:
            raise WorkbookError("找不到金额单位：表头上方应有一行“单位：万元”或“单位：元”（或在金额栏名中注明）",
                                self.sheet.name, f"A{self.first}")
        return unit


class EvaluationReader(PrintedReader):
    """项目支出绩效自评表: 项目资金 lines, goals with their results, indicators with results, 其他说明 and 总分."""

    kind = "evaluation"
    name_labels = frozenset({"项目名称"})

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.execution: list[dict[str, Any]] = []
        self.execution_title: str | None = None
        self.goals_title: str | None = None
        self.notes: list[dict[str, str]] = []
        self.total: dict[str, Any] | None = None

    def special(self, row: list[Cell], r: int) -> int | None:
        if sum(norm(c.text) in {"年初预算数", "全年预算数", "全年执行数"} for c in row) >= 2:
            return self.read_execution(row, r)
        if len(row) >= 2 and GOAL_LABEL.match(norm(row[0].text)) and all(norm(c.text) in RESULT_HEADS for c in row[1:]):
            return self.read_goals(row, r)
        if row and (NOTE_LABEL.search(norm(row[0].text)) or TOTAL_LABEL.match(norm(row[0].text))):
            self.closing(row)
            return r + 1
        return None

    def read_execution(self, row: list[Cell], r: int) -> int:
        """Read the 项目资金 block: a header of 年初预算数 / 全年预算数 / …, then one line per row."""
        heads = {c.col: (EXECUTION_HEADS[norm(c.text)], c.text.strip()) for c in row if norm(c.text) in EXECUTION_HEADS}
        first = min(heads)
        label = next((c for c in row if c.col < first), None)
        for cell in row:
            if cell.col not in heads and cell is not label:
                self.unplace(cell)
        if label is not None:
            self.execution_title = label.text.strip()
            self.reading.mark(("execution_title",), self.sheet, label)
        end = self.span_end(label) if label is not None and self.sheet.span(label.row, label.col)[0] > 1 else None
        at = r + 1
        while at < (end or self.end):
            cells = [c for c in tokens(self.sheet, at) if label is None or c.col != label.col]
            names = [c for c in cells if c.col < first]
            if not names or (end is None and not any(c.col in heads for c in cells)):
                break
            line: dict[str, Any] = {"name": names[0].text.strip()}
            self.reading.mark(("execution", len(self.execution)), self.sheet, names[0])
            for cell in cells[1:] if cells[0] is names[0] else cells:
                if cell.col not in heads:
                    self.unplace(cell)
                    continue
                field, header = heads[cell.col]
                line[field] = cell.text.strip() if field == "rate" else cell_amount(self.sheet, cell, header)
            self.execution.append(line)
            at += 1
        return end or at

    def read_goals(self, row: list[Cell], r: int) -> int:
        """Read 年度总体目标 printed over 预期目标 and 实际完成情况, each with its text in the row below."""
        label, heads = row[0], row[1:]
        self.goals_title = label.text.strip()
        goal: dict[str, Any] = {"period": goal_period(norm(label.text))}
        below = tokens(self.sheet, r + 1)
        for head in heads:
            under = [c for c in below if head.col <= c.col < head.col + self.sheet.span(head.row, head.col)[1]]
            for cell in under[1:]:
                self.unplace(cell)
            if under:
                goal[RESULT_HEADS[norm(head.text)]] = under[0].text.strip()
        for cell in below:
            if not any(h.col <= cell.col < h.col + self.sheet.span(h.row, h.col)[1] for h in heads):
                self.unplace(cell)
        self.reading.mark(("goals", len(self.goals)), self.sheet, label)
        self.goals.append({"period": goal["period"], "text": goal.get("text", ""),
                           **({"result": goal["result"]} if "result" in goal else {})})
        return r + 2

    def closing(self, row: list[Cell]) -> None:
        """Read the rows below the indicators: 其他需要说明事项 | text, and 总分 | 满分 | 得分 | 等级 (on one row or two)."""
        i = 0
        while i < len(row):
            key = norm(row[i].text)
            if TOTAL_LABEL.match(key):
                values = row[i + 1:i + 4]
                self.reading.mark(("total",), self.sheet, row[i])
                self.total = {"label": row[i].text.strip()}
                scores = [n for n in (number(c.text) for c in values) if n is not None]
                for cell in values:
                    if number(cell.text) is None:
                        self.total["grade"] = cell.text.strip()
                self.total.update(zip(("weight", "score"), scores, strict=False))
                i += 1 + len(values)
            elif NOTE_LABEL.search(key):
                body = row[i + 1] if i + 1 < len(row) and not TOTAL_LABEL.match(norm(row[i + 1].text)) else None
                self.reading.mark(("notes", len(self.notes)), self.sheet, row[i])
                self.notes.append({"title": row[i].text.strip(), **({"body": body.text.strip()} if body else {})})
                i += 2 if body else 1
            else:
                self.unplace(row[i])
                i += 1

    def finish(self) -> Reading:
        data: dict[str, Any] = {"kind": "evaluation", "name": self.record_name(set(self.name_labels))}
        code = self.field(CODE_LABELS)
        data.update({"code": code} if code else {})
        data.update({"form_title": self.title} if self.title else {})
        data["unit"] = self.unit_or_error(self.execution_title or "")
        parts = {"info": self.info, "execution_title": self.execution_title, "execution": self.execution,
                 "goals_title": self.goals_title, "goals": self.goals, **self.indicator_parts(), "notes": self.notes,
                 "total": self.total}
        data.update({k: v for k, v in parts.items() if v})
        self.reading.data = data
        return self.reading


class TransferReader(PrintedReader):
    """区域绩效目标表: 资金名称, the authorities, 资金情况 (年度金额 and its parts), 年度目标, indicators."""

    kind = "transfer"
    name_labels = frozenset({"资金名称", "专项名称", "项目名称"})

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.authorities: dict[str, str] = {}

    def special(self, row: list[Cell], r: int) -> int | None:
        if self.is_funding(row):
            return self.read_funding(row, r)
        if row and all(AUTHORITY.search(norm(c.text)) for c in row[::2]) and len(row) % 2 == 0:
            for label, value in zip(row[::2], row[1::2], strict=True):
                self.authorities[label.text.strip()] = value.text.strip()
                self.reading.mark(("authorities", label.text.strip()), self.sheet, value)
            return r + 1
        return None

    def finish(self) -> Reading:
        data: dict[str, Any] = {"kind": "transfer", "name": self.record_name(set(self.name_labels), "资金名称")}
        data.update({"form_title": self.title} if self.title else {})
        total = self.funding[0] if self.funding else {}
        data["unit"] = self.unit_or_error(total.get("title", ""), total.get("total_label", ""))
        if total.get("total") is None or isinstance(total.get("total"), str):
            raise WorkbookError("找不到年度金额：“资金情况”一栏的第一行应是“年度金额”及其数字", self.sheet.name,
                                self.reading.origin(("funding", 0))[1] or f"A{self.start}")
        data["amount"] = total["total"]
        goals_title = self.goals[0]["label"] if len(self.goals) == 1 else None
        parts = {"info": self.info, "authorities": self.authorities, "funding": self.funding,
                 "goals_title": goals_title, "goals": self.goals, **self.indicator_parts()}
        data.update({k: v for k, v in parts.items() if v})
        self.reading.data = data
        return self.reading


class DepartmentReader(PrintedReader):
    """部门整体支出绩效目标表: 部门(单位)名称 and 编码, 年度预算安排, 年度总体目标, 年度履职目标, indicators."""

    kind = "department"
    name_labels = frozenset(DEPARTMENT_NAMES)

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.sections: list[dict[str, str]] = []
        self.duties: dict[str, Any] | None = None

    def special(self, row: list[Cell], r: int) -> int | None:
        head = norm(row[0].text) if row else ""
        if self.is_funding(row):
            return self.read_funding(row, r)
        if DUTY_LABEL.search(head) and len(row) >= 2:
            return self.read_duties(row, r)
        if GOAL_LABEL.match(head) and len(row) == 2:
            self.reading.mark(("goals", "sections", len(self.sections)), self.sheet, row[1])
            self.sections.append({"title": row[0].text.strip(), "body": paragraphs(row[1].text)})
            return r + 1
        return None

    def read_duties(self, row: list[Cell], r: int) -> int:
        """Read 年度履职目标: the label merged down its rows, its own column headings, then one row per task."""
        label, heads = row[0], row[1:]
        self.reading.mark(("goals", "duties"), self.sheet, label)
        end = self.span_end(label) if self.sheet.span(label.row, label.col)[0] > 1 else self.end
        rows: list[list[str]] = []
        at = r + 1
        while at < end:
            cells = [c for c in tokens(self.sheet, at) if c.col != label.col]
            if end == self.end and (not cells or self.is_indicator_header(cells)):
                break
            for cell in cells:
                if cell.col not in {h.col for h in heads}:
                    self.unplace(cell)
            shown = [self.sheet.cell(at, h.col).text.strip() for h in heads]
            rows.append(["" if text == "空" else text for text in shown])
            at += 1
        self.duties = {"title": label.text.strip(), "columns": [h.text.strip() for h in heads],
                       **({"rows": rows} if rows else {})}
        return at

    def finish(self) -> Reading:
        data: dict[str, Any] = {"name": self.record_name(set(self.name_labels), "部门(单位)名称")}
        code = self.field(DEPARTMENT_CODES)
        data.update({"code": code} if code else {})
        titles = [t for table in self.funding for t in (table["title"], table.get("total_label", ""))]
        unit = self.money_unit(*titles)
        if self.funding:
            unit = self.unit_or_error(*titles)
        data.update({"unit": unit} if unit else {})
        data.update({"funding": self.funding} if self.funding else {})
        goals = {"form_title": self.title, "info": self.info, "sections": self.sections, "duties": self.duties,
                 **self.indicator_parts()}
        data["goals"] = {k: v for k, v in goals.items() if v}
        self.reading.data = data
        return self.reading


KIND_TITLES = {"evaluation": "项目支出绩效自评表", "transfer": "区域绩效目标表", "department": "部门整体支出绩效目标表"}
READERS: dict[str, type[PrintedReader]] = {"evaluation": EvaluationReader, "transfer": TransferReader,
                                           "department": DepartmentReader}
