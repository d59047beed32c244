"""Write a project as a workbook in the template's layout, and the blank template.

The blank template is the skeleton project (`disclose new project`) exported
with the same code, so template, export and import share one layout
(layout.py). Amounts are written as numbers whose number format keeps the
printed decimals (31.900000 stays 31.900000 in Excel); codes and all other
text are written as text cells, so Excel never drops a leading 0.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import yamlio
from ..model import Project
from . import layout as L

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NOTE_FONT = Font(color="595959", italic=True)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
LIST_ROWS = 500  # data validation lists cover this many rows below the header
SKELETON = Path(__file__).parent.parent / "skeletons" / "project.yaml"


def project_workbook(project: Project, slug: str = "") -> Workbook:
    """Lay out one project in the template's sheets."""
    book = Workbook()
    book.remove(book.active)
    book.properties.keywords = L.LAYOUT_MARK
    book.properties.creator = "disclose"
    help_sheet(book.create_sheet(L.HELP))
    basic_sheet(book.create_sheet(L.BASIC), project, slug)
    table(book.create_sheet(L.GOALS), L.GOAL_COLUMNS, "每行一个目标：总体（中期）目标和年度目标",
          [[L.GOAL_PERIODS[g.period], g.label, g.text] for g in project.goals])
    table(book.create_sheet(L.SECTIONS), L.SECTION_COLUMNS, "叙述性内容，如立项依据、项目概况，按文件顺序每行一项",
          [[s.title, s.body] for s in project.sections])
    indicator_sheet(book.create_sheet(L.INDICATORS), project)
    cost_sheet(book.create_sheet(L.COSTS), project)
    funding_sheet(book.create_sheet(L.FUNDING), project)
    plan_sheet(book.create_sheet(L.PLAN), project)
    book.active = 1
    return book


def template_workbook() -> Workbook:
    """Return the blank template: the skeleton project with every note and list."""
    data = yamlio.parse(SKELETON.read_text(encoding="utf-8"))
    return project_workbook(Project.model_validate(data), "")


def put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """Write one value: text as text (never a formula), numbers keeping their printed decimals."""
    cell = ws.cell(row, col)
    if value is None or value == "":
        return
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and len(value.as_tuple().digits) <= 15 and -exponent <= 15:
            cell.value = float(value) if exponent < 0 else int(value)
            decimals = max(-exponent, 0)
            cell.number_format = "0." + "0" * decimals if decimals else "0"
            return
        value = format(value, "f")  # more digits than a float holds: keep them as text
    elif isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
        cell.number_format = "0"
        return
    cell.value = str(value)
    cell.data_type = "s"  # a leading "=" stays text, not a formula
    cell.number_format = "@"
    if "\n" in cell.value or len(cell.value) > 30:
        cell.alignment = WRAP


def table(ws: Worksheet, columns: Sequence[L.Column], note: str, rows: Iterable[Sequence[Any]]) -> int:
    """Write a note row, a header row and data rows; return the last row written."""
    header(ws, columns, note)
    row = L.FIRST_ROW - 1
    for row, values in enumerate(rows, start=L.FIRST_ROW):
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value)
    return row


def header(ws: Worksheet, columns: Sequence[L.Column], note: str) -> None:
    """Write the note and header rows, widths, comments and the frozen pane."""
    ws.cell(L.NOTE_ROW, 1, note).font = NOTE_FONT
    ws.merge_cells(start_row=L.NOTE_ROW, start_column=1, end_row=L.NOTE_ROW, end_column=max(len(columns), 2))
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(L.HEADER_ROW, col, column.header)
        cell.font, cell.fill = BOLD, HEADER_FILL
        if column.note:
            cell.comment = Comment(column.note, "disclose")
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = ws.cell(L.FIRST_ROW, 1)


def choices(ws: Worksheet, col: int, values: Sequence[str], strict: bool = False) -> None:
    """Offer a drop-down list in a column; unless strict, other text is still accepted."""
    letter = get_column_letter(col)
    rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                          errorStyle="stop" if strict else "information",
                          error="请从列表中选择" if strict else "列表以外的文字也可以（如带编码的“11-数量指标”）",
                          errorTitle="提示")
    rule.add(f"{letter}{L.FIRST_ROW}:{letter}{L.FIRST_ROW + LIST_ROWS}")
    ws.add_data_validation(rule)


def merge_runs(ws: Worksheet, col: int, starts: Sequence[tuple[int, int]]) -> None:
    """Merge a column over each (first row, last row) run, as the printed forms do."""
    for first, last in starts:
        if last > first:
            ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
            ws.cell(first, col).alignment = Alignment(vertical="center", wrap_text=True)


