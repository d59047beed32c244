"""Write a record (project, transfer, self-evaluation, department) as a workbook in the template's layout, and the blank templates.

The blank template is the skeleton record (`disclose new project`, or the
department's with examples filled in) exported with the same code, so
template, export and import share one layout
(layout.py). Amounts are written as numbers whose number format keeps the
printed decimals (31.900000 stays 31.900000 in Excel); codes and all other
text are written as text cells, so Excel never drops a leading 0.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
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
from ..model import (
    RECORD_KINDS,
    Department,
    Evaluation,
    FundingSource,
    FundingTable,
    Project,
    Section,
    Transfer,
    iter_indicators,
)
from . import layout as L

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NOTE_FONT = Font(color="595959", italic=True)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
LIST_ROWS = 500  # data validation lists cover this many rows below the header
SKELETONS = Path(__file__).parent.parent / "skeletons"


Record = Project | Transfer | Evaluation | Department


def kind_of(record: Record) -> L.Kind:
    """Return the workbook layout of a record's kind."""
    return L.KINDS["department" if isinstance(record, Department) else record.kind]


def part(record: Any, path: str) -> Any:
    """Return a dotted attribute of a record ("goals.sections"), or None where a step is missing."""
    for name in path.split("."):
        record = getattr(record, name, None) if record is not None else None
    return record


def record_workbook(record: Record, slug: str = "") -> Workbook:
    """Lay out one record (project, transfer, self-evaluation or department) in the template's sheets."""
    kind = kind_of(record)
    book = Workbook()
    book.remove(book.active)
    book.properties.keywords = L.LAYOUT_MARK
    book.properties.creator = "disclose"
    prefix = kind.prefix
    writers: dict[str, Callable[[Worksheet], None]] = {
        L.HELP: lambda ws: help_sheet(ws, kind),
        L.BASIC: lambda ws: basic_sheet(ws, record, kind, slug),
        L.GOALS: lambda ws: goal_sheet(ws, record, kind),
        kind.sections_sheet: lambda ws: sections_sheet(ws, part(record, prefix + "sections") or (), SECTION_NOTES[kind.name]),
        L.INDICATORS: lambda ws: indicator_sheet(ws, part(record, prefix + "indicators") or (), indicator_columns(record, kind)),
        L.NOTES: lambda ws: sections_sheet(ws, part(record, prefix + "notes") or (),
                                           "印在指标表之后的注、说明，按文件所印每行一项（没有标题的留空标题）"),
        L.COSTS: lambda ws: cost_sheet(ws, record),
        L.FUNDING: lambda ws: funding_sheet(ws, record.funding),
        L.PLAN: lambda ws: plan_sheet(ws, record),
        L.EXECUTION: lambda ws: execution_sheet(ws, record),
        L.DUTIES: lambda ws: duties_sheet(ws, part(record, "goals.duties")),
        L.CORRECTIONS: lambda ws: table(ws, L.CORRECTION_COLUMNS, "年度冻结后修改记录时，每次更正一行：日期、更正了什么、为什么",
                                        [[c.date, c.what, c.why] for c in record.corrections]),
    }
    for name in kind.sheets:
        writers[name](book.create_sheet(name))
    book.active = 1
    return book


SECTION_NOTES = {
    "project": "叙述性内容，如立项依据、项目概况，按文件顺序每行一项",
    "department": "部门整体绩效目标的叙述，如年度总体目标、总体绩效目标、分项绩效目标，按文件顺序每行一项",
}


def project_workbook(project: Project, slug: str = "") -> Workbook:
    """Lay out one project in the template's sheets."""
    return record_workbook(project, slug)


def skeleton(kind: str) -> Record:
    """Return the record a blank template shows: the `disclose new` skeleton, with examples where it has none."""
    data = yamlio.parse((SKELETONS / f"{kind}.yaml").read_text(encoding="utf-8"))
    if kind == "department":
        data = {**data, **DEPARTMENT_EXAMPLE}
        return Department.model_validate(data)
    return RECORD_KINDS[kind].model_validate(data)


# What the department skeleton leaves commented out, shown in the blank department template.
DEPARTMENT_EXAMPLE: dict[str, Any] = {
    "unit": "万元",
    "funding": [{"title": "年度预算安排（万元）", "total_label": "资金总额", "total": "0.00",
                 "sources": [{"name": "基本支出", "amount": "0.00"}, {"name": "项目支出", "amount": "0.00"}]}],
    "goals": {
        "title": "部门整体绩效目标", "form_title": "部门整体支出绩效目标表",
        "info": {"部门(单位)名称": "请填写"},
        "sections": [{"title": "年度总体目标", "body": "请填写\n"}],
        "duties": {"columns": ["部门职能", "年度目标任务", "支出项目名称", "预算金额（万元）"],
                   "rows": [["请填写", "请填写", "请填写", "0"]]},
        "indicator_labels": {"description": "指标解释", "value": "目标值"},
        "indicators": [{"level1": "产出指标", "groups": [{"level2": "数量指标", "indicators": [
            {"name": "请填写三级指标名称", "description": "请填写", "value": "≥90%"}]}]}],
    },
}


def template_workbook(kind: str = "project") -> Workbook:
    """Return a blank template: the skeleton record of a kind with every note and list."""
    return record_workbook(skeleton(kind), "")


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


def help_sheet(ws: Worksheet, kind: L.Kind) -> None:
    ws.column_dimensions["A"].width = 110
    ws.cell(1, 1, "填写说明").font = Font(bold=True, size=14)
    for row, text in enumerate(L.help_text(kind), start=2):
        ws.cell(row, 1, text).alignment = WRAP


def shown_value(record: Any, spec: L.Row) -> Any:
    """Return what a basic row's cell shows: blank where the record keeps the model's default."""
    value = part(record, spec.field)
    if spec.kind == "lines":
        return "\n".join(value) if value else None
    default = type(record).model_fields[spec.field].default if spec.field in type(record).model_fields else None
    return None if isinstance(default, str) and value == default else value


def basic_sheet(ws: Worksheet, record: Record, kind: L.Kind, slug: str) -> None:
    columns = (L.Column("", "栏目", 26), L.Column("", "内容", 60), L.Column("", "填写说明", 60))
    header(ws, columns, "基本信息。左栏是栏目名，请不要改动；右栏填写内容；【】中是一组栏目的标题")
    row = L.FIRST_ROW
    for spec in (L.KIND_ROW, *kind.rows):
        ws.cell(row, 1, spec.label).font = BOLD
        value = L.KIND_NAMES[kind.name] if spec is L.KIND_ROW else slug if spec is L.SLUG_ROW else shown_value(record, spec)
        put(ws, row, 2, value)
        ws.cell(row, 3, spec.note).font = NOTE_FONT
        if spec.field == "unit":
            rule = DataValidation(type="list", formula1='"元,万元"', allow_blank=True, error="金额单位只能是 元 或 万元")
            rule.add(f"B{row}")
            ws.add_data_validation(rule)
        if spec is L.KIND_ROW:
            rule = DataValidation(type="list", formula1=f'"{L.KIND_NAMES[kind.name]}"', allow_blank=False,
                                  error="记录种类由模板决定，请不要改动")
            rule.add(f"B{row}")
            ws.add_data_validation(rule)
        row += 1
    for block in kind.blocks:
        row += 1
        ws.cell(row, 1, block.title).font = BOLD
        ws.cell(row, 3, block.note).font = NOTE_FONT
        for label, value, note in block_rows(record, block):
            row += 1
            put(ws, row, 1, label)
            put(ws, row, 2, value)
            if note:
                ws.cell(row, 3, note).font = NOTE_FONT
    for r in range(L.FIRST_ROW, row + 1):
        ws.cell(r, 2).alignment = WRAP