def help_sheet(ws: Worksheet) -> None:
    ws.column_dimensions["A"].width = 110
    ws.cell(1, 1, "填写说明").font = Font(bold=True, size=14)
    for row, text in enumerate(L.HELP_TEXT, start=2):
        ws.cell(row, 1, text).alignment = WRAP


def basic_sheet(ws: Worksheet, project: Project, slug: str) -> None:
    columns = (L.Column("", "栏目", 26), L.Column("", "内容", 60), L.Column("", "填写说明", 60))
    header(ws, columns, "项目的基本信息。左栏是栏目名，请不要改动；右栏填写内容")
    values = project.model_dump(exclude_none=False)
    row = L.FIRST_ROW
    for spec in L.BASIC_ROWS:
        ws.cell(row, 1, spec.label).font = BOLD
        put(ws, row, 2, slug if spec.field == "slug" else getattr(project, spec.field))
        ws.cell(row, 3, spec.note).font = NOTE_FONT
        row += 1
    unit_rule = DataValidation(type="list", formula1='"元,万元"', allow_blank=False, error="金额单位只能是 元 或 万元")
    unit_rule.add(f"B{L.FIRST_ROW + [r.field for r in L.BASIC_ROWS].index('unit')}")
    ws.add_data_validation(unit_rule)
    blocks: list[tuple[str, list[tuple[str, Any]]]] = [
        (L.INFO_BLOCK, list(project.info.items())),
        (L.LABELS_BLOCK, [(L.LABEL_HEADERS[k], v) for k, v in project.indicator_labels.items()]),
        (L.PRIOR_BLOCK, [(r.label, values["prior_year"][r.field]) for r in L.PRIOR_ROWS] if project.prior_year else []),
    ]
    for title, pairs in blocks:
        row += 1
        ws.cell(row, 1, title).font = BOLD
        ws.cell(row, 3, L.BLOCK_NOTES[title]).font = NOTE_FONT
        for label, value in pairs:
            row += 1
            put(ws, row, 1, label)
            put(ws, row, 2, value)
    for r in range(L.FIRST_ROW, row + 1):
        ws.cell(r, 2).alignment = WRAP


def indicator_sheet(ws: Worksheet, project: Project) -> None:
    columns = L.INDICATOR_COLUMNS
    header(ws, columns, "绩效指标：每行一个三级指标。一级、二级指标只在每组第一行填写（或合并单元格）；"
                        "没有三级指标的二级指标也照样占一行")
    at = {c.field: i for i, c in enumerate(columns, start=1)}
    row = L.FIRST_ROW - 1
    runs: dict[str, list[tuple[int, int]]] = {"level1": [], "level2": []}
    for level1 in project.indicators:
        start1 = row + 1
        for level2 in level1.groups or ():
            start2 = row + 1
            for indicator in level2.indicators or [None]:
                row += 1
                if indicator is not None:
                    for name in ("name", "operator", "value", "unit", "kind", "basis", "weight", "description", "scoring"):
                        put(ws, row, at[name], getattr(indicator, name))
                    put(ws, row, at["period"], L.PERIODS[indicator.period])
                    put(ws, row, at["core"], core_text(indicator))
            put(ws, start2, at["level2"], level2.level2)
            runs["level2"].append((start2, row))
        if not level1.groups:
            row += 1
        put(ws, start1, at["level1"], level1.level1)
        runs["level1"].append((start1, row))
    for name, spans in runs.items():
        merge_runs(ws, at[name], spans)
    choices(ws, at["level1"], L.LEVEL1_CHOICES)
    choices(ws, at["level2"], L.LEVEL2_CHOICES)
    choices(ws, at["operator"], L.OPERATORS)
    choices(ws, at["kind"], L.KIND_CHOICES)
    choices(ws, at["core"], (L.CORE_MARK,))
    choices(ws, at["period"], tuple(L.PERIODS.values()), strict=True)


def core_text(indicator: Any) -> str | None:
    """Return the ★ cell of an indicator: its printed mark, ★ for a core one, else blank."""
    mark = getattr(indicator, "core_mark", None)
    return mark or (L.CORE_MARK if getattr(indicator, "core", False) else None)


def extra_keys(mappings: Iterable[dict[str, str]]) -> list[str]:
    """Return the keys of several ordered mappings, each once, in order of first appearance."""
    return list(dict.fromkeys(k for m in mappings for k in m))