def block_rows(record: Record, block: L.Block) -> list[tuple[str, Any, str]]:
    """Return a block's (label, value, note) rows: every row of a part the record has, or its labelled pairs."""
    found = part(record, block.path)
    if block.listed:  # indicator_groups: a printed heading, and the template columns it spans
        return [(g.label, "、".join(L.LABEL_HEADERS[c] for c in g.columns), "") for g in found or ()]
    if not block.rows:
        labels = L.LABEL_HEADERS if block.path.endswith("indicator_labels") else None
        return [(labels[k] if labels else k, v, "") for k, v in (found or {}).items()]
    if found is None:
        return []
    return [(r.label, part(found, r.field), r.note) for r in block.rows]


def goal_sheet(ws: Worksheet, record: Record, kind: L.Kind) -> None:
    # A result column only where it means something: a self-evaluation, or a record that fills one anyway.
    results = kind.goal_columns is L.EVALUATION_GOAL_COLUMNS or any(g.result is not None for g in record.goals)
    table(ws, L.EVALUATION_GOAL_COLUMNS if results else L.GOAL_COLUMNS, "每行一个目标：总体（中期）目标和年度目标",
          [[L.GOAL_PERIODS[g.period], g.label, g.text, *([g.result] if results else [])] for g in record.goals])
    choices(ws, 1, tuple(L.GOAL_PERIODS.values()), strict=True)


def sections_sheet(ws: Worksheet, sections: Sequence[Section], note: str) -> None:
    table(ws, L.SECTION_COLUMNS, note, [[s.title, s.body] for s in sections])


def indicator_columns(record: Record, kind: L.Kind) -> tuple[L.Column, ...]:
    """Return the indicator columns of a kind, with the self-evaluation's columns wherever a record fills them."""
    tree = part(record, kind.prefix + "indicators") or ()
    filled = any(getattr(i, f) is not None for _, _, i in iter_indicators(tree) for f in ("actual", "score", "deviation"))
    return L.EVALUATION_INDICATOR_COLUMNS if filled else kind.indicator_columns


def indicator_sheet(ws: Worksheet, tree: Sequence[Any], columns: Sequence[L.Column] = L.INDICATOR_COLUMNS) -> None:
    header(ws, columns, "绩效指标：每行一个三级指标。一级、二级指标只在每组第一行填写（或合并单元格）；"
                        "没有三级指标的二级指标也照样占一行")
    at = {c.field: i for i, c in enumerate(columns, start=1)}
    plain = [f for f in at if f not in {"level1", "level2", "core", "period"}]
    row = L.FIRST_ROW - 1
    runs: dict[str, list[tuple[int, int]]] = {"level1": [], "level2": []}
    for level1 in tree:
        start1 = row + 1
        for level2 in level1.groups or ():
            start2 = row + 1
            for indicator in level2.indicators or [None]:
                row += 1
                if indicator is not None:
                    for name in plain:
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


def funding_sheet(ws: Worksheet, funding: Sequence[FundingTable]) -> None:
    rows: list[list[Any]] = []
    spans = []
    for t in funding:
        first = len(rows)
        rows.append([t.title, L.PERIODS[t.period], L.TOTAL_ROW, t.total_label, t.total, t.total_printed])
        rows += source_rows(t.sources, 1)
        spans.append((L.FIRST_ROW + first, L.FIRST_ROW + len(rows) - 1))
    table(ws, L.FUNDING_COLUMNS, "资金来源：每张表先一行“合计”，再逐行“来源”；空白格表示文件中此格为空", rows)
    merge_runs(ws, 1, spans)
    merge_runs(ws, 2, spans)
    choices(ws, 2, tuple(L.PERIODS.values()), strict=True)
    choices(ws, 3, (L.TOTAL_ROW, L.SOURCE_ROW), strict=True)


def source_rows(sources: Sequence[FundingSource], level: int) -> list[list[Any]]:
    """Return the rows of funding sources and, below each, its own lines one level deeper."""
    rows: list[list[Any]] = []
    for s in sources:
        rows.append([None, None, L.SOURCE_ROW, s.name, s.amount, s.printed, level if level > 1 else None])
        rows += source_rows(s.children, level + 1)
    return rows