def cost_sheet(ws: Worksheet, project: Project) -> None:
    extras = extra_keys(line.attributes for t in project.cost_tables for line in t.lines)
    columns = (*L.COST_COLUMNS, *(L.Column(f"attributes.{k}", k, 18) for k in extras))
    rows: list[list[Any]] = []
    spans = []
    for t in project.cost_tables:
        block: list[list[Any]] = []
        if t.total is not None or not t.lines:
            block.append([None, L.TOTAL_ROW if t.total is not None else None, None, t.total])
        block += [[None, L.LINE_ROW, line.name, line.amount, line.purpose, line.unit_price, line.quantity,
                   line.measure, line.basis, *(line.attributes.get(k) for k in extras)] for line in t.lines]
        block[0][0] = t.title
        spans.append((L.FIRST_ROW + len(rows), L.FIRST_ROW + len(rows) + len(block) - 1))
        rows += block
    table(ws, columns, "测算明细 / 项目概算：每张表先一行“合计”（有合计时），再逐行“明细”", rows)
    merge_runs(ws, 1, spans)
    choices(ws, 2, (L.TOTAL_ROW, L.LINE_ROW), strict=True)


def funding_sheet(ws: Worksheet, project: Project) -> None:
    rows: list[list[Any]] = []
    spans = []
    for t in project.funding:
        first = len(rows)
        rows.append([t.title, L.PERIODS[t.period], L.TOTAL_ROW, t.total_label, t.total])
        rows += [[None, None, L.SOURCE_ROW, s.name, s.amount] for s in t.sources]
        spans.append((L.FIRST_ROW + first, L.FIRST_ROW + len(rows) - 1))
    table(ws, L.FUNDING_COLUMNS, "资金来源：每张表先一行“合计”，再逐行“来源”；空白格表示文件中此格为空", rows)
    merge_runs(ws, 1, spans)
    merge_runs(ws, 2, spans)
    choices(ws, 2, tuple(L.PERIODS.values()), strict=True)
    choices(ws, 3, (L.TOTAL_ROW, L.SOURCE_ROW), strict=True)


def plan_sheet(ws: Worksheet, project: Project) -> None:
    plan = project.spending_plan
    steps = plan.steps if plan else ()
    extras = extra_keys(s.extra for s in steps)
    columns = (*L.PLAN_COLUMNS, *(L.Column(f"extra.{k}", k, 18) for k in extras))
    rows = [[plan.title if i == 0 and plan else None, s.label, s.percent, s.amount, *(s.extra.get(k) for k in extras)]
            for i, s in enumerate(steps)]
    last = table(ws, columns, "资金支出计划：累计支出进度（%）或分年度金额，每行一个时点或年度", rows)
    merge_runs(ws, 1, [(L.FIRST_ROW, last)] if steps else [])


def export_department(content: Path, where: str, out_dir: Path, force: bool = False) -> int:
    """Write one workbook per project of `<year>/<department>`; return the exit code."""
    from ..load import display, load_content
    from ..problems import print_problems
    from .cells import open_sheets
    from .importer import as_project
    from .template import read_template

    parts = where.strip("/").split("/")
    loaded = load_content(content)
    if loaded.report.errors or loaded.site is None:
        print_problems(loaded.report.errors)
        print("错误：内容有错误，请先运行 disclose check 修正后再导出", file=sys.stderr)
        return 1
    department = next((d for e in loaded.site.editions if str(e.year) == parts[0] for d in e.departments
                       if len(parts) == 2 and d.slug == parts[1]), None)
    if department is None:
        print(f"错误：找不到部门 {where}（应写成 <年度>/<部门>，例如 2024/pengyang-sfj）", file=sys.stderr)
        return 1
    targets = [out_dir / f"{p.slug}.xlsx" for p in department.projects]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        print(f"错误：{display(existing[0])} 已经存在，不会覆盖（加 --force 覆盖）", file=sys.stderr)
        return 1
    out_dir.mkdir(parents=True, exist_ok=True)
    for project, target in zip(department.projects, targets, strict=True):
        project_workbook(project, project.slug).save(target)
        if not same_record(as_project(read_template(open_sheets(target)), target), project):
            print(f"警告：{display(target)} 读回后与记录 {project.path} 不完全一致，请核对", file=sys.stderr)
        print(f"已写入 {display(target)}")
    print(f"导出了 {len(targets)} 个项目的工作簿到 {display(out_dir)}")
    return 0


def same_record(a: Project | None, b: Project) -> bool:
    """Return whether two records hold the same data, decimals compared as printed."""
    return a is not None and a.model_dump(mode="json") == b.model_dump(mode="json")


def write_template(output: Path | None, department: bool = False, force: bool = False) -> int:
    """Write the blank template workbook; return the exit code."""
    from ..load import display

    target = output or Path("部门整体绩效目标表.xlsx" if department else "绩效目标表.xlsx")
    if target.exists() and not force:
        print(f"错误：{display(target)} 已经存在，不会覆盖（加 --force 覆盖）", file=sys.stderr)
        return 1
    if department:
        print("错误：部门整体绩效目标表的模板尚未提供", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    template_workbook().save(target)
    print(f"已写入 {display(target)}：按“填写说明”工作表填写后，运行 disclose import {target.name} --into content/<年度>/<部门>/")
    return 0