def execution_sheet(ws: Worksheet, evaluation: Evaluation) -> None:
    table(ws, L.EXECUTION_COLUMNS, "项目资金：每行一项资金，按文件顺序；文件印“—”的格照填“—”，空白格留空",
          [[e.name, e.initial, e.budget, e.executed, e.weight, e.rate, e.score] for e in evaluation.execution])


def duties_sheet(ws: Worksheet, duties: Any) -> None:
    """Write the 年度履职目标 table with its own printed columns."""
    columns = [L.Column("", c, 24) for c in duties.columns] if duties else []
    header(ws, columns, "年度履职目标：第 2 行照原表填写各栏标题（栏目数不限），以下每行一项任务，按原表顺序")
    for row, values in enumerate(duties.rows if duties else (), start=L.FIRST_ROW):
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value)


def plan_sheet(ws: Worksheet, project: Project) -> None:
    plan = project.spending_plan
    steps = plan.steps if plan else ()
    extras = extra_keys(s.extra for s in steps)
    columns = (*L.PLAN_COLUMNS, *(L.Column(f"extra.{k}", k, 18) for k in extras))
    rows = [[plan.title if i == 0 and plan else None, s.label, s.percent, s.amount, *(s.extra.get(k) for k in extras)]
            for i, s in enumerate(steps)]
    last = table(ws, columns, "资金支出计划：累计支出进度（%）或分年度金额，每行一个时点或年度", rows)
    merge_runs(ws, 1, [(L.FIRST_ROW, last)] if steps else [])


DEPARTMENT_BOOK = "department.xlsx"  # beside the records' workbooks, as department.yaml is beside the records


def export_department(content: Path, where: str, out_dir: Path, force: bool = False) -> int:
    """Write one workbook per record of `<year>/<department>`, and one for the department; return the exit code."""
    from ..load import display, load_content
    from ..problems import print_problems
    from .cells import open_sheets
    from .importer import as_record
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
    records: list[tuple[Record, Path]] = [(department, out_dir / DEPARTMENT_BOOK)]
    records += [(r, out_dir / f"{r.slug}.xlsx") for r in (*department.projects, *department.transfers,
                                                           *department.evaluations)]
    existing = [t for _, t in records if t.exists()]
    if existing and not force:
        print(f"错误：{display(existing[0])} 已经存在，不会覆盖（加 --force 覆盖）", file=sys.stderr)
        return 1
    out_dir.mkdir(parents=True, exist_ok=True)
    for record, target in records:
        record_workbook(record, "" if isinstance(record, Department) else record.slug).save(target)
        if not same_record(as_record(read_template(open_sheets(target)), target), record):
            print(f"警告：{display(target)} 读回后与记录 {record.path} 不完全一致，请核对", file=sys.stderr)
        print(f"已写入 {display(target)}")
    print(f"导出了 {len(records) - 1} 个记录和部门整体表的工作簿到 {display(out_dir)}")
    return 0


def same_record(a: Record | None, b: Record) -> bool:
    """Return whether two records hold the same data, decimals compared as printed."""
    return a is not None and type(a) is type(b) and a.model_dump(mode="json") == b.model_dump(mode="json")


def write_template(output: Path | None, department: bool = False, force: bool = False) -> int:
    """Write a blank template workbook (a project's, or with `department` the department's); return the exit code."""
    from ..load import display

    target = output or Path("部门整体绩效目标表.xlsx" if department else "绩效目标表.xlsx")
    if target.exists() and not force:
        print(f"错误：{display(target)} 已经存在，不会覆盖（加 --force 覆盖）", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    template_workbook("department" if department else "project").save(target)
    into = "content/<年度>/<部门>/"
    print(f"已写入 {display(target)}：按“填写说明”工作表填写后，运行 disclose import {target.name} --into {into}")
    return 0
